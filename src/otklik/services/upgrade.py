"""The background sentiment upgrade: mentions a bulk import or re-analysis labelled with the
compact tier are relabelled with the encoder tier, newest first, a batch at a time; people's
corrections stay. A durable job (kind `upgrade_sentiment`) runs it; an interrupted one goes on
where it stopped, because what is done is no longer selected."""

from __future__ import annotations

from collections.abc import Callable

from otklik.analysis import analyse_records, build_pipeline
from otklik.domain.records import Workspace
from otklik.errors import ConfigError
from otklik.pipeline.sentiment_backends import encoder_installed
from otklik.services.context import Services
from otklik.services.pipelines import BULK_TIER, LIVE_TIER
from otklik.storage import jobqueue, utcnow

KIND = "upgrade_sentiment"
DEDUPE_KEY = "upgrade_sentiment"
# What the upgrade runs: the flags follow the new label.
STAGES = ("normalise", "language", "sentiment", "flags")

Progress = Callable[[int, int], None]
"""Called with (done, total) mentions after each batch."""


def why_not(svc: Services, ws: Workspace) -> str | None:
    """Why the workspace's mentions cannot be upgraded here, or None when they can."""
    if not svc.settings.sentiment_upgrade:
        return "OTKLIK_SENTIMENT_UPGRADE is off"
    if "sentiment" not in svc.settings.stages:
        return "the pipeline has no sentiment stage"
    if svc.settings.sentiment_model is not None:
        return "OTKLIK_SENTIMENT_MODEL names the model every workspace uses"
    if svc.store.sentiment_model(ws) is not None:
        return "the workspace uses its own sentiment model"
    if not encoder_installed():
        return "the encoder tier is not installed (pip install 'otklik[encoder]')"
    return None


def remaining(svc: Services, ws: Workspace) -> int:
    """How many mentions still carry compact labels the upgrade would replace."""
    return svc.store.count_to_upgrade(ws, [BULK_TIER])


SLICE = 2_000
"""Mentions one upgrade job relabels before it hands the worker back: the rest goes on in a
new job queued behind what waits (alert checks, polls), so hours of upgrading never hold up
the jobs that must run within a minute."""


def queue(svc: Services, ws: Workspace, done_before: int = 0) -> int | None:
    """Queue the upgrade job when it can run and has work; its id, else None. A newer one
    supersedes one already running (it goes on newest first from the newest mentions).
    `done_before` carries the progress of the slices before it."""
    if why_not(svc, ws) is not None or not svc.store.to_upgrade(ws, [BULK_TIER], 1):
        return None
    arguments = {"done_before": done_before} if done_before else {}
    with svc.store.begin() as conn:
        job = jobqueue.enqueue(conn, ws.id, KIND, arguments, utcnow(), dedupe_key=DEDUPE_KEY)
    return job.id


def upgrade(
    svc: Services,
    ws: Workspace,
    progress: Progress | None = None,
    *,
    done_before: int = 0,
    limit: int | None = None,
) -> int:
    """Relabel compact-labelled mentions with the encoder tier, newest first, in batches of
    OTKLIK_UPGRADE_BATCH_SIZE; stops after `limit` when given. Returns how many were
    relabelled (`done_before` counts an earlier attempt's work in the progress)."""
    reason = why_not(svc, ws)
    if reason is not None:
        raise ConfigError(f"the sentiment upgrade cannot run: {reason}")
    settings = svc.settings
    names = [n for n in STAGES if n in settings.stages]
    pipeline = build_pipeline(settings, stages=names, sentiment_tier=LIVE_TIER)
    total = done_before + remaining(svc, ws)
    done = 0
    while limit is None or done < limit:
        size = (
            settings.upgrade_batch_size
            if limit is None
            else min(settings.upgrade_batch_size, limit - done)
        )
        records = svc.store.to_upgrade(ws, [BULK_TIER], size)
        if not records:
            break
        analyses = analyse_records(pipeline, records)
        if any(a.sentiment_tier == BULK_TIER for a in analyses.values()):  # selected again
            raise ConfigError("the sentiment upgrade got compact labels from the encoder tier")
        svc.store.update_analysis(ws, analyses)
        done += len(records)
        if progress is not None:
            progress(done_before + done, max(total, done_before + done))
    return done
