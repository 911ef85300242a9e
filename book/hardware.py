"""The chip catalogue and the metrics the export-control rules use.

Every figure in ``book/data/chips.csv`` is a **dense** figure (no 2:4 sparsity), with its source
in the row. Units are in the column names:

==========================  ===============================================================
column                      meaning
==========================  ===============================================================
``fp16_tflops``             dense FP16/BF16 tensor throughput, 10^12 operations per second
``fp8_tflops``              dense FP8 tensor throughput, 10^12 operations per second
``int8_tops``               dense INT8 tensor throughput, 10^12 operations per second
``memory_gib``              on-package memory, gibibytes (GiB, 2^30 bytes), as datasheets give it
``memory_bandwidth_gb_s``   memory bandwidth, GB/s (10^9 bytes per second)
``interconnect_gb_s``       aggregate bidirectional chip-to-chip bandwidth, GB/s
``tdp_w``                   thermal design power, watts
``die_area_mm2``            area of the logic die(s) the 2023 rule counts, mm^2
==========================  ===============================================================

An empty cell means *unknown*, and every metric that needs it is then ``None``: the book never
guesses a missing figure.

**Capacity is binary, rates are decimal.** A datasheet's "80 GB" of HBM or GDDR memory means 80 GiB:
80 x 2^30 = 85,899,345,920 bytes, about 85.9 GB in the decimal units (10^9 bytes) the book uses for
model weights and caches. Bandwidths stay decimal: 3,350 GB/s is 3.35 x 10^12 bytes a second. Compare
a chip's capacity with a model only in bytes: ``Chip.memory_bytes`` (or ``gib_to_bytes``). The
driver reports a little less than the nominal capacity (81,559 MiB on an 80 GiB H100); the book
uses the nominal figure and says where the difference matters.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from book.tables import DATA_DIR, TableError, column, read_table, schema

CHIPS_CSV = DATA_DIR / "chips.csv"

#: Bit length of the operation at each precision the catalogue records (the rule's "bit length").
PRECISION_BITS: dict[str, int] = {"fp16": 16, "fp8": 8, "int8": 8}

#: Catalogue column holding the dense throughput at each precision.
PRECISION_COLUMN: dict[str, str] = {"fp16": "fp16_tflops", "fp8": "fp8_tflops", "int8": "int8_tops"}

#: bytes in a gibibyte (GiB), the unit of memory capacity, and in a gigabyte (GB), the unit of model sizes
BYTES_PER_GIB = 2**30
BYTES_PER_GB = 10**9

MARKETS = ("datacenter", "consumer")
CONFIDENCE = ("datasheet", "reported", "estimate")


# --------------------------------------------------------------------------------------------
# The two metrics of the October 2023 rule, as plain functions
# --------------------------------------------------------------------------------------------

def _require_number(name: str, value: object, *, low: float = 0.0, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise a ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if number < low or (number == low and not allow_zero):
        bound = f">= {low:g}" if allow_zero else f"> {low:g}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return number


def gib_to_bytes(gib: float) -> float:
    """A capacity in GiB (2^30 bytes, the binary unit of memory datasheets) in bytes:
    ``gib_to_bytes(80)`` is 85,899,345,920, about 85.9 decimal GB.

    Args:
        gib: memory capacity in GiB, >= 0.
    """
    return _require_number("gib", gib, allow_zero=True) * BYTES_PER_GIB


def tpp(dense_tops: float, bit_length: int) -> float:
    """Total Processing Performance of one precision: ``2 x MacTOPS x bit length``.

    A multiply-accumulate (MAC) counts as two operations, so ``2 x MacTOPS`` is simply the dense
    TOPS (or TFLOPS) figure of a datasheet. Example from the rule itself: 300 dense TFLOPS at
    16 bits gives TPP 4800.

    Args:
        dense_tops: dense throughput in 10^12 operations per second (no sparsity), >= 0.
        bit_length: bit length of the operation (e.g. 16 for FP16, 8 for FP8/INT8), 1 to 64.
    """
    ops = _require_number("dense_tops", dense_tops, allow_zero=True)
    if isinstance(bit_length, bool) or not isinstance(bit_length, int) or not 1 <= bit_length <= 64:
        raise ValueError(f"bit_length must be a whole number of bits from 1 to 64, got {bit_length!r}")
    return ops * bit_length


def performance_density(total_processing_performance: float, die_area_mm2: float) -> float:
    """Performance density: TPP divided by the applicable die area in mm^2.

    Args:
        total_processing_performance: TPP (dimensionless, TOPS x bits), >= 0.
        die_area_mm2: area of all logic dies made on a non-planar process, mm^2, > 0.
    """
    value = _require_number("total_processing_performance", total_processing_performance, allow_zero=True)
    area = _require_number("die_area_mm2", die_area_mm2)
    return value / area


# --------------------------------------------------------------------------------------------
# The Chip record
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chip:
    """One accelerator, with dense figures. ``None`` means unknown.

    Build hypothetical chips with the same class: ``Chip(name="My chip", market="datacenter",
    fp16_tflops=250, die_area_mm2=500)``. Each field is a column of ``chips.csv``, declared with
    the check ``parse_chips`` applies to it (``book.tables.column``).
    """

    name: str = column("text", required=True)
    market: str = column("choice", required=True, choices=MARKETS)
    fp16_tflops: float | None = column("float", low=0.0, high=20_000.0, default=None)
    fp8_tflops: float | None = column("float", low=0.0, high=40_000.0, default=None)
    int8_tops: float | None = column("float", low=0.0, high=40_000.0, default=None)
    #: memory capacity in GiB (2^30 bytes): a datasheet's "80 GB" of HBM is 80 GiB
    memory_gib: float | None = column("float", low=1.0, high=1_024.0, default=None)
    memory_bandwidth_gb_s: float | None = column("float", low=10.0, high=50_000.0, default=None)
    interconnect_gb_s: float | None = column("float", low=1.0, high=20_000.0, default=None)
    tdp_w: float | None = column("float", low=10.0, high=3_000.0, default=None)
    die_area_mm2: float | None = column("float", low=10.0, high=2_000.0, default=None)
    vendor: str = column("text", required=True, default="")
    year: int | None = column("int", required=True, low=2010, high=2030, default=None)
    memory_type: str = column("text", default="")
    interconnect: str = column("text", default="")
    process: str = column("text", default="")
    confidence: str = column("choice", required=True, choices=CONFIDENCE, default="estimate")
    source: str = column("text", required=True, default="")
    note: str = column("text", default="")
    #: other names; in the CSV one text cell with the names separated by ";" (``parse_chips`` splits it)
    aliases: tuple[str, ...] = column("text", default=())

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        if self.market not in MARKETS:
            raise ValueError(f"market must be one of {MARKETS}, got {self.market!r}")
        for column in ("fp16_tflops", "fp8_tflops", "int8_tops", "memory_gib",
                       "memory_bandwidth_gb_s", "interconnect_gb_s"):
            value = getattr(self, column)
            if value is not None:
                _require_number(column, value, allow_zero=True)
        for column in ("tdp_w", "die_area_mm2"):
            value = getattr(self, column)
            if value is not None:
                _require_number(column, value)

    @property
    def short_name(self) -> str:
        """The common name used on charts and in tables (the first alias, e.g. "H100")."""
        return self.aliases[0] if self.aliases else self.name

    # -- memory -------------------------------------------------------------------------------
    @property
    def memory_bytes(self) -> float | None:
        """Memory capacity in bytes (``memory_gib`` x 2^30), or None when unknown: the figure to
        compare with model weights and caches, which the book counts in bytes and decimal GB."""
        return None if self.memory_gib is None else gib_to_bytes(self.memory_gib)

    @property
    def memory_gb(self) -> float | None:
        """Memory capacity in *decimal* GB (10^9 bytes), or None: 85.9 for an 80 GiB chip. For
        prose that states capacity as datasheets do, use ``memory_gib`` with the unit GiB."""
        return None if self.memory_bytes is None else self.memory_bytes / BYTES_PER_GB

    # -- throughput ---------------------------------------------------------------------------
    def dense_tops(self, precision: str) -> float | None:
        """Dense throughput at ``precision`` ("fp16", "fp8" or "int8"), 10^12 ops/s, or None."""
        if precision not in PRECISION_COLUMN:
            raise ValueError(f"precision must be one of {tuple(PRECISION_COLUMN)}, got {precision!r}")
        return getattr(self, PRECISION_COLUMN[precision])

    def fp32_accumulate_tops(self, precision: str) -> float | None:
        """Dense throughput at ``precision`` when the products are summed in FP32, as training (and
        careful inference) does. NVIDIA's GeForce cards run that at half their spec-sheet rate,
        which assumes FP16 sums (Ada Lovelace whitepaper, 2022: RTX 4090 FP16/BF16 165 TFLOPS with
        FP32 accumulate); other chips' listed figures already sum in FP32."""
        value = self.dense_tops(precision)
        if value is not None and self.vendor == "NVIDIA" and self.market == "consumer":
            return value / 2
        return value

    def tpp_by_precision(self) -> dict[str, float]:
        """TPP at every precision whose throughput is known."""
        return {p: tpp(self.dense_tops(p), bits) for p, bits in PRECISION_BITS.items()
                if self.dense_tops(p) is not None}

    @property
    def tpp(self) -> float | None:
        """Total Processing Performance: the highest ``TOPS x bit length`` over known precisions."""
        values = self.tpp_by_precision()
        return max(values.values()) if values else None

    @property
    def tpp_precision(self) -> str | None:
        """The precision that sets the TPP (the first one in fp16, fp8, int8 order on a tie)."""
        values = self.tpp_by_precision()
        return max(values, key=values.get) if values else None

    @property
    def performance_density(self) -> float | None:
        """TPP per mm^2 of applicable die area, or None when TPP or the area is unknown."""
        if self.tpp is None or self.die_area_mm2 is None:
            return None
        return performance_density(self.tpp, self.die_area_mm2)

    # -- efficiency ---------------------------------------------------------------------------
    def tflops_per_watt(self, precision: str = "fp16") -> float | None:
        """Dense throughput per watt of TDP at ``precision``, in TFLOPS/W (None if unknown)."""
        ops = self.dense_tops(precision)
        if ops is None or self.tdp_w is None:
            return None
        return ops / self.tdp_w

    def bytes_per_flop(self, precision: str = "fp16") -> float | None:
        """Memory bandwidth per dense operation: bytes moved per FLOP at full speed.

        High values suit memory-bound work such as generating text one token at a time.
        """
        ops = self.dense_tops(precision)
        if ops is None or self.memory_bandwidth_gb_s is None or ops == 0:
            return None
        return (self.memory_bandwidth_gb_s * 1e9) / (ops * 1e12)


