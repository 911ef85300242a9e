"""Answer key for chapter 3, The cost of compute (exercises 3.1 to 3.9).

Expected values, hint numbers and likely mistakes come from the models (``book.training_cost``,
``book.serving``, the chip table) and the reported runs in ``book/data/training_runs.csv``.
"""

from __future__ import annotations

from book.answers.exercise import Exercise, Mistake, Tolerance, fmt
from book.architecture import bytes_per_value, get_architecture, parameter_counts, routed_experts
from book.hardware import get_chip
from book.serving import seconds_per_token
from book.training_cost import (FLOPS_PER_PARAMETER_TOKEN, SECONDS_PER_HOUR, energy_kwh, gpu_hours, implied_mfu,
                                 run_stages, run_totals, training_flops, wall_clock_days, years_to_reach)

# the settings the exercises use, named once
PUE = 1.58                 # data-centre average, 2023 (Uptime Institute)
USD_PER_KWH = 0.0806       # US industrial electricity, 2023 (EIA)
CLUSTER = 2048             # DeepSeek's H800 cluster
MFU_ROUNDED = 0.17         # the implied FP8 utilisation, rounded, used on other chips
SERVE_BATCH = 1024         # the serving batch of exercise 3.5c
SMALL_BATCH = 64           # a batch at which both chips wait on memory
SONNET_MUSD = 30           # a middle reading of Amodei's "a few $10M's" for Claude 3.5 Sonnet
DECLINE = 4                # Amodei's cost decline for a given capability, times a year
# exercise 3.5c reads the hardware comparison dashboard with its other controls at their defaults:
SERVE_MODEL = "DeepSeek-V3"  # its "Model (serving)" default
SERVE_TOKENS_T = 14.8        # its "Tokens" default, trillion tokens generated
SERVE_MFU = 0.35             # its "Utilisation (MFU)" default
SERVE_PRECISION = "fp8"      # its "Precision" default (FP8)


def _v3():
    return run_stages("DeepSeek-V3")[0]


def _v3_flops() -> float:
    stage = _v3()
    return training_flops(stage.active_params_b * 1e9, stage.tokens_t * 1e12)


def _v3_all_hours() -> float:
    return sum(stage.gpu_hours for stage in run_stages("DeepSeek-V3"))


def _mfu(precision: str) -> float:
    return implied_mfu(_v3_flops(), _v3().gpu_hours, get_chip("H800").dense_tops(precision))


def _days_on(chip: str, precision: str = "fp8") -> float:
    peak = get_chip(chip).dense_tops(precision) or get_chip(chip).dense_tops("fp16")
    return wall_clock_days(gpu_hours(_v3_flops(), peak, MFU_ROUNDED), CLUSTER)


def _llama():
    return run_stages("Llama 3.1 405B")[0]


def _serving_hours(chip: str, batch: int) -> float:
    """Chip-hours for one chip to generate SERVE_TOKENS_T trillion tokens of SERVE_MODEL, ``batch``
    tokens a step, at SERVE_PRECISION and SERVE_MFU of both peaks: the serving roofline, as the
    comparison dashboard's "serve a model" workload computes it."""
    served = get_architecture(SERVE_MODEL)
    routed, share = routed_experts(served)
    item = get_chip(chip)
    roofline = seconds_per_token(parameter_counts(served).active_in_matmuls,
                                 item.fp32_accumulate_tops(SERVE_PRECISION), item.memory_bandwidth_gb_s,
                                 bytes_per_value(SERVE_PRECISION), batch, SERVE_MFU, routed, share)
    return SERVE_TOKENS_T * 1e12 * roofline.seconds / SECONDS_PER_HOUR


def _serving_ratio(batch: int = SERVE_BATCH) -> float:
    """H20s per H100 serving DeepSeek-V3: the H20's time over the H100's on the same workload (the
    comparison dashboard's "on this workload" figure)."""
    return _serving_hours("H20", batch) / _serving_hours("H100", batch)


def _months_to_v3(factor: float = DECLINE) -> float:
    return 12 * years_to_reach(SONNET_MUSD * 1e6, run_totals("DeepSeek-V3").rental_usd, 1 / factor)


def _v3_kwh() -> float:
    return energy_kwh(_v3_all_hours(), get_chip("H800").tdp_w, PUE)


