"""Design your own rule (chapter 5): draw the lines, see which chips they catch and which escape.

``view`` is the pure update function: the thresholds of a designed rule (TPP, density, memory
bandwidth, chip-to-chip bandwidth, an HBM line; 0 turns a line off), whether consumer cards under
the TPP line are exempt, and the real rule to compare with in; every catalogue chip's fate under
both rules out, with what the designed rule catches that the real one does not, and the reverse.
``panel`` draws it: the catalogue on a chart of TPP against memory bandwidth, with the lines.
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from book.dashboards import svg
from book.dashboards.base import Control, Panel, rule_control
from book.display import Table, table
from book.export_controls import RULES
from book.figure import Figure, figure_html, legend_html
from book.palette import OKABE_ITO, STATUS_MARK
from book.rule_design import CAUGHT, EXEMPT, FREE, UNKNOWN, Comparison, DesignedRule, compare
from book.validate import positive

NAME = "rule_designer"
TITLE = "Design your own rule"

CONTROLS = (
    Control("tpp", "TPP line", "number", 4800.0, minimum=0.0, maximum=20_000.0, step=100.0, group="Your lines",
            help="Catch every chip whose TPP reaches this (0: no TPP line). The 2023 rule: 4,800."),
    Control("density", "Density line", "number", 5.92, minimum=0.0, maximum=20.0, step=0.01, unit="TPP per mm²",
            group="Your lines", help="Catch chips whose performance density reaches this, if their TPP is at least "
                                     "1,600 (0: no density line). The 2023 rule: 5.92."),
    Control("memory_bandwidth_gb_s", "Memory bandwidth line", "number", 0.0, minimum=0.0, maximum=10_000.0,
            step=100.0, unit="GB/s", group="Your lines",
            help="Catch chips whose memory bandwidth reaches this (0: no such line). 3A090 itself has none; the "
                 "April 2025 H20 licence requirement and the 2026 review policy use one."),
    Control("interconnect_gb_s", "Chip-to-chip line", "number", 0.0, minimum=0.0, maximum=2000.0, step=50.0,
            unit="GB/s", group="Your lines",
            help="Catch chips whose chip-to-chip bandwidth reaches this (0: no such line). The 2022 rule used "
                 "600 GB/s, together with a TPP test."),
    Control("hbm", "HBM line", "choice", "off", buttons=True, options=(("no", "off"), ("catch HBM chips", "on")),
            group="Your lines", help="Catch every chip with high-bandwidth memory (HBM), whatever its speed."),
    Control("exempt_consumer", "Gaming cards", "choice", "yes", buttons=True,
            options=(("exempt below the TPP line", "yes"), ("not exempt", "no")), group="Your lines",
            help="Whether consumer cards below your TPP line go free, as Note 2 of the 2023 rule frees them."),
    rule_control("The real rule to compare yours with.", group="Compare"),
)


@dataclass(frozen=True)
class DesignView:
    rule: DesignedRule
    real: str
    rows: tuple[Comparison, ...]

    def names(self, test) -> list[str]:
        return [row.judgement.chip.short_name for row in self.rows if test(row)]

    @property
    def caught(self) -> list[str]:
        return self.names(lambda r: r.judgement.status == CAUGHT)


def _line(name: str, value: float) -> float | None:
    return None if positive(name, value, allow_zero=True) == 0 else float(value)


def view(tpp: float = 4800.0, density: float = 5.92, memory_bandwidth_gb_s: float = 0.0,
         interconnect_gb_s: float = 0.0, hbm: str = "off", exempt_consumer: str = "yes",
         rule: str = "2023-10") -> DesignView:
    """The update function. ValueError naming the parameter for a negative threshold, a choice
    that is not on offer, or an unknown real rule."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}, got {rule!r}")
    if hbm not in ("on", "off"):
        raise ValueError(f"hbm must be 'on' or 'off', got {hbm!r}")
    if exempt_consumer not in ("yes", "no"):
        raise ValueError(f"exempt_consumer must be 'yes' or 'no', got {exempt_consumer!r}")
    tpp_line = _line("tpp", tpp)
    designed = DesignedRule(tpp=tpp_line, density=_line("density", density),
                            memory_bandwidth_gb_s=_line("memory_bandwidth_gb_s", memory_bandwidth_gb_s),
                            interconnect_gb_s=_line("interconnect_gb_s", interconnect_gb_s), hbm=hbm == "on",
                            consumer_exempt_below_tpp=tpp_line if exempt_consumer == "yes" and tpp_line else None)
    return DesignView(designed, rule, compare(designed, rule))


# --------------------------------------------------------------------------------------------
# what the reader sees
# --------------------------------------------------------------------------------------------

