"""A small SVG chart renderer in standard-library Python.

The dashboards draw with it in Jupyter and in the reader's browser (where a WebAssembly Python
has no matplotlib), and the chapters use it for the charts that a dashboard also shows, so one
piece of code decides what every such chart contains.

A ``Chart`` is a plot area with an x and a y ``Scale``. Drawing calls (``region``, ``rule_line``,
``marker``, ``label``...) append an ``Item`` to ``chart.items``: a plain record of what was drawn,
where, in which colour and role. Tests read the items (labels, regions, colours, counts) rather
than pixels; ``chart.svg()`` turns them into SVG text.

Labels are placed by ``Chart.label``: it tries positions around the point, nearest first, and
keeps the first whose box overlaps no marker, no other label and no edge, drawing a leader line
when the label sits away from its point. Text widths are estimated from Arial's metrics
(``text_width``), and the SVG asks for Arial or its metric twin Liberation Sans, so the estimate
holds wherever the chart is shown.

Every size is in CSS pixels of the chart's own coordinate system (its ``viewBox``); the chart
scales with the page, so sizes are chosen to stay legible when a phone shrinks it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape

from book.figure import MIN_TEXT_PX

FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"

# Advance widths of Arial/Helvetica glyphs, in em (from the fonts' published metrics).
_WIDTHS = {
    **dict.fromkeys(" ,./:;!|'[]", 0.278), **dict.fromkeys("0123456789$", 0.556),
    "-": 0.333, "(": 0.333, ")": 0.333, "%": 0.889, "&": 0.667, "+": 0.584, "=": 0.584, "?": 0.556,
    "A": 0.667, "B": 0.667, "C": 0.722, "D": 0.722, "E": 0.667, "F": 0.611, "G": 0.778, "H": 0.722,
    "I": 0.278, "J": 0.5, "K": 0.667, "L": 0.556, "M": 0.833, "N": 0.722, "O": 0.778, "P": 0.667,
    "Q": 0.778, "R": 0.722, "S": 0.667, "T": 0.611, "U": 0.722, "V": 0.667, "W": 0.944, "X": 0.667,
    "Y": 0.667, "Z": 0.611,
    "a": 0.556, "b": 0.556, "c": 0.5, "d": 0.556, "e": 0.556, "f": 0.278, "g": 0.556, "h": 0.556,
    "i": 0.222, "j": 0.222, "k": 0.5, "l": 0.222, "m": 0.833, "n": 0.556, "o": 0.556, "p": 0.556,
    "q": 0.556, "r": 0.333, "s": 0.5, "t": 0.278, "u": 0.556, "v": 0.5, "w": 0.722, "x": 0.5,
    "y": 0.5, "z": 0.5, "×": 0.584, "≥": 0.549, "²": 0.333, "→": 1.0, "←": 1.0, "↑": 0.5, "…": 1.0,
}
#: bold glyphs are about 6% wider; estimates add a small margin on top
_BOLD = 1.06
_MARGIN = 1.04


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in px of ``text`` set in Arial at ``size`` px."""
    em = sum(_WIDTHS.get(ch, 0.6) for ch in text)
    return em * size * _MARGIN * (_BOLD if bold else 1.0)


