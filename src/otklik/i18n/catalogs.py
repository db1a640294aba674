"""The message catalogs: one gettext domain, compiled `.mo` files shipped in otklik/locale."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "otklik"
LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
"""Each language in its own words, for the language switch."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext bound to one language."""

    language: str
    catalog: gettext.NullTranslations

    def gettext(self, message: str, **values: object) -> str:
        """The message in this language, %-formatted with `values` when given."""
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for count `n` (Russian has three), formatted with `num` and `values`."""
        text = self.catalog.ngettext(singular, plural, n)
        return text % {"num": n, **values}


@lru_cache(maxsize=8)
def translator(language: str) -> Translator:
    """The translator for a language code (English for an unknown one)."""
    code = language_or_default(language)
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])
    return Translator(code, catalog)


def language_or_default(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """`code` when it is one we serve (ru-RU counts as ru), else `default`."""
    if code:
        base = code.strip().lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES:
            return base
    return default


def negotiate(accept_language: str | None) -> str | None:
    """The best language we serve for an Accept-Language header, or None."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        served = language_or_default(code, "")
        if served and quality > 0:
            ranked.append((-quality, index, served))
    return min(ranked)[2] if ranked else None
