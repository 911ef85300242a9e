"""Every page of the built site in a real browser (headless Chromium driven by Playwright).

Needs Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it). Outside CI
the tests skip, saying why, when no browser is found; in CI a missing browser is a failure.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from book.dashboards.page import SITE_NOTE

from tests.browser import Visit, content_pages, is_redirect, serve
from tests.conftest import SITE
from tests.test_site import SOLUTION_SIGNS

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


def _pages() -> list[str]:
    """Every content page; redirect stubs are checked by test_redirects_lead_to_pages instead."""
    return content_pages(SITE) if SITE.exists() else []


def test_redirects_lead_to_pages(site):
    import re
    redirects = [p for p in site.rglob("*.html") if is_redirect(p)]
    for path in redirects:
        target = re.search(r'url=([^"]+)"', path.read_text(encoding="utf-8")).group(1)
        assert (path.parent / target).is_file(), f"{path.name} redirects to a missing {target}"


@pytest.fixture(scope="module")
def visits(browser, server):
    """Every content page, loaded once, all in one browser context: the site's scripts and styles
    are fetched and compiled once, not once a page (about 22 s of CPU instead of 50 s for the 32
    pages: `python -m book.benchmark --cpu-by-file` measures this file)."""
    pages = _pages()
    assert pages, "no pages found in the built site"
    seen = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    for name in pages:
        visit = Visit(browser, f"{server}/{name}", context=context)
        if visit.page.locator("script[type='application/vnd.jupyter.widget-view+json']").count() or \
                "widget-view" in visit.page.content():
            visit.page.wait_for_selector(".widget-html, .jupyter-widgets", timeout=20_000)
        seen[name] = visit
    yield seen
    context.close()


@pytest.mark.parametrize("name", _pages())
def test_page_loads_without_errors(visits, name):
    visit = visits[name]
    assert visit.response is not None and visit.response.ok
    assert visit.errors == [], visit.errors
    assert visit.failed == [], visit.failed


@pytest.mark.parametrize("name", _pages())
def test_no_request_leaves_the_machine(visits, name):
    outside = [url for url in visits[name].requests
               if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname != "127.0.0.1"]
    assert outside == []


@pytest.mark.parametrize("name", _pages())
def test_every_widget_renders(visits, name):
    page = visits[name].page
    views = page.evaluate("document.querySelectorAll(\"script[type='application/vnd.jupyter.widget-view+json']\").length")
    rendered = page.evaluate("""() => [...document.querySelectorAll(
        "script[type='application/vnd.jupyter.widget-view+json']")].filter(
        s => s.parentElement.querySelector('.jupyter-widgets:not(script)')).length""")
    assert rendered == views, f"{views - rendered} of {views} widgets did not render"
    assert "Error displaying widget" not in page.inner_text("body")


@pytest.mark.parametrize("name", _pages())
def test_every_figure_has_meaningful_alt_text(visits, name):
    alts = visits[name].page.evaluate("[...document.querySelectorAll('main img, article img')].map(i => i.alt)")
    for alt in alts:
        assert len(alt.split()) >= 5, f"image with alt text {alt!r}"


@pytest.mark.parametrize("name", _pages())
def test_heading_levels_are_in_order(visits, name):
    levels = visits[name].page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
        ".filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))")
    if not levels:
        return
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, f"heading jumps from h{previous} to h{current}"


@pytest.mark.parametrize("name", _pages())
def test_no_solution_in_the_student_edition(visits, name):
    text = visits[name].page.content()
    for sign in SOLUTION_SIGNS:
        assert sign not in text


#: the dashboards of each page, in page order
DASHBOARD_PAGES = {"chapters/01_containment.html": ("threshold_explorer",),
                   "exercises/01_containment.html": ("threshold_explorer",),
                   "chapters/02_deepseek_paradox.html": ("architecture_calculator",),
                   "exercises/02_deepseek_paradox.html": ("architecture_calculator",),
                   "chapters/03_cost_of_compute.html": ("hardware_comparison",),
                   "exercises/03_cost_of_compute.html": ("hardware_comparison",),
                   "chapters/04_democratization.html": ("serving_roofline", "diffusion_simulator"),
                   "exercises/04_democratization.html": ("serving_roofline", "diffusion_simulator"),
                   "chapters/05_paradox_of_success.html": ("rule_designer",),
                   "exercises/05_paradox_of_success.html": ("rule_designer",)}


@pytest.mark.parametrize("name", sorted(DASHBOARD_PAGES))
def test_static_dashboard_shows_its_state_with_inactive_controls(visits, name):
    page = visits[name].page
    sections = page.locator("section.book-dashboard")
    assert sections.count() == len(DASHBOARD_PAGES[name])
    for index, expected in enumerate(DASHBOARD_PAGES[name]):
        dashboard = sections.nth(index)
        assert dashboard.get_attribute("data-dashboard") == expected
        chart = dashboard.locator("svg[role='img']")
        assert chart.count() == 1 and chart.first.is_visible()
        assert len(chart.first.locator("desc").text_content().split()) >= 15
        note = dashboard.locator(".book-dashboard-note")
        # the site's own wording (the stored note also speaks to a notebook's reader)
        assert note.is_visible() and note.inner_text() == SITE_NOTE
        controls = dashboard.locator("input, select")
        assert controls.count() >= 9
        for control in range(controls.count()):
            assert controls.nth(control).is_disabled()


def test_clicking_a_static_control_changes_nothing(browser, server):
    visit = Visit(browser, f"{server}/chapters/01_containment.html")
    try:
        page = visit.page
        dashboard = page.locator("section.book-dashboard")
        before = dashboard.inner_html()
        radio = dashboard.locator("input[type='radio'][value='2022-10']")
        radio.click(force=True)          # a real click on the disabled control
        dashboard.locator("input[type='range']").first.click(force=True)
        page.keyboard.press("ArrowRight")
        assert not radio.is_checked()
        assert dashboard.inner_html() == before  # controls, chart and texts all as they were
    finally:
        visit.close()


def test_search_finds_a_chapter_term(browser, server):
    visit = Visit(browser, f"{server}/search.html?q=chokepoint")
    try:
        visit.page.wait_for_selector("#search-results li", timeout=20_000)
        assert "Containment" in visit.page.inner_text("#search-results")
    finally:
        visit.close()


def test_download_button_gives_the_notebook(browser, server):
    visit = Visit(browser, f"{server}/exercises/01_containment.html")
    try:
        links = visit.page.evaluate("[...document.querySelectorAll('a')].map(a => a.href).filter(h => h.endsWith('.ipynb'))")
        assert links, "no .ipynb download link"
        response = visit.page.request.get(links[0])
        assert response.ok and b'"nbformat"' in response.body()
    finally:
        visit.close()


CHAPTER_PAGES = [name for name in _pages() if name.startswith("chapters/") and name[9:11].isdigit()]


@pytest.fixture(scope="module")
def phone(browser):
    """A browser context with a phone's 390 px screen, for the chapters' visits at that width."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context
    context.close()


