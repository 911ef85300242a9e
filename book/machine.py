"""Measure your own computer: how fast does it multiply matrices?

``measure_matmul`` times a NumPy matrix multiplication of two n x n matrices (2 n^3 FLOPs) and
reports the rate reached, in GFLOP/s. ``auto_size`` picks an n whose product takes a fraction of a
second on the machine at hand (at most a quarter of a second by default: like Python's ``timeit``,
which times a statement for about 0.2 s, long enough for a steady rate, and the fastest of three
repeats counts). The result varies from machine to machine and from run to run: it is a
measurement, not a model. NumPy is imported when the function runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class MatmulResult:
    """One measurement: matrix size, best time of the repeats, and the rate."""

    n: int
    seconds: float
    repeats: int

    @property
    def flops(self) -> float:
        """Floating-point operations of one n x n by n x n product: n^2 dot products of 2n - 1,
        counted as 2 n^3 as usual."""
        return 2.0 * self.n ** 3

    @property
    def gflops(self) -> float:
        return self.flops / self.seconds / 1e9

    def share_of(self, peak_tflops: float) -> float:
        """The measured rate as a share of a chip's dense peak (e.g. an H100's 989 BF16 TFLOPS)."""
        if not peak_tflops > 0:
            raise ValueError(f"peak_tflops must be > 0, got {peak_tflops!r}")
        return self.gflops / (peak_tflops * 1000)


def measure_matmul(n: int = 1024, repeats: int = 3, dtype: str = "float32", seed: int = 0) -> MatmulResult:
    """Time ``repeats`` products of two random n x n matrices of ``dtype``; keep the fastest."""
    import numpy as np

    if isinstance(n, bool) or not isinstance(n, int) or not 8 <= n <= 20_000:
        raise ValueError(f"n must be a whole number from 8 to 20,000, got {n!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= 100:
        raise ValueError(f"repeats must be a whole number from 1 to 100, got {repeats!r}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, n), dtype=dtype), rng.random((n, n), dtype=dtype)
    np.matmul(a, b)  # warm up (threads, caches)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return MatmulResult(n, max(best, 1e-9), repeats)


def auto_size(target_seconds: float = 0.25, start: int = 256, largest: int = 8192) -> int:
    """The largest matrix size (doubling n from ``start``, up to ``largest``) whose product takes at
    most about ``target_seconds`` here: the next doubling, eight times the work, would take longer."""
    if not target_seconds > 0:
        raise ValueError(f"target_seconds must be > 0, got {target_seconds!r}")
    n = start
    while n < largest:
        seconds = measure_matmul(n, repeats=1).seconds
        if seconds * 8 > target_seconds:  # doubling n multiplies the work by 8
            break
        n *= 2
    return n
