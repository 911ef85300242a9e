"""Training-cost arithmetic (book.training_cost), rental prices (book.rental) and the machine
measurement (book.machine)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.hardware import get_chip
from book.machine import MatmulResult, auto_size, measure_matmul
from book.rental import load_rental_prices, rental_price
from book.training_cost import (electricity_cost, energy_kwh, gpu_hours, grown, implied_mfu, load_runs, rental_cost,
                                run_stages, run_totals, training_flops, wall_clock_days)


def test_deepseek_v3_cost_table_reproduces():
    # 2,664K + 119K + 5K = 2,788K GPU-hours; US$5.576M at US$2 per hour (arXiv 2412.19437, Table 1)
    hours = {s.stage: s.gpu_hours for s in run_stages("DeepSeek-V3")}
    assert hours == {"pre-training": 2_664_000, "context extension": 119_000, "post-training": 5_000}
    totals = run_totals("DeepSeek-V3")
    assert totals.gpu_hours == 2_788_000 and totals.rental_usd == pytest.approx(5.576e6)
    for stage in run_stages("DeepSeek-V3"):
        assert rental_cost(stage.gpu_hours, stage.usd_per_gpu_hour) / 1e6 == pytest.approx(stage.reported_cost_musd)


def test_llama_flops_from_6nd_within_one_percent():
    llama = run_stages("Llama 3.1 405B")[0]
    assert training_flops(405e9, 15.6e12) == pytest.approx(llama.reported_flops, rel=0.01)
    assert run_totals("Llama 3.1 405B").rental_usd is None  # no price is reported for it


def test_implied_utilisation():
    flops = training_flops(37e9, 14.8e12)
    h800 = get_chip("H800")
    assert implied_mfu(flops, 2_664_000, h800.fp8_tflops) == pytest.approx(0.173, abs=0.001)
    assert implied_mfu(flops, 2_664_000, h800.fp16_tflops) == pytest.approx(0.346, abs=0.001)
    # Llama: the hours imply about 35%, a little under the 38-43% measured during the run
    assert implied_mfu(3.8e25, 30.84e6, get_chip("H100").fp16_tflops) == pytest.approx(0.346, abs=0.002)


def test_gpu_hours_and_implied_mfu_are_inverse():
    flops, peak, mfu = 3e24, 989, 0.4
    assert implied_mfu(flops, gpu_hours(flops, peak, mfu), peak) == pytest.approx(mfu)


def test_days_energy_and_money():
    assert wall_clock_days(2_664_000, 2048) == pytest.approx(54.2, abs=0.05)  # "less than two months"
    assert energy_kwh(1000, 700, 1.5) == pytest.approx(1050)
    assert electricity_cost(1000, 0.08) == pytest.approx(80)
    assert grown(100, 2, 1) == 200 and grown(100, 0.5, 2) == 25 and grown(100, 4, 0) == 100


@pytest.mark.parametrize("call, parameter", [
    (lambda: training_flops(-1, 1e12), "active_parameters"),
    (lambda: training_flops(1e9, 0), "tokens"),
    (lambda: gpu_hours(1e24, 989, 0), "mfu"),
    (lambda: gpu_hours(1e24, 989, 1.5), "mfu"),
    (lambda: gpu_hours(1e24, -989, 0.4), "peak_tflops"),
    (lambda: implied_mfu(1e24, 0, 989), "hours"),
    (lambda: wall_clock_days(100, 0), "chips"),
    (lambda: wall_clock_days(100, 2.5), "chips"),
    (lambda: energy_kwh(100, 700, 0.9), "pue"),
    (lambda: energy_kwh(100, 0, 1.5), "tdp_w"),
    (lambda: rental_cost(-5, 2), "hours"),
    (lambda: training_flops(float("nan"), 1e12), "active_parameters"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


def test_unknown_run_or_chip():
    with pytest.raises(KeyError, match="no run"):
        run_stages("GPT-5")
    with pytest.raises(KeyError):
        rental_price("H2O")


def test_every_run_and_price_has_a_source_and_a_catalogue_chip():
    for stage in load_runs():
        assert stage.source.strip() and get_chip(stage.chip)
    for price in load_rental_prices():
        assert price.source.strip() and price.kind in ("assumed", "market")
        if price.usd_per_hour_low is not None:
            assert price.usd_per_hour_low <= price.usd_per_hour <= price.usd_per_hour_high
    assert rental_price("H800").usd_per_hour == 2.0 and rental_price("H800").kind == "assumed"
    assert rental_price("H20") is None  # no sourced price: unknown, not guessed


@settings(max_examples=80, deadline=None)
@given(st.floats(1e20, 1e27), st.floats(10, 10_000), st.floats(0.01, 1.0), st.floats(1.01, 4))
def test_more_utilisation_never_takes_longer(flops, peak, mfu, factor):
    assert gpu_hours(flops, peak, min(1.0, mfu * factor)) <= gpu_hours(flops, peak, mfu)


@settings(max_examples=80, deadline=None)
@given(st.floats(1e8, 1e13), st.floats(1e9, 1e14))
def test_training_flops_scale_linearly(params, tokens):
    assert training_flops(2 * params, tokens) == pytest.approx(2 * training_flops(params, tokens))


# ---- measuring this machine (its output varies; the chapter's cell is excluded from nbval) --------

def test_matmul_measurement_counts_2n_cubed():
    result = measure_matmul(64, repeats=2)
    assert result.flops == 2 * 64 ** 3 and result.gflops > 0 and result.seconds > 0
    assert result.share_of(989) == pytest.approx(result.gflops / 989_000)
    assert MatmulResult(1000, 2.0, 1).gflops == pytest.approx(1.0)


def test_auto_size_stops_and_rejects_bad_input():
    assert auto_size(target_seconds=1e-6, start=32, largest=64) in (32, 64)
    with pytest.raises(ValueError, match="n must be"):
        measure_matmul(3)
    with pytest.raises(ValueError, match="dtype"):
        measure_matmul(64, dtype="int8")
    with pytest.raises(ValueError, match="target_seconds"):
        auto_size(0)


# --------------------------------------------------------------------------------------------
# serving: the roofline sketch (book.serving)
# --------------------------------------------------------------------------------------------

def test_serving_roofline_known_values():
    from book.serving import break_even_batch, seconds_per_token
    # H100 at FP8: 1,979 TFLOPS and 3,350 GB/s; 37e9 active parameters of 1 byte
    one = seconds_per_token(37e9, 1979, 3350, 1, 1)
    assert one.compute_s == pytest.approx(2 * 37e9 / 1979e12) and one.memory_s == pytest.approx(37e9 / 3350e9)
    assert one.bound == "memory" and one.seconds == one.memory_s
    # the batch at which the two meet: 1979e12 / (2 * 3350e9) = 295 tokens
    assert break_even_batch(1979, 3350, 1) == pytest.approx(295.4, abs=0.1)
    assert seconds_per_token(37e9, 1979, 3350, 1, 296).bound == "compute"
    # the H20 (296 TFLOPS, 4,000 GB/s) turns compute-bound at a batch of 37
    assert break_even_batch(296, 4000, 1) == pytest.approx(37.0)


@pytest.mark.parametrize("kwargs, parameter", [
    ({"active_parameters": 0}, "active_parameters"), ({"peak_tflops": -1}, "peak_tflops"),
    ({"memory_bandwidth_gb_s": 0}, "memory_bandwidth_gb_s"), ({"bytes_per_parameter": 0}, "bytes_per_parameter"),
    ({"batch": 0}, "batch"), ({"batch": 1.5}, "batch"), ({"batch": True}, "batch"),
    ({"utilisation": 0}, "utilisation"), ({"utilisation": 1.2}, "utilisation"),
    ({"active_parameters": float("inf")}, "active_parameters"),
])
def test_serving_rejects_bad_input(kwargs, parameter):
    from book.serving import seconds_per_token
    arguments = {"active_parameters": 37e9, "peak_tflops": 1979, "memory_bandwidth_gb_s": 3350,
                 "bytes_per_parameter": 1, "batch": 8, "utilisation": 0.5} | kwargs
    with pytest.raises(ValueError, match=parameter):
        seconds_per_token(**arguments)


@settings(max_examples=200, deadline=None)
@given(n=st.floats(1e6, 1e13), peak=st.floats(1, 1e4), bandwidth=st.floats(100, 2e4),
       width=st.sampled_from([0.5, 1, 2]), batch=st.integers(1, 4096), u=st.floats(0.01, 1))
def test_serving_roofline_invariants(n, peak, bandwidth, width, batch, u):
    from book.serving import break_even_batch, seconds_per_token
    r = seconds_per_token(n, peak, bandwidth, width, batch, u)
    assert r.seconds == max(r.compute_s, r.memory_s) > 0
    # a bigger batch never makes a token slower, and never beats the arithmetic
    bigger = seconds_per_token(n, peak, bandwidth, width, batch * 2, u)
    assert bigger.seconds <= r.seconds and bigger.seconds >= r.compute_s * (1 - 1e-12)
    # memory-bound exactly below the break-even batch
    edge = break_even_batch(peak, bandwidth, width)
    assert (r.bound == "memory") == (batch <= edge * (1 + 1e-12)) or abs(batch - edge) < 1e-6 * edge


def test_years_to_reach_inverts_grown():
    from book.training_cost import years_to_reach
    assert years_to_reach(100, 25, 0.5) == pytest.approx(2)       # halving twice
    assert years_to_reach(30, 30 / 4, 1 / 4) == pytest.approx(1)   # a 4x decline takes a year
    assert years_to_reach(5, 5, 3) == 0
    for bad, parameter in (((100, 25, 2), "factor_per_year"), ((100, 25, 1), "factor_per_year"),
                           ((0, 25, 0.5), "value"), ((100, -1, 0.5), "target")):
        with pytest.raises(ValueError, match=parameter):
            years_to_reach(*bad)


@settings(max_examples=200, deadline=None)
@given(value=st.floats(1e-3, 1e9), factor=st.floats(0.05, 20).filter(lambda f: abs(f - 1) > 1e-3),
       years=st.floats(0, 10))
def test_years_to_reach_and_grown_are_inverse(value, factor, years):
    from book.training_cost import years_to_reach
    target = grown(value, factor, years)
    assert years_to_reach(value, target, factor) == pytest.approx(years, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("check, value, words", [
    ("positive", 0, "> 0"), ("positive", -1.5, "> 0"), ("positive", float("nan"), "finite"),
    ("positive", "3", "finite"), ("positive", True, "finite"),
    ("count", 0, ">= 1"), ("count", 2.0, "whole number"), ("count", False, "whole number"),
    ("fraction", 0, "more than 0 and at most 1"), ("fraction", 1.01, "more than 0 and at most 1"),
    ("fraction", None, "more than 0 and at most 1"),
])
def test_shared_validators_name_the_parameter_and_the_value(check, value, words):
    from book import validate
    with pytest.raises(ValueError) as error:
        getattr(validate, check)("some_name", value)
    message = str(error.value)
    assert message.startswith("some_name must be") and words in message and repr(value) in message


def test_shared_validators_pass_good_values_through():
    from book.validate import count, fraction, positive
    assert positive("x", 2) == 2.0 and positive("x", 0, allow_zero=True) == 0.0
    assert count("n", 3) == 3 and count("n", 0, low=0) == 0 and fraction("u", 1) == 1.0


def test_serving_a_mixture_of_experts_reads_the_experts_its_batch_uses():
    from book.serving import experts_read, parameters_read, seconds_per_token
    # DeepSeek-V3: 8 of 256 routed experts per token
    assert experts_read(8 / 256, 1) == pytest.approx(8 / 256)
    assert experts_read(8 / 256, 64) == pytest.approx(1 - (248 / 256) ** 64)  # about 87%
    assert experts_read(1.0, 5) == 1.0  # a dense model: every "expert" every time
    # one token reads exactly its active parameters; a big batch nearly all the weights
    assert parameters_read(37e9, 1, 650e9, 1 / 32) == pytest.approx(37e9)
    assert parameters_read(37e9, 100_000, 650e9, 1 / 32) == pytest.approx(37e9 - 650e9 / 32 + 650e9)
    dense = seconds_per_token(37e9, 1979, 3350, 1, 64)
    moe = seconds_per_token(37e9, 1979, 3350, 1, 64, routed_parameters=650e9, routed_share=1 / 32)
    assert moe.compute_s == dense.compute_s and moe.memory_s > 10 * dense.memory_s
    with pytest.raises(ValueError, match="active_parameters"):
        parameters_read(10e9, 8, 650e9, 1 / 32)  # the routed active part (20e9) exceeds the active count
    with pytest.raises(ValueError, match="routed_share"):
        experts_read(0, 8)


@settings(max_examples=200, deadline=None)
@given(share=st.floats(0.001, 1), batch=st.integers(1, 10_000))
def test_experts_read_grows_with_the_batch_and_stays_a_share(share, batch):
    from book.serving import experts_read
    read = experts_read(share, batch)
    assert share * (1 - 1e-12) <= read <= 1 and experts_read(share, batch + 1) >= read


def test_geforce_fp32_accumulate_rate_is_half_and_others_unchanged():
    assert get_chip("RTX 4090").fp32_accumulate_tops("fp16") == pytest.approx(165.15)
    assert get_chip("RTX 4090 D").fp32_accumulate_tops("fp8") == pytest.approx(294)
    assert get_chip("H100").fp32_accumulate_tops("fp8") == get_chip("H100").fp8_tflops
    assert get_chip("Ascend 910").fp32_accumulate_tops("fp8") is None


def test_routed_experts_of_the_architectures():
    from book.architecture import get_architecture, routed_experts
    routed, share = routed_experts(get_architecture("DeepSeek-V3"))
    assert share == 8 / 256 and routed == pytest.approx(58 * 256 * 3 * 7168 * 2048)
    assert routed_experts(get_architecture("Llama 3.1 405B")) == (0.0, 1.0)


def test_cost_estimates_agree_with_the_runs_and_keep_their_ranges():
    from book.training_cost import cost_estimate, load_cost_estimates
    v3 = cost_estimate("deepseek_v3_final_run")
    pre = run_stages("DeepSeek-V3")[0]
    # one basis: V3's row is its pre-training (US$5.328M), the work its FLOPs count, not all stages (US$5.576M)
    assert v3.low_usd == v3.high_usd == pytest.approx(rental_cost(pre.gpu_hours, pre.usd_per_gpu_hour)) == 5.328e6
    assert v3.training_flops == pytest.approx(training_flops(37e9, 14.8e12), rel=0.01)
    gpt4 = cost_estimate("gpt4_final_run")
    # like for like: GPT-4's run cost about 14.7 times V3's pre-training, which is exactly about 6.4 times the
    # compute at about 2.3 times the price per FLOP (on the all-stage cost the factors would not multiply out)
    cost, compute, price = (gpt4.middle_usd / v3.middle_usd, gpt4.training_flops / v3.training_flops,
                            gpt4.usd_per_flop / v3.usd_per_flop)
    assert cost == pytest.approx(14.7, abs=0.05) and compute == pytest.approx(6.4, abs=0.05)
    assert price == pytest.approx(2.3, abs=0.05) and cost == pytest.approx(compute * price)
    assert cost_estimate("gpt4_press").high_usd is None and cost_estimate("gpt4_press").usd_per_flop is None
    assert cost_estimate("sonnet").middle_usd == pytest.approx((20e6 * 50e6) ** 0.5)
    for estimate in load_cost_estimates():
        assert estimate.source and estimate.what and (estimate.high_usd is None or estimate.high_usd >= estimate.low_usd)
    # the fleet range is the book's construction from SemiAnalysis's two figures, and says so
    fleet = cost_estimate("deepseek_gpus")
    assert (fleet.low_usd, fleet.high_usd) == (500e6, 1.6e9) and "construction" in fleet.note
    with pytest.raises(KeyError, match="keys"):
        cost_estimate("gpt5")


def test_months_between_sonnet_and_deepseek_v3():
    from book.training_cost import cost_estimate, months_apart
    # Amodei (29 Jan 2025): Sonnet's training "was conducted 9-12 months ago"; V3 was trained in
    # November/December 2024, so its run ended 1 to 2 months before the essay: 7 to 11 months apart
    assert months_apart((9, 12), (1, 2)) == (7, 11)
    assert months_apart((3, 3), (3, 3)) == (0, 0)
    # the chart's years sit in the middle of that range
    gap = cost_estimate("deepseek_v3_final_run").trained_year - cost_estimate("sonnet").trained_year
    assert 12 * gap == pytest.approx(9, abs=0.05)
    for bad, parameter in ((((12, 9), (1, 2)), "earlier_months_before"), (((9, 12), (1,)), "later_months_before"),
                           (((9, 12), (-1, 2)), "later_months_before"), (((9, 12), "12"), "later_months_before"),
                           (((1, 2), (1, 3)), "overlaps")):
        with pytest.raises(ValueError, match=parameter):
            months_apart(*bad)


def test_the_cost_curve_predicts_about_one_to_four_times_deepseek_v3():
    from book.training_cost import cost_estimate, months_apart
    # a cost falling 4 times a year from Sonnet's US$20-50M, 7 to 11 months on: about US$5.6-22M, or 1.0 to
    # 4.0 times V3's headline US$5.576M (the curve chapter 3 draws)
    sonnet, v3 = cost_estimate("sonnet"), run_totals("DeepSeek-V3").rental_usd
    predicted = [grown(cost, 1 / 4, months / 12) for cost in (sonnet.low_usd, sonnet.high_usd)
                 for months in months_apart((9, 12), (1, 2))]
    assert min(predicted) / 1e6 == pytest.approx(5.6, abs=0.05) and max(predicted) / 1e6 == pytest.approx(22.3, abs=0.05)
    assert min(predicted) / v3 == pytest.approx(1.0, abs=0.05) and max(predicted) / v3 == pytest.approx(4.0, abs=0.05)
