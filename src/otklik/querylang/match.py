"""Compile queries once and match them against texts, alone or many rules at a time."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from otklik.querylang.parse import And, Node, Not, Or, Phrase, Prefix, Term, parse
from otklik.text.morphology import Token, WordInfo, WordPattern, tokenize, word_pattern
from otklik.text.translit import within_one_edit

# Token ranges [first, last) that made a part match; None when it did not match.
Hits = list[tuple[int, int]] | None
K = TypeVar("K", bound=Hashable)


class Span(NamedTuple):
    """Character offsets [start, end) of a matched stretch of text."""

    start: int
    end: int


class KeyFilter:
    """The match keys some queries look up; a text's other keys are never indexed."""

    def __init__(self, keys: frozenset[str] | None) -> None:
        self.keys = keys
        self._memo: dict[str, tuple[str, ...]] = {}

    def relevant(self, info: WordInfo) -> tuple[str, ...]:
        """Keys of a word that some query uses, memoised per word."""
        found = self._memo.get(info.lower)
        if found is None:
            keys = self.keys
            found = tuple(info.keys if keys is None else (k for k in info.keys if k in keys))
            if len(self._memo) > 500_000:
                self._memo.clear()
            self._memo[info.lower] = found
        return found


_ALL_KEYS = KeyFilter(None)


@dataclass
class Document:
    """A text analysed once (tokens and key positions) for any number of queries."""

    text: str
    tokens: list[Token]
    positions: dict[str, list[int]]
    cache: dict[object, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, keys: KeyFilter = _ALL_KEYS) -> Document:
        """Tokenize a text and index where each match key (of those in `keys`) occurs."""
        tokens = tokenize(text)
        positions: dict[str, list[int]] = {}
        relevant = keys.relevant
        for i, token in enumerate(tokens):
            for key in relevant(token.info):
                found = positions.get(key)
                if found is None:
                    positions[key] = [i]
                else:
                    found.append(i)
        return cls(text, tokens, positions)

    def spans(self, hits: Iterable[tuple[int, int]]) -> list[Span]:
        """Character spans of token ranges, sorted and without repeats."""
        tokens = self.tokens
        return sorted({Span(tokens[a].start, tokens[b - 1].end) for a, b in hits})


class _Part:
    def hits(self, doc: Document) -> Hits:
        raise NotImplementedError

    def test(self, doc: Document) -> bool:
        """True when the part matches; cheaper than `hits` where spans are not needed."""
        return self.hits(doc) is not None

    def anchors(self) -> frozenset[str] | None:
        """Keys of which a text must contain one for this part to match; None if none is needed."""
        return None

    def keys(self) -> frozenset[str]:
        """Every key this part looks up."""
        return frozenset().union(*(p.keys() for p in self.children()))

    def children(self) -> list[_Part]:
        """The parts inside this one."""
        return []


class _Word(_Part):
    def __init__(self, pattern: WordPattern) -> None:
        self.pattern = pattern

    def positions(self, doc: Document) -> list[int]:
        cached = doc.cache.get(self.pattern)
        if cached is not None:
            return cached
        found: set[int] = set()
        positions = doc.positions
        for key in self.pattern.keys:
            at = positions.get(key)
            if at:
                found.update(at)
        skeleton = self.pattern.typo_skeleton
        if skeleton is not None:
            for key in self.pattern.typo_keys:
                for i in positions.get(key, ()):
                    if i not in found and any(
                        within_one_edit(s, skeleton) for s in doc.tokens[i].info.typo_skeletons
                    ):
                        found.add(i)
        result = sorted(found)
        doc.cache[self.pattern] = result
        return result

    def hits(self, doc: Document) -> Hits:
        return [(i, i + 1) for i in self.positions(doc)] or None

    def test(self, doc: Document) -> bool:
        positions = doc.positions
        for key in self.pattern.keys:
            if key in positions:
                return True
        return self.pattern.typo_skeleton is not None and bool(self.positions(doc))

    def anchors(self) -> frozenset[str] | None:
        return self.pattern.keys | self.pattern.typo_keys

    def keys(self) -> frozenset[str]:
        return self.pattern.keys | self.pattern.typo_keys


