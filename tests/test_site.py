"""Tests on the built student site (`jupyter-book build . -W` first; CI always builds it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.site


def _entries(entries: list[dict]) -> list[str]:
    files = []
    for entry in entries:
        files.append(entry["file"])
        files += _entries(entry.get("sections", []))
    return files


def _toc_files(name: str = "_toc.yml") -> list[str]:
    toc = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += _entries(part["chapters"])
    return files


def _visible_text(html: str) -> str:
    """The text of an HTML page with tags removed (code is split into highlighting spans)."""
    import html as html_lib
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def _all_text(site: Path) -> dict[Path, str]:
    texts = {}
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            texts[path] = text + "\n" + _visible_text(text) if path.suffix == ".html" else text
    return texts


def test_every_toc_page_is_built(site):
    for name in _toc_files():
        assert (site / f"{name}.html").exists(), f"{name} is in _toc.yml but was not built"


def test_every_notebook_is_in_the_toc():
    listed = set(_toc_files())
    for folder in ("chapters", "exercises"):
        for path in (ROOT / folder).glob("*.ipynb"):
            assert f"{folder}/{path.stem}" in listed, f"{folder}/{path.name} is not reachable from _toc.yml"


# (rendered pages turn ' into a typographic apostrophe, so the signs avoid apostrophes)
SOLUTION_SIGNS = ["BEGIN SOLUTION", "END SOLUTION", "contains the worked solutions", "Notes for instructors",
                  "tpp_a100 = max(", "answer_1_6b = \"\"\"A threshold"]


def solution_lines() -> dict[str, list[str]]:
    """Per solutions notebook, the substantial code lines inside its solution regions (markdown
    regions are rendered, so SOLUTION_SIGNS covers them) that appear nowhere in the chapters' own notebooks (which may share a line such as
    ``rtx = get_chip("RTX 4090 D")``)."""
    import nbformat
    public = "\n".join(c.source for path in (ROOT / "chapters").glob("*.ipynb")
                       for c in nbformat.read(path, as_version=4).cells)
    found = {}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        lines = []
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN SOLUTION" in line:
                    inside = True
                elif "END SOLUTION" in line:
                    inside = False
                elif (inside and len(line.strip()) >= 25 and "'" not in line and not line.strip().startswith("#")
                      and line.strip() not in public):
                    lines.append(line.strip())
        found[path.stem] = lines
    return found


def test_student_edition_has_no_solutions(site):
    assert not (site / "solutions").exists()
    texts = _all_text(site)
    signs = SOLUTION_SIGNS + [line for lines in solution_lines().values() for line in lines]
    assert len(signs) > len(SOLUTION_SIGNS) + 10
    for path, text in texts.items():
        for sign in signs:
            assert sign not in text, f"{path.relative_to(site)} contains {sign!r}"


def _glued_figure(page: str) -> str:
    """A number each chapter glues into its text, computed here from the models."""
    from book.architecture import get_architecture, parameter_counts
    from book.hardware import get_chip
    from book.training_cost import run_totals
    if page == "01_containment":
        return f"{get_chip('H100').tpp:,.0f}"
    if page == "02_deepseek_paradox":
        return f"{parameter_counts(get_architecture('DeepSeek-V3')).active_in_matmuls / 1e9:,.1f}"
    if page == "05_paradox_of_success":
        from book.training_cost import run_stages, wall_clock_days
        return f"{wall_clock_days(run_stages('DeepSeek-V3')[0].gpu_hours, 2048):.0f}"
    if page == "04_democratization":
        from book.inference import decode
        return f"{decode(get_architecture('DeepSeek-V3'), get_chip('H20'), 'fp8', 64, 4096).crossover}"
    return f"{run_totals('DeepSeek-V3').gpu_hours / 1e3:,.0f}"


@pytest.mark.parametrize("page", ["01_containment", "02_deepseek_paradox", "03_cost_of_compute",
                                  "04_democratization", "05_paradox_of_success"])
def test_glued_numbers_and_references_are_resolved(site, page):
    html = (site / "chapters" / f"{page}.html").read_text(encoding="utf-8")
    assert "glue:" not in html and "{glue" not in html
    assert not re.search(r"\?\?", html), "an unresolved reference or citation"
    assert _glued_figure(page) in html


def test_citations_resolve_to_the_bibliography(site):
    html = (site / "chapters" / "references.html").read_text(encoding="utf-8")
    assert "87 FR 62186" in html and "88 FR 73458" in html


def test_every_image_has_alt_text(site):
    # (images inside widget state, in <script> blocks, are checked in the browser tests)
    for path in site.rglob("*.html"):
        html = re.sub(r"<script\b.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
        for tag in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and len(alt.group(1).split()) >= 5, f"{path.relative_to(site)}: {tag[:120]}"


def test_chapter_figures_are_images_not_text(site):
    html = (site / "chapters" / "01_containment.html").read_text(encoding="utf-8")
    body = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    assert "&lt;Figure size" not in body and "<Figure size" not in body
    charts = re.findall(r"<img\b[^>]*data:image/png", body) + re.findall(r'<svg\b[^>]*role="img"', body)
    assert len(charts) >= 4  # timeline, catalogue, the dashboard's chart, bandwidth bars


def test_every_widget_output_carries_its_static_html():
    # the site shows text/html in place of a widget (nb_mime_priority_overrides); a widget without
    # it would show as a line of plain text
    import nbformat
    for folder in ("chapters", "exercises", "solutions"):
        for path in (ROOT / folder).glob("*.ipynb"):
            for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    if "application/vnd.jupyter.widget-view+json" in data:
                        assert "text/html" in data, f"{folder}/{path.name} cell {index}"


def test_instructor_toc_is_the_student_toc_plus_solutions():
    student = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    instructor = yaml.safe_load((ROOT / "_toc_instructor.yml").read_text(encoding="utf-8"))
    assert instructor["root"] == student["root"] and instructor["format"] == student["format"]
    parts = [part for part in instructor["parts"] if part["caption"] != "Solutions (instructors)"]
    assert parts == student["parts"], "the instructor toc must list every student page, in the same order"
    solutions = next(part for part in instructor["parts"] if part["caption"] == "Solutions (instructors)")
    files = [c["file"] for c in solutions["chapters"]]
    # the instructor guide first, then one solutions notebook per exercise notebook, in order
    assert files[0] == "solutions/instructor_guide"
    exercises = [f for f in _toc_files() if f.startswith("exercises/")]
    assert files[1:] == [f.replace("exercises/", "solutions/") for f in exercises]
    assert files[1:] == sorted(f"solutions/{p.stem}" for p in (ROOT / "solutions").glob("*.ipynb"))


def test_each_chapter_is_followed_by_its_exercises():
    files = _toc_files()
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        chapter = f"chapters/{path.stem}"
        assert files[files.index(chapter) + 1] == f"exercises/{path.stem}", chapter


def test_exercises_page_offers_the_notebook(site):
    html = (site / "exercises" / "01_containment.html").read_text(encoding="utf-8")
    assert "01_containment.ipynb" in html
    assert (site / "_sources" / "exercises" / "01_containment.ipynb").exists()


def test_instructor_edition_builds_with_the_solutions(instructor_site):
    for stem, lines in solution_lines().items():
        text = _visible_text((instructor_site / "solutions" / f"{stem}.html").read_text(encoding="utf-8"))
        assert lines, stem
        for line in lines:  # so the student-edition test, which looks for these, would bite
            assert line in text, f"the instructor edition of {stem} lacks {line!r}"
    text = _visible_text((instructor_site / "solutions" / "01_containment.html").read_text(encoding="utf-8"))
    for sign in SOLUTION_SIGNS[2:]:
        assert sign in text, f"the instructor edition lacks {sign!r}: the student-edition test would not bite"

def test_the_instructor_guide_names_exercise_ranges_from_the_answer_key(instructor_site):
    from book.tooling.substitutions import exercise_ranges

    text = _visible_text((instructor_site / "solutions" / "instructor_guide.html").read_text(encoding="utf-8"))
    assert "{{" not in text
    for chapter, words in exercise_ranges().items():
        assert words in text, chapter
    # and the source types none of them
    source = (ROOT / "solutions" / "instructor_guide.md").read_text(encoding="utf-8")
    assert not re.search(r"exercises \d+\.\d+ to \d+\.\d+", source)
