"""Parse a query (`доставка OR "курьерская служба"`, `Kaspi NEAR/3 приложение`) into an AST.

Precedence, loosest first: OR, AND (or a space), NEAR/n, NOT. Keywords are upper case;
lower-case `and`/`or`/`not` are ordinary words. A `"phrase"` is its words next to each other in
this order, each in any of its forms; `a NEAR/n b` is a within n words of b, either order
(neighbours are 1 apart); `stem*` matches a word or its lemma starting with stem; a hyphenated
word (интернет-магазин) is a phrase of its parts; Kazakh endings after a hyphen are dropped
(Kaspi-ге is Kaspi).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from otklik.errors import QueryError
from otklik.text.morphology import tokenize


@dataclass(frozen=True, slots=True)
class Term:
    """One word; matches its word forms (and, for names, spellings and typos)."""

    word: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must follow each other in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Prefix:
    """Any word (or its lemma) starting with `stem`, written `stem*`."""

    stem: str


@dataclass(frozen=True, slots=True)
class And:
    """All parts must match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one part must match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The part must not match anywhere in the text."""

    part: Node


@dataclass(frozen=True, slots=True)
class Near:
    """Both sides match within `distance` words of each other (neighbours are 1 apart)."""

    left: Node
    right: Node
    distance: int


Node = Term | Phrase | Prefix | And | Or | Not | Near


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # word, phrase, and, or, not, near, lparen, rparen, end
    text: str
    position: int
    distance: int = 0


_LEXEME = re.compile(r'\s*(?:(?P<lparen>\()|(?P<rparen>\))|(?P<quote>")|(?P<word>[^\s()"]+))')
_NEAR = re.compile(r"NEAR(?:/(\d+))?")
_STARTS_OPERAND = frozenset({"word", "phrase", "lparen", "not"})
_EXPECTED_OPERAND = "expected a word, a \"phrase\" or '('"


def _lex(query: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    pos = 0
    while True:
        found = _LEXEME.match(query, pos)
        if found is None:
            break
        start = found.start(found.lastgroup or 0)
        if found.group("quote"):
            close = query.find('"', found.end())
            if close < 0:
                raise QueryError("unclosed quote: expected a closing '\"'", len(query), query)
            lexemes.append(_Lexeme("phrase", query[found.end() : close], start))
            pos = close + 1
            continue
        word = found.group("word")
        if word is not None:
            lexemes.append(_keyword_or_word(word, start, query))
        else:
            lexemes.append(_Lexeme(found.lastgroup or "", found.group(0).strip(), start))
        pos = found.end()
    lexemes.append(_Lexeme("end", "", len(query.rstrip())))
    return lexemes


def _keyword_or_word(word: str, start: int, query: str) -> _Lexeme:
    if word in ("AND", "OR", "NOT"):
        return _Lexeme(word.lower(), word, start)
    near = _NEAR.fullmatch(word)
    if near:
        if near.group(1) is None or int(near.group(1)) < 1:
            raise QueryError(
                "expected '/n' (a number of words, 1 or more) after NEAR", start + 4, query
            )
        return _Lexeme("near", word, start, int(near.group(1)))
    if word.startswith("NEAR/"):
        raise QueryError("expected a number of words after NEAR/", start + 5, query)
    return _Lexeme("word", word, start)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.lexemes = _lex(query)
        self.index = 0

    def peek(self) -> _Lexeme:
        return self.lexemes[self.index]

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def fail(self, message: str, lexeme: _Lexeme) -> QueryError:
        found = "the end of the query" if lexeme.kind == "end" else repr(lexeme.text)
        return QueryError(f"{message}, found {found}", lexeme.position, self.query)

    def parse(self) -> Node:
        node = self.parse_or()
        last = self.peek()
        if last.kind == "rparen":
            raise self.fail("unexpected ')': no '(' to close", last)
        if last.kind != "end":
            raise self.fail("expected an operator or the end of the query", last)
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek().kind == "or":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_near()]
        while True:
            kind = self.peek().kind
            if kind == "and":
                self.take()
            elif kind not in _STARTS_OPERAND:
                break
            parts.append(self.parse_near())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_near(self) -> Node:
        node = self.parse_unary()
        while self.peek().kind == "near":
            near = self.take()
            right_at = self.peek()
            right = self.parse_unary()
            for side, lexeme in ((node, near), (right, right_at)):
                if isinstance(side, Not):
                    raise QueryError(
                        "NEAR/n needs words or phrases on both sides, not NOT",
                        lexeme.position,
                        self.query,
                    )
            node = Near(node, right, near.distance)
        return node

    def parse_unary(self) -> Node:
        if self.peek().kind == "not":
            self.take()
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        lexeme = self.take()
        if lexeme.kind == "lparen":
            node = self.parse_or()
            closing = self.peek()
            if closing.kind != "rparen":
                raise self.fail(f"expected ')' to close '(' at position {lexeme.position}", closing)
            self.take()
            return node
        if lexeme.kind == "phrase":
            return self.phrase(lexeme)
        if lexeme.kind == "word":
            return self.word(lexeme)
        raise self.fail(_EXPECTED_OPERAND, lexeme)

    def phrase(self, lexeme: _Lexeme) -> Node:
        words = _words(lexeme.text)
        if not words:
            raise QueryError(
                "empty phrase: expected words inside quotes", lexeme.position, self.query
            )
        return Term(words[0]) if len(words) == 1 else Phrase(words)

    def word(self, lexeme: _Lexeme) -> Node:
        text = lexeme.text
        star = text.find("*")
        if star >= 0:
            stem = text[:star]
            if star != len(text) - 1 or len(_words(stem)) != 1 or not stem[-1:].isalnum():
                raise QueryError(
                    "'*' must end a word (prefix*), expected letters before it",
                    lexeme.position + star,
                    self.query,
                )
            return Prefix(stem.lower().replace("ё", "е"))
        words = _words(text)
        if not words:
            raise self.fail(_EXPECTED_OPERAND, lexeme)
        return Term(words[0]) if len(words) == 1 else Phrase(words)


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.info.lower for t in tokenize(text))


def parse(query: str) -> Node:
    """Parse a query into its AST; raise QueryError pointing at the position on bad input."""
    return _Parser(query).parse()