def number(value: float) -> str:
    """A coordinate for SVG: two decimals at most, no trailing zeros (deterministic output)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Scale:
    """Maps data values in [lo, hi] to pixels in [start, end]; ``log`` for a logarithmic axis."""

    lo: float
    hi: float
    start: float
    end: float
    log: bool = False

    def __post_init__(self) -> None:
        if not self.hi > self.lo:
            raise ValueError(f"hi must be greater than lo, got lo={self.lo!r}, hi={self.hi!r}")
        if self.log and self.lo <= 0:
            raise ValueError(f"lo must be > 0 on a log scale, got {self.lo!r}")

    def fraction(self, value: float) -> float:
        if self.log:
            return (math.log10(value) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return (value - self.lo) / (self.hi - self.lo)

    def __call__(self, value: float) -> float:
        return self.start + self.fraction(value) * (self.end - self.start)

    def contains(self, value: float) -> bool:
        return self.lo <= value <= self.hi


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in px: left, top, right, bottom."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.x1 <= other.x1 and self.y0 >= other.y0 and self.y1 <= other.y1

    def grown(self, pad: float) -> Box:
        return Box(self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)


@dataclass
class Item:
    """One thing drawn: its kind ("region", "line", "marker", "label", "tick", "text", "leader"),
    its role in the chart (e.g. "region 3A090.a.1", "chip", "design"), what it says, where it is
    and how it looks. ``svg`` is its SVG markup."""

    kind: str
    role: str
    svg: str
    text: str = ""
    box: Box | None = None
    color: str = ""
    shape: str = ""
    data: dict = field(default_factory=dict)


# ---- shapes ---------------------------------------------------------------------------------

def _star_points(x: float, y: float, radius: float) -> str:
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + k * math.pi / 5
        points.append(f"{number(x + r * math.cos(angle))},{number(y + r * math.sin(angle))}")
    return " ".join(points)


def _ink(color: str) -> str:
    """The fill of a text: always the page's text colour. A series' colour stays on its line, marker
    or bar beside the text; as the fill of text most of the palette is too light on a white page
    (Okabe-Ito orange 2.2:1, sky blue 2.4:1) or too dark on a dark one (blue 3.7:1)."""
    return "currentColor"


def shape_svg(shape: str, x: float, y: float, size: float, color: str, filled: bool = True,
              stroke_width: float = 1.5) -> str:
    """SVG markup of a marker: "square", "circle", "diamond", "x", "star" or "ring", centred on (x, y)."""
    fill = color if filled else "none"
    common = f'fill="{fill}" stroke="{color}" stroke-width="{number(stroke_width)}"'
    if shape == "square":
        return (f'<rect x="{number(x - size)}" y="{number(y - size)}" width="{number(2 * size)}" '
                f'height="{number(2 * size)}" {common}/>')
    if shape == "circle":
        return f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(size)}" {common}/>'
    if shape == "diamond":
        d = size * 1.25
        return (f'<polygon points="{number(x)},{number(y - d)} {number(x + d)},{number(y)} {number(x)},{number(y + d)} '
                f'{number(x - d)},{number(y)}" {common} stroke-linejoin="round"/>')
    if shape == "ring":
        return (f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(size)}" fill="none" stroke="{color}" '
                f'stroke-width="{number(stroke_width)}" stroke-dasharray="3 2"/>')
    if shape == "x":
        d = size
        return (f'<path d="M{number(x - d)} {number(y - d)}L{number(x + d)} {number(y + d)}M{number(x - d)} '
                f'{number(y + d)}L{number(x + d)} {number(y - d)}" stroke="{color}" '
                f'stroke-width="{number(stroke_width + 0.5)}" fill="none"/>')
    if shape == "star":
        return f'<polygon points="{_star_points(x, y, size)}" {common} stroke-linejoin="round"/>'
    raise ValueError(f"shape must be one of square, circle, diamond, ring, x, star; got {shape!r}")


def swatch_svg(shape: str, color: str, filled: bool = True, size: float = 6.0) -> str:
    """A small standalone SVG of one marker, for a legend written in HTML."""
    box = 2 * size + 4
    return (f'<svg width="{number(box)}" height="{number(box)}" viewBox="0 0 {number(box)} {number(box)}" '
            f'aria-hidden="true" focusable="false">{shape_svg(shape, box / 2, box / 2, size, color, filled)}</svg>')


# ---- the chart ------------------------------------------------------------------------------

#: candidate directions for a label around its point, in the order they are tried
_DIRECTIONS = ("right", "left", "above-right", "below-right", "above-left", "below-left", "above", "below",
               "above-start", "below-start", "above-end", "below-end")
_DISTANCES = (6.0, 16.0, 30.0, 48.0, 70.0, 96.0, 124.0, 156.0)


class Chart:
    """An SVG chart: a plot area with two scales, plus the items drawn on it.

    Args:
        chart_id: prefix for the ids inside the SVG (unique on a page).
        width, height: size of the whole chart in px.
        x, y: the scales (their ``start``/``end`` give the plot area).
        title: a short title (the SVG's ``<title>``, read by screen readers).
        description: what the chart shows, in sentences (the SVG's ``<desc>``: the alt text).
    """

    def __init__(self, chart_id: str, width: float, height: float, x: Scale, y: Scale, title: str,
                 description: str) -> None:
        self.id = chart_id
        self.width, self.height = width, height
        self.x, self.y = x, y
        self.title, self.description = title, description
        self.plot = Box(min(x.start, x.end), min(y.start, y.end), max(x.start, x.end), max(y.start, y.end))
        #: where labels may go (the plot area unless widened, e.g. to a strip above it)
        self.label_area = self.plot
        self.items: list[Item] = []
        self._defs: dict[str, str] = {}
        self._obstacles: list[Box] = []

    # -- helpers ------------------------------------------------------------------------------
    def _add(self, item: Item) -> Item:
        self.items.append(item)
        return item

    def of(self, kind: str, role: str | None = None) -> list[Item]:
        """The items of one kind (and role prefix), in drawing order."""
        return [i for i in self.items if i.kind == kind and (role is None or i.role.startswith(role))]

    def pattern(self, name: str, color: str, style: str) -> str:
        """A fill pattern ("diagonal", "cross" or "dots") in ``color``; returns its url(#...)."""
        pid = f"{self.id}-{name}"
        if pid not in self._defs:
            if style == "diagonal":
                body = f'<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="{color}" stroke-width="1.2"/>'
            elif style == "cross":
                body = f'<path d="M0 0L8 8M8 0L0 8" stroke="{color}" stroke-width="0.9"/>'
            elif style == "dots":
                body = f'<circle cx="4" cy="4" r="1.3" fill="{color}"/>'
            else:
                raise ValueError(f"style must be diagonal, cross or dots; got {style!r}")
            self._defs[pid] = (f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                               f'{body}</pattern>')
        return f"url(#{pid})"

    # -- drawing ------------------------------------------------------------------------------
    def region(self, role: str, x0: float, x1: float, y0: float, y1: float, color: str, opacity: float,
               hatch: str | None = None, hatch_color: str | None = None) -> Item | None:
        """A shaded rectangle in data coordinates (clipped to the scales), optionally hatched; None
        when it lies outside them."""
        lo_x, hi_x, lo_y, hi_y = max(x0, self.x.lo), min(x1, self.x.hi), max(y0, self.y.lo), min(y1, self.y.hi)
        if lo_x >= hi_x or lo_y >= hi_y:
            return None
        left, right = self.x(lo_x), self.x(hi_x)
        top, bottom = self.y(hi_y), self.y(lo_y)
        box = Box(min(left, right), min(top, bottom), max(left, right), max(top, bottom))
        geometry = (f'x="{number(box.x0)}" y="{number(box.y0)}" width="{number(box.x1 - box.x0)}" '
                    f'height="{number(box.y1 - box.y0)}"')
        svg = f'<rect {geometry} fill="{color}" fill-opacity="{number(opacity)}"/>'
        if hatch:
            ink = hatch_color or color
            name = f"{hatch}-{ink.lstrip('#').lower()}"
            svg += f'<rect {geometry} fill="{self.pattern(name, ink, hatch)}"/>'
        return self._add(Item("region", role, svg, box=box, color=color, shape=hatch or "solid",
                              data={"x0": x0, "x1": x1, "y0": y0, "y1": y1}))

    def rule_line(self, role: str, axis: str, value: float, color: str = "currentColor", dash: str = "5 3",
                  width: float = 1.3) -> Item:
        """A full-length line at ``value`` on ``axis`` ("x": vertical line, "y": horizontal)."""
        if axis == "x":
            px = self.x(value)
            coords = (px, self.plot.y0, px, self.plot.y1)
        else:
            px = self.y(value)
            coords = (self.plot.x0, px, self.plot.x1, px)
        svg = (f'<line x1="{number(coords[0])}" y1="{number(coords[1])}" x2="{number(coords[2])}" '
               f'y2="{number(coords[3])}" stroke="{color}" stroke-width="{number(width)}" stroke-dasharray="{dash}"/>')
        return self._add(Item("line", role, svg, color=color, data={"axis": axis, "value": value}))

    def polyline(self, role: str, points: list[tuple[float, float]], color: str = "currentColor",
                 width: float = 2.0, dash: str = "", name: str = "") -> Item | None:
        """A line through data points (x, y), in order; points outside the scales are dropped (a
        curve leaving the chart stops at its edge). None when fewer than two points remain."""
        kept = [(self.x(x), self.y(y)) for x, y in points if self.x.contains(x) and self.y.contains(y)]
        if len(kept) < 2:
            return None
        path = "M" + "L".join(f"{number(px)} {number(py)}" for px, py in kept)
        style = f' stroke-dasharray="{dash}"' if dash else ""
        svg = (f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{number(width)}" '
               f'stroke-linejoin="round"{style}/>')
        return self._add(Item("line", role, svg, text=name, color=color, shape=dash or "solid",
                              data={"points": kept}))

    def marker(self, role: str, px: float, py: float, shape: str, color: str, size: float = 5.0,
               filled: bool = True, name: str = "", stroke_width: float = 1.5) -> Item:
        """A marker at pixel position (px, py); it becomes an obstacle for labels."""
        box = Box(px - size, py - size, px + size, py + size)
        self._obstacles.append(box.grown(1.5))
        svg = shape_svg(shape, px, py, size, color, filled, stroke_width)
        return self._add(Item("marker", role, svg, text=name, box=box, color=color, shape=shape,
                              data={"x": px, "y": py, "size": size, "filled": filled}))

    def text(self, role: str, text: str, px: float, py: float, size: float = 13.5, anchor: str = "start",
             bold: bool = False, color: str = "currentColor", rotate: float = 0.0, obstacle: bool = True) -> Item:
        """Text whose baseline starts (or centres, or ends) at (px, py)."""
        width = text_width(text, size, bold)
        x0 = {"start": px, "middle": px - width / 2, "end": px - width}[anchor]
        box = Box(x0, py - 0.76 * size, x0 + width, py + 0.24 * size)
        if rotate:
            box = Box(px - 0.76 * size, py - width / 2, px + 0.24 * size, py + width / 2)
        elif obstacle:
            self._obstacles.append(box)
        weight = ' font-weight="bold"' if bold else ""
        turn = f' transform="rotate({number(rotate)} {number(px)} {number(py)})"' if rotate else ""
        svg = (f'<text x="{number(px)}" y="{number(py)}" font-size="{number(size)}" text-anchor="{anchor}" '
               f'fill="{_ink(color)}"{weight}{turn}>{escape(text)}</text>')
        return self._add(Item("text", role, svg, text=text, box=box, color=color, data={"size": size}))

    def label(self, role: str, text: str, px: float, py: float, size: float = 14.0, bold: bool = False,
              color: str = "currentColor", clearance: float = 5.0) -> Item:
        """A label for the point (px, py), placed where it collides with nothing drawn so far.

        ``clearance`` is the marker's radius; a newline in ``text`` starts a second line. A label
        set away from its point gets a leader line. The label's box becomes an obstacle for later
        labels.
        """
        lines = text.split("\n")
        line_height = size * 1.15
        width, height = max(text_width(line, size, bold) for line in lines), size + line_height * (len(lines) - 1)
        best: tuple[float, Box, str, float] | None = None
        for distance in _DISTANCES:
            for direction in _DIRECTIONS:
                box = self._shifted_inside(self._candidate(px, py, width, height, direction, clearance + distance))
                if not box.inside(self.label_area):
                    continue
                overlap = sum(_area(box, other) for other in self._obstacles if box.overlaps(other))
                if best is None or overlap < best[0]:
                    best = (overlap, box, direction, distance)
                if overlap == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None:  # nowhere inside the area: put it to the right and let it overflow
            best = (0.0, self._candidate(px, py, width, height, "right", clearance + _DISTANCES[0]), "right", 0.0)
        _, box, direction, distance = best
        self._obstacles.append(box.grown(1.0))
        weight = ' font-weight="bold"' if bold else ""
        first = box.y0 + 0.76 * size
        spans = "".join(f'<tspan x="{number(box.x0)}" y="{number(first + k * line_height)}">{escape(line)}</tspan>'
                        for k, line in enumerate(lines))
        svg = f'<text font-size="{number(size)}" fill="{_ink(color)}"{weight}>{spans}</text>'
        item = self._add(Item("label", role, svg, text=text.replace("\n", " "), box=box, color=color,
                              data={"x": px, "y": py, "size": size, "direction": direction, "lines": len(lines)}))
        if distance > _DISTANCES[1]:
            tx = min(max(px, box.x0), box.x1)
            ty = min(max(py, box.y0), box.y1)
            angle = math.atan2(ty - py, tx - px)
            sx, sy = px + clearance * math.cos(angle), py + clearance * math.sin(angle)
            self._add(Item("leader", role, f'<line x1="{number(sx)}" y1="{number(sy)}" x2="{number(tx)}" '
                                           f'y2="{number(ty)}" stroke="{color}" stroke-width="0.8" '
                                           f'stroke-opacity="0.7"/>', text=text))
        return item

    def _shifted_inside(self, box: Box) -> Box:
        """``box`` moved the least distance that puts it inside the label area (if it fits)."""
        area = self.label_area
        dx = max(0.0, area.x0 - box.x0) - max(0.0, box.x1 - area.x1)
        dy = max(0.0, area.y0 - box.y0) - max(0.0, box.y1 - area.y1)
        return Box(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy)

    @staticmethod
    def _candidate(px: float, py: float, width: float, height: float, direction: str, d: float) -> Box:
        diagonal = d * 0.75
        if direction == "right":
            return Box(px + d, py - height / 2, px + d + width, py + height / 2)
        if direction == "left":
            return Box(px - d - width, py - height / 2, px - d, py + height / 2)
        if direction.startswith(("above", "below")) and not direction.endswith(("-right", "-left")):
            # centred over or under the point, or starting or ending at it
            start = {"above": px - width / 2, "below": px - width / 2}.get(direction)
            if start is None:
                start = px - 4 if direction.endswith("-start") else px - width + 4
            top = py - d - height if direction.startswith("above") else py + d
            return Box(start, top, start + width, top + height)
        dx = diagonal if "right" in direction else -diagonal - width
        top = py - diagonal - height if "above" in direction else py + diagonal
        return Box(px + dx, top, px + dx + width, top + height)

    def ticks(self, axis: str, values: list[float], labels: list[str], size: float = 13.5,
              emphasis: tuple[float, ...] = ()) -> None:
        """Tick marks and their labels; values in ``emphasis`` are bold (the rule's thresholds)."""
        for value, text in zip(values, labels):
            bold = value in emphasis
            if axis == "x":
                px = self.x(value)
                self._add(Item("tick", f"x tick {text}", f'<line x1="{number(px)}" y1="{number(self.plot.y1)}" '
                                                          f'x2="{number(px)}" y2="{number(self.plot.y1 + 5)}" '
                                                          f'stroke="currentColor"/>', text=text))
                anchor = "end" if px >= self.plot.x1 - 1 else "middle"
                self.text(f"x tick label {text}", text, px, self.plot.y1 + 6 + size, size, anchor, bold,
                          obstacle=False)
            else:
                py = self.y(value)
                self._add(Item("tick", f"y tick {text}", f'<line x1="{number(self.plot.x0 - 5)}" y1="{number(py)}" '
                                                          f'x2="{number(self.plot.x0)}" y2="{number(py)}" '
                                                          f'stroke="currentColor"/>', text=text))
                self.text(f"y tick label {text}", text, self.plot.x0 - 8, py + size * 0.35, size, "end", bold,
                          obstacle=False)

    def frame(self) -> None:
        """The two axis lines (left and bottom) of the plot area."""
        p = self.plot
        self._add(Item("axis", "axes", f'<path d="M{number(p.x0)} {number(p.y0)}V{number(p.y1)}H{number(p.x1)}" '
                                       f'fill="none" stroke="currentColor" stroke-width="1"/>'))

    def inset(self, role: str, box: Box, x: Scale, y: Scale) -> Chart:
        """A second, smaller plot inside this chart (a zoom on a crowded area), drawn in ``box``.

        Its items join this chart's items; it has a background and a frame, and its own label
        area (the box), where its labels avoid only what the inset draws. The box becomes an
        obstacle for this chart's later labels.
        """
        child = Chart(self.id, self.width, self.height, x, y, self.title, self.description)
        child.items, child._defs = self.items, self._defs
        child.plot = child.label_area = box
        self._obstacles.append(box.grown(2.0))
        self._add(Item("inset", role, f'<rect x="{number(box.x0)}" y="{number(box.y0)}" '
                                      f'width="{number(box.x1 - box.x0)}" height="{number(box.y1 - box.y0)}" '
                                      f'style="fill:var(--pst-color-background, Canvas)" stroke="currentColor" '
                                      f'stroke-width="1"/>', box=box))
        return child

    # -- output -------------------------------------------------------------------------------
    def svg(self) -> str:
        """The chart as one ``<svg>`` element, accessible as an image with a title and description."""
        title_id, desc_id = f"{self.id}-title", f"{self.id}-desc"
        defs = f"<defs>{''.join(self._defs.values())}</defs>" if self._defs else ""
        body = "".join(item.svg for item in self.items)
        # never narrower than keeps its smallest text at MIN_TEXT_PX (on a phone the chart's box
        # scrolls sideways instead: book.figure.figure_html)
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', body)]
        narrowest = min(self.width, self.width * MIN_TEXT_PX / min(sizes)) if sizes else 0
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {number(self.width)} {number(self.height)}" '
                f'width="100%" style="max-width:{number(self.width)}px;min-width:{number(round(narrowest))}px;'
                f'height:auto;display:block" role="img" '
                f'aria-labelledby="{title_id} {desc_id}" font-family="{FONT_FAMILY}" '
                f'data-chart="{escape(self.id)}">'
                f'<title id="{title_id}">{escape(self.title)}</title><desc id="{desc_id}">'
                f'{escape(self.description)}</desc>{defs}{body}</svg>')


def _area(a: Box, b: Box) -> float:
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
