"""The ``webhooks`` section: a project's webhooks, matched by name.

An entry has every field of the webhook API model (`webhooks.WebhookInput`), taken from it, so a
field added there (rules, templates) is in the document with its type and help, exported and
applied with no change here; what differs is said once below:

- ``url`` and the platform's secret settings (`FieldSpec.secret`) are never written in clear:
  an export leaves them out (``url: null``, with ``url_redacted`` for the reader) or, sealed,
  puts them under ``sealed`` with the instance's `SecretBox`, which only the same instance (the
  same keys) opens. On import a missing URL or secret keeps the existing webhook's; a new webhook
  without a URL is refused. A value given in clear (a hand-written document) is taken.
- ``notify_only_broken_pipelines`` is GitLab's older name for ``pipelines_to_be_notified``: left out.
- ``message_mode`` and ``alert_flap_window_minutes`` are exported as stored (null: the platform's
  default), not as the API shows them in effect, so a default stays a default.
- A redirect rule's ``to`` is written as the target webhook's name, since ids differ from one
  instance to another (the service resolves a name within the project on save). A rule whose
  target was removed since cannot be written so: the export is refused, naming the rule. The
  rules (`SECOND_PASS`) are applied once every webhook of the section exists, so a redirect may
  name a webhook that comes later in the document, or is new.

A field left out of an entry means its default, as when the webhook is created: an import makes
each webhook what its entry says. A webhook of the instance that the section does not name is
kept, or removed with ``prune``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, cast

from pydantic import ConfigDict, Field, ValidationError, create_model

from hookcast.crypto import SecretBox, token_digest
from hookcast.platforms import get_platform
from hookcast.platforms.base import Platform, PlatformName
from hookcast.rules import stored_rules
from hookcast.services import webhook_settings, webhooks
from hookcast.services.config_document.sections import (
    Context,
    Shown,
    Snapshot,
    Untouched,
    at,
    refused,
)
from hookcast.services.errors import Invalid, ServiceError
from hookcast.services.text_input import TextInput
from hookcast.services.webhooks import WebhookInput, WebhookPatch
from hookcast.store.tables import Project, Webhook

# Fields of WebhookInput the entry declares itself (below), or leaves out (a compatibility name).
OWN_FIELDS = frozenset({"name", "platform", "url", "settings"})
LEFT_OUT = frozenset({"notify_only_broken_pipelines"})
# Fields applied after every webhook of the section exists (they may name another one).
SECOND_PASS = frozenset({"rules"})
# Fields whose stored value differs from what the API shows (the value in effect).
STORED: Mapping[str, Callable[[Webhook], Any]] = {
    "message_mode": lambda hook: hook.message_mode,
    "alert_flap_window_minutes": lambda hook: hook.alert_flap_window_minutes,
}
SECRET_SETTINGS_HELP = (
    "Settings in clear by name (plain ones; an export never writes a secret one here, a "
    "hand-written one is taken). A plain setting left out is removed; a secret one left out is kept."
)


class SealedSecrets(TextInput):
    """The webhook's secrets sealed with the exporting instance's keys (``export --sealed``)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, description="The URL, sealed.")
    settings: dict[str, str] = Field(default_factory=dict, description="Secret settings, sealed, by name.")


class WebhookEntryBase(TextInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(
        min_length=1,
        max_length=200,
        description="Webhooks are matched by name within the project: unique in the document.",
    )
    platform: PlatformName
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="The URL in clear (never exported). Null: sealed.url, else the existing webhook's.",
    )
    url_redacted: str | None = Field(
        default=None, description="The URL with its secret parts hidden, for the reader; not imported."
    )
    settings: dict[str, str] = Field(default_factory=dict, description=SECRET_SETTINGS_HELP)
    sealed: SealedSecrets | None = Field(default=None, description="Secrets sealed for this instance only.")


