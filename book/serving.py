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
small batches memory sets the pace, which is why a chip with slow arithmetic but fast memory,
such as the H20, can serve as fast as one with far more TFLOPS.

Left out, so the result is an optimistic floor: reading the KV cache (chapter 2), the traffic
between chips, uneven routing, and reading the prompt. ``utilisation`` is the share of both peaks
reached. The time is per chip: spread over the n chips holding one copy of the model, the batch
is that copy's, and the arithmetic and the reads divide among the chips. Standard library only.
"""

from __future__ import annotations

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
                      routed_parameters: float = 0.0, routed_share: float = 1.0) -> Roofline:
    """One chip's time per generated token of a model with ``active_parameters`` (a count), at a
    dense peak of ``peak_tflops``, memory bandwidth ``memory_bandwidth_gb_s`` (GB/s), weights of
    ``bytes_per_parameter`` bytes, ``batch`` tokens per step, a share ``utilisation`` of both peaks
    reached; for a mixture of experts, ``routed_parameters`` and ``routed_share`` as in
    ``parameters_read``."""
    batch = count("batch", batch)
    utilisation = fraction("utilisation", utilisation)
    n = positive("active_parameters", active_parameters)
    compute = FLOPS_PER_PARAMETER_TOKEN * n / (positive("peak_tflops", peak_tflops) * 1e12 * utilisation)
    read = parameters_read(n, batch, routed_parameters, routed_share)
    memory = (read * positive("bytes_per_parameter", bytes_per_parameter) / batch
              / (positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9 * utilisation))
    return Roofline(compute, memory)


def break_even_batch(peak_tflops: float, memory_bandwidth_gb_s: float, bytes_per_parameter: float) -> float:
    """For a dense model, the batch at which reading the weights takes as long as the arithmetic:
    below it the chip waits on memory. It is the chip's FLOPs per byte of bandwidth times the
    bytes per parameter, over 2."""
    return (positive("peak_tflops", peak_tflops) * 1e12 * positive("bytes_per_parameter", bytes_per_parameter)
            / (FLOPS_PER_PARAMETER_TOKEN * positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9))
