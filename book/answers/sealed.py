"""The answer key as the students' copy carries it: feedback without the answers.

``check`` must say *correct*, *not quite* and which likely mistake an answer looks like, in a copy
of the book that does not contain the expected values or the code that computes them (the grader
keeps the real key, outside its sandbox). ``seal`` turns each ``Exercise`` of the real key into a
``SealedExercise``: its texts (title, hints, tolerance, options) as they are, and for its
answers only *salted, deliberately slow hashes* of the cells of a grid that fall inside the
tolerance, and of the cells near each likely mistake, with the mistake's hint.

How a number is judged without its expected value:

* the number line is cut into cells: for a relative tolerance, cells of equal *ratio* (a tenth of
  the tolerance wide); for absolute and one-sided tolerances, cells of equal width (a tenth of the
  margin); for exact answers on a grid (a batch size, a slider step), the number itself, written
  with nine significant figures;
* the key stores the hashes of the cells lying wholly inside the accepted range, so an answer the
  handout calls correct is correct for the grader too (at the very edge of the range, within a
  tenth of the tolerance, the handout may say "not quite" where the grader accepts);
* a wrong answer's cell on a coarser grid (a quarter of ``MISTAKE_WINDOW``) is looked up among the
  mistakes' cells, to give that mistake's hint.

What a determined student can still do: call ``check`` (or the hash) for many candidate numbers
until one is accepted. The hash costs ``ROUNDS`` SHA-256 rounds (a few milliseconds), so sweeping
the whole range of plausible values of one exercise takes minutes, not seconds; choice and
True/False exercises have only a few options to try. The instructor guide says so.

Standard library only (it also runs in the reader's browser).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from book.answers.exercise import MISTAKE_WINDOW, ExerciseInfo, Tolerance, text_of

#: SHA-256 rounds per hash: a few milliseconds a check, a long wait for a sweep
ROUNDS = 4000
#: accepted-range cells per tolerance width
STEPS = 10
#: the file the students' copy carries in place of the chapter modules
SEALED_FILE = Path(__file__).resolve().parent / "sealed.json"


def slow_hash(salt: str, text: str) -> str:
    """``ROUNDS`` rounds of SHA-256 over the salt and the text; 24 hex digits."""
    digest = f"{salt}\0{text}".encode()
    for _ in range(ROUNDS):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()[:24]


def _canonical(value: float) -> str:
    return f"{value:.9g}"


@dataclass(frozen=True)
class Grid:
    """Cells of the number line: ``kind`` "log" (equal ratios), "linear" or "exact". Cells hold
    their lower edge; a ``mirror`` grid is the grid of the negated numbers, whose cells hold their
    upper edge (for a range closed at the top, "at the limit or less than 1 below it")."""

    kind: str
    width: float = 0.0
    mirror: bool = False

    def cell(self, value: float) -> str:
        if self.mirror:
            return Grid(self.kind, self.width).cell(-value)
        if self.kind == "exact":
            return _canonical(value)
        if value == 0:
            return "0"
        if self.kind == "log":
            # the tiny offset keeps a value that lies on a cell's edge in the cell it starts
            return f"{'+' if value > 0 else '-'}{math.floor(math.log(abs(value)) / self.width + 1e-9)}"
        return str(math.floor(value / self.width + 1e-9))

    def cells_inside(self, low: float, high: float) -> list[str]:
        """The cells lying wholly inside [low, high] (both on one side of zero for "log")."""
        if self.mirror:
            return Grid(self.kind, self.width).cells_inside(-high, -low)
        if self.kind == "exact":
            return [_canonical(low)] if low == high else []
        if self.kind == "log":
            if low <= 0 <= high:  # a relative tolerance around 0 accepts 0 alone
                return ["0"]
            sign = "+" if high > 0 else "-"
            a, b = sorted((math.log(abs(low)), math.log(abs(high))))
            first, last = math.floor(a / self.width), math.floor(b / self.width)
            return [f"{sign}{k}" for k in range(first, last + 1)
                    if k * self.width >= a - 1e-12 and (k + 1) * self.width <= b + 1e-12]
        first, last = math.floor(low / self.width), math.floor(high / self.width)
        return [str(k) for k in range(first, last + 1)
                if k * self.width >= low - 1e-9 * self.width and (k + 1) * self.width <= high + 1e-9 * self.width]

    def cells_touching(self, low: float, high: float) -> list[str]:
        """The cells that overlap [low, high]."""
        if self.mirror:
            return Grid(self.kind, self.width).cells_touching(-high, -low)
        if self.kind == "exact":
            return [_canonical(low)]
        if self.kind == "log" and low > 0:
            return [f"+{k}" for k in range(math.floor(math.log(low) / self.width),
                                           math.floor(math.log(high) / self.width) + 1)]
        if self.kind == "log" and high < 0:
            return [f"-{k}" for k in range(math.floor(math.log(-high) / self.width),
                                           math.floor(math.log(-low) / self.width) + 1)]
        if self.kind == "log":
            return ["0"]
        return [str(k) for k in range(math.floor(low / self.width), math.floor(high / self.width) + 1)]


def accept_grid(tolerance: Tolerance) -> Grid:
    if tolerance.kind == "exact":
        return Grid("exact")
    if tolerance.kind == "relative":
        return Grid("log", math.log1p(tolerance.amount) / STEPS)
    return Grid("linear", tolerance.amount / STEPS, mirror=tolerance.kind == "at most")


def mistake_grid(tolerance: Tolerance) -> Grid:
    if tolerance.kind == "exact":
        return Grid("exact")
    return Grid("log", math.log1p(MISTAKE_WINDOW) / 4)


def accepted_range(tolerance: Tolerance, expected: float) -> tuple[float, float]:
    amount = tolerance.amount
    if tolerance.kind == "relative":
        return tuple(sorted((expected * (1 - amount), expected * (1 + amount))))
    if tolerance.kind == "absolute":
        return expected - amount, expected + amount
    if tolerance.kind == "at least":
        return expected, expected + amount
    if tolerance.kind == "at most":
        return expected - amount, expected
    return expected, expected


def _window(value: float) -> tuple[float, float]:
    low, high = value / (1 + MISTAKE_WINDOW), value * (1 + MISTAKE_WINDOW)
    return (low, high) if value > 0 else (high, low)


@dataclass(frozen=True)
class SealedExercise(ExerciseInfo):
    """One exercise as ``check`` sees it in the students' copy (see the module's docstring)."""

    id: str
    title: str
    kind: str
    points: int
    unit: str
    tolerance: Tolerance
    hint: str
    salt: str
    choices: tuple[str, ...] = ()
    near_misses: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    min_words: int = 40
    rubric: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: hashes of the accepted cells (numbers), the right option (choices) or truth value (bool)
    accept: frozenset[str] = frozenset()
    #: hash of a cell near a likely mistake -> the hints that fit it
    mistakes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def hint_text(self) -> str:
        return self.hint

    def _hash(self, text: str) -> str:
        return slow_hash(f"{self.salt}:{self.id}", text)

    def judge_number(self, value: float) -> tuple[bool, list[str]]:
        if self._hash(accept_grid(self.tolerance).cell(value)) in self.accept:
            return True, []
        return False, list(self.mistakes.get(self._hash(mistake_grid(self.tolerance).cell(value)), ()))

    def is_expected_option(self, option: str) -> bool:
        return self._hash(option) in self.accept

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind, "points": self.points, "unit": self.unit,
                "tolerance": [self.tolerance.kind, self.tolerance.amount], "hint": self.hint, "salt": self.salt,
                "choices": list(self.choices), "near_misses": self.near_misses, "aliases": self.aliases,
                "min_words": self.min_words, "rubric": {k: list(v) for k, v in self.rubric.items()},
                "accept": sorted(self.accept), "mistakes": {k: list(v) for k, v in sorted(self.mistakes.items())}}

    @classmethod
    def from_dict(cls, data: dict) -> SealedExercise:
        return cls(id=data["id"], title=data["title"], kind=data["kind"], points=data["points"], unit=data["unit"],
                   tolerance=Tolerance(*data["tolerance"]), hint=data["hint"], salt=data["salt"],
                   choices=tuple(data["choices"]), near_misses=dict(data["near_misses"]),
                   aliases=dict(data["aliases"]), min_words=data["min_words"],
                   rubric={k: tuple(v) for k, v in data["rubric"].items()}, accept=frozenset(data["accept"]),
                   mistakes={k: tuple(v) for k, v in data["mistakes"].items()})


def seal(item, secret: str) -> SealedExercise:
    """``item`` (an ``Exercise`` of the real key) without its answer: see the module's docstring."""
    from book.checks import normalise_choice

    salt = secret
    hashed = lambda text: slow_hash(f"{salt}:{item.id}", text)  # noqa: E731
    accept: set[str] = set()
    mistakes: dict[str, list[str]] = {}
    if item.kind == "number":
        expected = float(item.expected())
        inside = accept_grid(item.tolerance).cells_inside(*accepted_range(item.tolerance, expected))
        accept = {hashed(cell) for cell in inside}
        fine = mistake_grid(item.tolerance)
        for mistake in item.mistakes:
            value = float(mistake.value())
            if fine.kind == "exact":
                cells = [fine.cell(value)]
            else:
                cells = fine.cells_touching(*_window(value)) if value else ["0"]
            for cell in cells:
                mistakes.setdefault(hashed(cell), []).append(text_of(mistake.hint))
    elif item.kind == "choice":
        accept = {hashed(normalise_choice(str(item.expected())))}
    elif item.kind == "bool":
        accept = {hashed(str(bool(item.expected())))}
    return SealedExercise(id=item.id, title=item.title, kind=item.kind, points=item.points, unit=item.unit,
                          tolerance=item.tolerance, hint=item.hint_text, salt=salt, choices=tuple(item.choices),
                          near_misses=dict(item.near_misses), aliases=dict(item.aliases), min_words=item.min_words,
                          rubric=dict(item.rubric), accept=frozenset(accept),
                          mistakes={k: tuple(dict.fromkeys(v)) for k, v in mistakes.items()})


def write_sealed(path: Path, exercises, objectives: dict[int, dict[int, tuple[str, ...]]]) -> Path:
    """Seal every exercise (a fresh random salt per copy) and write the table as JSON."""
    secret = secrets.token_hex(8)
    table = {"exercises": [seal(item, secret).to_dict() for item in exercises],
             "objectives": {str(chapter): {str(n): list(keys) for n, keys in found.items()}
                            for chapter, found in objectives.items()}}
    Path(path).write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return Path(path)


def load_sealed(path: Path = SEALED_FILE) -> tuple[dict[str, SealedExercise], dict[int, dict[int, tuple[str, ...]]]]:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    exercises = {data["id"]: SealedExercise.from_dict(data) for data in table["exercises"]}
    objectives = {int(chapter): {int(n): tuple(keys) for n, keys in found.items()}
                  for chapter, found in table["objectives"].items()}
    return exercises, objectives
