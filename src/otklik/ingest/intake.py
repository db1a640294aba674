"""Intake, the one door: raw items from any source are validated into mentions (rejects kept
with row, field, reason and the raw input), analysed in batches and stored under one run.

File import, feeds, webhooks, e-mail and surveys are clients: they turn what they read into
`RawItem`s and call `take`. Each batch's mentions and the run's counts commit in one
transaction, so a run's `rows_read` is exactly how many items are settled; `take` with the
run id of an interrupted run skips those and finishes it.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from zoneinfo import ZoneInfo

from otklik.analysis import item_for
from otklik.domain.mention import Analysis, Mention
from otklik.domain.records import ImportRun, Rejection, Workspace
from otklik.ingest.mapping import FIELDS, RowRejected, RowRules, to_mention
from otklik.ingest.raw import RawItem
from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.stage import Item
from otklik.storage import AnalysedMention, InsertResult, Store, utcnow
from otklik.storage import imports as import_runs

__all__ = [
    "Convert",
    "IntakeOptions",
    "IntakeResult",
    "Outcome",
    "RawItem",
    "RowRejected",
    "take",
]

Convert = Callable[[RawItem], Mention]
"""Turns a raw item into a mention, or raises RowRejected naming the field and the reason."""


@dataclass(frozen=True)
class IntakeOptions:
    """How a stream is taken in."""

    batch_size: int = 1000
    # Analyse in a process of its own beside reading and storing (about half again as fast
    # with 2 cores); worth its start-up (~1 s and a model load) only for big inputs.
    separate_process: bool = False
    # Without an external id, the same URL from the same source is the same item.
    identity_by_url: bool = True
    # Keep what happened to each item (`IntakeResult.outcomes`): a webhook answers per item.
    keep_outcomes: bool = False
    # On SQLite, analysed batches that are ready together are stored in one transaction of
    # up to this many items: each commit rewrites every index and FTS page it touched, so
    # fewer, bigger commits cost less (about a fifth of the storing). On PostgreSQL each
    # batch commits alone, so concurrent imports hold the shared rollup rows briefly.
    commit_items: int = 10_000


@dataclass(frozen=True)
class Outcome:
    """What happened to one item: accepted (stored new), updated, duplicate or rejected."""

    position: int
    status: str
    field: str | None = None
    reason: str | None = None


@dataclass
class IntakeResult:
    """Counts of a run (a resumed run's include what it settled before)."""

    run_id: int
    read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    near_duplicates: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def take(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    items: Iterable[RawItem],
    *,
    source_id: int | None,
    label: str,
    convert: Convert | None = None,
    options: IntakeOptions | None = None,
    run_id: int | None = None,
    run_format: str | None = None,
    run_encoding: str | None = None,
    progress: Callable[[IntakeResult], None] | None = None,
) -> IntakeResult:
    """Validate, analyse and store a stream of raw items under one run; returns its counts.

    `label` names the run (a file's path, a feed's URL); with `run_id` an interrupted run of
    the same stream is finished: its settled items are skipped. The run ends `done`,
    `interrupted` (Ctrl-C, SIGTERM turned into KeyboardInterrupt) or `failed`."""
    convert = convert or default_convert(ws, source_id)
    options = options or IntakeOptions()
    with store.begin() as conn:
        import_runs.interrupt_orphans(conn, ws.id, utcnow())
        if run_id is None:
            run_id = import_runs.start_run(
                conn, ws.id, source_id, label, run_format, run_encoding, utcnow()
            )
            result = IntakeResult(run_id)
        else:
            run = import_runs.resume_run(conn, run_id, utcnow())
            result = IntakeResult(
                run_id, run.rows_read, run.imported, run.updated, run.duplicates, run.rejected
            )
            items = islice(items, run.rows_read, None)
    analyser = _analyser_for(pipeline) if options.separate_process else None
    if analyser is None:
        pipeline.load()
    try:
        with analyser or nullcontext():
            _run(store, ws, pipeline, analyser, items, convert, result, options, progress)
    except Exception as exc:
        _finish(store, run_id, "failed", str(exc) or type(exc).__name__)
        raise
    except BaseException:  # Ctrl-C, SIGTERM, a worker handing its job back: resumable
        _finish(store, run_id, "interrupted", "stopped before the end")
        raise
    _finish(store, run_id, "done")
    return result


def default_convert(ws: Workspace, source_id: int | None) -> Convert:
    """Items whose data is keyed by mention field names (text, title, url, published_at…)."""
    rules = RowRules({name: name for name in FIELDS}, ZoneInfo(ws.timezone), source_id=source_id)
    return lambda item: to_mention(item, rules)


def interrupted_run(
    store: Store, ws: Workspace, source_id: int | None, label: str
) -> ImportRun | None:
    """The interrupted run of this source and label (path) that a new run could finish."""
    with store.begin() as conn:
        import_runs.interrupt_orphans(conn, ws.id, utcnow())
        return import_runs.interrupted_run(conn, ws.id, source_id, label)


def _finish(store: Store, run_id: int, status: str, message: str | None = None) -> None:
    with store.begin() as conn:
        import_runs.finish_run(conn, run_id, status, utcnow(), message)


@dataclass
class _Batch:
    read: int
    accepted: list[AnalysedMention]
    rejections: list[Rejection]
    positions: list[int]  # each accepted mention's item position
    analysed: Future[list[Analysis]] | None = None

    def ready(self) -> bool:
        return self.analysed is None or self.analysed.done()

    def take_analysis(self) -> None:
        if self.analysed is not None:
            for am, found in zip(self.accepted, self.analysed.result(), strict=True):
                am.analysis = found
            self.analysed = None


def _chunks(items: Iterable[RawItem], size: int) -> Iterator[list[RawItem]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _run(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    analyser: Executor | None,
    items: Iterable[RawItem],
    convert: Convert,
    result: IntakeResult,
    options: IntakeOptions,
    progress: Callable[[IntakeResult], None] | None,
) -> None:
    # One writer thread stores batch n while this thread reads (and, without an analyser
    # process, analyses) batch n+1. With an analyser, this thread keeps it up to `ahead`
    # batches ahead of the store, and hands the writer every analysed batch that is ready
    # (up to `group`, stored in one transaction; see IntakeOptions.commit_items).
    group = 1
    if analyser is not None and store.dialect == "sqlite":
        group = max(1, options.commit_items // max(1, options.batch_size))
    ahead = group + 2 if analyser is not None else 0
    waiting: deque[_Batch] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="otklik-intake-writer") as writer:
        pending: Future[None] | None = None

        def store_oldest() -> None:
            nonlocal pending
            waiting[0].take_analysis()
            if pending is not None:
                pending.result()
                if progress is not None:
                    progress(result)
            batches = [waiting.popleft()]
            while waiting and len(batches) < group and waiting[0].ready():
                waiting[0].take_analysis()
                batches.append(waiting.popleft())
            pending = writer.submit(_store, store, ws, batches, result, options)

        for chunk in _chunks(items, options.batch_size):
            accepted, rejections, positions = _accept(chunk, convert)
            work = [item_for(am.mention) for am in accepted]
            batch = _Batch(len(chunk), accepted, rejections, positions)
            if analyser is None:
                for am, found in zip(accepted, pipeline.analyse(work), strict=True):
                    am.analysis = found
            else:
                batch.analysed = analyser.submit(_analyse_in_worker, work)
            waiting.append(batch)
            while len(waiting) > ahead:
                store_oldest()
        while waiting:
            store_oldest()
        if pending is not None:
            pending.result()
            if progress is not None:
                progress(result)


def _accept(
    chunk: Sequence[RawItem], convert: Convert
) -> tuple[list[AnalysedMention], list[Rejection], list[int]]:
    accepted: list[AnalysedMention] = []
    rejections: list[Rejection] = []
    positions: list[int] = []
    for item in chunk:
        try:
            accepted.append(AnalysedMention(convert(item)))
            positions.append(item.position)
        except RowRejected as exc:
            rejections.append(Rejection(item.position, exc.field, exc.reason, _raw_of(item)))
    return accepted, rejections, positions


def _raw_of(item: RawItem) -> str:
    if item.raw:
        return item.raw
    return json.dumps(dict(item.data), ensure_ascii=False, default=str)


def _store(
    store: Store,
    ws: Workspace,
    batches: Sequence[_Batch],
    result: IntakeResult,
    options: IntakeOptions,
) -> None:
    # The batches and the run's counts commit together: `rows_read` is what is settled.
    # Each batch is stored as it would be alone (it sees the ones before it as stored).
    counts = IntakeResult(result.run_id)
    with store.begin() as conn:
        for batch in batches:
            stored = store.insert(conn, ws, batch.accepted, identity_by_url=options.identity_by_url)
            import_runs.add_counts(
                conn,
                result.run_id,
                read=batch.read,
                imported=stored.inserted,
                duplicates=len(stored.already_stored),
                rejections=batch.rejections,
                updated=len(stored.updated),
                now=utcnow(),
            )
            counts.read += batch.read
            counts.imported += stored.inserted
            counts.updated += len(stored.updated)
            counts.duplicates += len(stored.already_stored)
            counts.rejected += len(batch.rejections)
            counts.near_duplicates += stored.copies
            if options.keep_outcomes:
                counts.outcomes.extend(_outcomes(batch, stored))
    result.read += counts.read
    result.imported += counts.imported
    result.updated += counts.updated
    result.duplicates += counts.duplicates
    result.rejected += counts.rejected
    result.near_duplicates += counts.near_duplicates
    result.outcomes.extend(counts.outcomes)


def _outcomes(batch: _Batch, stored: InsertResult) -> list[Outcome]:
    skipped, updated = set(stored.already_stored), set(stored.updated)
    found = [Outcome(r.row_number, "rejected", r.field, r.reason) for r in batch.rejections]
    for index, position in enumerate(batch.positions):
        status = "duplicate" if index in skipped else "updated" if index in updated else "accepted"
        found.append(Outcome(position, status))
    return sorted(found, key=lambda o: o.position)


# The analysis process


def _analyser_for(pipeline: Pipeline) -> ProcessPoolExecutor | None:
    """A process that analyses batches, where the pipeline can be rebuilt there."""
    if pipeline.recipe is None:
        return None
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(pipeline.recipe, os.getpid()),
    )


_worker_pipeline: Pipeline | None = None
_PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def _start_worker(recipe: Callable[[], Pipeline], parent: int) -> None:
    global _worker_pipeline
    exit_with_parent(parent)
    _worker_pipeline = recipe()
    _worker_pipeline.load()


def exit_with_parent(parent: int) -> None:
    """End this process when `parent` dies, however it dies (SIGKILL included).

    Linux delivers SIGKILL on the parent's death once asked through prctl; a thread that
    polls the parent covers other systems and the moment before prctl took effect."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the watchdog alone
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent,), name="otklik-parent-watch", daemon=True
    ).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent and import_runs.is_alive(parent):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _analyse_in_worker(items: list[Item]) -> list[Analysis]:
    assert _worker_pipeline is not None, "the analysis process starts with its pipeline"
    return _worker_pipeline.analyse(items)
