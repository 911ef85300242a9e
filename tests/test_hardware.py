"""The chip catalogue and the two metrics of the 2023 rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from book.hardware import (BYTES_PER_GB, BYTES_PER_GIB, CHIPS_CSV, PRECISION_BITS, Chip, chip_names, get_chip,
                           gib_to_bytes, load_chips, parse_chips, performance_density, tpp)
from book.tables import TableError

# Every chip the chapters rely on must stay in the catalogue, each with a source.
REQUIRED_CHIPS = ["A100", "A800", "H100", "H800", "H20", "H200", "B200", "RTX 4090", "RTX 4090D", "MI300X",
               "Ascend 910B", "Ascend 910C", "Ascend 910"]


@pytest.mark.parametrize("name", REQUIRED_CHIPS)
def test_every_facts_chip_loads_with_a_source(name):
    chip = get_chip(name)
    assert chip.source.strip(), f"{chip.name} has no source"
    assert chip.confidence in ("datasheet", "reported", "estimate")
    assert chip.tpp is not None and chip.tpp > 0


@pytest.mark.parametrize("name, expected_tpp, expected_pd", [
    ("A100", 312 * 16, 312 * 16 / 826),        # FP16 and INT8 tie at 4,992
    ("A800", 312 * 16, 312 * 16 / 826),        # same die and arithmetic as the A100
    ("H100", 1979 * 8, 1979 * 8 / 814),        # FP8 (15,832) edges out FP16 (15,824)
    ("H20", 296 * 8, 296 * 8 / 814),           # PD = 2,368 / 814 = 2.9, as analysts report
    ("RTX 4090", 660.6 * 8, 660.6 * 8 / 608.5),
    ("RTX 4090D", 588 * 8, 588 * 8 / 608.5),   # just under 4,800
    ("Ascend 910", 256 * 16, 256 * 16 / 456),
])
def test_published_tpp_and_density(name, expected_tpp, expected_pd):
    chip = get_chip(name)
    assert chip.tpp == pytest.approx(expected_tpp)
    assert chip.performance_density == pytest.approx(expected_pd)


def test_the_rules_own_example():
    # 88 FR 73458: "4800 = 600 TOPS at 8 bits = 300 TFLOPS at 16 bits"
    assert tpp(600, 8) == 4800 == tpp(300, 16)


def test_highest_precision_product_counts():
    chip = Chip(name="x", market="datacenter", fp16_tflops=100, fp8_tflops=250, int8_tops=150)
    assert chip.tpp == 2000 and chip.tpp_precision == "fp8"


@pytest.mark.parametrize("name", ["B200", "MI300X", "Ascend 910C"])
def test_unknown_die_area_gives_no_density(name):
    chip = get_chip(name)
    assert chip.die_area_mm2 is None and chip.performance_density is None


def test_unknown_throughput_gives_no_tpp():
    assert Chip(name="blank", market="datacenter").tpp is None


def test_dense_figures_are_consistent():
    # A sparsity figure typed in by mistake doubles one precision against the others.
    for chip in load_chips():
        if chip.fp16_tflops and chip.fp8_tflops:
            assert 1.9 <= chip.fp8_tflops / chip.fp16_tflops <= 2.1, chip.name
        if chip.fp16_tflops and chip.int8_tops:
            assert 1.9 <= chip.int8_tops / chip.fp16_tflops <= 2.1, chip.name


def test_efficiency_metrics():
    h100, h20 = get_chip("H100"), get_chip("H20")
    assert h100.tflops_per_watt() == pytest.approx(989 / 700)
    assert h20.bytes_per_flop() == pytest.approx(4000e9 / 148e12)
    assert h20.memory_bandwidth_gb_s > h100.memory_bandwidth_gb_s  # the chapter's claim
    assert get_chip("Ascend 910C").tflops_per_watt() is None  # TDP unknown


def test_memory_capacity_is_binary():
    # datasheets' "80 GB" of HBM is 80 GiB (a fact-check of chapter 2, Dec 2026): the catalogue
    # stores GiB and converts with 2^30, never 10^9
    assert BYTES_PER_GIB == 2**30 and BYTES_PER_GB == 10**9
    h800, h20 = get_chip("H800"), get_chip("H20")
    assert h800.memory_gib == get_chip("H100").memory_gib == 80 and h20.memory_gib == 96
    assert h800.memory_bytes == gib_to_bytes(80) == 85_899_345_920
    assert h20.memory_bytes == 96 * 2**30 == 103_079_215_104
    # the driver reports a little less than the nominal capacity: 81,559 MiB on an H100, 97,871 MiB on an H20
    assert 81_559 * 2**20 < h800.memory_bytes and 97_871 * 2**20 < h20.memory_bytes
    for chip in load_chips():
        if chip.memory_gib is not None:
            assert chip.memory_bytes == chip.memory_gib * 2**30
            assert chip.memory_gb == pytest.approx(chip.memory_gib * 1.073741824)
            assert "GiB" in chip.note, f"{chip.name}: say in the note that its capacity is binary"
    blank = Chip(name="blank", market="datacenter")
    assert blank.memory_bytes is None and blank.memory_gb is None
    with pytest.raises(ValueError, match="gib"):
        gib_to_bytes(-1)


@pytest.mark.parametrize("spelling", ["h100", "H100 ", "NVIDIA H100 SXM5 80GB", "rtx 4090 d", "RTX4090D", "ascend 910b"])
def test_get_chip_ignores_case_and_spaces(spelling):
    assert get_chip(spelling).name in {c.name for c in load_chips()}


def test_unknown_name_suggests_close_matches():
    with pytest.raises(KeyError) as info:
        get_chip("H2O")
    assert "H20" in str(info.value)
    with pytest.raises(KeyError):
        get_chip(42)


def test_names_are_unique():
    per_chip = [{"".join(n.lower().split()) for n in (c.name, *c.aliases)} for c in load_chips()]
    folded = [name for names in per_chip for name in names]
    assert len(folded) == len(set(folded)), "two chips share a name or alias"
    assert "H20" in chip_names()


@pytest.mark.parametrize("call, parameter", [
    (lambda: tpp(-1, 16), "dense_tops"),
    (lambda: tpp("300", 16), "dense_tops"),
    (lambda: tpp(float("nan"), 16), "dense_tops"),
    (lambda: tpp(300, 0), "bit_length"),
    (lambda: tpp(300, 16.0), "bit_length"),
    (lambda: tpp(300, True), "bit_length"),
    (lambda: performance_density(4800, 0), "die_area_mm2"),
    (lambda: performance_density(4800, -814), "die_area_mm2"),
    (lambda: performance_density(-1, 814), "total_processing_performance"),
    (lambda: Chip(name="x", market="gaming"), "market"),
    (lambda: Chip(name="", market="consumer"), "name"),
    (lambda: Chip(name="x", market="consumer", die_area_mm2=0), "die_area_mm2"),
    (lambda: Chip(name="x", market="consumer", fp16_tflops=-5), "fp16_tflops"),
    (lambda: get_chip("H100").dense_tops("fp4"), "precision"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


# ---- the loader rejects broken data with the line and the column --------------------------

def _broken_copy(tmp_path, line_no: int, column: str, value: str):
    import csv
    rows = list(csv.DictReader(CHIPS_CSV.open(encoding="utf-8")))
    rows[line_no - 2][column] = value
    path = tmp_path / "chips.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("column, value, words", [
    ("source", "", "a value is required"),
    ("tdp_w", "700 W", "not a number"),
    ("tdp_w", "-3", "outside the plausible range"),
    ("memory_bandwidth_gb_s", "3.35", "outside the plausible range"),  # TB/s typed into a GB/s column
    ("memory_gib", "85899345920", "outside the plausible range"),  # bytes typed into a GiB column
    ("market", "gaming", "not one of"),
    ("year", "2022.5", "not a number"),
    ("aliases", "A100", "already used"),
])
def test_loader_names_line_and_column(tmp_path, column, value, words):
    path = _broken_copy(tmp_path, 5, column, value)
    with pytest.raises(TableError) as info:
        parse_chips(path)
    message = str(info.value)
    assert "line 5" in message and repr(column) in message and words in message


def test_loader_needs_some_throughput(tmp_path):
    path = _broken_copy(tmp_path, 3, "fp16_tflops", "")
    path = _broken_copy_of(path, 3, {"int8_tops": ""})
    with pytest.raises(TableError, match="at least one throughput"):
        parse_chips(path)


def _broken_copy_of(path, line_no, changes):
    import csv
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[line_no - 2].update(changes)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_loader_rejects_unknown_columns(tmp_path):
    path = tmp_path / "chips.csv"
    path.write_text(CHIPS_CSV.read_text(encoding="utf-8").replace("note\n", "note,price\n", 1), encoding="utf-8")
    with pytest.raises(TableError, match="unknown columns"):
        parse_chips(path)


# ---- invariants ---------------------------------------------------------------------------

throughput = st.floats(min_value=0, max_value=1e5, allow_nan=False)
area = st.floats(min_value=1, max_value=5000, allow_nan=False)


@given(throughput, st.sampled_from(sorted(PRECISION_BITS.items())))
def test_tpp_is_throughput_times_bits(ops, precision_bits):
    _, bits = precision_bits
    assert tpp(ops, bits) == pytest.approx(ops * bits)


@given(throughput, area, st.floats(min_value=1.01, max_value=10))
def test_density_falls_as_the_die_grows(ops, die, factor):
    value = tpp(ops, 16)
    assert performance_density(value, die * factor) <= performance_density(value, die)


@given(st.floats(min_value=0, max_value=1e4), st.floats(min_value=0, max_value=1e4), st.floats(min_value=0, max_value=1e4))
def test_tpp_is_the_maximum_over_precisions(fp16, fp8, int8):
    chip = Chip(name="x", market="datacenter", fp16_tflops=fp16, fp8_tflops=fp8, int8_tops=int8)
    assert chip.tpp == max(fp16 * 16, fp8 * 8, int8 * 8)
    assert math.isclose(chip.tpp, chip.tpp_by_precision()[chip.tpp_precision])
