"""Sphinx extension: every exercise notebook, workable in the reader's browser, offline (JupyterLite).

At the end of an HTML build this extension adds to the site

* ``lite/``: a JupyterLite app (``jupyter lite build``, always into a fresh folder: an incremental
  build silently drops the kernel's ``pyodideUrl``) whose files are the edition's exercise
  notebooks, found among the built documents: ``exercises/NN_*.ipynb`` at the root of the app's
  file browser, and in the instructor edition ``solutions/NN_*.ipynb`` in a ``solutions`` folder;
* beside the site's one Pyodide (``_static/offline/pyodide/``, served by ``offline_site``): the
  wheels the kernel loads and a ``pyodide-lock.json`` that lists exactly those wheels. They are the
  pure-Python wheels locked in ``lite-wheels.txt`` (downloaded once with pip, hash-checked, kept in
  ``_build/.lite-cache/``), the kernel's own wheels that ship inside ``jupyterlite-pyodide-kernel``
  (``KERNEL_WHEELS``), and a wheel of the *students'* copy of ``book``
  (``book.notebooks.students_package``: the answer key sealed; the real chapter modules of
  ``book/answers`` never reach the browser, not in the instructor edition either);
* on every exercise (and solutions) page, a link to its notebook in the app
  (``lite/notebooks/index.html?path=01_containment.ipynb``) with a sentence on what that means,
  and the same link under each chapter's pointer to its exercises ("Practise: ...").

The app makes no request to any other host: the kernel loads Pyodide from the site
(``PYODIDE_URL``, relative, so the site works under any base path), piplite never falls back to
PyPI, and the app ships no source maps. The built app and the book's wheel are cached under
``_build/.lite-cache/``, keyed on their inputs, so a rebuild with nothing changed only copies them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from book.tooling.browser_bundle import add_file
from book.tooling.i18n import edition_language

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: the lock of the kernel's pure-Python wheels (made from lite-wheels.in; the command is in its header)
WHEELS_LOCK = HERE / "lite-wheels.txt"
#: where the app is served, from the site's root
LITE = "lite"
#: the site's Pyodide (offline_site serves it; the live dashboards use it too)
PYODIDE = "_static/offline/pyodide"
#: from the app's jupyter-lite.json: JupyterLite resolves "./" against the app's root
PYODIDE_URL = f"./../{PYODIDE}/pyodide.mjs"
#: loaded while the kernel starts, in parallel (otherwise the kernel installs them one by one)
KERNEL_PACKAGES = ["micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython"]
#: the kernel's own wheels, shipped inside jupyterlite-pyodide-kernel: its package manager, the
#: kernel, and stand-ins for ipykernel and widgetsnbextension (ipywidgets 8 wants 4.x)
KERNEL_WHEELS = ("piplite-*.whl", "pyodide_kernel-*.whl", "ipykernel-*.whl", "widgetsnbextension-4.*.whl")
KERNEL_PYPI = Path("share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi")
#: requirements of the served wheels that are deliberately not served, and why
NOT_SERVED = {"jupyterlab-widgets": "the widgets' JupyterLab extension: the app carries it; Python never imports it"}
#: the book's wheel: imported by every notebook; its dashboards import ipywidgets inside functions,
#: where the kernel (which loads what a cell's top-level imports name) would not see it
BOOK_DEPENDS = ["ipywidgets"]
#: the JupyterLite apps served: the notebook (what the pages link to) and the file browser
APPS = ("notebooks", "tree")
#: the folders of exercise notebooks: exercises at the app's root, the rest in their own folder
NOTEBOOK_FOLDERS = ("exercises", "solutions")
ROOT_FOLDER = "exercises"

LINK_TEXT = "Work these exercises in your browser"
LINK_NOTE = ("The notebook runs in your browser with nothing to install, and your work is kept in this "
             "browser\u2019s storage: to hand it in, use File \u2192 Download to get the .ipynb file.")
#: the same in the translated editions (their pages link to their own notebooks in the same app;
#: the app's menus stay English, so File \u2192 Download is named as the reader sees it)
LINK_TEXTS = {"en": LINK_TEXT, "de": "Diese Übungen im Browser bearbeiten"}
LINK_NOTES = {"en": LINK_NOTE,
              "de": ("Das Notebook läuft in Ihrem Browser, ohne dass Sie etwas installieren müssen, und Ihre "
                     "Arbeit wird im Speicher dieses Browsers abgelegt: Zum Abgeben laden Sie die .ipynb-Datei "
                     "mit File \u2192 Download herunter.")}


class LiteBuildError(RuntimeError):
    """The in-browser notebooks could not be built."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _log():
    from sphinx.util import logging

    return logging.getLogger(__name__)


