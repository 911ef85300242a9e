"""The language of what the book's code says to a student: English by default, German on request.

A German exercise notebook starts with ``use_language("de")``; the environment variable
``BOOK_LANGUAGE=de`` does the same for a whole session. Then ``check()``, ``progress()`` and the
answer key's hints speak German, and numbers are written the German way (4992, 15 832, 1,5).

Translations are Python ``gettext`` catalogues in this package
(``book/locales/<language>/LC_MESSAGES/book.po``), kept in step with the code by
``python -m book.tooling.i18n update``. This module reads them with the standard library only, so
it runs in the reader's browser (Pyodide) as well. Two kinds of entry:

* messages written in the code, marked ``_("...")``, with named fields
  (``_("{value} matches the model ({tolerance}).")``);
* the answer key's texts (hints, titles, written-answer checklists), which the key computes from
  the models: their numbers change with the data, so an entry holds the text with each number
  replaced by a numbered field (``"TPP ≥ {0}"``) and ``translate`` puts the numbers back.

A text with no translation stays English: never an error in front of a student.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "de")
ENV = "BOOK_LANGUAGE"
CATALOGUES = Path(__file__).resolve().parent / "locales"
NARROW_NBSP = "\u202f"

_chosen: str | None = None


def use_language(code: str) -> None:
    """Speak ``code`` ("en" or "de") from now on in this session: the book's messages, and in
    another language than English also what the notebook's own code prints (``_Printed``)."""
    global _chosen
    if code not in LANGUAGES:
        raise ValueError(f"code must be one of {', '.join(map(repr, LANGUAGES))}, got {code!r}")
    _chosen = code
    if code != "en" and not isinstance(sys.stdout, _Printed):
        sys.stdout = _Printed(sys.stdout)


class _Printed:
    """The session's standard output, each printed line translated (``translate``: a line the
    catalogue holds, with its numbers in the language's notation; any other line as it is). The
    chapters print a few results from their own code cells ("H20: TPP 2,368, PD 2.91")."""

    def __init__(self, stream):
        self._stream, self._pending = stream, ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._stream.write(translate(line) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(translate(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def in_language(code: str, function, *args):
    """``function(*args)`` with ``code`` as the language in use, then the previous choice again."""
    global _chosen
    before = _chosen
    use_language(code)
    try:
        return function(*args)
    finally:
        _chosen = before


def language() -> str:
    """The language in use: the one chosen with ``use_language``, else ``BOOK_LANGUAGE``, else English."""
    if _chosen is not None:
        return _chosen
    code = os.environ.get(ENV, "").strip().lower()
    return code if code in LANGUAGES else "en"


# ---- reading a catalogue -----------------------------------------------------------------------

def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> dict[str, str]:
    """The translated, not fuzzy entries of a .po file: {msgid: msgstr}."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    field = None
    fuzzy = obsolete = False

    def close() -> None:
        if msgid and msgstr and not fuzzy and not obsolete:
            entries[msgid] = msgstr

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            msgid = msgstr = field = None
            fuzzy = obsolete = False
        elif line.startswith("#~"):
            obsolete = True
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            msgid, field = _unquote(line[6:]), "id"
        elif line.startswith("msgstr "):
            msgstr, field = _unquote(line[7:]), "str"
        elif line.startswith('"'):
            if field == "id":
                msgid += _unquote(line)
            elif field == "str":
                msgstr += _unquote(line)
    close()
    return entries


@lru_cache(maxsize=None)
def _catalogue(code: str) -> dict[str, str]:
    path = CATALOGUES / code / "LC_MESSAGES" / "book.po"
    return read_po(path) if path.exists() else {}


# ---- translating ---------------------------------------------------------------------------------

def _(message: str) -> str:
    """``message`` (as written in the code, with its ``{fields}``) in the language in use."""
    code = language()
    if code == "en":
        return message
    return _catalogue(code).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined (a table of labels); ``_`` translates it
    where it is shown."""
    return message


#: a number standing on its own in a text ("4,992", "1.5", "2024", "10²⁴" is not one): not part of
#: a name such as H100, 3A090 or FP8
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w])")


def template(text: str) -> tuple[str, list[str]]:
    """``text`` with each number replaced by a numbered field, and the numbers:
    "PD ≥ 5.92 and TPP ≥ 4,800" -> ("PD ≥ {0} and TPP ≥ {1}", ["5.92", "4,800"])."""
    numbers: list[str] = []

    def field(match: re.Match) -> str:
        numbers.append(match.group(0))
        return "{" + str(len(numbers) - 1) + "}"

    escaped = text.replace("{", "{{").replace("}", "}}")
    return NUMBER.sub(field, escaped), numbers


def translate(text: str) -> str:
    """A text the answer key computed, in the language in use: looked up with its numbers taken
    out, and the numbers put back in that language's notation. English if there is no entry."""
    code = language()
    if text:
        _record(text)
    if code == "en" or not text:
        return text
    key, numbers = template(text)
    found = _catalogue(code).get(key)
    if found is None:
        return text
    try:
        return found.format(*(number_text(n) for n in numbers))
    except (IndexError, KeyError, ValueError):  # a broken entry: the English is still right
        return text


def number_text(number: str) -> str:
    """A number as Python or the book writes it ("15,832", "1.5"), in the notation of the language
    in use: German "15 832" (narrow no-break space from five digits on), "4992", "1,5"."""
    if language() != "de":
        return number
    whole, _, fraction = number.replace(",", "").partition(".")
    if not fraction and len(whole) > 1 and whole.startswith("0"):
        whole = str(int(whole))  # a day of the month printed "07"
    if len(whole.lstrip("-")) >= 5:
        sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        whole = sign + NARROW_NBSP.join(groups)
    return whole + ("," + fraction if fraction else "")


#: what may separate thousands in a typed number: spaces of any width, an underscore (Python's)
_SPACES = str.maketrans("", "", " _\u00a0\u2009" + NARROW_NBSP)
_TYPED = re.compile(r"([+-]?)([\d.,]+)(?:[eE]([+-]?\d+))?")
#: the thousands separator of each language's notation, where a text allows either reading
_THOUSANDS = {"en": ",", "de": "."}


def read_number(text: str) -> float | None:
    """A number a reader typed as text, in German or in English notation: "1,5" and "1.5",
    "15.832", "15 832" and "15,832", "1.234,5" and "1,234.5", "3,29e24". Where the two notations
    read a text differently ("1.500", "1,500": one and a half, or fifteen hundred), the notation of
    the language in use decides. None for a text that is no number in either notation."""
    found = _TYPED.fullmatch(text.strip().translate(_SPACES).replace("\u2212", "-"))
    if not found:
        return None
    sign, body, exponent = found.groups()
    if "." in body and "," in body:  # the later one is the decimal mark
        point = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if point == "." else "."
    elif "." in body or "," in body:
        mark = "." if "." in body else ","
        grouped = re.fullmatch(r"\d{1,3}(?:" + re.escape(mark) + r"\d{3})+", body)
        thousands = grouped and (body.count(mark) > 1 or mark == _THOUSANDS.get(language(), ","))
        point, group = ("", mark) if thousands else (mark, "")
    else:
        point, group = "", ""
    whole, _, fraction = body.rpartition(point) if point else (body, "", "")
    if group and not re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})*", whole):
        return None  # "1.23.4": no notation writes that
    whole = whole.replace(group, "") if group else whole
    if not (whole.isdigit() or not whole and fraction) or fraction and not fraction.isdigit():
        return None  # "-", ".", "1,x"
    return float(f"{sign}{whole or 0}.{fraction or 0}e{exponent or 0}")


