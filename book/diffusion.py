"""How a technology spreads: the Bass diffusion model, and two strategies for spreading AI (chapter 4).

Frank Bass (1969, Management Science 15(5)) split adoption into two pulls. Of the people who have
not yet adopted, each period a share ``p`` adopts on their own (*innovation*: advertising, news)
and a share ``q x F`` because others already have (*imitation*: word of mouth, seeing it work),
where ``F`` is the share of the market that has adopted. So the *hazard*, the rate of adoption
among those still outside, is ``p + q F``, and with F(0) = 0 the share adopted by time t is

    F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}),

an S-curve whose adoption rate f = dF/dt peaks at t* = ln(q/p) / (p + q) when q > p (at t = 0
otherwise). Time is in years here; ``p`` and ``q`` are per year. Across many products Sultan,
Farley and Lehmann (1990) found p near 0.03 and q near 0.38 on average; we found no published fit
for generative AI, so those are a starting point, not a measurement.

``m`` is the market: the people who could adopt at all. ``reachable_market`` sets it from a
price: the people of the income groups for whom a month of use costs no more than a share of
monthly income (the 2% yardstick of ``book.affordability``). That is crude, a step per group
average, and the chapter says so. Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from book.affordability import AFFORDABLE_SHARE, GROUPS
from book.tables import DATA_DIR, column, read_records
from book.validate import fraction, positive

INCOME_GROUPS_CSV = DATA_DIR / "income_groups.csv"
CHINA_INTEGRATION_CSV = DATA_DIR / "china_integration.csv"

#: average innovation and imitation coefficients across products (Sultan, Farley & Lehmann 1990)
P_AVERAGE = 0.03
Q_AVERAGE = 0.38


def _coefficients(p: float, q: float) -> tuple[float, float]:
    p = positive("p", p)
    q = positive("q", q, allow_zero=True)
    if p > 1:
        raise ValueError(f"p must be at most 1 (a share per year), got {p!r}")
    if q > 10:
        raise ValueError(f"q must be at most 10 per year, got {q!r}")
    return p, q


def _time(t: float) -> float:
    return positive("t", t, allow_zero=True)


def adopted_share(t: float, p: float, q: float) -> float:
    """F(t): the share of the market that has adopted by year ``t``."""
    p, q = _coefficients(p, q)
    decay = math.exp(-(p + q) * _time(t))
    return (1 - decay) / (1 + (q / p) * decay)


def adoption_rate(t: float, p: float, q: float) -> float:
    """f(t) = dF/dt: the share of the market adopting per year at year ``t``."""
    p, q = _coefficients(p, q)
    decay = math.exp(-(p + q) * _time(t))
    return (p + q) ** 2 / p * decay / (1 + (q / p) * decay) ** 2


def hazard(share: float, p: float, q: float) -> float:
    """p + q F: the rate at which those not yet adopting adopt, when a share ``share`` has."""
    p, q = _coefficients(p, q)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ValueError(f"share must be a number in [0, 1], got {share!r}")
    return p + q * share


def peak_time(p: float, q: float) -> float:
    """t* = ln(q/p) / (p + q), the year adoption is fastest; 0 when q <= p (fastest at the start)."""
    p, q = _coefficients(p, q)
    return math.log(q / p) / (p + q) if q > p else 0.0


def time_to_share(share: float, p: float, q: float) -> float:
    """The year at which a share ``share`` (0 to 1, not 1 itself) of the market has adopted."""
    p, q = _coefficients(p, q)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1:
        raise ValueError(f"share must be a number in [0, 1), got {share!r}")
    remaining = (1 - share) / (1 + share * q / p)
    return -math.log(remaining) / (p + q)


# --------------------------------------------------------------------------------------------
# the market and two strategies
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncomeGroup:
    """One of the World Bank's income groups: its people (millions) and GNI per capita (US$)."""

    income_group: str = column("choice", required=True, choices=GROUPS)
    population_m: float = column("float", required=True, low=1.0, high=10_000.0)
    gni_per_capita_usd: float = column("float", required=True, low=50.0, high=500_000.0)
    year: int = column("int", required=True, low=1960, high=2100)
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")


@lru_cache(maxsize=1)
def load_income_groups() -> tuple[IncomeGroup, ...]:
    """The four groups, poorest first (checked: each appears once)."""
    rows = read_records(INCOME_GROUPS_CSV, IncomeGroup)
    if sorted(r.income_group for r in rows) != sorted(GROUPS):
        raise ValueError(f"{INCOME_GROUPS_CSV.name} must hold each of {GROUPS} once")
    return tuple(sorted(rows, key=lambda r: GROUPS.index(r.income_group)))


