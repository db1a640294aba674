"""Alert rules end to end on each database: instant e-mail for a burst, the hourly cap and its
summary, mute, a digest's counts in Asia/Almaty, spikes, signed and retried webhooks."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from otklik import signing
from otklik.errors import InputError
from otklik.jobs.worker import Worker
from otklik.services import alerts
from otklik.services.context import Services
from otklik.storage import jobqueue
from tests.alerts.conftest import Inbox, Receiver, at, feed, parts

BAD = "Ужасная доставка, посылка потерялась, верните деньги"
GOOD = "Great service, fast courier, thank you"


def _negative(n: int, when: str = "2025-03-01T10:00:00", tag: str = "") -> list[dict[str, object]]:
    return [{"text": f"{BAD} {tag} номер {i}", "rating": 1, "published_at": when} for i in range(n)]


def test_a_burst_of_negative_mentions_arrives_as_one_email_in_the_readers_language(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.workspace()
    feed(svc, ws, _negative(1, tag="old"))  # history before the rule is not sent
    people = alerts.recipients_from(svc, ws, ["boss@example.com:ru"], [])
    alerts.add(svc, ws, "bad news", "instant", {"sentiment": "negative"}, people)
    with svc.store.connect() as conn:
        names = {s.name: s.kind for s in jobqueue.list_schedules(conn, ws.id)}
    assert names == {"alerts": "alerts_check"}
    feed(svc, ws, [*_negative(3, tag="new"), {"text": GOOD, "rating": 5}])
    assert alerts.check_soon(svc, ws)  # as a source does after taking items
    assert Worker(svc.store, svc.settings).run(once=True) == 1  # the alerts_check job
    [message] = inbox[0].messages
    assert message["To"] == "boss@example.com"
    assert "3 новых упоминания" in message["Subject"]
    text = parts(message)
    assert text["plain"].count(BAD) == 3 and "old" not in text["plain"]
    assert GOOD not in text["plain"]
    assert "https://otklik.example.com/mentions/" in text["html"]
    assert alerts.check(svc, ws).messages == 0  # nothing new, nothing sent
    [logged] = alerts.log(svc, ws, "bad news")
    assert (logged.status, logged.kind, logged.mention_count) == ("sent", "instant", 3)


def test_over_the_cap_the_rest_of_the_hour_comes_as_one_summary(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, ["a@example.com"], [])
    alerts.add(svc, ws, "all", "instant", {}, people, cap_per_hour=1)
    feed(svc, ws, _negative(1, tag="first"))
    alerts.check(svc, ws, now=at("2025-03-01T10:05:00"))
    feed(svc, ws, _negative(2, tag="second"))
    assert alerts.check(svc, ws, now=at("2025-03-01T10:20:00")).held == 1
    feed(svc, ws, _negative(1, tag="third"))
    assert alerts.check(svc, ws, now=at("2025-03-01T10:40:00")).held == 1
    assert len(inbox[0].messages) == 1
    assert alerts.check(svc, ws, now=at("2025-03-01T11:01:00")).summaries == 1
    summary = inbox[0].messages[-1]
    assert "3 more mentions" in summary["Subject"]
    assert "third" in parts(summary)["plain"] and "second" in parts(summary)["plain"]
    assert alerts.check(svc, ws, now=at("2025-03-01T12:01:00")).summaries == 0
    log = alerts.log(svc, ws, "all")
    assert [(d.kind, d.status) for d in log] == [
        ("summary", "sent"),
        ("instant", "summarised"),
        ("instant", "summarised"),
        ("instant", "sent"),
    ]
    assert {d.summary_id for d in log[1:3]} == {log[0].id}


def test_a_muted_rule_sends_nothing_and_skips_what_matched_meanwhile(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, ["a@example.com"], [])
    alerts.add(svc, ws, "all", "instant", {}, people)
    alerts.set_muted(svc, ws, "all", True)
    feed(svc, ws, _negative(2, tag="muted"))
    alerts.check(svc, ws)
    alerts.set_muted(svc, ws, "all", False)
    alerts.check(svc, ws)
    assert inbox[0].messages == []
    feed(svc, ws, _negative(1, tag="after"))
    alerts.check(svc, ws)
    [message] = inbox[0].messages
    assert "after" in parts(message)["plain"] and "muted" not in parts(message)["plain"]


def test_a_daily_digest_counts_a_known_day_in_almaty(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.store.workspace("almaty", "Asia/Almaty")
    # 2025-03-10 in Almaty (UTC+5) runs from 03-09 19:00 to 03-10 19:00 UTC.
    day = [
        ("2025-03-09T19:00:00Z", 1),  # 00:00 local: counts
        ("2025-03-10T08:00:00Z", 1),
        ("2025-03-10T09:00:00Z", 5),
        ("2025-03-10T12:00:00Z", 5),
        ("2025-03-10T18:59:00Z", 4),  # 23:59 local: counts
    ]
    before = [("2025-03-09T10:00:00Z", 1), ("2025-03-09T18:59:00Z", 5)]
    after = [("2025-03-10T19:00:00Z", 1)]  # 03-11 local: not in the day
    items = []
    for n, (when, rating) in enumerate([*day, *before, *after]):
        text = BAD if rating == 1 else GOOD
        items.append({"text": f"{text} {n}", "rating": rating, "published_at": when})
    feed(svc, ws, items)
    people = alerts.recipients_from(svc, ws, ["boss@example.com:kk"], [])
    rule = alerts.add(svc, ws, "daily", "digest", {}, people, at="09:00")
    numbers = alerts.digest_numbers(svc, ws, rule, now=at("2025-03-11T04:00:00"))
    assert (numbers.total, numbers.previous, numbers.negative) == (5, 2, 2)
    assert numbers.change == 150.0
    alerts.digest(svc, ws, rule.id, now=at("2025-03-11T04:00:00"))
    [message] = inbox[0].messages
    assert "2025" in message["Subject"] and "10" in message["Subject"]
    assert "5 " in parts(message)["plain"] and "+150" in parts(message)["plain"]
    with svc.store.connect() as conn:
        [digest] = [s for s in jobqueue.list_schedules(conn, ws.id) if s.kind == "alert_digest"]
    assert (digest.at_time, digest.timezone) == ("09:00", "Asia/Almaty")


def test_a_weekly_digest_goes_out_on_its_chosen_weekday_with_the_week_before(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.store.workspace("almaty", "Asia/Almaty")
    feed(svc, ws, [{"text": BAD, "rating": 1, "published_at": "2025-03-04T08:00:00Z"}])
    people = alerts.recipients_from(svc, ws, ["boss@example.com:en"], [])
    saturday = at("2025-03-01T12:00:00")
    friday = alerts.add(
        svc,
        ws,
        "friday",
        "digest",
        {},
        people,
        at="09:30",
        every="week",
        weekday="Fri",
        now=saturday,
    )
    monday = alerts.add(svc, ws, "monday", "digest", {}, people, every="week", now=saturday)
    assert (friday.weekday, monday.weekday, friday.to_dict()["weekday"]) == (4, 0, 4)
    with svc.store.connect() as conn:
        runs = {
            s.arguments["rule_id"]: (s.weekday, s.next_run_at)
            for s in jobqueue.list_schedules(conn, ws.id)
            if s.kind == "alert_digest"
        }
    assert runs == {
        friday.id: (4, at("2025-03-07T04:30:00")),  # Friday 09:30 in Almaty
        monday.id: (0, at("2025-03-03T04:00:00")),
    }
    changed = alerts.edit(
        svc,
        ws,
        "friday",
        kind="digest",
        filters={},
        recipients=people,
        at="09:30",
        every="week",
        weekday=6,
        now=saturday,
    )
    assert changed.weekday == 6
    alerts.digest(svc, ws, changed.id, now=at("2025-03-09T04:30:00"))  # Sunday 9 March
    [message] = inbox[0].messages
    assert "Mar 2, 2025" in message["Subject"] and "Mar 8, 2025" in message["Subject"]
    assert "1 mention" in parts(message)["plain"]
    daily = alerts.add(svc, ws, "daily", "digest", {}, people, every="day", weekday=3)
    assert daily.weekday is None


@pytest.mark.parametrize("day", ["8", "-1", "someday", "mo"])
def test_a_weekly_digest_on_no_weekday_is_refused(svc: Services, day: str) -> None:
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, ["a@example.com"], [])
    with pytest.raises(InputError, match="is not a weekday; give 0 .Monday. to 6"):
        alerts.add(svc, ws, "x", "digest", {}, people, every="week", weekday=day)
    assert alerts.rules(svc, ws) == []


def test_a_webhook_is_signed_and_retried_after_the_receiver_fails(
    svc: Services, receiver: Receiver
) -> None:
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, [], [receiver.url], style="slack")
    alerts.add(svc, ws, "hook", "instant", {"q": "доставка"}, people)
    receiver.failing = 1
    feed(svc, ws, [*_negative(2), {"text": GOOD}])
    moment = at("2025-03-01T10:00:00")
    with httpx.Client() as client:
        alerts.check(svc, ws, now=moment, client=client)
        [failed] = alerts.log(svc, ws, "hook")
        assert failed.status == "retrying" and "500" in (failed.error or "")
        assert alerts.retry(svc, ws, moment + timedelta(seconds=10), client).retried == 0
        assert alerts.retry(svc, ws, moment + timedelta(seconds=31), client).retried == 1
    [sent] = alerts.log(svc, ws, "hook")
    assert (sent.status, sent.attempts) == ("sent", 2)
    headers, body = receiver.requests[-1]
    assert signing.verify(alerts.secret(svc, ws, "hook"), body, headers["x-otklik-signature"])
    assert not signing.verify("another secret", body, headers["x-otklik-signature"])
    assert json.loads(body)["text"].count(BAD) == 2


def test_bad_rules_are_refused_naming_the_field(svc: Services) -> None:
    ws = svc.workspace()
    people = alerts.recipients_from(svc, ws, ["a@example.com"], [])
    with pytest.raises(InputError, match="kind"):
        alerts.add(svc, ws, "x", "sometimes", {}, people)
    with pytest.raises(ValueError, match="sentiment"):
        alerts.add(svc, ws, "x", "instant", {"sentiment": "angry"}, people)
    with pytest.raises(InputError, match="email"):
        alerts.recipients_from(svc, ws, ["not-an-address"], [])
    with pytest.raises(InputError, match="time of day"):
        alerts.add(svc, ws, "x", "digest", {}, people, at="25:00")
