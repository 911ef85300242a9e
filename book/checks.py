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

import difflib
import json
import math
import numbers
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import re

from book.answers.exercise import fmt

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
    UNANSWERED: "Not answered yet",
    CORRECT: "Correct",
    WRONG: "Not quite",
    INVALID: "Needs a different kind of answer",
    RECORDED: "Recorded",
    UNKNOWN: "Unknown exercise",
    ERROR: "Could not check",
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
        return f"[{self.exercise_id}] {_LABEL.get(self.status, self.status)}: {self.message}"

    def _ipython_display_(self) -> None:
        """``check`` already printed the verdict; do not show the record a second time."""


_RESULTS: list[CheckResult] = []


def results() -> list[CheckResult]:
    """Every verdict given in this session, oldest first."""
    return list(_RESULTS)


def _short(answer: object, limit: int = 200) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_number(answer: object) -> float | None:
    """A real number from int, float or a numpy scalar; None for anything else (bools excluded)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    try:
        value = float(answer)
    except OverflowError:  # an int too large for a float
        return None
    return value if math.isfinite(value) else None


def _type_name(answer: object) -> str:
    names = {int: "a whole number", float: "a decimal number", str: "text", bool: "True/False",
             list: "a list", tuple: "a tuple (several values separated by commas)", dict: "a dictionary",
             set: "a set", type(None): "None"}
    return names.get(type(answer), f"a value of type {type(answer).__name__}")


def _in_units(item: Exercise) -> str:
    return f" (in {item.unit})" if item.unit else ""


def _not_a_number(item: Exercise, answer: object) -> str:
    """Why ``answer`` is not a number this exercise can judge, in words a beginner can act on."""
    if isinstance(answer, str):
        digits = answer.strip().replace(",", "").replace("_", "")
        try:
            float(digits)
        except ValueError:
            return f"this exercise wants a number{_in_units(item)}, but got the text {answer!r}."
        return (f"{answer!r} is text that looks like a number. Write it without quotes and "
                f"without thousands separators, e.g. {digits}, so Python treats it as a number.")
    if isinstance(answer, bool):
        return "this exercise wants a number, not True or False."
    if isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(a, int) for a in answer):
        return (f"Python read {answer!r} as two numbers: a comma inside a number splits it. "
                f"Write it without the comma, e.g. {answer[0]}{answer[1]:03d}.")
    if isinstance(answer, numbers.Real):  # nan, infinity, or too large for a float
        return "this exercise wants a finite number of a sensible size (not nan, infinity or 10**400)."
    return f"this exercise wants a single number{_in_units(item)}, but got {_type_name(answer)}."


def _shown(item: Exercise, value: float) -> str:
    """The answer with its unit: "54.2 days"; a unit that is a scale ("× 10²⁴ FLOPs") in brackets,
    so that a raw 3.29e+24 does not read as 3.29e+24 × 10²⁴."""
    if item.unit.startswith("×") and abs(value) >= 1e6:
        return f"{fmt(value)} ({item.unit})"
    if value == 1 and item.unit in ("chips", "cards", "conversations", "H20s", "times", "years", "days", "months"):
        return f"1 {item.unit[:-1]}"  # "1 card", not "1 cards"
    return f"{fmt(value)}{item.unit_text}"


def _check_number(item: Exercise, answer: object) -> tuple[str, str]:
    value = _as_number(answer)
    if value is None:
        return INVALID, _not_a_number(item, answer)
    stated = item.tolerance.describe(item.unit)
    accepted, hints, near = item.judge_number(value)
    if accepted:
        return CORRECT, f"{_shown(item, value)} matches the model ({stated})."
    if near == "below":
        hints.insert(0, f"{_shown(item, value)} is just below the line: a design there still escapes, "
                        "and the question asks for the smallest value the rule catches.")
    if near == "above":
        hints.insert(0, f"{_shown(item, value)} is just over the limit: that no longer fits, and the "
                        "question asks for the largest value that does.")
    hint = " ".join([*hints[:1], item.hint_text])
    return WRONG, f"{_shown(item, value)} is not the expected value (answers count {stated}). Hint: {hint}"


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
            return CORRECT, f"{answer} is right."
        return WRONG, f"{answer} is not right. Hint: {item.hint_text}"
    if item.kind == "bool":
        if isinstance(answer, str) and answer.strip().casefold() in ("true", "false"):
            word = answer.strip().capitalize()
            return INVALID, f"write {word} without quotes: {answer!r} in quotes is text, not True/False."
        return INVALID, f"this exercise wants True or False (without quotes), but got {_type_name(answer)}."
    options = ", ".join(repr(o) for o in item.choices)
    if not isinstance(answer, str):
        return INVALID, f"this exercise wants one of the texts {options} (in quotes), but got {_type_name(answer)}."
    given = normalise_choice(answer)
    allowed = {normalise_choice(option): option for option in item.choices}
    allowed.update({normalise_choice(alias): option for alias, option in item.aliases.items()})
    if given not in allowed:
        near = {normalise_choice(key): hint for key, hint in item.near_misses.items()}
        if given in near:
            return WRONG, f"{answer!r} is not one of the options ({options}). Hint: {near[given]}"
        return INVALID, f"{answer!r} is not one of the options: {options}."
    if item.is_expected_option(normalise_choice(allowed[given])):
        return CORRECT, f"{allowed[given]!r} is right."
    return WRONG, f"{allowed[given]!r} is not right. Hint: {item.hint_text}"


def _check_text(item: Exercise, answer: object) -> tuple[str, str]:
    if not isinstance(answer, str):
        return INVALID, f"this exercise wants a written answer as text (in quotes), but got {_type_name(answer)}."
    words = len(answer.split())
    if words < item.min_words:
        counted = "1 word is" if words == 1 else f"{words} words is"
        return WRONG, (f"{counted} too short to make the argument; aim for at least "
                       f"{item.min_words}. Hint: {item.hint_text}")
    lowered = answer.casefold()
    # a cue counts at the start of a word: "rent" finds "rental" but not "different"
    unmentioned = [idea for idea, cues in item.rubric.items()
                   if not any(re.search(r"(?<!\w)" + re.escape(cue.casefold()), lowered) for cue in cues)]
    if unmentioned:
        return RECORDED, (f"your {words}-word answer is recorded for your instructor to read. Before you "
                          f"move on, check that it covers: {'; '.join(unmentioned)}.")
    return RECORDED, (f"your {words}-word answer is recorded for your instructor to read. It seems to touch "
                      "each idea a strong answer covers; make sure it explains them, not just names them.")


def _evaluate(exercise_id: object, answer: object) -> tuple[str, str, str]:
    from book.answers import EXERCISES  # local import: the key imports the models

    key = str(exercise_id).strip()
    if key not in EXERCISES:  # "3.5A" or " 3.5a" mean "3.5a"
        key = next((known for known in EXERCISES if known.casefold() == key.casefold()), key)
    item = EXERCISES.get(key)
    if item is None:
        close = difflib.get_close_matches(key, list(EXERCISES), n=3, cutoff=0.5)
        also = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return key, UNKNOWN, f"there is no exercise {key!r}.{also}"
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return key, UNANSWERED, "replace None (or the empty text) with your answer and run the cell again."
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
        message = f"the checker itself failed ({type(exc).__name__}: {exc}). Please tell your instructor."
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
            print(f"(could not write the check log {log!r}: {exc})")
    return result
