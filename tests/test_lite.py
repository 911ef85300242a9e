"""The exercise notebooks in the reader's browser (book/tooling/lite.py): the book's wheel, the
kernel's wheel lock, the Pyodide lock the site serves, and the JupyterLite app in the built site.
(The app running in a browser is checked by hand, see the module's docstring; these need none.)"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from book.tooling import lite
from tests.conftest import ROOT

LOCK_IN, LOCK = ROOT / "book" / "tooling" / "lite-wheels.in", ROOT / "book" / "tooling" / "lite-wheels.txt"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lite-cache")


@pytest.fixture(scope="module")
def wheel(cache) -> Path:
    """The wheel of the students' copy of the package (answer key sealed), as the build writes it."""
    return lite.book_wheel(cache)


# ---- the book's wheel ------------------------------------------------------------------------

def test_the_book_wheel_is_a_valid_wheel(wheel):
    from packaging.utils import parse_wheel_filename

    name, version, _, tags = parse_wheel_filename(wheel.name)
    assert (name, str(version)) == tuple(lite.project_metadata()) and {str(t) for t in tags} == {"py3-none-any"}
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        dist_info = f"{wheel.name.split('-')[0]}-{version}.dist-info"
        assert {f"{dist_info}/{n}" for n in ("METADATA", "WHEEL", "RECORD")} <= set(names)
        assert "Root-Is-Purelib: true" in archive.read(f"{dist_info}/WHEEL").decode()
        record = {line.split(",")[0]: line.split(",")[1:] for line in
                  archive.read(f"{dist_info}/RECORD").decode().splitlines()}
        assert set(record) == set(names)
        for name in names:
            if name != f"{dist_info}/RECORD":
                digest, size = record[name]
                data = archive.read(name)
                assert int(size) == len(data), name
                assert digest == lite._record_hash(data), name
    assert "book/__init__.py" in names and "book/checks.py" in names and "book/answers/sealed.json" in names


def test_the_book_wheel_holds_no_answer_key_and_no_instructors_tools(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if re.fullmatch(r"book/answers/ch\d\d\.py", n)]
    assert not [n for n in names if n.startswith(("book/tooling/", "book/grading")) or n == "book/notebooks.py"]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_book_wheel_installs_and_checks_answers_without_the_key(wheel, tmp_path):
    target = tmp_path / "site-packages"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                           "--target", str(target), str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    code = (f"import sys; sys.path.insert(0, {str(target)!r})\n"
            "import importlib.util, book.checks\n"
            f"assert book.checks.__file__.startswith({str(target)!r}), book.checks.__file__\n"
            "assert importlib.util.find_spec('book.answers.ch01') is None\n"
            "book.checks.check('1.1', 4992)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[1.1] Correct"), done.stdout


def test_the_book_wheel_is_byte_identical_when_written_twice(wheel, tmp_path):
    # the package folder the wheel holds, written into a wheel twice: the same bytes, the wheel's own
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "src", [n for n in archive.namelist() if n.startswith("book/")])
    first = lite.write_wheel(tmp_path / "src" / "book", tmp_path / "first", *lite.project_metadata())
    second = lite.write_wheel(tmp_path / "src" / "book", tmp_path / "second", *lite.project_metadata())
    assert first.name == second.name == wheel.name
    assert first.read_bytes() == second.read_bytes() == wheel.read_bytes()


def test_the_build_reuses_its_book_wheel_until_the_code_changes(cache, wheel):
    data = wheel.read_bytes()
    assert lite.book_wheel(cache) == wheel and wheel.read_bytes() == data


# ---- the kernel's wheels ---------------------------------------------------------------------

def test_the_lite_wheel_lock_pins_every_wheel_exactly_with_hashes():
    text = LOCK.read_text(encoding="utf-8")
    blocks = [b for b in re.split(r"\n(?=\S)", re.sub(r"^#.*\n", "", text, flags=re.M)) if b.strip()]
    assert len(blocks) >= 10  # the transitive wheels too
    for block in blocks:
        head = block.split("\\", 1)[0].strip()
        assert re.fullmatch(r"[A-Za-z0-9._-]+==\S+", head), f"{head}: not an exact pin"
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"{head} has no hash"
    locked = lite.locked_requirements(LOCK)
    for line in LOCK_IN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            assert locked[name.lower()][0] == version, f"{line}: the lock has {locked[name.lower()][0]}"
    # the wheels the kernel gets elsewhere are not in it
    assert not {"widgetsnbextension", "jupyterlab-widgets", "ipykernel"} & set(locked)