# ---- the book's wheel ------------------------------------------------------------------------

def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def project_metadata(root: Path = ROOT) -> tuple[str, str]:
    """The ``book`` project's name and version, from ``pyproject.toml``."""
    import tomllib

    project = tomllib.loads((Path(root) / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def write_wheel(package: Path, dest: Path, name: str, version: str) -> Path:
    """A wheel of the package folder ``package`` (its files, sorted, with fixed timestamps, and a
    dist-info with METADATA, WHEEL and RECORD) written into the folder ``dest``: the same folder
    gives the same bytes. Returns the wheel's path."""
    package = Path(package)
    dist = re.sub(r"[-_.]+", "_", name).lower()
    dist_info = f"{dist}-{version}.dist-info"
    files = {f"{package.name}/{p.relative_to(package).as_posix()}": p.read_bytes()
             for p in package.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                      "Summary: the book's models, data and exercise checks (the students' "
                                      "copy: answer key sealed)\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: book.tooling.lite\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{dist_info}/top_level.txt"] = f"{package.name}\n".encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in sorted(files.items()))
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    wheel = Path(dest) / f"{dist}-{version}-py3-none-any.whl"
    wheel.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        # the package first, the dist-info last (as the wheel format recommends)
        for path in sorted(files, key=lambda p: (p.startswith(dist_info), p)):
            add_file(archive, path, files[path])
    return wheel


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def book_wheel(cache: Path, root: Path = ROOT) -> Path:
    """The wheel of the students' copy of ``book`` (answer key sealed), kept in ``cache`` and made
    again only when a file of ``book/`` or ``pyproject.toml`` changes. (Sealing draws a fresh salt,
    so a new wheel differs from the last one even when the code does not.)"""
    root = Path(root)
    name, version = project_metadata(root)
    key = hashlib.sha256(f"{_tree_digest(root / 'book')}\0{name}\0{version}".encode()).hexdigest()[:20]
    folder = Path(cache) / f"book-{key}"
    wheels = list(folder.glob("*.whl"))
    if len(wheels) == 1:
        return wheels[0]
    from book.notebooks import students_package

    with tempfile.TemporaryDirectory(prefix="book-wheel-") as scratch:
        package = students_package(Path(scratch) / "src", root)
        leaked = sorted(p.name for p in (package / "answers").glob("ch[0-9][0-9].py"))
        if leaked:
            raise LiteBuildError(f"the students' package holds answer-key modules {leaked}: not shipping it")
        wheel = write_wheel(package, Path(scratch) / "wheel", name, version)
        for stale in Path(cache).glob("book-*"):
            shutil.rmtree(stale)
        folder.mkdir(parents=True)
        return Path(shutil.copy2(wheel, folder / wheel.name))


# ---- the locked wheels and the kernel's own --------------------------------------------------

def locked_requirements(lock: Path = WHEELS_LOCK) -> dict[str, tuple[str, set[str]]]:
    """canonical name -> (version, sha256 hashes) of every wheel in ``lite-wheels.txt``."""
    text = Path(lock).read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=\S)", re.sub(r"^#.*\n", "", text, flags=re.M)):
        head = block.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", head)
        if not match:
            raise LiteBuildError(f"{lock.name}: {head!r} is not an exact pin")
        hashes = set(re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
        if not hashes:
            raise LiteBuildError(f"{lock.name}: {head} has no hash")
        found[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return found


def _cached_wheels(folder: Path, wanted: dict[str, tuple[str, set[str]]]) -> dict[str, Path]:
    """The wheels in ``folder`` that are pure-Python, of a locked version and with a locked hash."""
    found = {}
    for path in sorted(Path(folder).glob("*.whl")):
        name, version, _, tags = parse_wheel_filename(path.name)
        if name in wanted and str(version) == wanted[name][0] and all(t.platform == "any" for t in tags) \
                and _sha256(path) in wanted[name][1]:
            found[name] = path
    return found


def locked_wheels(cache: Path, lock: Path = WHEELS_LOCK) -> list[Path]:
    """The wheels of ``lite-wheels.txt``, hash-checked, from ``cache/wheels`` (downloaded with pip,
    pure-Python ones only, the first time)."""
    wanted = locked_requirements(lock)
    folder = Path(cache) / "wheels"
    found = _cached_wheels(folder, wanted)
    if set(found) != set(wanted):
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                               "--only-binary", ":all:", "--platform", "any", "--implementation", "py",
                               "--abi", "none", "--python-version", "3.14", "--dest", str(folder),
                               "--requirement", str(lock)], capture_output=True, text=True)
        if done.returncode != 0:
            raise LiteBuildError(f"pip could not download the wheels of {lock.name}:\n{done.stderr[-3000:]}")
        found = _cached_wheels(folder, wanted)
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise LiteBuildError(f"no pure-Python wheel with a locked hash for {missing} ({lock.name})")
    return [found[name] for name in sorted(found)]


