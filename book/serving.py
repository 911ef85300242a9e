"""Serving a model: how long a chip takes to generate tokens, as a roofline sketch.

When a language model writes text, it produces one token at a time, and every step must read the
model's weights from memory. The chips serving one copy of the model process many requests
together (a *batch*): one read of a weight then serves every token in the batch that uses it. So
each generated token costs

* about 2 FLOPs per active parameter (one forward pass), and
* its share of the weights read in that step: the bytes read ÷ the batch.

In a dense model every token uses every weight, so a step reads all of them. In a mixture of
experts a token uses only a few of the routed experts, but the tokens of a batch pick different
ones, so a step reads every expert that at least one of them picked: with routing spread evenly,
a share ``1 - (1 - k/E)^batch`` of the routed experts (k of E per token). A large batch therefore
reads nearly all of a mixture of experts' weights, not just the active ones.

A chip is limited by whichever takes longer, its arithmetic or its memory (the "roofline"). At
small batches memory sets the pace, which is why, on this roofline, a chip with slow arithmetic but
fast memory, such as the H20, writes tokens faster at small batches than one with far more TFLOPS
but less bandwidth, such as the H100. As the batch grows it turns compute-bound first
(``crossover_batch``) and then, later still, falls behind (``falls_behind_batch``).

Each token also reads its own conversation's *KV cache* (chapter 2): the cached keys and values
of every earlier token, ``kv_bytes_per_context_token`` bytes for each of ``context`` tokens. That
read is not shared by the batch, since every conversation has its own cache, and attending to the
cache adds arithmetic that grows with the context too (``attention_flops_per_context_token``). So
at large batches the weights cost little per token, but the cache does not shrink: a long context
can keep a chip waiting on memory at any batch.

Left out: the traffic between chips, uneven routing, and reading the prompt (the *prefill*, which
is done in large blocks and is compute-bound), which make real servers slower; and multi-token
prediction, which makes them faster. With it, V3 drafts a second token in each pass and keeps it
85-90% of the time; its report gives the result as "1.8 times TPS", a speed-up in tokens per
second, not a count of tokens per pass. The model here applies no such factor.
``utilisation`` is the share of both peaks reached. The time is per chip: spread over the n chips
holding one copy of the model, the batch is that copy's, and the arithmetic and the reads divide
among the chips. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from book.validate import count, fraction, positive

#: FLOPs per active parameter per generated token: one forward pass
FLOPS_PER_PARAMETER_TOKEN = 2


@dataclass(frozen=True)
class Roofline:
    """Seconds one chip spends per generated token on arithmetic and on reading weights."""

    compute_s: float
    memory_s: float

    @property
    def seconds(self) -> float:
        """The time per token: the slower of the two."""
        return max(self.compute_s, self.memory_s)

    @property
    def bound(self) -> str:
        """"memory" or "compute": which one sets the pace."""
        return "memory" if self.memory_s >= self.compute_s else "compute"


def experts_read(routed_share: float, batch: int) -> float:
    """The expected share of the routed experts that at least one token of a batch uses, when each
    token picks a share ``routed_share`` (k/E) of them, evenly and independently."""
    return 1 - (1 - fraction("routed_share", routed_share)) ** count("batch", batch)


def parameters_read(active_parameters: float, batch: int, routed_parameters: float = 0.0,
                    routed_share: float = 1.0) -> float:
    """Parameters read from memory in one step of ``batch`` tokens: the always-used ones (the
    active parameters less the routed experts' active part) plus the routed experts the batch uses.
    ``routed_parameters`` is all the routed experts' weights (0 for a dense model)."""
    n = positive("active_parameters", active_parameters)
    routed = positive("routed_parameters", routed_parameters, allow_zero=True)
    share = fraction("routed_share", routed_share)
    always = n - routed * share
    if always < 0:
        raise ValueError(f"active_parameters {active_parameters!r} must include the routed experts' active part "
                         f"(routed_parameters x routed_share = {routed * share!r})")
    return always + routed * experts_read(share, batch)


def seconds_per_token(active_parameters: float, peak_tflops: float, memory_bandwidth_gb_s: float,
                      bytes_per_parameter: float, batch: int, utilisation: float = 1.0,
                      routed_parameters: float = 0.0, routed_share: float = 1.0, context: int = 0,
                      kv_bytes_per_context_token: float = 0.0,
                      attention_flops_per_context_token: float = 0.0,
                      attention_peak_tflops: float | None = None) -> Roofline:
    """One chip's time per generated token of a model with ``active_parameters`` (a count), at a
    dense peak of ``peak_tflops``, memory bandwidth ``memory_bandwidth_gb_s`` (GB/s), weights of
    ``bytes_per_parameter`` bytes, ``batch`` tokens per step, a share ``utilisation`` of both peaks
    reached; for a mixture of experts, ``routed_parameters`` and ``routed_share`` as in
    ``parameters_read``; each token attends to ``context`` earlier tokens, reading
    ``kv_bytes_per_context_token`` bytes of cache and doing ``attention_flops_per_context_token``
    FLOPs for each (all layers together), at ``attention_peak_tflops`` (the chip's peak at the
    attention's own precision; ``peak_tflops`` if None)."""
    batch = count("batch", batch)
    utilisation = fraction("utilisation", utilisation)
    n = positive("active_parameters", active_parameters)
    context = count("context", context, low=0)
    kv = positive("kv_bytes_per_context_token", kv_bytes_per_context_token, allow_zero=True)
    attention = positive("attention_flops_per_context_token", attention_flops_per_context_token, allow_zero=True)
    peak = positive("peak_tflops", peak_tflops)
    attention_peak = peak if attention_peak_tflops is None else positive("attention_peak_tflops", attention_peak_tflops)
    compute = (FLOPS_PER_PARAMETER_TOKEN * n / (peak * 1e12 * utilisation)
               + attention * context / (attention_peak * 1e12 * utilisation))
    read = parameters_read(n, batch, routed_parameters, routed_share)
    memory = ((read * positive("bytes_per_parameter", bytes_per_parameter) / batch + kv * context)
              / (positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9 * utilisation))
    return Roofline(compute, memory)


#: the largest batch ``crossover_batch`` looks at: far beyond what one copy of a model serves
MAX_BATCH = 10_000_000


def crossover_batch(active_parameters: float, peak_tflops: float, memory_bandwidth_gb_s: float,
                    bytes_per_parameter: float, utilisation: float = 1.0, routed_parameters: float = 0.0,
                    routed_share: float = 1.0, context: int = 0, kv_bytes_per_context_token: float = 0.0,
                    attention_flops_per_context_token: float = 0.0,
                    attention_peak_tflops: float | None = None) -> int | None:
    """The smallest batch at which the arithmetic takes at least as long as the memory reads, so
    the chip stops waiting on memory; None if that never happens (when reading each token's own
    KV cache already takes longer than its arithmetic, or beyond ``MAX_BATCH``). The arguments are
    those of ``seconds_per_token``.

    The memory time per token falls as the batch grows (the weights' reads are shared by more
    tokens) while the arithmetic per token stays the same, so the answer is found by bisection."""
    def compute_bound(batch: int) -> bool:
        r = seconds_per_token(active_parameters, peak_tflops, memory_bandwidth_gb_s, bytes_per_parameter, batch,
                              utilisation, routed_parameters, routed_share, context, kv_bytes_per_context_token,
                              attention_flops_per_context_token, attention_peak_tflops)
        return r.compute_s >= r.memory_s

    if not compute_bound(MAX_BATCH):
        return None
    low, high = 0, MAX_BATCH  # compute_bound(high) holds; low = 0 stands for "not yet"
    while high - low > 1:
        middle = (low + high) // 2
        if compute_bound(middle):
            high = middle
        else:
            low = middle
    return high


def tokens_per_second(roofline: Roofline) -> float:
    """Tokens one chip generates per second at that time per token."""
    return 1 / roofline.seconds


#: the largest batch ``falls_behind_batch`` tries, one by one, unless told otherwise
FALLS_BEHIND_MAX_BATCH = 100_000


def falls_behind_batch(chip: Callable[[int], Roofline], rival: Callable[[int], Roofline],
                       max_batch: int = FALLS_BEHIND_MAX_BATCH) -> int | None:
    """The smallest batch at which ``chip`` writes fewer tokens a second than ``rival`` (takes longer
    per token); None if that does not happen up to ``max_batch``. ``chip`` and ``rival`` give the
    ``Roofline`` at a batch (for instance ``lambda b: decode(model, h20, "fp8", b, 4096).roofline``).

    This is not the crossover batch: a chip with slow arithmetic and fast memory turns compute-bound
    at its crossover, but while its rival still waits on memory it stays ahead; it falls behind only
    once the rival's time per token drops below its own. Every batch from 1 is tried in turn, since
    the two times need not cross only once."""
    for name, given in (("chip", chip), ("rival", rival)):
        if not callable(given):
            raise ValueError(f"{name} must be a function from a batch to a Roofline, got {given!r}")
    limit = count("max_batch", max_batch)
    for batch in range(1, limit + 1):
        if chip(batch).seconds > rival(batch).seconds:
            return batch
    return None


def usd_per_million(cost_usd: float, tokens: float) -> float:
    """US dollars per million tokens when ``tokens`` tokens cost ``cost_usd`` in all (for instance
    a fleet's cost for a day over the output tokens it wrote that day)."""
    return positive("cost_usd", cost_usd, allow_zero=True) / positive("tokens", tokens) * 1e6


def cost_per_million_tokens(usd_per_chip_hour: float, tokens_per_chip_second: float) -> float:
    """US dollars to generate a million tokens on a chip rented at ``usd_per_chip_hour`` that
    writes ``tokens_per_chip_second`` tokens a second (kept busy all the time)."""
    hourly = positive("usd_per_chip_hour", usd_per_chip_hour)
    rate = positive("tokens_per_chip_second", tokens_per_chip_second)
    return hourly / (rate * 3600) * 1e6


def break_even_batch(peak_tflops: float, memory_bandwidth_gb_s: float, bytes_per_parameter: float) -> float:
    """For a dense model, the batch at which reading the weights takes as long as the arithmetic:
    below it the chip waits on memory. It is the chip's FLOPs per byte of bandwidth times the
    bytes per parameter, over 2."""
    return (positive("peak_tflops", peak_tflops) * 1e12 * positive("bytes_per_parameter", bytes_per_parameter)
            / (FLOPS_PER_PARAMETER_TOKEN * positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9))
