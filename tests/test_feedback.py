"""Feedback a student can trust: numbers in any numeric type, no hint said twice, and a progress
table with points (``book.checks.progress``)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from book import checks
from book.answers import EXERCISES, chapter_exercises
from book.checks import check, progress


@pytest.mark.parametrize("answer", [Decimal("4992"), np.array(4992.0), np.float32(4992), np.int64(4992),
                                    Fraction(4992, 1), np.array([[4992.0]]).squeeze()])
def test_any_numeric_type_counts_as_a_number(answer):
    assert check("1.1", answer).status == "correct"


@pytest.mark.parametrize("answer", [np.array([4992.0, 1.0]), Decimal("NaN"), Decimal("1e400"), 4992 + 0j,
                                    np.array(4992 + 0j)])
def test_what_is_not_one_real_number_is_said_to_be_so(answer):
    result = check("1.1", answer)
    assert result.status == "invalid" and result.message


def test_no_hint_repeats_itself():
    for item in EXERCISES.values():
        if item.kind != "number":
            continue
        for mistake in item.mistakes:
            message = check(item.id, float(mistake.value())).message
            sentences = [s.strip() for s in message.replace("Hint:", ".").split(". ") if len(s.strip()) > 20]
            assert len(sentences) == len(set(sentences)), (item.id, message)


def test_progress_shows_where_a_student_stands(monkeypatch):
    monkeypatch.setattr(checks, "_RESULTS", [])
    check("1.1", 4992)
    check("1.2", 1)
    check("1.2", EXERCISES["1.2"].expected())  # the latest verdict counts
    check("1.4c", "word " * 60)
    found = progress()
    items = chapter_exercises(1)
    assert found.chapter == 1 and [s.exercise_id for s in found] == [item.id for item in items]
    by = {s.exercise_id: s for s in found}
    assert by["1.1"].points == EXERCISES["1.1"].points and by["1.2"].status == "correct"
    assert by["1.3"].status == "unanswered" and by["1.3"].points == 0
    assert by["1.4c"].points is None  # a written answer: marked by the instructor
    automatic = sum(item.points for item in items if not item.graded_by_hand)
    assert found.earned == EXERCISES["1.1"].points + EXERCISES["1.2"].points and found.available == automatic
    text = str(found)
    assert f"of the {automatic} points check() judges" in text and "Stuck?" in text
    assert "<table>" in found._repr_html_() and "1.4c" in found._repr_html_()
    assert progress(2).chapter == 2 and progress(2).earned == 0


def test_results_shows_where_a_student_stands(monkeypatch):
    monkeypatch.setattr(checks, "_RESULTS", [])
    check("1.1", 4992)
    found = checks.results()
    assert [r.status for r in found] == ["correct"]  # still the list of verdicts
    assert repr(found) == str(progress(1)) and "of the" in repr(found) and "1.1" in found._repr_html_()
