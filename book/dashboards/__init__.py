"""The book's dashboards, one module per dashboard, and the pieces they share.

* ``base``: the ``Control``, ``Figure`` and ``Panel`` records every dashboard uses;
* ``svg``: the standard-library SVG renderer the charts are drawn with;
* ``page``: the dashboard as static HTML for the site (controls inactive until made live);
* ``jupyter``: the thin ipywidgets wiring for a live kernel;
* ``live``: the entry point the reader's browser calls once the dashboard is live;
* ``threshold_explorer`` (chapter 1), ``architecture_calculator`` (chapter 2),
  ``hardware_comparison`` (chapter 3), ``serving_roofline`` and ``diffusion_simulator``
  (chapter 4), ``rule_designer`` (chapter 5): the dashboards.

Everything except ``jupyter`` is standard-library Python, so it also runs in the browser's
WebAssembly Python. Importing this package imports nothing else.
"""
