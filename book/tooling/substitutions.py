"""Sphinx extension: MyST substitutions computed from the answer key, so that no page types a
fact the key already holds. ``{{ exercises_ch1 }}`` reads "exercises 1.1 to 1.8": the first and
last exercise of chapter 1 (parts such as 1.4a count as exercise 1.4). The instructor guide uses
them; a chapter that gains an exercise updates every page that names its range.
"""

from __future__ import annotations

import re


def exercise_ranges() -> dict[str, str]:
    """``exercises_chN`` -> "exercises N.1 to N.M" for every chapter in the answer key."""
    from book.answers import EXERCISES

    numbers: dict[int, list[tuple[int, int]]] = {}
    for item in EXERCISES.values():
        chapter, number = map(int, re.match(r"(\d+)\.(\d+)", item.id).groups())
        numbers.setdefault(chapter, []).append((chapter, number))
    return {f"exercises_ch{chapter}": "exercises {0}.{1} to {2}.{3}".format(*min(found), *max(found))
            for chapter, found in sorted(numbers.items())}


def _add(app, config) -> None:
    config.myst_substitutions = {**exercise_ranges(), **(config.myst_substitutions or {})}


def setup(app):
    app.connect("config-inited", _add)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
