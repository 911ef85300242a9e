"""Running submissions: each notebook in a fresh kernel inside the sandbox, its final answers judged
here with the real answer key, and a batch that never dies.

For one submission (``grade_submission``): read it (a file that is not a notebook is reported,
never raised); find its chapter; copy it into a scratch folder; run it cell by cell in a kernel in
the sandbox (``book.grading.sandbox``): a cell that runs longer than ``timeout`` seconds, or kills
its kernel, is abandoned with the kernel and the notebook run again without it; then read each
exercise's *final answer* (the value its last ``check(...)`` call passes, found by parsing the
code) from the kernel, one JSON line per exercise, and judge it outside the sandbox with
``book.checks.verdict``. Verdicts the student's code prints or logs are never read; a number JSON
cannot hold (a huge integer, NaN) is invalid for that exercise only.

For a class (``grade_all``): ``jobs`` workers; a worker that dies marks only the submissions it had
as problems (each is tried once more alone), a new pool grades the rest, and every scratch folder
lives in one batch folder that is always removed.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat

from book.grading import sandbox
from book.grading.reports import ExerciseResult, Report
from book.grading.submissions import (Submission, answer_expressions, cell_place, check_chapters, find_chapter,
                                      read_notebook)

ROOT = Path(__file__).resolve().parents[2]

#: seconds a cell may run before it is abandoned
DEFAULT_TIMEOUT_S = 60
#: the kernel's address-space limit
MEMORY_LIMIT_BYTES = 4 * 1024 ** 3
#: how many times a notebook is run again after a cell kills its kernel
MAX_RESTARTS = 3

#: statuses of an exercise in the results, besides those of ``book.checks``
MISSING = "missing"      # the notebook has no check line for this exercise
NOT_RUN = "not run"      # its answer could not be read after the run (e.g. its cell failed)

# the cell the grader runs after the student's: one JSON line per exercise, to a file whose name
# the student's code could not know (made up after it ran)
_EXTRACT = r'''
def __book_grader_extract(pairs, target):
    import json as _json, math as _math, numbers as _numbers
    def encode(value, depth=0):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, _numbers.Integral):
            value = int(value)
            return value if abs(value) < 10 ** 300 else {"__float__": "inf"}
        if isinstance(value, _numbers.Real):
            value = float(value)
            return value if _math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, (list, tuple)) and depth < 3:
            return [encode(v, depth + 1) for v in list(value)[:100]]
        return {"__repr__": repr(value)[:300], "__type__": type(value).__name__}
    with open(target, "w", encoding="utf-8") as handle:
        for key, expression in pairs:
            try:
                line = _json.dumps({"key": key, "value": encode(eval(expression, globals()))})
            except BaseException as exc:
                line = _json.dumps({"key": key, "error": type(exc).__name__ + ": " + str(exc)[:200]})
            handle.write(line + "\n")
__book_grader_extract(PAIRS, TARGET)
del __book_grader_extract
'''

# runs inside the sandbox before the kernel: cap memory, then become the kernel
_LAUNCHER = r'''
import os, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[2:]])
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


def read_answers(path: Path) -> dict[str, dict]:
    """The extract's lines, by exercise: {"value": ...} or {"error": ...}; a line that cannot be
    read spoils its own exercise only."""
    answers: dict[str, dict] = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            found = json.loads(line)
            answers[str(found["key"])] = found
        except (ValueError, KeyError, TypeError) as exc:
            key = line.split('"key": "', 1)[-1].split('"', 1)[0] if '"key": "' in line else None
            if key:
                answers[key] = {"error": f"the answer could not be read ({type(exc).__name__})"}
    return answers


def _run(nb: nbformat.NotebookNode, scratch: Path, book_copy: Path, bwrap: str | None, timeout: float,
         pairs: list[tuple[str, str]]) -> tuple[dict, list[str], nbformat.NotebookNode]:
    """Execute ``nb`` in ``scratch`` (in the sandbox when ``bwrap`` is given); return the final
    answers, the problems, the executed notebook."""
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    problems: list[str] = []
    skip: set[int] = set()
    timed_out: set[int] = set()
    inner = [sys.executable, "-c", _LAUNCHER, str(MEMORY_LIMIT_BYTES), "-f", "{connection_file}"]
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
    env.update({"PYTHONPATH": str(book_copy), "MPLBACKEND": "Agg", "HOME": str(scratch)})
    for _attempt in range(MAX_RESTARTS + 1):
        work = copy.deepcopy(nb)
        ipc = Path(tempfile.mkdtemp(prefix="ipc-", dir=scratch.parent))
        work_dir = scratch / "work"
        shutil.rmtree(work_dir, ignore_errors=True)
        work_dir.mkdir()
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(ipc / "kernel"))
        km.connection_file = str(ipc / "connection.json")
        km.kernel_spec.argv = (sandbox.command(bwrap, book_copy, work_dir, ipc, inner) if bwrap else inner)
        # no interrupt on timeout: a cell that catches KeyboardInterrupt would never end; a cell
        # that runs too long is abandoned with its kernel, like one that kills it
        client = NotebookClient(work, km=km, timeout=timeout, startup_timeout=60, allow_errors=True,
                                interrupt_on_timeout=False, record_timing=False, shutdown_kernel="immediate",
                                resources={"metadata": {"path": str(work_dir)}})
        died: int | None = None
        answers: dict = {}
        try:
            with client.setup_kernel(env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cleanup_kc=True):
                for index, cell in enumerate(work.cells):
                    if cell.get("cell_type") != "code" or index in skip:
                        continue
                    try:
                        client.execute_cell(cell, index)
                    except DeadKernelError:
                        died = index
                        break
                    except CellTimeoutError:
                        problems.append(f"timed out in {cell_place(nb, index)} (after {timeout:g} s); graded again "
                                        "without that cell")
                        timed_out.add(index)
                        died = index
                        break
                if died is None:
                    name = f"answers-{os.urandom(8).hex()}.jsonl"
                    target = (Path(sandbox.WORK) if bwrap else work_dir) / name
                    extract = nbformat.v4.new_code_cell(_EXTRACT.replace("PAIRS", repr(pairs)).replace(
                        "TARGET", repr(str(target))))
                    work.cells.append(extract)
                    try:
                        client.execute_cell(extract, len(work.cells) - 1)
                        found = work_dir / name
                        if found.exists():
                            answers = read_answers(found)
                        else:
                            problems.append("the final answers could not be read after the run")
                    except (DeadKernelError, CellTimeoutError, OSError) as exc:
                        problems.append(f"the final answers could not be read ({type(exc).__name__})")
                    finally:
                        work.cells.pop()
        except (DeadKernelError, CellTimeoutError):
            died = died if died is not None else -1
        except Exception as exc:  # noqa: BLE001 - a kernel that will not start is a report, not a crash
            problems.append(f"could not run the notebook ({type(exc).__name__}: {str(exc)[:200]})")
            return {}, problems, work
        finally:
            shutil.rmtree(ipc, ignore_errors=True)
        if died is None:
            return answers, problems, work
        if died < 0:
            problems.append("the kernel died at start-up")
            return {}, problems, work
        if died not in timed_out:
            problems.append(f"the kernel died in {cell_place(nb, died)}; graded again without that cell")
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
                     chapter: int | None = None, book_copy: Path | None = None, bwrap: str | None = None,
                     scratch_root: Path | None = None) -> Report:
    """Grade one submission. Never raises: every problem ends up in the report. ``book_copy`` is
    the folder holding the students' ``book`` package (made by ``grade_all``; without it the
    kernel imports the book this grader runs from, as in ``--no-sandbox``)."""
    started = time.monotonic()
    report = Report(submission.student, str(submission.path), None, submission.name)
    if submission.late:
        report.warnings.append("handed in late (the LMS marked the file LATE)")
    try:
        with tempfile.TemporaryDirectory(prefix="submission-", dir=scratch_root) as scratch:
            (Path(scratch) / "run").mkdir()
            _grade_into(report, submission, Path(root), timeout, chapter, book_copy or Path(root), bwrap,
                        Path(scratch) / "run")
    except Exception as exc:  # noqa: BLE001 - one bad submission must never stop the batch
        report.problems.append(f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:200]})")
    report.seconds = time.monotonic() - started
    return report


def _grade_into(report: Report, submission: Submission, root: Path, timeout: float, expected: int | None,
                book_copy: Path, bwrap: str | None, scratch: Path) -> None:
    from book.answers import chapter_exercises
    from book.checks import UNANSWERED, verdict

    nb, problem = read_notebook(submission.path)
    if nb is None:
        report.problems.append(problem)
        return
    chapter, warnings = find_chapter(nb, submission.path, expected)
    report.chapter = chapter
    report.warnings += warnings
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
    items = chapter_exercises(chapter)
    if not items:
        report.problems.append(f"chapter {chapter} has no exercises in the answer key")
        return
    expressions = answer_expressions(nb)
    if not any(item.id in expressions for item in items):
        report.problems.append("the notebook has no answers: none of its cells calls check(...) for an exercise "
                               f"of chapter {chapter}")
    pairs = [(item.id, expressions[item.id]) for item in items if item.id in expressions]
    answers, problems, executed = _run(nb, scratch, book_copy, bwrap, timeout, pairs)
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
        result = verdict(item.id, _decode(found["value"]))
        answered = result.status != UNANSWERED
        if by_hand:  # any written answer is marked by a person, whatever check said (too short...)
            points = None if answered else 0
        else:
            points = item.points if result.status == "correct" else 0
        report.results.append(ExerciseResult(item.id, result.status, points, item.points,
                                             result.answer if answered else "", result.message, by_hand and answered))


# --------------------------------------------------------------------------------------------
# a class
# --------------------------------------------------------------------------------------------

def _grade_one(args: tuple) -> Report:
    return grade_submission(*args)


def _lost(submission: Submission, why: str) -> Report:
    return Report(submission.student, str(submission.path), None, submission.name, problems=[why])


def _pool(tasks: list[tuple], jobs: int, on_done) -> list[int]:
    """Run ``tasks`` on ``jobs`` worker processes; call ``on_done(index, report)`` for each one that
    finished; return the indexes whose worker died (a broken pool loses every task in flight)."""
    lost = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_grade_one, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            try:
                on_done(futures[future], future.result())
            except BrokenProcessPool:
                lost.append(futures[future])
            except Exception as exc:  # noqa: BLE001 - a worker's failure is one report, not the batch
                on_done(futures[future], _lost(tasks[futures[future]][0],
                                                f"the grader's worker failed ({type(exc).__name__})"))
    return sorted(lost)


def grade_all(submissions: list[Submission], root: Path = ROOT, timeout: float = DEFAULT_TIMEOUT_S,
              chapter: int | None = None, jobs: int = 1, progress=None,
              use_sandbox: bool = True) -> tuple[list[Report], str | None]:
    """Grade every submission, ``jobs`` at a time; reports in the order given, and a note when
    student code ran without the sandbox. ``progress(done, total, report)`` is called after each
    submission. Raises RuntimeError (``sandbox.MISSING``) when ``use_sandbox`` and no sandbox can
    start here."""
    from book.notebooks import students_package

    bwrap = sandbox.bwrap_path() if use_sandbox else None
    if use_sandbox and bwrap is None:
        raise RuntimeError(sandbox.MISSING)
    reports: list[Report | None] = [None] * len(submissions)
    done = 0

    def finished(index: int, report: Report) -> None:
        nonlocal done
        reports[index] = report
        done += 1
        if progress:
            progress(done, len(submissions), report)

    batch = Path(tempfile.mkdtemp(prefix="book-grader-"))
    try:
        book_copy = students_package(batch / "students-book", root).parent if bwrap else Path(root)
        scratch = batch / "scratch"
        scratch.mkdir()
        tasks = [(s, root, timeout, chapter, book_copy, bwrap, scratch) for s in submissions]
        if jobs <= 1:
            for index, task in enumerate(tasks):
                finished(index, _grade_one(task))
        else:
            lost = _pool(tasks, jobs, finished)
            for index in lost:  # each alone, in a worker of its own: was it this one?
                again = _pool([tasks[index]], 1, lambda _i, report, index=index: finished(index, report))
                if again:
                    finished(index, _lost(submissions[index], "the grader's worker died while grading this "
                                                              "submission, twice; the rest of the class was graded"))
    finally:
        shutil.rmtree(batch, ignore_errors=True)
    return [r for r in reports if r is not None], (None if bwrap else sandbox.UNSANDBOXED)
