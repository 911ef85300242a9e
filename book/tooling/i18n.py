"""The German edition: the same sources, translated with Sphinx's gettext workflow.

The English notebooks and pages are the only source. Sphinx's ``gettext`` builder extracts every
paragraph, heading, list item and table cell into message templates; ``sphinx-intl`` keeps one
German catalogue per page under ``locales/de/LC_MESSAGES/`` in step with them; a build with
``language: de`` puts the German text in place of the English, entry by entry. A changed English
paragraph is a new entry, so its page shows the English paragraph (never a stale German one) until
the entry is translated, and ``tests/test_i18n.py`` names it.

As a Sphinx extension (in ``_config.yml``) this module

- builds the German edition at the end of every English HTML build, into ``de/`` inside the
  English site (``jupyter-book build . -W`` builds both; the instructor edition's command builds
  the German instructor edition too), with the same table of contents and ``-W``;
- puts a language switch in every page's header, to the same page in the other language;
- writes the numbers the build pastes into German prose ({glue:text} roles) the German way:
  decimal comma, narrow no-break space between thousands, a space before %.

As a command it keeps the catalogues up to date::

    python -m book.tooling.i18n update    # extract the English, update locales/de (sphinx-intl)
    python -m book.tooling.i18n status    # how much of each page is translated

``update`` also copies a translation between the solutions and the exercise notebooks where their
English is identical (the exercises are the solutions without the answers), so it is translated once.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
#: the editions' languages; English is the source, German lives in this folder of the English site
SOURCE_LANGUAGE = "en"
TRANSLATIONS = {"de": "de"}
#: what the switch says and its accessible name, in the language it leads to
SWITCH = {"de": ("Deutsch", "Deutsch: diese Seite auf Deutsch"), "en": ("English", "English: this page in English")}
#: the catalogues of these pages must be complete (tests/test_i18n.py): the released German pages
RELEASED = ("chapters/intro", "chapters/01_containment", "chapters/02_deepseek_paradox",
            "chapters/03_cost_of_compute", "chapters/04_democratization", "chapters/05_paradox_of_success",
            "chapters/glossary", "chapters/references", "chapters/teaching",
            "exercises/01_containment", "exercises/02_deepseek_paradox", "exercises/03_cost_of_compute",
            "exercises/04_democratization", "exercises/05_paradox_of_success",
            "solutions/01_containment", "solutions/02_deepseek_paradox", "solutions/03_cost_of_compute",
            "solutions/04_democratization", "solutions/05_paradox_of_success", "solutions/instructor_guide",
            "sphinx", "book")

#: settings of the translated builds that are words a reader sees outside the pages' text (the
#: book hides only the code of cells, never their outputs: "hide-input")
TRANSLATED_SETTINGS = {"de": {"nb_code_prompt_show": "Code der Zelle anzeigen",
                              "nb_code_prompt_hide": "Code der Zelle ausblenden",
                              # a chapter's concept questions ("Question 1.1" in English)
                              "numfig_format": {"exercise": "Frage %s"}}}
#: words of sphinx-exercise that its own catalogue for the language lacks (its "exercise" domain)
EXERCISE_WORDS = {"de": {"Solution": "Lösung", "Solution to": "Lösung zu", "Exercise": "Übung"}}


# ---- the language switch -----------------------------------------------------------------------

def other_edition_href(pagename: str, language: str) -> str:
    """The address of the same page in the other language, relative to the page ``pagename`` of
    the edition in ``language`` (German pages sit one folder deeper: ``de/``)."""
    up = "../" * pagename.count("/")
    if language == SOURCE_LANGUAGE:
        return f"{up}{TRANSLATIONS['de']}/{pagename}.html"
    return f"../{up}{pagename}.html"


def switch_html(pagename: str, language: str) -> str:
    target = "de" if language == SOURCE_LANGUAGE else SOURCE_LANGUAGE
    text, name = SWITCH[target]  # the name starts with the visible text (WCAG 2.5.3)
    return (f'<a class="btn btn-sm book-language-switch" href="{other_edition_href(pagename, language)}" '
            f'hreflang="{target}" lang="{target}" aria-label="{name}">{text}</a>')


# ---- Sphinx ------------------------------------------------------------------------------------

def edition_language(app) -> str:
    """The language of the edition ``app`` builds ("en", "de")."""
    return app.config.language or SOURCE_LANGUAGE


def _exercise_words(app, config) -> None:
    """sphinx-exercise's titles ("Solution") in the build's language, where its own catalogue has
    none: a small catalogue of ours, compiled for this build and added after its own."""
    language = config.language or SOURCE_LANGUAGE
    if language not in EXERCISE_WORDS:
        return
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale=language)
    for english, translated in EXERCISE_WORDS[language].items():
        catalog.add(english, translated)
    folder = Path(app.doctreedir).parent / ".exercise-words" / language / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "exercise.mo", "wb") as handle:
        write_mo(handle, catalog)
    app.add_message_catalog("exercise", str(folder.parent.parent))


def _configure(app, config) -> None:
    """The switch sits in every page's header, before the theme's buttons."""
    options = dict(config.html_theme_options or {})
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if "language-switch.html" not in end:
        end.insert(0, "language-switch.html")
    options["article_header_end"] = end
    config.html_theme_options = options


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format == "html":
        context["book_language_switch"] = switch_html(pagename, edition_language(app))


def _localise_numbers(app, doctree, docname) -> None:
    """In a translated build, the numbers pasted by {glue:text} in its notation (book.language)."""
    if edition_language(app) == SOURCE_LANGUAGE:
        return
    from docutils import nodes

    from book.language import in_language, numbers_in

    for node in doctree.findall(nodes.inline):
        if "pasted-text" in node.get("classes", []):
            node[:] = [nodes.Text(in_language(edition_language(app), numbers_in, node.astext()))]


def _keep_glue_data_for_translations() -> None:
    """Let a translated paragraph paste the page's numbers.

    Sphinx parses each translation as a small document of its own, without the page's glue data,
    so myst-nb's {glue:text} roles in it would find nothing (a build error). In such a document a
    glue role refers to its page the way myst-nb's roles refer to another page (``page::key``):
    myst-nb resolves that after reading, from the data it keeps for every page."""
    from myst_nb.ext.glue import roles

    for role in (roles.PasteRoleAny, roles.PasteTextRole):
        if getattr(role.run, "book_i18n", False):
            continue

        def run(self, _original=role.run, _formatted=role is roles.PasteTextRole):
            if "nb_renderer" not in self.document and "::" not in self.text:
                env = self.document.settings.env
                # {glue:text}`key:format`: the format is what follows the last colon, so a key
                # without one gets the role's default ("s") to keep "page::key" whole
                default = ":s" if _formatted and ":" not in self.text else ""
                self.text = f"{Path(env.doc2path(env.docname)).name}::{self.text}{default}"
            return _original(self)

        run.book_i18n = True
        role.run = run


def _own_translated_nodes(app, doctree) -> None:
    """In a translated build, make every node of a page belong to the page's document.

    Sphinx parses each translation as a small document of its own and moves its nodes into the
    page, where they go on naming that small document as theirs; its settings hold the whole build
    environment, which Sphinx removes only from the page's own document before saving it. So every
    saved German page carried a copy of the environment as it stood when the page was read (1.8 MB
    for the 30 KB introduction, growing page by page), written once and read back several times a
    build: about 4 s of a German build's 16."""
    if edition_language(app) == SOURCE_LANGUAGE:
        return
    for node in doctree.findall(include_self=False):
        if node._document is not None and node._document is not doctree:
            node.document = doctree


