"""The book's colours: Okabe and Ito's (2008) palette, safe for the common forms of colour
blindness, and the colour and marker shape of each classification status.

Standard library only: the matplotlib style (``book.style``) and the SVG charts of the
dashboards (which also run in the reader's browser) both read it.
"""

from __future__ import annotations

from book.export_controls import CANNOT_CLASSIFY, CONTROLLED, NOT_CONTROLLED

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

#: colour and marker shape of each status; "currentColor" follows the page's text colour, so the
#: mark stays visible in dark mode
STATUS_MARK = {
    CONTROLLED: {"color": OKABE_ITO["vermillion"], "shape": "square"},
    NOT_CONTROLLED: {"color": OKABE_ITO["blue"], "shape": "circle"},
    CANNOT_CLASSIFY: {"color": "currentColor", "shape": "x"},
}

#: bars of chips that are not controlled (or cannot be classified) carry a hatch as well as a
#: colour, so no chart relies on colour alone
STATUS_BAR_HATCH = {NOT_CONTROLLED: "diagonal", CANNOT_CLASSIFY: "cross"}


def status_bar_swatch(status: str) -> str:
    """A small SVG of a bar in ``status``'s colour and hatch, for a legend written in HTML."""
    color = STATUS_MARK[status]["color"]
    lines = ('<path d="M0 14L14 0M-4 6L6 -4M8 18L18 8" stroke="#ffffff" stroke-width="1.5"/>'
             if status in STATUS_BAR_HATCH else "")
    return (f'<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" focusable="false">'
            f'<rect width="18" height="14" fill="{color}"/>{lines}</svg>')
