"""Feedback on exercise answers: ``check("1.1", answer)``.

``check`` prints one short verdict and never raises on a student's answer:

* **not answered yet** - the answer is still ``None`` (or an empty string);
* **correct** - within the stated tolerance of the value the ``book`` models compute;
* **wrong** - with a hint that points at the idea, not at the number;
* **needs a different kind of answer** - e.g. text where a number is wanted, with an explanation;
* **recorded** - for written answers, which a person must read; the feedback lists the ideas a
  strong answer usually covers.

Every verdict is also a ``CheckResult`` (returned by ``check`` and collected in ``results()``),
and when the environment variable ``BOOK_CHECK_LOG`` names a file, each verdict is appended to it
as one JSON line (a record for the student's own tools). The instructor's grader does not read it:
it judges each exercise's final answer itself with ``verdict`` (see ``book.grading``).

The expected values live in ``book.answers``, one module per chapter; they are computed by the
models at check time, never copied in as literals.
"""

from __future__ import annotations

import decimal
import difflib
import json
import math
import numbers
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import re

from book.answers.exercise import fmt
from book.language import N_, _, in_language, language, number_text, numbers_in, read_number, translate

if TYPE_CHECKING:
    from book.answers.exercise import Exercise

UNANSWERED = "unanswered"
CORRECT = "correct"
WRONG = "wrong"
INVALID = "invalid"
RECORDED = "recorded"
UNKNOWN = "unknown-exercise"
ERROR = "error"
#: every verdict ``check`` can give (the grader reads these names too)
VERDICTS = (UNANSWERED, CORRECT, WRONG, INVALID, RECORDED, UNKNOWN, ERROR)

LOG_ENV = "BOOK_CHECK_LOG"

_LABEL = {
    UNANSWERED: N_("Not answered yet"),
    CORRECT: N_("Correct"),
    WRONG: N_("Not quite"),
    INVALID: N_("Needs a different kind of answer"),
    RECORDED: N_("Recorded"),
    UNKNOWN: N_("Unknown exercise"),
    ERROR: N_("Could not check"),
}


@dataclass(frozen=True)
class CheckResult:
    """One verdict, machine-readable: ``result.to_dict()`` or ``result.to_json()``."""

    exercise_id: str
    status: str
    message: str
    answer: str

    @property
    def passed(self) -> bool:
        return self.status in (CORRECT, RECORDED)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def __str__(self) -> str:
        return f"[{self.exercise_id}] {_(_LABEL.get(self.status, self.status))}: {self.message}"

    def _ipython_display_(self) -> None:
        """``check`` already printed the verdict; do not show the record a second time."""


_RESULTS: list[CheckResult] = []


class Results(list):
    """Every verdict given in this session, oldest first; shown in a notebook as where you stand
    (``progress``: each exercise of the chapter with its status and points, and the total)."""

    def __repr__(self) -> str:
        return str(progress())

    def _repr_html_(self) -> str:
        return progress()._repr_html_()


def results() -> Results:
    """Every verdict given in this session, oldest first (a list of ``CheckResult``); displayed,
    it shows where you stand in the chapter you checked last (``progress``)."""
    return Results(_RESULTS)


@dataclass(frozen=True)
class Standing:
    """One exercise in ``progress``: its latest verdict and its points."""

    exercise_id: str
    title: str
    status: str
    points: float | None  # None: a written answer your instructor will mark
    max_points: int
    by_hand: bool = False


