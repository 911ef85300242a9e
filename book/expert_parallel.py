"""A simple model of communication against computation in expert-parallel MoE training.

In a mixture-of-experts layer each token is sent to the GPUs holding the experts its router
picked ("dispatch"), processed there, and sent back ("combine"). When the experts sit on other
GPUs, every token crosses a link twice per MoE layer. This module compares, for one token and
one MoE layer on one GPU:

* **send time**: the bytes the token puts on the link, divided by the link's bandwidth in one
  direction (NVLink's published 900 and 400 GB/s count both directions together: 450 and 200);
* **compute time**: the FLOPs its routed experts spend on it, and optionally the rest of the layer's
  work on it (``other_parameters``: attention and shared experts), divided by the GPU's dense peak
  times the utilisation actually reached (MFU).

Compare like with like. A link's *nominal* bandwidth is what its specification promises, its
*achieved* or *effective* bandwidth what software gets out of it: DeepSeek's ISCA 2025 paper
(arXiv:2505.09343) reports about 160 of the H800's 200 GB/s of NVLink achieved and uses 40 GB/s as
InfiniBand's effective bandwidth, whose nominal figure is 50 GB/s per GPU (the V3 report). Set a
nominal NVLink against a nominal InfiniBand, or an achieved one against an effective one. And the
ratio of communication to computation depends on what the computation counts: the routed experts
alone, or the whole layer.

When send time exceeds compute time, the GPU waits on the link: communication dominates. Two
of DeepSeek-V3's remedies are modelled: **node-limited routing** (a token's experts lie on at
most M nodes, so it crosses the slow inter-node link at most M times and fans out inside the
node over NVLink) and **overlap** (DualPipe computes one micro-batch while another is in
flight, so what matters is the larger of the two times, not their sum).

Simplifications, stated so they can be questioned: one token in isolation (no batching effects
on the link), links used at the bandwidth given (nominal or effective: the caller chooses), every
routed expert on another GPU, no shared-expert traffic, no attention or pipeline traffic, attention
over the context left out of the arithmetic, and perfect overlap when overlap is on. The numbers
are orders of magnitude for comparing designs, not predictions of a real cluster. Standard library
only.
"""

from __future__ import annotations

from dataclasses import dataclass

from book.validate import count, positive


def bytes_per_token(hidden: int, routed_per_token: int, dispatch_bytes: float = 1.0, combine_bytes: float = 2.0,
                    node_limit: int | None = None) -> float:
    """Bytes one token sends over a link in one MoE layer: its hidden vector out to each copy
    (dispatch, at ``dispatch_bytes`` per number) and back (combine, at ``combine_bytes``).

    With ``node_limit`` M, the token crosses the inter-node link once per node, at most M times,
    however many experts it uses there. DeepSeek-V3 dispatches in FP8 (1 byte) and combines in
    BF16 (2 bytes).
    """
    count("hidden", hidden)
    copies = count("routed_per_token", routed_per_token)
    if node_limit is not None:
        copies = min(copies, count("node_limit", node_limit))
    return copies * hidden * (positive("dispatch_bytes", dispatch_bytes) + positive("combine_bytes", combine_bytes))


def expert_flops_per_token(hidden: int, expert_hidden: int, routed_per_token: int, training: bool = True) -> float:
    """FLOPs a token's routed experts spend on it in one layer: each SwiGLU expert multiplies by
    three h x f matrices (2 FLOPs per weight), and training adds a backward pass of twice that."""
    per_expert = 2 * 3 * count("hidden", hidden) * count("expert_hidden", expert_hidden)
    return (3 if training else 1) * count("routed_per_token", routed_per_token) * per_expert


