"""Grading a class's exercise notebooks: ``python -m book.notebooks grade SUBMISSIONS ...``.

An instructor collects notebooks (one folder per student, or files named after the students) and
runs the grader on all of them. For each submission it

1. reads the notebook; a file that is not a notebook is reported, never raised;
2. finds its chapter: the notebook's own metadata (``book.chapter``, which the exercise notebooks
   carry), else the two-digit prefix of its file name, else ``--chapter``;
3. runs it in a fresh kernel in a scratch folder: each cell may take ``timeout`` seconds before it
   is interrupted (the rest still runs); a cell that kills the kernel is skipped and the notebook
   run again without it; where the machine allows, the kernel has no network and cannot write to
   the book's own folder (Linux namespaces), and its memory is capped;
4. takes each exercise's *final answer*, the value its ``check(...)`` line passes, from the
   kernel after the last cell, and judges it here with the answer key (``book.checks.verdict``).
   Verdicts the student's code prints or logs are never read, so they cannot be forged by
   printing, and a ``check`` run twice counts once: what counts is the answer at the end.

Results: a CSV with one row per student and exercise (``student, submission, chapter, exercise,
status, points, max_points, answer, detail``; written answers have an empty ``points`` cell for
the instructor to fill), a summary CSV a gradebook can import (``student, points, max_points,
percent``, then the points still to be awarded by hand and any problems), optional feedback files
per student, and a class table on the terminal.

The limits are those of running untrusted code as the same user: the isolation stops the easy
ways (a log line, a printed verdict, network use, writing over the answer key); a student who
rewrites Python's own functions inside the kernel can still mislead any grader of this kind.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

#: seconds a cell may run before it is interrupted
DEFAULT_TIMEOUT_S = 60
#: the kernel's address-space limit
MEMORY_LIMIT_BYTES = 4 * 1024 ** 3
#: how many times a notebook is run again after a cell kills its kernel
MAX_RESTARTS = 3
#: characters of an answer kept in the CSV (written answers are kept whole)
ANSWER_CHARS = 300

#: statuses of an exercise in the results, besides those of ``book.checks``
MISSING = "missing"      # the notebook has no check line for this exercise
NOT_RUN = "not run"      # its answer could not be read after the run (e.g. its cell failed)

_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([0-9]+\.[0-9]+[a-z]?)["']\s*,\s*(.+?)\)\s*(?:#.*)?$""", re.M)
_PREFIX = re.compile(r"^(\d\d)_")


# --------------------------------------------------------------------------------------------
# what is graded
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    """One student's notebook. ``student`` is its folder's name, or its file's stem."""

    student: str
    path: Path


def discover(paths: list[Path]) -> list[Submission]:
    """Submissions from notebooks and folders. A folder with sub-folders of notebooks is a class:
    each sub-folder is a student (named after it), and a notebook loose in the class folder is a
    student named after the file. A folder without such sub-folders is one student's."""
    found: list[Submission] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")
                             and any(p.glob("*.ipynb")))
            loose = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            for notebook in loose:
                found.append(Submission(notebook.stem if folders else path.name, notebook))
            for folder in folders:
                for notebook in sorted(folder.glob("*.ipynb")):
                    found.append(Submission(folder.name, notebook))
        else:
            found.append(Submission(path.stem, path))
    return found


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


# --------------------------------------------------------------------------------------------
# one submission
# --------------------------------------------------------------------------------------------

def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook, or None and why it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read the file ({type(exc).__name__}: {exc})"
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the student's file, not ours
        return None, f"not a readable notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
    if not isinstance(nb.get("cells"), list):
        return None, "not a notebook: it has no cells"
    return nb, None