def _translate_captions(app, doctree) -> None:
    """In a translated build, the captions of the table of contents ("Chapters", "Reference") from
    the root page's catalogue: sphinx-external-toc adds them after Sphinx has translated the page."""
    language = edition_language(app)
    if language == SOURCE_LANGUAGE:
        return
    from sphinx import addnodes

    toctrees = list(doctree.findall(addnodes.toctree))
    if not toctrees:
        return
    translations = page_translations(app.env.docname, language, Path(app.srcdir))
    for node in toctrees:
        for key in ("caption", "rawcaption"):
            if node.get(key) in translations:
                node[key] = translations[node[key]]


def _math_transform():
    """A transform that puts a page's translated display formulas (the words in their ``\\text{}``)
    in place before Sphinx's own translation runs (priority 20): Sphinx sets a translated formula
    as a literal block ("::" and an indented block), which the MyST parser of these pages reads as
    a paragraph "::" and code. Done here, the node keeps its kind and Sphinx leaves it alone."""
    from docutils import nodes
    from sphinx.transforms import SphinxTransform

    class TranslateMath(SphinxTransform):
        default_priority = 19

        def apply(self, **kwargs) -> None:
            language = edition_language(self.app)
            if language == SOURCE_LANGUAGE:
                return
            translations = None
            for node in self.document.findall(nodes.math_block):
                if translations is None:
                    translations = page_translations(self.env.docname, language, Path(self.app.srcdir))
                english = node.rawsource or node.astext()
                german = translations.get(english)
                if german and german != english:
                    node.rawsource = german
                    node[:] = [nodes.Text(german)]
                    node["translated"] = True

    return TranslateMath


