"""The German edition (book/tooling/i18n.py): catalogues in step with the English, complete for the
released pages, markup kept; the built German site in German, with a language switch both ways.

The coverage report (every page: translated / fuzzy / untranslated) is printed by
``python -m book.tooling.i18n status``; the tests below fail on what a reader would notice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from book.language import NARROW_NBSP, in_language, numbers_in
from book.tooling import i18n
from tests.browser import content_pages
from tests.conftest import ROOT

NNBSP = NARROW_NBSP


# ---- numbers and addresses ---------------------------------------------------------------------

@pytest.mark.parametrize("english, german", [
    ("15,832", f"15{NNBSP}832"), ("4,992", "4992"), ("1.5", "1,5"), ("0.26", "0,26"), ("15%", f"15{NNBSP}%"),
    ("2,788,000", f"2{NNBSP}788{NNBSP}000"), ("12,345.67", f"12{NNBSP}345,67"), ("7", "7"),
    ("US$5.6 million", "US$5,6 million"), ("H800", "H800"), ("FP8", "FP8"), ("-3.5", "-3,5"),
])
def test_numbers_are_written_the_german_way(english, german):
    # the notation German pages paste numbers in (book/tooling/i18n.py: book.language's own)
    assert in_language("de", numbers_in, english) == german


@pytest.mark.parametrize("page", ["chapters/intro", "exercises/01_containment", "genindex", "index"])
def test_the_switch_leads_to_the_same_page_and_back(page):
    there = i18n.other_edition_href(page, "en")
    back = i18n.other_edition_href(page, "de")
    depth = page.count("/")
    # resolve both relative addresses as a browser would
    english_dir = (Path("/site") / page).parent
    german = (english_dir / there).resolve()
    assert german == (Path("/site/de") / f"{page}.html").resolve()
    assert ((german.parent / back).resolve()) == (Path("/site") / f"{page}.html").resolve()
    assert there.count("../") == depth and back.count("../") == depth + 1


# ---- the catalogues ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The English messages of every page, extracted from the sources as they are now."""
    return i18n.extract(tmp_path_factory.mktemp("gettext"))


def _listed(pages: dict[str, list[str]]) -> str:
    return "\n".join(f"  {page}: {msgid[:100]!r}" for page, msgids in pages.items() for msgid in msgids[:5])


def test_the_catalogues_hold_every_english_paragraph(extracted):
    missing = i18n.pending(extracted)
    assert missing == {}, ("English text with no German entry yet (run `python -m book.tooling.i18n update`, "
                           f"then translate the entries it marks):\n{_listed(missing)}")


def test_every_released_page_is_translated_and_none_is_fuzzy():
    catalogue = {**i18n.catalogue(), "book": i18n.code_entries()}  # the pages', and the code's messages
    assert set(i18n.RELEASED) <= set(catalogue), set(i18n.RELEASED) - set(catalogue)
    report = {page: [entry.english for entry in catalogue[page] if not entry.german or entry.fuzzy]
              for page in i18n.RELEASED}
    report = {page: left for page, left in report.items() if left}
    coverage = i18n.coverage()
    summary = "\n".join(f"  {page}: {done} of {done + fuzzy + missing} translated"
                        for page, (done, fuzzy, missing) in coverage.items())
    assert report == {}, f"untranslated or fuzzy entries:\n{_listed(report)}\ncoverage:\n{summary}"


def test_translations_keep_every_reference_number_and_piece_of_code():
    broken = [(entry.page, entry.english[:80], i18n.markup(entry.english), i18n.markup(entry.german))
              for entries in i18n.catalogue().values() for entry in entries
              if entry.german and i18n.markup(entry.english) != i18n.markup(entry.german)]
    assert broken == [], broken[:3]


def test_a_formula_may_translate_its_words_but_not_its_symbols():
    english = r"When $t_\text{send} > t_\text{compute}$, the chip waits."
    assert i18n.markup(english) == i18n.markup(r"Ist $t_\text{Senden} > t_\text{Rechnen}$, wartet der Chip.")
    assert i18n.markup(english) != i18n.markup(r"Ist $t_\text{Senden} < t_\text{Rechnen}$, wartet der Chip.")
    assert i18n.markup(r"$2 \times N$") != i18n.markup(r"$3 \times N$")


