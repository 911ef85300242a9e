"""The students' copy: ``python -m book.notebooks handout DEST``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from book import notebooks
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    dest = tmp_path_factory.mktemp("handout") / "students"
    assert notebooks.main(["handout", str(dest)]) == 0
    return dest


def test_no_solution_is_in_the_handout(copy):
    secret = notebooks.solution_lines(ROOT)
    assert len(secret) > 100  # the solutions' hidden lines, written answers included
    assert notebooks.handout_leaks(copy) == []


def test_a_planted_solution_line_would_be_caught(copy, tmp_path):
    import shutil

    planted = tmp_path / "planted"
    shutil.copytree(copy, planted)
    public = notebooks._public_text(ROOT)
    line = next(line for line in sorted(notebooks.solution_lines(ROOT)) if line not in public)
    target = planted / "exercises" / "README.txt"
    target.write_text(f"hint: {line}\n", encoding="utf-8")
    assert notebooks.handout_leaks(planted) == [f"exercises/README.txt: {line}"]


def test_what_the_handout_holds(copy):
    names = {p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()}
    assert "README.md" in names and "pyproject.toml" in names
    assert {f"exercises/{p.name}" for p in (ROOT / "solutions").glob("*.ipynb")} <= names
    assert not any(n.startswith(("solutions/", "book/tooling/", "tests/", ".")) for n in names)
    assert not {"_toc_instructor.yml", "book/grading.py", "book/benchmark.py", "book/notebooks.py"} & names
    assert not any("__pycache__" in n for n in names)
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[student]"' in readme and "jupyter lab exercises/" in readme


def test_the_handout_runs_on_its_own(copy):
    # the package imports from the copy alone and check works (the copy's own answer key)
    code = ("import book, book.checks as c, book.dashboards.serving_roofline as s\n"
            "assert book.__file__.startswith(%r)\nprint(c.verdict('1.1', 4992).status)" % str(copy))
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True,
                          env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "correct"


def test_the_handout_needs_an_empty_folder(copy, capsys):
    assert notebooks.main(["handout", str(copy)]) == 2
    assert "is not empty" in capsys.readouterr().err