def _entry_model() -> type[WebhookEntryBase]:
    taken = {
        name: (info.annotation, info)
        for name, info in WebhookInput.model_fields.items()
        if name not in OWN_FIELDS | LEFT_OUT
    }
    model = create_model("WebhookEntry", __base__=WebhookEntryBase, **taken)  # type: ignore[call-overload]
    return cast("type[WebhookEntryBase]", model)


WebhookEntry = _entry_model()
TAKEN_FIELDS = tuple(name for name in WebhookEntry.model_fields if name not in WebhookEntryBase.model_fields)


class WebhooksSection:
    key = "webhooks"
    noun = "webhook"
    annotation = list[WebhookEntry]  # type: ignore[valid-type]
    description = "The project's webhooks, matched by name; left out: the webhooks stay as they are."

    async def export(self, ctx: Context, project: Project, *, sealed: bool) -> list[dict[str, Any]]:
        hooks = await webhooks.list_for_project(ctx.session, project.id)
        unnamed = [str(hook.id) for hook in hooks if not hook.name.strip()]
        if unnamed:
            raise Invalid(
                "webhooks are matched by name: give webhook {ids} a name before exporting",
                field="webhooks",
                ids=", ".join(unnamed),
            )
        _refuse_twins(hooks)
        _refuse_dangling(hooks)
        names = _names(hooks)
        return [exported(hook, ctx.box, names, sealed=sealed) for hook in hooks]

    async def snapshot(self, ctx: Context, project: Project) -> Snapshot:
        hooks = await webhooks.list_for_project(ctx.session, project.id)
        names = _names(hooks)
        return {_label(hook, hooks): _shown(hook, ctx.box, names) for hook in hooks}

    async def apply(self, ctx: Context, project: Project, value: Any, *, prune: bool) -> list[Untouched]:
        entries: Sequence[WebhookEntryBase] = value
        hooks = await webhooks.list_for_project(ctx.session, project.id)
        named = {entry.name for entry in entries}
        _refuse_twins([hook for hook in hooks if hook.name in named])
        by_name = {hook.name: hook for hook in hooks}
        settings = frozenset(webhook_settings.declared())
        for index, entry in enumerate(entries):
            current = by_name.get(entry.name)
            async with _at(f"webhooks[{index}]", settings):
                if current is None:
                    await _create(ctx, project, entry)
                else:
                    await _update(ctx, current, entry, _names(hooks))
        present = await webhooks.list_for_project(ctx.session, project.id)  # the new ones too
        names = _names(present)
        by_name = {hook.name: hook for hook in present if hook.name in named}
        for index, entry in enumerate(entries):
            async with _at(f"webhooks[{index}]", settings):
                await _second_pass(ctx, by_name[entry.name], entry, names)
        # Pruned last, once the document's rules are in place: a webhook they no longer redirect
        # to can go (with the pruned ones that do), one they still redirect to is refused like
        # any removal.
        left_out = [hook for hook in hooks if hook.name not in named]
        if prune:
            async with _at("webhooks", settings):
                await webhooks.remove_all(ctx.session, [hook.id for hook in left_out])
            return []
        return [Untouched(_label(hook, hooks)) for hook in left_out]


@contextlib.asynccontextmanager
async def _at(path: str, settings: frozenset[str]) -> AsyncIterator[None]:
    """Errors of applying the entry at ``path``, named by their path in the document."""
    try:
        yield
    except ServiceError as error:
        raise at(path, error, settings=settings) from error
    except ValidationError as error:  # what the API models refuse of what the entry gave
        raise refused(path, error) from error


def _names(hooks: Sequence[Webhook]) -> dict[int, str]:
    return {hook.id: hook.name for hook in hooks}


def _label(hook: Webhook, hooks: Sequence[Webhook]) -> str:
    """The webhook's name, with its id when it has none or shares it (no document names it)."""
    shared = not hook.name or sum(other.name == hook.name for other in hooks) > 1
    return f"{hook.name}#{hook.id}" if shared else hook.name


