"""Helpers for the tests that drive a real browser (headless Chromium through Playwright)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("BOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def is_redirect(path: Path) -> bool:
    """Jupyter Book writes index.html as a bare meta-refresh to the root page."""
    return path.read_text(encoding="utf-8").lstrip().startswith('<meta http-equiv="Refresh"')


def content_pages(site: Path) -> list[str]:
    """Every content page of a built site (not assets, not redirect stubs)."""
    skip = {"_static", "_sources", "_images"}
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not skip & set(p.relative_to(site).parts) and not is_redirect(p))


class Visit:
    """One page load with everything the browser saw."""

    def __init__(self, browser, url: str, width: int = 1280, color_scheme: str = "light"):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.response = self.page.goto(url, wait_until="networkidle")

    def close(self):
        self.context.close()


#: the WCAG 2.0 and 2.1 A and AA rules of axe-core
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations on ``page``: id, impact, the number of elements and a few of them."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
            where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 200))}));
    }""", AXE_TAGS)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]
