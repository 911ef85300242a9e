"""The threshold explorer (chapter 1): every catalogue chip on the axes of the 2023 rule, and a
chip the reader designs.

``view`` is the pure update function: control values in, an ``ExplorerView`` out (the points, their
status under the chosen rule, the selected chip, the designed chip and their classifications).
``chart`` draws a view with the standard-library SVG renderer; ``panel`` adds the status texts;
``catalogue_figure`` is the chapter's static chart of the catalogue. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from book.dashboards import svg
from book.dashboards.base import Control, Panel, rule_control
from book.export_controls import (A_2022, CANNOT_CLASSIFY, CONTROLLED, NOT_CONTROLLED, RULES, Classification,
                                  classify)
from book.hardware import MARKETS, PRECISION_BITS, PRECISION_COLUMN, Chip, get_chip, load_chips
from book.figure import Figure, figure_html, legend_html
from book.palette import OKABE_ITO, STATUS_MARK

NAME = "threshold_explorer"
TITLE = "Threshold explorer"

# ---- colours and marks (every status has a shape as well as a colour) ---------------------
VERMILLION, PURPLE, ORANGE, BLUE = (OKABE_ITO[k] for k in ("vermillion", "purple", "orange", "blue"))
#: the look of each region: colour, opacity, hatch
REGION_LOOK = {
    "a.1": (VERMILLION, 0.16, "diagonal"),
    "a.2": (PURPLE, 0.22, "cross"),
    "b": (ORANGE, 0.22, "dots"),
}

# ---- the chart's geometry (px in the SVG's own coordinates; it scales with the page) ------
# 480 px wide with text of at least 14.5 px: shrunk into a 390 px phone's dashboard (about 316 px)
# the smallest text still renders at over 9 px
WIDTH, HEIGHT = 480.0, 440.0
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 66.0, 468.0, 48.0, 368.0
STRIP_Y = 24.0  # the row above the plot where chips with an unknown die area sit
TPP_RANGE = (1_000.0, 50_000.0)
PD_RANGE = (0.0, 22.0)
#: the crowded area around TPP 4,800, enlarged in an inset at the top left of the plot
ZOOM_TPP, ZOOM_PD = (3_900.0, 5_600.0), (5.4, 9.6)
INSET_BOX = (PLOT_LEFT + 4, PLOT_TOP + 4, PLOT_LEFT + 230, PLOT_TOP + 172)
TICK_SIZE, LABEL_SIZE, AXIS_SIZE = 14.5, 15.0, 15.0

R22, R23 = RULES["2022-10"], RULES["2023-10"]

CONTROLS = (
    rule_control("Which version of the rule colours the chips and judges your design."),
    Control("chip", "Chip", "choice", get_chip("H100").name,
            options=tuple((chip.short_name, chip.name) for chip in load_chips()),
            help="A catalogue chip to read its figures and the rule's reasoning; it is ringed on the chart."),
    Control("dense_tflops", "Dense throughput", "number", 148.0, minimum=0.0, maximum=2500.0, step=1.0,
            unit="TFLOPS", group="Design a chip (the star)",
            help="Your chip's dense throughput at the chosen precision, in trillions of operations per second."),
    Control("precision", "Precision", "choice", "fp16", options=tuple((p, p) for p in PRECISION_BITS),
            group="Design a chip (the star)",
            help="The number format of that throughput: fp16 counts 16 bits per operation, fp8 and int8 count 8."),
    Control("die_area_mm2", "Die area", "number", 814.0, minimum=50.0, maximum=1200.0, step=1.0, unit="mm²",
            group="Design a chip (the star)", help="The area of the chip's logic die, in square millimetres."),
    Control("interconnect_gb_s", "Chip-to-chip", "number", 900.0, minimum=0.0, maximum=2000.0, step=10.0,
            unit="GB/s", group="Design a chip (the star)",
            help="Aggregate chip-to-chip bandwidth in GB/s; only the 2022 rule looks at it."),
    Control("market", "Market", "choice", "datacenter", buttons=True, options=tuple((m, m) for m in MARKETS),
            group="Design a chip (the star)",
            help="Whether the chip is designed or marketed for datacenters; Note 2 of the 2023 rule frees "
                 "consumer chips below TPP 4,800."),
)


@dataclass(frozen=True)
class ChipPoint:
    """One catalogue chip on the chart, with its status under the view's rule."""

    name: str
    short_name: str
    tpp: float | None
    performance_density: float | None
    market: str
    status: str
    paragraph: str | None


