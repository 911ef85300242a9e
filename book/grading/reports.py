"""What the grader writes, and what an instructor's marks do to it.

* ``grades.csv``: one row per student and exercise (``student, name, submission, chapter,
  exercise, status, points, max_points, mark, comment, answer, detail``), plus a row per problem
  or warning. Automatic points are in ``points``; a written answer has ``points`` empty and is
  marked by hand in ``mark`` (a number from 0 to ``max_points``) with an optional ``comment``.
  Answers over ``ANSWER_CHARS`` characters are cut in the CSV (the feedback file keeps them whole).
* Grading again merges: rows of the submissions graded now replace theirs, every other row is
  kept, and a mark stays with its written answer as long as the answer is the same (a backup of
  the previous file is kept as ``grades.csv.bak``).
* ``summarize`` validates the marks (naming the CSV line of a bad one), reads files saved by Excel
  (byte-order mark) and long answers, merges shards, and writes the gradebook: one row per
  student, one column per chapter, the total over the chapters *assigned* (a chapter not handed
  in counts 0), in a plain layout or as Canvas or Moodle import it.
* Feedback files per submission, with every verdict, hint, mark and comment.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: characters of an answer kept in the CSV (the feedback file has it whole)
ANSWER_CHARS = 5_000
CSV_COLUMNS = ("student", "name", "submission", "chapter", "exercise", "status", "points", "max_points", "mark",
               "comment", "answer", "detail")
FORMATS = ("plain", "canvas", "moodle")

csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))  # a long written answer is a long field


@dataclass
class ExerciseResult:
    exercise: str
    status: str
    points: float | None
    max_points: int
    answer: str
    detail: str
    by_hand: bool = False


@dataclass
class Report:
    """What the grader found in one submission."""

    student: str
    submission: str
    chapter: int | None
    name: str = ""
    results: list[ExerciseResult] = field(default_factory=list)
    #: problems that stopped or spoiled the run (a corrupt file, a timeout, a dead kernel)
    problems: list[str] = field(default_factory=list)
    #: things the instructor should know that did not stop grading
    warnings: list[str] = field(default_factory=list)
    #: markdown cells the student wrote or changed (a reflection), in full
    markdown: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return sum(r.points or 0 for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def by_hand(self) -> int:
        """Points still to be awarded by a person (written answers)."""
        return sum(r.max_points for r in self.results if r.by_hand)


class MarkError(ValueError):
    """A mark in a grades CSV is not a number from 0 to the item's points; names the line."""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _cut(text: str) -> str:
    if len(text) <= ANSWER_CHARS:
        return text
    return text[:ANSWER_CHARS] + f" [... {len(text) - ANSWER_CHARS:,} more characters: see the feedback file]"


def grade_rows(reports: list[Report]) -> list[dict[str, str]]:
    """The CSV's rows: one per student and exercise, plus one per problem or warning (no exercise)."""
    rows = []
    for r in reports:
        base = {"student": r.student, "name": r.name, "submission": r.submission,
                "chapter": "" if r.chapter is None else str(r.chapter)}
        empty = {"points": "", "max_points": "", "mark": "", "comment": "", "answer": ""}
        for kind, texts in (("problem", r.problems), ("warning", r.warnings)):
            rows += [{**base, **empty, "exercise": "", "status": kind, "detail": text} for text in texts]
        rows += [{**base, "exercise": e.exercise, "status": e.status, "points": _number(e.points),
                  "max_points": str(e.max_points), "mark": "", "comment": "", "answer": _cut(e.answer),
                  "detail": e.detail} for e in r.results]
    return rows


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a grades CSV (Excel's byte-order mark and long fields are fine). Raises
    ValueError naming the file when it is not a grades CSV."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("student", "submission", "chapter", "exercise", "status", "points", "max_points")
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} is not a grades CSV: it lacks the columns {missing}")
        rows = []
        for line, row in enumerate(reader, start=2):
            row = {column: row.get(column) or "" for column in CSV_COLUMNS}
            row["_line"] = f"{Path(path).name} line {line}"
            rows.append(row)
    return rows


