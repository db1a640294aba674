"""Tokens with character offsets and the word forms each token stands for (ru, kk, en)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from otklik.text.translit import deletes, is_latin, skeleton, skeletons

if TYPE_CHECKING:
    import pymorphy3

# Words a typo-tolerant name may be; shorter names (Сбер, Озон, Kaspi) must match exactly.
TYPO_MIN_LETTERS = 6
_TYPO_TOKEN_MIN = TYPO_MIN_LETTERS - 1
_TYPO_TOKEN_MAX = 40

_WORD = re.compile(r"[^\W_]+")
_JOINERS = frozenset("-'’`")
_LATIN_THEN_CYRILLIC = re.compile(r"([a-z0-9]+)([а-яёәғқңөұүһі]+)")
_KAZAKH_LETTERS = frozenset("әғқңөұүһі")

# Kazakh plural, possessive and case endings, longest first so a chain peels off cleanly.
_KAZAKH_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "лар", "лер", "дар", "дер", "тар", "тер",
            "ның", "нің", "дың", "дің", "тың", "тің",
            "ға", "ге", "қа", "ке", "на", "не", "йға", "йге",
            "ны", "ні", "ды", "ді", "ты", "ті",
            "да", "де", "та", "те", "нда", "нде",
            "дан", "ден", "тан", "тен", "нан", "нен",
            "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі", "ша", "ше",
            "мен", "бен", "пен", "менен", "бенен", "пенен",
            "ым", "ім", "ың", "ің", "сы", "сі", "мыз", "міз", "ымыз", "іміз",
            "ңыз", "ңіз", "ыңыз", "іңіз", "ы", "і", "н", "м", "ң",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_KAZAKH_SUFFIX_SET = frozenset(_KAZAKH_SUFFIXES)
_KAZAKH_SUFFIX_SIZES = sorted({len(x) for x in _KAZAKH_SUFFIXES}, reverse=True)
# Endings allowed after a hyphen or apostrophe: Kaspi-ге, Ozon-а, Ozon's.
_JOINED_ENDINGS = frozenset(_KAZAKH_SUFFIXES) | {
    "а", "у", "е", "ом", "ой", "ов", "ам", "ами", "ах", "ы", "s",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What one lower-cased word stands for when matching."""

    lower: str
    forms: frozenset[str]
    keys: frozenset[str]
    typo_skeletons: tuple[str, ...]
    is_known: bool
    is_latin: bool
    is_nominative: bool
    is_comparative: bool
    is_preposition: bool


class Token(NamedTuple):
    """A word in a text: its span (suffix after a hyphen included) and what it stands for."""

    start: int
    end: int
    info: WordInfo


# Compared by identity: patterns are cached per word, and hashing their key sets is slow.
@dataclass(frozen=True, slots=True, eq=False)
class WordPattern:
    """A query word compiled for matching: exact keys plus an optional typo skeleton."""

    word: str
    keys: frozenset[str]
    typo_keys: frozenset[str]
    typo_skeleton: str | None
    is_dictionary_word: bool


@lru_cache(maxsize=1)
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide Russian analyzer, created on first use."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def normalise(word: str) -> str:
    """Lower case with ё folded to е, as both queries and texts are compared."""
    return word.lower().replace("ё", "е")


def kazakh_stems(word: str, min_stem: int = 3) -> list[str]:
    """Stems left after peeling Kazakh endings off (жеткізуден -> жеткізу)."""
    stems: list[str] = []
    current = word
    for _ in range(3):
        for size in _KAZAKH_SUFFIX_SIZES:
            stem = current[:-size]
            if current[-size:] in _KAZAKH_SUFFIX_SET and len(stem) >= max(
                min_stem, 4 if size == 1 else 0
            ):
                stems.append(stem)
                current = stem
                break
        else:
            break
    return stems


