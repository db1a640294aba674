"""Services: the settings, the opened store and the pipelines of one process."""

from __future__ import annotations

from dataclasses import dataclass, field

from otklik.domain.records import Workspace
from otklik.search_terms import open_store
from otklik.services.pipelines import Pipelines
from otklik.settings import Settings
from otklik.storage import Store

__all__ = ["Services", "Store"]


@dataclass
class Services:
    """What every use case needs; built once by the CLI, `create_app` or a worker."""

    settings: Settings
    store: Store
    pipelines: Pipelines = field(init=False)
    keep_pipelines: bool = False

    def __post_init__(self) -> None:
        self.pipelines = Pipelines(self.settings, self.store, keep=self.keep_pipelines)

    @classmethod
    def open(
        cls,
        settings: Settings,
        store: Store | None = None,
        *,
        check: bool = True,
        keep_pipelines: bool = False,
    ) -> Services:
        """Services over `store` (or the database the settings name); `check` refuses a
        database `otklik init` has not prepared. `keep_pipelines` keeps built, loaded
        pipelines for later calls (long-lived processes: the web app, a worker)."""
        opened = store if store is not None else open_store(settings.database_url)
        if check:
            opened.check_schema()
        return cls(settings, opened, keep_pipelines=keep_pipelines)

    def workspace(self, name: str | None = None, *, create: bool = True) -> Workspace:
        """The workspace called `name` (default: the settings' one), created when missing
        unless `create` is False (NotFoundError then)."""
        return self.store.workspace(
            name or self.settings.workspace, self.settings.timezone, create=create
        )

    def init(self) -> str | None:
        """Create or upgrade the database to this version's schema; the revision."""
        return self.store.init()

    def check_schema(self) -> None:
        """Refuse a database that `otklik init` has not brought up to date."""
        self.store.check_schema()

    def database_label(self) -> str:
        """The database URL without its password, for messages."""
        return self.store.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close the store's pooled connections."""
        self.store.close()
