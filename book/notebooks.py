"""Notebook tooling: execute notebooks, generate exercises from solutions, check both are current.

Command line (run from the repository root)::

    python -m book.notebooks refresh [--remeasure] [NOTEBOOK ...]  # execute in place, store outputs
    python -m book.notebooks exercises                # solutions/ -> exercises/, then execute them
    python -m book.notebooks check                    # exit 1 if exercises/ is stale or a notebook unexecuted
    python -m book.notebooks handout DEST             # the students' copy: no solutions, no instructor files
    python -m book.notebooks grade SUBMISSION [...] [--out grades.csv] [--roster R] [--chapters 1-5]
              [--format plain|canvas|moodle] [--jobs J] [--shard i/n] [--feedback DIR] [--no-sandbox]
                                                      # grade a class in a sandbox (book.grading)
    python -m book.notebooks summarize grades.csv [...]  # the gradebook again, after marking

Marker rules (solutions/ -> exercises/):

* code cells: the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (markers included) are
  replaced by one ``# YOUR CODE HERE`` line at the marker's indentation;
* markdown cells: the text from ``<!-- BEGIN SOLUTION -->`` to ``<!-- END SOLUTION -->`` becomes
  ``*Write your answer here.*``;
* a cell tagged ``solution`` is dropped whole;
* an END without a BEGIN, a BEGIN without an END, or a BEGIN inside an open region is an error
  that names the notebook and the cell.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
#: the translated editions' exercise notebooks (book/tooling/i18n.py): generated from solutions/
#: and the page catalogues by ``exercises``, executed and checked like the English ones
TRANSLATED_NOTEBOOKS = {"de": "locales/de"}
NOTEBOOK_DIRS = ("chapters", "solutions", "exercises",
                 *(f"{folder}/{kind}" for folder in TRANSLATED_NOTEBOOKS.values()
                   for kind in ("chapters", "solutions", "exercises")))

CODE_BEGIN = re.compile(r"^(\s*)#\s*BEGIN SOLUTION\s*$")
CODE_END = re.compile(r"^\s*#\s*END SOLUTION\s*$")
MD_BEGIN = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")
CODE_PLACEHOLDER = "# YOUR CODE HERE"
MD_PLACEHOLDER = "*Write your answer here.*"
SOLUTION_TAG = "solution"
TIMEOUT_S = 600


class MarkerError(ValueError):
    """A solution marker is unbalanced or nested; the message names the notebook and cell."""


# --------------------------------------------------------------------------------------------
# solutions -> exercises
# --------------------------------------------------------------------------------------------

def _strip_lines(source: str, begin: re.Pattern, end: re.Pattern, placeholder: str,
                 where: str, keep_indent: bool) -> str:
    out: list[str] = []
    open_at: int | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if begin.match(line):
            if open_at is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside the region opened "
                                  f"at line {open_at} (nested markers are not allowed)")
            open_at = number
            indent = begin.match(line).group(1) if keep_indent else ""
            out.append(indent + placeholder)
        elif end.match(line):
            if open_at is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION")
            open_at = None
        elif open_at is None:
            out.append(line)
    if open_at is not None:
        raise MarkerError(f"{where}, line {open_at}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def make_exercise(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return the exercise version of a solutions notebook (outputs cleared, solutions removed)."""
    exercise = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(exercise.cells):
        where = f"{name}, cell {index}"
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            continue
        if cell.cell_type == "code":
            cell.source = _strip_lines(cell.source, CODE_BEGIN, CODE_END, CODE_PLACEHOLDER, where, True)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _strip_lines(cell.source, MD_BEGIN, MD_END, MD_PLACEHOLDER, where, False)
        cells.append(cell)
    exercise.cells = cells
    exercise.metadata.pop("widgets", None)
    # the grader reads the chapter from here, whatever a student renames the file to
    chapter = re.match(r"(\d\d)_", Path(name).name)
    if chapter:
        exercise.metadata["book"] = {"chapter": int(chapter.group(1))}
    return exercise


def exercise_path(solution_path: Path) -> Path:
    return solution_path.parent.parent / "exercises" / solution_path.name


