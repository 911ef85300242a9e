"""Citation labels: who and when, unique, and the same in the text and the list."""

from __future__ import annotations

from pybtex.database import parse_string

from book.tooling.bibliography import ShortAuthorYearLabels, ShortAuthorYearSorting
from tests.conftest import ROOT

BIB = """
@misc{a, author = {{Bureau of Industry and Security}}, shortauthor = {BIS}, title = {One}, year = {2025}}
@misc{b, author = {{Bureau of Industry and Security}}, shortauthor = {BIS}, title = {Two}, year = {2025}}
@misc{c, author = {Amodei, Dario}, title = {Essay}, year = {2025}}
@misc{d, author = {Okabe, Masataka and Ito, Kei}, title = {CUD}, year = {2008}}
@misc{e, author = {Patel, Dylan and others}, title = {Debates}, year = {2025}}
@misc{f, author = {Ding, Jeffrey and Dafoe, Allan and Zhang, B.}, title = {X}}
"""


def test_labels():
    entries = list(parse_string(BIB, "bibtex").entries.values())
    assert list(ShortAuthorYearLabels().format_labels(entries)) == [
        "BIS 2025a", "BIS 2025b", "Amodei 2025", "Okabe & Ito 2008", "Patel et al. 2025", "Ding et al. n.d."]


def test_every_entry_has_author_title_year():
    entries = parse_string((ROOT / "chapters" / "references.bib").read_text(encoding="utf-8"), "bibtex").entries
    for key, entry in entries.items():
        assert entry.persons.get("author"), key
        assert entry.fields.get("title") and entry.fields.get("year"), key


def test_labels_appear_in_text_and_list(site):
    chapter = (site / "chapters" / "01_containment.html").read_text(encoding="utf-8")
    references = (site / "chapters" / "references.html").read_text(encoding="utf-8")
    for label in ("BIS 2022", "Amodei 2025", "NVIDIA 2025a"):
        assert label in chapter and label in references, label


def test_sorting_is_one_alphabetical_run_by_label():
    # persons and organisations sort together, by the short author the label shows
    entries = list(parse_string(BIB, "bibtex").entries.values())
    ordered = [e.key for e in ShortAuthorYearSorting().sort(entries)]
    assert ordered == ["c", "a", "b", "f", "d", "e"]  # Amodei, BIS, BIS, Ding, Okabe, Patel


def test_reference_list_is_exactly_the_cited_works_in_one_run(site):
    import re
    page = (site / "chapters" / "references.html").read_text(encoding="utf-8")
    labels = [re.sub(r"<[^>]+>", "", m) for m in re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">\]', page)]
    assert labels, "no entries in the reference list"
    cited = set()
    for path in list((ROOT / "chapters").glob("*.ipynb")) + list((ROOT / "chapters").glob("*.md")):
        for group in re.findall(r"\{cite:p\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited |= {key.strip() for key in group.split(",")}
    assert len(labels) == len(cited), (sorted(labels), sorted(cited))
    keys = [re.sub(r"\s+\d{4}[a-z]?$|\s+n\.d\.$", "", label).casefold() for label in labels]
    assert keys == sorted(keys), f"not one alphabetical run: {labels}"


def test_no_raw_latex_in_the_reference_list(site):
    import re
    page = (site / "chapters" / "references.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "\\emph" not in text and "\\$" not in text and not re.search(r"\\[a-zA-Z]+", text)


def test_every_entry_is_cited_and_every_citation_has_an_entry():
    import json
    import re

    entries = parse_string((ROOT / "chapters" / "references.bib").read_text(encoding="utf-8"), "bibtex").entries
    text = ""
    for folder in ("chapters", "solutions"):
        for path in (ROOT / folder).glob("*.ipynb"):
            text += "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        for path in (ROOT / folder).glob("*.md"):
            text += path.read_text(encoding="utf-8")
    cited = {key.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", text) for key in group.split(",")}
    assert sorted(set(entries) - cited) == [], "entries no page cites"
    assert sorted(cited - set(entries)) == [], "citations without an entry"


def test_no_percent_sign_cuts_an_entry_short():
    # in BibTeX an unescaped % starts a comment: "a 17% fall" would end the note at "a 17"
    import re
    text = (ROOT / "chapters" / "references.bib").read_text(encoding="utf-8")
    assert re.findall(r".{0,30}(?<!\\)%.{0,10}", text) == []
