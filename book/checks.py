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
as one JSON line, so an instructor's grader can collect them (see ``python -m book.notebooks
grade``).

The expected values live in ``book.answer_key``; they are computed by the models at check time,
never copied in as literals.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import os
from dataclasses import asdict, dataclass
from typing import Any

UNANSWERED = "unanswered"
CORRECT = "correct"
WRONG = "wrong"
INVALID = "invalid"
RECORDED = "recorded"
UNKNOWN = "unknown-exercise"
ERROR = "error"

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
    value = float(answer)
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:.3g}"


def _type_name(answer: object) -> str:
    names = {int: "a whole number", float: "a decimal number", str: "text", bool: "True/False",
             list: "a list", tuple: "a tuple (several values separated by commas)", dict: "a dictionary",
             set: "a set", type(None): "None"}
    return names.get(type(answer), f"a value of type {type(answer).__name__}")


def _in_units(item: Any) -> str:
    return f" (in {item.unit})" if item.unit else ""


def _check_number(item: Any, answer: object) -> tuple[str, str]:
    value = _as_number(answer)
    if value is None:
        if isinstance(answer, str):
            digits = answer.strip().replace(",", "").replace("_", "")
            try:
                float(digits)
            except ValueError:
                return INVALID, f"this exercise wants a number{_in_units(item)}, but got the text {answer!r}."
            return INVALID, (f"{answer!r} is text that looks like a number. Write it without quotes and "
                             f"without thousands separators, e.g. {digits}, so Python treats it as a number.")
        if isinstance(answer, bool):
            return INVALID, "this exercise wants a number, not True or False."
        if isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(a, int) for a in answer):
            return INVALID, (f"Python read {answer!r} as two numbers: a comma inside a number splits it. "
                             f"Write it without the comma, e.g. {answer[0]}{answer[1]:03d}.")
        if isinstance(answer, numbers.Real):  # nan or infinity
            return INVALID, "this exercise wants a finite number (not nan or infinity)."
        return INVALID, f"this exercise wants a single number{_in_units(item)}, but got {_type_name(answer)}."
    expected = float(item.expected())
    tolerance = max(item.rel_tol * abs(expected), item.abs_tol)
    stated = (f"within {item.rel_tol:.0%}" if item.rel_tol * abs(expected) >= item.abs_tol
              else f"within {_fmt(item.abs_tol)}{item.unit_text}")
    if abs(value - expected) <= tolerance:
        return CORRECT, f"{_fmt(value)}{item.unit_text} matches the model ({stated})."
    hint = item.hint
    ratio = value / expected if expected else None
    if ratio and abs(ratio - 2) < 0.02:
        hint = ("Your value is twice the expected one: did you use a sparsity figure, or 16 bits for a "
                "precision that has 8? " + hint)
    elif ratio and abs(ratio - 0.5) < 0.01:
        hint = ("Your value is half the expected one: did you use 8 bits for a 16-bit figure, or a "
                "figure that is not the dense one? " + hint)
    elif ratio and abs(value * expected - 1) < 0.02:
        hint = "Your value is the reciprocal of the expected one: divide the other way round. " + hint
    elif expected and abs(value - (expected - 1)) <= tolerance:
        hint = "Your value is one less than the expected one: give the ratio itself, not the difference. " + hint
    return WRONG, f"{_fmt(value)}{item.unit_text} is not {stated} of the expected value. Hint: {hint}"


def _normalise_choice(text: str) -> str:
    """'3A090.a.1', '3a090 A.1', 'a1.' and 'a.1' agree; so do 'Note 2' and 'Note 2 to 3A090'."""
    folded = "".join(text.casefold().split()).rstrip(".")
    if folded.startswith("3a090"):
        folded = folded[len("3a090"):]
    folded = folded.replace(".", "")
    if folded.endswith("to3a090"):
        folded = folded[: -len("to3a090")]
    return folded


def _check_choice(item: Any, answer: object) -> tuple[str, str]:
    if isinstance(answer, bool) and item.kind == "bool":
        expected = bool(item.expected())
        if answer == expected:
            return CORRECT, f"{answer} is right."
        return WRONG, f"{answer} is not right. Hint: {item.hint}"
    if item.kind == "bool":
        if isinstance(answer, str) and answer.strip().casefold() in ("true", "false"):
            word = answer.strip().capitalize()
            return INVALID, f"write {word} without quotes: {answer!r} in quotes is text, not True/False."
        return INVALID, f"this exercise wants True or False (without quotes), but got {_type_name(answer)}."
    options = ", ".join(repr(o) for o in item.choices)
    if not isinstance(answer, str):
        return INVALID, f"this exercise wants one of the texts {options} (in quotes), but got {_type_name(answer)}."
    given = _normalise_choice(answer)
    allowed = {_normalise_choice(option): option for option in item.choices}
    if given not in allowed:
        return INVALID, f"{answer!r} is not one of the options: {options}."
    if given == _normalise_choice(str(item.expected())):
        return CORRECT, f"{allowed[given]!r} is right."
    return WRONG, f"{allowed[given]!r} is not right. Hint: {item.hint}"


def _check_text(item: Any, answer: object) -> tuple[str, str]:
    if not isinstance(answer, str):
        return INVALID, f"this exercise wants a written answer as text (in quotes), but got {_type_name(answer)}."
    words = len(answer.split())
    if words < item.min_words:
        return WRONG, (f"{words} words is too short to make the argument; aim for at least "
                       f"{item.min_words}. Hint: {item.hint}")
    lowered = answer.casefold()
    unmentioned = [idea for idea, cues in item.rubric.items()
                   if not any(cue.casefold() in lowered for cue in cues)]
    if unmentioned:
        return RECORDED, (f"your {words}-word answer is recorded for your instructor to read. Before you "
                          f"move on, check that it covers: {'; '.join(unmentioned)}.")
    return RECORDED, (f"your {words}-word answer is recorded for your instructor to read. It seems to touch "
                      "each idea a strong answer covers; make sure it explains them, not just names them.")


def _evaluate(exercise_id: object, answer: object) -> tuple[str, str, str]:
    from book.answer_key import EXERCISES  # local import: the key imports the models

    key = str(exercise_id)
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


def check(exercise_id: str, answer: object) -> CheckResult:
    """Print feedback on ``answer`` to exercise ``exercise_id`` and return the verdict.

    Never raises: a problem inside the checker itself is reported as status "error".
    """
    try:
        key, status, message = _evaluate(exercise_id, answer)
    except Exception as exc:  # noqa: BLE001 - a student must never see a traceback from check
        key, status = str(exercise_id), ERROR
        message = f"the checker itself failed ({type(exc).__name__}: {exc}). Please tell your instructor."
    # written answers are kept whole, so an instructor's grader can read them
    result = CheckResult(key, status, message, answer if isinstance(answer, str) else _short(answer))
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
