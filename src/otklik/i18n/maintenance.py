"""Keeping the catalogs in step with the code: extract the strings, update each language's
`.po`, compile the `.mo` files, and list what is missing, stale or untranslated."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from otklik.i18n.catalogs import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE_DIR = LOCALE_DIR.parent
METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.txt", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {
    "**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"},
    "**/templates/**.txt": {"extensions": "jinja2.ext.i18n", "trimmed": "true"},
}
# Plural rules (CLDR): Russian has one / few / many; Kazakh and English one / other.
PLURALS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<12 || n%100>14) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}


def po_path(language: str) -> Path:
    """The `.po` file of a language."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable string in the package's code and templates."""
    template = Catalog(project="otklik", charset="utf-8")
    found = extract_from_dir(PACKAGE_DIR, METHODS, OPTIONS, strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load(language: str) -> Catalog:
    """A language's catalog as stored."""
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def update(template: Catalog) -> None:
    """Bring each `.po` in step with `template`: new strings added (English filled in from
    the source), gone ones dropped, locations refreshed."""
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = load(language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="otklik", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == "en":
            _fill_english(catalog)
        _write_po(catalog, language)


def _fill_english(catalog: Catalog) -> None:
    for message in catalog:
        if message.id and not _translated(message):
            message.string = message.id  # the source strings are English


def _write_po(catalog: Catalog, language: str) -> None:
    catalog.fuzzy = False
    catalog.project, catalog.version = "otklik", "0.1"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "Otklik contributors"
    catalog.language_team = f"Otklik {language}"
    catalog.header_comment = (
        f"# {catalog.locale.english_name if catalog.locale else language} messages of Otklik.\n"
        "# Refresh with scripts/i18n; words for domain terms: ../../GLOSSARY.md"
    )
    # Babel takes the plural rule from its own table; ours is the one in PLURALS.
    catalog._set_mime_headers([("Plural-Forms", PLURALS[language])])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    text = buffer.getvalue().decode("utf-8")
    lines = [
        line
        for line in text.splitlines()
        if not line.startswith(('"POT-Creation-Date:', '"PO-Revision-Date:'))
    ]
    po_path(language).write_text("\n".join(lines) + "\n", encoding="utf-8")


def compiled(language: str) -> bytes:
    """The `.mo` bytes for a language's `.po`."""
    catalog = load(language)
    # The .po files keep no dates (they would change on every run), so neither does the .mo.
    catalog.creation_date = catalog.revision_date = datetime(2026, 1, 1, tzinfo=UTC)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    """Write each language's `.mo` beside its `.po`."""
    for language in LANGUAGES:
        po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def problems(template: Catalog | None = None) -> list[str]:
    """What is wrong with the catalogs: strings missing from one, stale ones, untranslated or
    fuzzy ones, wrong plural rules, and `.mo` files that do not match their `.po`."""
    template = template if template is not None else extract()
    wanted = {_key(m) for m in template if m.id}
    found: list[str] = []
    for language in LANGUAGES:
        if not po_path(language).exists():
            found.append(f"{language}: no catalog at {po_path(language)}")
            continue
        catalog = load(language)
        have = {_key(m) for m in catalog if m.id}
        found += [f"{language}: missing {k!r}" for k in sorted(wanted - have, key=str)]
        found += [f"{language}: stale {k!r}" for k in sorted(have - wanted, key=str)]
        found += [
            f"{language}: untranslated {m.id!r}"
            for m in catalog
            if m.id and (not _translated(m) or m.fuzzy)
        ]
        if catalog.plural_forms.replace(" ", "") != PLURALS[language].replace(" ", ""):
            found.append(f"{language}: plural rule {catalog.plural_forms!r}")
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(language):
            found.append(f"{language}: {mo.name} does not match {po_path(language).name}")
    return found


def _key(message: Message) -> object:
    return (message.context, message.id)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def main(argv: list[str]) -> int:
    """`extract`+`update`+`compile` (the default), or `check` (exit 1 listing the problems)."""
    command = argv[0] if argv else "all"
    if command == "check":
        issues = problems()
        for line in issues:
            sys.stderr.write(line + "\n")
        return 1 if issues else 0
    if command in ("all", "update"):
        update(extract())
    if command in ("all", "compile"):
        compile_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