# --------------------------------------------------------------------------------------------
# Loading and validating the catalogue
# --------------------------------------------------------------------------------------------

def parse_chips(path: Path | str = CHIPS_CSV) -> tuple[Chip, ...]:
    """Read and validate a chip table; raise a TableError naming the line and column."""
    path = Path(path)
    chips: list[Chip] = []
    seen: dict[str, str] = {}
    for line, values in enumerate(read_table(path, schema(Chip)), start=2):
        label = f"{path.name} line {line} ({values['name']})"
        if all(values[c] is None for c in PRECISION_COLUMN.values()):
            raise TableError(f"{label}, column 'fp16_tflops': at least one throughput figure is required")
        aliases = tuple(a.strip() for a in str(values.pop("aliases")).split(";") if a.strip())
        for key in (values["name"], *aliases):
            folded = _fold(key)
            if folded in seen and seen[folded] != values["name"]:
                raise TableError(f"{label}, column 'aliases': {key!r} is already used by {seen[folded]!r}")
            seen[folded] = values["name"]
        chips.append(Chip(aliases=aliases, **values))
    return tuple(chips)


def _fold(name: str) -> str:
    """Case- and space-insensitive key: 'RTX 4090 D' == 'rtx4090d'."""
    return "".join(name.lower().split())


