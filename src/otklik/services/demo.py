"""The demo workspace: which pipeline stages it can use here, and loading it once."""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from otklik import demo, demo_campaign
from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.services import campaigns, posts, surveys, upgrade
from otklik.services.context import Services
from otklik.settings import Settings

DemoResult = demo.DemoResult


def installed_stages(settings: Settings) -> list[str]:
    """The configured stages that are installed (a stage whose model is missing is left out)."""
    return demo.demo_stages(settings)


def workspace_with_mentions(svc: Services) -> Workspace | None:
    """Create or upgrade the database; the settings' workspace when it already has mentions
    (the demo is not loaded twice), else None."""
    svc.init()
    ws = svc.workspace()
    return ws if svc.store.count(ws, Filters()) > 0 else None


def load(svc: Services, now: datetime | None = None) -> DemoResult:
    """Create the demo brands and tags, import the generated mentions into the settings'
    workspace (InputError when it already has brands), then its posts, traffic and a
    campaign with goals; like any big import, its compact labels are upgraded to the encoder
    tier by a background job."""
    result = demo.load_demo(svc.store, svc.settings, now=now)
    load_campaign(svc, result.workspace, now)
    upgrade.queue(svc, result.workspace)
    return result


def load_campaign(svc: Services, ws: Workspace, now: datetime | None = None) -> None:
    """The demo's posts, traffic, leads, a partner-debrief survey with a few answers, and a
    campaign with SMART goals that links the debrief."""
    today = demo_campaign.today_of(now)
    with tempfile.TemporaryDirectory(prefix="otklik-demo-") as folder:
        for name, text, kind in (
            ("posts.csv", demo_campaign.posts_csv(today), "post"),
            ("traffic.csv", demo_campaign.traffic_csv(today), "traffic"),
        ):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            posts.import_sheet(svc, ws, path, kind)
    campaigns.set_manual_values(svc, ws, "leads", demo_campaign.leads(today))
    start, end = demo_campaign.campaign_span(today)
    debrief = surveys.add_from_template(svc, ws, demo_campaign.DEBRIEF, "partner-debrief")
    for days_after, language, answers in demo_campaign.DEBRIEF_ANSWERS:
        at = datetime.combine(end + timedelta(days=days_after), time(11, 0))
        contact = {"name": demo_campaign.PARTNER}
        surveys.respond(svc, ws, debrief, answers, language, "link", contact=contact, at=at)
    campaigns.add_campaign(
        svc,
        ws,
        demo_campaign.CAMPAIGN,
        start,
        end,
        brand=demo.BRANDS[0].name,
        partners=[demo_campaign.PARTNER],
        channels=["vk", "instagram", "telegram"],
        utm_campaigns=[demo_campaign.UTM_CAMPAIGN],
        notes=demo_campaign.NOTES,
        surveys=[demo_campaign.DEBRIEF],
    )
    for goal in demo_campaign.GOALS:
        campaigns.add_goal(
            svc, ws, demo_campaign.CAMPAIGN, goal["metric"], goal["target"], None, goal["wording"]
        )
    campaigns.save_retrospective(svc, ws, demo_campaign.CAMPAIGN, **demo_campaign.RETRO)
