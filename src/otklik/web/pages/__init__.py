"""Server-rendered pages."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every page router, in the order they are matched."""
    from otklik.web.pages import (
        admin,
        alerts,
        campaigns,
        catalog,
        jobs,
        mentions,
        overview,
        report_schedules,
        session,
        sources,
        survey_form,
        surveys,
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
        sources.router,
        survey_form.router,
        surveys.router,
        report_schedules.router,
        campaigns.router,
        alerts.router,
    ]
