"""Who can afford an AI assistant: its monthly cost as a share of income (chapter 4).

Income is the World Bank's *gross national income (GNI) per capita, Atlas method*, in current US
dollars (World Development Indicators series NY.GNP.PCAP.CD): the income earned by a country's
residents in a year, divided by its population, converted with the Atlas method's three-year
average exchange rate. The World Bank sorts countries into four income groups by it; for its
fiscal year 2026 it used the 2024 values and the thresholds in ``THRESHOLDS``.

``book/data/gni.csv`` holds a cited sample of countries. ``load_gni`` also reads the World
Bank's own CSV download (the file ``API_NY.GNP.PCAP.CD_DS2_en_csv_v2_....csv`` from
data.worldbank.org), so an instructor can drop in a fresh download; the download's companion file
``Metadata_Country_....csv`` adds each country's official income group and tells countries from
aggregates such as "World". GNI per capita is an average: half the people in a country may earn
far less, so a share of the average understates the burden for most. Standard library only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from book.tables import DATA_DIR, TableError, column, read_records
from book.validate import positive

GNI_CSV = DATA_DIR / "gni.csv"
SERIES = "NY.GNP.PCAP.CD"

#: the World Bank's income groups, poorest first
GROUPS = ("low", "lower-middle", "upper-middle", "high")
#: FY2026 thresholds on GNI per capita (Atlas, 2024, US$): the upper bound of each group but the last
THRESHOLDS = {"low": 1135, "lower-middle": 4495, "upper-middle": 13935}
#: the World Bank's names for the groups, as in its metadata file's IncomeGroup column
WORLD_BANK_GROUP_NAMES = {"Low income": "low", "Lower middle income": "lower-middle",
                          "Upper middle income": "upper-middle", "High income": "high"}

#: the UN Broadband Commission's affordability target for entry-level broadband: under 2% of
#: monthly GNI per capita (2025 targets, set in 2018); used here as a yardstick, not a rule for AI
AFFORDABLE_SHARE = 0.02

@dataclass(frozen=True)
class Income:
    """One country's GNI per capita (Atlas, current US$) in ``year``."""

    country: str = column("text", required=True)
    code: str = column("text", required=True)
    income_group: str | None = column("choice", required=True, choices=GROUPS)
    gni_per_capita_usd: float = column("float", required=True, low=50.0, high=500_000.0)
    year: int = column("int", required=True, low=1960, high=2100)
    source: str = column("text", required=True, default="")
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"),
                             default="reported")
    note: str = column("text", default="")

    @property
    def monthly_usd(self) -> float:
        """A twelfth of the yearly GNI per capita."""
        return self.gni_per_capita_usd / 12


def income_group(gni_per_capita_usd: float) -> str:
    """The income group for a GNI per capita (Atlas, US$) by the FY2026 thresholds."""
    value = positive("gni_per_capita_usd", gni_per_capita_usd)
    for group in GROUPS[:-1]:
        if value <= THRESHOLDS[group]:
            return group
    return "high"


def share_of_income(monthly_cost_usd: float, gni_per_capita_usd: float) -> float:
    """A monthly cost as a share of monthly GNI per capita (0.02 = 2%)."""
    return (positive("monthly_cost_usd", monthly_cost_usd, allow_zero=True) * 12
            / positive("gni_per_capita_usd", gni_per_capita_usd))


def affordable(monthly_cost_usd: float, gni_per_capita_usd: float, share: float = AFFORDABLE_SHARE) -> bool:
    """Whether the cost stays within ``share`` of monthly GNI per capita (the 2% yardstick)."""
    return share_of_income(monthly_cost_usd, gni_per_capita_usd) <= positive("share", share)


def most_affordable_price(gni_per_capita_usd: float, share: float = AFFORDABLE_SHARE) -> float:
    """The highest monthly cost (US$) within ``share`` of monthly GNI per capita."""
    return positive("gni_per_capita_usd", gni_per_capita_usd) / 12 * positive("share", share)


# --------------------------------------------------------------------------------------------
# the tables
# --------------------------------------------------------------------------------------------

def _is_world_bank_download(path: Path) -> bool:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first = next(csv.reader(handle), [])
    return bool(first) and first[0].strip() == "Data Source"


