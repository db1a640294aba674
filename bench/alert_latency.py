"""Latency of instant alerts: from a negative item POSTed to a webhook source of the running
web app (`POST /api/v1/sources/{id}/items`, signed) to its alert e-mail arriving at a local SMTP
server (aiosmtpd on loopback), with a worker running at its default poll interval
(OTKLIK_WORKER_POLL_S) and the alert check scheduled every minute. A push queues a check at
once (as every source does); `--intake` takes the items straight through the intake instead,
without that, to show what the every-minute schedule alone gives.

Items arrive one at a time, each a random 0 to `--gap` seconds after the previous alert came.

Usage: python bench/alert_latency.py [--items 10] [--gap 60] [--intake] [--database-url URL]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from otklik import signing
from otklik.ingest.intake import RawItem, take
from otklik.jobs.worker import Worker
from otklik.search_terms import open_store
from otklik.services import Services, alerts, sources
from otklik.settings import Settings
from otklik.storage import Store
from otklik.web.app import create_app


def serve(settings: Settings, store: Store) -> tuple[uvicorn.Server, str]:
    """The web app on a free loopback port, in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(settings, store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the web app did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


class Inbox:
    """Notes when each message arrived, by the marker in its text."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.event = threading.Event()

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for word in text.split():
            if word.startswith("item-"):
                self.arrived.setdefault(word, time.monotonic())
        self.event.set()
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--gap", type=float, default=60.0)
    parser.add_argument(
        "--intake",
        action="store_true",
        help="Take items through the intake directly (no webhook, no check queued after).",
    )
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    folder = Path(tempfile.mkdtemp(prefix="otklik-latency-"))
    url = args.database_url or f"sqlite:///{folder / 'otklik.db'}"
    settings = Settings(
        database_url=url,
        smtp_url=f"smtp://127.0.0.1:{port}",
        smtp_from="otklik@example.com",
        upload_dir=folder / "uploads",
        embedded_worker=False,
    )
    store = open_store(url)
    store.init()
    svc = Services.open(settings, store, keep_pipelines=True)
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, ["ops@example.com"], [])
    # A cap above the items sent, so none is held for the hour's summary.
    rule = {"sentiment": "negative"}
    alerts.add(svc, ws, "complaints", "instant", rule, people, cap_per_hour=10_000)
    pipeline = svc.pipelines.for_workspace(ws)
    take(
        svc.store, ws, pipeline, [RawItem(1, {"text": "warm-up"}, "{}")], source_id=None, label="x"
    )
    hook = sources.add_webhook(svc, ws, "helpdesk")
    secret = hook.secret or ""
    server, base = serve(settings, store)
    worker = Worker(store, settings)
    worker.start()
    how = "intake, no check queued" if args.intake else "signed webhook push"
    print(f"worker poll {settings.worker_poll_s:g} s; alert check every minute; {how}; {url}")
    latencies = []
    rng = random.Random(7)
    try:
        for n in range(args.items):
            marker = f"item-{n}"
            data = {"text": f"Ужасная доставка, посылка потерялась {marker}", "rating": 1}
            body = json.dumps({"external_id": marker, **data}, ensure_ascii=False).encode()
            started = time.monotonic()
            if args.intake:
                raw = [RawItem(1, data, body.decode())]
                take(svc.store, ws, pipeline, raw, source_id=None, label="bench")
            else:
                headers = {signing.HEADER: signing.sign(secret, body)}
                path = f"/api/v1/sources/{hook.source.id}/items"
                answer = httpx.post(base + path, content=body, headers=headers)
                assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
            while marker not in inbox.arrived:
                inbox.event.wait(0.5)
                inbox.event.clear()
                if time.monotonic() - started > 180:
                    raise SystemExit(f"{marker}: no e-mail within 180 s")
            latencies.append(inbox.arrived[marker] - started)
            print(f"{marker}: {latencies[-1]:.1f} s", flush=True)
            time.sleep(rng.uniform(0, args.gap))
    finally:
        worker.stop(timeout=30)
        server.should_exit = True
        controller.stop()
        svc.close()
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"items {len(latencies)}: median {statistics.median(latencies):.1f} s, "
        f"p95 {p95:.1f} s, max {ordered[-1]:.1f} s"
    )


if __name__ == "__main__":
    main()
