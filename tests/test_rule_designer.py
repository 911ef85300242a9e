"""The rule designer (the dashboard for chapter 5)."""

from __future__ import annotations

import json

import pytest

from book.dashboards import live, page
from book.dashboards import rule_designer as rd
from book.dashboards.base import render
from book.rule_design import CAUGHT


def test_defaults_agree_with_the_2023_rule():
    v = rd.view()
    assert not any(row.differs for row in v.rows)
    assert "agrees with the 2023 rule on every chip both can judge" in rd.texts(v)[1][1]
    assert "It catches gaming cards (RTX 4090)" in rd.texts(v)[1][1]


def test_a_bandwidth_rule_and_its_costs_in_words():
    v = rd.view(tpp=0, density=0, memory_bandwidth_gb_s=3000)
    catches, cost, _ = (text for _, text in rd.texts(v))
    assert catches.startswith("Your rule (memory bandwidth) catches 7 of 13 catalogue chips")
    assert "yours also catches H20; it lets go A100, A800, RTX 4090 and Ascend 910B" in cost
    assert "cannot judge Ascend 910" in cost
    c = rd.chart(v)
    assert c.of("line", "line memory bandwidth")[0].data["value"] == 3000 and not c.of("line", "line TPP")
    caught = {m.text for m in c.of("marker", "chip ") if m.shape == "square"}
    assert caught == {row.judgement.chip.short_name for row in v.rows if row.judgement.status == CAUGHT
                      and row.judgement.chip.tpp and row.judgement.chip.memory_bandwidth_gb_s}


def test_no_lines_catch_nothing_and_the_2022_comparison():
    v = rd.view(tpp=0, density=0, rule="2022-10")
    assert v.caught == [] and "no line at all" in rd.texts(v)[0][1]
    rows = {row[0]: row for row in rd.chip_table(v).rows}
    assert rows["H100"][1] == "free" and rows["H100"][3] == "yes"  # the 2022 rule caught it


@pytest.mark.parametrize("kwargs, name", [({"tpp": -1}, "tpp"), ({"density": -0.5}, "density"),
                                          ({"hbm": "maybe"}, "hbm"), ({"exempt_consumer": "y"}, "exempt_consumer"),
                                          ({"rule": "2030"}, "rule"),
                                          ({"memory_bandwidth_gb_s": float("inf")}, "memory_bandwidth_gb_s")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rd.view(**kwargs)


def test_page_live_and_jupyter():
    html = page.static_html(rd)
    assert "disabled" in html and 'data-dashboard="rule_designer"' in html
    answer = json.loads(live.update("rule_designer", json.dumps({"hbm": "on"})))
    assert answer["html"] == render(rd, {"hbm": "on"}).html()
    bad = json.loads(live.update("rule_designer", json.dumps({"tpp": "-5"})))
    assert bad["control"] == "tpp" and bad["error"].startswith("TPP line must be >= 0")
    box = rd.dashboard()
    box.controls["memory_bandwidth_gb_s"].value = 3000.0
    assert "also catches H20" in box.output.value
