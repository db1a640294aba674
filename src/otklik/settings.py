"""Settings from OTKLIK_* environment variables or flags; the only place that reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# From this file size on, an import analyses in a process of its own beside the reading and the
# storing (with 2 cores, about half again as fast); smaller files are not worth its start-up.
ANALYSIS_PROCESS_BYTES = 4_000_000

DEFAULT_STAGES = ("normalise", "language", "dedupe", "brands", "sentiment", "flags", "tags")


class Settings(BaseSettings):
    """Every Otklik setting, with its type, default and help line."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = Field(
        "sqlite:///otklik.db",
        description="Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB.",
    )
    workspace: str = Field("default", description="Workspace the CLI works in.")
    timezone: str = Field(
        "UTC",
        description="Time zone of a new workspace (e.g. Asia/Almaty). A workspace keeps its own "
        "zone, which wins for it (change it with `otklik workspace set-timezone`); dates are "
        "shown, counted by day and read from naive imports and filters in it.",
    )
    languages: Annotated[tuple[str, ...], NoDecode] = Field(
        ("ru", "kk", "en"),
        description="Languages the detector chooses from (ISO 639-1, comma-separated); "
        "each one added costs speed.",
    )
    stages: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_STAGES, description="Pipeline stages in order (comma-separated)."
    )
    batch_size: int = Field(1000, ge=1, description="Mentions analysed and stored per batch.")
    analysis_process_bytes: int = Field(
        ANALYSIS_PROCESS_BYTES,
        ge=0,
        description="Imported files of this size or more are analysed in a process of their "
        "own beside the reading and the storing (with two cores or more, about half again as "
        "fast); smaller files are not worth its start-up. 0: every file.",
    )
    sentiment_model: Path | None = Field(
        None,
        description="Sentiment model for every workspace: a local Hugging Face model directory "
        "(transformer backend) or a compact model file (.npz) from `otklik train sentiment`. "
        "It wins over a workspace's own model (`otklik sentiment-model`); unset, each "
        "workspace uses its own model or the compact model shipped in the package.",
    )
    sentiment_upgrade: bool = Field(
        True,
        description="After a file import or a re-analysis (compact labels at once), relabel the "
        "mentions with the encoder tier in a background job, newest first (needs the encoder "
        "extra; people's corrections stay).",
    )
    upgrade_batch_size: int = Field(
        64, ge=1, description="Mentions the background sentiment upgrade relabels per batch."
    )
    sentiment_device: str = Field(
        "auto", description="Device for the transformer backend: auto, cpu, cuda, cuda:N."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies; generated and stored in the database "
        "when unset.",
    )
    language: str = Field(
        "en",
        description="Language of CLI messages, and the web UI's default when neither the user "
        "nor the browser picks one: kk, ru or en.",
    )
    smtp_url: SecretStr | None = Field(
        None,
        description="SMTP server for e-mail (password reset links): "
        "smtp://USER:PASSWORD@HOST:PORT, smtp+starttls://… or smtps://… for TLS; "
        "unset, no e-mail is sent.",
    )
    smtp_from: str | None = Field(
        None, description="Sender address of Otklik's e-mail, e.g. otklik@example.com."
    )
    public_url: str | None = Field(
        None,
        description="The address people and other systems reach this server at, e.g. "
        "https://otklik.example.kz: survey links, invitation e-mails, webhook URLs, "
        "links in e-mailed reports and in alerts use it (default: http://HOST:PORT).",
    )
    survey_rate_limit: int = Field(
        30,
        ge=1,
        description="Survey answers (and failed tries) one address may send per hour through "
        "the public form or widget.",
    )
    host: str = Field("127.0.0.1", description="Address `otklik serve` listens on.")
    port: int = Field(8000, description="Port `otklik serve` listens on.")
    job_lease_s: float = Field(
        60.0,
        gt=0,
        description="Seconds a worker holds a job without renewing its lease; a job whose "
        "worker died is taken by another worker after this.",
    )
    worker_poll_s: float = Field(
        2.0, gt=0, description="Seconds an idle worker waits before looking for due jobs again."
    )
    worker_concurrency: int = Field(
        1, ge=1, description="Jobs one `otklik worker` runs at once (one thread each)."
    )
    upload_dir: Path = Field(
        Path("otklik-uploads"),
        description="Folder where files uploaded in the web app wait for the import job that "
        "reads them (big uploads import in the background); with workers on other machines, "
        "a folder they all share.",
    )
    background_upload_bytes: int = Field(
        4_000_000,
        ge=0,
        description="Uploads of this size or more are imported by a background job (progress "
        "on the Jobs page); smaller ones while the page waits.",
    )
    source_timeout_s: float = Field(
        20.0, gt=0, description="Seconds a feed, channel page or mail server may take to answer."
    )
    source_max_bytes: int = Field(
        10_000_000, ge=1, description="Largest feed or channel page read, in bytes."
    )
    webhook_max_bytes: int = Field(
        1_000_000,
        ge=1,
        description="Largest body a webhook source accepts, in bytes (larger: 413, nothing "
        "stored).",
    )
    telegram_url: str = Field(
        "https://t.me",
        description="Where public Telegram channel previews are read (`/s/<channel>`).",
    )
    embedded_worker: bool = Field(
        True,
        description="Whether `otklik serve` runs a worker inside the web process (needed with "
        "SQLite unless `otklik worker` runs beside it).",
    )

    @property
    def base_url(self) -> str:
        """Where the server is reached, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @field_validator("language")
    @classmethod
    def _served_language(cls, value: str) -> str:
        code = value.strip().lower().split("-")[0].split("_")[0]
        if code not in ("kk", "ru", "en"):
            raise ValueError(f"language must be kk, ru or en, not {value!r}")
        return code

    @field_validator("languages", "stages", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