def find_chapter(nb: nbformat.NotebookNode, path: Path, expected: int | None) -> tuple[int | None, list[str]]:
    """The notebook's chapter from its metadata, its file name, its check lines or ``expected``,
    with warnings for what an instructor should know."""
    warnings = []
    meta = nb.metadata.get("book", {}).get("chapter") if isinstance(nb.metadata.get("book"), dict) else None
    prefix = _PREFIX.match(Path(path).name)
    from_name = int(prefix.group(1)) if prefix else None
    from_checks = check_chapters(nb)
    chapter = meta if isinstance(meta, int) else None
    if chapter is None and from_name is not None:
        chapter = from_name
    if chapter is not None and from_name is None:
        warnings.append(f"the file name has no chapter prefix (such as 0{chapter}_); graded as chapter "
                        f"{chapter} from the notebook's metadata")
    if chapter is not None and from_name is not None and from_name != chapter:
        warnings.append(f"the file name says chapter {from_name} but the notebook is chapter {chapter}")
    if chapter is None and len(from_checks) == 1:
        chapter = next(iter(from_checks))
        warnings.append(f"the notebook does not say its chapter; graded as chapter {chapter}, the chapter of its "
                        "check lines")
    if chapter is None and expected is not None:
        chapter = expected
        warnings.append(f"the notebook does not say its chapter; graded as chapter {expected} (--chapter)")
    return chapter, warnings


def check_chapters(nb: nbformat.NotebookNode) -> set[int]:
    """The chapters the notebook's check lines belong to."""
    return {int(key.split(".")[0]) for key in answer_expressions(nb)}


_HEADING = re.compile(r"^#+ Exercise (\d+\.\d+)", re.M)


def cell_place(nb: nbformat.NotebookNode, index: int) -> str:
    """"cell 7 (exercise 1.3)": the cell's number, counted from 0 as Jupyter's file does, and the
    exercise whose heading comes before it, so a student can find it."""
    exercise = None
    for cell in nb.cells[: index + 1]:
        if cell.get("cell_type") == "markdown":
            found = _HEADING.findall(str(cell.get("source", "")))
            if found:
                exercise = found[-1]
    return f"cell {index}" + (f" (exercise {exercise})" if exercise else "")


def answer_expressions(nb: nbformat.NotebookNode) -> dict[str, str]:
    """For each exercise, the expression its last ``check("id", expression)`` line passes."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for match in _CHECK_CALL.finditer(str(cell.get("source", ""))):
            found[match.group(1)] = match.group(2).strip()
    return found


# the cell the grader runs after the student's: it writes the final answers to a file whose name
# the student's code could not know (made up after it ran), as JSON
_EXTRACT = r'''
def __book_grader_extract(pairs, target):
    import json as _json, math as _math, numbers as _numbers
    def encode(value, depth=0):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, _numbers.Integral):
            return int(value)
        if isinstance(value, _numbers.Real):
            value = float(value)
            return value if _math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, (list, tuple)) and depth < 3:
            return [encode(v, depth + 1) for v in list(value)[:100]]
        return {"__repr__": repr(value)[:300], "__type__": type(value).__name__}
    out = {}
    for key, expression in pairs:
        try:
            out[key] = {"value": encode(eval(expression, globals()))}
        except BaseException as exc:
            out[key] = {"error": type(exc).__name__ + ": " + str(exc)[:200]}
    with open(target, "w", encoding="utf-8") as handle:
        _json.dump(out, handle)
__book_grader_extract(PAIRS, TARGET)
del __book_grader_extract
'''


class _Opaque:
    """An answer that is not plain data (a function, an array): its repr, under its type's name."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


def _decode(value: object) -> object:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__float__" in value:
            return float(value["__float__"])
        if "__repr__" in value:
            kind = type(str(value.get("__type__", "object")), (_Opaque,), {})
            return kind(str(value["__repr__"]))
    return value


