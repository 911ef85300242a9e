"""The matplotlib figures of the chapters, tested at the level of what they draw."""

from __future__ import annotations

import re
from html import escape

import pytest
from matplotlib.text import Text

from book import style
from book.charts import (DIRECTION_STYLE, bytes_per_flop_alt, bytes_per_flop_figure, bytes_per_flop_plot,
                         cost_curve_figure, cost_curve_plot, timeline_alt, timeline_figure, timeline_plot)
from book.figure import clean_svg
from book.hardware import get_chip, load_chips
from book.timeline import load_timeline


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


COST_POINTS = [(2023.3, 100e6, 100e6, "GPT-4: over $100M"), (2024.45, 20e6, 50e6, "Claude 3.5 Sonnet"),
               (2024.98, 5.576e6, 5.576e6, "DeepSeek-V3 final run")]


def _cost_curve():
    return cost_curve_plot(COST_POINTS, 4.0, (2024.45, 30e6), 2.4, (2023.3, 100e6))


def _flagship_trend():
    from book.prices import change_per_year, load_api_prices
    points = [(p.date, p.blended) for p in load_api_prices()
              if p.provider == "OpenAI" and p.model.startswith("GPT-4") and "mini" not in p.model]
    return points, change_per_year(points)


def _price_history():
    from book.charts import price_history_plot
    from book.prices import load_api_prices
    return price_history_plot(load_api_prices(), _flagship_trend())


@pytest.mark.parametrize("make", [lambda: timeline_plot(load_timeline()), lambda: bytes_per_flop_plot(list(load_chips())),
                                  _cost_curve, _price_history], ids=["timeline", "bandwidth", "cost curve", "prices"])
def test_legible_on_a_phone(make):
    # at most 5.5 in (550 CSS px) wide, no text under MIN_FONT_PT: on a 390 px phone the smallest
    # text still renders at about 9.5 px
    fig = make()
    assert fig.get_figwidth() <= style.MAX_WIDTH_IN
    small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < style.MIN_FONT_PT]
    assert small == []
    assert style.MIN_FONT_PT / 72 * 100 * (358 / (style.MAX_WIDTH_IN * 100)) >= 9


def test_timeline_marks_every_event_in_its_direction_s_look():
    events = load_timeline()
    fig = timeline_plot(events)
    ax = fig.axes[0]
    assert len(ax.collections) == len(events)
    for event, collection in zip(events, ax.collections):
        from matplotlib.colors import to_hex
        assert to_hex(collection.get_facecolor()[0]) == DIRECTION_STYLE[event.direction]["color"].lower()
    labels = [a.get_text() for a in ax.texts]
    assert len(labels) == len(events)
    assert all(event.short in label for event, label in zip(events, labels))
    assert sum("reported" in label for label in labels) == sum(e.confidence == "secondary" for e in events)


def test_bandwidth_bars_highlight_the_h20_and_hatch_estimates():
    from matplotlib.colors import to_hex
    chips = list(load_chips())
    ax = bytes_per_flop_plot(chips).axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    bars = dict(zip(names, ax.patches))
    assert to_hex(bars["H20"].get_facecolor()) == style.OKABE_ITO["vermillion"].lower()
    assert to_hex(bars["H100"].get_facecolor()) == style.OKABE_ITO["blue"].lower()
    for name, bar in bars.items():
        assert (bar.get_hatch() == "//") == (get_chip(name).confidence == "estimate"), name
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == sorted(widths) and widths[-1] == pytest.approx(1000 * get_chip("H20").bytes_per_flop())
    assert "Ascend 910" not in names  # no memory figures in the catalogue


def test_alt_texts_state_the_message_from_the_data():
    events = load_timeline()
    alt = timeline_alt(events)
    assert alt.startswith(f"Timeline of {len(events)} steps") and "all tighten the controls" in alt
    assert "Case-by-case review (loosens)" in alt
    alt = bytes_per_flop_alt(list(load_chips()))
    assert f"H20 stands far above the rest at {1000 * get_chip('H20').bytes_per_flop():.1f}" in alt


def test_figures_are_inline_svg_with_their_text_as_text():
    events = load_timeline()
    figure = timeline_figure(events)
    svg = re.search(r"<svg\b.*?</svg>", figure.html, re.S).group()
    opening = svg[:svg.index(">")]
    assert f'max-width:{round(style.MAX_WIDTH_IN * 100)}px' in opening and 'role="img"' in opening
    assert f'aria-label="{escape(figure.alt)}"' in opening and repr(figure) == figure.alt
    # labels are text a browser draws (and a diff shows), not pixels
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)
    assert all(any(event.short in text for text in texts) for event in events)
    assert "<?xml" not in figure.html and "<metadata>" not in svg and "<!--" not in svg
    assert "Source: book/data/control_timeline.csv" in figure.html


