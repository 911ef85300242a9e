"""What ``check`` needs to judge one answer: the ``Exercise`` record, its tolerance and the
likely mistakes it recognises.

Expected values, hints and mistakes are functions that ask the ``book`` models when ``check``
runs, so a corrected figure in ``book/data/`` corrects the key, its hints and its mistakes too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from book.language import _, number_text, numbers_in, translate

KINDS = ("number", "choice", "bool", "text")

def text_of(value: str | Callable[[], str]) -> str:
    """The text of a hint or message that may be computed from the models."""
    return value() if callable(value) else value


def fmt(value: float) -> str:
    """A number as a student reads it: 4,992 or 2.91 or 0.00412 or 1,998,848 (whole numbers in
    full, others to four significant figures, very large or small ones in scientific notation)."""
    if (value == 0 or 1 <= abs(value) < 1e15) and abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


@dataclass(frozen=True)
class Tolerance:
    """How close a numeric answer must be, and how that is said to the student.

    * ``Tolerance.relative(0.01)``: within 1% either side (the default);
    * ``Tolerance.absolute(0.5)``: within 0.5 units either side;
    * ``Tolerance.at_least(1.0)``: a *boundary* answer, "the smallest value the rule catches":
      correct from the expected value up to (not including) 1 unit above it, wrong below it,
      however close, because a value below the line is on the other side of it;
    * ``Tolerance.at_most(1.0)``: the mirror image, "the largest number that still fits": correct
      from just above 1 unit below the expected value up to it, wrong above it;
    * ``Tolerance.exact()``: a value on a grid (a whole batch size, a slider's step of 0.01):
      only that value counts (up to floating-point rounding, a billionth of it).
    """

    kind: str = "relative"
    amount: float = 0.01

    @classmethod
    def relative(cls, fraction: float) -> Tolerance:
        return cls("relative", fraction)

    @classmethod
    def absolute(cls, amount: float) -> Tolerance:
        return cls("absolute", amount)

    @classmethod
    def at_least(cls, margin: float) -> Tolerance:
        return cls("at least", margin)

    @classmethod
    def at_most(cls, margin: float) -> Tolerance:
        return cls("at most", margin)

    @classmethod
    def exact(cls) -> Tolerance:
        return cls("exact", 1e-9)

    def __post_init__(self) -> None:
        if self.kind not in ("relative", "absolute", "at least", "at most", "exact"):
            raise ValueError(f"kind must be 'relative', 'absolute', 'at least', 'at most' or 'exact', "
                             f"got {self.kind!r}")
        if not (isinstance(self.amount, (int, float)) and math.isfinite(self.amount) and self.amount > 0):
            raise ValueError(f"amount must be a positive number, got {self.amount!r}")

    def accepts(self, value: float, expected: float) -> bool:
        if self.kind == "relative":
            return abs(value - expected) <= self.amount * abs(expected)
        if self.kind == "absolute":
            return abs(value - expected) <= self.amount
        if self.kind == "exact":
            return abs(value - expected) <= self.amount * max(1.0, abs(expected))
        if self.kind == "at most":
            return expected - self.amount < value <= expected
        return expected <= value < expected + self.amount

    def describe(self, unit: str = "") -> str:
        """The tolerance in words, for the exercise text and every verdict."""
        # "less than 1 conversation", not "1 conversations"
        counted = unit[:-1] if self.amount == 1 and unit in ("chips", "cards", "conversations", "years", "days",
                                                             "months") else unit
        amount = number_text(fmt(self.amount)) + (f" {translate(counted)}" if counted else "")
        if self.kind == "relative":
            return _("within {amount}").format(amount=numbers_in(f"{self.amount:.0%}"))
        if self.kind == "absolute":
            return _("within {amount}").format(amount=amount)
        if self.kind == "exact":
            return _("exactly")
        if self.kind == "at most":
            return _("at the limit or less than {amount} below it, never above it").format(amount=amount)
        return _("from the line to less than {amount} above it, never below it").format(amount=amount)


#: how close a wrong answer must be to a mistake's value for its hint to fire (relative)
MISTAKE_WINDOW = 0.025


@dataclass(frozen=True)
class Mistake:
    """A likely wrong answer, computed from the models, and the hint that fits it.

    ``check`` compares a wrong numeric answer with each mistake's value (within
    ``MISTAKE_WINDOW``, so a rounded slip such as 17 for 17.3% still matches) and, on a match,
    puts the mistake's hint first. Each exercise lists only the mistakes that make sense
    for it (a sparsity figure for a TPP, a reciprocal for a ratio...).
    """

    value: Callable[[], float]
    hint: str | Callable[[], str]


class ExerciseInfo:
    """What every exercise record says about itself, from its id, unit and kind (the real key's
    ``Exercise`` and the students' copy's ``SealedExercise`` alike)."""

    id: str
    kind: str
    unit: str

    @property
    def chapter(self) -> int:
        """The chapter number: the part of the id before the first dot ("1.5a" -> 1)."""
        return int(self.id.split(".")[0])

    @property
    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""

    @property
    def graded_by_hand(self) -> bool:
        """Written answers: ``check`` records them; a person awards their points."""
        return self.kind == "text"


@dataclass(frozen=True)
class Exercise(ExerciseInfo):
    """One exercise of an exercise notebook, as ``check`` sees it."""

    id: str
    title: str
    kind: str
    expected: Callable[[], object] = lambda: None
    hint: str | Callable[[], str] = ""
    points: int = 1
    tolerance: Tolerance = field(default_factory=Tolerance)
    unit: str = ""
    choices: tuple[str, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    #: for choice exercises: answers outside the options that deserve a hint, not "wrong kind"
    #: (e.g. "not controlled" where the question asks which clause decides)
    near_misses: dict[str, str] = field(default_factory=dict)
    #: for choice exercises: other spellings of an option ("IB" for "InfiniBand between nodes")
    aliases: dict[str, str] = field(default_factory=dict)
    min_words: int = 40
    #: for written answers: idea -> words whose presence suggests the idea is covered
    rubric: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"exercise {self.id}: a choice exercise needs choices")
        if not isinstance(self.points, int) or self.points < 0:
            raise ValueError(f"points must be a whole number >= 0, got {self.points!r}")

    @property
    def hint_text(self) -> str:
        return text_of(self.hint)

    def judge_number(self, value: float) -> tuple[bool, list[str]]:
        """Whether ``value`` is accepted; if not, the hints of the likely mistakes it matches (the
        students' copy judges the same way from hashes: ``book.answers.sealed``). A value next to
        a one-sided range gets no hint of its own: "just over the limit" would give the answer away."""
        expected = float(self.expected())
        if self.tolerance.accepts(value, expected):
            return True, []
        # (on a grid, a likely mistake is one exact value: its neighbours need the general hint)
        window = 1e-9 if self.tolerance.kind == "exact" else MISTAKE_WINDOW
        return False, [text_of(m.hint) for m in self.mistakes if math.isclose(value, float(m.value()), rel_tol=window)]

    def is_expected_option(self, option: str) -> bool:
        """Whether ``option`` (an option as ``book.checks.normalise_choice`` writes it, or "True" /
        "False") is the right answer."""
        from book.checks import normalise_choice

        if self.kind == "bool":
            return option == str(bool(self.expected()))
        return option == normalise_choice(str(self.expected()))
