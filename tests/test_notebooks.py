"""Notebook tooling: the marker rules and exercises in sync with solutions (the grader: test_grading.py)."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from book import notebooks
from book.answers import EXERCISES
from book.notebooks import CODE_PLACEHOLDER, MD_PLACEHOLDER, MarkerError, make_exercise, problems
from tests.conftest import descendants

ROOT = Path(__file__).resolve().parent.parent


def _nb(*cells):
    return new_notebook(cells=list(cells))


def _tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def test_code_region_becomes_placeholder_at_its_indentation():
    cell = new_code_cell("x = None\nif True:\n    # BEGIN SOLUTION\n    x = 42\n    # END SOLUTION\ncheck('1.1', x)")
    out = make_exercise(_nb(cell)).cells[0].source
    assert out == f"x = None\nif True:\n    {CODE_PLACEHOLDER}\ncheck('1.1', x)"


def test_two_regions_in_one_cell():
    cell = new_code_cell("# BEGIN SOLUTION\na = 1\n# END SOLUTION\nb = 2\n# BEGIN SOLUTION\nc = 3\n# END SOLUTION")
    assert make_exercise(_nb(cell)).cells[0].source == f"{CODE_PLACEHOLDER}\nb = 2\n{CODE_PLACEHOLDER}"


def test_markdown_region_becomes_write_your_answer_here():
    cell = new_markdown_cell("Question?\n\n<!-- BEGIN SOLUTION -->\nThe answer.\n<!-- END SOLUTION -->\n\nMore.")
    assert make_exercise(_nb(cell)).cells[0].source == f"Question?\n\n{MD_PLACEHOLDER}\n\nMore."


def test_markers_inside_markdown_code_are_left_alone():
    # a code-style marker in a markdown cell, and the reverse, are just text
    md = new_markdown_cell("```python\n# BEGIN SOLUTION\n```")
    code = new_code_cell("s = '<!-- BEGIN SOLUTION -->'")
    exercise = make_exercise(_nb(md, code))
    assert exercise.cells[0].source == md.source and exercise.cells[1].source == code.source


def test_solution_tagged_cell_is_dropped():
    keep = new_markdown_cell("keep")
    drop = _tagged(new_markdown_cell("instructor only"), "solution")
    drop_code = _tagged(new_code_cell("secret = 1"), "solution", "hide-input")
    assert [c.source for c in make_exercise(_nb(keep, drop, drop_code)).cells] == ["keep"]


def test_outputs_and_counts_are_cleared_and_source_untouched():
    cell = new_code_cell("1 + 1", execution_count=3, outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "2"})])
    solution = _nb(cell)
    exercise = make_exercise(solution)
    assert exercise.cells[0].outputs == [] and exercise.cells[0].execution_count is None
    assert solution.cells[0].outputs  # the input notebook is not modified


@pytest.mark.parametrize("source, words", [
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n# END SOLUTION", "without a BEGIN"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION", "nested"),
])
def test_broken_code_markers_name_notebook_and_cell(source, words):
    nb = _nb(new_markdown_cell("intro"), new_code_cell(source))
    with pytest.raises(MarkerError) as info:
        make_exercise(nb, "solutions/99_broken.ipynb")
    assert "solutions/99_broken.ipynb, cell 1" in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("source", [
    "<!-- BEGIN SOLUTION -->\nopen",
    "close\n<!-- END SOLUTION -->",
    "<!-- BEGIN SOLUTION -->\n<!-- BEGIN SOLUTION -->\n<!-- END SOLUTION -->",
])
def test_broken_markdown_markers(source):
    with pytest.raises(MarkerError, match="cell 0"):
        make_exercise(_nb(new_markdown_cell(source)), "x.ipynb")


def _copy_repo_notebooks(tmp_path: Path) -> Path:
    for folder in notebooks.NOTEBOOK_DIRS:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.bib", "*.md"))
    return tmp_path


def test_committed_exercises_are_up_to_date():
    # the check mode of the command line, on the repository itself
    assert problems() == []
    assert notebooks.main(["check"]) == 0


def test_check_mode_catches_a_stale_exercise(tmp_path, capsys):
    root = _copy_repo_notebooks(tmp_path)
    solution = next((root / "solutions").glob("*.ipynb"))
    nb = nbformat.read(solution, as_version=4)
    nb.cells[-1].source += "\n# a change the exercises have not seen"
    nbformat.write(nb, solution)
    found = problems(root)
    assert any("differs from what" in line for line in found)


def test_the_opening_totals_are_written_from_the_key_not_typed(tmp_path):
    # a hand-typed total is caught by check, and `exercises` writes the right one into solutions/
    root = _copy_repo_notebooks(tmp_path)
    solution = next((root / "solutions").glob("01_*.ipynb"))
    right = nbformat.read(solution, as_version=4)
    wrong = copy.deepcopy(right)
    for cell in wrong.cells:
        cell.source = re.sub(r"(\*\*Points:\*\*) \d+ \(", r"\1 99 (", cell.source)
    nbformat.write(wrong, solution)
    assert any("other totals" in line for line in problems(root))
    notebooks.generate_exercises(root, run=False)
    assert nbformat.read(solution, as_version=4).cells == right.cells
    exercise = nbformat.read(root / "exercises" / solution.name, as_version=4)
    total = sum(item.points for item in EXERCISES.values() if item.chapter == 1)
    assert f"**Points:** {total} (" in exercise.cells[0].source


def test_check_mode_catches_a_broken_marker_and_a_missing_exercise(tmp_path):
    root = _copy_repo_notebooks(tmp_path)
    solution = next((root / "solutions").glob("*.ipynb"))
    nb = nbformat.read(solution, as_version=4)
    nb.cells.append(new_code_cell("# BEGIN SOLUTION\nx = 1"))
    nbformat.write(nb, solution)
    (root / "exercises" / "00_orphan.ipynb").write_text(nbformat.writes(_nb()))
    found = "\n".join(problems(root))
    assert "never closed" in found and "00_orphan.ipynb has no solutions" in found


def test_check_mode_catches_unexecuted_notebooks(tmp_path):
    root = _copy_repo_notebooks(tmp_path)
    chapter = next((root / "chapters").glob("*.ipynb"))
    nb = nbformat.read(chapter, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
    nbformat.write(nb, chapter)
    assert any("unexecuted" in line for line in problems(root))


def test_generate_writes_and_prunes(tmp_path):
    root = _copy_repo_notebooks(tmp_path)
    (root / "exercises" / "00_orphan.ipynb").write_text(nbformat.writes(_nb()))
    written = notebooks.generate_exercises(root, run=False)
    exercises = [path for path in written if path.parent.name == "exercises"]
    # the English exercises, and each translation's chapters, solutions and exercises
    assert {p.relative_to(root).parent.as_posix() for p in written} == {
        "exercises", *(f"{folder}/{kind}" for folder in notebooks.TRANSLATED_NOTEBOOKS.values()
                       for kind in ("chapters", "solutions", "exercises"))}
    for folder in {p.parent for p in written}:
        source = root / "chapters" if folder.name == "chapters" else root / "solutions"
        assert {p.name for p in written if p.parent == folder} == {p.name for p in source.glob("*.ipynb")}
    assert not (root / "exercises" / "00_orphan.ipynb").exists()
    for path in exercises:
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def test_command_line_reports_marker_errors(tmp_path, capsys):
    root = _copy_repo_notebooks(tmp_path)
    solution = next((root / "solutions").glob("*.ipynb"))
    nb = nbformat.read(solution, as_version=4)
    nb.cells.insert(3, new_code_cell("x = 1\n# END SOLUTION"))
    nbformat.write(nb, solution)
    assert notebooks.main(["--root", str(root), "exercises"]) == 2
    err = capsys.readouterr().err
    assert f"{solution.name}, cell 3" in err and "END SOLUTION without a BEGIN" in err
    assert notebooks.main(["--root", str(root), "check"]) == 1


def test_solution_notebooks_pass_every_check():
    # The stored outputs of each solutions notebook must show every exercise of its chapter passing.
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        chapter = str(int(solution.name[:2]))
        nb = nbformat.read(solution, as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        ids = [key for key in EXERCISES if key.split(".")[0] == chapter]
        assert ids, f"no exercises in the answer key for {solution.name}"
        for key in ids:
            assert f"[{key}] Correct" in text or f"[{key}] Recorded" in text, f"{solution.name}: {key} does not pass"
        assert "Not quite" not in text and "Needs a different kind" not in text


def test_exercise_notebooks_start_unanswered():
    for exercise in sorted((ROOT / "exercises").glob("*.ipynb")):
        nb = nbformat.read(exercise, as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert "Correct" not in text and "Not answered yet" in text


def test_figures_are_html_with_alt_text_not_bare_figures():
    # A bare matplotlib Figure would display as the text "<Figure size ...>"; the book's figures
    # are HTML (book.figure.Figure) whose chart carries alt text (an SVG's aria-label, or a
    # dashboard chart's title and description).
    for path in notebooks.all_notebooks():
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for output in cell.outputs:
                data = output.get("data", {})
                assert not str(data.get("text/plain", "")).startswith("<Figure"), f"{path.name} cell {index}"
                html = data.get("text/html", "")
                for img in re.findall(r"<img\b[^>]*>", html):
                    assert re.search(r'alt="[^"]{20,}"', img), f"{path.name} cell {index}: image without alt text"
                for svg in re.findall(r"<svg\b[^>]*>", html):
                    if 'aria-hidden="true"' in svg:  # a legend's swatch
                        continue
                    assert 'role="img"' in svg, f"{path.name} cell {index}: a chart that is not an image"
                    assert re.search(r'aria-label="[^"]{20,}"', svg) or (
                        "aria-labelledby" in svg and "<desc id=" in html), f"{path.name} cell {index}: chart without alt text"


def test_no_stray_dollar_signs_in_prose():
    # dollarmath is on: "US$5.6 million ... $100" would render as a formula. Money is written US\$.
    texts = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md")}
    for path in notebooks.all_notebooks():
        nb = nbformat.read(path, as_version=4)
        texts[path.name] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name, text in texts.items():
        stray = re.findall(r"(?<!\\)\$\d[\d.,]*", text)
        assert not stray, f"{name}: unescaped dollar amounts {stray} (write US\\$)"


def _kernel_notebook(*sources: str, tags: dict[int, list[str]] | None = None) -> nbformat.NotebookNode:
    nb = _nb(*(new_code_cell(source) for source in sources))
    for index, cell_tags in (tags or {}).items():
        nb.cells[index].metadata["tags"] = cell_tags
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_refresh_is_idempotent_and_keeps_no_timings_or_widget_state(tmp_path):
    # two refreshes with no change in between give byte-identical notebooks: no execution timings
    # (a 29-line change once gave thousands of lines of notebook diff), no widget ids or state
    nb = _kernel_notebook("from book.dashboards import threshold_explorer\nthreshold_explorer.dashboard()",
                          "print(sum(range(10)))")
    path = tmp_path / "chapters" / "99_widgets.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    notebooks.refresh(path)
    first = path.read_bytes()
    notebooks.refresh(path)
    assert path.read_bytes() == first
    text = first.decode()
    assert "iopub.execute_input" not in text and '"execution":' not in text
    refreshed = nbformat.read(path, as_version=4)
    assert "widgets" not in refreshed.metadata and "widget-view" not in text
    # what the site and JupyterLab show before the cell runs: the dashboard's static HTML
    shown = refreshed.cells[0].outputs[0]["data"]
    assert sorted(shown) == ["text/html", "text/plain"] and 'class="book-dashboard' in shown["text/html"]


def test_refresh_keeps_a_measurement_unless_asked_to_measure_again(tmp_path):
    # a measurement of the machine (tagged) is an example stored once: refresh keeps it, so a
    # refresh on another machine changes nothing; --remeasure (or a cell with no output yet) runs it
    nb = _kernel_notebook("import uuid\nprint(uuid.uuid4())", "print('model')", tags={0: [notebooks.MEASURED_TAG]})
    path = tmp_path / "m.ipynb"
    nbformat.write(nb, path)
    notebooks.refresh(path)  # no output yet: measured now
    first = nbformat.read(path, as_version=4)
    measured = first.cells[0].outputs[0]["text"]
    assert measured.strip() and first.cells[1].outputs[0]["text"] == "model\n"
    first.cells[1].source = "print('changed model')"
    nbformat.write(first, path)
    notebooks.refresh(path)
    again = nbformat.read(path, as_version=4)
    assert again.cells[0].outputs[0]["text"] == measured  # kept
    assert again.cells[1].outputs[0]["text"] == "changed model\n"  # the rest is fresh
    assert notebooks.main(["refresh", "--remeasure", str(path)]) == 0
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] != measured


def test_pieces_of_one_stream_are_stored_as_one_output():
    nb = _nb(new_code_cell("print('a')"))
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1.1"),
                           nbformat.v4.new_output("stream", name="stdout", text=" correct\n"),
                           nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
                           nbformat.v4.new_output("stream", name="stdout", text="1.2 correct\n")]
    outputs = notebooks.tidy_outputs(nb).cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "1.1 correct\n"), ("stderr", "warning\n"),
                                                         ("stdout", "1.2 correct\n")]


def test_the_kernel_gets_extra_environment_without_changing_ours(tmp_path, monkeypatch):
    monkeypatch.delenv("BOOK_TEST_VALUE", raising=False)
    nb = _nb(new_code_cell("import os\nprint(os.environ.get('BOOK_TEST_VALUE'))"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out = notebooks.execute(nb, tmp_path, extra_env={"BOOK_TEST_VALUE": "seen"})
    assert out.cells[0].outputs[0]["text"].strip() == "seen"
    import os
    assert "BOOK_TEST_VALUE" not in os.environ


def test_nbval_s_kernels_talk_over_unix_sockets_of_their_own():
    # tests/nbval_kernels.py, which tests/conftest.py applies: no TCP port to lose to another kernel
    import nbval.kernel

    first, second = (nbval.kernel.KernelManager(kernel_name="python3") for _ in range(2))
    assert first.transport == second.transport == "ipc"
    folders = {Path(first.ip).parent, Path(second.ip).parent}
    assert len(folders) == 2 and all(folder.parent.name.startswith("nbval-kernels-") for folder in folders)
    assert {Path(first.connection_file).parent, Path(second.connection_file).parent} == folders


def test_kernels_talk_over_their_own_sockets_and_a_dead_one_says_why(tmp_path):
    # Unix sockets in a private folder: no TCP port another kernel starting at the same moment
    # could take (a kernel died that way once in CI, and its words were thrown away)
    nb = _nb(new_code_cell("import json, ipykernel.connect as c\n"
                           "print(json.load(open(c.get_connection_file()))['transport'])"))
    before = descendants()
    assert notebooks.execute(nb, tmp_path).cells[0].outputs[0]["text"].strip() == "ipc"
    assert descendants() <= before  # and the kernel was shut down
    with pytest.raises(RuntimeError, match=r"(?s)Kernel died.*the kernel said:.*encodings"):
        notebooks.execute(nb, tmp_path, extra_env={"PYTHONHOME": str(tmp_path / "nowhere")})


def test_plumbing_cells_are_hidden_on_the_page():
    # a cell that glues numbers into the prose, or only imports, shows its output but not its code
    import ast
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            tags = set(cell.metadata.get("tags", []))
            imports_only = all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.parse(cell.source).body)
            if "glue(" in cell.source or imports_only:
                assert tags & {"remove-input", "remove-cell", "hide-input"}, f"{path.name} cell {index}"


def test_check_mode_catches_a_stale_translated_notebook(tmp_path):
    # the German notebooks are generated from the English ones and the catalogues: one edited by
    # hand (or left behind by a changed translation) is named
    root = _copy_repo_notebooks(tmp_path)
    shutil.copytree(ROOT / "locales" / "de" / "LC_MESSAGES", root / "locales" / "de" / "LC_MESSAGES")
    assert [line for line in problems(root) if "locales/" in line] == []
    target = root / "locales" / "de" / "exercises" / "01_containment.ipynb"
    nb = nbformat.read(target, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "markdown")
    first.source += "\n\nvon Hand ergänzt"
    nbformat.write(nb, target)
    assert [line for line in problems(root) if "locales/" in line] == [
        "locales/de/exercises/01_containment.ipynb differs from what solutions/01_containment.ipynb and its "
        "translation generate: run `python -m book.notebooks exercises`"]
