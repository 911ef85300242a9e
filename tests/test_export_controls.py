"""ECCN 3A090 under the October 2022 and October 2023 rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from book.export_controls import RULES, classify, escape_ceiling
from book.hardware import Chip, load_chips

# Every catalogue chip under both rules, with the reasoning (figures from book/data/chips.csv): a chip
# added to the catalogue needs its verdicts reasoned out here (the README's "Add a chip"), and is
# also checked against the rules' own lines by test_every_catalogue_chip_is_judged_by_the_rule_s_lines.
EXPECTED = {
    # chip: (2022 rule, 2023 rule); None = not controlled, "?" = cannot classify
    "A100": ("3A090.a", "3A090.a.1"),        # TPP 4,992 >= 4,800 and NVLink 600 >= 600; TPP alone in 2023
    "A800": (None, "3A090.a.1"),             # NVLink cut to 400 < 600 escapes 2022; no link test in 2023
    "H100": ("3A090.a", "3A090.a.1"),        # TPP 15,832, NVLink 900
    "H800": (None, "3A090.a.1"),             # NVLink 400 < 600; TPP 15,832 in 2023
    "H20": (None, None),                     # TPP 2,368 < 4,800; 2023: < 2,400 (b.1) and PD 2.91 < 3.2 (b.2)
    "H200": ("3A090.a", "3A090.a.1"),        # TPP 15,832, NVLink 900
    "B200": ("3A090.a", "3A090.a.1"),        # TPP 36,000: a.1 needs no die area
    "RTX 4090": (None, "3A090.a.1"),         # PCIe 64 GB/s < 600; TPP 5,285 >= 4,800 so Note 2 cannot help
    "RTX 4090D": (None, None),               # TPP 4,704 < 4,800 both times; consumer, so Note 2 in 2023
    "MI300X": ("3A090.a", "3A090.a.1"),      # TPP 20,919, Infinity Fabric 896 GB/s
    "Ascend 910": (None, "3A090.a.2"),       # TPP 4,096 < 4,800; PD 8.98 >= 5.92
    "Ascend 910B": (None, "3A090.a.1"),      # HCCS 392 GB/s < 600 (estimate); TPP 5,120
    "Ascend 910C": ("?", "3A090.a.1"),       # link speed unknown; TPP 12,800 needs no more
}


def _verdict(result):
    if result.controlled is None:
        return "?"
    return result.paragraph if result.controlled else None


def test_every_catalogue_chip_has_an_expectation():
    from book.hardware import get_chip
    names = [get_chip(name).name for name in EXPECTED]  # a KeyError names a chip gone from the catalogue
    assert len(set(names)) == len(EXPECTED)
    assert set(names) == {chip.name for chip in load_chips()}


@pytest.mark.parametrize("name", [chip.name for chip in load_chips()])
@pytest.mark.parametrize("rule", list(RULES))
def test_every_catalogue_chip_is_judged_by_the_rule_s_lines(name, rule):
    from book.hardware import get_chip
    chip, line = get_chip(name), RULES[rule]
    result = classify(name, rule)
    assert result.rule == rule
    assert result.reason.endswith(".") and len(result.reason.split()) >= 8
    if result.controlled:
        assert result.paragraph.startswith("3A090.")
    if chip.tpp is None:
        assert result.status == "cannot classify"
    elif chip.tpp < line.tpp_threshold and line.interconnect_threshold_gb_s is not None:
        assert result.controlled is False  # 2022: 3A090.a needs the TPP line and the link line
    elif chip.tpp >= line.tpp_threshold and line.interconnect_threshold_gb_s is None:
        assert result.controlled is True and result.paragraph == "3A090.a.1"  # 2023: TPP alone, no carve-out
    elif chip.tpp >= line.tpp_threshold and chip.interconnect_gb_s is not None:
        assert result.controlled is (chip.interconnect_gb_s >= line.interconnect_threshold_gb_s)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("index, rule", [(0, "2022-10"), (1, "2023-10")])
def test_catalogue_chip(name, index, rule):
    result = classify(name, rule)
    assert _verdict(result) == EXPECTED[name][index], result.reason
    assert result.rule == rule
    assert result.reason.endswith(".") and len(result.reason.split()) >= 8
    if result.controlled:
        assert result.paragraph.startswith("3A090.")


def test_reasons_name_the_deciding_numbers():
    assert "400 GB/s" in classify("H800", "2022-10").reason
    assert "2,368" in classify("H20", "2023-10").reason and "2.91" in classify("H20", "2023-10").reason
    note2 = classify("RTX 4090D", "2023-10")
    assert note2.paragraph == "Note 2 to 3A090" and "datacenter" in note2.reason
    assert "carve-out" in classify("RTX 4090", "2023-10").reason
    assert "unknown" in classify("Ascend 910C", "2022-10").reason
    assert classify("Ascend 910C", "2022-10").status == "cannot classify"


def _chip(tpp: float, area: float | None = 500.0, market: str = "datacenter", link: float | None = 900.0) -> Chip:
    return Chip(name="test chip", market=market, fp16_tflops=tpp / 16, die_area_mm2=area, interconnect_gb_s=link)


@pytest.mark.parametrize("tpp, area, market, expected", [
    (4800, 5000, "datacenter", "3A090.a.1"),     # exactly on the line counts
    (4799.99, 5000, "datacenter", None),         # PD 0.96: below every density line
    (1600, 1600 / 5.92, "datacenter", "3A090.a.2"),
    (1599.99, 100, "datacenter", None),          # below the TPP floor, whatever the density
    (2400, 2400 / 1.6, "datacenter", "3A090.b.1"),
    (2399.99, 2400 / 1.6, "datacenter", None),   # PD 1.6 is not enough below 2,400 TPP
    (1600, 500, "datacenter", "3A090.b.2"),      # PD 3.2 exactly
    (1600, 501, "datacenter", None),
    (4000, 500, "consumer", None),               # Note 2: PD 8 would be a.2 for a datacenter chip
    (4800, 500, "consumer", "3A090.a.1"),        # Note 2 stops at 4,800
])
def test_2023_boundaries(tpp, area, market, expected):
    result = classify(_chip(tpp, area, market), "2023-10")
    assert _verdict(result) == expected, result.reason


def test_2023_density_zone_with_unknown_area_cannot_be_classified():
    assert classify(_chip(3000, None), "2023-10").status == "cannot classify"
    assert classify(_chip(3000, None, "consumer"), "2023-10").controlled is False  # Note 2 needs no area
    assert classify(_chip(1000, None), "2023-10").controlled is False


@pytest.mark.parametrize("tpp, link, expected", [
    (4800, 600, "3A090.a"), (4800, 599.9, None), (4799, 900, None), (5000, None, "?"),
])
def test_2022_boundaries(tpp, link, expected):
    assert _verdict(classify(_chip(tpp, link=link), "2022-10")) == expected


def test_unknown_throughput_cannot_be_classified():
    blank = Chip(name="blank", market="datacenter")
    for rule in RULES:
        assert classify(blank, rule).status == "cannot classify"


@pytest.mark.parametrize("call, parameter", [
    (lambda: classify("H100", "2024-12"), "rule"),
    (lambda: classify(42, "2023-10"), "chip"),
    (lambda: escape_ceiling(-814), "die_area_mm2"),
    (lambda: escape_ceiling(814, "gaming"), "market"),
    (lambda: escape_ceiling(814, rule="1999"), "rule"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


def test_unknown_chip_name_is_a_key_error():
    with pytest.raises(KeyError):
        classify("H2000")


def test_rule_citations():
    assert RULES["2022-10"].citation == "87 FR 62186"
    assert RULES["2023-10"].citation == "88 FR 73458"
    assert str(RULES["2023-10"].effective) == "2023-11-17"


def test_escape_ceiling_known_values():
    assert escape_ceiling(814) == 2400           # b.1 binds before b.2 (3.2 x 814 = 2,605)
    assert escape_ceiling(600) == pytest.approx(1920)  # b.2 binds: 3.2 x 600
    assert escape_ceiling(400) == 1600           # density too high anywhere above the floor
    assert escape_ceiling(2000) == pytest.approx(3200)  # b.1 band: 1.6 x 2000
    assert escape_ceiling(608.5, "consumer") == 4800
    assert escape_ceiling(814, rule="2022-10") == 4800


# ---- invariants ---------------------------------------------------------------------------

tpps = st.floats(min_value=1, max_value=60_000, allow_nan=False)
areas = st.floats(min_value=20, max_value=4_000, allow_nan=False)
markets = st.sampled_from(["datacenter", "consumer"])


@given(tpps, areas, markets, st.floats(min_value=1.0, max_value=5.0))
def test_more_arithmetic_never_frees_a_chip(tpp, area, market, factor):
    if classify(_chip(tpp, area, market), "2023-10").controlled:
        assert classify(_chip(tpp * factor, area, market), "2023-10").controlled


@given(tpps, areas, st.floats(min_value=1.0, max_value=5.0))
def test_a_bigger_die_never_catches_a_free_chip(tpp, area, factor):
    if not classify(_chip(tpp, area), "2023-10").controlled:
        assert not classify(_chip(tpp, area * factor), "2023-10").controlled


@given(tpps, areas)
def test_consumer_chips_are_never_more_controlled(tpp, area):
    if classify(_chip(tpp, area, "consumer"), "2023-10").controlled:
        assert classify(_chip(tpp, area, "datacenter"), "2023-10").controlled


@given(areas, markets)
def test_escape_ceiling_is_the_boundary(area, market):
    ceiling = escape_ceiling(area, market)
    assert not classify(_chip(ceiling * 0.999, area, market), "2023-10").controlled
    assert classify(_chip(ceiling * 1.001, area, market), "2023-10").controlled
