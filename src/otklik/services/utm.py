"""UTM links: build them with values normalised the same way every time, and lint a list of
links for values spelled more than one way ("Vk" and "vk", "insta" and "instagram")."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from otklik.errors import InputError

PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
# One spelling per known source and medium; the keys are what every spelling becomes.
SOURCES: dict[str, tuple[str, ...]] = {
    "vk": ("vk", "vkontakte", "вконтакте", "вк", "vk.com", "vk_com"),
    "instagram": ("instagram", "insta", "ig", "инстаграм", "инста", "instagram.com"),
    "telegram": ("telegram", "tg", "телеграм", "телеграмм", "t.me", "t_me"),
    "facebook": ("facebook", "fb", "фейсбук", "facebook.com"),
    "youtube": ("youtube", "yt", "ютуб", "youtube.com"),
    "tiktok": ("tiktok", "tik_tok", "тикток"),
    "yandex": ("yandex", "ya", "яндекс", "yandex.ru"),
    "google": ("google", "гугл", "google.com"),
    "email": ("email", "e-mail", "e_mail", "mail", "рассылка"),
    "whatsapp": ("whatsapp", "wa", "ватсап"),
    "threads": ("threads",),
}
MEDIUMS: dict[str, tuple[str, ...]] = {
    "social": ("social", "smm", "soc", "social_media", "socialmedia", "соцсети"),
    "cpc": ("cpc", "ppc", "paid", "paid_search"),
    "email": ("email", "e-mail", "e_mail", "newsletter", "рассылка"),
    "referral": ("referral", "ref"),
    "influencer": ("influencer", "blogger", "блогер", "блогер"),
}
_SPELLING = {
    "utm_source": {s: k for k, spellings in SOURCES.items() for s in spellings},
    "utm_medium": {s: k for k, spellings in MEDIUMS.items() for s in spellings},
}
_URL = re.compile(r"https?://[^\s\"'<>,;]+", re.IGNORECASE)


def normalise(parameter: str, value: str) -> str:
    """Lower case, spaces as underscores, and the one spelling of a known source or medium."""
    text = re.sub(r"\s+", "_", value.strip().lower())
    return _SPELLING.get(parameter, {}).get(text, text)


def build(url: str, fields: Mapping[str, str | None]) -> str:
    """The link with utm_* parameters set from `fields` (source, medium, campaign, content,
    term), normalised; its other query parameters and fragment stay as they were."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{url!r} is not a web link; write it as https://example.com/page")
    values = {f"utm_{k}": normalise(f"utm_{k}", v) for k, v in fields.items() if v and v.strip()}
    for needed in ("utm_source", "utm_medium", "utm_campaign"):
        if not values.get(needed):
            raise InputError(f"{needed.removeprefix('utm_')} is needed for a UTM link")
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    query = urlencode(kept + [(k, values[k]) for k in PARAMETERS if k in values])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def links_in(text: str) -> list[str]:
    """Every web link in a text (one per line, or inside CSV cells)."""
    return _URL.findall(text)


def lint(links: Iterable[str]) -> dict[str, Any]:
    """Values of each utm_* parameter spelled more than one way, and values that are not
    normalised, with how many links carry each spelling."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    total = tagged = 0
    for link in links:
        total += 1
        query = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
        found = {k: v for k, v in query.items() if k in PARAMETERS}
        tagged += bool(found)
        for key, value in found.items():
            seen[key][value] += 1
    problems: list[dict[str, Any]] = []
    for key in PARAMETERS:
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        for value, count in seen[key].items():
            groups[normalise(key, value)][value] += count
        for canonical, spellings in sorted(groups.items()):
            if len(spellings) > 1 or canonical not in spellings:
                problems.append(
                    {
                        "parameter": key,
                        "value": canonical,
                        "kind": "split" if len(spellings) > 1 else "not_normalised",
                        "spellings": dict(spellings.most_common()),
                        "links": sum(spellings.values()),
                    }
                )
    return {"links": total, "tagged": tagged, "problems": problems}
