"""Income, income groups and the World Bank's download format (book.affordability)."""

from __future__ import annotations

import pytest

from book.affordability import (AFFORDABLE_SHARE, GROUPS, TableError, affordable, get_income, income_group, load_gni,
                                most_affordable_price, read_world_bank_csv, share_of_income)

# The first lines of a World Bank indicator download, in its own format: a byte-order mark, a
# preamble, every field quoted, a trailing comma on every line, empty cells as "", aggregates
# mixed in with countries (values invented for the test, not data).
DOWNLOAD = ('\ufeff"Data Source","World Development Indicators",\n'
            '\n'
            '"Last Updated Date","2025-07-01",\n'
            '\n'
            '"Country Name","Country Code","Indicator Name","Indicator Code","2022","2023","2024",\n'
            '"Aruba","ABW","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD","30000","31000","",\n'
            '"Africa Eastern and Southern","AFE","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD",'
            '"1565.19408203048","1599.69559712408","1581.37189489882",\n'
            '"Bahamas, The","BHS","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD","31000","32000",'
            '"33000",\n'
            '"Ethiopia","ETH","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD","1020","1030","1100",\n'
            '"Kenya","KEN","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD","2150","2100","2090",\n'
            '"Somewhere","SMW","GNI per capita, Atlas method (current US$)","NY.GNP.PCAP.CD","","","",\n')
METADATA = ('\ufeff"Country Code","Region","IncomeGroup","SpecialNotes","TableName",\n'
            '"ABW","Latin America & Caribbean","High income","","Aruba",\n'
            '"AFE","","","26 countries, stretching from the Red Sea in the North to the Cape of Good Hope\n'
            'in the South.","Africa Eastern and Southern",\n'
            '"BHS","Latin America & Caribbean","High income","","Bahamas, The",\n'
            '"ETH","Sub-Saharan Africa","","","Ethiopia",\n'
            '"KEN","Sub-Saharan Africa","Lower middle income","","Kenya",\n'
            '"SMW","Sub-Saharan Africa","Low income","","Somewhere",\n')


@pytest.fixture
def download(tmp_path):
    data, meta = tmp_path / "API_NY.GNP.PCAP.CD_DS2_en_csv_v2_665.csv", tmp_path / "Metadata_Country_API_665.csv"
    data.write_text(DOWNLOAD, encoding="utf-8")
    meta.write_text(METADATA, encoding="utf-8")
    return data, meta


def test_world_bank_download_latest_year_per_country(download):
    data, _ = download
    rows = {r.code: r for r in load_gni(data)}
    assert set(rows) == {"ABW", "AFE", "BHS", "ETH", "KEN"}  # SMW has no value at all
    assert (rows["ABW"].gni_per_capita_usd, rows["ABW"].year) == (31000, 2023)  # 2024 is empty
    assert rows["BHS"].country == "Bahamas, The"  # the comma inside quotes survives
    assert rows["KEN"].gni_per_capita_usd == 2090 and rows["KEN"].income_group is None
    assert "NY.GNP.PCAP.CD" in rows["KEN"].source and "2025-07-01" in rows["KEN"].source


def test_world_bank_download_with_metadata_drops_aggregates(download):
    data, meta = download
    rows = {r.code: r for r in load_gni(data, year=2024, metadata=meta)}
    assert set(rows) == {"BHS", "ETH", "KEN"}  # no aggregate; Aruba has no 2024 value
    assert rows["KEN"].income_group == "lower-middle"
    assert rows["BHS"].income_group == "high"
    assert rows["ETH"].income_group is None  # a country left unclassified keeps its value


def test_world_bank_download_bad_files(download, tmp_path):
    data, meta = download
    with pytest.raises(ValueError, match="year"):
        read_world_bank_csv(data, year=1999)
    other = tmp_path / "other.csv"
    other.write_text('"Data Source","World Development Indicators",\n\n"Something","else",\n', encoding="utf-8")
    with pytest.raises(TableError, match="not a World Bank indicator download"):
        read_world_bank_csv(other)
    wrong = tmp_path / "gdp.csv"
    wrong.write_text(DOWNLOAD.replace("NY.GNP.PCAP.CD", "NY.GDP.PCAP.CD"), encoding="utf-8")
    with pytest.raises(TableError, match="GNI per capita"):
        read_world_bank_csv(wrong)
    with pytest.raises(TableError, match="metadata"):
        read_world_bank_csv(data, metadata=data)


def test_book_table_is_sourced_with_at_least_three_countries_per_group():
    rows = load_gni()
    for group in GROUPS:
        members = [r for r in rows if r.income_group == group]
        assert len(members) >= 3, group
    for row in rows:
        assert row.year == 2024 and "NY.GNP.PCAP.CD" in row.source
        # each country's value lies in its official FY2026 group
        assert income_group(row.gni_per_capita_usd) == row.income_group, row.country
    assert get_income("Nigeria").gni_per_capita_usd == 1700
    assert get_income("ken").gni_per_capita_usd == 2090
    with pytest.raises(KeyError, match="known"):
        get_income("Atlantis")


@pytest.mark.parametrize("gni, group", [(1135, "low"), (1136, "lower-middle"), (4495, "lower-middle"),
                                        (4496, "upper-middle"), (13935, "upper-middle"), (13936, "high")])
def test_fy2026_thresholds(gni, group):
    assert income_group(gni) == group


def test_share_of_income_and_the_two_percent_yardstick():
    # US$5.25 a month in Nigeria (GNI per capita US$1,700 a year): 5.25 x 12 / 1,700 = 3.7%
    assert share_of_income(5.25, 1700) == pytest.approx(0.03706, abs=1e-5)
    assert not affordable(5.25, 1700) and affordable(0.57, 1700)
    assert most_affordable_price(1700) == pytest.approx(1700 / 12 * AFFORDABLE_SHARE)
    assert affordable(most_affordable_price(1700), 1700)
    with pytest.raises(ValueError, match="gni_per_capita_usd"):
        share_of_income(1, 0)
    with pytest.raises(ValueError, match="monthly_cost_usd"):
        share_of_income(-1, 1000)
    with pytest.raises(ValueError, match="gni_per_capita_usd"):
        income_group(float("nan"))
