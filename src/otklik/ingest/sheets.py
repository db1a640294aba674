"""Rows of SMM exports (posts) and web-analytics exports (traffic by UTM) read into checked
values; column names in Russian, Kazakh and English are recognised as for mentions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.records import Rejection
from otklik.errors import InputError
from otklik.ingest.files import open_rows
from otklik.ingest.mapping import normalise_header
from otklik.ingest.values import (
    ValueProblem,
    channel_from_url,
    parse_channel,
    parse_count,
    parse_datetime,
)

POST_ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "ссылка", "сілтеме", "post_url", "permalink", "ссылка_на_пост"),
    "published_at": (
        "datetime",
        "date",
        "дата",
        "күні",
        "күн",
        "published_at",
        "дата_публикации",
        "дата_и_время",
        "жарияланған_күні",
        "timestamp",
    ),
    "time": ("time", "время", "уақыт", "уақыты", "время_публикации"),
    "platform": (
        "platform",
        "платформа",
        "соцсеть",
        "площадка",
        "network",
        "channel",
        "канал",
        "желі",
        "алаң",
    ),
    "account": (
        "account",
        "аккаунт",
        "сообщество",
        "паблик",
        "страница",
        "page",
        "community",
        "author",
        "автор",
        "парақша",
    ),
    "account_kind": (
        "account_kind",
        "account_type",
        "тип_аккаунта",
        "чей_аккаунт",
        "аккаунт_түрі",
        "owner",
        "владелец",
    ),
    "format": ("format", "формат", "тип_поста", "post_type", "type", "тип", "пішім", "түрі"),
    "rubric": ("rubric", "рубрика", "айдар", "topic", "тема", "тақырып", "category", "категория"),
    "reach": ("reach", "охват", "қамту", "охват_поста"),
    "views": ("views", "просмотры", "показы", "impressions", "қаралым", "көрсетілім"),
    "likes": ("likes", "лайки", "нравится", "реакции", "reactions", "ұнату", "ұнатулар"),
    "comments": ("comments", "комментарии", "пікірлер"),
    "reposts": ("reposts", "shares", "репосты", "поделились", "бөлісу", "бөлісулер"),
    "saves": ("saves", "сохранения", "в_закладки", "bookmarks", "сақтау", "сақталғандар"),
    "link_clicks": (
        "link_clicks",
        "clicks",
        "клики",
        "переходы",
        "переходы_по_ссылке",
        "сілтеме_басу",
        "басулар",
    ),
    "followers": ("followers", "подписчики", "subscribers", "жазылушылар"),
    "plan": ("on_plan", "plan", "по_плану", "план", "в_плане", "жоспар", "жоспар_бойынша"),
}

TRAFFIC_ALIASES: dict[str, tuple[str, ...]] = {
    "day": ("date", "дата", "дата_визита", "күні", "day", "день"),
    "source": ("session_source", "utm_source", "source", "источник", "дереккөз"),
    "medium": ("session_medium", "utm_medium", "medium", "канал", "тип_трафика", "арна"),
    "source_medium": ("session_source_medium", "source_medium", "источник_канал"),
    "campaign": (
        "session_campaign",
        "utm_campaign",
        "campaign",
        "кампания",
        "науқан",
        "session_campaign_name",
    ),
    "sessions": ("sessions", "визиты", "сеансы", "сессии", "сессиялар", "кірулер"),
    "bounce_rate": ("bounce_rate", "отказы", "показатель_отказов", "бас_тарту"),
    "pages_per_session": (
        "pages_per_session",
        "views_per_session",
        "глубина_просмотра",
        "страниц_за_сеанс",
    ),
    "duration_s": (
        "average_session_duration",
        "avg_session_duration",
        "duration",
        "время_на_сайте",
        "средняя_длительность_сеанса",
        "ұзақтығы",
    ),
    "device": ("device_category", "device", "тип_устройства", "устройство", "құрылғы"),
    "conversions": (
        "conversions",
        "key_events",
        "конверсии",
        "достижения_целей",
        "целевые_визиты",
        "конверсиялар",
    ),
}

_KINDS = {
    "own": ("own", "ours", "our", "свой", "наш", "собственный", "өз", "біздің"),
    "partner": ("partner", "партнер", "партнёр", "партнерский", "серіктес"),
    "competitor": ("competitor", "конкурент", "бәсекелес"),
}
_FORMATS = {
    "photo": ("photo", "image", "фото", "картинка", "сурет", "пост_с_фото"),
    "video": ("video", "видео", "бейне"),
    "carousel": ("carousel", "карусель", "галерея", "альбом", "album", "gallery"),
    "text": ("text", "текст", "мәтін"),
    "story": ("story", "stories", "сторис", "история", "истории", "сторис_"),
    "reels": ("reels", "reel", "рилс", "клип", "клипы", "shorts", "clip"),
}
_PLAN = {
    "on_plan": (
        "on_plan",
        "on plan",
        "yes",
        "да",
        "иә",
        "true",
        "1",
        "по плану",
        "жоспар бойынша",
        "+",
    ),
    "off_plan": (
        "off_plan",
        "off plan",
        "no",
        "нет",
        "жоқ",
        "false",
        "0",
        "не по плану",
        "перенос",
        "-",
    ),
    "unplanned": (
        "unplanned",
        "внеплановый",
        "вне плана",
        "ситуативный",
        "жоспардан тыс",
        "жоспарсыз",
    ),
}
_COUNTS = ("reach", "views", "likes", "comments", "reposts", "saves", "link_clicks", "followers")
BATCH = 500


@dataclass
class SheetBatch:
    """Checked rows of a part of the file, its rejections, and how far reading got."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0
    bytes_read: int = 0


