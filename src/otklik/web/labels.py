"""Words for the stored codes pages show (sentiment, status, role, channel, language…), marked
for the catalogs and translated where they are shown."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context

from otklik.i18n import N_, translator

LABELS: dict[str, dict[str, str]] = {
    "sentiment": {
        "positive": N_("positive"),
        "neutral": N_("neutral"),
        "negative": N_("negative"),
        "none": N_("not determined"),
    },
    "status": {
        "new": N_("new"),
        "in_progress": N_("in progress"),
        "resolved": N_("resolved"),
        "ignored": N_("ignored"),
    },
    "role": {
        "main": N_("main subject"),
        "passing": N_("passing mention"),
        "comparison": N_("comparison"),
    },
    "user_role": {"admin": N_("admin"), "analyst": N_("analyst"), "viewer": N_("viewer")},
    "sentiment_source": {
        "model": N_("the model"),
        "rating": N_("the rating"),
        "person": N_("a person's correction"),
    },
    "sentiment_tier": {
        "compact": N_("compact model"),
        "encoder": N_("encoder model"),
        "cascade": N_("compact and encoder models"),
        "transformer": N_("your transformer model"),
    },
    "flag": {"yes": N_("yes"), "no": N_("no")},
    "note": {"note": N_("internal note"), "reply": N_("reply")},
    "job_kind": {
        "import": N_("file import"),
        "rematch_brand": N_("brand history matched again"),
        "rematch_tag": N_("tag rule applied to history"),
        "reanalyse": N_("analysis run again"),
        "export": N_("export to a file"),
        "alerts_check": N_("alert check"),
        "alert_digest": N_("alert digest"),
        "report": N_("report sent by e-mail"),
        "sheet_import": N_("posts or traffic import"),
        "poll_source": N_("source polled"),
        "upgrade_sentiment": N_("sentiment refined by the encoder model"),
    },
    "source_kind": {
        "rss": N_("RSS/Atom feed"),
        "webhook": N_("webhook"),
        "imap": N_("e-mail (IMAP)"),
        "telegram": N_("Telegram channel"),
    },
    "source_status": {
        "ok": N_("ok"),
        "not_modified": N_("no changes"),
        "error": N_("error"),
    },
    "alert_kind": {
        "instant": N_("instant"),
        "digest": N_("digest"),
        "spike": N_("spike"),
        "summary": N_("summary"),
        "test": N_("test"),
    },
    "delivery_status": {
        "sent": N_("sent"),
        "failed": N_("failed"),
        "retrying": N_("retrying"),
        "summarised": N_("held for the summary"),
    },
    "alert_channel": {"email": N_("e-mail"), "webhook": N_("webhook")},
    "every": {"day": N_("every day"), "week": N_("every week")},
    "job_status": {
        "queued": N_("queued"),
        "running": N_("running"),
        "done": N_("done"),
        "failed": N_("failed"),
        "cancelled": N_("cancelled"),
    },
    "sheet": {"empty": N_("empty"), "different columns": N_("different columns")},
    "run": {
        "queued": N_("queued"),
        "cancelled": N_("cancelled"),
        "running": N_("running"),
        "done": N_("done"),
        "failed": N_("failed"),
        "interrupted": N_("interrupted"),
    },
    "channel": {
        "vk": N_("VK"),
        "telegram": N_("Telegram"),
        "instagram": N_("Instagram"),
        "youtube": N_("YouTube"),
        "twitter": N_("X (Twitter)"),
        "facebook": N_("Facebook"),
        "tiktok": N_("TikTok"),
        "review": N_("review site"),
        "marketplace": N_("marketplace"),
        "appstore": N_("app store"),
        "maps": N_("maps"),
        "news": N_("news"),
        "forum": N_("forum"),
        "blog": N_("blog"),
        "email": N_("e-mail"),
        "survey": N_("survey"),
        "support": N_("support"),
        "other": N_("other"),
    },
    "language": {"ru": N_("Russian"), "kk": N_("Kazakh"), "en": N_("English")},
    "question_kind": {
        "nps": N_("NPS 0–10"),
        "csat": N_("CSAT 1–5"),
        "ces": N_("CES 1–7"),
        "rating": N_("Stars 1–5"),
        "single": N_("Single choice"),
        "multiple": N_("Multiple choice"),
        "text": N_("Open text"),
    },
    "review_site": {
        "2gis": N_("2GIS"),
        "google_maps": N_("Google Maps"),
        "yandex_maps": N_("Yandex Maps"),
        "kaspi": N_("Kaspi"),
        "app_store": N_("App Store"),
        "google_play": N_("Google Play"),
        "other": N_("Other site"),
    },
    "column": {
        "id": N_("ID"),
        "published_at": N_("Published"),
        "channel": N_("Channel"),
        "source": N_("Source"),
        "language": N_("Language"),
        "sentiment": N_("Sentiment"),
        "sentiment_source": N_("Sentiment decided by"),
        "sentiment_tier": N_("Sentiment model"),
        "is_complaint": N_("Complaint"),
        "is_question": N_("Question"),
        "rating": N_("Rating"),
        "author": N_("Author"),
        "title": N_("Title"),
        "text": N_("Text"),
        "url": N_("Link"),
        "brands": N_("Brands"),
        "tags": N_("Tags"),
        "status": N_("Status"),
        "assignee": N_("Assignee"),
        "first_response_at": N_("First response"),
        "resolved_at": N_("Resolved"),
        "likes": N_("Likes"),
        "comments": N_("Comments"),
        "reposts": N_("Reposts"),
        "views": N_("Views"),
        "duplicate_of": N_("Copy of mention"),
        "answers": N_("Survey answers"),
    },
}


def label(language: str, kind: str, code: str | None) -> str:
    """The word for a stored code in `language`; an unknown code is shown as it is."""
    if code is None:
        return ""
    word = LABELS.get(kind, {}).get(code)
    return translator(language).catalog.gettext(word) if word else code


@pass_context
def label_in_page(context: Context, kind: str, code: str | None) -> str:
    """`label` in the page's language (the templates' `label(kind, code)`)."""
    lang = context.get("lang")
    return label(lang if isinstance(lang, str) else "en", kind, code)
