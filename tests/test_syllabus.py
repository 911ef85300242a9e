"""The planning figures on the instructors' page (book.syllabus), read from the notebooks."""

from __future__ import annotations

import pytest

from book import syllabus
from book.answers import chapter_exercises


def test_every_chapter_with_exercises_is_planned():
    assert syllabus.chapters() == [1, 2, 3, 4, 5]
    assert syllabus.title(4) == "Democratization and diffusion"


@pytest.mark.parametrize("chapter", [1, 2, 3, 4, 5])
def test_stated_exercise_time_is_the_sum_of_the_exercises(chapter):
    total, each = syllabus.exercise_minutes(chapter)
    numbers = sorted({item.id.rstrip("abcdefgh") for item in chapter_exercises(chapter)})
    assert sorted(each) == numbers  # every exercise states its time
    assert total == sum(each.values())


@pytest.mark.parametrize("chapter", [1, 2, 3, 4, 5])
def test_outcomes_carry_the_chapters_own_words_and_points(chapter):
    found = syllabus.outcomes(chapter)
    assert [o.number for o in found] == list(range(1, len(found) + 1)) and len(found) >= 3
    assert all(o.text and "{term}" not in o.text and "{glue" not in o.text and "*" not in o.text and o.points > 0
               for o in found)
    assert 5 < syllabus.reading_minutes(chapter) < 60


def test_unknown_chapter():
    with pytest.raises(KeyError, match="chapter 9"):
        syllabus.chapter_path(9)
