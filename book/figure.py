"""A figure as the book shows it: a chart (inline SVG or a PNG) with its title, legend, caption,
source line and alt text, all in one HTML ``<figure>``.

Titles, captions and sources are HTML text rather than pixels, so they reflow and stay legible on
a phone, and the alt text states what the chart shows. Shown in a notebook, a ``Figure``
displays as HTML; its plain-text form is the alt text. Standard library only.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Figure:
    """A chart as HTML, with its alt text."""

    html: str
    alt: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.alt


def legend_html(entries: list[tuple[str, str]]) -> str:
    """A legend as a wrapping row of (swatch SVG, text) entries; it reflows on a phone."""
    items = "".join(f'<li style="display:inline-flex;align-items:center;gap:0.35em;margin:0 1em 0.2em 0">'
                    f'{swatch}<span>{escape(text)}</span></li>' for swatch, text in entries)
    return f'<ul class="book-legend" style="list-style:none;padding:0;margin:0.3em 0;font-size:0.9em">{items}</ul>'


def figure_html(chart: str, title: str, caption: str, source: str, legend: str = "") -> str:
    """A chart (an ``<svg>`` or ``<img>``) with its title, legend, caption and source line."""
    return (f'<figure class="book-chart" style="margin:0.5em 0">'
            f'<div style="font-weight:bold;margin-bottom:0.3em">{escape(title)}</div>{chart}{legend}'
            f'<figcaption style="font-size:0.9em">{escape(caption)} '
            f'<span style="opacity:0.85">Source: {escape(source)}</span></figcaption></figure>')


def png_figure(png: bytes, width_px: int, title: str, caption: str, source: str, alt: str) -> Figure:
    """A PNG chart (stored at twice its display width, for sharp high-density screens)."""
    data = base64.b64encode(png).decode()
    img = (f'<img src="data:image/png;base64,{data}" width="{width_px}" alt="{escape(alt)}" '
           f'style="max-width:100%;height:auto;display:block">')
    return Figure(figure_html(img, title, caption, source), alt)
