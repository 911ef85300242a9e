"""Answer key for chapter 2, The DeepSeek paradox (exercises 2.1 to 2.7).

Every expected value, hint number and likely mistake comes from the models
(``book.architecture``, ``book.expert_parallel``) and the data tables.
"""

from __future__ import annotations

from book.answers.exercise import Exercise, Mistake, Tolerance, fmt
from book.architecture import (MHA, MLA, chip_bytes, chips_to_hold, concurrent_sequences, flops_per_token,
                               get_architecture, kv_elements_per_token_per_layer, parameter_counts, weight_bytes)
from book.expert_parallel import break_even_bandwidth, link_budget
from book.hardware import BYTES_PER_GB, BYTES_PER_GIB, get_chip

# the settings the exercises use, named once
CONTEXT = 32_768        # tokens per conversation
SERVER = 8              # chips in one server
MFU = 0.40              # utilisation assumed in the communication model
NODE_LIMIT = 4          # DeepSeek-V3: a token's experts on at most 4 nodes
# like with like: both links as DeepSeek's software achieved them (its ISCA 2025 paper, arXiv:2505.09343)
IB_EFFECTIVE_GB_S = 40.0     # InfiniBand per GPU, effective (nominal: 50)
NVLINK_REACHED_GB_S = 160.0  # NVLink on the H800, achieved (nominal: 200 one way)
CHIP_GIB = 80           # exercise 2.4's chip: an H800's 80 GiB

LINK_CHOICES = ("InfiniBand between nodes", "NVLink inside a node", "neither")


def _v3():
    return get_architecture("DeepSeek-V3")


def _v2():
    return get_architecture("DeepSeek-V2")


def _heads():
    v3 = _v3()
    return v3.heads, v3.head_dim


def _mha() -> int:
    return kv_elements_per_token_per_layer(MHA, *_heads())


def _mla() -> int:
    v3 = _v3()
    return kv_elements_per_token_per_layer(MLA, *_heads(), kv_compression=v3.kv_compression, rope_dim=v3.rope_dim)


def _conversations(model, chip: str) -> int:
    return concurrent_sequences(model, get_chip(chip).memory_gib, SERVER, CONTEXT, "fp8", "bf16")


def _decimal_conversations(model, chip: str) -> int:
    """The likely mistake: the datasheet's GB read as 10^9 bytes instead of 2^30."""
    gib = get_chip(chip).memory_gib * BYTES_PER_GB / BYTES_PER_GIB
    return concurrent_sequences(model, gib, SERVER, CONTEXT, "fp8", "bf16")


def _gb_as_gib_conversations(model, chip: str) -> int:
    """The other likely mistake: the capacity in decimal GB (``memory_gb``) passed where GiB go."""
    return concurrent_sequences(model, get_chip(chip).memory_gb, SERVER, CONTEXT, "fp8", "bf16")


def _bf16_weights_advantage() -> int:
    """The likely slip of 2.6: the weights (and cache) at BF16, concurrent_sequences' default."""
    chips = [get_chip(name).memory_gib for name in ("H20", "H800")]
    h20, h800 = (concurrent_sequences(_v2(), gib, SERVER, CONTEXT) for gib in chips)
    return h20 - h800


def _chips(precision: str) -> int:
    return chips_to_hold(weight_bytes(_v3(), precision), CHIP_GIB)


def _saving() -> int:
    """Chips FP8 saves against BF16: what a student who answers the exercise's last question in
    ``chips_bf16`` stores."""
    return _chips("bf16") - _chips("fp8")


_FP8_HINT = "That is the number of chips at FP8 (1 byte per parameter); the question asks for BF16."
_SAVING_HINT = ("That is what FP8 saves, the exercise's last question (answer it in words); chips_bf16 holds the "
                "chips at BF16.")
