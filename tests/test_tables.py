"""Each CSV table's columns are declared once, on the dataclass of its rows (``book.tables.column``)."""

from __future__ import annotations

import csv
import dataclasses
import importlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from book.tables import DATA_DIR, Column, TableError, column, read_records, read_table, schema

# ---- the mechanism, on a small table --------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    """A toy record: five columns in the CSV, and one field that is not a column."""

    label: str = column("text", required=True)
    weight_kg: float = column("float", required=True, low=0.1, high=30.0)
    sent: date | None = column("date", default=None)
    service: str = column("choice", required=True, choices=("post", "courier"), default="post")
    source: str = column("text", required=True, default="")
    checked: bool = False  # filled in by hand, not read from the file


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "parcels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_returns_the_declared_rules_in_field_order():
    rules = schema(Parcel)
    assert list(rules) == ["label", "weight_kg", "sent", "service", "source"]  # not "checked": no column()
    assert rules["label"] == Column("text", required=True)
    assert rules["weight_kg"] == Column("float", required=True, low=0.1, high=30.0)
    assert rules["sent"] == Column("date")
    assert rules["service"] == Column("choice", required=True, choices=("post", "courier"))
    assert rules["source"] == Column("text", required=True)
    assert schema(Parcel) is not schema(Parcel)  # a fresh dict: changing one changes nothing else


def test_column_keeps_the_field_usable_as_an_ordinary_dataclass_field():
    parcel = Parcel("box", 2.5)
    assert (parcel.sent, parcel.service, parcel.source, parcel.checked) == (None, "post", "", False)

    @dataclass(frozen=True)
    class Noted:
        source: str = column("text", required=True, metadata={"unit": "none"})

    (only,) = dataclasses.fields(Noted)  # metadata given by the caller is kept beside the rule
    assert only.metadata["unit"] == "none" and schema(Noted)["source"] == Column("text", required=True)


def test_read_records_builds_one_record_per_row(tmp_path):
    path = _write(tmp_path, "label,weight_kg,sent,service,source\n"
                            "box,2.5,2024-05-01,courier,invoice 12\n"
                            "tube,0.4,,post,invoice 13\n")
    assert read_records(path, Parcel) == (
        Parcel("box", 2.5, date(2024, 5, 1), "courier", "invoice 12"),
        Parcel("tube", 0.4, None, "post", "invoice 13"),
    )


@pytest.mark.parametrize("row, message", [
    ("tube,4 kg,,post,invoice", "parcels.csv line 3 (tube), column 'weight_kg': '4 kg' is not a number "
                                "(units belong in the column name)"),
    ("tube,45,,post,invoice", "parcels.csv line 3 (tube), column 'weight_kg': 45 is outside the plausible range "
                              "0.1 to 30"),
    ("tube,4,1 May,post,invoice", "parcels.csv line 3 (tube), column 'sent': '1 May' is not a date written "
                                  "YYYY-MM-DD"),
    ("tube,4,,pigeon,invoice", "parcels.csv line 3 (tube), column 'service': 'pigeon' is not one of "
                               "['post', 'courier']"),
    ("tube,4,,post,", "parcels.csv line 3 (tube), column 'source': a value is required"),
    ("tube,4,,post", "parcels.csv line 3 (tube): wrong number of cells"),
])
def test_a_bad_cell_names_the_file_line_and_column(tmp_path, row, message):
    path = _write(tmp_path, f"label,weight_kg,sent,service,source\nbox,2.5,,post,invoice\n{row}\n")
    with pytest.raises(TableError) as info:
        read_records(path, Parcel)
    assert str(info.value) == message


def test_the_leftmost_bad_cell_of_a_row_is_reported_whatever_the_declaration_order(tmp_path):
    # the file puts "service" before "weight_kg", the class declares them the other way round
    path = _write(tmp_path, "label,service,weight_kg,sent,source\nbox,pigeon,4 kg,,invoice\n")
    with pytest.raises(TableError, match=r"line 2 \(box\), column 'service'"):
        read_records(path, Parcel)
    rows = read_table(_write(tmp_path, "label,service,weight_kg,sent,source\nbox,post,4,,invoice\n"), schema(Parcel))
    assert list(rows[0]) == list(schema(Parcel))  # values come back in the schema's order


def test_the_header_must_hold_exactly_the_declared_columns(tmp_path):
    path = _write(tmp_path, "label,weight_kg,service,source,colour\nbox,2.5,post,invoice,red\n")
    with pytest.raises(TableError, match=r"header is missing \['sent'\] and has unknown columns \['colour'\]"):
        read_records(path, Parcel)


def test_a_table_without_a_required_source_is_refused(tmp_path):
    @dataclass(frozen=True)
    class Unsourced:
        label: str = column("text", required=True)
        source: str = column("text")

    with pytest.raises(TableError, match="required 'source' column"):
        read_records(_write(tmp_path, "label,source\nbox,\n"), Unsourced)