@dataclass(frozen=True)
class ExplorerView:
    """Everything the threshold explorer shows for one setting of its controls."""

    rule: str
    points: tuple[ChipPoint, ...]
    selected: Chip
    selected_result: Classification
    design: Chip
    design_result: Classification

    @property
    def rule_label(self) -> str:
        return RULES[self.rule].label

    @property
    def selected_text(self) -> str:
        return chip_summary(self.selected, self.selected_result)

    @property
    def design_text(self) -> str:
        return chip_summary(self.design, self.design_result)


def chip_summary(chip: Chip, result: Classification) -> str:
    """A chip's figures and its classification, in two sentences."""
    pd = chip.performance_density
    parts = [
        f"TPP {chip.tpp:,.0f}" if chip.tpp is not None else "TPP unknown",
        f"performance density {pd:.2f}" if pd is not None else "performance density unknown",
        (f"chip-to-chip {chip.interconnect_gb_s:,.0f} GB/s" if chip.interconnect_gb_s is not None
         else "chip-to-chip bandwidth unknown"),
        chip.market,
    ]
    return f"{', '.join(parts)}. Under the {result.rule_label}: {result.verdict}. {result.reason}"


def design_chip(dense_tflops: float, precision: str, die_area_mm2: float, interconnect_gb_s: float,
                market: str, name: str = "Your design") -> Chip:
    """A hypothetical chip with one dense throughput figure.

    Args:
        dense_tflops: dense throughput at ``precision``, 10^12 operations per second, >= 0.
        precision: "fp16", "fp8" or "int8" (sets the bit length: 16, 8, 8).
        die_area_mm2: applicable die area, mm^2, > 0.
        interconnect_gb_s: aggregate bidirectional chip-to-chip bandwidth, GB/s, >= 0.
        market: "datacenter" or "consumer".
    """
    if precision not in PRECISION_BITS:
        raise ValueError(f"precision must be one of {tuple(PRECISION_BITS)}, got {precision!r}")
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")
    return Chip(name=name, market=market, die_area_mm2=die_area_mm2,
                interconnect_gb_s=interconnect_gb_s, **{PRECISION_COLUMN[precision]: dense_tflops})


