"""Answer key for chapter 4, Democratization and diffusion (exercises 4.1 to 4.9).

Expected values, hint numbers and likely mistakes come from the models (``book.serving``,
``book.inference``, ``book.prices``, ``book.affordability``, ``book.diffusion``), with the
dashboard settings the exercises rely on named below.
"""

from __future__ import annotations

import functools
import math

from book.affordability import AFFORDABLE_SHARE, get_income, share_of_income
from book.answers.exercise import Exercise, Mistake, Tolerance, fmt
from book.architecture import get_architecture
from book.diffusion import P_AVERAGE, Q_AVERAGE, Strategy, load_income_groups, overtakes
from book.hardware import get_chip
from book.inference import decode
from book.prices import api_price, change_per_year, load_api_prices, monthly_cost, years_between
from book.serving import break_even_batch, seconds_per_token, tokens_per_second

# the settings the exercises use, named once
SMALL_MODEL = 8e9          # exercise 4.1: a dense model of 8 billion parameters
MODEL = "DeepSeek-V3"
CONTEXT = 4096             # tokens each conversation has reached
LONG_CONTEXT = 8192        # exercise 4.3: a long conversation
SMALL_BATCH = 64           # the serving dashboard's default batch
RENT_BATCH = 256           # exercise 4.4
H800_USD_PER_HOUR = 2.0    # DeepSeek's own assumption
MONTH_IN, MONTH_OUT = 900_000, 300_000   # the chapter's month of use, tokens
COUNTRY = "Nigeria"
NIGERIA_GNI_2023 = 2590    # US$, WDI NY.GNP.PCAP.CD for 2023 (see the note in book/data/gni.csv)
P, Q = 0.03, 0.38          # Sultan, Farley & Lehmann's averages
HORIZON = 15               # years, the simulator's default
# exercise 4.8 starts from the diffusion simulator's other defaults:
HEAD_START = 2.0           # years the diffuser launches after the leader ("Diffuser launches after")


def _decode(chip: str, batch: int = SMALL_BATCH, context: int = CONTEXT, **kwargs):
    return decode(get_architecture(MODEL), get_chip(chip), "fp8", batch, context, 1.0, **kwargs)


def _small(bytes_per_parameter: float = 2) -> float:
    h100 = get_chip("H100")
    return tokens_per_second(seconds_per_token(SMALL_MODEL, h100.fp16_tflops, h100.memory_bandwidth_gb_s,
                                               bytes_per_parameter, batch=1))


def _dense_break_even() -> float:
    """Exercise 4.3's likely slip: the break-even batch of a dense model with no KV cache."""
    return break_even_batch(get_chip("H20").fp8_tflops, get_chip("H20").memory_bandwidth_gb_s, 1)


def _dense_break_even_whole() -> int:
    return math.ceil(_dense_break_even())


DENSE_BREAK_EVEN_HINT = ("That is the break-even of a dense model with no KV cache: a mixture of experts reads more "
                         "experts as the batch grows, and every conversation reads its own cache.")


def _serving_ratio(batch: int = SMALL_BATCH) -> float:
    return _decode("H20", batch).tokens_per_second / _decode("H100", batch).tokens_per_second


def _peak() -> float:
    """Exercise 4.7: the year of fastest Bass adoption, ln(q/p) / (p + q)."""
    return math.log(Q / P) / (P + Q)


def _flagship() -> list:
    return [(p.date, p.blended) for p in load_api_prices()
            if p.provider == "OpenAI" and p.model.startswith("GPT-4") and "mini" not in p.model]


def _month(model: str) -> float:
    price = api_price(model)
    return monthly_cost(MONTH_IN, MONTH_OUT, price.usd_per_m_input, price.usd_per_m_output)


def _nigeria_share(gni: float | None = None) -> float:
    return share_of_income(_month("GPT-4o (2024-08-06)"), gni or get_income(COUNTRY).gni_per_capita_usd)


def _leader_price() -> float:
    """The diffusion simulator's "Leader's price" default (LEADER_PRICE there): the chapter's month
    of use at GPT-4o's August 2024 prices, rounded to the cent (the slider's step)."""
    return round(_month("GPT-4o (2024-08-06)"), 2)


