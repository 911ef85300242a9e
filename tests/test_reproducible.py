"""Reproducible anywhere: stored outputs that do not depend on the machine (the lock: test_lock.py).

- ``python -m book.notebooks refresh`` of the committed notebooks changes none of them (a
  measurement of the machine keeps its stored example);
- a figure is *checked* by strict nbval: a notebook whose stored chart differs from a fresh run fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from book import notebooks
from tests.conftest import ROOT


def _refresh_one(path: str) -> None:
    notebooks.refresh(Path(path))


@pytest.fixture(scope="module")
def refreshed_copy(tmp_path_factory) -> Path:
    """The committed notebooks, copied and refreshed as `python -m book.notebooks refresh` would
    (two at a time: each runs in its own kernel)."""
    root = tmp_path_factory.mktemp("refreshed")
    for folder in notebooks.NOTEBOOK_DIRS:
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("*.md", "*.bib"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_refresh_one, map(str, notebooks.all_notebooks(root))))
    return root


def test_refresh_changes_no_committed_notebook(refreshed_copy):
    changed = [str(path.relative_to(refreshed_copy)) for path in notebooks.all_notebooks(refreshed_copy)
               if path.read_bytes() != (ROOT / path.relative_to(refreshed_copy)).read_bytes()]
    assert changed == [], "refresh changed these: run `python -m book.notebooks refresh` and commit"


def _figure_cell(nb: nbformat.NotebookNode) -> int:
    return next(index for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and any(
        "data-figure=" in output.get("data", {}).get("text/html", "") for output in cell.get("outputs", [])))


@pytest.mark.slow
def test_a_changed_chart_fails_strict_nbval(tmp_path):
    # move one point of chapter 2's stored figure by a hundredth of a point: nbval must notice
    source = ROOT / "chapters" / "02_deepseek_paradox.ipynb"
    nb = nbformat.read(source, as_version=4)
    index = _figure_cell(nb)
    output = next(o for o in nb.cells[index].outputs if "data-figure=" in o.get("data", {}).get("text/html", ""))
    html = output["data"]["text/html"]
    first = re.search(r'd="M (\d+\.\d\d?)', html)
    moved = f"{float(first.group(1)) + 0.01:.2f}".rstrip("0").rstrip(".")
    output["data"]["text/html"] = html[:first.start(1)] + moved + html[first.end(1):]
    target = tmp_path / source.name
    nbformat.write(nb, target)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
                           "--nbval", "--nbval-current-env", str(target)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-2000:]
    failed = re.findall(r"FAILED \S+::Cell (\d+)", done.stdout)
    code_index = sum(cell.cell_type == "code" for cell in nb.cells[:index])  # nbval counts code cells
    assert failed == [str(code_index)] and "text/html" in done.stdout
