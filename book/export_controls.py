"""The US export-control rules on advanced computing chips (ECCN 3A090), as data and a classifier.

Two rules are modelled, as published by the Bureau of Industry and Security (BIS):

* ``"2022-10"`` (the *2022 rule*): the interim final rule announced on 7 October 2022 (87 FR 62186).
  3A090.a catches an integrated circuit only if it meets *both* a processing-performance test
  (TOPS x bit length >= 4800) and an interconnect test (aggregate bidirectional input/output rate
  >= 600 GB/s, memory excluded). The rule took effect in stages on 7, 12 and 21 October 2022; the
  new 3A090 entry was among the parts effective on 21 October.
* ``"2023-10"`` (the *2023 rule*): the update of 17 October 2023 (88 FR 73458, effective
  17 November 2023). The interconnect test is gone; Total Processing Performance (TPP) and
  performance density (PD, TPP per mm^2 of die) define 3A090.a.1, a.2, b.1 and b.2, and Note 2
  exempts chips not designed or marketed for datacenters whose TPP is below 4800.

``classify`` answers "would this chip fall under 3A090?", not "may it be shipped to a given
buyer": licensing also depends on destination, end user and licence policy.

The words the book uses for outcomes and paragraphs are defined here once (``CONTROLLED``,
``A1``, ``NOTE_2``, ...); charts, dashboards, the answer key and the chapters import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from book.hardware import MARKETS, Chip, get_chip, performance_density


@dataclass(frozen=True)
class Rule:
    """One version of ECCN 3A090, with its thresholds and citation."""

    key: str
    #: the name used in student-facing text: "2022 rule", "2023 rule"
    label: str
    title: str
    citation: str
    announced: date
    published: date
    effective: date
    source: str
    #: 2022 rule: processing performance (TOPS x bit length) threshold of 3A090.a
    tpp_threshold: float
    #: 2022 rule only: aggregate bidirectional I/O threshold in GB/s; None when the rule has none
    interconnect_threshold_gb_s: float | None = None
    #: 2023 rule only: lower TPP bound for the density tests of 3A090.a.2 and b.2
    tpp_density_floor: float | None = None
    #: 2023 rule only: lower TPP bound of 3A090.b.1
    tpp_b1_floor: float | None = None
    #: 2023 rule only: PD thresholds of a.2, b.2 and b.1
    pd_a2: float | None = None
    pd_b2: float | None = None
    pd_b1: float | None = None


RULES: dict[str, Rule] = {
    "2022-10": Rule(
        key="2022-10",
        label="2022 rule",
        title="Implementation of Additional Export Controls: Certain Advanced Computing and "
              "Semiconductor Manufacturing Items",
        citation="87 FR 62186",
        announced=date(2022, 10, 7),
        published=date(2022, 10, 13),
        # staged: parts on 7 and 12 October; the 3A090 entry on 21 October (advisories on the rule)
        effective=date(2022, 10, 21),
        source="https://www.federalregister.gov/documents/2022/10/13/2022-21658",
        tpp_threshold=4800,
        interconnect_threshold_gb_s=600,
    ),
    "2023-10": Rule(
        key="2023-10",
        label="2023 rule",
        title="Implementation of Additional Export Controls: Certain Advanced Computing Items; "
              "Supercomputer and Semiconductor End Use; Updates and Corrections",
        citation="88 FR 73458",
        announced=date(2023, 10, 17),
        published=date(2023, 10, 25),
        effective=date(2023, 11, 17),
        source="https://www.federalregister.gov/documents/2023/10/25/2023-23055",
        tpp_threshold=4800,
        tpp_density_floor=1600,
        tpp_b1_floor=2400,
        pd_a2=5.92,
        pd_b2=3.2,
        pd_b1=1.6,
    ),
}

# ---- the book's vocabulary for outcomes and paragraphs (used everywhere, defined once) --------

CONTROLLED = "controlled"
NOT_CONTROLLED = "not controlled"
CANNOT_CLASSIFY = "cannot classify"
STATUSES = (CONTROLLED, NOT_CONTROLLED, CANNOT_CLASSIFY)

#: the one paragraph of the 2022 rule
A_2022 = "3A090.a"
#: the paragraphs of the 2023 rule, strictest first
A1, A2, B1, B2 = "3A090.a.1", "3A090.a.2", "3A090.b.1", "3A090.b.2"
PARAGRAPHS_2023 = (A1, A2, B1, B2)
#: the consumer carve-out of the 2023 rule
NOTE_2 = "Note 2 to 3A090"


@dataclass(frozen=True)
class Classification:
    """The outcome of ``classify``.

    ``controlled`` is True or False, or None when the catalogue lacks a figure the rule needs
    (``status`` is then "cannot classify"). ``paragraph`` names the paragraph of 3A090 that
    catches the chip (e.g. "3A090.a.1"), or the note that frees it ("Note 2 to 3A090"), or None.
    """

    chip: str
    rule: str
    controlled: bool | None
    paragraph: str | None
    reason: str

    @property
    def status(self) -> str:
        if self.controlled is None:
            return CANNOT_CLASSIFY
        return CONTROLLED if self.controlled else NOT_CONTROLLED

    @property
    def verdict(self) -> str:
        """The status with the deciding clause, e.g. "controlled (3A090.a.1)"."""
        where = f" ({self.paragraph})" if self.paragraph else ""
        return f"{self.status}{where}"

    @property
    def short_verdict(self) -> str:
        """The verdict with the paragraph's short name, e.g. "controlled (a.1)" or "not controlled
        (Note 2)", for tables and chart labels."""
        return self.verdict.replace("3A090.", "").replace(" to 3A090", "")

    @property
    def rule_label(self) -> str:
        return RULES[self.rule].label if self.rule in RULES else self.rule

    def __str__(self) -> str:
        return f"{self.chip} under the {self.rule_label}: {self.verdict}. {self.reason}"