def exported(hook: Webhook, box: SecretBox, names: Mapping[int, str], *, sealed: bool) -> dict[str, Any]:
    """The webhook's entry: every field, its secrets left out or sealed, its redirects' targets
    by name (``names``: the project's webhooks by id; a removed target stays an id)."""
    shown = webhooks.view(hook).model_dump(mode="json")
    for rule in shown["rules"]:
        if rule["to"] is not None:
            rule["to"] = names.get(rule["to"], rule["to"])
    entry: dict[str, Any] = {
        "name": hook.name,
        "platform": hook.platform,
        "url": None,
        "url_redacted": hook.url_redacted,
        "settings": webhook_settings.plain_values(hook.settings),
    }
    for name in TAKEN_FIELDS:
        entry[name] = STORED[name](hook) if name in STORED else shown[name]
    if sealed:
        secrets = webhook_settings.sealed_values(hook.settings)
        entry["sealed"] = {
            "url": box.seal(box.open(hook.url_sealed)),
            "settings": {name: box.seal(box.open(token)) for name, token in sorted(secrets.items())},
        }
    return entry


def _refuse_dangling(hooks: Sequence[Webhook]) -> None:
    """A redirect to a webhook removed since (outside hookcast: removing one is refused while rules
    redirect to it; intake has the rule's own webhook send what it redirects, see docs/rules.md)
    has no name to be written with: refused rather than exported as an id that means another
    webhook, or none, elsewhere."""
    ids = set(_names(hooks))
    for hook in hooks:
        for index, rule in enumerate(stored_rules(hook.rules)):
            if isinstance(rule.to, int) and rule.to not in ids:
                raise Invalid(
                    "webhook {name!r}: rules[{index}] redirects to webhook {to}, which was removed: "
                    "remove the rule or give it another target before exporting",
                    field="webhooks",
                    name=hook.name,
                    index=index,
                    to=rule.to,
                )


def _refuse_twins(hooks: Sequence[Webhook]) -> None:
    seen: dict[str, int] = {}
    for hook in hooks:
        if hook.name in seen:
            raise Invalid(
                "webhooks {first} and {second} are both named {name!r}: webhooks are matched by "
                "name, so rename one first",
                field="webhooks",
                first=seen[hook.name],
                second=hook.id,
                name=hook.name,
            )
        seen[hook.name] = hook.id


def _shown(hook: Webhook, box: SecretBox, names: Mapping[int, str]) -> dict[str, Shown]:
    """What a diff compares of the webhook: every exported field; the URL by its digest, shown
    redacted; secret settings by their digest, shown as "set"."""
    entry = exported(hook, box, names, sealed=False)
    fields = {
        name: Shown(json.dumps(value, ensure_ascii=False))
        for name, value in entry.items()
        if name not in ("url", "url_redacted", "settings", "sealed")
    }
    fields["url"] = Shown(hook.url_redacted, hook.url_digest)
    for name, value in sorted(webhook_settings.plain_values(hook.settings).items()):
        fields[f"settings.{name}"] = Shown(json.dumps(value, ensure_ascii=False))
    for name, token in sorted(webhook_settings.sealed_values(hook.settings).items()):
        fields[f"settings.{name}"] = Shown(webhook_settings.SET, token_digest(box.open(token)))
    return fields


def _opened(box: SecretBox, token: str, what: str, name: str) -> str:
    try:
        return box.open(token)
    except ValueError as error:
        raise Invalid(
            "webhook {name!r}: its sealed {what} does not open with this instance's keys (it was "
            "exported from another instance, or before its keys were retired): export it again "
            "here, or give it in clear",
            field=f"sealed.{what}",
            name=name,
            what=what,
        ) from error


