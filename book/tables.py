"""Reading the cited CSV tables in ``book/data/`` against a schema.

Every table has a ``source`` column; ``read_table`` checks each cell's type, range and allowed
values, and fails with a ``TableError`` that names the file, the line and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
    """Read ``path`` (CSV with a header) and return one validated dict per row, in file order."""
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
            rows.append({name: _parse(f"{label}, column {name!r}", column, row[name])
                         for name, column in schema.items()})
    return rows
