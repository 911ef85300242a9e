"""Reading what a class hands in: which file is whose, which chapter it is, and its answers.

* ``discover`` finds the notebooks in the paths an instructor gives and names their students, from
  the layouts an instructor meets: a folder per student; a Canvas bulk download (one flat folder,
  files named ``name_userid_fileid_file.ipynb``, with ``_LATE`` after the name when late);
  a Moodle download (a folder per student named ``Full Name_123456_assignsubmission_file``, or
  the same prefix on flat files); loose notebooks named after their students. Everything it
  passes over (a PDF, a notebook nested too deep, a hidden file) is listed with the reason.
* ``read_roster`` reads the class list an LMS exports (CSV), so submissions map to students and
  students with no submission are listed.
* ``answer_expressions`` reads each exercise's answer from the code the way Python reads it
  (``ast``): keyword arguments, statements after the check on the same line, comments ignored,
  the last check of an exercise counting.
"""

from __future__ import annotations

import ast
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Canvas (canvas-lms, lib/content_zipper.rb): ``lastfirst[_LATE]_userid_fileid_name.ipynb``; the
#: name is "Last, First" lowercased without spaces or punctuation; userid is the gradebook's "ID"
CANVAS = re.compile(r"^(?P<name>[a-z0-9_-]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<file_id>\d+)_(?P<file>.+)$", re.I)
#: Moodle: ``Full Name_123456_assignsubmission_file`` (a folder, with a trailing "_" before Moodle
#: 4.1), or that prefix on flat files; the number is the assignment's participant number (the
#: grading worksheet's "Participant 123456"), not the user id
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?:file|onlinetext)(?:_(?P<file>.*))?$")
_PREFIX = re.compile(r"^(\d\d)_")


@dataclass(frozen=True)
class Submission:
    """One student's notebook. ``student`` is the id the gradebook uses (the roster's, the LMS's
    user or participant id, or the folder's or file's name); ``name`` is for people."""

    student: str
    path: Path
    name: str = ""
    late: bool = False


@dataclass
class Found:
    """What ``discover`` found: the submissions, and each path it passed over with the reason."""

    submissions: list[Submission] = field(default_factory=list)
    ignored: list[tuple[Path, str]] = field(default_factory=list)


def _notebooks_in(folder: Path, found: Found) -> list[Path]:
    """The notebooks directly in ``folder``; anything else in it goes to ``found.ignored``."""
    notebooks = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == "__MACOSX":
            found.ignored.append((path, "hidden file or folder"))
        elif path.is_file() and path.suffix == ".ipynb":
            notebooks.append(path)
        elif path.is_dir():
            inner = sorted(path.rglob("*.ipynb"))
            found.ignored.append((path, f"a folder inside a student's folder ({len(inner)} notebooks in it); hand "
                                        "notebooks in at the top of the student's folder" if inner else
                                  "a folder with no notebook"))
        else:
            found.ignored.append((path, f"not a notebook ({path.suffix or 'no extension'})"))
    return notebooks


def _student_of_file(path: Path) -> Submission:
    canvas, moodle = CANVAS.match(path.name), MOODLE.match(path.name)
    if canvas and not _PREFIX.match(path.name):
        return Submission(canvas["user"], path, canvas["name"], bool(canvas["late"]))
    if moodle:
        return Submission(moodle["participant"], path, moodle["name"])
    return Submission(path.stem, path, path.stem)


def _student_of_folder(folder: Path) -> tuple[str, str]:
    moodle = MOODLE.match(folder.name)
    if moodle:
        return moodle["participant"], moodle["name"]
    return folder.name, folder.name


def discover(paths: list[Path]) -> Found:
    """Submissions from notebooks and folders (see the module's docstring).

    A folder given is a class when it holds sub-folders (one per student) or notebooks whose names
    follow an LMS's pattern (a Canvas or Moodle flat download); other loose notebooks in a class
    folder are students named after their files. A folder of plain notebooks with no sub-folders
    is one student's, named after the folder.
    """
    found = Found()
    for path in map(Path, paths):
        if not path.exists():
            found.ignored.append((path, "no such file or folder"))
        elif path.is_file():
            if path.suffix == ".ipynb":
                found.submissions.append(_student_of_file(path))
            else:
                found.ignored.append((path, f"not a notebook ({path.suffix or 'no extension'})"))
        else:
            entries = [p for p in sorted(path.iterdir()) if not p.name.startswith(".") and p.name != "__MACOSX"]
            folders = [p for p in entries if p.is_dir()]
            loose = [p for p in entries if p.is_file() and p.suffix == ".ipynb"]
            lms = any(CANVAS.match(p.name) or MOODLE.match(p.name) for p in loose)
            if not folders and not lms:  # one student's folder
                found.submissions += [Submission(path.name, notebook, path.name) for notebook in _notebooks_in(path, found)]
                continue
            for entry in sorted(path.iterdir()):
                if entry.name.startswith(".") or entry.name == "__MACOSX":
                    found.ignored.append((entry, "hidden file or folder"))
                elif entry.is_dir():
                    student, name = _student_of_folder(entry)
                    notebooks = _notebooks_in(entry, found)
                    if not notebooks:
                        found.ignored.append((entry, "a student's folder with no notebook in it"))
                    found.submissions += [Submission(student, notebook, name) for notebook in notebooks]
                elif entry.suffix == ".ipynb":
                    found.submissions.append(_student_of_file(entry))
                else:
                    found.ignored.append((entry, f"not a notebook ({entry.suffix or 'no extension'})"))
    return found


