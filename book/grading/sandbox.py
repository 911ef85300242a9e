"""The sandbox a student's kernel runs in: bubblewrap (``bwrap``, the sandbox Flatpak uses).

Inside, the kernel sees a read-only system (``/usr`` and the few files of ``/etc`` Python needs),
the Python it runs on (read-only), the *students'* copy of the ``book`` package (the answer key
sealed: ``book.answers.sealed``), a private ``/tmp``, an empty ``HOME`` and ``IPYTHONDIR``, and
one writable folder, ``/submission``, holding a copy of the one notebook. Not the book's folder,
not the real answer key, not ``solutions/``, not the other submissions, not the gradebook. It has
no network (its own network namespace), its own PID namespace (it cannot see or signal the grader
or another kernel; ``os.getppid()`` is 1 there), its own session, and it ends with the grader
(``--die-with-parent``); when its notebook ends, ending the sandbox ends every process it started,
detached or not. Memory is capped inside (``RLIMIT_AS``); time by the grader's cell timeout.

The kernel talks to the grader over Unix sockets in a folder both can see (``ipc``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

#: what ``grade`` says when there is no sandbox on the machine
MISSING = ("no sandbox: the grader runs each student's notebook inside bubblewrap, and `bwrap` was not found or "
           "cannot start here. Install it (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install "
           "bubblewrap`), or pass --no-sandbox to grade without one (students' code then runs as you, and can "
           "read the answer key and other students' files)")
#: what the output and the gradebook say when the instructor chose to run without one
UNSANDBOXED = ("GRADED WITHOUT A SANDBOX (--no-sandbox): student code ran as the instructor's user and could read "
               "the answer key, other submissions and the gradebook; treat these grades as unverified")

#: the files of /etc a Python kernel reads (each bound only if it exists)
ETC = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts",
       "/etc/mime.types")
#: where the sandbox sees the students' book package, the notebook's folder and the home
BOOK, WORK, HOME = "/opt/book", "/submission", "/home/student"


def bwrap_path() -> str | None:
    """The ``bwrap`` command if it is installed and can start a sandbox here, else None."""
    found = shutil.which("bwrap")
    if not found or not sys.platform.startswith("linux"):
        return None
    try:
        probe = subprocess.run([found, *system_binds(), "--unshare-all", "--die-with-parent", "--", "/bin/true"],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return found if probe.returncode == 0 else None


def system_binds() -> list[str]:
    """Read-only binds of the system: /usr, the merged-/usr links, the few /etc files, /proc, /dev."""
    binds = ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / link
        if path.is_symlink():
            binds += ["--symlink", str(path.readlink()), str(path)]
        elif path.is_dir():
            binds += ["--ro-bind", str(path), str(path)]
    for name in ETC:
        binds += ["--ro-bind-try", name, name]
    return binds + ["--proc", "/proc", "--dev", "/dev"]


def command(bwrap: str, book_copy: Path, work: Path, ipc: Path, inner: list[str]) -> list[str]:
    """The command that runs ``inner`` (the kernel) in the sandbox described in the module's
    docstring; ``work`` becomes ``/submission``, ``book_copy`` (the students' book) ``/opt/book``."""
    pythons = sorted({str(Path(p).resolve()) for p in (sys.base_prefix, sys.prefix)} | {sys.base_prefix, sys.prefix})
    binds = [arg for path in pythons for arg in ("--ro-bind", path, path)]
    return [bwrap, *system_binds(), "--tmpfs", "/tmp", "--dir", HOME, *binds,
            "--ro-bind", str(book_copy), BOOK, "--bind", str(work), WORK, "--bind", str(ipc), str(ipc),
            "--chdir", WORK, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "HOME", HOME, "--setenv", "USER", "student", "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "PYTHONPATH", BOOK, "--setenv", "IPYTHONDIR", "/tmp/ipython",
            "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp/jupyter", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
            "--setenv", "MPLBACKEND", "Agg", "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--", *inner]
