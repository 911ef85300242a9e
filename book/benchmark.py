"""Speed benchmark (not part of the test run): ``python -m book.benchmark``.

Measures and prints, on this machine:

1. strict nbval over every notebook, against a *floor*: the same number of notebooks that only
   import numpy, matplotlib, ipywidgets and ``book`` (target: at most 1.5 x the floor);
2. each dashboard's update path (what one control change runs: the update function and the
   chart), median and 95th percentile over many calls with varied settings (target: p95 under
   100 ms), with its parts for comparison;
3. the site build time (``jupyter-book build . -W`` into a temporary folder);
4. the weight of the largest chapter page: its HTML and everything it loads from the site;
5. a live dashboard on that page, in headless Chromium (Debian's ``chromium``): the bytes its
   page loads before the reader asks for anything, the bytes going live downloads, the time from
   the click to the first live update (first visit, and on a second page of the same browser), and the time from a control change to the updated chart
   (median and p95 over many changes; target p95 under 100 ms), and the same for chapter 4's
   serving roofline, the heaviest view;
6. the exercise notebooks in the browser (JupyterLite, ``book/tooling/lite.py``), in Chromium: the
   time from the click on "Work these exercises in your browser" to a ready kernel and to the
   first ``check`` verdict, on a first visit and on a repeat visit (another chapter's notebook in
   the same browser; targets: under 15 s and under 8 s to a ready kernel), the bytes a first
   visit downloads, and what the app adds to the site;
7. grading a class: 40 submissions of chapter 1 (copies of the worked solutions, so every cell
   runs) with ``--jobs 2``, wall time, in the bubblewrap sandbox and without it (the sandbox's
   cost per submission; targets: 40 in under 2 minutes, under 1 s of overhead each);
8. the maintainers' two test runs, wall time: the quick loop ``pytest -m "not slow"`` (unit tests
   and strict nbval; target under 2 minutes on 2 cores) and the whole ``pytest`` the README's test
   command runs (after building the site in the repository, as that command does), with the CPU
   time the machine spent meanwhile (all processes: the browser's too) against what its cores
   could give.

``--cpu-by-file`` measures instead where the whole suite's time goes: each test file that needs the
built site or a browser, and the notebooks under nbval, run alone in one process, with the CPU time
the machine spent on it (Linux: ``/proc/stat``). When the whole run keeps every core busy, only less
CPU makes it faster, not more test workers.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NBVAL = ["-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", "-p", "tests.nbval_kernels", "--nbval",
         "--nbval-current-env", "-n", "2", "--dist", "loadfile"]


def _timed(command: list[str], cwd: Path) -> float:
    # the repository on the path: the nbval runs load tests/nbval_kernels.py from any folder
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def nbval_vs_floor(repeats: int) -> dict[str, float]:
    from book.notebooks import all_notebooks

    notebooks = all_notebooks()
    real = min(_timed([sys.executable, *NBVAL, *map(str, notebooks)], ROOT) for _ in range(repeats))
    with tempfile.TemporaryDirectory() as tmp:
        floor_paths = []
        for index in range(len(notebooks)):
            cell = nbformat.v4.new_code_cell("import numpy, matplotlib.pyplot, ipywidgets, book\nprint('ok')")
            nb = nbformat.v4.new_notebook(cells=[cell])
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            path = Path(tmp) / f"floor_{index}.ipynb"
            from book.notebooks import execute
            nbformat.write(execute(nb, Path(tmp)), path)
            floor_paths.append(str(path))
        floor = min(_timed([sys.executable, *NBVAL, *floor_paths], Path(tmp)) for _ in range(repeats))
    return {"notebooks": len(notebooks), "nbval_s": real, "floor_s": floor, "ratio": real / floor}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def dashboard_timings(calls: int) -> dict[str, tuple[float, float]]:
    """Each dashboard's update path as a control change runs it: ``view``, then ``panel`` (the
    chart's SVG and the texts), with random settings of its controls."""
    from book.dashboards import live
    from book.dashboards.base import render

    rng = random.Random(2025)
    timings = {}
    for name in live.DASHBOARDS:
        dashboard = importlib.import_module(f"book.dashboards.{name}")
        view_ms, path_ms = [], []
        while len(path_ms) < calls:
            # a setting a reader could make: choices from the options, numbers on the slider's steps
            values = {c.name: (rng.choice([v for _, v in c.options]) if c.kind == "choice" else
                               round(c.minimum + c.step * rng.randint(0, round((c.maximum - c.minimum) / c.step)), 6))
                      for c in dashboard.CONTROLS}
            start = time.perf_counter()
            try:
                result = dashboard.view(**values)
            except ValueError:  # a combination the view rejects (as the page would say): draw another
                continue
            view_ms.append(1000 * (time.perf_counter() - start))
            dashboard.panel(result).html()
            path_ms.append(1000 * (time.perf_counter() - start))
        render(dashboard)  # the default state renders too
        timings[f"{name}: update path (view + panel)"] = _percentiles(path_ms)
        timings[f"{name}: view alone"] = _percentiles(view_ms)
    return timings


