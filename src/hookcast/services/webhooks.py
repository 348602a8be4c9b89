"""Webhooks: one chat destination of a project, with its routing options and secrets."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from fnmatch import fnmatch
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox, token_digest
from hookcast.events import EventKind
from hookcast.kinds import DEFAULT_TRIGGERS, TRIGGER_KINDS
from hookcast.living import MessageMode
from hookcast.messages.model import LANGUAGES
from hookcast.platforms import get_platform
from hookcast.platforms.base import Platform, PlatformName, WebhookTarget
from hookcast.platforms.targets import target_from
from hookcast.quiet_hours import Severity, Weekday, quiet_until
from hookcast.reminders import Recipients
from hookcast.routing import BranchFilter, LabelBehavior, PipelineFilter, RouteRules, parse_labels
from hookcast.rules import MAX_RULES, Rule, parse_rules, stored_rules
from hookcast.services import (
    fields,
    message_modes,
    message_templates,
    projects,
    quiet_hours,
    reminder_options,
    webhook_rules,
    webhook_settings,
)
from hookcast.services.errors import Invalid, NotFound, Term
from hookcast.services.text_input import TextInput
from hookcast.store import outbox
from hookcast.store.tables import Webhook

SettingsInput = dict[str, str | None]
PIPELINES_HELP = (
    "Which finished pipelines to send: all, broken_and_fixed (the first failure on a ref and the"
    " pass that fixes it, not 'still failing'), broken (failed ones only)."
)
SETTINGS_HELP = (
    "The platform's settings by name, as the platform declares them (GET /api/v1/platforms); "
    "the same names are also taken at the top level (secret, keyword). "
)

QUIET_FROM_HELP = (
    "Quiet hours: when they start each day, HH:MM in quiet_timezone (empty: no daily window). "
    "Messages are held until they end, then sent as one digest."
)
QUIET_UNTIL_HELP = "Quiet hours: when they end, HH:MM (before the start: they cross midnight)."
QUIET_DAYS_HELP = "Quiet hours: weekdays quiet all day (mon, tue, wed, thu, fri, sat, sun)."
QUIET_ZONE_HELP = "Quiet hours: their IANA time zone, e.g. Europe/Berlin."
QUIET_FAILURES_HELP = (
    "Quiet hours: failed pipelines and jobs on the default or a protected branch are sent at once."
)
QUIET_SEVERITY_HELP = "Quiet hours: firing alerts of this severity or above are sent at once (off: none)."

REMINDER_TIME_HELP = (
    "Review reminders: when to list the merge requests waiting for review or approval, HH:MM in "
    "reminder_timezone (empty: no reminders). Nothing is sent when nothing waits."
)
REMINDER_DAYS_HELP = (
    "Review reminders: on which weekdays (mon, tue, wed, thu, fri, sat, sun; default mon-fri)."
)
REMINDER_ZONE_HELP = "Review reminders: their IANA time zone, e.g. Europe/Berlin."
REMINDER_TO_HELP = (
    "Review reminders: group (one message, reviewers mentioned) or reviewers (a direct message to "
    "each reviewer with their own list, through the platform's IM app)."
)
REMINDER_DRAFTS_HELP = "Review reminders: list draft merge requests too."


class WebhookFields(TextInput):
    """The settings of a webhook, as the API, the UI and the CLI take them."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=False,
        json_schema_extra=lambda schema: _add_flat(schema, view=False),
    )

    name: str = Field(default="", max_length=200, description="A name to recognise it by.")
    url: str = Field(min_length=1, max_length=2000, description="The platform's webhook URL (secret).")
    settings: SettingsInput = Field(
        default_factory=dict, description=SETTINGS_HELP + "Secret ones are write-only."
    )
    active: bool = Field(default=True, description="Switched on (off: nothing is sent to it).")
    language: str = Field(default="en", description="en | zh_CN")
    triggers: list[EventKind] = Field(
        default_factory=lambda: sorted(DEFAULT_TRIGGERS), description="The event kinds to send."
    )
    pipelines_to_be_notified: PipelineFilter | None = Field(
        default=None, description=PIPELINES_HELP + " Absent: from notify_only_broken_pipelines, else all."
    )
    notify_only_broken_pipelines: bool = Field(
        default=False,
        description="GitLab's name for pipelines_to_be_notified=broken (kept for compatibility).",
    )
    branches_to_be_notified: BranchFilter = Field(
        default=BranchFilter.DEFAULT, description="Branches to be notified."
    )
    labels_to_be_notified: str = Field(
        default="", max_length=2000, description="Labels to be notified, e.g. '~bug, ~ui' (empty: all)."
    )
    labels_to_be_notified_behavior: LabelBehavior = Field(
        default=LabelBehavior.MATCH_ANY, description="Whether any or all of the labels must match."
    )
    direct_messages: bool = Field(
        default=False, description="Also message the people an event concerns, through the IM app."
    )
    direct_only: bool = Field(default=False, description="With direct_messages: skip the group message.")
    mention_people: bool = Field(default=False, description="Mention the people concerned in the group.")
    quiet_from: str = Field(default="", max_length=5, description=QUIET_FROM_HELP)
    quiet_until: str = Field(default="", max_length=5, description=QUIET_UNTIL_HELP)
    quiet_days: list[Weekday] = Field(default_factory=list, max_length=7, description=QUIET_DAYS_HELP)
    quiet_timezone: str = Field(default=quiet_hours.DEFAULT_ZONE, max_length=64, description=QUIET_ZONE_HELP)
    quiet_break_on_failures: bool = Field(default=False, description=QUIET_FAILURES_HELP)
    quiet_break_at_severity: Severity = Field(default=Severity.OFF, description=QUIET_SEVERITY_HELP)
    reminder_time: str = Field(default="", max_length=5, description=REMINDER_TIME_HELP)
    reminder_days: list[Weekday] = Field(
        default_factory=lambda: list(reminder_options.WORKING_DAYS),
        max_length=7,
        description=REMINDER_DAYS_HELP,
    )
    reminder_timezone: str = Field(
        default=quiet_hours.DEFAULT_ZONE, max_length=64, description=REMINDER_ZONE_HELP
    )
    reminder_to: Recipients = Field(default=Recipients.GROUP, description=REMINDER_TO_HELP)
    reminder_drafts: bool = Field(default=False, description=REMINDER_DRAFTS_HELP)
    message_mode: MessageMode | None = Field(default=None, description=message_modes.MODE_HELP)
    alert_flap_window_minutes: int | None = Field(
        default=None,
        ge=message_modes.MIN_FLAP_MINUTES,
        le=message_modes.MAX_FLAP_MINUTES,
        description=message_modes.FLAP_HELP,
    )
    templates: dict[str, dict[str, Any]] = Field(default_factory=dict, description=message_templates.HELP)
    rules: list[Rule] = Field(
        default_factory=list, max_length=MAX_RULES, description=webhook_rules.RULES_HELP
    )

    @model_validator(mode="before")
    @classmethod
    def _settings_at_top_level(cls, data: Any) -> Any:
        return webhook_settings.fold_flat(data)

    @field_validator("rules", mode="before")
    @classmethod
    def _rules_with_position(cls, value: Any) -> Any:
        return rules_input(value)


