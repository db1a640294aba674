"""API routes for campaigns and reports: list campaigns, get a report's data as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from otklik.services import campaigns as camp
from otklik.services import reports
from otklik.services.users import User
from otklik.web.api.responses import COMMON_RESPONSES, NOT_FOUND
from otklik.web.deps import api_user, web

router = APIRouter(responses=COMMON_RESPONSES)
Viewer = Annotated[User, Depends(api_user("viewer"))]


@router.get("/campaigns")
def list_campaigns(request: Request, _user: Viewer) -> dict[str, Any]:
    """The workspace's campaigns, newest first: name, `from`, `to`, brand, partners,
    channels, UTM campaign names, linked survey names (`surveys`), notes."""
    state = web(request)
    return {
        "items": [
            {
                "name": c.name,
                "from": c.starts_on.isoformat(),
                "to": c.ends_on.isoformat(),
                "brand": c.brand,
                "partners": list(c.partners),
                "channels": list(c.channels),
                "utm_campaigns": list(c.utm_campaigns),
                "surveys": list(c.surveys),
                "notes": c.notes,
            }
            for c in camp.campaigns(state.svc, state.ws)
        ]
    }


@router.get("/reports/{kind}", responses=NOT_FOUND)
def get_report(
    request: Request,
    kind: Literal["campaign", "smm", "brand"],
    _user: Viewer,
    name: Annotated[
        str | None, Query(max_length=200, description="The campaign (campaign).")
    ] = None,
    since: Annotated[date | None, Query(description="First day (smm, brand).")] = None,
    until: Annotated[date | None, Query(description="Last day, inclusive.")] = None,
    brand: Annotated[str | None, Query(max_length=200, description="Brand (brand).")] = None,
) -> dict[str, Any]:
    """A report's data, as `otklik report KIND --format json` prints it: smm and brand cover
    `since`..`until` (default: the last full month) beside the span before; campaign needs
    `name`."""
    state = web(request)
    today = datetime.now(UTC).astimezone(state.tz).date()
    return reports.build(
        state.svc, state.ws, kind, today, name=name, start=since, end=until, brand=brand
    )