# --------------------------------------------------------------------------------------------
# the roster
# --------------------------------------------------------------------------------------------

#: roster columns that identify a student, in the order they are tried (Canvas's gradebook export:
#: ID = the user id its submission files carry; Moodle's grades export: ID number, Email address)
ID_COLUMNS = ("ID", "SIS User ID", "SIS Login ID", "ID number", "Identifier", "Username", "Email address",
              "Email", "student", "id")
NAME_COLUMNS = ("Student", "Full name", "name")


@dataclass(frozen=True)
class Student:
    """A roster row: the ids an LMS knows the student by, the name, and the row as exported."""

    ids: tuple[str, ...]
    name: str
    row: dict


def read_roster(path: Path) -> list[Student]:
    """The students of an LMS's exported class list (Canvas gradebook export, Moodle participants
    or grades export, or any CSV with a ``student`` or ``id`` column). A byte-order mark (Excel)
    is fine; Canvas's "Points Possible" row is skipped. Raises ValueError naming the file when no
    id column is found."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0]) if rows else []
    columns = [c for c in ID_COLUMNS if c in header]
    if not columns:
        raise ValueError(f"{path}: no column that identifies students (one of {', '.join(ID_COLUMNS)})")
    names = [c for c in NAME_COLUMNS if c in header]
    students = []
    for row in rows:
        first = str(row.get(names[0] if names else columns[0], "")).strip()
        if first.startswith("Points Possible") or first.startswith("Student, Test"):  # Canvas's extra rows
            continue
        ids = tuple(str(row[c]).strip() for c in columns if str(row.get(c) or "").strip())
        if not ids:
            continue
        if "First name" in row and "Surname" in row and not names:
            name = f"{row['First name']} {row['Surname']}".strip()
        else:
            name = str(row[names[0]]).strip() if names else ids[0]
        students.append(Student(ids, name, row))
    return students


def match_roster(submissions: list[Submission], roster: list[Student]) -> tuple[list[Submission], list[str]]:
    """Submissions renamed to their roster student's first id (matched by any id, or by name), and
    a warning for each submission the roster does not know."""
    by_id = {key.casefold(): student for student in roster for key in student.ids}
    by_name = {re.sub(r"[^a-z0-9]", "", s.name.casefold()): s for s in roster}
    out, warnings = [], []
    for submission in submissions:
        student = by_id.get(submission.student.casefold()) or by_name.get(
            re.sub(r"[^a-z0-9]", "", (submission.name or submission.student).casefold()))
        if student is None:
            warnings.append(f"{submission.path.name}: student {submission.student!r} is not on the roster")
            out.append(submission)
        else:
            out.append(Submission(student.ids[0], submission.path, student.name, submission.late))
    return out, warnings


# --------------------------------------------------------------------------------------------
# one notebook
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


def _python_of(source: str) -> str:
    """A cell's code as Python (IPython's ``%magics`` and ``!commands`` translated)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot read is read as it is
        return source


def _check_calls(source: str) -> list[tuple[str, str]]:
    """(exercise id, answer expression) of every ``check(...)`` call in a cell, in reading order."""
    try:
        tree = ast.parse(_python_of(source))
    except (SyntaxError, ValueError):
        return []
    calls = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == "check")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "check"))):
            continue
        arguments = list(node.args) + [None] * 2
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        exercise = keywords.get("exercise_id", arguments[0])
        answer = keywords.get("answer", arguments[1] if len(node.args) >= 2 else None)
        if isinstance(exercise, ast.Constant) and isinstance(exercise.value, str) and answer is not None:
            key = exercise.value.strip()
            if re.fullmatch(r"\d+\.\d+[a-z]?", key, re.I):
                calls.append(((node.lineno, node.col_offset), key.lower(), ast.unparse(answer)))
    return [(key, expression) for _, key, expression in sorted(calls)]


def answer_expressions(nb: nbformat.NotebookNode) -> dict[str, str]:
    """For each exercise, the expression passed by its last ``check("id", ...)`` call in the
    notebook (as Python parses the cells: ``answer=`` keywords and code after the call count,
    comments do not)."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            for key, expression in _check_calls(str(cell.get("source", ""))):
                found[key] = expression
    return found


def check_chapters(nb: nbformat.NotebookNode) -> set[int]:
    """The chapters the notebook's check lines belong to."""
    return {int(key.split(".")[0]) for key in answer_expressions(nb)}


def find_chapter(nb: nbformat.NotebookNode, path: Path, expected: int | None) -> tuple[int | None, list[str]]:
    """The notebook's chapter from its metadata, its file name, its check lines or ``expected``,
    with warnings for what an instructor should know."""
    warnings = []
    meta = nb.metadata.get("book", {}).get("chapter") if isinstance(nb.metadata.get("book"), dict) else None
    canvas = CANVAS.match(Path(path).name) or MOODLE.match(Path(path).name)
    name = (canvas["file"] or "") if canvas else Path(path).name
    prefix = _PREFIX.match(name)
    from_name = int(prefix.group(1)) if prefix else None
    from_checks = check_chapters(nb)
    chapter = meta if isinstance(meta, int) and not isinstance(meta, bool) else None
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
