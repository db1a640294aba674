"""What polling costs: 200 RSS sources served on loopback, polled by one `otklik worker`.

Rounds, each one poll job per source run by one worker (`Worker.run(once=True)`):
  new        every feed new (N entries each): fetch, parse, analyse, store
  304        nothing changed: each poll is a conditional GET answered 304
  unchanged  the server ignores ETags: each feed is read and parsed again, every entry a
             duplicate (what a 304 saves)
  one-new    one new entry per feed
Prints seconds per round and per source; the numbers go to the issue note, never into tests.

Usage: python bench/poll_cost.py [--sources 200] [--entries 20]
       [--stages normalise,language,dedupe,brands,sentiment,tags] [--postgres URL]
With --postgres the database's public schema is dropped and made again.
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import sqlalchemy as sa

from otklik.jobs.worker import Worker
from otklik.search_terms import open_store
from otklik.services import Services, sources
from otklik.settings import Settings

WORDS = ("доставка", "курьер", "опоздал", "быстро", "delivery", "late", "жеткізу", "рахмет")


class Feeds:
    """Feed bodies by number; `extra` entries added on top; whether ETags are honoured."""

    def __init__(self, count: int, entries: int) -> None:
        self.count, self.entries, self.extra = count, entries, 0
        self.honour_etag = True
        self.answers: dict[int, int] = {}

    def body(self, n: int) -> bytes:
        start = datetime(2026, 11, 1, tzinfo=UTC)
        items = []
        for e in range(self.entries + self.extra):
            words = " ".join(WORDS[(n * 7 + e * k) % len(WORDS)] for k in (1, 3, 5))
            when = format_datetime(start + timedelta(hours=e))
            items.append(
                f"<item><guid>feed{n}-{e}</guid><title>Новость {n}/{e}</title>"
                f"<link>https://news{n}.example.kz/{e}</link>"
                f"<description>Отзыв {n}/{e}: {words}, заказ {n * 7919 + e}</description>"
                f"<pubDate>{when}</pubDate></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title><link>https://news{n}.example.kz/</link>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()


def serve(feeds: Feeds) -> tuple[ThreadingHTTPServer, int]:
    """The feeds on 127.0.0.1, a free port."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go in two writes: without this, Nagle and delayed ACKs add
            # ~40 ms to every answer with a body, a cost of this test server, not of polling
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            n = int(self.path.strip("/").split(".")[0])
            body = feeds.body(n)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if feeds.honour_etag and self.headers.get("If-None-Match") == etag:
                feeds.answers[304] = feeds.answers.get(304, 0) + 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            feeds.answers[200] = feeds.answers.get(200, 0) + 1
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def reset_postgres(url: str) -> None:
    """Drop and make again the public schema."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def round_of(svc: Services, name: str, feeds: Feeds, count: int) -> None:
    """Queue one poll per source, let one worker run them all, print the time."""
    ws = svc.workspace()
    if name != "new":  # adding the sources queued the first round's polls
        for found in sources.sources(svc, ws):
            sources.queue_poll(svc, ws, found)
    feeds.answers.clear()
    worker = Worker(svc.store, svc.settings, concurrency=1)
    started = time.perf_counter()
    ran = worker.run(once=True)
    took = time.perf_counter() - started
    total = sum(s.items_total for s in sources.sources(svc, ws))
    print(
        f"{name:10} {ran:4d} polls  {took:7.2f} s  {took / count * 1000:8.1f} ms/source  "
        f"answers {dict(sorted(feeds.answers.items()))}  items stored {total}"
    )


def http_only(port: int, count: int, feeds: Feeds) -> None:
    """The bare HTTP cost of a 304 against a full 200 read, one keep-alive client."""
    with httpx.Client() as client:
        etags = {}
        started = time.perf_counter()
        for n in range(count):
            etags[n] = client.get(f"http://127.0.0.1:{port}/{n}.xml").headers["etag"]
        full = time.perf_counter() - started
        started = time.perf_counter()
        for n in range(count):
            got = client.get(
                f"http://127.0.0.1:{port}/{n}.xml", headers={"If-None-Match": etags[n]}
            )
            assert got.status_code == 304 or not feeds.honour_etag
        cached = time.perf_counter() - started
    print(
        f"HTTP only: 200 with body {full / count * 1000:.2f} ms, "
        f"304 {cached / count * 1000:.2f} ms per request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--stages", default="normalise,language,dedupe,brands,sentiment,tags")
    parser.add_argument("--postgres")
    args = parser.parse_args()
    feeds = Feeds(args.sources, args.entries)
    server, port = serve(feeds)
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'otklik.db'}"
        if args.postgres:
            reset_postgres(url)
        store = open_store(url)
        store.init()
        settings = Settings(database_url=url, stages=args.stages, worker_poll_s=0.05)
        svc = Services.open(settings, store)
        ws = svc.workspace()
        for n in range(args.sources):
            sources.add_rss(svc, ws, f"feed-{n}", f"http://127.0.0.1:{port}/{n}.xml", "15m")
        print(
            f"{args.sources} RSS sources, {args.entries} entries each, {store.dialect}, "
            f"stages {args.stages}, one worker"
        )
        round_of(svc, "new", feeds, args.sources)
        round_of(svc, "304", feeds, args.sources)
        feeds.honour_etag = False
        round_of(svc, "unchanged", feeds, args.sources)
        feeds.honour_etag, feeds.extra = True, 1
        round_of(svc, "one-new", feeds, args.sources)
        http_only(port, args.sources, feeds)
        store.close()
    server.shutdown()


if __name__ == "__main__":
    main()
