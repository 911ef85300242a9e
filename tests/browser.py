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
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # the tests keep several tabs open at once (tests/test_lite_browser.py runs five
                 # notebooks side by side): none of them is slowed for being in the background
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows",
                 # no test times the browser (book/benchmark.py does, with its own flags): Pyodide's
                 # WebAssembly is compiled once, by V8's baseline compiler, not again optimised
                 "--js-flags=--no-wasm-tier-up",
                 # the tabs of one site share one renderer process, as they share a context's cache:
                 # the in-browser app's scripts are compiled once, not once a tab (six notebooks side by
                 # side in tests/test_lite_browser.py: about 13 s less CPU)
                 "--process-per-site"]


#: Debian's Chromium as the tests run it: its headless shell (``apt-get install -y
#: chromium-headless-shell``), the same Blink and V8 as the ``chromium`` package's browser without the
#: browser's window machinery, which Playwright too runs headless by default. The suite's browser
#: tests take about a sixth less CPU in it than in the full browser (all pass in both); the full
#: browser is the fallback, and ``book/benchmark.py`` times pages in it, as a reader's browser.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell",
                       "/usr/bin/chromium")


def chromium_path() -> str | None:
    """The browser the tests drive: ``$BOOK_CHROMIUM`` if set, else the first of
    ``CHROMIUM_CANDIDATES`` installed, else ``chromium`` on the PATH."""
    for candidate in (os.environ.get("BOOK_CHROMIUM"), *CHROMIUM_CANDIDATES, shutil.which("chromium")):
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
    """Every content page of the book (not assets, not redirect stubs, not the pages of the in-browser
    notebook app under ``lite/``: JupyterLite's own, tested by tests/test_lite_browser.py)."""
    skip = {"_static", "_sources", "_images", "lite"}
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not skip & set(p.relative_to(site).parts) and not is_redirect(p))


def _listen(page, record) -> None:
    """Keep what ``page`` reports in ``record()``'s lists (console and page errors, requests, failed
    requests): the object ``record`` returns when the report arrives."""
    page.on("console", lambda m: record().errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: record().errors.append(f"page error: {e}"))
    page.on("request", lambda r: record().requests.append(r.url))
    page.on("requestfailed", lambda r: record().failed.append(f"{r.url} ({r.failure})"))


class Visit:
    """One page load with everything the browser saw: in a browser context of its own, or in
    ``context``, a context several visits share (its cache too: the site's scripts and styles are
    fetched and compiled once, not once a page; each visit still sees its own page's requests)."""

    def __init__(self, browser, url: str, width: int = 1280, color_scheme: str = "light", context=None):
        self.own_context = context is None
        self.context = context or browser.new_context(viewport={"width": width, "height": 900},
                                                      color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        _listen(self.page, lambda: self)
        self.response = self.page.goto(url, wait_until="networkidle")

    def close(self):
        if self.own_context:
            self.context.close()
        else:
            self.page.close()


class Tab:
    """One tab that visits page after page, keeping for each visit what the browser saw (as
    ``Visit`` does). Opening a tab costs the browser about as much CPU as loading a page, so a tab
    that moves on takes about half the CPU of a tab a page (``tests/test_browser.py``: 32 pages).
    Each visit waits for the network to go quiet, so nothing of one page is still arriving when the
    next starts."""

    def __init__(self, context):
        self.page = context.new_page()
        self.seen = Seen()
        _listen(self.page, lambda: self.seen)  # the current visit's record

    def visit(self, url: str) -> "Seen":
        self.seen = Seen()
        response = self.page.goto(url, wait_until="networkidle")
        self.seen.ok = response is not None and response.ok
        return self.seen


class Seen:
    """What one visit of a ``Tab`` saw: console errors and page errors, requests, failed requests,
    whether the page itself loaded (``ok``), and what a test gathered on it (``facts``)."""

    def __init__(self):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.ok = False
        self.facts: dict = {}


#: the WCAG 2.0 and 2.1 A and AA rules of axe-core
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page, axe_source: str, rules: tuple[str, ...] | None = None) -> list[dict]:
    """axe-core's violations on ``page`` (its WCAG 2.0/2.1 A and AA rules, or only ``rules``, by id):
    id, impact, the number of elements and a few of them."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    only = {"type": "tag", "values": AXE_TAGS} if rules is None else {"type": "rule", "values": list(rules)}
    return page.evaluate("""async (only) => {
        const result = await axe.run(document, {runOnly: only, resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
            where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 200))}));
    }""", only)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


#: Every visible text's contrast against what is really behind it (WCAG 2.1: 4.5:1, or 3:1 for large
#: text: 24 px, or 18.66 px bold). The background is found by walking up from the text, blending
#: each semi-transparent background colour over the one below and each element's opacity into the
#: text; an element drawn with a gradient or image background is judged against its own colour.
#: SVG text is judged against the chart's background: white for a matplotlib figure (it draws a
#: white rectangle first), else the background of the element the chart sits in. Axe leaves such
#: texts "incomplete"; this measures them.
CONTRAST = r"""(root) => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      if (e instanceof SVGElement && e.tagName.toLowerCase() === 'svg' && e.hasAttribute('data-figure')) {
        layers.push([255, 255, 255, 1]); break; }
      const cs = getComputedStyle(e), bg = parse(cs.backgroundColor);
      if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];
    const page = parse(getComputedStyle(document.body).backgroundColor);
    if (page && page[3] >= 1) colour = page;
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('script, style, noscript, title, desc, [aria-hidden="true"], .visually-hidden, .sr-only, mjx-assistive-mml')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.fontSize) < 1) continue;
    if (cs.clip === 'rect(0px, 0px, 0px, 0px)' || cs.clipPath === 'inset(50%)') continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    if (opacity < 0.05) continue;
    const isSvg = el instanceof SVGElement;
    let colour = parse(isSvg ? (cs.fill !== 'none' ? cs.fill : cs.color) : cs.color);
    if (!colour) continue;
    const behind = background(el);
    colour = over([colour[0], colour[1], colour[2], colour[3] * opacity], behind);
    const size = parseFloat(cs.fontSize) * (isSvg ? (el.ownerSVGElement.getBoundingClientRect().width /
                 (el.ownerSVGElement.viewBox.baseVal.width || el.ownerSVGElement.getBoundingClientRect().width)) : 1);
    const bold = parseInt(cs.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const r = ratio(colour, behind);
    if (r < needed) found.push([node.textContent.trim().slice(0, 60), Math.round(r * 100) / 100, needed,
                                cs.color, getComputedStyle(el).backgroundColor]);
  }
  return found;
}"""