@functools.lru_cache(maxsize=None)
def _smallest_q_to_overtake() -> float:
    """The smallest diffuser q, on the simulator's 0.01 steps, that overtakes within the horizon at the
    leader's own price (a search of up to 200 simulations, so done once per process: the inputs are
    the book's constants and cited tables). The leader has the average p and q, the diffuser the
    same price and p and a HEAD_START-year later launch; both markets are the people who can pay
    it within the 2% yardstick, as in the simulator at its defaults."""
    groups = load_income_groups()
    price = _leader_price()
    leader = Strategy("frontier leader", price, P_AVERAGE, Q_AVERAGE)
    for step in range(0, 201):
        q = step / 100
        diffuser = Strategy("fast diffuser", price, P_AVERAGE, q, HEAD_START)
        if overtakes(diffuser, leader, HORIZON, groups, AFFORDABLE_SHARE) is not None:
            return q
    raise RuntimeError("no q up to 2 overtakes")  # pragma: no cover - the defaults make one


EXERCISES = [
    Exercise(
        id="4.1", title="Tokens per second of a memory-bound decode", kind="number", points=2,
        unit="tokens a second", tolerance=Tolerance.relative(0.02),
        expected=lambda: _small(),
        hint="With one conversation the chip waits on memory, not on arithmetic: every token must read all the "
             "weights once, so the H100's memory bandwidth and the bytes the weights take at BF16 set the pace. The "
             "serving roofline (book.serving) models it.",
        mistakes=(Mistake(lambda: _small(1), "That is at 1 byte a weight (FP8); the model is at BF16, 2 bytes."),
                  Mistake(lambda: get_chip("H100").fp16_tflops * 1e12 / (2 * SMALL_MODEL),
                          "That is the arithmetic's limit; with one conversation the chip waits on memory, which "
                          "is far slower."),
                  Mistake(lambda: _small() / 8, "Bandwidth is in bytes a second, and BF16 is 2 bytes, not 16 bits "
                                                "counted as bytes."),
                  Mistake(lambda: _small() * 1000, "Check the units: GB/s is 10⁹ bytes a second, and a billion "
                                                   "parameters is 10⁹ of them."),),
    ),
    Exercise(
        id="4.2a", title="The H20's share of an H100's compute", kind="number", points=1,
        expected=lambda: get_chip("H20").fp8_tflops / get_chip("H100").fp8_tflops,
        hint="Divide the H20's dense FP8 throughput by the H100's; give a fraction.",
        mistakes=(Mistake(lambda: get_chip("H100").fp8_tflops / get_chip("H20").fp8_tflops,
                          "That is H20s per H100; the question asks for the H20's share of one H100."),
                  Mistake(lambda: 100 * get_chip("H20").fp8_tflops / get_chip("H100").fp8_tflops,
                          "That is a percentage, not the fraction the question asks for."),),
    ),
    Exercise(
        id="4.2b", title="The H20 against the H100 when serving", kind="number", points=2,
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _serving_ratio(),
        hint=lambda: (f"In the serving dashboard at its defaults ({MODEL}, FP8, batch {fmt(SMALL_BATCH)}, "
                      f"{fmt(CONTEXT)} tokens, the full peak), choose the H20 and read how many times as many tokens a second "
                      "it writes as the H100; or compare the two chips' tokens a second in the decode model "
                      "(book.inference)."),
        mistakes=(Mistake(lambda: 1 / _serving_ratio(), "That is the H100 over the H20; divide the H20's tokens a "
                                                        "second by the H100's."),
                  Mistake(lambda: get_chip("H20").fp8_tflops / get_chip("H100").fp8_tflops,
                          "That is the compute ratio: serving at this batch waits on memory, not arithmetic."),
                  Mistake(lambda: _serving_ratio(2048), "That is at a batch of 2,048; keep the default of 64."),
                  Mistake(lambda: 100 * _serving_ratio(), "Give the ratio itself, not a percentage."),),
    ),
    Exercise(
        id="4.3", title="When the H20 runs out of arithmetic", kind="number", points=3, unit="conversations",
        tolerance=Tolerance.exact(),
        expected=lambda: _decode("H20", context=LONG_CONTEXT).crossover,
        hint=lambda: ("A batch shares each read of the weights, but every conversation adds its own arithmetic, and "
                      "with a long context its own attention too: past some batch the H20's arithmetic takes longer "
                      "than its memory reads. In the serving dashboard with the H20 "
                      f"({MODEL}, FP8) at a context of {fmt(LONG_CONTEXT)} tokens, raise the batch (type it in the box) "
                      "until the H20's point turns from a circle to a square and the text says its arithmetic binds; "
                      "the decode model (book.inference) names the same crossover. The answer is a whole number of "
                      "conversations."),
        mistakes=(Mistake(lambda: _decode("H20", context=LONG_CONTEXT).crossover - 1,
                          "At that batch the H20 still waits on memory: its arithmetic does not bind yet."),
                  Mistake(lambda: _decode("H20").crossover,
                          lambda: f"That is the crossover at {fmt(CONTEXT)} tokens of context, the chapter's figure; "
                                  "this question's conversations are longer."),
                  # (the dense break-even, as computed and rounded up to a whole batch: one mistake, one hint)
                  *(Mistake(value, DENSE_BREAK_EVEN_HINT) for value in (_dense_break_even, _dense_break_even_whole)),),
    ),
    Exercise(
        id="4.4", title="A million tokens on a rented H800", kind="number", points=2, unit="US dollars",
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _decode("H800", RENT_BATCH, usd_per_hour=H800_USD_PER_HOUR).usd_per_million_tokens,
        hint=lambda: (f"Tokens an hour = tokens a second × 3,600 ({MODEL}, FP8, batch {fmt(RENT_BATCH)}, "
                      f"{fmt(CONTEXT)} tokens); cost per million = US${fmt(H800_USD_PER_HOUR)} ÷ tokens an hour × "
                      "a million."),
        mistakes=(Mistake(lambda: _decode("H800", RENT_BATCH, usd_per_hour=H800_USD_PER_HOUR).usd_per_million_tokens
                          / 1e6, "That is per token; give the cost of a million tokens."),
                  Mistake(lambda: _decode("H800", RENT_BATCH, usd_per_hour=H800_USD_PER_HOUR).usd_per_million_tokens
                          / 1e3, "That is per thousand tokens; give the cost of a million."),
                  Mistake(lambda: _decode("H800", RENT_BATCH, usd_per_hour=H800_USD_PER_HOUR).usd_per_million_tokens
                          * 3600, "An hour has 3,600 seconds: divide the hourly price by the tokens of a whole hour."),
                  Mistake(lambda: _decode("H800", SMALL_BATCH, usd_per_hour=H800_USD_PER_HOUR).usd_per_million_tokens,
                          lambda: f"That is at a batch of {fmt(SMALL_BATCH)}; the question uses {fmt(RENT_BATCH)}."),),
    ),
    Exercise(
        id="4.5", title="How fast OpenAI's flagship prices fell", kind="number", points=2, unit="times a year",
        tolerance=Tolerance.relative(0.02),
        expected=lambda: 1 / change_per_year(_flagship()),
        hint=lambda: ("Fit change_per_year to the (date, blended price) pairs of OpenAI's four GPT-4-family flagship "
                      "prices (leave out GPT-4o mini and o1); the fall is 1 ÷ that factor."),
        mistakes=(Mistake(lambda: change_per_year(_flagship()), "That is the yearly factor itself, below 1: a "
                                                               "price multiplied by it each year."),
                  Mistake(lambda: 1 - change_per_year(_flagship()),
                          "That is the share by which the price falls in a year; the question asks how many times "
                          "cheaper it gets: 1 divided by the yearly factor."),
                  Mistake(lambda: (_flagship()[0][1] / _flagship()[-1][1]) ** (
                      1 / years_between(_flagship()[0][0], _flagship()[-1][0])),
                          "That uses only the first and last prices; fit all four."),),
    ),
    Exercise(
        id="4.6", title="A month of AI in Nigeria", kind="number", points=2,
        tolerance=Tolerance.relative(0.02),
        expected=lambda: _nigeria_share(),
        hint=lambda: (f"A month of use is {fmt(MONTH_IN)} tokens in and {fmt(MONTH_OUT)} out at GPT-4o's August 2024 "
                      f"prices (US${fmt(_month('GPT-4o (2024-08-06)'))}); divide by a twelfth of "
                      f"{COUNTRY}'s GNI per capita (US${fmt(get_income(COUNTRY).gni_per_capita_usd)} a year, 2024)."),
        mistakes=(Mistake(lambda: 100 * _nigeria_share(), "Give a fraction, not a percentage."),
                  Mistake(lambda: _nigeria_share() / 12, "That compares a month's cost with a whole year's income: "
                                                        "use a month of income."),
                  Mistake(lambda: _nigeria_share(NIGERIA_GNI_2023),
                          lambda: f"That uses Nigeria's 2023 income (US${fmt(NIGERIA_GNI_2023)}); the table holds "
                                  "2024's, after the naira's fall."),),
    ),
    Exercise(
        id="4.7", title="The Bass peak", kind="number", points=1, unit="years",
        tolerance=Tolerance.relative(0.01),
        expected=lambda: _peak(),
        hint=lambda: f"t* = ln(q/p) ÷ (p + q), with p = {P} and q = {Q}; book.diffusion.peak_time computes it.",
        mistakes=(Mistake(lambda: round(_peak()),
                          "That is the peak rounded to whole years, too coarse for the tolerance: give more "
                          "digits, two decimal places."),
                  Mistake(lambda: math.log(Q / P), "That is ln(q/p) alone: divide by p + q."),
                  Mistake(lambda: math.log10(Q / P) / (P + Q), "That uses the common (base ten) logarithm; the "
                                                               "formula uses the natural logarithm (ln)."),
                  Mistake(lambda: 12 * math.log(Q / P) / (P + Q), "That is in months; p and q are per year, so t* "
                                                                  "comes out in years."),),
    ),
    Exercise(
        id="4.8", title="How much imitation beats a head start", kind="number", points=3, unit="per year",
        tolerance=Tolerance.exact(),
        expected=lambda: _smallest_q_to_overtake(),
        hint=lambda: ("Stronger imitation (a larger q) makes the diffuser's adoption climb faster once it starts, "
                      "which is what can make up a head start. In the diffusion simulator set the diffuser's price to "
                      f"the leader's (so both reach the same market), keep the {fmt(HEAD_START)}-year head start and "
                      f"{fmt(HORIZON)} years, and raise the diffuser's q in steps of 0.01 until the text says it "
                      "overtakes; the Bass model behind it (book.diffusion) finds the same q."),
        mistakes=(Mistake(lambda: _smallest_q_to_overtake() - 0.01,
                          lambda: f"At that q the diffuser does not yet overtake within {fmt(HORIZON)} years."),
                  Mistake(lambda: Q, "That is the leader's own q: with a head start to make up, the diffuser needs "
                                     "more."),
                  Mistake(lambda: 100 * _smallest_q_to_overtake(), "q is a rate per year such as 0.38, not a "
                                                                   "percentage."),),
    ),
    Exercise(
        id="4.9", title="Diffusion or the frontier?", kind="text", points=5, min_words=100,
        hint="Use at least two numbers from the chapter's models, name one weakness of each side, and say which "
             "evidence would change your mind.",
        rubric={
            "affordability: a price as a share of income": ("% of", "percent", "share of", "income", "gni",
                                                            "affordab", "2%"),
            "diffusion: the Bass model, imitation or market size": ("bass", "imitation", "q ", "adoption", "diffus",
                                                                   "market"),
            "the frontier or compute side (controls, chips, leadership)": ("frontier", "control", "compute", "chip",
                                                                         "h20", "h100", "leader"),
            "the quality of the evidence (estimates, press reports, assumptions)": (
                "evidence", "press", "report", "assum", "estimate", "uncertain", "sketch", "not a forecast"),
        },
    ),
]

#: the chapter's learning objectives (numbered as in the chapter) and the exercises that practise them
OBJECTIVES = {1: ("4.1", "4.3"), 2: ("4.2a", "4.2b", "4.3"), 3: ("4.4", "4.5"), 4: ("4.6",), 5: ("4.7", "4.8", "4.9")}
