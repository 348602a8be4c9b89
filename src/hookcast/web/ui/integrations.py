"""The integration form of one platform: create, edit, test, delete a webhook; preview messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from hookcast.clock import utcnow
from hookcast.delivery.test_message import TestAnswer, send_test_message
from hookcast.events import EventKind
from hookcast.living import DEFAULT_FLAP_WINDOW, MessageMode
from hookcast.messages.i18n import Translator, translator
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import kind_label
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import Platform, PlatformName
from hookcast.quiet_hours import Severity, Weekday
from hookcast.reminders import Recipients
from hookcast.routing import BranchFilter, LabelBehavior, PipelineFilter
from hookcast.sample_events import sample_kinds
from hookcast.services import (
    explain,
    message_modes,
    projects,
    quiet_hours,
    reminder_options,
    webhook_settings,
    webhooks,
)
from hookcast.services.errors import Conflict, ServiceError
from hookcast.services.explain import RecentEvent, TryAnswer, TryInput
from hookcast.services.webhooks import WebhookFields, WebhookInput, WebhookPatch
from hookcast.store.outbox import Backlog, backlogs, is_paused
from hookcast.store.tables import Project, Webhook
from hookcast.web.deps import RowId, RuntimeDep
from hookcast.web.ui import csrf, preview, rules, template_form
from hookcast.web.ui.common import Errors, Problem, checked, errors_of, redirect, say, text, texts
from hookcast.web.ui.deliveries import kind_name
from hookcast.web.ui.pauses import pause_text
from hookcast.web.ui.projects import status_of
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import LANGUAGE_NAMES, language_of, page
from hookcast.web.ui.triggers import trigger_options

router = APIRouter()
CsrfDep = Depends(csrf.verify)

BOOLEANS = ("active", "direct_messages", "direct_only", "mention_people")
LIVING = ("message_mode", "alert_flap_window_minutes")
QUIET_TEXTS = ("quiet_from", "quiet_until", "quiet_timezone", "quiet_break_at_severity")


def _platform(name: str) -> Platform:
    if name not in PLATFORMS:
        raise HTTPException(404, f"unknown platform {name!r}")
    return get_platform(name)


def values_of(webhook: Webhook | None, platform: Platform) -> dict[str, Any]:
    """What the form shows: a webhook's settings (never its URL or secrets), or the defaults."""
    source: Any = webhook if webhook is not None else WebhookFields(url="-")
    values: dict[str, Any] = {
        name: getattr(source, name) for name in ("name", "language", "labels_to_be_notified", *BOOLEANS)
    }
    stored = webhook_settings.plain_values(webhook.settings if webhook is not None else None)
    values.update({spec.name: stored.get(spec.name, "") for spec in platform.settings if not spec.secret})
    values["url"] = ""
    values["unsaved_secrets"] = set()
    values["triggers"] = {str(getattr(t, "value", t)) for t in source.triggers}
    values["branches_to_be_notified"] = BranchFilter(source.branches_to_be_notified).value
    values["labels_to_be_notified_behavior"] = LabelBehavior(source.labels_to_be_notified_behavior).value
    quiet = quiet_hours.shown(webhook.quiet_hours if webhook is not None else None)
    values.update(_quiet_values(quiet))
    values.update(_reminder_values(reminder_options.shown(webhook.review_reminders if webhook else None)))
    values["pipelines_to_be_notified"] = (
        webhooks.pipeline_filter_of(webhook) if webhook is not None else PipelineFilter.ALL
    ).value
    modes = _modes(webhook, platform)
    values["message_mode"] = (message_modes.effective(webhook, modes) if webhook else modes[0]).value
    flap = message_modes.flap_window(webhook) if webhook else DEFAULT_FLAP_WINDOW
    values["alert_flap_window_minutes"] = str(round(flap.total_seconds() / 60))
    values["rules"] = rules.rules_text(webhook.rules if webhook is not None else None)
    return values


def _modes(webhook: Webhook | None, platform: Platform) -> tuple[MessageMode, ...]:
    """The modes the form offers: the webhook's platform's for its URL (for a new one, for the
    platform's example URL)."""
    return (
        message_modes.offered(webhook) if webhook else message_modes.modes_of(platform, platform.example_url)
    )


