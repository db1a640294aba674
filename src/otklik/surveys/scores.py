"""NPS, CSAT and CES with 95% confidence intervals, and "too few answers" for small groups.

- NPS: each respondent scores +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6);
  NPS is 100 × their mean. The interval is the normal (Wald) interval of that mean: with
  shares p and d, the score's variance is p + d − (p − d)², so
  NPS ± 1.96 × 100 × √((p + d − (p − d)²) / n), clipped to [−100, 100].
- CSAT: the share of answers of 4 or 5 (in %), with the Wilson score interval.
- CES: the mean on 1–7, ± 1.96 × s / √n with the sample standard deviation s.
A group with fewer than `MIN_ANSWERS` answers gets no number: it would mean nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Z95 = 1.959963984540054
MIN_ANSWERS = 10


@dataclass(frozen=True)
class Nps:
    """Counts, the score (None when too few) and its 95% interval."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    value: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        """The report's fields."""
        return {
            "nps": self.value,
            "nps_ci": None if self.low is None else [self.low, self.high],
            "nps_responses": self.responses,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "nps_too_few": self.value is None,
        }


@dataclass(frozen=True)
class Share:
    """CSAT: responses, satisfied (4–5), the share in % and its interval."""

    responses: int
    satisfied: int
    value: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        """The report's fields."""
        return {
            "csat": self.value,
            "csat_ci": None if self.low is None else [self.low, self.high],
            "csat_responses": self.responses,
            "csat_satisfied": self.satisfied,
            "csat_too_few": self.value is None,
        }


@dataclass(frozen=True)
class Mean:
    """CES: responses, the mean and its interval."""

    responses: int
    value: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        """The report's fields."""
        return {
            "ces": self.value,
            "ces_ci": None if self.low is None else [self.low, self.high],
            "ces_responses": self.responses,
            "ces_too_few": self.value is None,
        }


def nps(values: Sequence[int], min_answers: int = MIN_ANSWERS) -> Nps:
    """NPS of 0–10 answers with its Wald interval on the −1/0/+1 score."""
    n = len(values)
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    passives = n - promoters - detractors
    if n < max(min_answers, 1):
        return Nps(n, promoters, passives, detractors, None, None, None)
    p, d = promoters / n, detractors / n
    score = p - d
    half = Z95 * math.sqrt(max(p + d - score * score, 0.0) / n)
    return Nps(
        n,
        promoters,
        passives,
        detractors,
        round(100 * score, 1),
        round(max(-100.0, 100 * (score - half)), 1),
        round(min(100.0, 100 * (score + half)), 1),
    )


def csat(values: Sequence[int], min_answers: int = MIN_ANSWERS) -> Share:
    """The share of 4–5 answers on 1–5, with the Wilson interval."""
    n = len(values)
    good = sum(1 for v in values if v >= 4)
    if n < max(min_answers, 1):
        return Share(n, good, None, None, None)
    p = good / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Share(
        n, good, round(100 * p, 1), round(100 * (centre - half), 1), round(100 * (centre + half), 1)
    )


def ces(values: Sequence[int], min_answers: int = MIN_ANSWERS) -> Mean:
    """The mean effort score with a normal interval."""
    n = len(values)
    if n < max(min_answers, 2):
        return Mean(n, None, None, None)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = Z95 * sd / math.sqrt(n)
    return Mean(n, round(mean, 2), round(mean - half, 2), round(mean + half, 2))
