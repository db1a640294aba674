"""The sentiment stage: positive / neutral / negative with a calibrated score, the star rating
counted as evidence, and one sentiment per brand hit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from otklik.errors import ConfigError
from otklik.pipeline.registry import register
from otklik.pipeline.sentiment_backends import (
    TIERS,
    backend_for_path,
    encoder_installed,
    load_backend,
    shared_tier,
)
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction, SentimentBackend
from otklik.pipeline.sentiment_backends.flags import with_service_evidence
from otklik.pipeline.stage import Item

SERVED_LANGUAGES = frozenset({"ru", "kk", "en"})
# Characters of a text the model reads; reviews are far shorter, and it bounds the time a
# pasted book can take.
MAX_CHARS = 20_000
# How likely each star rating is for a negative, neutral and positive text (P(rating | label)).
RATING_LIKELIHOOD: dict[int, tuple[float, float, float]] = {
    1: (0.85, 0.13, 0.02),
    2: (0.70, 0.25, 0.05),
    3: (0.25, 0.55, 0.20),
    4: (0.05, 0.25, 0.70),
    5: (0.02, 0.13, 0.85),
}
# How likely a brand's context reads negative, neutral, positive when a comparative praises
# (+1) or faults (-1) the brand ("X дешевле, чем Y"): evidence beside the model, not a verdict.
COMPARISON_LIKELIHOOD: dict[int, tuple[float, float, float]] = {
    1: (0.15, 0.35, 1.0),
    -1: (1.0, 0.35, 0.15),
}
# Text we cannot read (empty) or a language we do not serve: what we believe instead.
EMPTY_PROBABILITIES = (0.3, 0.4, 0.3)
OTHER_LANGUAGE_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class BrandSentiment:
    """The sentiment towards one brand hit (same order as the brand hits)."""

    sentiment: str
    score: float


@dataclass(frozen=True, slots=True)
class Sentiment:
    """An item's sentiment, its probability, source and tier, and one per brand hit."""

    sentiment: str
    sentiment_score: float
    sentiment_source: str
    sentiment_tier: str
    brand_sentiments: tuple[BrandSentiment, ...]
    # The text's sentence embedding (int8) when the tier computed one, else None.
    embedding: bytes | None


