"""Tables, verdicts and glue (book.display)."""

from __future__ import annotations

import pytest

from book.display import GLUE_PREFIX, Table, table, verdicts
from book.export_controls import classify


def test_table_renders_as_html_with_header_cells_and_caption():
    t = table([("H20", "2,368"), ("H100", "15,832")], columns=("Chip", "TPP"), numeric=("TPP",), caption="Two chips")
    html = t._repr_html_()
    assert html.count("<tr>") == 3 and '<th scope="col"' in html and "Two chips</caption>" in html
    # shown above the scrolling wrapper (so it stays in view on a phone), hidden inside the table
    assert html.index('class="book-table-caption"') < html.index('class="book-table-wrap"')
    assert '<caption style="position:absolute' in html
    assert 'text-align:right">15,832</td>' in html and "overflow-x:auto" in html


def test_table_text_form_aligns_columns():
    t = table([("H20", "2,368"), ("H100", "15,832")], columns=("Chip", "TPP"), numeric=("TPP",))
    assert repr(t).splitlines() == ["Chip     TPP", "----  ------", "H20    2,368", "H100  15,832"]


def test_table_escapes_html():
    assert "&lt;b&gt;" in table([("<b>",)], columns=("x",))._repr_html_()


@pytest.mark.parametrize("call, words", [
    (lambda: Table(("a", "b"), (("1",),)), "rows\\[0\\] has 1 cells"),
    (lambda: table([("1",)], columns=("a",), numeric=("b",)), "numeric names unknown columns"),
])
def test_table_rejects_bad_shapes(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_verdicts_show_the_rule_s_label_and_the_reason():
    v = verdicts([classify("A800", "2022-10"), classify("A800", "2023-10")], names=["A800", "A800"])
    text = repr(v)
    assert text.startswith("A800, 2022 rule: not controlled. Its processing performance of 4,992")
    assert "A800, 2023 rule: controlled (3A090.a.1)." in text
    assert v._repr_html_().count("<p>") == 2 and "2022-10 rule" not in v._repr_html_()


def test_glue_writes_what_myst_nb_reads():
    # the book's glue and myst-nb's produce the same output, so the site build finds the values
    from IPython.core.interactiveshell import InteractiveShell
    from myst_nb import glue as myst_glue

    from book.display import glue

    shell = InteractiveShell.instance()
    captured = []
    publisher = shell.display_pub
    original = publisher.publish
    publisher.publish = lambda data, metadata=None, **kw: captured.append((data, metadata))
    try:
        for function in (glue, myst_glue):
            function("h20_tpp", 2368.0, display=False)
            function("shown", "text", display=True)
    finally:
        publisher.publish = original
    ours, theirs = captured[:2], captured[2:]
    assert ours == theirs
    assert list(ours[0][0]) == [GLUE_PREFIX + "text/plain"]
