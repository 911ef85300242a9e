"""WCAG 2.1 AA on every page of both editions, checked in the browser.

axe-core (pinned by hash, fetched from npm like the site's other assets, used only here) runs on
every page of the student and the instructor edition, in light and in dark mode, and fails on
any serious or critical violation; minor ones are reported as warnings. Each page loads once: all
rules in the scheme it loads in, then the theme's own switch turns it to the other scheme, where
the rules that colours decide run again (``audit``). In each scheme the contrast of every visible
text is also measured against its effective background (what axe leaves "incomplete": text over
panels, in charts) and the page is checked for sideways scrolling at 390 px; both count as
serious. A keyboard-only walk goes
through chapter 1: to the dashboard, makes it live, changes a control, and on to the exercises,
with a visible focus indicator at every stop. (The live dashboard is also checked with axe in
``test_browser.py``.)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from book.tooling.offline_site import fetch_test_asset
from tests.browser import CONTRAST, Visit, content_pages, run_axe, serious, serve
from tests.conftest import ROOT

pytestmark = pytest.mark.site


@pytest.fixture(scope="session")
def axe_source() -> str:
    return fetch_test_asset(ROOT, "axe-core", "axe.min.js").read_text(encoding="utf-8")


#: a phone's viewport
PHONE = {"width": 390, "height": 844}


def faint(page) -> list[dict]:
    """Text under the contrast limits against its effective background (``tests.browser.CONTRAST``:
    what axe cannot settle), as a serious violation."""
    found = page.evaluate(CONTRAST, page.query_selector("body"))
    if not found:
        return []
    return [{"id": "contrast-measured", "impact": "serious", "count": len(found),
             "where": [f"{text!r}: {ratio}:1, needs {needed}:1" for text, ratio, needed, *_ in found[:5]]}]


def sideways(page) -> list[dict]:
    """A page that scrolls sideways at the phone width it is shown at (390 px), as a serious violation."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    return [{"id": "scrolls-sideways-at-390px", "impact": "serious", "count": 1, "where": [f"{width} px wide"]}]


def measured(page) -> list[dict]:
    """What axe cannot settle, measured on the loaded page: ``faint`` text, and ``sideways``
    scrolling on a 390 px phone (the page is shown at that width, then at its own again)."""
    found = faint(page)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    found += sideways(page)
    page.set_viewport_size(size)
    return found


def settle(page) -> None:
    """Stop the page's transitions (once a page) and wait two frames: colours are then judged as
    they settle, not mid-way through a theme's transition."""
    if not page.evaluate("!!document.getElementById('audit-settled')"):
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; "
                                   "animation: none !important; }").evaluate("style => style.id = 'audit-settled'")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


#: the axe rules whose outcome depends on colours: all that can change when only the colour scheme
#: does (the theme's switch changes the page's colour variables, not its elements)
COLOUR_RULES = ("color-contrast", "link-in-text-block")
#: the theme's own switch (pydata-sphinx-theme), as a reader uses it: it cycles auto, dark, light,
#: sets the page's theme and stores the choice for the next page
SWITCH = """(wanted) => {
    const button = document.querySelector('.theme-switch-button');
    for (let i = 0; i < 3 && document.documentElement.dataset.theme !== wanted; i++) button.click();
    return document.documentElement.dataset.theme;
}"""


def _switch(page, scheme: str, name: str) -> None:
    """Turn ``page`` to ``scheme`` with the theme's switch (if it is not shown in it), and settle."""
    if page.evaluate("document.documentElement.dataset.theme") != scheme:
        assert page.evaluate(SWITCH, scheme) == scheme, (name, scheme)
    settle(page)


