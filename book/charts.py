"""Static figures of the chapters (one function per figure; each returns a matplotlib Figure).

Every figure has a title, labelled axes with units, and a source line. Drawing only: the numbers
come from the models.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from book import style
from book.hardware import Chip
from book.timeline import ControlEvent

DIRECTION_STYLE = {
    "tighten": {"color": style.OKABE_ITO["vermillion"], "marker": "^", "label": "tightens"},
    "loosen": {"color": style.OKABE_ITO["blue"], "marker": "v", "label": "loosens"},
    "mixed": {"color": style.OKABE_ITO["purple"], "marker": "D", "label": "mixed"},
}


def timeline_figure(events: tuple[ControlEvent, ...]) -> Figure:
    """The rounds of US chip export controls, one row each, marked by the way each one moved."""
    import matplotlib.dates as mdates

    style.apply()
    fig = Figure(figsize=(8.0, 4.8))
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
        text = f"{event.short} ({event.date.day} {event.date:%b %Y})"
        if event.confidence == "secondary":
            text += ", reported"
        right = event.date <= middle
        ax.annotate(text, (event.date, y), textcoords="offset points", xytext=(8 if right else -8, 0),
                    ha="left" if right else "right", va="center", fontsize=9)
    ax.set_ylim(0.3, len(events) + 0.8)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(first.replace(month=1, day=1), last.replace(month=12, day=31))
    ax.set_xlabel("Date")
    ax.set_title("Rounds of US export controls on AI chips, 2022-2026")
    ax.legend(loc="upper right", ncol=1, title="Each step")
    style.source_line(fig, "book/data/control_timeline.csv (Federal Register, BIS, NVIDIA SEC filings; "
                           "'reported' = press reports).")
    fig.subplots_adjust(bottom=0.2, left=0.03, right=0.97)
    return fig


def bytes_per_flop_figure(chips: list[Chip], highlight: str = "NVIDIA H20") -> Figure:
    """Memory bandwidth per dense FP16 operation for each chip that has both figures.

    ``highlight`` is the full name of the chip drawn in a contrasting colour; bars resting on
    estimates are hatched.
    """
    from matplotlib.patches import Patch

    style.apply()
    rows = [(c, c.bytes_per_flop("fp16")) for c in chips if c.bytes_per_flop("fp16") is not None]
    rows.sort(key=lambda pair: pair[1])
    fig = Figure(figsize=(7.5, 4.8))
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
        ax.text(value, y, f" {value:.1f}", va="center", fontsize=8)
    ax.set_xlabel("Memory bandwidth per dense FP16 operation (bytes per 1,000 FLOP)")
    ax.set_title("Memory bandwidth for each unit of compute", loc="left")
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(color=style.OKABE_ITO["blue"], label="datasheet or reported figures"),
                       Patch(facecolor=style.OKABE_ITO["blue"], alpha=0.6, hatch="//", label="estimate")],
              loc="lower right")
    style.source_line(fig, "book/data/chips.csv (datasheets and reports; dense FP16 figures).")
    fig.subplots_adjust(left=0.33, bottom=0.17)
    return fig
