"""Serving a model: how long a chip takes to generate tokens, as a roofline sketch.

When a language model writes text, it produces one token at a time, and every step must read the
model's weights from the chip's memory. A chip can process several requests together (a *batch*):
one read of a weight then serves every token in the batch. So each generated token costs

* about 2 FLOPs per active parameter (the forward pass), and
* reading its share of the active weights: active parameters × bytes per parameter ÷ batch.

A chip is limited by whichever takes longer, its arithmetic or its memory (the "roofline").
At small batches the memory usually sets the pace, which is why a chip with slow arithmetic but
fast memory, such as the H20, can serve as fast as one with far more TFLOPS.

Left out, so the result is an optimistic floor: reading the KV cache (chapter 2), the
communication between chips, and the time to read the prompt. ``utilisation`` is the share of
both peaks reached. Standard library only.
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


def seconds_per_token(active_parameters: float, peak_tflops: float, memory_bandwidth_gb_s: float,
                      bytes_per_parameter: float, batch: int, utilisation: float = 1.0) -> Roofline:
    """One chip's time per generated token of a model with ``active_parameters`` (a count), at a
    dense peak of ``peak_tflops``, memory bandwidth ``memory_bandwidth_gb_s`` (GB/s), weights of
    ``bytes_per_parameter`` bytes, ``batch`` tokens sharing each read of the weights, and a share
    ``utilisation`` of both peaks reached."""
    n = positive("active_parameters", active_parameters)
    batch = count("batch", batch)
    utilisation = fraction("utilisation", utilisation)
    compute = FLOPS_PER_PARAMETER_TOKEN * n / (positive("peak_tflops", peak_tflops) * 1e12 * utilisation)
    memory = (n * positive("bytes_per_parameter", bytes_per_parameter) / batch
              / (positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9 * utilisation))
    return Roofline(compute, memory)


def break_even_batch(peak_tflops: float, memory_bandwidth_gb_s: float, bytes_per_parameter: float) -> float:
    """The batch at which reading the weights takes as long as the arithmetic: below it the chip
    waits on memory. It is the chip's FLOPs per byte of bandwidth times the bytes per parameter,
    over 2."""
    return (positive("peak_tflops", peak_tflops) * 1e12 * positive("bytes_per_parameter", bytes_per_parameter)
            / (FLOPS_PER_PARAMETER_TOKEN * positive("memory_bandwidth_gb_s", memory_bandwidth_gb_s) * 1e9))
