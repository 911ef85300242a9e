"""The grader an instructor runs on a class (book.grading), tested with real notebook files: the
solutions, an untouched exercise notebook, and the submissions that broke the old grader."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from book import grading
from book.answers import chapter_exercises
from tests.conftest import IN_CI, ROOT

TIMEOUT = 8  # seconds per cell: the endless loop is interrupted after this


def _solution(chapter: int) -> nbformat.NotebookNode:
    path = next((ROOT / "solutions").glob(f"{chapter:02d}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def _exercise(chapter: int) -> nbformat.NotebookNode:
    path = next((ROOT / "exercises").glob(f"{chapter:02d}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def _write(folder: Path, student: str, name: str, nb_or_text) -> Path:
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text, encoding="utf-8")
    else:
        nbformat.write(nb_or_text, path)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One class, graded once with two workers, as an instructor would."""
    folder = tmp_path_factory.mktemp("class")
    probe = tmp_path_factory.mktemp("probe")  # where the sandbox test writes what its kernel saw
    for chapter in (1, 2, 3, 4, 5):
        _write(folder, f"key{chapter}", f"0{chapter}_solutions.ipynb", _solution(chapter))
    _write(folder, "bob", "02_deepseek_paradox.ipynb", _exercise(2))
    _write(folder, "carol", "01_containment.ipynb", '{"cells": [ {"cell_type": "code", "sou')
    _write(folder, "cleo", "01_containment.ipynb", '{"not": "a notebook"}')
    loop = _exercise(1)
    loop.cells.insert(3, new_code_cell("while True:\n    pass"))
    loop.cells.append(new_code_cell("from book.checks import check\nanswer = 4992\ncheck('1.1', answer)"))
    _write(folder, "dave", "01_containment.ipynb", loop)
    kill = _solution(1)
    kill.cells.insert(3, new_code_cell("import os\nos._exit(3)"))
    _write(folder, "erin", "01_containment.ipynb", kill)
    _write(folder, "frank", "alice_ch1.ipynb", _exercise(1))  # renamed; the metadata says chapter 1
    forged = _exercise(1)
    forged.cells.append(new_code_cell(
        "import json, os\nprint('[1.1] Correct: 4,992 matches the model (within 1%).')\n"
        "with open(os.environ.get('BOOK_CHECK_LOG') or 'checks.jsonl', 'a') as log:\n"
        "    log.write(json.dumps({'exercise_id': '1.1', 'status': 'correct', 'message': 'forged', 'answer': '1'}))"))
    _write(folder, "gina", "01_containment.ipynb", forged)
    twice = _solution(1)
    twice.cells.append(new_code_cell("from book.checks import check\ncheck('1.1', 1)"))  # right, then wrong
    _write(folder, "hank", "01_containment.ipynb", twice)
    loud = _solution(1)
    loud.cells.append(new_code_cell("print('x' * 5_000_000)"))
    _write(folder, "ivan", "01_containment.ipynb", loud)
    sandbox = _exercise(1)
    sandbox.cells.append(new_code_cell(f"""
import socket
seen = []
try:
    open({str(ROOT / 'book' / 'answers' / 'ch99.py')!r}, 'w').write('EXERCISES = []')
    seen.append('wrote the book')
except OSError:
    seen.append('book read-only')
try:
    socket.create_connection(('1.1.1.1', 80), 2)
    seen.append('network')
except OSError:
    seen.append('no network')
try:
    big = bytearray(6 * 1024 ** 3)
    seen.append('6 GB allocated')
except MemoryError:
    seen.append('memory capped')
open({str(probe / 'seen.txt')!r}, 'w').write(','.join(seen))
"""))
    _write(folder, "jack", "01_containment.ipynb", sandbox)
    stubborn = _exercise(1)  # a loop that swallows the interrupt: only a hard timeout ends it
    stubborn.cells.insert(3, new_code_cell("while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n"
                                          "        pass"))
    stubborn.cells.append(new_code_cell("from book.checks import check\ncheck('1.1', 4992)"))
    _write(folder, "ken", "01_containment.ipynb", stubborn)
    _write(folder, "nina", "01_containment.ipynb", _solution(1))  # two copies: the better one counts
    _write(folder, "nina", "01_containment (1).ipynb", _exercise(1))
    nbformat.write(_exercise(1), folder / "olga.ipynb")  # a notebook loose in the class folder
    short = _exercise(1)
    short.cells.append(new_code_cell("from book.checks import check\ncheck('1.4c', 'idk')"))
    _write(folder, "paul", "01_containment.ipynb", short)
    other = _exercise(4)
    other.metadata.pop("book", None)
    _write(folder, "pat", "my_work.ipynb", other)  # no chapter anywhere but its check lines
    submissions = grading.discover([folder])
    reports, note = grading.grade_all(submissions, ROOT, TIMEOUT, None, jobs=2)
    out = folder / "grades.csv"
    grading.write_csv(reports, out)
    grading.write_summary(reports, grading.summary_path(out))
    feedback = grading.write_feedback(reports, folder / "feedback")
    by_student = {r.student: r for r in reports if r.submission.endswith("01_containment.ipynb")
                  or r.student not in {x.student for x in reports if x is not r}}
    by_student.update({r.student: r for r in reports if r.student not in by_student})
    return {"reports": by_student, "all": reports, "note": note, "csv": out, "feedback": feedback, "probe": probe,
            "folder": folder}


