"""Server-rendered pages."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every page router, in the order they are matched."""
    from otklik.web.pages import (
        admin,
        alerts,
        catalog,
        jobs,
        mentions,
        overview,
        session,
        uploads,
    )

    return [
        session.router,
        overview.router,
        mentions.router,
        uploads.router,
        catalog.router,
        admin.router,
        jobs.router,
        alerts.router,
    ]