def _quiet_values(quiet: dict[str, Any]) -> dict[str, Any]:
    """Quiet hours as the form shows them (plain strings, the days a set)."""
    return {
        **{name: str(getattr(quiet[name], "value", quiet[name])) for name in QUIET_TEXTS},
        "quiet_days": {str(getattr(d, "value", d)) for d in quiet["quiet_days"]},
        "quiet_break_on_failures": bool(quiet["quiet_break_on_failures"]),
    }


def _quiet_input(form: FormData) -> dict[str, Any]:
    """Quiet hours from the form: texts, the ticked days (none ticked clears them), the box. A
    form without the quiet hours fieldset (no time zone field) leaves them as they are."""
    if "quiet_timezone" not in form:
        return {}
    return {
        **{
            name: text(form, name)
            for name in QUIET_TEXTS
            if text(form, name) or name != "quiet_break_at_severity"
        },
        "quiet_days": sorted(set(texts(form, "quiet_days"))),
        "quiet_break_on_failures": checked(form, "quiet_break_on_failures"),
    }


REMINDER_TEXTS = ("reminder_time", "reminder_timezone", "reminder_to")


def _reminder_values(shown: dict[str, Any]) -> dict[str, Any]:
    """Review reminders as the form shows them (plain strings, the days a set)."""
    return {
        **{name: str(getattr(shown[name], "value", shown[name])) for name in REMINDER_TEXTS},
        "reminder_days": {str(getattr(d, "value", d)) for d in shown["reminder_days"]},
        "reminder_drafts": bool(shown["reminder_drafts"]),
    }


def _reminder_input(form: FormData) -> dict[str, Any]:
    """Review reminders from the form; a form without their fieldset (no time zone field)
    leaves them as they are."""
    if "reminder_timezone" not in form:
        return {}
    return {
        **{name: text(form, name) for name in REMINDER_TEXTS if text(form, name) or name != "reminder_to"},
        "reminder_days": sorted(set(texts(form, "reminder_days"))),
        "reminder_drafts": checked(form, "reminder_drafts"),
    }


def values_from(form: FormData, platform: Platform) -> dict[str, Any]:
    """What the user entered, to show again after a failed save. Secrets are not sent back to the
    browser: ``unsaved_secrets`` names the ones that were entered, so the form can say so."""
    values: dict[str, Any] = {name: checked(form, name) for name in BOOLEANS}
    for name in ("name", "language", "labels_to_be_notified", "url"):
        values[name] = text(form, name)
    values.update({spec.name: text(form, spec.name) for spec in platform.settings if not spec.secret})
    values["unsaved_secrets"] = {
        spec.name for spec in platform.settings if spec.secret and text(form, spec.name)
    }
    values["triggers"] = set(texts(form, "triggers"))
    values["branches_to_be_notified"] = text(form, "branches_to_be_notified")
    values["labels_to_be_notified_behavior"] = text(form, "labels_to_be_notified_behavior")
    values.update(_quiet_values(quiet_hours.shown(None) | _quiet_input(form)))
    values.update(_reminder_values(reminder_options.shown(None) | _reminder_input(form)))
    values["pipelines_to_be_notified"] = text(form, "pipelines_to_be_notified")
    values["message_mode"] = text(form, "message_mode")
    values["alert_flap_window_minutes"] = text(form, "alert_flap_window_minutes")
    values.update(template_form.values_from(form))
    values["rules"] = text(form, "rules")
    values["try_on"] = text(form, "try_on")
    return values


def _options_input(form: FormData) -> dict[str, Any]:
    """The webhook options both create and update take from the form (not the platform's settings)."""
    fields: dict[str, Any] = {name: checked(form, name) for name in BOOLEANS}
    for name in ("name", "language", "labels_to_be_notified", "branches_to_be_notified"):
        fields[name] = text(form, name)
    fields["pipelines_to_be_notified"] = text(form, "pipelines_to_be_notified") or None  # None: as it was
    fields["labels_to_be_notified_behavior"] = text(form, "labels_to_be_notified_behavior")
    fields["triggers"] = sorted(set(texts(form, "triggers")))
    fields.update(_quiet_input(form))
    fields.update(_reminder_input(form))
    for name in LIVING:  # absent or empty: as it was (the platform's default for a new one)
        fields[name] = text(form, name) or None
    if (given := rules.rules_from(form)) is not None:
        fields["rules"] = given
    return fields


