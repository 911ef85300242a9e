"""The exercise notebooks in the browser (JupyterLite, ``book/tooling/lite.py``), as a student uses them.

From a built site served on this machine, for every chapter: the student opens the exercise page,
clicks *Work these exercises in your browser*, the notebook opens, Run All works (every check says
"not answered", no error), an answer gets its verdict (1.1 with 4992: correct), the dashboards
respond to a control, and no request from the page, its kernel's worker or its service worker goes
to any other host; the notebook as the browser saves it (what File → Download gives) is graded as it
is. The solutions' code runs there with every answer correct or recorded, in the students' kernels
(each Python kernel in the browser costs about 6 s of CPU to start: one a chapter, not two); the
instructor edition's app opens chapter 1's solutions from its page, with the solutions' cells.

The notebooks of an edition run side by side in one browser context, each in its own tab
(their kernels start at once, which takes about as long as one).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from book.answers import EXERCISES
from book.tooling.lite import LINK_TEXT, LINK_TEXTS
from tests.browser import serve
from tests.conftest import ROOT

CHAPTERS = sorted(p.stem for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
#: the dashboards each exercise notebook shows, in order (the cells that call X.dashboard())
DASHBOARDS_IN = {name: [m for c in nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4).cells
                        if c.cell_type == "code" for m in re.findall(r"(\w+)\.dashboard\(\)", c.source)]
                 for name in CHAPTERS}
LOCAL = ("127.0.0.1", "localhost")

#: the code cells of the open notebook: source, execution count, outputs
CELLS = """(page) => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.filter(c => c.model.type === 'code').map(c => ({
    source: c.model.sharedModel.getSource(), count: c.model.executionCount,
    outputs: c.model.outputs.toJSON()}));
}"""
#: the kernel's state: "idle/connected" once it is ready
KERNEL = """() => {
  const app = window.jupyterapp; if (!app) return 'no app';
  const panel = app.shell.currentWidget; if (!panel || !panel.sessionContext) return 'no notebook';
  const session = panel.sessionContext.session; if (!session || !session.kernel) return 'no kernel';
  return session.kernel.status + '/' + session.kernel.connectionStatus;
}"""
RUN_ALL = """() => {
  const app = window.jupyterapp;
  return app.commands.execute('notebook:clear-all-cell-outputs').then(() => {
    app.commands.execute('notebook:run-all-cells');  // not awaited: every tab runs at once
  });
}"""
#: run one code cell (by its index among all cells) with a new source
RUN_CELL = """async ([index, source]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets[index];
  cell.model.sharedModel.setSource(source);
  panel.content.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""
#: the sources of all the open notebook's cells
SOURCES = "() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.sharedModel.getSource())"
DONE = f"() => ({CELLS})().every(c => c.count !== null) && ({KERNEL})() === 'idle/connected'"
VERDICT = re.compile(r"^\[(\d+\.\d+[a-z]?)\] (Correct|Not quite|Not answered yet|Recorded)\b", re.M)


@dataclass
class Session:
    """One notebook opened from its page, run through."""
    page: object
    url: str = ""
    cells: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Browsing:
    sessions: dict
    requests: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    missing: list = field(default_factory=list)


def _text(cells) -> str:
    """Everything the cells printed (their streams and plain-text results)."""
    parts = []
    for cell in cells:
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                parts.append("".join(output["text"]) if isinstance(output["text"], list) else output["text"])
            elif "text/plain" in output.get("data", {}):
                text = output["data"]["text/plain"]
                parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def _answer(page, variable: str, answer: str) -> str:
    """Set ``variable = answer`` in the cell that assigns it, run that cell as a student would, and
    return what the cell printed."""
    sources = page.evaluate(SOURCES)
    index = next(i for i, source in enumerate(sources) if re.search(rf"^{variable} = ", source, re.M))
    page.evaluate(RUN_CELL, [index, re.sub(rf"^{variable} = .*$", f"{variable} = {answer}", sources[index],
                                           count=1, flags=re.M)])
    page.wait_for_function(DONE, timeout=60_000, polling=100)
    return _text([cell for cell in page.evaluate(CELLS) if re.search(rf"^{variable} = ", cell["source"], re.M)])


def _open_and_run(browser, root: Path, folder: str, names: list[str] = CHAPTERS, extra: tuple = (),
                  run: bool = True) -> Browsing:
    """Open the notebooks ``names`` of ``folder`` from their pages on the site at ``root`` (and the
    ``extra`` pages: (name, page, link text)), in tabs of one context, and (``run``) run each
    through once its kernel is ready; else only read their cells once the notebook shows."""
    browsing = Browsing(sessions={})
    with serve(root) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def guard(route):
            target = route.request.url
            if urlparse(target).hostname in LOCAL or target.startswith(("data:", "blob:")):
                route.continue_()
            else:
                browsing.blocked.append(target)
                route.abort()

        context.on("request", lambda request: browsing.requests.append(request.url))
        context.on("response", lambda response: browsing.missing.append(f"HTTP {response.status}: {response.url}")
                   if response.status >= 400 else None)
        context.route("**/*", guard)
        try:
            for name, address, link_text in [*((n, f"{folder}/{n}.html", LINK_TEXT) for n in names), *extra]:
                page = context.new_page()
                session = Session(page=page)
                page.on("pageerror", lambda error, s=session: s.errors.append(str(error)))
                page.on("console", lambda message, s=session: s.errors.append(message.text)
                        if message.type == "error" else None)
                page.goto(f"{url}/{address}", wait_until="load")
                link = page.get_by_role("link", name=link_text)
                assert link.count() == 1 and link.is_visible(), name
                link.click()
                page.wait_for_function("() => !!(window.jupyterapp && window.jupyterapp.shell.currentWidget)",
                                       timeout=120_000, polling=100)
                browsing.sessions[name] = session
            # the kernels start side by side; then each notebook runs through, one after the other
            # (no tab is slowed in the background: tests/browser.py's CHROMIUM_ARGS)
            for session in browsing.sessions.values():
                if run:
                    session.page.wait_for_function(f"() => ({KERNEL})() === 'idle/connected'", timeout=300_000,
                                                   polling=100)
                    session.page.evaluate(RUN_ALL)
                    session.page.wait_for_function(DONE, timeout=300_000, polling=100)
                    session.cells = session.page.evaluate(CELLS)
                else:
                    session.page.wait_for_function(f"() => ({SOURCES})().length > 1", timeout=120_000, polling=100)
                    session.cells, session.url = session.page.evaluate(CELLS), session.page.url
                    session.page.close()  # before its kernel, which started on opening, costs more
            yield browsing
        finally:
            context.close()


#: the German edition's first exercise notebook, opened from its German page (book/tooling/i18n.py)
GERMAN = ("de/01_containment", "de/exercises/01_containment.html", LINK_TEXTS["de"])


@pytest.fixture(scope="module")
def students(browser, site):
    yield from _open_and_run(browser, site, "exercises", extra=(GERMAN,))


@pytest.fixture(scope="module")
def instructors(browser, instructor_site):
    """Chapter 1's solutions, opened from its page of the instructor edition: the instructors' way
    into the app (not run: the solutions' code runs in the students' kernels,
    ``test_every_solution_answer_is_correct_or_recorded_in_the_browser``, a kernel each costs ~11 s
    of CPU; that every solutions page links to its notebook, and the app holds them all,
    tests/test_lite.py checks)."""
    yield from _open_and_run(browser, instructor_site, "solutions", names=CHAPTERS[:1], run=False)


def test_the_instructor_edition_opens_the_solutions_in_the_browser(instructors):
    [(name, session)] = instructors.sessions.items()
    assert session.url.endswith(f"/lite/notebooks/index.html?path=solutions/{name}.ipynb"), session.url
    solution = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    assert [cell["source"] for cell in session.cells] == [c.source for c in solution.cells if c.cell_type == "code"]
    assert instructors.blocked == [] and instructors.missing == [] and session.errors == []


def _checks(notebook: Path) -> list[str]:
    """The exercise ids a notebook checks, in order."""
    nb = nbformat.read(notebook, as_version=4)
    return re.findall(r'^check\("([^"]+)"', "\n".join(c.source for c in nb.cells if c.cell_type == "code"), re.M)


@pytest.mark.parametrize("name", CHAPTERS)
def test_run_all_gives_not_answered_feedback_and_no_error(students, name):
    session = students.sessions[name]
    assert session.page.url.split("?")[0].endswith("/lite/notebooks/index.html"), session.page.url
    errors = [output for cell in session.cells for output in cell["outputs"] if output["output_type"] == "error"]
    assert errors == [], errors[:1]
    verdicts = VERDICT.findall(_text(session.cells))
    expected = _checks(ROOT / "exercises" / f"{name}.ipynb")
    assert verdicts == [(exercise, "Not answered yet") for exercise in expected]
    assert session.errors == []


def _in_widget_order(module) -> list:
    """A dashboard's controls in the order its widgets show them (``book.dashboards.jupyter.build``
    groups them by their group, in order of first appearance)."""
    groups: dict = {}
    for control in module.CONTROLS:
        groups.setdefault(control.group, []).append(control)
    return [control for members in groups.values() for control in members]


def _moves_that_redraw(module) -> tuple[int, int | None, dict]:
    """Which slider (by its place among the widget's sliders), moved to its far end, and then which
    drop-down list (among its lists), set to another option, change the panel: the first that do,
    found with the same Python in CPython (some controls wait for a choice, e.g. a custom model)."""
    from book.dashboards.base import defaults, render

    values = defaults(module.CONTROLS)
    order = _in_widget_order(module)
    sliders = [c for c in order if c.kind == "number"]
    lists = [c for c in order if c.kind == "choice" and not c.buttons]
    shown = render(module, values).html()
    for slider_at, control in enumerate(sliders):
        end = control.minimum if control.default == control.maximum else control.maximum
        moved = {**values, control.name: end}
        if render(module, moved).html() != shown:
            break
    else:
        raise AssertionError(f"no slider of {module.__name__} changes its panel")
    shown = render(module, moved).html()
    list_at = next((at for at, control in enumerate(lists) if render(module, {**moved, control.name: next(
        value for _, value in control.options if value != control.default)}).html() != shown), None)
    return slider_at, list_at, moved


def _redraw(page, panel, move) -> None:
    """Do ``move`` and wait for the dashboard's panel to change."""
    before = panel.inner_html()
    move()
    page.wait_for_function("([panel, before]) => panel.innerHTML !== before",
                           arg=[panel.element_handle(), before], timeout=30_000, polling=100)
    assert "book-dashboard-error" not in panel.inner_html()


def _press_end(page, handle) -> None:
    """Move a slider to its far end with the keyboard (to its start if it is at the end)."""
    handle.scroll_into_view_if_needed()
    handle.focus()
    at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    page.keyboard.press("Home" if at_end else "End")


def _choose_another(select) -> None:
    """Choose another option of a drop-down list (the first that is not chosen)."""
    select.scroll_into_view_if_needed()
    options = select.locator("option").all_inner_texts()
    current = select.evaluate("s => s.options[s.selectedIndex].text")
    select.select_option(label=next(o for o in options if o != current))


@pytest.mark.parametrize("name", CHAPTERS)
def test_an_answer_gets_its_verdict_and_the_dashboards_respond(students, name):
    page = students.sessions[name].page
    page.bring_to_front()  # the keyboard's presses go to the front tab
    # the chapter's first exercise, answered with the value the model gives (1.1: 4992)
    cell = next(source for source in page.evaluate(SOURCES) if re.search(r'^check\("', source, re.M))
    exercise = re.search(r'^check\("([^"]+)", (\w+)\)', cell, re.M)
    value = EXERCISES[exercise.group(1)].expected()
    printed = _answer(page, exercise.group(2), f"{value:.6g}" if isinstance(value, float) else repr(value))
    assert f"[{exercise.group(1)}] Correct" in printed, printed
    if name.startswith("01"):
        assert "[1.1] Correct: 4,992 matches the model" in printed
    # every dashboard in the notebook is a live widget: a slider moved to its end with the keyboard,
    # then another option in a list, redraw its panel
    dashboards = page.locator(".book-dashboard-widget")
    assert dashboards.count() == len(DASHBOARDS_IN[name])
    for number, module in enumerate(DASHBOARDS_IN[name]):
        dashboard = dashboards.nth(number)
        panel = dashboard.locator(":scope > .widget-html .widget-html-content")
        slider_at, list_at, _ = _moves_that_redraw(importlib.import_module(f"book.dashboards.{module}"))
        _redraw(page, panel, lambda: _press_end(page, dashboard.locator(".noUi-handle").nth(slider_at)))
        if list_at is not None:
            _redraw(page, panel, lambda: _choose_another(dashboard.locator("select").nth(list_at)))
    assert students.sessions[name].errors == []


def test_the_german_notebook_speaks_german_in_the_browser(students):
    # opened from the German page: German text, German feedback from check(), German numbers
    session = students.sessions[GERMAN[0]]
    assert "path=de/01_containment.ipynb" in session.page.url
    german = re.compile(r"^\[(\d+\.\d+[a-z]?)\] (Noch nicht beantwortet|Richtig|Nicht ganz|Erfasst)\b", re.M)
    verdicts = german.findall(_text(session.cells))
    assert verdicts == [(exercise, "Noch nicht beantwortet") for exercise in _checks(ROOT / "exercises" / "01_containment.ipynb")]
    assert "Kapitel 1:" in _text(session.cells)  # progress(1), the last cell
    printed = _answer(session.page, "tpp_a100", "4992")
    assert "[1.1] Richtig: 4992 stimmt mit dem Modell überein" in printed, printed
    assert session.errors == []


def test_no_request_leaves_the_site(students):
    assert students.blocked == [] and students.missing == []
    hosts = {urlparse(u).hostname for u in students.requests if not u.startswith(("data:", "blob:"))}
    assert hosts <= set(LOCAL), hosts
    # what the kernel's worker and the app's service worker fetch is among what was checked
    assert any(u.endswith(".whl") for u in students.requests), "the kernel's wheels were not seen"
    assert any("pyodide.asm.wasm" in u for u in students.requests)
    assert any("service-worker" in u for u in students.requests), "the service worker was not seen"


def test_a_notebook_saved_in_the_browser_is_graded_as_it_is(students, tmp_path):
    # what File -> Download gives: the notebook as the app stores it (its own kernel name, Python
    # 3.14, cell ids), with 1.1 answered in the browser
    from book import grading

    page = students.sessions[CHAPTERS[0]].page
    assert "[1.1] Correct" in _answer(page, "tpp_a100", "4992")
    saved = page.evaluate("""async () => {
        const app = window.jupyterapp, panel = app.shell.currentWidget;
        await app.commands.execute('docmanager:save');
        const model = await app.serviceManager.contents.get(panel.context.path, {content: true});
        return JSON.stringify(model.content);
    }""")
    folder = tmp_path / "class" / "ana"
    folder.mkdir(parents=True)
    (folder / f"{CHAPTERS[0]}.ipynb").write_text(saved, encoding="utf-8")
    notebook = nbformat.reads(saved, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] != "python3"  # the browser's kernel, as it is
    found = grading.discover([tmp_path / "class"])
    reports, _ = grading.grade_all(found.submissions, ROOT, 60, None, 1)
    [report] = reports
    assert report.problems == [] and report.chapter == 1
    assert {r.exercise: r.status for r in report.results}["1.1"] == "correct"


#: a fresh namespace for the solution's code in a kernel that ran the exercise notebook
RESET = """async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  await kernel.requestExecute({code: '%reset -f', store_history: false}).done;
}"""


def _run_solution_code(page, name: str) -> list:
    """Run the solution notebook's code in the kernel of the exercise notebook ``name`` (the two
    notebooks have the same code cells but for the answers, tests/test_notebooks.py): its namespace
    emptied, each code cell given the solution's code and run, in order. Returns the cells."""
    solution = [c.source for c in nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4).cells
                if c.cell_type == "code"]
    page.bring_to_front()
    page.evaluate(RESET)
    code_cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets"
                               ".map((c, i) => [c.model.type, i]).filter(([t]) => t === 'code').map(([, i]) => i)")
    assert len(code_cells) == len(solution), name
    for index, source in zip(code_cells, solution):
        page.evaluate(RUN_CELL, [index, source])
    page.wait_for_function(DONE, timeout=300_000, polling=100)
    return page.evaluate(CELLS)


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_solution_answer_is_correct_or_recorded_in_the_browser(students, name):
    # the solutions' code in the students' kernels (after the students' own tests above: this
    # changes their notebooks), each kernel's Python started once
    session = students.sessions[name]
    cells = _run_solution_code(session.page, name)
    errors = [output for cell in cells for output in cell["outputs"] if output["output_type"] == "error"]
    assert errors == [], errors[:1]
    verdicts = VERDICT.findall(_text(cells))
    assert [exercise for exercise, _ in verdicts] == _checks(ROOT / "solutions" / f"{name}.ipynb")
    assert {status for _, status in verdicts} <= {"Correct", "Recorded"}, verdicts
    assert students.blocked == [] and session.errors == []
