"""Every table in book/data/ carries its provenance; the timeline matches the primary dates."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from book.tables import DATA_DIR
from book.timeline import load_timeline

TABLES = sorted(DATA_DIR.glob("*.csv"))


def test_there_are_tables():
    assert {p.name for p in TABLES} >= {"chips.csv", "control_timeline.csv"}


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_every_row_has_a_source(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, f"{path.name} is empty"
    for line, row in enumerate(rows, start=2):
        assert (row.get("source") or "").strip(), f"{path.name} line {line} has no source"


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_every_table_has_a_loader_that_validates_it(path: Path):
    from book.hardware import load_chips
    from book.timeline import load_timeline
    loaders = {"chips.csv": load_chips, "control_timeline.csv": load_timeline}
    assert path.name in loaders, f"{path.name} has no validating loader in book/"
    assert loaders[path.name]()


def test_timeline_dates_from_the_primary_sources():
    dates = {event.short: event.date for event in load_timeline()}
    assert dates["Oct 2022 rule"] == date(2022, 10, 7)
    assert dates["Oct 2023 update"] == date(2023, 10, 17)
    assert dates["Dec 2024 HBM rule"] == date(2024, 12, 2)
    assert dates["Case-by-case review"] == date(2026, 1, 15)
    events = load_timeline()
    assert list(events) == sorted(events, key=lambda e: e.date)


def test_timeline_citations_are_in_the_bibliography():
    bib = (DATA_DIR.parent.parent / "chapters" / "references.bib").read_text(encoding="utf-8")
    for event in load_timeline():
        assert "{" + event.citation + "," in bib, f"{event.citation} is not in references.bib"