def _translated_outputs(app, docname: str, source: list[str]) -> None:
    """In a translated build, a chapter, exercise or solutions page shows the outputs of the
    translated notebook (``book.notebooks.TRANSLATED_NOTEBOOKS``, executed in that language: German
    figures, tables, dashboards and verdicts), under the English markdown the catalogues translate."""
    language = edition_language(app)
    if language == SOURCE_LANGUAGE or docname.split("/")[0] not in ("chapters", "exercises", "solutions"):
        return
    import json

    from book.notebooks import TRANSLATED_NOTEBOOKS

    translated = Path(app.srcdir) / TRANSLATED_NOTEBOOKS[language] / f"{docname}.ipynb"
    if not translated.exists():
        return
    app.env.note_dependency(str(translated))  # a regenerated translation rebuilds its page
    english, other = json.loads(source[0]), json.loads(translated.read_text(encoding="utf-8"))
    pairs = list(zip(english["cells"], other["cells"]))
    if len(english["cells"]) != len(other["cells"]) or any(a["cell_type"] != b["cell_type"] for a, b in pairs):
        return  # not the same notebook (the check command reports a stale translation)
    for mine, theirs in pairs:
        if mine["cell_type"] == "code":
            mine["outputs"] = theirs.get("outputs", [])
    source[0] = json.dumps(english)