def _signature(nb: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    """What must agree between a committed exercise and a fresh generation: no outputs."""
    return [(c.cell_type, c.source, tuple(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


# --------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------

#: outputs that differ from machine to machine (a timing of the reader's own computer): nbval
#: does not compare them (the tag is nbval's), and ``refresh`` keeps the stored example unless
#: asked to measure again
MEASURED_TAG = "nbval-ignore-output"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def execute(nb: nbformat.NotebookNode, workdir: Path, extra_env: dict[str, str] | None = None,
            allow_errors: bool = False, remeasure: bool = True) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (cwd = ``workdir``) and keep what a reader or nbval needs.

    ``extra_env`` is added to the kernel's environment only (this process's stays as it is). The
    result is deterministic for deterministic code: no execution timings, and no widget state or
    widget views (random model ids, and nothing the site or nbval uses: a dashboard's output
    carries its own static HTML, which the site shows and JupyterLab shows until the cell runs).
    With ``remeasure`` False, cells tagged ``MEASURED_TAG`` keep the outputs they had.
    """
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient

    kept = {index: copy.deepcopy(cell.outputs) for index, cell in enumerate(nb.cells)
            if not remeasure and cell.cell_type == "code" and cell.get("outputs")
            and MEASURED_TAG in cell.get("metadata", {}).get("tags", [])}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    # the kernel talks over Unix sockets in a folder of its own, not TCP ports: a TCP port is
    # picked free and then bound by the kernel a moment later, and with several kernels starting at
    # once (nbval, the refresh test, the grader) another may take it first and the kernel dies
    # before replying (seen once in CI); the grader's kernels do the same
    with tempfile.TemporaryDirectory(prefix="book-kernel-") as ipc, \
            tempfile.TemporaryFile(mode="w+") as chatter:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(ipc) / "kernel"))
        km.connection_file = str(Path(ipc) / "connection.json")
        # once the last cell has run the kernel is stopped at once (as the grader's are): asked to
        # shut down, one kernel in six or so went on until the manager's SIGTERM, 2.5 s later
        client = NotebookClient(nb, km=km, timeout=TIMEOUT_S, allow_errors=allow_errors,
                                store_widget_state=False, record_timing=False, shutdown_kernel="immediate",
                                resources={"metadata": {"path": str(workdir)}})
        # the kernel's own start-up chatter is not the reader's concern (errors in cells still
        # arrive as outputs and are raised or recorded), unless the kernel does not start at all
        try:
            client.execute(stderr=chatter, env={**os.environ, **(extra_env or {})}, cleanup_kc=True)
        except RuntimeError as error:
            if "Kernel died" not in str(error):
                raise
            # nbclient left its clean-up of the dead kernel for exit, where it fails noisily
            atexit.unregister(client._cleanup_kernel)
            chatter.seek(0)
            raise RuntimeError(f"{error}; the kernel said:\n{chatter.read()[-4000:]}") from error
    for index, outputs in kept.items():
        nb.cells[index].outputs = outputs
    return tidy_outputs(nb)


def tidy_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What a run stores, independent of timing: widget views and widget state dropped, and
    consecutive pieces of one stream joined (the kernel sends printed text in pieces whose
    boundaries depend on how fast it runs: "1.1" then " correct" on one run, whole on the next)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
            if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == output.get("name")):
                merged[-1]["text"] += output["text"]
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged
    return nb


def refresh(path: Path, remeasure: bool = False) -> None:
    """Execute ``path`` in place. Measurements of the machine (``MEASURED_TAG``) keep their stored
    example unless ``remeasure`` is true or the cell has none yet, so a refresh on any machine
    changes only what the book's code and data change."""
    nb = nbformat.read(path, as_version=4)
    nb = execute(nb, path.parent, remeasure=remeasure)
    nbformat.write(nb, path)


def all_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in NOTEBOOK_DIRS for p in (root / d).glob("*.ipynb"))


def with_totals(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``nb`` (a solutions notebook) with its opening "**Time:** about ... **Points:** ..." sentence
    written from the exercises' stated times and the answer key (``book.syllabus.totals_sentence``).
    Raises MarkerError when the notebook has no such sentence."""
    from book import syllabus

    chapter = re.match(r"(\d\d)_", Path(name).name)
    if not chapter:
        return nb
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    sentence = syllabus.totals_sentence(int(chapter.group(1)), text)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and syllabus.TOTALS.search(cell.source):
            cell.source = syllabus.TOTALS.sub(lambda _: sentence, cell.source, count=1)
            return nb
    raise MarkerError(f"{name}: no opening sentence '**Time:** about N minutes in all. **Points:** N "
                      "(N of them for written answers).' to keep up to date")


def generate_exercises(root: Path = ROOT, run: bool = True) -> list[Path]:
    """Write exercises/NAME.ipynb for every solutions/NAME.ipynb; execute them unless ``run`` is False.
    First bring each solutions notebook's opening totals up to date (``with_totals``)."""
    (root / "exercises").mkdir(exist_ok=True)
    # strip every notebook first, so a broken marker anywhere writes nothing at all
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    originals = [nbformat.read(p, as_version=4) for p in solutions]
    updated = [with_totals(copy.deepcopy(nb), f"solutions/{p.name}") for p, nb in zip(solutions, originals)]
    exercises = [make_exercise(nb, f"solutions/{p.name}") for p, nb in zip(solutions, updated)]
    for path, before, after in zip(solutions, originals, updated):
        if before != after:
            nbformat.write(after, path)
    written = []
    for solution_path, exercise in zip(solutions, exercises):
        target = exercise_path(solution_path)
        if run:
            exercise = execute(exercise, target.parent)
        nbformat.write(exercise, target)
        written.append(target)
    stale = {p.name for p in (root / "exercises").glob("*.ipynb")} - {p.name for p in written}
    for name in sorted(stale):
        (root / "exercises" / name).unlink()
    for language in TRANSLATED_NOTEBOOKS:
        for solution_path, solution in zip(solutions, updated):
            for target, nb in translated_pair(solution, solution_path.stem, language, root):
                target.parent.mkdir(parents=True, exist_ok=True)
                if run:
                    nb = execute(nb, target.parent)
                nbformat.write(nb, target)
                written.append(target)
        for chapter_path in sorted((root / "chapters").glob("*.ipynb")):
            target, nb = translated_chapter(chapter_path, language, root)
            target.parent.mkdir(parents=True, exist_ok=True)
            if run:  # from the chapters' folder, as the English; a measurement keeps its example
                nb = execute(nb, chapter_path.parent, remeasure=False)
            nbformat.write(nb, target)
            written.append(target)
    return written


def translated_chapter(chapter_path: Path, language: str,
                       root: Path = ROOT) -> tuple[Path, nbformat.NotebookNode]:
    """The chapter notebook at ``chapter_path`` in ``language`` (its markdown from the page's
    catalogue, its code speaking the language: figures, tables and dashboards), and where it is
    written. Its outputs are the German pages' (book/tooling/i18n.py)."""
    from book.tooling.i18n import translate_notebook

    nb = translate_notebook(nbformat.read(chapter_path, as_version=4), f"chapters/{chapter_path.stem}", language, root)
    return root / TRANSLATED_NOTEBOOKS[language] / "chapters" / chapter_path.name, nb


def translated_pair(solution: nbformat.NotebookNode, name: str, language: str,
                    root: Path = ROOT) -> list[tuple[Path, nbformat.NotebookNode]]:
    """The solutions notebook ``name`` and its exercise notebook in ``language``: the markdown from
    the pages' catalogues, the code as it is with a first line that sets the language
    (``book.tooling.i18n.translate_notebook``); with where each is written."""
    from book.tooling.i18n import translate_notebook

    folder = root / TRANSLATED_NOTEBOOKS[language]
    solved = translate_notebook(solution, f"solutions/{name}", language, root)
    # the exercise page's catalogue also holds what make_exercise writes ("*Write your answer here.*")
    exercise = translate_notebook(make_exercise(solved, f"{TRANSLATED_NOTEBOOKS[language]}/solutions/{name}.ipynb"),
                                  f"exercises/{name}", language, root, language_line=False)
    return [(folder / "solutions" / f"{name}.ipynb", solved), (folder / "exercises" / f"{name}.ipynb", exercise)]


def problems(root: Path = ROOT) -> list[str]:
    """Everything that makes the committed notebooks out of date, as readable sentences."""
    found = []
    solutions = {p.name: p for p in (root / "solutions").glob("*.ipynb")}
    exercises = {p.name: p for p in (root / "exercises").glob("*.ipynb")}
    for name in sorted(set(exercises) - set(solutions)):
        found.append(f"exercises/{name} has no solutions/{name}")
    for name, solution_path in sorted(solutions.items()):
        if name not in exercises:
            found.append(f"exercises/{name} is missing: run `python -m book.notebooks exercises`")
            continue
        try:
            solution = nbformat.read(solution_path, as_version=4)
            if with_totals(copy.deepcopy(solution), f"solutions/{name}") != solution:
                found.append(f"solutions/{name} states other totals than its exercises and the answer key give: "
                             "run `python -m book.notebooks exercises`")
            fresh = make_exercise(solution, f"solutions/{name}")
        except MarkerError as exc:
            found.append(str(exc))
            continue
        if _signature(fresh) != _signature(nbformat.read(exercises[name], as_version=4)):
            found.append(f"exercises/{name} differs from what solutions/{name} generates: "
                         "run `python -m book.notebooks exercises`")
    for language in TRANSLATED_NOTEBOOKS:
        expected = []  # (where a translation is, what generates it now, from which English notebook)
        for name, solution_path in sorted(solutions.items()):
            try:
                pair = translated_pair(nbformat.read(solution_path, as_version=4), Path(name).stem, language, root)
            except MarkerError as exc:
                found.append(str(exc))
                continue
            expected += [(target, fresh, f"solutions/{name}") for target, fresh in pair]
        for chapter_path in sorted((root / "chapters").glob("*.ipynb")):
            expected.append((*translated_chapter(chapter_path, language, root), f"chapters/{chapter_path.name}"))
        for target, fresh, source in expected:
            place = target.relative_to(root)
            if not target.exists():
                found.append(f"{place} is missing: run `python -m book.notebooks exercises`")
            elif _signature(fresh) != _signature(nbformat.read(target, as_version=4)):
                found.append(f"{place} differs from what {source} and its translation generate: "
                             "run `python -m book.notebooks exercises`")
    for path in all_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and c.source.strip() and c.execution_count is None for c in nb.cells):
            found.append(f"{path.relative_to(root)} has unexecuted code cells: run "
                         f"`python -m book.notebooks refresh {path.relative_to(root)}`")
    return found


# --------------------------------------------------------------------------------------------
# the students' copy
# --------------------------------------------------------------------------------------------

#: what a handout holds (paths relative to the book's root) and what it leaves out of them
HANDOUT = ("book", "chapters", "exercises", "pyproject.toml")
HANDOUT_LEAVES_OUT = ("book/tooling", "book/grading", "book/grading.py", "book/benchmark.py", "book/notebooks.py")
#: the answer key's chapter modules (the answers and the code that computes them): the handout
#: carries book/answers/sealed.json in their place (``book.answers.sealed``)
KEY_MODULES = re.compile(r"^ch\d\d\.py$")

HANDOUT_README = """# The Containment Paradox: exercises

Export controls on AI chips, DeepSeek, the cost of compute and who gets to use AI: the chapters
(`chapters/`) and their exercise notebooks (`exercises/`), with the `book` package that computes
every number, draws the dashboards and checks your answers.

## Set up and start (one command)

Any Python from 3.10 to 3.13, from this folder:

```bash
python3 -m venv .venv && .venv/bin/pip install -e ".[student]" && .venv/bin/jupyter lab exercises/
```

(Windows PowerShell: `py -m venv .venv; .venv\\Scripts\\pip install -e ".[student]"; .venv\\Scripts\\jupyter lab exercises/`.)

Open an exercise notebook, run its cells from the top, put your answer in place of `None`, and run
the `check(...)` line: it says whether the answer is right, with a hint if it is not.

Licence: code MIT, text and figures CC BY 4.0.
"""


def solution_lines(root: Path = ROOT, shortest: int = 25) -> set[str]:
    """Every line of the solutions that the exercises leave out (inside the solution markers, or in
    a cell tagged ``solution``), stripped, at least ``shortest`` characters long: what a
    students' copy must not contain."""
    lines: set[str] = set()
    for path in sorted((Path(root) / "solutions").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            tags = cell.get("metadata", {}).get("tags", [])
            source = cell.source.splitlines()
            if SOLUTION_TAG in tags:
                hidden = source
            else:
                begin, end = (CODE_BEGIN, CODE_END) if cell.cell_type == "code" else (MD_BEGIN, MD_END)
                hidden, inside = [], False
                for line in source:
                    if begin.match(line):
                        inside = True
                    elif end.match(line):
                        inside = False
                    elif inside:
                        hidden.append(line)
            lines |= {line.strip() for line in hidden if len(line.strip()) >= shortest}
    return lines


def _public_text(root: Path) -> str:
    """What students may see anyway: the package's sources (less the answer key) and the chapters' cells."""
    parts = [p.read_text(encoding="utf-8") for p in sorted((root / "book").rglob("*.py"))
             if not (p.parent.name == "answers" and KEY_MODULES.match(p.name))]
    for path in sorted((root / "chapters").glob("*.ipynb")):
        parts += [c.source for c in nbformat.read(path, as_version=4).cells]
    return "\n".join(parts)


def handout_leaks(dest: Path, root: Path = ROOT) -> list[str]:
    """Solution lines found in the files of ``dest``, as "file: line" (empty when clean). A line that
    the package or a chapter also contains (a common call such as ``get_chip("H100")``) gives
    nothing away and is not counted."""
    public = _public_text(Path(root))
    secret = {line for line in solution_lines(root) if line not in public}
    found = []
    for path in sorted(Path(dest).rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":  # compare the cells' text, not their JSON escaping
            try:
                text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
            except Exception:  # noqa: BLE001 - a file that is not a notebook is read as text
                pass
        found += [f"{path.relative_to(dest)}: {line}" for line in secret if line in text]
    return found


def _ignore_for_students(root: Path):
    """A ``shutil.copytree`` filter leaving out what students do not get: the instructors' tools and
    the answer key's chapter modules (and caches)."""
    left_out = {root / item for item in HANDOUT_LEAVES_OUT}
    answers = root / "book" / "answers"

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")
                or Path(folder, n) in left_out
                or (Path(folder) == answers and (KEY_MODULES.match(n) or n == "sealed.json"))]
    return ignore


def students_package(dest: Path, root: Path = ROOT) -> Path:
    """The ``book`` package as students get it, written to ``dest/book``: no instructors' tools,
    and the answer key sealed (``book/answers/sealed.json`` in place of the chapter modules). The
    handout carries it, and the grader's sandbox runs students' notebooks against it."""
    import shutil

    from book.answers import EXERCISES, chapters, objectives
    from book.answers.sealed import write_sealed

    root = Path(root)
    shutil.copytree(root / "book", Path(dest) / "book", ignore=_ignore_for_students(root))
    write_sealed(Path(dest) / "book" / "answers" / "sealed.json", EXERCISES.values(),
                 {chapter: objectives(chapter) for chapter in chapters()})
    return Path(dest) / "book"


def handout(dest: Path, root: Path = ROOT) -> list[Path]:
    """Write the students' copy to ``dest`` (which must not exist or be empty): the book package
    without the instructors' tools and with the answer key sealed (feedback, no answers: the
    chapter modules of ``book/answers`` are replaced by ``sealed.json``), the chapters, the exercise
    notebooks, ``pyproject.toml`` and a README with the setup command. Refuses (MarkerError) if a
    solution line would leak."""
    import shutil

    dest, root = Path(dest), Path(root)
    if dest.exists() and any(dest.iterdir()):
        raise MarkerError(f"{dest} is not empty: choose a new folder for the handout")
    dest.mkdir(parents=True, exist_ok=True)
    students_package(dest, root)
    for item in HANDOUT:
        source = root / item
        if item == "book":
            continue
        if source.is_dir():
            shutil.copytree(source, dest / item, ignore=_ignore_for_students(root))
        else:
            shutil.copy2(source, dest / item)
    (dest / "README.md").write_text(HANDOUT_README, encoding="utf-8")
    leaks = handout_leaks(dest, root)
    if leaks:
        shutil.rmtree(dest)
        raise MarkerError("the handout would contain solution lines, so none was written: " + "; ".join(leaks[:5]))
    return sorted(p for p in dest.rglob("*") if p.is_file())


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root folder (default: this repository)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_refresh = sub.add_parser("refresh", help="execute notebooks in place (default: all)")
    p_refresh.add_argument("notebooks", nargs="*", type=Path)
    p_refresh.add_argument("--remeasure", action="store_true",
                           help=f"run the measurements of this machine again (cells tagged {MEASURED_TAG}); "
                                "without it they keep their stored example")
    sub.add_parser("exercises", help="regenerate exercises/ from solutions/, and the translated editions' "
                                     "notebooks (locales/), and execute them")
    sub.add_parser("check", help="exit 1 when exercises/ is stale or a notebook is unexecuted")
    p_handout = sub.add_parser("handout", help="write the students' copy (no solutions, no instructor files)")
    p_handout.add_argument("dest", type=Path)
    p_grade = sub.add_parser("grade", help="grade students' notebooks (files, folders, or an LMS's bulk download) in "
                                           "a sandbox: a class table, a grades CSV and a gradebook with --out")
    p_grade.add_argument("submissions", nargs="+", type=Path,
                         help="notebooks, or folders: one per student, a Canvas download, a Moodle download")
    p_grade.add_argument("--out", type=Path, help="the grades CSV (merged into an existing one, which is kept as "
                                                 "NAME.bak); the gradebook goes beside it")
    p_grade.add_argument("--timeout", type=float, default=None,
                         help="seconds a cell may run before it is abandoned (default 60)")
    p_grade.add_argument("--chapter", type=int, help="the chapter being graded (for notebooks that do not say)")
    p_grade.add_argument("--chapters", help="the chapters assigned, e.g. 1-5 or 1,3: the gradebook's total counts "
                                            "them all (default: the chapters handed in)")
    p_grade.add_argument("--roster", type=Path, help="the class list exported from the LMS (CSV): names the "
                                                     "students and lists those with no submission")
    p_grade.add_argument("--format", choices=("plain", "canvas", "moodle"), default="plain",
                         help="the gradebook's layout (default plain; canvas and moodle import as they are)")
    p_grade.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default 1)")
    p_grade.add_argument("--shard", help="i/n: grade only the i-th of n slices of the class (for a job runner); "
                                         "merge the slices' CSVs with summarize")
    p_grade.add_argument("--feedback", type=Path, help="write a markdown feedback file per submission here")
    p_grade.add_argument("--no-merge", action="store_true", help="overwrite --out instead of merging into it")
    p_grade.add_argument("--no-sandbox", action="store_true",
                         help="run students' code without the bubblewrap sandbox (it can then read the answer key "
                              "and other students' files; the output and the gradebook say so)")
    p_sum = sub.add_parser("summarize", help="the gradebook again from grades CSVs whose written answers you have "
                                           "marked (several CSVs: the shards of one class)")
    p_sum.add_argument("grades", type=Path, nargs="+")
    p_sum.add_argument("--out", type=Path, help="the gradebook file (default: beside the first CSV)")
    p_sum.add_argument("--format", choices=("plain", "canvas", "moodle"), default="plain")
    p_sum.add_argument("--chapters", help="the chapters assigned, e.g. 1-5")
    p_sum.add_argument("--roster", type=Path, help="the class list exported from the LMS (CSV)")
    p_sum.add_argument("--feedback", type=Path, help="write the feedback files again here, with marks and comments")
    args = parser.parse_args(argv)

    try:
        if args.command == "refresh":
            for path in args.notebooks or all_notebooks(args.root):
                print(f"executing {path}", flush=True)
                refresh(Path(path), remeasure=args.remeasure)
        elif args.command == "exercises":
            for path in generate_exercises(args.root):
                print(f"wrote {path.relative_to(args.root)}")
        elif args.command == "check":
            found = problems(args.root)
            for line in found:
                print(f"stale: {line}")
            if found:
                return 1
            print(f"ok: {len(all_notebooks(args.root))} notebooks executed; exercises/ matches solutions/")
        elif args.command == "handout":
            files = handout(args.dest, args.root)
            print(f"wrote {len(files)} files to {args.dest}: the book package, chapters/, exercises/ and a README "
                  "with the students' setup command; no solutions")
        elif args.command == "summarize":
            from book import grading
            try:
                students = grading.read_roster(args.roster) if args.roster else None
                target = grading.summarize(args.grades, args.out, args.format, grading.parse_chapters(args.chapters),
                                           students, args.feedback)
            except (OSError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"wrote {target}" + (f" and the feedback files in {args.feedback}" if args.feedback else ""))
        elif args.command == "grade":
            from book import grading
            timeout = grading.DEFAULT_TIMEOUT_S if args.timeout is None else args.timeout
            return grading.main(args.submissions, args.out, timeout, args.chapter, max(1, args.jobs),
                                args.feedback, args.root, use_sandbox=not args.no_sandbox, roster=args.roster,
                                chapters=args.chapters, layout=args.format, which=args.shard,
                                merge=not args.no_merge)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
