"""The answer key ``book.checks.check`` reads, one module per chapter.

Each module ``chNN.py`` in this package defines ``EXERCISES``, a list of
``book.answers.exercise.Exercise`` records for chapter NN. A new chapter adds its own module;
nothing here lists the chapters, so no shared file is edited. Every expected value, hint and
likely mistake is a function that asks the ``book`` models when ``check`` runs.

The students' copy (``python -m book.notebooks handout``) has no chapter modules: it carries
``sealed.json`` instead, the same exercises with their feedback but without their answers
(``book.answers.sealed``), and this package loads that. ``SEALED`` says which key is loaded.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from book.answers.exercise import Exercise, Mistake, Tolerance

__all__ = ["EXERCISES", "SEALED", "Exercise", "Mistake", "Tolerance", "chapter_exercises", "chapters", "objectives"]

_CHAPTER_MODULE = re.compile(r"^ch(\d\d)$")


def _load() -> dict[str, Exercise]:
    key: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        match = _CHAPTER_MODULE.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for item in module.EXERCISES:
            if item.chapter != int(match.group(1)):
                raise ValueError(f"{info.name}: exercise {item.id} belongs to chapter {item.chapter}")
            if item.id in key:
                raise ValueError(f"{info.name}: exercise id {item.id} is used twice")
            key[item.id] = item
    return key


def _has_chapter_modules() -> bool:
    return any(_CHAPTER_MODULE.match(info.name) for info in pkgutil.iter_modules(__path__))


#: True in the students' copy, whose key is sealed (feedback without the answers)
SEALED = not _has_chapter_modules()

if SEALED:
    from book.answers.sealed import load_sealed

    _SEALED_EXERCISES, _SEALED_OBJECTIVES = load_sealed()
    #: every exercise of every chapter, by id ("1.1", "1.5a", ...), in chapter and notebook order
    EXERCISES = dict(_SEALED_EXERCISES)
else:
    EXERCISES: dict[str, Exercise] = _load()


def chapter_exercises(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in notebook order."""
    return [item for item in EXERCISES.values() if item.chapter == chapter]


def objectives(chapter: int) -> dict[int, tuple[str, ...]]:
    """The chapter's learning objectives, by number, each with the exercises that practise it."""
    if SEALED:
        return dict(_SEALED_OBJECTIVES.get(chapter, {}))
    module = importlib.import_module(f"{__name__}.ch{chapter:02d}")
    return dict(getattr(module, "OBJECTIVES", {}))


def chapters() -> list[int]:
    """The chapters that have exercises, in order."""
    return sorted({item.chapter for item in EXERCISES.values()})
