"""The book's dashboards, one module per dashboard, and the pieces they share.

* ``base``: the ``Control``, ``Figure`` and ``Panel`` records every dashboard uses;
* ``svg``: the standard-library SVG renderer the charts are drawn with;
* ``page``: the dashboard as static HTML for the site (controls inactive until made live);
* ``jupyter``: the thin ipywidgets wiring for a live kernel;
* ``live``: the entry point the reader's browser calls once the dashboard is live;
* ``threshold_explorer``: chapter 1's dashboard.

Everything except ``jupyter`` is standard-library Python, so it also runs in the browser's
WebAssembly Python. Importing this package imports nothing else.
"""
