"""The Bass diffusion model and the two-strategy scenario (book.diffusion)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.affordability import GROUPS
from book.diffusion import (P_AVERAGE, Q_AVERAGE, IncomeGroup, Strategy, adopted_share, adoption_rate, hazard,
                            load_income_groups, overtakes, peak_time, reachable_market, time_to_share)


def _integrate(p: float, q: float, t_end: float, steps: int = 20_000) -> float:
    """F(t_end) from dF/dt = (p + q F)(1 - F), F(0) = 0, by fourth-order Runge-Kutta."""
    def slope(f: float) -> float:
        return (p + q * f) * (1 - f)

    f, h = 0.0, t_end / steps
    for _ in range(steps):
        k1 = slope(f)
        k2 = slope(f + h * k1 / 2)
        k3 = slope(f + h * k2 / 2)
        k4 = slope(f + h * k3)
        f += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return f


@pytest.mark.parametrize("p, q, t", [(0.03, 0.38, 5.0), (0.03, 0.38, 12.0), (0.01, 0.8, 7.5), (0.2, 0.1, 3.0)])
def test_closed_form_matches_the_hazard_equation_integrated(p, q, t):
    assert adopted_share(t, p, q) == pytest.approx(_integrate(p, q, t), abs=1e-9)


def test_rate_is_the_derivative_and_the_hazard_holds():
    p, q, t, h = 0.03, 0.38, 4.0, 1e-5
    derivative = (adopted_share(t + h, p, q) - adopted_share(t - h, p, q)) / (2 * h)
    assert adoption_rate(t, p, q) == pytest.approx(derivative, rel=1e-7)
    f = adopted_share(t, p, q)
    assert adoption_rate(t, p, q) / (1 - f) == pytest.approx(hazard(f, p, q), rel=1e-9)


def test_peak_time_with_the_average_coefficients():
    # ln(0.38 / 0.03) / 0.41 = 6.19 years (Sultan, Farley & Lehmann's averages)
    t_star = peak_time(P_AVERAGE, Q_AVERAGE)
    assert t_star == pytest.approx(math.log(0.38 / 0.03) / 0.41) and t_star == pytest.approx(6.19, abs=0.01)
    rates = [adoption_rate(t_star + d, 0.03, 0.38) for d in (-0.01, 0, 0.01)]
    assert rates[1] > rates[0] and rates[1] > rates[2]
    # at the peak, F = (1 - p/q) / 2
    assert adopted_share(t_star, 0.03, 0.38) == pytest.approx((1 - 0.03 / 0.38) / 2)


def test_no_interior_peak_when_imitation_is_weak():
    assert peak_time(0.2, 0.1) == 0.0 and peak_time(0.1, 0.1) == 0.0
    assert adoption_rate(0, 0.2, 0.1) > adoption_rate(0.5, 0.2, 0.1)


def test_time_to_share_inverts_the_curve():
    assert time_to_share(0.0, 0.03, 0.38) == 0.0
    t = time_to_share(0.5, 0.03, 0.38)
    assert adopted_share(t, 0.03, 0.38) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="share"):
        time_to_share(1.0, 0.03, 0.38)


@pytest.mark.parametrize("call, name", [
    (lambda: adopted_share(1, 0, 0.38), "p"), (lambda: adopted_share(1, -0.1, 0.38), "p"),
    (lambda: adopted_share(1, 1.5, 0.38), "p"), (lambda: adopted_share(1, 0.03, -0.1), "q"),
    (lambda: adopted_share(1, 0.03, float("inf")), "q"), (lambda: adopted_share(-1, 0.03, 0.38), "t"),
    (lambda: adoption_rate("2", 0.03, 0.38), "t"), (lambda: peak_time(0.03, "high"), "q"),
    (lambda: hazard(1.5, 0.03, 0.38), "share"), (lambda: Strategy("x", -1, 0.03, 0.38), "monthly_price_usd"),
    (lambda: reachable_market(5, share=0), "share"), (lambda: overtakes(Strategy("a", 1, .03, .4),
                                                                        Strategy("b", 1, .03, .4), 0), "horizon")])
def test_bad_parameters_are_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=80, deadline=None)
@given(p=st.floats(0.001, 1.0), q=st.floats(0.0, 10.0), t=st.floats(0.0, 60.0), dt=st.floats(0.0, 5.0))
def test_the_curve_rises_from_zero_towards_one(p, q, t, dt):
    f = adopted_share(t, p, q)
    assert 0.0 <= f <= 1.0
    assert adopted_share(t + dt, p, q) >= f - 1e-12
    assert adopted_share(0.0, p, q) == 0.0
    assert adoption_rate(t, p, q) >= 0.0


def test_income_groups_table_is_sourced_and_sums_to_the_world():
    groups = load_income_groups()
    assert [g.income_group for g in groups] == list(GROUPS)
    assert all(g.source.startswith("World Bank") and g.year >= 2023 for g in groups)
    assert 7_900 < sum(g.population_m for g in groups) < 8_300  # about 8.1 billion people in 2024
    assert [g.gni_per_capita_usd for g in groups] == sorted(g.gni_per_capita_usd for g in groups)


def test_reachable_market_is_a_step_per_group():
    groups = (IncomeGroup("low", 100, 1200, 2024, "reported", "test", ""),
              IncomeGroup("high", 50, 24_000, 2024, "reported", "test", ""))
    # 2% of a month: US$2 in the low group, US$40 in the high one
    assert reachable_market(2.0, groups) == 150
    assert reachable_market(2.01, groups) == 50
    assert reachable_market(40.01, groups) == 0
    assert reachable_market(0, groups) == 150


def test_a_cheaper_faster_strategy_overtakes():
    groups = (IncomeGroup("low", 100, 1200, 2024, "reported", "test", ""),
              IncomeGroup("high", 50, 24_000, 2024, "reported", "test", ""))
    leader = Strategy("leader", 10.0, 0.03, 0.38)
    diffuser = Strategy("diffuser", 1.0, 0.03, 0.5)
    assert leader.market(groups) == 50 and diffuser.market(groups) == 150
    assert overtakes(diffuser, leader, 15, groups) == 0.0  # larger market and faster imitation: ahead at once
    slow_big = Strategy("slow", 1.0, 0.005, 0.2)
    fast_small = Strategy("fast", 10.0, 0.05, 0.6)
    year = overtakes(slow_big, fast_small, 30, groups)
    assert year is not None and 0 < year < 30
    assert slow_big.adopters(year, groups) > fast_small.adopters(year, groups)
    assert slow_big.adopters(year - 0.05, groups) <= fast_small.adopters(year - 0.05, groups)
    assert overtakes(fast_small, slow_big, 30, groups) is None


def test_a_later_launch_shifts_the_curve():
    groups = (IncomeGroup("high", 50, 24_000, 2024, "reported", "test", ""),)
    early, late = Strategy("early", 1.0, 0.03, 0.38), Strategy("late", 1.0, 0.03, 0.38, start=2.0)
    assert late.adopters(1.9, groups) == 0.0
    assert late.adopters(7.0, groups) == pytest.approx(early.adopters(5.0, groups))
    with pytest.raises(ValueError, match="start"):
        Strategy("x", 1.0, 0.03, 0.38, start=-1)


def test_integration_timeline_is_dated_sourced_and_says_what_kind_of_evidence():
    from datetime import date

    from book.diffusion import load_integration_timeline
    rows = load_integration_timeline()
    assert len(rows) >= 8 and [r.date for r in rows] == sorted(r.date for r in rows)
    assert all(r.source and r.evidence for r in rows)
    shenzhen = next(r for r in rows if r.actor == "Shenzhen")
    assert shenzhen.date == date(2025, 2, 16) and "Xinhua" in shenzhen.source and shenzhen.when == "16 Feb 2025"
    count = next(r for r in rows if r.actor.startswith("At least 72"))
    assert count.confidence == "estimate" and "think-tank" in count.evidence and count.when == "spring 2025"
    assert next(r for r in rows if r.date_precision == "month").when == "Feb 2025"
    assert next(r for r in rows if r.date_precision == "approximate").when.startswith("about ")
    assert {r.sector for r in rows} == {"government", "technology company", "car maker"}
    # China Daily: Guangzhou's and Hohhot's models ran on the "government extranet", not internal networks
    guangzhou = next(r for r in rows if r.actor == "Guangzhou and Hohhot")
    assert '"government extranet"' in guangzhou.event and "internal government network" not in guangzhou.event


def test_the_fy26_lower_middle_group_held_021_billion_more_people():
    # the July 2025 grouping (fiscal year 2026), named in the note, against the July 2026 one in the table
    import re
    lower_middle = next(g for g in load_income_groups() if g.income_group == "lower-middle")
    fy26 = re.search(r"held 0\.21 billion more people in 2024: ([\d,]+)", lower_middle.note).group(1)
    fy26 = int(fy26.replace(",", ""))
    assert round((fy26 - lower_middle.population_m * 1e6) / 1e9, 2) == 0.21
