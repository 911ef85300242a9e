"""Rules a student designs (book.rule_design), for chapter 5's dashboard."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.export_controls import classify
from book.hardware import get_chip, load_chips
from book.rule_design import (CAUGHT, EXEMPT, FREE, HBM_LINE, UNKNOWN, DesignedRule, compare, judge)


def test_the_defaults_redraw_the_2023_rule_for_every_catalogue_chip():
    # TPP 4,800 (a.1), density 5.92 from TPP 1,600 (a.2), consumer cards below 4,800 exempt (Note 2)
    for comparison in compare(DesignedRule()):
        real = comparison.real.controlled
        if real is not None:
            assert comparison.judgement.caught == real, comparison.judgement.chip.name
    assert not any(c.differs for c in compare(DesignedRule()))


def test_a_memory_bandwidth_line_catches_the_h20_and_frees_older_chips():
    rule = DesignedRule(tpp=None, density=None, memory_bandwidth_gb_s=3000)
    h20, a100 = judge(get_chip("H20"), rule), judge(get_chip("A100"), rule)
    assert h20.status == CAUGHT and h20.crossed == ("memory bandwidth",)
    assert a100.status == FREE  # 2,039 GB/s
    changed = {c.judgement.chip.short_name for c in compare(rule) if c.differs}
    assert {"H20", "A100", "A800"} <= changed and classify(get_chip("H20")).controlled is False


def test_the_hbm_line_and_unknown_figures():
    rule = DesignedRule(tpp=None, density=None, hbm=True)
    assert judge(get_chip("Ascend 910B"), rule).crossed == (HBM_LINE,)
    assert judge(get_chip("RTX 4090"), rule).status == FREE  # GDDR6X
    assert judge(get_chip("Ascend 910"), rule).status == UNKNOWN  # its memory is not in the catalogue
    # another line can still catch a chip whose figure one line lacks
    assert judge(get_chip("Ascend 910"), DesignedRule(hbm=True)).status == CAUGHT


def test_the_consumer_exemption():
    d = get_chip("RTX 4090 D")
    assert judge(d, DesignedRule()).status == EXEMPT
    # without the exemption its density (TPP 4,704 on 609 mm²) crosses the a.2 line
    assert judge(d, DesignedRule(consumer_exempt_below_tpp=None)).crossed == ("density",)


@pytest.mark.parametrize("kwargs, name", [({"tpp": -1}, "tpp"), ({"density": 0}, "density"),
                                          ({"memory_bandwidth_gb_s": float("nan")}, "memory_bandwidth_gb_s"),
                                          ({"hbm": "yes"}, "hbm"), ({"density_min_tpp": -5}, "density_min_tpp")])
def test_bad_rules_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        DesignedRule(**kwargs)


def test_bad_arguments_to_judge():
    with pytest.raises(ValueError, match="chip"):
        judge("H100", DesignedRule())
    with pytest.raises(ValueError, match="rule"):
        judge(get_chip("H100"), "2023-10")


@settings(max_examples=60, deadline=None)
@given(tpp=st.floats(100, 30_000), lower=st.floats(0.1, 1.0), bandwidth=st.floats(100, 9000))
def test_lowering_a_line_never_frees_a_chip(tpp, lower, bandwidth):
    strict = DesignedRule(tpp=tpp, density=None, memory_bandwidth_gb_s=bandwidth)
    loose = DesignedRule(tpp=tpp * lower, density=None, memory_bandwidth_gb_s=bandwidth * lower)
    for chip in load_chips():
        if judge(chip, strict).status == CAUGHT:
            assert judge(chip, loose).status == CAUGHT
