"""The mention (one feedback item) and its analysis."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from operator import eq
from typing import Any

CHANNELS = (
    "vk",
    "telegram",
    "instagram",
    "youtube",
    "twitter",
    "facebook",
    "tiktok",
    "review",
    "marketplace",
    "appstore",
    "maps",
    "news",
    "forum",
    "blog",
    "email",
    "survey",
    "support",
    "other",
)
SENTIMENTS = ("positive", "neutral", "negative")
# Two texts whose MinHash signatures agree this closely are copies of each other.
NEAR_THRESHOLD = 0.7
AUTHOR_KINDS = ("person", "community", "media")


@dataclass(frozen=True)
class Author:
    """Who published a mention."""

    name: str | None = None
    id: str | None = None
    kind: str | None = None
    audience: int | None = None


@dataclass(frozen=True)
class Engagement:
    """Reactions a mention received."""

    likes: int | None = None
    comments: int | None = None
    reposts: int | None = None
    views: int | None = None


@dataclass
class Mention:
    """One piece of feedback exactly as collected; analysis never edits it."""

    text: str
    raw: dict[str, Any]
    title: str | None = None
    url: str | None = None
    author: Author = field(default_factory=Author)
    published_at: datetime | None = None
    collected_at: datetime | None = None
    channel: str = "other"
    location: str | None = None
    rating: float | None = None
    engagement: Engagement = field(default_factory=Engagement)
    language: str | None = None
    external_id: str | None = None
    id: int | None = None
    source_id: int | None = None

    @cached_property
    def content_hash(self) -> str:
        """Hash of what makes two items the same content from the same place."""
        key = "\x1f".join(
            [
                " ".join(self.text.split()).casefold(),
                (self.title or "").casefold(),
                self.author.name or "",
                self.url or "",
                self.published_at.isoformat() if self.published_at else "",
            ]
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrandHit:
    """A brand a mention matched: its role and why, and the sentiment towards it."""

    brand_id: int
    role: str  # "main" | "passing"
    sentiment: str | None = None
    score: float | None = None
    is_comparison: bool = False
    role_reason: str | None = None


@dataclass
class Analysis:
    """What the pipeline concluded about one mention."""

    language: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    sentiment_source: str | None = None  # "model" | "rating" | "person"
    sentiment_tier: str | None = None  # "compact" | "encoder" | "cascade" | "transformer"
    is_spam: bool = False
    # A reported problem that needs the company's action; a request for information.
    is_complaint: bool = False
    is_question: bool = False
    duplicate_of: int | None = None
    brands: list[BrandHit] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    # Near-duplicate evidence: band keys and the MinHash signature storage compares.
    near_keys: tuple[int, ...] = ()
    signature: bytes | None = None
    # The encoder's sentence embedding as int8 (384 bytes), when the encoder tier ran.
    embedding: bytes | None = None


def similarity(left: bytes, right: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (32-bit values as bytes)."""
    if len(left) != len(right) or not left or len(left) % 4:
        return 0.0
    if left == right:
        return 1.0
    a, b = memoryview(left).cast("I"), memoryview(right).cast("I")
    same: int = sum(map(eq, a, b))
    return same / len(a)
