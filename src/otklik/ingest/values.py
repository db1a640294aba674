"""Reading single values from exports: dates, ratings, counts, channels."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTHS = {
    # Russian (genitive, nominative, short), Kazakh, English.
    **dict.fromkeys(["января", "январь", "янв", "қаңтар", "january", "jan"], 1),
    **dict.fromkeys(["февраля", "февраль", "фев", "ақпан", "february", "feb"], 2),
    **dict.fromkeys(["марта", "март", "мар", "наурыз", "march", "mar"], 3),
    **dict.fromkeys(["апреля", "апрель", "апр", "сәуір", "april", "apr"], 4),
    **dict.fromkeys(["мая", "май", "мамыр", "may"], 5),
    **dict.fromkeys(["июня", "июнь", "июн", "маусым", "june", "jun"], 6),
    **dict.fromkeys(["июля", "июль", "июл", "шілде", "july", "jul"], 7),
    **dict.fromkeys(["августа", "август", "авг", "тамыз", "august", "aug"], 8),
    **dict.fromkeys(
        ["сентября", "сентябрь", "сен", "сент", "қыркүйек", "september", "sep", "sept"], 9
    ),
    **dict.fromkeys(["октября", "октябрь", "окт", "қазан", "october", "oct"], 10),
    **dict.fromkeys(["ноября", "ноябрь", "ноя", "нояб", "қараша", "november", "nov"], 11),
    **dict.fromkeys(["декабря", "декабрь", "дек", "желтоқсан", "december", "dec"], 12),
}
_MONTH_WORD = r"([^\W\d_]+)"
_TIME = r"(?:[ ,T]+(?:в\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})" + _TIME + r"$")
_YMD = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})" + _TIME + r"$")
_D_MONTH_Y = re.compile(
    r"^(\d{1,2})\s+" + _MONTH_WORD + r"\.?,?\s+(\d{4})(?:\s*г\.?)?,?" + _TIME + r"$"
)
_MONTH_D_Y = re.compile(r"^" + _MONTH_WORD + r"\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME + r"$")
# Kazakh: "2025 жылғы 5 наурыз", "2025 ж. 5 наурызда"
_Y_D_MONTH = re.compile(
    r"^(\d{4})\s*(?:жылғы|жыл|ж\.)?\s+(\d{1,2})\s+" + _MONTH_WORD + r"\.?,?" + _TIME + r"$"
)
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_COUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(k|к|тыс\.?|m|м|млн\.?|мың|b|млрд\.?)?$", re.IGNORECASE)
_MULTIPLIERS = {
    "k": 1e3,
    "к": 1e3,
    "тыс": 1e3,
    "мың": 1e3,
    "m": 1e6,
    "м": 1e6,
    "млн": 1e6,
    "b": 1e9,
    "млрд": 1e9,
}


class ValueProblem(ValueError):
    """A value that cannot be read; the message says what was expected."""


def parse_datetime(value: object, tz: ZoneInfo) -> datetime:
    """A moment as naive UTC; naive input is read in `tz`."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_epoch(float(value))
    else:
        moment = _parse_text_date(str(value).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _parse_text_date(text: str) -> datetime:
    if not text:
        raise ValueProblem("empty date")
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    iso = text.replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    lowered = text.lower()
    for pattern, order in ((_DMY, "dmy"), (_YMD, "ymd")):
        m = pattern.match(lowered)
        if m:
            a, b, c = (int(x) for x in m.groups()[:3])
            y, mo, d = (c, b, a) if order == "dmy" else (a, b, c)
            return _build(y, mo, d, m.groups()[3:], text)
    for pattern, order in ((_D_MONTH_Y, "d m y"), (_MONTH_D_Y, "m d y"), (_Y_D_MONTH, "y d m")):
        m = pattern.match(lowered)
        if m:
            parts = dict(zip(order.split(), m.groups()[:3], strict=True))
            month = _month(parts["m"])
            if month is None:
                continue
            return _build(int(parts["y"]), month, int(parts["d"]), m.groups()[3:], text)
    raise ValueProblem(
        f"cannot read date {text!r}; use ISO 8601 (2025-03-05 14:30), dd.mm.yyyy [HH:MM], "
        "'5 марта 2025' or a Unix timestamp"
    )


def _month(word: str) -> int | None:
    word = word.rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    # Kazakh locative/other case endings on month names: наурызда, қазанның.
    for name, number in _MONTHS.items():
        if len(name) >= 4 and word.startswith(name):
            return number
    return None


def _build(y: int, mo: int, d: int, clock: tuple[str | None, ...], text: str) -> datetime:
    try:
        h, mi, s = (int(x) if x else 0 for x in clock)
        return datetime(y, mo, d, h, mi, s)
    except ValueError as exc:
        raise ValueProblem(f"date {text!r} does not exist ({exc})") from exc


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise ValueProblem(f"timestamp {seconds} is out of range") from exc


def parse_rating(value: object, scale: tuple[float, float] = (1, 5)) -> float:
    """A rating on `scale`, returned on 1–5."""
    low, high = scale
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip()
        if text and set(text) <= {"★", "☆", "*"}:
            number = float(text.count("★") + text.count("*"))
        else:
            text = re.sub(r"\s*/\s*\d+(?:[.,]\d+)?$", "", text)  # "4/5"
            if not _NUMBER.match(text):
                raise ValueProblem(f"rating {value!r} is not a number")
            number = float(text.replace(",", "."))
    if not low <= number <= high:
        raise ValueProblem(
            f"rating {number:g} is outside the scale {low:g}–{high:g} (set --rating-scale)"
        )
    if (low, high) == (1, 5):
        return number
    return round(1 + (number - low) * 4 / (high - low), 3)


def parse_count(value: object) -> int:
    """A non-negative count such as likes: 1234, '1 234', '1,2K', '2 млн'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(" ", "")
        m = _COUNT.match(text)
        if not m:
            raise ValueProblem(f"{value!r} is not a count")
        number = float(m.group(1).replace(",", "."))
        if m.group(2):
            number *= _MULTIPLIERS[m.group(2).lower().rstrip(".")]
    if number < 0:
        raise ValueProblem(f"{value!r} is negative")
    return int(round(number))


_CHANNEL_WORDS = [
    ("vk", ("vk", "вконтакте", "vkontakte", "вк", "vk.com")),
    ("telegram", ("telegram", "телеграм", "телеграмм", "t.me", "tg")),
    ("instagram", ("instagram", "инстаграм", "insta")),
    ("youtube", ("youtube", "ютуб", "youtu.be")),
    ("twitter", ("twitter", "твиттер", "x.com", "x")),
    ("facebook", ("facebook", "фейсбук", "fb")),
    ("tiktok", ("tiktok", "тикток")),
    (
        "marketplace",
        (
            "marketplace",
            "маркетплейс",
            "wildberries",
            "wb",
            "ozon",
            "озон",
            "kaspi",
            "каспи",
            "яндекс маркет",
            "market.yandex",
            "aliexpress",
            "lamoda",
        ),
    ),
    (
        "appstore",
        ("app store", "appstore", "google play", "play.google", "apps.apple", "rustore", "app"),
    ),
    ("maps", ("maps", "карты", "яндекс карты", "2гис", "2gis", "google maps", "yandex maps")),
    (
        "review",
        (
            "review",
            "отзыв",
            "отзывы",
            "otzovik",
            "отзовик",
            "irecommend",
            "пікір",
            "flamp",
            "trustpilot",
        ),
    ),
    ("news", ("news", "новости", "сми", "media", "жаңалықтар")),
    ("forum", ("forum", "форум")),
    ("blog", ("blog", "блог", "livejournal", "жж", "дзен", "dzen", "zen.yandex", "medium")),
    ("email", ("email", "e-mail", "почта", "mail")),
    ("survey", ("survey", "опрос", "сауалнама", "nps", "анкета")),
    ("support", ("support", "поддержка", "чат", "chat", "helpdesk")),
]


def parse_channel(value: object) -> str:
    """A channel name from a platform or source label (the original stays in raw)."""
    text = str(value).strip().lower()
    if not text:
        return "other"
    host = re.sub(r"^https?://(www\.)?", "", text).split("/")[0]
    for channel, words in _CHANNEL_WORDS:
        if text == channel or text in words or host in words:
            return channel
    for channel, words in _CHANNEL_WORDS:
        if any(len(w) > 3 and w in text for w in words):
            return channel
    return "other"


def channel_from_url(url: str) -> str | None:
    """A channel guessed from a link's host, or None."""
    found = parse_channel(url)
    return None if found == "other" else found
