"""Stages registered by name, so settings can choose and order them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from otklik.errors import ConfigError
from otklik.pipeline.stage import Stage

StageFactory = Callable[..., Stage]
_FACTORIES: dict[str, StageFactory] = {}


def register(name: str) -> Callable[[StageFactory], StageFactory]:
    """Class decorator: make a stage available under `name`."""

    def wrap(factory: StageFactory) -> StageFactory:
        _FACTORIES[name] = factory
        return factory

    return wrap


def registered() -> list[str]:
    """Names of all registered stages."""
    _load_builtin()
    return sorted(_FACTORIES)


def build(name: str, **config: Any) -> Stage:
    """Create the stage registered as `name` with its config."""
    _load_builtin()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES))
        raise ConfigError(f"unknown pipeline stage {name!r}; known stages: {known}") from None
    return factory(**config)


def _load_builtin() -> None:
    # Importing the modules runs their @register decorators.
    import otklik.pipeline.stages  # noqa: F401
