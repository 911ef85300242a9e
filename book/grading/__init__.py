"""Grading a class's exercise notebooks: ``python -m book.notebooks grade SUBMISSIONS ...``.

An instructor collects the notebooks (a folder per student, or an LMS's bulk download as it comes)
and runs the grader on them. Three parts, one job each:

* ``book.grading.submissions``: whose notebook is which (folders, Canvas and Moodle downloads, a
  roster), its chapter, and each exercise's answer as the code gives it;
* ``book.grading.runner`` with ``book.grading.sandbox``: each notebook in a fresh kernel inside a
  bubblewrap sandbox that holds only the students' copy of the book (the answer key sealed), a
  batch that survives any submission, and the final answers judged outside with the real key;
* ``book.grading.reports``: the grades CSV (merged with an earlier one, hand marks kept), the
  gradebook for Canvas, Moodle or a plain CSV, and feedback files.

``--shard i/n`` grades every n-th submission starting at the i-th, so that a class of thousands can
be spread over a job runner (a Slurm array, a CI matrix); ``summarize`` merges the shards' CSVs.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from book.grading import sandbox
from book.grading.reports import (CSV_COLUMNS, FORMATS, ExerciseResult, MarkError, Report, class_table,
                                  grade_rows, parse_chapters, read_rows, summarize, summary_path, write_csv,
                                  write_feedback, write_gradebook)
from book.grading.runner import DEFAULT_TIMEOUT_S, MISSING, NOT_RUN, ROOT, grade_all, grade_submission
from book.grading.submissions import (Found, Submission, answer_expressions, discover, find_chapter,
                                      match_roster, read_roster)

__all__ = ["CSV_COLUMNS", "DEFAULT_TIMEOUT_S", "FORMATS", "MISSING", "NOT_RUN", "ExerciseResult", "Found",
           "MarkError", "Report", "Submission", "answer_expressions", "class_table", "discover", "find_chapter",
           "grade_all", "grade_rows", "grade_submission", "main", "match_roster", "parse_chapters", "read_roster",
           "read_rows", "sandbox", "shard", "summarize", "summary_path", "write_csv", "write_feedback",
           "write_gradebook"]


def shard(submissions: list[Submission], which: str | None) -> list[Submission]:
    """``which`` = "i/n": the i-th of n slices (1-based; every n-th submission in path order), so n
    jobs together grade each submission once. None: all of them. ValueError for a bad spec."""
    if which is None:
        return submissions
    try:
        index, count = (int(part) for part in str(which).split("/"))
    except ValueError:
        raise ValueError(f"--shard must be i/n with 1 <= i <= n, got {which!r}") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard must be i/n with 1 <= i <= n, got {which!r}")
    ordered = sorted(submissions, key=lambda s: (str(s.path), s.student))
    return ordered[index - 1::count]


def _progress(done: int, total: int, report: Report) -> None:
    width = 24
    filled = math.floor(width * done / total) if total else width
    state = "problem" if report.problems else "ok"
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {report.student[:30]} ({state}, "
          f"{report.seconds:.1f} s)", file=sys.stderr, flush=True)


def main(paths: list[Path], out: Path | None, timeout: float, chapter: int | None, jobs: int,
         feedback: Path | None, root: Path = ROOT, use_sandbox: bool = True, roster: Path | None = None,
         chapters: str | None = None, layout: str = "plain", which: str | None = None, merge: bool = True) -> int:
    """The ``grade`` command: 0 when every submission graded cleanly, 1 when any had a problem,
    2 when it could not start (no sandbox, a bad roster or option)."""
    try:
        assigned = parse_chapters(chapters)
        students = read_roster(roster) if roster else None
        found = discover(paths)
        submissions, roster_warnings = match_roster(found.submissions, students) if students else (found.submissions, [])
        submissions = shard(submissions, which)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path, why in found.ignored:
        print(f"ignored {path}: {why}", file=sys.stderr)
    for warning in roster_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not submissions:
        print("no notebooks to grade", file=sys.stderr)
        return 1
    try:
        reports, note = grade_all(submissions, root, timeout, chapter, jobs, _progress, use_sandbox)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for report in reports:
        if note:
            report.warnings.insert(0, note)
    if note:
        print(f"WARNING: {note}", file=sys.stderr)
    print(class_table(reports))
    if found.ignored:
        print(f"{len(found.ignored)} files or folders were passed over (listed above)")
    if out is not None:
        ignored = [{**dict.fromkeys(CSV_COLUMNS, ""), "submission": str(path), "status": "ignored", "detail": why}
                   for path, why in found.ignored]
        backup = write_csv(reports, out, merge=merge, extra=ignored)
        rows = read_rows(out)
        targets = [write_gradebook(rows, summary_path(out, layout), layout, assigned, students)]
        if layout != "plain":
            targets.insert(0, write_gradebook(rows, summary_path(out), "plain", assigned, students))
        print(f"wrote {out}" + (f" (merged with the earlier file, kept as {backup.name})" if backup else "")
              + "".join(f" and {target}" for target in targets))
    if feedback is not None:
        written = write_feedback(reports, feedback)
        print(f"wrote {len(written)} feedback files to {feedback}")
    return 1 if any(r.problems for r in reports) else 0
