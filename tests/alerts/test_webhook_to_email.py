"""The issue's path end to end: a negative item pushed to a webhook source of the running web
app arrives as an alert e-mail at a real SMTP server, sent by the app's worker; a push with a
bad signature gets 401 and sends nothing."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from otklik import signing
from otklik.services import alerts, sources
from otklik.services.context import Services
from otklik.web.app import create_app
from tests.alerts.conftest import Inbox, parts


def test_a_negative_webhook_item_arrives_as_an_alert_email(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.workspace()
    hook = sources.add_webhook(svc, ws, "helpdesk")
    people = alerts.recipients_from(svc, ws, ["cx@example.com:kk"], [])
    alerts.add(svc, ws, "complaints", "instant", {"sentiment": "negative"}, people)
    settings = svc.settings.model_copy(update={"worker_poll_s": 0.2})
    path = f"/api/v1/sources/{hook.source.id}/items"
    item = {"external_id": "HD-7", "text": "Ужасная доставка, посылка потерялась, верните деньги"}
    body = json.dumps(item, ensure_ascii=False).encode()
    with TestClient(create_app(settings, svc.store)) as client:  # its worker runs the jobs
        forged = client.post(path, content=body, headers={signing.HEADER: "sha256=00"})
        assert forged.status_code == 401
        signed = {signing.HEADER: signing.sign(hook.secret or "", body)}
        started = time.monotonic()
        pushed = client.post(path, content=body, headers=signed)
        assert pushed.status_code == 200 and pushed.json()["accepted"] == 1, pushed.text
        while not inbox[0].messages:
            assert time.monotonic() - started < 60, "no alert e-mail within a minute"
            time.sleep(0.1)
    [message] = inbox[0].messages
    assert message["To"] == "cx@example.com"
    assert "посылка потерялась" in parts(message)["plain"]
    assert message["Content-Language"] == "kk"
