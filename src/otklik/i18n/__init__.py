"""Kazakh, Russian and English: gettext catalogs (otklik/locale) and CLDR formatting (Babel),
shared by the web pages, e-mails and CLI messages."""

from __future__ import annotations

from otklik.i18n.catalogs import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Translator,
    language_or_default,
    negotiate,
    translator,
)
from otklik.i18n.formats import Formats

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "Formats",
    "Translator",
    "language_or_default",
    "negotiate",
    "translator",
]