class WebhookInput(WebhookFields):
    platform: PlatformName


class WebhookPatch(TextInput):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra=lambda schema: _add_flat(schema, view=False),
    )

    name: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    settings: SettingsInput | None = Field(
        default=None, description=SETTINGS_HELP + "A value replaces, an empty string removes, null keeps."
    )
    active: bool | None = None
    language: str | None = None
    triggers: list[EventKind] | None = None
    pipelines_to_be_notified: PipelineFilter | None = Field(default=None, description=PIPELINES_HELP)
    notify_only_broken_pipelines: bool | None = Field(
        default=None,
        description="Compatibility: true is pipelines_to_be_notified=broken, false turns broken back to all.",
    )
    branches_to_be_notified: BranchFilter | None = None
    labels_to_be_notified: str | None = Field(default=None, max_length=2000)
    labels_to_be_notified_behavior: LabelBehavior | None = None
    direct_messages: bool | None = None
    direct_only: bool | None = None
    mention_people: bool | None = None
    quiet_from: str | None = Field(default=None, max_length=5, description=QUIET_FROM_HELP)
    quiet_until: str | None = Field(default=None, max_length=5, description=QUIET_UNTIL_HELP)
    quiet_days: list[Weekday] | None = Field(default=None, max_length=7, description=QUIET_DAYS_HELP)
    quiet_timezone: str | None = Field(default=None, max_length=64, description=QUIET_ZONE_HELP)
    quiet_break_on_failures: bool | None = Field(default=None, description=QUIET_FAILURES_HELP)
    quiet_break_at_severity: Severity | None = Field(default=None, description=QUIET_SEVERITY_HELP)
    reminder_time: str | None = Field(default=None, max_length=5, description=REMINDER_TIME_HELP)
    reminder_days: list[Weekday] | None = Field(default=None, max_length=7, description=REMINDER_DAYS_HELP)
    reminder_timezone: str | None = Field(default=None, max_length=64, description=REMINDER_ZONE_HELP)
    reminder_to: Recipients | None = Field(default=None, description=REMINDER_TO_HELP)
    reminder_drafts: bool | None = Field(default=None, description=REMINDER_DRAFTS_HELP)
    message_mode: MessageMode | None = Field(default=None, description=message_modes.MODE_HELP)
    alert_flap_window_minutes: int | None = Field(
        default=None,
        ge=message_modes.MIN_FLAP_MINUTES,
        le=message_modes.MAX_FLAP_MINUTES,
        description=message_modes.FLAP_HELP,
    )
    templates: dict[str, dict[str, Any] | None] | None = Field(
        default=None, description=message_templates.PATCH_HELP
    )
    rules: list[Rule] | None = Field(
        default=None, max_length=MAX_RULES, description=webhook_rules.RULES_HELP + " [] removes them all."
    )

    @model_validator(mode="before")
    @classmethod
    def _settings_at_top_level(cls, data: Any) -> Any:
        return webhook_settings.fold_flat(data)

    @field_validator("rules", mode="before")
    @classmethod
    def _rules_with_position(cls, value: Any) -> Any:
        return rules_input(value)


