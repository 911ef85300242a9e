"""Chapter 4's serving figures that the December 2026 fact-check corrected (book.serving)."""

from __future__ import annotations

import pytest

from book.architecture import get_architecture
from book.hardware import get_chip
from book.inference import decode, load_serving_reports
from book.serving import Roofline, falls_behind_batch, usd_per_million

CONTEXT = 4096  # the chapter's context for the H20 paradox


def _roofline(chip: str, context: int = CONTEXT):
    model, hardware = get_architecture("DeepSeek-V3"), get_chip(chip)
    return lambda batch: decode(model, hardware, "fp8", batch, context, find_crossover=False).roofline


def test_the_h20_turns_compute_bound_at_260_but_falls_behind_the_h100_only_from_317():
    # two different boundaries: at 260 the H20's arithmetic starts to bind, but the H100 still waits on
    # memory and stays slower until a batch of 317
    v3 = get_architecture("DeepSeek-V3")
    assert decode(v3, get_chip("H20"), "fp8", 64, CONTEXT).crossover == 260
    behind = falls_behind_batch(_roofline("H20"), _roofline("H100"))
    assert behind == 317
    h20, h100 = _roofline("H20"), _roofline("H100")
    assert h20(behind).seconds > h100(behind).seconds
    assert all(h20(b).seconds <= h100(b).seconds for b in range(1, behind))
    assert h20(260).bound == "compute" and h100(260).bound == "memory"


def test_at_a_batch_of_64_the_h20_is_ahead_on_the_roofline():
    h20, h100 = _roofline("H20"), _roofline("H100")
    assert (1 / h20(64).seconds) / (1 / h100(64).seconds) == pytest.approx(1.19, abs=0.005)


def test_falls_behind_batch_none_when_it_never_does_and_bad_input():
    fast = lambda batch: Roofline(1.0, 1.0)  # noqa: E731
    slow = lambda batch: Roofline(2.0, 2.0)  # noqa: E731
    assert falls_behind_batch(fast, slow, max_batch=50) is None
    assert falls_behind_batch(slow, fast) == 1
    with pytest.raises(ValueError, match="rival"):
        falls_behind_batch(fast, 3)
    with pytest.raises(ValueError, match="max_batch"):
        falls_behind_batch(fast, slow, max_batch=0)


def test_deepseeks_day_costs_030_decoding_and_052_over_the_whole_fleet():
    report = load_serving_reports()[0]
    # decoding only: US$2 a chip-hour over 14,800 / 8 output tokens a chip-second
    assert report.usd_per_million_output_tokens == pytest.approx(0.30, abs=0.005)
    # the whole fleet: US$87,072 for the day over 168 billion output tokens (it also read 608 billion input)
    assert report.cost_usd_per_day == 87_072 and report.output_tokens_per_day == 168e9
    assert report.input_tokens_per_day == 608e9
    fleet = usd_per_million(report.cost_usd_per_day, report.output_tokens_per_day)
    assert fleet == pytest.approx(0.518, abs=0.001) and f"{fleet:.2f}" == "0.52"
    assert report.daily_chip_cost == pytest.approx(report.cost_usd_per_day)  # 226.75 nodes x 8 x 24 h x US$2
    assert "inference nodes" in report.note and "278" in report.note


def test_usd_per_million_rejects_bad_input():
    assert usd_per_million(2.0, 4e6) == 0.5
    with pytest.raises(ValueError, match="tokens"):
        usd_per_million(1.0, 0)
    with pytest.raises(ValueError, match="cost_usd"):
        usd_per_million(-1.0, 10)


def test_the_docstring_calls_multi_token_prediction_a_speed_up_not_tokens_per_pass():
    import book.serving
    doc = " ".join(book.serving.__doc__.split())
    assert "1.8 times TPS" in doc and "tokens per second" in doc
    assert "1.8 tokens per pass" not in doc