class RowProblem(Exception):
    """A row that cannot be stored: which field and why."""

    def __init__(self, field_name: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def match_columns(columns: Sequence[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """{field: column} for the columns whose normalised name is one of a field's aliases."""
    lookup = {normalise_header(c): c for c in columns}
    found: dict[str, str] = {}
    used: set[str] = set()
    for target, words in aliases.items():
        for word in words:
            column = lookup.get(word)
            if column is not None and column not in used:
                found[target] = column
                used.add(column)
                break
    return found


def read_sheet(path: Path, kind: str, tz: ZoneInfo) -> tuple[int, Iterator[SheetBatch]]:
    """The file's size and its checked rows in batches; `kind` is post or traffic."""
    opened = open_rows(path)
    aliases = POST_ALIASES if kind == "post" else TRAFFIC_ALIASES
    columns = match_columns(opened.info.columns, aliases)
    need = ("published_at",) if kind == "post" else ("day", "sessions")
    missing = [n for n in need if n not in columns]
    if kind == "traffic" and not ("source_medium" in columns or "source" in columns):
        missing.append("source")
    if missing:
        opened.close()
        words = "; ".join(f"{n}: {', '.join(aliases[n][:4])}" for n in missing)
        raise InputError(
            f"{path.name}: no column for {', '.join(missing)} (its columns: "
            f"{', '.join(opened.info.columns)}); name it e.g. {words}"
        )
    convert: Callable[[dict[str, Any]], dict[str, Any]] = (
        (lambda v: post_row(v, tz)) if kind == "post" else traffic_row
    )

    def batches() -> Iterator[SheetBatch]:
        batch = SheetBatch()
        try:
            for raw in opened.rows:
                batch.read += 1
                values = {t: raw.data.get(c) for t, c in columns.items()}
                try:
                    if raw.problem:
                        raise RowProblem(None, raw.problem)
                    row = convert(values)
                except RowProblem as exc:
                    batch.rejections.append(Rejection(raw.number, exc.field, exc.reason, raw.raw))
                else:
                    row["raw"] = {k: _plain(v) for k, v in raw.data.items()}
                    batch.rows.append(row)
                if batch.read >= BATCH:
                    batch.bytes_read = opened.counter.count
                    yield batch
                    batch = SheetBatch()
            batch.bytes_read = opened.counter.count
            yield batch
        finally:
            opened.close()

    return path.stat().st_size, batches()


def post_row(values: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """A post's checked values from its mapped cells (RowProblem naming the field)."""
    url = _text(values.get("url"))
    moment = _moment(values.get("published_at"), values.get("time"), tz)
    platform = _text(values.get("platform"))
    channel = parse_channel(platform) if platform else None
    if channel in (None, "other") and url:
        channel = channel_from_url(url) or channel
    account = _text(values.get("account"))
    if not account:
        raise RowProblem("account", "no account (whose post it is)")
    row: dict[str, Any] = {
        "url": url,
        "published_at": moment,
        "platform": channel or "other",
        "account": account,
        "account_kind": _word(values.get("account_kind"), _KINDS, "own", "account_kind"),
        "format": _word(values.get("format"), _FORMATS, "other", None),
        "rubric": _text(values.get("rubric")),
        "plan": _word(values.get("plan"), _PLAN, "unplanned", "plan"),
    }
    for name in _COUNTS:
        row[name] = _count(values.get(name), name)
    identity = url or "|".join(
        str(row[k]) for k in ("platform", "account", "published_at", "format", "rubric")
    )
    row["key"] = hashlib.sha256(identity.strip().lower().encode()).hexdigest()
    return row


def traffic_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """A traffic row's checked values (source, medium and campaign stored as given)."""
    source, medium = _text(values.get("source")), _text(values.get("medium"))
    combined = _text(values.get("source_medium"))
    if combined and "/" in combined:
        left, _, right = combined.partition("/")
        source, medium = source or left.strip(), medium or right.strip()
    if not source:
        raise RowProblem("source", "no source")
    row: dict[str, Any] = {
        "day": _day(values.get("day")),
        "source": source,
        "medium": medium or "(none)",
        "campaign": _text(values.get("campaign")) or "(not set)",
        "device": _text(values.get("device")),
        "sessions": _count(values.get("sessions"), "sessions") or 0,
        "bounce_rate": _rate(values.get("bounce_rate")),
        "pages_per_session": _decimal(values.get("pages_per_session"), "pages_per_session"),
        "duration_s": _duration(values.get("duration_s")),
        "conversions": _count(values.get("conversions"), "conversions"),
    }
    identity = [str(row[k]) for k in ("day", "source", "medium", "campaign", "device")]
    row["key"] = hashlib.sha256("|".join(identity).lower().encode()).hexdigest()
    return row


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _moment(day: Any, clock: Any, tz: ZoneInfo) -> datetime:
    if day is None or (isinstance(day, str) and not day.strip()):
        raise RowProblem("published_at", "no date")
    try:
        if clock not in (None, "") and not isinstance(day, datetime) and ":" not in str(day):
            clock_text = clock.strftime("%H:%M") if isinstance(clock, time) else str(clock)
            day = f"{_text(day)} {clock_text.strip()}"
        return parse_datetime(day, tz)
    except ValueProblem as exc:
        raise RowProblem("published_at", str(exc)) from exc


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        raise RowProblem("day", "no date")
    if re.fullmatch(r"\d{8}", text):  # GA4 writes 20251201
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return parse_datetime(text, ZoneInfo("UTC")).date()
    except ValueProblem as exc:
        raise RowProblem("day", str(exc)) from exc


def _word(value: Any, words: Mapping[str, tuple[str, ...]], default: str, name: str | None) -> str:
    text = (_text(value) or "").lower().replace("ё", "е")
    if not text:
        return default
    for found, spellings in words.items():
        if text == found or text in spellings or text.replace(" ", "_") in spellings:
            return found
    if name is None:
        return default
    raise RowProblem(name, f"{value!r} is not one of {', '.join(words)}")


def _count(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_count(value)
    except ValueProblem as exc:
        raise RowProblem(name, str(exc)) from exc


def _decimal(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(text.rstrip("%"))
    except ValueError as exc:
        raise RowProblem(name, f"{value!r} is not a number") from exc


def _rate(value: Any) -> float | None:
    """A share as a fraction: 0.23, '23%', '23,5 %' and 23.5 all read as about 0.23."""
    number = _decimal(value, "bounce_rate")
    if number is None:
        return None
    is_percent = "%" in str(value) or number > 1
    number = number / 100 if is_percent else number
    if not 0 <= number <= 1:
        raise RowProblem("bounce_rate", f"{value!r} is not a share between 0 and 100%")
    return number


def _duration(value: Any) -> float | None:
    """Seconds from 83, '83.5' or '0:01:23'."""
    if isinstance(value, time):
        return float(value.hour * 3600 + value.minute * 60 + value.second)
    text = _text(value)
    if text and ":" in text:
        parts = text.split(":")
        try:
            seconds = 0.0
            for part in parts:
                seconds = seconds * 60 + float(part.replace(",", "."))
        except ValueError as exc:
            raise RowProblem("duration_s", f"{value!r} is not a duration") from exc
        return seconds
    return _decimal(value, "duration_s")


VALUE_ALIASES: dict[str, tuple[str, ...]] = {
    "day": TRAFFIC_ALIASES["day"],
    "value": ("value", "значение", "мәні", "мән", "amount", "сумма", "count", "количество", "саны"),
}


def read_values(path: Path) -> tuple[dict[date, float], list[Rejection]]:
    """A manual metric's numbers per day from a file with a date and a value column."""
    opened = open_rows(path)
    try:
        columns = match_columns(opened.info.columns, VALUE_ALIASES)
        if len(columns) < 2:
            raise InputError(
                f"{path.name}: needs a date and a value column (e.g. date,value); "
                f"its columns: {', '.join(opened.info.columns)}"
            )
        values: dict[date, float] = {}
        rejections: list[Rejection] = []
        for raw in opened.rows:
            try:
                day = _day(raw.data.get(columns["day"]))
                number = _decimal(raw.data.get(columns["value"]), "value")
                if number is None:
                    raise RowProblem("value", "no value")
            except RowProblem as exc:
                rejections.append(Rejection(raw.number, exc.field, exc.reason, raw.raw))
            else:
                values[day] = number
        return values, rejections
    finally:
        opened.close()