def audit(browser, root, axe_source, pages: list[str] | None = None,
          schemes: tuple[str, ...] = ("light", "dark")) -> dict[tuple[str, str], list[dict]]:
    """axe's findings on ``pages`` (default: every content page) of the site at ``root``, in each
    colour scheme, with what ``measured`` finds in each.

    Each page is loaded once, in the scheme the reader's system prefers (light) or the one chosen
    on the page before (the switch stores it); axe checks it with every rule, and the contrast is
    measured (``faint``). At 390 px the page is checked for sideways scrolling in that scheme, then
    the theme's own switch turns it to the other, checked the same way; back at its own width, axe
    checks what the scheme can change (``COLOUR_RULES``) and the contrast is measured again. Every
    page is so loaded in light on every other visit, and in dark on the rest."""
    results = {}
    with serve(root) as url:
        context = browser.new_context(color_scheme="light")
        page = context.new_page()
        desktop = page.viewport_size
        for name in pages if pages is not None else content_pages(root):
            page.goto(f"{url}/{name}", wait_until="load")
            first = page.evaluate("document.documentElement.dataset.theme")
            order = sorted(schemes, key=lambda scheme: scheme != first)
            found = {scheme: [] for scheme in order}
            # in the scheme it loaded in: every rule and the measured contrast; then at 390 px, in
            # each scheme; back at its own width, the colour rules and the contrast in the others
            # (so the width changes twice a page, not twice a scheme)
            settle(page)
            found[order[0]] += run_axe(page, axe_source) + faint(page)
            page.set_viewport_size(PHONE)
            for scheme in order:
                _switch(page, scheme, name)
                found[scheme] += sideways(page)
            page.set_viewport_size(desktop)
            for scheme in order[1:]:
                _switch(page, scheme, name)
                found[scheme] += run_axe(page, axe_source, COLOUR_RULES) + faint(page)
            results.update({(scheme, name): found[scheme] for scheme in order})
        context.close()
    return results


def check_audit(results: dict) -> None:
    assert results, "no pages audited"
    failures = {key: serious(found) for key, found in results.items() if serious(found)}
    minor = {key: [v for v in found if v not in serious(found)] for key, found in results.items()}
    for (scheme, name), found in minor.items():
        for violation in found:
            warnings.warn(f"axe ({scheme}) {name}: {violation['impact']} {violation['id']} on "
                          f"{violation['count']} element(s): {violation['where']}", stacklevel=2)
    assert failures == {}, failures


def test_student_edition_passes_wcag_aa(browser, site, axe_source):
    results = audit(browser, site, axe_source)
    assert len(results) == 2 * len(content_pages(site))
    check_audit(results)


def _overlay(site: Path, folder: Path, path: str, extra: str) -> Path:
    """The site at ``site``, seen through ``folder`` (links to its files), with ``extra`` appended to
    the file ``path``: each folder on the way to it is a real one, linking to all but the next part."""
    here, there = folder, site
    for part in Path(path).parts:
        here.mkdir(exist_ok=True)
        for entry in there.iterdir():
            if entry.name != part:
                (here / entry.name).symlink_to(entry)
        here, there = here / part, there / part
    here.write_text(there.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def test_the_audit_judges_each_page_in_both_schemes(browser, site, axe_source, tmp_path):
    # faults only dark mode has (the book's stylesheet greys the text of the dark theme, and widens
    # its pages on a phone) fail the dark audit of a page loaded in light and switched, and of the
    # next, loaded in dark; light passes
    root = _overlay(site, tmp_path / "site", "_static/offline/book.css",
                    '\nhtml[data-theme="dark"] main p { color: #333 !important; }\n'
                    '@media (max-width: 500px) { html[data-theme="dark"] main { min-width: 600px; } }\n')
    pages = ["chapters/intro.html", "chapters/01_containment.html"]
    results = audit(browser, root, axe_source, pages)
    for name in pages:
        assert serious(results[("light", name)]) == [], name
        assert {"color-contrast", "contrast-measured", "scrolls-sideways-at-390px"} <= {
            v["id"] for v in serious(results[("dark", name)])}, name


def test_axe_finds_what_it_should(browser, tabs, axe_source, tmp_path):
    # the audit bites: a page with an unlabelled slider and grey-on-white text fails it
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<input type="range"><p style="color:#bbb">faint</p></main></body></html>', encoding="utf-8")
    with serve(tmp_path) as url:
        visit = Visit(browser, f"{url}/bad.html", context=tabs)
        found = {v["id"] for v in serious(run_axe(visit.page, axe_source))}
        visit.close()
    assert {"label", "color-contrast"} <= found


def test_the_measured_checks_find_what_axe_leaves_incomplete(browser, tabs, tmp_path):
    # light text on a light panel (axe calls text over a panel "incomplete"), and a page wider than
    # a phone: both are reported
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body style="background:#121212">'
        '<main><div style="background:rgb(206,214,221)"><p style="color:rgb(206,214,221)">hidden help</p>'
        '<p style="color:#222">readable</p></div><pre style="white-space:pre;color:#eee">' + "x" * 200 + '</pre></main>'
        '</body></html>', encoding="utf-8")
    with serve(tmp_path) as url:
        visit = Visit(browser, f"{url}/bad.html", context=tabs)
        found = {v["id"]: v for v in measured(visit.page)}
        visit.close()
    assert set(found) == {"contrast-measured", "scrolls-sideways-at-390px"}
    assert found["contrast-measured"]["count"] == 1 and "hidden help" in found["contrast-measured"]["where"][0]


