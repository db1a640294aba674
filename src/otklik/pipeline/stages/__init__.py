"""Built-in stages; importing a module registers its stage."""

from otklik.pipeline.stages import brands, dedupe, flags, language, normalise, sentiment, tags

__all__ = ["brands", "dedupe", "flags", "language", "normalise", "sentiment", "tags"]