_FP8_OR_SAVING_HINT = ("That is the chips at FP8 (1 byte per parameter), or what FP8 saves, the exercise's last "
                       "question (answer it in words); chips_bf16 holds the chips at BF16.")


def _fp8_hint() -> str:
    """The FP8 count's hint; if the saving is the same number, the hint names both slips."""
    return _FP8_OR_SAVING_HINT if _chips("fp8") == _saving() else _FP8_HINT


def _saving_hint() -> str:
    return _FP8_OR_SAVING_HINT if _chips("fp8") == _saving() else _SAVING_HINT


def _h800_peak() -> float:
    return get_chip("H800").fp8_tflops


def _break_even(node_limit=None, training=True) -> float:
    v3 = _v3()
    return break_even_bandwidth(v3.hidden, v3.expert_hidden, v3.active_experts, _h800_peak(), MFU,
                                node_limit=node_limit, training=training)


def _binding_link() -> str:
    v3 = _v3()
    ib = link_budget(v3.hidden, v3.expert_hidden, v3.active_experts, IB_EFFECTIVE_GB_S, _h800_peak(), MFU,
                     node_limit=NODE_LIMIT)
    nvlink = link_budget(v3.hidden, v3.expert_hidden, v3.active_experts, NVLINK_REACHED_GB_S, _h800_peak(), MFU)
    binding = [name for name, budget in zip(LINK_CHOICES, (ib, nvlink)) if budget.ratio > 1]
    return binding[0] if len(binding) == 1 else "neither" if not binding else "both"


