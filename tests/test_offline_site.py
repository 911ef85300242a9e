"""The build step that makes the site self-contained (book/tooling/offline_site.py)."""

from __future__ import annotations

import re
import shutil

import pytest

from book.tooling import offline_site
from tests.conftest import ROOT

CACHE = ROOT / "_build" / ".offline-cache"


@pytest.fixture()
def cached_tarballs(tmp_path, site):
    """Copies of the tarballs the site build fetched (the build must have run)."""
    names = [offline_site._tarball_name(pkg, version) for pkg, (version, _) in offline_site.PINNED.items()]
    for name in names:
        shutil.copy2(CACHE / name, tmp_path / name)
    return tmp_path


def test_pinned_tarballs_pass_their_hash(cached_tarballs):
    paths = offline_site.fetch_tarballs(cached_tarballs)
    assert set(paths) == set(offline_site.PINNED)


def test_a_tampered_tarball_is_rejected_and_deleted(cached_tarballs):
    victim = cached_tarballs / offline_site._tarball_name("mathjax", offline_site.PINNED["mathjax"][0])
    data = bytearray(victim.read_bytes())
    data[100] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(offline_site.OfflineAssetError, match="sha512"):
        offline_site.fetch_tarballs(cached_tarballs)
    assert not victim.exists()


def test_vendored_files_are_served(site):
    offline = site / "_static" / "offline"
    for name in ("book.css", "mathjax/tex-mml-chtml.js"):
        assert (offline / name).is_file(), name


def test_no_page_loads_a_widget_manager_or_embeds_widget_state(site):
    # dashboards show their own static HTML on the site; the widget state stays in the notebooks
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "embed-amd.js" not in html and "require.js" not in html, path.relative_to(site)
        assert "application/vnd.jupyter.widget-state+json" not in html, path.relative_to(site)


def test_no_page_loads_anything_from_another_host(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for url in re.findall(rf"<{tag}\b[^>]*\b{attribute}=\"([^\"]+)\"", html):
                assert not re.match(r"(https?:)?//", url), f"{path.relative_to(site)} loads {url}"
        assert "data-jupyter-widgets-cdn=\"https" not in html
        assert not re.search(r"https?://[^\"']*(unpkg|jsdelivr|cdnjs)", html), path.relative_to(site)




def test_the_live_runtime_and_the_book_s_code_are_served(site):
    offline = site / "_static" / "offline"
    for name in ("pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert (offline / "pyodide" / name).is_file(), name
    assert (offline / "book-py.zip").is_file()
    script = (offline / "dashboards.js").read_text(encoding="utf-8")
    size = offline_site.live_download_bytes(offline)
    assert f"var DOWNLOAD_BYTES = {size};" in script and size > 10_000_000


def test_the_dashboards_script_is_only_on_pages_with_a_dashboard(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert ("dashboards.js" in html) == ('class="book-dashboard"' in html), path.relative_to(site)


def test_the_reference_list_has_list_items(site):
    html = (site / "chapters" / "references.html").read_text(encoding="utf-8")
    assert 'role="doc-biblioentry"' not in html and html.count('role="listitem"') >= 10


# ---- the browser's part of the book package ----------------------------------------------------

def test_bundle_is_the_import_closure_of_the_dashboards():
    from book.tooling import browser_bundle
    modules = browser_bundle.bundle_modules()
    assert "book.dashboards.live" in modules and "book.dashboards.threshold_explorer" in modules
    assert "book.hardware" in modules and "book.tables" in modules  # imported by export_controls
    # lazy imports inside functions (the ipywidgets wiring) are not needed in the browser
    assert "book.dashboards.jupyter" not in modules and "book.checks" not in modules


def test_bundle_zip_is_deterministic_and_complete(tmp_path):
    import zipfile

    from book.tooling import browser_bundle
    first = browser_bundle.write_zip(tmp_path / "a.zip").read_bytes()
    second = browser_bundle.write_zip(tmp_path / "b.zip").read_bytes()
    assert first == second
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert "book/data/chips.csv" in names and "book/dashboards/live.py" in names and "book/__init__.py" in names


def test_bundle_runs_with_the_standard_library_alone(tmp_path):
    # unpack the zip into an empty folder and call the entry point with no third-party package
    # importable and the repository not on the path: what the browser's Python does
    import subprocess
    import sys
    import zipfile

    from book.tooling import browser_bundle
    zipfile.ZipFile(browser_bundle.write_zip(tmp_path / "b.zip")).extractall(tmp_path / "lib")
    code = ("import sys; sys.path[:] = [p for p in sys.path if 'site-packages' not in p and p not in ('', '.')]\n"
            f"sys.path.insert(0, {str(tmp_path / 'lib')!r})\n"
            "import json, book.dashboards.live as live\n"
            "print(json.loads(live.update('threshold_explorer', json.dumps({'dense_tflops': 150})))['texts'][1][1])")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "controlled (3A090.b.1)" in done.stdout