@lru_cache(maxsize=1)
def load_chips() -> tuple[Chip, ...]:
    """All chips in the catalogue, in file order (validated once, then cached)."""
    return parse_chips(CHIPS_CSV)


@lru_cache(maxsize=1)
def _index() -> dict[str, Chip]:
    index: dict[str, Chip] = {}
    for chip in load_chips():
        for key in (chip.name, *chip.aliases):
            index[_fold(key)] = chip
    return index


def chip_names() -> list[str]:
    """Every name and alias that ``get_chip`` accepts."""
    return [key for chip in load_chips() for key in (chip.name, *chip.aliases)]


def get_chip(name: str) -> Chip:
    """Look a chip up by its common name or full name, ignoring case and spaces.

    Raises:
        KeyError: for an unknown name; the message lists close matches.
    """
    if not isinstance(name, str):
        raise KeyError(f"chip name must be a string, got {name!r}")
    chip = _index().get(_fold(name))
    if chip is not None:
        return chip
    names = chip_names()
    by_fold = {_fold(n): n for n in names}
    close = difflib.get_close_matches(_fold(name), list(by_fold), n=4, cutoff=0.5)
    suggestion = ", ".join(repr(by_fold[c]) for c in close) or "none; see book.hardware.chip_names()"
    raise KeyError(f"no chip called {name!r} in the catalogue. Close matches: {suggestion}")