FOCUS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const box = e.getBoundingClientRect();
    return {tag: e.tagName, cls: e.className.baseVal === undefined ? e.className : e.className.baseVal,
            text: (e.innerText || e.value || e.getAttribute('aria-label') || '').slice(0, 60),
            href: e.getAttribute('href') || '', visible: box.width > 0 && box.height > 0,
            indicated: outline || shadow, inDashboard: !!e.closest('section.book-dashboard'),
            inMain: !!e.closest('main')};
}"""


def test_keyboard_walk_through_chapter_1(browser, tabs, site):
    with serve(site) as url:
        visit = Visit(browser, f"{url}/chapters/01_containment.html", context=tabs)
        page = visit.page
        stops, stage = [], "to the dashboard"
        try:
            for _ in range(400):
                page.keyboard.press("Tab")
                focus = page.evaluate(FOCUS)
                if focus is None:
                    continue
                stops.append(focus)
                if focus["visible"]:
                    assert focus["indicated"], f"no visible focus indicator on {focus}"
                if stage == "to the dashboard" and "book-dashboard-live" in focus["cls"]:
                    page.keyboard.press("Enter")
                    page.wait_for_selector("section.book-dashboard[data-live=true]", timeout=90_000)
                    # once live, the keyboard goes on from the dashboard's first control (the rule)
                    now = page.evaluate(FOCUS)
                    assert now and now["inDashboard"] and now["tag"] == "INPUT", now
                    title = page.locator("section.book-dashboard svg title").first.text_content()
                    page.keyboard.press("ArrowLeft" if "2023" in title else "ArrowRight")
                    page.wait_for_function("(t) => document.querySelector('section.book-dashboard svg title')"
                                           ".textContent !== t", arg=title, timeout=10_000)
                    stage = "to the exercises"
                elif stage == "to the exercises" and focus["inMain"] and "exercises/01_containment" in focus["href"]:
                    stage = "done"
                    break
        finally:
            visit.close()
    assert stage == "done", f"the walk stopped at: {stage}; last stops: {stops[-5:]}"
    assert visit.errors == []


def test_every_chart_s_alt_text_states_a_finding(browser, tabs, site):
    # not only what the chart is, but what it shows: a sentence with the numbers
    with serve(site) as url:
        visit = Visit(browser, f"{url}/chapters/01_containment.html", context=tabs)
        alts = visit.page.evaluate("""[...document.querySelectorAll('main img')].map(i => i.alt).concat(
            [...document.querySelectorAll('main svg[data-chart] desc')].map(d => d.textContent),
            [...document.querySelectorAll('main svg[data-figure]')].map(s => s.getAttribute('aria-label')))""")
        visit.close()
    assert len(alts) >= 4
    for alt in alts:
        assert len(alt.split()) >= 15 and any(ch.isdigit() for ch in alt), alt