@pytest.mark.parametrize("call, words", [
    (lambda: column("number"), "kind must be one of"),
    (lambda: column("choice"), "choices go with kind 'choice'"),
    (lambda: column("text", choices=("a", "b")), "choices go with kind 'choice'"),
])
def test_column_refuses_a_rule_that_cannot_work(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_schema_needs_a_dataclass():
    with pytest.raises(TypeError, match="dataclass"):
        schema(dict)
    with pytest.raises(TypeError, match="dataclass"):
        schema(Parcel("box", 1.0))  # an instance, not the class


# ---- every table of the book -----------------------------------------------------------------

# csv file -> (module, record class, the module's path constant, loader, whether the loader takes a path)
TABLES = {
    "chips.csv": ("book.hardware", "Chip", "CHIPS_CSV", "parse_chips", True),
    "architectures.csv": ("book.architecture", "Architecture", "ARCHITECTURES_CSV", "parse_architectures", True),
    "gni.csv": ("book.affordability", "Income", "GNI_CSV", "load_gni", True),
    "control_timeline.csv": ("book.timeline", "ControlEvent", "TIMELINE_CSV", "load_timeline", False),
    "china_chip_measures.csv": ("book.timeline", "ChinaMeasure", "CHINA_MEASURES_CSV", "load_china_measures", False),
    "income_groups.csv": ("book.diffusion", "IncomeGroup", "INCOME_GROUPS_CSV", "load_income_groups", False),
    "china_integration.csv": ("book.diffusion", "Integration", "CHINA_INTEGRATION_CSV",
                              "load_integration_timeline", False),
    "serving_reports.csv": ("book.inference", "ServingReport", "SERVING_REPORTS_CSV", "load_serving_reports", False),
    "api_prices.csv": ("book.prices", "ApiPrice", "API_PRICES_CSV", "load_api_prices", False),
    "rental_prices.csv": ("book.rental", "RentalPrice", "RENTAL_PRICES_CSV", "load_rental_prices", False),
    "training_runs.csv": ("book.training_cost", "RunStage", "TRAINING_RUNS_CSV", "load_runs", False),
    "cost_estimates.csv": ("book.training_cost", "CostEstimate", "COST_ESTIMATES_CSV", "load_cost_estimates", False),
}


def _record_class(name: str) -> type:
    module, cls, *_ = TABLES[name]
    return getattr(importlib.import_module(module), cls)


def _header(name: str) -> list[str]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _load(name: str, path: Path, monkeypatch):
    """Run the book's own loader for table ``name`` on ``path`` (bypassing its cache)."""
    module, _, constant, loader, takes_path = TABLES[name]
    mod = importlib.import_module(module)
    if takes_path:
        return getattr(mod, loader)(path)
    monkeypatch.setattr(mod, constant, path)
    return getattr(mod, loader).__wrapped__()


def test_every_table_has_a_record_class():
    assert sorted(TABLES) == sorted(p.name for p in DATA_DIR.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_record_class_declares_exactly_the_table_s_columns(name):
    header, record = _header(name), _record_class(name)
    assert len(header) == len(set(header)), f"{name} has a column twice"
    assert sorted(schema(record)) == sorted(header), f"{record.__name__} and the header of {name} differ"
    fields = {f.name for f in dataclasses.fields(record)}
    assert set(header) <= fields  # each column is a field of the record, declared there with its rule


@pytest.mark.parametrize("module", sorted({spec[0] for spec in TABLES.values()}))
def test_no_module_keeps_a_second_schema(module):
    mod = importlib.import_module(module)
    separate = [key for key, value in vars(mod).items()
                if isinstance(value, dict) and value and all(isinstance(v, Column) for v in value.values())]
    assert separate == [], f"{module} declares columns outside its record classes: {separate}"
    source = Path(mod.__file__).read_text(encoding="utf-8")
    assert "Column(" not in source, f"{module} builds a Column by hand instead of declaring it with column()"


def _broken(tmp_path: Path, name: str, column_name: str, value: str) -> Path:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column_name] = value
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_header(name))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rules(kind_test):
    return [(name, col, rule) for name in sorted(TABLES) for col, rule in schema(_record_class(name)).items()
            if kind_test(rule)]


@pytest.mark.parametrize("name, column_name, rule", _rules(lambda rule: rule.required),
                         ids=lambda value: value if isinstance(value, str) else None)
def test_each_loader_enforces_its_record_s_required_columns(tmp_path, monkeypatch, name, column_name, rule):
    path = _broken(tmp_path, name, column_name, "")
    with pytest.raises(TableError) as info:
        _load(name, path, monkeypatch)
    assert f"{name} line 2 " in str(info.value) and f"column {column_name!r}: a value is required" in str(info.value)


@pytest.mark.parametrize("name, column_name, rule", _rules(lambda rule: rule.kind != "text"),
                         ids=lambda value: value if isinstance(value, str) else None)
def test_each_loader_enforces_its_record_s_kinds_and_choices(tmp_path, monkeypatch, name, column_name, rule):
    path = _broken(tmp_path, name, column_name, "not-a-valid-cell")
    with pytest.raises(TableError) as info:
        _load(name, path, monkeypatch)
    words = {"choice": "is not one of", "date": "is not a date", "int": "is not a number", "float": "is not a number"}
    assert f"{name} line 2 " in str(info.value) and f"column {column_name!r}" in str(info.value)
    assert words[rule.kind] in str(info.value)
