"""Speed benchmark (not part of the test run): ``python -m book.benchmark``.

Measures and prints, on this machine:

1. strict nbval over every notebook, against a *floor*: the same number of notebooks that only
   import numpy, matplotlib, ipywidgets and ``book`` (target: at most 1.5 x the floor);
2. each dashboard's update path (what one control change runs: the update function and the
   chart), median and 95th percentile over many calls with varied settings (target: p95 under
   100 ms), with its parts for comparison;
3. the site build time (``jupyter-book build . -W`` into a temporary folder);
4. the weight of the largest chapter page: its HTML and everything it loads from the site.
"""

from __future__ import annotations

import argparse
import importlib
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
NBVAL = ["-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "-n", "2", "--dist", "loadfile"]


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
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
        for _ in range(calls):
            values = {c.name: (rng.choice([v for _, v in c.options]) if c.kind == "choice"
                               else rng.uniform(max(c.minimum, c.step), c.maximum)) for c in dashboard.CONTROLS}
            start = time.perf_counter()
            result = dashboard.view(**values)
            view_ms.append(1000 * (time.perf_counter() - start))
            dashboard.panel(result).html()
            path_ms.append(1000 * (time.perf_counter() - start))
        render(dashboard)  # the default state renders too
        timings[f"{name}: update path (view + panel)"] = _percentiles(path_ms)
        timings[f"{name}: view alone"] = _percentiles(view_ms)
    return timings


def site_build() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        seconds = _timed([str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "--path-output", tmp], ROOT)
        weights = page_weights(Path(tmp) / "_build" / "html")
    return {"build_s": seconds, **weights}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book.benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs of each nbval timing; the best counts")
    parser.add_argument("--calls", type=int, default=300, help="calls of each dashboard update function")
    args = parser.parse_args(argv)

    print("Measuring (this takes about a minute)...", flush=True)
    nbval = nbval_vs_floor(args.repeats)
    dashboards = dashboard_timings(args.calls)
    site = site_build()
    print(f"\nnbval, strict, {nbval['notebooks']} notebooks: {nbval['nbval_s']:.1f} s; floor of "
          f"{nbval['notebooks']} import-only notebooks: {nbval['floor_s']:.1f} s; ratio {nbval['ratio']:.2f} "
          f"(target <= 1.5): {'OK' if nbval['ratio'] <= 1.5 else 'MISSED'}")
    for name, (median, p95) in dashboards.items():
        verdict = f" (target p95 < 100 ms): {'OK' if p95 < 100 else 'MISSED'}" if "update path" in name else ""
        print(f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms{verdict}")
    print(f"site build (jupyter-book build . -W): {site['build_s']:.1f} s")
    print(f"largest chapter page, {site['page']}: HTML {site['html_kb']:.0f} KiB; with everything it loads "
          f"{site['total_kb'] / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