def test_a_german_notebook_gets_the_translated_display_formula():
    cell = "The cost is\n\n$$\n\\text{FLOPs per token} \\approx 2N\n$$\n\nand so on.\n"
    translations = {"The cost is": "Die Kosten sind", "and so on.": "und so weiter.",
                    "\n\\text{FLOPs per token} \\approx 2N\n": "\n\\text{FLOPs pro Token} \\approx 2N\n"}
    assert i18n.translate_markdown(cell, translations) == (
        "Die Kosten sind\n\n$$\n\\text{FLOPs pro Token} \\approx 2N\n$$\n\nund so weiter.\n")


def test_a_changed_english_sentence_is_named_with_its_page(tmp_path):
    # a copy of the book with one sentence of the front page changed: the entry is named
    copy = tmp_path / "book"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(ROOT / "locales", copy / "locales", dirs_exist_ok=True)
    intro = copy / "chapters" / "intro.md"
    text = intro.read_text(encoding="utf-8")
    sentence = next(m.group(0) for m in re.finditer(r"[A-Z][^.\n]{40,}\.", text))
    intro.write_text(text.replace(sentence, sentence[:-1] + " (changed).", 1), encoding="utf-8")
    missing = i18n.pending(i18n.extract(tmp_path / "gettext", copy), root=copy)
    assert list(missing) == ["chapters/intro"]
    assert len(missing["chapters/intro"]) == 1 and "(changed)." in missing["chapters/intro"][0]


def test_update_shares_a_translation_between_solutions_and_exercises(tmp_path):
    from babel.messages.catalog import Catalog
    from sphinx_intl.catalog import dump_po, load_po

    folder = tmp_path / "locales" / "de" / "LC_MESSAGES"
    for kind, strings in (("solutions", {"Exercise 1.1": "Übung 1.1", "Answer": "Antwort"}),
                          ("exercises", {"Exercise 1.1": "", "*Write your answer here.*": ""})):
        (folder / kind).mkdir(parents=True)
        catalog = Catalog(locale="de")
        for english, german in strings.items():
            catalog.add(english, german)
        dump_po(str(folder / kind / "01_containment.po"), catalog)
    assert i18n.share_translations("de", tmp_path) == 1
    shared = {m.id: m.string for m in load_po(str(folder / "exercises" / "01_containment.po")) if m.id}
    assert shared == {"Exercise 1.1": "Übung 1.1", "*Write your answer here.*": ""}


# ---- the built German site ---------------------------------------------------------------------

