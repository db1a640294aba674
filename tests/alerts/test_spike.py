"""The spike detector on generated hourly counts, and a spike rule's explained message."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np

from otklik.alerts.spike import SpikeDetector
from otklik.services import alerts
from otklik.services.context import Services
from tests.alerts.conftest import Inbox, at, feed, parts

DETECTOR = SpikeDetector()


def _usual(weeks: int, level: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rate, counts): a daily profile peaking in the afternoon, quieter weekends, Poisson."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 168 + 15)  # ends at 14:00 on a weekday, the daily peak
    daily = 0.3 + 1.5 * np.exp(-((((t % 24) - 14) / 4.0) ** 2))
    weekly = np.where((t // 24) % 7 >= 5, 0.6, 1.0)
    rate = level * daily * weekly
    return rate, rng.poisson(rate)


def test_a_real_spike_fires_and_says_against_what() -> None:
    fired = 0
    for seed in range(10):
        rate, counts = _usual(5, 8.0, seed)
        counts[-1] = rng_count = int(np.random.default_rng(seed).poisson(5 * rate[-1]))
        found = DETECTOR.check(counts.tolist())
        if found is not None:
            fired += 1
            assert found.observed == rng_count
            assert abs(found.baseline.expected - rate[-1]) < 0.5 * rate[-1]
    assert fired >= 9


def test_the_usual_afternoon_rise_and_3_to_9_do_not_fire() -> None:
    for seed in range(10):
        _, counts = _usual(5, 8.0, 100 + seed)
        assert DETECTOR.check(counts.tolist()) is None  # whatever hour the stream ends at
    quiet = [3] * (4 * 168) + [9]
    assert DETECTOR.check(quiet) is None
    assert DETECTOR.check([0] * 20 + [50]) is None  # too little history to judge


def test_a_spike_rule_sends_what_rose_against_which_baseline(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    ws = svc.workspace()
    now = at("2025-03-10T12:00:00")
    usual = [
        {
            "text": f"Great service, fast courier {h}",
            "rating": 5,
            "published_at": (now - timedelta(hours=h, minutes=30)).isoformat(),
        }
        for h in range(1, 4 * 24)
    ]
    burst = [
        {
            "text": f"Ужасная доставка, посылка потерялась {n}",
            "rating": 1,
            "published_at": (now - timedelta(minutes=50 - n)).isoformat(),
        }
        for n in range(30)
    ]
    feed(svc, ws, usual + burst)
    people = alerts.recipients_from(svc, ws, ["ops@example.com:en"], [])
    alerts.add(svc, ws, "wave", "spike", {}, people)
    assert alerts.check(svc, ws, now=now).spikes == 2  # volume and negative mentions
    subjects = sorted(m["Subject"] for m in inbox[0].messages)
    assert re.search(r"wave: mentions: 30 in the last hour against 1 ± [\d.]+ usually", subjects[0])
    assert subjects[1].startswith("[Otklik] wave: negative mentions: 30 in the last hour")
    assert "Ужасная доставка" in parts(inbox[0].messages[0])["plain"]
    assert alerts.check(svc, ws, now=now + timedelta(minutes=10)).spikes == 0  # hourly
