"""The threshold explorer: its view function, its chart (tested at the level of what is drawn),
the static page version, the Jupyter wiring and the browser entry point."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.dashboards import live, page, svg
from book.dashboards import threshold_explorer as te
from book.dashboards.base import render
from book.export_controls import CONTROLLED, NOT_CONTROLLED, RULES, classify
from book.hardware import get_chip, load_chips
from book.palette import STATUS_MARK

RULE_KEYS = list(RULES)


# ---- the view function ----------------------------------------------------------------------

def test_defaults_reproduce_the_h20_beside_the_h100():
    v = te.view()
    assert v.design.tpp == pytest.approx(get_chip("H20").tpp)
    assert v.design_result.controlled is False and "2,368" in v.design_text
    # the selected chip is elsewhere, so its ring does not hide the star
    assert v.selected.name == get_chip("H100").name
    assert "controlled (3A090.a.1)" in v.selected_text and "15,832" in v.selected_text


def test_points_match_the_classifier_under_each_rule():
    for rule in RULE_KEYS:
        v = te.view(rule=rule)
        assert len(v.points) == len(load_chips())
        for point in v.points:
            assert point.status == classify(point.name, rule).status


def test_switching_rule_recolours_the_a800():
    by_rule = {rule: {p.name: p.status for p in te.view(rule=rule).points} for rule in RULE_KEYS}
    a800 = get_chip("A800").name
    assert by_rule["2022-10"][a800] == NOT_CONTROLLED and by_rule["2023-10"][a800] == CONTROLLED


@pytest.mark.parametrize("tflops, precision, market, expected", [
    (151, "fp16", "datacenter", "3A090.b.1"),    # TPP 2,416 on 814 mm^2
    (150, "fp16", "datacenter", "3A090.b.1"),    # TPP 2,400 exactly: the line itself is caught
    (149, "fp16", "datacenter", None),
    (299, "fp8", "consumer", "Note 2 to 3A090"),  # TPP 2,392 with PD 2.9: Note 2 frees it
    (190, "fp8", "consumer", None),               # TPP 1,520: below every threshold
    (620, "int8", "consumer", "3A090.a.1"),       # TPP 4,960: Note 2 ends at 4,800
    (590, "int8", "consumer", "Note 2 to 3A090"),
])
def test_design_is_classified_live(tflops, precision, market, expected):
    assert te.view(dense_tflops=tflops, precision=precision, market=market).design_result.paragraph == expected


def test_design_under_the_2022_rule_uses_the_link():
    fast = te.view(rule="2022-10", dense_tflops=1000, interconnect_gb_s=900)
    slow = te.view(rule="2022-10", dense_tflops=1000, interconnect_gb_s=400)
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
        te.view(**kwargs)


def test_unknown_chip_is_a_key_error():
    with pytest.raises(KeyError, match="Close matches"):
        te.view(chip="H2O")


def test_design_chip_sets_only_the_chosen_precision():
    chip = te.design_chip(100, "fp8", 500, 0, "datacenter")
    assert chip.fp8_tflops == 100 and chip.fp16_tflops is None and chip.tpp == 800


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 5000), st.sampled_from(["fp16", "fp8", "int8"]), st.floats(1, 2000), st.floats(0, 3000),
       st.sampled_from(["datacenter", "consumer"]), st.sampled_from(RULE_KEYS))
def test_view_agrees_with_classify(tflops, precision, area, link, market, rule):
    v = te.view(rule, "H100", tflops, precision, area, link, market)
    assert v.design_result == classify(te.design_chip(tflops, precision, area, link, market), rule)


# ---- the chart, item by item ------------------------------------------------------------------

def _chart(**kwargs):
    return te.chart(te.view(**kwargs))


def _main_markers(c):
    return [m for m in c.of("marker", "chip") if not m.box.inside(svg.Box(*te.INSET_BOX))]


def test_every_known_chip_is_drawn_once_in_its_status_look():
    c = _chart()
    chips = _main_markers(c)
    drawn_names = sorted(n for m in chips for n in m.text.split(" / "))
    assert drawn_names == sorted(ch.short_name for ch in load_chips())
    for marker in chips:
        status = marker.role.removeprefix("chip ")
        assert marker.color == STATUS_MARK[status]["color"] and marker.shape == STATUS_MARK[status]["shape"]


def test_status_colours_are_the_classifier_s():
    # the chapter's colour code: controlled red squares, free blue circles (catches swapped colours)
    c = _chart()
    look = {m.text: (m.color, m.shape) for m in c.of("marker", "chip")}
    assert look["H20"] == (te.BLUE, "circle")
    assert look["H100 / H800 / H200"] == (te.VERMILLION, "square")
    assert look["RTX 4090 D"] == (te.BLUE, "circle")


def test_each_chip_group_is_labelled_once_and_unknown_areas_sit_in_the_top_row():
    c = _chart()
    labels = [item.text for item in c.of("label", "chip label")]
    markers = [m.text for m in _main_markers(c)]
    assert sorted(labels) == sorted(markers)
    for marker in _main_markers(c):
        names = marker.text.split(" / ")
        chip = get_chip(names[0])
        if chip.performance_density is None:
            assert marker.data["y"] == te.STRIP_Y and marker.data["filled"] is False


def test_2023_regions_a1_a2_and_b_are_distinct_and_sit_on_the_rule_s_lines():
    c = _chart()
    regions = {item.role: item for item in c.of("region")}
    assert set(regions) == {"region 3A090.a.1", "region 3A090.a.2", "region 3A090.b.1", "region 3A090.b.2"}
    a1, a2 = regions["region 3A090.a.1"], regions["region 3A090.a.2"]
    assert (a1.color, a1.shape) != (a2.color, a2.shape)
    r = RULES["2023-10"]
    assert a1.data["x0"] == r.tpp_threshold and a2.data["y0"] == r.pd_a2 and a2.data["x0"] == r.tpp_density_floor
    assert regions["region 3A090.b.1"].data["y0"] == r.pd_b1 and regions["region 3A090.b.2"].data["y0"] == r.pd_b2


def test_2022_view_draws_the_2022_rule_only():
    c = _chart(rule="2022-10")
    regions = [r for r in c.of("region") if not r.box.inside(svg.Box(*te.INSET_BOX))]
    assert [item.role for item in regions] == ["region 3A090.a"]
    assert regions[0].data["x0"] == RULES["2022-10"].tpp_threshold
    assert any("600 GB/s" in t.text for t in c.of("text", "region label"))


def test_the_crowded_area_is_enlarged_with_its_chips_labelled_there():
    c = _chart(chip="RTX 4090 D")
    inset = svg.Box(*te.INSET_BOX)
    enlarged = [m for m in c.of("marker", "chip") if m.box.inside(inset)]
    names = {n for m in enlarged for n in m.text.split(" / ")}
    # every catalogue chip inside the enlarged window of TPP and density, and only those
    assert names == {chip.short_name for chip in load_chips() if chip.tpp is not None
                     and chip.performance_density is not None and te.ZOOM_TPP[0] <= chip.tpp <= te.ZOOM_TPP[1]
                     and te.ZOOM_PD[0] <= chip.performance_density <= te.ZOOM_PD[1]}
    # the chips that crowd the 4,800 line by their published figures
    assert {"A100", "A800", "RTX 4090", "RTX 4090 D", "Ascend 910", "Ascend 910B"} <= names
    for label in c.of("label", "chip label"):
        in_inset = label.box.inside(inset)
        assert in_inset == any(n in names for n in label.text.split(" / ")), label.text
    # enlarged, the RTX 4090 D sits visibly left of the 4,800 line, the Ascend 910B right of it
    line = next(i for i in c.of("line", "line TPP 4800") if "x1" in i.svg and float(i.svg.split('x1="')[1].split('"')[0]) < inset.x1)
    x_line = float(line.svg.split('x1="')[1].split('"')[0])
    rtx = next(m for m in enlarged if m.text == "RTX 4090 D")
    ascend = next(m for m in enlarged if m.text == "Ascend 910B")
    assert rtx.box.x1 < x_line - 2 and ascend.box.x0 > x_line + 2
    assert len(c.of("marker", "selected chip")) == 2  # ringed on the chart and in the inset


def test_regions_outside_a_scale_are_not_drawn():
    scale = svg.Scale(1, 10, 0, 100)
    c = svg.Chart("t", 100, 100, scale, svg.Scale(1, 10, 100, 0), "t", "t")
    assert c.region("r", 20, 30, 1, 5, "red", 0.2) is None and c.of("region") == []


def test_thresholds_are_marked_on_both_axes():
    c = _chart()
    ticks = {t.text: t for t in c.of("text") if "tick label" in t.role}
    for value in ("1,600", "2,400", "4,800", "1.6", "3.2", "5.92"):
        assert value in ticks and "bold" in ticks[value].svg, value


def _overlaps(items):
    return [(a.text, b.text) for a, b in itertools.combinations(items, 2) if a.box.overlaps(b.box)]


@pytest.mark.parametrize("kwargs", [
    {}, {"rule": "2022-10"}, {"chip": "A800", "rule": "2022-10", "dense_tflops": 940, "interconnect_gb_s": 400},
    {"dense_tflops": 150}, {"dense_tflops": 300, "market": "consumer"}, {"chip": "RTX 4090 D"},
    {"dense_tflops": 2500, "precision": "fp8", "die_area_mm2": 50}, {"dense_tflops": 0},
], ids=str)
def test_no_label_collides_with_another_label_or_a_marker(kwargs):
    c = _chart(**kwargs)
    labels = c.of("label") + c.of("text", "region label")
    assert _overlaps(labels) == []
    for label in c.of("label"):
        for marker in c.of("marker"):
            if marker.role == "selected chip":
                continue
            assert not label.box.overlaps(marker.box), (label.text, marker.text)
        assert label.box.inside(c.label_area), label.text


def test_the_design_is_a_star_labelled_with_its_verdict():
    c = _chart(dense_tflops=400)
    stars = c.of("marker", "design")
    assert len(stars) == 1 and stars[0].shape == "star" and stars[0].color == te.VERMILLION
    labels = c.of("label", "design label")
    assert len(labels) == 1 and labels[0].text == "your design: controlled (a.1)" and labels[0].data["lines"] == 1
    free = _chart()
    assert free.of("marker", "design")[0].color == te.BLUE and free.of("marker", "design")[0].shape == "star"
    assert free.of("label", "design label")[0].text == "your design: not controlled"


@pytest.mark.parametrize("kwargs, arrow", [
    ({"dense_tflops": 2500, "precision": "fp16", "die_area_mm2": 2000}, ""),    # TPP 40,000, PD 20: on the chart
    ({"dense_tflops": 4000, "precision": "fp16", "die_area_mm2": 4000}, "→"),   # TPP 64,000: right of the chart
    ({"dense_tflops": 2500, "precision": "fp16", "die_area_mm2": 50}, "↑"),     # PD 800: above the chart
    ({"dense_tflops": 0}, "←"),
    ({"dense_tflops": 50}, "←"),                                                   # TPP 800 < 1,000
])
def test_a_design_off_the_scale_says_so(kwargs, arrow):
    c = _chart(**kwargs)
    star, label = c.of("marker", "design")[0], c.of("label", "design label")[0]
    assert c.plot.x0 <= star.data["x"] <= c.plot.x1 and c.plot.y0 <= star.data["y"] <= c.plot.y1
    if not arrow:
        assert "off the scale" not in label.text
    else:
        assert label.text.startswith(arrow) and "off the scale" in label.text


def test_the_selected_chip_is_ringed():
    c = _chart(chip="MI300X")
    ring = c.of("marker", "selected chip")
    assert len(ring) == 1 and ring[0].data["y"] == te.STRIP_Y
    assert te.chart(te.view(), show_design=False).of("marker", "selected chip") == []  # the static chart


def test_no_item_is_left_over_between_views():
    # each view draws from scratch: the same view gives the same SVG, byte for byte
    first = te.chart(te.view(dense_tflops=400)).svg()
    te.chart(te.view(dense_tflops=900, rule="2022-10")).svg()
    assert te.chart(te.view(dense_tflops=400)).svg() == first
    assert first.count("<polygon") == 1


def test_alt_text_gives_the_message():
    alt = te.alt_text(te.view())
    assert alt.startswith("Under the 2023 rule everything right of TPP 4,800 is controlled")
    assert "H20 (TPP 2,368, density 2.91)" in alt and "RTX 4090 D (TPP 4,704" in alt
    assert alt.endswith("Your design, the star, has TPP 2,368 and density 2.91: not controlled.")
    alt22 = te.alt_text(te.view("2022-10"), show_design=False)
    assert "A800, H800, RTX 4090 and Ascend 910B pass the TPP line but escape with slower links" in alt22
    assert "Ascend 910C cannot be classified" in alt22 and "Your design" not in alt22


def test_svg_is_an_accessible_image():
    text = te.chart(te.view()).svg()
    assert text.startswith("<svg") and 'role="img"' in text and "<title id=" in text and "<desc id=" in text
    assert "aria-labelledby=" in text


# ---- the panel, the static page and the browser entry point ----------------------------------

def test_panel_shows_the_figure_and_both_texts():
    panel = te.panel(te.view())
    assert [heading for heading, _ in panel.texts] == ["Selected chip", "Your design (the star)"]
    html = panel.html()
    assert html.count("<svg") > 1 and 'aria-live="polite"' in html and "Source:" in html


def test_static_page_has_labelled_inactive_controls_and_the_note():
    html = page.static_html(te)
    assert html.index("book-dashboard-note") < html.index("<form")  # the note comes first
    assert ("Rule: 2023 rule; Chip: H100; Dense throughput: 148 TFLOPS; Precision: fp16; Die area: 814 mm²; "
            "Chip-to-chip: 900 GB/s; Market: datacenter.") in html
    assert '<fieldset class="book-dashboard-inactive" disabled>' in html
    assert page.STATIC_NOTE.split(":")[0] in html
    for control in te.CONTROLS:
        assert f'data-control="{control.name}"' in html
    # every form element has a label: a <label for> or an aria-label, or sits in a radio label
    for element_id in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', html):
        assert f'for="{element_id}"' in html or re.search(rf'id="{element_id}"[^>]*aria-label=', html), element_id
    assert html.count('aria-describedby="dash-threshold_explorer-') >= len(te.CONTROLS)


def test_static_page_shows_the_values_its_panel_was_drawn_with():
    html = page.static_html(te, {"dense_tflops": 400, "rule": "2022-10"})
    assert 'value="400"' in html and 'value="2022-10" checked' in html and "TPP 6,400" in html


def test_live_update_matches_cpython(tmp_path):
    answer = json.loads(live.update("threshold_explorer", json.dumps({"dense_tflops": "150"})))
    assert "controlled (3A090.b.1)" in answer["texts"][1][1]
    assert answer["html"] == render(te, {"dense_tflops": 150.0}).html()


@pytest.mark.parametrize("values, words, control", [
    ({"die_area_mm2": "-5"}, "Die area must be a number from", "die_area_mm2"),
    ({"rule": "1999"}, "Rule must be one of: 2022 rule, 2023 rule", "rule"),
    ({"nope": 1}, "unknown control", None),
    ({"dense_tflops": "abc"}, "Dense throughput must be a number from 0 to", "dense_tflops"),
    ({"dense_tflops": "nan"}, "nan is outside that range", "dense_tflops"),
])
def test_live_update_reports_bad_values(values, words, control):
    # the page shows the control's label, not the parameter's name, and marks the control
    answer = json.loads(live.update("threshold_explorer", json.dumps(values)))
    assert words in answer["error"] and answer["control"] == control


def test_live_update_refuses_unknown_dashboards():
    assert "no dashboard" in json.loads(live.update("os", "{}"))["error"]


# ---- the Jupyter wiring ---------------------------------------------------------------------

def test_dashboard_builds_and_reacts():
    box = te.dashboard()
    out = box.output
    assert 'aria-labelledby="explorer-title explorer-desc"' in out.value
    assert "Selected chip:</strong> NVIDIA H100 SXM5 80GB: TPP 15,832" in out.value
    before = out.value
    box.controls["dense_tflops"].value = 400
    assert "controlled (3A090.a.1)" in out.value and out.value != before
    box.controls["rule"].value = "2022-10"
    assert "Under the 2022 rule" in out.value
    bundle = box._repr_mimebundle_()
    assert bundle["text/html"] == page.static_html(te)  # the page shows the starting state
    assert bundle["text/plain"].startswith("Threshold explorer")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_browser_modules_import_only_the_standard_library():
    import subprocess
    import sys
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('numpy', 'matplotlib', 'ipywidgets', 'IPython', 'PIL', 'nbformat'):\n"
            "            raise ImportError('not in the browser: ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import book.dashboards.live, book.dashboards.threshold_explorer, book.dashboards.page\n"
            "import book.dashboards.architecture_calculator, book.expert_parallel\n"
            "print(book.dashboards.live.update('threshold_explorer', '{}')[:10])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('{"html"')


# ---- the renderer ---------------------------------------------------------------------------

def test_text_width_estimate_grows_with_text_and_size():
    assert svg.text_width("H100", 14) < svg.text_width("H100 / H800", 14) < svg.text_width("H100 / H800", 20)
    assert svg.text_width("W", 10) > svg.text_width("i", 10)


@pytest.mark.parametrize("call, words", [
    (lambda: svg.Scale(10, 10, 0, 100), "hi must be greater"),
    (lambda: svg.Scale(0, 10, 0, 100, log=True), "lo must be > 0"),
    (lambda: svg.shape_svg("hexagon", 0, 0, 5, "red"), "shape must be"),
])
def test_renderer_rejects_bad_input(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_log_scale_maps_decades_evenly():
    scale = svg.Scale(1_000, 100_000, 0, 200, log=True)
    assert scale(1_000) == 0 and scale(10_000) == pytest.approx(100) and scale(100_000) == pytest.approx(200)
