"""Sphinx extension: citation labels that say who and when, e.g. [BIS 2023] or [Amodei 2025].

sphinxcontrib-bibtex's built-in labels are numbers or cryptic abbreviations ([Bur22]). This
registers a pybtex style, ``book``, whose labels are a short author (the ``shortauthor`` field
where an organisation's name is long, else the first author's last name, "& second" or
"et al.") and the year, with a, b, ... where two would be the same. The list is sorted by the
same short author, then year and title, so it reads as one alphabetical run whether an author
is a person or an organisation. ``_config.yml`` selects the style and uses the labels in the
text too, so the text and the reference list match.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle


def _short_author(entry) -> str:
    if entry.fields.get("shortauthor"):
        return str(entry.fields["shortauthor"])
    persons = entry.persons.get("author", [])
    if not persons:
        return "Anon."
    names = [" ".join(p.last_names).strip("{}") for p in persons]
    if names[-1] == "others":  # BibTeX's "and others"
        return f"{names[0]} et al."
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


class ShortAuthorYearLabels(BaseLabelStyle):
    """Labels 'Author Year', made unique with a, b, ... in the order of the sorted list."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        base = [f"{_short_author(e)} {e.fields.get('year', 'n.d.')}" for e in entries]
        totals, used = Counter(base), Counter()
        for label in base:
            if totals[label] > 1:
                used[label] += 1
                yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[used[label] - 1]}"
            else:
                yield label


class ShortAuthorYearSorting(BaseSortingStyle):
    """Sort by the label's short author, then year, then title: one alphabetical run."""

    def sorting_key(self, entry):
        return (_short_author(entry).casefold(), str(entry.fields.get("year", "")),
                str(entry.fields.get("title", "")).casefold())


class BookStyle(PlainStyle):
    default_label_style = "book-short-author-year"
    default_sorting_style = "book-short-author-year"


def setup(app):
    register_plugin("pybtex.style.labels", "book-short-author-year", ShortAuthorYearLabels)
    register_plugin("pybtex.style.sorting", "book-short-author-year", ShortAuthorYearSorting)
    register_plugin("pybtex.style.formatting", "book", BookStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