def sandbox_prefix(root: Path = ROOT) -> tuple[list[str], str | None]:
    """The command that starts the kernel without network and with the book's folder read-only,
    if this machine allows it (``unshare``, as root or with user namespaces); else no prefix and
    a note saying what is not isolated."""
    unshare = shutil.which("unshare")
    if unshare and sys.platform.startswith("linux"):
        for flags in (["-n", "-m"], ["-r", "-n", "-m"]):
            try:
                probe = subprocess.run([unshare, *flags, "--", "true"], capture_output=True, timeout=10)
            except (OSError, subprocess.SubprocessError):
                continue
            if probe.returncode == 0:
                return [unshare, *flags, "--propagation", "private", "--"], None
    return [], ("student code ran without network isolation or a read-only book folder (this machine does not "
                "allow Linux namespaces); it still ran in a scratch folder with a memory cap")


# runs inside the new namespaces before the kernel: make the book read-only, cap memory, start
_LAUNCHER = r'''
import os, resource, subprocess, sys
root, limit, isolated = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
if isolated:
    ok = subprocess.run(["mount", "--bind", root, root]).returncode == 0
    ok = ok and subprocess.run(["mount", "-o", "remount,ro,bind", root, root]).returncode == 0
    if not ok:
        sys.stderr.write("book grader: could not make the book folder read-only\n")
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[4:]])
'''


def _run(nb: nbformat.NotebookNode, scratch: Path, root: Path, timeout: float, prefix: list[str],
         pairs: list[tuple[str, str]]) -> tuple[dict, list[str], nbformat.NotebookNode]:
    """Execute ``nb`` in ``scratch``; return the final answers, the problems, the executed notebook."""
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    problems: list[str] = []
    skip: set[int] = set()
    timed_out: set[int] = set()

    def where(index: int) -> str:
        return cell_place(nb, index)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p),
           "MPLBACKEND": "Agg"}
    env.pop("BOOK_CHECK_LOG", None)
    for _attempt in range(MAX_RESTARTS + 1):
        work = copy.deepcopy(nb)
        sockets = Path(tempfile.mkdtemp(prefix="book-grader-ipc-"))
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
        km.kernel_spec.argv = [*prefix, sys.executable, "-c", _LAUNCHER, str(root), str(MEMORY_LIMIT_BYTES),
                               "1" if prefix else "0", "-f", "{connection_file}"]
        # no interrupt on timeout: a cell that catches KeyboardInterrupt would never end; a cell
        # that runs too long is abandoned with its kernel, like one that kills it
        client = NotebookClient(work, km=km, timeout=timeout, startup_timeout=60, allow_errors=True,
                                interrupt_on_timeout=False, record_timing=False,
                                resources={"metadata": {"path": str(scratch)}})
        died: int | None = None
        answers: dict = {}
        try:
            with client.setup_kernel(env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL):
                for index, cell in enumerate(work.cells):
                    if cell.get("cell_type") != "code" or index in skip:
                        continue
                    try:
                        client.execute_cell(cell, index)
                    except DeadKernelError:
                        died = index
                        break
                    except CellTimeoutError:
                        problems.append(f"timed out in {where(index)} (after {timeout:g} s); graded again "
                                        "without that cell")
                        timed_out.add(index)
                        died = index
                        break
                if died is None:
                    target = sockets / f"answers-{os.urandom(8).hex()}.json"
                    extract = nbformat.v4.new_code_cell(_EXTRACT.replace("PAIRS", repr(pairs)).replace(
                        "TARGET", repr(str(target))))
                    work.cells.append(extract)
                    try:
                        client.execute_cell(extract, len(work.cells) - 1)
                        answers = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
                        if not target.exists():
                            problems.append("the final answers could not be read after the run")
                    except (DeadKernelError, CellTimeoutError, ValueError) as exc:
                        problems.append(f"the final answers could not be read ({type(exc).__name__})")
                    finally:
                        work.cells.pop()
        except (DeadKernelError, CellTimeoutError):
            died = died if died is not None else -1
        except Exception as exc:  # noqa: BLE001 - a kernel that will not start is a report, not a crash
            problems.append(f"could not run the notebook ({type(exc).__name__}: {str(exc)[:200]})")
            shutil.rmtree(sockets, ignore_errors=True)
            return {}, problems, work
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        if died is None:
            return answers, problems, work
        if died < 0:
            problems.append("the kernel died at start-up")
            return {}, problems, work
        if died not in timed_out:
            problems.append(f"the kernel died in {where(died)}; graded again without that cell")
        skip.add(died)
    problems.append(f"gave up after {MAX_RESTARTS} kernel deaths")
    return {}, problems, work


