"""The language of what the book's code says (book/language.py): choosing it, reading catalogues,
translating the answer key's computed texts, German numbers; and check() in German."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book import language as lang
from book.checks import verdict

NNBSP = lang.NARROW_NBSP


@pytest.fixture
def german(monkeypatch):
    monkeypatch.setattr(lang, "_chosen", None)
    lang.use_language("de")
    yield
    monkeypatch.setattr(lang, "_chosen", None)


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(lang, "_chosen", None)
    monkeypatch.delenv(lang.ENV, raising=False)


def test_english_is_the_default_and_the_environment_or_the_notebook_choose(english, monkeypatch):
    assert lang.language() == "en"
    monkeypatch.setenv(lang.ENV, "de")
    assert lang.language() == "de"
    monkeypatch.setenv(lang.ENV, "klingon")
    assert lang.language() == "en"  # an unknown setting is not an error in front of a student
    lang.use_language("de")
    assert lang.language() == "de"


@pytest.mark.parametrize("bad", ["fr", "DE", "", None])
def test_an_unknown_language_is_refused_with_what_is_allowed(bad):
    with pytest.raises(ValueError, match=r"code must be one of 'en', 'de', got"):
        lang.use_language(bad)


def test_a_catalogue_is_read_without_fuzzy_obsolete_or_empty_entries(tmp_path):
    po = tmp_path / "book.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
                  'msgid "Correct"\nmsgstr "Richtig"\n\n'
                  '#, fuzzy\nmsgid "Not quite"\nmsgstr "Nicht"\n\n'
                  'msgid "Empty"\nmsgstr ""\n\n'
                  'msgid ""\n"long "\n"text"\nmsgstr ""\n"langer "\n"Text \\"zitiert\\""\n\n'
                  '#~ msgid "Old"\n#~ msgstr "Alt"\n', encoding="utf-8")
    assert lang.read_po(po) == {"Correct": "Richtig", "long text": 'langer Text "zitiert"'}


@pytest.mark.parametrize("text, key, numbers", [
    ("a.1 needs TPP ≥ 4,800; PD ≥ 5.92", "a.1 needs TPP ≥ {0}; PD ≥ {1}", ["4,800", "5.92"]),
    ("the H100 and 3A090 in 2023", "the H100 and 3A090 in {0}", ["2023"]),
    ("FP8 at 40% of {peak}", "FP8 at {0}% of {{peak}}", ["40"]),
    ("× 10²⁴ FLOPs", "× 10²⁴ FLOPs", []),
])
def test_templates_take_out_the_numbers_and_leave_names(text, key, numbers):
    assert lang.template(text) == (key, numbers)


@pytest.mark.parametrize("number, expected", [
    ("15,832", f"15{NNBSP}832"), ("4,992", "4992"), ("1.5", "1,5"), ("2,788,000", f"2{NNBSP}788{NNBSP}000"),
    ("-12345.5", f"-12{NNBSP}345,5"), ("7", "7"),
])
def test_number_text_in_german(german, number, expected):
    assert lang.number_text(number) == expected


def test_number_text_in_english_is_unchanged(english):
    assert lang.number_text("15,832") == "15,832" and lang.numbers_in("15%") == "15%"


def test_translate_puts_the_numbers_back_and_falls_back_to_english(german, monkeypatch):
    monkeypatch.setattr(lang, "_catalogue", lambda code: {"PD ≥ {0} and TPP ≥ {1}": "TPP ≥ {1} und PD ≥ {0}",
                                                          "broken {3}": "kaputt {7}"})
    assert lang.translate("PD ≥ 5.92 and TPP ≥ 4,800") == "TPP ≥ 4800 und PD ≥ 5,92"
    assert lang.translate("no entry for 12.5") == "no entry for 12.5"
    assert lang.translate("broken 1") == "broken 1"  # a broken entry: the English is still right
    assert lang._("not there") == "not there"


def test_check_speaks_german_in_a_german_notebook(german):
    assert str(verdict("1.1", None)).startswith("[1.1] Noch nicht beantwortet:")
    right = str(verdict("1.1", 4992))
    assert right == "[1.1] Richtig: 4992 stimmt mit dem Modell überein (auf 1\u202f% genau)."
    wrong = str(verdict("1.1", 9984))
    assert wrong.startswith("[1.1] Nicht ganz: 9984 ist nicht der erwartete Wert") and "Hinweis:" in wrong
    assert "doppelt" in wrong  # the likely mistake's own hint, in German
    hint = str(verdict("1.3", "3A090.a.1"))
    assert "TPP ≥ 4800" in hint and "PD ≥ 5,92" in hint  # the key's numbers, German notation


@pytest.mark.parametrize("typed, english, german", [
    ("1,5", 1.5, 1.5), ("1.5", 1.5, 1.5), ("0,26", 0.26, 0.26), ("-3,5", -3.5, -3.5), ("\u22123,5", -3.5, -3.5),
    (f"15{NNBSP}832", 15832, 15832), ("15 832", 15832, 15832), ("15_832", 15832, 15832),
    ("1.234,5", 1234.5, 1234.5), ("1,234.5", 1234.5, 1234.5), ("2.788.000", 2788000, 2788000),
    ("3,29e24", 3.29e24, 3.29e24), ("4992", 4992, 4992), (" 7 ", 7, 7),
    # one text, two readings: the notation of the language in use decides
    ("1.500", 1.5, 1500), ("1,500", 1500, 1.5), ("15.832", 15.832, 15832),
    ("1.23.4", None, None), ("12,34.5", None, None), ("1,5,3", None, None), ("abc", None, None), ("", None, None),
    ("-", None, None), (".", None, None), ("1e", None, None), ("4992 chips", None, None),
])
def test_a_typed_number_is_read_in_either_notation(typed, english, german, monkeypatch):
    monkeypatch.setattr(lang, "_chosen", None)
    for code, expected in (("en", english), ("de", german)):
        assert lang.in_language(code, lang.read_number, typed) == expected, code


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=999))
@settings(max_examples=200, deadline=None)
def test_what_german_pages_show_reads_back_as_the_same_number(whole, fraction):
    # a number as a German page writes it (number_text) is read back as that number
    for shown in (f"{whole:,}", f"{whole:,}.{fraction}"):
        written = lang.in_language("de", lang.number_text, shown)
        assert lang.in_language("de", lang.read_number, written) == float(shown.replace(",", "")), written


def test_a_german_notebook_accepts_a_number_typed_the_german_way(german):
    for typed in ("4992", "4.992", f"4{NNBSP}992", "4992,0"):
        assert verdict("1.1", typed).status == "correct", typed
    assert verdict("1.1", "4,992").status == "wrong"  # four point nine nine two, read the German way
    pair = verdict("1.1", (1, 5))  # 1,5 typed without quotes: Python's pair (1, 5)
    assert pair.status == "wrong" and "1,5 ist nicht der erwartete Wert" in pair.message
    # how it was read comes first, then the verdict
    assert pair.message.startswith("Python hat 1,5 als zwei Zahlen gelesen, 1 und 5") and "1.5" in pair.message
    # a text the two notations read differently says how it was read; one they agree on does not
    assert verdict("1.1", "2.910").message.startswith("Der Text '2.910' wurde in deutscher Schreibweise gelesen, als 2910")
    assert verdict("1.1", "4992").message.startswith("4992 stimmt")
    assert verdict("1.1", (4992, 0)).status == "correct"  # 4992,0
    assert verdict("1.1", (1, -5)).status == "invalid" and verdict("1.1", "vier").status == "invalid"


def test_an_english_notebook_still_asks_for_a_number_not_a_text(english):
    assert verdict("1.1", "4992").status == "invalid" and "without quotes" in verdict("1.1", "4992").message
    assert "two numbers" in verdict("1.1", (4, 992)).message


def test_english_feedback_is_unchanged(english):
    assert str(verdict("1.1", 4992)) == "[1.1] Correct: 4,992 matches the model (within 1%)."


def test_every_verdict_label_and_the_help_are_translated(german):
    from book import checks
    for label in (*checks._LABEL.values(), checks.HELP):
        assert lang._(label) != label, label


@pytest.mark.parametrize("cell, expected", [
    ("9,322", "9322"), ("15,832", f"15{NNBSP}832"), ("2,664K", "2664K"), ("3.29e+24", "3,29 × 10²⁴"),
    ("1.562", "1,562"), ("H100", "H100"), ("2.6, 2.7", "2.6, 2.7"), ("07", "7"), ("17.3%", f"17,3{NNBSP}%"),
])
def test_a_cell_that_is_one_number_is_written_in_german_notation(german, cell, expected):
    assert lang.cell_number(cell) == expected


def test_only_number_columns_and_chart_labels_change_their_notation(german):
    html = ('<td style="text-align:right">1.562</td><td style="text-align:left">1.8</td>'
            '<text x="1">2,000</text><p>1.5</p>')
    assert lang.translate_html(html) == ('<td style="text-align:right">1,562</td><td style="text-align:left">1.8</td>'
                                         '<text x="1">2000</text><p>1.5</p>')  # 1.8: an exercise's number


def test_html_in_english_is_returned_as_it_is(english):
    html = '<td style="text-align:right">1.562</td><p aria-label="Chips">Chips</p>'
    assert lang.translate_html(html) is html


def test_a_german_session_prints_its_lines_in_german(german, monkeypatch):
    import io
    import sys

    target = io.StringIO()
    monkeypatch.setattr(sys, "stdout", target)
    monkeypatch.setattr(lang, "_catalogue", lambda code: {"H20: TPP {0}, PD {1}": "H20: TPP {0}, LD {1}"})
    lang.use_language("de")  # the notebook's first line
    printed = sys.stdout
    assert isinstance(printed, lang._Printed)
    print("H20: TPP 2,368, PD 2.91")
    print("no entry for this 1.5", end="")
    printed.flush()
    assert target.getvalue() == "H20: TPP 2368, LD 2,91\nno entry for this 1.5"
    lang.use_language("de")
    assert sys.stdout is printed  # wrapped once