def rules_input(value: Any) -> Any:
    """Rules checked here first, so that the refusal names the position of the error
    (``rules[2].match.refs[0]: invalid regular expression …``); None keeps."""
    return None if value is None else list(parse_rules(value))


class WebhookView(BaseModel):
    """What is shown of a webhook: never its secrets, and its URL only redacted.

    ``settings`` has every setting its platform declares: plain ones with their value, secret
    ones as "set" / "not set". The top-level names answers have always had (``secret_set``,
    ``keyword``) are there too, derived from the same declarations (extra fields)."""

    model_config = ConfigDict(extra="allow", json_schema_extra=lambda schema: _add_flat(schema, view=True))

    id: int
    project_id: int
    name: str
    platform: PlatformName
    url: str
    settings: dict[str, str | None]
    active: bool
    language: str
    triggers: list[EventKind]
    pipelines_to_be_notified: PipelineFilter
    notify_only_broken_pipelines: bool = Field(
        description="pipelines_to_be_notified is broken (GitLab's name)."
    )
    branches_to_be_notified: BranchFilter
    labels_to_be_notified: str
    labels_to_be_notified_behavior: LabelBehavior
    direct_messages: bool
    direct_only: bool
    mention_people: bool
    paused_until: datetime | None
    pause_reason: str | None
    consecutive_failures: int
    waiting: int = Field(description="Deliveries waiting to be sent (held while it is paused).")
    set_aside: int = Field(
        description="Deliveries set aside while it was paused with a full backlog (state 'skipped'; "
        "HOOKCAST_PAUSED_BACKLOG), not resent since."
    )
    created_at: datetime
    updated_at: datetime
    quiet_from: str = Field(description=QUIET_FROM_HELP)
    quiet_until: str = Field(description=QUIET_UNTIL_HELP)
    quiet_days: list[Weekday] = Field(description=QUIET_DAYS_HELP)
    quiet_timezone: str = Field(description=QUIET_ZONE_HELP)
    quiet_break_on_failures: bool = Field(description=QUIET_FAILURES_HELP)
    quiet_break_at_severity: Severity = Field(description=QUIET_SEVERITY_HELP)
    reminder_time: str = Field(description=REMINDER_TIME_HELP)
    reminder_days: list[Weekday] = Field(description=REMINDER_DAYS_HELP)
    reminder_timezone: str = Field(description=REMINDER_ZONE_HELP)
    reminder_to: Recipients = Field(description=REMINDER_TO_HELP)
    reminder_drafts: bool = Field(description=REMINDER_DRAFTS_HELP)
    message_mode: MessageMode = Field(description=message_modes.MODE_HELP + " Shown: the mode in effect.")
    alert_flap_window_minutes: int = Field(description=message_modes.FLAP_HELP)
    templates: dict[str, dict[str, Any]] = Field(description=message_templates.HELP)
    rules: list[Rule] = Field(description=webhook_rules.RULES_HELP)
    # Last: the field's name hides the module's in the class body.
    message_modes: list[MessageMode] = Field(description=message_modes.MODES_HELP)