def _write_rows(rows: list[dict[str, str]], path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_csv(reports: list[Report], path: Path, merge: bool = True, extra: list[dict] | None = None) -> Path | None:
    """Write the grades CSV (``extra``: more rows, such as the files the grader passed over). With
    ``merge`` and an existing file: keep its rows for every submission not graded now, keep the
    marks and comments of written answers that did not change, and save the previous file as
    ``NAME.bak``; returns the backup's path (None when there was no file)."""
    path = Path(path)
    rows = grade_rows(reports) + list(extra or [])
    backup = None
    if merge and path.exists():
        old = read_rows(path)
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
        graded = {r.submission for r in reports} | {row["submission"] for row in extra or []}
        marks = {(row["submission"], row["exercise"], row["answer"]): (row["mark"], row["comment"]) for row in old
                 if row["exercise"] and (row["mark"] or row["comment"])}
        for row in rows:
            row["mark"], row["comment"] = marks.get((row["submission"], row["exercise"], row["answer"]), ("", ""))
        rows = [row for row in old if row["submission"] not in graded] + rows
    _write_rows(rows, path)
    return backup


def _value(text: str) -> float:
    try:
        return float(text) if str(text).strip() else 0.0
    except ValueError:
        return 0.0


def validated_mark(row: dict[str, str]) -> float | None:
    """The hand mark of a row: None when empty, else a number from 0 to the row's max points.
    Raises MarkError naming the CSV line, the student and the exercise."""
    text = str(row.get("mark") or "").strip()
    if not text:
        return None
    where = f"{row.get('_line', 'a row')} ({row['student']}, exercise {row['exercise']})"
    try:
        mark = float(text.replace(",", ".")) if re.fullmatch(r"-?\d+([.,]\d+)?", text) else None
    except ValueError:
        mark = None
    top = _value(row.get("max_points", ""))
    if mark is None:
        raise MarkError(f"{where}: the mark {text!r} is not a number (write it as 1 or 1.5)")
    if not 0 <= mark <= top:
        raise MarkError(f"{where}: the mark {text} is outside 0 to {top:g}, the points this exercise is worth")
    return mark


def _points(row: dict[str, str]) -> tuple[float, bool]:
    """The points a row earns, and whether they still wait for a hand mark."""
    mark = validated_mark(row)
    if mark is not None:
        return mark, False
    if row["points"].strip():
        return _value(row["points"]), False
    return 0.0, row["status"] not in ("missing", "not run", "unanswered")


def parse_chapters(text: str | None) -> list[int] | None:
    """"1-5" or "1,3,4" -> [1, 2, 3, 4, 5] or [1, 3, 4]; None for None."""
    if text is None:
        return None
    chapters: set[int] = set()
    for part in str(text).split(","):
        if not part.strip():
            continue
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise ValueError(f"--chapters: {part.strip()!r} is not a chapter or a range such as 1-5")
        low, high = int(match[1]), int(match[2] or match[1])
        chapters |= set(range(low, high + 1))
    return sorted(chapters)


@dataclass
class Standing:
    """One student in the gradebook."""

    student: str
    name: str = ""
    chapters: dict[int, float] = field(default_factory=dict)
    pending: float = 0.0
    notes: list[str] = field(default_factory=list)
    #: the student's roster row as the LMS exported it (empty without a roster)
    row: dict = field(default_factory=dict)


def standings(rows: list[dict[str, str]], assigned: list[int] | None = None,
              roster=None) -> tuple[list[Standing], dict[int, float]]:
    """Per student, the points of each chapter (the better notebook where a chapter was handed in
    twice), the points still to mark by hand and notes; and each chapter's maximum. With a roster,
    every student on it appears (a missing submission is a note and 0 points). Raises MarkError."""
    from book.answers import chapter_exercises

    notebooks: dict[str, dict[int, dict[str, list[dict[str, str]]]]] = {}
    names: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for row in rows:
        student = row["student"]
        names.setdefault(student, row.get("name", ""))
        if row["exercise"] and row["chapter"].strip():
            notebooks.setdefault(student, {}).setdefault(int(row["chapter"]), {}).setdefault(
                row["submission"], []).append(row)
        elif row["status"] == "problem":
            problems.setdefault(student, []).append(f"{Path(row['submission']).name}: {row['detail']}")
    chapters = assigned or sorted({c for found in notebooks.values() for c in found})
    maximum = {c: float(sum(item.points for item in chapter_exercises(c))) for c in chapters}
    everyone = list(notebooks) + [s for s in problems if s not in notebooks]
    rostered = {student.ids[0]: student for student in roster or []}
    if roster:
        everyone = list(rostered) + [s for s in everyone if s not in rostered]
        names.update({key: student.name for key, student in rostered.items()})
    out = []
    for student in everyone:
        standing = Standing(student, names.get(student, ""), notes=list(problems.get(student, [])),
                            row=dict(rostered[student].row) if student in rostered else {})
        handed = notebooks.get(student, {})
        if not handed and not problems.get(student):
            standing.notes.append("no submission")
        for chapter in chapters:
            submissions = handed.get(chapter, {})
            if not submissions:
                standing.chapters[chapter] = 0.0
                continue
            scored = {name: [_points(row) for row in found] for name, found in submissions.items()}
            best = max(scored, key=lambda name: sum(points for points, _ in scored[name]))
            if len(submissions) > 1:
                standing.notes.append(f"{len(submissions)} notebooks for chapter {chapter}: counted "
                                      f"{Path(best).name}, the better one")
            standing.chapters[chapter] = sum(points for points, _ in scored[best])
            standing.pending += sum(float(row["max_points"] or 0) for row, (_, waiting) in
                                    zip(submissions[best], scored[best]) if waiting)
        extra = sorted(set(handed) - set(chapters))
        if extra:
            standing.notes.append(f"handed in chapters not assigned: {', '.join(map(str, extra))}")
        out.append(standing)
    return out, maximum


def gradebook_rows(found: list[Standing], maximum: dict[int, float], layout: str = "plain",
                   title: str = "Containment Paradox") -> tuple[list[str], list[list[str]]]:
    """The gradebook as a header and rows, in ``layout``:

    * ``plain``: ``student, name, chapter 1 ... chapter N, total, max_points, percent,
      points_to_mark_by_hand, notes``;
    * ``canvas``: Canvas's gradebook import (``Student, ID, SIS User ID, SIS Login ID, Section``,
      then one column per chapter and the total, named as new assignments, and a "Points Possible"
      row); ``ID`` is the Canvas user id the submissions' file names carry;
    * ``moodle``: a CSV for Moodle's gradebook import ("Import > CSV file"), which matches students
      by a column the instructor picks in the import dialog: ``Email address`` and ``ID number``
      come from a Moodle roster (its grades export), ``Participant`` is the number on the
      submission folders; then ``Full name``, one column per chapter and the total, each mapped to
      a grade item when importing.
    """
    if layout not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {layout!r}")
    chapters = sorted(maximum)
    top = sum(maximum.values())
    totals = {s.student: sum(s.chapters.values()) for s in found}
    if layout == "plain":
        header = ["student", "name", *[f"chapter {c}" for c in chapters], "total", "max_points", "percent",
                  "points_to_mark_by_hand", "notes"]
        rows = [[s.student, s.name, *[_number(s.chapters[c]) for c in chapters], _number(totals[s.student]),
                 _number(top), f"{100 * totals[s.student] / top:.1f}" if top else "", _number(s.pending),
                 "; ".join(s.notes)] for s in found]
        return header, rows
    # (Canvas drops columns whose names contain "Final Score", "Current Grade" and the like)
    columns = [f"{title}: chapter {c}" for c in chapters] + [f"{title}: all chapters"]
    if layout == "canvas":
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns]
        possible = ["    Points Possible", "", "", "", "", *[_number(maximum[c]) for c in chapters], _number(top)]
        rows = [possible] + [[s.name or s.student, s.student, "", "", "", *[_number(s.chapters[c]) for c in chapters],
                              _number(totals[s.student])] for s in found]
        return header, rows
    header = ["Email address", "ID number", "Participant", "Full name", *columns]
    rows = [[s.row.get("Email address", ""), s.row.get("ID number", ""), s.student if not s.row else "", s.name,
             *[_number(s.chapters[c]) for c in chapters], _number(totals[s.student])] for s in found]
    return header, rows


