"""Full-text search: FTS5 on SQLite, tsvector on PostgreSQL. The only dialect-specific search SQL.

A query-language string is turned into a candidate filter that the text index answers:
every form of a word is looked up (the caller expands forms), so the index narrows the set
and the exact query-language match can run on what it returns.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from otklik.storage.schema import mention

_WORD = re.compile(r"\w+", re.UNICODE)

# A search term group: alternatives (ORed word forms), each optionally a prefix.
Term = tuple[str, bool]


def text_match(dialect: str, groups: list[list[Term]]) -> ColumnElement[bool]:
    """Mentions whose text has, for every group, at least one of its terms."""
    if not groups:
        return sa.true()
    if dialect == "sqlite":
        expr = " AND ".join(
            "(" + " OR ".join(_fts5_term(word, prefix) for word, prefix in group) + ")"
            for group in groups
        )
        return mention.c.id.in_(
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table("mention_fts"))
            .where(sa.text("mention_fts MATCH :fts").bindparams(fts=expr))
        )
    expr = " & ".join(
        "(" + " | ".join(_ts_term(word, prefix) for word, prefix in group) + ")" for group in groups
    )
    document = sa.func.to_tsvector(
        sa.literal_column("'simple'"),
        sa.func.coalesce(mention.c.title, "") + " " + mention.c.text,
    )
    return document.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), expr))


def plain_groups(query: str) -> list[list[Term]]:
    """Groups for a plain list of words: each word must appear (prefix when it ends in *)."""
    groups: list[list[Term]] = []
    for raw in query.split():
        prefix = raw.endswith("*")
        for word in _WORD.findall(raw):
            groups.append([(word.lower(), prefix)])
    return groups


def _fts5_term(word: str, prefix: bool) -> str:
    words = _WORD.findall(word.lower())
    phrase = " ".join(words) or '""'
    return f'"{phrase}"' + ("*" if prefix else "")


def _ts_term(word: str, prefix: bool) -> str:
    words = _WORD.findall(word.lower()) or ["_"]
    body = " <-> ".join(f"'{w}'" for w in words)
    return body + (":*" if prefix and len(words) == 1 else "")