def _add_flat(schema: dict[str, Any], *, view: bool) -> None:
    schema.setdefault("properties", {}).update(webhook_settings.schema_properties(view=view))


async def views(session: AsyncSession, hooks: Sequence[Webhook]) -> list[WebhookView]:
    """`view` of each webhook, with its backlog (one query for all)."""
    counted = await outbox.backlogs(session, [w.id for w in hooks])
    return [view(w, counted.get(w.id, outbox.Backlog())) for w in hooks]


def view(webhook: Webhook, backlog: outbox.Backlog | None = None) -> WebhookView:
    """What is shown of ``webhook``; ``backlog``: its counts, when read (`views`), else none."""
    backlog = backlog or outbox.Backlog()
    platform = get_platform(webhook.platform)
    return WebhookView(
        id=webhook.id,
        project_id=webhook.project_id,
        name=webhook.name,
        platform=platform.name,
        url=webhook.url_redacted,
        settings=webhook_settings.shown(platform, webhook.settings),
        active=webhook.active,
        language=webhook.language,
        triggers=[EventKind(t) for t in webhook.triggers],
        pipelines_to_be_notified=pipeline_filter_of(webhook),
        notify_only_broken_pipelines=pipeline_filter_of(webhook) == PipelineFilter.BROKEN,
        branches_to_be_notified=BranchFilter(webhook.branches_to_be_notified),
        labels_to_be_notified=webhook.labels_to_be_notified,
        labels_to_be_notified_behavior=LabelBehavior(webhook.labels_to_be_notified_behavior),
        direct_messages=webhook.direct_messages,
        direct_only=webhook.direct_only,
        mention_people=webhook.mention_people,
        paused_until=webhook.paused_until,
        pause_reason=webhook.pause_reason,
        consecutive_failures=webhook.consecutive_failures,
        waiting=backlog.waiting,
        set_aside=backlog.set_aside,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
        **quiet_hours.shown(webhook.quiet_hours),
        **reminder_options.shown(webhook.review_reminders),
        message_mode=message_modes.effective(webhook, modes := message_modes.offered(webhook)),
        message_modes=list(modes),
        alert_flap_window_minutes=round(message_modes.flap_window(webhook).total_seconds() / 60),
        templates=message_templates.shown(webhook.templates),
        rules=list(stored_rules(webhook.rules)),
        **webhook_settings.flat_view(platform, webhook.settings),
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
    if not sendable_url(url):
        raise Invalid(
            "the URL cannot be used: its host must be a plain name or address, with no user "
            "name, password or backslash, and its port a number up to 65535",
            field="url",
        )
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
    if not on_extra:
        refuse_other_ports(parts.port, platform.ports, extra_hosts, field="url")
    problem = platform.url_problem(url)
    if problem is not None:
        raise Invalid(problem, field="url")


def refuse_other_ports(
    port: int | None, allowed: frozenset[int], extra_hosts: Sequence[str], *, field: str
) -> None:
    """Off the extra allowed hosts, a URL names only a port its platform uses (the egress rule,
    `platforms/egress.py`, also limits the connection itself): say so when the URL is saved."""
    if port is not None and port not in allowed:
        raise Invalid(
            "the port must be {ports} (other ports only on the instance's extra allowed hosts: {hosts})",
            field=field,
            ports=", ".join(str(p) for p in sorted(allowed)),
            hosts=", ".join(extra_hosts) or "—",
        )


HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")


def sendable_url(url: str) -> bool:
    """What the HTTP client will connect to, and nothing that could name another host to it:
    no userinfo, no backslash, a DNS name (ASCII, IDNA-encoded) or an IP literal, a valid port."""
    if "\\" in url or any(ord(char) < 0x21 or ord(char) == 0x7F for char in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None:
        return False
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")  # 例子.com is xn--fsqu00a.com
    except UnicodeError:
        return False
    return bool(HOST_NAME.fullmatch(ascii_host)) and len(ascii_host) <= 253


def _validate_language(language: str) -> None:
    if language not in LANGUAGES:
        raise Invalid(
            "language must be one of: {languages}", field="language", languages=", ".join(LANGUAGES)
        )


def _settings(
    platform: Platform, current: Mapping[str, str], changes: Mapping[str, str | None]
) -> dict[str, str]:
    """The settings after ``changes``, checked against the platform's declaration."""
    webhook_settings.refuse_undeclared(platform, [name for name, value in changes.items() if value])
    declared = {spec.name for spec in platform.settings}
    return fields.merged(platform.settings, current, {k: v for k, v in changes.items() if k in declared})


def _triggers(kinds: Iterable[EventKind]) -> list[str]:
    """The trigger names to store; a kind hookcast makes itself (a review reminder, which the
    webhook's reminder options turn on) is no trigger."""
    chosen = set(kinds)
    made_here = sorted(kind.value for kind in chosen if kind not in TRIGGER_KINDS)
    if made_here:
        raise Invalid(
            "{kinds}: not a trigger (hookcast makes these itself; see the reminder options)",
            field="triggers",
            kinds=", ".join(made_here),
        )
    return sorted(kind.value for kind in chosen)


def pipeline_filter_of(webhook: Webhook) -> PipelineFilter:
    stored = webhook.pipelines_to_be_notified
    return PipelineFilter(stored) if stored in PipelineFilter._value2member_map_ else PipelineFilter.ALL


def _pipeline_filter(
    given: PipelineFilter | None, only_broken: bool | None, current: PipelineFilter
) -> PipelineFilter:
    """The filter a create or update asks for. ``pipelines_to_be_notified`` says it outright;
    GitLab's boolean, for clients that only know it, means ``broken`` when true, and when false
    "not only broken": it turns ``broken`` back to ``all`` and leaves ``broken_and_fixed`` be."""
    if given is not None:
        return given
    if only_broken:
        return PipelineFilter.BROKEN
    if only_broken is False and current == PipelineFilter.BROKEN:
        return PipelineFilter.ALL
    return current


def rules_of(webhook: Webhook) -> RouteRules:
    return RouteRules(
        active=webhook.active,
        triggers=frozenset(EventKind(t) for t in webhook.triggers if t in EventKind._value2member_map_),
        pipelines_to_be_notified=pipeline_filter_of(webhook),
        branches_to_be_notified=BranchFilter(webhook.branches_to_be_notified),
        labels_to_be_notified=parse_labels(webhook.labels_to_be_notified),
        labels_behavior=LabelBehavior(webhook.labels_to_be_notified_behavior),
    )


def target_of(webhook: Webhook, box: SecretBox) -> WebhookTarget:
    return target_from(box.open(webhook.url_sealed), webhook_settings.opened(webhook.settings, box))


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
    _validate_language(data.language)
    values = _settings(platform, {}, data.settings)
    now = utcnow()
    webhook = Webhook(
        project_id=project_id,
        name=data.name,
        platform=platform.name.value,
        settings=webhook_settings.stored(platform, values, box),
        active=data.active,
        language=data.language,
        triggers=_triggers(data.triggers),
        pipelines_to_be_notified=_pipeline_filter(
            data.pipelines_to_be_notified, data.notify_only_broken_pipelines, PipelineFilter.ALL
        ).value,
        branches_to_be_notified=data.branches_to_be_notified.value,
        labels_to_be_notified=data.labels_to_be_notified,
        labels_to_be_notified_behavior=data.labels_to_be_notified_behavior.value,
        direct_messages=data.direct_messages,
        direct_only=data.direct_only,
        mention_people=data.mention_people,
        quiet_hours=quiet_hours.stored(None, {name: getattr(data, name) for name in quiet_hours.FIELDS}),
        review_reminders=reminder_options.stored(
            None, {name: getattr(data, name) for name in reminder_options.FIELDS}
        ),
        message_mode=message_modes.checked(platform, data.url, data.message_mode),
        alert_flap_window_minutes=data.alert_flap_window_minutes,
        templates=message_templates.stored(None, data.templates) or None,
        rules=await webhook_rules.checked(session, project_id, None, data.rules),
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
    _validate_language(changes.get("language") or webhook.language)
    if changes.get("settings"):
        values = _settings(platform, webhook_settings.opened(webhook.settings, box), changes["settings"])
        webhook.settings = webhook_settings.stored(platform, values, box)
    if any(changes.get(name) is not None for name in quiet_hours.FIELDS):
        webhook.quiet_hours = quiet_hours.stored(webhook.quiet_hours, changes)
        await _reschedule_held(session, webhook)
    if any(changes.get(name) is not None for name in reminder_options.FIELDS):
        webhook.review_reminders = reminder_options.stored(webhook.review_reminders, changes)
    if changes.get("message_mode") is not None or changes.get("url") is not None:
        _change_mode(webhook, platform, changes, box)
    if changes.get("alert_flap_window_minutes") is not None:
        webhook.alert_flap_window_minutes = changes["alert_flap_window_minutes"]
    if patch.rules is not None:
        webhook.rules = await webhook_rules.checked(session, webhook.project_id, webhook.id, patch.rules)
    if changes.get("triggers") is not None:
        webhook.triggers = _triggers(EventKind(t) for t in changes["triggers"])
    if changes.get("templates") is not None:
        webhook.templates = message_templates.stored(webhook.templates, changes["templates"]) or None
    for name in (
        "name",
        "active",
        "language",
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
    webhook.pipelines_to_be_notified = _pipeline_filter(
        patch.pipelines_to_be_notified, patch.notify_only_broken_pipelines, pipeline_filter_of(webhook)
    ).value
    if changes.get("active") or "url" in changes:
        outbox.resume(webhook, utcnow())
    webhook.updated_at = utcnow()
    await session.flush()
    return webhook


def _change_mode(webhook: Webhook, platform: Platform, changes: dict[str, Any], box: SecretBox) -> None:
    """A new mode is checked against the webhook's (new) URL; a new URL whose platform cannot do
    the stored mode takes the platform's default (null)."""
    url = changes.get("url") or box.open(webhook.url_sealed)
    mode = changes.get("message_mode") or webhook.message_mode
    try:
        webhook.message_mode = message_modes.checked(platform, url, MessageMode(mode) if mode else None)
    except Invalid:
        if changes.get("message_mode") is not None:
            raise
        webhook.message_mode = None


async def _reschedule_held(session: AsyncSession, webhook: Webhook) -> None:
    """What the old quiet hours held waits for the new ones: until they end, or not at all
    when they do not cover now (turned off, say)."""
    now = utcnow()
    hours = quiet_hours.effective(webhook.quiet_hours)
    ends = quiet_until(hours, now) if hours is not None else None
    await outbox.reschedule_held(session, webhook.id, ends or now, now)


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
    """Delete the webhook and its history; refused (`Conflict`) while rules redirect to it."""
    await remove_all(session, [webhook_id])


async def remove_all(session: AsyncSession, webhook_ids: Collection[int]) -> None:
    """Delete these webhooks together (an import's prune): each refused (`Conflict`) while the
    rules of a webhook that stays redirect to it, so a target and its referrers can go at once."""
    going = [await get(session, webhook_id) for webhook_id in webhook_ids]
    for webhook in going:
        await webhook_rules.refuse_removal(session, webhook, along=webhook_ids)
    for webhook in going:
        await session.delete(webhook)
    await session.flush()
