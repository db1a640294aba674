"""Every error Otklik raises on purpose; messages say what, where and what to do."""

from __future__ import annotations


class OtklikError(Exception):
    """Base of all Otklik errors."""


class ConfigError(OtklikError):
    """A setting, stage list or option that cannot work."""


class InputError(OtklikError):
    """Input from a user (file, feed, request) that cannot be read at all; `field` names the
    field at fault when one is (the API answers it as the error's `parameter`)."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class QueryError(OtklikError):
    """A query that cannot be parsed; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int, query: str = "") -> None:
        self.position = position
        self.query = query
        pointer = f"\n  {query}\n  {' ' * position}^" if query else ""
        super().__init__(f"{message} at position {position}{pointer}")


class NotFoundError(OtklikError):
    """A named object (workspace, brand, mention) that does not exist."""


class ModelError(OtklikError):
    """A model file or backend that cannot be loaded."""
