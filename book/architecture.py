"""Transformer language models and what they cost to hold and to run.

Two families are modelled from the published hyper-parameters in ``book/data/architectures.csv``:

* dense models with multi-head (MHA) or grouped-query attention (GQA), such as DeepSeek LLM 67B
  and Llama 3.1 405B;
* DeepSeek's mixture-of-experts (MoE) models with multi-head latent attention (MLA): DeepSeek-V2
  and V3.

From them the module derives, with the arithmetic shown in each function:

* parameters, total and *active* (used for each token): ``parameter_counts``;
* the FLOPs needed per token (about 2 per active parameter forward, 6 in training);
* the memory the weights take at a given precision, and how many chips hold it;
* the key-value (KV) cache each token leaves behind in each layer, for MHA, GQA and MLA, and
  how long a context, or how many conversations, fit beside the weights.

Units: parameters as counts, memory in bytes (GB = 10^9 bytes), FLOPs as counts. A chip's capacity
is given in GiB, as datasheets give it (an "80 GB" H800 holds 80 GiB = 80 x 2^30 bytes, about
85.9 GB), and converted to bytes before it is compared with weights or caches. Standard library
only.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from book.hardware import gib_to_bytes
from book.tables import DATA_DIR, TableError, column, read_table, schema
from book.validate import count, positive

ARCHITECTURES_CSV = DATA_DIR / "architectures.csv"

MHA, GQA, MLA = "mha", "gqa", "mla"
ATTENTION = (MHA, GQA, MLA)
ATTENTION_NAMES = {MHA: "multi-head attention", GQA: "grouped-query attention", MLA: "multi-head latent attention"}

#: FLOPs per active parameter per token: a multiply and an add forward; about three times that
#: in training, where the backward pass costs about twice the forward
FLOPS_PER_PARAMETER_FORWARD = 2
FLOPS_PER_PARAMETER_TRAINING = 6

#: bytes per number at each precision
BYTES_PER_VALUE: dict[str, float] = {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5}


def bytes_per_value(precision: str) -> float:
    """Bytes per number at ``precision`` ("bf16", "fp8", ...)."""
    if precision not in BYTES_PER_VALUE:
        raise ValueError(f"precision must be one of {list(BYTES_PER_VALUE)}, got {precision!r}")
    return BYTES_PER_VALUE[precision]


@dataclass(frozen=True)
class Architecture:
    """A model's shape. MoE fields (``routed_experts``...) are None for a dense model; MLA fields
    (``kv_compression``...) are None unless ``attention`` is "mla"; ``kv_heads`` is set for GQA.
    Each field is a column of ``architectures.csv``, declared with the check the loader applies to
    it (``book.tables.column``)."""

    name: str = column("text", required=True)
    attention: str = column("choice", required=True, choices=ATTENTION)
    layers: int = column("int", required=True, low=1, high=1000)
    dense_layers: int = column("int", required=True, low=0, high=1000)
    hidden: int = column("int", required=True, low=64, high=100_000)
    heads: int = column("int", required=True, low=1, high=1024)
    head_dim: int = column("int", required=True, low=8, high=1024)
    dense_ffn_hidden: int = column("int", required=True, low=64, high=1_000_000)
    vocab: int = column("int", required=True, low=1000, high=1_000_000)
    kv_heads: int | None = column("int", low=1, high=1024, default=None)
    kv_compression: int | None = column("int", low=1, high=1_000_000, default=None)
    query_compression: int | None = column("int", low=1, high=1_000_000, default=None)
    rope_dim: int | None = column("int", low=0, high=1024, default=None)
    routed_experts: int | None = column("int", low=1, high=10_000, default=None)
    shared_experts: int | None = column("int", low=0, high=100, default=None)
    active_experts: int | None = column("int", low=1, high=10_000, default=None)
    expert_hidden: int | None = column("int", low=1, high=1_000_000, default=None)
    #: in the CSV "true" or "false" (``parse_architectures`` turns it into a bool)
    tied_embeddings: bool = column("choice", required=True, choices=("true", "false"), default=False)
    reported_total_b: float | None = column("float", low=0.1, high=100_000.0, default=None)
    reported_active_b: float | None = column("float", low=0.1, high=100_000.0, default=None)
    context: int | None = column("int", low=512, high=100_000_000, default=None)
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"),
                             default="estimate")
    source: str = column("text", required=True, default="")
    note: str = column("text", default="")
    #: other names; in the CSV one text cell with the names separated by ";" (``parse_architectures``
    #: splits it)
    aliases: tuple[str, ...] = column("text", default=())

    def __post_init__(self) -> None:
        if self.attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {self.attention!r}")
        for name in ("layers", "hidden", "heads", "head_dim", "dense_ffn_hidden", "vocab"):
            count(name, getattr(self, name))
        count("dense_layers", self.dense_layers, low=0)
        if self.dense_layers > self.layers:
            raise ValueError(f"dense_layers must be <= layers ({self.layers}), got {self.dense_layers}")
        if self.attention == GQA:
            count("kv_heads", self.kv_heads)
            if self.heads % self.kv_heads:
                raise ValueError(f"kv_heads must divide heads ({self.heads}), got {self.kv_heads}")
        if self.attention == MLA:
            for name in ("kv_compression", "query_compression", "rope_dim"):
                count(name, getattr(self, name))
        moe = [self.routed_experts, self.shared_experts, self.active_experts, self.expert_hidden]
        if any(v is not None for v in moe):
            for name in ("routed_experts", "active_experts", "expert_hidden"):
                count(name, getattr(self, name))
            count("shared_experts", self.shared_experts, low=0)
            if self.active_experts > self.routed_experts:
                raise ValueError(f"active_experts must be <= routed_experts ({self.routed_experts}), "
                                 f"got {self.active_experts}")
        elif self.dense_layers != self.layers:
            raise ValueError(f"a dense model has dense_layers == layers ({self.layers}), got {self.dense_layers}")

    @property
    def moe(self) -> bool:
        return self.routed_experts is not None

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers

    def with_changes(self, **changes) -> Architecture:
        """A variant (validated): ``v3.with_changes(active_experts=4)``."""
        return replace(self, **changes)


# --------------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParameterCount:
    """Parameters by part of the model, for the whole model and per token (active)."""

    attention: int
    dense_ffn: int
    experts_total: int
    experts_active: int
    router: int
    norms: int
    input_embedding: int
    output_head: int

    @property
    def total(self) -> int:
        return (self.attention + self.dense_ffn + self.experts_total + self.router + self.norms
                + self.input_embedding + self.output_head)

    @property
    def active(self) -> int:
        """Parameters a token touches, the input-embedding table included (it is read, not multiplied)."""
        return (self.attention + self.dense_ffn + self.experts_active + self.router + self.norms
                + self.input_embedding + self.output_head)

    @property
    def active_in_matmuls(self) -> int:
        """Active parameters without the input-embedding lookup: the ones a token multiplies by."""
        return self.active - self.input_embedding


def attention_parameters_per_layer(arch: Architecture) -> int:
    """Weights of one attention block.

    MHA/GQA: queries h x (heads x d_h), keys and values h x (kv_heads x d_h) each, output
    (heads x d_h) x h. MLA (DeepSeek-V2/V3): queries are compressed to d'_c then expanded to
    heads x (d_h + d_R); keys and values share one compressed vector of d_c (plus a d_R
    positional key), expanded to heads x d_h keys and heads x d_h values; output as MHA; two
    small norms on the compressed vectors.
    """
    h, n, d = arch.hidden, arch.heads, arch.head_dim
    if arch.attention in (MHA, GQA):
        kv = n if arch.attention == MHA else arch.kv_heads
        return h * n * d + 2 * h * kv * d + n * d * h
    dc, dq, dr = arch.kv_compression, arch.query_compression, arch.rope_dim
    queries = h * dq + dq * n * (d + dr)
    keys_values = h * (dc + dr) + dc * n * (d + d)
    return queries + keys_values + n * d * h + dq + dc


def parameter_counts(arch: Architecture) -> ParameterCount:
    """Count every weight matrix (feed-forward blocks are SwiGLU: three h x f matrices)."""
    h = arch.hidden
    dense_ffn = arch.dense_layers * 3 * h * arch.dense_ffn_hidden
    if arch.moe:
        per_expert = 3 * h * arch.expert_hidden
        experts_total = arch.moe_layers * (arch.routed_experts + arch.shared_experts) * per_expert
        experts_active = arch.moe_layers * (arch.active_experts + arch.shared_experts) * per_expert
        router = arch.moe_layers * h * arch.routed_experts
    else:
        experts_total = experts_active = router = 0
    embedding = arch.vocab * h
    return ParameterCount(
        attention=arch.layers * attention_parameters_per_layer(arch), dense_ffn=dense_ffn,
        experts_total=experts_total, experts_active=experts_active, router=router,
        norms=2 * h * arch.layers + h, input_embedding=embedding,
        output_head=0 if arch.tied_embeddings else embedding)


def routed_experts(arch: Architecture) -> tuple[float, float]:
    """The parameters of all routed experts (every MoE layer) and the share of them one token uses
    (active / routed experts); (0, 1) for a dense model. Shared experts are not routed."""
    if not arch.moe:
        return 0.0, 1.0
    per_expert = 3 * arch.hidden * arch.expert_hidden
    return float(arch.moe_layers * arch.routed_experts * per_expert), arch.active_experts / arch.routed_experts


def flops_per_token(arch: Architecture, training: bool = False) -> float:
    """About 2 FLOPs per active parameter multiplied, forward; about 6 in training (forward plus
    a backward pass of twice the cost). Attention over the context adds a term that grows with
    its length; it is left out here, which is fair for contexts short next to the model width."""
    factor = FLOPS_PER_PARAMETER_TRAINING if training else FLOPS_PER_PARAMETER_FORWARD
    return factor * parameter_counts(arch).active_in_matmuls


def weight_bytes(arch: Architecture, precision: str = "bf16") -> float:
    """Memory the weights take at ``precision``, in bytes (every expert, used or not, is held)."""
    return parameter_counts(arch).total * bytes_per_value(precision)


# --------------------------------------------------------------------------------------------
# the KV cache
# --------------------------------------------------------------------------------------------

def kv_elements_per_token_per_layer(attention: str, heads: int, head_dim: int, kv_heads: int | None = None,
                                    kv_compression: int | None = None, rope_dim: int | None = None) -> int:
    """Numbers cached for each token in each layer, so later tokens can attend to it.

    * MHA: a key and a value per head: 2 x heads x d_h (2 x 128 x 128 = 32,768 with V3's sizes);
    * GQA: keys and values shared by groups of heads: 2 x kv_heads x d_h;
    * MLA: one compressed vector and one positional key: d_c + d_R (512 + 64 = 576).
    """
    if attention not in ATTENTION:
        raise ValueError(f"attention must be one of {ATTENTION}, got {attention!r}")
    count("heads", heads)
    count("head_dim", head_dim)
    if attention == MHA:
        return 2 * heads * head_dim
    if attention == GQA:
        count("kv_heads", kv_heads)
        if kv_heads > heads:
            raise ValueError(f"kv_heads must be <= heads ({heads}), got {kv_heads}")
        return 2 * kv_heads * head_dim
    count("kv_compression", kv_compression)
    count("rope_dim", rope_dim, low=0)
    return kv_compression + rope_dim


def kv_elements_per_token(arch: Architecture) -> int:
    """Cached numbers per token over all layers."""
    return arch.layers * kv_elements_per_token_per_layer(arch.attention, arch.heads, arch.head_dim, arch.kv_heads,
                                                         arch.kv_compression, arch.rope_dim)


def kv_cache_bytes(arch: Architecture, tokens: float, precision: str = "bf16") -> float:
    """The KV cache of ``tokens`` tokens (over all conversations) at ``precision``, in bytes."""
    positive("tokens", tokens, allow_zero=True)
    return kv_elements_per_token(arch) * tokens * bytes_per_value(precision)


def with_attention(arch: Architecture, attention: str, kv_heads: int | None = None) -> Architecture:
    """The same model with another kind of attention (for comparing caches): MHA, GQA with
    ``kv_heads``, or MLA with DeepSeek-V2/V3's sizes (d_c = 512, d'_c = 1536, d_R = 64)."""
    if attention == MHA:
        return arch.with_changes(attention=MHA, kv_heads=None, kv_compression=None, query_compression=None,
                                 rope_dim=None)
    if attention == GQA:
        return arch.with_changes(attention=GQA, kv_heads=kv_heads, kv_compression=None, query_compression=None,
                                 rope_dim=None)
    if attention == MLA:
        return arch.with_changes(attention=MLA, kv_heads=None, kv_compression=arch.kv_compression or 512,
                                 query_compression=arch.query_compression or 1536, rope_dim=arch.rope_dim or 64)
    raise ValueError(f"attention must be one of {ATTENTION}, got {attention!r}")


# --------------------------------------------------------------------------------------------
# fitting a model on chips
# --------------------------------------------------------------------------------------------

def chip_bytes(chip_memory_gib: float) -> float:
    """One chip's capacity in bytes, from its datasheet figure in GiB (x 2^30): 80 GiB is
    85,899,345,920 bytes. ValueError naming ``chip_memory_gib`` unless it is > 0."""
    return gib_to_bytes(positive("chip_memory_gib", chip_memory_gib))


def chips_to_hold(total_bytes: float, chip_memory_gib: float) -> int:
    """How many chips of ``chip_memory_gib`` GiB each it takes to hold ``total_bytes`` bytes (weights
    and cache). The capacity is binary (an "80 GB" H800 is 80 GiB), the bytes are bytes: 671 GB of
    FP8 weights fit in 8 chips of 80 GiB (687 GB)."""
    positive("total_bytes", total_bytes, allow_zero=True)
    memory = chip_bytes(chip_memory_gib)
    return max(1, math.ceil(total_bytes / memory - 1e-12))


def spare_bytes(arch: Architecture, chip_memory_gib: float, chips: int, weight_precision: str = "bf16") -> float:
    """Bytes left for the KV cache once the weights are on ``chips`` chips of ``chip_memory_gib``
    GiB each (negative: no fit)."""
    count("chips", chips)
    memory = chip_bytes(chip_memory_gib) * chips
    return memory - weight_bytes(arch, weight_precision)


def max_context(arch: Architecture, chip_memory_gib: float, chips: int, weight_precision: str = "bf16",
                kv_precision: str = "bf16") -> int:
    """The longest single context (tokens) whose KV cache fits beside the weights on ``chips``
    chips of ``chip_memory_gib`` GiB each; 0 if none does.

    A simplification: all memory holds weights and cache, at the datasheet's capacity (real
    servers keep some for activations and the runtime, and the driver reports a little less)."""
    spare = spare_bytes(arch, chip_memory_gib, chips, weight_precision)
    per_token = kv_elements_per_token(arch) * bytes_per_value(kv_precision)
    return max(0, math.floor(spare / per_token))


def concurrent_sequences(arch: Architecture, chip_memory_gib: float, chips: int, context: int,
                         weight_precision: str = "bf16", kv_precision: str = "bf16") -> int:
    """How many conversations of ``context`` tokens fit at once beside the weights on ``chips``
    chips of ``chip_memory_gib`` GiB each (an upper bound: see ``max_context``)."""
    count("context", context)
    return max_context(arch, chip_memory_gib, chips, weight_precision, kv_precision) // context


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

def parse_architectures(path=ARCHITECTURES_CSV) -> tuple[Architecture, ...]:
    """Read and validate the architecture table; errors name the file, line and column."""
    result = []
    for line, values in enumerate(read_table(path, schema(Architecture)), start=2):
        aliases = tuple(a.strip() for a in str(values.pop("aliases")).split(";") if a.strip())
        values["tied_embeddings"] = values["tied_embeddings"] == "true"
        try:
            result.append(Architecture(aliases=aliases, **values))
        except ValueError as exc:
            raise TableError(f"{path.name} line {line} ({values['name']}): {exc}") from None
    return tuple(result)


@lru_cache(maxsize=1)
def load_architectures() -> tuple[Architecture, ...]:
    """Every model in the table, in file order (validated once, then cached)."""
    return parse_architectures()


def _fold(name: str) -> str:
    return "".join(name.lower().split())


def get_architecture(name: str) -> Architecture:
    """A model by name or alias ("DeepSeek-V3", "V3", "deepseek 67b"), ignoring case and spaces.

    Raises:
        KeyError: for an unknown name; the message lists close matches.
    """
    if not isinstance(name, str):
        raise KeyError(f"model name must be a string, got {name!r}")
    index = {_fold(key): arch for arch in load_architectures() for key in (arch.name, *arch.aliases)}
    if _fold(name) in index:
        return index[_fold(name)]
    close = difflib.get_close_matches(_fold(name), list(index), n=3, cutoff=0.5)
    names = {_fold(key): key for arch in load_architectures() for key in (arch.name, *arch.aliases)}
    suggestion = ", ".join(repr(names[c]) for c in close) or "none"
    raise KeyError(f"no model called {name!r} in book/data/architectures.csv. Close matches: {suggestion}")


ARCHITECTURE_FIELDS = tuple(f.name for f in fields(Architecture))