def test_the_lite_wheel_lock_was_made_with_the_documented_command():
    documented = re.search(r"^#\s+\.venv/bin/(uv pip compile .*?)\n#\n", LOCK_IN.read_text(encoding="utf-8"),
                           flags=re.M | re.S).group(1)
    documented = " ".join(documented.replace("\\\n#", " ").split())
    header = re.search(r"^#\s+(uv pip compile .*)$", LOCK.read_text(encoding="utf-8"), flags=re.M).group(1)
    assert " ".join(header.split()) == documented


def test_the_kernel_ships_its_own_wheels():
    names = [p.name for p in lite.kernel_wheels()]
    assert [n.split("-")[0] for n in names] == ["piplite", "pyodide_kernel", "ipykernel", "widgetsnbextension"]
    assert next(n for n in names if n.startswith("widgetsnbextension")).startswith("widgetsnbextension-4.")


# ---- the Pyodide lock ------------------------------------------------------------------------

def _fake_wheel(folder: Path, name: str, version: str, requires: list[str] = (), modules=None) -> Path:
    """A minimal pure-Python wheel with the given requirements."""
    dist = name.replace("-", "_")
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as archive:
        for module in modules or [dist]:
            archive.writestr(f"{module}/__init__.py", "")
        archive.writestr(f"{dist}-{version}.dist-info/METADATA", meta)
        archive.writestr(f"{dist}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
        archive.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return path


INFO = {"abi_version": "2026_0", "arch": "wasm32", "platform": "emscripten_5_0_3", "python": "3.14.2"}


def test_the_pyodide_lock_lists_exactly_the_served_wheels(tmp_path):
    source, served = tmp_path / "wheels", tmp_path / "pyodide"
    source.mkdir()
    served.mkdir()
    (served / "old_thing-1.0-py3-none-any.whl").write_bytes(b"from an earlier build")
    wheels = [
        _fake_wheel(source, "alpha", "1.0", ["beta>=2", "pywin32; sys_platform == 'win32'",
                                             "pytest; extra == 'test'", "jupyterlab_widgets~=3.0",
                                             "gamma; python_version >= '3.12'"]),
        _fake_wheel(source, "beta", "2.1", modules=["beta", "beta_extras"]),
        _fake_wheel(source, "gamma", "0.3"),
        _fake_wheel(source, "my-book", "0.1.0", modules=["book"]),
    ]
    lock = json.loads(lite.write_pyodide_lock(served, wheels, INFO, {"my-book": ["Alpha"]}).read_text())
    assert lock["info"] == INFO
    packages = lock["packages"]
    assert set(packages) == {"alpha", "beta", "gamma", "my-book"}
    # a marker for another platform or an extra drops a requirement; the widgets' extension is not served
    assert packages["alpha"]["depends"] == ["beta", "gamma"]
    assert packages["beta"]["imports"] == ["beta", "beta_extras"]
    assert packages["my-book"]["depends"] == ["alpha"] and packages["my-book"]["imports"] == ["book"]
    for name, entry in packages.items():
        assert entry["name"] == name and entry["install_dir"] == "site"
        assert (served / entry["file_name"]).is_file()
        assert _sha256(served / entry["file_name"]) == entry["sha256"]
    assert {p.name for p in served.glob("*.whl")} == {e["file_name"] for e in packages.values()}


def test_a_wheel_whose_requirement_is_not_served_stops_the_build(tmp_path):
    wheel = _fake_wheel(tmp_path, "alpha", "1.0", ["numpy"])
    with pytest.raises(lite.LiteBuildError, match="numpy"):
        lite.write_pyodide_lock(tmp_path / "pyodide", [wheel], INFO)


def test_the_app_config_loads_pyodide_from_the_site_and_never_from_pypi():
    settings = lite.lite_config()["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"]
    assert settings["pyodideUrl"] == "./../_static/offline/pyodide/pyodide.mjs"
    assert settings["disablePyPIFallback"] is True
    assert {"micropip", "piplite", "ipykernel", "pyodide-kernel", "ipython"} <= set(
        settings["loadPyodideOptions"]["packages"])


def test_exercise_notebooks_sit_at_the_root_of_the_app_and_solutions_in_a_folder():
    assert lite.lite_path("exercises/01_containment") == "01_containment.ipynb"
    assert lite.lite_path("solutions/01_containment") == "solutions/01_containment.ipynb"
    assert lite.notebook_href("exercises/01_containment.html", "01_containment.ipynb") == \
        "../lite/notebooks/index.html?path=01_containment.ipynb"
    assert lite.notebook_href("solutions/01_containment.html", "solutions/01_containment.ipynb") == \
        "../lite/notebooks/index.html?path=solutions/01_containment.ipynb"
    # (the dirhtml builder puts a page one folder deeper)
    assert lite.notebook_href("exercises/01_containment/", "01_containment.ipynb").startswith("../../lite/")


# ---- the built site --------------------------------------------------------------------------

#: hosts the app must not name in its configuration or pages
THIRD_PARTY = re.compile(r"fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.jsdelivr\.net|unpkg\.com|cdnjs")


def _exercise_pages(site: Path) -> list[Path]:
    pages = sorted((site / "exercises").glob("[0-9][0-9]_*.html"))
    if (site / "solutions").exists():
        pages += sorted((site / "solutions").glob("[0-9][0-9]_*.html"))
    return pages


@pytest.mark.site
def test_the_site_serves_the_app_with_the_site_s_own_pyodide(site):
    app = site / "lite"
    config = json.loads((app / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    settings = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert settings["pyodideUrl"] == "./../_static/offline/pyodide/pyodide.mjs"
    assert settings["disablePyPIFallback"] is True
    # "./" is the app's root: the runtime is the site's one copy, which the live dashboards use too
    assert (app / ".." / "_static" / "offline" / "pyodide" / "pyodide.mjs").resolve().is_file()
    assert all(url.startswith("./") for url in settings.get("pipliteUrls", []))
    assert (app / "notebooks" / "index.html").is_file() and (app / "tree" / "index.html").is_file()
    assert not list(app.rglob("*.map")), "the app ships source maps"


@pytest.mark.site
def test_the_app_names_no_other_host_in_its_configuration_or_pages(site):
    app = site / "lite"
    checked = 0
    for path in app.rglob("*"):
        # the extensions' settings schemas document the defaults jupyter-lite.json overrides (the
        # kernel's pyodideUrl, a CDN address); minified scripts carry such defaults too
        if path.suffix not in (".html", ".json", ".ipynb", ".webmanifest") or "schema" in path.parent.name:
            continue
        checked += 1
        found = THIRD_PARTY.search(path.read_text(encoding="utf-8", errors="replace"))
        assert not found, f"{path.relative_to(site)} names {found.group(0)}"
    assert checked > 10


@pytest.mark.site
def test_the_site_s_pyodide_lock_lists_the_wheels_it_serves(site):
    pyodide = site / "_static" / "offline" / "pyodide"
    packages = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
    for entry in packages.values():
        assert _sha256(pyodide / entry["file_name"]) == entry["sha256"], entry["file_name"]
        assert set(entry["depends"]) <= set(packages), entry["name"]
    assert {p.name for p in pyodide.glob("*.whl")} == {e["file_name"] for e in packages.values()}
    book = next(e for e in packages.values() if e["imports"] == ["book"])
    assert "ipywidgets" in book["depends"]
    assert set(lite.KERNEL_PACKAGES) <= set(packages)
    names = zipfile.ZipFile(pyodide / book["file_name"]).namelist()
    assert "book/answers/sealed.json" in names and not [n for n in names if re.search(r"answers/ch\d\d\.py", n)]


@pytest.mark.site
def test_every_exercise_page_links_to_its_notebook_in_the_app(site):
    pages = _exercise_pages(site)
    assert len(pages) >= 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'<a class="book-lite-link" href="([^"]+)">([^<]+)</a>', html)
        assert [text for _, text in links] == [lite.LINK_TEXT], page.relative_to(site)
        assert "File \u2192 Download" in html and "nothing to install" in html
        # near the top: right under the page's title
        title_end = html.index("</h1>", html.index('<article class="bd-article">'))
        assert 0 < html.index("book-lite-link") - title_end < 200, page.relative_to(site)
        href = links[0][0]
        target, path = href.split("?path=")
        assert (page.parent / target).resolve() == (site / "lite" / "notebooks" / "index.html").resolve()
        assert (site / "lite" / "files" / path).is_file(), f"{page.relative_to(site)} links to a missing {path}"
        assert (site / "lite" / "files" / path).read_bytes() == (
            ROOT / page.parent.name / f"{page.stem}.ipynb").read_bytes()


@pytest.mark.site
def test_each_chapter_links_to_its_exercises_in_the_app_under_its_pointer_to_them(site):
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert len(chapters) >= 5
    for chapter in chapters:
        html = (site / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        pointer = html.index(lite.PRACTISE)
        links = re.findall(r'<a class="book-lite-link" href="([^"]+)">', html)
        assert links == [f"../lite/notebooks/index.html?path={chapter.stem}.ipynb"], chapter.name
        assert 0 < html.index("book-lite-link") - pointer < 400  # right under the pointer
        assert (site / "lite" / "files" / f"{chapter.stem}.ipynb").is_file()
    # the app's tab icons come and go while a notebook runs: the site has the icon browsers ask for
    assert (site / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


@pytest.mark.site
def test_the_student_app_holds_the_exercises_and_no_solutions(site):
    files = site / "lite" / "files"
    assert sorted(p.name for p in files.glob("*.ipynb")) == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert not (files / "solutions").exists() and not (files / "de" / "solutions").exists()


def test_the_instructor_app_adds_the_solutions_but_not_the_answer_key(instructor_site):
    files = instructor_site / "lite" / "files"
    assert sorted(p.name for p in (files / "solutions").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    assert sorted(p.name for p in files.glob("*.ipynb")) == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    for page in sorted((instructor_site / "solutions").glob("[0-9][0-9]_*.html")):
        html = page.read_text(encoding="utf-8")
        assert f'href="../lite/notebooks/index.html?path=solutions/{page.stem}.ipynb">{lite.LINK_TEXT}<' in html
    pyodide = instructor_site / "_static" / "offline" / "pyodide"
    for wheel in pyodide.glob("*.whl"):
        assert not [n for n in zipfile.ZipFile(wheel).namelist() if re.search(r"book/answers/ch\d\d\.py", n)]


@pytest.mark.site
def test_german_pages_link_to_the_german_notebooks_in_the_same_app(site):
    # exercise pages under their title, chapters under their pointer to the exercises
    from book.notebooks import TRANSLATED_NOTEBOOKS
    german = ROOT / TRANSLATED_NOTEBOOKS["de"]
    exercises = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    assert len(exercises) >= 5
    for notebook in exercises:
        for page in (site / "de" / "exercises" / f"{notebook.stem}.html", site / "de" / "chapters" / f"{notebook.stem}.html"):
            html = page.read_text(encoding="utf-8")
            links = re.findall(r'<a class="book-lite-link" href="([^"]+)">([^<]+)</a>', html)
            assert [text for _, text in links] == [lite.LINK_TEXTS["de"]], page.relative_to(site)
            assert "File \u2192 Download" in html and "ohne dass Sie etwas installieren" in html
            target, path = links[0][0].split("?path=")
            assert path == f"de/{notebook.stem}.ipynb"
            assert (page.parent / target).resolve() == (site / "lite" / "notebooks" / "index.html").resolve()
            assert (site / "lite" / "files" / path).read_bytes() == (german / "exercises" / notebook.name).read_bytes()
    assert not (site / "de" / "lite").exists()  # one app for both editions