def test_figure_svg_is_deterministic_rounded_and_numbered():
    a = bytes_per_flop_figure(list(load_chips())).html
    assert a == bytes_per_flop_figure(list(load_chips())).html
    tags = re.findall(r"<[^>]+>", a)
    # no attribute number finer than a hundredth of a point: the last digits of floating-point
    # sums may differ between processors
    assert not any(re.search(r'="[^"]*\d\.\d{3}', tag) for tag in tags)
    ids = re.findall(r'\bid="([^"]+)"', a)
    referenced = set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', a))
    assert ids and set(ids) == {x or y for x, y in referenced}  # only ids in use, each defined
    prefix = re.search(r'data-figure="([^"]+)"', a).group(1)
    assert prefix.startswith("fig-memory-bandwidth-for-each")  # from the figure's title
    assert all(re.fullmatch(re.escape(prefix) + r"-\d+", i) for i in ids)


def test_two_figures_on_one_page_share_no_id():
    one = timeline_figure(load_timeline()).html
    two = bytes_per_flop_figure(list(load_chips())).html
    assert not set(re.findall(r'\bid="([^"]+)"', one)) & set(re.findall(r'\bid="([^"]+)"', two))


def test_clean_svg_rounds_attributes_and_leaves_labels_alone():
    raw = ('<?xml version="1.0"?>\n<!-- made by -->\n<svg width="396pt" height="300pt" viewBox="0 0 396 300">'
           '<metadata>x</metadata><defs><path id="m0a1b2c3" d="M 1.23456 -0.0001"/></defs>'
           '<use xlink:href="#m0a1b2c3" x="10.005"/><g id="figure_1"><text x="3.14159" '
           'transform="rotate(-0 3.14159 2)" style="font-size: 10.5px; font-family: \'DejaVu Sans\'; '
           'text-anchor: start">0.12345</text></g></svg>')
    cleaned = clean_svg(raw, "p")
    assert cleaned.startswith("<svg") and "metadata" not in cleaned and "made by" not in cleaned
    assert '<path id="p-1" d="M 1.23 0"/>' in cleaned and 'href="#p-1"' in cleaned
    assert 'id="figure_1"' not in cleaned and "rotate" not in cleaned and "DejaVu" not in cleaned
    assert ">0.12345</text>" in cleaned and 'x="3.14"' in cleaned


def test_cost_curve_lines_follow_their_trends_through_their_anchors():
    import numpy as np
    ax = _cost_curve().axes[0]
    decline, growth = ax.get_lines()[:2]
    for line, (year, value), factor in ((decline, (2024.45, 30e6), 1 / 4.0), (growth, (2023.3, 100e6), 2.4)):
        x, y = (np.asarray(a, dtype=float) for a in line.get_data())
        assert np.interp(year, x, y) == pytest.approx(value, rel=0.01)
        # one year on, the line has moved by its factor
        assert np.interp(year + 1, x, y) / np.interp(year, x, y) == pytest.approx(factor, rel=0.01)
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["same capability, 4× cheaper a year",
                                                                   "frontier runs, 2.4× a year"]


def test_cost_curve_marks_every_point_with_its_range_and_label():
    fig = _cost_curve()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    # dollar signs are escaped, or matplotlib would set the text between them as mathematics
    assert labels == [label.replace("$", r"\$") for *_, label in COST_POINTS]
    ranges = [line for line in ax.get_lines()[2:]]
    assert len(ranges) == sum(high > low for _, low, high, _ in COST_POINTS)  # a bar only for a range
    # the labels stay inside the axes and do not overlap one another
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0, labels[i]
        assert not any(box.overlaps(other) for other in boxes[i + 1:]), labels[i]


def test_cost_curve_figure_names_its_sources_and_keeps_the_alt_text():
    figure = cost_curve_figure(COST_POINTS, 4.0, (2024.45, 30e6), 2.4, (2023.3, 100e6), "A log-scale chart.")
    assert figure.alt == "A log-scale chart." and "Amodei (2025)" in figure.html and "4 times a year" in figure.html


def test_price_history_marks_every_price_without_overlaps_and_fits_the_trend():
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from book.charts import _year, price_history_figure
    from book.prices import load_api_prices
    prices = load_api_prices()
    fig = _price_history()
    ax = fig.axes[0]
    # one point per price, at its blended value, in its provider's colour
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert len(points) == len(prices)
    for p in prices:
        assert any(abs(x - _year(p.date)) < 1e-9 and y == pytest.approx(p.blended) for x, y in points), p.model
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == len(prices) and "GPT-4o, Aug 2024" in labels and "V3.2-Exp" in labels
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, labels[i]
        assert not any(box.overlaps(other) for other in boxes[i + 1:]), labels[i]
        assert not box.overlaps(legend), labels[i]
    # the dashed line falls by the fitted factor per year
    points, factor = _flagship_trend()
    (x0, x1), (y0, y1) = ax.get_lines()[0].get_data()
    assert (y1 / y0) ** (1 / (x1 - x0)) == pytest.approx(factor, rel=1e-6)
    assert ax.get_yscale() == "log"
    figure = price_history_figure(prices, (points, factor))
    assert "4.4 times cheaper a year" in figure.alt and "DeepSeek API documentation" in figure.html
