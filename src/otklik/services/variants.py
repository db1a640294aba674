"""Brand-name variants in stored mentions: word forms, transliterations and misspellings a
brand query may miss, with how many mentions each would add."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.services.context import Services
from otklik.services.mentions import walk
from otklik.services.queries import check
from otklik.text.morphology import tokenize, word_pattern
from otklik.text.translit import is_latin, skeleton, to_cyrillic, to_latin, within_one_edit


@dataclass
class Variant:
    """A spelling of a brand name and the stored mentions that use it."""

    text: str
    kind: str
    mentions: set[int] = field(default_factory=set)
    matched: set[int] = field(default_factory=set)

    def row(self) -> dict[str, Any]:
        """The table row: how many mentions use it and how many a query would gain."""
        return {
            "variant": self.text,
            "kind": self.kind,
            "mentions": len(self.mentions),
            "would_add": len(self.mentions - self.matched),
        }


def generated_variants(name: str) -> dict[str, str]:
    """Spellings worth checking for a name: other script, word forms, doubled letters."""
    lower = name.lower()
    out: dict[str, str] = {}
    other = to_cyrillic(lower) if is_latin(lower) else to_latin(lower)
    out[other] = "transliteration"
    cyrillic = other if is_latin(lower) else lower
    if cyrillic[-1:] not in "аеёиоуыэюяй":
        for ending in ("а", "у", "ом", "е"):
            out.setdefault(cyrillic + ending, "word form (ru)")
    for ending in ("-ге", "-да", "-дан", "-ның"):
        out.setdefault(lower + ending, "word form (kk)")
    if is_latin(lower):
        out.setdefault(lower + "'s", "word form (en)")
    for i in range(1, len(lower)):
        if lower[i] == lower[i - 1]:
            out.setdefault(lower[:i] + lower[i + 1 :], "misspelling")
    out.pop(lower, None)
    return out


def _kind(surface: str, head: str, info_forms: frozenset[str]) -> str:
    if surface == head:
        return "name"
    if is_latin(surface) != is_latin(head):
        return "transliteration"
    if head in info_forms:
        return "word form"
    return "misspelling"


def find_variants(svc: Services, ws: Workspace, name: str, query: str) -> list[Variant]:
    """Spellings of `name` in stored mentions (forms, transliterations, one-letter typos) with
    how many mentions each has and how many of those `query` does not match yet."""
    matcher = check(query)
    words = [t.info.lower for t in tokenize(name)] or [name.lower()]
    head = max(words, key=len)
    pattern = word_pattern(head)
    target = skeleton(head)
    variants = {text: Variant(text, kind) for text, kind in generated_variants(head).items()}
    for record in walk(svc, ws, Filters()):
        mid = int(record.mention.id or 0)
        text = f"{record.mention.title or ''}\n{record.mention.text}"
        found: dict[str, str] = {}
        for token in tokenize(text):
            info = token.info
            surface = text[token.start : token.end].lower()
            if not pattern.keys.isdisjoint(info.keys):
                found[surface] = _kind(surface, head, info.forms)
            elif any(within_one_edit(s, target) for s in info.typo_skeletons) or (
                not info.is_known and within_one_edit(skeleton(info.lower), target)
            ):
                found[surface] = "misspelling"
        if not found:
            continue
        is_matched = matcher.matches(text)
        for surface, kind in found.items():
            variant = variants.get(surface) or variants.setdefault(surface, Variant(surface, kind))
            variant.mentions.add(mid)
            if is_matched:
                variant.matched.add(mid)
    # Generated word forms no mention uses are noise; other-script spellings are worth showing.
    shown = [v for v in variants.values() if v.mentions or not v.kind.startswith("word form")]
    return sorted(shown, key=lambda v: (-len(v.mentions), v.kind, v.text))