def _settings_input(form: FormData, platform: Platform) -> dict[str, str]:
    """The platform's settings as changes: a plain field's value (empty removes it); a secret
    field only when something was entered, or ``""`` when its "remove" box is ticked."""
    changes: dict[str, str] = {}
    for spec in platform.settings:
        if not spec.secret:
            changes[spec.name] = text(form, spec.name)
        elif checked(form, f"clear_{spec.name}"):
            changes[spec.name] = ""
        elif text(form, spec.name):
            changes[spec.name] = text(form, spec.name)
    return changes


async def _form_page(
    request: Request,
    project: Project,
    platform: Platform,
    webhook: Webhook | None,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    test_answer: TestAnswer | None = None,
    notice: str | None = None,
    backlog: Backlog | None = None,
    recent: Sequence[RecentEvent] = (),
    try_answer: TryAnswer | None = None,
    refused: ServiceError | None = None,
    status_code: int = 200,
) -> Response:
    """``backlog``: the webhook's waiting and set-aside deliveries, when read; ``recent``: the
    project's recent events the rules can be tried on; ``try_answer``: what trying them said;
    ``refused``: an action that was refused (a delete, 409), said at the top."""
    language = language_of(request)
    t = translator(language)
    main, more = trigger_options(language)
    query = request.query_params
    shown = values if values is not None else values_of(webhook, platform)
    if values is None:  # the template section edits the kind the page was asked for
        edited = template_form.chosen_kind(query.get("template_kind") or query.get("preview"))
        shown.update(template_form.values(webhook.templates if webhook is not None else None, edited))
    errors = _placed(errors or {}, platform)
    now = utcnow()
    kind = preview.choose_kind(query.get("preview") or str(shown["template_kind"]))
    saved = (webhook.templates or {}) if webhook is not None else {}
    # The preview shows the template being edited (as entered, after a refused save) for its kind,
    # the saved one for another kind.
    template = shown["template_spec"] if kind.value == shown["template_kind"] else saved.get(kind.value)
    preview_language = str(shown["language"]) if shown.get("language") in LANGUAGES else language
    context: dict[str, Any] = {
        "project": project,
        "platform": platform,
        "webhook": webhook,
        "state": status_of(webhook, now) if webhook else None,
        "pause": pause_text(webhook, now, t) if webhook is not None and is_paused(webhook, now) else None,
        "backlog": backlog,
        "values": shown,
        "errors": errors,
        "settings_specs": [
            {
                "name": spec.name,
                "label": t.gettext(spec.label),
                "help": t.gettext(spec.help),
                "secret": spec.secret,
                "required": spec.required,
                "max_length": spec.max_length,
                "is_set": webhook is not None and webhook_settings.is_set(webhook.settings, spec.name),
            }
            for spec in platform.settings
        ],
        "main_triggers": main,
        "more_triggers": more,
        "more_open": any(option.value in shown["triggers"] for option in more),
        "language_names": [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES],
        "branch_filters": [b.value for b in BranchFilter],
        "label_behaviors": [b.value for b in LabelBehavior],
        "weekdays": [d.value for d in Weekday],
        "severities": [s.value for s in Severity],
        "reminder_recipients": [r.value for r in Recipients],
        "pipeline_filters": [p.value for p in PipelineFilter],
        "message_modes": [m.value for m in _modes(webhook, platform)],
        "test_answer": test_answer,
        "try_answer": try_answer,
        "kind_label_of": lambda kind: kind_name(kind, language),
        "try_choices": rules.try_choices(language, recent),
        "exclude_bots_rule": rules.EXCLUDE_BOTS_RULE,
        "notice": notice,
        "refused": _said(refused, t),
        "try_problem": _said(try_answer.refusal() if try_answer is not None else None, t),
        "preview_kinds": [(k.value, kind_label(k, language)) for k in sample_kinds()],
        "preview": preview.build(
            platform.name.value,
            preview_language,
            kind,
            {spec.name: str(shown.get(spec.name) or "") for spec in platform.settings if not spec.secret},
            # the mode the page was asked to preview (the form's select asks), else the form's
            str(query.get("message_mode") or shown.get("message_mode") or ""),
            template=template or None,
        ),
        "template_kinds": [(k, kind_label(EventKind(k), language)) for k in template_form.kinds()],
    }
    return page(request, "integration.html", context, status_code=status_code)


