"""The maintainers' lock: ``requirements.txt`` is the complete, hash-pinned list of what their
virtual environment installs (transitive packages included), made by uv from ``requirements.in``;
the environment running these tests holds exactly what it lists (CI makes it with the README's
command, so this is what "a fresh machine installs only what the file lists" means in practice).
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

#: installed by ``python -m venv`` itself, or the book's own package (pip install -e .)
NOT_LOCKED = {"pip", "containment-paradox-book"}


def _lock() -> dict[str, list[tuple[str, Marker | None, list[str]]]]:
    """name -> [(version, marker, hashes)] from requirements.txt (one name may have one entry per
    platform or Python, each under its own marker)."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    entries: dict[str, list] = {}
    for block in re.split(r"\n(?=\S)", re.sub(r"^#.*\n", "", text, flags=re.M)):
        head = block.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        requirement = Requirement(head)
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"{head}: not an exact pin"
        entries.setdefault(canonicalize_name(requirement.name), []).append(
            (pin.version, requirement.marker, re.findall(r"--hash=sha256:([0-9a-f]{64})", block)))
    return entries


def _applies(marker: Marker | None) -> bool:
    return marker is None or marker.evaluate()


def test_the_lock_pins_every_package_exactly_with_hashes():
    lock = _lock()
    assert len(lock) > 50  # the transitive packages too, not only the ~20 direct ones
    for name, entries in lock.items():
        for version, _, hashes in entries:
            assert hashes, f"{name}=={version} has no hash"
    assert "-e " not in (ROOT / "requirements.txt").read_text(encoding="utf-8")  # pip refuses hashes with -e


def test_the_lock_holds_every_direct_requirement_at_its_pin():
    lock = _lock()
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (pin,) = requirement.specifier
            versions = [version for version, marker, _ in lock[canonicalize_name(requirement.name)] if _applies(marker)]
            assert versions == [pin.version], f"{line}: the lock has {versions}; update it (README, 'The lock')"


def test_this_environment_is_exactly_the_lock():
    # what `pip install -r requirements.txt` put here: nothing that is not in the file, and all of
    # it at the locked version (this runs in CI's fresh environment, made by the README's command)
    lock = _lock()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    unlisted = sorted(f"{name}=={version}" for name, version in installed.items()
                      if name not in lock and name not in NOT_LOCKED)
    assert unlisted == [], "installed but not in requirements.txt"
    wrong = sorted(f"{name}: {installed.get(name)} installed, {version} locked" for name, entries in lock.items()
                   for version, marker, _ in entries if _applies(marker) and installed.get(name) != version)
    assert wrong == []


def test_the_locked_set_is_consistent():
    # the README installs the lock with --no-deps (pip does not resolve it again): every installed
    # package's requirements must still be met, as uv resolved them
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_importing_nbformat_builds_no_grammar():
    # jsonschema stays below 4.25 (requirements.in): its later releases import rfc3987-syntax,
    # which builds a Lark parser, 0.7 s of CPU in each of the many processes that import nbformat
    done = subprocess.run([sys.executable, "-c", "import sys, nbformat; print(sorted({'rfc3987_syntax', 'lark'} "
                           "& set(sys.modules)))"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
