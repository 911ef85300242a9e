"""The hardware-efficiency comparison (chapter 3): one training workload on every chip of the
catalogue, side by side, each marked with its export-control status.

``view`` is the pure update function: a workload (a model of N active parameters trained on D
tokens, the same model generating D tokens for users, or a fixed FLOP budget), the precision, the utilisation reached, the cluster size and a
chip to compare with the H100 in; for every chip with a throughput figure the time, chip-hours,
energy, rental cost where a price is known, TFLOPS per watt, memory bandwidth per FLOP and status
out, with how many of the compared chip equal one H100 on compute, on memory bandwidth, on
interconnect and on the chosen workload. ``panel`` draws it. Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from book.architecture import get_architecture, load_architectures, parameter_counts, routed_experts
from book.dashboards import svg
from book.dashboards.base import Control, Panel, rule_control
from book.display import Table, table
from book.export_controls import RULES, Classification, classify
from book.figure import Figure, figure_html, legend_html
from book.hardware import Chip, get_chip, load_chips
from book.palette import STATUS_BAR_HATCH, STATUS_MARK, status_bar_swatch
from book.rental import rental_price
from book.serving import FLOPS_PER_PARAMETER_TOKEN as SERVING_FLOPS_PER_PARAMETER
from book.serving import Roofline, experts_read, seconds_per_token
from book.training_cost import (FLOPS_PER_PARAMETER_TOKEN, SECONDS_PER_HOUR, energy_kwh, gpu_hours, training_flops,
                                wall_clock_days)
from book.validate import positive

NAME = "hardware_comparison"
TITLE = "Hardware-efficiency comparison"

REFERENCE = "H100"
#: data-centre power usage effectiveness: the 2023 industry average (Uptime Institute)
PUE = 1.58
#: US average industrial electricity price, 2023 (EIA), US dollars per kWh
USD_PER_KWH = 0.0806

#: the workloads: training, serving (generating tokens) and a fixed budget of FLOPs
TASKS = ("train", "serve", "budget")

CONTROLS = (
    Control("task", "Workload", "choice", "train", buttons=True,
            options=(("train a model", "train"), ("serve a model", "serve"), ("a fixed FLOP budget", "budget")),
            help="Train N active parameters on D tokens (6 N D FLOPs), serve a model (generate D tokens), "
                 "or spend a given number of FLOPs."),
    Control("active_params_b", "Active parameters (training)", "number", 37.0, minimum=1.0, maximum=2000.0,
            step=1.0, unit="billion", group="Workload",
            help="When training: parameters each token is multiplied by (DeepSeek-V3: 37)."),
    Control("model", "Model (serving)", "choice", "DeepSeek-V3",
            options=tuple((arch.name, arch.name) for arch in load_architectures()), group="Workload",
            help="When serving: the model that writes the tokens, with its experts (chapter 2's table)."),
    Control("tokens_t", "Tokens", "number", 14.8, minimum=0.1, maximum=40.0, step=0.1, unit="trillion",
            group="Workload", help="Tokens the model is trained on (DeepSeek-V3: 14.8 trillion), or generates when "
                                   "serving."),
    Control("batch", "Batch (serving)", "number", 1024.0, minimum=1.0, maximum=16_384.0, step=1.0, unit="tokens",
            group="Workload", help="When serving: tokens written in one step by the chips holding one copy of the "
                                   "model; one read of the weights serves them all."),
    Control("budget_e24", "FLOP budget", "number", 3.3, minimum=0.1, maximum=200.0, step=0.1, unit="× 10²⁴ FLOPs",
            group="Workload", help="Used when the workload is a fixed budget: total FLOPs, in units of 10²⁴."),
    Control("precision", "Precision", "choice", "fp8", buttons=True, options=(("BF16", "fp16"), ("FP8", "fp8")),
            group="Hardware", help="The number format of the arithmetic; chips without FP8 run at their BF16 speed."),
    Control("mfu", "Utilisation (MFU)", "number", 0.35, minimum=0.05, maximum=0.6, step=0.01, group="Hardware",
            help="The share of the dense peak reached (when serving, of the memory bandwidth too): 0.35 means 35%."),
    Control("chips", "Cluster size", "number", 2048.0, minimum=64.0, maximum=100_000.0, step=64.0, unit="chips",
            group="Hardware", help="How many chips train together."),
    Control("chip", "Compare with the H100", "choice", get_chip("H20").name,
            options=tuple((c.short_name, c.name) for c in load_chips() if c.name != get_chip(REFERENCE).name),
            group="Hardware", help="A chip to express in H100s: on compute, memory bandwidth and interconnect."),
    rule_control(group="Hardware"),
)


@dataclass(frozen=True)
class ChipRun:
    """The workload on one kind of chip."""

    chip: Chip
    precision_used: str
    peak_tflops: float
    hours: float
    days: float
    energy_kwh: float | None
    rental_usd: float | None
    result: Classification
    #: when serving: the time per token on arithmetic and on memory (None for training)
    roofline: Roofline | None = None

    @property
    def tflops_per_watt(self) -> float | None:
        return self.peak_tflops / self.chip.tdp_w if self.chip.tdp_w else None


@dataclass(frozen=True)
class Equivalence:
    """How many of one chip equal one reference chip, on three measures (None where unknown)."""

    chip: Chip
    reference: Chip
    compute: float | None
    memory_bandwidth: float | None
    interconnect: float | None
    #: the ratio of the two chips' times on the chosen workload (None if either has no time)
    workload: float | None = None


@dataclass(frozen=True)
class ComparisonView:
    task: str
    flops: float
    precision: str
    mfu: float
    chips: int
    rule: str
    runs: tuple[ChipRun, ...]
    equivalence: Equivalence
    active_params_b: float = 37.0
    tokens_t: float = 14.8
    batch: int = 1024
    #: the model served (None unless serving)
    model: str | None = None

    @property
    def left_out(self) -> tuple[str, ...]:
        """Chips of the catalogue with no time, for want of a figure the workload needs."""
        shown = {run.chip.name for run in self.runs}
        return tuple(chip.short_name for chip in load_chips() if chip.name not in shown)


def _peak(chip: Chip, precision: str) -> tuple[float | None, str]:
    """The chip's dense peak at ``precision`` with FP32 sums (half the spec sheet for GeForce cards),
    or at FP16/BF16 when it has no FP8 figure."""
    value = chip.fp32_accumulate_tops(precision)
    if value is None and precision == "fp8":
        return chip.fp32_accumulate_tops("fp16"), "fp16"
    return value, precision


def _ratio(reference: float | None, other: float | None) -> float | None:
    return reference / other if reference and other else None


def equivalence(chip: Chip, reference: Chip, precision: str, runs: tuple[ChipRun, ...] = ()) -> Equivalence:
    """How many ``chip`` equal one ``reference`` on dense compute, memory bandwidth, interconnect and,
    given their ``runs``, the workload (the ratio of their times)."""
    times = {run.chip.name: run.hours for run in runs}
    return Equivalence(chip, reference, _ratio(_peak(reference, precision)[0], _peak(chip, precision)[0]),
                       _ratio(reference.memory_bandwidth_gb_s, chip.memory_bandwidth_gb_s),
                       _ratio(reference.interconnect_gb_s, chip.interconnect_gb_s),
                       _ratio(times.get(chip.name), times.get(reference.name)))


def _whole(name: str, value: float, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def view(task: str = "train", active_params_b: float = 37.0, tokens_t: float = 14.8, model: str = "DeepSeek-V3",
         batch: float = 1024, budget_e24: float = 3.3, precision: str = "fp8", mfu: float = 0.35, chips: float = 2048, chip: str = "H20",
         rule: str = "2023-10") -> ComparisonView:
    """The update function: control values in, the full comparison out. Raises a ValueError naming
    the parameter for an unknown task, precision or rule, non-positive sizes, an MFU outside
    (0, 1], a batch or a cluster that is not a whole number; a KeyError for an unknown chip or model."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}, got {task!r}")
    if isinstance(precision, str):  # "BF16", "bf16" and "FP8" as the page shows them
        precision = {"bf16": "fp16"}.get(precision.strip().casefold(), precision.strip().casefold())
    if precision not in ("fp16", "fp8"):
        raise ValueError(f"precision must be 'fp16' (BF16) or 'fp8', got {precision!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    positive("active_params_b", active_params_b)
    positive("tokens_t", tokens_t)
    if task == "train":
        flops = training_flops(active_params_b * 1e9, tokens_t * 1e12)
    elif task == "serve":
        served = get_architecture(model)
        active = parameter_counts(served).active_in_matmuls
        routed, share = routed_experts(served)
        # (training_flops checks the inputs; serving does one forward pass, not three)
        flops = training_flops(active, tokens_t * 1e12) * SERVING_FLOPS_PER_PARAMETER / FLOPS_PER_PARAMETER_TOKEN
    else:
        flops = positive("budget_e24", budget_e24) * 1e24
    cluster = _whole("chips", chips, 1)
    size = _whole("batch", batch, 1)
    runs = []
    for item in load_chips():
        peak, used = _peak(item, precision)
        if peak is None or peak <= 0:
            continue
        roofline = None
        if task == "serve":
            if not item.memory_bandwidth_gb_s:
                continue  # no time without the memory bandwidth
            roofline = seconds_per_token(active, peak, item.memory_bandwidth_gb_s, 1 if used == "fp8" else 2, size,
                                         mfu, routed, share)
            hours = tokens_t * 1e12 * roofline.seconds / SECONDS_PER_HOUR
        else:
            hours = gpu_hours(flops, peak, mfu)
        price = rental_price(item.name)
        runs.append(ChipRun(item, used, peak, hours, wall_clock_days(hours, cluster),
                            energy_kwh(hours, item.tdp_w, PUE) if item.tdp_w else None,
                            hours * price.usd_per_hour if price else None, classify(item, rule), roofline))
    compared = get_chip(chip)
    return ComparisonView(task, flops, precision, float(mfu), cluster, rule, tuple(runs),
                          equivalence(compared, get_chip(REFERENCE), precision, tuple(runs)),
                          float(active_params_b), float(tokens_t), size, model if task == "serve" else None)


# --------------------------------------------------------------------------------------------
# what the reader sees
# --------------------------------------------------------------------------------------------

def _times(value: float | None) -> str:
    """A ratio to two decimals, as the exercises ask for it."""
    return "unknown" if value is None else f"{value:,.2f}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(value: float) -> str:
    """``value`` as "3.29 × 10²⁴"."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def texts(v: ComparisonView) -> tuple[tuple[str, str], ...]:
    precision = "FP8" if v.precision == "fp8" else "BF16"
    e = v.equivalence
    name = e.chip.short_name
    ref = next(r for r in v.runs if r.chip.name == e.reference.name)
    if v.task == "serve":
        served = get_architecture(v.model)
        routed, share = routed_experts(served)
        active = parameter_counts(served).active_in_matmuls
        tokens = f"{v.batch:,} {'token' if v.batch == 1 else 'tokens'} a step"
        if routed:
            reads = experts_read(share, v.batch)
            tokens += f", which read {reads:.0%} of its routed experts' weights"
        work = (f"{v.model} ({active / 1e9:,.1f} billion active parameters) writing {v.tokens_t:,g} trillion tokens "
                f"({scientific(v.flops)} FLOPs) at {precision}, {tokens}, {v.mfu:.0%} of peak, on {v.chips:,} chips")
    else:
        work = f"{scientific(v.flops)} FLOPs at {precision}, {v.mfu:.0%} utilisation, on {v.chips:,} chips"
    reference = f"{work}: the H100 takes {ref.days:,.1f} days and {ref.hours / 1e6:,.2f} million chip-hours"
    if ref.roofline is not None:
        reference += (", limited by its memory bandwidth" if ref.roofline.bound == "memory"
                      else ", limited by its arithmetic")
    if ref.energy_kwh is not None:
        reference += (f", using about {ref.energy_kwh / 1e6:,.2f} GWh (at PUE {PUE}), about "
                      f"US${ref.energy_kwh * USD_PER_KWH / 1e6:,.2f} million of electricity at "
                      f"{USD_PER_KWH * 100:.2f} cents per kWh.")
    else:
        reference += "."
    own_precision = _peak(e.chip, v.precision)[1]
    at = "" if own_precision == v.precision else f" (the {name} at BF16: it has no FP8)"
    def on(value: float | None, measure: str) -> str:
        return f"unknown for {measure}" if value is None else f"{_times(value)} on {measure}"

    measures = [on(e.compute, "dense compute") + at, on(e.memory_bandwidth, "memory bandwidth"),
                on(e.interconnect, "chip-to-chip bandwidth")]
    if e.workload is None:
        ending = f"; on this workload the {name} has no time (a figure it needs is unknown)."
    else:
        measures.append(f"{_times(e.workload)} on this workload")
        compared = next(r for r in v.runs if r.chip.name == e.chip.name)
        ending = ""
        if compared.roofline is not None:
            limit = "memory bandwidth" if compared.roofline.bound == "memory" else "arithmetic"
            ending = f" (the {name} is limited by its {limit})"
        ending += "."
    equal = (f"{name}s needed to match one H100: " + ", ".join(measures[:-1]) + f" and {measures[-1]}" + ending
             + " Below 1 means one " + name + " beats an H100 on that measure. Which measure matters depends on "
             "the work: training leans on compute and links, serving with small batches on memory bandwidth.")
    fastest = min(v.runs, key=lambda r: r.days)
    free = [r for r in v.runs if r.result.controlled is False]
    best_free = min(free, key=lambda r: r.days) if free else None
    summary = f"fastest: {fastest.chip.short_name}, {fastest.days:,.1f} days"
    if best_free:
        summary += (f"; fastest not controlled under the {RULES[v.rule].label}: {best_free.chip.short_name}, "
                    f"{best_free.days:,.1f} days ({best_free.days / fastest.days:,.1f} times as long)")
        if best_free.chip.market == "consumer":
            summary += (f", though as a consumer card with {best_free.chip.memory_gib:,.0f} GiB and no fast "
                        f"chip-to-chip links it is impractical for {'serving' if v.task == 'serve' else 'training'} "
                        "a large model")
        summary += "."
    if v.left_out:
        summary += f" Not shown, for want of a figure: {', '.join(v.left_out)}."
    return (("The workload", reference), (f"{name}s per H100", equal), ("Side by side", summary))


def alt_text(v: ComparisonView) -> str:
    ordered = sorted(v.runs, key=lambda r: r.days)
    fastest, slowest = ordered[0], ordered[-1]
    free = [r for r in ordered if r.result.controlled is False]
    text = (f"Bar chart of days to finish the workload on {v.chips:,} chips of each kind. The {fastest.chip.short_name} "
            f"is fastest at {fastest.days:,.1f} days, the {slowest.chip.short_name} slowest at {slowest.days:,.1f}.")
    if free:
        text += (f" Of the chips not controlled under the {RULES[v.rule].label}, the {free[0].chip.short_name} is "
                 f"fastest, at {free[0].days:,.1f} days.")
    return text


WIDTH, ROW, TOP, LEFT, RIGHT = 480.0, 26.0, 34.0, 112.0, 420.0
TICK = 14.5


def chart(v: ComparisonView, chart_id: str = "comparison") -> svg.Chart:
    """Days to finish on the cluster, one bar per chip in its status colour (free chips hatched)."""
    rows = sorted(v.runs, key=lambda r: (r.days, r.chip.short_name))
    height = TOP + ROW * len(rows) + 58
    top = max(r.days for r in rows) * 1.18
    x = svg.Scale(0, top, LEFT, RIGHT)
    y = svg.Scale(0, len(rows), TOP, TOP + ROW * len(rows))
    title = {"train": "Days to train", "serve": "Days to generate the tokens",
             "budget": "Days to spend the budget"}[v.task] + " on the cluster, by chip"
    c = svg.Chart(chart_id, WIDTH, height, x, y, title, alt_text(v))
    for index, run in enumerate(rows):
        look = STATUS_MARK[run.result.status]
        band = len(rows) - index
        c.region(f"bar {run.chip.short_name}", 0, run.days, band - 0.82, band - 0.18, look["color"], 0.85,
                 STATUS_BAR_HATCH.get(run.result.status), "#ffffff")
        middle = c.y(band - 0.5)
        chosen = run.chip.name in (v.equivalence.chip.name, v.equivalence.reference.name)
        c.text(f"row label {run.chip.short_name}", run.chip.short_name, LEFT - 8, middle + TICK * 0.35, TICK, "end",
               bold=chosen, obstacle=False)
        note = "" if run.precision_used == v.precision else " (BF16)"
        c.text(f"value {run.chip.short_name}", f"{run.days:,.0f}{note}", c.x(run.days) + 5, middle + TICK * 0.35, TICK,
               obstacle=False)
    c.frame()
    step = _tick_step(top)
    ticks = [step * k for k in range(int(top // step) + 1)]
    c.ticks("x", ticks, [f"{t:,.0f}" for t in ticks], TICK)
    c.text("axis title", "days on the cluster", (LEFT + RIGHT) / 2, height - 8, 15.0, "middle", obstacle=False)
    return c


def _tick_step(top: float) -> float:
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _status(result: Classification) -> str:
    """The status for a narrow table cell: "yes, a.1", "no, Note 2", "no"."""
    if result.controlled is None:
        return "unknown"
    paragraph = result.short_verdict.partition("(")[2].rstrip(")")
    return ("yes" if result.controlled else "no") + (f", {paragraph}" if paragraph else "")


def chip_table(v: ComparisonView) -> Table:
    """The numbers behind the chart, one row per chip, fastest first; "–" where a figure is unknown."""
    serving = v.task == "serve"
    rows = []
    for run in sorted(v.runs, key=lambda r: r.days):
        bpf = run.chip.memory_bandwidth_gb_s * 1e9 / (run.peak_tflops * 1e12) if run.chip.memory_bandwidth_gb_s else None
        row = (run.chip.short_name + (" (est.)" if run.chip.confidence == "estimate" else ""),
               f"{run.peak_tflops:,.0f}" + ("" if run.precision_used == v.precision else "*")
               + ("†" if run.peak_tflops != run.chip.dense_tops(run.precision_used) else ""),
               f"{run.days:,.1f}", f"{run.hours / 1e6:,.2f}",
               f"{run.energy_kwh / 1e6:,.2f}" if run.energy_kwh else "–",
               f"{run.rental_usd / 1e6:,.1f}" if run.rental_usd else "–",
               f"{run.tflops_per_watt:,.2f}" if run.tflops_per_watt else "–",
               f"{1000 * bpf:,.1f}" if bpf else "–")
        if serving:
            row += (run.roofline.bound if run.roofline else "–",)
        rows.append(row + (_status(run.result),))
    label = "FP8" if v.precision == "fp8" else "BF16"
    columns = ("Chip", f"TFLOPS ({label})", "Days", "M chip-hours", "GWh", "Rent, US$M", "TFLOPS per W",
               f"Bytes per kFLOP ({label})")
    numeric = columns[1:]
    if serving:
        columns += ("Limited by",)
    columns += (f"Controlled ({RULES[v.rule].label})",)
    return table(rows, columns=columns, numeric=numeric,
                 caption="The workload on each chip. * BF16 (no FP8); † GeForce card at its rate with FP32 sums, "
                         "half its spec sheet; est. = estimated figures; – = no published figure; Rent = cost at a "
                         "sourced hourly price; Bytes per kFLOP = memory bandwidth per 1,000 FLOPs of peak; "
                         "Controlled = yes or no under the rule, with the paragraph of 3A090 that decides (chapter 1)")


def figure(v: ComparisonView, chart_id: str = "comparison") -> Figure:
    c = chart(v, chart_id)
    legend = legend_html([(status_bar_swatch(s), s) for s in STATUS_MARK if any(r.result.status == s for r in v.runs)])
    caption = (f"Each chip's dense peak at {'FP8' if v.precision == 'fp8' else 'BF16'} (BF16 for chips without FP8; "
               "GeForce cards at half their spec-sheet rate, since training sums in FP32) "
               f"at {v.mfu:.0%} utilisation, {v.chips:,} chips. Bars are coloured by status under the "
               f"{RULES[v.rule].label}; free chips' bars are hatched. Rental prices exist for few chips (see the "
               "table); energy assumes the chips draw their full TDP.")
    if v.task == "serve":
        caption += (" Serving is a roofline sketch: each token needs 2 FLOPs per active parameter and a "
                    f"1/{v.batch:,} share of the weights its step reads (for a mixture of experts, every expert "
                    "some token of the step uses); the KV cache and traffic between chips are left out, so the "
                    "times are a floor.")
    source = "book/data/chips.csv; book/data/rental_prices.csv; book/training_cost.py" + (
        "; book/serving.py" if v.task == "serve" else "")
    return Figure(figure_html(c.svg(), c.title, caption, source, legend), c.description)


def panel(v: ComparisonView) -> Panel:
    return Panel(figure(v), texts(v), chip_table(v)._repr_html_())


def dashboard():
    """The comparison as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])