class _Prose(HTMLParser):
    """The prose of a page's article: paragraphs, list items, headings, table cells and glossary
    definitions written in the chapter (not in code, notebook outputs, quotations or the reference
    list, which stay as they are)."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "dt", "dd", "figcaption"}
    SKIPPED = ("cell_output", "output", "highlight", "bibliography", "citation", "book-dashboard", "book-lite")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []
        self.blocks: list[str] = []
        self.in_article = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return
        classes = dict(attrs).get("class") or ""
        skipped = (any(name in classes.split() or name in classes for name in self.SKIPPED)
                   or tag in ("pre", "code", "blockquote", "script", "style", "math"))
        inherited = self.stack[-1][1] if self.stack else False
        self.stack.append((tag, skipped or inherited))
        if tag == "article":
            self.in_article += 1
        if tag in self.BLOCKS and not (skipped or inherited):
            self.parts = []

    def handle_endtag(self, tag):
        skipped = True
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "article":
            self.in_article -= 1
        if tag in self.BLOCKS and not skipped and self.in_article:
            text = re.sub(r"\s+", " ", "".join(self.parts)).strip().removesuffix("#")  # a heading's link
            if text:
                self.blocks.append(text)
            self.parts = []

    def handle_data(self, data):
        if self.stack and not self.stack[-1][1]:
            self.parts.append(data)


def _prose(path: Path) -> list[str]:
    parser = _Prose()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.blocks


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text))



@pytest.mark.site
def test_every_page_has_its_german_page_and_the_switch_works_both_ways(site):
    english = [name for name in content_pages(site) if not name.startswith("de/")]
    german = [name for name in content_pages(site) if name.startswith("de/")]
    assert sorted(f"de/{name}" for name in english) == sorted(german)
    for name in english:
        for page, other, language in ((name, f"de/{name}", "en"), (f"de/{name}", name, "de")):
            html = (site / page).read_text(encoding="utf-8")
            assert f'<html lang="{language}"' in html, page
            links = re.findall(r'<a class="btn btn-sm book-language-switch" href="([^"]+)"', html)
            assert len(links) == 1, page
            assert ((site / page).parent / links[0]).resolve() == (site / other).resolve(), (page, links[0])


@pytest.mark.site
def test_every_german_page_is_german(site):
    """No paragraph of a German page is the English page's paragraph (short labels, names and
    numbers aside)."""
    # what a translator kept as it is on purpose (a name, an established English term)
    kept = {re.sub(r"[*`]", "", entry.english) for entries in i18n.catalogue().values() for entry in entries
            if entry.german == entry.english}
    untranslated = {}
    for name in content_pages(site):
        if name.startswith("de/") or name in ("genindex.html", "search.html"):
            continue
        english = {text for text in _prose(site / name) if _words(text) >= 4}
        same = [text for text in _prose(site / "de" / name) if text in english and text not in kept]
        if same:
            untranslated[name] = same
    assert untranslated == {}, "\n".join(f"{page}: {texts[:3]}" for page, texts in untranslated.items())


@pytest.mark.site
def test_the_prose_check_finds_an_english_paragraph(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<article><p>Ein deutscher Absatz.</p><div class='cell_output'><p>The chip sells "
                    "well in China today.</p></div><p>This paragraph was left in English by mistake.</p>"
                    "<pre>print('code')</pre></article>", encoding="utf-8")
    assert _prose(page) == ["Ein deutscher Absatz.", "This paragraph was left in English by mistake."]


_DISPLAY_MATH = re.compile(r'<div class="math notranslate nohighlight">\s*\\\[(.*?)\\\]\s*</div>', re.S)


@pytest.mark.site
def test_german_pages_show_their_formulas_in_german(site):
    """A display formula the catalogue translates (the words in its \\text{}) is German on the
    German page: set as a formula (Sphinx's own translation would turn it into "::" and code)."""
    import html

    checked = 0
    for page, entries in i18n.catalogue().items():
        if not (site / f"{page}.html").exists():
            continue
        translated = {entry.english.strip(): entry.german.strip() for entry in entries
                      if entry.german and entry.german != entry.english}
        english = [html.unescape(m).strip() for m in _DISPLAY_MATH.findall((site / f"{page}.html").read_text("utf-8"))]
        german_html = (site / "de" / f"{page}.html").read_text("utf-8")
        german = [html.unescape(m).strip() for m in _DISPLAY_MATH.findall(german_html)]
        assert len(german) == len(english), page
        for shown_en, shown_de in zip(english, german):
            if shown_en in translated:
                assert shown_de == translated[shown_en], (page, shown_de)
                checked += 1
        assert "<p>::</p>" not in german_html, page
    assert checked >= 8  # chapters 1-4 have eight display formulas with words


@pytest.mark.site
def test_a_german_pages_download_is_the_german_page(site):
    """The theme's download button of a German page (its ``_sources`` file) gives the German
    notebook, with outputs, or the German markdown."""
    from book.notebooks import TRANSLATED_NOTEBOOKS

    for page in ("chapters/02_deepseek_paradox", "exercises/01_containment"):
        html = (site / "de" / f"{page}.html").read_text(encoding="utf-8")
        assert f"_sources/{page}.ipynb" in html
        download = (site / "de" / "_sources" / f"{page}.ipynb").read_bytes()
        assert download == (ROOT / TRANSLATED_NOTEBOOKS["de"] / f"{page}.ipynb").read_bytes(), page
    intro = (site / "de" / "_sources" / "chapters" / "intro.md").read_text(encoding="utf-8")
    english = (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
    first_heading = next(line for line in english.splitlines() if line.startswith("# "))
    assert first_heading not in intro and intro.count("\n# ") == english.count("\n# ")


@pytest.mark.site
def test_the_german_edition_shares_the_sites_large_assets(site):
    """The German pages load Pyodide, MathJax and the dashboards' script from the site's one copy
    (``i18n.SHARED_ASSETS``); the edition holds no second copy, and every such link resolves."""
    assert not (site / "de" / i18n.SHARED_ASSETS).exists()
    linked = 0
    for page in (site / "de").rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"?#]*' + re.escape(i18n.SHARED_ASSETS) + r'/[^"?#]*)',
                                 page.read_text(encoding="utf-8")):
            resolved = (page.parent / target).resolve()
            assert resolved.is_file() and resolved.is_relative_to((site / i18n.SHARED_ASSETS).resolve()), (page, target)
            linked += 1
    assert linked > 20


def strangers(doctrees: Path) -> dict[str, int]:
    """{page: how many of its nodes name another document as theirs} for the saved pages (Sphinx's
    doctrees) in ``doctrees``, for the pages that have any."""
    import pickle

    found = {}
    for path in sorted(doctrees.rglob("*.doctree")):
        doctree = pickle.loads(path.read_bytes())
        count = sum(node.document is not doctree for node in doctree.findall())
        if count:
            found[path.relative_to(doctrees).as_posix()] = count
    return found


@pytest.mark.site
def test_german_pages_are_saved_without_the_build_environment(site):
    # the nodes Sphinx moves in from each parsed translation belong to their page
    # (i18n._own_translated_nodes); else each saved page carried the whole build environment
    doctrees = site.parent / ".de" / "_build" / ".doctrees"
    pages = list(doctrees.rglob("*.doctree"))
    assert len(pages) == len([name for name in content_pages(site) if name.startswith("de/")
                              and not name.endswith(("genindex.html", "search.html"))]), pages
    assert strangers(doctrees) == {}


def test_sharing_assets_keeps_an_editions_own_copy_when_it_differs(tmp_path):
    site, edition = tmp_path / "site", tmp_path / "site" / "de"
    for root in (site, edition):
        (root / i18n.SHARED_ASSETS).mkdir(parents=True)
        (root / i18n.SHARED_ASSETS / "dashboards.js").write_text("same", encoding="utf-8")
    (edition / "chapters").mkdir()
    page = edition / "chapters" / "one.html"
    page.write_text('<script src="../_static/offline/dashboards.js?v=1"></script>', encoding="utf-8")
    (edition / i18n.SHARED_ASSETS / "dashboards.js").write_text("changed", encoding="utf-8")
    assert i18n.share_assets(edition, site) == 0 and (edition / i18n.SHARED_ASSETS).exists()
    (edition / i18n.SHARED_ASSETS / "dashboards.js").write_text("same", encoding="utf-8")
    assert i18n.share_assets(edition, site) == 1 and not (edition / i18n.SHARED_ASSETS).exists()
    assert page.read_text(encoding="utf-8") == '<script src="../../_static/offline/dashboards.js?v=1"></script>'


@pytest.mark.site
def test_pasted_numbers_are_german_on_german_pages(site):
    english = (site / "chapters" / "01_containment.html").read_text(encoding="utf-8")
    german = (site / "de" / "chapters" / "01_containment.html").read_text(encoding="utf-8")
    pasted = re.compile(r'<span class="pasted-text">([^<]+)</span>')
    assert "15,832" in pasted.findall(english)
    numbers = pasted.findall(german)
    assert f"15{NNBSP}832" in numbers and not [n for n in numbers if re.search(r"\d,\d{3}\b|\d\.\d", n)]


# ---- the code's messages -------------------------------------------------------------------------

_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_0-9]*)\}(?!\})")


