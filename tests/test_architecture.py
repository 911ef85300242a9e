"""Model architectures: parameters, FLOPs, weight memory and the KV cache (book.architecture)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book.architecture import (GQA, MHA, MLA, Architecture, chip_bytes, chips_to_hold, concurrent_sequences,
                               flops_per_token, get_architecture, kv_cache_bytes, kv_elements_per_token,
                               kv_elements_per_token_per_layer, load_architectures, max_context, parameter_counts,
                               parse_architectures, spare_bytes, weight_bytes, with_attention)
from book.tables import TableError

V3, V2 = get_architecture("DeepSeek-V3"), get_architecture("DeepSeek-V2")


@pytest.mark.parametrize("name, total_b, active_b", [("DeepSeek-V3", 671, 37), ("DeepSeek-V2", 236, 21)])
def test_published_parameter_counts_from_the_architecture_table(name, total_b, active_b):
    # totals within 1%, active within 2% (the reports' active counts leave out the input embedding)
    counts = parameter_counts(get_architecture(name))
    assert counts.total / 1e9 == pytest.approx(total_b, rel=0.01)
    assert counts.active_in_matmuls / 1e9 == pytest.approx(active_b, rel=0.02)


def test_our_own_arithmetic_from_the_configs():
    # attention, dense FFN, experts, router and both embeddings: 671.0 / 37.6 and 235.7 / 21.4
    assert parameter_counts(V3).total / 1e9 == pytest.approx(671.0, abs=0.05)
    assert parameter_counts(V3).active / 1e9 == pytest.approx(37.6, abs=0.06)
    assert parameter_counts(V2).total / 1e9 == pytest.approx(235.7, abs=0.05)
    assert parameter_counts(V2).active / 1e9 == pytest.approx(21.4, abs=0.05)
    assert parameter_counts(V3).active_in_matmuls / 1e9 == pytest.approx(36.6, abs=0.05)


def test_dense_models_use_every_parameter():
    for name, reported in (("DeepSeek LLM 67B", 67), ("Llama 3.1 405B", 405)):
        counts = parameter_counts(get_architecture(name))
        assert counts.active == counts.total and counts.total / 1e9 == pytest.approx(reported, rel=0.01)


def test_kv_elements_per_token_per_layer():
    assert kv_elements_per_token_per_layer(MHA, 128, 128) == 32_768
    assert kv_elements_per_token_per_layer(MLA, 128, 128, kv_compression=512, rope_dim=64) == 576
    assert kv_elements_per_token_per_layer(GQA, 64, 128, kv_heads=8) == 2_048
    assert kv_elements_per_token_per_layer(GQA, 128, 128, kv_heads=128) == 32_768  # GQA with every head = MHA


def test_v2_cache_saving_is_against_deepseek_67b_and_includes_quantisation():
    # MLA alone at 16 bits saves about 82% against the 67B's GQA; with ~6-bit cache entries, 93.3%
    ratio = kv_elements_per_token(V2) / kv_elements_per_token(get_architecture("DeepSeek LLM 67B"))
    assert 1 - ratio == pytest.approx(0.822, abs=0.001)
    assert 1 - ratio * 6 / 16 == pytest.approx(0.933, abs=0.0005)
    # against textbook MHA with V2's own sizes the saving is larger still
    assert 1 - kv_elements_per_token(V2) / kv_elements_per_token(with_attention(V2, MHA)) == pytest.approx(1 - 576 / 32768)


def test_flops_per_token_moe_vs_dense():
    assert flops_per_token(V3) == pytest.approx(2 * parameter_counts(V3).active_in_matmuls)
    assert flops_per_token(V3, training=True) == pytest.approx(3 * flops_per_token(V3))
    assert flops_per_token(V3) / 1e9 == pytest.approx(73.3, abs=0.2)


def test_weight_memory_and_chips():
    # weights in decimal GB, chips in binary GiB (a fact-check of chapter 2, Dec 2026)
    assert weight_bytes(V3, "bf16") == 2 * weight_bytes(V3, "fp8")
    assert weight_bytes(V3, "fp8") / 1e9 == pytest.approx(671.0, abs=0.1)
    assert chips_to_hold(weight_bytes(V3, "fp8"), 80) == 8 and chips_to_hold(weight_bytes(V3, "fp8"), 96) == 7
    assert chips_to_hold(weight_bytes(V3, "bf16"), 80) == 16  # not 17, as 80 x 10^9 bytes a chip would need
    assert chips_to_hold(weight_bytes(V3, "bf16"), 80 * 1e9 / 2**30) == 17
    assert chips_to_hold(0, 80) == 1


def test_chip_capacity_is_binary():
    # an "80 GB" chip holds 80 GiB = 80 x 2^30 bytes = 85,899,345,920 bytes
    assert chip_bytes(80) == 85_899_345_920 == 80 * 2**30
    assert chips_to_hold(80 * 2**30, 80) == 1 and chips_to_hold(80 * 2**30 + 1, 80) == 2
    assert chips_to_hold(85.5e9, 80) == 1  # what the driver reports as usable fits in one chip's nominal 80 GiB
    # a catalogue capacity is converted with 2^30, not 10^9
    from book.hardware import get_chip
    h800, h20 = get_chip("H800"), get_chip("H20")
    assert h800.memory_gib == 80 and h800.memory_bytes == 85_899_345_920 == chip_bytes(h800.memory_gib)
    assert h20.memory_gib == 96 and h20.memory_bytes == 96 * 2**30
    assert h800.memory_gb == pytest.approx(85.899, abs=0.001)  # the same capacity in decimal GB


def test_what_fits_beside_the_weights():
    # V3's FP8 weights (671.0 GB) barely fit on 8 x 80 GiB (687.2 GB): about 16 GB is left at the
    # datasheet's capacity, about 13 GB at the 81,559 MiB the driver reports per chip
    assert spare_bytes(V3, 80, 8, "fp8") / 1e9 == pytest.approx(16.17, abs=0.01)
    assert (8 * 81_559 * 2**20 - weight_bytes(V3, "fp8")) / 1e9 == pytest.approx(13.14, abs=0.01)
    assert concurrent_sequences(V3, 80, 8, 32_768, "fp8") == 7
    # on 8 x 96 GiB about 154 GB is left for the cache
    spare = 8 * 96 * 2**30 - weight_bytes(V3, "fp8")
    assert spare / 1e9 == pytest.approx(153.6, abs=0.1)
    per_token = kv_elements_per_token(V3) * 2
    assert max_context(V3, 96, 8, "fp8") == math.floor(spare / per_token)
    assert concurrent_sequences(V3, 96, 8, 32_768, "fp8") == math.floor(spare / per_token) // 32_768 == 66
    assert kv_cache_bytes(V3, 32_768) == pytest.approx(61 * 576 * 2 * 32_768)


def test_conversations_per_server_of_chapter_2():
    # FP8 weights, BF16 cache, 32,768-token conversations, one 8-chip server (exercises 2.3 and 2.6)
    assert concurrent_sequences(V2, 80, 8, 32_768, "fp8") == 199
    assert concurrent_sequences(V2, 96, 8, 32_768, "fp8") == 260
    assert concurrent_sequences(with_attention(V3, GQA, kv_heads=8), 96, 8, 32_768, "fp8") == 18
    assert concurrent_sequences(with_attention(V3, MHA), 96, 8, 32_768, "fp8") == 1
    assert concurrent_sequences(V3, 96, 8, 32_768, "bf16") == 0  # BF16 weights do not fit


def test_table_and_lookup():
    names = [a.name for a in load_architectures()]
    assert names[:2] == ["DeepSeek-V3", "DeepSeek-V2"]
    for arch in load_architectures():
        assert arch.source.strip() and arch.confidence in ("datasheet", "reported", "estimate")
    assert get_architecture("v3") is V3 and get_architecture("deepseek 67b").name == "DeepSeek LLM 67B"
    with pytest.raises(KeyError, match="Close matches"):
        get_architecture("DeepSeek-V4")


@pytest.mark.parametrize("call, parameter", [
    (lambda: V3.with_changes(active_experts=300), "active_experts"),
    (lambda: V3.with_changes(hidden=-7168), "hidden"),
    (lambda: V3.with_changes(attention="flash"), "attention"),
    (lambda: V3.with_changes(dense_layers=70), "dense_layers"),
    (lambda: get_architecture("67B").with_changes(kv_heads=7), "kv_heads"),
    (lambda: kv_elements_per_token_per_layer("sparse", 128, 128), "attention"),
    (lambda: kv_elements_per_token_per_layer(GQA, 8, 128, kv_heads=16), "kv_heads"),
    (lambda: kv_elements_per_token_per_layer(MHA, 0, 128), "heads"),
    (lambda: kv_cache_bytes(V3, -5), "tokens"),
    (lambda: weight_bytes(V3, "fp7"), "precision"),
    (lambda: chips_to_hold(1e9, 0), "chip_memory_gib"),
    (lambda: chip_bytes(-80), "chip_memory_gib"),
    (lambda: concurrent_sequences(V3, 96, 8, 0), "context"),
    (lambda: max_context(V3, 96, 0), "chips"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


def test_loader_names_line_and_column(tmp_path):
    text = (get_architecture.__globals__["ARCHITECTURES_CSV"]).read_text(encoding="utf-8")
    broken = tmp_path / "architectures.csv"
    broken.write_text(text.replace("DeepSeek-V3,V3,mla,61,3,7168", "DeepSeek-V3,V3,mla,61,3,-7168"), encoding="utf-8")
    with pytest.raises(TableError, match="line 2.*'hidden'"):
        parse_architectures(broken)
    broken.write_text(text.replace(",256,1,8,2048,", ",256,1,300,2048,"), encoding="utf-8")
    with pytest.raises(TableError, match="line 2 .*active_experts"):
        parse_architectures(broken)


# ---- invariants ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(1, 256))
def test_more_active_experts_never_fewer_flops(experts):
    fewer = V3.with_changes(active_experts=max(1, experts - 1))
    more = V3.with_changes(active_experts=experts)
    assert flops_per_token(more) >= flops_per_token(fewer)
    assert parameter_counts(more).total == parameter_counts(V3).total  # every expert is held anyway


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 128).filter(lambda k: 128 % k == 0))
def test_gqa_cache_lies_between_mla_and_mha(kv_heads):
    gqa = kv_elements_per_token(with_attention(V3, GQA, kv_heads=kv_heads))
    assert kv_elements_per_token(with_attention(V3, MHA)) >= gqa
    if kv_heads >= 3:
        assert gqa > kv_elements_per_token(V3)


@settings(max_examples=60, deadline=None)
@given(st.floats(1, 200), st.integers(1, 64))
def test_more_memory_never_shortens_the_context(memory, chips):
    assert max_context(V2, memory * 1.5, chips, "fp8") >= max_context(V2, memory, chips, "fp8")


def test_architecture_is_a_plain_record():
    arch = Architecture(name="tiny", attention=MHA, layers=2, dense_layers=2, hidden=64, heads=4, head_dim=16,
                        dense_ffn_hidden=128, vocab=1000)
    assert not arch.moe and parameter_counts(arch).total > 0
