"""What it costs to use a model through its maker's API (chapter 4).

Companies sell access to their models by the token: a price per million tokens read (*input*:
the question and the conversation so far) and a higher one per million tokens written
(*output*). ``book/data/api_prices.csv`` holds list prices with their sources; this module reads
them, blends input and output into one figure, fits how fast a series of prices fell, and prices a
month of use. Dates are ISO dates; years are 365.25 days. Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from book.tables import DATA_DIR, column, read_records
from book.validate import fraction, positive

API_PRICES_CSV = DATA_DIR / "api_prices.csv"

#: the share of input tokens in the blended price: 3 input tokens for each output token, the
#: convention of price trackers (a chat re-reads its conversation, so input outweighs output)
INPUT_SHARE = 0.75

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class ApiPrice:
    """One list price, US$ per million tokens, from ``date``."""

    date: date = column("date", required=True)
    provider: str = column("text", required=True)
    model: str = column("text", required=True)
    usd_per_m_input: float = column("float", required=True, low=0.001, high=1000.0)
    usd_per_m_output: float = column("float", required=True, low=0.001, high=1000.0)
    usd_per_m_cached_input: float | None = column("float", low=0.0001, high=1000.0)
    currency_note: str = column("text")
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")

    @property
    def blended(self) -> float:
        """US$ per million tokens at 3 input tokens to 1 output token (``INPUT_SHARE``)."""
        return blended_price(self.usd_per_m_input, self.usd_per_m_output)


@lru_cache(maxsize=1)
def load_api_prices() -> tuple[ApiPrice, ...]:
    """Every sourced price, oldest first."""
    rows = read_records(API_PRICES_CSV, ApiPrice)
    return tuple(sorted(rows, key=lambda p: (p.date, p.provider, p.model)))


def api_price(model: str) -> ApiPrice:
    """The price of ``model``: its full name in the table or the start of it ("GPT-4o mini",
    "DeepSeek-V3"), case and spaces ignored. KeyError listing the models for an unknown one."""
    wanted = " ".join(str(model).split()).casefold()
    prices = load_api_prices()
    exact = [p for p in prices if p.model.casefold() == wanted]
    if exact:
        return exact[0]
    starts = [p for p in prices if p.model.casefold().startswith(wanted + " ")]
    if len(starts) == 1:
        return starts[0]
    raise KeyError(f"no single price for model {model!r}; known: {[p.model for p in prices]}")


def cheaper_rivals(model: str) -> tuple[ApiPrice, ...]:
    """Other providers' prices in the table whose blended price is below ``model``'s (named as in
    ``api_price``), cheapest first: who undercut it, if anyone. Dates are not compared; check them
    before saying two prices were on offer at the same time."""
    own = api_price(model)
    return tuple(sorted((p for p in load_api_prices() if p.provider != own.provider and p.blended < own.blended),
                        key=lambda p: p.blended))


def blended_price(usd_per_m_input: float, usd_per_m_output: float, input_share: float = INPUT_SHARE) -> float:
    """One price per million tokens for a mix with a share ``input_share`` of input tokens."""
    share = fraction("input_share", input_share)
    return (share * positive("usd_per_m_input", usd_per_m_input)
            + (1 - share) * positive("usd_per_m_output", usd_per_m_output))


def years_between(start: date, end: date) -> float:
    """Years from ``start`` to ``end`` (negative if ``end`` comes first)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, date):
            raise ValueError(f"{name} must be a datetime.date, got {value!r}")
    return (end - start).days / DAYS_PER_YEAR


def change_per_year(points: list[tuple[date, float]]) -> float:
    """The factor by which a price changes per year, fitted by least squares to the logarithms of
    the prices (a straight line on a log scale): 0.25 means it falls to a quarter each year.
    Needs at least two positive prices on at least two different dates."""
    if len(points) < 2:
        raise ValueError(f"points must hold at least two (date, price) pairs, got {len(points)}")
    for when, _ in points:
        if not isinstance(when, date):
            raise ValueError(f"each point's date must be a datetime.date, got {when!r}")
    origin = min(d for d, _ in points)
    xs = [years_between(origin, d) for d, _ in points]
    ys = [math.log(positive("price", p)) for _, p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        raise ValueError("points must span at least two different dates")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    return math.exp(slope)


def fall_per_year(change: float) -> float:
    """"Falls N-fold a year": 1 / the yearly factor (a factor of 0.25 is a 4-fold fall)."""
    return 1 / positive("change", change)


def monthly_cost(input_tokens: float, output_tokens: float, usd_per_m_input: float, usd_per_m_output: float) -> float:
    """US$ for a month in which a user sends ``input_tokens`` and receives ``output_tokens``."""
    return (positive("input_tokens", input_tokens, allow_zero=True) * positive("usd_per_m_input", usd_per_m_input)
            + positive("output_tokens", output_tokens, allow_zero=True)
            * positive("usd_per_m_output", usd_per_m_output)) / 1e6
