"""WCAG 2.1 AA on the instructor edition (a file of its own, so the test runner can audit both
editions at once); see ``test_accessibility.py``.

The instructor edition's other pages are built from the same sources with the same templates as
the student edition's, which ``test_accessibility.py`` audits page by page; only the navigation
differs (it lists the solutions). So this audits what is new: every solutions page, and the first
page for the navigation.
"""

from __future__ import annotations

import pytest

from tests.browser import content_pages
from tests.test_accessibility import audit, axe_source, check_audit  # noqa: F401 - axe_source is a fixture

pytestmark = pytest.mark.site


def test_instructor_edition_passes_wcag_aa(browser, instructor_site, site, axe_source):
    student = set(content_pages(site))
    new = [name for name in content_pages(instructor_site) if name not in student]
    # the solutions, in English and in German (de/, book/tooling/i18n.py)
    assert new and all(name.removeprefix("de/").startswith("solutions/") for name in new)
    first = "chapters/intro.html" if "chapters/intro.html" in student else sorted(student)[0]
    results = audit(browser, instructor_site, axe_source, [*new, first])
    assert any("solutions" in name for _, name in results)
    check_audit(results)
