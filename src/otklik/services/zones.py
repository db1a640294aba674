"""The workspace's time zone: where it comes from, how times are shown in it, changing it.

A new workspace takes `OTKLIK_TIMEZONE`; from then on the workspace keeps its own zone,
which every listing, day count, filter and page of that workspace uses. Machine-readable
output (JSON, JSON Lines, CSV, the API) keeps times in UTC with a `Z`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from otklik.domain.records import Workspace
from otklik.errors import ConfigError
from otklik.services.context import Services
from otklik.storage import zones


def zone_of(ws: Workspace) -> ZoneInfo:
    """The workspace's zone."""
    return ZoneInfo(ws.timezone)


def local_text(moment: datetime | None, ws: Workspace) -> str:
    """A stored (UTC) time as the workspace's local time with its offset: 2025-03-01 00:30+05:00."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(zone_of(ws))
    return local.isoformat(sep=" ", timespec="minutes")


def set_timezone(svc: Services, ws: Workspace, name: str) -> Workspace:
    """Give the workspace another zone; its mentions' days and day counts follow it
    (ConfigError for a zone name the time zone database does not know)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r} (use e.g. Asia/Almaty or UTC)") from exc
    with svc.store.begin() as conn:
        zones.set_timezone(conn, ws.id, name)
    return Workspace(ws.id, ws.name, name)
