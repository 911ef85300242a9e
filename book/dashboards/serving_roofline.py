"""The serving roofline (chapter 4): how many tokens a chip writes per second, and at what cost.

``view`` is the pure update function: a model of chapter 2's table, a chip, the precision, the
batch (conversations served together), the context each conversation has reached, the share of
the peaks reached, a rental price and a rule in; the decode on the chosen chip and on the five
chips the chapter compares (H100, H800, H20, RTX 4090, Ascend 910B) out, each over a range of
batches, with where the arithmetic starts to bind, how many chips hold one copy of the model,
and the cost of a million tokens. ``panel`` draws it. Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from book.architecture import get_architecture, load_architectures
from book.dashboards import svg
from book.dashboards.base import Control, Panel, rule_control
from book.display import Table, table
from book.export_controls import RULES, Classification, classify
from book.figure import Figure, figure_html, legend_html
from book.hardware import Chip, get_chip, load_chips
from book.inference import Decode, decode
from book.palette import OKABE_ITO
from book.prices import api_price
from book.rental import rental_price
from book.serving import cost_per_million_tokens

NAME = "serving_roofline"
TITLE = "Serving roofline"

#: the chips the chapter compares, in the order of the legend
COMPARED = ("H100", "H800", "H20", "RTX 4090", "Ascend 910B")
REFERENCE = "H100"
#: the batches each curve is drawn at (powers of two from 1 to 16,384)
BATCHES = tuple(2 ** k for k in range(15))
MAX_BATCH = BATCHES[-1]

_SERVABLE = tuple(c for c in load_chips() if c.memory_gib and c.memory_bandwidth_gb_s and c.fp16_tflops)

CONTROLS = (
    Control("model", "Model", "choice", "DeepSeek-V3", options=tuple((a.name, a.name) for a in load_architectures()),
            group="Model", help="The model being served, with its experts and its KV cache (chapter 2's table)."),
    Control("precision", "Precision", "choice", "fp8", buttons=True, options=(("FP8", "fp8"), ("BF16", "bf16")),
            group="Model", help="Bytes per weight (1 at FP8, 2 at BF16) and the arithmetic used; chips without "
                                "FP8 compute at BF16 speed."),
    Control("batch", "Batch", "number", 64.0, minimum=1.0, maximum=float(MAX_BATCH), step=1.0,
            unit="conversations", group="Serving", log=True,
            help="Conversations answered together: each step writes one token for each of them. The slider "
                 "moves in equal ratios; type an exact number in the box."),
    Control("context", "Context", "number", 4096.0, minimum=0.0, maximum=131_072.0, step=256.0, unit="tokens",
            group="Serving", help="Tokens each conversation has reached: its KV cache, read for every new token."),
    Control("utilisation", "Share of peak reached", "number", 1.0, minimum=0.05, maximum=1.0, step=0.05,
            group="Serving", help="1 means the chip's full memory bandwidth and arithmetic: a ceiling; real "
                                  "servers reach less."),
    Control("chip", "Chip", "choice", get_chip("H20").name, options=tuple((c.short_name, c.name) for c in _SERVABLE),
            group="Chip", help="The chip whose numbers the texts give; the chart always shows the five compared."),
    Control("usd_per_hour", "Rental price", "number", 2.0, minimum=0.1, maximum=20.0, step=0.05,
            unit="US$ per chip-hour", group="Chip",
            help="What an hour of the chosen chip costs; 2 is DeepSeek's own assumption for an H800."),
    rule_control(group="Chip"),
)


@dataclass(frozen=True)
class ChipServing:
    """One chip at the chosen settings, with its curve over ``BATCHES``."""

    decode: Decode
    curve: tuple[tuple[int, float], ...]
    result: Classification
    #: the sourced rental price (US$ per hour), if any
    sourced_usd_per_hour: float | None

    @property
    def chip(self) -> Chip:
        return self.decode.chip

    @property
    def sourced_cost(self) -> float | None:
        """US$ per million tokens at the sourced rental price, if one is known."""
        if self.sourced_usd_per_hour is None:
            return None
        return cost_per_million_tokens(self.sourced_usd_per_hour, self.decode.tokens_per_second)


@dataclass(frozen=True)
class ServingView:
    model: str
    precision: str
    batch: int
    context: int
    utilisation: float
    usd_per_hour: float
    rule: str
    chosen: ChipServing
    #: the five compared chips (and the chosen one, if it is not among them), in legend order
    chips: tuple[ChipServing, ...]

    def of(self, name: str) -> ChipServing:
        wanted = get_chip(name).name
        return next(c for c in self.chips if c.chip.name == wanted)


def _whole(name: str, value: float, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")
    return int(value)


def _serve(model, chip: Chip, precision: str, batch: int, context: int, utilisation: float, rule: str,
           usd_per_hour: float | None) -> ChipServing:
    d = decode(model, chip, precision, batch, context, utilisation, usd_per_hour)
    curve = tuple((b, decode(model, chip, precision, b, context, utilisation, find_crossover=False).tokens_per_second)
                  for b in BATCHES)
    price = rental_price(chip.name)
    return ChipServing(d, curve, classify(chip, rule), price.usd_per_hour if price else None)


def view(model: str = "DeepSeek-V3", precision: str = "fp8", batch: float = 64, context: float = 4096,
         utilisation: float = 1.0, chip: str = "H20", usd_per_hour: float = 2.0, rule: str = "2023-10") -> ServingView:
    """The update function: control values in, the serving comparison out. ValueError naming the
    parameter for a batch or context that is not a whole number in range, a utilisation outside
    (0, 1], a non-positive price, an unknown precision or rule or a chip without memory figures;
    KeyError for an unknown model or chip."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    size = _whole("batch", batch, 1, MAX_BATCH)
    length = _whole("context", context, 0, 131_072)
    served = get_architecture(model)
    picked = get_chip(chip)
    chosen = _serve(served, picked, precision, size, length, utilisation, rule, usd_per_hour)
    rows = []
    for name in COMPARED:
        item = get_chip(name)
        rows.append(chosen if item.name == picked.name else
                    _serve(served, item, precision, size, length, utilisation, rule, None))
    if picked.name not in {r.chip.name for r in rows}:
        rows.append(chosen)
    return ServingView(served.name, chosen.decode.precision, size, length, float(utilisation), float(usd_per_hour),
                       rule, chosen, tuple(rows))


