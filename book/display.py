"""What the chapters display besides figures: tables, classification verdicts, and glued values.

* ``Table``: a listing as an HTML table (with a plain-text form for the notebook's text output),
  so a list of chips reads as a table on the site instead of printed text that wraps mid-phrase.
* ``Verdicts``: ``classify`` results as short paragraphs that wrap cleanly at any width.
* ``glue``: passes a computed value into the chapter's prose (``{glue:text}`name```), exactly as
  myst-nb's ``glue`` does, without needing myst-nb in a student's installation.

Standard library only (IPython is imported by ``glue`` when it runs, inside a kernel).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from book.export_controls import Classification
from book.language import _, translate, translate_html

#: the MIME prefix under which myst-nb looks for glued values (myst_nb.ext.glue.GLUE_PREFIX)
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value: object, display: bool = False) -> None:
    """Store ``value`` in the cell's output under ``name`` for the book's text to paste.

    The output is what myst-nb's own ``glue`` writes (a test checks they agree), so the site
    build finds it; with ``display=False`` nothing shows in the notebook.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    if isinstance(value, str):  # a word the text pastes ("Egypt"), in the reader's language
        value = translate(value)
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + key: item for key, item in bundle.items()}, raw=True, metadata=metadata)


#: inline style that hides an element from sight but not from screen readers
VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
                   "clip:rect(0,0,0,0);white-space:nowrap;border:0")


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells. ``numeric`` names the columns aligned right."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"rows[{index}] has {len(row)} cells; the table has {len(self.columns)} columns")
        unknown = [c for c in self.numeric if c not in self.columns]
        if unknown:
            raise ValueError(f"numeric names unknown columns {unknown}")

    def _align(self, column: str) -> str:
        return "right" if column in self.numeric else "left"

    def _repr_html_(self) -> str:
        # The caption is shown above the scrolling wrapper, so that on a phone it stays in view while
        # the table scrolls sideways; the table keeps its <caption> for screen readers, hidden from
        # sight (inline styles, so that JupyterLab, which lacks the site's stylesheet, hides it too).
        shown = (f'<p class="book-table-caption" aria-hidden="true" '
                 f'style="font-weight:bold;font-size:0.9em;margin:0.5em 0 0.2em">{escape(self.caption)}</p>'
                 if self.caption else "")
        caption = (f'<caption style="{VISUALLY_HIDDEN}">{escape(self.caption)}</caption>' if self.caption else "")
        head = "".join(f'<th scope="col" style="text-align:{self._align(c)}">{escape(c)}</th>' for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f'<td style="text-align:{self._align(c)}">{escape(cell)}</td>'
                             for c, cell in zip(self.columns, row)) + "</tr>"
            for row in self.rows)
        # the wrapper scrolls sideways on a narrow screen, so a keyboard must be able to reach it
        # (WCAG 2.1.1); as a named region a screen reader says what it holds
        name = escape(self.caption or _("Table: {columns}").format(columns=", ".join(map(translate, self.columns))))
        # in the reader's language (book.language; unchanged in English)
        return translate_html(f'{shown}<div class="book-table-wrap" style="overflow-x:auto" tabindex="0" '
                              f'role="region" aria-label="{name}"><table class="book-table">{caption}'
                              f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")

    def __repr__(self) -> str:
        widths = [max(len(c), *(len(row[i]) for row in self.rows)) for i, c in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell.rjust(width) if column in self.numeric else cell.ljust(width)
                             for cell, width, column in zip(cells, widths, self.columns)).rstrip()

        lines = [self.caption] if self.caption else []
        lines += [line(self.columns), line(["-" * width for width in widths])]
        lines += [line(row) for row in self.rows]
        return "\n".join(lines)


def table(rows: Iterable[Sequence[object]], columns: Sequence[str], caption: str = "",
          numeric: Sequence[str] = ()) -> Table:
    """A ``Table`` from rows of values (each cell shown with ``str``)."""
    return Table(tuple(columns), tuple(tuple(str(cell) for cell in row) for row in rows), caption, tuple(numeric))


@dataclass(frozen=True)
class Verdicts:
    """Classification results as short paragraphs: the verdict in bold, then the reason."""

    results: tuple[Classification, ...]
    names: tuple[str, ...]

    def _repr_html_(self) -> str:
        items = "".join(f"<p><strong>{escape(name)}, {escape(r.rule_label)}: {escape(r.verdict)}.</strong> "
                        f"{escape(r.reason)}</p>" for name, r in zip(self.names, self.results))
        return translate_html(f'<div class="book-verdicts">{items}</div>')

    def __repr__(self) -> str:
        return "\n".join(f"{name}, {r.rule_label}: {r.verdict}. {r.reason}"
                         for name, r in zip(self.names, self.results))


def verdicts(results: Iterable[Classification], names: Iterable[str] | None = None) -> Verdicts:
    """Show ``classify`` results; ``names`` replaces the chips' full names (e.g. short names)."""
    found = tuple(results)
    return Verdicts(found, tuple(names) if names is not None else tuple(r.chip for r in found))
