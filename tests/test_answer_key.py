"""The answer key (``book.answers``) grades from the models alone: it never needs the dashboards."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh Python, so that no other test's imports are in ``sys.modules``."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_importing_the_answer_key_does_not_import_the_dashboards():
    done = _run("""
        import sys
        import book.answers
        loaded = [m for m in sys.modules if m.startswith('book.dashboards')]
        assert not loaded, loaded
    """)
    assert done.returncode == 0, done.stderr


def test_every_expected_value_mistake_and_hint_works_without_the_dashboards():
    """The key's functions run when an answer is checked, so evaluate them all, with any import of
    ``book.dashboards`` made to fail."""
    done = _run("""
        import sys

        class NoDashboards:
            def find_spec(self, name, path=None, target=None):
                if name == 'book.dashboards' or name.startswith('book.dashboards.'):
                    raise ImportError(f'the answer key imported {name}')
                return None

        sys.meta_path.insert(0, NoDashboards())
        from book.answers import EXERCISES
        from book.answers.exercise import text_of
        for item in EXERCISES.values():
            item.expected()
            item.hint_text
            for mistake in item.mistakes:
                mistake.value()
                text_of(mistake.hint)
        loaded = [m for m in sys.modules if m.startswith('book.dashboards')]
        assert not loaded, loaded
    """)
    assert done.returncode == 0, done.stderr
