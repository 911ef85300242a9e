"""Static figures of the chapters drawn with matplotlib.

Each figure has two functions: ``*_plot`` draws the matplotlib Figure (axes, marks, labels: what
tests inspect), and ``*_figure`` returns it as a ``book.figure.Figure``: an inline SVG inside an
HTML figure whose title, caption and source line are text, with alt text that states what the
figure shows, computed from the same data. Drawing only: the numbers come from the models.

The SVG keeps its text as text (``svg.fonttype: none``): no rasteriser and no compressor stand
between the model and the stored output, so a figure comes out the same on every machine with the
locked packages, a changed number shows in a notebook's diff as a changed coordinate or label,
and the browser draws the labels sharp at any size.
"""

from __future__ import annotations

import io
import math

from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import Formatter

from book import style
from book.figure import Figure, svg_figure
from book.language import in_language, language, numbers_in, translate
from book.hardware import Chip
from book.timeline import REVIEWED, ControlEvent

DIRECTION_STYLE = {
    "tighten": {"color": style.OKABE_ITO["vermillion"], "marker": "^", "label": "tightens"},
    "loosen": {"color": style.OKABE_ITO["blue"], "marker": "v", "label": "loosens"},
    "mixed": {"color": style.OKABE_ITO["purple"], "marker": "D", "label": "mixed"},
}
class _InNotation(Formatter):
    """An axis's own tick formatter, its numbers written in a language's notation (German 1000, 0,25)."""

    def __init__(self, inner: Formatter, code: str):
        self.inner, self.code = inner, code

    def set_axis(self, axis):
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs):
        self.inner.set_locs(locs)

    def __call__(self, x, pos=None):
        return in_language(self.code, numbers_in, self.inner(x, pos))

    def format_ticks(self, values):
        self.set_locs(values)
        return [self(value, i) for i, value in enumerate(values)]

    def get_offset(self):
        return self.inner.get_offset()


