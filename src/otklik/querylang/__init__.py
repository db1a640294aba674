"""The query language shared by brand queries, tag rules, search and alert filters."""

from otklik.querylang.match import Matcher, RuleSet, Span, compile_query
from otklik.querylang.parse import And, Near, Node, Not, Or, Phrase, Prefix, Term, parse

__all__ = [
    "And",
    "Matcher",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "RuleSet",
    "Span",
    "Term",
    "compile_query",
    "parse",
]
