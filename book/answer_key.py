"""The answer key ``book.checks.check`` reads: one ``Exercise`` per exercise id.

Each expected value is a function that asks the ``book`` models, so a corrected figure in
``book/data/`` corrects the key too. Tolerances are stated to the student by ``check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Callable

from book.export_controls import classify, escape_ceiling
from book.hardware import get_chip

KINDS = ("number", "choice", "bool", "text")


@dataclass(frozen=True)
class Exercise:
    """What ``check`` needs to judge one answer."""

    id: str
    title: str
    kind: str
    expected: Callable[[], object] = lambda: None
    hint: str = ""
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    unit: str = ""
    choices: tuple[str, ...] = ()
    min_words: int = 40
    #: for written answers: idea -> words whose presence suggests the idea is covered
    rubric: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"exercise {self.id}: a choice exercise needs choices")

    @property
    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""


PARAGRAPHS = ("3A090.a.1", "3A090.a.2", "3A090.b.1", "3A090.b.2", "not controlled")
DECIDING_CLAUSES = ("3A090.a.1", "3A090.a.2", "3A090.b.1", "3A090.b.2", "Note 2 to 3A090", "below every threshold")


def _paragraph_or_free(chip, rule: str) -> str:
    result = classify(chip, rule)
    return result.paragraph if result.controlled else "not controlled"


def _deciding_clause(chip, rule: str) -> str:
    result = classify(chip, rule)
    return result.paragraph or "below every threshold"


def _as_datacenter(name: str):
    return replace(get_chip(name), market="datacenter")


def _bandwidth_ratio(numerator: str, denominator: str) -> float:
    return get_chip(numerator).bytes_per_flop("fp16") / get_chip(denominator).bytes_per_flop("fp16")


_CHAPTER_1 = [
    Exercise(
        id="1.1", title="TPP from a datasheet", kind="number",
        expected=lambda: get_chip("A100").tpp,
        hint="TPP = dense TFLOPS x bit length; use the dense FP16 figure and 16 bits.",
    ),
    Exercise(
        id="1.2", title="Performance density of the H20", kind="number",
        expected=lambda: get_chip("H20").performance_density,
        hint="PD = TPP / die area in mm^2; the H20's TPP is its dense FP8 TFLOPS x 8.",
    ),
    Exercise(
        id="1.3", title="Where the H20 sits in the 2023 rule", kind="choice",
        expected=lambda: _paragraph_or_free("H20", "2023-10"),
        choices=PARAGRAPHS,
        hint="Test the paragraphs in order: a.1 needs TPP >= 4800, a.2 PD >= 5.92, "
             "b.1 TPP >= 2400 with PD >= 1.6, b.2 PD >= 3.2.",
    ),
    Exercise(
        id="1.4a", title="The A800 under the 2022 rule", kind="bool",
        expected=lambda: bool(classify("A800", "2022-10").controlled),
        hint="The 2022 rule needs two tests at once: processing performance and chip-to-chip bandwidth.",
    ),
    Exercise(
        id="1.4b", title="The A800 under the 2023 rule", kind="choice",
        expected=lambda: _paragraph_or_free("A800", "2023-10"),
        choices=PARAGRAPHS,
        hint="The 2023 rule dropped the interconnect test; compare its TPP with 4800.",
    ),
    Exercise(
        id="1.4c", title="Why the A800's fate changed", kind="text", min_words=15,
        hint="Name the test the A800 was designed to fail and what the 2023 rule did with it.",
        rubric={
            "the interconnect (chip-to-chip bandwidth) test of 2022": (
                "interconnect", "nvlink", "bandwidth", "600", "link", "talk to each other", "communicat",
                "connection", "between chips"),
            "the 2023 rule dropping that test": (
                "removed", "dropped", "no longer", "deleted", "gone", "taken out", "took out", "scrapped",
                "eliminat", "abandon", "only looks at", "only counts"),
            "TPP staying above 4800": ("4800", "4,800", "tpp", "processing performance", "arithmetic",
                                       "raw speed", "compute"),
        },
    ),
    Exercise(
        id="1.5a", title="The fastest datacenter chip that escapes", kind="number",
        expected=lambda: escape_ceiling(get_chip("H100").die_area_mm2, "datacenter") / 16,
        unit="TFLOPS",
        hint="On an 814 mm^2 die, find which of b.1 (TPP >= 2400) and b.2 (PD >= 3.2) is reached first, "
             "then turn that TPP into dense FP16 TFLOPS (divide by 16).",
    ),
    Exercise(
        id="1.5b", title="What the escaping chip gives up", kind="text", min_words=15,
        hint="Compare your design with the H100 on throughput, and think about what the rule does not measure.",
        rubric={
            "how much raw throughput is lost (about 85%)": ("throughput", "tflops", "tpp", "compute", "%",
                                                            "arithmetic", "speed", "slower"),
            "that memory bandwidth is not limited": ("memory", "bandwidth", "hbm"),
            "that more chips can make up for weaker ones": ("more chips", "cluster", "number of chips", "many",
                                                            "several chips", "more of them"),
        },
    ),
    Exercise(
        id="1.6a", title="Memory bandwidth per FLOP: H20 vs A800", kind="number",
        expected=lambda: _bandwidth_ratio("H20", "A800"),
        hint="Bytes per FLOP = memory bandwidth (bytes/s) / dense FP16 FLOP/s; divide the H20's by the A800's.",
    ),
    Exercise(
        id="1.6b", title="What a compute threshold misses", kind="text", min_words=40,
        hint="Think about the work a chip does after training, and about what a buyer can do with many chips.",
        rubric={
            "memory bandwidth and inference (serving models)": ("memory", "bandwidth", "inference", "serving"),
            "the number of chips and clusters": ("cluster", "number of chips", "quantity", "many chips", "more chips",
                                                 "more of them"),
            "software and algorithmic efficiency": ("software", "efficien", "algorithm", "smarter model"),
            "how a hard line invites designs just below it": ("just below", "just under", "under the line",
                                                              "design around", "designed around", "designed to",
                                                              "tailor", "loophole"),
        },
    ),
]

_CHAPTER_1 += [
    Exercise(
        id="1.7a", title="TPP of the RTX 4090 D", kind="number",
        expected=lambda: get_chip("RTX 4090D").tpp,
        hint="Use the dense FP8 (or INT8) figure, about 588, times 8 bits.",
    ),
    Exercise(
        id="1.7b", title="What decides the RTX 4090 D's status", kind="choice",
        expected=lambda: _deciding_clause("RTX 4090D", "2023-10"),
        choices=DECIDING_CLAUSES,
        hint="It is a consumer card with a TPP below 4,800: which clause speaks about such chips?",
    ),
    Exercise(
        id="1.7c", title="The same chip sold to datacenters", kind="choice",
        expected=lambda: _paragraph_or_free(_as_datacenter("RTX 4090D"), "2023-10"),
        choices=PARAGRAPHS,
        hint="Without Note 2 the density tests apply: compute PD = TPP / 608.5 mm^2 and compare with 5.92.",
    ),
    Exercise(
        id="1.8", title="Why chips are a chokepoint", kind="text", min_words=25,
        hint="Who can make advanced AI chips, how easily can a buyer replace them, and what are they needed for?",
        rubric={
            "how few firms can design or make them": ("few", "handful", "nvidia", "tsmc", "supplier"),
            "how hard they are to replace": ("replace", "substitute", "alternative", "switch"),
            "why frontier AI needs them (computation)": ("comput", "training", "frontier"),
            "what the controls aim at (keeping a lead)": ("lead", "slow", "behind", "contain"),
        },
    ),
]

EXERCISES: dict[str, Exercise] = {item.id: item for item in _CHAPTER_1}
