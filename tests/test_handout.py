"""The students' copy: ``python -m book.notebooks handout DEST``."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from book import notebooks
from book.answers import EXERCISES
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
    assert not any(n.startswith("book/grading/") for n in names)
    # the answer key travels sealed: no chapter module (answers and the code computing them)
    assert "book/answers/sealed.json" in names
    assert not [n for n in names if re.fullmatch(r"book/answers/ch\d\d\.py", n)]
    assert not any("__pycache__" in n for n in names)
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[student]"' in readme and "jupyter lab exercises/" in readme


def _in_copy(copy, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True,
                          env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_handout_runs_on_its_own_with_a_sealed_key(copy):
    # the package imports from the copy alone; its key is the sealed one, whose exercises carry
    # no expected value and no code that computes one
    out = _in_copy(copy, "import book, book.answers as a, book.dashboards.serving_roofline as s\n"
                         "assert book.__file__.startswith(%r)\n"
                         "print(a.SEALED, any(hasattr(i, 'expected') or hasattr(i, 'mistakes_values')"
                         " for i in a.EXERCISES.values()), len(a.EXERCISES))" % str(copy))
    sealed, has_expected, count = out.split()
    assert (sealed, has_expected, int(count)) == ("True", "False", len(EXERCISES))
    table = json.loads((copy / "book" / "answers" / "sealed.json").read_text(encoding="utf-8"))
    assert all(set(item) >= {"accept", "mistakes", "salt"} and "expected" not in item for item in table["exercises"])


def test_check_in_the_handout_gives_the_same_feedback_as_the_real_key(copy):
    # correct for a right answer, the same hint for a recognised mistake, for every numeric,
    # choice and True/False exercise
    from book.checks import verdict

    cases = []
    for item in EXERCISES.values():
        if item.kind == "number":
            cases.append((item.id, float(item.expected())))
            cases += [(item.id, float(m.value())) for m in item.mistakes]
        elif item.kind in ("choice", "bool"):
            cases += [(item.id, option) for option in item.choices] or [(item.id, True), (item.id, False)]
    out = _in_copy(copy, "import json, sys\nfrom book.checks import verdict\n"
                         f"for key, answer in json.loads({json.dumps(json.dumps(cases))}):\n"
                         "    r = verdict(key, answer); print(json.dumps([r.status, r.message]))")
    sealed = [tuple(json.loads(line)) for line in out.splitlines()]
    real = [(r.status, r.message) for r in (verdict(key, answer) for key, answer in cases)]
    assert len(sealed) == len(cases) > 150
    assert sealed == real
    assert sum(status == "correct" for status, _ in real) >= len([i for i in EXERCISES.values()
                                                                  if i.kind in ("number", "choice", "bool")])


def test_the_handout_needs_an_empty_folder(copy, capsys):
    assert notebooks.main(["handout", str(copy)]) == 2
    assert "is not empty" in capsys.readouterr().err
