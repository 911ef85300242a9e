"""The grader and the LMS: bulk downloads in (Canvas, Moodle), a roster, gradebooks out, hand
marks that hold up, regrading that merges, and shards."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from book import grading, notebooks
from book.answers import chapter_exercises
from tests.conftest import ROOT

SOLUTION = next((ROOT / "solutions").glob("01_*.ipynb"))
EXERCISE = next((ROOT / "exercises").glob("01_*.ipynb"))
CHAPTER1 = sum(item.points for item in chapter_exercises(1))
CHAPTER2 = sum(item.points for item in chapter_exercises(2))
AUTOMATIC1 = sum(item.points for item in chapter_exercises(1) if not item.graded_by_hand)


def _canvas(folder: Path) -> Path:
    """A Canvas bulk download: one flat folder, as Canvas names the files."""
    folder.mkdir(parents=True)
    shutil.copy(SOLUTION, folder / "bakerbob_1234_5678_01_containment.ipynb")
    shutil.copy(EXERCISE, folder / "smithann_LATE_2345_6789_01_containment-1.ipynb")
    (folder / "bakerbob_1234_5679_notes.pdf").write_bytes(b"%PDF-1.4")
    return folder


def _roster(path: Path) -> Path:
    """Canvas's gradebook export, saved by Excel (a byte-order mark), with its extra rows."""
    path.write_text("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section\n"
                    "    Points Possible,,,,\n"
                    '"Baker, Bob",1234,b1,bbaker,A\n"Smith, Ann",2345,s2,asmith,A\n"Zed, Zoe",3456,z3,zzed,A\n'
                    '"Student, Test",9999,,,A\n', encoding="utf-8")
    return path


def _rows(path: Path) -> list[list[str]]:
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_a_canvas_download_is_one_student_per_file_and_says_what_it_passed_over(tmp_path):
    found = grading.discover([_canvas(tmp_path / "canvas")])
    assert [(s.student, s.name, s.late) for s in found.submissions] == [("1234", "bakerbob", False),
                                                                      ("2345", "smithann", True)]
    assert [(p.name, why) for p, why in found.ignored] == [("bakerbob_1234_5679_notes.pdf", "not a notebook (.pdf)")]
    nb = nbformat.read(found.submissions[1].path, as_version=4)
    assert grading.find_chapter(nb, found.submissions[1].path, None)[0] == 1


def test_a_moodle_download_is_one_student_per_folder(tmp_path):
    folder = tmp_path / "moodle"
    for name, inner in (("Bob Baker_101_assignsubmission_file", "01_containment.ipynb"),
                        ("Ann Smith_102_assignsubmission_file_", "nested/01_containment.ipynb"),
                        ("Cy Doe_103_assignsubmission_file", "report.pdf")):
        target = folder / name / inner
        target.parent.mkdir(parents=True)
        shutil.copy(EXERCISE, target) if target.suffix == ".ipynb" else target.write_bytes(b"%PDF")
    found = grading.discover([folder])
    assert [(s.student, s.name) for s in found.submissions] == [("101", "Bob Baker")]
    why = {p.name: reason for p, reason in found.ignored}
    assert "folder inside a student's folder (1 notebooks in it)" in why["nested"]
    assert why["report.pdf"] == "not a notebook (.pdf)"
    assert why["Ann Smith_102_assignsubmission_file_"] == why["Cy Doe_103_assignsubmission_file"] == \
        "a student's folder with no notebook in it"


def test_the_roster_names_students_and_lists_the_missing(tmp_path):
    roster = grading.read_roster(_roster(tmp_path / "roster.csv"))
    assert [s.ids[0] for s in roster] == ["1234", "2345", "3456"]  # no Points Possible or test student
    found = grading.discover([_canvas(tmp_path / "canvas")])
    named, warnings = grading.match_roster(found.submissions, roster)
    assert [(s.student, s.name) for s in named] == [("1234", "Baker, Bob"), ("2345", "Smith, Ann")] and not warnings
    with pytest.raises(ValueError, match="no column that identifies students"):
        (tmp_path / "bad.csv").write_text("colour\nred\n", encoding="utf-8")
        grading.read_roster(tmp_path / "bad.csv")