class _Phrase(_Part):
    def __init__(self, words: list[_Word]) -> None:
        self.words = words

    def hits(self, doc: Document) -> Hits:
        starts = set(self.words[0].positions(doc))
        for offset, word in enumerate(self.words[1:], start=1):
            if not starts:
                return None
            starts &= {i - offset for i in word.positions(doc)}
        size = len(self.words)
        return [(i, i + size) for i in sorted(starts)] or None

    def anchors(self) -> frozenset[str] | None:
        # The longest word is usually the rarest one.
        return max(self.words, key=lambda w: len(w.pattern.word)).anchors()

    def children(self) -> list[_Part]:
        return list(self.words)


class _Prefix(_Part):
    def __init__(self, stem: str) -> None:
        self.stem = stem

    def hits(self, doc: Document) -> Hits:
        stem = self.stem
        if len(stem) >= 3:
            candidates: Iterable[int] = doc.positions.get("p:" + stem[:3], ())
        else:
            candidates = range(len(doc.tokens))
        found = [
            (i, i + 1)
            for i in candidates
            if any(form.startswith(stem) for form in doc.tokens[i].info.forms)
        ]
        return found or None

    def anchors(self) -> frozenset[str] | None:
        return frozenset({"p:" + self.stem[:3]}) if len(self.stem) >= 3 else None

    def keys(self) -> frozenset[str]:
        return self.anchors() or frozenset()


class _And(_Part):
    def __init__(self, parts: list[_Part]) -> None:
        self.parts = parts

    def children(self) -> list[_Part]:
        return self.parts

    def hits(self, doc: Document) -> Hits:
        out: list[tuple[int, int]] = []
        for part in self.parts:
            found = part.hits(doc)
            if found is None:
                return None
            out.extend(found)
        return out

    def test(self, doc: Document) -> bool:
        return all(part.test(doc) for part in self.parts)

    def anchors(self) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        for part in self.parts:
            keys = part.anchors()
            if keys is not None and (best is None or _selectivity(keys) < _selectivity(best)):
                best = keys
        return best


def _selectivity(keys: frozenset[str]) -> tuple[int, int]:
    # Three-letter prefix keys occur in many texts: prefer whole words.
    return (sum(k.startswith("p:") for k in keys), len(keys))


class _Or(_Part):
    def __init__(self, parts: list[_Part]) -> None:
        self.parts = parts

    def children(self) -> list[_Part]:
        return self.parts

    def hits(self, doc: Document) -> Hits:
        out: list[tuple[int, int]] | None = None
        for part in self.parts:
            found = part.hits(doc)
            if found is not None:
                out = (out or []) + found
        return out

    def test(self, doc: Document) -> bool:
        return any(part.test(doc) for part in self.parts)

    def anchors(self) -> frozenset[str] | None:
        keys: set[str] = set()
        for part in self.parts:
            part_keys = part.anchors()
            if part_keys is None:
                return None
            keys |= part_keys
        return frozenset(keys)


class _Not(_Part):
    def __init__(self, part: _Part) -> None:
        self.part = part

    def children(self) -> list[_Part]:
        return [self.part]

    def hits(self, doc: Document) -> Hits:
        return None if self.part.test(doc) else []

    def test(self, doc: Document) -> bool:
        return not self.part.test(doc)


class _Near(_Part):
    def __init__(self, left: _Part, right: _Part, distance: int) -> None:
        self.left = left
        self.right = right
        self.distance = distance

    def children(self) -> list[_Part]:
        return [self.left, self.right]

    def hits(self, doc: Document) -> Hits:
        left = self.left.hits(doc)
        if not left:
            return None
        right = self.right.hits(doc)
        if not right:
            return None
        out: set[tuple[int, int]] = set()
        for a in left:
            for b in right:
                if max(b[0] - a[1], a[0] - b[1]) + 1 <= self.distance:
                    out.add(a)
                    out.add(b)
        return sorted(out) or None

    def anchors(self) -> frozenset[str] | None:
        return _And([self.left, self.right]).anchors()


