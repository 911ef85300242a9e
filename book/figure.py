"""A figure as the book shows it: a chart (an inline SVG) with its title, legend, caption, source
line and alt text, all in one HTML ``<figure>``.

Titles, captions and sources are HTML text rather than pixels, so they reflow and stay legible on
a phone, and the alt text states what the chart shows. Shown in a notebook, a ``Figure``
displays as HTML; its plain-text form is the alt text. Standard library only.

``svg_figure`` takes the SVG matplotlib writes (text kept as ``<text>``, see ``book.charts``) and
makes it the same on every machine and safe to put beside other charts on one page: numbers in
its attributes are rounded to 0.01 of a point (the last digits of a floating-point sum may differ
between processors; no reader can see a hundredth of a point), ids nothing refers to are dropped
and the others are numbered after the figure's own prefix, and the XML header, comments and metadata go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from book.language import translate, translate_html


@dataclass(frozen=True)
class Figure:
    """A chart as HTML, with its alt text."""

    html: str
    alt: str

    def _repr_html_(self) -> str:
        return translate_html(self.html)

    def __repr__(self) -> str:
        return translate(self.alt)


def legend_html(entries: list[tuple[str, str]]) -> str:
    """A legend as a wrapping row of (swatch SVG, text) entries; it reflows on a phone."""
    items = "".join(f'<li style="display:inline-flex;align-items:center;gap:0.35em;margin:0 1em 0.2em 0">'
                    f'{swatch}<span>{escape(text)}</span></li>' for swatch, text in entries)
    return f'<ul class="book-legend" style="list-style:none;padding:0;margin:0.3em 0;font-size:0.9em">{items}</ul>'


#: no text of a chart is shown smaller than this (CSS px): a chart is never drawn narrower than that
#: allows, and on a narrow phone its box scrolls sideways instead (the page itself never does)
MIN_TEXT_PX = 11


def figure_html(chart: str, title: str, caption: str, source: str, legend: str = "") -> str:
    """A chart (an ``<svg>`` or ``<img>``) with its title, legend, caption and source line. The chart
    sits in a box that scrolls sideways when the screen is narrower than the chart's minimum width
    (a box a keyboard can reach and scroll, named after the chart)."""
    box = (f'<div class="book-chart-scroll" tabindex="0" role="region" '
           f'aria-label="{escape(title)} (chart; scrolls sideways on a narrow screen)">{chart}</div>')
    return (f'<figure class="book-chart" style="margin:0.5em 0">'
            f'<div style="font-weight:bold;margin-bottom:0.3em">{escape(title)}</div>{box}{legend}'
            f'<figcaption style="font-size:0.9em">{escape(caption)} '
            f'<span style="opacity:0.85">Source: {escape(source)}</span></figcaption></figure>')


#: the font matplotlib measured the labels with, then Verdana (close in width, on most computers)
FONT_FAMILY = "'DejaVu Sans', Verdana, sans-serif"
_NUMBER = re.compile(r"-?\d+\.\d+")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')


def _rounded(text: str) -> str:
    def one(match: re.Match) -> str:
        value = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
        return "0" if value == "-0" else value
    return _NUMBER.sub(one, text)


def clean_svg(svg: str, prefix: str) -> str:
    """matplotlib's SVG as one deterministic inline ``<svg>`` element (see the module's docstring)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # attributes only: the text of a label is what it says, and stays as it is
    svg = re.sub(r"<[^>]+>", lambda tag: _ATTRIBUTE.sub(
        lambda a: f'{a.group(1)}="{_rounded(a.group(2))}"', tag.group()), svg)
    # matplotlib names markers and clip paths by a hash of their full-precision coordinates: number
    # the ones in use in order of first mention instead
    used: dict[str, str] = {}
    for name in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg):
        used.setdefault(name[0] or name[1], f"{prefix}-{len(used) + 1}")
    svg = _ID.sub(lambda m: f'id="{used[m.group(1)]}"' if m.group(1) in used else "", svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{used[m.group(1)]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{used[m.group(1)]}"', svg)
    # a rotation by zero degrees is no rotation; one font for the whole chart, set on its root
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)
    svg = re.sub(r"font-family: [^;\"]*(; )?", "", svg)
    svg = re.sub(r"[ \t]+\n", "\n", svg)
    return re.sub(r"<([a-zA-Z]+) +>", r"<\1>", re.sub(r"(<[^>]*?) +(/?>)", r"\1\2", svg)).strip()


def svg_figure(svg: str, width_px: int, title: str, caption: str, source: str, alt: str) -> Figure:
    """A chart drawn as SVG by matplotlib, shown ``width_px`` CSS pixels wide at most (narrower on a
    phone, where it scales down with its text), as an image with ``alt`` for its accessible name."""
    prefix = "fig-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    svg = clean_svg(svg, prefix)
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
    narrowest = round(min(width_px, view_width * MIN_TEXT_PX / min(sizes))) if sizes else 0
    svg = re.sub(r'^<svg\b([^>]*?) width="[^"]*" height="[^"]*"',
                 lambda m: (f'<svg{m.group(1)} width="100%" role="img" aria-label="{escape(alt)}" '
                            f'data-figure="{prefix}" font-family="{FONT_FAMILY}" '
                            f'style="max-width:{width_px}px;min-width:{narrowest}px;height:auto;display:block"'),
                 svg, count=1)
    return Figure(figure_html(svg, title, caption, source), alt)
