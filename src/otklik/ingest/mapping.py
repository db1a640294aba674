"""Columns of an export mapped to mention fields, and rows turned into mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.mention import AUTHOR_KINDS, CHANNELS, Author, Engagement, Mention
from otklik.errors import InputError
from otklik.ingest.raw import RawItem
from otklik.ingest.values import (
    ValueProblem,
    channel_from_url,
    parse_channel,
    parse_count,
    parse_datetime,
    parse_rating,
)

# Header words that name each field, in Russian, Kazakh and English (compared normalised).
ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "текст",
        "отзыв",
        "комментарий",
        "мәтін",
        "пікір",
        "content",
        "body",
        "message",
        "сообщение",
        "review",
        "review_text",
        "comment",
        "текст_отзыва",
        "текст_упоминания",
        "full_text",
        "description",
        "ответ",
        "answer",
        "feedback",
        "достоинства_недостатки",
        "post",
        "пост",
    ),
    "title": ("title", "заголовок", "тема", "subject", "тақырып", "headline"),
    "url": ("url", "ссылка", "link", "сілтеме", "permalink", "адрес", "href", "post_url"),
    "author": (
        "author",
        "автор",
        "author_name",
        "name",
        "имя",
        "пользователь",
        "user",
        "username",
        "аты",
        "пайдаланушы",
        "reviewer",
        "автор_имя",
    ),
    "author_id": ("author_id", "user_id", "id_автора", "profile", "профиль", "author_url"),
    "author_kind": ("author_kind", "author_type", "тип_автора"),
    "audience": (
        "audience",
        "аудитория",
        "followers",
        "подписчики",
        "subscribers",
        "охват_автора",
        "author_followers",
    ),
    "published_at": (
        "date",
        "дата",
        "күні",
        "күн",
        "created_at",
        "published_at",
        "published",
        "datetime",
        "время",
        "дата_публикации",
        "date_published",
        "timestamp",
        "created",
        "posted_at",
        "time",
        "уақыты",
        "дата_и_время",
    ),
    "channel": (
        "channel",
        "канал",
        "источник",
        "площадка",
        "source",
        "platform",
        "платформа",
        "дереккөз",
        "алаң",
        "site",
        "сайт",
        "соцсеть",
        "network",
        "тип_площадки",
        "resource",
        "ресурс",
    ),
    "location": (
        "location",
        "город",
        "регион",
        "место",
        "city",
        "region",
        "қала",
        "country",
        "страна",
        "address",
        "адрес_точки",
        "филиал",
        "branch",
    ),
    "rating": (
        "rating",
        "оценка",
        "рейтинг",
        "баға",
        "stars",
        "звезды",
        "score",
        "балл",
        "жұлдыз",
        "grade",
    ),
    "likes": ("likes", "лайки", "лайк", "like_count", "likes_count", "нравится", "ұнату"),
    "comments": ("comments", "комментарии", "comments_count", "пікірлер", "replies"),
    "reposts": ("reposts", "репосты", "shares", "retweets", "поделились", "reposts_count"),
    "views": (
        "views",
        "просмотры",
        "view_count",
        "views_count",
        "охват",
        "reach",
        "impressions",
        "қаралым",
    ),
    "language": ("language", "язык", "lang", "тіл"),
    "external_id": (
        "id",
        "external_id",
        "ид",
        "post_id",
        "review_id",
        "message_id",
        "mention_id",
        "номер",
        "uid",
    ),
}
FIELDS = tuple(ALIASES)
_ENGAGEMENT = ("likes", "comments", "reposts", "views")


def normalise_header(name: str) -> str:
    """Lower case, spaces/dots/dashes as underscores, no BOM or quotes."""
    name = name.replace("\ufeff", "").strip().strip('"').lower()
    return re.sub(r"[\s.\-/]+", "_", name).strip("_")


def parse_map_options(options: Sequence[str]) -> dict[str, str]:
    """`COLUMN=FIELD` options as {column: field}; a clear error for a bad one."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f"--map {option!r}: write it as COLUMN=FIELD, e.g. --map Отзыв=text")
        target = target.strip()
        if target not in FIELDS:
            raise InputError(
                f"--map {option!r}: unknown field {target!r}; fields: {', '.join(FIELDS)}"
            )
        mapping[column.strip()] = target
    return mapping


def map_columns(columns: Sequence[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """{column: field} for the columns we recognise; explicit choices win."""
    missing = [c for c in explicit if c not in columns]
    if missing and columns:
        raise InputError(
            f"--map names columns the file does not have: {missing}; its columns: {list(columns)}"
        )
    mapping = dict(explicit)
    taken = set(mapping.values())
    lookup = {normalise_header(c): c for c in columns if c not in mapping}
    for target, aliases in ALIASES.items():
        if target in taken:
            continue
        for alias in aliases:
            column = lookup.get(alias)
            if column is not None and column not in mapping:
                mapping[column] = target
                taken.add(target)
                break
    return mapping


@dataclass(frozen=True)
class RowRules:
    """How values of one import are read."""

    mapping: Mapping[str, str]
    tz: ZoneInfo
    rating_scale: tuple[float, float] = (1, 5)
    default_channel: str = "other"
    source_id: int | None = None


class RowRejected(Exception):
    """A row that cannot become a mention: which field and why."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def to_mention(row: RawItem, rules: RowRules) -> Mention:
    """The mention a raw item describes, or RowRejected naming the field and the problem."""
    if row.problem:
        raise RowRejected(None, row.problem)
    values: dict[str, Any] = {}
    for column, target in rules.mapping.items():
        value = row.data.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        values[target] = value
    text = values.get("text")
    text_str = text if isinstance(text, str) else ("" if text is None else str(text))
    if not text_str.strip():
        raise RowRejected("text", "no text")
    published = _read(values, "published_at", lambda v: parse_datetime(v, rules.tz))
    rating = _read(values, "rating", lambda v: parse_rating(v, rules.rating_scale))
    counts = {name: _read(values, name, parse_count) for name in _ENGAGEMENT}
    audience = _read(values, "audience", parse_count)
    url = _str(values.get("url"))
    channel = _channel(values.get("channel"), url, rules.default_channel)
    kind = _str(values.get("author_kind"))
    return Mention(
        text=text_str,
        raw=row.payload if row.payload is not None else _jsonable(row.data),
        title=_str(values.get("title")),
        url=url,
        author=Author(
            name=_str(values.get("author")),
            id=_str(values.get("author_id")),
            kind=kind.lower() if kind and kind.lower() in AUTHOR_KINDS else None,
            audience=audience,
        ),
        published_at=published,
        channel=channel,
        location=_str(values.get("location")),
        rating=rating,
        engagement=Engagement(**counts),
        language=_str(values.get("language")),
        external_id=row.external_id or _str(values.get("external_id")),
        source_id=row.source_id if row.source_id is not None else rules.source_id,
    )


def _read(values: Mapping[str, Any], name: str, parse: Any) -> Any:
    if name not in values:
        return None
    try:
        return parse(values[name])
    except ValueProblem as exc:
        raise RowRejected(name, str(exc)) from exc


def _channel(value: Any, url: str | None, default: str) -> str:
    if value is not None:
        found = parse_channel(value)
        if found != "other":
            return found
    if url:
        guessed = channel_from_url(url)
        if guessed:
            return guessed
    return default if default in CHANNELS else "other"


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or isinstance(value, str | int | float | bool | list | dict):
            out[key] = value
        else:
            out[key] = str(value)
    return out