def view(rule: str = "2023-10", chip: str = "H100", dense_tflops: float = 148.0, precision: str = "fp16",
         die_area_mm2: float = 814.0, interconnect_gb_s: float = 900.0,
         market: str = "datacenter") -> ExplorerView:
    """The update function of the threshold explorer: control values in, a full view out.

    Raises a ValueError naming the parameter for an unknown rule, precision or market, or for a
    negative throughput, a non-positive die area or a negative bandwidth; a KeyError for an
    unknown chip name.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    design = design_chip(dense_tflops, precision, die_area_mm2, interconnect_gb_s, market)
    points = []
    for item in load_chips():
        result = classify(item, rule)
        points.append(ChipPoint(item.name, item.short_name, item.tpp, item.performance_density, item.market,
                                result.status, result.paragraph))
    chosen = get_chip(chip)
    return ExplorerView(rule, tuple(points), chosen, classify(chosen, rule), design, classify(design, rule))


# --------------------------------------------------------------------------------------------
# the chart
# --------------------------------------------------------------------------------------------

def _names(points: list[ChipPoint]) -> str:
    names = [p.short_name for p in points]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def alt_text(v: ExplorerView, show_design: bool = True) -> str:
    """What the chart shows, as its message in words (the chart's alt text)."""
    known = [p for p in v.points if p.tpp is not None]
    caught = [p for p in known if p.status == CONTROLLED]
    free = [p for p in known if p.status == NOT_CONTROLLED]
    unknown = [p for p in known if p.status == CANNOT_CLASSIFY]
    if v.rule == "2022-10":
        lines = (f"Under the 2022 rule a chip is controlled only if its TPP reaches {R22.tpp_threshold:,.0f} "
                 f"and its chip-to-chip links reach {R22.interconnect_threshold_gb_s:,.0f} GB/s; density plays no part.")
        slow_links = [p for p in free if p.tpp >= R22.tpp_threshold]
        below = [p for p in free if p.tpp < R22.tpp_threshold]
        parts = [f"{len(caught)} of {len(known)} chips are controlled ({_names(caught)})"]
        if slow_links:
            parts.append(f"{_names(slow_links)} pass the TPP line but escape with slower links")
        if below:
            parts.append(f"{_names(below)} stay below TPP {R22.tpp_threshold:,.0f}")
        if unknown:
            parts.append(f"{_names(unknown)} cannot be classified (link speed unknown)")
        message = f"{lines} {'; '.join(parts)}."
    else:
        lines = (f"Under the 2023 rule everything right of TPP {R23.tpp_threshold:,.0f} is controlled (a.1), "
                 f"and so is a datacenter chip above density {R23.pd_a2} (a.2), with a lighter tier (b.1, b.2) "
                 f"below it.")
        parts = [f"{len(caught)} of {len(known)} chips are controlled"]
        if free:
            details = [f"{p.short_name} (TPP {p.tpp:,.0f}" + (f", density {p.performance_density:.2f})"
                                                                if p.performance_density is not None else ")")
                       for p in free]
            parts.append("not controlled, just under the lines: " + ", ".join(details))
        message = f"{lines} {'; '.join(parts)}."
    if show_design:
        d = v.design
        figures = (f"TPP {d.tpp:,.0f} and density {d.performance_density:.2f}" if d.tpp is not None
                   and d.performance_density is not None else "unknown figures")
        message += f" Your design, the star, has {figures}: {v.design_result.verdict}."
    return message


def _regions(chart: svg.Chart, rule: str, labels: bool = True) -> None:
    if rule == "2022-10":
        color, opacity, hatch = REGION_LOOK["a.1"]
        chart.region(f"region {A_2022}", R22.tpp_threshold, TPP_RANGE[1], *PD_RANGE, color, opacity, hatch)
        chart.rule_line("line TPP 4800", "x", R22.tpp_threshold, VERMILLION)
        if not labels:
            return
        chart.text("region label", "3A090.a if links ≥ 600 GB/s", PLOT_RIGHT - 6, chart.y(0.6), TICK_SIZE,
                   "end", bold=True)
        chart.text("region label", "not controlled", chart.x(TPP_RANGE[0]) + 6, chart.y(1.0), TICK_SIZE)
        return
    t, floor, b1 = R23.tpp_threshold, R23.tpp_density_floor, R23.tpp_b1_floor
    for role, key, box in (("region 3A090.a.1", "a.1", (t, TPP_RANGE[1], *PD_RANGE)),
                           ("region 3A090.a.2", "a.2", (floor, t, R23.pd_a2, PD_RANGE[1])),
                           ("region 3A090.b.2", "b", (floor, t, R23.pd_b2, R23.pd_a2)),
                           ("region 3A090.b.1", "b", (b1, t, R23.pd_b1, R23.pd_b2))):
        color, opacity, hatch = REGION_LOOK[key]
        chart.region(role, *box, color, opacity, hatch)
    chart.rule_line("line TPP 4800", "x", t, VERMILLION)
    if not labels:
        return
    chart.text("region label", "a.1: TPP ≥ 4,800", PLOT_RIGHT - 6, chart.y(0.6), TICK_SIZE, "end", bold=True)
    chart.text("region label", "a.2", chart.x(floor) + 5, INSET_BOX[3] + 20, TICK_SIZE, bold=True)
    chart.text("region label", "b.2", chart.x(floor) + 5, chart.y(R23.pd_a2) + 16, TICK_SIZE, bold=True)
    chart.text("region label", "b.1", chart.x(t) - 5, chart.y(R23.pd_b1) - 5, TICK_SIZE, "end", bold=True)


def _position(chart: svg.Chart, tpp: float, pd: float | None) -> tuple[float, float]:
    return chart.x(tpp), (STRIP_Y if pd is None else chart.y(pd))


def chart(v: ExplorerView, show_design: bool = True, chart_id: str = "explorer") -> svg.Chart:
    """Draw ``v``: the rule's regions and thresholds, every chip, the selected chip and the design."""
    x = svg.Scale(*TPP_RANGE, PLOT_LEFT, PLOT_RIGHT, log=True)
    y = svg.Scale(*PD_RANGE, PLOT_BOTTOM, PLOT_TOP)
    title = f"AI chips against the lines of the {v.rule_label}"
    c = svg.Chart(chart_id, WIDTH, HEIGHT, x, y, title, alt_text(v, show_design))
    c.label_area = svg.Box(PLOT_LEFT, 4.0, PLOT_RIGHT, PLOT_BOTTOM)
    _regions(c, v.rule)
    c.frame()
    thresholds = (R23.tpp_density_floor, R23.tpp_b1_floor, R23.tpp_threshold)
    c.ticks("x", [1_000, *thresholds, 10_000, 50_000], ["1,000", "1,600", "2,400", "4,800", "10,000", "50,000"],
            TICK_SIZE, emphasis=thresholds if v.rule == "2023-10" else (R22.tpp_threshold,))
    c.ticks("y", [0, R23.pd_b1, R23.pd_b2, R23.pd_a2, 10, 15, 20], ["0", "1.6", "3.2", "5.92", "10", "15", "20"],
            TICK_SIZE, emphasis=(R23.pd_b1, R23.pd_b2, R23.pd_a2) if v.rule == "2023-10" else ())
    c.text("axis title", "TPP (dense TOPS × bit length), log scale", (PLOT_LEFT + PLOT_RIGHT) / 2,
           HEIGHT - 10, AXIS_SIZE, "middle", obstacle=False)
    c.text("axis title", "Performance density (TPP per mm²)", 16, (PLOT_TOP + PLOT_BOTTOM) / 2, AXIS_SIZE,
           "middle", rotate=-90)
    c.text("strip label", "die area unknown:", PLOT_LEFT + 4, STRIP_Y + 5, TICK_SIZE)

    # markers first (they are obstacles for every label), then labels, most important first
    groups: dict[tuple[float, float | None, str], list[ChipPoint]] = {}
    for point in v.points:
        if point.tpp is not None:
            groups.setdefault((point.tpp, point.performance_density, point.status), []).append(point)
    marks = sorted(groups.items(), key=lambda g: g[0][2] != CONTROLLED)
    _markers(c, marks)
    zoom = _zoom(c, v, marks, show_design)
    selected = (v.selected.tpp, v.selected.performance_density)
    if show_design and v.selected.tpp is not None:
        c.marker("selected chip", *_position(c, *selected), "ring", "currentColor", 11.0, filled=False,
                 name=v.selected.short_name)
        _design(c, v)
    _labels(c, [m for m in marks if not _in_zoom(*m[0][:2])], v.selected.name, show_design)
    _labels(zoom, [m for m in marks if _in_zoom(*m[0][:2])], v.selected.name, show_design)
    return c


def _size(status: str) -> float:
    # a controlled square is drawn larger, so a freed twin at the same spot shows inside it
    return 6.5 if status == CONTROLLED else 4.6


def _markers(c: svg.Chart, marks) -> None:
    for (tpp, pd, status), members in marks:
        look = STATUS_MARK[status]
        c.marker(f"chip {status}", *_position(c, tpp, pd), look["shape"], look["color"], _size(status),
                 filled=pd is not None, name=" / ".join(m.short_name for m in members))


def _labels(c: svg.Chart, marks, selected: str, show_design: bool) -> None:
    """Label each group of chips, the selected chip first."""
    ordered = sorted(marks, key=lambda m: (not any(p.name == selected for p in m[1]), m[0][0]))
    for (tpp, pd, status), members in ordered:
        ringed = show_design and any(p.name == selected for p in members)
        c.label("chip label", " / ".join(m.short_name for m in members), *_position(c, tpp, pd), LABEL_SIZE,
                clearance=_size(status) + (6.0 if ringed else 1.0))


def _in_zoom(tpp: float | None, pd: float | None) -> bool:
    return (tpp is not None and pd is not None and ZOOM_TPP[0] <= tpp <= ZOOM_TPP[1]
            and ZOOM_PD[0] <= pd <= ZOOM_PD[1])


def _zoom(c: svg.Chart, v: ExplorerView, marks, show_design: bool) -> svg.Chart:
    """The crowded area around TPP 4,800, enlarged in an inset at the top left (its chips are
    labelled there); a dashed box marks the area on the main chart."""
    corners = (c.x(ZOOM_TPP[0]), c.y(ZOOM_PD[1]), c.x(ZOOM_TPP[1]), c.y(ZOOM_PD[0]))
    c.items.append(svg.Item("line", "zoom area", f'<rect x="{svg.number(corners[0])}" y="{svg.number(corners[1])}" '
                                                 f'width="{svg.number(corners[2] - corners[0])}" '
                                                 f'height="{svg.number(corners[3] - corners[1])}" fill="none" '
                                                 f'stroke="currentColor" stroke-width="1" stroke-dasharray="3 2"/>'))
    box = svg.Box(*INSET_BOX)
    x = svg.Scale(*ZOOM_TPP, box.x0 + 6, box.x1 - 6, log=True)
    y = svg.Scale(*ZOOM_PD, box.y1 - 6, box.y0 + 22)
    z = c.inset("zoom", box, x, y)
    _regions(z, v.rule, labels=False)
    z.text("zoom title", "enlarged", box.x0 + 5, box.y0 + 16, TICK_SIZE, bold=True)
    z.text("zoom tick", "4,800", x(R23.tpp_threshold) + 3, box.y1 - 6, TICK_SIZE)
    if v.rule == "2023-10":
        z.text("zoom tick", "5.92", box.x0 + 5, y(R23.pd_a2) - 4, TICK_SIZE)
    inside = [m for m in marks if _in_zoom(*m[0][:2])]
    _markers(z, inside)
    if show_design and _in_zoom(v.selected.tpp, v.selected.performance_density):
        z.marker("selected chip", *_position(z, v.selected.tpp, v.selected.performance_density), "ring",
                 "currentColor", 11.0, filled=False, name=v.selected.short_name)
    d = v.design
    if show_design and _in_zoom(d.tpp, d.performance_density):
        z.marker("design", *_position(z, d.tpp, d.performance_density), "star",
                 STATUS_MARK[v.design_result.status]["color"], 10.0, filled=False, name="your design",
                 stroke_width=2.2)
    return z


def _design(c: svg.Chart, v: ExplorerView) -> None:
    """The designed chip: a hollow star in its status colour, labelled with its verdict; a design
    off the scale sits on the edge, with an arrow pointing the way."""
    d, mark = v.design, STATUS_MARK[v.design_result.status]
    tpp, pd = d.tpp, d.performance_density
    arrow = ""
    if not tpp or tpp < TPP_RANGE[0]:
        px, arrow = PLOT_LEFT, "←"
    elif tpp > TPP_RANGE[1]:
        px, arrow = PLOT_RIGHT, "→"
    else:
        px = c.x(tpp)
    if pd is not None and pd > PD_RANGE[1]:
        py, arrow = PLOT_TOP, arrow or "↑"
    else:
        py = c.y(pd) if pd is not None else STRIP_Y
    c.marker("design", px, py, "star", mark["color"], 10.0, filled=False, name="your design", stroke_width=2.2)
    verdict = v.design_result.short_verdict
    text = f"{arrow} your design\n(off the scale):\n{verdict}" if arrow else f"your design: {verdict}"
    c.label("design label", text, px, py, LABEL_SIZE, bold=True, clearance=11.0)


def legend_entries(rule: str, show_design: bool = True, statuses: tuple[str, ...] = tuple(STATUS_MARK),
                   hollow: bool = True) -> list[tuple[str, str]]:
    """The legend: what each colour, hatch and marker on the chart means (only what it shows)."""
    entries = [('<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" focusable="false">'
                '<rect x="0.5" y="0.5" width="17" height="13" fill="none" stroke="currentColor"/></svg>',
                "unshaded: not controlled")]
    if rule == "2022-10":
        entries.append((_region_swatch("a.1"), "3A090.a: TPP ≥ 4,800 with links ≥ 600 GB/s"))
    else:
        entries += [(_region_swatch("a.1"), "a.1: licence required"), (_region_swatch("a.2"), "a.2: licence required"),
                    (_region_swatch("b"), "b.1, b.2: lighter tier")]
    entries += [(svg.swatch_svg(m["shape"], m["color"]), status) for status, m in STATUS_MARK.items()
                if status in statuses]
    if hollow:
        entries.append((svg.swatch_svg("square", VERMILLION, filled=False), "hollow: die area unknown"))
    if show_design:
        entries.append((svg.swatch_svg("ring", "currentColor", filled=False, size=7), "selected chip"))
        entries.append((svg.swatch_svg("star", "currentColor", filled=False, size=7),
                        "your design (blue: not controlled; orange-red: controlled)"))
    return entries


def _region_swatch(key: str) -> str:
    color, opacity, _ = REGION_LOOK[key]
    return (f'<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" focusable="false">'
            f'<rect width="18" height="14" fill="{color}" fill-opacity="{min(1.0, opacity * 2.5):.2f}" '
            f'stroke="{color}"/></svg>')


def caption(rule: str) -> str:
    zoom = " The box at the top left enlarges the crowded area around TPP 4,800 (dashed on the chart)."
    if rule == "2022-10":
        return ("Markers show each chip's status under the 2022 rule, which also needs chip-to-chip links of "
                "600 GB/s or more; performance density played no part in it." + zoom)
    return ("Markers show each chip's status under the 2023 rule. The shaded areas apply to datacenter chips; "
            "Note 2 frees consumer chips below TPP 4,800 wherever they sit." + zoom)


SOURCE = "book/data/chips.csv (vendor datasheets and reports; dense figures); rule lines: 87 FR 62186, 88 FR 73458."


def figure(v: ExplorerView, show_design: bool = True, chart_id: str = "explorer") -> Figure:
    """The chart with its title, legend, caption and source, as HTML."""
    c = chart(v, show_design, chart_id)
    shown = [p for p in v.points if p.tpp is not None]
    statuses = tuple(s for s in STATUS_MARK if any(p.status == s for p in shown))
    hollow = any(p.performance_density is None for p in shown)
    legend = legend_html(legend_entries(v.rule, show_design, statuses, hollow))
    html = figure_html(c.svg(), c.title, caption(v.rule), SOURCE, legend)
    return Figure(html, c.description)


def panel(v: ExplorerView) -> Panel:
    """What the explorer shows: the chart and the two status texts."""
    return Panel(figure(v), (("Selected chip", f"{v.selected.name}: {v.selected_text}"),
                             ("Your design (the star)", v.design_text)))


def catalogue_figure(rule: str = "2023-10") -> Figure:
    """The chapter's static chart: the catalogue on the rule's axes, without a design."""
    return figure(view(rule), show_design=False, chart_id=f"catalogue-{rule}")


def dashboard():
    """The explorer as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])
