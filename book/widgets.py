"""Dashboards: thin ipywidgets wiring around the models and one matplotlib figure each.

Each dashboard has a pure *update function* (``explorer_view``) that turns control values into
everything the dashboard shows, so it can be tested and timed without a browser or a kernel;
a *draw* function that turns that view into a figure; and a constructor that wires widgets to both.
"""

from __future__ import annotations

from dataclasses import dataclass

from book import style
from book.export_controls import RULES, Classification, classify
from book.hardware import MARKETS, PRECISION_BITS, PRECISION_COLUMN, Chip, get_chip, load_chips

# The 2023 rule's lines, drawn on the chart (taken from the rule data, not retyped).
_R23 = RULES["2023-10"]
TPP_RANGE = (500.0, 50_000.0)
PD_RANGE = (0.0, 22.0)
#: y position at which chips with unknown performance density are drawn
PD_UNKNOWN_Y = 21.0


@dataclass(frozen=True)
class ChipPoint:
    """One chip on the explorer chart."""

    name: str
    short_name: str
    tpp: float | None
    performance_density: float | None
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

    def chip_summary(self, chip: Chip, result: Classification, named: bool = True) -> str:
        pd = chip.performance_density
        prefix = f"{chip.name}: " if named else ""
        parts = [
            f"{prefix}TPP {chip.tpp:,.0f}" if chip.tpp is not None else f"{prefix}TPP unknown",
            f"performance density {pd:.2f}" if pd is not None else "performance density unknown",
            (f"chip-to-chip {chip.interconnect_gb_s:,.0f} GB/s" if chip.interconnect_gb_s is not None
             else "chip-to-chip bandwidth unknown"),
            chip.market,
        ]
        where = f" ({result.paragraph})" if result.paragraph else ""
        return f"{', '.join(parts)}. Under the {result.rule} rule: {result.status}{where}. {result.reason}"

    @property
    def selected_text(self) -> str:
        return self.chip_summary(self.selected, self.selected_result)

    @property
    def design_text(self) -> str:
        return self.chip_summary(self.design, self.design_result, named=False)

    @property
    def alt_text(self) -> str:
        """A text description of the chart, for readers who cannot see it."""
        counts: dict[str, int] = {}
        for point in self.points:
            counts[point.status] = counts.get(point.status, 0) + 1
        tally = ", ".join(f"{n} {status}" for status, n in counts.items())
        design = self.design
        tpp = f"TPP {design.tpp:,.0f}" if design.tpp is not None else "unknown TPP"
        pd = (f"performance density {design.performance_density:.2f}" if design.performance_density is not None
              else "unknown density")
        return (f"Scatter chart of {len(self.points)} chips by Total Processing Performance (log scale) and "
                f"performance density, over the shaded regions of the 2023 rule. Under the {self.rule} rule: "
                f"{tally}. Your design, a star, has {tpp} and {pd}: {self.design_result.status}.")


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