def for_reader(fig: MplFigure) -> MplFigure:
    """``fig`` with its texts in the reader's language (``book.language``), and any label that a
    longer translation pushes past the figure's edge broken onto two lines (in English nothing
    changes: every label fits, tests/test_charts.py)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    if language() != "en":  # tick labels in the reader's notation (1000, 0,25)
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                for getter, setter in ((axis.get_major_formatter, axis.set_major_formatter),
                                       (axis.get_minor_formatter, axis.set_minor_formatter)):
                    if not isinstance(getter(), _InNotation):
                        setter(_InNotation(getter(), language()))
    changed = False
    for text in fig.findobj(Text):
        if text.get_text():
            translated = translate(text.get_text())
            if translated != text.get_text():
                text.set_text(translated)
                changed = True
    if not changed:
        return fig
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width = fig.bbox.width
    for label in fig.findobj(Text):
        if not label.get_visible() or not label.get_text().strip():
            continue
        box = label.get_window_extent(canvas.get_renderer())
        words = label.get_text().split(" ")
        if (box.x0 < 0 or box.x1 > width) and len(words) > 1 and "\n" not in label.get_text():
            middle = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
            label.set_text(" ".join(words[:middle]) + "\n" + " ".join(words[middle:]))
    return fig


def to_svg(fig: MplFigure) -> str:
    """The figure as SVG text, its labels as ``<text>`` (no date or creator: deterministic)."""
    import matplotlib as mpl

    for_reader(fig)
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _as_figure(fig: MplFigure, title: str, caption: str, source: str, alt: str) -> Figure:
    return svg_figure(to_svg(fig), round(fig.get_figwidth() * fig.dpi), title, caption, source, alt)


def _day(event: ControlEvent) -> str:
    return f"{event.date.day} {event.date:%b %Y}"


# ---- the timeline of controls ---------------------------------------------------------------

def timeline_plot(events: tuple[ControlEvent, ...]) -> MplFigure:
    """The rounds of US chip export controls, one row each, marked by the way each one moved."""
    import matplotlib.dates as mdates

    style.apply()
    fig = MplFigure(figsize=(style.MAX_WIDTH_IN, 0.4 * len(events) + 1.7))
    ax = fig.add_subplot()
    first, last = events[0].date, events[-1].date
    middle = first + (last - first) / 2
    seen = set()
    for row, event in enumerate(events):
        y = len(events) - row
        look = DIRECTION_STYLE[event.direction]
        label = look["label"] if event.direction not in seen else None
        seen.add(event.direction)
        ax.scatter([event.date], [y], marker=look["marker"], s=80, color=look["color"], zorder=3, label=label)
        text = f"{event.short} ({_day(event)})"
        if event.confidence == "secondary":
            text += ", reported"
        right = event.date <= middle
        ax.annotate(text, (event.date, y), textcoords="offset points", xytext=(8 if right else -8, 0),
                    ha="left" if right else "right", va="center", fontsize=style.MIN_FONT_PT)
    ax.set_ylim(0.3, len(events) + 0.8)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(first.replace(month=1, day=1), last.replace(month=6, day=30))
    ax.set_xlabel("Date")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False)
    fig.subplots_adjust(bottom=0.3, left=0.06, right=0.94, top=0.98)
    return fig


def timeline_alt(events: tuple[ControlEvent, ...]) -> str:
    """What the timeline shows, in words."""
    turn = next((i for i, e in enumerate(events) if e.direction != "tighten"), len(events))
    tightening, later = events[:turn], events[turn:]
    text = (f"Timeline of {len(events)} steps in US export controls on AI chips, from {_day(events[0])} to "
            f"{_day(events[-1])}. The first {len(tightening)}, up to {tightening[-1].short} ({_day(tightening[-1])}), "
            "all tighten the controls")
    if later:
        kinds = ", ".join(f"{e.short} ({DIRECTION_STYLE[e.direction]['label']})" for e in later)
        text += f"; after that the direction changes: {kinds}"
    return text + "."


def timeline_figure(events: tuple[ControlEvent, ...]) -> Figure:
    return _as_figure(timeline_plot(events), "US export controls on AI chips, 2022-2026",
                      "Each step in the table below, marked by the way it moved the controls: triangles up "
                      "tighten, triangles down loosen, the diamond is mixed; 'reported' marks press reports. "
                      f"As of {REVIEWED}: the last step is the latest we could source.",
                      "book/data/control_timeline.csv (Federal Register, BIS, NVIDIA SEC filings, press reports).",
                      timeline_alt(events))


# ---- memory bandwidth per unit of compute -------------------------------------------------------

def _bandwidth_rows(chips: list[Chip]) -> list[tuple[Chip, float]]:
    rows = [(c, c.bytes_per_flop("fp16")) for c in chips if c.bytes_per_flop("fp16") is not None]
    return sorted(rows, key=lambda pair: pair[1])


def bytes_per_flop_plot(chips: list[Chip], highlight: str = "NVIDIA H20") -> MplFigure:
    """Memory bandwidth per dense FP16 operation for each chip that has both figures.

    ``highlight`` is the full name of the chip drawn in a contrasting colour; bars resting on
    estimates are hatched.
    """
    from matplotlib.patches import Patch

    style.apply()
    rows = _bandwidth_rows(chips)
    fig = MplFigure(figsize=(style.MAX_WIDTH_IN, 0.3 * len(rows) + 1.3))
    ax = fig.add_subplot()
    names = [c.short_name for c, _ in rows]
    values = [1000 * value for _, value in rows]  # bytes per 1,000 FLOP reads better than 0.003
    colours = [style.OKABE_ITO["vermillion"] if c.name == highlight else style.OKABE_ITO["blue"] for c, _ in rows]
    bars = ax.barh(names, values, color=colours)
    for bar, (chip, _) in zip(bars, rows):
        if chip.confidence == "estimate":
            bar.set_hatch("//")
            bar.set_alpha(0.6)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.1f}", va="center", fontsize=style.MIN_FONT_PT)
    ax.set_xlim(0, max(values) * 1.15)
    ax.set_xlabel("Bytes per 1,000 dense FP16 FLOP")
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(color=style.OKABE_ITO["blue"], label="datasheet or reported figures"),
                       Patch(facecolor=style.OKABE_ITO["blue"], alpha=0.6, hatch="//", label="estimate")],
              loc="lower right")
    fig.subplots_adjust(left=0.25, bottom=0.16, right=0.96, top=0.98)
    return fig


def bytes_per_flop_alt(chips: list[Chip], highlight: str = "NVIDIA H20") -> str:
    rows = _bandwidth_rows(chips)
    top = rows[-1]
    rest = [1000 * value for chip, value in rows if chip is not top[0]]
    estimates = [chip.short_name for chip, _ in rows if chip.confidence == "estimate"]
    return (f"Bar chart of memory bandwidth per dense FP16 operation for {len(rows)} chips. The "
            f"{top[0].short_name} stands far above the rest at {1000 * top[1]:.1f} bytes per 1,000 operations; "
            f"the others lie between {min(rest):.1f} and {max(rest):.1f}."
            + (f" The bars for {' and '.join(estimates)} rest on estimates." if estimates else ""))


def bytes_per_flop_figure(chips: list[Chip], highlight: str = "NVIDIA H20") -> Figure:
    return _as_figure(bytes_per_flop_plot(chips, highlight), "Memory bandwidth for each unit of compute",
                      "The chip designed to pass under the 2023 rule has by far the most memory bandwidth per "
                      "unit of arithmetic. Hatched bars rest on estimates; chips without memory figures in the "
                      "catalogue are left out.",
                      "book/data/chips.csv (datasheets and reports; dense FP16 figures).",
                      bytes_per_flop_alt(chips, highlight))


# ---- communication against computation in expert parallelism ------------------------------------

#: links a chapter 2 reader meets: label -> GB/s per GPU in one direction (NVLink's published 900
#: and 400 GB/s count both directions together). InfiniBand nominal and effective (DeepSeek's ISCA
#: 2025 paper: about 40 GB/s reached), NVLink on the H800 as specified and as DeepSeek reached it.
LINKS = {"IB eff. 40": 40.0, "IB 50": 50.0, "H800 reached 160": 160.0, "H800 200": 200.0, "H100 450": 450.0}


def link_budget_plot(hidden: int, expert_hidden: int, routed: int, peak_tflops: float, mfu: float,
                     node_limit: int) -> MplFigure:
    """Communication time per unit of computation time against link bandwidth (both log scales),
    with and without node-limited routing; above the line at 1 the link binds. Each real link is a
    dotted line named by a label that stands on it, upright, at the top of the chart (labels on
    the axis collided where two links are close)."""
    import numpy as np
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    from book.expert_parallel import link_budget

    style.apply()
    fig = MplFigure(figsize=(style.MAX_WIDTH_IN, 4.6))
    ax = fig.add_subplot()
    bandwidths = np.geomspace(20, 2000, 120)
    for limit, look in ((None, {"color": style.OKABE_ITO["vermillion"], "linestyle": "-"}),
                        (node_limit, {"color": style.OKABE_ITO["blue"], "linestyle": "--"})):
        ratios = [link_budget(hidden, expert_hidden, routed, float(b), peak_tflops, mfu, node_limit=limit).ratio
                  for b in bandwidths]
        label = "experts on any node" if limit is None else f"at most {limit} nodes per token"
        ax.plot(bandwidths, ratios, linewidth=2.2, label=label, **look)
    ax.axhline(1.0, color="#555555", linewidth=1)
    ax.text(1900, 1.12, "above 1, the link binds", fontsize=style.MIN_FONT_PT, color="#333333", ha="right",
            va="bottom")
    for name, bandwidth in LINKS.items():
        ax.axvline(bandwidth, color="#888888", linewidth=0.8, linestyle=":")
        # upright, just right of its line, hanging from the top of the chart
        ax.annotate(name, (bandwidth, 25), xytext=(2, -3), textcoords="offset points", rotation=90,
                    ha="left", va="top", fontsize=style.MIN_FONT_PT, color="#222222")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(20, 2000)
    ax.set_ylim(0.02, 25)
    ax.xaxis.set_major_locator(FixedLocator([20, 50, 100, 200, 500, 1000, 2000]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.yaxis.set_major_locator(FixedLocator([0.05, 0.1, 0.25, 0.5, 1, 2, 4]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_minor_locator(NullLocator())
    ax.set_xlabel("Link bandwidth per GPU, one direction (GB/s, log scale)")
    ax.set_ylabel("Communication ÷ computation")
    ax.legend(loc="lower left")
    fig.subplots_adjust(left=0.15, bottom=0.13, right=0.96, top=0.97)
    return fig


def link_budget_alt(hidden: int, expert_hidden: int, routed: int, peak_tflops: float, mfu: float,
                    node_limit: int) -> str:
    from book.expert_parallel import break_even_bandwidth, link_budget

    free = break_even_bandwidth(hidden, expert_hidden, routed, peak_tflops, mfu)
    limited = break_even_bandwidth(hidden, expert_hidden, routed, peak_tflops, mfu, node_limit=node_limit)
    nominal, effective = (link_budget(hidden, expert_hidden, routed, bandwidth, peak_tflops, mfu,
                                      node_limit=node_limit).ratio for bandwidth in (50.0, 40.0))
    return (f"Line chart of communication time per unit of computation time against link bandwidth. The link binds "
            f"below {free:,.0f} GB/s when a token's {routed} experts sit on other nodes, and below {limited:,.0f} GB/s "
            f"with at most {node_limit} nodes per token. At InfiniBand's nominal 50 GB/s the node-limited ratio is "
            f"{nominal:.1f}, at its effective 40 GB/s {effective:.1f}; the H800's NVLink, 160 GB/s achieved of 200 "
            "nominal, stays below 1.")


def link_budget_figure(hidden: int, expert_hidden: int, routed: int, peak_tflops: float, mfu: float,
                       node_limit: int) -> Figure:
    args = (hidden, expert_hidden, routed, peak_tflops, mfu, node_limit)
    return _as_figure(link_budget_plot(*args), "When does the link, not the chip, set the pace?",
                      f"One token in one MoE layer of DeepSeek-V3 in training: time to send it to its {routed} experts "
                      f"and back, divided by the time they take to compute (dense FP8 peak {peak_tflops:,.0f} TFLOPS "
                      f"at {mfu:.0%} utilisation). Dotted lines mark real links, in one direction: InfiniBand (IB) "
                      "between nodes, nominal (50) and effective (40, DeepSeek's ISCA 2025 paper); NVLink inside a "
                      "node, as specified for the H800 and H100 (half their published two-way figures) and as "
                      "DeepSeek reached it on the H800. A simple model: see its assumptions in the text.",
                      "book/expert_parallel.py; DeepSeek-V3 technical report (arXiv:2412.19437) and DeepSeek's ISCA "
                      "2025 paper (arXiv:2505.09343) for the sizes and links; book/data/chips.csv.",
                      link_budget_alt(*args))


# ---- the cost curve -----------------------------------------------------------------------------

#: the markers of the published costs, in order (shape, not colour, tells them apart)
COST_MARKERS = ("o", "s", "D", "^", "v", "P", "X")

def cost_curve_plot(points: list[tuple[float, float, float, str]], decline_per_year: float, anchor: tuple[float, float],
                    growth_per_year: float, growth_anchor: tuple[float, float]) -> MplFigure:
    """Training costs against the (approximate) end of training, log scale: reported points (year,
    low, high, label; a bar where low < high), a cost-decline line for a fixed capability through
    ``anchor`` (year, US$), and the growth of frontier runs through ``growth_anchor``."""
    import numpy as np
    from matplotlib.ticker import FixedLocator, FuncFormatter

    from book.training_cost import grown

    style.apply()
    fig = MplFigure(figsize=(style.MAX_WIDTH_IN, 4.3 + 0.22 * (len(points) + 2)))
    ax = fig.add_subplot()
    first = math.floor(min(year for year, *_ in points) - 0.3)
    last = math.ceil(max(year for year, *_ in points) + 0.3)
    years = np.linspace(first, last, 60)
    ax.plot(years, [grown(anchor[1], 1 / decline_per_year, y - anchor[0]) for y in years],
            color=style.OKABE_ITO["blue"], linestyle="--", linewidth=2,
            label=f"same capability, {decline_per_year:g}× cheaper a year")
    ax.plot(years, [grown(growth_anchor[1], growth_per_year, y - growth_anchor[0]) for y in years],
            color=style.OKABE_ITO["vermillion"], linewidth=2, label=f"frontier runs, {growth_per_year:g}× a year")
    # each published cost has its own marker, named in the legend: a label cannot drift from its point
    for (year, low, high, label), marker in zip(points, COST_MARKERS):
        if high > low:
            ax.plot([year, year], [low, high], color="#333333", linewidth=3, solid_capstyle="butt")
        # (a "$" would start matplotlib's mathematical text)
        ax.scatter([year], [(low * high) ** 0.5], color="#333333", marker=marker, zorder=3, s=46,
                   label=label.replace("$", r"\$") + (" (bar: range)" if high > low else ""))
    ax.set_yscale("log")
    ax.set_ylim(1e6, 3e9)
    ax.set_xlim(first, last)
    ax.yaxis.set_major_locator(FixedLocator([1e6, 1e7, 1e8, 1e9]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: {1e6: "$1M", 1e7: "$10M", 1e8: "$100M", 1e9: "$1B"}.get(v, "")))
    ax.xaxis.set_major_locator(FixedLocator(list(range(first, last + 1))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    ax.tick_params(axis="x", pad=6)  # the first year clear of the lowest cost label in the corner
    ax.set_xlabel("End of training (approximate)")
    ax.set_ylabel("Training cost (US dollars, log scale)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.13), ncol=1, frameon=False)
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.16, bottom=(0.55 + 0.22 * (len(points) + 2)) / height, right=0.94,
                        top=1 - 0.13 / height)  # (right: room for the last year's tick label)
    return fig


def cost_curve_figure(points, decline_per_year: float, anchor, growth_per_year: float, growth_anchor,
                      alt: str) -> Figure:
    return _as_figure(cost_curve_plot(points, decline_per_year, anchor, growth_per_year, growth_anchor),
                      "Where DeepSeek-V3 sits against the cost curves",
                      "Published costs (bars: ranges) against two trends: the cost of a fixed level of capability "
                      f"falling {decline_per_year:g} times a year (Amodei's rough estimate), drawn through Claude "
                      f"3.5 Sonnet, and the cost of frontier runs growing {growth_per_year:g} times a year "
                      "(Cottier et al.), drawn through GPT-4's estimated final run. DeepSeek's figure is one "
                      "final run's rental value; Sonnet's does not say what it counts.",
                      "book/data/cost_estimates.csv: AI Index 2024 with Epoch AI; Wired (2023); Amodei (2025); "
                      "DeepSeek-V3 report (2024); Cottier et al. (2024).", alt)


# ---- API prices over time ---------------------------------------------------------------------

PROVIDER_STYLE = {"OpenAI": {"color": style.OKABE_ITO["vermillion"], "marker": "o"},
                  "DeepSeek": {"color": style.OKABE_ITO["blue"], "marker": "s"}}


#: shorter names for the chart, and label offsets (points) where the default would collide
_PRICE_LABELS = {"GPT-4o (2024-08-06)": "GPT-4o, Aug 2024"}
_PRICE_OFFSETS = {"R1": (-8, 2), "V3.1": (-8, 2), "V3.2-Exp": (-8, -3), "GPT-4o mini": (-7, 6), "V2": (7, -4),
                  "V3": (7, -3)}


def _year(day) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


def price_history_plot(prices, trend: tuple[list, float] | None = None) -> MplFigure:
    """Blended list prices (US$ per million tokens, 3 input : 1 output) by date, log scale, one
    colour and marker per provider, each point named; ``trend`` = (the (date, price) points it was
    fitted to, the yearly factor) draws the fitted line through them."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    style.apply()
    fig = MplFigure(figsize=(style.MAX_WIDTH_IN, 4.6))
    ax = fig.add_subplot()
    for provider, look in PROVIDER_STYLE.items():
        own = [p for p in prices if p.provider == provider]
        ax.scatter([_year(p.date) for p in own], [p.blended for p in own], color=look["color"],
                   marker=look["marker"], s=36, zorder=3, label=provider)
        for p in own:
            # DeepSeek's models by version alone (the legend names the maker)
            name = _PRICE_LABELS.get(p.model, p.model.split(" (")[0]).removeprefix("DeepSeek-")
            dx, dy = _PRICE_OFFSETS.get(name, (7 if _year(p.date) < 2025.2 else -7, 3))
            ax.annotate(name, (_year(p.date), p.blended), textcoords="offset points", xytext=(dx, dy),
                        ha="left" if dx > 0 else "right", fontsize=style.MIN_FONT_PT, color="#222222")
    if trend is not None:
        points, factor = trend
        xs = [_year(min(d for d, _ in points)), _year(max(d for d, _ in points))]
        fitted = _fitted_start(points, factor)
        ax.plot(xs, [fitted, fitted * factor ** (xs[1] - xs[0])], color=style.OKABE_ITO["vermillion"],
                linestyle="--", linewidth=1.5, label="GPT-4 family trend")
    ax.set_yscale("log")
    ax.set_ylim(0.1, 100)
    ax.yaxis.set_major_locator(FixedLocator([0.1, 1, 10, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: {0.1: "$0.10", 1: "$1", 10: "$10", 100: "$100"}.get(v, "")))
    ax.set_xlim(2023, 2026)
    ax.xaxis.set_major_locator(FixedLocator([2023, 2024, 2025, 2026]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    ax.tick_params(axis="x", pad=6)  # the first year clear of the lowest price label in the corner
    ax.set_xlabel("Date of the list price")
    ax.set_ylabel("US$ per million tokens (3 in : 1 out)")
    ax.legend(loc="center left")
    fig.subplots_adjust(left=0.15, bottom=0.12, right=0.96, top=0.97)  # (right: room for the year 2026)
    return fig


def _fitted_start(points, factor: float) -> float:
    """The fitted line's value at the first point's date (least squares in log space)."""
    start = min(d for d, _ in points)
    xs = [_year(d) - _year(start) for d, _ in points]
    logs = [math.log(p) for _, p in points]
    return math.exp(sum(logs) / len(logs) - math.log(factor) * sum(xs) / len(xs))


def price_history_alt(prices, factor: float) -> str:
    first, last = prices[0], prices[-1]
    cheapest = min(prices, key=lambda p: p.blended)
    return (f"Log-scale chart of API list prices per million tokens, blended three input tokens to one output, from "
            f"{first.date:%B %Y} to {last.date:%B %Y}. OpenAI's flagship prices fall from US${first.blended:,.2f} "
            f"(GPT-4) along a trend of about {1 / factor:.1f} times cheaper a year; its reasoning model o1 sits high "
            f"again at the end of 2024. DeepSeek's prices all lie below US$1, the lowest being "
            f"{cheapest.model} at US${cheapest.blended:,.2f}.")


def price_history_figure(prices, trend: tuple[list, float]) -> Figure:
    return _as_figure(price_history_plot(prices, trend), "What a million tokens cost through the API",
                      "List prices per million tokens, blended at three input tokens to one output token (input at "
                      "the cache-miss price). The dashed line is the least-squares trend of OpenAI's GPT-4-family "
                      f"flagship prices: about {1 / trend[1]:.1f} times cheaper a year. Prices are what a developer "
                      "pays per token; chat apps are often free to the user.",
                      "book/data/api_prices.csv: OpenAI announcements and pricing pages (2023-2025); DeepSeek API "
                      "documentation (2024-2025).", price_history_alt(prices, trend[1]))
