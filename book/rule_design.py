"""Design your own export rule (for chapter 5): lines a student draws, and which chips they catch.

A designed rule catches a chip if it crosses *any* of its lines:

* **TPP**: Total Processing Performance at or above ``tpp``;
* **density**: performance density at or above ``density``, for chips with a TPP of at least
  ``density_min_tpp`` (as the 2023 rule's paragraph a.2 does);
* **memory bandwidth**: at or above ``memory_bandwidth_gb_s`` (what serving needs, chapter 4);
* **chip-to-chip**: aggregate interconnect at or above ``interconnect_gb_s`` (the 2022 rule's
  second test, used here on its own);
* **HBM**: any chip with high-bandwidth memory (the December 2024 rule controlled HBM itself).

A line set to None is not drawn. Consumer chips (gaming cards) below ``consumer_exempt_below_tpp``
are exempt, as Note 2 of the 2023 rule makes them; None exempts no one. A chip whose figure a line
needs is unknown cannot be judged on that line; it is caught if another line catches it, and
"cannot judge" otherwise. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from book.export_controls import Classification, classify
from book.hardware import Chip, load_chips
from book.validate import positive

TPP_LINE, DENSITY_LINE, BANDWIDTH_LINE, LINK_LINE, HBM_LINE = (
    "TPP", "density", "memory bandwidth", "chip-to-chip", "HBM")

CAUGHT, FREE, EXEMPT, UNKNOWN = "caught", "free", "exempt", "cannot judge"


@dataclass(frozen=True)
class DesignedRule:
    """A student's rule: each threshold or None (no such line)."""

    tpp: float | None = 4800.0
    density: float | None = 5.92
    density_min_tpp: float = 1600.0
    memory_bandwidth_gb_s: float | None = None
    interconnect_gb_s: float | None = None
    hbm: bool = False
    consumer_exempt_below_tpp: float | None = 4800.0

    def __post_init__(self) -> None:
        for name in ("tpp", "density", "memory_bandwidth_gb_s", "interconnect_gb_s", "consumer_exempt_below_tpp"):
            value = getattr(self, name)
            if value is not None:
                positive(name, value)
        positive("density_min_tpp", self.density_min_tpp, allow_zero=True)
        if not isinstance(self.hbm, bool):
            raise ValueError(f"hbm must be True or False, got {self.hbm!r}")

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines this rule draws."""
        drawn = [(TPP_LINE, self.tpp), (DENSITY_LINE, self.density), (BANDWIDTH_LINE, self.memory_bandwidth_gb_s),
                 (LINK_LINE, self.interconnect_gb_s), (HBM_LINE, True if self.hbm else None)]
        return tuple(name for name, value in drawn if value is not None)


@dataclass(frozen=True)
class Judgement:
    """What a designed rule does to one chip."""

    chip: Chip
    status: str
    #: the lines the chip crosses
    crossed: tuple[str, ...]
    #: the lines that could not be checked for want of a figure
    unknown: tuple[str, ...]

    @property
    def caught(self) -> bool | None:
        return {CAUGHT: True, FREE: False, EXEMPT: False}.get(self.status)


def judge(chip: Chip, rule: DesignedRule) -> Judgement:
    """The designed rule applied to ``chip``."""
    if not isinstance(chip, Chip):
        raise ValueError(f"chip must be a Chip, got {chip!r}")
    if not isinstance(rule, DesignedRule):
        raise ValueError(f"rule must be a DesignedRule, got {rule!r}")
    tpp = chip.tpp
    if (chip.market == "consumer" and rule.consumer_exempt_below_tpp is not None and tpp is not None
            and tpp < rule.consumer_exempt_below_tpp):
        return Judgement(chip, EXEMPT, (), ())
    crossed, unknown = [], []

    def test(line: str, value: float | None, threshold: float | None, extra: bool = True) -> None:
        if threshold is None:
            return
        if value is None:
            unknown.append(line)
        elif value >= threshold and extra:
            crossed.append(line)

    test(TPP_LINE, tpp, rule.tpp)
    if rule.density is not None:
        density = chip.performance_density
        if density is None or tpp is None:
            unknown.append(DENSITY_LINE)
        elif density >= rule.density and tpp >= rule.density_min_tpp:
            crossed.append(DENSITY_LINE)
    test(BANDWIDTH_LINE, chip.memory_bandwidth_gb_s, rule.memory_bandwidth_gb_s)
    test(LINK_LINE, chip.interconnect_gb_s, rule.interconnect_gb_s)
    if rule.hbm:
        if not chip.memory_type:
            unknown.append(HBM_LINE)
        elif chip.memory_type.upper().startswith("HBM"):
            crossed.append(HBM_LINE)
    status = CAUGHT if crossed else (UNKNOWN if unknown else FREE)
    return Judgement(chip, status, tuple(crossed), tuple(unknown))


@dataclass(frozen=True)
class Comparison:
    """One chip under the designed rule and under a real one."""

    judgement: Judgement
    real: Classification

    @property
    def differs(self) -> bool:
        """True when exactly one of the two rules catches the chip (unknowns never differ)."""
        mine, theirs = self.judgement.caught, self.real.controlled
        return mine is not None and theirs is not None and mine != theirs


def compare(rule: DesignedRule, real: str = "2023-10", chips: tuple[Chip, ...] | None = None) -> tuple[Comparison, ...]:
    """Every catalogue chip (or ``chips``) under ``rule`` and under the real rule ``real``."""
    chips = load_chips() if chips is None else chips
    return tuple(Comparison(judge(chip, rule), classify(chip, real)) for chip in chips)