# --------------------------------------------------------------------------------------------
# what the reader sees
# --------------------------------------------------------------------------------------------

def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _crossover_text(c: ChipServing, v: ServingView) -> str:
    if c.decode.crossover is None:
        return (f"at a context of {v.context:,} tokens the {c.chip.short_name} waits on memory at every batch: "
                "reading each conversation's own KV cache takes longer than its arithmetic")
    return f"its crossover batch, where its arithmetic starts to bind, is {c.decode.crossover:,}"


def texts(v: ServingView) -> tuple[tuple[str, str], ...]:
    c = v.chosen
    d = c.decode
    name = c.chip.short_name
    at = "" if d.arithmetic == v.precision else " (its arithmetic at BF16: it has no FP8)"
    chosen = (f"{name} serving {v.model} at {v.precision.upper()}{at}, {v.batch:,} "
              f"{'conversation' if v.batch == 1 else 'conversations'} of {v.context:,} tokens, {v.utilisation:.0%} of "
              f"peak: {_rate(d.tokens_per_second)} tokens a second per chip, limited by its "
              f"{'memory bandwidth' if d.bound == 'memory' else 'arithmetic'}; {_crossover_text(c, v)}. Holding one "
              f"copy of the weights and these conversations' caches takes {d.chips_to_hold:,} "
              f"{'chip' if d.chips_to_hold == 1 else 'chips'} of {c.chip.memory_gib:,.0f} GiB.")
    ref = v.of(REFERENCE)
    ratio = d.tokens_per_second / ref.decode.tokens_per_second
    compute = d.peak_tflops / ref.decode.peak_tflops
    versus = (f"The {name} has {compute:.0%} of the H100's dense compute here and writes {ratio:.2f} times as many "
              f"tokens a second at these settings" if c.chip.name != ref.chip.name else
              "The H100 is the yardstick: choose another chip to compare")
    if c.chip.name != ref.chip.name:
        versus += (". Where both wait on memory, the ratio is close to their bandwidths' ratio "
                   f"({c.chip.memory_bandwidth_gb_s / ref.chip.memory_bandwidth_gb_s:.2f}); once the {name}'s "
                   "arithmetic binds, its lack of compute shows.")
    else:
        versus += "."
    cost = d.usd_per_million_tokens
    listed = api_price("DeepSeek-V3")
    money = (f"At US${v.usd_per_hour:,.2f} per chip-hour, kept busy, the {name} writes a million tokens for "
             f"US${cost:,.3f}. For scale: DeepSeek's list price for DeepSeek-V3 was US${listed.usd_per_m_output:.2f} "
             f"per million output tokens (February 2025). Idle hours, reading prompts, spare capacity and profit all "
             "come on top.")
    return (("The chosen chip", chosen), ("Against the H100", versus), ("Cost per million tokens", money))


