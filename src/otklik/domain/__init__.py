"""Plain domain objects shared by every layer; imports nothing of ours."""

from otklik.domain.filters import FILTER_NAMES, FilterError, Filters, parse_filters
from otklik.domain.mention import (
    CHANNELS,
    SENTIMENTS,
    Analysis,
    Author,
    BrandHit,
    Engagement,
    Mention,
)

__all__ = [
    "CHANNELS",
    "SENTIMENTS",
    "Analysis",
    "Author",
    "BrandHit",
    "Engagement",
    "FILTER_NAMES",
    "FilterError",
    "Filters",
    "parse_filters",
    "Mention",
]