def _list(names: list[str]) -> str:
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def texts(v: DesignView) -> tuple[tuple[str, str], ...]:
    label = RULES[v.real].label
    lines = v.rule.lines
    drawn = _list(list(lines)) if lines else "no line at all"
    real_caught = v.names(lambda r: r.real.controlled is True)
    catches = (f"Your rule ({drawn}) catches {len(v.caught)} of {len(v.rows)} catalogue chips: {_list(v.caught)}. "
               f"The {label} catches {len(real_caught)}.")
    extra = v.names(lambda r: r.differs and r.judgement.caught)
    missed = v.names(lambda r: r.differs and not r.judgement.caught)
    gaming = v.names(lambda r: r.judgement.status == CAUGHT and r.judgement.chip.market == "consumer")
    if extra or missed:
        cost = f"Beyond the {label}, yours also catches {_list(extra)}; it lets go {_list(missed)}."
    else:
        cost = f"Your rule agrees with the {label} on every chip both can judge."
    if gaming:
        cost += f" It catches gaming cards ({_list(gaming)}), which millions of consumers buy."
    unknown = v.names(lambda r: r.judgement.status == UNKNOWN)
    if unknown:
        cost += f" It cannot judge {_list(unknown)}: a figure one of your lines needs is not published."
    reading = ("Each line has a cost: a lower TPP line catches more gaming cards and older chips; a memory-bandwidth "
               "line reaches serving chips such as the H20, which TPP misses (chapter 4); an HBM line catches nearly "
               "every datacenter chip; and every line must be enforced on chips whose figures regulators cannot "
               "always check.")
    return (("What your rule catches", catches), ("Against the real rule", cost), ("The trade-off", reading))


def alt_text(v: DesignView) -> str:
    return (f"Scatter chart of the catalogue's chips by TPP (horizontal, log scale) and memory bandwidth. Your rule "
            f"catches {len(v.caught)} of {len(v.rows)} chips (filled marks): {_list(v.caught)}; hollow marks go free. "
            f"Dashed lines show your TPP and memory-bandwidth lines where you drew them.")


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480.0, 330.0, 70.0, 462.0, 16.0, 272.0
TICK = 14.5
LOOK = {CAUGHT: (STATUS_MARK["controlled"]["color"], "square", True),
        FREE: (STATUS_MARK["not controlled"]["color"], "circle", False),
        EXEMPT: (OKABE_ITO["green"], "circle", False),
        UNKNOWN: ("currentColor", "x", False)}


def chart(v: DesignView, chart_id: str = "rule-design") -> svg.Chart:
    x = svg.Scale(1000, 50_000, LEFT, RIGHT, log=True)
    y = svg.Scale(0, 9000, BOTTOM, TOP)
    c = svg.Chart(chart_id, WIDTH, HEIGHT, x, y, "Your rule on the catalogue", alt_text(v))
    if v.rule.tpp is not None and x.contains(v.rule.tpp):
        c.rule_line("line TPP", "x", v.rule.tpp, OKABE_ITO["vermillion"])
    if v.rule.memory_bandwidth_gb_s is not None and y.contains(v.rule.memory_bandwidth_gb_s):
        c.rule_line("line memory bandwidth", "y", v.rule.memory_bandwidth_gb_s, OKABE_ITO["vermillion"])
    placed = []  # (row, px, py) for every chip with both figures
    for row in v.rows:
        chip = row.judgement.chip
        if chip.tpp is not None and chip.memory_bandwidth_gb_s is not None:
            placed.append((row, c.x(min(max(chip.tpp, 1000), 50_000)), c.y(min(chip.memory_bandwidth_gb_s, 9000))))
    for row, px, py in placed:  # marks first, so that no label covers one
        color, shape, filled = LOOK[row.judgement.status]
        c.marker(f"chip {row.judgement.chip.short_name}", px, py, shape, color, 5.5, filled=filled,
                 name=row.judgement.chip.short_name)
    for row, px, py in placed:
        c.label(f"name {row.judgement.chip.short_name}", row.judgement.chip.short_name, px, py, TICK)
    c.frame()
    xt = [1000, 2000, 5000, 10_000, 20_000, 50_000]
    c.ticks("x", xt, [f"{t:,}" for t in xt], TICK)
    yt = [0, 2000, 4000, 6000, 8000]
    c.ticks("y", yt, [f"{t:,}" for t in yt], TICK)
    c.text("x title", "TPP (log scale)", (LEFT + RIGHT) / 2, HEIGHT - 12, 14.5, "middle", obstacle=False)
    c.text("y title", "memory bandwidth, GB/s", 16, (TOP + BOTTOM) / 2, 14.5, "middle", rotate=-90, obstacle=False)
    return c


def chip_table(v: DesignView) -> Table:
    rows = []
    for row in v.rows:
        j = row.judgement
        rows.append((j.chip.short_name, j.status, row.real.short_verdict, "yes" if row.differs else "",
                     ", ".join(j.crossed) or "–"))
    return table(rows, columns=("Chip", "Your rule", RULES[v.real].label.capitalize(), "Differs", "Lines crossed"),
                 caption="Every catalogue chip under your rule and the real one; exempt = a consumer card below your "
                         "TPP line; cannot judge = a figure your lines need is not published.")


def figure(v: DesignView, chart_id: str = "rule-design") -> Figure:
    c = chart(v, chart_id)
    legend = legend_html([(svg.swatch_svg(shape, color, filled), status) for status, (color, shape, filled) in LOOK.items()])
    caption = ("Chips placed by TPP and memory bandwidth; the density, chip-to-chip and HBM lines are not drawn, but "
               "their verdicts are in the marks and the table. A chip without a published memory bandwidth (the "
               "Ascend 910) is only in the table. Figures from the chip catalogue (dense throughput).")
    return Figure(figure_html(c.svg(), c.title, caption, "book/data/chips.csv; book/rule_design.py", legend),
                  c.description)


def panel(v: DesignView) -> Panel:
    return Panel(figure(v), texts(v), chip_table(v)._repr_html_())


def dashboard():
    """The rule designer as a live ipywidgets dashboard, for a Jupyter notebook."""
    import sys

    from book.dashboards.jupyter import build

    return build(sys.modules[__name__])

