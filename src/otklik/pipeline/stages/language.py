"""The `language` stage: lingua restricted to the languages we serve, plus cheap evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otklik.errors import ConfigError
from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item
from otklik.text.kazakh_latin import looks_latin_kazakh, short_cyrillic_is_kazakh

if TYPE_CHECKING:
    from lingua import LanguageDetector

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#](?=\w)|@\w+|\S+@\S+\.\w+")
_HANDLE = re.compile(r"@\w+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_KAZAKH_ONLY = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_LATIN = re.compile("[a-zA-Z]")

_MAX_CHARS = 500
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
# Texts of at most this many words are too short for lingua to tell Russian from Kazakh
# without Kazakh letters; it must be this sure of Kazakh (chosen on the dev splits).
_SHORT_WORDS = 2
_SHORT_KAZAKH_CONFIDENCE = 0.7
_ISO_TO_LINGUA = {
    "ru": "RUSSIAN",
    "kk": "KAZAKH",
    "en": "ENGLISH",
    "uk": "UKRAINIAN",
    "be": "BELARUSIAN",
    "uz": "UZBEK",
    "ky": "KYRGYZ",
    "tr": "TURKISH",
    "de": "GERMAN",
    "fr": "FRENCH",
    "es": "SPANISH",
    "it": "ITALIAN",
    "pl": "POLISH",
    "zh": "CHINESE",
    "ar": "ARABIC",
}


def strip_noise(text: str) -> str:
    """Text without URLs, @handles and the `#` of hashtags, which mislead detection."""
    text = _HANDLE.sub(" ", text)
    return _NOISE.sub(" ", text)


@dataclass(frozen=True, slots=True)
class Detected:
    """The language found (ISO 639-1), or None for text without letters."""

    language: str | None


@register("language")
class LanguageStage:
    """Detects each item's language among a configured set (ISO 639-1 codes)."""

    name = "language"
    requires = frozenset({"clean_text"})
    provides = frozenset({"language"})

    def __init__(self, languages: Sequence[str] = ("ru", "kk", "en")) -> None:
        unknown = [code for code in languages if code not in _ISO_TO_LINGUA]
        if unknown:
            known = ", ".join(sorted(_ISO_TO_LINGUA))
            raise ConfigError(f"unsupported language codes {unknown}; supported: {known}")
        self.languages = tuple(languages)
        self._detector: LanguageDetector | None = None
        self._codes: dict[object, str] = {}

    def load(self) -> None:
        """Build the detector once (lingua ships its own models)."""
        if self._detector is not None:
            return
        from lingua import Language, LanguageDetectorBuilder

        langs = [getattr(Language, _ISO_TO_LINGUA[code]) for code in self.languages]
        if len(langs) == 1:
            # lingua needs two languages to choose between; a second one is never reported.
            langs.append(Language.LATIN)
        self._detector = LanguageDetectorBuilder.from_languages(*langs).build()
        self._codes = {getattr(Language, _ISO_TO_LINGUA[c]): c for c in self.languages}

    def run(self, batch: Sequence[Item]) -> list[Detected]:
        """Detect languages; texts without letters get None."""
        self.load()
        assert self._detector is not None
        results: list[str | None] = [None] * len(batch)
        pending: list[tuple[int, str]] = []
        for index, item in enumerate(batch):
            # The opening is enough to tell the language; lingua slows badly on long runs.
            text = strip_noise(item["clean_text"][:_MAX_CHARS])
            decided, code = self._cheap_evidence(text)
            if decided:
                results[index] = code
            else:
                pending.append((index, text))
        if pending:
            found = self._detector.detect_languages_in_parallel_of([t for _, t in pending])
            for (index, _), language in zip(pending, found, strict=True):
                results[index] = self._codes.get(language) if language is not None else None
        return [Detected(code) for code in results]

    def _short_is_kazakh(self, text: str) -> bool:
        if short_cyrillic_is_kazakh(text):
            return True
        assert self._detector is not None
        confidence = {
            self._codes.get(c.language): c.value
            for c in self._detector.compute_language_confidence_values(text.lower())
        }
        return confidence.get("kk", 0.0) >= _SHORT_KAZAKH_CONFIDENCE

    def _cheap_evidence(self, text: str) -> tuple[bool, str | None]:
        letters = len(_LETTER.findall(text))
        if letters == 0:
            return True, None
        if "kk" in self.languages and len(_KAZAKH_ONLY.findall(text)) >= max(1, letters // 100):
            return True, "kk"
        served = set(self.languages) <= {"ru", "kk", "en"}
        if "en" in self.languages and not _CYRILLIC.search(text) and served:
            # Latin-only text among ru/kk/en is English unless it reads as Latin-script
            # Kazakh (lingua, trained on Cyrillic Kazakh, calls it English).
            if "kk" in self.languages and looks_latin_kazakh(text):
                return True, "kk"
            return True, "en"
        if "ru" in self.languages and "kk" in self.languages and served:
            words = len(_WORDS.findall(text))
            if _CYRILLIC.search(text) and words <= _SHORT_WORDS:
                # One or two Cyrillic words without Kazakh letters: Russian unless a word is
                # Kazakh typed without them or lingua is quite sure (it guesses Kazakh for
                # 2.6% of short Russian posts at its default, 0.6% at this bar).
                return True, "kk" if self._short_is_kazakh(text) else "ru"
        if _CYRILLIC.search(text) and not _LATIN.search(text) and "en" in self.languages:
            if set(self.languages) == {"ru", "en"}:
                return True, "ru"
        return False, None
