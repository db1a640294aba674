"""CLDR formatting through Babel: dates, times with the time zone named, numbers, percentages,
ratings and periods in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

# The letters of a date pattern as a reader of each language would write them.
_PATTERN_LETTERS = {
    "kk": {"d": "к", "M": "а", "y": "ж"},
    "ru": {"d": "д", "M": "м", "y": "г"},
    "en": {"d": "d", "M": "m", "y": "y"},
}


@dataclass(frozen=True)
class Formats:
    """Formatting for one language and one time zone (the workspace's)."""

    language: str
    timezone: str = "UTC"

    @property
    def locale(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(self.language)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone moments are shown in."""
        return ZoneInfo(self.timezone)

    def day(self, value: date | datetime | None, width: str = "medium") -> str:
        """A date (a moment is first moved into the time zone); '' for None."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self._local(value).date()
        return babel_dates.format_date(value, width, locale=self.locale)

    def clock(self, value: datetime | None) -> str:
        """Date and time in the time zone, without naming it; '' for None."""
        if value is None:
            return ""
        return babel_dates.format_datetime(self._local(value), "short", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        """Date and time with the time zone named, e.g. '01.03.2025, 17:05 (UTC+5, Алматы)'."""
        if value is None:
            return ""
        return f"{self.clock(value)} ({self.zone_name(value)})"

    def zone_name(self, when: datetime | None = None) -> str:
        """The zone as its offset and city in this language: 'UTC+5, Алматы'."""
        moment = self._local(when or datetime.now(UTC))
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        shift = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
        if self.timezone in ("UTC", "Etc/UTC"):
            return shift
        city = babel_dates.get_timezone_location(self.zone, locale=self.locale, return_city=True)
        return f"{shift}, {city}"

    def weekday(self, number: int) -> str:
        """A day of the week by number (0 = Monday) as it stands alone: 'Среда', 'Сәрсенбі'."""
        name = str(babel_dates.get_day_names("wide", "stand-alone", locale=self.locale)[number])
        return name[:1].upper() + name[1:]

    def number(self, value: float | int | None) -> str:
        """A number with the language's separators; '' for None."""
        if value is None:
            return ""
        return babel_numbers.format_decimal(value, locale=self.locale)

    def percent(self, value: float | None, fraction: bool = False) -> str:
        """A percentage: `value` is in percent (12.5), or a fraction (0.125) when `fraction`."""
        if value is None:
            return ""
        share = value if fraction else value / 100
        pattern = self.locale.percent_formats[None].pattern
        last = pattern.rfind("0")  # one optional decimal: 12,5 % but 12 %
        pattern = pattern[: last + 1] + ".#" + pattern[last + 1 :]
        return babel_numbers.format_percent(share, pattern, locale=self.locale)

    def rating(self, value: float | None) -> str:
        """A rating as people write it: '1', '4,5' (never '1.0')."""
        if value is None:
            return ""
        return babel_numbers.format_decimal(round(value, 1), "#,##0.#", locale=self.locale)

    def period(self, value: timedelta) -> str:
        """A duration in words: '3 сағат', '2 дня', '5 minutes'."""
        return babel_dates.format_timedelta(value, threshold=1.5, format="long", locale=self.locale)

    def ago(self, value: datetime, now: datetime | None = None) -> str:
        """How long ago a moment was: '3 күн бұрын', '3 дня назад', '3 days ago'."""
        delta = self._local(value) - (now or datetime.now(UTC))
        return babel_dates.format_timedelta(delta, add_direction=True, locale=self.locale)

    def date_input(self, value: date | None) -> str:
        """A date as the date fields show and accept it (with a four-digit year)."""
        if value is None:
            return ""
        return babel_dates.format_date(value, self._input_pattern(), locale=self.locale)

    def date_placeholder(self) -> str:
        """The date fields' pattern in the reader's letters: 'дд.мм.гггг', 'm/d/yyyy'."""
        letters = _PATTERN_LETTERS.get(self.language, _PATTERN_LETTERS["en"])
        return re.sub("[dMy]", lambda m: letters[m.group(0)], self._input_pattern())

    def parse_date(self, text: str) -> date | None:
        """A date typed in this language's format or as ISO 8601; None when it is neither."""
        text = text.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
        if not re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", text):
            return None
        try:
            return babel_dates.parse_date(text, locale=self.locale, format="short")
        except (ValueError, IndexError):
            return None

    def _input_pattern(self) -> str:
        short = babel_dates.get_date_format("short", locale=self.locale).pattern
        pattern = re.sub("y+", "yyyy", short)
        return re.sub("d+", "dd", re.sub("M+", "MM", pattern)) if "." in pattern else pattern

    def _local(self, value: datetime) -> datetime:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)