def numbers_in(text: str) -> str:
    """Every number standing on its own in ``text`` in the notation of the language in use (for a
    text built from numbers the code formatted, e.g. "54.2 days")."""
    if language() == "en":
        return text
    return NUMBER.sub(lambda m: number_text(m.group(0)), text).replace("%", NARROW_NBSP + "%").replace(
        " " + NARROW_NBSP + "%", NARROW_NBSP + "%")


# ---- texts the code shows in HTML, SVG and figures ---------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")
_SHOWN_ATTRIBUTES = re.compile(r'\b(aria-label|alt|title|placeholder)="([^"]*)"')
_RECORD_ENV = "BOOK_I18N_RECORD"


def _record(text: str) -> None:
    """While ``python -m book.tooling.i18n update`` collects what the code shows (it sets
    BOOK_I18N_RECORD to a file), note ``text``'s template there."""
    target = os.environ.get(_RECORD_ENV)
    if target and text.strip() and re.search(r"[A-Za-z]{2}", text):
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(repr(template(text.strip())[0]) + "\n")
        except OSError:
            pass


def translate_html(html: str) -> str:
    """``html`` (a dashboard, a table, an SVG chart) with every text between its tags and every
    aria-label, alt, title and placeholder translated (``translate``); unchanged in English. The
    contents of <script> and <style> are left alone."""
    recording = bool(os.environ.get(_RECORD_ENV))
    if language() == "en" and not recording:
        return html
    from html import escape, unescape

    def text(value: str) -> str:
        core = value.strip()
        if not core:
            return value
        if not re.search(r"[A-Za-z]", core):  # numbers alone are converted in cells and charts only
            return value
        shown = unescape(core)
        translated = translate(shown)  # (it notes the text too, while update collects them)
        if translated == shown:
            return value
        start = value[: len(value) - len(value.lstrip())]
        end = value[len(value.rstrip()):]
        return start + escape(translated, quote=False) + end

    def attributes(tag: str) -> str:
        def one(match: re.Match) -> str:
            value = unescape(match.group(2))
            translated = translate(value)
            return match.group(0) if translated == value else f'{match.group(1)}="{escape(translated)}"'
        return _SHOWN_ATTRIBUTES.sub(one, tag)

    parts = _TAG.split(html)
    skipping = False
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            lowered = part.lower()
            if lowered.startswith(("<script", "<style")):
                skipping = True
            elif lowered.startswith(("</script", "</style")):
                skipping = False
            parts[index] = attributes(part)
        elif not skipping:
            opening = parts[index - 1].lower() if index else ""
            if opening.startswith("<text") or opening.startswith('<td style="text-align:right'):
                # a chart's tick or label, or a number column's cell: a number alone in the
                # reader's notation (not an exercise's number such as 1.8 in a text column)
                parts[index] = cell_number(part)
            parts[index] = text(parts[index])
    return "".join(parts)


_CELL = re.compile(r"^(\s*)(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:e([+-]?\d+))?([KMB%]?)(\s*)$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def cell_number(text: str) -> str:
    """A table cell or chart label that is one number ("9,322", "2,664K", "3.29e+24", "17.3%") in the
    notation of the language in use ("9322", "2664K", "3,29 × 10²⁴", "17,3 %"); any other text as
    it is."""
    found = _CELL.match(text)
    if found is None or language() == "en":
        return text
    before, number, exponent, suffix, after = found.groups()
    shown = number_text(number)
    if exponent is not None:
        shown += " × 10" + str(int(exponent)).translate(_SUPERSCRIPT)
    if suffix == "%":
        suffix = NARROW_NBSP + "%"
    return before + shown + suffix + after
