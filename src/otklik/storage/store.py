"""The storage facade: callers pass and receive domain objects, never SQL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from otklik.domain.filters import Filters
from otklik.domain.mention import Analysis
from otklik.domain.records import Correction, MentionRecord, Workspace
from otklik.errors import ConfigError, InputError, NotFoundError
from otklik.storage import aggregates, feed, filtering, migrate, rollups
from otklik.storage.engine import make_engine
from otklik.storage.mentions import (
    AnalysedMention,
    InsertResult,
    analysis_row,
    delete_mentions,
    insert_batch,
)
from otklik.storage.schema import (
    analysis,
    app_setting,
    case_note,
    mention,
    mention_brand,
    sentiment_correction,
    source,
    workspace,
)

CASE_STATUSES = ("new", "in_progress", "resolved", "ignored")


def utcnow() -> datetime:
    """Now, as the naive UTC the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


_FIRST_ANALYZE = 2000
_GROWING = ("mention", "analysis", "near_key", "mention_brand", "mention_tag")


class Store:
    """One database: workspaces, sources, mentions, analysis, brands, tags, imports."""

    def __init__(
        self,
        engine: Engine,
        groups_for: filtering.GroupsFor | None = None,
        predicate_for: filtering.PredicateFor | None = None,
    ) -> None:
        self.engine = engine
        # How `q` becomes index terms and an exact test; the query language plugs in here.
        self.groups_for = groups_for
        self.predicate_for = predicate_for
        self._inserted = 0  # rows this process stored since PostgreSQL's statistics were taken
        self._next_analyze = _FIRST_ANALYZE

    @classmethod
    def open(
        cls,
        url: str,
        groups_for: filtering.GroupsFor | None = None,
        predicate_for: filtering.PredicateFor | None = None,
    ) -> Store:
        """A store for a database URL (not yet checked for its schema)."""
        return cls(make_engine(url), groups_for, predicate_for)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return self.engine.dialect.name

    def init(self) -> str | None:
        """Create or upgrade the database to the current schema; returns the revision."""
        migrate.upgrade(self.engine)
        return migrate.current_revision(self.engine)

    def check_schema(self) -> None:
        """Refuse to work on a database that `otklik init` has not brought up to date."""
        current = migrate.current_revision(self.engine)
        if current != migrate.head_revision():
            url = self.engine.url.render_as_string(hide_password=True)
            state = "is not initialised" if current is None else f"is at revision {current}"
            raise ConfigError(f"database {url} {state}; run `otklik init` first")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read connection."""
        with self.engine.connect() as conn:
            yield conn

    # Workspaces and sources

    def workspace(self, name: str, timezone: str = "UTC", create: bool = True) -> Workspace:
        """The workspace called `name`, created with `timezone` when missing."""
        with self.begin() as conn:
            row = conn.execute(sa.select(workspace).where(workspace.c.name == name)).first()
            if row is None:
                if not create:
                    raise NotFoundError(f"no workspace named {name!r}")
                try:
                    ZoneInfo(timezone)
                except (ZoneInfoNotFoundError, ValueError) as exc:
                    raise ConfigError(
                        f"unknown time zone {timezone!r} (use e.g. Asia/Almaty)"
                    ) from exc
                new_id = conn.execute(
                    sa.insert(workspace).returning(workspace.c.id),
                    {"name": name, "timezone": timezone, "created_at": utcnow()},
                ).scalar_one()
                return Workspace(int(new_id), name, timezone)
            return Workspace(row.id, row.name, row.timezone, row.language)

    def workspaces(self) -> list[Workspace]:
        """All workspaces."""
        with self.connect() as conn:
            return [
                Workspace(r.id, r.name, r.timezone, r.language)
                for r in conn.execute(sa.select(workspace).order_by(workspace.c.id))
            ]

    def source_id(
        self, ws: Workspace, name: str, kind: str, settings: Mapping[str, Any] | None = None
    ) -> int:
        """The id of a named source, created when missing."""
        with self.begin() as conn:
            found = conn.execute(
                sa.select(source.c.id).where(source.c.workspace_id == ws.id, source.c.name == name)
            ).scalar()
            if found is not None:
                return int(found)
            return int(
                conn.execute(
                    sa.insert(source).returning(source.c.id),
                    {
                        "workspace_id": ws.id,
                        "name": name,
                        "kind": kind,
                        "settings": dict(settings or {}),
                        "created_at": utcnow(),
                    },
                ).scalar_one()
            )

    # Mentions

    def insert(
        self,
        conn: Connection,
        ws: Workspace,
        batch: Sequence[AnalysedMention],
        *,
        identity_by_url: bool = False,
    ) -> InsertResult:
        """Store a batch inside the caller's transaction (see `mentions.insert_batch`)."""
        result = insert_batch(conn, ws, batch, utcnow(), identity_by_url)
        self._inserted += result.inserted
        if conn.dialect.name == "postgresql" and self._inserted >= self._next_analyze:
            # A table that grew from nothing during an import keeps its empty-table statistics
            # until autovacuum looks, and the planner then scans where an index would do:
            # refresh them as the import doubles the rows (a fraction of a second each).
            conn.exec_driver_sql(f"ANALYZE {', '.join(_GROWING)}")
            self._next_analyze = self._inserted * 2
        return result

    def mentions(
        self, ws: Workspace, filters: Filters, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[MentionRecord], str | None]:
        """A page of mentions, newest first, and the next page's cursor."""
        with self.connect() as conn:
            return feed.list_mentions(
                conn,
                _in(ws, filters),
                limit=limit,
                cursor=cursor,
                groups_for=self.groups_for,
                predicate_for=self.predicate_for,
            )

    def mention(self, ws: Workspace, mention_id: int) -> MentionRecord:
        """One mention of the workspace by id."""
        with self.connect() as conn:
            found = feed.get_records(conn, [mention_id])
        if not found or found[0].mention.id is None or not self._owns(ws, mention_id):
            raise NotFoundError(f"no mention {mention_id} in workspace {ws.name!r}")
        return found[0]

    def count_by(self, ws: Workspace, filters: Filters, by: Sequence[str]) -> list[dict[str, Any]]:
        """Counts grouped by the given dimensions."""
        with self.connect() as conn:
            return aggregates.count_by(conn, ws, filters, by, self.groups_for, self.predicate_for)

    def count(self, ws: Workspace, filters: Filters) -> int:
        """How many mentions match."""
        rows = self.count_by(ws, filters, [])
        return int(rows[0]["count"]) if rows else 0

    def delete_mentions(self, ws: Workspace, ids: Sequence[int]) -> int:
        """Delete mentions (with their analysis) and take them out of the rollups."""
        with self.begin() as conn:
            return delete_mentions(conn, ws.id, ids)

    def update_analysis(self, ws: Workspace, analyses: Mapping[int, Analysis]) -> None:
        """Store re-analysis results (language, sentiment, spam; brands and tags have their
        own re-match); a person's sentiment correction is never overwritten."""
        ids = sorted(analyses)
        with self.begin() as conn:
            before = rollups.delta_for(conn, ids, -1)
            corrected = self._corrected(conn, ids)
            now = utcnow()
            for mid in ids:
                row = analysis_row(ws.id, mid, analyses[mid], None, now)
                if mid in corrected:
                    row.update(
                        sentiment=corrected[mid], sentiment_score=1.0, sentiment_source="person"
                    )
                    row.pop("is_complaint")  # it follows the person's label (same text)
                row.pop("duplicate_of")
                row.pop("mention_id")
                for same_text in ("signature", "embedding"):  # unchanged unless computed
                    if row.get(same_text) is None:
                        row.pop(same_text)
                conn.execute(sa.update(analysis).where(analysis.c.mention_id == mid).values(**row))
            rollups.apply(conn, ws.id, rollups.combine(before, rollups.delta_for(conn, ids, 1)))

    # Relabelling with a better tier (the background upgrade)

    def to_upgrade(self, ws: Workspace, tiers: Sequence[str], limit: int) -> list[MentionRecord]:
        """The newest `limit` mentions whose sentiment came from one of `tiers` (or was
        stored before tiers were recorded), leaving out those a person corrected."""
        with self.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    sa.select(mention.c.id)
                    .select_from(filtering.base_from())
                    .where(_upgradable(ws, tiers))
                    .order_by(mention.c.published_at.desc(), mention.c.id.desc())
                    .limit(limit)
                )
            ]
            return feed.get_records(conn, ids)

    def set_complaint(self, ws: Workspace, mention_id: int, value: bool) -> None:
        """Set a mention's complaint flag (after a person's sentiment correction)."""
        with self.begin() as conn:
            conn.execute(
                sa.update(analysis)
                .where(analysis.c.mention_id == mention_id, analysis.c.workspace_id == ws.id)
                .values(is_complaint=value)
            )

    def embeddings(self, ws: Workspace, ids: Sequence[int]) -> dict[int, bytes]:
        """The stored int8 embeddings of these mentions (those the encoder tier read)."""
        with self.connect() as conn:
            rows = conn.execute(
                sa.select(analysis.c.mention_id, analysis.c.embedding).where(
                    analysis.c.workspace_id == ws.id,
                    analysis.c.mention_id.in_(list(ids)),
                    analysis.c.embedding.is_not(None),
                )
            )
            return {mid: bytes(vector) for mid, vector in rows}

    def count_to_upgrade(self, ws: Workspace, tiers: Sequence[str]) -> int:
        """How many mentions `to_upgrade` would still return, in all."""
        with self.connect() as conn:
            stmt = sa.select(sa.func.count()).select_from(filtering.base_from())
            return int(conn.execute(stmt.where(_upgradable(ws, tiers))).scalar() or 0)

    # The workspace's own sentiment model

    def sentiment_model(self, ws: Workspace) -> Path | None:
        """The compact model file the workspace analyses with, or None for the shipped one."""
        with self.connect() as conn:
            value = conn.execute(
                sa.select(app_setting.c.value).where(app_setting.c.key == _model_key(ws))
            ).scalar()
        return Path(value) if value else None

    def set_sentiment_model(self, ws: Workspace, path: Path | None) -> None:
        """Record the workspace's model file (stored absolute); None goes back to the shipped."""
        with self.begin() as conn:
            conn.execute(sa.delete(app_setting).where(app_setting.c.key == _model_key(ws)))
            if path is not None:
                conn.execute(
                    sa.insert(app_setting),
                    {"key": _model_key(ws), "value": str(Path(path).expanduser().resolve())},
                )

    # Case work

    def correct_sentiment(
        self, ws: Workspace, mention_id: int, label: str, user: str, brand_id: int | None = None
    ) -> None:
        """Record a person's sentiment correction and apply it (survives re-analysis)."""
        if label not in ("positive", "neutral", "negative"):
            raise InputError(f"sentiment must be positive, neutral or negative, not {label!r}")
        self.mention(ws, mention_id)
        with self.begin() as conn:
            before = rollups.delta_for(conn, [mention_id], -1)
            if brand_id is None:
                previous = conn.execute(
                    sa.select(analysis.c.sentiment).where(analysis.c.mention_id == mention_id)
                ).scalar()
                conn.execute(
                    sa.update(analysis)
                    .where(analysis.c.mention_id == mention_id)
                    .values(sentiment=label, sentiment_score=1.0, sentiment_source="person")
                )
            else:
                previous = conn.execute(
                    sa.select(mention_brand.c.sentiment).where(
                        mention_brand.c.mention_id == mention_id,
                        mention_brand.c.brand_id == brand_id,
                    )
                ).scalar()
                conn.execute(
                    sa.update(mention_brand)
                    .where(
                        mention_brand.c.mention_id == mention_id,
                        mention_brand.c.brand_id == brand_id,
                    )
                    .values(sentiment=label, sentiment_score=1.0)
                )
            conn.execute(
                sa.insert(sentiment_correction),
                {
                    "workspace_id": ws.id,
                    "mention_id": mention_id,
                    "brand_id": brand_id,
                    "label": label,
                    "previous": previous,
                    "corrected_by": user,
                    "created_at": utcnow(),
                },
            )
            rollups.apply(
                conn, ws.id, rollups.combine(before, rollups.delta_for(conn, [mention_id], 1))
            )

    def corrections(self, ws: Workspace) -> list[Correction]:
        """Every sentiment correction of the workspace, oldest first."""
        with self.connect() as conn:
            rows = conn.execute(
                sa.select(sentiment_correction, mention.c.text, analysis.c.language)
                .join(mention, mention.c.id == sentiment_correction.c.mention_id)
                .outerjoin(analysis, analysis.c.mention_id == mention.c.id)
                .where(sentiment_correction.c.workspace_id == ws.id)
                .order_by(sentiment_correction.c.id)
            )
            return [
                Correction(
                    r.mention_id,
                    r.text,
                    r.language,
                    r.label,
                    r.previous,
                    r.corrected_by,
                    r.created_at,
                    r.brand_id,
                )
                for r in rows
            ]

    def update_case(
        self,
        ws: Workspace,
        mention_id: int,
        *,
        status: str | None = None,
        assignee: str | None = None,
        unassign: bool = False,
    ) -> MentionRecord:
        """Change a mention's case status or assignee."""
        current = self.mention(ws, mention_id)
        values: dict[str, Any] = {}
        if status is not None:
            if status not in CASE_STATUSES:
                raise InputError(
                    f"status must be one of {', '.join(CASE_STATUSES)}, not {status!r}"
                )
            values["status"] = status
            if status in ("resolved", "ignored") and current.resolved_at is None:
                values["resolved_at"] = utcnow()
            elif status in ("new", "in_progress"):
                values["resolved_at"] = None
        if assignee is not None or unassign:
            values["assignee"] = None if unassign else assignee
        if values:
            with self.begin() as conn:
                conn.execute(sa.update(mention).where(mention.c.id == mention_id).values(**values))
        return self.mention(ws, mention_id)

    def add_note(self, ws: Workspace, mention_id: int, kind: str, body: str, author: str) -> None:
        """Add an internal note or the reply that was sent; a first reply sets response time."""
        if kind not in ("note", "reply"):
            raise InputError(f"a case note is a note or a reply, not {kind!r}")
        if not body.strip():
            raise InputError("the note is empty")
        current = self.mention(ws, mention_id)
        now = utcnow()
        with self.begin() as conn:
            conn.execute(
                sa.insert(case_note),
                {
                    "mention_id": mention_id,
                    "kind": kind,
                    "body": body,
                    "author": author,
                    "created_at": now,
                },
            )
            if kind == "reply" and current.first_response_at is None:
                values: dict[str, Any] = {"first_response_at": now}
                if current.status == "new":
                    values["status"] = "in_progress"
                conn.execute(sa.update(mention).where(mention.c.id == mention_id).values(**values))

    def notes(self, ws: Workspace, mention_id: int) -> list[dict[str, Any]]:
        """A mention's notes and replies, oldest first."""
        self.mention(ws, mention_id)
        with self.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(
                        case_note.c.kind,
                        case_note.c.body,
                        case_note.c.author,
                        case_note.c.created_at,
                    )
                    .where(case_note.c.mention_id == mention_id)
                    .order_by(case_note.c.id)
                )
            ]

    def _owns(self, ws: Workspace, mention_id: int) -> bool:
        with self.connect() as conn:
            found = conn.execute(
                sa.select(mention.c.workspace_id).where(mention.c.id == mention_id)
            ).scalar()
        return found == ws.id

    @staticmethod
    def _corrected(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for mid, label in conn.execute(
            sa.select(sentiment_correction.c.mention_id, sentiment_correction.c.label)
            .where(
                sentiment_correction.c.mention_id.in_(list(ids)),
                sentiment_correction.c.brand_id.is_(None),
            )
            .order_by(sentiment_correction.c.id)
        ):
            out[mid] = label
        return out


def _model_key(ws: Workspace) -> str:
    return f"workspace:{ws.id}:sentiment_model"


def _in(ws: Workspace, filters: Filters) -> Filters:
    from dataclasses import replace

    return replace(filters, workspace_id=ws.id)


def _upgradable(ws: Workspace, tiers: Sequence[str]) -> sa.ColumnElement[bool]:
    return sa.and_(
        mention.c.workspace_id == ws.id,
        analysis.c.mention_id.is_not(None),
        sa.or_(analysis.c.sentiment_tier.in_(list(tiers)), analysis.c.sentiment_tier.is_(None)),
        sa.or_(analysis.c.sentiment_source.is_(None), analysis.c.sentiment_source != "person"),
    )