def _translated_config(srcdir: Path, language: str, target: Path) -> Path:
    """The book's ``_config.yml`` with the language set, written to ``target``."""
    import yaml

    config = yaml.safe_load((srcdir / "_config.yml").read_text(encoding="utf-8"))
    settings = config.setdefault("sphinx", {}).setdefault("config", {})
    settings["language"] = language
    settings.update(TRANSLATED_SETTINGS.get(language, {}))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def build_translation(srcdir: Path, outdir: Path, toc: Path, language: str = "de") -> Path:
    """Build the edition in ``language`` from ``srcdir`` with the table of contents ``toc``, and put
    its HTML in ``outdir / TRANSLATIONS[language]``. Its working folder sits beside ``outdir`` (kept,
    so the next build only rebuilds what changed). Raises RuntimeError with the build's last words
    if it fails (it is built with -W, like the English one)."""
    work = outdir.parent / f".{language}"
    config = _translated_config(srcdir, language, work / "_config.yml")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run([str(jupyter_book), "build", str(srcdir), "-W", "--config", str(config),
                           "--toc", str(toc), "--path-output", str(work)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {language} edition did not build:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    target = outdir / TRANSLATIONS[language]
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(work / "_build" / "html", target)
    translated_downloads(target, srcdir, language)
    share_assets(target, outdir)
    return target


def translated_downloads(site: Path, srcdir: Path, language: str) -> list[Path]:
    """The download button of a translated page gives the page in that language: each notebook in
    the edition's ``_sources/`` is replaced by its translated notebook (``locales/<language>/``,
    with outputs, as ``book.notebooks`` generates it) and each markdown page by its text through
    the page's catalogue. Returns the files replaced."""
    from book.notebooks import TRANSLATED_NOTEBOOKS

    replaced = []
    for source in sorted((site / "_sources").rglob("*")):
        page = source.relative_to(site / "_sources").with_suffix("").as_posix()
        if source.suffix == ".ipynb":
            translated = srcdir / TRANSLATED_NOTEBOOKS[language] / f"{page}.ipynb"
            if translated.exists():
                shutil.copyfile(translated, source)
                replaced.append(source)
        elif source.suffix == ".md":
            english = source.read_text(encoding="utf-8")
            text = translate_markdown(english, page_translations(page, language, srcdir))
            if text != english:
                source.write_text(text, encoding="utf-8")
                replaced.append(source)
    return replaced


#: the folder of the site's own large assets (Pyodide, MathJax: ``offline_site``), the same files
#: in every edition
SHARED_ASSETS = "_static/offline"
#: files of it the site's copy rewrites: the in-browser notebooks' app (``lite``, built with the
#: English site) lists exactly the wheels it ships in Pyodide's lock file; the English pages'
#: dashboards run on that copy, and so do the German ones
SITE_OWNED = {"pyodide/pyodide-lock.json"}
_SHARED_LINK = re.compile(r'((?:href|src)=")((?:\.\./)*)' + re.escape(SHARED_ASSETS) + "/")


def share_assets(edition: Path, site: Path) -> int:
    """Point the pages of ``edition`` (a folder of ``site``, one level down) at the site's own copy
    of ``SHARED_ASSETS`` and remove the edition's copy, when the two are the same files (but for
    ``SITE_OWNED``): the German edition then adds its pages, not another 23 MB of runtime. Returns
    how many pages now link the shared copy (0 when the copies differ, and the edition keeps its
    own)."""
    mine, shared = edition / SHARED_ASSETS, site / SHARED_ASSETS
    if not mine.is_dir() or not shared.is_dir():
        return 0
    files = sorted(path.relative_to(mine).as_posix() for path in mine.rglob("*") if path.is_file())
    if any(not (shared / name).is_file()
           or name not in SITE_OWNED and (shared / name).read_bytes() != (mine / name).read_bytes()
           for name in files):
        return 0
    changed = 0
    for page in edition.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        linked = _SHARED_LINK.sub(lambda m: f"{m.group(1)}../{m.group(2)}{SHARED_ASSETS}/", text)
        if linked != text:
            page.write_text(linked, encoding="utf-8")
            changed += 1
    shutil.rmtree(mine)
    return changed


def _build_translations(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or edition_language(app) != SOURCE_LANGUAGE:
        return
    from sphinx.util import logging

    toc = Path(app.config.external_toc_path)
    toc = toc if toc.is_absolute() else Path(app.srcdir) / toc
    for language in TRANSLATIONS:
        logging.getLogger(__name__).info(f"[i18n] the {language} edition")
        build_translation(Path(app.srcdir), Path(app.outdir), toc, language)


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("config-inited", _exercise_words)
    _keep_glue_data_for_translations()
    app.connect("html-page-context", _page_context)
    app.connect("doctree-resolved", _localise_numbers)
    app.connect("source-read", _translated_outputs)
    app.connect("doctree-read", _translate_captions)
    app.connect("doctree-read", _own_translated_nodes)
    app.add_transform(_math_transform())
    # after the JupyterLite app (priority 600), so the translation can point to it
    app.connect("build-finished", _build_translations, priority=900)
    # bump when the switch's markup or what a saved page holds changes: an incremental build then
    # reads and writes every page again (3: translated pages saved without the build environment)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}


# ---- the catalogues ----------------------------------------------------------------------------

def extract(target: Path, root: Path = ROOT) -> Path:
    """The English message templates (.pot) of every page of the instructor edition (the student
    edition's pages and the solutions), written under ``target``; returns their folder."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run([str(jupyter_book), "build", str(root), "--toc", str(root / "_toc_instructor.yml"),
                           "--builder", "custom", "--custom-builder", "gettext", "--path-output", str(target)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"extracting the messages failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return Path(target) / "_build" / "gettext"


@dataclass
class Entry:
    page: str
    english: str
    german: str
    fuzzy: bool


def catalogue(language: str = "de", root: Path = ROOT) -> dict[str, list[Entry]]:
    """Every page's entries in the catalogues of ``language``: {page: [Entry]}."""
    from sphinx_intl.catalog import load_po

    folder = Path(root) / "locales" / language / "LC_MESSAGES"
    pages = {}
    for path in sorted(folder.rglob("*.po")):
        page = path.relative_to(folder).with_suffix("").as_posix()
        pages[page] = [Entry(page, m.id, m.string, m.fuzzy) for m in load_po(str(path)) if m.id]
    return pages


def page_translations(page: str, language: str = "de", root: Path = ROOT) -> dict[str, str]:
    """The translated, not fuzzy entries of one page's catalogue: {English: translation}."""
    from sphinx_intl.catalog import load_po

    path = Path(root) / "locales" / language / "LC_MESSAGES" / f"{page}.po"
    return {m.id: m.string for m in load_po(str(path)) if m.id and m.string and not m.fuzzy} if path.exists() else {}


def templates(pot_dir: Path) -> dict[str, list[str]]:
    """Every page's English entries in the extracted templates: {page: [msgid]}."""
    from sphinx_intl.catalog import load_po

    return {path.relative_to(pot_dir).with_suffix("").as_posix(): [m.id for m in load_po(str(path)) if m.id]
            for path in sorted(Path(pot_dir).rglob("*.pot"))}


def share_translations(language: str = "de", root: Path = ROOT) -> int:
    """Copy each translated entry of a solutions page into the exercise page of the same name where
    that page has the same English and no translation yet; returns how many were copied."""
    from sphinx_intl.catalog import dump_po, load_po

    folder = Path(root) / "locales" / language / "LC_MESSAGES"
    copied = 0
    for exercise in sorted((folder / "exercises").glob("*.po")):
        solution = folder / "solutions" / exercise.name
        if not solution.exists():
            continue
        known = {m.id: m.string for m in load_po(str(solution)) if m.id and m.string and not m.fuzzy}
        cat = load_po(str(exercise))
        changed = 0
        for message in cat:
            if message.id and not message.string and message.id in known:
                message.string = known[message.id]
                changed += 1
        if changed:
            dump_po(str(exercise), cat)
            copied += changed
    return copied


# ---- notebooks in another language ------------------------------------------------------------

def _markdown_parser():
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "dollarmath", "deflist",
                                                             "substitution"}), DocutilsRenderer)