def _template_markdown(root: Path, chapter: int | None) -> list[str]:
    if chapter is None:
        return []
    template = next(iter(sorted((Path(root) / "exercises").glob(f"{chapter:02d}_*.ipynb"))), None)
    if template is None:
        return []
    return [c.source for c in nbformat.read(template, as_version=4).cells if c.cell_type == "markdown"]


def grade_submission(submission: Submission, root: Path = ROOT, timeout: float = DEFAULT_TIMEOUT_S,
                     chapter: int | None = None, prefix: list[str] | None = None) -> Report:
    """Grade one submission. Never raises: every problem ends up in the report."""
    started = time.monotonic()
    report = Report(submission.student, str(submission.path), None)
    try:
        _grade_into(report, submission, Path(root), timeout, chapter, prefix if prefix is not None else [])
    except Exception as exc:  # noqa: BLE001 - one bad submission must never stop the batch
        report.problems.append(f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:200]})")
    report.seconds = time.monotonic() - started
    return report


def _grade_into(report: Report, submission: Submission, root: Path, timeout: float, expected: int | None,
                prefix: list[str]) -> None:
    from book.answers import EXERCISES
    from book.checks import UNANSWERED, verdict

    nb, problem = read_notebook(submission.path)
    if nb is None:
        report.problems.append(problem)
        return
    chapter, warnings = find_chapter(nb, submission.path, expected)
    report.chapter, report.warnings = chapter, warnings
    if chapter is None:
        report.problems.append("cannot tell which chapter this notebook is: name it with its chapter prefix "
                               "(e.g. 01_...) or pass --chapter")
        return
    if expected is not None and chapter != expected:
        report.problems.append(f"this is a chapter {chapter} notebook, but the batch grades chapter {expected}")
        return
    others = check_chapters(nb) - {chapter}
    if others and not (check_chapters(nb) & {chapter}):
        report.problems.append(f"its check lines are for chapter {', '.join(map(str, sorted(others)))}, not "
                               f"chapter {chapter}")
        return
    items = [item for item in EXERCISES.values() if item.chapter == chapter]
    if not items:
        report.problems.append(f"chapter {chapter} has no exercises in the answer key")
        return
    expressions = answer_expressions(nb)
    pairs = [(item.id, expressions[item.id]) for item in items if item.id in expressions]
    with tempfile.TemporaryDirectory(prefix="book-grader-") as scratch:
        answers, problems, executed = _run(nb, Path(scratch), root, timeout, prefix, pairs)
    report.problems.extend(problems)
    for index, cell in enumerate(executed.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            report.warnings.append(f"{cell_place(executed, index)} stopped with {errors[0].get('ename')}: "
                                   f"{str(errors[0].get('evalue', ''))[:120]}")
    given = _template_markdown(root, chapter)
    report.markdown = [c.source for c in executed.cells if c.get("cell_type") == "markdown"
                       and c.source.strip() and c.source not in given]
    for item in items:
        by_hand = item.graded_by_hand
        if item.id not in expressions:
            report.results.append(ExerciseResult(item.id, MISSING, 0, item.points, "",
                                                 "the notebook has no check line for this exercise"))
            continue
        found = answers.get(item.id)
        if found is None or "error" in found:
            why = found["error"] if found else "the run stopped before the answers could be read"
            report.results.append(ExerciseResult(item.id, NOT_RUN, 0, item.points, "",
                                                 f"its answer could not be read after the run ({why})"))
            continue
        answer = _decode(found["value"])
        result = verdict(item.id, answer)
        answered = result.status != UNANSWERED
        if by_hand:  # any written answer is marked by a person, whatever check said (too short...)
            points = None if answered else 0
        else:
            points = item.points if result.status == "correct" else 0
        shown = result.answer if by_hand else result.answer[:ANSWER_CHARS]
        report.results.append(ExerciseResult(item.id, result.status, points, item.points,
                                             shown if answered else "", result.message, by_hand and answered))


# --------------------------------------------------------------------------------------------
# a class
# --------------------------------------------------------------------------------------------

def _grade_one(args: tuple) -> Report:
    return grade_submission(*args)


def grade_all(submissions: list[Submission], root: Path = ROOT, timeout: float = DEFAULT_TIMEOUT_S,
              chapter: int | None = None, jobs: int = 1, progress=None) -> tuple[list[Report], str | None]:
    """Grade every submission, ``jobs`` at a time; reports in the order given, and the note on
    isolation (None when student code ran isolated). ``progress(done, total, report)`` is called
    after each submission."""
    prefix, note = sandbox_prefix(root)
    tasks = [(s, root, timeout, chapter, prefix) for s in submissions]
    reports: list[Report | None] = [None] * len(tasks)
    if jobs <= 1:
        for index, task in enumerate(tasks):
            reports[index] = _grade_one(task)
            if progress:
                progress(index + 1, len(tasks), reports[index])
    else:
        import multiprocessing
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_grade_one, task): index for index, task in enumerate(tasks)}
            from concurrent.futures import as_completed
            for done, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                try:
                    reports[index] = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker lost is one report, not the batch
                    submission = tasks[index][0]
                    reports[index] = Report(submission.student, str(submission.path), None,
                                            problems=[f"the grader's worker failed ({type(exc).__name__})"])
                if progress:
                    progress(done, len(tasks), reports[index])
    return [r for r in reports if r is not None], note


