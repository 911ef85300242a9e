"""Serving a model of chapter 2's table on a chip of chapter 1's catalogue (chapter 4).

``book.serving`` holds the roofline in plain numbers; this module feeds it a real model and a real
chip: the active parameters and the routed experts from ``book.architecture``, the KV cache per
token of context, the arithmetic of attention over that context, the chip's dense peak and memory
bandwidth, and, where a source gives one, its rental price. The result, ``decode``, is what the
serving dashboard and the chapter's exercises use.

Choices, each stated where it is used in the chapter:

* the weights are stored at the chosen precision (1 byte at FP8, 2 at BF16), also on chips without
  FP8 arithmetic (they read 8-bit weights and compute at BF16, as weight-only quantisation does);
* the KV cache is kept at BF16 (2 bytes a number), and attention over it runs at the chip's BF16
  peak, as DeepSeek serves V3 (FP8 for the matrix multiplications, BF16 for the attention core:
  its inference-system overview of 1 March 2025);
* the other arithmetic runs at the chip's dense peak at the chosen precision, with sums in FP32
  (half the spec sheet on GeForce cards, as in chapter 3);
* attention arithmetic per token of context: for multi-head and grouped-query attention, a dot
  product with each key and a weighted sum of the values, 4 x heads x head_dim FLOPs a layer; for
  DeepSeek's multi-head latent attention served with the up-projections folded into the query and
  the output (as its report describes), the heads work on the cached latent vector directly,
  2 x heads x (2 d_c + d_R) FLOPs a layer. MLA reads far fewer bytes but does more arithmetic per
  cached token.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from book.architecture import (GQA, MHA, MLA, Architecture, bytes_per_value, kv_elements_per_token, parameter_counts,
                               routed_experts)
from book.hardware import Chip
from book.serving import Roofline, cost_per_million_tokens, crossover_batch, seconds_per_token, tokens_per_second
from book.tables import DATA_DIR, column, read_records
from book.validate import count, fraction, positive

SERVING_REPORTS_CSV = DATA_DIR / "serving_reports.csv"

#: the precision of the KV cache
KV_PRECISION = "bf16"

#: the precisions a model can be served at: weights' bytes and the chip's arithmetic
PRECISIONS = ("fp8", "bf16")

#: how fast an adult reads silently: 238 words a minute for non-fiction (Brysbaert 2019, a
#: meta-analysis), at about 0.75 English words per token (OpenAI's rule of thumb), in tokens a second
READING_TOKENS_PER_SECOND = 238 / 60 / 0.75


def attention_flops_per_context_token(arch: Architecture) -> float:
    """FLOPs one generated token spends on each earlier token of its context, over all layers."""
    if arch.attention in (MHA, GQA):
        per_layer = 4 * arch.heads * arch.head_dim
    elif arch.attention == MLA:
        per_layer = 2 * arch.heads * (2 * arch.kv_compression + arch.rope_dim)
    else:  # pragma: no cover - Architecture checks its attention
        raise ValueError(f"attention must be one of {(MHA, GQA, MLA)}, got {arch.attention!r}")
    return float(arch.layers * per_layer)


def kv_bytes_per_context_token(arch: Architecture) -> float:
    """Bytes of KV cache one generated token reads for each earlier token of its context (BF16)."""
    return kv_elements_per_token(arch) * bytes_per_value(KV_PRECISION)


def _precision(precision: str) -> str:
    if isinstance(precision, str):
        precision = {"fp16": "bf16"}.get(precision.strip().casefold(), precision.strip().casefold())
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}")
    return precision


def chip_peak(chip: Chip, precision: str) -> tuple[float | None, str]:
    """The chip's dense peak (TFLOPS, FP32 sums) at ``precision`` and the precision it runs at:
    BF16 for a chip without an FP8 figure. (None, ...) when the chip has no figure at all."""
    precision = _precision(precision)
    if precision == "fp8":
        value = chip.fp32_accumulate_tops("fp8")
        if value:
            return value, "fp8"
    return chip.fp32_accumulate_tops("fp16"), "bf16"


@dataclass(frozen=True)
class Decode:
    """One chip serving one model: the time per token, the tokens per second and what follows."""

    model: Architecture
    chip: Chip
    precision: str
    #: the precision the chip's arithmetic runs at (BF16 for a chip without FP8)
    arithmetic: str
    peak_tflops: float
    batch: int
    context: int
    utilisation: float
    roofline: Roofline
    #: the smallest batch at which arithmetic binds; None if memory binds at every batch
    crossover: int | None
    #: chips whose memory (the datasheet's GiB, in bytes) holds one copy of the weights and the batch's
    #: KV cache
    chips_to_hold: int
    #: US$ per chip-hour used for the cost, or None
    usd_per_hour: float | None

    @property
    def tokens_per_second(self) -> float:
        """Tokens one chip generates a second (the copy's chips together: this times their number)."""
        return tokens_per_second(self.roofline)

    @property
    def bound(self) -> str:
        return self.roofline.bound

    @property
    def conversation_tokens_per_second(self) -> float:
        """How fast one conversation sees its answer appear, when the fewest chips that hold the
        model (``chips_to_hold``) serve the batch: each step writes one token for every
        conversation, and the chips share the step's work."""
        return self.chips_to_hold * self.tokens_per_second / self.batch

    @property
    def usd_per_million_tokens(self) -> float | None:
        """The rental cost of a million generated tokens, if a price is given."""
        if self.usd_per_hour is None:
            return None
        return cost_per_million_tokens(self.usd_per_hour, self.tokens_per_second)


def _memory_bytes(chip: Chip) -> float:
    """The chip's capacity in bytes (its GiB x 2^30), checking it has a capacity and a bandwidth."""
    if not chip.memory_gib or not chip.memory_bandwidth_gb_s:
        raise ValueError(f"chip {chip.short_name!r} has no published memory size or bandwidth, so its serving "
                         "speed cannot be computed; choose a chip with both")
    return chip.memory_bytes


def decode(model: Architecture, chip: Chip, precision: str = "fp8", batch: int = 1, context: int = 4096,
           utilisation: float = 1.0, usd_per_hour: float | None = None, find_crossover: bool = True) -> Decode:
    """``chip`` generating tokens of ``model``: ``batch`` conversations a step, each with
    ``context`` earlier tokens in its KV cache, weights at ``precision`` ("fp8" or "bf16"), a
    share ``utilisation`` of the chip's peaks reached, rented at ``usd_per_hour`` (optional).
    ``find_crossover=False`` skips the search for the crossover batch (``crossover`` is then None),
    for callers that draw many batches. ValueError naming the parameter for bad input, or for a
    chip without memory figures."""
    precision = _precision(precision)
    batch = count("batch", batch)
    context = count("context", context, low=0)
    utilisation = fraction("utilisation", utilisation)
    if usd_per_hour is not None:
        positive("usd_per_hour", usd_per_hour)
    memory_bytes = _memory_bytes(chip)
    peak, arithmetic = chip_peak(chip, precision)
    if not peak:
        raise ValueError(f"chip {chip.short_name!r} has no published dense throughput; choose another chip")
    counts = parameter_counts(model)
    active = counts.active_in_matmuls
    routed, share = routed_experts(model)
    weight_byte = bytes_per_value(precision)
    kv = kv_bytes_per_context_token(model)
    attention = attention_flops_per_context_token(model)
    arguments = dict(active_parameters=active, peak_tflops=peak, memory_bandwidth_gb_s=chip.memory_bandwidth_gb_s,
                     bytes_per_parameter=weight_byte, utilisation=utilisation, routed_parameters=routed,
                     routed_share=share, context=context, kv_bytes_per_context_token=kv,
                     attention_flops_per_context_token=attention,
                     attention_peak_tflops=chip_peak(chip, KV_PRECISION)[0])
    roofline = seconds_per_token(batch=batch, **arguments)
    held = counts.total * weight_byte + batch * context * kv
    chips = max(1, -int(-held // memory_bytes))
    return Decode(model, chip, precision, arithmetic, peak, batch, context, utilisation, roofline,
                  crossover_batch(**arguments) if find_crossover else None, chips, usd_per_hour)


# --------------------------------------------------------------------------------------------
# what a real service reported, to hold the sketch against
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServingReport:
    """A provider's published figures for its own serving system."""

    report: str = column("text", required=True)
    date: object = column("date", required=True)
    model: str = column("text", required=True)
    chip: str = column("text", required=True)
    chips_per_node: int = column("int", required=True, low=1, high=64)
    average_nodes: float = column("float", required=True, low=1, high=100_000)
    decode_output_tokens_per_s_per_node: float = column("float", required=True, low=1, high=1e7)
    prefill_input_tokens_per_s_per_node: float | None = column("float", low=1, high=1e8)
    average_context: float = column("float", required=True, low=1, high=1e7)
    cache_hit_share: float | None = column("float", low=0, high=1)
    output_tokens_per_s_per_user_low: float | None = column("float", low=0, high=10_000)
    output_tokens_per_s_per_user_high: float | None = column("float", low=0, high=10_000)
    input_tokens_per_day: float | None = column("float", low=0, high=1e15)
    output_tokens_per_day: float | None = column("float", low=0, high=1e15)
    usd_per_chip_hour: float = column("float", required=True, low=0.01, high=1000)
    cost_usd_per_day: float = column("float", required=True, low=0, high=1e10)
    revenue_usd_per_day: float | None = column("float", low=0, high=1e11)
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")

    @property
    def output_tokens_per_chip_second(self) -> float:
        """Decoding speed per chip: the node's output tokens a second over its chips."""
        return self.decode_output_tokens_per_s_per_node / self.chips_per_node

    @property
    def usd_per_million_output_tokens(self) -> float:
        """The chips' rental cost of a million output tokens in decoding (prefill not counted)."""
        return cost_per_million_tokens(self.usd_per_chip_hour, self.output_tokens_per_chip_second)

    @property
    def average_chips(self) -> float:
        """Chips in service on average over the reported day."""
        return self.average_nodes * self.chips_per_node

    @property
    def daily_chip_cost(self) -> float:
        """US$ a day for the average number of nodes at the stated hourly price."""
        return self.average_nodes * self.chips_per_node * 24 * self.usd_per_chip_hour

    @property
    def cost_profit_margin(self) -> float | None:
        """(revenue - cost) / cost, as the report defines its margin; None without a revenue."""
        if self.revenue_usd_per_day is None:
            return None
        return (self.revenue_usd_per_day - self.cost_usd_per_day) / self.cost_usd_per_day


@lru_cache(maxsize=1)
def load_serving_reports() -> tuple[ServingReport, ...]:
    """The published serving reports (checked: the chip is in the catalogue)."""
    from book.hardware import get_chip
    rows = read_records(SERVING_REPORTS_CSV, ServingReport)
    for row in rows:
        get_chip(row.chip)
    return rows