def _n(value: float) -> str:
    """Format a TPP-like number for a sentence: 4,992 or 4,704.8."""
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"


def _resolve(chip: Chip | str) -> Chip:
    if isinstance(chip, Chip):
        return chip
    if isinstance(chip, str):
        return get_chip(chip)
    raise ValueError(f"chip must be a Chip or a chip name, got {chip!r} ({type(chip).__name__})")


def _rule(rule: str | Rule) -> Rule:
    if isinstance(rule, Rule):
        return rule
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    return RULES[rule]


def classify(chip: Chip | str, rule: str | Rule = "2023-10") -> Classification:
    """Classify a chip under one version of ECCN 3A090.

    Args:
        chip: a ``Chip`` (catalogue or hypothetical) or a catalogue name such as "H800".
        rule: "2022-10" or "2023-10" (a key of ``RULES``), or a ``Rule``.

    Returns:
        A ``Classification`` with ``controlled``, ``paragraph`` and a one-sentence ``reason``.
    """
    the_chip = _resolve(chip)
    the_rule = _rule(rule)
    if the_rule.interconnect_threshold_gb_s is not None:
        controlled, paragraph, reason = _classify_2022(the_chip, the_rule)
    else:
        controlled, paragraph, reason = _classify_2023(the_chip, the_rule)
    return Classification(the_chip.name, the_rule.key, controlled, paragraph, reason)


def _classify_2022(chip: Chip, rule: Rule) -> tuple[bool | None, str | None, str]:
    tpp, threshold = chip.tpp, rule.tpp_threshold
    link, link_threshold = chip.interconnect_gb_s, rule.interconnect_threshold_gb_s
    if tpp is None:
        return None, None, "Its dense throughput is unknown, so the processing-performance test cannot be applied."
    if tpp < threshold:
        return False, None, (f"Its processing performance of {_n(tpp)} is below the {_n(threshold)} "
                             "threshold, so 3A090.a does not apply whatever its interconnect.")
    if link is None:
        return None, None, (f"Its processing performance of {_n(tpp)} passes {_n(threshold)}, but its "
                            "chip-to-chip bandwidth is unknown, so the second test cannot be applied.")
    if link >= link_threshold:
        return True, A_2022, (f"It meets both tests: processing performance {_n(tpp)} >= {_n(threshold)} "
                                 f"and chip-to-chip bandwidth {_n(link)} GB/s >= {_n(link_threshold)} GB/s.")
    return False, None, (f"Its processing performance of {_n(tpp)} passes {_n(threshold)}, but its "
                         f"chip-to-chip bandwidth of {_n(link)} GB/s is under {_n(link_threshold)} GB/s, "
                         "so it escapes 3A090.a.")


