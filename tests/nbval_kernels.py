"""nbval's kernels over Unix sockets, not TCP ports: ``tests/conftest.py`` calls these hooks (every
run that collects ``tests/``, as the README's commands do), and ``book.benchmark``'s nbval-only run
loads this module as a plugin (``-p tests.nbval_kernels``).

nbval starts each notebook's kernel on TCP ports that jupyter_client finds free and the kernel
binds a moment later. With kernels starting side by side (two test workers, the refresh test, the
grader's batch) another process can take such a port in between, and the kernel then never
answers: the notebook waits 60 s and every cell errs (seen twice in a row in the benchmark's
nbval run on 2026-12-04, never in the full suite that day). The book's own kernels talk over Unix sockets in a folder of their own
(``book.notebooks.execute``); this gives nbval's kernels the same, each in a folder of its own
under one folder per test process, removed when the run ends.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

_folders: list[Path] = []


def pytest_configure(config) -> None:
    if not (config.getoption("nbval", False) or config.getoption("nbval_lax", False)):
        return
    import nbval.kernel

    folder = Path(tempfile.mkdtemp(prefix="nbval-kernels-"))
    _folders.append(folder)
    tcp = nbval.kernel.KernelManager

    class UnixSocketKernelManager(tcp):
        def __init__(self, **kwargs):
            own = Path(tempfile.mkdtemp(dir=folder))
            super().__init__(transport="ipc", ip=str(own / "kernel"), **kwargs)
            self.connection_file = str(own / "connection.json")

    nbval.kernel.KernelManager = UnixSocketKernelManager


def pytest_unconfigure(config) -> None:
    while _folders:
        shutil.rmtree(_folders.pop(), ignore_errors=True)