def kernel_wheels(prefix: Path = Path(sys.prefix)) -> list[Path]:
    """The wheels jupyterlite-pyodide-kernel ships for its kernel (``KERNEL_WHEELS``)."""
    folder = Path(prefix) / KERNEL_PYPI
    wheels = []
    for pattern in KERNEL_WHEELS:
        matches = sorted(folder.glob(pattern))
        if len(matches) != 1:
            raise LiteBuildError(f"expected one {pattern} in {folder}, found {[p.name for p in matches]}: "
                                 "is jupyterlite-pyodide-kernel installed from requirements.txt?")
        wheels += matches
    return wheels


# ---- the site's pyodide-lock.json ------------------------------------------------------------

def _pyodide_markers(python: str) -> dict[str, str]:
    """The environment markers of Pyodide's Python (``python``: its version, e.g. "3.14.2")."""
    return {"implementation_name": "cpython", "implementation_version": python, "os_name": "posix",
            "platform_machine": "wasm32", "platform_release": "", "platform_system": "Emscripten",
            "platform_version": "", "platform_python_implementation": "CPython",
            "python_full_version": python, "python_version": ".".join(python.split(".")[:2]),
            "sys_platform": "emscripten", "extra": ""}


def _wheel_imports(names: list[str], top_level: str | None) -> list[str]:
    """The top-level modules a wheel installs: its top_level.txt, or else its file list's."""
    if top_level is not None:
        tops = {line.strip() for line in top_level.splitlines()}
    else:
        tops = set()
        for name in names:
            first, _, rest = name.partition("/")
            if first.endswith((".dist-info", ".data")):
                continue
            if rest:
                tops.add(first)  # a package
            elif first.endswith(".py"):
                tops.add(first[:-3])  # a module
    return sorted(t for t in tops if t.isidentifier() and t not in ("test", "tests"))


