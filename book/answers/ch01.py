"""Answer key for chapter 1, Containment (exercises 1.1 to 1.8).

Every number in a hint or a mistake comes from the models (``RULES``, the chip table), so the
key follows a corrected figure in ``book/data/``.
"""

from __future__ import annotations

from dataclasses import replace

from book.answers.exercise import Exercise, Mistake, Tolerance, fmt
from book.export_controls import NOT_CONTROLLED, NOTE_2, PARAGRAPHS_2023, RULES, classify, escape_ceiling
from book.hardware import PRECISION_BITS, get_chip

R22, R23 = RULES["2022-10"], RULES["2023-10"]

#: the answers exercise 1.3 and its kind accept: a paragraph of the 2023 rule, or not controlled
PARAGRAPH_CHOICES = (*PARAGRAPHS_2023, NOT_CONTROLLED)
#: exercise 1.7b asks which clause decides: a paragraph, Note 2, or none (below every threshold)
NO_CLAUSE = "none"
CLAUSE_CHOICES = (*PARAGRAPHS_2023, NOTE_2, NO_CLAUSE)

#: answers from the wrong vocabulary that deserve a hint
OLD_PARAGRAPH = {"3A090.a": "That is the 2022 rule's paragraph; the 2023 rule split it into a.1 and a.2, each "
                            "with its own test."}

# the design exercise 1.5 works on the H100's die, at FP16
DESIGN_CHIP, DESIGN_PRECISION = "H100", "fp16"


def _paragraph_or_free(chip, rule: str) -> str:
    result = classify(chip, rule)
    return result.paragraph if result.controlled else NOT_CONTROLLED


def _deciding_clause(chip, rule: str) -> str:
    return classify(chip, rule).paragraph or NO_CLAUSE


def _as_datacenter(name: str):
    return replace(get_chip(name), market="datacenter")


def _design_area() -> float:
    return get_chip(DESIGN_CHIP).die_area_mm2


def _design_bits() -> int:
    return PRECISION_BITS[DESIGN_PRECISION]


def _bytes_per_flop_ratio(numerator: str, denominator: str) -> float:
    return get_chip(numerator).bytes_per_flop("fp16") / get_chip(denominator).bytes_per_flop("fp16")


def _order_of_tests() -> str:
    return (f"test the paragraphs in order: a.1 needs TPP ≥ {fmt(R23.tpp_threshold)}; a.2 needs TPP ≥ "
            f"{fmt(R23.tpp_density_floor)} and PD ≥ {R23.pd_a2}; b.1 needs TPP ≥ {fmt(R23.tpp_b1_floor)} and "
            f"PD ≥ {R23.pd_b1}; b.2 needs TPP ≥ {fmt(R23.tpp_density_floor)} and PD ≥ {R23.pd_b2}.")


def _twice_the_tpp() -> str:
    return ("Your value is twice the answer: it looks like a 'with sparsity' figure (the rule uses dense "
            "figures), or 16 bits used for an 8-bit format.")