def _said(error: ServiceError | None, t: Translator) -> str | None:
    """An error's message in the reader's language (none for none)."""
    return say(Problem(error.msgid, dict(error.params)), t) if error is not None else None


FORM_FIELDS = frozenset(
    {"active", "language", "triggers", "url", "branches_to_be_notified", "labels_to_be_notified"}
    | {"labels_to_be_notified_behavior", "name", "mention_people", "direct_messages", "direct_only"}
    | set(quiet_hours.FIELDS)
    | set(reminder_options.FIELDS)
    | {"pipelines_to_be_notified", "rules", *LIVING, "templates"}
)


def _placed(errors: Errors, platform: Platform) -> Errors:
    """Errors of fields the form does not show go to the top of the form, not to nowhere."""
    fields = FORM_FIELDS | {spec.name for spec in platform.settings}
    placed: Errors = {}
    for name, message in errors.items():
        placed.setdefault(name if name in fields else "", message)
    return placed


@router.get("/ui/projects/{project_id}/integrations/{platform_name}", response_class=HTMLResponse)
async def integration_new(
    project_id: RowId, platform_name: str, request: Request, session: DbDep, _user: UserDep
) -> Response:
    project = await projects.get(session, project_id)
    return await _form_page(request, project, _platform(platform_name), None)


@router.post("/ui/projects/{project_id}/integrations/{platform_name}", dependencies=[CsrfDep])
async def integration_create(
    project_id: RowId,
    platform_name: str,
    request: Request,
    session: DbDep,
    runtime: RuntimeDep,
    _user: UserDep,
) -> Response:
    await projects.get(session, project_id)  # an unknown project is a 404 before anything else
    platform = _platform(platform_name)
    form = await request.form()
    if rules.ADD_EXCLUDE_BOTS in form:  # without JavaScript: the rule added, nothing saved yet
        project = await projects.get(session, project_id)
        return await _form_page(request, project, platform, None, values=_with_bots_rule(form, platform))
    try:
        data = WebhookInput(
            platform=PlatformName(platform.name),
            url=text(form, "url"),
            settings={name: value for name, value in _settings_input(form, platform).items() if value},
            templates={kind: spec for kind, spec in template_form.changes_from(form).items() if spec},
            **_options_input(form),
        )
        webhook = await webhooks.create(
            session,
            project_id,
            data,
            box=runtime.box,
            extra_hosts=runtime.settings.extra_allowed_hosts,
            public_url=runtime.settings.public_url,
        )
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        return await _refused(request, await projects.get(session, project_id), platform, None, form, exc)
    return redirect(template_form.saved_page(webhook.id, text(form, "template_kind")))


def _with_bots_rule(form: FormData, platform: Platform) -> dict[str, Any]:
    values = values_from(form, platform)
    values["rules"] = rules.with_exclude_bots(str(values["rules"]))
    return values


async def _refused(
    request: Request,
    project: Project,
    platform: Platform,
    webhook: Webhook | None,
    form: FormData,
    exc: ValidationError | ServiceError,
) -> Response:
    """The form again, as it was entered (secrets excepted), with what was wrong."""
    values = values_from(form, platform)
    return await _form_page(
        request, project, platform, webhook, values=values, errors=errors_of(exc), status_code=422
    )


async def _load(session: DbDep, webhook_id: int) -> tuple[Webhook, Project, Platform]:
    webhook = await webhooks.get(session, webhook_id)
    project = await projects.get(session, webhook.project_id)
    return webhook, project, get_platform(webhook.platform)


