"""Webhooks: one chat destination of a project, with its routing options and secrets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatch
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox, token_digest
from hookcast.events import EventKind
from hookcast.kinds import DEFAULT_TRIGGERS
from hookcast.messages.model import LANGUAGES
from hookcast.platforms import get_platform
from hookcast.platforms.base import Platform, PlatformName, WebhookTarget
from hookcast.routing import BranchFilter, LabelBehavior, RouteRules, parse_labels
from hookcast.services import projects
from hookcast.services.errors import Invalid, NotFound, Term
from hookcast.store import outbox
from hookcast.store.tables import Webhook


class WebhookFields(BaseModel):
    """The settings of a webhook, as the API, the UI and the CLI take them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)

    name: str = Field(default="", max_length=200)
    url: str = Field(min_length=1, max_length=2000, description="The platform's webhook URL (secret).")
    secret: str | None = Field(default=None, max_length=512, description="Signing secret (write-only).")
    keyword: str | None = Field(default=None, max_length=200)
    active: bool = True
    language: str = Field(default="en", description="en | zh_CN")
    triggers: list[EventKind] = Field(default_factory=lambda: sorted(DEFAULT_TRIGGERS))
    notify_only_broken_pipelines: bool = False
    branches_to_be_notified: BranchFilter = BranchFilter.DEFAULT
    labels_to_be_notified: str = Field(default="", max_length=2000)
    labels_to_be_notified_behavior: LabelBehavior = LabelBehavior.MATCH_ANY
    direct_messages: bool = Field(
        default=False, description="Also message the people an event concerns, through the IM app."
    )
    direct_only: bool = Field(default=False, description="With direct_messages: skip the group message.")
    mention_people: bool = Field(default=False, description="Mention the people concerned in the group.")


class WebhookInput(WebhookFields):
    platform: PlatformName


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    secret: str | None = Field(default=None, max_length=512, description="Empty string clears it.")
    keyword: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    language: str | None = None
    triggers: list[EventKind] | None = None
    notify_only_broken_pipelines: bool | None = None
    branches_to_be_notified: BranchFilter | None = None
    labels_to_be_notified: str | None = Field(default=None, max_length=2000)
    labels_to_be_notified_behavior: LabelBehavior | None = None
    direct_messages: bool | None = None
    direct_only: bool | None = None
    mention_people: bool | None = None


class WebhookView(BaseModel):
    """What is shown of a webhook: never its secret, and its URL only redacted."""

    id: int
    project_id: int
    name: str
    platform: PlatformName
    url: str
    secret_set: bool
    keyword: str | None
    active: bool
    language: str
    triggers: list[EventKind]
    notify_only_broken_pipelines: bool
    branches_to_be_notified: BranchFilter
    labels_to_be_notified: str
    labels_to_be_notified_behavior: LabelBehavior
    direct_messages: bool
    direct_only: bool
    mention_people: bool
    paused_until: datetime | None
    pause_reason: str | None
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime


