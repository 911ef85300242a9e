"""Text contrast as a reader sees it, in both themes: every visible text on every page of the
student edition, against its effective background (``tests.browser.CONTRAST``), including the
texts axe leaves "incomplete" (text over a panel, inside a chart). WCAG 2.1 AA: 4.5:1, 3:1 for
large text."""

from __future__ import annotations

import pytest

from tests.browser import CONTRAST, Visit, content_pages, serve

pytestmark = pytest.mark.site


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_on_every_page_is_readable(browser, site, scheme):
    problems = {}
    with serve(site) as url:
        for name in content_pages(site):
            visit = Visit(browser, f"{url}/{name}", color_scheme=scheme)
            try:
                found = visit.page.evaluate(CONTRAST, visit.page.query_selector("body"))
            finally:
                visit.close()
            if found:
                problems[name] = found[:8]
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())
