"""The `brands` stage: which brands a mention names, each one's role, context and comparisons."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item
from otklik.querylang.match import Document, RuleSet, Span
from otklik.text.morphology import analyzer

# Sentence ends; the text between two of them is one sentence.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+")
# Clause breaks that start a new clause (", но СДЭК быстрее", " but ", "; ").
_CLAUSE_BEFORE = re.compile(
    r",?\s+(?:но|а|однако|зато|but|whereas|while|however|ал|бірақ|алайда)\s"
    r"|,\s*(?:чем|than|в отличие от|unlike)\s|\s(?:than|чем)\s|;\s*",
    re.IGNORECASE,
)
# Kazakh postpositions end their clause: "СДЭК-ке қарағанда | Boxberry арзан".
_CLAUSE_AFTER = re.compile(r"\s(?:қарағанда|гөрі)[,]?\s", re.IGNORECASE)
_COMPARISON = re.compile(
    r"(?<!\w)(?:чем|than|vs\.?|versus|против|в отличие от|по сравнению с|compared (?:to|with)|"
    r"unlike|қарағанда|гөрі|артық|better|worse|cheaper|faster|slower|дешевле|дороже|"
    r"лучше|хуже|быстрее|медленнее|удобнее|надёжнее|надежнее)(?!\w)",
    re.IGNORECASE,
)
# Comparatives that praise (+1) or fault (-1) what they describe: in "Boxberry дешевле, чем
# СДЭК" the word goes to the brand before it and, reversed, to the one after "чем".
_COMPARATIVE_LEAN = {
    **dict.fromkeys(
        "лучше дешевле быстрее удобнее надёжнее надежнее вежливее аккуратнее проще выгоднее "
        "качественнее понятнее приятнее безопаснее оперативнее доступнее точнее "
        "better cheaper faster quicker easier friendlier safer nicer "
        "жақсырақ арзанырақ арзан жылдамырақ тезірек ыңғайлырақ".split(),
        1,
    ),
    **dict.fromkeys(
        "хуже дороже медленнее дольше сложнее грубее неудобнее опаснее "
        "worse pricier slower harder ruder "
        "нашар нашарырақ қымбатырақ қымбат баяуырақ".split(),
        -1,
    ),
}
# Words that make the brand next to them the one compared against.
_AGAINST_BEFORE = frozenset("чем than unlike против vs versus".split())
_AGAINST_AFTER = frozenset(("қарағанда", "гөрі"))

# A sentence naming this many brands, each only there, is a list of passing mentions.
LIST_SIZE = 3
MAIN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class BrandRule:
    """A monitored brand: its id, display name, query, and whether it is our own."""

    id: int
    name: str
    query: str
    own: bool = False


@dataclass(frozen=True, slots=True)
class BrandMatch:
    """A brand found in a mention: its role and why, where, the text about it, and whether
    it is compared with another (`comparison_lean` +1 / -1 when comparatives praise or
    fault it)."""

    brand_id: int
    role: str
    role_reason: str
    spans: tuple[tuple[int, int], ...]
    context: str
    is_comparison: bool
    comparison_lean: int = 0


@dataclass(frozen=True, slots=True)
class BrandMatches:
    """The brands a mention names, in text order."""

    brand_hits: tuple[BrandMatch, ...]


@dataclass(frozen=True, slots=True)
class _Clause:
    start: int
    end: int
    sentence: int


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character ranges of the sentences of a text."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if text[start : end.end()].strip():
            ranges.append((start, end.end()))
        start = end.end()
    if text[start:].strip():
        ranges.append((start, len(text)))
    return ranges


def split_clauses(text: str, sentences: list[tuple[int, int]]) -> list[_Clause]:
    """Clauses of each sentence, split where the text turns to another brand or claim."""
    clauses: list[_Clause] = []
    for number, (start, end) in enumerate(sentences):
        cuts = {start, end}
        piece = text[start:end]
        cuts.update(start + m.start() for m in _CLAUSE_BEFORE.finditer(piece))
        cuts.update(start + m.end() for m in _CLAUSE_AFTER.finditer(piece))
        edges = sorted(cuts)
        for a, b in zip(edges, edges[1:], strict=False):
            if text[a:b].strip(" ,;"):
                clauses.append(_Clause(a, b, number))
    return clauses


def _locate(position: int, ranges: Sequence[tuple[int, int]]) -> int:
    for number, (start, end) in enumerate(ranges):
        if start <= position < end:
            return number
    return len(ranges) - 1


def _clean(text: str) -> str:
    return re.sub(r"^[\s,;:—–-]+|[\s,;:—–-]+$", "", text)


class BrandMatcher:
    """Brand queries compiled once; `analyse` gives the brand hits of one mention."""

    def __init__(self, brands: Sequence[BrandRule]) -> None:
        self.brands = {brand.id: brand for brand in brands}
        self.rules = RuleSet({brand.id: brand.query for brand in brands})

    def analyse(self, text: str, title: str | None = None) -> list[BrandMatch]:
        """Brand hits of a text: id, role with its reason, spans, context and comparison flag."""
        doc = self.rules.document(text)
        found = {k: v for k, v in self.rules.match_document(doc).items() if v}
        if not found:
            return []
        in_title: set[int] = set()
        if title:
            title_doc = self.rules.document(title)
            in_title = {k for k, v in self.rules.match_document(title_doc).items() if v}
        sentences = split_sentences(text) or [(0, len(text))]
        clauses = split_clauses(text, sentences) or [_Clause(0, len(text), 0)]
        clause_ranges = [(c.start, c.end) for c in clauses]
        brands_in_sentence: dict[int, set[int]] = {}
        sentences_of: dict[int, set[int]] = {}
        clauses_of: dict[int, set[int]] = {}
        for brand_id, spans in found.items():
            for span in spans:
                sentence = _locate(span.start, sentences)
                brands_in_sentence.setdefault(sentence, set()).add(brand_id)
                sentences_of.setdefault(brand_id, set()).add(sentence)
                clauses_of.setdefault(brand_id, set()).add(_locate(span.start, clause_ranges))
        comparing = {
            n
            for n, ids in brands_in_sentence.items()
            if len(ids) > 1 and self._compares(doc, sentences[n])
        }
        leans = _comparison_leans(doc, found, sentences, comparing)
        hits: list[BrandMatch] = []
        for brand_id, spans in found.items():
            role, reason = self._role(
                doc, brand_id, spans, in_title, sentences, clauses, sentences_of, brands_in_sentence
            )
            if len(found) == 1:
                context = text  # the whole mention is about its only brand
            else:
                context = " … ".join(
                    _clean(text[clauses[n].start : clauses[n].end])
                    for n in sorted(clauses_of[brand_id])
                )
            hits.append(
                BrandMatch(
                    brand_id,
                    role,
                    reason,
                    tuple((s.start, s.end) for s in spans),
                    context,
                    bool(sentences_of[brand_id] & comparing),
                    leans.get(brand_id, 0),
                )
            )
        hits.sort(key=lambda hit: (hit.spans[0][0], hit.brand_id))
        return hits

    @staticmethod
    def _compares(doc: Document, sentence: tuple[int, int]) -> bool:
        start, end = sentence
        if _COMPARISON.search(doc.text, start, end):
            return True
        return any(t.info.is_comparative for t in doc.tokens if start <= t.start < end)

    def _role(
        self,
        doc: Document,
        brand_id: int,
        spans: list[Span],
        in_title: set[int],
        sentences: list[tuple[int, int]],
        clauses: list[_Clause],
        sentences_of: dict[int, set[int]],
        brands_in_sentence: dict[int, set[int]],
    ) -> tuple[str, str]:
        mine = sentences_of[brand_id]
        if brand_id in in_title:
            return "main", "named in the title"
        if len(mine) == 1:
            listed = brands_in_sentence[next(iter(mine))]
            if len(listed) >= LIST_SIZE:
                return "passing", f"one of {len(listed)} brands listed in one sentence"
        if 0 in mine:
            return "main", "named in the first sentence"
        subject = self._subject_clause(doc, spans, clauses)
        if subject is not None:
            return "main", f"the subject of «{subject}»"
        share = len(mine) / len(sentences)
        if share >= MAIN_SHARE:
            return "main", f"named in {len(mine)} of {len(sentences)} sentences"
        return "passing", f"named in {len(mine)} of {len(sentences)} sentences, not as the subject"

    @staticmethod
    def _subject_clause(doc: Document, spans: list[Span], clauses: list[_Clause]) -> str | None:
        """The clause where the brand is the grammatical subject: nominative (Russian) or
        first in its clause, and not after a preposition or `чем`/`than`."""
        tokens = doc.tokens
        for span in spans:
            index = next(i for i, t in enumerate(tokens) if t.start == span.start)
            token = tokens[index]
            clause = next((c for c in clauses if c.start <= token.start < c.end), None)
            if clause is None:
                continue
            before = [t for t in tokens[:index] if t.start >= clause.start]
            if before and before[-1].info.is_preposition:
                continue
            if not before or (token.info.is_nominative and not token.info.is_latin):
                return _clean(doc.text[clause.start : clause.end])
        return None


def _comparison_leans(
    doc: Document,
    found: Mapping[int, Sequence[Span]],
    sentences: Sequence[tuple[int, int]],
    comparing: set[int],
) -> dict[int, int]:
    """Each brand's sum of the comparatives about it in comparison sentences, as -1, 0 or +1.

    A comparative word belongs to the nearest brand before it ("X дешевле"), and reversed to
    a brand after "чем/than" that follows it ("…, чем Y") or before "қарағанда" ("Y-ке
    қарағанда X арзан": X gets it, Y the reverse)."""
    if not comparing:
        return {}
    totals: dict[int, int] = {}
    for number in comparing:
        start, end = sentences[number]
        tokens = [t for t in doc.tokens if start <= t.start < end]
        words = [t.info.lower for t in tokens]
        owner: list[int | None] = [None] * len(tokens)
        for brand_id, spans in found.items():
            for span in spans:
                for i, token in enumerate(tokens):
                    if span.start <= token.start < span.end:
                        owner[i] = brand_id
        for i, word in enumerate(words):
            lean = _COMPARATIVE_LEAN.get(word)
            if lean is None:
                continue
            praised = next((owner[j] for j in range(i - 1, -1, -1) if owner[j] is not None), None)
            against = None
            for j in range(i + 1, min(i + 4, len(tokens))):
                if words[j - 1] in _AGAINST_BEFORE and owner[j] is not None:
                    against = owner[j]
                    break
            # "Y-ке қарағанда X арзан": the brand before the postposition is the rival.
            rivals = [
                owner[j]
                for j in range(i - 1, -1, -1)
                if owner[j] is not None and set(words[j + 1 : j + 3]) & _AGAINST_AFTER
            ]
            if rivals:
                against = against or rivals[0]
                if praised == against:
                    praised = next(
                        (owner[j] for j in range(i - 1, -1, -1) if owner[j] not in (None, against)),
                        None,
                    )
            if praised is not None and praised != against:
                totals[praised] = totals.get(praised, 0) + lean
            if against is not None and against != praised:
                totals[against] = totals.get(against, 0) - lean
    return {brand_id: (n > 0) - (n < 0) for brand_id, n in totals.items()}


@register("brands")
class BrandsStage:
    """Finds the configured brands in each mention, with role, context and comparison flag."""

    name = "brands"
    requires = frozenset({"clean_text"})
    provides = frozenset({"brand_hits"})

    def __init__(self, brands: Sequence[BrandRule] = ()) -> None:
        self.brands = tuple(brands)
        self._matcher: BrandMatcher | None = None

    def load(self) -> None:
        """Compile the brand queries and load the Russian dictionary."""
        if self._matcher is None:
            analyzer()
            self._matcher = BrandMatcher(self.brands)

    def run(self, batch: Sequence[Item]) -> list[BrandMatches]:
        """Brand hits for each item, in order."""
        if not self.brands:  # nothing to find: skip analysing every text
            return [BrandMatches(()) for _ in batch]
        self.load()
        assert self._matcher is not None
        matcher = self._matcher
        return [
            BrandMatches(tuple(matcher.analyse(item.get("clean_text") or "", item.get("title"))))
            for item in batch
        ]