def summary_path(path: Path, layout: str = "plain") -> Path:
    """Where the gradebook goes: ``grades.csv`` -> ``grades-summary.csv`` (``-canvas.csv``, ``-moodle.csv``)."""
    path = Path(path)
    suffix = "summary" if layout == "plain" else layout
    return path.with_name(f"{path.stem}-{suffix}{path.suffix or '.csv'}")


def write_gradebook(rows: list[dict[str, str]], target: Path, layout: str = "plain",
                    assigned: list[int] | None = None, roster=None) -> Path:
    found, maximum = standings(rows, assigned, roster)
    header, body = gradebook_rows(found, maximum, layout)
    with Path(target).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)
    return Path(target)


def summarize(grades: list[Path] | Path, out: Path | None = None, layout: str = "plain",
              assigned: list[int] | None = None, roster=None, feedback: Path | None = None) -> Path:
    """The gradebook again from one or more grades CSVs (shards are merged; written answers
    marked in ``mark``), and the feedback files with the marks and comments when ``feedback`` is
    given; returns the gradebook's path. Raises ValueError (MarkError) naming a bad file or mark."""
    paths = [Path(p) for p in (grades if isinstance(grades, (list, tuple)) else [grades])]
    rows = [row for path in paths for row in read_rows(path)]
    for row in rows:
        if row["exercise"]:
            validated_mark(row)
    target = Path(out) if out else summary_path(paths[0], layout)
    write_gradebook(rows, target, layout, assigned, roster)
    if feedback is not None:
        write_feedback_rows(rows, feedback)
    return target


