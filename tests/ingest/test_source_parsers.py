"""The parts of polled sources that need no database: the Telegram preview parser, e-mail
bodies without quotes and signatures, and the size cap of a fetch."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from otklik.ingest import imap, telegram
from otklik.ingest.fetch import fetch
from otklik.ingest.poll import SourceError
from tests.sites import Page, serve_site

PAGES = Path(__file__).parent / "data" / "telegram"


def test_preview_page_gives_posts_views_dates_links_and_the_cursor_back() -> None:
    page = telegram.parse_page((PAGES / "bystropost.html").read_text("utf-8"), "bystropost")
    assert page.before == 101 and [p.number for p in page.posts] == [101, 102, 103, 104, 105]
    post = page.posts[2]
    assert post.text == "📦 Black Friday: доставка бесплатно при заказе от 10 000 ₸"
    assert telegram.parse_views(post.views) == 12_400
    assert (post.link, post.published_at) == (
        "https://t.me/bystropost/103",
        "2026-11-23T14:15:00+00:00",
    )
    with pytest.raises(SourceError, match="no public preview"):
        telegram.parse_page((PAGES / "private.html").read_text("utf-8"), "closedchan")
    assert telegram.channel_name("https://t.me/s/bystropost/") == "bystropost"
    with pytest.raises(SourceError):
        telegram.channel_name("no such!")


def test_email_body_loses_quoted_replies_and_signatures() -> None:
    body = (
        "Курьер так и не приехал.\nВерните деньги.\n\n"
        "С уважением,\nИван\n\n"
        "1 дек. 2026 г., в 10:00, Поддержка <s@b.kz> написал:\n> Ваш заказ в пути"
    )
    assert imap.clean_body(body) == "Курьер так и не приехал.\nВерните деньги."
    assert imap.clean_body("> цитата\nСпасибо!\n-- \nподпись") == "Спасибо!"


def test_fetch_refuses_a_body_over_the_cap() -> None:
    with serve_site() as site, httpx.Client(timeout=5) as client:
        site.pages["/big"] = Page(b"x" * 5000)
        assert fetch(client, site.url("/big"), max_bytes=5000).body == b"x" * 5000
        with pytest.raises(SourceError, match="more than 4999 bytes"):
            fetch(client, site.url("/big"), max_bytes=4999)
