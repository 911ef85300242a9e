"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site. In CI a missing build is a failure; elsewhere the test skips with the reason."""
    if not (SITE / "chapters" / "intro.html").exists():
        message = "the site is not built: run `jupyter-book build . -W` first"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SITE