def _classify_2023(chip: Chip, rule: Rule) -> tuple[bool | None, str | None, str]:
    tpp, pd = chip.tpp, chip.performance_density
    if tpp is None:
        return None, None, "Its dense throughput is unknown, so its TPP cannot be computed."
    if tpp >= rule.tpp_threshold:
        extra = (" The gaming carve-out of Note 2 only covers chips below that line."
                 if chip.market != "datacenter" else "")
        return True, A1, f"Its TPP of {_n(tpp)} is at or above {_n(rule.tpp_threshold)}.{extra}"
    if tpp < rule.tpp_density_floor:
        return False, None, (f"Its TPP of {_n(tpp)} is below {_n(rule.tpp_density_floor)}, "
                             "the lowest TPP any paragraph of 3A090 reaches.")
    if chip.market != "datacenter":
        return False, NOTE_2, (f"It is not designed or marketed for datacenters and its TPP of "
                                          f"{_n(tpp)} is below {_n(rule.tpp_threshold)}, so Note 2 exempts it "
                                          "from the density tests.")
    if pd is None:
        return None, None, (f"Its TPP of {_n(tpp)} lies between {_n(rule.tpp_density_floor)} and "
                            f"{_n(rule.tpp_threshold)}, where the outcome depends on performance density, "
                            "and its die area is unknown.")
    if pd >= rule.pd_a2:
        return True, A2, (f"Its TPP of {_n(tpp)} is at least {_n(rule.tpp_density_floor)} and its "
                                   f"performance density of {pd:.2f} is at least {rule.pd_a2}.")
    if tpp >= rule.tpp_b1_floor and pd >= rule.pd_b1:
        return True, B1, (f"Its TPP of {_n(tpp)} is between {_n(rule.tpp_b1_floor)} and "
                                   f"{_n(rule.tpp_threshold)} with a performance density of {pd:.2f} "
                                   f"(at least {rule.pd_b1}): the lighter tier, where the NAC "
                                   "notification route may apply.")
    if pd >= rule.pd_b2:
        return True, B2, (f"Its TPP of {_n(tpp)} is at least {_n(rule.tpp_density_floor)} and its "
                                   f"performance density of {pd:.2f} is at least {rule.pd_b2}: the lighter "
                                   "tier, where the NAC notification route may apply.")
    return False, None, (f"With TPP {_n(tpp)} and performance density {pd:.2f} it is below every threshold: "
                         f"3A090.b.1 needs a TPP of at least {_n(rule.tpp_b1_floor)} with a density of at least "
                         f"{rule.pd_b1}, 3A090.b.2 a density of at least {rule.pd_b2}, and 3A090.a.2 at least "
                         f"{rule.pd_a2}.")


def escape_ceiling(die_area_mm2: float, market: str = "datacenter", rule: str | Rule = "2023-10") -> float:
    """The TPP a chip must stay *below* to escape the rule, given its die area and market.

    Under the 2023 rule a consumer chip escapes anywhere below TPP 4800 (Note 2). A datacenter
    chip escapes below 1600 whatever its density; between 1600 and 2400 while its density stays
    under the b.2 line (3.2); and between 2400 and 4800 while its density stays under the b.1
    line (1.6). The function returns the least upper bound of all escaping TPPs (not itself
    escaping). Under the 2022 rule the answer is the 4800 processing-performance line whatever
    the die, for a chip whose chip-to-chip bandwidth reaches 600 GB/s.

    Args:
        die_area_mm2: applicable die area, mm^2, > 0.
        market: "datacenter" or "consumer".
        rule: "2022-10" or "2023-10" (or a ``Rule``).
    """
    the_rule = _rule(rule)
    performance_density(0.0, die_area_mm2)  # raises a ValueError naming die_area_mm2 if invalid
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")
    if the_rule.interconnect_threshold_gb_s is not None or market != "datacenter":
        return float(the_rule.tpp_threshold)
    area = float(die_area_mm2)
    ceiling = float(the_rule.tpp_density_floor)
    b2_band = min(float(the_rule.tpp_b1_floor), the_rule.pd_b2 * area)
    if b2_band > ceiling:
        ceiling = b2_band
    b1_band = min(float(the_rule.tpp_threshold), the_rule.pd_b1 * area)
    if b1_band > the_rule.tpp_b1_floor:
        ceiling = max(ceiling, b1_band)
    return ceiling
