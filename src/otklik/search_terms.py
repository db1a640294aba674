"""Turning a query-language `q` into what the text index can answer, plus the exact test.

The index narrows the mentions to candidates: every form of a dictionary word, prefixes of
Kazakh and English stems, and spellings of names in both scripts. The compiled query then
decides on each candidate, so morphology, transliteration, typos, NOT and NEAR stay exact.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from otklik.querylang.match import compile_query
from otklik.querylang.parse import And, Near, Node, Not, Or, Phrase, Prefix, Term, parse
from otklik.storage import Store
from otklik.storage.search import Term as SearchTerm
from otklik.text.morphology import (
    analyzer,
    english_stems,
    has_kazakh_letters,
    is_dictionary_word,
    kazakh_stems,
    normalise,
)
from otklik.text.translit import is_latin, to_cyrillic, to_latin

Group = list[SearchTerm]
_NAME_PREFIX = 4  # letters of a name's spelling that must be right for the index to find it


def open_store(url: str) -> Store:
    """A store whose `q` searches speak the query language."""
    return Store.open(url, groups_for, predicate_for)


def groups_for(query: str) -> list[Group]:
    """Term groups (AND of ORs) every matching mention contains; [] when nothing narrows."""
    return _groups(parse(query))


@lru_cache(maxsize=256)
def predicate_for(query: str) -> Callable[[str], bool]:
    """The exact query-language test for a text."""
    return compile_query(query).matches


def _groups(node: Node) -> list[Group]:
    if isinstance(node, Term):
        return [_word_terms(node.word)]
    if isinstance(node, Prefix):
        return [[(normalise(node.stem), True)]]
    if isinstance(node, Phrase):
        return [_word_terms(word) for word in node.words]
    if isinstance(node, And):
        return [g for part in node.parts for g in _groups(part)]
    if isinstance(node, Near):
        return _groups(node.left) + _groups(node.right)
    if isinstance(node, Or):
        merged: Group = []
        for part in node.parts:
            groups = _groups(part)
            if not groups:
                return []  # one side can match anything, so the index cannot narrow
            merged.extend(groups[0])
        return [list(dict.fromkeys(merged))]
    if isinstance(node, Not):
        return []
    return []


def _word_terms(word: str) -> Group:
    lower = normalise(word)
    if is_latin(lower):
        return _name_terms(lower) + [(s, False) for s in english_stems(lower)]
    if has_kazakh_letters(lower):
        stems = kazakh_stems(lower) or [lower]
        return [(min(stems, key=len), True)]
    if is_dictionary_word(lower):
        forms = {lower}
        for parse in analyzer().parse(lower)[:3]:
            forms.update(normalise(f.word) for f in parse.lexeme)
        return _with_yo([(f, False) for f in sorted(forms)])
    return _name_terms(lower)


def _name_terms(lower: str) -> Group:
    spellings = {lower, to_cyrillic(lower) if is_latin(lower) else to_latin(lower)}
    terms: Group = []
    for spelling in sorted(spellings):
        if len(spelling) > _NAME_PREFIX:
            terms.append((spelling[:_NAME_PREFIX], True))
        else:
            terms.append((spelling, True))
    return _with_yo(terms)


def _with_yo(terms: Group) -> Group:
    # Texts write ё or е as they like; the index keeps them apart.
    out = list(terms)
    for word, prefix in terms:
        if "е" in word:
            out.append((word.replace("е", "ё"), prefix))
    return list(dict.fromkeys(out))
