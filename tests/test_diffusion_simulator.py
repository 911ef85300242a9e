"""The diffusion simulator (chapter 4's second dashboard)."""

from __future__ import annotations

import json

import pytest

from book.dashboards import diffusion_simulator as ds
from book.dashboards import live, page
from book.dashboards.base import render
from book.diffusion import adopted_share, load_income_groups, peak_time
from book.prices import api_price, monthly_cost


def test_default_prices_are_the_chapters_month_of_use():
    gpt4o, v3 = api_price("GPT-4o (2024-08-06)"), api_price("DeepSeek-V3")
    assert ds.LEADER_PRICE == round(monthly_cost(900_000, 300_000, gpt4o.usd_per_m_input, gpt4o.usd_per_m_output), 2)
    assert ds.LEADER_PRICE == 5.25 and ds.DIFFUSER_PRICE == 0.57


def test_markets_and_curves():
    v = ds.view()
    groups = load_income_groups()
    # 2% of a month: low US$1.28, lower-middle US$3.95, so US$5.25 reaches only the two richer groups
    assert v.leader.groups == ("upper-middle", "high") and v.diffuser.groups == tuple(g.income_group for g in groups)
    assert v.leader.market_m == pytest.approx(sum(g.population_m for g in groups[2:]))
    assert v.diffuser.market_m == pytest.approx(v.world_m)
    year, users = v.leader.curve[60]
    assert users == pytest.approx(v.leader.market_m * adopted_share(year, 0.03, 0.38))
    assert v.diffuser.curve[0][1] == 0 and v.diffuser.peak_year == pytest.approx(2 + peak_time(0.03, 0.5))


def test_the_race():
    v = ds.view()
    assert v.overtakes is not None and 2 < v.overtakes < 15
    assert "overtakes it in year" in ds.texts(v)[1][1]
    same = ds.view(diffuser_price=5.25, diffuser_q=0.38, head_start=2)
    assert same.overtakes is None and "does not lead" in ds.texts(same)[1][1]
    at_once = ds.view(head_start=0)
    assert at_once.overtakes == 0.0 and "from the start" in ds.texts(at_once)[1][1]


def test_texts_chart_and_table():
    v = ds.view()
    markets = ds.texts(v)[0][1]
    assert markets.startswith("At 2% of monthly income, the frontier leader at US$5.25 a month reaches the "
                              "upper-middle-income and high-income groups: a market of 4.49 billion people")
    c = ds.chart(v)
    assert {line.text for line in c.of("line", "curve ")} == {"frontier leader", "fast diffuser"}
    assert len(c.of("marker", "peak ")) == 2 and len(c.of("marker", "overtakes")) == 1
    rows = ds.group_table(v).rows
    assert rows[0] == ("low", "no", "yes", "747", "1.28", "765")
    assert rows[-1][0] == "all"
    no_imitation = ds.view(leader_q=0.0)
    assert "at its launch" in ds.texts(no_imitation)[0][1]


@pytest.mark.parametrize("kwargs, parameter", [
    ({"leader_price": -1}, "leader_price"), ({"p": 0}, "p"), ({"p": 2}, "p"), ({"diffuser_q": -0.1}, "diffuser_q"),
    ({"leader_q": 11}, "leader_q"), ({"diffuser_price": float("nan")}, "diffuser_price"),
    ({"share": 0}, "share"), ({"share": 1.5}, "share"), ({"years": 0}, "years"), ({"head_start": -1}, "head_start"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        ds.view(**kwargs)


def test_page_live_and_jupyter():
    html = page.static_html(ds)
    assert "disabled" in html and 'data-dashboard="diffusion_simulator"' in html
    answer = json.loads(live.update("diffusion_simulator", json.dumps({"diffuser_q": "0.8"})))
    assert answer["html"] == render(ds, {"diffuser_q": 0.8}).html()
    box = ds.dashboard()
    box.controls["head_start"].value = 0.0
    assert "from the start" in box.output.value


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_the_race_text_stays_true_at_every_setting(data):
    # a diffuser that does not lead never reads as having as many users ("1.0 times"), and a
    # horizon typed as 2.5 years is said as 2.5, not rounded to 2
    from book.dashboards import diffusion_simulator as ds
    values = {}
    for c in ds.CONTROLS:
        if c.kind == "choice":
            values[c.name] = data.draw(st.sampled_from([v for _, v in c.options]))
        else:
            values[c.name] = data.draw(st.floats(c.minimum, c.maximum, allow_nan=False))
    try:
        v = ds.view(**values)
    except ValueError:
        return
    race = dict(ds.texts(v))["The race"]
    if v.overtakes is None:
        assert "1.0 times" not in race and "100.0%" not in race
    years = f"{v.years:,.2f}".rstrip("0").rstrip(".")
    if " at year " in race or "At year " in race:
        assert f"year {years}" in race