def reachable_market(monthly_price_usd: float, groups: tuple[IncomeGroup, ...] | None = None,
                     share: float = AFFORDABLE_SHARE) -> float:
    """People (millions) in the groups whose average monthly GNI per capita covers the price within
    ``share`` (2%): the market ``m`` a product at that price can reach."""
    price = positive("monthly_price_usd", monthly_price_usd, allow_zero=True)
    limit = fraction("share", share)
    groups = load_income_groups() if groups is None else groups
    return sum(g.population_m for g in groups if price <= g.gni_per_capita_usd / 12 * limit)


@dataclass(frozen=True)
class Strategy:
    """A way of offering AI: a monthly price to users, the Bass coefficients it earns and the year
    it launches (``start``, counted from the first launch)."""

    name: str
    monthly_price_usd: float
    p: float
    q: float
    start: float = 0.0

    def __post_init__(self) -> None:
        positive("monthly_price_usd", self.monthly_price_usd, allow_zero=True)
        _coefficients(self.p, self.q)
        positive("start", self.start, allow_zero=True)

    def market(self, groups: tuple[IncomeGroup, ...] | None = None, share: float = AFFORDABLE_SHARE) -> float:
        """The people (millions) it can reach at its price."""
        return reachable_market(self.monthly_price_usd, groups, share)

    def adopters(self, t: float, groups: tuple[IncomeGroup, ...] | None = None,
                 share: float = AFFORDABLE_SHARE) -> float:
        """People (millions) who have adopted by year ``t``: m F(t - start), none before the launch."""
        return self.adopters_of(self.market(groups, share), t)

    def adopters_of(self, market: float, t: float) -> float:
        """Adopters by year ``t`` out of a ``market`` already worked out (millions), for callers
        that evaluate many years."""
        since = _time(t) - self.start
        return market * adopted_share(since, self.p, self.q) if since > 0 else 0.0


def overtakes(fast: Strategy, slow: Strategy, horizon: float, groups: tuple[IncomeGroup, ...] | None = None,
              share: float = AFFORDABLE_SHARE, step: float = 0.05) -> float | None:
    """The first year (to ``step``) within ``horizon`` years after which ``fast`` has more adopters
    than ``slow`` from then on; 0.0 if it leads from the start; None if it never leads by the end."""
    horizon = positive("horizon", horizon)
    step = positive("step", step)
    steps = max(1, round(horizon / step))
    times = [horizon * k / steps for k in range(1, steps + 1)]
    markets = (fast.market(groups, share), slow.market(groups, share))
    ahead = [fast.adopters_of(markets[0], t) > slow.adopters_of(markets[1], t) for t in times]
    if not ahead[-1]:
        return None
    last_behind = max((i for i, a in enumerate(ahead) if not a), default=-1)
    return 0.0 if last_behind == -1 else times[last_behind + 1]


# --------------------------------------------------------------------------------------------
# evidence of diffusion: the early-2025 integration of DeepSeek in China
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Integration:
    """One report of an organisation putting DeepSeek's models to use, with the kind of evidence."""

    date: object = column("date", required=True)
    date_precision: str = column("choice", required=True, choices=("day", "approximate", "month", "season"))
    actor: str = column("text", required=True)
    sector: str = column("choice", required=True, choices=("government", "technology company", "car maker"))
    event: str = column("text", required=True)
    evidence: str = column("text", required=True)
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")

    @property
    def when(self) -> str:
        """The date as precisely as it is known: "16 Feb 2025", "about 13 Feb 2025", "Feb 2025",
        "spring 2025"."""
        if self.date_precision == "season":
            season = ("winter", "spring", "summer", "autumn")[self.date.month % 12 // 3]
            return f"{season} {self.date.year}"
        if self.date_precision == "month":
            return self.date.strftime("%b %Y")
        day = f"{self.date.day} {self.date.strftime('%b %Y')}"
        return day if self.date_precision == "day" else f"about {day}"


@lru_cache(maxsize=1)
def load_integration_timeline() -> tuple[Integration, ...]:
    """The reports, oldest first."""
    rows = read_records(CHINA_INTEGRATION_CSV, Integration)
    return tuple(sorted(rows, key=lambda r: r.date))
