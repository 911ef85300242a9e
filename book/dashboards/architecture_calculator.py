"""The architecture calculator (chapter 2): what a model's design costs in computation and memory,
and which chips, controlled or not, can hold it.

``view`` is the pure update function: a model from ``book/data/architectures.csv`` (optionally
with other attention or fewer active experts), a context length, a number of conversations and
precisions in; FLOPs per token, weight and KV-cache memory, and for every catalogue chip with a
memory figure the number of chips needed and its status under the chosen rule out. ``panel``
draws it. Weights and caches are counted in bytes and shown in decimal GB (10^9 bytes); a chip's
capacity is its datasheet figure in GiB (2^30 bytes), converted to bytes before the two are compared.
Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from book.architecture import (ATTENTION_NAMES, GQA, MHA, MLA, Architecture, flops_per_token, get_architecture,
                               kv_cache_bytes, kv_elements_per_token, load_architectures, parameter_counts,
                               weight_bytes, with_attention)
from book.dashboards import svg
from book.dashboards.base import Control, Panel, rule_control
from book.export_controls import RULES, Classification, classify
from book.display import Table, table
from book.figure import Figure, figure_html, legend_html
from book.hardware import Chip, get_chip, load_chips
from book.palette import STATUS_BAR_HATCH, STATUS_MARK, status_bar_swatch

NAME = "architecture_calculator"
TITLE = "Architecture calculator"

#: a server of this many chips is the usual unit a model is served from
SERVER_CHIPS = 8
GQA_KV_HEADS = 8

CONTROLS = (
    Control("model", "Model", "choice", "DeepSeek-V3", options=tuple((a.name, a.name) for a in load_architectures()),
            help="A published model; DeepSeek-V2 and V3 are mixtures of experts with latent attention."),
    Control("attention", "Attention", "choice", "as built", buttons=True,
            options=(("as built", "as built"), ("MHA", MHA), (f"GQA, {GQA_KV_HEADS} KV heads", GQA), ("MLA", MLA)),
            help="Keep the model's own attention, or give it multi-head, grouped-query or latent attention."),
    Control("active_experts", "Routed experts per token", "number", 8.0, minimum=1.0, maximum=32.0, step=1.0,
            help="For a mixture of experts only: how many routed experts each token uses (V3: 8, V2: 6)."),
    Control("context", "Context", "number", 32768.0, minimum=1024.0, maximum=131072.0, step=1024.0, unit="tokens",
            group="Serving", help="How long each conversation is, in tokens (words or parts of words)."),
    Control("sequences", "Conversations at once", "number", 8.0, minimum=1.0, maximum=256.0, step=1.0,
            group="Serving", help="How many conversations the server holds in memory at the same time."),
    Control("weight_precision", "Weights", "choice", "fp8", buttons=True, options=(("BF16", "bf16"), ("FP8", "fp8")),
            group="Serving", help="Bytes per weight: 2 at BF16, 1 at FP8."),
    Control("kv_precision", "KV cache", "choice", "bf16", buttons=True, options=(("BF16", "bf16"), ("FP8", "fp8")),
            group="Serving", help="Bytes per cached number: 2 at BF16, 1 at FP8."),
    Control("chip", "Chip", "choice", get_chip("H800").name,
            options=tuple((c.short_name, c.name) for c in load_chips() if c.memory_gib is not None),
            group="Hardware", help="The chip the text below works out in detail; the chart shows every chip."),
    rule_control(group="Hardware"),
)


@dataclass(frozen=True)
class ChipFit:
    """How one chip does: chips needed to hold weights and cache, and its status."""

    chip: Chip
    chips_needed: int
    result: Classification

    @property
    def fits_one_server(self) -> bool:
        return self.chips_needed <= SERVER_CHIPS


@dataclass(frozen=True)
class CalculatorView:
    """Everything the calculator shows for one setting of its controls."""

    model: Architecture
    base: Architecture
    rule: str
    context: int
    sequences: int
    weight_precision: str
    kv_precision: str
    flops_per_token: float
    dense_flops_per_token: float
    total_parameters: int
    active_parameters: int
    weight_bytes: float
    kv_bytes: float
    kv_elements_per_token: int
    chip: ChipFit
    fits: tuple[ChipFit, ...]

    @property
    def total_bytes(self) -> float:
        return self.weight_bytes + self.kv_bytes


def _model(base: Architecture, attention: str, active_experts: float) -> Architecture:
    model = base if attention == "as built" else with_attention(base, attention, kv_heads=GQA_KV_HEADS)
    if model.moe:
        experts = int(active_experts)
        if experts != active_experts or experts < 1:
            raise ValueError(f"active_experts must be a whole number >= 1, got {active_experts!r}")
        if experts > model.routed_experts:
            raise ValueError(f"active_experts must be <= the model's {model.routed_experts} routed experts, "
                             f"got {experts}")
        model = model.with_changes(active_experts=experts)
    return model


def _whole(name: str, value: float, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def view(model: str = "DeepSeek-V3", attention: str = "as built", active_experts: float = 8, context: float = 32768,
         sequences: float = 8, weight_precision: str = "fp8", kv_precision: str = "bf16", chip: str = "H800",
         rule: str = "2023-10") -> CalculatorView:
    """The update function: control values in, the full view out. Raises a ValueError naming the
    parameter for an unknown attention type, rule or precision, a context or count that is not a
    positive whole number, or more active experts than the model has; a KeyError for an unknown
    model or chip."""
    if attention not in ("as built", *ATTENTION_NAMES):
        raise ValueError(f"attention must be one of {['as built', *ATTENTION_NAMES]}, got {attention!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    base = get_architecture(model)
    arch = _model(base, attention, active_experts)
    tokens = _whole("context", context, 1) * _whole("sequences", sequences, 1)
    weights = weight_bytes(arch, weight_precision)
    cache = kv_cache_bytes(arch, tokens, kv_precision)
    fits = []
    for item in load_chips():
        if item.memory_bytes is None:
            continue
        needed = max(1, math.ceil((weights + cache) / item.memory_bytes - 1e-12))
        fits.append(ChipFit(item, needed, classify(item, rule)))
    chosen = get_chip(chip)
    if chosen.memory_gib is None:
        raise ValueError(f"chip must be one with a memory figure in the catalogue, got {chip!r}")
    counts = parameter_counts(arch)
    return CalculatorView(
        model=arch, base=base, rule=rule, context=int(context), sequences=int(sequences),
        weight_precision=weight_precision, kv_precision=kv_precision, flops_per_token=flops_per_token(arch),
        dense_flops_per_token=2 * (counts.total - counts.input_embedding), total_parameters=counts.total,
        active_parameters=counts.active_in_matmuls, weight_bytes=weights, kv_bytes=cache,
        kv_elements_per_token=kv_elements_per_token(arch),
        chip=next(f for f in fits if f.chip.name == chosen.name), fits=tuple(fits))


# --------------------------------------------------------------------------------------------
# what the reader sees
# --------------------------------------------------------------------------------------------

def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:,.0f} GB" if n_bytes >= 10e9 else f"{n_bytes / 1e9:,.1f} GB"


def _attention_words(arch: Architecture) -> str:
    words = ATTENTION_NAMES[arch.attention]
    return f"{words} with {arch.kv_heads} key-value heads" if arch.attention == GQA else words


def texts(v: CalculatorView) -> tuple[tuple[str, str], ...]:
    m = v.model
    share = v.flops_per_token / v.dense_flops_per_token
    compute = (f"{v.flops_per_token / 1e9:,.0f} GFLOP per token (forward pass): {v.active_parameters / 1e9:,.1f} "
               f"billion of its {v.total_parameters / 1e9:,.1f} billion parameters work on each token")
    compute += (f", {share:.0%} of what a dense model of the same size would spend." if m.moe else
                " (all but the input-embedding look-up): a dense model uses every weight for every token, so the "
                "routed-experts control has no effect.")
    if v.model.attention != v.base.attention:
        compute += (f" Changed to {ATTENTION_NAMES[m.attention]}, the model has other projection matrices, so its "
                    "parameters and computation change too.")
    memory = (f"weights {_gb(v.weight_bytes)} at {v.weight_precision.upper()}; KV cache {_gb(v.kv_bytes)} for "
              f"{v.sequences:,} conversation{'s' if v.sequences != 1 else ''} of {v.context:,} tokens with "
              f"{_attention_words(m)}: {v.kv_elements_per_token:,} cached numbers per token over "
              f"{m.layers} layers, at {v.kv_precision.upper()}; {_gb(v.total_bytes)} in all.")
    fit = v.chip
    verdict = fit.result.short_verdict
    servers = "fits in one 8-chip server" if fit.fits_one_server else "needs more than one 8-chip server"
    chip_text = (f"{fit.chip.short_name} ({fit.chip.memory_gib:,.0f} GiB, {fit.chip.memory_bytes / 1e9:,.1f} GB): "
                 f"{fit.chips_needed} chips to hold it, so it "
                 f"{servers}. Under the {RULES[v.rule].label}: {verdict}.")
    free = [f.chip.short_name for f in v.fits if f.fits_one_server and f.result.controlled is False]
    which = (f"chips under every line of the {RULES[v.rule].label} that hold it in one 8-chip server: "
             + (", ".join(free) if free else "none") + ".")
    return (("Computation", compute), ("Memory", memory), ("Chosen chip", chip_text),
            ("Not caught by the rule", which))


def alt_text(v: CalculatorView) -> str:
    one_server = [f for f in v.fits if f.fits_one_server]
    free = [f for f in one_server if f.result.controlled is False]
    head = (f"Bar chart of how many chips of each kind hold {v.model.name} ({_gb(v.total_bytes)} of weights and "
            "cache). ")
    if not one_server:
        body = f"No chip of the {len(v.fits)} holds it within one 8-chip server."
    else:
        body = f"{len(one_server)} of {len(v.fits)} chips hold it within one 8-chip server"
        if free:
            verb = "is" if len(free) == 1 else "are"
            body += (f"; of these, {', '.join(f.chip.short_name for f in free)} {verb} not controlled under the "
                     f"{RULES[v.rule].label}.")
        else:
            body += f"; all of them are controlled under the {RULES[v.rule].label}."
    return head + body + f" The {v.chip.chip.short_name} needs {v.chip.chips_needed}."


WIDTH, ROW, TOP, LEFT, RIGHT = 480.0, 26.0, 34.0, 112.0, 440.0
TICK, LABEL = 14.5, 14.5


def chart(v: CalculatorView, chart_id: str = "calculator") -> svg.Chart:
    """Chips needed, per chip, as horizontal bars in the chip's status colour; a line marks one
    8-chip server."""
    rows = sorted(v.fits, key=lambda f: (f.chips_needed, f.chip.short_name))
    height = TOP + ROW * len(rows) + 58
    top_value = max(SERVER_CHIPS * 2, max(f.chips_needed for f in rows) * 1.15)
    x = svg.Scale(0, top_value, LEFT, RIGHT)
    y = svg.Scale(0, len(rows), TOP, TOP + ROW * len(rows))
    c = svg.Chart(chart_id, WIDTH, height, x, y, f"Chips needed to hold {v.model.name}", alt_text(v))
    c.label_area = svg.Box(LEFT, 4, WIDTH - 2, TOP + ROW * len(rows))
    for index, fit in enumerate(rows):
        look = STATUS_MARK[fit.result.status]
        top, bottom = index + 0.18, index + 0.82
        chosen = fit.chip.name == v.chip.chip.name
        # a second cue besides colour: free chips' bars are hatched
        c.region(f"bar {fit.chip.short_name}", 0, min(fit.chips_needed, top_value), len(rows) - bottom,
                 len(rows) - top, look["color"], 0.85, STATUS_BAR_HATCH.get(fit.result.status), "#ffffff")
        middle = c.y(len(rows) - index - 0.5)
        c.text(f"row label {fit.chip.short_name}", fit.chip.short_name, LEFT - 8, middle + TICK * 0.35, TICK, "end",
               bold=chosen, obstacle=False)
        c.text(f"value {fit.chip.short_name}", f"{fit.chips_needed}" + (" (chosen)" if chosen else ""),
               c.x(min(fit.chips_needed, top_value)) + 5, middle + TICK * 0.35, TICK, bold=chosen, obstacle=False)
    c.rule_line("one server", "x", SERVER_CHIPS, "currentColor", dash="4 3", width=1.5)
    c.text("server label", "one 8-chip server", c.x(SERVER_CHIPS) + 4, TOP - 10, TICK)
    c.frame()
    ticks: list[int] = []
    for value in (0, 4, 8, 16, 32, 64, 128, 256, 512, 1024):  # no two tick labels closer than 34 px
        if value <= top_value and (not ticks or x(value) - x(ticks[-1]) >= 34 or value == SERVER_CHIPS):
            if ticks and x(value) - x(ticks[-1]) < 34:
                ticks.pop()
            ticks.append(value)
    c.ticks("x", ticks, [str(t) for t in ticks], TICK)
    c.text("axis title", "chips needed (weights and KV cache)", (LEFT + RIGHT) / 2, height - 8, 15.0, "middle",
           obstacle=False)
    return c


def figure(v: CalculatorView, chart_id: str = "calculator") -> Figure:
    c = chart(v, chart_id)
    legend = legend_html([(status_bar_swatch(s), s) for s in STATUS_MARK if any(f.result.status == s for f in v.fits)])
    caption = (f"{v.model.name} with {_attention_words(v.model)}, weights at {v.weight_precision.upper()}, "
               f"{v.sequences:,} conversations of {v.context:,} tokens. Bars are coloured by each chip's status "
               f"under the {RULES[v.rule].label} ('controlled' means its figures reach the rule's lines; chapter 1 "
               "discusses how far US rules reach chips made elsewhere); the dashed line marks one 8-chip server. "
               "Memory only: it says whether a model can be held, not how fast it runs.")
    source = ("book/data/architectures.csv (DeepSeek and Meta technical reports and model configurations); "
              "book/data/chips.csv")
    return Figure(figure_html(c.svg(), c.title, caption, source, legend), c.description)


def chip_table(v: CalculatorView) -> Table:
    """The chart's numbers as a table, one row per chip, fewest chips first."""
    rows = sorted(v.fits, key=lambda f: (f.chips_needed, f.chip.short_name))
    return table(((f.chip.short_name, f"{f.chip.memory_gib:,.0f}", f.chips_needed,
                   "yes" if f.fits_one_server else "no", f.result.short_verdict) for f in rows),
                 columns=("Chip", "GiB per chip", "Chips needed", "One server?", f"{RULES[v.rule].label}"),
                 numeric=("GiB per chip", "Chips needed"), caption=f"Chips needed to hold {v.model.name}")


def panel(v: CalculatorView) -> Panel:
    return Panel(figure(v), texts(v), chip_table(v)._repr_html_())


def dashboard():
    """The calculator as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])