@register("sentiment")
class SentimentStage:
    """Labels each item's text (and each brand hit's context) positive, neutral or negative.

    Texts in a language other than ru, kk or en still go through the model, with their
    probabilities pulled halfway towards uniform so the score says we are unsure. Empty text
    is neutral with a low score. A star rating 1-5 multiplies the text's probabilities by
    `RATING_LIKELIHOOD`; 1-2 stars are never positive and 4-5 never negative, and
    `sentiment_source` is "rating" when that changed the text's label or there was no text;
    `sentiment_tier` names the backend that read the text (compact, encoder, cascade,
    transformer). Service evidence is weighed in before the rating: a problem stated as a fact
    (late, missing, charged twice…) leans negative, one reported resolved leans positive
    (`flags.with_service_evidence`).

    `tier` chooses the shipped tier ("compact", "encoder", "cascade") when neither `model` nor
    a workspace's own compact model (`model_path`) is given; those win, being the user's
    choice. Without the encoder extra installed an encoder or cascade tier falls back to the
    compact model, and `sentiment_tier` says so.
    """

    name = "sentiment"
    requires = frozenset({"clean_text", "language"})
    provides = frozenset(
        {
            "sentiment",
            "sentiment_score",
            "sentiment_source",
            "sentiment_tier",
            "brand_sentiments",
            "embedding",
        }
    )

    def __init__(
        self,
        backend: SentimentBackend | None = None,
        model_path: Path | None = None,
        model: Path | None = None,
        device: str = "auto",
        tier: str = "compact",
    ) -> None:
        if tier not in TIERS:
            raise ConfigError(f"unknown sentiment tier {tier!r}; tiers are {', '.join(TIERS)}")
        self.backend = backend
        self.model_path = model_path
        self.model = model
        self.device = device
        self.tier = tier

    def load(self) -> None:
        """Pick and load the backend: `model` (a Hugging Face directory or a compact model
        file, for every workspace) when given, else the compact model at `model_path` (a
        workspace's own), else the shipped one."""
        if self.backend is None:
            if self.model is not None:
                self.backend = backend_for_path(self.model, self.device)
            elif self.model_path is None and self.tier != "compact" and encoder_installed():
                self.backend = shared_tier(self.tier)
            else:
                self.backend = load_backend(self.model_path)
        self.backend.load()

    def run(self, batch: Sequence[Item]) -> list[Sentiment]:
        """Sentiment, score, source and brand sentiments for each item, in order."""
        if not batch:
            return []
        self.load()
        assert self.backend is not None
        texts: list[str] = []
        languages: list[str | None] = []
        owners: list[tuple[int, int | None]] = []
        for position, item in enumerate(batch):
            language = item.get("language")
            texts.append(_text_of(item))
            languages.append(language)
            owners.append((position, None))
            for hit_no, hit in enumerate(item.get("brand_hits") or ()):
                texts.append(str(hit.context or "")[:MAX_CHARS])
                languages.append(language)
                owners.append((position, hit_no))
        readable = [k for k, text in enumerate(texts) if text.strip()]
        predictions = self.backend.predict(
            [texts[k] for k in readable], [languages[k] for k in readable]
        )
        by_index = dict(zip(readable, predictions, strict=True))
        overall: list[tuple[str, float, str]] = [("neutral", 0.0, "model")] * len(batch)
        per_brand: list[list[BrandSentiment]] = [[] for _ in batch]
        vectors: list[bytes | None] = [None] * len(batch)
        for k, (position, hit_index) in enumerate(owners):
            item = batch[position]
            rating: int | None = _stars(item.get("rating"))
            if hit_index is not None and len(item.get("brand_hits") or ()) > 1:
                rating = None  # a rating is about the whole review, not each of several brands
            prediction = by_index.get(k)
            if prediction is not None:
                prediction = with_service_evidence(prediction, texts[k])
            if hit_index is not None and prediction is not None:
                lean = int(item.get("brand_hits")[hit_index].comparison_lean or 0)
                prediction = lean_towards(prediction, lean)
            label, score, source = decide(prediction, languages[k], rating)
            if hit_index is None:
                overall[position] = (label, score, source)
                vectors[position] = prediction.embedding if prediction is not None else None
            else:
                per_brand[position].append(BrandSentiment(label, score))
        tier = self.backend.name
        return [
            Sentiment(label, score, source, tier, tuple(brands), vector)
            for (label, score, source), brands, vector in zip(
                overall, per_brand, vectors, strict=True
            )
        ]


def lean_towards(prediction: Prediction, lean: int) -> Prediction:
    """The prediction with a comparison's praise (+1) or fault (-1) of the brand weighed in."""
    likelihood = COMPARISON_LIKELIHOOD.get(lean)
    if likelihood is None:
        return prediction
    pairs = zip(LABELS, likelihood, strict=True)
    fused = [prediction.probabilities[label] * w for label, w in pairs]
    total = sum(fused) or 1.0
    return Prediction.of([p / total for p in fused])


def decide(
    prediction: Prediction | None, language: str | None, rating: int | None
) -> tuple[str, float, str]:
    """Final label, its probability and its source from the text's prediction and the rating."""
    if prediction is None:
        probs = list(EMPTY_PROBABILITIES)
    else:
        probs = [prediction.probabilities[label] for label in LABELS]
        if language not in SERVED_LANGUAGES:
            probs = [OTHER_LANGUAGE_WEIGHT * p + (1 - OTHER_LANGUAGE_WEIGHT) / 3 for p in probs]
    text_label = LABELS[max(range(3), key=lambda k: probs[k])]
    if rating is None:
        return text_label, round(max(probs), 4), "model"
    fused = [p * q for p, q in zip(probs, RATING_LIKELIHOOD[rating], strict=True)]
    banned = {1: 2, 2: 2, 4: 0, 5: 0}.get(rating)
    if banned is not None:
        fused[banned] = 0.0
    total = sum(fused)
    fused = [p / total for p in fused]
    best = max(range(3), key=lambda k: fused[k])
    source = "rating" if prediction is None or LABELS[best] != text_label else "model"
    return LABELS[best], round(fused[best], 4), source


def _text_of(item: Item) -> str:
    text = str(item.get("clean_text") or "")
    title = str(item.get("title") or "").strip()
    if title:
        text = f"{title}. {text}" if text else title
    return text[:MAX_CHARS]


def _stars(value: object) -> int | None:
    # Ratings arrive as int, float or numeric string; anything outside 1-5 is not evidence.
    try:
        stars = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(stars) or not 1 <= stars <= 5:
        return None
    return int(stars + 0.5)
