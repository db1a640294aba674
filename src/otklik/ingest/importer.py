"""File import: read rows, accept or reject each with a reason, analyse and store in batches."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from otklik.analysis import item_for
from otklik.domain.records import Rejection, Workspace
from otklik.errors import InputError
from otklik.ingest.files import FileInfo, OpenedFile, RawRow, open_rows
from otklik.ingest.mapping import RowRejected, RowRules, map_columns, to_mention
from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.stage import Item
from otklik.storage import AnalysedMention, Store, utcnow
from otklik.storage import imports as import_runs

Progress = Callable[[int, int], None]  # bytes read, rows read

# From this file size on, the analysis runs in a process of its own beside the reading and the
# storing (with 2 cores, about half again as fast); smaller files are not worth its start-up.
PROCESS_BYTES = 4_000_000


@dataclass
class ImportOptions:
    """What the user chose for one import."""

    source: str | None = None
    format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rating_scale: tuple[float, float] = (1, 5)
    channel: str = "other"
    batch_size: int = 1000
    # Files from this size on are analysed in a separate process (see PROCESS_BYTES).
    process_bytes: int = PROCESS_BYTES


@dataclass
class ImportResult:
    """Counts of an import and the id of its run."""

    run_id: int
    info: FileInfo
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    near_duplicates: int = 0
    mapping: dict[str, str] = field(default_factory=dict)


def import_file(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file; every readable row is stored or rejected with its reason."""
    opened = open_rows(path, options.format)
    try:
        return _import_opened(store, ws, pipeline, path, opened, options, progress)
    finally:
        opened.close()


def _import_opened(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    path: Path,
    opened: OpenedFile,
    options: ImportOptions,
    progress: Progress | None,
) -> ImportResult:
    info = opened.info
    mapping = map_columns(info.columns, options.mapping) if info.columns else dict(options.mapping)
    if info.columns and "text" not in mapping.values():
        raise InputError(
            f"no text column found among {info.columns}; name it with --map COLUMN=text"
        )
    source_id = store.source_id(ws, options.source or path.name, "file", {"path": str(path)})
    with store.begin() as conn:
        run_id = import_runs.start_run(
            conn, ws.id, source_id, str(path), info.format, info.encoding, utcnow()
        )
    result = ImportResult(run_id, info, mapping=mapping)
    rules = RowRules(
        mapping, ZoneInfo(ws.timezone), options.rating_scale, options.channel, source_id
    )
    rules_for = _RulesByKeys(rules, options.mapping) if not info.columns else None
    analyser = _analyser_for(pipeline, path, options.process_bytes)
    if analyser is None:
        pipeline.load()
    try:
        with analyser or nullcontext():
            _run_chunks(
                store, ws, pipeline, analyser, opened, rules, rules_for, result, options, progress
            )
    except KeyboardInterrupt:
        with store.begin() as conn:
            import_runs.finish_run(conn, run_id, "interrupted", utcnow(), "stopped by the user")
        raise
    except Exception as exc:
        with store.begin() as conn:
            import_runs.finish_run(conn, run_id, "failed", utcnow(), str(exc))
        raise
    with store.begin() as conn:
        import_runs.finish_run(conn, run_id, "done", utcnow())
    if rules_for is not None:
        result.mapping = rules_for.seen
    return result