EXERCISES = [
    Exercise(
        id="1.1", title="TPP from a datasheet", kind="number", points=2,
        expected=lambda: get_chip("A100").tpp,
        hint="TPP = dense throughput × bit length, at the precision that gives the highest product.",
        mistakes=(
            Mistake(lambda: 2 * get_chip("A100").tpp, _twice_the_tpp),
            Mistake(lambda: get_chip("A100").fp16_tflops * 8,
                    "You multiplied the FP16 figure by 8: FP16 numbers are 16 bits long."),
            Mistake(lambda: get_chip("A100").fp16_tflops,
                    "That is the dense FP16 throughput itself: TPP multiplies it by the bit length."),
        ),
    ),
    Exercise(
        id="1.2", title="Performance density of the H20", kind="number", points=2,
        expected=lambda: get_chip("H20").performance_density,
        hint="First find the TPP (the highest dense TFLOPS × bit length), then divide it by the die area in mm².",
        mistakes=(
            Mistake(lambda: get_chip("H20").tpp, "That is the TPP itself, not yet per square millimetre."),
            Mistake(lambda: 2 * get_chip("H20").performance_density, _twice_the_tpp),
            Mistake(lambda: get_chip("H20").fp16_tflops * 8 / get_chip("H20").die_area_mm2,
                    "You used 8 bits for the FP16 figure: FP16 numbers are 16 bits long."),
            Mistake(lambda: get_chip("H20").fp16_tflops / get_chip("H20").die_area_mm2,
                    "You divided the throughput itself by the area: first turn it into TPP (× bit length)."),
            Mistake(lambda: get_chip("H20").fp8_tflops / get_chip("H20").die_area_mm2,
                    "You divided the throughput itself by the area: first turn it into TPP (× bit length)."),
        ),
    ),
    Exercise(
        id="1.3", title="Where the H20 sits in the 2023 rule", kind="choice", points=1,
        expected=lambda: _paragraph_or_free("H20", "2023-10"),
        choices=PARAGRAPH_CHOICES,
        hint=lambda: "With the H20's TPP and PD, " + _order_of_tests(),
    ),
    Exercise(
        id="1.4a", title="The A800 under the 2022 rule", kind="bool", points=1,
        expected=lambda: bool(classify("A800", "2022-10").controlled),
        hint=lambda: (f"The 2022 rule needs both tests at once: processing performance ≥ {fmt(R22.tpp_threshold)} "
                      f"and chip-to-chip bandwidth ≥ {fmt(R22.interconnect_threshold_gb_s)} GB/s."),
    ),
    Exercise(
        id="1.4b", title="The A800 under the 2023 rule", kind="choice", points=1,
        expected=lambda: _paragraph_or_free("A800", "2023-10"),
        choices=PARAGRAPH_CHOICES, near_misses=OLD_PARAGRAPH,
        hint=lambda: f"The 2023 rule has no interconnect test: compare the A800's TPP with {fmt(R23.tpp_threshold)}.",
    ),
    Exercise(
        id="1.4c", title="Why the A800's fate changed", kind="text", points=2, min_words=15,
        hint="Name the test the A800 was designed to fail and what the 2023 rule did with it.",
        rubric={
            "the interconnect (chip-to-chip bandwidth) test of 2022": (
                "interconnect", "nvlink", "bandwidth", "600", "link", "talk to each other", "communicat",
                "connection", "between chips"),
            "the 2023 rule dropping that test": (
                "removed", "dropped", "no longer", "deleted", "gone", "taken out", "took out", "scrapped",
                "eliminat", "abandon", "only looks at", "only counts"),
            "TPP staying above 4,800": ("4800", "4,800", "tpp", "processing performance", "arithmetic",
                                        "raw speed", "compute"),
        },
    ),
    Exercise(
        id="1.5a", title="The smallest design the 2023 rule catches", kind="number", points=3,
        expected=lambda: escape_ceiling(_design_area(), "datacenter") / _design_bits(),
        unit="TFLOPS", tolerance=Tolerance.at_least(1.0),
        hint=lambda: (f"On the {DESIGN_CHIP}'s {fmt(_design_area())} mm² die, find which line is reached first as TPP grows: "
                      f"b.1 (TPP ≥ {fmt(R23.tpp_b1_floor)}) or b.2 (PD ≥ {R23.pd_b2}, that is TPP ≥ "
                      f"{R23.pd_b2} × {fmt(_design_area())}); then turn that TPP into dense FP16 TFLOPS "
                      f"(divide by {_design_bits()})."),
        mistakes=(
            Mistake(lambda: escape_ceiling(_design_area(), "datacenter"),
                    lambda: f"That looks like a TPP: the question asks for dense FP16 TFLOPS (divide by {_design_bits()})."),
            Mistake(lambda: R23.pd_b2 * _design_area() / _design_bits(),
                    "That is where the b.2 line (PD 3.2) would bite: on this die another line is reached first."),
            Mistake(lambda: R23.tpp_threshold / _design_bits(),
                    "That is the a.1 line: a datacenter chip is caught well before it, by the b lines."),
        ),
    ),
    Exercise(
        id="1.5b", title="What the escaping chip gives up", kind="text", points=2, min_words=15,
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
        id="1.6a", title="Memory bandwidth per FLOP: H20 vs A800", kind="number", points=2,
        expected=lambda: _bytes_per_flop_ratio("H20", "A800"),
        hint="Bytes per FLOP = memory bandwidth (bytes per second) / dense FP16 FLOP per second; divide the "
             "H20's value by the A800's.",
        mistakes=(
            Mistake(lambda: 1 / _bytes_per_flop_ratio("H20", "A800"),
                    "Your value is the reciprocal of the answer: divide the other way round (H20 ÷ A800)."),
            Mistake(lambda: _bytes_per_flop_ratio("H20", "A800") - 1,
                    "Your value is one less than the answer: give the ratio itself, not how much larger it is."),
            Mistake(lambda: get_chip("H20").memory_bandwidth_gb_s / get_chip("A800").memory_bandwidth_gb_s,
                    "That compares memory bandwidth alone: divide each chip's bandwidth by its dense FP16 "
                    "throughput first."),
            Mistake(lambda: _bytes_per_flop_ratio("H20", "H100"),
                    "That is the H20 against the H100 (the chapter's comparison): this exercise compares it "
                    "with the A800."),
        ),
    ),
    Exercise(
        id="1.6b", title="What a compute threshold misses", kind="text", points=4, min_words=40,
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
    Exercise(
        id="1.7a", title="TPP of the RTX 4090 D", kind="number", points=1,
        expected=lambda: get_chip("RTX 4090 D").tpp,
        hint="TPP = dense throughput × bit length; FP8 and INT8 are 8-bit formats.",
        mistakes=(
            Mistake(lambda: 2 * get_chip("RTX 4090 D").tpp, _twice_the_tpp),
            Mistake(lambda: get_chip("RTX 4090 D").fp8_tflops,
                    "That is the dense FP8 throughput itself: TPP multiplies it by the bit length."),
        ),
    ),
    Exercise(
        id="1.7b", title="What decides the RTX 4090 D's status", kind="choice", points=1,
        expected=lambda: _deciding_clause("RTX 4090 D", "2023-10"),
        choices=CLAUSE_CHOICES,
        near_misses={NOT_CONTROLLED: "True, it is not controlled; the question asks which clause makes it so.",
                     **OLD_PARAGRAPH},
        hint=lambda: f"It is a consumer card with a TPP below {fmt(R23.tpp_threshold)}: which clause speaks about such chips?",
    ),
    Exercise(
        id="1.7c", title="The same chip sold to datacenters", kind="choice", points=2,
        expected=lambda: _paragraph_or_free(_as_datacenter("RTX 4090 D"), "2023-10"),
        choices=PARAGRAPH_CHOICES,
        hint=lambda: (f"Without Note 2 the density tests apply: compute PD = TPP / "
                      f"{fmt(get_chip('RTX 4090 D').die_area_mm2)} mm² and compare it with {R23.pd_a2}."),
    ),
    Exercise(
        id="1.8", title="Why chips are a chokepoint", kind="text", points=3, min_words=25,
        hint="Who can make advanced AI chips, how easily can a buyer replace them, and what are they needed for?",
        rubric={
            "how few firms can design or make them": ("few", "handful", "nvidia", "tsmc", "supplier"),
            "how hard they are to replace": ("replace", "substitute", "alternative", "switch"),
            "why frontier AI needs them (computation)": ("comput", "training", "frontier"),
            "what the controls aim at (keeping a lead)": ("lead", "slow", "behind", "contain"),
        },
    ),
]

#: the chapter's learning objectives (numbered as in the chapter) and the exercises that practise them
OBJECTIVES = {1: ("1.8",), 2: ("1.1", "1.2", "1.7a"), 3: ("1.3", "1.4a", "1.4b", "1.5a", "1.7b"),
              4: ("1.4c", "1.5b", "1.7c"), 5: ("1.6a", "1.6b")}
