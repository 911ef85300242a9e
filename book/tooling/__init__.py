"""Build tooling: what makes the site, not what the chapters teach.

* ``offline_site``: Sphinx extension serving the site's scripts from the site itself (no CDN);
* ``bibliography``: Sphinx extension for citation labels such as [BIS 2023];
* ``static/``: the hand-written site assets (stylesheet, scripts, favicon).

The notebook tool and the benchmark are command-line tools of the same layer; they keep their
documented commands, ``python -m book.notebooks`` and ``python -m book.benchmark``.
"""