def english_stems(word: str) -> list[str]:
    """Singular of an English plural (reviews -> review, deliveries -> delivery)."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return []
    if word.endswith("ies"):
        return [word[:-3] + "y", word[:-1]]
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return [word[:-2], word[:-1]]
    return [word[:-1]]


def has_kazakh_letters(word: str) -> bool:
    """True when the word uses letters only the Kazakh alphabet has."""
    return not _KAZAKH_LETTERS.isdisjoint(word)


_ENGLISH_PREPOSITIONS = frozenset(
    "at in on from to by via with for of than about through into".split()
)


def _text_forms(lower: str) -> tuple[set[str], bool, bool, bool, bool]:
    forms = {lower}
    if is_latin(lower):
        forms.update(english_stems(lower))
        return forms, False, False, False, lower in _ENGLISH_PREPOSITIONS
    mixed = _LATIN_THEN_CYRILLIC.fullmatch(lower)
    if mixed:
        forms.add(mixed.group(1))
        return forms, False, False, False, False
    morph = analyzer()
    if not morph.word_is_known(lower):
        # pymorphy's guesses for unknown words are slow and no better than case endings.
        stems = russian_name_stems(lower)
        forms.update(stems)
        forms.update(kazakh_stems(lower))
        is_nominative = not stems or lower.endswith(("ы", "и"))
        return forms, False, is_nominative, False, False
    parses = morph.parse(lower)
    forms.update(normalise(p.normal_form) for p in parses)
    tag = parses[0].tag
    is_preposition = "PREP" in tag or lower == "чем"
    return forms, True, "nomn" in tag, "COMP" in tag, is_preposition


_RUSSIAN_ENDINGS = (
    "ами", "ями", "ого", "его", "ому", "ему", "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях",
    "ов", "ев", "ы", "и", "а", "я", "у", "ю", "е",
)  # fmt: skip


def russian_name_stems(word: str) -> list[str]:
    """Stems of a name the dictionary does not know, without a Russian case ending
    (Сбером -> сбер, СДЭКа -> сдэк)."""
    return [
        word[: -len(e)] for e in _RUSSIAN_ENDINGS if word.endswith(e) and len(word) - len(e) >= 3
    ]


@lru_cache(maxsize=200_000)
def word_info(lower: str) -> WordInfo:
    """Forms and match keys of a lower-cased text word; cached, this is the hot path."""
    forms, is_known, is_nominative, is_comparative, is_preposition = _text_forms(lower)
    latin = is_latin(lower)
    keys: set[str] = set()
    spellings = {s for f in forms for s in skeletons(f)}
    for form in forms:
        keys.add("w:" + form)
        if len(form) >= 3:
            keys.add("p:" + form[:3])
    keys.update("t:" + s for s in spellings)
    if latin:
        keys.update("l:" + s for s in spellings)
    typo: tuple[str, ...] = ()
    # Typo keys grow with the square of the length; no name is longer than this.
    if not is_known and _TYPO_TOKEN_MIN <= len(lower) <= _TYPO_TOKEN_MAX:
        typo = tuple(sorted(s for s in spellings if len(s) >= _TYPO_TOKEN_MIN))
        for s in typo:
            keys.add("d:" + s)
            keys.update("d:" + d for d in deletes(s))
    return WordInfo(
        lower=lower,
        forms=frozenset(forms),
        keys=frozenset(keys),
        typo_skeletons=typo,
        is_known=is_known,
        is_latin=latin,
        is_nominative=is_nominative,
        is_comparative=is_comparative,
        is_preposition=is_preposition,
    )


@lru_cache(maxsize=200_000)
def _surface_info(surface: str) -> WordInfo:
    return word_info(normalise(surface))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    last_end = -2
    joined = False
    for found in _WORD.finditer(text):
        start, end = found.span()
        surface = found.group()
        if (
            start == last_end + 1
            and not joined
            and text[last_end] in _JOINERS
            and normalise(surface) in _JOINED_ENDINGS
        ):
            last = tokens[-1]
            tokens[-1] = Token(last.start, end, last.info)
            joined = True
        else:
            tokens.append(Token(start, end, _surface_info(surface)))
            joined = False
        last_end = end
    return tuple(tokens)


def tokenize(text: str) -> list[Token]:
    """Words of a text with offsets; Kaspi-ге and Ozon's become one token for Kaspi / Ozon."""
    # Recent texts are cached: the brands and tags stages tokenize the same batch.
    return list(_tokens(text))


def is_dictionary_word(lower: str) -> bool:
    """True for a word the Russian dictionary knows, or a Kazakh word (Kazakh letters)."""
    if is_latin(lower):
        return False
    return has_kazakh_letters(lower) or bool(analyzer().word_is_known(lower))


@lru_cache(maxsize=50_000)
def word_pattern(word: str) -> WordPattern:
    """Compile one query word: dictionary words match their own forms; names also match
    transliterations and, from six letters on, one-letter typos."""
    lower = normalise(word)
    dictionary = is_dictionary_word(lower)
    forms = {lower}
    if is_latin(lower):
        forms.update(english_stems(lower))
    elif has_kazakh_letters(lower):
        forms.update(kazakh_stems(lower))
    elif dictionary:
        forms.update(normalise(p.normal_form) for p in analyzer().parse(lower))
    keys = {"w:" + f for f in forms}
    # A name also matches its other-script spelling; a Russian dictionary word only
    # matches Latin spellings of itself (Ozon for озон), never other Cyrillic words.
    prefix = "l:" if dictionary else "t:"
    if not has_kazakh_letters(lower):
        keys.update(prefix + s for f in forms for s in skeletons(f))
    typo_skeleton: str | None = None
    typo_keys: frozenset[str] = frozenset()
    letters = sum(ch.isalpha() for ch in lower)
    if not dictionary and TYPO_MIN_LETTERS <= letters <= _TYPO_TOKEN_MAX:
        typo_skeleton = skeleton(lower)
        typo_keys = frozenset({"d:" + typo_skeleton} | {"d:" + d for d in deletes(typo_skeleton)})
    return WordPattern(word, frozenset(keys), typo_keys, typo_skeleton, dictionary)
