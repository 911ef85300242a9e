"""What every dashboard shares: the description of its controls and the panel it shows.

A dashboard is a module in ``book/dashboards/`` that defines

* ``NAME`` (its module name) and ``TITLE``;
* ``CONTROLS``: a tuple of ``Control``, one per keyword argument of ``view``;
* ``view(**values)``: the pure update function, control values in, plain data out; it raises a
  ``ValueError`` naming the parameter for bad input;
* ``panel(view_result)``: what the reader sees for that view, as a ``Panel`` (the chart's HTML,
  the status texts and the alt text).

All of it is standard-library Python, so the same code runs in Jupyter (``book.dashboards.jupyter``
wires ipywidgets to it), in the tests, in the benchmark, on the static page
(``book.dashboards.page``) and in the reader's browser (``book.dashboards.live``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from types import ModuleType

from book.export_controls import RULES
from book.figure import Figure
from book.language import translate, translate_html


@dataclass(frozen=True)
class Control:
    """One control of a dashboard.

    ``kind`` is "choice" (``options`` are (shown text, value) pairs; ``buttons=True`` shows a
    short choice as a row of buttons) or "number" (a slider from ``minimum`` to ``maximum`` in
    steps of ``step``, with a box to type an exact value; ``log=True`` makes the slider move in
    equal ratios, 1, 2, 4, 8..., for a range over several powers of ten, its values still rounded
    to ``step``). ``help`` is one sentence a screen
    reader announces with the control.
    """

    name: str
    label: str
    kind: str
    default: object
    help: str = ""
    options: tuple[tuple[str, str], ...] = ()
    buttons: bool = False
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    unit: str = ""
    group: str = ""
    log: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("choice", "number"):
            raise ValueError(f"kind must be 'choice' or 'number', got {self.kind!r}")
        if self.kind == "choice" and self.default not in [value for _, value in self.options]:
            raise ValueError(f"default of {self.name} must be one of its options, got {self.default!r}")
        if self.kind == "number" and not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"default of {self.name} must lie in [{self.minimum}, {self.maximum}]")
        if self.log and (self.kind != "number" or self.minimum <= 0):
            raise ValueError(f"a log slider ({self.name}) must be a number control with minimum > 0")

    def on_step(self, value: float) -> float:
        """``value`` rounded to the control's step (what a log slider's position stands for)."""
        steps = round((value - self.minimum) / self.step)
        return min(self.maximum, max(self.minimum, round(self.minimum + steps * self.step, 9)))

    def range_text(self) -> str:
        """"a number from 1 to 32,768 tokens": the values the control takes, as a reader reads them."""
        unit = f" {self.unit}" if self.unit else ""
        return f"a number from {_plain(self.minimum)} to {_plain(self.maximum)}{unit}"

    def coerce(self, value: object) -> object:
        """A value from a form (text) as the view function expects it. ValueError for anything else,
        its message starting with the control's name and label (``explain`` keeps the label) and
        saying what the control takes: the slider's own range, or one of its options."""
        where = f"{self.name} ({self.label})"
        if self.kind == "choice":
            allowed = [v for _, v in self.options]
            if value not in allowed:
                shown = ", ".join(text for text, _ in self.options)
                raise ValueError(f"{where} must be one of: {shown}")
            return value
        if isinstance(value, bool):
            raise ValueError(f"{where} must be {self.range_text()}")
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{where} is empty: type {self.range_text()}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{where} must be {self.range_text()}; {str(value)[:40]!r} is not a number") from None
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise ValueError(f"{where} must be {self.range_text()}; {str(value)[:40]} is outside that range")
        return number


def _plain(value: float) -> str:
    """A bound as a reader writes it: 32,768 or 0.001 or 2.5."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.6g}"


def explain(controls: tuple[Control, ...], message: str) -> tuple[str, str | None]:
    """A view's error message for a reader: the parameter's name it starts with replaced by the
    label of the control it names ("Share of peak reached must be ..."), and that control's name
    (None if the message names no control)."""
    for control in controls:
        for start in (f"{control.name} ({control.label})", control.name):
            if message.startswith(start + " ") or message.startswith(start + ":"):
                return control.label + message[len(start):], control.name
    return message, None


def defaults(controls: tuple[Control, ...]) -> dict[str, object]:
    """The control values a dashboard starts with."""
    return {control.name: control.default for control in controls}


def coerce_all(controls: tuple[Control, ...], values: dict[str, object]) -> dict[str, object]:
    """Every control's value, from ``values`` or the default, coerced; unknown names are errors."""
    known = {control.name for control in controls}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown control(s) {unknown}; this dashboard has {sorted(known)}")
    return {c.name: c.coerce(values[c.name]) if c.name in values else c.default for c in controls}


@dataclass(frozen=True)
class Panel:
    """What a dashboard shows for one setting of its controls: the figure and status texts."""

    figure: Figure
    #: (heading, text) pairs, plain text, shown under the chart
    texts: tuple[tuple[str, str], ...]
    #: optional HTML shown after the texts (e.g. the chart's numbers as a table)
    extra_html: str = ""

    @property
    def alt(self) -> str:
        return translate(self.figure.alt)

    def texts_html(self) -> str:
        return "".join(f'<p style="margin:0.4em 0"><strong>{escape(heading)}:</strong> {escape(text)}</p>'
                       for heading, text in self.texts)

    def html(self) -> str:
        """The figure, then the texts in a region a screen reader announces when it changes (in the
        reader's language: ``book.language.translate_html``)."""
        return translate_html(f'<div class="book-dashboard-figure">{self.figure.html}</div>'
                              f'<div class="book-dashboard-texts" aria-live="polite">{self.texts_html()}</div>'
                              f'{self.extra_html}')


def rule_control(help: str = "Which version of the export rule marks chips as controlled.",
                 group: str = "") -> Control:
    """The control every dashboard uses to choose a version of the export rule (the 2023 rule first
    shown)."""
    return Control("rule", "Rule", "choice", "2023-10", buttons=True,
                   options=tuple((rule.label, key) for key, rule in RULES.items()), group=group, help=help)


def render(dashboard: ModuleType, values: dict[str, object] | None = None) -> Panel:
    """The panel of ``dashboard`` for ``values`` (defaults for the controls not given)."""
    return dashboard.panel(dashboard.view(**coerce_all(dashboard.CONTROLS, values or {})))
