"""Tables, declared once; migrations must produce exactly this schema."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _ws() -> sa.Column[int]:
    return sa.Column(
        "workspace_id",
        sa.Integer,
        sa.ForeignKey("workspace.id", ondelete="CASCADE"),
        nullable=False,
    )


workspace = sa.Table(
    "workspace",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("language", sa.String(8)),  # kk | ru | en: the UI's default (0004)
)

source = sa.Table(
    "source",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("schedule", sa.String(100)),
    sa.Column("last_run_at", sa.DateTime),
    sa.Column("last_status", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # Polled and pushed sources (0005): the webhook's signing secret or the IMAP password,
    # kept as given (both must be read back to sign or log in); never shown after creation.
    sa.Column("secret", sa.Text),
    sa.Column("is_paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("every_minutes", sa.Integer),
    sa.Column("schedule_id", sa.Integer),  # the schedule that queues its polls
    # Poll state: ETag/Last-Modified, IMAP UIDVALIDITY and last UID, Telegram's last post.
    sa.Column("state", sa.JSON),
    sa.Column("items_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.UniqueConstraint("workspace_id", "name"),
)

mention = sa.Table(
    "mention",
    metadata,
    _id(),
    _ws(),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id", ondelete="SET NULL")),
    sa.Column("external_id", sa.String(500)),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("url", sa.Text),
    # The URL's hash: with the source, an item's identity when it has no external id.
    sa.Column("url_key", sa.String(32)),
    sa.Column("author_name", sa.Text),
    sa.Column("author_id", sa.String(500)),
    sa.Column("author_kind", sa.String(16)),
    sa.Column("author_audience", sa.BigInteger),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("collected_at", sa.DateTime, nullable=False),
    # published_at's date in the workspace's time zone: the dashboards' day.
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("location", sa.Text),
    sa.Column("rating", sa.Float),
    sa.Column("likes", sa.BigInteger),
    sa.Column("comments", sa.BigInteger),
    sa.Column("reposts", sa.BigInteger),
    sa.Column("views", sa.BigInteger),
    sa.Column("language_given", sa.String(16)),
    sa.Column("raw", sa.JSON, nullable=False),
    # Case work on the mention: people change these, analysis never does.
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    sa.Column("assignee", sa.String(320)),
    sa.Column("first_response_at", sa.DateTime),
    sa.Column("resolved_at", sa.DateTime),
    sa.UniqueConstraint("workspace_id", "content_hash"),
    sa.Index("ix_mention_ws_published", "workspace_id", "published_at", "id"),
    sa.Index("uq_mention_source_external", "source_id", "external_id", unique=True),
    sa.Index("ix_mention_ws_channel_published", "workspace_id", "channel", "published_at"),
    sa.Index("ix_mention_ws_status_published", "workspace_id", "status", "published_at"),
    sa.Index("ix_mention_source_url_key", "source_id", "url_key"),
)

analysis = sa.Table(
    "analysis",
    metadata,
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True
    ),
    _ws(),
    sa.Column("language", sa.String(16)),
    sa.Column("sentiment", sa.String(16)),
    sa.Column("sentiment_score", sa.Float),
    sa.Column("sentiment_source", sa.String(16)),
    # Which tier labelled it: compact, encoder, cascade, transformer (0009).
    sa.Column("sentiment_tier", sa.String(16)),
    sa.Column("is_spam", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_complaint", sa.Boolean, nullable=False, server_default=sa.false()),  # 0009
    sa.Column("is_question", sa.Boolean, nullable=False, server_default=sa.false()),  # 0009
    sa.Column("duplicate_of", sa.Integer),
    sa.Column("signature", sa.LargeBinary),
    # The encoder's sentence embedding, int8 x 384 (0009): themes, similar mentions.
    sa.Column("embedding", sa.LargeBinary),
    sa.Column("analysed_at", sa.DateTime, nullable=False),
    sa.Index("ix_analysis_ws_sentiment", "workspace_id", "sentiment"),
    sa.Index("ix_analysis_ws_language", "workspace_id", "language"),
)

near_key = sa.Table(
    "near_key",
    metadata,
    _ws(),
    sa.Column("key", sa.BigInteger, nullable=False),
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.PrimaryKeyConstraint("workspace_id", "key", "mention_id"),
    sa.Index("ix_near_key_mention_id", "mention_id"),
    sqlite_with_rowid=False,
)

brand = sa.Table(
    "brand",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("is_own", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "name"),
)

mention_brand = sa.Table(
    "mention_brand",
    metadata,
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "brand_id", sa.Integer, sa.ForeignKey("brand.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("role_reason", sa.Text),
    sa.Column("sentiment", sa.String(16)),
    sa.Column("sentiment_score", sa.Float),
    sa.Column("is_comparison", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.PrimaryKeyConstraint("mention_id", "brand_id"),
    sa.Index("ix_mention_brand_brand_id", "brand_id", "mention_id"),
)

tag = sa.Table(
    "tag",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("query", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "name"),
)

mention_tag = sa.Table(
    "mention_tag",
    metadata,
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id", ondelete="CASCADE"), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),  # rule | person | suggestion
    sa.Column("created_by", sa.String(320)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.PrimaryKeyConstraint("mention_id", "tag_id", "origin"),
    sa.Index("ix_mention_tag_tag_id", "tag_id", "mention_id"),
)

# A person's "not this tag" on a mention: re-applying the tag's rule never puts it back.
tag_veto = sa.Table(
    "tag_veto",
    metadata,
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_by", sa.String(320)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.PrimaryKeyConstraint("mention_id", "tag_id"),
    sa.Index("ix_tag_veto_tag_id", "tag_id", "mention_id"),
)

sentiment_correction = sa.Table(
    "sentiment_correction",
    metadata,
    _id(),
    _ws(),
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("brand_id", sa.Integer, sa.ForeignKey("brand.id", ondelete="CASCADE")),
    sa.Column("label", sa.String(16), nullable=False),
    sa.Column("previous", sa.String(16)),
    sa.Column("corrected_by", sa.String(320), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_sentiment_correction_mention_id", "mention_id"),
)

case_note = sa.Table(
    "case_note",
    metadata,
    _id(),
    sa.Column(
        "mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False),  # note | reply
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author", sa.String(320), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_case_note_mention_id", "mention_id"),
)

import_run = sa.Table(
    "import_run",
    metadata,
    _id(),
    _ws(),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id", ondelete="SET NULL")),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("format", sa.String(16)),
    sa.Column("encoding", sa.String(32)),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    # running | done | failed | interrupted
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text),
    # Which process runs it, and when it last stored a batch: a run whose process is gone
    # is interrupted, and the next import of the same file can finish it.
    sa.Column("pid", sa.Integer),
    sa.Column("hostname", sa.String(255)),
    sa.Column("heartbeat_at", sa.DateTime),
)

rejected_row = sa.Table(
    "rejected_row",
    metadata,
    _id(),
    sa.Column(
        "import_run_id",
        sa.Integer,
        sa.ForeignKey("import_run.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("field", sa.String(100)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Index("ix_rejected_row_import_run_id", "import_run_id", "row_number"),
)

# Counts kept in step with mentions in the same transaction, for dashboards.
# brand_id 0 is the row for all mentions; a brand row counts that brand's sentiment.
rollup_daily = sa.Table(
    "rollup_daily",
    metadata,
    _ws(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("brand_id", sa.Integer, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("sentiment", sa.String(16), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("workspace_id", "brand_id", "day", "channel", "sentiment", "language"),
    sqlite_with_rowid=False,
)

# Counts by sentiment and star rating (0 = no rating, else the rating rounded to 1–5),
# without channel and language: small enough for whole-year brand views.
rollup_brand_daily = sa.Table(
    "rollup_brand_daily",
    metadata,
    _ws(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("brand_id", sa.Integer, nullable=False),
    sa.Column("sentiment", sa.String(16), nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("workspace_id", "brand_id", "day", "sentiment", "rating"),
    sqlite_with_rowid=False,
)

# Tag counts overall (brand_id 0) and among each brand's mentions.
rollup_tag_daily = sa.Table(
    "rollup_tag_daily",
    metadata,
    _ws(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("tag_id", sa.Integer, nullable=False),
    sa.Column("brand_id", sa.Integer, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("workspace_id", "tag_id", "brand_id", "day"),
    sqlite_with_rowid=False,
)

app_user = sa.Table(
    "app_user",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # admin | analyst | viewer
    sa.Column("language", sa.String(8)),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

api_token = sa.Table(
    "api_token",
    metadata,
    _id(),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(200)),
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
)

app_setting = sa.Table(
    "app_setting",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Durable background work: workers claim a queued job with a lease they renew while working.
job = sa.Table(
    "job",
    metadata,
    _id(),
    _ws(),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("arguments", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # queued|running|done|failed|cancelled
    sa.Column("progress_done", sa.BigInteger),
    sa.Column("progress_total", sa.BigInteger),
    sa.Column("progress_message", sa.Text),
    sa.Column("result", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("run_after", sa.DateTime, nullable=False),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_expires_at", sa.DateTime),
    sa.Column("is_cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("dedupe_key", sa.String(200)),
    sa.Column("schedule_id", sa.Integer),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
    sa.Index("ix_job_status_run_after", "status", "run_after"),
    sa.Index("ix_job_ws_dedupe_key", "workspace_id", "dedupe_key"),
    # At most one queued job per dedupe key: a second enqueue becomes the same job.
    sa.Index(
        "uq_job_queued_dedupe_key",
        "workspace_id",
        "dedupe_key",
        unique=True,
        sqlite_where=sa.text("status = 'queued' AND dedupe_key IS NOT NULL"),
        postgresql_where=sa.text("status = 'queued' AND dedupe_key IS NOT NULL"),
    ),
)

# A job enqueued every N minutes, or daily, weekly or monthly at HH:MM in a time zone.
schedule = sa.Table(
    "schedule",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("arguments", sa.JSON, nullable=False),
    sa.Column("every_minutes", sa.Integer),
    sa.Column("at_time", sa.String(5)),  # HH:MM, with daily or weekly
    sa.Column("weekday", sa.SmallInteger),  # 0 = Monday, weekly only
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("next_run_at", sa.DateTime, nullable=False),
    sa.Column("last_job_id", sa.Integer),
    sa.Column("is_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("monthday", sa.SmallInteger),  # 1–28, monthly only (0012)
    sa.UniqueConstraint("workspace_id", "name"),
    sa.Index("ix_schedule_next_run_at", "next_run_at"),
)

# A signed-in browser; the cookie carries the secret whose hash is the key.
web_session = sa.Table(
    "web_session",
    metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Index("ix_web_session_user_id", "user_id"),
)

# Failed sign-ins per e-mail and address, counted by every web process alike.
login_failure = sa.Table(
    "login_failure",
    metadata,
    _id(),
    sa.Column("key", sa.String(400), nullable=False),
    sa.Column("failed_at", sa.DateTime, nullable=False),
    sa.Index("ix_login_failure_key", "key", "failed_at"),
)

# Surveys (0007): the document, each response (a mention too), invitations, opt-outs, the
# public form's per-address counter and review-link clicks.
survey = sa.Table(
    "survey",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # When it stopped taking answers (0011): its link shows "closed", invitations wait.
    sa.Column("closed_at", sa.DateTime),
    sa.UniqueConstraint("workspace_id", "name"),
)

survey_response = sa.Table(
    "survey_response",
    metadata,
    _id(),
    _ws(),
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("survey.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("mention_id", sa.Integer, sa.ForeignKey("mention.id", ondelete="SET NULL")),
    sa.Column("invitation_id", sa.Integer),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("contact", sa.JSON, nullable=False),
    sa.Column("via", sa.String(16), nullable=False),  # link | widget | invitation | api
    sa.Column("nps", sa.SmallInteger),
    sa.Column("csat", sa.SmallInteger),
    sa.Column("ces", sa.SmallInteger),
    sa.Column("is_case", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_survey_response_survey_id_created_at", "survey_id", "created_at"),
    sa.Index("ix_survey_response_mention_id", "mention_id"),
)

survey_invitation = sa.Table(
    "survey_invitation",
    metadata,
    _id(),
    _ws(),
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("survey.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("send_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("remind_at", sa.DateTime),
    sa.Column("reminded_at", sa.DateTime),
    sa.Column("answered_at", sa.DateTime),
    sa.Column("skipped", sa.String(32)),  # unsubscribed | recent: why it was never sent
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_survey_invitation_send_at", "send_at"),
    sa.Index("ix_survey_invitation_workspace_id_email", "workspace_id", "email"),
)

survey_optout = sa.Table(
    "survey_optout",
    metadata,
    _ws(),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.PrimaryKeyConstraint("workspace_id", "email"),
)

survey_hit = sa.Table(
    "survey_hit",
    metadata,
    _id(),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_survey_hit_key_at", "key", "at"),
)

survey_click = sa.Table(
    "survey_click",
    metadata,
    _id(),
    sa.Column(
        "survey_id", sa.Integer, sa.ForeignKey("survey.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("site", sa.String(32), nullable=False),
    sa.Column("clicked_at", sa.DateTime, nullable=False),
    sa.Index("ix_survey_click_survey_id", "survey_id"),
)

# Campaigns (0008): a marketing activity with its period, partners, UTM names and the team's
# retrospective; goals measure it; posts, traffic and manual numbers feed its report.
campaign = sa.Table(
    "campaign",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("brand", sa.String(200)),
    sa.Column("partners", sa.JSON, nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("utm_campaigns", sa.JSON, nullable=False),
    sa.Column("surveys", sa.JSON, nullable=False, server_default="[]"),  # linked, by name
    sa.Column("notes", sa.Text),
    sa.Column("worked", sa.Text),
    sa.Column("not_worked", sa.Text),
    sa.Column("ideas", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "name"),
)

goal = sa.Table(
    "goal",
    metadata,
    _id(),
    _ws(),
    sa.Column(
        "campaign_id", sa.Integer, sa.ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("metric", sa.String(120), nullable=False),
    sa.Column("target", sa.Float),
    sa.Column("deadline", sa.Date),
    sa.Column("specific", sa.Text),
    sa.Column("measurable", sa.Text),
    sa.Column("achievable", sa.Text),
    sa.Column("relevant", sa.Text),
    sa.Column("time_bound", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_goal_campaign_id", "campaign_id"),
)

# A number per day the team enters or imports (sales from a CRM, leads).
manual_value = sa.Table(
    "manual_value",
    metadata,
    _ws(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("workspace_id", "name", "day"),
)

# A social-media post from an SMM export; `key` (the link, else the row's identity) makes a
# second import of the same export add nothing.
post = sa.Table(
    "post",
    metadata,
    _id(),
    _ws(),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("account", sa.String(300), nullable=False),
    sa.Column("account_kind", sa.String(16), nullable=False),  # own | partner | competitor
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("rubric", sa.String(200)),
    sa.Column("reach", sa.BigInteger),
    sa.Column("views", sa.BigInteger),
    sa.Column("likes", sa.BigInteger),
    sa.Column("comments", sa.BigInteger),
    sa.Column("reposts", sa.BigInteger),
    sa.Column("saves", sa.BigInteger),
    sa.Column("link_clicks", sa.BigInteger),
    sa.Column("followers", sa.BigInteger),
    sa.Column("plan", sa.String(16), nullable=False),  # on_plan | off_plan | unplanned
    sa.Column("raw", sa.JSON, nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("workspace_id", "key"),
    sa.Index("ix_post_ws_published", "workspace_id", "published_at"),
)

# A row of a web-analytics export (GA4, Yandex Metrica) by UTM.
traffic = sa.Table(
    "traffic",
    metadata,
    _id(),
    _ws(),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("medium", sa.String(200), nullable=False),
    sa.Column("campaign", sa.String(300), nullable=False),
    sa.Column("device", sa.String(64)),
    sa.Column("sessions", sa.BigInteger, nullable=False),
    sa.Column("bounce_rate", sa.Float),
    sa.Column("pages_per_session", sa.Float),
    sa.Column("duration_s", sa.Float),
    sa.Column("conversions", sa.BigInteger),
    sa.Column("raw", sa.JSON, nullable=False),
    sa.UniqueConstraint("workspace_id", "key"),
    sa.Index("ix_traffic_ws_day", "workspace_id", "day"),
)

alert_rule = sa.Table(
    "alert_rule",
    metadata,
    _id(),
    _ws(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # instant|digest|spike
    sa.Column("filters", sa.JSON, nullable=False),  # the feed's filter values, q included
    sa.Column("recipients", sa.JSON, nullable=False),  # [{"channel", "address", ...}]
    sa.Column("at_time", sa.String(5)),  # HH:MM, digests only
    sa.Column("every", sa.String(8)),  # day|week, digests only
    sa.Column("cap_per_hour", sa.Integer, nullable=False),
    sa.Column("is_muted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("secret", sa.String(100), nullable=False),  # signs the rule's webhooks
    sa.Column("cursor_mention_id", sa.BigInteger),  # instant: the last mention looked at
    sa.Column("checked_at", sa.DateTime),  # spike: the last check
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("weekday", sa.SmallInteger),  # 0 = Monday, weekly digests only (0012)
    sa.UniqueConstraint("workspace_id", "name"),
)

alert_delivery = sa.Table(
    "alert_delivery",
    metadata,
    _id(),
    _ws(),
    sa.Column(
        "rule_id",
        sa.Integer,
        sa.ForeignKey("alert_rule.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("kind", sa.String(16), nullable=False),  # instant|digest|spike|summary|test
    sa.Column("channel", sa.String(16), nullable=False),  # email|webhook
    sa.Column("recipient", sa.String(1000), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # sent|failed|retrying|summarised
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("mention_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.JSON, nullable=False),  # what is (re)sent, or the mentions held
    sa.Column("summary_id", sa.Integer),  # a summarised row: the summary that carried it
    sa.Column("next_attempt_at", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Index("ix_alert_delivery_rule_id_created_at", "rule_id", "created_at"),
    sa.Index("ix_alert_delivery_status_next_attempt_at", "status", "next_attempt_at"),
)
