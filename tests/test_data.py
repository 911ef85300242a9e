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
    from book.architecture import load_architectures
    from book.hardware import load_chips
    from book.timeline import load_china_measures, load_timeline
    from book.rental import load_rental_prices
    from book.training_cost import load_cost_estimates, load_runs
    from book.affordability import load_gni
    from book.diffusion import load_income_groups, load_integration_timeline
    from book.inference import load_serving_reports
    from book.prices import load_api_prices
    loaders = {"api_prices.csv": load_api_prices, "gni.csv": load_gni, "income_groups.csv": load_income_groups,
               "china_integration.csv": load_integration_timeline,
               "china_chip_measures.csv": load_china_measures, "serving_reports.csv": load_serving_reports,
               "chips.csv": load_chips, "control_timeline.csv": load_timeline,
               "architectures.csv": load_architectures, "training_runs.csv": load_runs,
               "rental_prices.csv": load_rental_prices, "cost_estimates.csv": load_cost_estimates}
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
    from book.timeline import load_china_measures
    bib = (DATA_DIR.parent.parent / "chapters" / "references.bib").read_text(encoding="utf-8")
    for event in (*load_timeline(), *load_china_measures()):
        assert "{" + event.citation + "," in bib, f"{event.citation} is not in references.bib"


def test_corrected_facts_stay_corrected():
    # checked against the sources named in the rows (a fact-check of chapter 1, Nov 2026)
    from book.export_controls import RULES
    from book.hardware import get_chip
    events = {event.short: event for event in load_timeline()}
    notice = events["A100 and H100 need a licence"]
    assert notice.date == date(2022, 8, 26) and notice.citation == "nvidia2022_8k"
    assert RULES["2022-10"].announced == date(2022, 10, 7) and RULES["2022-10"].effective == date(2022, 10, 21)
    assert "21 Oct" in events["Oct 2022 rule"].note
    assert "memory bandwidth" in events["H20 needs a licence"].measure
    assert "910B, 910C and 910D" in events["Diffusion rescission announced"].measure
    ascend = get_chip("Ascend 910")
    assert ascend.tdp_w == 310 and "350 W" in ascend.note


def test_chapter_1_says_what_the_ascend_guidance_says():
    import nbformat
    text = "\n".join(c.source for c in nbformat.read(DATA_DIR.parent.parent / "chapters" / "01_containment.ipynb",
                                                     as_version=4).cells if c.cell_type == "markdown")
    assert "does not apply to them in practice" not in text
    assert "General Prohibition 10" in text and "bis2025gp10" in text
    assert "26 August 2022" in text and "nvidia2022_8k" in text


def test_the_timeline_as_of_december_2026():
    # checked against the sources named in the rows (fact-checks of chapters 2-5, Dec 2026)
    from book.timeline import REVIEWED, load_china_measures
    events = {event.short: event for event in load_timeline()}
    # 13 May 2025: a rescission announced and enforcement stopped, not a rescission completed
    rescission = events["Diffusion rescission announced"]
    assert rescission.date == date(2025, 5, 13) and rescission.direction == "mixed"
    assert "announces that it will rescind" in rescission.measure and "not to enforce" in rescission.measure
    assert "Federal Register" in rescission.note and "rescinded" not in rescission.short
    # the H20 easing: a promise, a revenue share never written into a rule, and no sales
    assert events["H20 licences promised"].date == date(2025, 7, 14)
    share = events["15% revenue share"]
    assert share.date == date(2025, 8, 11) and share.confidence == "secondary"
    assert "Never written into a rule" in share.note and "no H20 sales to China-based customers" in share.note
    # the H200: announced 8 Dec 2025, ruled 15 Jan 2026 with its cap, its re-export line and the duty
    announced = events["H200 sales announced"]
    assert announced.date == date(2025, 12, 8) and "25%" in announced.measure and announced.direction == "loosen"
    review = events["Case-by-case review"]
    assert review.citation == "bis2026" and review.confidence == "primary"
    assert "below 50%" in review.measure and "re-exports" in review.measure and "presumed denied" in review.measure
    assert "25% duty" in review.note
    # the latest step we could source by the review date, and it is a press report
    last = load_timeline()[-1]
    assert REVIEWED == "December 2026" and last.date == date(2026, 5, 31) and last.confidence == "secondary"
    assert all(event.date <= date(2026, 12, 31) for event in load_timeline())
    # China's side: each press report says so in its note
    measures = {measure.short: measure for measure in load_china_measures()}
    assert measures["RTX Pro 6000D orders stopped"].date == date(2025, 9, 17)
    assert "not permitted" in measures["H200 'not permitted' at customs"].measure
    assert measures["NVIDIA summoned over the H20"].confidence == "primary"
    for measure in load_china_measures():
        if measure.confidence == "secondary":
            assert "eported" in measure.note, measure.short


def test_evidence_reads_a_confidence_and_rejects_anything_else():
    from book.timeline import CONFIDENCE, evidence
    assert [evidence(c) for c in CONFIDENCE] == ["primary source", "reported"]
    with pytest.raises(ValueError, match="confidence"):
        evidence("rumour")
