"""WCAG 2.1 AA on every page of the instructor edition (a file of its own, so the test runner can
audit both editions at once); see ``test_accessibility.py``."""

from __future__ import annotations

import pytest

from tests.test_accessibility import audit, axe_source, check_audit  # noqa: F401 - axe_source is a fixture

pytestmark = pytest.mark.site


def test_instructor_edition_passes_wcag_aa(browser, instructor_site, axe_source):
    results = audit(browser, instructor_site, axe_source)
    assert any("solutions" in name for _, name in results)
    check_audit(results)
