"""A dashboard as static HTML for the book's site.

The site cannot run a Jupyter kernel. ``static_html`` writes the dashboard's controls as real
HTML form controls, each with a label and a description a screen reader announces, *inactive*
(inside a disabled fieldset) and showing the values the panel was drawn with, so what the page
shows is always consistent. Beside them, a note says how to use the dashboard live. The panel is
the same HTML the notebook's dashboard shows for those values.

Standard library only.
"""

from __future__ import annotations

import math

from html import escape
from types import ModuleType

from book.dashboards.base import Control, coerce_all, render
from book.dashboards.svg import number
from book.language import N_, translate_html

#: how the note beside inactive controls reads where it is stored: in a notebook's output (which
#: JupyterLab and the in-browser notebooks show until the cell runs) and in the site's page (whose
#: script, ``book/tooling/static/dashboards.js``, puts ``SITE_NOTE`` in its place beside the button)
STATIC_NOTE = N_("The controls below are inactive: the chart shows the settings listed. To change them, run "
                 "this cell (in JupyterLab, or in your browser from an exercise page's link); on the book's web "
                 "pages, use the button “Make this dashboard live”.")
#: the note on the site, where the button is right below it (dashboards.js writes it)
SITE_NOTE = N_("The controls below are inactive: the chart shows the settings listed. To change them, make the "
               "dashboard live with the button, which runs the book's Python in your browser.")


def settings_text(controls: tuple[Control, ...], values: dict[str, object]) -> str:
    """The settings in words: "Rule: 2023 rule; Chip: H100; Dense throughput: 148 TFLOPS; ..."."""
    parts = []
    for control in controls:
        value = values[control.name]
        if control.kind == "choice":
            shown = next(text for text, option in control.options if option == value)
        else:
            shown = f"{number(float(value))} {control.unit}".strip()
        parts.append(f"{control.label}: {shown}")
    return "; ".join(parts) + "."


def _attrs(**values: object) -> str:
    return "".join(f' {name.replace("_", "-")}="{escape(str(value))}"' for name, value in values.items()
                   if value is not None)


def _help(control_id: str, control: Control) -> tuple[str, str | None]:
    if not control.help:
        return "", None
    help_id = f"{control_id}-help"
    return f'<span class="book-help" id="{help_id}">{escape(control.help)}</span>', help_id


#: a log slider's step in log10 units: ten steps double the value (an arrow key moves it about 7%)
LOG_STEP = "0.03"


def _exact(value: float) -> str:
    """A bound as HTML needs it: every significant digit, no exponent for ordinary values."""
    return f"{value:.10g}"


def control_html(prefix: str, control: Control, value: object) -> str:
    """One control: a labelled form element (or radio group) with its description."""
    control_id = f"{prefix}-{control.name}"
    help_html, help_id = _help(control_id, control)
    if control.kind == "choice" and control.buttons:
        radios = "".join(
            f'<label class="book-radio"><input type="radio"{_attrs(name=control_id, value=option)}'
            f'{" checked" if option == value else ""} data-control="{control.name}"> {escape(text)}</label>'
            for text, option in control.options)
        return (f'<fieldset class="book-control book-choice" id="{control_id}"{_attrs(aria_describedby=help_id)}>'
                f'<legend>{escape(control.label)}</legend>{radios}{help_html}</fieldset>')
    if control.kind == "choice":
        options = "".join(f'<option{_attrs(value=option)}{" selected" if option == value else ""}>'
                          f'{escape(text)}</option>' for text, option in control.options)
        return (f'<div class="book-control"><label for="{control_id}">{escape(control.label)}</label>'
                f'<select{_attrs(id=control_id, name=control.name, aria_describedby=help_id)} '
                f'data-control="{control.name}">{options}</select>{help_html}</div>')
    unit = f" ({control.unit})" if control.unit else ""
    # (bounds keep every digit: a step of 0.001 rounded to 0.00 would freeze the slider)
    bounds = {"min": _exact(control.minimum), "max": _exact(control.maximum), "step": _exact(control.step)}
    shown = number(float(value))
    if control.log:  # the slider moves in log10 of the value; the box keeps the value itself
        scale = {"min": f"{math.log10(control.minimum):.4f}", "max": f"{math.log10(control.maximum):.4f}",
                 "step": LOG_STEP, "value": f"{math.log10(float(value)):.4f}"}
        log_attrs = (f' data-log="1" data-step="{_exact(control.step)}" data-min="{_exact(control.minimum)}"'
                     f' data-max="{_exact(control.maximum)}"')
        slider = (f'<input type="range"{_attrs(id=control_id, name=control.name, aria_describedby=help_id, **scale)}'
                  f' aria-valuetext="{shown}" data-control="{control.name}"{log_attrs}>')
    else:
        slider = (f'<input type="range"{_attrs(id=control_id, name=control.name, value=shown, aria_describedby=help_id, **bounds)}'
                  f' data-control="{control.name}">')
    return (f'<div class="book-control book-number"><label for="{control_id}">{escape(control.label + unit)}</label>'
            f'{slider}'
            f'<input type="number"{_attrs(id=control_id + "-exact", value=shown, aria_label=control.label + unit + ", exact value", aria_describedby=help_id, **bounds)}'
            f' data-control="{control.name}" data-exact="1">{help_html}</div>')


def controls_html(prefix: str, controls: tuple[Control, ...], values: dict[str, object]) -> str:
    """The controls, grouped as the dashboard groups them (a fieldset per named group)."""
    groups: dict[str, list[str]] = {}
    for control in controls:
        groups.setdefault(control.group, []).append(control_html(prefix, control, values[control.name]))
    parts = []
    for group, items in groups.items():
        if group:
            parts.append(f'<fieldset class="book-group"><legend>{escape(group)}</legend>{"".join(items)}</fieldset>')
        else:
            parts.append(f'<div class="book-group">{"".join(items)}</div>')
    return "".join(parts)


def static_html(dashboard: ModuleType, values: dict[str, object] | None = None, note: str = STATIC_NOTE) -> str:
    """The dashboard on a static page: the note with the settings in words, the inactive controls,
    and the panel for ``values``."""
    settings = coerce_all(dashboard.CONTROLS, values or {})
    prefix = f"dash-{dashboard.NAME}"
    panel = render(dashboard, settings)
    # in the reader's language (book.language.translate_html; unchanged in English)
    return translate_html(f'<section class="book-dashboard" id="{prefix}" data-dashboard="{dashboard.NAME}" '
            f'aria-label="{escape(dashboard.TITLE)}">'
            f'<p class="book-dashboard-note" role="note">{escape(note)} '
            f'<span class="book-dashboard-settings">{escape(settings_text(dashboard.CONTROLS, settings))}</span></p>'
            f'<form class="book-dashboard-controls" onsubmit="return false">'
            f'<fieldset class="book-dashboard-inactive" disabled><legend>{escape(dashboard.TITLE)}: controls</legend>'
            f'{controls_html(prefix, dashboard.CONTROLS, settings)}</fieldset></form>'
            f'<div class="book-dashboard-panel">{panel.html()}</div></section>')
