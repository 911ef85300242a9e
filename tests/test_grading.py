"""The grader an instructor runs on a class (book.grading), tested with real notebook files: the
solutions, an untouched exercise notebook, the submissions that broke earlier graders, and hostile
ones. One class is graded once, in the sandbox, with two workers, as an instructor would."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from IPython.core.profiledir import ProfileDir
from IPython.paths import get_ipython_dir
from nbformat.v4 import new_code_cell

from book import grading
from book.answers import chapter_exercises
from tests.conftest import IN_CI, ROOT, descendants

TIMEOUT = 5  # seconds per cell: the endless loop is abandoned after this
DETACHED_DELAY = 2  # seconds the detached process waits before it tries to rewrite the gradebook


def _solution(chapter: int) -> nbformat.NotebookNode:
    path = next((ROOT / "solutions").glob(f"{chapter:02d}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def _exercise(chapter: int) -> nbformat.NotebookNode:
    path = next((ROOT / "exercises").glob(f"{chapter:02d}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def _write(folder: Path, student: str, name: str, nb_or_text) -> Path:
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text, encoding="utf-8")
    else:
        nbformat.write(nb_or_text, path)
    return path


def _mini(*sources: str) -> nbformat.NotebookNode:
    """A short chapter-1 notebook that answers 1.1 correctly, with ``sources`` as cells before the
    answer (so an attack runs first): cheap to grade, and every honest one scores the same."""
    nb = nbformat.v4.new_notebook(cells=[new_code_cell("from book.checks import check"),
                                         *map(new_code_cell, sources),
                                         new_code_cell("answer_1_1 = 4992\ncheck('1.1', answer_1_1)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["book"] = {"chapter": 1}
    return nb


ONE_ONE = next(item.points for item in chapter_exercises(1) if item.id == "1.1")


def _with(nb: nbformat.NotebookNode, *sources: str, at: int | None = None) -> nbformat.NotebookNode:
    for source in sources:
        if at is None:
            nb.cells.append(new_code_cell(source))
        else:
            nb.cells.insert(at, new_code_cell(source))
    return nb


def _snapshot(*folders: Path) -> dict[str, str]:
    """Every file under the folders, with a hash of its bytes; not IPython's command history
    (``~/.ipython/profile_default/history.sqlite``), which every kernel on the machine writes, the
    other test worker's included (its startup folder, the way into other kernels, is compared)."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for folder in folders if folder.exists()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
            and not p.name.startswith("history.sqlite")}


def _sandboxed() -> None:
    if grading.sandbox.bwrap_path() is None:
        if IN_CI:
            pytest.fail(grading.sandbox.MISSING)
        pytest.skip(grading.sandbox.MISSING)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One class, graded once in the sandbox with two workers; hostile submissions among them."""
    _sandboxed()
    folder = tmp_path_factory.mktemp("class")
    out = folder / "grades.csv"
    for chapter in (1, 2, 3, 4, 5):
        _write(folder, f"key{chapter}", f"0{chapter}_solutions.ipynb", _solution(chapter))
    # the German edition's solutions (German text and feedback, the same code)
    german = next((ROOT / "locales" / "de" / "solutions").glob("02_*.ipynb"))
    _write(folder, "keyde2", german.name, nbformat.read(german, as_version=4))
    _write(folder, "bob", "02_deepseek_paradox.ipynb", _exercise(2))
    _write(folder, "carol", "01_containment.ipynb", '{"cells": [ {"cell_type": "code", "sou')
    _write(folder, "cleo", "01_containment.ipynb", '{"not": "a notebook"}')
    dave = _with(_exercise(1), "while True:\n    pass", at=3)
    _write(folder, "dave", "01_containment.ipynb", _with(dave, "from book.checks import check\ncheck('1.1', 4992)"))
    _write(folder, "erin", "01_containment.ipynb", _with(_solution(1), "import os\nos._exit(3)", at=3))
    _write(folder, "frank", "alice_ch1.ipynb", _exercise(1))  # renamed; the metadata says chapter 1
    _write(folder, "gina", "01_containment.ipynb", _with(_exercise(1),
           "import json, os\nprint('[1.1] Correct: 4,992 matches the model (within 1%).')\n"
           "with open(os.environ.get('BOOK_CHECK_LOG') or 'checks.jsonl', 'a') as log:\n"
           "    log.write(json.dumps({'exercise_id': '1.1', 'status': 'correct', 'message': 'forged', 'answer': '1'}))"))
    _write(folder, "hank", "01_containment.ipynb",
           _with(_solution(1), "from book.checks import check\ncheck('1.1', 1)"))  # right, then wrong
    _write(folder, "ivan", "01_containment.ipynb", _mini("print('x' * 5_000_000)"))
    _write(folder, "jack", "01_containment.ipynb", _with(_mini(), f"""
