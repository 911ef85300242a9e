"""API list prices and their fall (book.prices)."""

from __future__ import annotations

from datetime import date

import pytest

from book.prices import (api_price, blended_price, change_per_year, cheaper_rivals, fall_per_year, load_api_prices,
                         monthly_cost, years_between)


def test_table_is_sourced_and_holds_the_published_prices():
    prices = load_api_prices()
    assert all(p.source for p in prices)
    assert [p.date for p in prices] == sorted(p.date for p in prices)
    gpt4 = api_price("GPT-4 (8K context)")
    assert (gpt4.usd_per_m_input, gpt4.usd_per_m_output, gpt4.date) == (30, 60, date(2023, 3, 14))
    v3 = api_price("DeepSeek-V3")
    assert (v3.usd_per_m_input, v3.usd_per_m_output, v3.usd_per_m_cached_input) == (0.27, 1.10, 0.07)
    assert (api_price("o1").usd_per_m_input, api_price("o1").usd_per_m_output) == (15, 60)
    assert api_price("deepseek-v3.2-exp").usd_per_m_output == 0.42


def test_unknown_or_ambiguous_model():
    with pytest.raises(KeyError, match="known"):
        api_price("GPT-5")
    with pytest.raises(KeyError):
        api_price("GPT-4")  # "GPT-4 (8K context)" and "GPT-4 Turbo" both start so
    assert api_price("GPT-4o").usd_per_m_input == 5  # an exact name wins
    assert api_price("GPT-4o (2024-08-06)").usd_per_m_input == 2.5


def test_blended_price_three_to_one():
    assert blended_price(30, 60) == pytest.approx(37.5)
    assert blended_price(0.27, 1.10) == pytest.approx(0.4775)
    assert blended_price(1, 3, input_share=1.0) == 1
    with pytest.raises(ValueError, match="input_share"):
        blended_price(1, 3, input_share=0)


def test_change_per_year_recovers_a_known_decline():
    start = date(2023, 1, 1)
    points = [(start, 100.0), (date(2024, 1, 1), 25.0), (date(2025, 1, 1), 6.25)]
    # 365 and 366 days: a year of 365.25 days, so very nearly a quarter a year
    assert change_per_year(points) == pytest.approx(0.25, rel=1e-3)
    assert fall_per_year(change_per_year(points)) == pytest.approx(4.0, rel=1e-3)
    assert years_between(start, date(2027, 1, 1)) == pytest.approx(4.0, abs=0.001)


def test_openai_flagship_prices_fell_about_fourfold_a_year():
    # the four GPT-4 flagship list prices from March 2023 to August 2024, named so that a price added
    # to the table later does not move this published trend
    names = ["GPT-4 (8K context)", "GPT-4 Turbo", "GPT-4o", "GPT-4o (2024-08-06)"]
    flagship = [(api_price(name).date, api_price(name).blended) for name in names]
    assert [when for when, _ in flagship] == sorted(when for when, _ in flagship)
    assert all(api_price(name).provider == "OpenAI" for name in names)
    assert fall_per_year(change_per_year(flagship)) == pytest.approx(4.43, abs=0.01)


@pytest.mark.parametrize("points, match", [([], "points"), ([(date(2024, 1, 1), 5.0)] * 2, "dates"),
                                           ([(date(2024, 1, 1), 5.0), (date(2025, 1, 1), 0.0)], "price"),
                                           ([("2024", 5.0), (date(2025, 1, 1), 1.0)], "date")])
def test_change_per_year_rejects_bad_points(points, match):
    with pytest.raises(ValueError, match=match):
        change_per_year(points)


def test_monthly_cost():
    # 900,000 tokens in and 300,000 out: at GPT-4o's August 2024 prices US$5.25, at DeepSeek-V3's US$0.573
    assert monthly_cost(900_000, 300_000, 2.5, 10) == pytest.approx(5.25)
    assert monthly_cost(900_000, 300_000, 0.27, 1.10) == pytest.approx(0.573)
    assert monthly_cost(0, 0, 1, 1) == 0
    with pytest.raises(ValueError, match="input_tokens"):
        monthly_cost(-1, 0, 1, 1)


def test_gpt4o_mini_undercut_deepseek_v3():
    # on chapter 4's own chart, OpenAI's smaller model was cheaper than DeepSeek-V3 (blended 3:1)
    rivals = cheaper_rivals("DeepSeek-V3")
    assert [p.model for p in rivals] == ["GPT-4o mini"]
    assert rivals[0].blended == pytest.approx(0.2625) and api_price("DeepSeek-V3").blended == pytest.approx(0.4775)
    assert {p.model for p in cheaper_rivals("GPT-4o (2024-08-06)")} >= {"DeepSeek-V3 (deepseek-chat)",
                                                                        "DeepSeek-R1 (deepseek-reasoner)"}
    with pytest.raises(KeyError):
        cheaper_rivals("GPT-5")


def test_from_5_september_2025_the_chat_price_rose_and_the_reasoners_fell():
    chat, reasoner, both = api_price("DeepSeek-V3"), api_price("DeepSeek-R1"), api_price("DeepSeek-V3.1")
    assert both.date == date(2025, 9, 5) and (both.usd_per_m_input, both.usd_per_m_output) == (0.56, 1.68)
    assert (chat.usd_per_m_input, chat.usd_per_m_output) == (0.27, 1.10)
    assert (reasoner.usd_per_m_input, reasoner.usd_per_m_output) == (0.55, 2.19)
    assert both.usd_per_m_input > chat.usd_per_m_input and both.usd_per_m_output > chat.usd_per_m_output
    assert both.usd_per_m_output < reasoner.usd_per_m_output and both.blended < reasoner.blended
    assert "rise" in both.note and "cut" in both.note