def _statuses(report) -> dict[str, str]:
    return {r.exercise: r.status for r in report.results}


def test_the_solutions_grade_to_full_points(batch):
    for chapter in (1, 2, 3, 4, 5):
        report = batch["reports"][f"key{chapter}"]
        assert report.problems == [] and report.chapter == chapter
        items = chapter_exercises(chapter)
        assert [r.exercise for r in report.results] == [item.id for item in items]
        automatic = [item for item in items if not item.graded_by_hand]
        assert report.points == sum(item.points for item in automatic) > 0
        assert report.max_points == sum(item.points for item in items)
        for result in report.results:
            if result.by_hand:  # written answers: recorded, points left to the instructor
                assert result.status == "recorded" and result.points is None and result.answer
            else:
                assert result.status == "correct", (result.exercise, result.detail)


def test_an_untouched_exercise_notebook_grades_to_zero(batch):
    report = batch["reports"]["bob"]
    assert report.problems == [] and report.points == 0
    assert set(_statuses(report).values()) == {"unanswered"}
    assert len(report.results) == len(chapter_exercises(2))


def test_files_that_are_not_notebooks_are_reported_not_raised(batch):
    assert batch["reports"]["carol"].problems[0].startswith("not a readable notebook")
    assert batch["reports"]["cleo"].problems[0].startswith(("not a readable notebook", "not a notebook"))
    assert batch["reports"]["carol"].results == []


@pytest.mark.parametrize("student", ["dave", "ken"])
def test_an_endless_loop_is_abandoned_and_the_rest_is_graded(batch, student):
    report = batch["reports"][student]
    assert len(report.problems) == 1 and report.problems[0].startswith("timed out in cell 3 (exercise 1.1)")
    assert f"after {TIMEOUT} s" in report.problems[0]
    assert _statuses(report)["1.1"] == "correct"  # the answer given after the loop still counts


def test_a_cell_that_kills_the_kernel_is_skipped(batch):
    report = batch["reports"]["erin"]
    assert report.problems == ["the kernel died in cell 3; graded again without that cell"]
    assert _statuses(report)["1.1"] == "correct"
    assert report.points == batch["reports"]["key1"].points


def test_a_renamed_file_grades_with_a_warning(batch):
    report = batch["reports"]["frank"]
    assert report.chapter == 1 and report.problems == []
    assert any("no chapter prefix" in w for w in report.warnings)
    assert len(report.results) == len(chapter_exercises(1))  # missing exercises are all listed


def test_a_forged_log_line_or_printed_verdict_counts_for_nothing(batch):
    report = batch["reports"]["gina"]
    assert _statuses(report)["1.1"] == "unanswered" and report.points == 0


def test_the_last_answer_counts_once(batch):
    report = batch["reports"]["hank"]
    assert _statuses(report)["1.1"] == "wrong"
    assert [r.exercise for r in report.results].count("1.1") == 1
    one_one = next(item for item in chapter_exercises(1) if item.id == "1.1")
    assert report.points == batch["reports"]["key1"].points - one_one.points


def test_megabytes_of_output_do_not_matter(batch):
    report = batch["reports"]["ivan"]
    assert report.problems == [] and report.points == batch["reports"]["key1"].points


def test_student_code_is_isolated(batch):
    if batch["note"]:
        if IN_CI:
            pytest.fail(batch["note"])
        pytest.skip(batch["note"])
    seen = (batch["probe"] / "seen.txt").read_text().split(",")
    assert seen == ["book read-only", "no network", "memory capped"]
    assert not (ROOT / "book" / "answers" / "ch99.py").exists()