@pytest.fixture(scope="module")
def canvas_class(tmp_path_factory):
    """A Canvas download graded with a roster, two chapters assigned, a Canvas gradebook."""
    base = tmp_path_factory.mktemp("lms")
    folder, roster, out = _canvas(base / "canvas"), _roster(base / "roster.csv"), base / "grades.csv"
    code = notebooks.main(["grade", str(folder), "--out", str(out), "--roster", str(roster), "--chapters", "1-2",
                           "--format", "canvas", "--jobs", "2"])
    return {"base": base, "out": out, "roster": roster, "code": code}


def test_the_canvas_gradebook_imports_as_canvas_reads_it(canvas_class):
    assert canvas_class["code"] == 0
    header, possible, *rows = _rows(grading.summary_path(canvas_class["out"], "canvas"))
    # Canvas's importer: Student, ID, SIS User ID, SIS Login ID, Section, then assignments; a
    # "Points Possible" row sets the points of new assignments
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5:] == ["Containment Paradox: chapter 1", "Containment Paradox: chapter 2",
                          "Containment Paradox: all chapters"]
    assert possible[0].strip() == "Points Possible" and possible[5:] == [str(CHAPTER1), str(CHAPTER2),
                                                                        str(CHAPTER1 + CHAPTER2)]
    by_id = {row[1]: row for row in rows}
    assert by_id["1234"][0] == "Baker, Bob" and by_id["1234"][5:] == [str(AUTOMATIC1), "0", str(AUTOMATIC1)]
    assert by_id["2345"][5:] == ["0", "0", "0"] and by_id["3456"][5:] == ["0", "0", "0"]  # Zoe handed nothing in


def test_the_plain_gradebook_counts_every_assigned_chapter(canvas_class):
    header, *rows = _rows(grading.summary_path(canvas_class["out"]))
    plain = {row[0]: dict(zip(header, row)) for row in rows}
    assert plain["1234"]["max_points"] == str(CHAPTER1 + CHAPTER2)  # chapter 2 assigned, not handed in
    assert plain["1234"]["percent"] == f"{100 * AUTOMATIC1 / (CHAPTER1 + CHAPTER2):.1f}"
    assert plain["3456"]["notes"] == "no submission"
    with canvas_class["out"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["status"] == "ignored" and row["submission"].endswith("notes.pdf") for row in rows)
    assert any("handed in late" in row["detail"] for row in rows if row["student"] == "2345")


def test_the_moodle_gradebook_carries_the_columns_its_import_matches_on(canvas_class, tmp_path):
    moodle_roster = tmp_path / "moodle.csv"
    moodle_roster.write_text("First name,Surname,ID number,Institution,Department,Email address\n"
                             "Bob,Baker,1234,,,bob@example.edu\n", encoding="utf-8")
    target = grading.summarize(canvas_class["out"], tmp_path / "moodle-out.csv", "moodle", [1],
                               grading.read_roster(moodle_roster))
    header, *rows = _rows(target)
    assert header == ["Email address", "ID number", "Participant", "Full name", "Containment Paradox: chapter 1",
                      "Containment Paradox: all chapters"]
    bob = next(row for row in rows if row[1] == "1234")
    assert bob[0] == "bob@example.edu" and bob[3] == "Bob Baker" and bob[4] == str(AUTOMATIC1)


