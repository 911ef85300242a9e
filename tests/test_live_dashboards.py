"""The dashboards made live on the built site: the page's own button starts Python in headless
Chromium (Pyodide, from the site's own files), and what the page computes is compared with what
CPython computes for the same settings.

Needs Debian's Chromium, like ``test_browser.py``: outside CI the tests skip, saying why, when
no browser is found; in CI a missing browser is a failure. (A file of its own, so that the test
runner's two workers share the browser work with ``test_browser.py``.)
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser import CHROMIUM_ARGS, Visit, chromium_path, serve

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


SET_AND_READ = """async (values) => {
    const section = document.querySelector('section.book-dashboard');
    const updated = new Promise(done => section.addEventListener('book-dashboard-updated',
                                                                 e => done(e.detail.ms), {once: true}));
    let last = null;
    for (const [name, value] of Object.entries(values)) {
        const radio = section.querySelector(`input[type=radio][data-control="${name}"][value="${value}"]`);
        const exact = section.querySelector(`input[data-exact][data-control="${name}"]`);
        const select = section.querySelector(`select[data-control="${name}"]`);
        last = radio || exact || select;
        if (radio) { radio.checked = true; } else { last.value = String(value); }
        last.dispatchEvent(new Event('change', {bubbles: true}));
    }
    const ms = await updated;
    const texts = [...section.querySelectorAll('.book-dashboard-texts p')].map(p => p.textContent);
    return {ms, texts, error: section.querySelector('.book-dashboard-error').textContent};
}"""


#: the fixtures that give a live page
LIVE = ("live_page", "live_calculator", "live_comparison", "live_chapter4", "live_chapter5")


@pytest.fixture(autouse=True)
def _in_front(request):
    """The live page a test uses is brought to the front: its tab is one of several in a window, and
    a page in the background draws no frames (the dashboards update in the next frame)."""
    for name in LIVE:
        if name in request.fixturenames:
            request.getfixturevalue(name)[0].page.bring_to_front()


def _go_live(tabs, server, page_name):
    visit = Visit(tabs.browser, f"{server}/{page_name}", context=tabs)
    before = {"errors": list(visit.errors), "requests": list(visit.requests)}
    dashboard = visit.page.locator("section.book-dashboard")
    button = dashboard.locator("button.book-dashboard-live")
    assert button.is_visible() and "Make this dashboard live" in button.inner_text() and "MB" in button.inner_text()
    # nothing large was requested before the click
    assert not [url for url in visit.requests if "pyodide" in url or "book-py.zip" in url]
    button.click()
    visit.page.wait_for_selector("section.book-dashboard[data-live=true]", timeout=90_000)
    return visit, before


@pytest.fixture(scope="module")
def live_page(tabs, server):
    """Chapter 1 with its dashboard made live by a click (once: the runtime starts in ~5 s)."""
    visit, before = _go_live(tabs, server, "chapters/01_containment.html")
    yield visit, before
    visit.close()


@pytest.fixture(scope="module")
def live_calculator(tabs, server):
    """Chapter 2 with its dashboard, the architecture calculator, made live."""
    visit, before = _go_live(tabs, server, "chapters/02_deepseek_paradox.html")
    yield visit, before
    visit.close()


@pytest.fixture(scope="module")
def live_comparison(tabs, server):
    """Chapter 3 with its dashboard, the hardware-efficiency comparison, made live."""
    visit, before = _go_live(tabs, server, "chapters/03_cost_of_compute.html")
    yield visit, before
    visit.close()


def test_going_live_enables_the_controls_and_says_so(live_page):
    visit, _ = live_page
    dashboard = visit.page.locator("section.book-dashboard")
    assert "Live:" in dashboard.locator(".book-dashboard-note").inner_text()
    assert dashboard.locator("button.book-dashboard-live").count() == 0
    assert all(not dashboard.locator("input, select").nth(i).is_disabled()
               for i in range(dashboard.locator("input, select").count()))


def test_live_dashboard_at_the_boundary(live_page):
    visit, _ = live_page
    result = visit.page.evaluate(SET_AND_READ, {"rule": "2023-10", "chip": "NVIDIA H100 SXM5 80GB",
                                                "precision": "fp16", "die_area_mm2": 814, "market": "datacenter",
                                                "dense_tflops": 150})
    assert result["error"] == ""
    assert "NVIDIA H100 SXM5 80GB: TPP 15,832" in result["texts"][0]
    assert "TPP 2,400" in result["texts"][1] and "Under the 2023 rule: controlled (3A090.b.1)" in result["texts"][1]
    below = visit.page.evaluate(SET_AND_READ, {"dense_tflops": 149})
    assert "Under the 2023 rule: not controlled." in below["texts"][1]


def test_live_verdicts_equal_cpython_for_random_designs(live_page):
    import random

    from book.dashboards.threshold_explorer import design_chip
    from book.export_controls import classify
    rng = random.Random(8)
    page = live_page[0].page
    for _ in range(60):
        design = {"rule": rng.choice(["2022-10", "2023-10"]), "precision": rng.choice(["fp16", "fp8", "int8"]),
                  "market": rng.choice(["datacenter", "consumer"]), "dense_tflops": rng.randint(0, 2500),
                  "die_area_mm2": rng.randint(50, 1200), "interconnect_gb_s": rng.randrange(0, 2000, 10)}
        result = page.evaluate(SET_AND_READ, design)
        chip = design_chip(design["dense_tflops"], design["precision"], design["die_area_mm2"],
                           design["interconnect_gb_s"], design["market"])
        expected = classify(chip, design["rule"])
        assert f"Under the {expected.rule_label}: {expected.verdict}. {expected.reason}" in result["texts"][1], design


def _reports_bad_value(page, dashboard: str, control: str, bad: str, words: str, good: object) -> None:
    """Typing ``bad`` into ``control`` shows an error naming it and keeps the chart; ``good`` restores it."""
    section = page.locator("section.book-dashboard")
    before = section.locator(".book-dashboard-figure").inner_html()
    box = section.locator(f"#dash-{dashboard}-{control}-exact")
    box.fill(bad)
    box.dispatch_event("change")
    page.wait_for_timeout(300)
    assert words in section.locator(".book-dashboard-error").inner_text()
    assert section.locator(".book-dashboard-figure").inner_html() == before
    page.evaluate(SET_AND_READ, {control: good})


def test_live_dashboard_reports_a_bad_value_and_keeps_the_chart(live_page):
    _reports_bad_value(live_page[0].page, "threshold_explorer", "die_area_mm2", "-5", "Die area must be a number from", 814)


def test_live_dashboard_passes_wcag_aa(live_page):
    from book.tooling.offline_site import fetch_test_asset
    from tests.browser import run_axe, serious
    from tests.conftest import ROOT
    axe = fetch_test_asset(ROOT, "axe-core", "axe.min.js").read_text(encoding="utf-8")
    assert serious(run_axe(live_page[0].page, axe)) == []
    from tests.test_accessibility import measured
    assert measured(live_page[0].page) == []  # every text of the live dashboard readable, no sideways scroll


def test_live_dashboard_loads_only_from_the_site_without_errors(live_page):
    visit, before = live_page
    assert before["errors"] == [] and visit.errors == [], visit.errors
    assert visit.failed == []
    outside = [url for url in visit.requests if urlparse(url).hostname != "127.0.0.1"
               and urlparse(url).scheme in ("http", "https", "ws", "wss")]
    assert outside == []
    assert any("pyodide.asm.wasm" in url for url in visit.requests)


def test_without_webassembly_the_page_says_so_and_stays_static(browser, server):
    # a second browser, started with --jitless, which removes WebAssembly from its pages
    chromium = browser.browser_type.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, "--js-flags=--jitless"])
    try:
        visit = Visit(chromium, f"{server}/chapters/01_containment.html")
        page = visit.page
        assert page.evaluate("typeof WebAssembly") == "undefined"
        before = page.locator("section.book-dashboard .book-dashboard-panel").inner_html()
        page.locator("button.book-dashboard-live").click()
        page.wait_for_function("document.querySelector('.book-dashboard-note').textContent.includes('could not start')")
        note = page.locator("section.book-dashboard .book-dashboard-note").inner_text()
        assert "cannot run WebAssembly" in note and "JupyterLab" in note
        assert page.locator("section.book-dashboard .book-dashboard-panel").inner_html() == before
        assert page.locator("fieldset.book-dashboard-inactive").evaluate("f => f.disabled")
        assert not [url for url in visit.requests if "pyodide" in url]
        assert visit.errors == []
    finally:
        chromium.close()


def test_live_calculator_equals_cpython_for_random_settings(live_calculator):
    import random

    from book.dashboards import architecture_calculator as ac
    from book.dashboards.base import coerce_all
    rng = random.Random(9)
    page, before = live_calculator[0].page, live_calculator[1]
    controls = {c.name: c for c in ac.CONTROLS}
    for _ in range(50):
        values = {name: (rng.choice([v for _, v in c.options]) if c.kind == "choice"
                         else rng.randrange(int(c.minimum), int(c.maximum) + 1, int(c.step)))
                  for name, c in controls.items()}
        if values["model"] in ("DeepSeek-V2",):
            values["active_experts"] = min(values["active_experts"], 160)
        result = page.evaluate(SET_AND_READ, values)
        expected = ac.texts(ac.view(**coerce_all(ac.CONTROLS, values)))
        assert result["error"] == "", (values, result["error"])
        assert result["texts"] == [f"{heading}: {text}" for heading, text in expected], values
    assert before["errors"] == [] and live_calculator[0].errors == []
    assert not [url for url in live_calculator[0].requests if urlparse(url).hostname != "127.0.0.1"
                and urlparse(url).scheme in ("http", "https")]


def _random_settings(dashboard, rng) -> dict[str, object]:
    """A random value for every control of ``dashboard``, on its grid of steps."""
    values: dict[str, object] = {}
    for control in dashboard.CONTROLS:
        if control.kind == "choice":
            values[control.name] = rng.choice([value for _, value in control.options])
        else:
            steps = round((control.maximum - control.minimum) / control.step)
            values[control.name] = round(control.minimum + rng.randint(0, steps) * control.step, 6)
    return values


TABLE_CELLS = """() => [...document.querySelectorAll('section.book-dashboard .book-dashboard-panel table tr')]
    .map(row => [...row.cells].map(cell => cell.textContent.trim()))"""


def _table_cells(html: str) -> list[list[str]]:
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append("".join(self.cell).strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(html)
    return parser.rows


def _assert_page_matches_cpython(page, values, expected, name=None, min_rows=0) -> None:
    """The page's texts and table cells for ``values`` equal CPython's ``expected`` panel; ``name``
    picks one dashboard on a page that has several."""
    result = page.evaluate(SET_AND_READ_IN, [name, values]) if name else page.evaluate(SET_AND_READ, values)
    assert result["error"] == "", (values, result["error"])
    assert result["texts"] == [f"{heading}: {text}" for heading, text in expected.texts], values
    cells = page.evaluate(TABLE_CELLS_IN, name) if name else page.evaluate(TABLE_CELLS)
    assert len(cells) >= min_rows and cells == _table_cells(expected.extra_html), values


def test_live_comparison_equals_cpython_for_random_settings(live_comparison):
    import random

    from book.dashboards import hardware_comparison as hc
    from book.dashboards.base import render
    rng = random.Random(10)
    visit, before = live_comparison
    for _ in range(50):
        values = _random_settings(hc, rng)
        _assert_page_matches_cpython(visit.page, values, render(hc, values), min_rows=6)
    assert before["errors"] == [] and visit.errors == []
    assert not [url for url in visit.requests if urlparse(url).hostname != "127.0.0.1"
                and urlparse(url).scheme in ("http", "https")]


def test_live_comparison_reports_a_bad_value(live_comparison):
    _reports_bad_value(live_comparison[0].page, "hardware_comparison", "mfu", "1.5", "Utilisation (MFU) must be a number from", 0.35)


# ---- chapter 4: two dashboards on one page ---------------------------------------------------

SET_AND_READ_IN = SET_AND_READ.replace(
    "async (values) => {\n    const section = document.querySelector('section.book-dashboard');",
    "async ([name, values]) => {\n"
    "    const section = document.querySelector(`section.book-dashboard[data-dashboard=\"${name}\"]`);")
TABLE_CELLS_IN = """(name) => [...document.querySelectorAll(
    `section.book-dashboard[data-dashboard="${name}"] .book-dashboard-panel table tr`)]
    .map(row => [...row.cells].map(cell => cell.textContent.trim()))"""


@pytest.fixture(scope="module")
def live_chapter4(tabs, server):
    """Chapter 4 with both its dashboards made live, one click each (the runtime starts once)."""
    visit = Visit(tabs.browser, f"{server}/chapters/04_democratization.html", context=tabs)
    before = {"errors": list(visit.errors), "requests": list(visit.requests)}
    for name in ("serving_roofline", "diffusion_simulator"):
        section = visit.page.locator(f'section.book-dashboard[data-dashboard="{name}"]')
        button = section.locator("button.book-dashboard-live")
        assert button.is_visible() and "Make this dashboard live" in button.inner_text()
        button.click()
        visit.page.wait_for_selector(f'section.book-dashboard[data-dashboard="{name}"][data-live=true]',
                                     timeout=90_000)
    yield visit, before
    visit.close()


def test_chapter4_set_and_read_helper_is_scoped():
    assert "data-dashboard" in SET_AND_READ_IN and SET_AND_READ_IN != SET_AND_READ


@pytest.mark.parametrize("name, seed", [("serving_roofline", 41), ("diffusion_simulator", 42)])
def test_live_chapter4_equals_cpython_for_random_settings(live_chapter4, name, seed):
    import importlib
    import random

    from book.dashboards.base import render
    dashboard = importlib.import_module(f"book.dashboards.{name}")
    rng = random.Random(seed)
    visit, before = live_chapter4
    compared = 0
    for _ in range(40):
        values = _random_settings(dashboard, rng)
        try:
            expected = render(dashboard, values)
        except ValueError as exc:  # a setting the view rejects: the page must say the same
            result = visit.page.evaluate(SET_AND_READ_IN, [name, values])
            from book.dashboards.base import explain
            assert explain(dashboard.CONTROLS, str(exc))[0] in result["error"], (values, result["error"])
            continue
        _assert_page_matches_cpython(visit.page, values, expected, name=name, min_rows=5)
        compared += 1
    assert compared >= 30
    assert before["errors"] == [] and visit.errors == []
    assert not [url for url in visit.requests if urlparse(url).hostname != "127.0.0.1"
                and urlparse(url).scheme in ("http", "https")]


def test_live_chapter4_reports_a_bad_value(live_chapter4):
    page = live_chapter4[0].page
    section = page.locator('section.book-dashboard[data-dashboard="serving_roofline"]')
    before = section.locator(".book-dashboard-figure").inner_html()
    box = section.locator("#dash-serving_roofline-batch-exact")
    box.fill("2.5")
    box.dispatch_event("change")
    page.wait_for_timeout(300)
    assert "Batch must be a whole number" in section.locator(".book-dashboard-error").inner_text()
    assert section.locator(".book-dashboard-figure").inner_html() == before
    # the other dashboard on the page is untouched
    other = page.locator('section.book-dashboard[data-dashboard="diffusion_simulator"] .book-dashboard-error')
    assert other.inner_text() == ""
    page.evaluate(SET_AND_READ_IN, ["serving_roofline", {"batch": 64}])


def test_live_chapter4_log_slider_and_marked_errors(live_chapter4):
    page = live_chapter4[0].page
    section = page.locator('section.book-dashboard[data-dashboard="serving_roofline"]')
    slider, box = section.locator("#dash-serving_roofline-batch"), section.locator("#dash-serving_roofline-batch-exact")
    # a log slider: position 2.4 (on its grid of 0.03) stands for 10^2.4 = 251.2, shown as a whole number
    slider.evaluate("r => { r.value = '2.4'; r.dispatchEvent(new Event('input')); }")
    page.wait_for_timeout(300)
    assert box.input_value() == "251" and slider.get_attribute("aria-valuetext") == "251"
    assert "251 conversations" in section.locator(".book-dashboard-texts").inner_text()
    # a bad value marks its control and says so beside it
    mfu = section.locator("#dash-serving_roofline-utilisation-exact")
    mfu.fill("1.5")
    mfu.dispatch_event("change")
    page.wait_for_timeout(300)
    assert mfu.get_attribute("aria-invalid") == "true"
    beside = section.locator(".book-control-error")
    assert beside.count() == 1 and beside.inner_text().startswith("Share of peak reached must be")
    # the slider's last position is the maximum itself
    slider.evaluate("r => { r.value = r.max; r.dispatchEvent(new Event('input')); }")
    page.wait_for_timeout(300)
    assert box.input_value() == "16384"
    page.evaluate(SET_AND_READ_IN, ["serving_roofline", {"utilisation": 1, "batch": 64}])
    assert section.locator(".book-control-error").count() == 0 and mfu.get_attribute("aria-invalid") is None


@pytest.fixture(scope="module")
def live_chapter5(tabs, server):
    """Chapter 5 with its rule designer made live."""
    visit, before = _go_live(tabs, server, "chapters/05_paradox_of_success.html")
    yield visit, before
    visit.close()


def test_live_rule_designer_equals_cpython_for_random_settings(live_chapter5):
    import random

    from book.dashboards import rule_designer as rd
    from book.dashboards.base import render
    rng = random.Random(51)
    visit, before = live_chapter5
    for _ in range(40):
        values = _random_settings(rd, rng)
        _assert_page_matches_cpython(visit.page, values, render(rd, values))
    assert before["errors"] == [] and visit.errors == []


# ---- odd values in every number box of every live dashboard -------------------------------------

ODD_VALUES = ("1e300", "-1", "1e-300", "", "abc")
#: type a value into a number box and wait until the page has dealt with it: the dashboard updates
#: in the next animation frame (dashboards.js: soon), so two frames later it has (a fixed 60 ms sleep
#: was too short on a loaded machine); returns what the box kept
TYPE_AND_WAIT = """async (e, v) => {
    e.value = v;
    e.dispatchEvent(new Event('change'));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return e.value;
}"""


@pytest.mark.parametrize("fixture", ["live_page", "live_calculator", "live_comparison", "live_chapter4",
                                     "live_chapter5"])
def test_odd_values_in_every_number_box_get_an_in_place_message(request, fixture):
    import importlib

    visit = request.getfixturevalue(fixture)[0]
    page = visit.page
    page.bring_to_front()  # (_in_front cannot know which fixture this test asks for)
    errors_before = len(visit.errors)
    for section in page.locator("section.book-dashboard[data-live=true]").all():
        name = section.get_attribute("data-dashboard")
        module = importlib.import_module(f"book.dashboards.{name}")
        for control in (c for c in module.CONTROLS if c.kind == "number"):
            box = section.locator(f"#dash-{name}-{control.name}-exact")
            for value in ODD_VALUES:
                try:
                    inside = control.minimum <= float(value) <= control.maximum
                except ValueError:
                    inside = False
                # what typing leaves in a number box: the browser keeps only what parses ("abc" -> "")
                kept = box.evaluate(TYPE_AND_WAIT, value)
                if inside:
                    continue
                assert kept == value or kept == "", (value, kept)
                beside = section.locator(".book-control-error")
                assert beside.count() == 1, (name, control.name, value)
                message = beside.inner_text()
                assert message.startswith(control.label) and control.range_text() in message, message
                assert box.get_attribute("aria-invalid") == "true"
            box.evaluate(TYPE_AND_WAIT, str(control.default))
            assert section.locator(".book-control-error").count() == 0, (name, control.name)
    assert visit.errors[errors_before:] == []  # no console error, whatever was typed
    from tests.test_accessibility import measured, settle
    assert measured(page) == []  # live, every text readable in the light theme
    # and in the dark one: the reader's system switches to dark while the dashboards are live (the
    # theme follows it), measured once the colours have settled
    page.emulate_media(color_scheme="dark")
    try:
        page.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5_000)
        settle(page)
        assert page.locator("section.book-dashboard[data-live=true]").count() == \
            page.locator("section.book-dashboard").count()
        assert measured(page) == [], "dark theme"
    finally:
        page.emulate_media(color_scheme="light")


# ---- the German edition ------------------------------------------------------------------------

def test_a_german_page_s_dashboard_goes_live_in_german_and_equals_cpython(tabs, server):
    """On a German page the button, the notes and the live panel speak German, and the panel
    equals what the same Python gives in German (book/language.py)."""
    from book.dashboards import threshold_explorer as te
    from book.dashboards.base import render
    from book.dashboards.page import SITE_NOTE
    from book.language import in_language, translate

    visit = Visit(tabs.browser, f"{server}/de/chapters/01_containment.html", context=tabs)
    try:
        section = visit.page.locator("section.book-dashboard")
        note = section.locator(".book-dashboard-note")
        assert note.inner_text() == in_language("de", translate, SITE_NOTE) != SITE_NOTE
        button = section.locator("button.book-dashboard-live")
        assert button.inner_text().startswith("Dieses Dashboard live schalten")
        button.click()
        visit.page.wait_for_selector("section.book-dashboard[data-live=true]", timeout=90_000)
        assert note.inner_text().startswith("Live: Die Regler")
        design = {"rule": "2023-10", "precision": "fp8", "market": "datacenter", "dense_tflops": 300,
                  "die_area_mm2": 814, "interconnect_gb_s": 900}
        result = visit.page.evaluate(SET_AND_READ, design)
        def texts(html: str) -> list[str]:
            import html as markup
            import re
            region = html[html.index('class="book-dashboard-texts"'):]
            return [markup.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p[^>]*>(.*?)</p>", region)]
        expected = in_language("de", lambda: texts(render(te, design).html()))
        english = texts(render(te, design).html())
        assert result["error"] == "" and result["texts"] == expected != english
        assert visit.errors == []
    finally:
        visit.close()