class Progress(tuple):
    """Where a student stands in a chapter: one ``Standing`` per exercise, in notebook order, and
    the totals. Shown in a notebook as a table; ``str()`` gives the same as text."""

    chapter: int | None = None

    @property
    def earned(self) -> float:
        return sum(s.points or 0 for s in self)

    @property
    def available(self) -> int:
        """Points ``check`` can judge (written answers are marked by a person)."""
        return sum(s.max_points for s in self if not s.by_hand)

    @property
    def written(self) -> int:
        return sum(s.max_points for s in self if s.by_hand)

    def _line(self, s: Standing) -> tuple[str, str, str]:
        if s.points is None:
            points = _("- of {max} (your instructor marks it)").format(max=s.max_points)
        else:
            points = _("{points} of {max}").format(points=numbers_in(f"{s.points:g}"), max=s.max_points)
        return s.exercise_id, _(_LABEL.get(s.status, s.status)), points

    def _head(self) -> str:
        return _("Chapter {number}: ").format(number=self.chapter) if self.chapter else ""

    def summary(self) -> str:
        done = sum(s.status in (CORRECT, RECORDED) for s in self)
        handed = [s for s in self if s.by_hand]
        written = (" " + _("Written answers ({points} points) are marked by your instructor: {recorded} of {count} "
                             "recorded.").format(points=self.written, recorded=sum(s.status == RECORDED for s in handed),
                                                 count=len(handed))) if handed else ""
        return _("{done} of {count} exercises done; {earned} of the {available} points check() judges.").format(
            done=done, count=len(self), earned=numbers_in(f"{self.earned:g}"), available=self.available) + written

    def __str__(self) -> str:
        rows = [f"  {a:<6} {b:<33} {c}" for a, b, c in map(self._line, self)]
        return "\n".join([self._head() + self.summary(), *rows, _(HELP)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td><td style='text-align:right'>{escape(c)}"
                       "</td></tr>" for a, b, c in map(self._line, self))
        return (f"<p><strong>{escape(self._head() + self.summary())}</strong></p><table><thead><tr><th>{_('Exercise')}</th>"
                f"<th>{_('Status')}</th><th style='text-align:right'>{_('Points')}</th></tr></thead><tbody>{rows}"
                f"</tbody></table><p>{escape(_(HELP))}</p>")


#: where a student gets help: printed under every progress table
HELP = N_("Stuck? Read the hint again and the chapter's section it points to; the glossary explains each term. "
          "Then ask your instructor or your study group: bring the exercise number and what you tried.")


def progress(chapter: int | None = None) -> Progress:
    """Where you stand: for each exercise of ``chapter`` (by default the chapter you checked most
    recently), the latest verdict and the points it earns, and the chapter's totals. An exercise
    never checked counts as not answered yet."""
    from book.answers import EXERCISES, chapter_exercises

    latest = {result.exercise_id: result for result in _RESULTS}
    if chapter is None:
        known = [EXERCISES[key].chapter for key in latest if key in EXERCISES]
        chapter = known[-1] if known else None
    items = chapter_exercises(chapter) if chapter is not None else []
    standings = []
    for item in items:
        status = latest[item.id].status if item.id in latest else UNANSWERED
        if item.graded_by_hand and status == RECORDED:
            points = None
        else:
            points = item.points if status == CORRECT else 0
        standings.append(Standing(item.id, item.title, status, points, item.points, item.graded_by_hand))
    found = Progress(standings)
    found.chapter = chapter
    return found


def _short(answer: object, limit: int = 200) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_number(answer: object) -> float | None:
    """A real number from an int, a float, a ``Decimal``, a ``Fraction``, a NumPy scalar or a NumPy
    array holding one number (``np.float64(3)``, ``np.array(3.0)``); None for anything else (bools
    and complex numbers excluded)."""
    if isinstance(answer, bool) or isinstance(answer, numbers.Complex) and not isinstance(answer, numbers.Real):
        return None
    if not isinstance(answer, (numbers.Real, decimal.Decimal)):
        shape = getattr(answer, "shape", None)
        if shape != () or not hasattr(answer, "__float__") or "complex" in str(getattr(answer, "dtype", "")):
            return None  # a list, a text, an array of several numbers...
    try:
        value = float(answer)  # type: ignore[arg-type]
    except (OverflowError, TypeError, ValueError, decimal.InvalidOperation):
        return None
    return value if math.isfinite(value) else None


def _type_name(answer: object) -> str:
    names = {int: _("a whole number"), float: _("a decimal number"), str: _("text"), bool: _("True/False"),
             list: _("a list"), tuple: _("a tuple (several values separated by commas)"), dict: _("a dictionary"),
             set: _("a set"), type(None): _("None")}
    return names.get(type(answer), _("a value of type {name}").format(name=type(answer).__name__))


def _in_units(item: Exercise) -> str:
    return _(" (in {unit})").format(unit=translate(item.unit)) if item.unit else ""


def _is_decimal_pair(answer: object) -> bool:
    """Whether ``answer`` is what Python makes of a number typed with a comma, 1,5 or 4,992: a pair of
    whole numbers, the second not negative."""
    return (isinstance(answer, tuple) and len(answer) == 2 and all(type(part) is int for part in answer)
            and answer[1] >= 0)


def _not_a_number(item: Exercise, answer: object) -> str:
    """Why ``answer`` is not a number this exercise can judge, in words a beginner can act on."""
    if isinstance(answer, str):
        digits = answer.strip().replace(",", "").replace("_", "")  # (German notation was read already)
        try:
            float(digits)
        except ValueError:
            return _("this exercise wants a number{in_units}, but got the text {answer}.").format(
                in_units=_in_units(item), answer=repr(answer))
        return _("{answer} is text that looks like a number. Write it without quotes and without thousands "
                 "separators, e.g. {digits}, so Python treats it as a number.").format(answer=repr(answer),
                                                                                         digits=digits)
    if isinstance(answer, bool):
        return _("this exercise wants a number, not True or False.")
    if _is_decimal_pair(answer) and language() != "de":  # (a German session reads it as 1,5)
        return _("Python read {answer} as two numbers: a comma inside a number splits it. Write it without the "
                 "comma, e.g. {joined}.").format(answer=repr(answer), joined=f"{answer[0]}{answer[1]:03d}")
    if isinstance(answer, numbers.Real):  # nan, infinity, or too large for a float
        return _("this exercise wants a finite number of a sensible size (not nan, infinity or 10**400).")
    return _("this exercise wants a single number{in_units}, but got {kind}.").format(in_units=_in_units(item),
                                                                                     kind=_type_name(answer))


def _shown(item: Exercise, value: float) -> str:
    """The answer with its unit: "54.2 days"; a unit that is a scale ("× 10²⁴ FLOPs") in brackets,
    so that a raw 3.29e+24 does not read as 3.29e+24 × 10²⁴."""
    if item.unit.startswith("×") and abs(value) >= 1e6:
        return f"{number_text(fmt(value))} ({translate(item.unit)})"
    if value == 1 and item.unit in ("chips", "cards", "conversations", "H20s", "times", "years", "days", "months"):
        return f"1 {translate(item.unit[:-1])}"  # "1 card", not "1 cards"
    return number_text(fmt(value)) + (f" {translate(item.unit)}" if item.unit else "")


def _typed_the_german_way(answer: object) -> tuple[float | None, str]:
    """In a German session, a number typed in German notation: as text ("1,5", "15.832", or either
    notation, ``read_number``), or 1,5 without quotes, which Python reads as the pair (1, 5). The
    number (None if the answer is neither) and a note for the feedback on how it was read, where
    the reader could have meant something else."""
    if language() != "de":
        return None, ""
    if isinstance(answer, str):
        value = read_number(answer)
        english = in_language("en", read_number, answer)
        if value is None or english is None or english == value:
            return value, ""
        # "2.910", "4,992": German notation reads them otherwise than English does
        return value, _("The text {answer} was read in German notation, as {value}: the comma marks the "
                        "decimals, the point separates thousands.").format(
            answer=repr(answer), value=number_text(repr(value).removesuffix(".0"))) + " "
    if _is_decimal_pair(answer):
        decimal = f"{answer[0]}.{answer[1]}"
        return float(decimal), _("Python read {typed} as two numbers, {first} and {second}; counted as the "
                                 "decimal {value}. In Python code, write a decimal with a point and without "
                                 "quotes: {python}.").format(
            typed=number_text(decimal), first=answer[0], second=answer[1], value=number_text(decimal),
            python=decimal) + " "
    return None, ""


def _check_number(item: Exercise, answer: object) -> tuple[str, str]:
    value, note = _as_number(answer), ""
    if value is None:  # how it was read comes first, so the verdict that follows makes sense
        value, note = _typed_the_german_way(answer)
    if value is None or not math.isfinite(value):
        return INVALID, _not_a_number(item, answer)
    stated = item.tolerance.describe(item.unit)
    accepted, hints = item.judge_number(value)
    if accepted:
        return CORRECT, note + _("{value} matches the model ({tolerance}).").format(value=_shown(item, value),
                                                                                 tolerance=stated)
    # a recognised mistake's hint first, then the exercise's own (once, if they say the same)
    hint = " ".join(dict.fromkeys(translate(text) for text in [*hints[:1], item.hint_text]))
    return WRONG, note + _("{value} is not the expected value (answers count {tolerance}). Hint: {hint}").format(
        value=_shown(item, value), tolerance=stated, hint=hint)


def normalise_choice(text: str) -> str:
    """'3A090.a.1', '3a090 A.1', 'a1.' and 'a.1' agree; so do 'Note 2' and 'Note 2 to 3A090'."""
    folded = "".join(text.casefold().split()).rstrip(".")
    if folded.startswith("3a090"):
        folded = folded[len("3a090"):]
    folded = folded.replace(".", "")
    if folded.endswith("to3a090"):
        folded = folded[: -len("to3a090")]
    return folded


def _check_choice(item: Exercise, answer: object) -> tuple[str, str]:
    if isinstance(answer, bool) and item.kind == "bool":
        if item.is_expected_option(str(answer)):
            return CORRECT, _("{answer} is right.").format(answer=answer)
        return WRONG, _("{answer} is not right. Hint: {hint}").format(answer=answer, hint=translate(item.hint_text))
    if item.kind == "bool":
        if isinstance(answer, str) and answer.strip().casefold() in ("true", "false"):
            word = answer.strip().capitalize()
            return INVALID, _("write {word} without quotes: {answer} in quotes is text, not True/False.").format(
                word=word, answer=repr(answer))
        return INVALID, _("this exercise wants True or False (without quotes), but got {kind}.").format(
            kind=_type_name(answer))
    options = ", ".join(repr(o) for o in item.choices)
    if not isinstance(answer, str):
        return INVALID, _("this exercise wants one of the texts {options} (in quotes), but got {kind}.").format(
            options=options, kind=_type_name(answer))
    given = normalise_choice(answer)
    allowed = {normalise_choice(option): option for option in item.choices}
    allowed.update({normalise_choice(alias): option for alias, option in item.aliases.items()})
    if given not in allowed:
        near = {normalise_choice(key): hint for key, hint in item.near_misses.items()}
        if given in near:
            return WRONG, _("{answer} is not one of the options ({options}). Hint: {hint}").format(
                answer=repr(answer), options=options, hint=translate(near[given]))
        return INVALID, _("{answer} is not one of the options: {options}.").format(answer=repr(answer),
                                                                                  options=options)
    if item.is_expected_option(normalise_choice(allowed[given])):
        return CORRECT, _("{answer} is right.").format(answer=repr(allowed[given]))
    return WRONG, _("{answer} is not right. Hint: {hint}").format(answer=repr(allowed[given]),
                                                                  hint=translate(item.hint_text))


def _check_text(item: Exercise, answer: object) -> tuple[str, str]:
    """A written answer is recorded for the instructor, who marks it. ``check`` only counts its words;
    it says so, and lists the ideas the exercise asks for as a reminder, never as a verdict."""
    if not isinstance(answer, str):
        return INVALID, _("this exercise wants a written answer as text (in quotes), but got {kind}.").format(
            kind=_type_name(answer))
    words = len(answer.split())
    asks = (" " + _("A strong answer covers: {ideas}.").format(ideas="; ".join(translate(idea) for idea in item.rubric))
            if item.rubric else "")
    if words < item.min_words:
        counted = _("1 word is") if words == 1 else _("{words} words is").format(words=words)
        return WRONG, _("{counted} too short to make the argument: the exercise asks for at least {minimum}. "
                        "Hint: {hint}").format(counted=counted, minimum=item.min_words, hint=translate(item.hint_text))
    return RECORDED, _("your {words}-word answer is recorded for your instructor, who reads and marks it. check() "
                       "only counts the words; it cannot tell whether the argument holds.").format(words=words) + asks


def _evaluate(exercise_id: object, answer: object) -> tuple[str, str, str]:
    from book.answers import EXERCISES  # local import: the key imports the models

    key = str(exercise_id).strip()
    if key not in EXERCISES:  # "3.5A" or " 3.5a" mean "3.5a"
        key = next((known for known in EXERCISES if known.casefold() == key.casefold()), key)
    item = EXERCISES.get(key)
    if item is None:
        close = difflib.get_close_matches(key, list(EXERCISES), n=3, cutoff=0.5)
        also = (" " + _("Did you mean {names}?").format(names=", ".join(repr(c) for c in close))) if close else ""
        return key, UNKNOWN, _("there is no exercise {key}.").format(key=repr(key)) + also
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return key, UNANSWERED, _("replace None (or the empty text) with your answer and run the cell again.")
    if item.kind == "number":
        status, message = _check_number(item, answer)
    elif item.kind in ("choice", "bool"):
        status, message = _check_choice(item, answer)
    else:
        status, message = _check_text(item, answer)
    return key, status, message


def verdict(exercise_id: str, answer: object) -> CheckResult:
    """The verdict on ``answer`` to exercise ``exercise_id``, without printing or recording it (the
    grader's entry point). Never raises: a problem inside the checker is status "error"."""
    try:
        key, status, message = _evaluate(exercise_id, answer)
    except Exception as exc:  # noqa: BLE001 - a student must never see a traceback from check
        key, status = str(exercise_id), ERROR
        message = _("the checker itself failed ({error}). Please tell your instructor.").format(
            error=f"{type(exc).__name__}: {exc}")
    # written answers are kept whole, so an instructor's grader can read them
    return CheckResult(key, status, message, answer if isinstance(answer, str) else _short(answer))


def check(exercise_id: str, answer: object) -> CheckResult:
    """Print feedback on ``answer`` to exercise ``exercise_id`` and return the verdict.

    Never raises: a problem inside the checker itself is reported as status "error".
    """
    result = verdict(exercise_id, answer)
    _RESULTS.append(result)
    print(result)
    log = os.environ.get(LOG_ENV)
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(result.to_json() + "\n")
        except OSError as exc:
            print(_("(could not write the check log {path}: {error})").format(path=repr(log), error=exc))
    return result
