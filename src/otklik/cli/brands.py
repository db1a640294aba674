"""`otklik brands` and `otklik tags`: what to watch, applied to stored history on every change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.cli.match import BadQuery
from otklik.domain.records import Brand, Tag
from otklik.errors import QueryError
from otklik.i18n import Translator
from otklik.services import catalog, rematch, variants

T = TypeVar("T")


def _progress(tr: Translator, what: str) -> rematch.Progress:
    def report(done: int, total: int) -> None:
        if done:
            line = tr.ngettext(
                "  re-matched %(done)d of %(num)d stored mention (%(what)s)",
                "  re-matched %(done)d of %(num)d stored mentions (%(what)s)",
                total,
                done=done,
                what=what,
            )
            output.message(line, err=True)

    return report


def _checked(tr: Translator, change: Callable[[], T]) -> T:
    try:
        return change()
    except QueryError as exc:
        raise BadQuery(tr.gettext("bad query: %(problem)s", problem=exc)) from exc


def rematch_brands(app: AppContext, brand_ids: Sequence[int]) -> dict[int, int]:
    """Match the given brands against all stored mentions again, printing progress; returns
    how many mentions each brand is in."""
    return rematch.rematch_brands(
        app.services(), app.workspace(), brand_ids, _progress(app.tr, app.tr.gettext("brands"))
    )


def rematch_tag(app: AppContext, tag: Tag) -> int:
    """Apply a tag's rule to all stored mentions again, printing progress; people's tags stay.
    Returns how many mentions the rule gives the tag."""
    found = rematch.rematch_tags(
        app.services(),
        app.workspace(),
        [tag.id],
        _progress(app.tr, app.tr.gettext("tag %(name)r", name=tag.name)),
    )
    return found[tag.id]


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
        query = query or catalog.name_query(name)
        svc, ws = app.services(), app.workspace()
        brand = _checked(app.tr, lambda: catalog.add_brand(svc, ws, name, query, own))
        count = rematch_brands(app, [brand.id])[brand.id]
        tr = app.tr
        output.message(tr.gettext("brand %(name)r added", name=name) + "; " + _found(tr, count))

    @brands.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
    @pass_app
    def brands_list(app: AppContext, fmt: str) -> None:
        """List brands with their queries.

        \b
        Example:
          otklik brands list --format json
        """
        rows = _brand_rows(catalog.brands(app.services(), app.workspace()))
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
        svc, ws = app.services(), app.workspace()
        brand = _checked(
            app.tr,
            lambda: catalog.update_brand(svc, ws, name, new_name=new_name, query=query, is_own=own),
        )
        if query is not None:
            count = rematch_brands(app, [brand.id])[brand.id]
            output.message(
                _updated(app.tr, "brand", name, brand.name) + "; " + _found(app.tr, count)
            )
        else:
            output.message(_updated(app.tr, "brand", name, brand.name))

    @brands.command("remove")
    @click.argument("name")
    @pass_app
    def brands_remove(app: AppContext, name: str) -> None:
        """Remove a brand and its matches (the mentions stay).

        \b
        Example:
          otklik brands remove Boxberry
        """
        catalog.remove_brand(app.services(), app.workspace(), name)
        output.message(app.tr.gettext("brand %(name)r removed", name=name))

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
        svc, ws = app.services(), app.workspace()
        chosen = query
        if chosen is None:
            chosen = catalog.brand_query(svc, ws, name) or catalog.name_query(name)
        found = _checked(app.tr, lambda: variants.find_variants(svc, ws, name, chosen))
        rows = [v.row() for v in found]
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
        svc, ws = app.services(), app.workspace()
        tag = _checked(app.tr, lambda: catalog.add_tag(svc, ws, name, query or None))
        count = rematch_tag(app, tag)
        tr = app.tr
        output.message(tr.gettext("tag %(name)r added", name=name) + "; " + _applied(tr, count))

    @tags.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
    @pass_app
    def tags_list(app: AppContext, fmt: str) -> None:
        """List tags with their rule queries.

        \b
        Example:
          otklik tags list
        """
        rows = [
            {"id": t.id, "name": t.name, "query": t.query}
            for t in catalog.tags(app.services(), app.workspace())
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
        svc, ws = app.services(), app.workspace()
        tag = _checked(
            app.tr, lambda: catalog.update_tag(svc, ws, name, new_name=new_name, query=query)
        )
        if query is not None:
            count = rematch_tag(app, tag)
            output.message(_updated(app.tr, "tag", name, tag.name) + "; " + _applied(app.tr, count))
        else:
            output.message(_updated(app.tr, "tag", name, tag.name))

    @tags.command("remove")
    @click.argument("name")
    @pass_app
    def tags_remove(app: AppContext, name: str) -> None:
        """Remove a tag from the workspace and from every mention.

        \b
        Example:
          otklik tags remove price
        """
        catalog.remove_tag(app.services(), app.workspace(), name)
        output.message(app.tr.gettext("tag %(name)r removed", name=name))


def _updated(tr: Translator, kind: str, old: str, new: str) -> str:
    if kind == "brand":
        if old != new:
            return tr.gettext("brand %(old)r renamed to %(new)r", old=old, new=new)
        return tr.gettext("brand %(name)r updated", name=new)
    if old != new:
        return tr.gettext("tag %(old)r renamed to %(new)r", old=old, new=new)
    return tr.gettext("tag %(name)r updated", name=new)


def _found(tr: Translator, count: int) -> str:
    return tr.ngettext("found in %(num)d stored mention", "found in %(num)d stored mentions", count)


def _applied(tr: Translator, count: int) -> str:
    return tr.ngettext(
        "rule applied to %(num)d stored mention", "rule applied to %(num)d stored mentions", count
    )
