"""The demo workspace: which pipeline stages it can use here, and loading it once."""

from __future__ import annotations

from otklik import demo
from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.services import upgrade
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


def load(svc: Services) -> DemoResult:
    """Create the demo brands and tags and import the generated mentions into the settings'
    workspace (InputError when it already has brands); like any big import, its compact
    labels are upgraded to the encoder tier by a background job."""
    result = demo.load_demo(svc.store, svc.settings)
    upgrade.queue(svc, result.workspace)
    return result