class _RulesByKeys:
    """For JSON, where each object may have its own keys: a mapping per distinct key set."""

    def __init__(self, base: RowRules, explicit: dict[str, str]) -> None:
        self.base = base
        self.explicit = explicit
        self.cache: dict[frozenset[str], RowRules] = {}
        self.seen: dict[str, str] = {}

    def __call__(self, keys: Iterable[str]) -> RowRules:
        key_set = frozenset(keys)
        rules = self.cache.get(key_set)
        if rules is None:
            explicit = {c: f for c, f in self.explicit.items() if c in key_set}
            mapping = map_columns(sorted(key_set), explicit) if key_set else explicit
            rules = replace(self.base, mapping=mapping)
            self.cache[key_set] = rules
            self.seen.update(mapping)
        return rules


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _run_chunks(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    analyser: Executor | None,
    opened: OpenedFile,
    rules: RowRules,
    rules_for: _RulesByKeys | None,
    result: ImportResult,
    options: ImportOptions,
    progress: Progress | None,
) -> None:
    # One writer thread stores batch n while this thread reads (and, without an analyser
    # process, analyses) batch n+1; with an analyser, it works one batch ahead of the store.
    ahead = 2 if analyser is not None else 0
    waiting: deque[_Batch] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="otklik-import-writer") as writer:
        pending: Future[None] | None = None

        def store_oldest() -> None:
            nonlocal pending
            batch = waiting.popleft()
            if batch.analysed is not None:
                for am, values in zip(batch.accepted, batch.analysed.result(), strict=True):
                    am.values = values
            if pending is not None:
                pending.result()
                if progress is not None:
                    progress(opened.counter.count, result.rows_read)
            pending = writer.submit(
                _store_chunk, store, ws, batch.read, batch.accepted, batch.rejections, result
            )

        for chunk in _chunks(opened.rows, options.batch_size):
            accepted, rejections = _accept_chunk(chunk, rules, rules_for)
            items = [item_for(am.mention) for am in accepted]
            batch = _Batch(len(chunk), accepted, rejections)
            if analyser is None:
                pipeline.run(items)
                for am, item in zip(accepted, items, strict=True):
                    am.values = item.values
            else:
                batch.analysed = analyser.submit(_analyse_in_worker, items)
            waiting.append(batch)
            while len(waiting) > ahead:
                store_oldest()
        while waiting:
            store_oldest()
        if pending is not None:
            pending.result()
            if progress is not None:
                progress(opened.counter.count, result.rows_read)


@dataclass
class _Batch:
    read: int
    accepted: list[AnalysedMention]
    rejections: list[Rejection]
    analysed: Future[list[dict[str, object]]] | None = None


def _accept_chunk(
    chunk: Sequence[RawRow], rules: RowRules, rules_for: _RulesByKeys | None
) -> tuple[list[AnalysedMention], list[Rejection]]:
    accepted: list[AnalysedMention] = []
    rejections: list[Rejection] = []
    for row in chunk:
        try:
            row_rules = rules_for(row.data) if rules_for is not None else rules
            accepted.append(AnalysedMention(to_mention(row, row_rules)))
        except RowRejected as exc:
            rejections.append(Rejection(row.number, exc.field, exc.reason, row.raw))
    return accepted, rejections


def _analyser_for(pipeline: Pipeline, path: Path, threshold: int) -> ProcessPoolExecutor | None:
    """A process that analyses batches, for big files whose pipeline can be rebuilt there."""
    recipe = getattr(pipeline, "recipe", None)
    try:
        big = path.stat().st_size >= threshold
    except OSError:
        big = False
    if recipe is None or not big:
        return None
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(recipe,),
    )


_worker_pipeline: Pipeline | None = None


def _start_worker(recipe: Callable[[], Pipeline]) -> None:
    global _worker_pipeline
    _worker_pipeline = recipe()
    _worker_pipeline.load()


def _analyse_in_worker(items: list[Item]) -> list[dict[str, object]]:
    assert _worker_pipeline is not None
    _worker_pipeline.run(items)
    return [dict(item.values) for item in items]


def _store_chunk(
    store: Store,
    ws: Workspace,
    read: int,
    accepted: list[AnalysedMention],
    rejections: list[Rejection],
    result: ImportResult,
) -> None:
    # The batch and its counts commit together, so a re-run after a stop ends the same.
    with store.begin() as conn:
        stored = store.insert(conn, ws, accepted)
        import_runs.add_counts(
            conn,
            result.run_id,
            read=read,
            imported=stored.inserted,
            duplicates=len(stored.already_stored),
            rejections=rejections,
        )
    result.rows_read += read
    result.imported += stored.inserted
    result.duplicates += len(stored.already_stored)
    result.rejected += len(rejections)
    result.near_duplicates += stored.copies
