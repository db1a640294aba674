"""The page's language and formatting: the user's setting, then the browser's Accept-Language,
then the workspace default; the words come from the gettext catalogs (otklik.i18n)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from otklik.i18n import LANGUAGE_NAMES, LANGUAGES, Formats, Translator, negotiate, translator
from otklik.services.users import User

LANG_COOKIE = "otklik_lang"


def language_of(request: Request, user: User | None = None) -> str:
    """The UI language: the signed-in user's setting, the switch's cookie before sign-in, the
    browser's preference, else the workspace default."""
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    preferred = negotiate(request.headers.get("accept-language"))
    if preferred:
        return preferred
    state = request.app.state.web
    default = state.ws.language or state.settings.language
    return default if default in LANGUAGES else "en"


def translator_of(request: Request, user: User | None = None) -> Translator:
    """gettext and ngettext in the request's language."""
    return translator(language_of(request, user))


def formats_of(request: Request, user: User | None = None) -> Formats:
    """CLDR formatting in the request's language and the workspace's time zone."""
    return Formats(language_of(request, user), request.app.state.web.ws.timezone)


def install(env: Environment) -> None:
    """Jinja2's i18n extension with gettext functions that read the page's `lang`."""
    env.add_extension("jinja2.ext.i18n")

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return translator(_lang(context)).catalog.gettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return translator(_lang(context)).catalog.ngettext(singular, plural, n)

    @pass_context
    def pgettext(context: Context, ctx: str, message: str) -> str:
        return translator(_lang(context)).catalog.pgettext(ctx, message)

    @pass_context
    def npgettext(context: Context, ctx: str, singular: str, plural: str, n: int) -> str:
        return translator(_lang(context)).catalog.npgettext(ctx, singular, plural, n)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals["language_names"] = LANGUAGE_NAMES


def _lang(context: Context) -> str:
    value: Any = context.get("lang")
    return value if isinstance(value, str) else "en"