def _build(node: Node) -> _Part:
    if isinstance(node, Term):
        return _Word(word_pattern(node.word))
    if isinstance(node, Phrase):
        return _Phrase([_Word(word_pattern(w)) for w in node.words])
    if isinstance(node, Prefix):
        return _Prefix(node.stem)
    if isinstance(node, And):
        return _And([_build(p) for p in node.parts])
    if isinstance(node, Or):
        return _Or([_build(p) for p in node.parts])
    if isinstance(node, Not):
        return _Not(_build(node.part))
    return _Near(_build(node.left), _build(node.right), node.distance)


class Matcher:
    """One query compiled once; `find` returns matched spans, `matches` a yes/no."""

    def __init__(self, query: str | Node) -> None:
        self.query = query if isinstance(query, str) else repr(query)
        self.node = parse(query) if isinstance(query, str) else query
        self._root = _build(self.node)
        self.key_filter = KeyFilter(self._root.keys())

    def keys(self) -> frozenset[str]:
        """Every match key this query looks up."""
        return self._root.keys()

    def document(self, text: str) -> Document:
        """Analyse a text for this query."""
        return Document.of(text, self.key_filter)

    def test(self, doc: Document) -> bool:
        """True when the query matches an analysed document."""
        return self._root.test(doc)

    def hits(self, doc: Document) -> list[Span] | None:
        """Spans in an analysed document, or None when the query does not match."""
        found = self._root.hits(doc)
        return None if found is None else doc.spans(found)

    def find(self, text: str) -> list[Span]:
        """Spans the query matched in the text (empty when it did not match)."""
        return self.hits(self.document(text)) or []

    def matches(self, text: str) -> bool:
        """True when the query matches the text."""
        return self._root.test(self.document(text))

    def anchors(self) -> frozenset[str] | None:
        """Keys of which a text must contain one to match; None when any text might."""
        return self._root.anchors()


def compile_query(query: str) -> Matcher:
    """Parse and compile a query; raise QueryError with the position on bad input."""
    return Matcher(query)


class RuleSet(Generic[K]):
    """Many compiled queries indexed by the keys they need, so a text is tested only
    against rules that can match it."""

    def __init__(self, rules: Mapping[K, str | Node | Matcher]) -> None:
        self.matchers: dict[K, Matcher] = {
            rule_id: rule if isinstance(rule, Matcher) else Matcher(rule)
            for rule_id, rule in rules.items()
        }
        self._index: dict[str, list[K]] = {}
        self._always: list[K] = []
        for rule_id, matcher in self.matchers.items():
            keys = matcher.anchors()
            if keys is None:
                self._always.append(rule_id)
                continue
            for key in keys:
                self._index.setdefault(key, []).append(rule_id)
        self._order = {rule_id: n for n, rule_id in enumerate(self.matchers)}
        used = frozenset().union(*(m.keys() for m in self.matchers.values()))
        self.key_filter = KeyFilter(used)

    def document(self, text: str) -> Document:
        """Analyse a text for these rules (only the keys they use are indexed)."""
        return Document.of(text, self.key_filter)

    def candidates(self, doc: Document) -> list[K]:
        """Rules that might match the document, in the order they were given."""
        index = self._index
        found: set[K] = set(self._always)
        for key in doc.positions:
            rule_ids = index.get(key)
            if rule_ids:
                found.update(rule_ids)
        return sorted(found, key=self._order.__getitem__)

    def match_document(self, doc: Document) -> dict[K, list[Span]]:
        """Every rule that matches the analysed document, with its spans."""
        out: dict[K, list[Span]] = {}
        for rule_id in self.candidates(doc):
            spans = self.matchers[rule_id].hits(doc)
            if spans is not None:
                out[rule_id] = spans
        return out

    def matching(self, doc: Document) -> list[K]:
        """Ids of the rules that match the analysed document (no spans: faster)."""
        matchers = self.matchers
        return [rule_id for rule_id in self.candidates(doc) if matchers[rule_id].test(doc)]

    def match(self, text: str) -> dict[K, list[Span]]:
        """Every rule that matches the text, with its spans."""
        return self.match_document(self.document(text))