def _world_bank_groups(metadata: Path) -> dict[str, tuple[bool, str | None]]:
    """Country code -> (is a country, income group) from a ``Metadata_Country_...csv``. Aggregates
    ("World", "Low income", ...) have no region; a country the World Bank has not classified (such
    as Ethiopia in fiscal year 2026) has a region but no income group."""
    with metadata.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        needed = ("Country Code", "Region", "IncomeGroup")
        if not reader.fieldnames or any(name not in reader.fieldnames for name in needed):
            raise TableError(f"{metadata.name}: not a World Bank country metadata file (needs the columns "
                             f"{list(needed)})")
        return {row["Country Code"].strip(): (bool((row["Region"] or "").strip()),
                                              WORLD_BANK_GROUP_NAMES.get((row["IncomeGroup"] or "").strip()))
                for row in reader}


def read_world_bank_csv(path: Path | str, year: int | None = None,
                        metadata: Path | str | None = None) -> tuple[Income, ...]:
    """The countries of a World Bank indicator download, each at ``year`` or, if None, at its
    latest year with a value; countries without a value are left out.

    With ``metadata`` (the download's ``Metadata_Country_...csv``) each country gets its official
    income group (None if unclassified) and aggregates ("World", "Low income", ...) are dropped;
    without it every row is kept and ``income_group`` is None. TableError for a file in another
    format."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle)]
    header_at = next((i for i, row in enumerate(rows) if row[:2] == ["Country Name", "Country Code"]), None)
    if not rows or rows[0][:1] != ["Data Source"] or header_at is None:
        raise TableError(f"{path.name}: not a World Bank indicator download (it should start with "
                         "\"Data Source\" and have a header row starting \"Country Name\",\"Country Code\")")
    header = [cell.strip() for cell in rows[header_at]]
    years = {int(cell): i for i, cell in enumerate(header) if cell.isdigit()}
    if year is not None and year not in years:
        raise ValueError(f"year must be one of the file's years ({min(years)} to {max(years)}), got {year!r}")
    groups = _world_bank_groups(Path(metadata)) if metadata is not None else None
    updated = next((row[1] for row in rows[:header_at] if row[:1] == ["Last Updated Date"] and len(row) > 1), "")
    out = []
    for line, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 4:
            raise TableError(f"{path.name} line {line}: wrong number of cells")
        name, code, indicator = row[0].strip(), row[1].strip(), row[3].strip()
        if indicator != SERIES:
            raise TableError(f"{path.name} line {line}: indicator {indicator!r}, expected {SERIES} "
                             "(GNI per capita, Atlas method)")
        if groups is not None and not groups.get(code, (False, None))[0]:
            continue  # an aggregate (or a code the metadata does not know)
        group = groups[code][1] if groups is not None else None
        wanted = [year] if year is not None else sorted(years, reverse=True)
        for y in wanted:
            cell = row[years[y]].strip() if years[y] < len(row) else ""
            if cell:
                try:
                    value = float(cell)
                except ValueError:
                    raise TableError(f"{path.name} line {line} ({name}), year {y}: {cell!r} is not a number") from None
                if value > 0:
                    source = (f"World Bank, World Development Indicators, {SERIES} (GNI per capita, Atlas method, "
                              f"current US$), file {path.name}" + (f", last updated {updated}" if updated else ""))
                    out.append(Income(name, code, group, value, y, source, "datasheet"))
                break
    return tuple(out)


def load_gni(path: Path | str = GNI_CSV, year: int | None = None,
             metadata: Path | str | None = None) -> tuple[Income, ...]:
    """The countries of the book's cited table (the default) or of a World Bank download (found by
    its first line; ``year`` and ``metadata`` as in ``read_world_bank_csv``)."""
    path = Path(path)
    if _is_world_bank_download(path):
        return read_world_bank_csv(path, year, metadata)
    rows = read_records(path, Income)
    if year is not None:
        rows = tuple(r for r in rows if r.year == year)
    return rows


def get_income(country: str, path: Path | str = GNI_CSV) -> Income:
    """One country of the table by name or ISO code (case ignored); KeyError listing the countries."""
    wanted = str(country).strip().casefold()
    rows = load_gni(path)
    for row in rows:
        if wanted in (row.country.casefold(), row.code.casefold()):
            return row
    raise KeyError(f"no country {country!r} in {Path(path).name}; known: {[r.country for r in rows]}")
