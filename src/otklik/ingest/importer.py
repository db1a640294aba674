"""File import: one client of intake. It opens the file, maps its rows to raw items and
hands them to `intake.take`, which validates, analyses and stores them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from otklik.domain.mention import Mention
from otklik.domain.records import ImportRun, Workspace
from otklik.errors import InputError
from otklik.ingest import intake
from otklik.ingest.files import FileInfo, OpenedFile, RawRow, open_rows
from otklik.ingest.mapping import RowRules, map_columns, to_mention
from otklik.ingest.raw import RawItem
from otklik.pipeline.pipeline import Pipeline
from otklik.settings import ANALYSIS_PROCESS_BYTES
from otklik.storage import Store

Progress = Callable[[int, int], None]  # bytes read, rows read


@dataclass
class ImportOptions:
    """What the user chose for one import."""

    source: str | None = None
    format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rating_scale: tuple[float, float] = (1, 5)
    channel: str = "other"
    # XLSX: the sheets to read; none means every sheet with the first sheet's columns.
    sheets: tuple[str, ...] = ()
    batch_size: int = 1000
    # Files from this size on are analysed in a separate process (OTKLIK_ANALYSIS_PROCESS_BYTES).
    process_bytes: int = ANALYSIS_PROCESS_BYTES


@dataclass
class ImportResult:
    """Counts of an import and the id of its run (a resumed run's counts are its totals)."""

    run_id: int
    info: FileInfo
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    near_duplicates: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    updated: int = 0


def import_file(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
    *,
    resume_run_id: int | None = None,
) -> ImportResult:
    """Import one file; every readable row is stored or rejected with its reason.

    With `resume_run_id` (see `interrupted_import`), an interrupted run of the same file is
    finished: the rows it settled are skipped and the run keeps its id."""
    opened = open_rows(path, options.format, options.sheets)
    try:
        return _import_opened(store, ws, pipeline, path, opened, options, progress, resume_run_id)
    finally:
        opened.close()


def interrupted_import(
    store: Store, ws: Workspace, path: Path, source: str | None = None
) -> ImportRun | None:
    """The interrupted import of this file (and source) that a new import could finish."""
    source_id = store.source_id(ws, source or path.name, "file", {"path": str(path)})
    return intake.interrupted_run(store, ws, source_id, str(path))


def _import_opened(
    store: Store,
    ws: Workspace,
    pipeline: Pipeline,
    path: Path,
    opened: OpenedFile,
    options: ImportOptions,
    progress: Progress | None,
    resume_run_id: int | None,
) -> ImportResult:
    info = opened.info
    mapping = map_columns(info.columns, options.mapping) if info.columns else dict(options.mapping)
    if info.columns and "text" not in mapping.values():
        raise InputError(
            f"no text column found among {info.columns}; name it with --map COLUMN=text"
        )
    source_id = store.source_id(ws, options.source or path.name, "file", {"path": str(path)})
    rules = RowRules(
        mapping, ZoneInfo(ws.timezone), options.rating_scale, options.channel, source_id
    )
    rules_for = _RulesByKeys(rules, options.mapping) if not info.columns else None

    def convert(item: RawItem) -> Mention:
        return to_mention(item, rules_for(item.data) if rules_for is not None else rules)

    def report(counts: intake.IntakeResult) -> None:
        if progress is not None:
            progress(opened.counter.count, counts.read)

    # A file's rows often repeat a page's URL (a product's reviews): only ids say "same item".
    settings = intake.IntakeOptions(
        batch_size=options.batch_size,
        separate_process=_is_big(path, options.process_bytes) and pipeline.recipe is not None,
        identity_by_url=False,
    )
    counts = intake.take(
        store,
        ws,
        pipeline,
        _items(opened.rows),
        source_id=source_id,
        label=str(path),
        convert=convert,
        options=settings,
        run_id=resume_run_id,
        run_format=info.format,
        run_encoding=info.encoding,
        progress=report,
    )
    return ImportResult(
        counts.run_id,
        info,
        rows_read=counts.read,
        imported=counts.imported,
        duplicates=counts.duplicates,
        rejected=counts.rejected,
        near_duplicates=counts.near_duplicates,
        mapping=rules_for.seen if rules_for is not None else mapping,
        updated=counts.updated,
    )


def _items(rows: Iterator[RawRow]) -> Iterator[RawItem]:
    for row in rows:
        yield RawItem(row.number, row.data, row.raw, row.payload, problem=row.problem)


def _is_big(path: Path, threshold: int) -> bool:
    try:
        return path.stat().st_size >= threshold
    except OSError:
        return False


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