def _feedback_name(student: str, submission: str) -> str:
    return re.sub(r"[^\w.-]+", "_", f"{student}-{Path(submission).stem}") + ".md"


def write_feedback(reports: list[Report], folder: Path) -> list[Path]:
    """A markdown file per submission with every verdict and hint, to hand back to the student
    (written answers whole)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for r in reports:
        lines = [f"# Feedback: {r.name or r.student}", "", f"Notebook: `{Path(r.submission).name}`"
                 + (f", chapter {r.chapter}" if r.chapter else ""), ""]
        if r.max_points:
            pending = f" ({r.by_hand} more to be awarded by your instructor)" if r.by_hand else ""
            lines += [f"Points: {_number(r.points)} of {r.max_points}{pending}.", ""]
        for problem in r.problems:
            lines.append(f"- **Problem:** {problem}")
        for e in r.results:
            lines.append(f"- **{e.exercise}**, {e.status}: {e.detail}")
            if e.by_hand:
                lines += ["", "  Your answer:", "", *[f"  > {line}" for line in e.answer.splitlines()], ""]
        target = folder / _feedback_name(r.student, r.submission)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(target)
    return written


def write_feedback_rows(rows: list[dict[str, str]], folder: Path) -> list[Path]:
    """The feedback files again from a marked grades CSV: every verdict, and for written answers
    the mark and the comment."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_submission: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_submission.setdefault((row["student"], row["submission"]), []).append(row)
    written = []
    for (student, submission), found in by_submission.items():
        exercises = [row for row in found if row["exercise"]]
        earned = sum(_points(row)[0] for row in exercises)
        top = sum(_value(row["max_points"]) for row in exercises)
        name = found[0].get("name") or student
        lines = [f"# Feedback: {name}", "", f"Notebook: `{Path(submission).name}`", ""]
        if top:
            lines += [f"Points: {_number(earned)} of {_number(top)}.", ""]
        for row in found:
            if row["status"] == "problem":
                lines.append(f"- **Problem:** {row['detail']}")
        for row in exercises:
            lines.append(f"- **{row['exercise']}**, {row['status']}: {row['detail']}")
            mark = validated_mark(row)
            if mark is not None:
                lines.append(f"  Mark: {_number(mark)} of {row['max_points']}.")
            if row["comment"].strip():
                lines.append(f"  Comment: {row['comment'].strip()}")
        target = folder / _feedback_name(student, submission)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(target)
    return written


def class_table(reports: list[Report]) -> str:
    """The class at a glance: one line per submission."""
    head = f"{'student':<20} {'chapter':>7} {'points':>10} {'by hand':>8}  problems"
    lines = [head, "-" * len(head)]
    for r in reports:
        points = f"{_number(r.points)}/{r.max_points}" if r.max_points else "-"
        chapter = "-" if r.chapter is None else str(r.chapter)
        notes = f"; {len(r.warnings)} warning{'s' if len(r.warnings) > 1 else ''} in the CSV" if r.warnings else ""
        problems = "; ".join(r.problems) or f"ok{notes}"
        lines.append(f"{r.student[:20]:<20} {chapter:>7} {points:>10} {r.by_hand or '':>8}  {problems[:120]}")
    totals = [r.points / r.max_points for r in reports if r.max_points]
    if totals:
        lines.append(f"{len(reports)} submissions; mean {100 * sum(totals) / len(totals):.0f}% of the automatic "
                     "points (written answers not yet counted)")
    return "\n".join(lines)
