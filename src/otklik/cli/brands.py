"""`otklik brands` and `otklik tags`: what to watch, applied to stored history on every change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from otklik import output, rematch
from otklik.cli.context import AppContext, pass_app
from otklik.cli.match import BadQuery
from otklik.domain.filters import Filters
from otklik.domain.records import Brand, MentionRecord, Tag
from otklik.errors import QueryError
from otklik.querylang.match import compile_query
from otklik.storage import catalog, utcnow
from otklik.text.morphology import tokenize, word_pattern
from otklik.text.translit import is_latin, skeleton, to_cyrillic, to_latin, within_one_edit

_PAGE = 1000


def stored_mentions(app: AppContext) -> Iterator[MentionRecord]:
    """Every stored mention of the workspace, newest first, a page at a time."""
    store, ws = app.store(), app.workspace()
    cursor: str | None = None
    while True:
        page, cursor = store.mentions(ws, Filters(), limit=_PAGE, cursor=cursor)
        yield from page
        if cursor is None:
            return


def _progress(what: str) -> rematch.Progress:
    def report(done: int, total: int) -> None:
        if done:
            output.message(f"  re-matched {done} of {total} stored mentions ({what})", err=True)

    return report


def _check(query: str) -> None:
    try:
        compile_query(query)
    except QueryError as exc:
        raise BadQuery(f"bad query: {exc}") from exc


def rematch_brands(app: AppContext, brand_ids: Sequence[int]) -> dict[int, int]:
    """Match the given brands against all stored mentions again, printing progress; returns
    how many mentions each brand is in."""
    return rematch.rematch_brands(
        app.store(), app.workspace(), app.settings, brand_ids, _progress("brands")
    )


def rematch_tag(app: AppContext, tag: Tag) -> int:
    """Apply a tag's rule to all stored mentions again, printing progress; people's tags stay.
    Returns how many mentions the rule gives the tag."""
    found = rematch.rematch_tags(
        app.store(), app.workspace(), app.settings, [tag.id], _progress(f"tag {tag.name!r}")
    )
    return found[tag.id]


# The variant helper


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


def find_variants(app: AppContext, name: str, query: str) -> list[Variant]:
    """Spellings of `name` in stored mentions (forms, transliterations, one-letter typos) with
    how many mentions each has and how many of those `query` does not match yet."""
    matcher = compile_query(query)
    words = [t.info.lower for t in tokenize(name)] or [name.lower()]
    head = max(words, key=len)
    pattern = word_pattern(head)
    target = skeleton(head)
    variants = {text: Variant(text, kind) for text, kind in generated_variants(head).items()}
    for record in stored_mentions(app):
        mid = int(record.mention.id or 0)
        text = f"{record.mention.title or ''}\n{record.mention.text}"
        tokens = tokenize(text)
        found: dict[str, str] = {}
        for token in tokens:
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


# Commands


def _brand_rows(brands: Sequence[Brand]) -> list[dict[str, Any]]:
    return [{"id": b.id, "name": b.name, "own": b.is_own, "query": b.query} for b in brands]


def register(cli: click.Group) -> None:
    """Add `otklik brands ...` and `otklik tags ...` to the root command."""

    @cli.group("brands")
    def brands() -> None:
        """Brands you watch (your own and competitors), each with a query.

        \b
        Example:
          otklik brands add Boxberry --query 'Boxberry OR Боксберри' --own
          otklik brands variants Boxberry
        """

    @brands.command("add")
    @click.argument("name")
    @click.option("--query", "-q", help="Query that finds the brand (default: its name).")
    @click.option("--own/--competitor", default=False, help="Our brand or a competitor.")
    @pass_app
    def brands_add(app: AppContext, name: str, query: str | None, own: bool) -> None:
        """Add a brand and match it against stored mentions.

        \b
        Example:
          otklik brands add СДЭК --query 'СДЭК OR CDEK OR СДЕК'
        """
        query = query or _name_query(name)
        _check(query)
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            brand = catalog.add_brand(conn, ws.id, name, query, own, utcnow())
        count = rematch_brands(app, [brand.id])[brand.id]
        output.message(f"brand {name!r} added; found in {count} stored mentions")

    @brands.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
    @pass_app
    def brands_list(app: AppContext, fmt: str) -> None:
        """List brands with their queries.

        \b
        Example:
          otklik brands list --format json
        """
        store, ws = app.store(), app.workspace()
        with store.connect() as conn:
            rows = _brand_rows(catalog.list_brands(conn, ws.id))
        output.emit(rows, fmt, ["id", "name", "own", "query"])

    @brands.command("edit")
    @click.argument("name")
    @click.option("--name", "new_name", help="New name; the brand keeps its matched mentions.")
    @click.option("--query", "-q", help="New query; stored mentions are matched again.")
    @click.option("--own/--competitor", default=None, help="Our brand or a competitor.")
    @pass_app
    def brands_edit(
        app: AppContext, name: str, new_name: str | None, query: str | None, own: bool | None
    ) -> None:
        """Rename a brand or change its query or own flag.

        A new query is applied to all stored mentions; a renamed brand keeps the ones it is in.

        \b
        Example:
          otklik brands edit Boxberry --query 'Boxberry OR Боксберри OR "Box berry"'
          otklik brands edit Boxberry --name "Boxberry RU"
        """
        if query is not None:
            _check(query)
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            brand = catalog.update_brand(
                conn, ws.id, name, utcnow(), new_name=new_name, query=query, is_own=own
            )
        if query is not None:
            count = rematch_brands(app, [brand.id])[brand.id]
            output.message(
                f"{_updated('brand', name, brand.name)}; found in {count} stored mentions"
            )
        else:
            output.message(_updated("brand", name, brand.name))

    @brands.command("remove")
    @click.argument("name")
    @pass_app
    def brands_remove(app: AppContext, name: str) -> None:
        """Remove a brand and its matches (the mentions stay).

        \b
        Example:
          otklik brands remove Boxberry
        """
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            catalog.remove_brand(conn, ws.id, name)
        output.message(f"brand {name!r} removed")

    @brands.command("variants")
    @click.argument("name")
    @click.option("--query", "-q", help="Query to compare with (default: the brand's, or NAME).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
    @pass_app
    def brands_variants(app: AppContext, name: str, query: str | None, fmt: str) -> None:
        """Spellings of a name in stored mentions: transliterations, word forms and misspellings,
        with how many mentions each adds to the query.

        \b
        Example:
          otklik brands variants Boxberry
        """
        if query is None:
            query = _stored_query(app, name) or _name_query(name)
        _check(query)
        rows = [v.row() for v in find_variants(app, name, query)]
        output.emit(rows, fmt, ["variant", "kind", "mentions", "would_add"])

    @cli.group("tags")
    def tags() -> None:
        """Tags: named categories; a tag with a query is applied by rule.

        \b
        Example:
          otklik tags add "delivery time" --query '(доставка OR жеткізу OR delivery) NEAR/3 долго'
        """

    @tags.command("add")
    @click.argument("name")
    @click.option("--query", "-q", help="Rule query (without one, only people set the tag).")
    @pass_app
    def tags_add(app: AppContext, name: str, query: str | None) -> None:
        """Add a tag; with a query it is applied to stored mentions at once.

        \b
        Example:
          otklik tags add price --query 'цена OR дорого OR баға OR price'
        """
        if query:
            _check(query)
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            tag = catalog.add_tag(conn, ws.id, name, query or None, utcnow())
        count = rematch_tag(app, tag)
        output.message(f"tag {name!r} added; rule applied to {count} stored mentions")

    @tags.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
    @pass_app
    def tags_list(app: AppContext, fmt: str) -> None:
        """List tags with their rule queries.

        \b
        Example:
          otklik tags list
        """
        store, ws = app.store(), app.workspace()
        with store.connect() as conn:
            rows = [
                {"id": t.id, "name": t.name, "query": t.query}
                for t in catalog.list_tags(conn, ws.id)
            ]
        output.emit(rows, fmt, ["id", "name", "query"])

    @tags.command("edit")
    @click.argument("name")
    @click.option("--name", "new_name", help="New name; the tag stays on its mentions.")
    @click.option("--query", "-q", help="New rule query ('' removes the rule).")
    @pass_app
    def tags_edit(app: AppContext, name: str, new_name: str | None, query: str | None) -> None:
        """Rename a tag or change its rule.

        A changed rule is applied to stored mentions again (people's tags stay); a renamed tag
        keeps every assignment.

        \b
        Example:
          otklik tags edit price --query 'цена OR дорого OR дешево'
          otklik tags edit price --name цена
        """
        if query:
            _check(query)
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            tag = catalog.update_tag(conn, ws.id, name, utcnow(), new_name=new_name, query=query)
        if query is not None:
            count = rematch_tag(app, tag)
            output.message(
                f"{_updated('tag', name, tag.name)}; rule applied to {count} stored mentions"
            )
        else:
            output.message(_updated("tag", name, tag.name))

    @tags.command("remove")
    @click.argument("name")
    @pass_app
    def tags_remove(app: AppContext, name: str) -> None:
        """Remove a tag from the workspace and from every mention.

        \b
        Example:
          otklik tags remove price
        """
        store, ws = app.store(), app.workspace()
        with store.begin() as conn:
            catalog.remove_tag(conn, ws.id, name)
        output.message(f"tag {name!r} removed")


def _updated(kind: str, old: str, new: str) -> str:
    return f"{kind} {old!r} renamed to {new!r}" if old != new else f"{kind} {new!r} updated"


def _name_query(name: str) -> str:
    return f'"{name}"' if len(tokenize(name)) > 1 else name


def _stored_query(app: AppContext, name: str) -> str | None:
    store, ws = app.store(), app.workspace()
    with store.connect() as conn:
        for brand in catalog.list_brands(conn, ws.id):
            if brand.name == name:
                return brand.query
    return None
