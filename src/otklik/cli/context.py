"""What every command shares: settings, the store, the workspace, filter flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from otklik.domain.filters import FILTER_NAMES, FilterError, Filters
from otklik.domain.records import Workspace
from otklik.i18n import Translator, translator
from otklik.services import Services, queries
from otklik.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """Settings plus the lazily opened services and workspace."""

    settings: Settings
    _services: Services | None = field(default=None, repr=False)

    def services(self, *, check: bool = True) -> Services:
        """The use cases over the database, refusing one `otklik init` has not prepared."""
        if self._services is None:
            self._services = Services.open(self.settings, check=check)
        return self._services

    @property
    def tr(self) -> Translator:
        """Messages in the CLI's language (--lang, OTKLIK_LANGUAGE, else English)."""
        return translator(self.settings.language)

    def workspace(self) -> Workspace:
        """The workspace the CLI works in (created on first use)."""
        return self.services().workspace()

    def close(self) -> None:
        """Close the store's pooled connections, if it was opened."""
        if self._services is not None:
            self._services.close()
            self._services = None


pass_app = click.make_pass_decorator(AppContext)


def filter_options(func: F) -> F:
    """Add the filter flags every listing command shares (DESIGN's Filters)."""
    options = [
        click.option("--brand", multiple=True, help="Brand name (repeat for several)."),
        click.option("--tag", multiple=True, help="Tag name (repeat for several)."),
        click.option(
            "--sentiment",
            multiple=True,
            type=click.Choice(["positive", "neutral", "negative"]),
            help="Sentiment; with --brand, the sentiment towards that brand.",
        ),
        click.option(
            "--channel", multiple=True, help="Channel: vk, telegram, review, marketplace…"
        ),
        click.option("--source", multiple=True, help="Source name (e.g. the imported file)."),
        click.option("--language", multiple=True, help="Language code: ru, kk, en."),
        click.option("--rating-min", type=float, help="Lowest rating (1–5)."),
        click.option("--rating-max", type=float, help="Highest rating (1–5)."),
        click.option(
            "--status",
            multiple=True,
            type=click.Choice(["new", "in_progress", "resolved", "ignored"]),
            help="Case status.",
        ),
        click.option(
            "--role",
            multiple=True,
            type=click.Choice(["main", "passing", "comparison"]),
            help="The brand's role: main subject, passing mention, or compared with another "
            "brand; with --brand, that brand's role.",
        ),
        click.option(
            "--complaint",
            type=click.Choice(["yes", "no"]),
            help="yes: only complaints (a reported problem); no: no complaints.",
        ),
        click.option(
            "--question",
            type=click.Choice(["yes", "no"]),
            help="yes: only questions (asking for information); no: no questions.",
        ),
        click.option("--since", help="From this date or moment (2025-01-01, ISO 8601)."),
        click.option("--until", help="Up to this date, inclusive (2025-01-31) or moment."),
        click.option(
            "-q", "--q", "q", help='Query-language search: доставка AND NOT "всё отлично".'
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def filter_params(kwargs: dict[str, Any]) -> dict[str, list[str] | str]:
    """The filter flags a command was given, as plain values a job can keep (not popped)."""
    return {
        name: [str(v) for v in value] if isinstance(value, tuple) else str(value)
        for name in FILTER_NAMES
        if (value := kwargs.get(name)) is not None and value != ()
    }


def filters_from(kwargs: dict[str, Any], ws: Workspace) -> Filters:
    """Pop the filter flags out of a command's arguments into Filters."""
    params: dict[str, Any] = {}
    for name in FILTER_NAMES:
        value = kwargs.pop(name, None)
        if isinstance(value, float):
            value = str(value)
        params[name] = value
    try:
        return queries.filters(ws, params)
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.name.replace('_', '-')}") from exc
