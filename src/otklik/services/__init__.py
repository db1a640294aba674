"""Use cases the CLI, the web pages, the JSON API and background jobs all call.

`Services` holds what a process opens once (settings, the store, built pipelines); each module
here is one use case whose functions take it and the workspace they work in.
"""

from otklik.services.context import Services

__all__ = ["Services"]
