"""Every page of the built site in a real browser (headless Chromium driven by Playwright).

Needs Debian's Chromium (``apt-get install -y chromium-headless-shell``, or ``chromium``: see
``tests.browser.chromium_path``; ``.ci/run`` installs the first). Outside CI
the tests skip, saying why, when no browser is found; in CI a missing browser is a failure.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from book.dashboards.page import SITE_NOTE

from tests.browser import Tab, Visit, content_pages, is_redirect, serve
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


#: what the page tests below need of a loaded page, gathered at once (the tab then moves on)
GATHER = """() => {
  const visible = e => { const box = e.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const views = [...document.querySelectorAll("script[type='application/vnd.jupyter.widget-view+json']")];
  const overlaps = [];
  for (const svg of document.querySelectorAll('main svg[data-chart], main svg[data-figure]')) {
    // the renderer's estimate of text widths, checked against what the browser really draws
    const boxes = [...svg.querySelectorAll('text')].filter(t => !t.getAttribute('transform'))
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) overlaps.push([a, b]);
    }
  }
  return {
    views: views.length,
    rendered: views.filter(s => s.parentElement.querySelector('.jupyter-widgets:not(script)')).length,
    widgetError: document.body.innerText.includes('Error displaying widget'),
    alts: [...document.querySelectorAll('main img, article img')].map(i => i.alt),
    levels: [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
      .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1])),
    overlaps,
    dashboards: [...document.querySelectorAll('section.book-dashboard')].map(section => {
      const charts = [...section.querySelectorAll("svg[role='img']")];
      const note = section.querySelector('.book-dashboard-note');
      const controls = [...section.querySelectorAll('input, select')];
      return {name: section.getAttribute('data-dashboard'), charts: charts.length,
              chartVisible: charts.length > 0 && visible(charts[0]),
              desc: charts.length ? (charts[0].querySelector('desc') || {}).textContent || '' : '',
              note: note && visible(note) ? note.innerText : null,
              controls: controls.length, enabled: controls.filter(c => !c.matches(':disabled')).length};
    }),
  };
}"""


@pytest.fixture(scope="module")
def visits(browser, server):
    """Every content page, loaded once, one after another in one tab (`tests.browser.Tab`: the
    site's scripts and styles are fetched and compiled once, and no tab is opened a page), with
    what the tests need of each gathered on it (``GATHER``) and its HTML."""
    pages = _pages()
    assert pages, "no pages found in the built site"
    seen = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = Tab(context)
    for name in pages:
        visit = tab.visit(f"{server}/{name}")
        if tab.page.locator("script[type='application/vnd.jupyter.widget-view+json']").count() or \
                "widget-view" in tab.page.content():
            tab.page.wait_for_selector(".widget-html, .jupyter-widgets", timeout=20_000)
        visit.facts = {**tab.page.evaluate(GATHER), "html": tab.page.content()}
        seen[name] = visit
    context.close()
    return seen


@pytest.mark.parametrize("name", _pages())
def test_page_loads_without_errors(visits, name):
    visit = visits[name]
    assert visit.ok
    assert visit.errors == [], visit.errors
    assert visit.failed == [], visit.failed


@pytest.mark.parametrize("name", _pages())
def test_no_request_leaves_the_machine(visits, name):
    outside = [url for url in visits[name].requests
               if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname != "127.0.0.1"]
    assert outside == []


@pytest.mark.parametrize("name", _pages())
def test_every_widget_renders(visits, name):
    facts = visits[name].facts
    views, rendered = facts["views"], facts["rendered"]
    assert rendered == views, f"{views - rendered} of {views} widgets did not render"
    assert not facts["widgetError"]


@pytest.mark.parametrize("name", _pages())
def test_every_figure_has_meaningful_alt_text(visits, name):
    for alt in visits[name].facts["alts"]:
        assert len(alt.split()) >= 5, f"image with alt text {alt!r}"


@pytest.mark.parametrize("name", _pages())
def test_heading_levels_are_in_order(visits, name):
    levels = visits[name].facts["levels"]
    if not levels:
        return
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, f"heading jumps from h{previous} to h{current}"


@pytest.mark.parametrize("name", _pages())
def test_no_solution_in_the_student_edition(visits, name):
    text = visits[name].facts["html"]
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
    dashboards = visits[name].facts["dashboards"]
    assert [dashboard["name"] for dashboard in dashboards] == list(DASHBOARD_PAGES[name])
    for dashboard in dashboards:
        assert dashboard["charts"] == 1 and dashboard["chartVisible"], dashboard
        assert len(dashboard["desc"].split()) >= 15
        # the site's own wording (the stored note also speaks to a notebook's reader)
        assert dashboard["note"] == SITE_NOTE
        assert dashboard["controls"] >= 9
        assert dashboard["enabled"] == 0, dashboard


def test_clicking_a_static_control_changes_nothing(browser, tabs, server):
    visit = Visit(browser, f"{server}/chapters/01_containment.html", context=tabs)
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


def test_search_finds_a_chapter_term(browser, tabs, server):
    visit = Visit(browser, f"{server}/search.html?q=chokepoint", context=tabs)
    try:
        visit.page.wait_for_selector("#search-results li", timeout=20_000)
        assert "Containment" in visit.page.inner_text("#search-results")
    finally:
        visit.close()


def test_download_button_gives_the_notebook(browser, tabs, server):
    visit = Visit(browser, f"{server}/exercises/01_containment.html", context=tabs)
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
    """A tab with a phone's 390 px screen, for the chapters' visits at that width."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield Tab(context)
    context.close()


@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_figures_fit_a_phone_screen_and_their_text_stays_legible(server, phone, name):
    assert phone.visit(f"{server}/{name}").ok
    page = phone.page
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


@pytest.mark.parametrize("name", CHAPTER_PAGES)
def test_no_label_in_a_chart_overlaps_another(visits, name):
    # the renderer's estimate of text widths, checked against what the browser really draws
    assert visits[name].facts["overlaps"] == []


# ---- live dashboards: the book's Python in the reader's browser --------------------------------