def test_the_code_catalogue_holds_every_message_and_answer_key_text():
    have = {entry.english for entry in i18n.code_entries()}
    wanted = {**i18n.code_messages(), **i18n.key_texts()}
    missing = {text: where for text, where in wanted.items() if text not in have}
    assert missing == {}, ("messages with no entry in book/locales/de/LC_MESSAGES/book.po (run `python -m "
                           f"book.tooling.i18n update`, then translate them): {list(missing.items())[:5]}")


def test_code_translations_keep_their_fields():
    broken = []
    for entry in i18n.code_entries():
        if not entry.german:
            continue
        english, german = _FIELD.findall(entry.english), _FIELD.findall(entry.german)
        named = sorted(f for f in english if not f.isdigit()) != sorted(f for f in german if not f.isdigit())
        # a numbered field may give way to the literal name it stood in ("Llama 3.1"), never appear anew
        numbered = not {f for f in german if f.isdigit()} <= {f for f in english if f.isdigit()}
        if named or numbered:
            broken.append((entry.english[:80], english, german))
    assert broken == [], broken[:3]


@pytest.mark.site
def test_german_exercise_pages_show_the_german_notebooks_outputs(site):
    pages = sorted((site / "de" / "exercises").glob("[0-9][0-9]_*.html"))
    assert len(pages) >= 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "] Noch nicht beantwortet:" in html and "Not answered yet" not in html, page.name


