"""Alert messages in the reader's language: a subject, plain text, HTML, and the webhook
payload (plain JSON, Slack or Telegram bot). Dates and numbers through the CLDR formatting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from otklik.domain.records import MentionRecord
from otklik.i18n import Formats, Translator, translator

EXCERPT = 300
SHOWN = 20


@dataclass
class Body:
    """What a message says, before it is rendered: headline, lines, and mentions."""

    kind: str
    rule: str
    headline: str
    lines: list[str] = field(default_factory=list)
    mentions: list[MentionRecord] = field(default_factory=list)
    more: int = 0  # mentions beyond those shown
    facts: dict[str, Any] = field(default_factory=dict)  # the numbers, for webhooks


@dataclass(frozen=True)
class Reader:
    """Who reads: language, the workspace's zone, and where mention pages live."""

    language: str
    timezone: str
    public_url: str | None = None

    @property
    def t(self) -> Translator:
        """The reader's translator."""
        return translator(self.language)

    @property
    def fmt(self) -> Formats:
        """The reader's formatting."""
        return Formats(self.t.language, self.timezone)

    def link(self, record: MentionRecord) -> str | None:
        """Our page of a mention when the public address is set, else the original."""
        if self.public_url and record.mention.id is not None:
            return f"{self.public_url.rstrip('/')}/mentions/{record.mention.id}"
        return record.mention.url


def subject(body: Body) -> str:
    """The e-mail subject."""
    return f"[Otklik] {body.rule}: {body.headline}"


def sentiment_word(reader: Reader, value: str | None) -> str:
    """A sentiment in the reader's words."""
    _ = reader.t.gettext
    words = {
        "positive": _("positive"),
        "neutral": _("neutral"),
        "negative": _("negative"),
    }
    return words.get(value or "", _("not determined"))


def _capital(line: str) -> str:
    return line[:1].upper() + line[1:]


def _about(record: MentionRecord, reader: Reader) -> str:
    m = record.mention
    parts = [
        reader.fmt.moment(m.published_at),
        m.channel,
        sentiment_word(reader, record.analysis.sentiment),
    ]
    if record.brands:
        parts.append(", ".join(b.name for b in record.brands))
    if record.tags:
        parts.append("#" + " #".join(record.tags))
    return " · ".join(p for p in parts if p)


def _excerpt(record: MentionRecord) -> str:
    text = record.mention.text.strip()
    if record.mention.title:
        text = f"{record.mention.title.strip()} — {text}"
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def text(body: Body, reader: Reader) -> str:
    """The plain-text rendering."""
    out = [_capital(body.headline), "", *body.lines]
    for record in body.mentions:
        out += ["", _about(record, reader), _excerpt(record)]
        link = reader.link(record)
        if link:
            out.append(link)
    if body.more:
        more = reader.t.ngettext("and %(num)s more mention", "and %(num)s more mentions", body.more)
        out += ["", more]
    return "\n".join(out).strip() + "\n"


def html(body: Body, reader: Reader) -> str:
    """The HTML rendering (every value escaped)."""
    parts = [
        f'<!doctype html><html lang="{escape(reader.t.language)}"><head><meta charset="utf-8">'
        f"<title>Otklik</title></head>"
        '<body style="font-family: sans-serif; line-height: 1.5">',
        f"<h2>{escape(_capital(body.headline))}</h2>",
    ]
    parts += [f"<p>{escape(line)}</p>" for line in body.lines if line]
    for record in body.mentions:
        link = reader.link(record)
        about = escape(_about(record, reader))
        if link:
            about = f'<a href="{escape(link)}">{about}</a>'
        parts.append(
            f'<div style="margin: 1em 0; padding-left: .7em; border-left: 3px solid #ccc">'
            f'<div style="color: #555; font-size: 90%">{about}</div>'
            f"<div>{escape(_excerpt(record))}</div></div>"
        )
    if body.more:
        more = reader.t.ngettext("and %(num)s more mention", "and %(num)s more mentions", body.more)
        parts.append(f"<p>{escape(more)}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def email(body: Body, reader: Reader) -> dict[str, str]:
    """The stored form of an e-mail: what `mail.send` is given, attempt after attempt."""
    return {
        "subject": subject(body),
        "text": text(body, reader),
        "html": html(body, reader),
        "language": reader.t.language,
    }


def payload(body: Body, reader: Reader, style: str, workspace: str) -> bytes:
    """The webhook body: our JSON, or what Slack and Telegram bots accept (`text`)."""
    plain = text(body, reader)
    if style == "slack":
        data: dict[str, Any] = {"text": plain}
    elif style == "telegram":
        data = {"text": plain[:4000], "disable_web_page_preview": True}
    else:
        data = {
            "alert": body.rule,
            "kind": body.kind,
            "workspace": workspace,
            "headline": body.headline,
            "text": plain,
            "facts": body.facts,
            "mentions": [_mention(r, reader) for r in body.mentions],
            "more": body.more,
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _mention(record: MentionRecord, reader: Reader) -> dict[str, Any]:
    m = record.mention
    return {
        "id": m.id,
        "published_at": m.published_at.isoformat() + "Z" if m.published_at else None,
        "channel": m.channel,
        "sentiment": record.analysis.sentiment,
        "brands": [b.name for b in record.brands],
        "tags": list(record.tags),
        "title": m.title,
        "text": m.text,
        "url": m.url,
        "link": reader.link(record),
    }


def shown(records: Sequence[MentionRecord]) -> tuple[list[MentionRecord], int]:
    """The mentions a message lists and how many more there were."""
    return list(records[:SHOWN]), max(len(records) - SHOWN, 0)
