"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import nbval_kernels

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Playwright reports a service worker's requests only when asked (tests/test_lite_browser.py checks
# that none of them leaves the site); set before its driver starts
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")


def descendants() -> set[int]:
    """The processes this test process started, and theirs (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command's name
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def pytest_configure(config) -> None:
    """nbval's kernels talk over Unix sockets (``tests/nbval_kernels.py``). On a whole-suite run,
    start the students' install test in the background at once (it mostly waits on downloads), so
    that its minute or two overlaps the other tests. Only the process that starts the run does
    this; test workers inherit the location of its results."""
    nbval_kernels.pytest_configure(config)
    if hasattr(config, "workerinput") or "not slow" in (config.getoption("markexpr") or ""):
        return
    asked = [str(arg) for arg in config.args]
    whole_suite = not asked or any(Path(arg).resolve() in (ROOT, ROOT / "tests") for arg in asked)
    wanted = whole_suite or any("test_student_setup" in arg for arg in asked)
    deselected = any("test_student_setup" in str(arg) for arg in (config.getoption("deselect") or []))
    if wanted and not deselected and not config.getoption("keyword") and not config.option.collectonly:
        from tests.test_student_setup import start_in_background
        config._book_student_setup = start_in_background()


def pytest_unconfigure(config) -> None:
    """Remove the background set-up's folder when the run ends (waiting a little for it to stop if
    the run ended first), so runs do not pile up copies and venvs in the temporary folder; and the
    folder of nbval's kernels' sockets."""
    nbval_kernels.pytest_unconfigure(config)
    started = getattr(config, "_book_student_setup", None)
    if started is not None:
        import shutil

        base, thread = started
        thread.join(timeout=60)
        shutil.rmtree(base, ignore_errors=True)


#: fixtures that make a test slow: a built site, a browser, a second book build, a class graded in
#: kernels, fresh installs from the package registry
SLOW_FIXTURES = {"site", "instructor_site", "browser", "batch", "canvas_class", "setups", "refreshed_copy"}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the slow tests ``slow`` (``pytest -m "not slow"`` is the maintainers' quick loop: unit
    tests and strict nbval), start the files that hold slow tests first, and run the students'
    install test last: by then its background
    set-up has had the longest time to finish, and no other test waits behind it."""
    slow_files = set()
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("site"):
            item.add_marker(pytest.mark.slow)
            slow_files.add(item.nodeid.split("::")[0])
    # the two test workers take whole files in this order (`--no-loadscope-reorder` in pyproject.toml):
    # the files with long set-ups (a browser, a class to grade, a second build) first, so they
    # overlap each other and the short files fill the gaps at the end, not the other way round
    items.sort(key=lambda item: ("test_student_setup" in item.nodeid,
                                 item.nodeid.split("::")[0] not in slow_files))


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site. In CI a missing build is a failure; elsewhere the test skips with the reason."""
    if not (SITE / "chapters" / "intro.html").exists():
        message = "the site is not built: run `jupyter-book build . -W` first"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SITE


@pytest.fixture(scope="session")
def instructor_site(tmp_path_factory, site) -> Path:
    """The instructor edition (student edition plus solutions), built once per test session, even
    when several test workers ask for it: the first builds it in the session's shared temporary
    folder while the others wait (a folder made with ``mkdir`` serves as the lock)."""
    import subprocess
    import sys
    import time

    # the same folder for every worker of this run, and a new one for every run: with workers it is
    # the run's folder; without them the run's own base folder (its parent outlives the run, and a
    # build left there by an earlier run would be stale)
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, lock = shared / "instructor", shared / "instructor.lock"
    html = out / "_build" / "html"
    deadline = time.monotonic() + 600
    while True:
        try:
            lock.mkdir()
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                pytest.fail(f"waited 10 minutes for another worker's instructor build ({lock})")
            time.sleep(0.2)
    try:
        if not (html / "chapters" / "intro.html").exists():
            jupyter_book = Path(sys.executable).parent / "jupyter-book"
            done = subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "--toc",
                                   str(ROOT / "_toc_instructor.yml"), "--path-output", str(out)],
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    finally:
        lock.rmdir()
    return html


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium. In CI a missing browser is a failure; elsewhere the tests skip."""
    from tests.browser import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    if executable is None:
        message = "no Chromium found (apt-get install -y chromium-headless-shell, or set BOOK_CHROMIUM)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tabs(browser):
    """A browser context for a test file's pages, each opened in a tab of it. Tabs of one context
    share the site's cached files and one renderer process (``tests.browser.CHROMIUM_ARGS``); a
    context of its own costs a page about 0.7 s more CPU, and a live page about 2 s more (its
    Python's scripts compiled again). Tabs share the context's storage too: a test that switches
    the colour theme (which the theme stores) uses a context of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()
