"""The communication-against-computation model of expert parallelism (book.expert_parallel)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.expert_parallel import (break_even_bandwidth, bytes_per_token, compute_seconds, expert_flops_per_token,
                                  layer_flops_per_token, link_budget, send_seconds)

V3 = {"hidden": 7168, "expert_hidden": 2048, "routed_per_token": 8}


def test_bytes_per_token_dispatch_fp8_combine_bf16():
    assert bytes_per_token(7168, 8) == 8 * 7168 * 3
    assert bytes_per_token(7168, 8, node_limit=4) == 4 * 7168 * 3      # node-limited routing halves it
    assert bytes_per_token(7168, 2, node_limit=4) == 2 * 7168 * 3      # never more copies than experts


def test_expert_flops():
    assert expert_flops_per_token(7168, 2048, 8, training=False) == 8 * 2 * 3 * 7168 * 2048
    assert expert_flops_per_token(7168, 2048, 8) == 3 * expert_flops_per_token(7168, 2048, 8, training=False)


def test_infiniband_dominates_without_node_limits_and_is_near_one_to_one_with_them():
    # the V3 report calls cross-node expert parallelism roughly 1:1 computation to communication
    # (InfiniBand at its nominal 50 GB/s per GPU here)
    free = link_budget(**V3, link_gb_s=50, peak_tflops=1979, mfu=0.4)
    limited = link_budget(**V3, link_gb_s=50, peak_tflops=1979, mfu=0.4, node_limit=4)
    assert free.bottleneck == "communication" and free.ratio > 2
    assert 0.8 < limited.ratio < 1.6
    assert limited.send_s == pytest.approx(free.send_s / 2)


#: DeepSeek-V3: one MoE layer's other weights a token is multiplied by (attention projections 187.1M,
#: shared expert 44.0M), from book.architecture
V3_OTHER = 231_147_520


def test_v3_other_parameters_come_from_the_architecture():
    from book.architecture import attention_parameters_per_layer, get_architecture
    v3 = get_architecture("DeepSeek-V3")
    assert attention_parameters_per_layer(v3) + v3.shared_experts * 3 * v3.hidden * v3.expert_hidden == V3_OTHER


def test_the_compute_side_can_count_the_whole_layer():
    routed_only = expert_flops_per_token(7168, 2048, 8, training=False)
    assert layer_flops_per_token(7168, 2048, 8, training=False) == routed_only
    assert layer_flops_per_token(7168, 2048, 8, V3_OTHER, training=False) == routed_only + 2 * V3_OTHER
    assert layer_flops_per_token(7168, 2048, 8, V3_OTHER) == 3 * layer_flops_per_token(7168, 2048, 8, V3_OTHER,
                                                                                          training=False)
    # InfiniBand at its effective 40 GB/s (ISCA 2025 paper), node-limited: 1.6 against the routed experts
    # alone, 1.0 (DeepSeek's "approximately 1:1") against the whole layer's computation on the token
    routed = link_budget(**V3, link_gb_s=40, peak_tflops=1979, mfu=0.4, node_limit=4)
    whole = link_budget(**V3, link_gb_s=40, peak_tflops=1979, mfu=0.4, node_limit=4, other_parameters=V3_OTHER)
    assert routed.ratio == pytest.approx(1.61, abs=0.005) and whole.ratio == pytest.approx(0.97, abs=0.005)
    assert whole.send_s == routed.send_s
    assert break_even_bandwidth(**V3, peak_tflops=1979, mfu=0.4, node_limit=4, other_parameters=V3_OTHER) == \
        pytest.approx(38.9, abs=0.05)


def test_like_with_like_links():
    # nominal against nominal (InfiniBand 50, H800 NVLink 200 one way) or achieved against effective
    # (160 and 40): NVLink is 4 times InfiniBand either way; mixing them (50 against 160) says 3.2
    nominal = [link_budget(**V3, link_gb_s=b, peak_tflops=1979, mfu=0.4).ratio for b in (50, 200)]
    achieved = [link_budget(**V3, link_gb_s=b, peak_tflops=1979, mfu=0.4).ratio for b in (40, 160)]
    assert nominal[0] / nominal[1] == pytest.approx(4) == achieved[0] / achieved[1]
    assert achieved[1] == pytest.approx(0.805, abs=0.001)  # the H800's NVLink as reached stays below 1


def test_overlap_hides_the_shorter_of_the_two():
    budget = link_budget(**V3, link_gb_s=50, peak_tflops=1979, mfu=0.4, node_limit=4, overlap=True)
    assert budget.step_s == max(budget.send_s, budget.compute_s)
    plain = link_budget(**V3, link_gb_s=50, peak_tflops=1979, mfu=0.4, node_limit=4)
    assert plain.step_s == pytest.approx(plain.send_s + plain.compute_s) and budget.compute_share > plain.compute_share


def test_break_even_bandwidth_is_where_the_times_meet():
    bandwidth = break_even_bandwidth(**V3, peak_tflops=1979, mfu=0.4)
    at = link_budget(**V3, link_gb_s=bandwidth, peak_tflops=1979, mfu=0.4)
    assert at.send_s == pytest.approx(at.compute_s)
    assert bandwidth == pytest.approx(128.8, abs=0.1)
    # the H800's NVLink (400 GB/s nominal, about 160 GB/s achieved) stays above it; InfiniBand does not
    assert 50 < bandwidth < 160


@pytest.mark.parametrize("call, parameter", [
    (lambda: bytes_per_token(0, 8), "hidden"),
    (lambda: bytes_per_token(7168, 8, node_limit=0), "node_limit"),
    (lambda: bytes_per_token(7168, 8, dispatch_bytes=-1), "dispatch_bytes"),
    (lambda: send_seconds(1e6, 0), "link_gb_s"),
    (lambda: compute_seconds(1e9, 1000, 0), "mfu"),
    (lambda: compute_seconds(1e9, 1000, 1.2), "mfu"),
    (lambda: compute_seconds(1e9, -5, 0.4), "peak_tflops"),
    (lambda: expert_flops_per_token(7168, 2048, 0), "routed_per_token"),
    (lambda: layer_flops_per_token(7168, 2048, 8, -1.0), "other_parameters"),
    (lambda: link_budget(**V3, link_gb_s=40, peak_tflops=1979, mfu=0.4, other_parameters=float("nan")),
     "other_parameters"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


@settings(max_examples=80, deadline=None)
@given(st.floats(1, 5000), st.floats(1.01, 10))
def test_a_faster_link_never_raises_the_ratio(link, factor):
    slow = link_budget(**V3, link_gb_s=link, peak_tflops=989, mfu=0.4)
    fast = link_budget(**V3, link_gb_s=link * factor, peak_tflops=989, mfu=0.4)
    assert fast.ratio < slow.ratio


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 64), st.integers(1, 16))
def test_node_limit_never_adds_traffic(experts, limit):
    assert bytes_per_token(7168, experts, node_limit=limit) <= bytes_per_token(7168, experts)