def translate_markdown(source: str, translations: dict[str, str], parser=None) -> str:
    """A notebook's markdown cell with each paragraph, heading, list item and table cell replaced by
    its translation (the catalogue's entries, keyed by the English as Sphinx extracts it: the
    paragraph's text on one line), and so inside a directive's block (```{admonition} Title).
    What has no translation stays as it is."""
    parser = parser or _markdown_parser()
    spans: list[tuple[int, int, str]] = []
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    cursor = 0
    for token in parser.parse(source):
        if token.map is None:
            continue
        begin, end = starts[token.map[0]], starts[min(token.map[1], len(lines))]
        if token.type == "inline":
            german = translations.get(token.content.replace("\n", " ").strip())
            if not german:
                continue
            pattern = r"\n[ \t>]*".join(re.escape(part.strip()) for part in token.content.strip().split("\n"))
            found = re.compile(pattern).search(source, max(begin, cursor), end)
            if found:
                spans.append((found.start(), found.end(), german))
                cursor = found.end()
        elif token.type == "math_block" and translations.get(token.content):
            # a display formula ($$...$$), keyed by its text between the dollars as Sphinx extracts it
            at = source.find(token.content, max(begin, cursor), end)
            if at >= 0:
                spans.append((at, at + len(token.content), translations[token.content]))
                cursor = at + len(token.content)
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name, _, title = token.info.partition("}")
            title = title.strip()
            head_end = source.index("\n", begin) if "\n" in source[begin:end] else end
            if title and translations.get(title):
                at = source.index(title, begin, head_end)
                spans.append((at, at + len(title), translations[title]))
            # the block's text, after its options (":class: warning")
            body = re.sub(r"\A(?::[\w-]+:.*\n)+", "", token.content)
            at = source.find(body, head_end, end) if body.strip() else -1
            if at >= 0:
                translated = translate_markdown(body, translations, parser)
                if translated != body:
                    spans.append((at, at + len(body), translated))
            cursor = end
    for start, stop, text in sorted(spans, reverse=True):
        source = source[:start] + text + source[stop:]
    return source


