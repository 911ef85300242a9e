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