_STYLES = {"H100": (OKABE_ITO["vermillion"], ""), "H800": (OKABE_ITO["vermillion"], ""),
           "H20": (OKABE_ITO["blue"], "7 4"), "RTX 4090": (OKABE_ITO["green"], "2 3"),
           "Ascend 910B": (OKABE_ITO["orange"], "10 3 2 3")}
_EXTRA = (OKABE_ITO["purple"], "4 2")


def _curves(v: ServingView) -> list[tuple[str, ChipServing]]:
    """One curve per distinct chip: chips with the same figures (H100 and H800) share one, named
    together."""
    groups: list[tuple[list[str], ChipServing]] = []
    for c in v.chips:
        match = next((g for g in groups if g[1].curve == c.curve), None)
        if match:
            match[0].append(c.chip.short_name)
        else:
            groups.append(([c.chip.short_name], c))
    return [(" = ".join(names), c) for names, c in groups]


def alt_text(v: ServingView) -> str:
    parts = []
    for label, c in _curves(v):
        d = c.decode
        parts.append(f"{label}: {_rate(d.tokens_per_second)} tokens a second at a batch of {v.batch:,} "
                     f"({d.bound}-bound)")
    return (f"Line chart of tokens per second per chip against batch size, both on log scales, for {v.model} at "
            f"{v.precision.upper()} with {v.context:,} tokens of context. Each line rises while the chip waits on memory "
            "and flattens where arithmetic or the KV cache limits it. " + "; ".join(parts) + ".")


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480.0, 340.0, 66.0, 372.0, 18.0, 284.0
TICK = 14.5


def chart(v: ServingView, chart_id: str = "serving") -> svg.Chart:
    values = [rate for c in v.chips for _, rate in c.curve]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values) * 1.05))
    x = svg.Scale(1, MAX_BATCH, LEFT, RIGHT, log=True)
    y = svg.Scale(lo, hi, BOTTOM, TOP, log=True)
    c = svg.Chart(chart_id, WIDTH, HEIGHT, x, y, "Tokens per second per chip, by batch", alt_text(v))
    c.label_area = svg.Box(LEFT, TOP - 10, WIDTH - 2, BOTTOM)
    c.rule_line("chosen batch", "x", v.batch, dash="3 3", width=1.0)
    ends = []
    for label, item in _curves(v):
        color, dash = _STYLES.get(item.chip.short_name, _EXTRA)
        chosen = item.chip.name == v.chosen.chip.name or label.find(v.chosen.chip.short_name) >= 0
        c.polyline(f"curve {label}", [(b, r) for b, r in item.curve], color, 3.2 if chosen else 2.0, dash, label)
        d = item.decode
        c.marker(f"point {label}", c.x(v.batch), c.y(d.tokens_per_second), "circle" if d.bound == "memory" else "square",
                 color, 5.0, filled=True, name=label)
        ends.append((c.y(item.curve[-1][1]), label, color, chosen))
    # names at the right end of each line, pushed apart so they never overlap
    ends.sort()
    placed: list[float] = []
    for py, label, color, chosen in ends:
        py = max(py, (placed[-1] + TICK * 1.1) if placed else TOP + TICK * 0.4)
        placed.append(py)
    shift = max(0.0, placed[-1] - (BOTTOM + 2)) if placed else 0.0
    for (line_y, label, color, chosen), py in zip(ends, placed):
        c.text(f"name {label}", label, RIGHT + 6, py - shift + TICK * 0.35, TICK, bold=chosen, color=color,
               obstacle=False)
    c.frame()
    xt = [1, 8, 64, 512, 4096]
    c.ticks("x", xt, [f"{t:,}" for t in xt], TICK)
    decades = [10 ** k for k in range(round(math.log10(lo)), round(math.log10(hi)) + 1)]
    c.ticks("y", decades, [f"{t:,}" for t in decades], TICK)
    c.text("x title", "batch (conversations served together)", (LEFT + RIGHT) / 2, HEIGHT - 10, 14.5, "middle",
           obstacle=False)
    c.text("y title", "tokens per second per chip", 16, (TOP + BOTTOM) / 2, 14.5, "middle", rotate=-90,
           obstacle=False)
    return c