#: the line a translated notebook's first code cell starts with: the code speaks that language
LANGUAGE_LINE = 'import book.language; book.language.use_language("{language}")  # {note}'
LANGUAGE_NOTE = {"de": "Rückmeldungen auf Deutsch"}


def translate_notebook(nb, page: str, language: str = "de", root: Path = ROOT, language_line: bool = True):
    """A copy of notebook ``nb`` (the page ``page``, e.g. "solutions/01_containment") in
    ``language``: its markdown from that page's catalogue, and (``language_line``) a first line in
    its first code cell that makes ``check()`` and the book's other messages speak the language."""
    import copy

    translations = page_translations(page, language, root)
    translated = copy.deepcopy(nb)
    parser = _markdown_parser()
    first_code = language_line
    for cell in translated.cells:
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, translations, parser)
        elif cell.cell_type == "code" and first_code:
            first_code = False
            cell.source = LANGUAGE_LINE.format(language=language, note=LANGUAGE_NOTE[language]) + "\n" + cell.source
    translated.metadata.setdefault("book", {})["language"] = language
    return translated


# ---- the code's messages (book/language.py) ---------------------------------------------------

CODE_CATALOGUE = "book"  # book/locales/<language>/LC_MESSAGES/book.po


def code_messages(root: Path = ROOT) -> dict[str, str]:
    """Every message the book's code marks for translation, ``_("...")`` or ``N_("...")`` with a literal text:
    {message: "file:line" where it first appears}."""
    import ast

    found: dict[str, str] = {}
    for path in sorted((Path(root) / "book").rglob("*.py")):
        if "tooling" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def key_texts() -> dict[str, str]:
    """Every text of the answer key a student can read in ``check``'s feedback (hints, the likely
    mistakes' hints, near misses, written answers' checklists, units, titles), as templates with
    their numbers taken out (``book.language.template``): {template: exercise id}."""
    from book.answers import EXERCISES
    from book.answers.exercise import text_of
    from book.language import template

    found: dict[str, str] = {}

    def add(text: str, where: str) -> None:
        if text and text.strip():
            found.setdefault(template(text)[0], where)

    for key, item in EXERCISES.items():
        add(item.title, key)
        add(item.hint_text, key)
        for mistake in item.mistakes:
            add(text_of(mistake.hint), key)
        for hint in item.near_misses.values():
            add(hint, key)
        for idea in item.rubric:
            add(idea, key)
        if item.unit:
            add(item.unit, key)
            if item.unit.endswith("s"):
                add(item.unit[:-1], key)  # "1 day", "1 chip"
    return found


def _exercise_order(exercise: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"\d+|[a-z]+", exercise))