def site_build(changes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        seconds = _timed([str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "--path-output", tmp], ROOT)
        site = Path(tmp) / "_build" / "html"
        return {"build_s": seconds, **page_weights(site), **live_timings(site, changes),
                "lite": lite_timings(site)}


def page_weights(site: Path) -> dict[str, float]:
    """The heaviest chapter page: bytes of its HTML, and of everything it loads from the site."""
    heaviest = max((site / "chapters").glob("*.html"), key=lambda p: p.stat().st_size)
    html = heaviest.read_text(encoding="utf-8")
    total = heaviest.stat().st_size
    for ref in set(re.findall(r'(?:src|href)="([^"#?]+)(?:\?[^"]*)?"', html)):
        if ref.startswith(("http:", "https:", "data:", "mailto:")) or not ref.endswith((".js", ".css", ".png", ".svg", ".woff2")):
            continue
        target = (heaviest.parent / ref).resolve()
        if target.is_file():
            total += target.stat().st_size
    return {"page": str(heaviest.relative_to(site)), "html_kb": heaviest.stat().st_size / 1024,
            "total_kb": total / 1024}


#: changes one control of a dashboard (the first, or the one named), waits for the chart, returns ms
_CHANGE = """async ([name, value, dashboard]) => {
    const section = document.querySelector(dashboard ? `section.book-dashboard[data-dashboard="${dashboard}"]`
                                                      : 'section.book-dashboard');
    const input = section.querySelector(`input[data-exact][data-control="${name}"]`);
    const started = performance.now();
    const updated = new Promise(done => section.addEventListener('book-dashboard-updated', done, {once: true}));
    input.value = String(value);
    input.dispatchEvent(new Event('change', {bubbles: true}));
    await updated;
    await new Promise(done => requestAnimationFrame(done));  // the updated chart is painted
    return performance.now() - started;
}"""


#: Debian's Chromium, as the browser tests run it
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def _served(site: Path):
    """The folder ``site`` served on a free local port, quietly; yields its address."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def live_timings(site: Path, changes: int) -> dict[str, float]:
    """Chapter 1's dashboard in Chromium: page weight, going live, and control changes."""
    from urllib.parse import unquote, urlparse

    from playwright.sync_api import sync_playwright

    requested: list[str] = []

    def size(urls: list[str]) -> int:
        return sum((site / unquote(urlparse(url).path).lstrip("/")).stat().st_size for url in urls
                   if (site / unquote(urlparse(url).path).lstrip("/")).is_file())

    with _served(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{url}/chapters/01_containment.html",
                  wait_until="networkidle")
        before = size(requested)
        loaded = len(requested)
        started = time.perf_counter()
        page.click("section.book-dashboard button.book-dashboard-live")
        page.wait_for_selector("section.book-dashboard[data-live=true]", timeout=120_000)
        first_update = time.perf_counter() - started
        live_bytes = size(requested[loaded:])
        rng = random.Random(2025)
        samples = [page.evaluate(_CHANGE, ["dense_tflops", rng.randint(0, 2500), None]) for _ in range(changes)]
        # a repeat visit: another chapter in the same browser, whose cache now holds the runtime
        page.goto(f"{url}/chapters/02_deepseek_paradox.html",
                  wait_until="networkidle")
        started = time.perf_counter()
        page.click("section.book-dashboard button.book-dashboard-live")
        page.wait_for_selector("section.book-dashboard[data-live=true]", timeout=120_000)
        repeat_update = time.perf_counter() - started
        # the heaviest view, chapter 4's serving roofline (five chips, fifteen batches each)
        page.goto(f"{url}/chapters/04_democratization.html",
                  wait_until="networkidle")
        section = 'section.book-dashboard[data-dashboard="serving_roofline"]'
        page.click(f"{section} button.book-dashboard-live")
        page.wait_for_selector(f"{section}[data-live=true]", timeout=120_000)
        serving = [page.evaluate(_CHANGE, ["batch", rng.randint(1, 16_384), "serving_roofline"])
                   for _ in range(changes)]
        browser.close()
    median, p95 = _percentiles(samples)
    serving_median, serving_p95 = _percentiles(serving)
    return {"page_load_kb": before / 1024, "live_mb": live_bytes / 1e6, "first_update_s": first_update,
            "repeat_update_s": repeat_update,
            "change_median_ms": median, "change_p95_ms": p95, "serving_median_ms": serving_median,
            "serving_p95_ms": serving_p95}


#: the open notebook's kernel state ("idle/connected" once ready)
_KERNEL = """() => { const app = window.jupyterapp; const panel = app && app.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel ? kernel.status + '/' + kernel.connectionStatus : 'starting'; }"""
#: run the open notebook's first two code cells (the imports, exercise N.1's check) and wait for its verdict
_FIRST_CHECK = """async () => {
  const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
  const code = notebook.widgets.map((c, i) => [c, i]).filter(([c]) => c.model.type === 'code');
  for (const [cell, index] of code.slice(0, 2)) {
    notebook.activeCellIndex = index;
    await app.commands.execute('notebook:run-cell');
  }
  const verdict = () => JSON.stringify(code[1][0].model.outputs.toJSON()).includes('Not answered yet');
  while (!verdict()) { await new Promise(r => setTimeout(r, 20)); }
}"""


def lite_timings(site: Path) -> dict[str, float]:
    """The in-browser exercise notebooks: click to ready kernel and to the first verdict, first and
    repeat visit; bytes of the first visit; megabytes the app adds to the site."""
    from urllib.parse import unquote, urlparse

    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    from playwright.sync_api import sync_playwright

    from book.tooling.lite import LINK_TEXT, LITE, PYODIDE

    requested: list[str] = []
    results: dict[str, float] = {}
    with _served(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.on("request", lambda r: requested.append(r.url))
        for visit, chapter in (("first", "01_containment"), ("repeat", "02_deepseek_paradox")):
            page = context.new_page()
            page.goto(f"{url}/exercises/{chapter}.html", wait_until="networkidle")
            before = len(requested)
            started = time.perf_counter()
            page.get_by_role("link", name=LINK_TEXT).click()
            page.wait_for_function(f"() => ({_KERNEL})() === 'idle/connected'", timeout=300_000)
            results[f"{visit}_ready_s"] = time.perf_counter() - started
            page.evaluate(_FIRST_CHECK)
            results[f"{visit}_check_s"] = time.perf_counter() - started
            if visit == "first":
                files = {site / unquote(urlparse(u).path).lstrip("/") for u in requested[before:]
                         if u.startswith(url)}
                results["first_mb"] = sum(f.stat().st_size for f in files if f.is_file()) / 1e6
            page.close()
        browser.close()
    added = [p for p in (site / LITE).rglob("*") if p.is_file()] + list((site / PYODIDE).glob("*.whl"))
    results["added_mb"] = sum(p.stat().st_size for p in added) / 1e6
    return results


def grading_time(submissions: int, jobs: int) -> dict[str, float]:
    """Seconds to grade ``submissions`` copies of chapter 1's solutions, ``jobs`` at a time, in the
    bubblewrap sandbox and without it (``--no-sandbox``): the difference is the sandbox's cost."""
    from book import grading

    solution = next((ROOT / "solutions").glob("01_*.ipynb"))
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(submissions):
            folder = Path(tmp) / f"student{index:02d}"
            folder.mkdir()
            (folder / solution.name).write_bytes(solution.read_bytes())
        found = grading.discover([Path(tmp)]).submissions
        for sandboxed in (True, False):
            start = time.perf_counter()
            reports, _ = grading.grade_all(found, ROOT, grading.DEFAULT_TIMEOUT_S, None, jobs, use_sandbox=sandboxed)
            seconds["sandbox" if sandboxed else "bare"] = time.perf_counter() - start
            if any(r.problems for r in reports):
                raise RuntimeError("the benchmark's submissions did not grade cleanly")
    return seconds


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since it started, on all cores (``/proc/stat``:
    user, nice, system, irq and softirq time)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / 100  # USER_HZ


def _timed_cpu(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and the machine's CPU time while ``command`` ran."""
    before = _busy_seconds()
    wall = _timed(command, cwd)
    return wall, _busy_seconds() - before


def _build_in_place() -> None:
    """Build the site in the repository, as the README's test command does (the site's tests read
    ``_build/html``)."""
    _timed([str(BIN / "jupyter-book"), "build", str(ROOT), "-W"], ROOT)


def suite_times() -> dict[str, float]:
    """Wall time of ``pytest -m "not slow"`` and of the whole ``pytest``, run as the README says, and
    the CPU time the machine spent on the whole one."""
    _build_in_place()
    quick = _timed([sys.executable, "-m", "pytest", "-q", "-m", "not slow"], ROOT)
    whole, cpu = _timed_cpu([sys.executable, "-m", "pytest", "-q"], ROOT)
    return {"quick_s": quick, "whole_s": whole, "whole_cpu_s": cpu, "cores": os.cpu_count() or 1}


#: what --cpu-by-file measures: the files with the built site, a browser, a second build or kernels
#: for a class, and the notebooks under strict nbval (all 32)
HEAVY = ("tests/test_lite_browser.py", "tests/test_live_dashboards.py", "tests/test_browser.py",
         "tests/test_accessibility.py", "tests/test_accessibility_instructor.py",
         "tests/test_grading.py", "tests/test_grading_lms.py", "tests/test_reproducible.py", "tests/test_i18n.py",
         "chapters solutions exercises locales/de/chapters locales/de/solutions locales/de/exercises")


def cpu_by_file() -> dict[str, tuple[float, float]]:
    """{test file: (wall s, CPU s)}, each run alone in one test process."""
    _build_in_place()
    return {files: _timed_cpu([sys.executable, "-m", "pytest", "-q", "-n", "0", *files.split()], ROOT)
            for files in HEAVY}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book.benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs of each nbval timing; the best counts")
    parser.add_argument("--calls", type=int, default=300, help="calls of each dashboard update function")
    parser.add_argument("--changes", type=int, default=100, help="control changes on the live page")
    parser.add_argument("--submissions", type=int, default=40, help="notebooks in the grading benchmark")
    parser.add_argument("--no-suite", action="store_true", help="leave out the two test-suite timings (minutes)")
    parser.add_argument("--cpu-by-file", action="store_true",
                        help="only measure where the whole suite's time goes: the heavy test files, one by one")
    args = parser.parse_args(argv)

    if args.cpu_by_file:
        print("Measuring the heavy test files one by one (about 9 minutes)...", flush=True)
        for files, (wall, cpu) in sorted(cpu_by_file().items(), key=lambda item: -item[1][1]):
            print(f"{cpu:6.0f} s CPU {wall:6.0f} s wall  {files}")
        return 0

    print("Measuring (this takes a few minutes; the test suites most of it)...", flush=True)
    nbval = nbval_vs_floor(args.repeats)
    dashboards = dashboard_timings(args.calls)
    site = site_build(args.changes)
    graded = grading_time(args.submissions, 2)
    suites = None if args.no_suite else suite_times()
    print(f"\nnbval, strict, {nbval['notebooks']} notebooks: {nbval['nbval_s']:.1f} s; floor of "
          f"{nbval['notebooks']} import-only notebooks: {nbval['floor_s']:.1f} s; ratio {nbval['ratio']:.2f} "
          f"(target <= 1.5): {'OK' if nbval['ratio'] <= 1.5 else 'MISSED'}")
    for name, (median, p95) in dashboards.items():
        verdict = f" (target p95 < 100 ms): {'OK' if p95 < 100 else 'MISSED'}" if "update path" in name else ""
        print(f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms{verdict}")
    print(f"site build (jupyter-book build . -W): {site['build_s']:.1f} s")
    print(f"largest chapter page, {site['page']}: HTML {site['html_kb']:.0f} KiB; with everything it loads "
          f"{site['total_kb'] / 1024:.1f} MiB")
    print(f"live dashboard on chapters/01_containment.html: the page loads {site['page_load_kb'] / 1024:.2f} MiB "
          f"before any click; going live downloads {site['live_mb']:.1f} MB; click to first live update "
          f"{site['first_update_s']:.1f} s (target < 5 s), on a second page in the same browser "
          f"{site['repeat_update_s']:.1f} s (target < 2 s); control change to updated chart: median "
          f"{site['change_median_ms']:.1f} ms, "
          f"p95 {site['change_p95_ms']:.1f} ms (target p95 < 100 ms): "
          f"{'OK' if site['change_p95_ms'] < 100 else 'MISSED'}")
    print(f"live serving roofline on chapters/04_democratization.html: control change to updated chart: median "
          f"{site['serving_median_ms']:.1f} ms, p95 {site['serving_p95_ms']:.1f} ms (target p95 < 100 ms): "
          f"{'OK' if site['serving_p95_ms'] < 100 else 'MISSED'}")
    lite = site["lite"]
    print(f"exercises in the browser (exercises/01_containment.html, link to the notebook): click to a ready "
          f"kernel {lite['first_ready_s']:.1f} s (target < 15 s): {'OK' if lite['first_ready_s'] < 15 else 'MISSED'}, "
          f"to the first check verdict {lite['first_check_s']:.1f} s; repeat visit (chapter 2) "
          f"{lite['repeat_ready_s']:.1f} s (target < 8 s): {'OK' if lite['repeat_ready_s'] < 8 else 'MISSED'}, "
          f"first verdict {lite['repeat_check_s']:.1f} s; a first visit downloads {lite['first_mb']:.1f} MB; "
          f"the app adds {lite['added_mb']:.1f} MB to the site (target < 45 MB): "
          f"{'OK' if lite['added_mb'] < 45 else 'MISSED'}")
    cost = (graded["sandbox"] - graded["bare"]) * 2 / args.submissions  # two at a time
    print(f"grading {args.submissions} submissions of chapter 1 with --jobs 2 in the sandbox: "
          f"{graded['sandbox']:.0f} s (target < 120 s): {'OK' if graded['sandbox'] < 120 else 'MISSED'}; without it "
          f"{graded['bare']:.0f} s; the sandbox's cost {cost:.2f} s a submission (target < 1 s): "
          f"{'OK' if cost < 1 else 'MISSED'}")
    if suites:
        print(f"quick loop, pytest -m \"not slow\": {suites['quick_s']:.0f} s (target < 120 s): "
              f"{'OK' if suites['quick_s'] < 120 else 'MISSED'}; whole pytest: {suites['whole_s']:.0f} s, "
              f"using {suites['whole_cpu_s']:.0f} s of CPU of the {suites['whole_s'] * suites['cores']:.0f} its "
              f"{suites['cores']} cores could give (where it goes: --cpu-by-file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
