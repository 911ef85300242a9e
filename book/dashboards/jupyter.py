"""Thin ipywidgets wiring: a dashboard's controls as widgets, its panel in an HTML widget.

``build(dashboard)`` makes one widget per ``Control``, and on every change calls the dashboard's
``view`` and ``panel`` (the same pure functions the page and the browser use) and puts the
panel's HTML into the output widget. The returned box also carries the static HTML of its
starting state, which the book's site shows in place of the widget (``book.dashboards.page``).
"""

from __future__ import annotations

import math

from html import escape
from types import ModuleType

import ipywidgets as w

from book.dashboards.base import Control, defaults, explain, render
from book.dashboards.page import static_html
from book.language import _, translate


class DashboardBox(w.VBox):
    """The dashboard in a live kernel. Displayed, it also offers the static HTML of its starting
    state (``text/html``), which the site renders instead of the widget; its plain-text form is a
    one-line description rather than the widget tree."""

    def __init__(self, dashboard: ModuleType, children, **kwargs) -> None:
        super().__init__(children, **kwargs)
        self._dashboard = dashboard
        self._static_html = static_html(dashboard)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = _("{title} (a dashboard: live when this notebook runs in Jupyter)").format(
            title=translate(self._dashboard.TITLE))
        bundle["text/html"] = self._static_html
        return bundle


def _widget(control: Control):
    wide = {"layout": w.Layout(width="auto", min_width="260px", flex="1 1 300px"),
            "style": {"description_width": "initial"}}  # the whole label, however long
    # in the reader's language (book.language; unchanged in English)
    tooltip = {"tooltip": translate(control.help)} if control.help else {}
    label = translate(control.label)
    options = [(translate(text), value) for text, value in control.options]
    if control.kind == "choice" and control.buttons:
        return w.ToggleButtons(options=options, value=control.default, description=f"{label}:", **tooltip)
    if control.kind == "choice":
        return w.Dropdown(options=options, value=control.default, description=f"{label}:", **tooltip, **wide)
    unit = f" ({translate(control.unit)})" if control.unit else ""
    if control.log:  # equal ratios per step; values are rounded to the control's step before use
        return w.FloatLogSlider(value=control.default, base=10, min=math.log10(control.minimum),
                                max=math.log10(control.maximum), step=0.001, description=label + unit,
                                continuous_update=False, readout_format=".0f", **tooltip, **wide)
    # the slider's number box is editable: type a value for an exact setting; it shows as many
    # decimals as the step has (0.005 must not read 0.01)
    decimals = max(0, -math.floor(math.log10(control.step) + 1e-9))
    return w.FloatSlider(value=control.default, min=control.minimum, max=control.maximum, step=control.step,
                         description=label + unit, continuous_update=False, readout_format=f".{decimals}f",
                         **tooltip, **wide)


def build(dashboard: ModuleType) -> DashboardBox:
    """The dashboard as ipywidgets, wired to its ``view`` and ``panel``."""
    controls = {control.name: _widget(control) for control in dashboard.CONTROLS}
    by_name = {control.name: control for control in dashboard.CONTROLS}
    output = w.HTML(layout=w.Layout(width="100%"))
    row = w.Layout(display="flex", flex_flow="row wrap", width="100%")

    def value(control: Control, widget) -> object:
        if control.kind != "number":
            return widget.value
        if control.log:
            return control.on_step(widget.value)
        # the browser's slider does its arithmetic in floating point: a step down from 8 can
        # arrive as 6.999999999999999, which a whole-number input must not refuse
        return round(float(widget.value), 9)

    panel = render(dashboard, defaults(dashboard.CONTROLS)).html()  # the last one drawn

    def update(_change=None) -> None:
        nonlocal panel
        try:
            panel = render(dashboard, {name: value(by_name[name], widget) for name, widget in controls.items()}).html()
            output.value = panel
        except ValueError as error:  # a typed value the model refuses: say so above the last panel
            said, _control = explain(dashboard.CONTROLS, str(error))  # in the control's words
            output.value = f'<p class="book-dashboard-error" role="alert">{escape(translate(said))}</p>' + panel

    for widget in controls.values():
        widget.observe(update, names="value")
    output.value = panel
    groups: dict[str, list] = {}
    for control in dashboard.CONTROLS:
        groups.setdefault(control.group, []).append(controls[control.name])
    boxes = [w.VBox([w.HTML(f"<b>{escape(translate(group))}</b>"), w.Box(items, layout=row)]) if group
             else w.Box(items, layout=row) for group, items in groups.items()]
    box = DashboardBox(dashboard, [*boxes, output])
    box.add_class("book-dashboard-widget")  # the whole dashboard, for styles and tests to find
    box.controls, box.output = controls, output
    return box