def read_recorded(path: Path) -> set[str]:
    """The templates a run noted in ``path`` (``book.language``: BOOK_I18N_RECORD)."""
    import ast

    if not Path(path).exists():
        return set()
    return {ast.literal_eval(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()}


def dashboard_texts() -> set[str]:
    """What the dashboards show (labels, help, options, units, groups, panels, notes), for their
    starting settings and with each option of each list and each end of each slider: templates."""
    import importlib
    import os
    import tempfile

    from book.dashboards.base import coerce_all, defaults, render
    from book.dashboards.live import DASHBOARDS
    from book.dashboards.page import static_html
    from book.language import template

    found: set[str] = set()
    with tempfile.TemporaryDirectory() as scratch:
        record = Path(scratch) / "record.txt"
        before = os.environ.get("BOOK_I18N_RECORD")
        os.environ["BOOK_I18N_RECORD"] = str(record)
        try:
            for name in DASHBOARDS:
                dashboard = importlib.import_module(f"book.dashboards.{name}")
                static_html(dashboard)
                for control in dashboard.CONTROLS:
                    for text in (control.label, control.help, control.unit, control.group,
                                 *(label for label, _ in control.options)):
                        if text and re.search(r"[A-Za-z]{2}", text):
                            found.add(template(text)[0])
                    settings = ([value for _, value in control.options] if control.kind == "choice"
                                else [control.minimum, control.maximum])
                    for value in settings:
                        try:
                            render(dashboard, {**defaults(dashboard.CONTROLS), control.name: value}).html()
                        except ValueError:
                            continue
                found.add(template(dashboard.TITLE)[0])
        finally:
            if before is None:
                os.environ.pop("BOOK_I18N_RECORD", None)
            else:
                os.environ["BOOK_I18N_RECORD"] = before
        found |= read_recorded(record)
    return found


def notebook_texts(root: Path = ROOT) -> set[str]:
    """What the chapters' and solutions' notebooks show through the book's code (figures, tables,
    dashboards at the notebooks' settings): templates, from running them."""
    import tempfile

    import nbformat

    from book import notebooks

    from book.language import template

    printed: set[str] = set()
    with tempfile.TemporaryDirectory() as scratch:
        record = Path(scratch) / "record.txt"
        for path in sorted([*(Path(root) / "chapters").glob("*.ipynb"), *(Path(root) / "solutions").glob("*.ipynb")]):
            run = notebooks.execute(nbformat.read(path, as_version=4), path.parent, allow_errors=True,
                                    remeasure=False, extra_env={"BOOK_I18N_RECORD": str(record)})
            if path.parent.name == "chapters":  # what a chapter's own code prints (check()'s are in the code)
                printed |= {template(line)[0] for cell in run.cells for output in cell.get("outputs", [])
                            if output.get("output_type") == "stream" for line in output["text"].splitlines()
                            if re.search(r"[A-Za-z]{2}", line)
                            and notebooks.MEASURED_TAG not in cell.get("metadata", {}).get("tags", [])}
        return read_recorded(record) | printed


def write_code_template(target: Path, root: Path = ROOT, shown: set[str] | None = None) -> Path:
    """The code's messages, the key's texts and what the code shows (``shown``: templates, e.g. from
    ``dashboard_texts`` and ``notebook_texts``) as a message template ``target/book.pot``."""
    from babel.messages.catalog import Catalog
    from sphinx_intl.catalog import dump_po

    catalog = Catalog(project="The Containment Paradox", fuzzy=False)
    # no line numbers: an edit elsewhere in a file changes no catalogue
    for message, where in sorted(code_messages(root).items()):
        catalog.add(message, auto_comments=[f"code: {where.rsplit(':', 1)[0]}"], flags=["python-brace-format"])
    for text, exercise in sorted(key_texts().items(), key=lambda pair: (_exercise_order(pair[1]), pair[0])):
        if text not in catalog:
            catalog.add(text, auto_comments=[f"answer key, exercise {exercise}; numbers are fields {{0}}, {{1}}..."],
                        flags=["python-brace-format"])
    for text in sorted(shown or ()):
        if text not in catalog:
            catalog.add(text, auto_comments=["shown: a figure, table or dashboard; numbers are fields {0}, {1}..."],
                        flags=["python-brace-format"])
    target.mkdir(parents=True, exist_ok=True)
    dump_po(str(target / f"{CODE_CATALOGUE}.pot"), catalog)
    return target / f"{CODE_CATALOGUE}.pot"


def code_catalogue(language: str = "de", root: Path = ROOT) -> Path:
    return Path(root) / "book" / "locales" / language / "LC_MESSAGES" / f"{CODE_CATALOGUE}.po"


def update(language: str = "de", root: Path = ROOT) -> dict:
    """Extract the English, bring ``locales/<language>`` in step (sphinx-intl: new entries empty,
    changed ones fuzzy, gone ones kept as obsolete), then share translations between solutions and
    exercises."""
    from sphinx_intl.basic import update as intl_update

    with tempfile.TemporaryDirectory(prefix="book-gettext-") as scratch:
        pot_dir = extract(Path(scratch), root)
        status = intl_update(str(Path(root) / "locales"), str(pot_dir), (language,), jobs=1)
        code_pot = write_code_template(Path(scratch) / "code", root, dashboard_texts() | notebook_texts(root))
        code = intl_update(str(Path(root) / "book" / "locales"), str(code_pot.parent), (language,), jobs=1)
    status["shared"] = share_translations(language, root)
    status["code"] = code
    return status


_ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")
_CODE = re.compile(r"(?<![}`])`([^`]+)`")
_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?(?<!\\)\$")  # not an escaped \$ (a dollar sign)
_LINK = re.compile(r"\]\(([^)]+)\)")
_TEXT_IN_MATH = re.compile(r"\\text\{[^{}]*\}")


def markup(text: str) -> list[tuple[str, str]]:
    """What a translation must keep of an entry: the targets of its cross-references ({term},
    {doc}, {ref}, {numref}: the part in <...>, or the whole text when there is none), its citations
    and pasted numbers whole, its inline code, its math and its links' targets."""
    kept = []
    for role, body in _ROLE.findall(text):
        if role in ("term", "doc", "ref", "numref"):
            target = re.search(r"<([^>]+)>\s*$", body)
            kept.append((role, target.group(1) if target else body))
        else:
            kept.append((role, body))
    rest = _ROLE.sub("", text)
    kept += [("code", code) for code in _CODE.findall(rest)]
    # a formula keeps its symbols and structure; the words in its \text{...} may be translated
    kept += [("math", _TEXT_IN_MATH.sub(r"\\text{…}", math)) for math in _MATH.findall(rest)]
    kept += [("link", link) for link in _LINK.findall(rest)]
    return sorted(kept)


def pending(pot_dir: Path, language: str = "de", root: Path = ROOT) -> dict[str, list[str]]:
    """The English entries of the extracted templates that the catalogues of ``language`` do not
    hold yet (a new or changed English paragraph, or a new page): {page: [msgid]}."""
    have = {page: {entry.english for entry in entries} for page, entries in catalogue(language, root).items()}
    missing = {page: [msgid for msgid in msgids if msgid not in have.get(page, set())]
               for page, msgids in templates(pot_dir).items()}
    return {page: msgids for page, msgids in missing.items() if msgids}


def code_entries(language: str = "de", root: Path = ROOT) -> list[Entry]:
    """The entries of the code's catalogue (``book/locales/<language>/LC_MESSAGES/book.po``)."""
    from sphinx_intl.catalog import load_po

    path = code_catalogue(language, root)
    return [Entry("book", m.id, m.string, m.fuzzy) for m in load_po(str(path)) if m.id] if path.exists() else []


def coverage(language: str = "de", root: Path = ROOT) -> dict[str, tuple[int, int, int]]:
    """{page: (translated, fuzzy, untranslated)} for every page's catalogue, and for the code's
    messages ("book")."""
    pages = {**catalogue(language, root), "book": code_entries(language, root)}
    return {page: (sum(1 for e in entries if e.german and not e.fuzzy), sum(1 for e in entries if e.fuzzy),
                   sum(1 for e in entries if not e.german))
            for page, entries in pages.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book.tooling.i18n", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "status"])
    parser.add_argument("--language", default="de", choices=sorted(TRANSLATIONS))
    args = parser.parse_args(argv)
    if args.command == "update":
        print(update(args.language))
    for page, (done, fuzzy, missing) in coverage(args.language).items():
        total = done + fuzzy + missing
        print(f"{page:40s} {done:4d}/{total:<4d} translated  {fuzzy:3d} fuzzy  {missing:3d} untranslated"
              + ("" if page in RELEASED else "  (not released)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
