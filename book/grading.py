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
    """Submissions from notebooks and folders: a folder holds one student's notebooks (the student
    is the folder's name) or, if it has sub-folders with notebooks, one folder per student."""
    found: list[Submission] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            own = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            for notebook in own:
                found.append(Submission(path.name, notebook))
            for folder in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
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
    """The notebook's chapter from its metadata, its file name or ``expected``, with warnings."""
    warnings = []
    meta = nb.metadata.get("book", {}).get("chapter") if isinstance(nb.metadata.get("book"), dict) else None
    prefix = _PREFIX.match(Path(path).name)
    from_name = int(prefix.group(1)) if prefix else None
    chapter = meta if isinstance(meta, int) else None
    if chapter is None and from_name is not None:
        chapter = from_name
    if chapter is not None and from_name is None:
        warnings.append(f"the file name has no chapter prefix (such as 0{chapter}_); graded as chapter "
                        f"{chapter} from the notebook's metadata")
    if chapter is not None and from_name is not None and from_name != chapter:
        warnings.append(f"the file name says chapter {from_name} but the notebook is chapter {chapter}")
    if chapter is None and expected is not None:
        chapter = expected
        warnings.append(f"the notebook does not say its chapter; graded as chapter {expected} (--chapter)")
    return chapter, warnings


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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p),
           "MPLBACKEND": "Agg"}
    env.pop("BOOK_CHECK_LOG", None)
    for _attempt in range(MAX_RESTARTS + 1):
        work = copy.deepcopy(nb)
        sockets = Path(tempfile.mkdtemp(prefix="book-grader-ipc-"))
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
        km.kernel_spec.argv = [*prefix, sys.executable, "-c", _LAUNCHER, str(root), str(MEMORY_LIMIT_BYTES),
                               "1" if prefix else "0", "-f", "{connection_file}"]
        client = NotebookClient(work, km=km, timeout=timeout, startup_timeout=60, allow_errors=True,
                                interrupt_on_timeout=True, record_timing=False,
                                resources={"metadata": {"path": str(scratch)}})
        died: int | None = None
        answers: dict = {}
        try:
            with client.setup_kernel(env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL):
                for index, cell in enumerate(work.cells):
                    if cell.get("cell_type") != "code" or index in skip:
                        continue
                    started = time.monotonic()
                    try:
                        client.execute_cell(cell, index)
                    except DeadKernelError:
                        died = index
                        break
                    except CellTimeoutError:
                        problems.append(f"timed out in cell {index} (after {timeout:g} s)")
                        died = index  # an interrupt that did not take: treat as a kernel loss
                        break
                    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                    if errors and errors[0].get("ename") == "KeyboardInterrupt" and \
                            time.monotonic() - started >= timeout * 0.9:
                        problems.append(f"timed out in cell {index} (after {timeout:g} s); the rest still ran")
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
        except DeadKernelError:
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
        if not any(p.startswith(f"timed out in cell {died} ") for p in problems):
            problems.append(f"the kernel died in cell {died}; graded again without that cell")
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
    from book.checks import RECORDED, UNANSWERED, verdict

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
    items = [item for item in EXERCISES.values() if item.chapter == chapter]
    if not items:
        report.problems.append(f"chapter {chapter} has no exercises in the answer key")
        return
    expressions = answer_expressions(nb)
    pairs = [(item.id, expressions[item.id]) for item in items if item.id in expressions]
    with tempfile.TemporaryDirectory(prefix="book-grader-") as scratch:
        answers, problems, executed = _run(nb, Path(scratch), root, timeout, prefix, pairs)
    report.problems.extend(problems)
    given = _template_markdown(root, chapter)
    report.markdown = [c.source for c in executed.cells if c.get("cell_type") == "markdown"
                       and c.source.strip() and c.source not in given]
    for item in items:
        by_hand = item.graded_by_hand
        if item.id not in expressions:
            report.results.append(ExerciseResult(item.id, MISSING, None if by_hand else 0, item.points, "",
                                                 "the notebook has no check line for this exercise", by_hand))
            continue
        found = answers.get(item.id)
        if found is None or "error" in found:
            why = found["error"] if found else "the run stopped before the answers could be read"
            report.results.append(ExerciseResult(item.id, NOT_RUN, None if by_hand else 0, item.points, "",
                                                 f"its answer could not be read after the run ({why})", by_hand))
            continue
        answer = _decode(found["value"])
        result = verdict(item.id, answer)
        if by_hand:
            points = None if result.status == RECORDED else 0
        else:
            points = item.points if result.status == "correct" else 0
        shown = result.answer if by_hand else result.answer[:ANSWER_CHARS]
        report.results.append(ExerciseResult(item.id, result.status, points, item.points,
                                             "" if result.status == UNANSWERED else shown, result.message,
                                             by_hand and result.status == RECORDED))


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
SUMMARY_COLUMNS = ("student", "points", "max_points", "percent", "points_to_award_by_hand", "problems")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def write_csv(reports: list[Report], path: Path) -> None:
    """One row per student and exercise, plus a row per problem or warning (exercise empty)."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for r in reports:
            chapter = "" if r.chapter is None else str(r.chapter)
            for problem in r.problems:
                writer.writerow((r.student, r.submission, chapter, "", "problem", "", "", "", problem))
            for warning in r.warnings:
                writer.writerow((r.student, r.submission, chapter, "", "warning", "", "", "", warning))
            for e in r.results:
                writer.writerow((r.student, r.submission, chapter, e.exercise, e.status, _number(e.points),
                                 e.max_points, e.answer, e.detail))


def summary_path(path: Path) -> Path:
    """Where the per-student summary goes: ``grades.csv`` -> ``grades-summary.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")


def write_summary(reports: list[Report], path: Path) -> None:
    """One row per student (their submissions added up), for a gradebook."""
    students: dict[str, list[Report]] = {}
    for r in reports:
        students.setdefault(r.student, []).append(r)
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUMMARY_COLUMNS)
        for student, own in students.items():
            points = sum(r.points for r in own)
            top = sum(r.max_points for r in own)
            percent = f"{100 * points / top:.1f}" if top else ""
            problems = "; ".join(p for r in own for p in r.problems)
            writer.writerow((student, _number(points), top, percent, sum(r.by_hand for r in own), problems))


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
        problems = "; ".join(r.problems) or ("ok" if not r.warnings else "ok (" + "; ".join(r.warnings) + ")")
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
