"""Storage: the only package that imports SQLAlchemy."""

from otklik.storage.mentions import AnalysedMention, InsertResult
from otklik.storage.store import CASE_STATUSES, Store, utcnow

__all__ = ["CASE_STATUSES", "AnalysedMention", "InsertResult", "Store", "utcnow"]