EXERCISES = [
    Exercise(
        id="3.1", title="DeepSeek-V3's training FLOPs", kind="number", points=2, unit="× 10²⁴ FLOPs",
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _v3_flops() / 1e24,
        hint=lambda: (f"Training costs about {FLOPS_PER_PARAMETER_TOKEN} FLOPs per active parameter per token: "
                      f"multiply {FLOPS_PER_PARAMETER_TOKEN}, the active parameters (as a count) and the training "
                      "tokens (as a count)."),
        mistakes=(
            Mistake(lambda: _v3_flops() / 3 / 1e24, "That is the forward pass alone (2 per parameter); training "
                                                    "adds a backward pass of twice that: 6 in all."),
            Mistake(lambda: training_flops(671e9, _v3().tokens_t * 1e12) / 1e24,
                    "That uses all 671 billion parameters; each token uses only the active ones."),
            Mistake(lambda: _v3_flops(), "That is in FLOPs; the question asks in units of 10²⁴ FLOPs."),
            Mistake(lambda: _v3_flops() / 1e21 / 1e24,
                    lambda: (f"You multiplied {fmt(_v3().active_params_b)} and {fmt(_v3().tokens_t)}, the numbers of "
                             "billions and trillions: turn them into counts first (a billion is 1e9, a trillion "
                             "1e12).")),
        ),
    ),
    Exercise(
        id="3.2", title="The utilisation DeepSeek's numbers imply", kind="number", points=2,
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _mfu("fp8"),
        hint=lambda: (f"MFU = training FLOPs ÷ (GPU-hours × {fmt(SECONDS_PER_HOUR)} seconds × the H800's dense FP8 "
                      "peak in FLOP/s); use the pre-training hours only."),
        mistakes=(
            Mistake(lambda: _mfu("fp16"), "That is against the BF16 peak; the question asks for the FP8 reading."),
            Mistake(lambda: 100 * _mfu("fp8"), "Give it as a fraction, not a percentage (a percentage is the "
                                               "fraction times a hundred)."),
            Mistake(lambda: implied_mfu(_v3_flops(), _v3_all_hours(), get_chip("H800").fp8_tflops),
                    lambda: f"You used all {fmt(_v3_all_hours() / 1e6)} million hours; the FLOPs counted are "
                            "pre-training's, so use its hours."),
        ),
    ),
    Exercise(
        id="3.3", title="Wall-clock time on the cluster", kind="number", points=1, unit="days",
        expected=lambda: wall_clock_days(_v3().gpu_hours, CLUSTER),
        hint=lambda: f"Spread the pre-training GPU-hours over the {fmt(CLUSTER)} chips, then turn hours into days.",
        mistakes=(Mistake(lambda: _v3().gpu_hours / CLUSTER, "That is in hours; divide by 24 for days."),
                  Mistake(lambda: wall_clock_days(_v3_all_hours(), CLUSTER),
                          lambda: (f"That spreads all {fmt(_v3_all_hours() / 1e6)} million GPU-hours of V3's "
                                   "training, the later stages too; the question asks how long pre-training took.")),),
    ),
    Exercise(
        id="3.4", title="The same run on H20s", kind="number", points=3, unit="days",
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _days_on("H20"),
        hint=lambda: (f"In the comparison dashboard, train {fmt(_v3().active_params_b)} billion active parameters on "
                      f"{fmt(_v3().tokens_t)} trillion tokens at FP8, "
                      f"{MFU_ROUNDED:.0%} utilisation, on {fmt(CLUSTER)} chips, and read the H20's days; or compute "
                      "gpu_hours with the H20's dense FP8 peak, then wall_clock_days."),
        mistakes=(Mistake(lambda: _days_on("H20", "fp16"), "That uses the H20's BF16 peak; the run is at FP8."),
                  Mistake(lambda: _days_on("H800"), "That is the H800: choose the H20."),),
    ),
    Exercise(
        id="3.5a", title="H20s per H100 on compute", kind="number", points=1,
        expected=lambda: get_chip("H100").fp8_tflops / get_chip("H20").fp8_tflops,
        hint="Divide the H100's dense FP8 throughput by the H20's.",
        mistakes=(Mistake(lambda: get_chip("H20").fp8_tflops / get_chip("H100").fp8_tflops,
                          "Your value is the reciprocal: how many H20s make one H100 is H100 ÷ H20."),),
    ),
    Exercise(
        id="3.5b", title="H20s per H100 on memory bandwidth", kind="number", points=1,
        expected=lambda: get_chip("H100").memory_bandwidth_gb_s / get_chip("H20").memory_bandwidth_gb_s,
        hint="Divide the H100's memory bandwidth by the H20's: below 1 means one H20 is worth more than an H100.",
        mistakes=(Mistake(lambda: get_chip("H20").memory_bandwidth_gb_s / get_chip("H100").memory_bandwidth_gb_s,
                          "Your value is the reciprocal: the H20's bandwidth over the H100's."),),
    ),
    Exercise(
        id="3.5c", title="H20s per H100 when serving", kind="number", points=1,
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _serving_ratio(),
        hint=lambda: (f"In the dashboard choose serve a model, keep DeepSeek-V3 and FP8, set the batch to "
                      f"{fmt(SERVE_BATCH)}, and in the text headed 'H20s per H100' ('H20s needed to match one "
                      "H100: ...') read the number 'on this workload'; or divide the H20's days by the H100's "
                      "(the table's Days column)."),
        mistakes=(Mistake(lambda: get_chip("H100").fp8_tflops / get_chip("H20").fp8_tflops,
                          "That is the compute ratio: what training, or serving with very large batches, gives; "
                          "this question's batch is smaller."),
                  Mistake(lambda: 1 / _serving_ratio(),
                          "Your value is the reciprocal: H20s per H100 is the H20's time over the H100's."),
                  Mistake(lambda: _serving_ratio(batch=SMALL_BATCH),
                          "That is the memory-bandwidth ratio: what a small batch gives, when both chips wait on "
                          "memory; this question's batch is larger."),),
    ),
    Exercise(
        id="3.6a", title="The run's electricity", kind="number", points=2, unit="MWh",
        expected=lambda: _v3_kwh() / 1000,
        hint=lambda: (f"Energy = GPU-hours × the H800's TDP in kW × PUE ({PUE}); use all "
                      f"{fmt(_v3_all_hours() / 1e6)} million hours; give megawatt-hours (thousands of kWh)."),
        mistakes=(Mistake(lambda: _v3_kwh(), "That is in kWh; the question asks for MWh."),
                  Mistake(lambda: _v3_kwh() / 1e6, "That is in GWh; the question asks for MWh."),
                  Mistake(lambda: _v3_kwh() / PUE / 1000, lambda: f"You left out the PUE ({PUE}): cooling and the "
                                                                  "rest of the data centre use power too."),),
    ),
    Exercise(
        id="3.6b", title="What that electricity costs", kind="number", points=1, unit="thousand US dollars",
        expected=lambda: _v3_kwh() * USD_PER_KWH / 1000,
        hint=lambda: f"Multiply the kWh by {USD_PER_KWH} dollars per kWh; give thousands of dollars.",
        mistakes=(Mistake(lambda: _v3_kwh() * USD_PER_KWH, "That is in dollars; the question counts in thousands."),
                  Mistake(lambda: _v3_kwh() * USD_PER_KWH / 1e6,
                          "That is in millions of dollars; the question counts in thousands."),
                  Mistake(lambda: _v3_kwh() * USD_PER_KWH * 100 / 1000,
                          "That looks like cents: the price is in dollars per kWh."),
                  Mistake(lambda: _v3_kwh() / PUE * USD_PER_KWH / 1000,
                          lambda: f"You left out the PUE ({PUE}): the electricity bill is for the whole data "
                                  "centre."),),
    ),
    Exercise(
        id="3.7", title="Llama 3.1's implied utilisation", kind="number", points=2,
        tolerance=Tolerance.relative(0.02),
        expected=lambda: implied_mfu(_llama().reported_flops, _llama().gpu_hours, get_chip("H100").fp16_tflops),
        hint="Use the reported FLOPs, the model card's GPU-hours and the H100's dense BF16 peak; give a fraction.",
        mistakes=(Mistake(lambda: implied_mfu(_llama().reported_flops, _llama().gpu_hours, get_chip("H100").fp8_tflops),
                          "That uses the FP8 peak; Llama 3.1 trained in BF16."),
                  Mistake(lambda: 100 * implied_mfu(_llama().reported_flops, _llama().gpu_hours,
                                                    get_chip("H100").fp16_tflops),
                          "That is a percentage, not the fraction the question asks for (a percentage is the "
                          "fraction times a hundred)."),),
    ),
    Exercise(
        id="3.8", title="Where V3 sits on the cost-decline curve", kind="number", points=2, unit="months",
        tolerance=Tolerance.absolute(0.5),
        expected=lambda: _months_to_v3(),
        hint=lambda: (f"A cost that falls {DECLINE} times a year is multiplied by 1/{DECLINE} each year: find how "
                      f"many years take US${SONNET_MUSD} million down to DeepSeek-V3's final-run rental value "
                      "(book.training_cost solves it with years_to_reach), then turn years into months."),
        mistakes=(Mistake(lambda: _months_to_v3() / 12, "That is in years; the question asks for months."),
                  Mistake(lambda: _months_to_v3(2), "That is halving every year, a slower decline than this "
                                                    "question's."),),
    ),
    Exercise(
        id="3.9", title="What US$5.6 million shows", kind="text", points=5, min_words=80,
        hint="Say what the figure counts, what it leaves out, and what comparison it does support.",
        rubric={
            "it is one final run's rental value": ("final run", "rental", "rent", "gpu-hour", "$2"),
            "what it leaves out (experiments, the cluster, staff)": ("experiment", "ablation", "research", "staff",
                                                                     "salar", "capital", "buying", "purchas",
                                                                     "owned", "owns"),
            "DeepSeek's own fleet of chips": ("50,000", "hopper", "fleet", "cluster of"),
            "what it does show (efficiency of the run, compared like for like)": (
                "efficien", "utilisation", "utilization", "mfu", "fewer gpu", "cheap", "per token", "like for like",
                "like-for-like", "per flop"),
        },
    ),
]

#: the chapter's learning objectives (numbered as in the chapter) and the exercises that practise them
OBJECTIVES = {1: ("3.1", "3.3", "3.6a", "3.6b"), 2: ("3.2", "3.7"), 3: ("3.9",), 4: ("3.4", "3.5a", "3.5b", "3.5c"),
              5: ("3.8",)}
