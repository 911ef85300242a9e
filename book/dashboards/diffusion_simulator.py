"""The diffusion simulator (chapter 4): a frontier leader and a fast diffuser, spreading AI.

``view`` is the pure update function: each strategy's monthly price to a user and its imitation
coefficient q, the shared innovation coefficient p, the share of monthly income a user can spend
(the affordability yardstick) and the years to show in; for each strategy the market it can reach
across the World Bank's income groups, its Bass adoption curve, its peak year, its users at the
end and the year (if any) the diffuser overtakes the leader out. ``panel`` draws it. Standard
library only.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

from book.dashboards import svg
from book.dashboards.base import Control, Panel
from book.display import Table, table
from book.diffusion import (P_AVERAGE, Q_AVERAGE, IncomeGroup, Strategy, load_income_groups, overtakes,
                            peak_time, reachable_market)
from book.figure import Figure, figure_html, legend_html
from book.palette import OKABE_ITO
from book.prices import api_price, monthly_cost
from book.validate import positive

NAME = "diffusion_simulator"
TITLE = "Diffusion simulator"

#: a month of steady use: 600 exchanges (20 a day), each 1,500 tokens read and 500 written
MONTHLY_INPUT_TOKENS = 900_000
MONTHLY_OUTPUT_TOKENS = 300_000


def _month(model: str) -> float:
    price = api_price(model)
    return round(monthly_cost(MONTHLY_INPUT_TOKENS, MONTHLY_OUTPUT_TOKENS, price.usd_per_m_input,
                              price.usd_per_m_output), 2)


#: the defaults: that month at GPT-4o's August 2024 prices and at DeepSeek-V3's February 2025 prices
LEADER_PRICE = _month("GPT-4o (2024-08-06)")
DIFFUSER_PRICE = _month("DeepSeek-V3")

CONTROLS = (
    Control("leader_price", "Leader's price", "number", LEADER_PRICE, minimum=0.0, maximum=100.0, step=0.01,
            unit="US$ a month", group="Frontier leader",
            help="What a month of use costs a user of the leader's model (default: the chapter's month of use at "
                 "GPT-4o's August 2024 prices)."),
    Control("leader_q", "Leader's imitation q", "number", Q_AVERAGE, minimum=0.0, maximum=2.0, step=0.01,
            unit="per year", group="Frontier leader",
            help="How strongly existing users pull in new ones; 0.38 is the average across products."),
    Control("diffuser_price", "Diffuser's price", "number", DIFFUSER_PRICE, minimum=0.0, maximum=100.0, step=0.01,
            unit="US$ a month", group="Fast diffuser",
            help="What a month of use costs a user of the diffuser's model (default: the same month at "
                 "DeepSeek-V3's February 2025 prices)."),
    Control("diffuser_q", "Diffuser's imitation q", "number", 0.5, minimum=0.0, maximum=2.0, step=0.01,
            unit="per year", group="Fast diffuser",
            help="Open weights let others copy, adapt and resell the model, which may strengthen imitation; 0.5 is "
                 "an assumption, not a measurement."),
    Control("head_start", "Diffuser launches after", "number", 2.0, minimum=0.0, maximum=10.0, step=0.1,
            unit="years", group="Fast diffuser",
            help="How much later the diffuser launches than the leader; 2 is an illustration (ChatGPT opened in "
                 "November 2022, DeepSeek's app topped the charts in January 2025)."),
    Control("p", "Innovation p (both)", "number", P_AVERAGE, minimum=0.001, maximum=0.5, step=0.001,
            unit="per year", group="Both",
            help="The share of those not yet using it who start on their own each year; 0.03 is the average "
                 "across products."),
    Control("share", "Affordable share of income", "number", 0.02, minimum=0.005, maximum=0.2, step=0.005,
            group="Both", help="The most of monthly income (GNI per capita) a user spends: 0.02 is the 2% "
                               "yardstick the UN uses for broadband."),
    Control("years", "Years shown", "number", 15.0, minimum=2.0, maximum=40.0, step=1.0, unit="years",
            group="Both", help="How far ahead the curves run."),
)


@dataclass(frozen=True)
class StrategyResult:
    strategy: Strategy
    market_m: float
    #: the income groups within reach
    groups: tuple[str, ...]
    peak_year: float
    #: (year, adopters in millions), from 0 to the horizon
    curve: tuple[tuple[float, float], ...]

    @property
    def at_end(self) -> float:
        return self.curve[-1][1]


@dataclass(frozen=True)
class DiffusionView:
    years: float
    share: float
    p: float
    leader: StrategyResult
    diffuser: StrategyResult
    #: the year after which the diffuser has more users from then on (0: from the start), or None
    overtakes: float | None
    income_groups: tuple[IncomeGroup, ...]

    @property
    def world_m(self) -> float:
        return sum(g.population_m for g in self.income_groups)


STEPS = 120


def _result(strategy: Strategy, years: float, share: float, groups: tuple[IncomeGroup, ...]) -> StrategyResult:
    market = strategy.market(groups, share)
    within = tuple(g.income_group for g in groups if strategy.monthly_price_usd <= g.gni_per_capita_usd / 12 * share)
    curve = tuple((years * k / STEPS, strategy.adopters_of(market, years * k / STEPS)) for k in range(STEPS + 1))
    return StrategyResult(strategy, market, within, strategy.start + peak_time(strategy.p, strategy.q), curve)


def view(leader_price: float = LEADER_PRICE, leader_q: float = Q_AVERAGE, diffuser_price: float = DIFFUSER_PRICE,
         diffuser_q: float = 0.5, head_start: float = 2.0, p: float = P_AVERAGE, share: float = 0.02,
         years: float = 15.0) -> DiffusionView:
    """The update function: control values in, both strategies' adoption out (years counted from
    the leader's launch). ValueError naming the parameter for a negative price or head start, p
    outside (0, 1], q outside [0, 10], a share outside (0, 1] or years outside (0, 100]."""
    groups = load_income_groups()
    reachable_market(0.0, groups, share)  # checks ``share``
    for name, value in (("leader_price", leader_price), ("diffuser_price", diffuser_price)):
        positive(name, value, allow_zero=True)
    for name, value in (("leader_q", leader_q), ("diffuser_q", diffuser_q)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
            raise ValueError(f"{name} must be a number from 0 to 10 per year, got {value!r}")
    if isinstance(years, bool) or not isinstance(years, (int, float)) or not 0 < years <= 100:
        raise ValueError(f"years must be a number in (0, 100], got {years!r}")
    leader = Strategy("frontier leader", leader_price, p, leader_q)
    diffuser = Strategy("fast diffuser", diffuser_price, p, diffuser_q, positive("head_start", head_start,
                                                                                     allow_zero=True))
    return DiffusionView(float(years), float(share), float(p), _result(leader, years, share, groups),
                         _result(diffuser, years, share, groups), overtakes(diffuser, leader, years, groups, share),
                         groups)


# --------------------------------------------------------------------------------------------
# what the reader sees
# --------------------------------------------------------------------------------------------

def _people(millions: float) -> str:
    if millions >= 1000:
        return f"{millions / 1000:,.2f} billion"
    return f"{millions:,.0f} million"


def _reach(r: StrategyResult) -> str:
    if not r.groups:
        return "no income group"
    names = [f"{g}-income" for g in r.groups]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the {joined} {'group' if len(names) == 1 else 'groups'}"


def _year(years: float) -> str:
    """A time as typed: "2" or "2.5" (never 2.5 rounded to "2")."""
    return f"{years:,.2f}".rstrip("0").rstrip(".")


def _share(ratio: float, leads: bool) -> str:
    """The diffuser's users as a share of the leader's, never rounded across the line: "1.8 times"
    or "99.6% of" (a diffuser that does not lead never reads as "1.0 times")."""
    if ratio >= 1.1 or ratio <= 0.5:
        return f"{ratio:,.1f} times"
    percent = 100 * ratio
    shown = math.floor(percent * 10) / 10 if not leads else math.ceil(percent * 10) / 10
    if not leads and shown >= 100:
        shown = 99.9
    return f"{shown:.1f}% of"


def texts(v: DiffusionView) -> tuple[tuple[str, str], ...]:
    lines = []
    for r in (v.leader, v.diffuser):
        s = r.strategy
        peak = (f"at its launch (imitation is weaker than innovation)" if r.peak_year == s.start
                else f"in year {r.peak_year:,.1f}")
        lines.append(f"the {s.name} at US${s.monthly_price_usd:,.2f} a month reaches {_reach(r)}: a market of "
                     f"{_people(r.market_m)} people; adoption is fastest {peak}, and by year {_year(v.years)} it has "
                     f"{_people(r.at_end)} users")
    markets = ("At " + f"{v.share:.1%}".replace(".0%", "%") + " of monthly income, " + lines[0] + "; " + lines[1]
               + ".")
    if v.overtakes is None:
        race = (f"The fast diffuser does not lead at year {_year(v.years)}: a larger market or stronger imitation "
                "would be needed.")
    elif v.overtakes == 0:
        race = "The fast diffuser has more users from the start and keeps the lead."  # only without a head start
    else:
        race = (f"The frontier leader has more users at first; the fast diffuser overtakes it in year "
                f"{v.overtakes:,.1f} and keeps the lead.")
    ratio = v.diffuser.at_end / v.leader.at_end if v.leader.at_end else None
    if ratio is not None:
        race += f" At year {_year(v.years)} the diffuser has {_share(ratio, v.overtakes is not None)} the leader's users."
    caution = ("A sketch, not a forecast: we found no published fit of p and q for generative AI, the market is "
               "a step per income group's average income (many people in a rich group cannot pay, and some in a poor "
               "one can), and free tiers, subsidies and internet access are left out.")
    return (("Markets", markets), ("The race", race), ("Read with care", caution))


def alt_text(v: DiffusionView) -> str:
    text = (f"Line chart of users in millions over {v.years:,.0f} years. The frontier leader's S-curve rises towards "
            f"{_people(v.leader.market_m)} and reaches {_people(v.leader.at_end)}; the fast diffuser's rises towards "
            f"{_people(v.diffuser.market_m)} and reaches {_people(v.diffuser.at_end)}.")
    if v.overtakes:
        text += f" The diffuser's curve crosses above the leader's in year {v.overtakes:,.1f}."
    return text


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480.0, 320.0, 70.0, 462.0, 16.0, 262.0
TICK = 14.5
COLORS = {"frontier leader": (OKABE_ITO["vermillion"], ""), "fast diffuser": (OKABE_ITO["blue"], "8 4")}


def _nice_top(value: float) -> float:
    for step in (100, 250, 500, 1000, 2000, 2500, 5000):
        if value <= step * 5:
            return step * max(1, -int(-value * 1.05 // step))
    return 10_000.0


def chart(v: DiffusionView, chart_id: str = "diffusion") -> svg.Chart:
    top = _nice_top(max(v.leader.market_m, v.diffuser.market_m, 1.0))
    x = svg.Scale(0, v.years, LEFT, RIGHT)
    y = svg.Scale(0, top, BOTTOM, TOP)
    c = svg.Chart(chart_id, WIDTH, HEIGHT, x, y, "Users of each strategy, by year", alt_text(v))
    for r in (v.leader, v.diffuser):
        color, dash = COLORS[r.strategy.name]
        c.polyline(f"curve {r.strategy.name}", list(r.curve), color, 3.0, dash, r.strategy.name)
        if r.strategy.start < r.peak_year <= v.years:
            at = r.strategy.adopters(r.peak_year, v.income_groups, v.share)
            c.marker(f"peak {r.strategy.name}", c.x(r.peak_year), c.y(at), "diamond", color, 6.0, name="peak")
    if v.overtakes:
        at = v.diffuser.strategy.adopters(v.overtakes, v.income_groups, v.share)
        c.marker("overtakes", c.x(v.overtakes), c.y(at), "circle", "currentColor", 6.0, filled=False,
                 name="overtakes")
    c.frame()
    step = top / 5
    ticks = [step * k for k in range(6)]
    c.ticks("y", ticks, [f"{t:,.0f}" for t in ticks], TICK)
    every = max(1, round(v.years / 6))
    xt = [float(k) for k in range(0, int(v.years) + 1, every)]
    c.ticks("x", xt, [f"{t:,.0f}" for t in xt], TICK)
    c.text("x title", "years from the leader's launch", (LEFT + RIGHT) / 2, HEIGHT - 14, 14.5, "middle", obstacle=False)
    c.text("y title", "users, millions", 16, (TOP + BOTTOM) / 2, 14.5, "middle", rotate=-90, obstacle=False)
    return c


def group_table(v: DiffusionView) -> Table:
    rows = []
    for g in v.income_groups:
        budget = g.gni_per_capita_usd / 12 * v.share
        rows.append((g.income_group, "yes" if g.income_group in v.leader.groups else "no",
                     "yes" if g.income_group in v.diffuser.groups else "no", f"{g.population_m:,.0f}",
                     f"{budget:,.2f}", f"{g.gni_per_capita_usd:,.0f}"))
    rows.append(("all", _people(v.leader.market_m), _people(v.diffuser.market_m), f"{v.world_m:,.0f}", "", ""))
    columns = ("Income group", "Leader within reach", "Diffuser within reach", "People, millions",
               "Affordable, US$ a month", "GNI per capita, US$ (2024)")
    return table(rows, columns=columns, numeric=columns[3:],
                 caption="The market each price reaches: a group is within reach when its average monthly GNI per "
                         "capita covers the price within the chosen share. World Bank, WDI (SP.POP.TOTL, "
                         "NY.GNP.PCAP.CD), income-group aggregates for 2024, as grouped in July 2026.")


def figure(v: DiffusionView, chart_id: str = "diffusion") -> Figure:
    c = chart(v, chart_id)
    entries = [(f'<svg width="28" height="10" aria-hidden="true" focusable="false"><line x1="1" y1="5" x2="27" y2="5" '
                f'stroke="{COLORS[name][0]}" stroke-width="3" stroke-dasharray="{COLORS[name][1]}"/></svg>',
                f"{name} (US${price:,.2f} a month, q = {q:g})")
               for name, price, q in (("frontier leader", v.leader.strategy.monthly_price_usd, v.leader.strategy.q),
                                      ("fast diffuser", v.diffuser.strategy.monthly_price_usd,
                                       v.diffuser.strategy.q))]
    entries.append((svg.swatch_svg("diamond", "currentColor"), "fastest adoption (the Bass peak)"))
    if v.overtakes:
        entries.append((svg.swatch_svg("circle", "currentColor", filled=False), "the diffuser overtakes"))
    caption = (f"Bass adoption curves, users = m × F(t), with p = {v.p:g} for both and t counted from each launch (the "
               f"diffuser launches {v.diffuser.strategy.start:g} years after the leader); m is the people of the income "
               "groups a price reaches. The prices by default are the chapter's month of use (900,000 tokens read, "
               "300,000 written) at GPT-4o's August 2024 and DeepSeek-V3's February 2025 list prices.")
    return Figure(figure_html(c.svg(), c.title, caption, "book/data/income_groups.csv; book/data/api_prices.csv; "
                                                         "book/diffusion.py", legend_html(entries)), c.description)


def panel(v: DiffusionView) -> Panel:
    return Panel(figure(v), texts(v), group_table(v)._repr_html_())


def dashboard():
    """The simulator as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])