CSV_COLUMNS = ("student", "submission", "chapter", "exercise", "status", "points", "max_points", "answer", "detail")
SUMMARY_COLUMNS = ("student", "points", "max_points", "percent", "points_to_award_by_hand", "chapters", "notes")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def grade_rows(reports: list[Report]) -> list[dict[str, str]]:
    """The CSV's rows: one per student and exercise, plus one per problem or warning (no exercise)."""
    rows = []
    for r in reports:
        base = {"student": r.student, "submission": r.submission, "chapter": "" if r.chapter is None else str(r.chapter)}
        for kind, texts in (("problem", r.problems), ("warning", r.warnings)):
            rows += [{**base, "exercise": "", "status": kind, "points": "", "max_points": "", "answer": "",
                      "detail": text} for text in texts]
        rows += [{**base, "exercise": e.exercise, "status": e.status, "points": _number(e.points),
                  "max_points": str(e.max_points), "answer": e.answer, "detail": e.detail} for e in r.results]
    return rows


def write_csv(reports: list[Report], path: Path) -> None:
    """One row per student and exercise, plus a row per problem or warning (exercise empty)."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(grade_rows(reports))


def summary_path(path: Path) -> Path:
    """Where the per-student summary goes: ``grades.csv`` -> ``grades-summary.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")


def _value(text: str) -> float:
    try:
        return float(text) if str(text).strip() else 0.0
    except ValueError:
        return 0.0