EXERCISES = [
    Exercise(
        id="2.1", title="FLOPs per token of a mixture of experts", kind="number", points=2, unit="GFLOP",
        tolerance=Tolerance.relative(0.02),
        expected=lambda: flops_per_token(_v3()) / 1e9,
        hint="Forward, a token costs about 2 FLOPs per parameter it is multiplied by: count the active "
             "parameters (attention, the dense layers, the shared and the routed experts it uses, the output "
             "layer), not all of them.",
        mistakes=(
            Mistake(lambda: 2 * (parameter_counts(_v3()).total - parameter_counts(_v3()).input_embedding) / 1e9,
                    "That is what a dense model of the same total size would spend: an MoE token uses only its "
                    "active parameters."),
            Mistake(lambda: 3 * flops_per_token(_v3()) / 1e9,
                    "That is the training cost (about 6 FLOPs per active parameter); the question asks for the "
                    "forward pass."),
            Mistake(lambda: parameter_counts(_v3()).active_in_matmuls / 1e9,
                    "That is the number of active parameters: each costs about 2 FLOPs (a multiply and an add)."),
            Mistake(lambda: 2 * parameter_counts(_v3()).active / 1e9,
                    "You counted the input embedding: it is a table look-up, not a multiplication."),
            Mistake(lambda: flops_per_token(_v3()),
                    "That is in FLOP; the question asks for GFLOP (divide by 10⁹)."),
        ),
    ),
    Exercise(
        id="2.2a", title="Cache per token and layer: multi-head attention", kind="number", points=1,
        tolerance=Tolerance.absolute(0.5),
        expected=_mha,
        hint="Every head caches a key and a value, each of the head's dimension.",
        mistakes=(Mistake(lambda: _mha() / 2, "You counted the keys or the values, not both."),
                  Mistake(lambda: 2 * _heads()[0], "Each key and value is a vector of the head dimension, not one number."),
                  Mistake(lambda: _mha() * _v3().layers, lambda: f"That is over all {_v3().layers} layers; the question "
                                                                  "asks for one layer.")),
    ),
    Exercise(
        id="2.2b", title="Cache per token and layer: latent attention", kind="number", points=1,
        tolerance=Tolerance.absolute(0.5),
        expected=_mla,
        hint="MLA caches one compressed vector (d_c numbers) and one small positional key (d_R numbers) per token.",
        mistakes=(Mistake(lambda: _v3().kv_compression, "Add the small positional key that MLA caches beside the "
                                                          "compressed vector."),
                  Mistake(lambda: _mla() * _v3().layers, lambda: f"That is over all {_v3().layers} layers; the question "
                                                                  "asks for one layer.")),
    ),
    Exercise(
        id="2.2c", title="How many times smaller", kind="number", points=1,
        expected=lambda: _mha() / _mla(),
        hint="Divide the multi-head figure by the latent-attention figure.",
        mistakes=(Mistake(lambda: _mla() / _mha(), "Your value is the reciprocal: divide the other way round."),
                  Mistake(lambda: 1 - _mla() / _mha(), "That is the share saved; the question asks how many times "
                                                       "smaller.")),
    ),
    Exercise(
        id="2.3", title="Conversations an H20 server holds", kind="number", points=3, unit="conversations",
        tolerance=Tolerance.at_most(1.0),
        expected=lambda: _conversations(_v3(), "H20"),
        hint=lambda: (f"Memory left on {SERVER} chips of {fmt(get_chip('H20').memory_gib)} GiB (2³⁰ bytes each) "
                      f"after the FP8 weights, divided by one conversation's cache ({fmt(CONTEXT)} tokens × cached "
                      "numbers per token over all layers × 2 bytes); keep the whole number."),
        mistakes=(Mistake(lambda: 0,
                          "Zero: the weights are at BF16 (the function's default; this question uses FP8), which do "
                          "not fit on one server."),
                  Mistake(lambda: _decimal_conversations(_v3(), "H20"),
                          lambda: (f"You read the H20's {fmt(get_chip('H20').memory_gib)} GB as decimal "
                                   "gigabytes (10⁹ bytes). Chip memory is binary: it is GiB, 2³⁰ bytes each, so "
                                   "more fits.")),
                  Mistake(lambda: _gb_as_gib_conversations(_v3(), "H20"),
                          "You passed the capacity in decimal GB (memory_gb) where concurrent_sequences takes GiB: "
                          "use memory_gib.")),
    ),
    Exercise(
        id="2.4", title="What FP8 saves", kind="number", points=2, unit="chips",
        tolerance=Tolerance.absolute(0.01),
        expected=lambda: _chips("bf16"),
        hint=lambda: (f"Hold the weights at 2 bytes per parameter and divide by one chip's memory, {fmt(CHIP_GIB)} GiB "
                      f"= {fmt(CHIP_GIB)} × 2³⁰ bytes; round up to whole chips."),
        mistakes=(Mistake(lambda: chips_to_hold(weight_bytes(_v3(), "bf16"), CHIP_GIB * BYTES_PER_GB / BYTES_PER_GIB),
                          lambda: (f"You counted {fmt(CHIP_GIB)} GB as {fmt(CHIP_GIB)} × 10⁹ bytes. Chip memory is "
                                   "binary, so each chip holds more than you counted.")),
                  Mistake(lambda: weight_bytes(_v3(), "bf16") / 1e9,
                          "That is the weights' memory in GB; the question asks for chips."),
                  Mistake(lambda: weight_bytes(_v3(), "bf16") / chip_bytes(CHIP_GIB),
                          "Chips come whole, and the last one is needed even if it is only partly full."),
                  Mistake(lambda: _chips("fp8"), _fp8_hint),
                  Mistake(_saving, _saving_hint),
                  Mistake(lambda: -_saving(),
                          "A count of chips is not negative: that looks like FP8's chips minus BF16's, the saving "
                          "with its sign turned; chips_bf16 holds the chips at BF16.")),
    ),
    Exercise(
        id="2.5a", title="When the link binds", kind="number", points=3, unit="GB/s",
        tolerance=Tolerance.relative(0.02),
        expected=_break_even,
        hint=lambda: ("Find the bandwidth at which sending a token to its experts and back takes as long as the "
                      f"experts' computation at {MFU:.0%} of the H800's dense FP8 peak: use "
                      "book.expert_parallel.break_even_bandwidth, with training on and no node limit."),
        mistakes=(Mistake(lambda: _break_even(node_limit=NODE_LIMIT),
                          "Half the answer: you limited the token to 4 nodes (this question has no limit), left out "
                          "the traffic of the backward pass, or used the BF16 peak (this question uses FP8)."),
                  Mistake(lambda: _break_even() * 1e9, "That is in bytes per second; the question asks for GB/s."),
                  Mistake(lambda: _break_even(training=False),
                          "That is the forward pass alone; training also sends gradients back and computes twice as "
                          "much again.")),
    ),
    Exercise(
        id="2.5b", title="Which link binds", kind="choice", points=1, choices=LINK_CHOICES,
        aliases={"InfiniBand": LINK_CHOICES[0], "IB": LINK_CHOICES[0], "NVLink": LINK_CHOICES[1]},
        expected=_binding_link,
        hint=lambda: (f"Compare each link's bandwidth with the break-even bandwidth, both as DeepSeek achieved them: "
                      f"InfiniBand at its effective {fmt(IB_EFFECTIVE_GB_S)} GB/s with node-limited routing "
                      f"({NODE_LIMIT} nodes), NVLink at the {fmt(NVLINK_REACHED_GB_S)} GB/s it reached, without a "
                      "limit."),
    ),
    Exercise(
        id="2.6", title="H20 against H800 for serving", kind="number", points=3, unit="conversations",
        tolerance=Tolerance.absolute(0.5),
        expected=lambda: _conversations(_v2(), "H20") - _conversations(_v2(), "H800"),
        hint=lambda: (f"With the calculator, raise the conversations at a context of {fmt(CONTEXT)} tokens until each "
                      "server needs a ninth chip; subtract the H800's largest number from the H20's."),
        mistakes=(Mistake(lambda: _conversations(_v2(), "H20"), "That is the H20 server alone."),
                  Mistake(lambda: _bf16_weights_advantage(),
                          "That is with the weights at BF16, 2 bytes each (what concurrent_sequences assumes when "
                          "no precision is given, or the calculator's Weights set to BF16); this question keeps "
                          "the weights at FP8, 1 byte each, which leaves more memory for the cache."),
                  Mistake(lambda: _conversations(_v2(), "H800") - _conversations(_v2(), "H20"),
                          "Wrong way round: the H20, with more memory per chip, holds more."),
                  Mistake(lambda: _decimal_conversations(_v2(), "H20") - _decimal_conversations(_v2(), "H800"),
                          "You read the chips' GB as decimal gigabytes (10⁹ bytes). Chip memory is binary: 96 and "
                          "80 GiB, 2³⁰ bytes each.")),
    ),
    Exercise(
        id="2.7", title="The paradox against the counter-case", kind="text", points=5, min_words=80,
        hint="Use at least two numbers from this notebook, and answer the strongest point of the other side.",
        rubric={
            "an efficiency number (FLOPs per token, cache size, FP8)": ("flop", "cache", "fp8", "times less",
                                                                         "times fewer", "% of"),
            "how the chip limits shaped the design (H800 link, InfiniBand, memory)": (
                "h800", "nvlink", "infiniband", "interconnect", "export control", "the controls"),
            "the counter-case: cost curve, DeepSeek's own chips or future compute": (
                "cost curve", "4x", "four times", "50,000", "hopper chips", "millions of chips", "amodei",
                "brundage"),
            "a judgement: what would settle the question": ("evidence", "would show", "would settle", "settle it",
                                                            "test whether", "depends on whether"),
        },
    ),
]

#: the chapter's learning objectives (numbered as in the chapter) and the exercises that practise them
OBJECTIVES = {1: ("2.1",), 2: ("2.2a", "2.2b", "2.2c", "2.3"), 3: ("2.4",), 4: ("2.5a", "2.5b"), 5: ("2.6", "2.7")}