def test_the_csv_and_the_summary_import_with_the_stated_columns(batch):
    with batch["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == grading.CSV_COLUMNS
    key = [row for row in rows if row["student"] == "key1"]
    assert len(key) == len(chapter_exercises(1))
    written = [row for row in key if row["status"] == "recorded"]
    assert written and all(row["points"] == "" for row in written)  # the instructor fills them in
    assert any(row["student"] == "carol" and row["status"] == "problem" for row in rows)
    with grading.summary_path(batch["csv"]).open(newline="", encoding="utf-8") as handle:
        summary = {row["student"]: row for row in csv.DictReader(handle)}
    assert tuple(next(iter(summary.values()))) == grading.SUMMARY_COLUMNS
    key1 = batch["reports"]["key1"]
    assert float(summary["key1"]["points"]) == key1.points and int(summary["key1"]["max_points"]) == key1.max_points
    assert float(summary["bob"]["percent"]) == 0 and "not a readable notebook" in summary["carol"]["notes"]
    assert float(summary["key1"]["points_to_award_by_hand"]) == key1.by_hand > 0
    assert len(batch["feedback"]) == len(batch["all"])
    text = next(p for p in batch["feedback"] if p.name.startswith("hank")).read_text()
    assert "**1.1**, wrong" in text


def test_wrong_chapter_and_unknown_chapter(tmp_path):
    path = _write(tmp_path, "lee", "02_deepseek_paradox.ipynb", _exercise(2))
    report = grading.grade_submission(grading.Submission("lee", path), ROOT, TIMEOUT, chapter=1)
    assert report.problems == ["this is a chapter 2 notebook, but the batch grades chapter 1"]
    blank = nbformat.v4.new_notebook(cells=[new_code_cell("print('my own work')")])
    path = _write(tmp_path, "max", "homework.ipynb", blank)
    report = grading.grade_submission(grading.Submission("max", path), ROOT, TIMEOUT)
    assert report.problems[0].startswith("cannot tell which chapter")


def test_discover_names_students_by_folder_or_file(tmp_path):
    one = _write(tmp_path / "class", "ann", "01_containment.ipynb", _exercise(1))
    loose = tmp_path / "ben.ipynb"
    nbformat.write(_exercise(1), loose)
    found = grading.discover([tmp_path / "class", loose, one.parent])
    assert [(s.student, s.path.name) for s in found] == [("ann", "01_containment.ipynb"), ("ben", "ben.ipynb"),
                                                         ("ann", "01_containment.ipynb")]


def test_answer_expressions_take_the_last_check_line():
    nb = nbformat.v4.new_notebook(cells=[new_code_cell("check('1.1', a)\ncheck(\"1.2\", f(x, y))  # note"),
                                         new_code_cell("check('1.1', b)")])
    assert grading.answer_expressions(nb) == {"1.1": "b", "1.2": "f(x, y)"}


def test_command_line_exit_status_and_files(tmp_path, capsys):
    from book import notebooks
    good = _write(tmp_path, "kim", "01_containment.ipynb", _exercise(1))
    out = tmp_path / "grades.csv"
    assert notebooks.main(["grade", str(good.parent), "--out", str(out), "--timeout", "30"]) == 0
    assert out.exists() and grading.summary_path(out).exists()
    assert "kim" in capsys.readouterr().out
    _write(tmp_path, "zed", "01_containment.ipynb", "not json")
    assert notebooks.main(["grade", str(tmp_path / "zed"), str(tmp_path / "nobody")]) == 1


def test_two_copies_count_once_and_loose_files_are_students(batch):
    import csv as _csv
    with grading.summary_path(batch["csv"]).open(newline="", encoding="utf-8") as handle:
        summary = {row["student"]: row for row in _csv.DictReader(handle)}
    key1 = batch["reports"]["key1"]
    assert float(summary["nina"]["points"]) == key1.points and int(summary["nina"]["max_points"]) == key1.max_points
    assert "2 notebooks for chapter 1: counted 01_containment.ipynb" in summary["nina"]["notes"]
    assert "olga" in batch["reports"] and batch["reports"]["olga"].problems == []


def test_a_short_written_answer_is_left_for_the_instructor(batch):
    result = next(r for r in batch["reports"]["paul"].results if r.exercise == "1.4c")
    assert result.status == "wrong" and result.points is None and result.by_hand and result.answer == "idk"


def test_a_notebook_without_a_chapter_is_known_by_its_check_lines(batch, tmp_path):
    report = batch["reports"]["pat"]
    assert report.chapter == 4 and any("chapter of its check lines" in w for w in report.warnings)
    path = _write(tmp_path, "pat", "my_work.ipynb", _exercise(4))
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("book", None)
    nbformat.write(nb, path)
    wrong = grading.grade_submission(grading.Submission("pat", path), ROOT, TIMEOUT, chapter=1)
    assert wrong.problems == ["this is a chapter 4 notebook, but the batch grades chapter 1"]


def test_summarize_after_marking_the_written_answers(batch, tmp_path):
    from book import notebooks
    with batch["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # the instructor gives every written answer of key1 full marks
        if row["student"] == "key1" and row["points"] == "" and row["exercise"]:
            row["points"] = row["max_points"]
    marked = tmp_path / "marked.csv"
    with marked.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=grading.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    assert notebooks.main(["summarize", str(marked)]) == 0
    with grading.summary_path(marked).open(newline="", encoding="utf-8") as handle:
        summary = {row["student"]: row for row in csv.DictReader(handle)}
    assert summary["key1"]["percent"] == "100.0" and summary["key1"]["points_to_award_by_hand"] == "0"
    assert notebooks.main(["summarize", str(tmp_path / "nope.csv")]) == 2