def _marked(out: Path, target: Path, mark: str, comment: str = "", answer: str | None = None) -> Path:
    rows = grading.read_rows(out)
    for row in rows:
        if row["student"] == "1234" and row["status"] == "recorded" and row["exercise"] == "1.4c":
            row["mark"], row["comment"] = mark, comment
            if answer is not None:
                row["answer"] = answer
    with target.open("w", newline="", encoding="utf-8-sig") as handle:  # as Excel saves it
        writer = csv.DictWriter(handle, fieldnames=grading.CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.parametrize("mark, words", [("99", "outside 0 to"), ("2/3", "is not a number"), ("-1", "outside 0 to"),
                                         ("lots", "is not a number")])
def test_a_bad_mark_is_an_error_naming_its_line(canvas_class, tmp_path, capsys, mark, words):
    marked = _marked(canvas_class["out"], tmp_path / "marked.csv", mark)
    assert notebooks.main(["summarize", str(marked)]) == 2
    error = capsys.readouterr().err
    assert words in error and "marked.csv line" in error and "1234, exercise 1.4c" in error


def test_marks_long_answers_and_feedback_after_marking(canvas_class, tmp_path):
    item = next(i for i in chapter_exercises(1) if i.id == "1.4c")
    marked = _marked(canvas_class["out"], tmp_path / "marked.csv", str(item.points), "Clear and complete.",
                     answer="word " * 40_000)  # 200,000 characters: more than csv's default field limit
    feedback = tmp_path / "feedback"
    assert notebooks.main(["summarize", str(marked), "--chapters", "1", "--feedback", str(feedback)]) == 0
    header, *rows = _rows(grading.summary_path(marked))
    bob = dict(zip(header, next(row for row in rows if row[0] == "1234")))
    assert bob["total"] == str(AUTOMATIC1 + item.points)
    text = next(feedback.glob("1234-*.md")).read_text(encoding="utf-8")
    assert f"Mark: {item.points} of {item.points}." in text and "Comment: Clear and complete." in text


def test_grading_one_student_again_merges_and_keeps_the_marks(canvas_class, tmp_path):
    base = tmp_path / "again"
    shutil.copytree(canvas_class["base"] / "canvas", base / "canvas")
    out = base / "grades.csv"
    shutil.copy(canvas_class["out"], out)
    for row_file in (out,):  # rewrite the paths: the copied class lives elsewhere
        text = row_file.read_text(encoding="utf-8").replace(str(canvas_class["base"]), str(base))
        row_file.write_text(text, encoding="utf-8")
    _marked(out, out, "1", "Good start.")
    before = len(grading.read_rows(out))
    one = base / "canvas" / "bakerbob_1234_5678_01_containment.ipynb"
    assert notebooks.main(["grade", str(one), "--out", str(out), "--roster", str(canvas_class["roster"])]) == 0
    rows = grading.read_rows(out)
    assert len(rows) == before  # Ann's rows are kept, Bob's replaced
    mark = next(row for row in rows if row["student"] == "1234" and row["exercise"] == "1.4c")
    assert (mark["mark"], mark["comment"]) == ("1", "Good start.")
    assert (base / "grades.csv.bak").exists()


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=7))
def test_shards_grade_each_submission_exactly_once(count, slices):
    submissions = [grading.Submission(f"s{i:02d}", Path(f"/class/s{i:02d}.ipynb")) for i in range(count)]
    parts = [grading.shard(submissions, f"{i}/{slices}") for i in range(1, slices + 1)]
    assert sorted(s.student for part in parts for s in part) == sorted(s.student for s in submissions)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("spec", ["0/2", "3/2", "a/b", "1", "1/0"])
def test_a_bad_shard_is_refused(spec):
    with pytest.raises(ValueError, match="--shard must be i/n"):
        grading.shard([], spec)


def test_summarize_merges_the_shards_of_a_class(canvas_class, tmp_path):
    rows = grading.read_rows(canvas_class["out"])
    halves = [tmp_path / "shard-1.csv", tmp_path / "shard-2.csv"]
    for path, keep in zip(halves, ("1234", "2345")):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=grading.CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(row for row in rows if row["student"] == keep)
    assert notebooks.main(["summarize", *map(str, halves), "--out", str(tmp_path / "all.csv")]) == 0
    header, *merged = _rows(tmp_path / "all.csv")
    assert sorted(row[0] for row in merged) == ["1234", "2345"]