@router.get("/ui/webhooks/{webhook_id}", response_class=HTMLResponse)
async def integration_edit(webhook_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    webhook, project, platform = await _load(session, webhook_id)
    notice = "saved" if request.query_params.get("saved") else None
    backlog = (await backlogs(session, [webhook.id])).get(webhook.id, Backlog())
    recent = await explain.recent_events(session, project.id)
    return await _form_page(
        request, project, platform, webhook, notice=notice, backlog=backlog, recent=recent
    )


@router.post("/ui/webhooks/{webhook_id}", dependencies=[CsrfDep])
async def integration_update(
    webhook_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    webhook, project, platform = await _load(session, webhook_id)
    form = await request.form()
    if rules.ADD_EXCLUDE_BOTS in form:  # without JavaScript: the rule added, nothing saved yet
        recent = await explain.recent_events(session, project.id)
        values = _with_bots_rule(form, platform)
        return await _form_page(request, project, platform, webhook, values=values, recent=recent)
    try:
        changes = _options_input(form)
        changes["settings"] = _settings_input(form, platform)
        changes["templates"] = template_form.changes_from(form, webhook.templates) or None
        if text(form, "url"):
            changes["url"] = text(form, "url")
        await webhooks.update(
            session,
            webhook_id,
            WebhookPatch(**changes),
            box=runtime.box,
            extra_hosts=runtime.settings.extra_allowed_hosts,
            public_url=runtime.settings.public_url,
        )
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        webhook, project, platform = await _load(session, webhook_id)
        return await _refused(request, project, platform, webhook, form, exc)
    runtime.wake_worker()
    return redirect(template_form.saved_page(webhook_id, text(form, "template_kind")))


@router.post("/ui/webhooks/{webhook_id}/test", dependencies=[CsrfDep])
async def integration_test(
    webhook_id: RowId, request: Request, session: DbDep, runtime: RuntimeDep, _user: UserDep
) -> Response:
    """Send a test message with the saved settings and show the platform's answer."""
    await session.commit()  # hand the connection back before going out to the platform
    answer = await send_test_message(runtime, webhook_id)
    webhook, project, platform = await _load(session, webhook_id)
    return await _form_page(request, project, platform, webhook, test_answer=answer)


@router.post("/ui/webhooks/{webhook_id}/rules/try", dependencies=[CsrfDep])
async def integration_try_rules(
    webhook_id: RowId, request: Request, session: DbDep, _user: UserDep
) -> Response:
    """Run the form's (unsaved) rules on the chosen sample or recent event; the form comes back as
    it was entered, with the outcome next to the rules (or what is wrong with them)."""
    webhook, project, platform = await _load(session, webhook_id)
    form = await request.form()
    values = values_from(form, platform)
    recent = await explain.recent_events(session, project.id)
    try:
        trial = TryInput(rules=rules.rules_from(form) or [], **rules.try_target(form))
        event = await rules.trial_event(session, project.id, trial)
        answer = await explain.try_rules(session, webhook, trial.rules, event)
    except (ValidationError, ServiceError) as exc:
        errors = errors_of(exc)
        return await _form_page(
            request, project, platform, webhook, values=values, errors=errors, recent=recent, status_code=422
        )
    return await _form_page(
        request, project, platform, webhook, values=values, recent=recent, try_answer=answer
    )


@router.post("/ui/webhooks/{webhook_id}/delete", dependencies=[CsrfDep])
async def integration_delete(webhook_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    """Delete the integration; refused while rules redirect to it: its page says which (409)."""
    webhook = await webhooks.get(session, webhook_id)
    project_id = webhook.project_id
    try:
        await webhooks.remove(session, webhook_id)
    except Conflict as refused:
        await session.rollback()
        webhook, project, platform = await _load(session, webhook_id)
        recent = await explain.recent_events(session, project.id)
        return await _form_page(
            request, project, platform, webhook, recent=recent, refused=refused, status_code=409
        )
    await session.commit()
    return redirect(f"/ui/projects/{project_id}")