@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_figures_fit_a_phone_screen_and_their_text_stays_legible(browser, server, phone, name):
    visit = Visit(browser, f"{server}/{name}", context=phone)
    try:
        page = visit.page
        # every chart's box fits the screen (a chart wider than the phone scrolls inside its box)
        rights = page.evaluate("[...document.querySelectorAll('main img, main .book-chart-scroll')]"
                               ".map(e => e.getBoundingClientRect().right)")
        assert len(rights) >= 2 and max(rights) <= 390 + 1
        # every text in a chart (the dashboards' and the matplotlib figures', all SVG with their
        # text as text) renders at MIN_TEXT_PX (11 CSS px) or more on the phone
        sizes = page.evaluate("""[...document.querySelectorAll('main svg[data-chart] text, main svg[data-figure] text')]
            .map(t => {
                const scale = t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width;
                return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]; })""")
        from book.figure import MIN_TEXT_PX
        assert sizes and min(size for _, size in sizes) >= MIN_TEXT_PX - 0.05, sorted(sizes, key=lambda s: s[1])[:3]
        # figures are vector graphics: no raster image of a chart
        assert page.evaluate("document.querySelectorAll('main img[src^=\"data:image/png\"]').length") == 0
    finally:
        visit.close()


@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_no_label_in_a_chart_overlaps_another(visits, name):
    # the renderer's estimate of text widths, checked against what the browser really draws
    overlaps = visits[name].page.evaluate("""() => {
        const found = [];
        for (const svg of document.querySelectorAll('main svg[data-chart], main svg[data-figure]')) {
            const boxes = [...svg.querySelectorAll('text')].filter(t => !t.getAttribute('transform'))
                .map(t => [t.textContent, t.getBoundingClientRect()]);
            for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const [a, p] = boxes[i], [b, q] = boxes[j];
                const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
                const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
                if (w > 1 && h > 1) found.push([a, b]);
            }
        }
        return found; }""")
    assert overlaps == []


# ---- live dashboards: the book's Python in the reader's browser --------------------------------
