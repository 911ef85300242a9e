"""Every glossary term a chapter uses is linked to the glossary in that chapter."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import ROOT


def _terms() -> list[str]:
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    return [t for t in re.findall(r"^([^\s].*)$\n  ", text, re.M) if not t.startswith(("#", "Terms", "```", ":"))]


def _variants(term: str) -> list[str]:
    """The words a chapter may use for a term: "FP16, BF16" -> each; "(MFU)" -> MFU."""
    base = re.sub(r"\s*\(.*?\)", "", term)
    parts = [p.strip() for p in base.split(",") if p.strip()]
    return [p for p in parts + re.findall(r"\(([^)]+)\)", term) if len(p) > 2]


def _linked(text: str) -> set[str]:
    out = set()
    for match in re.finditer(r"\{term\}`([^`]+)`", text):
        inner = " ".join(match.group(1).split())
        target = re.search(r"<([^>]+)>", inner)
        out.add((target.group(1) if target else inner).strip().lower())
    return out


@pytest.mark.parametrize("chapter", sorted(p.name for p in (ROOT / "chapters").glob("0*.ipynb")))
def test_every_glossary_term_used_is_linked(chapter):
    cells = nbformat.read(ROOT / "chapters" / chapter, as_version=4).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    linked = _linked(text)
    plain = re.sub(r"\{[a-z:]+\}`[^`]*`", "", text)  # roles (links, glue, citations) do not count as uses
    unlinked = []
    for term in _terms():
        if term.lower() in linked:
            continue
        for word in _variants(term):
            flags = re.I if (word.islower() or len(word) > 5) else 0
            # a term may break across a line: any whitespace between its words
            if re.search(r"(?<![\w\-/`<])" + re.escape(word).replace(r"\ ", r"\s+") + r"(?![\w\-/`>])", plain, flags):
                unlinked.append(term)
                break
    assert unlinked == [], f"{chapter} uses these glossary terms without linking them: {unlinked}"


def test_every_link_names_a_glossary_term():
    known = {t.lower() for t in _terms()}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert _linked(text) <= known, (path.name, _linked(text) - known)


def _mask(text: str) -> str:
    """The text with roles, code, maths, headings, directive lines and links blanked out."""
    def blank(match):
        return " " * len(match.group(0))
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", blank, text)
    text = re.sub(r"`[^`\n]*`", blank, text)
    text = re.sub(r"(?<!\\)\$\$.*?(?<!\\)\$\$", blank, text, flags=re.S)
    text = re.sub(r"(?<!\\)\$[^$\n]*?(?<!\\)\$", blank, text)
    text = "\n".join(" " * len(line) if line.lstrip().startswith(("#", ":::", "```", ":label", ":class")) else line
                     for line in text.split("\n"))
    return re.sub(r"\[[^\]]*\]\([^)]*\)", blank, text)


@pytest.mark.parametrize("chapter", sorted(p.name for p in (ROOT / "chapters").glob("0*.ipynb")))
def test_terms_are_linked_where_first_used(chapter):
    cells = [c.source for c in nbformat.read(ROOT / "chapters" / chapter, as_version=4).cells
             if c.cell_type == "markdown"]
    late = []
    for term in _terms():
        link = next(((i, m.start()) for i, text in enumerate(cells)
                     for m in re.finditer(r"\{term\}`([^`]+)`", text)
                     if (lambda inner: (re.search(r"<([^>]+)>", inner).group(1) if "<" in inner else inner).strip()
                         .lower())(" ".join(m.group(1).split())) == term.lower()), None)
        if link is None:
            continue
        for i, text in enumerate(cells[: link[0] + 1]):
            masked = _mask(text)
            hits = [m.start() for word in _variants(term)
                    for m in [re.search(r"(?<![\w\-/])" + re.escape(word) + r"(?![\w\-/])", masked,
                                        re.I if (word.islower() or len(word) > 5) else 0)] if m]
            if hits and (i, min(hits)) < link:
                late.append(term)
            if hits:
                break
    assert late == [], f"{chapter} uses these terms before linking them: {late}"
