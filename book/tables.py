"""Reading the cited CSV tables in ``book/data/`` against a schema.

Every table has a ``source`` column; ``read_table`` checks each cell's type, range and allowed
values, and fails with a ``TableError`` that names the file, the line and the column.

A table's columns are declared once, on the frozen dataclass that holds one of its rows: each
field that is a CSV column is made with ``column`` (its kind, range and allowed values), and
``schema`` reads those rules back, so the record and the checks cannot drift apart::

    @dataclass(frozen=True)
    class Price:
        chip: str = column("text", required=True)
        usd_per_hour: float = column("float", required=True, low=0.01, high=1000.0)
        source: str = column("text", required=True)

    prices = read_records(DATA_DIR / "prices.csv", Price)
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

Record = TypeVar("Record")

DATA_DIR = Path(__file__).resolve().parent / "data"


class TableError(ValueError):
    """A data table breaks its schema; the message names the file, line and column."""


@dataclass(frozen=True)
class Column:
    """One column's rule. ``kind`` is "text", "int", "float", "date" (YYYY-MM-DD) or "choice"."""

    kind: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


def _parse(where: str, column: Column, raw: str | None) -> object:
    text = (raw or "").strip()
    if not text:
        if column.required:
            raise TableError(f"{where}: a value is required")
        return "" if column.kind == "text" else None
    if column.kind == "text":
        return text
    if column.kind == "choice":
        if text not in column.choices:
            raise TableError(f"{where}: {text!r} is not one of {list(column.choices)}")
        return text
    if column.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise TableError(f"{where}: {text!r} is not a date written YYYY-MM-DD") from None
    try:
        number = int(text) if column.kind == "int" else float(text)
    except ValueError:
        raise TableError(f"{where}: {text!r} is not a number (units belong in the column name)") from None
    if (column.low is not None and number < column.low) or (column.high is not None and number > column.high):
        raise TableError(f"{where}: {number:g} is outside the plausible range {column.low:g} to {column.high:g}")
    return number


def read_table(path: Path | str, schema: dict[str, Column]) -> list[dict[str, object]]:
    """Read ``path`` (CSV with a header) and return one validated dict per row, in file order, with
    the columns in ``schema``'s order. A row's cells are checked left to right, and the first bad
    one raises a ``TableError`` naming the file, the line and the column."""
    path = Path(path)
    if "source" not in schema or not schema["source"].required:
        raise TableError(f"{path.name}: every table needs a required 'source' column")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in schema if c not in header]
        unknown = [c for c in header if c not in schema]
        if missing or unknown:
            raise TableError(f"{path.name}: header is missing {missing} and has unknown columns {unknown}")
        rows = []
        for line, row in enumerate(reader, start=2):  # line 1 is the header
            label = f"{path.name} line {line} ({(row.get(header[0]) or '?').strip()})"
            if None in row or any(value is None for value in row.values()):
                raise TableError(f"{label}: wrong number of cells")
            # left to right as in the file, whatever order the schema lists its columns in
            values = {name: _parse(f"{label}, column {name!r}", schema[name], row[name]) for name in header}
            rows.append({name: values[name] for name in schema})
    return rows


# --------------------------------------------------------------------------------------------
# declaring a table's columns on the dataclass of its rows
# --------------------------------------------------------------------------------------------

#: the key under which ``column`` keeps a field's rule in the field's metadata
METADATA_KEY = "column"
KINDS = ("text", "int", "float", "date", "choice")


def column(kind: str, *, required: bool = False, low: float | None = None, high: float | None = None,
           choices: tuple[str, ...] = (), **field_kwargs: Any) -> Any:
    """A dataclass field that is also a CSV column with the rule ``Column(kind, required, low, high,
    choices)``, kept in the field's metadata for ``schema`` to find.

    ``field_kwargs`` go to ``dataclasses.field`` unchanged (``default=None``, ``default_factory``,
    ``repr``...), so a field keeps the default it needs for building a record by hand. ValueError
    for a ``kind`` not in ``KINDS``, a "choice" column without ``choices``, or ``choices`` on
    another kind.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if (kind == "choice") != bool(choices):
        raise ValueError(f"choices go with kind 'choice' and only with it, got kind {kind!r} and choices {choices!r}")
    metadata = {**(field_kwargs.pop("metadata", None) or {}),
                METADATA_KEY: Column(kind, required=required, low=low, high=high, choices=tuple(choices))}
    return dataclasses.field(metadata=metadata, **field_kwargs)


def schema(record_class: type) -> dict[str, Column]:
    """The CSV columns a dataclass declares with ``column``: name -> rule, in field order.

    Fields made without ``column`` (values a loader computes or adds) are not columns and are
    left out. A new dict on every call. TypeError if ``record_class`` is not a dataclass.
    """
    if not (isinstance(record_class, type) and dataclasses.is_dataclass(record_class)):
        raise TypeError(f"record_class must be a dataclass, got {record_class!r}")
    return {f.name: f.metadata[METADATA_KEY] for f in dataclasses.fields(record_class)
            if METADATA_KEY in f.metadata}


def read_records(path: Path | str, record_class: type[Record]) -> tuple[Record, ...]:
    """Read ``path`` with ``read_table`` against ``schema(record_class)`` and build one record per
    row, in file order: each column's value goes to the field of the same name. For tables whose
    rows need converting first (a list in one cell, say), use ``read_table`` and build the records
    yourself."""
    return tuple(record_class(**row) for row in read_table(path, schema(record_class)))