def layer_flops_per_token(hidden: int, expert_hidden: int, routed_per_token: int, other_parameters: float = 0.0,
                          training: bool = True) -> float:
    """FLOPs one token costs in one MoE layer: its routed experts (``expert_flops_per_token``) plus
    ``other_parameters``, the layer's other weights the token is multiplied by (attention, shared
    experts), at 2 FLOPs each forward and 3 times that in training. 0 counts the routed experts
    alone."""
    other = positive("other_parameters", other_parameters, allow_zero=True)
    return (expert_flops_per_token(hidden, expert_hidden, routed_per_token, training)
            + (3 if training else 1) * 2 * other)


def send_seconds(n_bytes: float, link_gb_s: float, training: bool = True) -> float:
    """Time to move ``n_bytes`` over a link of ``link_gb_s`` GB/s (10^9 bytes per second, one direction).
    Training sends gradients back the same way, doubling the traffic."""
    return (2 if training else 1) * positive("n_bytes", n_bytes, allow_zero=True) / (positive("link_gb_s", link_gb_s) * 1e9)


def compute_seconds(flops: float, peak_tflops: float, mfu: float) -> float:
    """Time to do ``flops`` on a chip with a dense peak of ``peak_tflops`` at utilisation ``mfu``."""
    positive("flops", flops, allow_zero=True)
    if isinstance(mfu, bool) or not isinstance(mfu, (int, float)) or not 0 < mfu <= 1:
        raise ValueError(f"mfu must be a fraction more than 0 and at most 1, got {mfu!r}")
    return flops / (positive("peak_tflops", peak_tflops) * 1e12 * mfu)


@dataclass(frozen=True)
class LinkBudget:
    """Send and compute time of one token in one MoE layer, and what they imply."""

    send_s: float
    compute_s: float
    overlap: bool

    @property
    def ratio(self) -> float:
        """Communication time per unit of computation time (above 1: communication dominates)."""
        return self.send_s / self.compute_s

    @property
    def step_s(self) -> float:
        """Time per token and layer: the larger of the two when overlapped, their sum otherwise."""
        return max(self.send_s, self.compute_s) if self.overlap else self.send_s + self.compute_s

    @property
    def compute_share(self) -> float:
        """The share of the step the GPU spends computing (1.0: never waits on the link)."""
        return self.compute_s / self.step_s

    @property
    def bottleneck(self) -> str:
        return "communication" if self.send_s > self.compute_s else "computation"


def link_budget(hidden: int, expert_hidden: int, routed_per_token: int, link_gb_s: float, peak_tflops: float,
                mfu: float, node_limit: int | None = None, dispatch_bytes: float = 1.0, combine_bytes: float = 2.0,
                overlap: bool = False, training: bool = True, other_parameters: float = 0.0) -> LinkBudget:
    """Send time against compute time for one token in one MoE layer (see the module docstring).
    ``other_parameters`` adds the layer's other weights to the compute side (0: routed experts only)."""
    sent = bytes_per_token(hidden, routed_per_token, dispatch_bytes, combine_bytes, node_limit)
    flops = layer_flops_per_token(hidden, expert_hidden, routed_per_token, other_parameters, training)
    return LinkBudget(send_seconds(sent, link_gb_s, training), compute_seconds(flops, peak_tflops, mfu), overlap)


def break_even_bandwidth(hidden: int, expert_hidden: int, routed_per_token: int, peak_tflops: float, mfu: float,
                         node_limit: int | None = None, dispatch_bytes: float = 1.0, combine_bytes: float = 2.0,
                         training: bool = True, other_parameters: float = 0.0) -> float:
    """The link bandwidth (GB/s) at which send time equals compute time: below it, the link is
    the bottleneck. ``other_parameters`` as in ``link_budget``."""
    sent = bytes_per_token(hidden, routed_per_token, dispatch_bytes, combine_bytes, node_limit)
    flops = layer_flops_per_token(hidden, expert_hidden, routed_per_token, other_parameters, training)
    seconds = compute_seconds(flops, peak_tflops, mfu)
    return (2 if training else 1) * sent / seconds / 1e9
