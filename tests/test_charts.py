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


def test_timeline_labels_stay_inside_the_figure():
    # a long step name on the left half once ran off the figure's edge
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = timeline_plot(load_timeline())
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width = fig.bbox.width
    for text in fig.axes[0].texts:
        box = text.get_window_extent(canvas.get_renderer())
        assert box.x0 >= 0 and box.x1 <= width, text.get_text()


def test_timeline_alt_text_names_the_latest_step():
    events = load_timeline()
    alt = timeline_alt(events)
    assert f"to {events[-1].date.day} {events[-1].date:%b %Y}" in alt
    assert alt.endswith(f"{events[-1].short} ({DIRECTION_STYLE[events[-1].direction]['label']}).")


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
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["same capability, 4× cheaper a year",
                                                                       "frontier runs, 2.4× a year"]


def test_cost_curve_marks_every_point_with_its_own_marker_named_in_the_legend():
    # no floating label that could drift from its point: each published cost has a marker of its
    # own shape, and the legend pairs that shape with the label
    fig = _cost_curve()
    ax = fig.axes[0]
    assert len(ax.texts) == 0
    points = ax.collections
    shapes = [p.get_paths()[0].vertices.tobytes() for p in points]
    assert len(points) == len(COST_POINTS) and len(set(shapes)) == len(points)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for (year, low, high, label), point in zip(COST_POINTS, points):
        shown = label.replace("$", r"\$")  # a "$" would start mathematics
        assert any(text.startswith(shown) for text in legend), label
        assert tuple(point.get_offsets()[0]) == pytest.approx((year, (low * high) ** 0.5))
    ranges = [line for line in ax.get_lines()[2:]]
    assert len(ranges) == sum(high > low for _, low, high, _ in COST_POINTS)  # a bar only for a range


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


def _link_budget():
    from book.architecture import get_architecture
    from book.charts import link_budget_plot
    v3 = get_architecture("DeepSeek-V3")
    return link_budget_plot(v3.hidden, v3.expert_hidden, v3.active_experts, get_chip("H800").fp8_tflops, 0.4, 4)


ALL_FIGURES = {"timeline": lambda: timeline_plot(load_timeline()), "bandwidth": lambda: bytes_per_flop_plot(
    list(load_chips())), "link budget": _link_budget, "cost curve": _cost_curve, "prices": _price_history}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("name", list(ALL_FIGURES))
def test_no_two_texts_of_a_figure_overlap_and_each_label_sits_by_its_point(name, language):
    # every text matplotlib draws (tick labels, axis labels, legend, annotations), measured on the
    # drawn figure as the reader gets it (book.charts.for_reader: English, or German, whose longer
    # labels once ran off the timeline's edge); an annotation's text lies within 30 px (0.3 in) of
    # the point it names
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    from book.charts import for_reader
    from book.language import in_language

    fig = in_language(language, lambda: for_reader(ALL_FIGURES[name]()))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    undrawn = set()  # tick labels of ticks outside the axis's range exist but are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            undrawn |= {id(tick.label1) for tick in axis.get_major_ticks()
                        if not low - 1e-9 * abs(high) <= tick.get_loc() <= high + 1e-9 * abs(high)}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
             and t.get_window_extent(renderer).width > 0]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    overlaps = [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
                if p.overlaps(q) and min(p.x1, q.x1) - max(p.x0, q.x0) > 0.5 and min(p.y1, q.y1) - max(p.y0, q.y0) > 0.5]
    assert overlaps == []
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    for text, box in boxes:  # nothing cut off at the figure's edge
        assert box.x0 >= -0.5 and box.x1 <= width + 0.5 and box.y0 >= -0.5 and box.y1 <= height + 0.5, text
    for annotation in (t for t in texts if isinstance(t, Annotation)):
        ax = annotation.axes
        x, y = ax.transData.transform((ax.convert_xunits(annotation.xy[0]), ax.convert_yunits(annotation.xy[1])))
        box = annotation.get_window_extent(renderer)
        dx, dy = max(box.x0 - x, 0, x - box.x1), max(box.y0 - y, 0, y - box.y1)
        assert (dx * dx + dy * dy) ** 0.5 <= 0.3 * fig.dpi, annotation.get_text()
