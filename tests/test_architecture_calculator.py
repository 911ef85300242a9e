"""The architecture calculator (chapter 2's dashboard): view, chart, page and browser entry point."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.architecture import get_architecture, parameter_counts, weight_bytes
from book.dashboards import architecture_calculator as ac
from book.dashboards import live, page
from book.dashboards.base import render
from book.export_controls import classify
from book.hardware import get_chip, load_chips


def test_defaults_describe_v3_at_fp8_on_h800():
    v = ac.view()
    assert v.model.name == "DeepSeek-V3" and v.chip.chip.name == get_chip("H800").name
    # 671 GB of weights fit in 8 x 80 GiB (687 GB), but not with 8 conversations' caches (18 GB) beside them
    assert v.chip.chips_needed == 9 and not v.chip.fits_one_server
    assert ac.view(sequences=1).chip.chips_needed == 8
    h20 = next(f for f in v.fits if f.chip.short_name == "H20")
    assert h20.chips_needed == 7 and h20.fits_one_server and h20.result.controlled is False  # 689 GB / 103.1 GB


def test_every_chip_with_memory_is_shown_with_its_status():
    v = ac.view(rule="2022-10")
    assert {f.chip.name for f in v.fits} == {c.name for c in load_chips() if c.memory_gib is not None}
    for fit in v.fits:
        assert fit.result == classify(fit.chip, "2022-10")
        # capacity in GiB, converted with 2^30; the fewest chips that hold the bytes
        assert fit.chips_needed * fit.chip.memory_gib * 2**30 >= v.total_bytes
        assert fit.chips_needed == 1 or (fit.chips_needed - 1) * fit.chip.memory_gib * 2**30 < v.total_bytes


def test_attention_and_experts_change_memory_and_flops():
    mla, mha = ac.view(), ac.view(attention="mha")
    assert mha.kv_bytes / mla.kv_bytes == pytest.approx(32_768 / 576)
    assert mha.total_parameters > mla.total_parameters  # MHA's projections are larger than MLA's
    fewer = ac.view(active_experts=4)
    assert fewer.flops_per_token < mla.flops_per_token and fewer.weight_bytes == mla.weight_bytes


def test_dense_models_ignore_active_experts_and_say_so():
    v = ac.view(model="DeepSeek LLM 67B", active_experts=2)
    assert v.active_parameters == parameter_counts(get_architecture("67B")).active_in_matmuls
    assert "a dense model uses every weight for every token, so the routed-experts control has no effect" in \
        ac.texts(v)[0][1]


def test_texts_and_alt_text_state_the_numbers():
    v = ac.view()
    computation, memory, chosen, free = (text for _, text in ac.texts(v))
    assert "73 GFLOP per token" in computation and "36.6 billion of its 671.0 billion" in computation
    assert "weights 671 GB at FP8" in memory and "35,136 cached numbers per token" in memory
    assert "H800 (80 GiB, 85.9 GB): 9 chips to hold it" in chosen and "controlled (a.1)" in chosen
    # every catalogue chip the rule leaves free whose 8-chip server holds the weights and cache
    held = [chip.short_name for chip in load_chips() if chip.memory_gib is not None
            and v.total_bytes <= ac.SERVER_CHIPS * chip.memory_gib * 2**30
            and classify(chip, v.rule).controlled is False]
    assert free.endswith(": " + ", ".join(held) + ".")
    assert "H20" in held  # 8 x 96 GiB hold DeepSeek-V3 at FP8, and the 2023 rule does not catch the H20
    assert ac.alt_text(v).startswith("Bar chart of how many chips of each kind hold DeepSeek-V3")


def test_chart_draws_one_bar_per_chip_in_its_status_colour_with_the_server_line():
    v = ac.view()
    c = ac.chart(v)
    bars = c.of("region", "bar ")
    assert len(bars) == len(v.fits)
    for fit in v.fits:
        bar = next(b for b in bars if b.role == f"bar {fit.chip.short_name}")
        assert bar.color == ac.STATUS_MARK[fit.result.status]["color"]
        assert (bar.shape == "diagonal") == (fit.result.controlled is False)
    assert [line.data["value"] for line in c.of("line", "one server")] == [ac.SERVER_CHIPS]
    labels = [t.text for t in c.of("text") if t.role.startswith("value ")]
    assert "9 (chosen)" in labels


@pytest.mark.parametrize("kwargs, parameter", [
    ({"attention": "flash"}, "attention"), ({"rule": "2021"}, "rule"), ({"context": 0}, "context"),
    ({"context": 1000.5}, "context"), ({"sequences": -1}, "sequences"), ({"active_experts": 300}, "active_experts"),
    ({"active_experts": 2.5}, "active_experts"), ({"weight_precision": "fp7"}, "precision"),
    ({"chip": "Ascend 910"}, "chip"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        ac.view(**kwargs)


def test_unknown_model_or_chip_is_a_key_error():
    with pytest.raises(KeyError):
        ac.view(model="GPT-5")
    with pytest.raises(KeyError):
        ac.view(chip="H2O")


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([c.name for c in load_chips() if c.memory_gib]),
       st.integers(1, 64), st.sampled_from(["bf16", "fp8"]))
def test_more_conversations_never_need_fewer_chips(chip, sequences, precision):
    fewer = ac.view(chip=chip, sequences=sequences, weight_precision=precision)
    more = ac.view(chip=chip, sequences=sequences + 8, weight_precision=precision)
    assert more.chip.chips_needed >= fewer.chip.chips_needed


def test_static_page_and_browser_entry_point():
    html = page.static_html(ac)
    assert "disabled" in html and "Model: DeepSeek-V3" in html and 'data-dashboard="architecture_calculator"' in html
    answer = json.loads(live.update("architecture_calculator", json.dumps({"model": "DeepSeek-V2", "weight_precision": "bf16"})))
    assert answer["html"] == render(ac, {"model": "DeepSeek-V2", "weight_precision": "bf16"}).html()
    assert "weights 471 GB at BF16" in answer["texts"][1][1]
    assert weight_bytes(get_architecture("V2"), "bf16") / 1e9 == pytest.approx(471.5, abs=0.5)
    answer = json.loads(live.update("architecture_calculator", json.dumps({"active_experts": "400"})))
    assert answer["control"] == "active_experts" and "must be" in answer["error"]


def test_wiring_in_jupyter():
    box = ac.dashboard()
    assert "Chips needed to hold DeepSeek-V3" in box.output.value
    box.controls["model"].value = "DeepSeek-V2"
    assert "Chips needed to hold DeepSeek-V2" in box.output.value


def test_panel_has_the_chart_s_numbers_as_a_table():
    v = ac.view()
    html = ac.panel(v).html()
    assert '<table class="book-table">' in html and "Chips needed to hold DeepSeek-V3</caption>" in html
    rows = ac.chip_table(v).rows
    assert len(rows) == len(v.fits) and ("H20", "96", "7", "yes", "not controlled") in rows
    assert "GiB per chip" in ac.chip_table(v).columns