def _status(result: Classification) -> str:
    if result.controlled is None:
        return "unknown"
    return "yes" if result.controlled else "no"


def chip_table(v: ServingView) -> Table:
    """The numbers behind the chart at the chosen batch, the key columns first (they stay in view on
    a phone); the cost at the rental price set, for every chip alike."""
    rows = []
    for c in v.chips:
        d = c.decode
        cost = cost_per_million_tokens(v.usd_per_hour, d.tokens_per_second)
        rows.append((c.chip.short_name + (" (est.)" if c.chip.confidence == "estimate" else ""),
                     _rate(d.tokens_per_second), d.bound, f"{d.crossover:,}" if d.crossover else "never",
                     f"{cost:,.3f}", f"{d.chips_to_hold:,}",
                     f"{d.peak_tflops:,.0f}" + ("" if d.arithmetic == v.precision else "*")
                     + ("†" if d.peak_tflops != c.chip.dense_tops("fp8" if d.arithmetic == "fp8" else "fp16") else ""),
                     _status(c.result)))
    columns = ("Chip", "Tokens/s", "Limited by", "Crossover batch", "US$ per M tokens", "Chips per copy",
               f"TFLOPS ({v.precision.upper()})", "Controlled")
    sourced = "; ".join(f"{c.chip.short_name} US${c.sourced_usd_per_hour:,.2f}" for c in v.chips
                        if c.sourced_usd_per_hour is not None)
    return table(rows, columns=columns, numeric=(columns[1], columns[3], columns[4], columns[5], columns[6]),
                 caption=f"Each chip serving {v.model} at batch {v.batch:,} and {v.context:,} tokens of context; "
                         "tokens a second per chip. "
                         f"US$ per M tokens: at the rental price you set, US${v.usd_per_hour:,.2f} a chip-hour, for "
                         f"every chip (sourced prices: {sourced}). Chips per copy: chips whose memory holds the "
                         f"weights and these caches. Controlled: under the {RULES[v.rule].label}. never = memory binds at every batch at this context; * BF16 arithmetic (no "
                         "FP8); † GeForce card at its rate with FP32 sums, half its spec sheet; est. = estimated "
                         "figures.")


def figure(v: ServingView, chart_id: str = "serving") -> Figure:
    c = chart(v, chart_id)
    legend = legend_html([
        (svg.swatch_svg("circle", "currentColor"), "memory-bound at the chosen batch"),
        (svg.swatch_svg("square", "currentColor"), "arithmetic-bound at the chosen batch")])
    caption = ("A roofline sketch: each token needs 2 FLOPs per active parameter plus attention over its context, and "
               "reads its share of the weights its step uses (for a mixture of experts, every expert some "
               "conversation of the step picked) and its own conversation's KV cache (BF16; attention over it runs "
               f"at BF16 speed). Weights at {v.precision.upper()}; chips without FP8 compute at BF16; GeForce cards "
               "at half their spec-sheet rate (FP32 sums). Left out: traffic between chips, uneven loads and reading "
               "the prompt, which slow real servers, and multi-token prediction, which speeds them. H100 and H800 "
               "have the same compute and memory, so their lines coincide.")
    return Figure(figure_html(c.svg(), c.title, caption, "book/data/chips.csv; book/data/architectures.csv; "
                                                         "book/serving.py; book/inference.py", legend), c.description)


def panel(v: ServingView) -> Panel:
    return Panel(figure(v), texts(v), chip_table(v)._repr_html_())


def dashboard():
    """The roofline as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])