def explorer_view(rule: str = "2023-10", selected: str = "H20", dense_tflops: float = 148.0,
                  precision: str = "fp16", die_area_mm2: float = 814.0, interconnect_gb_s: float = 900.0,
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
    for chip in load_chips():
        result = classify(chip, rule)
        points.append(ChipPoint(chip.name, chip.short_name, chip.tpp, chip.performance_density, result.status,
                                result.paragraph))
    chosen = get_chip(selected)
    return ExplorerView(rule, tuple(points), chosen, classify(chosen, rule), design, classify(design, rule))


# --------------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------------

def _shade_2023_regions(ax) -> None:
    """Shade the datacenter regions of the 2023 rule (hatched as well as coloured)."""
    lo, hi = TPP_RANGE
    a_style = {"facecolor": style.OKABE_ITO["vermillion"], "alpha": 0.13, "hatch": "//", "edgecolor": "none"}
    b_style = {"facecolor": style.OKABE_ITO["orange"], "alpha": 0.16, "hatch": "..", "edgecolor": "none"}
    t, floor, b1 = _R23.tpp_threshold, _R23.tpp_density_floor, _R23.tpp_b1_floor
    ax.fill_between([t, hi], PD_RANGE[0], PD_RANGE[1], **a_style)
    ax.fill_between([floor, t], _R23.pd_a2, PD_RANGE[1], **a_style)
    ax.fill_between([floor, t], _R23.pd_b2, _R23.pd_a2, **b_style)
    ax.fill_between([b1, t], _R23.pd_b1, _R23.pd_b2, **b_style)
    ax.text(t * 1.08, 1.0, "a.1: TPP ≥ 4800", fontsize=9)
    ax.text(floor * 1.04, 12.5, "a.2", fontsize=9)
    ax.text(floor * 1.04, 4.3, "b.2", fontsize=9)
    ax.text(b1 * 1.6, 1.8, "b.1", fontsize=9)
    ax.text(lo * 1.1, 0.5, "not controlled", fontsize=9)


#: label offsets in points for catalogue chips that would otherwise overlap on the chart
LABEL_OFFSETS = {
    "Ascend 910": (-28, 7), "RTX 4090": (6, 5), "RTX 4090D": (-62, -4), "Ascend 910B": (6, -11),
    "A100": (8, -3), "A800": (8, -14), "H800": (6, -12), "Ascend 910C": (-40, 7), "MI300X": (4, 5),
    "B200": (-10, 7),
}


def _label_groups(points):
    """Merge chips that share a point and a status ("H100 / H200"), with their label offsets."""
    groups: dict[tuple[float, float, bool, str], list[ChipPoint]] = {}
    for point in points:
        if point.tpp is None:
            continue
        hollow = point.performance_density is None
        y = PD_UNKNOWN_Y if hollow else point.performance_density
        groups.setdefault((point.tpp, y, hollow, point.status), []).append(point)
    placed = []
    for (tpp, y, hollow, status), members in groups.items():
        names = [m.short_name for m in members]
        placed.append(((tpp, y, hollow), names, status, LABEL_OFFSETS.get(names[0], (5, 4))))
    return placed


def _draw_design(ax, view: ExplorerView, animated: bool = False) -> list:
    """Draw the designed chip (a hollow star and its label); return the artists drawn."""
    design = view.design
    if design.tpp is None or design.tpp <= 0:
        return []
    look = style.STATUS_STYLE[view.design_result.status]
    # clip into the visible window so an extreme design stays on the chart, at its edge
    x = min(max(design.tpp, TPP_RANGE[0] * 1.02), TPP_RANGE[1] * 0.98)
    y = min(design.performance_density, PD_UNKNOWN_Y - 1.2)
    # hollow, so a catalogue chip at the same spot (the H20 at the defaults) stays visible
    star = ax.scatter([x], [y], s=260, marker="*", facecolors="none", edgecolors=look["color"], linewidths=2,
                      zorder=4, animated=animated)
    label = ax.annotate("your design", (x, y), textcoords="offset points", xytext=(-12, -17), fontsize=9,
                        fontweight="bold", animated=animated)
    return [star, label]


def draw_explorer(view: ExplorerView, fig=None, show_design: bool = True):
    """Draw the explorer chart for ``view``; returns the matplotlib Figure.

    ``show_design=False`` leaves out the star, for a plain chart of the catalogue.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    style.apply()
    if fig is None:
        fig = Figure(figsize=(7.5, 5.0))
    fig.clear()
    ax = fig.add_subplot()
    _shade_2023_regions(ax)
    if view.rule == "2022-10":
        ax.axvline(RULES["2022-10"].tpp_threshold, color=style.OKABE_ITO["black"], linestyle="--", linewidth=1)
        ax.text(RULES["2022-10"].tpp_threshold * 1.05, 18.5, "2022 line: 4800\n(plus ≥ 600 GB/s links)", fontsize=8)
    for (tpp, y, hollow), names, status, offset in _label_groups(view.points):
        look = style.STATUS_STYLE[status]
        face = "white" if hollow else look["color"]
        # controlled squares are drawn larger, so a chip that shares a point with a freed twin
        # (A100 and A800 under the 2022 rule) shows as a dot inside a square
        size = 80 if status == "controlled" else 35
        ax.scatter([tpp], [y], s=size, marker=look["marker"], color=look["color"], zorder=3,
                   facecolors=face if look["marker"] != "x" else None)
        ax.annotate(" / ".join(names), (tpp, y), textcoords="offset points", xytext=offset, fontsize=8)
    if show_design:
        _draw_design(ax, view)
    ax.axhline(PD_UNKNOWN_Y - 0.8, color="#999999", linewidth=0.5)
    ax.text(TPP_RANGE[0] * 1.1, PD_UNKNOWN_Y - 0.5, "die area unknown (hollow markers)", fontsize=8, color="#555555")
    ax.set_xscale("log")
    ax.set_xlim(*TPP_RANGE)
    ax.set_ylim(*PD_RANGE)
    ax.set_xlabel("Total Processing Performance, TPP (dense TOPS × bit length, log scale)")
    ax.set_ylabel("Performance density (TPP per mm² of die)")
    ax.set_title(f"AI chips against the lines of the 2023 rule\n(markers show each chip's status under the "
                 f"{view.rule[:4]} rule)")
    handles = [Line2D([], [], linestyle="", marker=look["marker"], color=look["color"], label=status)
               for status, look in style.STATUS_STYLE.items()]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(0.0, 0.62))
    style.source_line(fig, "book/data/chips.csv (vendor datasheets and reports); rule lines: 88 FR 73458.")
    fig.subplots_adjust(bottom=0.16)
    return fig


class ChartRenderer:
    """Renders the explorer's chart fast enough for a slider.

    Only the designed chip changes between most updates, so the rest of the chart (regions,
    catalogue chips, labels: it depends on the rule alone) is drawn once per rule and kept as a
    bitmap; each update restores that bitmap and draws the star on top (Agg "blitting"). The
    result matches ``draw_explorer(view)`` drawn from scratch.
    """

    def __init__(self) -> None:
        self._backgrounds: dict[str, tuple] = {}

    def png(self, view: ExplorerView) -> bytes:
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        if view.rule not in self._backgrounds:
            fig = draw_explorer(view, show_design=False)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            self._backgrounds[view.rule] = (fig, canvas, canvas.copy_from_bbox(fig.bbox))
        fig, canvas, background = self._backgrounds[view.rule]
        canvas.restore_region(background)
        ax = fig.axes[0]
        artists = _draw_design(ax, view, animated=True)
        for artist in artists:
            ax.draw_artist(artist)
        image = Image.frombuffer("RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
        for artist in artists:
            artist.remove()
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=3)
        return buffer.getvalue()


def figure_png(fig) -> bytes:
    """A figure as PNG bytes (what an Image widget shows)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# the dashboard
# --------------------------------------------------------------------------------------------

def chart_html(view: ExplorerView, renderer: ChartRenderer | None = None) -> str:
    """The explorer's chart as an HTML <img> with alt text (shown by an HTML widget)."""
    import base64
    import html

    png = renderer.png(view) if renderer is not None else figure_png(draw_explorer(view))
    data = base64.b64encode(png).decode()
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(view.alt_text)}" '
            'style="width:100%;max-width:750px;height:auto">')


