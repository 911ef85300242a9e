"""The threshold explorer: its update function, its drawing, and the dashboard wiring."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.export_controls import classify
from book.hardware import get_chip, load_chips
from book.widgets import design_chip, draw_explorer, explorer_view, threshold_explorer


def test_defaults_reproduce_the_h20():
    view = explorer_view()
    assert view.design.tpp == pytest.approx(get_chip("H20").tpp)
    assert view.design_result.controlled is False
    assert view.selected.name == get_chip("H20").name
    assert "not controlled" in view.selected_text and "2,368" in view.selected_text


def test_points_match_the_classifier_under_each_rule():
    for rule in ("2022-10", "2023-10"):
        view = explorer_view(rule=rule)
        assert len(view.points) == len(load_chips())
        for point in view.points:
            assert point.status == classify(point.name, rule).status


def test_switching_rule_recolours_the_a800():
    by_rule = {rule: {p.name: p.status for p in explorer_view(rule=rule).points} for rule in ("2022-10", "2023-10")}
    a800 = get_chip("A800").name
    assert by_rule["2022-10"][a800] == "not controlled" and by_rule["2023-10"][a800] == "controlled"


@pytest.mark.parametrize("tflops, precision, market, expected", [
    (151, "fp16", "datacenter", "3A090.b.1"),    # TPP 2,416 on 814 mm^2
    (149, "fp16", "datacenter", None),
    (299, "fp8", "consumer", "Note 2 to 3A090"), # TPP 2,392 with PD 2.9: Note 2 frees it
    (190, "fp8", "consumer", None),              # TPP 1,520: below every line
    (620, "int8", "consumer", "3A090.a.1"),      # TPP 4,960: Note 2 ends at 4,800
    (590, "int8", "consumer", "Note 2 to 3A090"),
])
def test_design_is_classified_live(tflops, precision, market, expected):
    view = explorer_view(dense_tflops=tflops, precision=precision, market=market)
    assert view.design_result.paragraph == expected


def test_design_under_the_2022_rule_uses_the_link():
    fast = explorer_view(rule="2022-10", dense_tflops=1000, interconnect_gb_s=900)
    slow = explorer_view(rule="2022-10", dense_tflops=1000, interconnect_gb_s=400)
    assert fast.design_result.controlled and not slow.design_result.controlled


@pytest.mark.parametrize("kwargs, parameter", [
    ({"die_area_mm2": -10}, "die_area_mm2"),
    ({"die_area_mm2": 0}, "die_area_mm2"),
    ({"precision": "fp4"}, "precision"),
    ({"dense_tflops": -1}, "fp16_tflops"),
    ({"interconnect_gb_s": -5}, "interconnect_gb_s"),
    ({"market": "gaming"}, "market"),
    ({"rule": "2021"}, "rule"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        explorer_view(**kwargs)


def test_unknown_chip_is_a_key_error():
    with pytest.raises(KeyError, match="Close matches"):
        explorer_view(selected="H2O")


def test_alt_text_describes_the_chart_and_the_design():
    alt = explorer_view(rule="2022-10", dense_tflops=400).alt_text
    assert "13 chips" in alt and "2022-10 rule" in alt and "TPP 6,400" in alt and "controlled" in alt
    assert explorer_view().alt_text.endswith("not controlled.")


def test_design_chip_sets_only_the_chosen_precision():
    chip = design_chip(100, "fp8", 500, 0, "datacenter")
    assert chip.fp8_tflops == 100 and chip.fp16_tflops is None and chip.tpp == 800


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 5000), st.sampled_from(["fp16", "fp8", "int8"]), st.floats(1, 2000), st.floats(0, 3000),
       st.sampled_from(["datacenter", "consumer"]), st.sampled_from(["2022-10", "2023-10"]))
def test_update_function_agrees_with_classify(tflops, precision, area, link, market, rule):
    view = explorer_view(rule, "H100", tflops, precision, area, link, market)
    assert view.design_result == classify(design_chip(tflops, precision, area, link, market), rule)


def test_draw_explorer_draws_every_known_chip_and_the_design():
    from matplotlib.collections import PathCollection

    from book.widgets import PD_UNKNOWN_Y
    view = explorer_view(rule="2022-10")
    ax = draw_explorer(view).axes[0]
    drawn = [tuple(xy) for c in ax.collections if isinstance(c, PathCollection) for xy in c.get_offsets()]
    expected = {(p.tpp, p.performance_density if p.performance_density is not None else PD_UNKNOWN_Y, p.status)
                for p in view.points if p.tpp is not None}
    assert len(drawn) == len(expected) + 1  # chips sharing a point and a status share a marker; + the design
    for tpp, pd, _ in expected:
        assert any(abs(x - tpp) < 1e-6 and abs(y - pd) < 1e-6 for x, y in drawn)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert any("Source:" in t.get_text() for t in ax.figure.texts)


def test_extreme_design_stays_on_the_chart():
    ax = draw_explorer(explorer_view(dense_tflops=5000, die_area_mm2=50)).axes[0]
    star = ax.collections[-1].get_offsets()[0]
    assert ax.get_xlim()[0] <= star[0] <= ax.get_xlim()[1] and ax.get_ylim()[0] <= star[1] <= ax.get_ylim()[1]


def test_dashboard_builds_and_reacts():
    dashboard = threshold_explorer()
    header, chart, selected_text, design_box, design_text = dashboard.children
    assert 'alt="Scatter chart of 13 chips' in chart.value
    assert selected_text.value.startswith("<p><b>Selected chip:</b> NVIDIA H20: TPP 2,368")
    assert design_text.value.startswith("<p><b>Your design (the star):</b> TPP 2,368")
    slider = design_box.children[1].children[0]
    assert slider.description == "Dense TFLOPS"
    before = chart.value
    slider.value = 400
    assert "controlled (3A090" in design_text.value and chart.value != before
    rule = header.children[0]
    rule.value = "2022-10"
    assert "Under the 2022-10 rule" in design_text.value


def test_fast_renderer_matches_a_drawing_from_scratch():
    import io

    import numpy as np
    from PIL import Image

    from book.widgets import ChartRenderer, figure_png

    renderer = ChartRenderer()
    for view in (explorer_view(), explorer_view(rule="2022-10", dense_tflops=900),
                 explorer_view(dense_tflops=30, die_area_mm2=60, market="consumer"), explorer_view()):
        fast = np.asarray(Image.open(io.BytesIO(renderer.png(view))).convert("RGBA"))
        slow = np.asarray(Image.open(io.BytesIO(figure_png(draw_explorer(view)))).convert("RGBA"))
        assert fast.shape == slow.shape
        assert np.abs(fast.astype(int) - slow.astype(int)).mean() < 0.5  # no star left over from before
