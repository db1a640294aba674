"""The spike detector: is the last hour's count of a filter above its normal level?

The normal level of an hour is its seasonal baseline: the same hour of the week (and the hour
on either side) over the past weeks, a week that was itself a spike left out, scaled by how the
last seven days compare with those weeks (so a filter that grew or shrank is judged by its
present level). With less than a week of history the same hour of the past days stands in. The
last hour is a spike when it is unlikely under a negative binomial around that baseline
(Poisson noise, the extra spread the past day's hours showed around their own baselines, and
the baseline's own uncertainty) and is also at least `min_count` mentions and `min_ratio` times
the baseline, so a handful (3 → 9) never alarms. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WEEK = 168
DAY = 24


@dataclass(frozen=True)
class Baseline:
    """What an hour usually holds: the expected count and its spread (one standard deviation)."""

    expected: float
    spread: float
    samples: int


@dataclass(frozen=True)
class Spike:
    """A last hour above its baseline, with the numbers the message explains it by."""

    observed: int
    baseline: Baseline
    ratio: float
    p_value: float


@dataclass(frozen=True)
class SpikeDetector:
    """The test's thresholds; `counts` are hourly, oldest first, the last one the hour tested."""

    min_count: int = 10
    min_ratio: float = 2.0
    alpha: float = 1e-3
    weeks: int = 4
    min_history: int = 3 * DAY
    min_dispersion: float = 0.05
    max_dispersion: float = 0.15

    def baseline(self, counts: Sequence[int]) -> Baseline | None:
        """The tested (last) hour's baseline from the hours before it; None while fewer than
        `min_history` hours are known."""
        history = list(reversed(counts[:-1]))  # history[h - 1] is h hours before the tested
        if len(history) < self.min_history:
            return None
        period = WEEK if len(history) >= WEEK + 1 else DAY
        reach = self.weeks if period == WEEK else 7
        found = _seasonal(history, 0, period, reach)
        if found is None:
            return None
        seasonal, n = found
        level = _level_ratio(history, period, reach)
        expected = max(seasonal * level, 0.5)
        phi = _dispersion(history, period, reach)
        phi = min(max(phi, self.min_dispersion), self.max_dispersion)
        # Poisson and extra noise of the hour, plus the uncertainty of the baseline itself.
        noise = expected + phi * expected**2
        spread2 = noise + noise / n
        return Baseline(expected, math.sqrt(spread2), n)

    def check(self, counts: Sequence[int]) -> Spike | None:
        """The spike in the last hour, or None."""
        if not counts:
            return None
        observed = int(counts[-1])
        if observed < self.min_count:
            return None
        base = self.baseline(counts)
        if base is None or observed < self.min_ratio * base.expected:
            return None
        p_value = tail(observed, base.expected, base.spread**2)
        if p_value >= self.alpha:
            return None
        return Spike(observed, base, observed / base.expected, p_value)


def _seasonal(history: list[int], at: int, period: int, reach: int) -> tuple[float, int] | None:
    """The mean of the same hour (and the hour on either side) one to `reach` periods before
    the hour `at` hours before the tested one, leaving out a period at least twice the median
    of the others (an earlier spike); with how many hours it averaged."""
    weeks: list[tuple[float, int]] = []
    for k in range(1, reach + 1):
        centre = at + k * period
        window = [history[h - 1] for h in (centre - 1, centre, centre + 1) if 0 < h <= len(history)]
        if window:
            weeks.append((sum(window), len(window)))
    if not weeks:
        return None
    if len(weeks) >= 3:
        means = sorted(total / size for total, size in weeks)
        middle = means[len(means) // 2]
        kept = [(t, c) for t, c in weeks if t / c <= 2 * middle + 3]
        weeks = kept or weeks
    hours = sum(c for _, c in weeks)
    return sum(t for t, _ in weeks) / hours, hours


def _dispersion(history: list[int], period: int, reach: int) -> float:
    """Overdispersion of a past day's hours around their own seasonal baselines (method of
    moments; hours far above their baseline, earlier spikes, left out, and so are the last
    three, where a rise now under way would begin)."""
    above = total = 0.0
    for at in range(4, DAY + 4):
        if at > len(history):
            break
        found = _seasonal(history, at, period, reach)
        if found is None:
            continue
        base, n = found
        observed = history[at - 1]
        if observed > 2 * base + 10:
            continue
        above += (observed - base) ** 2 - observed - base / n
        total += base**2
    return above / total if total > 0 else 0.0


def _level_ratio(history: list[int], period: int, reach: int) -> float:
    """How the last seven days compare with the weeks the seasonal samples come from (shrunk
    towards 1 and bounded, so one busy day neither hides a spike nor invents one)."""
    recent = history[:WEEK]
    span = history[: period * reach + 1]
    if len(span) <= len(recent) or not recent:
        return 1.0
    recent_mean = sum(recent) / len(recent)
    span_mean = sum(span) / len(span)
    prior = 5.0  # mentions: a quiet filter's ratio stays near 1
    ratio = (recent_mean * len(recent) + prior) / (span_mean * len(recent) + prior)
    return min(max(ratio, 0.5), 2.0)


def tail(observed: int, mean: float, variance: float) -> float:
    """P(X >= observed) for a negative binomial of this mean and variance (Poisson when the
    variance is not above the mean)."""
    if observed <= 0:
        return 1.0
    if variance <= mean * (1 + 1e-9):

        def log_pmf(k: int) -> float:
            return k * math.log(mean) - mean - math.lgamma(k + 1)

    else:
        size = mean**2 / (variance - mean)
        p = size / (size + mean)

        def log_pmf(k: int) -> float:
            return (
                math.lgamma(k + size)
                - math.lgamma(size)
                - math.lgamma(k + 1)
                + size * math.log(p)
                + k * math.log1p(-p)
            )

    total = 0.0
    k = observed
    while True:
        term = math.exp(log_pmf(k))
        total += term
        if term < 1e-15 * max(total, 1e-300) or k > observed + 10_000:
            break
        k += 1
    return min(total, 1.0)
