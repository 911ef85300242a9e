"""The rounds of US chip export controls, as a cited table (``book/data/control_timeline.csv``), and
China's own measures on AI chips (``book/data/china_chip_measures.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from book.tables import DATA_DIR, Column, read_table

TIMELINE_CSV = DATA_DIR / "control_timeline.csv"
CHINA_MEASURES_CSV = DATA_DIR / "china_chip_measures.csv"
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


CHINA_SCHEMA = {name: column for name, column in SCHEMA.items() if name != "direction"}


@dataclass(frozen=True)
class ChinaMeasure:
    """A measure China took on AI chips, with where it is documented and how firmly."""

    date: date
    short: str
    measure: str
    citation: str
    confidence: str
    source: str
    note: str


@lru_cache(maxsize=1)
def load_china_measures() -> tuple[ChinaMeasure, ...]:
    """China's measures in date order (validated)."""
    rows = tuple(ChinaMeasure(**row) for row in read_table(CHINA_MEASURES_CSV, CHINA_SCHEMA))
    return tuple(sorted(rows, key=lambda measure: measure.date))
