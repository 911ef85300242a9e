"""What students found in the feedback of chapters 2 to 5, kept fixed: the exercise texts state the
tolerance and the word count the key enforces, hints name what the dashboards really show, common
slips get their own hint, and hints point at the idea, not at a line of code to paste or a sentence
said twice."""

from __future__ import annotations

import difflib
import re

import nbformat
import pytest

from book.answers import EXERCISES
from book.answers.exercise import fmt, text_of
from book.checks import check
from tests.conftest import ROOT

CHAPTERS = (2, 3, 4, 5)
ITEMS = [item for item in EXERCISES.values() if item.chapter in CHAPTERS]
NUMERIC = [item for item in ITEMS if item.kind == "number"]


def _hints(item) -> list[str]:
    return [item.hint_text] + [text_of(m.hint) for m in item.mistakes]


def _exercise_text(item) -> str:
    """The markdown of ``item``'s exercise in its solutions notebook: for a part such as "3.5c", the
    paragraph that starts "(c)" and the section's paragraphs that belong to no part."""
    notebook = next((ROOT / "solutions").glob(f"{item.chapter:02d}_*.ipynb"))
    markdown = "\n\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
    number, part = re.match(r"(\d+\.\d+)([a-z]?)", item.id).groups()
    section = re.search(rf"^## Exercise {re.escape(number)}:.*?(?=^## |\Z)", markdown, re.S | re.M)
    assert section, f"{item.id}: no section in {notebook.name}"
    paragraphs = re.split(r"\n\s*\n", section.group(0))
    if not part:
        return "\n\n".join(paragraphs)
    return "\n\n".join(p for p in paragraphs if p.startswith(f"({part})") or not re.match(r"\([a-z]\)", p))


def _stated(item) -> str | None:
    """What the exercise text must say about the tolerance (None: the notebook's default, 1%)."""
    tolerance = item.tolerance
    if tolerance.kind == "relative" and tolerance.amount == 0.01:
        return None
    if tolerance.kind == "exact":
        return "only the exact"
    return tolerance.describe()


# ---- the exercise texts say what the key does ------------------------------------------------------

@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.id)
def test_the_exercise_text_states_the_keys_tolerance(item):
    text = " ".join(_exercise_text(item).split())
    stated = _stated(item)
    if stated == "only the exact":
        assert re.search(r"only the exact (value|number) counts", text), f"{item.id}: should say only the exact value counts"
    elif stated is not None:
        assert stated in text, f"{item.id}: the text should say answers count {stated!r}"
    # and it never states another one
    said = re.findall(r"counts? (within \d[\d,]*(?:\.\d+)?%?)", text)
    allowed = {"within 1%"} if stated is None else {stated}
    assert set(said) <= allowed, f"{item.id}: the text says {said}, the key {item.tolerance.describe()!r}"


def test_the_boundary_of_2_3_is_said_as_the_key_applies_it():
    # the students' finding: "up to 1 below it" read as 1 below counts, which the key rejects
    item = EXERCISES["2.3"]
    expected = item.expected()
    text = " ".join(_exercise_text(item).split())
    assert "at the limit or less than 1 below it, never above it" in text and "up to 1 below" not in text
    assert item.tolerance.describe().startswith("at the limit or less than 1")
    assert check("2.3", expected - 1).status == "wrong" and check("2.3", expected - 0.5).status == "correct"
    assert check("2.3", expected + 1).status == "wrong"


@pytest.mark.parametrize("item", [item for item in ITEMS if item.kind == "text"], ids=lambda item: item.id)
def test_written_exercises_state_the_word_count_check_enforces(item):
    text = " ".join(_exercise_text(item).split())
    assert f"at least {item.min_words}" in text, f"{item.id}: the text should state the minimum of {item.min_words}"


def test_5_5_asks_for_what_it_accepts():
    item = EXERCISES["5.5"]
    text = " ".join(_exercise_text(item).split())
    assert item.min_words == 150 and "about 300 words (`check` asks for at least 150)" in text
    assert check("5.5", "word " * 149).status == "wrong" and check("5.5", "word " * 150).status == "recorded"


# ---- hints name what the reader sees ---------------------------------------------------------------

def test_3_5c_hint_quotes_the_dashboard_as_it_reads():
    from book.answers import ch03
    from book.dashboards import hardware_comparison

    shown = hardware_comparison.view(task="serve", model=ch03.SERVE_MODEL, batch=ch03.SERVE_BATCH, chip="H20",
                                     precision=ch03.SERVE_PRECISION)
    page = " ".join(f"{heading}: {text}" for heading, text in hardware_comparison.texts(shown))
    hint = EXERCISES["3.5c"].hint_text
    quoted = re.findall(r"(?<=[\s(])'([^']+)'(?=[\s,;.)])", hint)  # quotes, not apostrophes (H20's)
    assert quoted and "H20 in H100s" not in hint
    for phrase in quoted:  # every label the hint quotes is on the page ("..." stands for the numbers)
        assert all(piece.strip() in page for piece in phrase.split("...")), phrase
    # and the number it points at is the exercise's answer
    assert f"{EXERCISES['3.5c'].expected():.2f} on this workload" in page