@pytest.mark.site
def test_the_german_table_of_contents_is_german(site):
    for name in ("chapters/intro.html", "chapters/01_containment.html", "chapters/glossary.html"):
        english = re.findall(r'<span class="caption-text">([^<]+)', (site / name).read_text(encoding="utf-8"))
        german = re.findall(r'<span class="caption-text">([^<]+)', (site / "de" / name).read_text(encoding="utf-8"))
        assert english == ["Chapters", "Reference"] and german == ["Kapitel", "Nachschlagen"], (name, german)


@pytest.mark.site
def test_german_chapters_show_german_figures_and_dashboards(site):
    """Each chapter's figures (titles, captions, the chart's own labels) and dashboards (note,
    controls, panel) come from the German notebook: none is the English one."""
    from book.dashboards.page import STATIC_NOTE
    from book.language import in_language, translate

    note = in_language("de", translate, STATIC_NOTE)
    assert note != STATIC_NOTE
    titles = re.compile(r'<figure class="book-chart"[^>]*><div style="font-weight:bold;margin-bottom:0.3em">([^<]+)')
    svg_text = re.compile(r"<text\b[^>]*>([^<]*[A-Za-z]{3}[^<]*)</text>")
    for chapter in sorted((ROOT / "chapters").glob("0[1-5]_*.ipynb")):
        english = (site / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        german = (site / "de" / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        english_titles, german_titles = titles.findall(english), titles.findall(german)
        assert len(english_titles) == len(german_titles) >= 1, chapter.stem
        assert not set(english_titles) & set(german_titles), (chapter.stem, set(english_titles) & set(german_titles))
        same_labels = set(svg_text.findall(english)) & set(svg_text.findall(german))
        # names (chips, models) are the same in both languages; words are not
        assert not {label for label in same_labels if re.search(r"\b(the|and|of|per|chips?|days?)\b", label)}, \
            (chapter.stem, sorted(same_labels)[:10])
        # the tables the code writes (book.display): headers with words are German
        headers = re.compile(r"<th[^>]*>([^<]*)</th>")
        wordy = re.compile(r"\b(the|and|of|per|rule|Date|Step|Source|Value|Stage|Country|Memory|Limited|Months)\b")
        same_headers = {h for h in set(headers.findall(english)) & set(headers.findall(german)) if wordy.search(h)}
        assert not same_headers, (chapter.stem, same_headers)
        if "book-dashboard-note" in english:
            assert english.count("book-dashboard-note") == german.count("book-dashboard-note")
            assert STATIC_NOTE.split(":")[0] not in german and note.split(":")[0] in german