def summary_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per student from the grades' rows (as written, or after written answers were marked
    in the ``points`` column). A student with two notebooks for one chapter is counted once, with
    the better one, and the notes say so; a blank ``points`` cell is a written answer still to mark."""
    notebooks: dict[str, dict[str, dict[str, list[dict[str, str]]]]] = {}
    problems: dict[str, list[str]] = {}
    for row in rows:
        student, chapter, submission = row["student"], row.get("chapter", ""), row["submission"]
        own = notebooks.setdefault(student, {}).setdefault(chapter, {}).setdefault(submission, [])
        if row.get("exercise"):
            own.append(row)
        elif row.get("status") == "problem":
            problems.setdefault(student, []).append(f"{Path(submission).name}: {row.get('detail', '')}")
    out = []
    for student, chapters in notebooks.items():
        points = top = pending = 0.0
        notes = list(problems.get(student, []))
        counted = []
        for chapter, submissions in sorted(chapters.items()):
            best = max(submissions, key=lambda name: sum(_value(r["points"]) for r in submissions[name]))
            exercises = submissions[best]
            if not exercises:
                continue
            counted.append(chapter)
            if len(submissions) > 1:
                notes.append(f"{len(submissions)} notebooks for chapter {chapter}: counted {Path(best).name}, the "
                             "better one")
            points += sum(_value(r["points"]) for r in exercises)
            top += sum(_value(r["max_points"]) for r in exercises)
            pending += sum(_value(r["max_points"]) for r in exercises if not str(r["points"]).strip())
        out.append({"student": student, "points": _number(points), "max_points": _number(top),
                    "percent": f"{100 * points / top:.1f}" if top else "", "points_to_award_by_hand": _number(pending),
                    "chapters": " ".join(counted), "notes": "; ".join(notes)})
    return out


def write_summary(reports_or_rows, path: Path) -> None:
    """The per-student summary for a gradebook, from reports or from the grades' rows."""
    rows = reports_or_rows if reports_or_rows and isinstance(reports_or_rows[0], dict) else grade_rows(reports_or_rows)
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary_rows(rows))


def summarize(grades: Path, out: Path | None = None) -> Path:
    """Write the summary again from ``grades`` (a grades CSV in which written answers have been
    marked by filling their ``points`` cells); returns the summary's path."""
    with Path(grades).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{grades} is not a grades CSV: it lacks the columns {missing}")
        rows = list(reader)
    target = Path(out) if out else summary_path(grades)
    write_summary(rows, target)
    return target


def write_feedback(reports: list[Report], folder: Path) -> list[Path]:
    """A markdown file per submission with every verdict and hint, to hand back to the student."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for r in reports:
        name = re.sub(r"[^\w.-]+", "_", f"{r.student}-{Path(r.submission).stem}") + ".md"
        lines = [f"# Feedback: {r.student}", "", f"Notebook: `{Path(r.submission).name}`"
                 + (f", chapter {r.chapter}" if r.chapter else ""), ""]
        if r.max_points:
            pending = f" ({r.by_hand} more to be awarded by your instructor)" if r.by_hand else ""
            lines += [f"Points: {_number(r.points)} of {r.max_points}{pending}.", ""]
        for problem in r.problems:
            lines.append(f"- **Problem:** {problem}")
        for e in r.results:
            lines.append(f"- **{e.exercise}**, {e.status}: {e.detail}")
        target = folder / name
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


def _progress(done: int, total: int, report: Report) -> None:
    width = 24
    filled = math.floor(width * done / total) if total else width
    state = "problem" if report.problems else "ok"
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {report.student[:30]} ({state}, "
          f"{report.seconds:.1f} s)", file=sys.stderr, flush=True)


def main(paths: list[Path], out: Path | None, timeout: float, chapter: int | None, jobs: int,
         feedback: Path | None, root: Path = ROOT) -> int:
    """The ``grade`` command: 0 when every submission graded cleanly, 1 when any had a problem."""
    missing = [p for p in paths if not Path(p).exists()]
    for p in missing:
        print(f"{p}: no such file or folder, skipped", file=sys.stderr)
    submissions = discover([p for p in paths if Path(p).exists()])
    if not submissions:
        print("no notebooks to grade", file=sys.stderr)
        return 1
    reports, note = grade_all(submissions, root, timeout, chapter, jobs, _progress)
    if note:
        print(f"note: {note}", file=sys.stderr)
    print(class_table(reports))
    if out is not None:
        write_csv(reports, out)
        write_summary(reports, summary_path(out))
        print(f"wrote {out} and {summary_path(out)}")
    if feedback is not None:
        written = write_feedback(reports, feedback)
        print(f"wrote {len(written)} feedback files to {feedback}")
    return 1 if missing or any(r.problems for r in reports) else 0
