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
    assert "H20s needed to match one H100: 6.69 on dense compute, 0.84 on memory bandwidth" in equal
    assert "6.69 on this workload" in equal  # training: the compute ratio
    assert "fastest not controlled under the 2023 rule: H20" in side
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
    assert "Ascend 910Bs per H100" in box.output.value


def test_serving_reads_the_experts_a_batch_uses_and_the_h20_wins_while_memory_bound():
    from book.architecture import get_architecture, parameter_counts, routed_experts
    from book.serving import seconds_per_token
    v3 = get_architecture("DeepSeek-V3")
    active, (routed, share) = parameter_counts(v3).active_in_matmuls, routed_experts(v3)
    small = hc.view(task="serve", batch=64, chip="H20")
    h100 = next(r for r in small.runs if r.chip.short_name == "H100")
    expected = seconds_per_token(active, 1979, 3350, 1, 64, 0.35, routed, share)
    assert h100.hours == pytest.approx(14.8e12 * expected.seconds / 3600) and h100.roofline.bound == "memory"
    # both memory-bound: the H20's faster memory makes it worth more than an H100
    assert small.equivalence.workload == pytest.approx(3350 / 4000)
    assert "0.84 on this workload (the H20 is limited by its memory bandwidth)" in hc.texts(small)[1][1]
    assert "which read 87% of its routed experts' weights" in hc.texts(small)[0][1]
    # at 1,024 the H20 has run out of arithmetic while the H100 still waits on memory
    middle = hc.view(task="serve", batch=1024, chip="H20")
    assert 1 < middle.equivalence.workload < 3350 / 4000 * 1979 / 296
    # very large batches: both compute-bound, and the training ratio returns
    large = hc.view(task="serve", batch=16_384, chip="H20")
    assert large.equivalence.workload == pytest.approx(1979 / 296)
    assert "Limited by" in hc.chip_table(small).columns


def test_serving_a_dense_model_reads_only_its_weights():
    v = hc.view(task="serve", model="Llama 3.1 405B", batch=64, chip="H20")
    assert "routed experts" not in hc.texts(v)[0][1] and v.model == "Llama 3.1 405B"
    h100 = next(r for r in v.runs if r.chip.short_name == "H100")
    assert h100.roofline.memory_s == pytest.approx(h100.roofline.compute_s * (1979 / 3350) / (2 * 64) * 1e3, rel=1e-9)


def test_geforce_cards_train_at_their_fp32_accumulate_rate():
    v = hc.view()
    run = next(r for r in v.runs if r.chip.short_name == "RTX 4090")
    assert run.peak_tflops == pytest.approx(get_chip("RTX 4090").fp8_tflops / 2)
    assert next(row for row in hc.chip_table(v).rows if row[0] == "RTX 4090")[1].endswith("†")
    # so the fastest chip the 2023 rule leaves free for training is the H20, not the RTX 4090 D
    assert "fastest not controlled under the 2023 rule: H20" in hc.texts(v)[2][1]


def test_serving_leaves_out_chips_without_a_memory_bandwidth_and_says_so():
    v = hc.view(task="serve")
    # serving needs a memory bandwidth and a peak (FP8, or BF16 for chips without FP8)
    expected = tuple(chip.short_name for chip in load_chips()
                     if not chip.memory_bandwidth_gb_s or not (chip.fp8_tflops or chip.fp16_tflops))
    assert v.left_out == expected and set(expected).isdisjoint(r.chip.short_name for r in v.runs)
    assert f"Not shown, for want of a figure: {', '.join(expected)}." in hc.texts(v)[2][1]
    assert "Ascend 910" in v.left_out  # Huawei publishes no memory bandwidth for it
    e = hc.view(task="serve", chip="Ascend 910").equivalence
    assert e.workload is None and "on this workload the Ascend 910 has no time" in hc.texts(hc.view(task="serve", chip="Ascend 910"))[1][1]
    assert "roofline" in hc.figure(v).html and "Days to generate the tokens" in hc.chart(v).svg()


def test_workload_ratio_in_training_equals_the_compute_ratio():
    for name in ("H20", "A800", "Ascend 910B", "MI300X"):
        e = hc.view(chip=name).equivalence
        assert e.workload == pytest.approx(e.compute)


def test_scientific_notation():
    assert hc.scientific(3.29e24) == "3.29 × 10²⁴" and hc.scientific(1.5e-3) == "1.50 × 10⁻³"


def test_a_consumer_card_as_the_fastest_free_chip_comes_with_a_warning():
    import dataclasses
    v = hc.view(chip="A800")
    without_h20 = dataclasses.replace(v, runs=tuple(r for r in v.runs if r.chip.short_name != "H20"))
    side = hc.texts(without_h20)[2][1]
    assert "fastest not controlled under the 2023 rule: RTX 4090 D" in side
    assert "consumer card with 24 GiB" in side and "impractical for training" in side


def test_precision_as_the_page_writes_it_and_a_bf16_compare_is_said():
    assert hc.view(precision="BF16").precision == "fp16" and hc.view(precision="FP8").precision == "fp8"
    assert "(the A100 at BF16: it has no FP8)" in hc.texts(hc.view(chip="A100"))[1][1]
    assert "Bytes per kFLOP (FP8)" in hc.chip_table(hc.view()).columns


def test_an_empty_box_says_so_and_names_the_control():
    from book.dashboards.base import coerce_all
    with pytest.raises(ValueError, match=r"mfu \(Utilisation \(MFU\)\) is empty"):
        coerce_all(hc.CONTROLS, {"mfu": " "})