def threshold_explorer():
    """The threshold explorer: chips on a TPP vs performance-density chart, and a chip you design.

    The chapter states, beside the dashboard, that its controls only recompute in a live kernel.
    """
    import html

    import ipywidgets as w

    # Flexible widths and wrapping rows keep the controls usable on a phone-width page.
    wide = {"layout": w.Layout(width="auto", min_width="260px", flex="1 1 300px"),
            "style": {"description_width": "130px"}}
    row = w.Layout(display="flex", flex_flow="row wrap", width="100%")
    chips = [c.name for c in load_chips()]
    rule = w.ToggleButtons(options=[("2022 rule", "2022-10"), ("2023 rule", "2023-10")], value="2023-10",
                           description="Rule:")
    selected = w.Dropdown(options=chips, value=get_chip("H20").name, description="Chip:", **wide)
    # the slider's number box is editable: type a value for precise designs
    tflops = w.FloatSlider(value=148, min=0, max=2500, step=1, description="Dense TFLOPS",
                           continuous_update=False, **wide)
    precision = w.Dropdown(options=list(PRECISION_BITS), value="fp16", description="Precision:", **wide)
    area = w.FloatSlider(value=814, min=50, max=1200, step=1, description="Die area (mm²)",
                         continuous_update=False, **wide)
    link = w.FloatSlider(value=900, min=0, max=2000, step=10, description="Chip-to-chip (GB/s)",
                         continuous_update=False, **wide)
    market = w.ToggleButtons(options=list(MARKETS), value="datacenter", description="Market:")
    # The chart is a PNG inside an HTML widget: it needs no output capture, so it renders on the
    # static page from the stored widget state, carries alt text, and updates in a live kernel.
    chart = w.HTML(layout=w.Layout(width="100%"))
    selected_text = w.HTML()
    design_text = w.HTML()
    renderer = ChartRenderer()

    def update(_change=None) -> None:
        view = explorer_view(rule.value, selected.value, tflops.value, precision.value, area.value,
                             link.value, market.value)
        selected_text.value = f"<p><b>Selected chip:</b> {html.escape(view.selected_text)}</p>"
        design_text.value = f"<p><b>Your design (the star):</b> {html.escape(view.design_text)}</p>"
        chart.value = chart_html(view, renderer)

    for control in (rule, selected, tflops, precision, area, link, market):
        control.observe(update, names="value")
    update()
    design_box = w.VBox([w.HTML("<b>Design a chip</b> (type into a slider's number box for an exact value)"),
                         w.Box([tflops, precision], layout=row), w.Box([area, link], layout=row), market])
    return w.VBox([w.Box([rule, selected], layout=row), chart, selected_text, design_box, design_text])