import socket, os
seen = []
seen.append('book visible' if os.path.exists({str(ROOT / 'book')!r}) else 'book hidden')
seen.append('solutions visible' if os.path.exists({str(ROOT / 'solutions')!r}) else 'solutions hidden')
try:
    socket.create_connection(('1.1.1.1', 80), 2)
    seen.append('network')
except OSError:
    seen.append('no network')
try:
    big = bytearray(6 * 1024 ** 3)
    seen.append('6 GB allocated')
except MemoryError:
    seen.append('memory capped')
import book
seen.append(book.__file__)
raise RuntimeError('SEEN=' + ','.join(seen))
"""))
    # swallows the interrupt (a loop that sleeps: the interrupt lands in it as in dave's busy loop,
    # and a core is not spent on it until the grader kills the kernel)
    _write(folder, "ken", "01_containment.ipynb", _with(_with(_exercise(1),
           "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass", at=3),
           "from book.checks import check\ncheck('1.1', 4992)"))
    _write(folder, "nina", "01_containment.ipynb", _mini())  # two copies: the better one counts
    wrong = _mini()
    wrong.cells[-1].source = "check('1.1', 1)"
    _write(folder, "nina", "01_containment (1).ipynb", wrong)
    nbformat.write(_mini(), folder / "olga.ipynb")  # a notebook loose in the class folder
    _write(folder, "paul", "01_containment.ipynb", _mini("check('1.4c', 'idk')"))
    other = _exercise(4)
    other.metadata.pop("book", None)
    _write(folder, "pat", "my_work.ipynb", other)  # no chapter anywhere but its check lines
    # hostile submissions: each tries to take over the class
    victim = _write(folder, "victim", "01_containment.ipynb", _mini())
    doomed = _write(folder, "victim2", "01_containment.ipynb", _mini())
    attacks = {
        "x01_kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
        "x02_kill_group": "import os, signal\nos.killpg(0, signal.SIGKILL)",
        "x03_kill_all": "import os, signal\nos.kill(-1, signal.SIGKILL)",
        "x04_writes": "\n".join(f"try:\n    open({p!r}, 'w').write('owned')\nexcept OSError:\n    pass" for p in (
            str(victim), str(folder / "planted.txt"), str(ROOT / "book" / "answers" / "ch99.py"),
            "/tmp/book-grader-planted.txt", str(Path.home() / "planted.txt"))) + (
            f"\nimport os\ntry:\n    os.remove({str(doomed)!r})\nexcept OSError:\n    pass"),
        "x05_startup": "import os\nfor home in (os.path.expanduser('~'), '/root', os.environ.get('IPYTHONDIR', '')):\n"
                       "    try:\n        d = os.path.join(home, '.ipython', 'profile_default', 'startup')\n"
                       "        os.makedirs(d, exist_ok=True)\n"
                       "        open(os.path.join(d, '00-owned.py'), 'w').write('import book.checks as c\\n"
                       "c.verdict = lambda *a, **k: None\\n')\n    except OSError:\n        pass",
        "x06_detached": f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time, sys; "
                        f"time.sleep({DETACHED_DELAY}); open(sys.argv[1], \"w\").write(\"x06,27,27,100.0\")', "
                        f"{str(out)!r}, 'book-detached-marker'], start_new_session=True)",
        "x07_reads_key": f"answer = None\nfor path in ({str(ROOT / 'solutions')!r}, {str(ROOT / 'book' / 'answers')!r}):\n"
                         "    try:\n        import os; os.listdir(path); answer = 'read'\n    except OSError:\n"
                         "        pass\nfrom book.answers import EXERCISES\ntry:\n"
                         "    answer_1_1 = EXERCISES['1.1'].expected()\nexcept Exception:\n    answer_1_1 = None\n"
                         "from book.checks import check\ncheck('1.1', answer_1_1)",
        # (json.dumps too would break the kernel's own messages: the cell then times out)
        "x08_patches_json": "import json\nfrom book.answers import EXERCISES\n"
                            "def forged(obj, fp, **kwargs):\n"
                            "    fp.write(json.JSONEncoder().encode({'1.1': {'value': EXERCISES['1.1'].expected()}}))\n"
                            "json.dump = forged",
    }
    for name, code in attacks.items():
        # (the two that try to read the key give no honest answer of their own)
        honest = name not in ("x07_reads_key", "x08_patches_json")
        _write(folder, name, "01_containment.ipynb", _mini(code) if honest else _with(_exercise(1), code))
    _write(folder, "x09_huge", "01_containment.ipynb", _with(_mini(), "check('1.1', 10**5000)\n"
                                                                       "check('1.2', float('nan'))"))
    # honest students whose check lines a regex once misread
    _write(folder, "y01_keyword", "01_containment.ipynb",
           _with(_mini(), "answer_1_1 = 4992\ncheck('1.1', answer=answer_1_1); print('done')"))
    _write(folder, "y02_comment", "01_containment.ipynb", _with(_mini(), "# check('1.1', 1)  an old try"))
    for name in ("zz1", "zz2", "zz3"):  # graded after the attackers
        _write(folder, name, "01_containment.ipynb", _mini())
    # On a fresh machine the first kernel anywhere (the other worker's, say) creates IPython's
    # profile and its startup/README while this class is graded: create it before the snapshot.
    ProfileDir.create_profile_dir_by_name(get_ipython_dir(), "default")
    guarded = [ROOT / "book", ROOT / "solutions", ROOT / "exercises", Path.home() / ".ipython"]
    before = _snapshot(*guarded)
    class_before = _snapshot(folder)
    found = grading.discover([folder])
    # four at a time on two cores: most of a sandboxed grading is waiting (a kernel starting, a timeout)
    reports, note = grading.grade_all(found.submissions, ROOT, TIMEOUT, None, jobs=4)
    grading.write_csv(reports, out)
    grading.write_gradebook(grading.read_rows(out), grading.summary_path(out))
    written_csv = out.read_bytes()
    finished = time.monotonic()
    feedback = grading.write_feedback(reports, folder / "feedback")
    by_student = {r.student: r for r in reports if r.submission.endswith("01_containment.ipynb")
                  or r.student not in {x.student for x in reports if x is not r}}
    by_student.update({r.student: r for r in reports if r.student not in by_student})
    return {"reports": by_student, "all": reports, "note": note, "csv": out, "feedback": feedback, "folder": folder,
            "guarded": guarded, "before": before, "class_before": class_before, "written_csv": written_csv,
            "victim": victim, "doomed": doomed, "finished": finished}


def _statuses(report) -> dict[str, str]:
    return {r.exercise: r.status for r in report.results}


def test_the_solutions_grade_to_full_points(batch):
    assert batch["note"] is None  # graded in the sandbox
    for chapter in (1, 2, 3, 4, 5):
        report = batch["reports"][f"key{chapter}"]
        assert report.problems == [] and report.chapter == chapter
        items = chapter_exercises(chapter)
        assert [r.exercise for r in report.results] == [item.id for item in items]
        automatic = [item for item in items if not item.graded_by_hand]
        assert report.points == sum(item.points for item in automatic) > 0
        assert report.max_points == sum(item.points for item in items)
        for result in report.results:
            if result.by_hand:  # written answers: recorded, points left to the instructor
                assert result.status == "recorded" and result.points is None and result.answer
            else:
                assert result.status == "correct", (result.exercise, result.detail)


def test_a_german_notebook_grades_like_the_english_one(batch):
    german, english = batch["reports"]["keyde2"], batch["reports"]["key2"]
    assert german.problems == [] and german.chapter == 2
    assert german.points == english.points and _statuses(german) == _statuses(english)


def test_an_untouched_exercise_notebook_grades_to_zero(batch):
    report = batch["reports"]["bob"]
    assert report.problems == [] and report.points == 0
    assert set(_statuses(report).values()) == {"unanswered"}
    assert len(report.results) == len(chapter_exercises(2))


def test_files_that_are_not_notebooks_are_reported_not_raised(batch):
    assert batch["reports"]["carol"].problems[0].startswith("not a readable notebook")
    assert batch["reports"]["cleo"].problems[0].startswith(("not a readable notebook", "not a notebook"))
    assert batch["reports"]["carol"].results == []


@pytest.mark.parametrize("student", ["dave", "ken"])
def test_an_endless_loop_is_abandoned_and_the_rest_is_graded(batch, student):
    report = batch["reports"][student]
    assert len(report.problems) == 1 and report.problems[0].startswith("timed out in cell 3 (exercise 1.1)")
    assert f"after {TIMEOUT} s" in report.problems[0]
    assert _statuses(report)["1.1"] == "correct"  # the answer given after the loop still counts


def test_a_cell_that_kills_the_kernel_is_skipped(batch):
    report = batch["reports"]["erin"]
    assert report.problems == ["the kernel died in cell 3; graded again without that cell"]
    assert _statuses(report)["1.1"] == "correct"
    assert report.points == batch["reports"]["key1"].points


def test_a_renamed_file_grades_with_a_warning(batch):
    report = batch["reports"]["frank"]
    assert report.chapter == 1 and report.problems == []
    assert any("no chapter prefix" in w for w in report.warnings)
    assert len(report.results) == len(chapter_exercises(1))  # missing exercises are all listed


def test_a_forged_log_line_or_printed_verdict_counts_for_nothing(batch):
    report = batch["reports"]["gina"]
    assert _statuses(report)["1.1"] == "unanswered" and report.points == 0


def test_the_last_answer_counts_once(batch):
    report = batch["reports"]["hank"]
    assert _statuses(report)["1.1"] == "wrong"
    assert [r.exercise for r in report.results].count("1.1") == 1
    one_one = next(item for item in chapter_exercises(1) if item.id == "1.1")
    assert report.points == batch["reports"]["key1"].points - one_one.points


def test_megabytes_of_output_do_not_matter(batch):
    report = batch["reports"]["ivan"]
    assert report.problems == [] and report.points == ONE_ONE


def test_the_kernel_sees_only_the_students_copy_no_network_and_capped_memory(batch):
    seen = next(w for w in batch["reports"]["jack"].warnings if "SEEN=" in w).split("SEEN=", 1)[1].split(",")
    assert seen[:4] == ["book hidden", "solutions hidden", "no network", "memory capped"]
    assert seen[4].startswith(grading.sandbox.BOOK)  # the students' copy, key sealed


# ---- hostile submissions ---------------------------------------------------------------------

def test_the_batch_finishes_and_every_other_grade_is_unchanged(batch):
    for name in ("victim", "victim2", "y01_keyword", "y02_comment", "zz1", "zz2", "zz3"):
        report = batch["reports"][name]
        assert report.problems == [] and report.points == ONE_ONE, (name, report.problems)
        assert _statuses(report)["1.1"] == "correct" and len(report.results) == len(chapter_exercises(1)), name
    assert len(batch["all"]) == len(grading.discover([batch["folder"]]).submissions)


@pytest.mark.parametrize("attacker", ["x01_kill_parent", "x02_kill_group", "x03_kill_all"])
def test_killing_the_grader_kills_only_the_attacker_s_own_kernel(batch, attacker):
    report = batch["reports"][attacker]
    assert report.chapter == 1 and len(report.results) == len(chapter_exercises(1))
    # the cell that killed its own kernel is skipped; the rest of the notebook still counts
    assert report.points == ONE_ONE


def test_nothing_outside_the_scratch_folder_changed(batch):
    assert _snapshot(*batch["guarded"]) == batch["before"]  # book, solutions, exercises, ~/.ipython
    after = _snapshot(batch["folder"])
    for path, digest in batch["class_before"].items():
        assert after.get(path) == digest, path  # no submission overwritten or deleted
    assert not (batch["folder"] / "planted.txt").exists() and not Path("/tmp/book-grader-planted.txt").exists()
    assert not (Path.home() / "planted.txt").exists()
    assert not (ROOT / "book" / "answers" / "ch99.py").exists()


def test_a_planted_startup_file_reaches_no_other_kernel(batch):
    assert not list((Path.home() / ".ipython").glob("profile_default/startup/00-owned.py"))
    assert batch["reports"]["zz1"].points == ONE_ONE


def test_a_detached_process_dies_with_its_sandbox(batch):
    # the detached process started before grading ended: wait what is left of its delay (other
    # tests have usually run meanwhile)
    time.sleep(max(0.0, batch["finished"] + DETACHED_DELAY + 1.5 - time.monotonic()))
    assert batch["csv"].read_bytes() == batch["written_csv"]
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "book-detached-marker" not in running


def test_the_key_cannot_be_read_from_the_sandbox(batch):
    reads = batch["reports"]["x07_reads_key"]
    assert _statuses(reads)["1.1"] == "unanswered"  # EXERCISES['1.1'] has no expected() there
    forged = batch["reports"]["x08_patches_json"]
    assert forged.points == 0 and _statuses(forged)["1.1"] == "unanswered"


def test_a_number_json_cannot_hold_spoils_only_its_exercise(batch):
    report = batch["reports"]["x09_huge"]
    assert _statuses(report)["1.1"] == "invalid" and _statuses(report)["1.2"] == "invalid"
    assert report.problems == [] and report.points == 0  # its other answers still read (unanswered here)


def test_answers_are_read_the_way_python_reads_them(batch):
    assert _statuses(batch["reports"]["y01_keyword"])["1.1"] == "correct"
    assert _statuses(batch["reports"]["y02_comment"])["1.1"] == "correct"


# ---- the files an instructor gets ------------------------------------------------------------

def test_the_csv_and_the_summary_import_with_the_stated_columns(batch):
    with batch["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == grading.CSV_COLUMNS
    key = [row for row in rows if row["student"] == "key1"]
    assert len(key) == len(chapter_exercises(1))
    written = [row for row in key if row["status"] == "recorded"]
    assert written and all(row["points"] == "" and row["mark"] == "" for row in written)
    assert any(row["student"] == "carol" and row["status"] == "problem" for row in rows)
    with grading.summary_path(batch["csv"]).open(newline="", encoding="utf-8") as handle:
        summary = {row["student"]: row for row in csv.DictReader(handle)}
    key1 = batch["reports"]["key1"]
    assert float(summary["key1"]["chapter 1"]) == key1.points
    assert float(summary["bob"]["percent"]) == 0 and "not a readable notebook" in summary["carol"]["notes"]
    assert float(summary["key1"]["points_to_mark_by_hand"]) == key1.by_hand > 0
    assert len(batch["feedback"]) == len(batch["all"])
    text = next(p for p in batch["feedback"] if p.name.startswith("hank")).read_text()
    assert "**1.1**, wrong" in text


def test_two_copies_count_once_and_loose_files_are_students(batch):
    with grading.summary_path(batch["csv"]).open(newline="", encoding="utf-8") as handle:
        summary = {row["student"]: row for row in csv.DictReader(handle)}
    assert float(summary["nina"]["chapter 1"]) == ONE_ONE
    assert "2 notebooks for chapter 1: counted 01_containment.ipynb" in summary["nina"]["notes"]
    assert "olga" in batch["reports"] and batch["reports"]["olga"].problems == []


def test_a_short_written_answer_is_left_for_the_instructor(batch):
    result = next(r for r in batch["reports"]["paul"].results if r.exercise == "1.4c")
    assert result.status == "wrong" and result.points is None and result.by_hand and result.answer == "idk"


def test_a_notebook_without_a_chapter_is_known_by_its_check_lines(batch):
    report = batch["reports"]["pat"]
    assert report.chapter == 4 and any("chapter of its check lines" in w for w in report.warnings)


# ---- single notebooks, no class ---------------------------------------------------------------

def test_wrong_chapter_unknown_chapter_and_no_answers(tmp_path):
    path = _write(tmp_path, "lee", "02_deepseek_paradox.ipynb", _exercise(2))
    report = grading.grade_submission(grading.Submission("lee", path), ROOT, TIMEOUT, chapter=1)
    assert report.problems == ["this is a chapter 2 notebook, but the batch grades chapter 1"]
    blank = nbformat.v4.new_notebook(cells=[new_code_cell("print('my own work')")])
    path = _write(tmp_path, "max", "homework.ipynb", blank)
    report = grading.grade_submission(grading.Submission("max", path), ROOT, TIMEOUT)
    assert report.problems[0].startswith("cannot tell which chapter")
    path = _write(tmp_path, "ned", "01_containment.ipynb", blank)  # an empty notebook is a problem
    report = grading.grade_submission(grading.Submission("ned", path), ROOT, TIMEOUT)
    assert report.problems and report.problems[0].startswith("the notebook has no answers")


def test_answer_expressions_read_the_code_as_python_does():
    nb = nbformat.v4.new_notebook(cells=[
        new_code_cell("check('1.1', a)\ncheck(\"1.2\", f(x, y))  # note"),
        new_code_cell("%matplotlib inline\ncheck('1.1', b); print('done')\n# check('1.1', c)"),
        new_code_cell("check('1.3', answer=z)\nbook.checks.check(exercise_id='1.4a', answer=w)"),
        new_code_cell("def broken(:\n    check('1.5a', q)")])
    assert grading.answer_expressions(nb) == {"1.1": "b", "1.2": "f(x, y)", "1.3": "z", "1.4a": "w"}


def test_without_a_sandbox_the_grader_refuses_unless_told(tmp_path, monkeypatch, capsys):
    from book import notebooks
    monkeypatch.setattr(grading.sandbox, "bwrap_path", lambda: None)
    good = _write(tmp_path, "kim", "01_containment.ipynb", _exercise(1))
    assert notebooks.main(["grade", str(good.parent), "--out", str(tmp_path / "g.csv")]) == 2
    assert "apt-get install bubblewrap" in capsys.readouterr().err and not (tmp_path / "g.csv").exists()
    assert notebooks.main(["grade", str(good.parent), "--out", str(tmp_path / "g.csv"), "--no-sandbox"]) == 0
    captured = capsys.readouterr()
    assert "WITHOUT A SANDBOX" in captured.err
    assert "WITHOUT A SANDBOX" in (tmp_path / "g.csv").read_text(encoding="utf-8")  # in the gradebook's CSV too


def test_a_worker_that_dies_costs_only_its_own_submission(tmp_path):
    # without the sandbox a kernel can kill the grader's worker (its parent): the pool breaks, the
    # submissions in flight are tried again alone, the killer is reported, the others are graded
    folder = tmp_path / "class"
    _write(folder, "ann", "01_containment.ipynb", _mini())
    _write(folder, "killer", "01_containment.ipynb", _mini("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    _write(folder, "zoe", "01_containment.ipynb", _mini())
    reports, note = grading.grade_all(grading.discover([folder]).submissions, ROOT, TIMEOUT, None, jobs=2,
                                      use_sandbox=False)
    by = {r.student: r for r in reports}
    assert note == grading.sandbox.UNSANDBOXED and len(reports) == 3
    assert by["ann"].points == by["zoe"].points == ONE_ONE and not by["ann"].problems
    assert by["killer"].problems == ["the grader's worker died while grading this submission, twice; the rest of "
                                     "the class was graded"]


@pytest.mark.parametrize("sandboxed", [True, False])
def test_a_graded_submission_leaves_no_kernel_running(tmp_path, sandboxed):
    # a kernel left looping after its submission was graded kept a core busy for the rest of the
    # batch (and every kernel stayed in memory until its worker ended)
    if sandboxed:
        _sandboxed()
    def kernels() -> set[int]:  # not the browser's helpers, which another test of this worker may start
        found = set()
        for pid in descendants():
            try:
                if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.add(pid)
            except OSError:  # gone meanwhile
                pass
        return found

    before = kernels()
    # (the loop sleeps: what counts is whether its kernel outlives the grading, and a busy loop
    # would take a core from the other tests for the 2 s; the class's dave loops busily)
    looping = _write(tmp_path, "dave", "01_containment.ipynb",
                     _with(_mini(), "import time\nwhile True:\n    time.sleep(0.05)"))
    report = grading.grade_submission(grading.Submission("dave", looping), ROOT, timeout=2, chapter=1,
                                      bwrap=grading.sandbox.bwrap_path() if sandboxed else None)
    assert report.problems[0].startswith("timed out in cell")
    deadline = time.monotonic() + 3  # a killed process may take a moment to be reaped
    while (left := kernels() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set(), left