def view(webhook: Webhook) -> WebhookView:
    return WebhookView(
        id=webhook.id,
        project_id=webhook.project_id,
        name=webhook.name,
        platform=PlatformName(webhook.platform),
        url=webhook.url_redacted,
        secret_set=webhook.secret_sealed is not None,
        keyword=webhook.keyword,
        active=webhook.active,
        language=webhook.language,
        triggers=[EventKind(t) for t in webhook.triggers],
        notify_only_broken_pipelines=webhook.notify_only_broken_pipelines,
        branches_to_be_notified=BranchFilter(webhook.branches_to_be_notified),
        labels_to_be_notified=webhook.labels_to_be_notified,
        labels_to_be_notified_behavior=LabelBehavior(webhook.labels_to_be_notified_behavior),
        direct_messages=webhook.direct_messages,
        direct_only=webhook.direct_only,
        mention_people=webhook.mention_people,
        paused_until=webhook.paused_until,
        pause_reason=webhook.pause_reason,
        consecutive_failures=webhook.consecutive_failures,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


def validate_url(platform: Platform, url: str, extra_hosts: Sequence[str], public_url: str | None) -> None:
    """A webhook URL must be https on the platform's own hosts (http or https on the instance's
    extra allowed hosts: private deployments, tests), and have the platform's path and query
    on any host: a placeholder left from an example, or a URL missing its token, would only
    fail at the first delivery, long after whoever pasted it has gone. A URL the platform
    relays through its app (a Feishu chat URL) must be one of this instance (``public_url``)."""
    if platform.relayed(url):
        problem = platform.relay_problem(url, public_url)
        if problem is not None:
            raise Invalid(problem, field="url")
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    on_platform = parts.scheme == "https" and platform.host_allowed(host)
    on_extra = parts.scheme in ("http", "https") and any(fnmatch(host, h.lower()) for h in extra_hosts)
    if not (on_platform or on_extra) and platform.self_hosted:
        raise Invalid(
            "{platform} webhook URLs must be https on a public host name or address "
            "(private ones only on the instance's extra allowed hosts: {hosts})",
            field="url",
            platform=Term(platform.label),
            hosts=", ".join(extra_hosts) or "—",
        )
    if not (on_platform or on_extra):
        raise Invalid(
            "{platform} webhook URLs must be https on: {hosts}",
            field="url",
            platform=Term(platform.label),
            hosts=", ".join((*platform.hosts, *extra_hosts)),
        )
    problem = platform.url_problem(url)
    if problem is not None:
        raise Invalid(problem, field="url")


def _validate_common(platform: Platform, language: str, secret: str | None, keyword: str | None) -> None:
    if language not in LANGUAGES:
        raise Invalid(
            "language must be one of: {languages}", field="language", languages=", ".join(LANGUAGES)
        )
    declared = {spec.name for spec in platform.settings}
    if secret and "secret" not in declared:
        raise Invalid(
            "{platform} webhooks take no signing secret", field="secret", platform=Term(platform.label)
        )
    if keyword and "keyword" not in declared:
        raise Invalid("{platform} webhooks take no keyword", field="keyword", platform=Term(platform.label))


def rules_of(webhook: Webhook) -> RouteRules:
    return RouteRules(
        active=webhook.active,
        triggers=frozenset(EventKind(t) for t in webhook.triggers if t in EventKind._value2member_map_),
        notify_only_broken_pipelines=webhook.notify_only_broken_pipelines,
        branches_to_be_notified=BranchFilter(webhook.branches_to_be_notified),
        labels_to_be_notified=parse_labels(webhook.labels_to_be_notified),
        labels_behavior=LabelBehavior(webhook.labels_to_be_notified_behavior),
    )


def target_of(webhook: Webhook, box: SecretBox) -> WebhookTarget:
    return WebhookTarget(
        url=box.open(webhook.url_sealed),
        secret=box.open(webhook.secret_sealed) if webhook.secret_sealed else None,
        keyword=webhook.keyword,
    )


def _seal_url(webhook: Webhook, platform: Platform, url: str, box: SecretBox) -> None:
    webhook.url_sealed = box.seal(url)
    webhook.url_redacted = platform.redact_url(url)
    webhook.url_digest = token_digest(url)


async def create(
    session: AsyncSession,
    project_id: int,
    data: WebhookInput,
    *,
    box: SecretBox,
    extra_hosts: Sequence[str],
    public_url: str | None,
) -> Webhook:
    await projects.get(session, project_id)
    platform = get_platform(data.platform)
    validate_url(platform, data.url, extra_hosts, public_url)
    _validate_common(platform, data.language, data.secret, data.keyword)
    now = utcnow()
    webhook = Webhook(
        project_id=project_id,
        name=data.name,
        platform=platform.name.value,
        secret_sealed=box.seal(data.secret) if data.secret else None,
        keyword=data.keyword or None,
        active=data.active,
        language=data.language,
        triggers=sorted({t.value for t in data.triggers}),
        notify_only_broken_pipelines=data.notify_only_broken_pipelines,
        branches_to_be_notified=data.branches_to_be_notified.value,
        labels_to_be_notified=data.labels_to_be_notified,
        labels_to_be_notified_behavior=data.labels_to_be_notified_behavior.value,
        direct_messages=data.direct_messages,
        direct_only=data.direct_only,
        mention_people=data.mention_people,
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    _seal_url(webhook, platform, data.url, box)
    session.add(webhook)
    await session.flush()
    return webhook


async def update(
    session: AsyncSession,
    webhook_id: int,
    patch: WebhookPatch,
    *,
    box: SecretBox,
    extra_hosts: Sequence[str],
    public_url: str | None,
) -> Webhook:
    webhook = await get(session, webhook_id)
    platform = get_platform(webhook.platform)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        validate_url(platform, changes["url"], extra_hosts, public_url)
        _seal_url(webhook, platform, changes["url"], box)
    language = changes.get("language") or webhook.language
    secret = changes.get("secret")
    _validate_common(platform, language, secret, changes.get("keyword"))
    if "secret" in changes:
        webhook.secret_sealed = box.seal(secret) if secret else None
    if "keyword" in changes:
        webhook.keyword = changes["keyword"] or None
    if changes.get("triggers") is not None:
        webhook.triggers = sorted({EventKind(t).value for t in changes["triggers"]})
    for name in (
        "name",
        "active",
        "language",
        "notify_only_broken_pipelines",
        "labels_to_be_notified",
        "direct_messages",
        "direct_only",
        "mention_people",
    ):
        if changes.get(name) is not None:
            setattr(webhook, name, changes[name])
    for name in ("branches_to_be_notified", "labels_to_be_notified_behavior"):
        if changes.get(name) is not None:
            setattr(webhook, name, str(changes[name]))
    if changes.get("active") or "url" in changes:
        outbox.resume(webhook)
    webhook.updated_at = utcnow()
    await session.flush()
    return webhook


async def get(session: AsyncSession, webhook_id: int) -> Webhook:
    webhook = await session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound("webhook {id} not found", id=webhook_id)
    return webhook


async def list_for_project(session: AsyncSession, project_id: int) -> Sequence[Webhook]:
    await projects.get(session, project_id)
    return (
        await session.scalars(select(Webhook).where(Webhook.project_id == project_id).order_by(Webhook.id))
    ).all()


async def remove(session: AsyncSession, webhook_id: int) -> None:
    webhook = await get(session, webhook_id)
    await session.delete(webhook)
    await session.flush()
