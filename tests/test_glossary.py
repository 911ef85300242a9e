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
            if re.search(r"(?<![\w\-/`<])" + re.escape(word) + r"(?![\w\-/`>])", plain, flags):
                unlinked.append(term)
                break
    assert unlinked == [], f"{chapter} uses these glossary terms without linking them: {unlinked}"


def test_every_link_names_a_glossary_term():
    known = {t.lower() for t in _terms()}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert _linked(text) <= known, (path.name, _linked(text) - known)
