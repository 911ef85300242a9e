"""The serving roofline with the KV cache (book.serving) and models on real chips (book.inference)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.architecture import get_architecture, kv_cache_bytes, parameter_counts
from book.hardware import Chip, get_chip
from book.inference import (attention_flops_per_context_token, chip_peak, decode, kv_bytes_per_context_token)
from book.serving import (MAX_BATCH, break_even_batch, cost_per_million_tokens, crossover_batch, seconds_per_token,
                          tokens_per_second)

H100_BW, H100_BF16 = 3350.0, 989.0


def test_memory_bound_decode_is_bandwidth_over_bytes():
    # a dense 70-billion-parameter model at BF16 (140 GB), one token a step, on an H100:
    # 3,350 GB/s / 140 GB = 23.9 tokens a second
    r = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=1)
    assert r.bound == "memory"
    assert tokens_per_second(r) == pytest.approx(3350e9 / 140e9)
    assert r.compute_s == pytest.approx(2 * 70e9 / 989e12)


def test_compute_bound_at_large_batch():
    r = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=4096)
    assert r.bound == "compute"
    assert tokens_per_second(r) == pytest.approx(989e12 / (2 * 70e9))


def test_crossover_without_cache_is_the_break_even_batch_rounded_up():
    # 989e12 x 2 bytes / (2 x 3,350e9) = 295.2, so 296 tokens a step
    assert break_even_batch(H100_BF16, H100_BW, 2) == pytest.approx(295.22, abs=0.01)
    assert crossover_batch(70e9, H100_BF16, H100_BW, 2) == 296
    at, below = (seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=b) for b in (296, 295))
    assert at.bound == "compute" and below.bound == "memory"


def test_kv_cache_reads_add_to_every_token_and_are_not_shared():
    kv, context = 160_000.0, 8192
    plain = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=64)
    cached = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=64, context=context, kv_bytes_per_context_token=kv)
    assert cached.memory_s - plain.memory_s == pytest.approx(kv * context / 3350e9)
    # the cache's share does not fall with the batch
    big = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=4096, context=context, kv_bytes_per_context_token=kv)
    assert big.memory_s > kv * context / 3350e9


def test_no_crossover_when_the_cache_alone_outweighs_the_arithmetic():
    # 1 MB of cache per context token x 8,192 tokens = 8.2 GB a token: 2.4 ms, against 0.14 ms of arithmetic
    assert crossover_batch(70e9, H100_BF16, H100_BW, 2, context=8192, kv_bytes_per_context_token=1e6) is None
    r = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=MAX_BATCH, context=8192, kv_bytes_per_context_token=1e6)
    assert r.bound == "memory"


def test_attention_arithmetic_grows_with_context():
    r = seconds_per_token(70e9, H100_BF16, H100_BW, 2, batch=1, context=1000, attention_flops_per_context_token=1e6)
    assert r.compute_s == pytest.approx((2 * 70e9 + 1e9) / 989e12)


def test_cost_per_million_tokens():
    # 1,000 tokens a second for an hour is 3.6 million tokens; at US$2 an hour, US$0.556 a million
    assert cost_per_million_tokens(2.0, 1000.0) == pytest.approx(2 / 3.6)
    with pytest.raises(ValueError, match="usd_per_chip_hour"):
        cost_per_million_tokens(0, 1000.0)
    with pytest.raises(ValueError, match="tokens_per_chip_second"):
        cost_per_million_tokens(2.0, -1)


@pytest.mark.parametrize("kwargs, name", [
    ({"context": -1}, "context"), ({"context": 1.5}, "context"),
    ({"kv_bytes_per_context_token": -1.0}, "kv_bytes_per_context_token"),
    ({"attention_flops_per_context_token": float("nan")}, "attention_flops_per_context_token"),
    ({"batch": 0}, "batch"), ({"utilisation": 1.2}, "utilisation")])
def test_bad_roofline_inputs_name_the_parameter(kwargs, name):
    arguments = dict(active_parameters=70e9, peak_tflops=989.0, memory_bandwidth_gb_s=3350.0, bytes_per_parameter=2,
                     batch=1)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=name):
        seconds_per_token(**arguments)


@settings(max_examples=60, deadline=None)
@given(batch=st.integers(1, 20_000), context=st.integers(0, 131_072), peak=st.floats(10, 5000),
       bandwidth=st.floats(100, 10_000))
def test_more_batch_never_lowers_throughput_and_never_beats_the_compute_ceiling(batch, context, peak, bandwidth):
    v3 = get_architecture("DeepSeek-V3")
    from book.architecture import routed_experts
    routed, share = routed_experts(v3)
    args = dict(active_parameters=parameter_counts(v3).active_in_matmuls, peak_tflops=peak,
                memory_bandwidth_gb_s=bandwidth, bytes_per_parameter=1, routed_parameters=routed, routed_share=share,
                context=context, kv_bytes_per_context_token=kv_bytes_per_context_token(v3),
                attention_flops_per_context_token=attention_flops_per_context_token(v3))
    now, more = seconds_per_token(batch=batch, **args), seconds_per_token(batch=batch + 1, **args)
    assert more.memory_s <= now.memory_s * (1 + 1e-12)
    assert tokens_per_second(more) >= tokens_per_second(now) * (1 - 1e-12)
    assert tokens_per_second(now) <= 1 / now.compute_s * (1 + 1e-12)
    cross = crossover_batch(**args)
    if cross is not None:
        assert seconds_per_token(batch=cross, **args).bound == "compute"
        if cross > 1:
            assert seconds_per_token(batch=cross - 1, **args).bound == "memory"


# ---- real models on real chips ---------------------------------------------------------------

def test_v3_cache_and_attention_per_context_token():
    v3 = get_architecture("DeepSeek-V3")
    # 61 layers x (512 + 64) numbers x 2 bytes = 70,272 bytes: chapter 2's cache, per token
    assert kv_bytes_per_context_token(v3) == 61 * 576 * 2 == kv_cache_bytes(v3, 1)
    # absorbed MLA: 2 x 128 heads x (2 x 512 + 64) per layer
    assert attention_flops_per_context_token(v3) == 61 * 2 * 128 * 1088
    llama = get_architecture("Llama 3.1 405B")
    assert attention_flops_per_context_token(llama) == 126 * 4 * 128 * 128
    assert kv_bytes_per_context_token(llama) == 126 * 2 * 8 * 128 * 2


def test_chip_peak_falls_back_to_bf16_and_halves_geforce():
    assert chip_peak(get_chip("H100"), "fp8") == (1979, "fp8")
    assert chip_peak(get_chip("Ascend 910B"), "fp8") == (320, "bf16")
    assert chip_peak(get_chip("RTX 4090"), "bf16") == (pytest.approx(330.3 / 2), "bf16")
    with pytest.raises(ValueError, match="precision"):
        chip_peak(get_chip("H100"), "int4")


def test_h20_paradox_small_batch_vs_large_batch():
    v3 = get_architecture("DeepSeek-V3")
    h20, h100 = get_chip("H20"), get_chip("H100")
    # dense compute: 148 / 989 = 15% of an H100
    assert h20.fp16_tflops / h100.fp16_tflops == pytest.approx(0.1496, abs=1e-4)
    small = [decode(v3, chip, "fp8", batch=64, context=4096) for chip in (h20, h100)]
    assert small[0].bound == small[1].bound == "memory"
    # memory-bound, the H20 is ahead by its bandwidth ratio (4.0 / 3.35 TB/s) at most
    assert small[0].tokens_per_second / small[1].tokens_per_second == pytest.approx(4000 / 3350, rel=0.02)
    big = [decode(v3, chip, "fp8", batch=2048, context=4096) for chip in (h20, h100)]
    assert big[0].bound == "compute" and big[0].tokens_per_second < 0.6 * big[1].tokens_per_second
    assert small[0].crossover == big[0].crossover and 64 < big[0].crossover <= 2048


def test_decode_cost_and_chips_to_hold():
    v3 = get_architecture("DeepSeek-V3")
    d = decode(v3, get_chip("H800"), "fp8", batch=256, context=4096, usd_per_hour=2.0)
    assert d.usd_per_million_tokens == pytest.approx(2.0 / (d.tokens_per_second * 3600) * 1e6)
    held = parameter_counts(v3).total * 1 + 256 * 4096 * kv_bytes_per_context_token(v3)
    assert d.chips_to_hold == math.ceil(held / (80 * 2**30))  # an H800's 80 GiB, in bytes
    assert decode(v3, get_chip("H800"), "fp8", batch=256).usd_per_million_tokens is None
    # a 24 GiB card needs dozens to hold V3's weights at all: 671 GB / 25.8 GB = 26.04, so 27
    assert decode(v3, get_chip("RTX 4090"), "fp8").chips_to_hold == 27
    # one conversation of 4,096 tokens beside V3's FP8 weights fits in eight 80 GiB chips
    assert decode(v3, get_chip("H800"), "fp8", batch=1, context=4096).chips_to_hold == 8


def test_decode_rejects_bad_input():
    v3 = get_architecture("DeepSeek-V3")
    with pytest.raises(ValueError, match="memory"):
        decode(v3, get_chip("Ascend 910"))  # no memory figures
    with pytest.raises(ValueError, match="batch"):
        decode(v3, get_chip("H100"), batch=0)
    with pytest.raises(ValueError, match="usd_per_hour"):
        decode(v3, get_chip("H100"), usd_per_hour=-2)
    with pytest.raises(ValueError, match="precision"):
        decode(v3, get_chip("H100"), precision="fp4")
    with pytest.raises(ValueError, match="throughput"):
        decode(v3, Chip(name="No compute", market="datacenter", memory_gib=80, memory_bandwidth_gb_s=1000))


def test_speed_one_conversation_sees():
    from book.inference import READING_TOKENS_PER_SECOND
    v3 = get_architecture("DeepSeek-V3")
    d = decode(v3, get_chip("Ascend 910B"), "fp8", batch=64, context=4096)
    assert d.conversation_tokens_per_second == pytest.approx(d.chips_to_hold * d.tokens_per_second / 64)
    # 238 words a minute at 0.75 words a token: about 5.3 tokens a second
    assert READING_TOKENS_PER_SECOND == pytest.approx(5.29, abs=0.01)
    assert d.conversation_tokens_per_second > READING_TOKENS_PER_SECOND


def test_deepseeks_published_serving_figures_reproduce():
    from book.inference import load_serving_reports
    report = next(r for r in load_serving_reports() if r.report == "DeepSeek inference system")
    # 226.75 nodes x 8 H800s x 24 hours x US$2 = US$87,072 a day, as DeepSeek reported
    assert report.daily_chip_cost == pytest.approx(report.cost_usd_per_day)
    assert report.cost_profit_margin == pytest.approx(5.45, abs=0.005)  # the "545%"
    assert report.output_tokens_per_chip_second == 1850
    # US$16 a node-hour over 14,800 tokens a second: US$0.30 per million output tokens
    assert report.usd_per_million_output_tokens == pytest.approx(0.300, abs=0.001)
    # the sketch's ceiling at that context is above what the real system reached, within a factor of 5
    d = decode(get_architecture("DeepSeek-V3"), get_chip(report.chip), "fp8", 16_384, round(report.average_context))
    assert report.output_tokens_per_chip_second < d.tokens_per_second < 5 * report.output_tokens_per_chip_second


def test_attention_runs_at_its_own_peak():
    slow = seconds_per_token(70e9, 989.0, 3350.0, 1, batch=1, context=1000, attention_flops_per_context_token=1e6,
                             attention_peak_tflops=494.5)
    assert slow.compute_s == pytest.approx(2 * 70e9 / 989e12 + 1e9 / 494.5e12)
    with pytest.raises(ValueError, match="attention_peak_tflops"):
        seconds_per_token(70e9, 989.0, 3350.0, 1, batch=1, attention_peak_tflops=0)
