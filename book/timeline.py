"""The rounds of US chip export controls, as a cited table (``book/data/control_timeline.csv``), and
China's own measures on AI chips (``book/data/china_chip_measures.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from book.tables import DATA_DIR, column, read_records

TIMELINE_CSV = DATA_DIR / "control_timeline.csv"
CHINA_MEASURES_CSV = DATA_DIR / "china_chip_measures.csv"
DIRECTIONS = ("tighten", "loosen", "mixed")
#: how firmly a row is documented: by the measure's own text, or by reporting on it
CONFIDENCE = ("primary", "secondary")
#: how a row's confidence reads in a table of the chapters: a secondary row is a press report
EVIDENCE = {"primary": "primary source", "secondary": "reported"}
#: when both tables were last checked against their sources; the chapters date their account by it
#: ("as of ..."), and the last row is the latest step we could source by then
REVIEWED = "December 2026"


@dataclass(frozen=True)
class ControlEvent:
    """One round of controls: when, what, which way it moved, and where it is documented."""

    date: date = column("date", required=True)
    short: str = column("text", required=True)
    measure: str = column("text", required=True)
    direction: str = column("choice", required=True, choices=DIRECTIONS)
    citation: str = column("text", required=True)
    confidence: str = column("choice", required=True, choices=CONFIDENCE)
    source: str = column("text", required=True)
    note: str = column("text")


@lru_cache(maxsize=1)
def load_timeline() -> tuple[ControlEvent, ...]:
    """All events in date order (validated)."""
    return tuple(sorted(read_records(TIMELINE_CSV, ControlEvent), key=lambda event: event.date))


@dataclass(frozen=True)
class ChinaMeasure:
    """A measure China took on AI chips, with where it is documented and how firmly (the columns
    of the US timeline but ``direction``)."""

    date: date = column("date", required=True)
    short: str = column("text", required=True)
    measure: str = column("text", required=True)
    citation: str = column("text", required=True)
    confidence: str = column("choice", required=True, choices=CONFIDENCE)
    source: str = column("text", required=True)
    note: str = column("text")


@lru_cache(maxsize=1)
def load_china_measures() -> tuple[ChinaMeasure, ...]:
    """China's measures in date order (validated)."""
    return tuple(sorted(read_records(CHINA_MEASURES_CSV, ChinaMeasure), key=lambda measure: measure.date))


def evidence(confidence: str) -> str:
    """How a row's ``confidence`` reads in a table ("primary source" or "reported")."""
    if confidence not in EVIDENCE:
        raise ValueError(f"confidence must be one of {sorted(EVIDENCE)}, got {confidence!r}")
    return EVIDENCE[confidence]
