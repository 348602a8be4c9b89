"""The tables. Identical on SQLite and PostgreSQL; changed only through Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator

from hookcast.store.sealed import SEALED, SEALED_SETTINGS

# BIGINT keys on PostgreSQL, INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            from datetime import UTC

            return value.replace(tzinfo=UTC)
        return value


class ForeignText(TypeDecorator[str]):
    """Text that comes from outside (a platform's answer, an error naming it): stored without
    NUL characters, which PostgreSQL refuses in text. One NUL in an answer must not make the
    attempt unrecordable (and with it every result written in the same transaction)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.replace("\x00", "\ufffd") if value is not None else None


class Base(DeclarativeBase):
    pass


class InstanceSetting(Base):
    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    gitlab_path: Mapped[str | None] = mapped_column(String(500), unique=True, nullable=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    protected_branches: Mapped[str] = mapped_column(Text, default="")
    # A group / system hook receiver: its token may hand an event to the project whose
    # gitlab_path is the event's path (inside this project's scope). Off: events stay here.
    routes_other_projects: Mapped[bool] = mapped_column(default=False, server_default=false())
    # HMAC key for sources that sign their bodies (GitHub, GitLab signing): sealed, since
    # checking a signature needs the secret itself, unlike the token's digest.
    signing_secret_sealed: Mapped[str | None] = mapped_column(Text, nullable=True, info=SEALED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    platform: Mapped[str] = mapped_column(String(32))
    url_sealed: Mapped[str] = mapped_column(Text, info=SEALED)
    url_redacted: Mapped[str] = mapped_column(Text)
    url_digest: Mapped[str] = mapped_column(String(64), index=True)  # identifies the bot
    # The platform's declared settings: {"plain": {name: value}, "sealed": {name: sealed value}}
    # (see services/webhook_settings.py).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=SEALED_SETTINGS)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    triggers: Mapped[list[str]] = mapped_column(JSON)
    # routing.PipelineFilter; GitLab's notify_only_broken_pipelines is "broken" (migration 0012)
    pipelines_to_be_notified: Mapped[str] = mapped_column(String(32), default="all")
    branches_to_be_notified: Mapped[str] = mapped_column(String(32), default="default")
    labels_to_be_notified: Mapped[str] = mapped_column(Text, default="")
    labels_to_be_notified_behavior: Mapped[str] = mapped_column(String(16), default="match_any")
    direct_messages: Mapped[bool] = mapped_column(default=False)  # DM the people concerned
    direct_only: Mapped[bool] = mapped_column(default=False)  # ... instead of posting to the group
    mention_people: Mapped[bool] = mapped_column(default=False)  # mention them in group messages
    # Quiet hours (services/quiet_hours.py): {"from", "until", "days", "timezone", "break_on_failures",
    # "break_at_severity"}; None: never set (no quiet hours).
    quiet_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Review reminders (services/reminder_options.py): {"time", "days", "timezone", "to", "drafts"};
    # None: never set (no reminders).
    review_reminders: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Message templates (services/message_templates.py, messages/templates.py): {kind: spec};
    # None: none (every kind gets the built-in message).
    templates: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The newest scheduled instant whose reminder was handled (services/review_reminders.py).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Living messages (hookcast.living): the message mode, None = the platform's default (the first
    # of `Platform.message_modes(url)`); how long a resolved alert group may fire again and still
    # update its card, None = 60 minutes (migration 0014).
    message_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    alert_flap_window_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The ordered routing rules (`hookcast.rules`, validated on save); null: none (migration 0016).
    rules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pause_reason: Mapped[str | None] = mapped_column(ForeignText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("project_id", "idempotency_key", name="uq_events_project_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # What routing decided per webhook when it arrived (`hookcast.rules.Routing.stored`), written
    # in this insert; null for an ignored event or one from before migration 0016.
    decisions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class PipelineResult(Base):
    """The result of the newest finished pipeline hookcast saw on one ref of one GitLab project,
    so that the next one can say "fixed" or "still failing" (`services/pipeline_results.py`).
    ``previous_status`` is the result it replaced: written in the same upsert, it is what the
    newest pipeline is compared with, without a read that a concurrent writer could overtake."""

    __tablename__ = "pipeline_results"

    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    gitlab_path: Mapped[str] = mapped_column(ForeignText, primary_key=True)  # a project may get several
    ref: Mapped[str] = mapped_column(ForeignText, primary_key=True)  # refs/heads/<branch>, refs/tags/<tag>
    pipeline_id: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    previous_status: Mapped[str | None] = mapped_column(String(32), nullable=True)


class MergeRequestRow(Base):
    """What hookcast knows of one merge request of one GitLab project, from the events it
    received, for review reminders (`services/merge_requests.py`). A merged or closed one is
    kept a while (``state``), so that an event arriving late cannot bring it back; the reminder
    pass deletes those after `services.merge_requests.KEEP_CLOSED`."""

    __tablename__ = "merge_requests"

    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    gitlab_path: Mapped[str] = mapped_column(ForeignText, primary_key=True)
    iid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # opened | merged | closed
    title: Mapped[str] = mapped_column(ForeignText)
    url: Mapped[str | None] = mapped_column(ForeignText, nullable=True)
    author: Mapped[dict[str, Any]] = mapped_column(JSON)  # a Person
    reviewers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # Persons
    approved_by: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # Persons
    draft: Mapped[bool] = mapped_column(default=False)
    approved: Mapped[bool] = mapped_column(default=False)  # GitLab's "approved": all approvals given
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the newest event's time applied


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_webhook", "webhook_id", "id"),
        Index("ix_deliveries_event", "event_id"),
        # The claim's ordering rule: an earlier row of the same object still waiting (migration 0014).
        Index("ix_deliveries_object", "webhook_id", "object_key", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a DeliveryWorker's id
    last_error: Mapped[str | None] = mapped_column(ForeignText, nullable=True)
    digest_of: Mapped[int | None] = mapped_column(BigId, nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="group")  # group | direct
    recipient: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the person, for DMs
    # Born inside its webhook's quiet hours: held until they end, then sent in one digest with
    # the others held (kept afterwards, so the history says it waited).
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The object its event is about (`hookcast.living.object_key`), for a group row of a webhook
    # whose messages live; such a row waits for the earlier rows of its object (`outbox.claim`).
    object_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The silence a ``silenced`` row was born under (no foreign key: deleting the silence later
    # leaves the history as it was; migration 0016_silences).
    silence_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Silence(Base):
    """Mutes the events its conditions match while ``starts_at <= now < ends_at``, in one project
    or (``project_id`` null) in every project (`services/silences.py`). Expiring it early sets
    ``ends_at`` to that moment, so the window alone says whether it is in force."""

    __tablename__ = "silences"
    __table_args__ = (Index("ix_silences_window", "ends_at", "project_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    match: Mapped[dict[str, Any]] = mapped_column(JSON)  # a `hookcast.matching.EventMatch`
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageRef(Base):
    """The message hookcast posted for one object on one webhook, as `hookcast.living.Remembered`
    (`store/message_refs.py`): later events of the object edit it, reply to it or follow it up."""

    __tablename__ = "message_refs"
    __table_args__ = (UniqueConstraint("webhook_id", "object_key", name="uq_message_refs_object"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    object_key: Mapped[str] = mapped_column(String(300))
    ref: Mapped[str] = mapped_column(ForeignText, default="")  # the platform's, bounded by the store
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"action", "actor"}], bounded
    last_action: Mapped[str] = mapped_column(String(64))
    flaps: Mapped[int] = mapped_column(Integer, default=0)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryWorker(Base):
    """A running worker process and its heartbeat: what it claimed is taken back once it is gone."""

    __tablename__ = "delivery_workers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    pid_namespace: Mapped[str] = mapped_column(String(200))  # boot and pid namespace; "" if unknown
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    response_excerpt: Mapped[str] = mapped_column(ForeignText, default="")
    error: Mapped[str | None] = mapped_column(ForeignText, nullable=True)
    request_url: Mapped[str] = mapped_column(Text, default="")
    request_body: Mapped[str] = mapped_column(ForeignText, default="")
