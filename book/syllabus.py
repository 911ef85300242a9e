"""What an instructor plans with: each chapter's objectives, the exercises that practise them, and
the time a student needs, read from the chapters, the exercise notebooks and the answer key (so
the instructors' page never disagrees with them). Standard library only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from book.answers import chapter_exercises, objectives

ROOT = Path(__file__).resolve().parent.parent

#: reading speed for study text, words a minute (the book's MyST setting, ``words_per_minute``)
WORDS_PER_MINUTE = 200

_OBJECTIVE = re.compile(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", re.M | re.S)
_TERM = re.compile(r"\{term\}`([^`<]*?)\s*(?:<[^>]*>)?`")
_TOTAL_TIME = re.compile(r"\*\*Time:\*\*\s+about\s+(\d+)\s+minutes")
#: the whole opening sentence ``totals_sentence`` writes
TOTALS = re.compile(r"\*\*Time:\*\* about \d+ minutes in all\. \*\*Points:\*\* \d+ \(\d+ of them for written answers\)\.")
_EXERCISE_TIME = re.compile(r"\*\*Time:\*\*\s+(\d+)\s+minutes")
_EXERCISE_HEAD = re.compile(r"^## Exercise (\d+\.\d+)\b", re.M)


def _cells(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def chapter_path(chapter: int, folder: str = "chapters", root: Path = ROOT) -> Path:
    """The chapter's notebook in ``folder`` (``chapters``, ``exercises`` or ``solutions``)."""
    found = sorted((Path(root) / folder).glob(f"{chapter:02d}_*.ipynb"))
    if not found:
        raise KeyError(f"no notebook for chapter {chapter} in {folder}/")
    return found[0]


def chapters(root: Path = ROOT) -> list[int]:
    """The chapters that have both a chapter notebook and exercises, in order."""
    numbers = {int(p.name[:2]) for p in (Path(root) / "chapters").glob("[0-9][0-9]_*.ipynb")}
    return sorted(n for n in numbers if (Path(root) / "exercises").glob(f"{n:02d}_*.ipynb") and chapter_exercises(n))


def title(chapter: int, root: Path = ROOT) -> str:
    """The chapter's title, its first heading."""
    first = _source(_cells(chapter_path(chapter, root=root))[0])
    return first.splitlines()[0].lstrip("# ").strip()


_GLUE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")


def glued(cells: list[dict]) -> dict[str, str]:
    """The values a notebook glues into its prose (myst-nb's records in the outputs), as text."""
    found = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            value = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and value is not None:
                found[name] = _source({"source": value})
    return found


def _unglue(text: str, values: dict[str, str]) -> str:
    """``{glue:text}`share:.0%``` -> "15%": the glued value, formatted as the page shows it."""
    def one(match: re.Match) -> str:
        raw = values.get(match.group(1))
        if raw is None:
            return match.group(0)
        try:
            return format(float(raw), match.group(2) or "")
        except ValueError:
            return raw.strip("'\"")
    return _GLUE.sub(one, text)


def objective_texts(chapter: int, root: Path = ROOT) -> dict[int, str]:
    """The learning objectives as the chapter states them, by number, in plain text (glossary links
    and glued numbers as the page shows them)."""
    cells = _cells(chapter_path(chapter, root=root))
    intro = _source(cells[0])
    listed = re.search(r"After this chapter you can:\n(.*?)```", intro, re.S)
    if not listed:
        return {}
    values = glued(cells)
    texts = {}
    for number, text in _OBJECTIVE.findall(listed.group(1)):
        text = _unglue(_TERM.sub(lambda m: m.group(1), " ".join(text.split())), values)
        text = re.sub(r"\*([^*]+)\*", r"\1", text)  # emphasis marks: plain text in a table
        texts[int(number)] = text.replace("\\$", "$").rstrip(";.")
    return texts


def reading_minutes(chapter: int, root: Path = ROOT) -> float:
    """Minutes to read the chapter's prose at ``WORDS_PER_MINUTE`` (its markdown cells)."""
    words = sum(len(_source(c).split()) for c in _cells(chapter_path(chapter, root=root))
                if c.get("cell_type") == "markdown")
    return words / WORDS_PER_MINUTE


def stated_times(text: str) -> dict[str, int]:
    """Each exercise's stated time in minutes (``**Time:** 10 minutes`` under ``## Exercise 1.2``),
    from an exercise notebook's markdown."""
    heads = list(_EXERCISE_HEAD.finditer(text))
    each = {}
    for head, following in zip(heads, heads[1:] + [None]):
        section = text[head.end():following.start() if following else len(text)]
        found = _EXERCISE_TIME.search(section)
        if found:
            each[head.group(1)] = int(found.group(1))
    return each


def totals_sentence(chapter: int, text: str) -> str:
    """The sentence an exercise notebook opens with, from its exercises' stated times and the
    answer key's points: "**Time:** about 75 minutes in all. **Points:** 27 (11 of them for written
    answers)." (``python -m book.notebooks exercises`` writes it; nobody types it)."""
    items = chapter_exercises(chapter)
    points = sum(item.points for item in items)
    written = sum(item.points for item in items if item.graded_by_hand)
    return (f"**Time:** about {sum(stated_times(text).values())} minutes in all. **Points:** {points} "
            f"({written} of them for written answers).")


def exercise_minutes(chapter: int, root: Path = ROOT) -> tuple[int | None, dict[str, int]]:
    """The exercise notebook's stated total time, and each exercise's stated time (minutes)."""
    text = "\n".join(_source(c) for c in _cells(chapter_path(chapter, "exercises", root)) if c.get("cell_type") == "markdown")
    total = _TOTAL_TIME.search(text)
    return (int(total.group(1)) if total else None), stated_times(text)


@dataclass(frozen=True)
class Outcome:
    chapter: int
    number: int
    text: str
    exercises: tuple[str, ...]
    points: int


def outcomes(chapter: int, root: Path = ROOT) -> list[Outcome]:
    """Each objective with the exercises that practise it and their points."""
    points = {item.id: item.points for item in chapter_exercises(chapter)}
    texts = objective_texts(chapter, root)
    return [Outcome(chapter, number, texts.get(number, ""), keys, sum(points[k] for k in keys))
            for number, keys in sorted(objectives(chapter).items())]
