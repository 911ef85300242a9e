"""WCAG 2.1 AA on every page of the student edition in dark mode (a file of its own, so the test
runner's two workers share the audits); see ``test_accessibility.py``."""

from __future__ import annotations

import pytest

from tests.browser import content_pages
from tests.test_accessibility import audit, axe_source, check_audit  # noqa: F401 - axe_source is a fixture

pytestmark = pytest.mark.site


def test_student_edition_passes_wcag_aa_in_dark_mode(browser, site, axe_source):
    results = audit(browser, site, axe_source, schemes=("dark",))
    assert len(results) == len(content_pages(site))
    check_audit(results)
