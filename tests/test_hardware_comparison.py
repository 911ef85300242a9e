"""The hardware-efficiency comparison (chapter 3's dashboard)."""

from __future__ import annotations

import json

import pytest

from book.dashboards import hardware_comparison as hc
from book.dashboards import live, page
from book.dashboards.base import render
from book.export_controls import classify
from book.hardware import get_chip, load_chips
from book.training_cost import gpu_hours, training_flops, wall_clock_days


def test_defaults_are_deepseek_v3_on_2048_chips():
    v = hc.view()
    assert v.flops == pytest.approx(training_flops(37e9, 14.8e12))
    h800 = next(r for r in v.runs if r.chip.short_name == "H800")
    assert h800.days == pytest.approx(wall_clock_days(gpu_hours(v.flops, 1979, 0.35), 2048))
    assert h800.rental_usd == pytest.approx(h800.hours * 2.0)  # DeepSeek's assumed price


def test_every_chip_with_a_throughput_is_compared_with_its_status():
    v = hc.view(rule="2022-10")
    assert {r.chip.name for r in v.runs} == {c.name for c in load_chips() if c.tpp}
    for run in v.runs:
        assert run.result == classify(run.chip, "2022-10")


def test_chips_without_fp8_run_at_bf16_and_are_marked():
    v = hc.view(precision="fp8")
    a100 = next(r for r in v.runs if r.chip.short_name == "A100")
    assert a100.precision_used == "fp16" and a100.peak_tflops == get_chip("A100").fp16_tflops
    assert "170 (BF16)" in hc.chart(v).svg() or "(BF16)" in hc.chart(v).svg()


def test_h20_in_h100s_depends_on_the_measure():
    e = hc.view(chip="H20").equivalence
    assert e.compute == pytest.approx(1979 / 296) and e.memory_bandwidth == pytest.approx(3350 / 4000)
    assert e.interconnect == pytest.approx(1.0)
    b = hc.view(chip="Ascend 910B", precision="fp16").equivalence
    assert b.compute == pytest.approx(989 / 320)
    assert hc.view(chip="Ascend 910C").equivalence.interconnect is None  # its link speed is unknown


def test_texts_and_alt_text():
    v = hc.view()
    work, equal, side = (text for _, text in hc.texts(v))
    assert work.startswith("3.29 × 10²⁴ FLOPs at FP8, 35% utilisation, on 2,048 chips")
    assert "one H100 is worth 6.7 H20 on dense compute, 0.8 on memory bandwidth" in equal
    assert "6.7 on this workload" in equal  # training: the compute ratio
    assert "fastest not controlled under the 2023 rule: RTX 4090 D" in side and "impractical" in side
    assert hc.alt_text(v).startswith("Bar chart of days to finish the workload on 2,048 chips")


def test_budget_workload_ignores_the_model_size():
    assert hc.view(task="budget", budget_e24=10, active_params_b=5).flops == pytest.approx(1e25)


def test_chart_and_table():
    v = hc.view()
    c = hc.chart(v)
    bars = c.of("region", "bar ")
    assert len(bars) == len(v.runs)
    for run in v.runs:
        bar = next(b for b in bars if b.role == f"bar {run.chip.short_name}")
        assert bar.data["x1"] == pytest.approx(run.days)
        assert (bar.shape == "diagonal") == (run.result.controlled is False)
    t = hc.chip_table(v)
    h800 = next(row for row in t.rows if row[0] == "H800")
    assert h800[5] == f"{h800_run(v).hours * 2.0 / 1e6:,.1f}"
    assert next(row for row in t.rows if row[0] == "H20")[5] == "–"  # no sourced price
    assert next(row for row in t.rows if row[0] == "H20")[-1] == "no"
    assert next(row for row in t.rows if row[0] == "RTX 4090 D")[-1] == "no, Note 2"
    assert next(row for row in t.rows if row[0] == "Ascend 910B (est.)")[-1] == "yes, a.1"


def h800_run(v):
    return next(r for r in v.runs if r.chip.short_name == "H800")


@pytest.mark.parametrize("kwargs, parameter", [
    ({"task": "infer"}, "task"), ({"precision": "int4"}, "precision"), ({"rule": "1999"}, "rule"),
    ({"mfu": 0}, "mfu"), ({"mfu": 2}, "mfu"), ({"chips": 0}, "chips"), ({"chips": 10.5}, "chips"),
    ({"active_params_b": -1}, "active_params_b"), ({"tokens_t": 0}, "tokens_t"),
    ({"task": "budget", "budget_e24": 0}, "budget_e24"), ({"task": "serve", "batch": 0}, "batch"),
    ({"task": "serve", "batch": 2.5}, "batch"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        hc.view(**kwargs)


def test_page_live_and_jupyter():
    html = page.static_html(hc)
    assert "disabled" in html and 'data-dashboard="hardware_comparison"' in html
    answer = json.loads(live.update("hardware_comparison", json.dumps({"chips": "4096"})))
    assert answer["html"] == render(hc, {"chips": 4096.0}).html()
    box = hc.dashboard()
    box.controls["chip"].value = get_chip("Ascend 910B").name
    assert "Ascend 910B in H100s" in box.output.value


def test_serving_is_memory_bound_at_small_batches_and_the_h20_wins_there():
    from book.serving import seconds_per_token
    small = hc.view(task="serve", batch=16, chip="H20")
    h100 = next(r for r in small.runs if r.chip.short_name == "H100")
    expected = seconds_per_token(37e9, 1979, 3350, 1, 16, 0.35)
    assert h100.hours == pytest.approx(14.8e12 * expected.seconds / 3600) and h100.roofline.bound == "memory"
    # memory-bound on both: the H20's faster memory makes it worth more than an H100
    assert small.equivalence.workload == pytest.approx(3350 / 4000)
    assert "0.8 on this workload (H20: limited by its memory bandwidth)" in hc.texts(small)[1][1]
    # large batches: both compute-bound, and the training ratio returns
    large = hc.view(task="serve", batch=1024, chip="H20")
    assert large.equivalence.workload == pytest.approx(1979 / 296)
    assert "Limited by" in hc.chip_table(small).columns


def test_serving_leaves_out_chips_without_a_memory_bandwidth_and_says_so():
    v = hc.view(task="serve")
    assert "Ascend 910" not in {r.chip.short_name for r in v.runs} and v.left_out == ("Ascend 910",)
    assert "Not shown, for want of a figure: Ascend 910." in hc.texts(v)[2][1]
    e = hc.view(task="serve", chip="Ascend 910").equivalence
    assert e.workload is None and "no time on this workload" in hc.texts(hc.view(task="serve", chip="Ascend 910"))[1][1]
    assert "roofline" in hc.figure(v).html and "Days to generate the tokens" in hc.chart(v).svg()


def test_workload_ratio_in_training_equals_the_compute_ratio():
    for name in ("H20", "A800", "Ascend 910B", "MI300X"):
        e = hc.view(chip=name).equivalence
        assert e.workload == pytest.approx(e.compute)


def test_scientific_notation():
    assert hc.scientific(3.29e24) == "3.29 × 10²⁴" and hc.scientific(1.5e-3) == "1.50 × 10⁻³"
