"""Answer key for chapter 5, The paradox of success (exercises 5.1 to 5.5).

Expected values come from the chip catalogue, the cost estimates of chapter 3 and the designed
rules of ``book.rule_design`` (the model behind the rule designer dashboard).
"""

from __future__ import annotations

from book.answers.exercise import Exercise, Mistake, Tolerance, fmt
from book.hardware import get_chip
from book.rule_design import CAUGHT, DesignedRule, compare
from book.training_cost import cost_estimate, rental_cost, run_stages, run_totals

CLUSTER = 2048             # DeepSeek's H800 cluster for V3
BANDWIDTH_STEP = 100.0     # the rule designer's step for the memory-bandwidth line, GB/s
TPP_STEP = 100.0           # its step for the TPP line
REAL_RULE = "2023-10"      # the rule designer's default "Rule" to compare with (the October 2023 rule)


def _h20s_per_cluster() -> float:
    return CLUSTER * get_chip("H800").fp8_tflops / get_chip("H20").fp8_tflops


def _bandwidth_line() -> float:
    """The highest memory-bandwidth line, on the slider's steps, that still catches the H20."""
    return (get_chip("H20").memory_bandwidth_gb_s // BANDWIDTH_STEP) * BANDWIDTH_STEP


def _freed_by_bandwidth_line() -> int:
    """Chips the real rule catches and a rule with only the memory-bandwidth line lets go (the TPP
    and density lines off, so no gaming-card exemption either)."""
    rule = DesignedRule(tpp=None, density=None, memory_bandwidth_gb_s=_bandwidth_line(),
                        consumer_exempt_below_tpp=None)
    return sum(1 for row in compare(rule, REAL_RULE) if row.differs and not row.judgement.caught)


def _tpp_line() -> float:
    return (get_chip("H20").tpp // TPP_STEP) * TPP_STEP


def _gaming_cards_caught() -> int:
    """Consumer cards caught by a rule with only the TPP line, gaming cards exempt below it (the
    rule designer's default)."""
    line = _tpp_line()
    rule = DesignedRule(tpp=line, density=None, consumer_exempt_below_tpp=line)
    return sum(1 for row in compare(rule, REAL_RULE)
               if row.judgement.status == CAUGHT and row.judgement.chip.market == "consumer")


def _v3_pretraining_usd() -> float:
    """The rental value of DeepSeek-V3's pre-training stage alone: the same basis as the outside
    estimate of GPT-4's final training run (not the three stages together)."""
    stage = next(s for s in run_stages("DeepSeek-V3") if s.stage == "pre-training")
    return rental_cost(stage.gpu_hours, stage.usd_per_gpu_hour)


def _cost_ratio() -> float:
    return cost_estimate("gpt4_final_run").middle_usd / _v3_pretraining_usd()


EXERCISES = [
    Exercise(
        id="5.1", title="H20s to match DeepSeek's cluster", kind="number", points=2, unit="H20s",
        expected=_h20s_per_cluster,
        hint=lambda: (f"Multiply the {fmt(CLUSTER)} H800s by the H800's dense FP8 throughput and divide by the "
                      "H20's."),
        mistakes=(Mistake(lambda: CLUSTER * get_chip("H20").fp8_tflops / get_chip("H800").fp8_tflops,
                          "That is upside down: the H20 is the slower chip, so more of them are needed."),
                  Mistake(lambda: get_chip("H800").fp8_tflops / get_chip("H20").fp8_tflops,
                          lambda: f"That is H20s per H800; multiply by the {fmt(CLUSTER)} chips of the cluster."),),
    ),
    Exercise(
        id="5.2a", title="A memory-bandwidth line that catches the H20", kind="number", points=2, unit="GB/s",
        tolerance=Tolerance.exact(),
        expected=_bandwidth_line,
        hint=lambda: ("In the rule designer, turn the TPP and density lines off (set them to zero) and raise the "
                      f"memory-bandwidth line in steps of {fmt(BANDWIDTH_STEP)} GB/s: give the highest value at which "
                      "the H20 is still caught (a chip is caught at or above the line)."),
        mistakes=(Mistake(lambda: _bandwidth_line() + BANDWIDTH_STEP,
                          "At that line the H20 goes free: a chip must reach the line to be caught."),),
    ),
    Exercise(
        id="5.2b", title="What that line lets go", kind="number", points=2, unit="chips",
        tolerance=Tolerance.exact(),
        expected=_freed_by_bandwidth_line,
        hint="A line on memory bandwidth alone lets go every chip whose memory is slower than the line, however "
             "much arithmetic it has. In the rule designer, with only that line, compare your rule with the 2023 "
             "rule and count the chips the 2023 rule catches that yours marks free.",
        mistakes=(Mistake(lambda: 0, "Look again at the table: several chips the 2023 rule catches have slower "
                                     "memory than the H20."),
                  Mistake(lambda: _freed_by_bandwidth_line() + 1,
                          "Check each chip you counted: the Differs column also marks a chip your rule catches and "
                          "the 2023 rule does not, and a chip your rule cannot judge (no published memory bandwidth) "
                          "is not marked free."),),
    ),
    Exercise(
        id="5.3a", title="A TPP line low enough for the H20", kind="number", points=1,
        tolerance=Tolerance.exact(),
        expected=_tpp_line,
        hint=lambda: (f"The H20's TPP is {fmt(get_chip('H20').tpp)}; the TPP line moves in steps of "
                      f"{fmt(TPP_STEP)}: give the highest line that still catches it."),
        mistakes=(Mistake(lambda: _tpp_line() + TPP_STEP, "At that line the H20 goes free."),
                  Mistake(lambda: get_chip("H20").tpp, "That is the H20's TPP itself, which the slider cannot "
                                                       "reach: the line must sit on one of its steps."),),
    ),
    Exercise(
        id="5.3b", title="The gaming cards it catches", kind="number", points=1, unit="cards",
        tolerance=Tolerance.exact(),
        expected=_gaming_cards_caught,
        hint="With that TPP line (density line off, gaming cards exempt only below the line), count the consumer cards "
             "the rule now catches.",
    ),
    Exercise(
        id="5.4", title="The like-for-like cost gap", kind="number", points=2, unit="times",
        tolerance=Tolerance.relative(0.02),
        expected=_cost_ratio,
        hint="Compare like with like: GPT-4's outside estimate (the middle of its range, in book.training_cost) "
             "prices one final training run at rental rates, so divide it by the rental value of DeepSeek-V3's "
             "pre-training stage alone, its GPU-hours at its price per GPU-hour.",
        mistakes=(Mistake(lambda: cost_estimate("gpt4_final_run").middle_usd / run_totals("DeepSeek-V3").rental_usd,
                          "That divides by all three of V3's stages together (pre-training, context extension and "
                          "post-training): more than GPT-4's estimate counts."),
                  Mistake(lambda: 100e6 / _v3_pretraining_usd(),
                          "That uses Wired's 'over $100 million', which does not say what it counts; use the "
                          "final-run estimate."),
                  Mistake(lambda: 1 / _cost_ratio(), "That is V3 over GPT-4; the question asks how many times "
                                                    "more GPT-4's run cost."),),
    ),
    Exercise(
        id="5.5", title="Did the controls succeed?", kind="text", points=6, min_words=150,
        hint="Take a side, use at least three numbers from chapters 1 to 5, answer the strongest point of the other "
             "side, and say what evidence would change your mind.",
        rubric={
            "numbers from the chapters (chips, costs, prices, adoption)": ("h20", "h800", "tpp", "million", "%",
                                                                         "times", "gpu"),
            "the case that the controls worked": ("fleet", "limited", "constrain", "frontier", "compute",
                                                  "scale", "chips"),
            "the case that they backfired": ("efficien", "cheap", "diffus", "spread", "domestic", "ascend",
                                             "open"),
            "what would change the verdict": ("evidence", "would change", "if ", "data", "measure", "unless"),
        },
    ),
]

#: the chapter's learning objectives (numbered as in the chapter) and the exercises that practise them
OBJECTIVES = {1: ("5.5",), 2: ("5.1", "5.4"), 3: ("5.2a", "5.2b", "5.3a", "5.3b"), 4: ("5.5",)}