# ---- common slips get their own hint ---------------------------------------------------------------

def _wrong_with(exercise_id: str, value: float, words: str) -> str:
    result = check(exercise_id, value)
    assert result.status == "wrong", (exercise_id, value)
    assert words in result.message, (exercise_id, value, result.message)
    return result.message


def test_2_6_weights_left_at_bf16():
    from book.architecture import concurrent_sequences, get_architecture
    from book.hardware import get_chip
    v2 = get_architecture("DeepSeek-V2")
    # concurrent_sequences' default precision is BF16, for the weights and the cache
    slip = (concurrent_sequences(v2, get_chip("H20").memory_gib, 8, 32_768)
            - concurrent_sequences(v2, get_chip("H800").memory_gib, 8, 32_768))
    assert slip != EXERCISES["2.6"].expected()
    message = _wrong_with("2.6", slip, "weights at BF16")
    assert fmt(EXERCISES["2.6"].expected()) not in message  # the hint explains, it does not tell


def test_3_3_days_from_all_of_v3s_hours():
    from book.training_cost import run_totals, wall_clock_days
    slip = wall_clock_days(run_totals("DeepSeek-V3").gpu_hours, 2048)  # 2.788 million hours: 56.7 days
    assert slip == pytest.approx(56.7, abs=0.05)
    for answer in (slip, 56.7, 57):
        message = _wrong_with("3.3", answer, "the later stages too")
        assert fmt(EXERCISES["3.3"].expected()) not in message


def test_2_4_the_saving_stored_as_the_bf16_count():
    from book.architecture import chips_to_hold, get_architecture, weight_bytes
    v3 = get_architecture("DeepSeek-V3")
    bf16, fp8 = (chips_to_hold(weight_bytes(v3, precision), 80) for precision in ("bf16", "fp8"))
    assert EXERCISES["2.4"].expected() == bf16  # the exercise asks for the BF16 count, not a difference
    _wrong_with("2.4", bf16 - fp8, "what FP8 saves")
    _wrong_with("2.4", fp8 - bf16, "its sign turned")
    _wrong_with("2.4", fp8, "at FP8")


def test_4_7_a_rounded_peak_is_told_to_give_more_digits():
    expected = EXERCISES["4.7"].expected()
    for answer in (round(expected), float(round(expected))):  # "6" for 6.19 years
        message = _wrong_with("4.7", answer, "give more digits")
        assert "within 1%" in message
    assert check("4.7", round(expected, 2)).status == "correct"


# ---- hints point at the idea -------------------------------------------------------------------------

#: a call or attribute of code: decode(...), view(, run_totals('...'), ).crossover, years_to_reach(
CODE = re.compile(r"\w\((?:\.\.\.|['\"])|\)\.\w|\b\w+_\w+\(|\bview\(")


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.id)
def test_no_hint_is_a_line_of_code_to_paste(item):
    for hint in _hints(item):
        assert not CODE.search(hint), f"{item.id}: {hint!r}"


@pytest.mark.parametrize("exercise_id", ["4.1", "4.3", "4.8", "5.2b"])
def test_the_hints_students_pasted_point_at_the_idea(exercise_id):
    item = EXERCISES[exercise_id]
    for hint in _hints(item):
        assert "view(" not in hint and "(...)" not in hint and ")." not in hint, hint
        assert not re.search(r"\w\(", hint), hint
    assert "÷" not in item.hint_text  # 4.1 spelled the whole computation out


def _clauses(text: str) -> list[list[str]]:
    parts = re.split(r"[.;:!?](?:\s|$)|, or |, so |, then ", text)
    found = []
    for part in parts:
        words = [w.strip(",") for w in re.findall(r"[\w'’,$%²³⁰⁹]+", part.casefold()) if w.strip(",")]
        if len(words) >= 3:
            found.append(words)
    return found


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.id)
def test_no_feedback_says_a_clause_twice(item):
    # a wrong answer's feedback states the tolerance, then the mistake's hint, then the exercise's: no
    # two clauses may say the same thing in other words ("Set the batch to 1,024." after "set the
    # batch to 1,024")
    for mistake in item.mistakes:
        found = _clauses(check(item.id, float(mistake.value())).message)
        for i, a in enumerate(found):
            for b in found[:i]:
                matcher = difflib.SequenceMatcher(None, a, b)
                shared = sum(block.size for block in matcher.get_matching_blocks()) / min(len(a), len(b))
                assert shared < 0.75, f"{item.id}: {' '.join(a)!r} repeats {' '.join(b)!r}"