def lock_entry(wheel: Path, python: str) -> dict:
    """The ``pyodide-lock.json`` entry of one pure-Python wheel: what it installs and requires."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        meta = Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode("utf-8"))
        top_level = (archive.read(f"{dist_info}/top_level.txt").decode("utf-8")
                     if f"{dist_info}/top_level.txt" in names else None)
    markers = _pyodide_markers(python)
    depends = set()
    for text in meta.get_all("Requires-Dist") or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(markers):
            depends.add(canonicalize_name(requirement.name))
    name = canonicalize_name(meta["Name"])
    return {"name": name, "version": meta["Version"], "file_name": wheel.name, "install_dir": "site",
            "sha256": _sha256(wheel), "package_type": "package", "imports": _wheel_imports(names, top_level),
            "depends": sorted(depends), "unvendored_tests": False}


def write_pyodide_lock(pyodide: Path, wheels: list[Path], info: dict,
                       extra_depends: dict[str, list[str]] | None = None) -> Path:
    """Copy ``wheels`` into the Pyodide folder ``pyodide`` and write its ``pyodide-lock.json``
    listing exactly them (``info``: the runtime's, from the lock Pyodide ships). Raises
    ``LiteBuildError`` if a wheel requires a package that is not served (``NOT_SERVED`` aside)."""
    pyodide, extra_depends = Path(pyodide), extra_depends or {}
    python = info.get("python", "3.14")
    packages = {}
    for wheel in wheels:
        entry = lock_entry(wheel, python)
        entry["depends"] = sorted({*entry["depends"], *map(canonicalize_name, extra_depends.get(entry["name"], ()))})
        if entry["name"] in packages:
            raise LiteBuildError(f"two wheels of {entry['name']}: {packages[entry['name']]['file_name']}, {wheel.name}")
        packages[entry["name"]] = entry
    for entry in packages.values():
        entry["depends"] = [d for d in entry["depends"] if d not in NOT_SERVED]
        missing = [d for d in entry["depends"] if d not in packages]
        if missing:
            raise LiteBuildError(f"{entry['file_name']} requires {missing}, which the site does not serve: "
                                 "add it to book/tooling/lite-wheels.in")
    pyodide.mkdir(parents=True, exist_ok=True)
    for stale in set(pyodide.glob("*.whl")) - {pyodide / wheel.name for wheel in wheels}:
        stale.unlink()  # of an earlier build: served means listed
    for wheel in wheels:
        shutil.copyfile(wheel, pyodide / wheel.name)
    lock = pyodide / "pyodide-lock.json"
    lock.write_text(json.dumps({"info": info, "packages": dict(sorted(packages.items()))}, indent=1,
                               sort_keys=True) + "\n", encoding="utf-8")
    return lock


# ---- the app ---------------------------------------------------------------------------------

def lite_path(docname: str) -> str:
    """Where a notebook is in the app's file browser: exercises at the root, solutions in a folder."""
    folder, _, rest = docname.partition("/")
    return f"{rest}.ipynb" if folder == ROOT_FOLDER else f"{docname}.ipynb"


def app_path(docname: str, language: str = "en") -> str:
    """Where the notebook of ``docname`` is in the app in ``language``: a translation's notebooks
    (``book.notebooks.TRANSLATED_NOTEBOOKS``) in a folder named after the language ("de/...")."""
    return lite_path(docname) if language == "en" else f"{language}/{lite_path(docname)}"


def translated_notebooks(env, root: Path | None = None) -> dict[str, Path]:
    """The app's path -> source file of each translation's notebook of the built exercise (and
    solutions) pages."""
    from book.notebooks import ROOT as BOOK_ROOT, TRANSLATED_NOTEBOOKS

    root = Path(root or BOOK_ROOT)
    found = {}
    for language, folder in TRANSLATED_NOTEBOOKS.items():
        for docname in exercise_notebooks(env):
            source = root / folder / f"{docname}.ipynb"
            if source.exists():
                found[app_path(docname, language)] = source
    return found


def exercise_notebooks(env) -> dict[str, Path]:
    """docname -> source file of the built documents that are exercise (or solutions) notebooks."""
    found = {}
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if docname.split("/")[0] in NOTEBOOK_FOLDERS and source.suffix == ".ipynb":
            found[docname] = source
    return found


def lite_config() -> dict:
    """The app's ``jupyter-lite.json``."""
    return {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        # the app's root opens the file browser (the JupyterLab app is not served)
        "appUrl": "./tree",
        "faviconUrl": "./notebooks/favicon.ico",
        # window.jupyterapp, for the browser tests
        "exposeAppInBrowser": True,
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {
            "pyodideUrl": PYODIDE_URL,
            "disablePyPIFallback": True,
            "loadPyodideOptions": {"packages": KERNEL_PACKAGES},
        }},
    }}


