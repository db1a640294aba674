"""Spike detection on generated hourly streams: recall, false alarms per filter per 30 days and
median delay, for Otklik's detector and two anchor rules run on the same streams.

Streams: 4 weeks of warm-up then 8 weeks evaluated, hourly counts with a daily profile (night
low, afternoon peak), quieter weekends whose peak comes later, a slow drift of the level,
and Poisson noise on a gamma-mixed rate (mild overdispersion). Filters from quiet (0.3 an hour)
to loud (200 an hour). Spike streams carry injected spikes of 2x, 3x, 5x and 10x the usual
level in three shapes: a one-hour burst, a four-hour step and a three-hour ramp.

Baselines (same hourly checks, same 10-mention minimum and 3-hour cool-down as ours):
  socialmetrix  the last 24 hours' mean above the 7-day mean + k*sigma (sigma of daily means)
  meltwater     the last hour above the past 12 hours' mean + k*sigma (sigma at least sqrt(mean))

Usage: python bench/spike_detection.py [--seeds 20] [--k-sm 2] [--k-mw 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from otklik.alerts.spike import SpikeDetector

WARMUP = 4 * 168
EVAL = 8 * 168
LEVELS = {"quiet": 0.3, "low": 2.0, "mid": 8.0, "busy": 40.0, "loud": 200.0}
SIZES = (2.0, 3.0, 5.0, 10.0)
SHAPES = {"burst": (1.0,), "step": (1.0, 1.0, 1.0, 1.0), "ramp": (1 / 3, 2 / 3, 1.0)}
MIN_COUNT = 10
COOLDOWN = 3

Rule = Callable[[Sequence[int]], bool]


def profile(hours: int, rng: np.random.Generator) -> np.ndarray:
    """The true usual rate's shape (mean about 1): daily and weekly seasonality, slow drift."""
    t = np.arange(hours)
    hour = t % 24
    weekend = ((t // 24) % 7) >= 5
    peak = np.where(weekend, 16.0, 14.0)
    daily = (
        0.25 + 1.6 * np.exp(-(((hour - peak) / 4.5) ** 2)) + 0.3 * np.exp(-(((hour - 20) / 2) ** 2))
    )
    weekly = np.where(weekend, 0.6, 1.0)
    drift = np.exp(np.cumsum(rng.normal(0, 0.004, hours)))
    shape = daily * weekly * drift
    return shape / shape[:WARMUP].mean()


def stream(level: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(usual rate, observed counts) for one filter."""
    rate = level * profile(WARMUP + EVAL, rng)
    mixed = rng.gamma(shape=20.0, scale=rate / 20.0)  # phi = 0.05
    return rate, rng.poisson(mixed)


@dataclass
class Injected:
    start: int
    length: int
    size: float
    shape: str
    peak_expected: float
    peak: int  # the most mentions one hour of the spike really held


def inject(
    counts: np.ndarray, rate: np.ndarray, rng: np.random.Generator, size: float, shape: str
) -> list[Injected]:
    """Spikes every 4-6 days of the evaluated weeks, at random hours."""
    out = []
    t = WARMUP + int(rng.integers(24, 72))
    while t < WARMUP + EVAL - 12:
        factors = SHAPES[shape]
        for i, f in enumerate(factors):
            counts[t + i] += rng.poisson((size - 1) * f * rate[t + i])
        expected = max(size * rate[t + i] for i in range(len(factors)))
        peak = int(max(counts[t + i] for i in range(len(factors))))
        out.append(Injected(t, len(factors), size, shape, expected, peak))
        t += int(rng.integers(96, 144))
    return out


def ours(detector: SpikeDetector) -> Rule:
    window = detector.weeks * 168 + 2

    def rule(history: Sequence[int]) -> bool:
        return detector.check(history[-window:]) is not None

    return rule


def socialmetrix(k: float) -> Rule:
    def rule(history: Sequence[int]) -> bool:
        if len(history) < 168 or history[-1] < MIN_COUNT:
            return False
        week = history[-168:]
        days = [sum(week[i * 24 : (i + 1) * 24]) / 24 for i in range(7)]
        mean24 = days[-1]
        return mean24 > statistics.fmean(days) + k * statistics.pstdev(days)

    return rule


def meltwater(k: float) -> Rule:
    def rule(history: Sequence[int]) -> bool:
        if len(history) < 13 or history[-1] < MIN_COUNT:
            return False
        past = history[-13:-1]
        mean = statistics.fmean(past)
        sigma = max(statistics.pstdev(past), math.sqrt(max(mean, 1.0)))
        return history[-1] > mean + k * sigma

    return rule


def alarms(rule: Rule, counts: np.ndarray) -> list[int]:
    """Hours at whose end the rule alarms (checked hourly, with the cool-down)."""
    values = counts.tolist()
    fired: list[int] = []
    for t in range(WARMUP, WARMUP + EVAL):
        if fired and t - fired[-1] < COOLDOWN:
            continue
        if rule(values[: t + 1]):
            fired.append(t)
    return fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--k-sm", type=float, default=2.0)
    parser.add_argument("--k-mw", type=float, default=3.0)
    parser.add_argument("--alpha", type=float, default=SpikeDetector.alpha)
    parser.add_argument("--min-ratio", type=float, default=SpikeDetector.min_ratio)
    parser.add_argument("--min-dispersion", type=float, default=SpikeDetector.min_dispersion)
    args = parser.parse_args()
    detector = SpikeDetector(
        alpha=args.alpha, min_ratio=args.min_ratio, min_dispersion=args.min_dispersion
    )
    rules = {
        "otklik": ours(detector),
        f"socialmetrix(k={args.k_sm:g})": socialmetrix(args.k_sm),
        f"meltwater(k={args.k_mw:g})": meltwater(args.k_mw),
    }
    print(f"quiet streams: {args.seeds} seeds x {len(LEVELS)} filters, {EVAL // 24} days each")
    print(f"{'rule':22} " + " ".join(f"{n:>7}" for n in LEVELS) + "   false alarms / 30 days")
    for name, rule in rules.items():
        per_level = []
        for li, level in enumerate(LEVELS.values()):
            total = 0
            for seed in range(args.seeds):
                rng = np.random.default_rng(1000 * li + seed)
                _, counts = stream(level, rng)
                total += len(alarms(rule, counts))
            per_level.append(total / args.seeds / (EVAL / 720))
        print(f"{name:22} " + " ".join(f"{v:7.2f}" for v in per_level))
    print()
    print("spike streams: recall (detected within the spike or the hour after it), median delay")
    print("in hours (1 = at the first hourly check after the spike's first hour)")
    results: dict[str, list[tuple[Injected, int | None]]] = {n: [] for n in rules}
    for li, level in enumerate(LEVELS.values()):
        for size in SIZES:
            for shape in SHAPES:
                for seed in range(max(args.seeds // 4, 2)):
                    rng = np.random.default_rng(10**6 + 10_000 * li + 100 * int(size) + seed)
                    rate, counts = stream(level, rng)
                    spikes = inject(counts, rate, rng, size, shape)
                    for name, rule in rules.items():
                        fired = alarms(rule, counts)
                        for s in spikes:
                            hit = [t for t in fired if s.start <= t <= s.start + s.length]
                            results[name].append((s, hit[0] - s.start + 1 if hit else None))
    _report(results)


def _report(results: dict[str, list[tuple[Injected, int | None]]]) -> None:
    # ">=20 mentions": the spike's busiest hour really held 20 or more; "expected" groups go
    # by what the hour was meant to hold (size x usual rate), noise and all.
    groups: list[tuple[str, Callable[[Injected], bool]]] = [
        ("3x, >=20 mentions", lambda s: s.size == 3 and s.peak >= 20),
        ("3x, burst, >=20", lambda s: s.size == 3 and s.shape == "burst" and s.peak >= 20),
        ("3x, expected >=20", lambda s: s.size == 3 and s.peak_expected >= 20),
        ("2x, >=20 mentions", lambda s: s.size == 2 and s.peak >= 20),
        ("5x, >=20 mentions", lambda s: s.size == 5 and s.peak >= 20),
        ("10x, >=20 mentions", lambda s: s.size == 10 and s.peak >= 20),
        ("any, <20 mentions", lambda s: s.peak < 20),
    ]
    print(f"{'rule':22} {'spikes':26} {'n':>5} {'recall':>7} {'median delay':>13}")
    for name, found in results.items():
        for label, keep in groups:
            chosen = [(s, d) for s, d in found if keep(s)]
            delays = [d for _, d in chosen if d is not None]
            recall = len(delays) / len(chosen) if chosen else float("nan")
            median = statistics.median(delays) if delays else float("nan")
            print(f"{name:22} {label:26} {len(chosen):5} {recall:7.3f} {median:13.1f}")


if __name__ == "__main__":
    main()
