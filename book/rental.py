"""Rental prices of chips per hour, where a source gives one (``book/data/rental_prices.csv``).

Few chips have a published price: datacenter chips are sold in confidential deals and rented at
prices that vary by provider, contract length and month. The table holds only prices with a
source, marked "assumed" (a price someone used for a calculation, such as DeepSeek's US$2 per
H800-hour) or "market" (a quoted range; its middle is used). Anything else is unknown, and the
book says so rather than guess. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from book.hardware import get_chip
from book.tables import DATA_DIR, column, read_records

RENTAL_PRICES_CSV = DATA_DIR / "rental_prices.csv"


@dataclass(frozen=True)
class RentalPrice:
    """A sourced price of renting one catalogue chip, US$ an hour (``kind`` "assumed" or "market")."""

    chip: str = column("text", required=True)
    usd_per_hour: float = column("float", required=True, low=0.01, high=1000.0)
    usd_per_hour_low: float | None = column("float", low=0.01, high=1000.0)
    usd_per_hour_high: float | None = column("float", low=0.01, high=1000.0)
    date: str = column("text", required=True)
    kind: str = column("choice", required=True, choices=("assumed", "market"))
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")


@lru_cache(maxsize=1)
def load_rental_prices() -> tuple[RentalPrice, ...]:
    """Every sourced price, each for a catalogue chip (checked: the name must be in the catalogue)."""
    prices = read_records(RENTAL_PRICES_CSV, RentalPrice)
    for price in prices:
        get_chip(price.chip)  # a KeyError names an unknown chip
    return prices


def rental_price(chip: str) -> RentalPrice | None:
    """The sourced price for ``chip`` (any name ``get_chip`` accepts), or None when none is known."""
    name = get_chip(chip).name
    return next((price for price in load_rental_prices() if price.chip == name), None)