def _versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in
            ("jupyterlite-core", "jupyterlite-pyodide-kernel", "jupyterlab-widgets")}


def build_app(notebooks: dict[str, Path], cache: Path) -> Path:
    """The JupyterLite app holding ``notebooks`` (path in the app -> source), built clean with
    ``jupyter lite build`` into ``cache`` (or found there, built from the same inputs). Returns it."""
    config = json.dumps(lite_config(), indent=1, sort_keys=True)
    digest = hashlib.sha256(json.dumps([config, APPS, _versions()]).encode())
    for path, source in sorted(notebooks.items()):
        digest.update(f"\0{path}\0".encode() + Path(source).read_bytes())
    app = Path(cache) / f"app-{digest.hexdigest()[:20]}"
    if (app / "jupyter-lite.json").is_file():
        return app
    with tempfile.TemporaryDirectory(prefix="lite-build-", dir=cache) as scratch:
        scratch = Path(scratch)
        contents = scratch / "contents"
        for path, source in notebooks.items():
            (contents / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, contents / path)
        (scratch / "jupyter-lite.json").write_text(config + "\n", encoding="utf-8")
        command = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(scratch),
                   "--output-dir", str(scratch / "out"), "--contents", str(contents), "--no-sourcemaps",
                   "--no-unused-shared-packages", *[arg for name in APPS for arg in ("--apps", name)]]
        done = subprocess.run(command, cwd=scratch, capture_output=True, text=True)
        if done.returncode != 0:
            raise LiteBuildError(f"jupyter lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        built = json.loads((scratch / "out" / "jupyter-lite.json").read_text(encoding="utf-8"))
        settings = built["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
        if settings.get("pyodideUrl") != PYODIDE_URL or not settings.get("disablePyPIFallback"):
            raise LiteBuildError(f"jupyter lite build did not keep the kernel's settings: {settings}")
        # keep this app and the newest other one (the other edition's)
        others = sorted(Path(cache).glob("app-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[1:]:
            shutil.rmtree(stale)
        try:
            (scratch / "out").rename(app)
        except OSError:  # another build of the same inputs finished first: use that one
            if not (app / "jupyter-lite.json").is_file():
                raise
    return app


# ---- Sphinx ----------------------------------------------------------------------------------

def notebook_href(page_uri: str, path: str) -> str:
    """The address of the notebook ``path`` in the app's notebook view, relative to the page
    whose address in the site is ``page_uri`` (e.g. "exercises/01_containment.html")."""
    from sphinx.util.osutil import relative_uri

    return f"{relative_uri(page_uri, f'{LITE}/notebooks/index.html')}?path={quote(path)}"


def link_html(href: str, language: str = "en") -> str:
    """The note with the link to a page's notebook in the app."""
    return (f'<div class="book-lite"><p><a class="book-lite-link" href="{href}">{LINK_TEXTS[language]}</a></p>'
            f"<p>{LINK_NOTES[language]}</p></div>")


#: a chapter's pointer to its exercises starts so (chapters/NN_*.ipynb, "Summary"), in each edition
PRACTISE = "<strong>Practise:</strong>"
PRACTISE_IN = {"en": PRACTISE, "de": "<strong>Zum Üben:</strong>"}


def _practise_link(app, pagename: str, body: str, notebooks: dict[str, Path]) -> str:
    """On a chapter page, the same link right after the paragraph that points to its exercises."""
    start = body.find(PRACTISE_IN[edition_language(app)])
    if start < 0:
        return body
    end = body.find("</p>", start)
    paragraph = body[start:end]
    page_uri = app.builder.get_target_uri(pagename)
    from sphinx.util.osutil import relative_uri

    for docname in notebooks:
        if f'href="{relative_uri(page_uri, app.builder.get_target_uri(docname))}' in paragraph:
            href = _edition_root(app) + notebook_href(page_uri, app_path(docname, edition_language(app)))
            at = end + len("</p>")
            return body[:at] + link_html(href, edition_language(app)) + body[at:]
    return body


def _add_link(app, pagename, templatename, context, doctree) -> None:
    """On an exercise notebook's page, the link to it in the app, under the page's title; on a
    chapter's page, the same link under its pointer to the exercises."""
    if app.builder.format != "html":
        return
    notebooks = exercise_notebooks(app.env)
    body = context.get("body", "")
    if pagename not in notebooks:
        context["body"] = _practise_link(app, pagename, body, notebooks)
        return
    end = body.find("</h1>")
    at = end + len("</h1>") if end >= 0 else 0
    href = _edition_root(app) + notebook_href(app.builder.get_target_uri(pagename),
                                              app_path(pagename, edition_language(app)))
    context["body"] = body[:at] + link_html(href, edition_language(app)) + body[at:]


def _edition_root(app) -> str:
    """Where the app is, seen from a page's own edition: a translation (in a folder of the English
    site, book/tooling/i18n.py) uses the English site's app."""
    return "" if edition_language(app) == "en" else "../"


def _build(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or _edition_root(app):
        return
    log = _log()
    outdir, cache = Path(app.outdir), Path(app.srcdir) / "_build" / ".lite-cache"
    cache.mkdir(parents=True, exist_ok=True)
    # the runtime's own lock (offline_site unpacks it) gives the runtime's platform and Python
    shipped = Path(app.config._book_offline_assets) / "_static" / "offline" / "pyodide" / "pyodide-lock.json"
    info = json.loads(shipped.read_text(encoding="utf-8"))["info"]
    log.info("[lite] the kernel's wheels and the book's")
    book = book_wheel(cache)
    write_pyodide_lock(outdir / PYODIDE, [*locked_wheels(cache), *kernel_wheels(), book], info,
                       {canonicalize_name(project_metadata()[0]): BOOK_DEPENDS})
    notebooks = {lite_path(doc): source for doc, source in exercise_notebooks(app.env).items()}
    # the translated editions' notebooks too: their pages link here (book/tooling/i18n.py)
    notebooks.update(translated_notebooks(app.env, Path(app.srcdir)))
    log.info(f"[lite] the JupyterLite app with {len(notebooks)} notebooks")
    built = build_app(notebooks, cache)
    if (outdir / LITE).exists():
        shutil.rmtree(outdir / LITE)
    shutil.copytree(built, outdir / LITE)
    # while a notebook runs, the app swaps its tab's icon; between two icons the browser asks for
    # the site's /favicon.ico, which would otherwise be missing
    shutil.copyfile(outdir / LITE / "static" / "favicons" / "favicon.ico", outdir / "favicon.ico")


def setup(app):
    # it serves the Pyodide this extension adds to; its build-finished step copies the runtime's
    # files (and the shipped lock, which this one replaces) first
    app.setup_extension("book.tooling.offline_site")
    app.connect("html-page-context", _add_link)
    app.connect("build-finished", _build, priority=600)
    # bump when the link's markup changes: an incremental build then writes every page again
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
