"""book.checks.check: verdicts, hints, wrong types, machine-readable results; it never raises."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from book import checks
from book.answers import EXERCISES
from book.checks import check, results
from book.export_controls import escape_ceiling
from book.hardware import get_chip


def test_correct_answer_from_the_models(capsys):
    result = check("1.1", get_chip("A100").tpp)
    assert result.status == "correct" and result.passed
    assert "Correct" in capsys.readouterr().out


def test_tolerance_is_stated_and_applied():
    expected = get_chip("A100").tpp
    assert check("1.1", expected * 1.009).status == "correct"
    wrong = check("1.1", expected * 1.02)
    assert wrong.status == "wrong" and "within 1%" in wrong.message and "Hint" in wrong.message


@pytest.mark.parametrize("answer", [None, "", "   "])
def test_not_answered(answer):
    assert check("1.2", answer).status == "unanswered"


@pytest.mark.parametrize("answer, words", [
    ("4992", "without quotes"),
    ("about five thousand", "wants a number"),
    ([4992], "but got a list"),
    ((4, 992), "a comma inside a number"),
    (True, "not True or False"),
    (object(), "a value of type object"),
])
def test_wrong_type_is_explained(answer, words):
    result = check("1.1", answer)
    assert result.status == "invalid" and words in result.message


def test_numpy_numbers_are_numbers():
    assert check("1.1", np.float64(get_chip("A100").tpp)).status == "correct"
    assert check("1.1", np.int64(4992)).status == "correct"


def test_nan_and_infinity_are_not_numbers():
    assert check("1.1", float("nan")).status == "invalid"
    assert check("1.1", float("inf")).status == "invalid"


@pytest.mark.parametrize("answer", ["not controlled", "Not Controlled", " not  controlled "])
def test_choice_is_forgiving_about_case_and_spaces(answer):
    assert check("1.3", answer).status == "correct"


@pytest.mark.parametrize("answer", ["3A090.a.1", "a.1", "3a090.A.1", "3A090 a.1", "a1", "a.1."])
def test_paragraph_with_or_without_prefix(answer):
    assert check("1.4b", answer).status == "correct"


@pytest.mark.parametrize("answer", ["Note 2", "note 2 to 3A090", "Note 2 to 3A090."])
def test_note_2_spellings(answer):
    assert check("1.7b", answer).status == "correct"


@pytest.mark.parametrize("answer, words", [("True", "write True without quotes"), ("false", "write False")])
def test_true_in_quotes_is_explained(answer, words):
    result = check("1.4a", answer)
    assert result.status == "invalid" and words in result.message


def test_choice_outside_the_options_is_invalid():
    result = check("1.3", "banned")
    assert result.status == "invalid" and "3A090.b.2" in result.message


def test_wrong_choice_gives_a_hint():
    result = check("1.3", "3A090.b.2")
    assert result.status == "wrong" and "Hint" in result.message


def test_bool_exercise():
    assert check("1.4a", False).status == "correct"
    assert check("1.4a", True).status == "wrong"
    assert check("1.4a", "False").status == "invalid"


def test_text_answers_are_recorded_and_the_feedback_claims_nothing_it_cannot_check():
    short = check("1.6b", "Memory bandwidth.")
    assert short.status == "wrong" and "too short" in short.message and "at least" in short.message
    for answer in ("The rule looks only at arithmetic. " * 12,
                   "h20 frontier cheap evidence memory bandwidth interconnect " + "banana " * 150):
        result = check("1.6b", answer)
        # recorded, marked by the instructor; check says it only counts words, whatever the words
        assert result.status == "recorded" and "only counts the words" in result.message
        assert "instructor" in result.message and "seems to touch" not in result.message
        assert all(idea in result.message for idea in EXERCISES["1.6b"].rubric)  # the same reminder for all
    assert check("1.6b", 12).status == "invalid"


def test_unknown_exercise_suggests_close_ids():
    result = check("1.7", 1)
    assert result.status == "unknown-exercise" and "'1.7a'" in result.message
    assert check("9.9", 1).status == "unknown-exercise"


def test_expected_values_follow_the_models(monkeypatch):
    # The key asks the models at check time: change the model and the key follows.
    import book.answers.ch01 as key
    monkeypatch.setattr(key, "escape_ceiling", lambda area, market="datacenter": 3200.0)
    assert check("1.5a", 200.0).status == "correct"
    assert check("1.5a", escape_ceiling(814) / 16).status == "wrong"


def test_a_broken_key_is_reported_not_raised(monkeypatch):
    import book.answers as key
    broken = key.Exercise(id="1.1", title="broken", kind="number", expected=lambda: 1 / 0)
    monkeypatch.setitem(key.EXERCISES, "1.1", broken)
    result = check("1.1", 5)
    assert result.status == "error" and "ZeroDivisionError" in result.message


def test_results_are_machine_readable(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv(checks.LOG_ENV, str(log))
    before = len(results())
    check("1.1", 4992)
    check("1.3", "3A090.a.1")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["status"] for r in records] == ["correct", "wrong"]
    assert set(records[0]) == {"exercise_id", "status", "message", "answer"}
    assert len(results()) == before + 2
    assert json.loads(results()[-1].to_json())["exercise_id"] == "1.3"


def test_unwritable_log_does_not_raise(monkeypatch, tmp_path):
    monkeypatch.setenv(checks.LOG_ENV, str(tmp_path / "missing-dir" / "log.jsonl"))
    assert check("1.1", 4992).status == "correct"


def test_every_exercise_accepts_its_own_expected_value():
    for item in EXERCISES.values():
        if item.kind in ("number", "choice", "bool"):
            assert check(item.id, item.expected()).status == "correct", item.id


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(EXERCISES) + ["nope", ""]), anything)
def test_check_never_raises(exercise_id, answer):
    result = check(exercise_id, answer)
    assert result.status in {"unanswered", "correct", "wrong", "invalid", "recorded", "unknown-exercise", "error"}
    assert result.status != "error", result.message


typed = st.text(alphabet="0123456789.,_ -+e\u202f\u2212\u0663x", max_size=12) | st.tuples(st.integers(), st.integers())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(EXERCISES)), typed | anything)
def test_check_never_raises_in_a_german_notebook(exercise_id, answer):
    # a German session also reads numbers typed the German way ("1,5", "15.832", 1,5 without quotes)
    from book.language import in_language

    result = in_language("de", check, exercise_id, answer)
    assert result.status in {"unanswered", "correct", "wrong", "invalid", "recorded"}, result.message


# ---- boundary questions -------------------------------------------------------------------------

def test_boundary_exercise_is_one_sided():
    # 1.5a: the smallest dense FP16 TFLOPS the 2023 rule catches on the H100's die (TPP 2,400 / 16 = 150)
    line = escape_ceiling(get_chip("H100").die_area_mm2) / 16
    assert line == 150
    assert check("1.5a", line).status == "correct"
    assert check("1.5a", line + 0.9).status == "correct"
    for below in (line - 1, line - 0.01, line * 0.995):  # within 1%, but on the wrong side of the line
        result = check("1.5a", below)
        # wrong, and nothing that tells how near the line it is ("just below" would give it away)
        assert result.status == "wrong" and "just" not in result.message, below
    assert check("1.5a", line + 1).status == "wrong"
    assert "never below it" in check("1.5a", line).message  # the tolerance is stated


def test_the_boundary_answer_is_what_the_classifier_says():
    # the value check accepts is caught by classify, and the value just below it is not
    from book.dashboards.threshold_explorer import view
    line = EXERCISES["1.5a"].expected()
    assert view(dense_tflops=line).design_result.controlled is True
    assert view(dense_tflops=line - 1).design_result.controlled is False


# ---- hints and likely mistakes ---------------------------------------------------------------------

NUMERIC = [item for item in EXERCISES.values() if item.kind == "number"]


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.id)
def test_each_mistake_gets_its_own_hint(item):
    for mistake in item.mistakes:
        value = mistake.value()
        result = check(item.id, value)
        assert result.status == "wrong", (item.id, value)
        hint = mistake.hint() if callable(mistake.hint) else mistake.hint
        assert hint in result.message, (item.id, value)


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.id)
def test_no_mistake_is_the_right_answer(item):
    expected = item.expected()
    for mistake in item.mistakes:
        assert not item.tolerance.accepts(mistake.value(), expected), item.id


def test_factor_hints_fire_only_where_they_belong():
    # doubling a bandwidth ratio is not a sparsity mistake; giving a TPP for TFLOPS (x16) is caught
    ratio = EXERCISES["1.6a"].expected()
    assert "sparsity" not in check("1.6a", 2 * ratio).message
    assert "looks like a TPP" in check("1.5a", EXERCISES["1.5a"].expected() * 16).message
    assert "reciprocal" in check("1.6a", 1 / ratio).message
    assert "one less" in check("1.6a", ratio - 1).message
    assert "sparsity" in check("1.1", 2 * get_chip("A100").tpp).message


def _model_numbers() -> set[str]:
    """Every number the models and data hold, or the answer key names as a setting, that a hint may
    quote, as the hint would write it."""
    import dataclasses
    import importlib
    import pkgutil

    import book.answers
    from book import architecture, training_cost
    from book.answers.exercise import fmt
    from book.export_controls import RULES
    from book.hardware import PRECISION_BITS, load_chips
    values: set[float] = set(PRECISION_BITS.values()) | set(architecture.BYTES_PER_VALUE.values())
    values |= {architecture.FLOPS_PER_PARAMETER_FORWARD, architecture.FLOPS_PER_PARAMETER_TRAINING}
    for rule in RULES.values():
        values.add(rule.announced.year)  # "the 2022 rule"
        values |= {v for v in (rule.tpp_threshold, rule.interconnect_threshold_gb_s, rule.tpp_density_floor,
                               rule.tpp_b1_floor, rule.pd_a2, rule.pd_b2, rule.pd_b1) if v is not None}
    for chip in load_chips():
        values |= {v for v in (chip.die_area_mm2, chip.tpp, chip.fp16_tflops, chip.fp8_tflops, chip.memory_gib,
                               chip.memory_bandwidth_gb_s) if v is not None}
    from book import affordability, diffusion, prices, serving
    from book.dashboards import diffusion_simulator
    for module in (affordability, diffusion, prices, serving, diffusion_simulator):  # (its month of use in US$)
        values |= {v for k, v in vars(module).items() if k.isupper() and isinstance(v, (int, float))}
    for income in affordability.load_gni():
        values |= {income.gni_per_capita_usd, income.year}
    for price in prices.load_api_prices():
        values |= {price.usd_per_m_input, price.usd_per_m_output}
    for arch in architecture.load_architectures():
        values |= {getattr(arch, f.name) for f in dataclasses.fields(arch)
                   if isinstance(getattr(arch, f.name), (int, float)) and not isinstance(getattr(arch, f.name), bool)}
    for module in (architecture, training_cost):  # named constants (6 FLOPs per parameter per token...)
        values |= {v for k, v in vars(module).items() if k.isupper() and isinstance(v, (int, float))}
    for stage in training_cost.load_runs():
        values |= {getattr(stage, f.name) for f in dataclasses.fields(stage)
                   if isinstance(getattr(stage, f.name), (int, float))}
    for run in {stage.run for stage in training_cost.load_runs()}:  # "2.788 million hours"
        values.add(round(training_cost.run_totals(run).gpu_hours / 1e6, 3))
    for info in pkgutil.iter_modules(book.answers.__path__):  # settings an exercise names (CONTEXT = 32_768...)
        module = importlib.import_module(f"book.answers.{info.name}")
        values |= {v for k, v in vars(module).items() if k.isupper() and isinstance(v, (int, float))}
    shares = {f"{v:.0%}".rstrip("%") for v in values if 0 < v < 1}  # 0.4 quoted as "40%"
    return {fmt(v) for v in values} | {str(v) for v in values} | shares


@pytest.mark.parametrize("item", list(EXERCISES.values()), ids=lambda item: item.id)
def test_every_number_in_a_hint_comes_from_the_models(item):
    import re
    known = _model_numbers()
    texts = [item.hint_text] + [m.hint() if callable(m.hint) else m.hint for m in item.mistakes]
    for text in texts:
        # (paragraph names such as "a.1" and "Note 2" are names, not figures)
        # (powers of ten such as 10⁹ are units; model names such as "Llama 3.1" are names)
        for number in re.findall(r"(?<![\w.])(?<!Note )(?<!Llama )\d(?:[\d,]*\d)?(?:\.\d+)?(?![\d⁰¹²³⁴⁵⁶⁷⁸⁹])",
                                 text):
            assert number in known, f"{item.id}: {number!r} in a hint is not a figure of the models"


def test_points_are_stated_in_the_exercise_notebook():
    import re

    import nbformat

    from tests.conftest import ROOT
    for notebook in sorted((ROOT / "solutions").glob("*.ipynb")):
        chapter = int(notebook.name[:2])
        text = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
        items = [item for item in EXERCISES.values() if item.chapter == chapter]
        total = sum(item.points for item in items)
        written = sum(item.points for item in items if item.graded_by_hand)
        assert f"**Points:** {total} ({written} of them for written answers)" in text, \
            f"{notebook.name}: should say {total} points, {written} for written answers"
        for item in items:
            number, part = re.match(r"(\d+\.\d+)([a-z]?)", item.id).groups()
            section = re.search(rf"## Exercise {re.escape(number)}:.*?\*\*Points:\*\* ([^\n]*)", text, re.S)
            assert section, f"{notebook.name}: exercise {number} states no points"
            stated = section.group(1)
            if part:
                assert f"{item.points} for ({part})" in stated, f"{item.id}: the notebook says {stated!r}"
            else:
                assert re.match(rf"{item.points}\b(?! for)", stated), f"{item.id}: the notebook says {stated!r}"


def test_near_misses_get_a_hint_not_a_type_complaint():
    result = check("1.7b", "not controlled")
    assert result.status == "wrong" and "which clause makes it so" in result.message
    result = check("1.4b", "3A090.a")
    assert result.status == "wrong" and "split it into a.1 and a.2" in result.message
    assert check("1.4b", "banana").status == "invalid"


def test_small_numbers_are_not_shown_as_zero():
    from book.answers.exercise import fmt
    assert fmt(3.29e-21) == "3.29e-21" and fmt(0) == "0" and fmt(54.0) == "54" and fmt(0.5) == "0.5"
    result = check("3.1", 6 * 37 * 14.8 / 1e24)  # billions and trillions multiplied as they are
    assert result.status == "wrong" and "3.29e-21" in result.message and "counts" in result.message


def test_an_int_too_large_for_a_float_is_an_invalid_answer_not_an_error():
    result = check("3.1", 10 ** 400)
    assert result.status == "invalid" and "sensible size" in result.message


def test_exercise_ids_are_read_generously():
    assert check(" 3.5A", EXERCISES["3.5a"].expected()).status == "correct"
    assert check("3.5A ", 1).exercise_id == "3.5a"


def test_a_scale_unit_is_not_glued_to_a_raw_number():
    message = check("3.1", EXERCISES["3.1"].expected() * 1e24).message
    assert "3.29e+24 (× 10²⁴ FLOPs)" in message and "3.29e+24 × 10²⁴" not in message


def test_one_word_is_singular():
    assert "1 word is too short" in check("3.9", "cheap").message


def test_written_feedback_does_not_depend_on_keywords():
    # the reminder of what a strong answer covers is the same whether or not the words appear in it
    vague = check("3.9", ("The figure is different from what is currently shown and known about the lab; " * 12))
    apt = check("3.9", ("It is the rental value of one final run at two dollars an hour, and it excludes "
                        "the experiments, the owned cluster and the staff. " * 6))
    strip = lambda message: message.split("-word answer", 1)[1]  # noqa: E731 - the word counts differ
    assert strip(vague.message) == strip(apt.message)


def test_a_rounded_slip_still_gets_its_hint():
    # 17 for a utilisation of 17.3%: 1.8% away from the percentage, so the percentage hint fires
    assert "not a percentage" in check("3.2", round(100 * EXERCISES["3.2"].expected())).message


def test_exact_answers_on_a_grid():
    from book.answers.exercise import Tolerance
    exact = Tolerance.exact()
    assert exact.accepts(408, 408) and exact.accepts(0.46, 0.1 * 4.6) and not exact.accepts(409, 408)
    assert not exact.accepts(0.47, 0.46) and exact.describe("conversations") == "exactly"
    crossover = EXERCISES["4.3"].expected()
    below, above = check("4.3", crossover - 1), check("4.3", crossover + 1)
    assert below.status == above.status == "wrong"
    assert "still waits on memory" in below.message and "still waits on memory" not in above.message
    assert check("4.3", crossover).status == "correct" and "exactly" in check("4.3", crossover).message


@pytest.mark.parametrize("chapter", [1, 2, 3, 4, 5])
def test_every_objective_is_practised_and_every_exercise_serves_one(chapter):
    import re

    import nbformat

    from book.answers import chapter_exercises, objectives
    from tests.conftest import ROOT
    notebook = next((ROOT / "chapters").glob(f"{chapter:02d}_*.ipynb"))
    intro = nbformat.read(notebook, as_version=4).cells[0].source
    listed = re.search(r"After this chapter you can:\n(.*?)```", intro, re.S).group(1)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", listed, re.M)]
    mapping = objectives(chapter)
    assert sorted(mapping) == numbers and all(mapping.values())
    ids = [item.id for item in chapter_exercises(chapter)]
    used = {key for keys in mapping.values() for key in keys}
    assert used == set(ids), set(ids) ^ used


def test_chapter_5_cost_gap_compares_like_with_like():
    # GPT-4's outside estimate prices its final training run: V3's pre-training alone (US$5.328M), not
    # its three stages (US$5.576M); 78.4 / 5.328 = 14.7, not 14.1 (fact-check of chapter 5, Dec 2026)
    from book.training_cost import cost_estimate, run_totals
    gpt4 = cost_estimate("gpt4_final_run").middle_usd
    assert EXERCISES["5.4"].expected() == pytest.approx(gpt4 / 5.328e6)
    assert EXERCISES["5.4"].expected() == pytest.approx(14.71, abs=0.01)
    all_stages = check("5.4", gpt4 / run_totals("DeepSeek-V3").rental_usd)
    assert all_stages.status == "wrong" and "all three of V3's stages" in all_stages.message
