"""The rounds of US chip export controls, as a cited table (``book/data/control_timeline.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from book.tables import DATA_DIR, Column, read_table

TIMELINE_CSV = DATA_DIR / "control_timeline.csv"
DIRECTIONS = ("tighten", "loosen", "mixed")

SCHEMA = {
    "date": Column("date", required=True),
    "short": Column("text", required=True),
    "measure": Column("text", required=True),
    "direction": Column("choice", required=True, choices=DIRECTIONS),
    "citation": Column("text", required=True),
    "confidence": Column("choice", required=True, choices=("primary", "secondary")),
    "source": Column("text", required=True),
    "note": Column("text"),
}


@dataclass(frozen=True)
class ControlEvent:
    """One round of controls: when, what, which way it moved, and where it is documented."""

    date: date
    short: str
    measure: str
    direction: str
    citation: str
    confidence: str
    source: str
    note: str


@lru_cache(maxsize=1)
def load_timeline() -> tuple[ControlEvent, ...]:
    """All events in date order (validated)."""
    events = tuple(ControlEvent(**row) for row in read_table(TIMELINE_CSV, SCHEMA))
    return tuple(sorted(events, key=lambda event: event.date))
