"""The serving roofline (chapter 4's first dashboard)."""

from __future__ import annotations

import json

import pytest

from book.architecture import get_architecture
from book.dashboards import live, page
from book.dashboards import serving_roofline as sr
from book.dashboards.base import render
from book.export_controls import classify
from book.hardware import get_chip
from book.inference import decode


def test_defaults_h20_serving_v3_and_the_five_chips():
    v = sr.view()
    assert v.model == "DeepSeek-V3" and v.batch == 64 and v.context == 4096 and v.precision == "fp8"
    assert [c.chip.short_name for c in v.chips] == list(sr.COMPARED)
    expected = decode(get_architecture("DeepSeek-V3"), get_chip("H20"), "fp8", 64, 4096, 1.0, 2.0)
    assert v.chosen.decode == expected
    for c in v.chips:
        assert c.result == classify(c.chip, "2023-10")
        assert [b for b, _ in c.curve] == list(sr.BATCHES)


def test_a_chip_outside_the_five_is_added():
    v = sr.view(chip="B200")
    assert len(v.chips) == 6 and v.chips[-1].chip.short_name == "B200"


def test_texts_state_the_h20_paradox():
    chosen, versus, money = (text for _, text in sr.texts(sr.view()))
    assert chosen.startswith("H20 serving DeepSeek-V3 at FP8, 64 conversations of 4,096 tokens, 100% of peak: 425 "
                             "tokens a second per chip, limited by its memory bandwidth")
    crossover = decode(get_architecture("DeepSeek-V3"), get_chip("H20"), "fp8", 64, 4096).crossover
    assert f"its crossover batch, where its arithmetic starts to bind, is {crossover:,}" in chosen
    assert "15% of the H100's dense compute here and writes 1.19 times as many tokens" in versus
    assert "US$2.00 per chip-hour" in money and "US$1.10 per million output tokens" in money
    big = sr.view(batch=2048)
    ratio = big.of("H20").decode.tokens_per_second / big.of("H100").decode.tokens_per_second
    assert ratio < 0.5 and big.of("H20").decode.bound == "compute"  # once compute binds the H20 falls behind
    assert f"writes {ratio:.2f} times as many" in sr.texts(big)[1][1]


def test_no_crossover_is_said_in_words():
    # at 32,768 tokens of context, reading the cache outweighs the arithmetic on an H100
    assert decode(get_architecture("DeepSeek-V3"), get_chip("H100"), "fp8", 64, 32_768).crossover is None
    text = sr.texts(sr.view(chip="H100", context=32_768))[0][1]
    assert "at a context of 32,768 tokens the H100 waits on memory at every batch" in text
    assert "The H100 is the yardstick" in sr.texts(sr.view(chip="H100"))[1][1]


def test_chart_has_one_line_per_distinct_chip_and_the_chosen_batch():
    v = sr.view()
    c = sr.chart(v)
    lines = {item.text for item in c.of("line", "curve ")}
    assert lines == {"H100 = H800", "H20", "RTX 4090", "Ascend 910B"}  # H100 and H800 coincide
    points = c.of("marker", "point ")
    assert len(points) == 4 and all(p.shape == "circle" for p in points)  # all memory-bound at 64
    assert {p.shape for p in sr.chart(sr.view(batch=4096)).of("marker", "point ")} == {"circle", "square"}
    assert c.of("line", "chosen batch")[0].data["value"] == 64
    names = sorted((item.box.y0, item.box.y1) for item in c.of("text", "name "))
    assert all(a[1] <= b[0] for a, b in zip(names, names[1:]))  # line names never overlap


def test_table_rows_and_sourced_costs():
    v = sr.view()
    t = sr.chip_table(v)
    rows = {row[0]: row for row in t.rows}
    for name in ("H800", "H20"):  # the cost at the price set, for every chip
        assert rows[name][4] == f"{2.0 / (v.of(name).decode.tokens_per_second * 3600) * 1e6:,.3f}"
    assert rows["H20"][7] == "no" and rows["H100"][7] == "yes"
    assert rows["H20"][3] == f"{v.of('H20').decode.crossover:,}"
    assert {row[3] for row in sr.chip_table(sr.view(context=32_768)).rows} >= {"never"}
    assert rows["Ascend 910B (est.)"][6] == "320*"  # no FP8: BF16 arithmetic
    assert rows["RTX 4090"][6] == "330†"  # GeForce at half its FP8 spec sheet
    assert "H100 US$2.50; H800 US$2.00" in t.caption


@pytest.mark.parametrize("kwargs, parameter", [
    ({"batch": 0}, "batch"), ({"batch": 2.5}, "batch"), ({"batch": 20_000}, "batch"), ({"context": -1}, "context"),
    ({"context": 10.5}, "context"), ({"utilisation": 0}, "utilisation"), ({"utilisation": 1.5}, "utilisation"),
    ({"usd_per_hour": 0}, "usd_per_hour"), ({"precision": "int4"}, "precision"), ({"rule": "1999"}, "rule"),
    ({"chip": "Ascend 910"}, "memory"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        sr.view(**kwargs)


def test_page_live_and_jupyter():
    html = page.static_html(sr)
    assert "disabled" in html and 'data-dashboard="serving_roofline"' in html
    answer = json.loads(live.update("serving_roofline", json.dumps({"batch": "512"})))
    assert answer["html"] == render(sr, {"batch": 512.0}).html()
    assert "Batch must be a whole number" in json.loads(live.update("serving_roofline",
                                                                    json.dumps({"batch": "1.5"})))["error"]
    box = sr.dashboard()
    box.controls["chip"].value = get_chip("Ascend 910B").name
    assert "Ascend 910B serving DeepSeek-V3" in box.output.value


def test_batch_is_a_log_slider_rounded_to_whole_conversations():
    from book.dashboards.base import Control
    batch = next(c for c in sr.CONTROLS if c.name == "batch")
    assert batch.log and batch.on_step(63.0957) == 63 and batch.on_step(20_000) == 16_384 and batch.on_step(0.2) == 1
    html = page.static_html(sr)
    assert 'data-log="1"' in html and 'max="4.2144"' in html and 'aria-valuetext="64"' in html
    assert 'data-max="16384"' in html and 'step="0.03"' in html
    with pytest.raises(ValueError, match="log slider"):
        Control("x", "X", "number", 1.0, minimum=0.0, maximum=10.0, log=True)
    box = sr.dashboard()
    slider = box.controls["batch"]
    assert type(slider).__name__ == "FloatLogSlider"
    slider.value = 500.3  # a log slider's position is rounded to a whole batch before the view sees it
    assert "500 conversations" in box.output.value


def test_errors_name_the_control_by_its_label():
    answer = json.loads(live.update("serving_roofline", json.dumps({"utilisation": "1.5"})))
    assert answer["control"] == "utilisation"
    assert answer["error"].startswith("Share of peak reached must be a number from")
    answer = json.loads(live.update("diffusion_simulator", json.dumps({"leader_price": "-1"})))
    assert answer["control"] == "leader_price" and answer["error"].startswith("Leader's price must be a number from")
    empty = json.loads(live.update("serving_roofline", json.dumps({"batch": ""})))
    assert empty["error"].startswith("Batch is empty: type a number from 1 to 16,384")