def _secrets(ctx: Context, entry: WebhookEntryBase) -> tuple[str | None, dict[str, str]]:
    """The URL and the settings the entry gives, sealed ones opened."""
    url = entry.url
    given = {name: value.strip() for name, value in entry.settings.items()}
    if entry.sealed is not None:
        if entry.sealed.url is not None:
            if url is not None:
                raise Invalid("give url or sealed.url, not both", field="url")
            url = _opened(ctx.box, entry.sealed.url, "url", entry.name)
        for name, token in entry.sealed.settings.items():
            given[name] = _opened(ctx.box, token, f"settings.{name}", entry.name).strip()
    return url, given


def _fields(entry: WebhookEntryBase) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in TAKEN_FIELDS if name not in SECOND_PASS}


async def _create(ctx: Context, project: Project, entry: WebhookEntryBase) -> None:
    url, given = _secrets(ctx, entry)
    if url is None:
        raise Invalid(
            "webhook {name!r} is new here and the document has no URL for it (exported without "
            "--sealed): give its url, or export it with --sealed from this instance",
            field="url",
            name=entry.name,
        )
    data = WebhookInput(
        name=entry.name,
        platform=entry.platform,
        url=url,
        settings={name: value for name, value in given.items() if value},
        **_fields(entry),
    )
    await webhooks.create(
        ctx.session, project.id, data, box=ctx.box, extra_hosts=ctx.extra_hosts, public_url=ctx.public_url
    )


async def _update(ctx: Context, hook: Webhook, entry: WebhookEntryBase, names: Mapping[int, str]) -> None:
    """Send the service only what differs, so an unchanged webhook is not touched (nor resumed)."""
    if entry.platform.value != hook.platform:
        raise Invalid(
            "webhook {name!r} is a {current} webhook here: a webhook's platform cannot change "
            "(rename the entry to add a new one, and remove the old one with --prune)",
            field="platform",
            name=entry.name,
            current=hook.platform,
        )
    url, given = _secrets(ctx, entry)
    changes = _differing(ctx, hook, entry, names, frozenset(TAKEN_FIELDS) - SECOND_PASS)
    if url is not None and token_digest(url) != hook.url_digest:
        changes["url"] = url
    settings = _setting_changes(
        get_platform(hook.platform), webhook_settings.opened(hook.settings, ctx.box), given
    )
    if settings:
        changes["settings"] = settings
    await _patch(ctx, hook, changes)


async def _second_pass(
    ctx: Context, hook: Webhook, entry: WebhookEntryBase, names: Mapping[int, str]
) -> None:
    """The fields that may name other webhooks (`SECOND_PASS`), when they differ."""
    await _patch(ctx, hook, _differing(ctx, hook, entry, names, SECOND_PASS))


def _differing(
    ctx: Context, hook: Webhook, entry: WebhookEntryBase, names: Mapping[int, str], fields: frozenset[str]
) -> dict[str, Any]:
    """Those of ``fields`` whose value in the entry is not the webhook's, as the entry gives them."""
    current = exported(hook, ctx.box, names, sealed=False)
    wanted = entry.model_dump(mode="json", include=set(fields))
    return {name: value for name, value in wanted.items() if value != current[name]}


async def _patch(ctx: Context, hook: Webhook, changes: dict[str, Any]) -> None:
    """Only what differs goes to the service, so an unchanged webhook is not touched (nor resumed)."""
    if not changes:
        return
    await webhooks.update(
        ctx.session,
        hook.id,
        WebhookPatch(**changes),
        box=ctx.box,
        extra_hosts=ctx.extra_hosts,
        public_url=ctx.public_url,
    )


def _setting_changes(
    platform: Platform, current: Mapping[str, str], given: Mapping[str, str]
) -> dict[str, str]:
    """Settings to change: a given value that differs, a plain one not given (removed), and any
    name the platform does not declare (for the service to refuse). A secret left out stays."""
    declared = {spec.name: spec for spec in platform.settings}
    changes = {name: value for name, value in given.items() if name not in declared}
    for name, spec in declared.items():
        if name in given:
            if given[name] != current.get(name, ""):
                changes[name] = given[name]
        elif not spec.secret and name in current:
            changes[name] = ""
    return changes
