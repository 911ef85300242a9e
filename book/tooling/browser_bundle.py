"""The part of the ``book`` package that runs in the reader's browser, packed as one zip.

A live dashboard on the site runs the book's own Python in a WebAssembly runtime (Pyodide). It
needs ``book.dashboards.live``, every dashboard it names, and whatever ``book`` modules those
import, found by reading their ``import`` statements, plus the data tables. ``bundle_files``
lists them; ``write_zip`` packs them deterministically (fixed timestamps, sorted names), so the
site's files change only when the code does.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent
ROOTS = ("book.dashboards.live",)
ZIP_NAME = "book-py.zip"


def _module_path(module: str) -> Path:
    relative = Path(*module.split(".")[1:])
    package = BOOK / relative / "__init__.py"
    return package if package.exists() else BOOK / relative.with_suffix(".py")


def _import_time_nodes(tree: ast.AST):
    """The nodes that run when a module is imported: everything but the bodies of functions (a
    function's own imports, such as a dashboard's ipywidgets wiring, run only when it is called)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _book_imports(path: Path) -> set[str]:
    """The ``book`` modules a file imports when it is imported (absolute imports; the package uses
    no relative ones)."""
    found = set()
    for node in _import_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "book":
            found.add(node.module)
            for alias in node.names:  # "from book.dashboards import svg" imports a module
                if _module_path(f"{node.module}.{alias.name}").exists():
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "book"}
    return found


def _dashboards() -> list[str]:
    tree = ast.parse(_module_path("book.dashboards.live").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DASHBOARDS" for t in node.targets):
            return [f"book.dashboards.{name}" for name in ast.literal_eval(node.value)]
    raise RuntimeError("book/dashboards/live.py defines no DASHBOARDS")


def bundle_modules() -> list[str]:
    """Every ``book`` module the browser needs, with the packages that contain them."""
    todo, seen = [*ROOTS, *_dashboards()], set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:k]) for k in range(1, len(parts))]  # parent packages
        todo += sorted(_book_imports(_module_path(module)) - seen)
    return sorted(seen)


def bundle_files() -> list[Path]:
    """The files of ``bundle_modules`` and the data tables, as paths inside the package."""
    files = {_module_path(module) for module in bundle_modules()}
    files |= set((BOOK / "data").glob("*.csv"))
    files |= set((BOOK / "locales").glob("*/LC_MESSAGES/*.po"))  # the dashboards' words in each language
    return sorted(files)


def add_file(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add ``data`` as ``name`` with a fixed timestamp and mode, so the same files give the same
    archive bytes (this bundle, and the book's wheel in ``lite.py``)."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write_zip(destination: Path) -> Path:
    """Pack ``bundle_files`` under ``book/`` into ``destination`` (a zip file)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in bundle_files():
            add_file(archive, f"book/{path.relative_to(BOOK).as_posix()}", path.read_bytes())
    return destination
