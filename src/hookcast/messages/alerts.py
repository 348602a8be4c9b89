"""Alerts from GitLab alert integrations and Prometheus Alertmanager."""

from __future__ import annotations

from collections.abc import Sequence

from hookcast.events import Event
from hookcast.messages.common import (
    compose,
    description_lines,
    first_line,
    item_lines,
    labels_field,
    project_segment,
    sentence,
    severity_name,
    status_name,
    text_field,
)
from hookcast.messages.i18n import Translator
from hookcast.messages.model import Link, Mention, Message

_RESOLVED = frozenset({"resolved", "resolve", "recovered", "ok"})
_ACKNOWLEDGED = frozenset({"acknowledged", "acknowledge"})
_IGNORED = frozenset({"ignored", "ignore"})


def alert_state(event: Event) -> str:
    """``firing``, ``resolved``, ``acknowledged`` or ``ignored``."""
    word = (event.detail("status") or event.action or "").strip().lower()
    if word in _RESOLVED:
        return "resolved"
    if word in _ACKNOWLEDGED:
        return "acknowledged"
    if word in _IGNORED:
        return "ignored"
    return "firing"


def alert_count(event: Event) -> int:
    """How many alerts the title speaks of: those in the event's state when the source counts them."""
    counted = event.detail("resolved" if alert_state(event) == "resolved" else "firing")
    if counted and counted.isdigit() and int(counted) > 0:
        return int(counted)
    return max(event.total_items, len(event.items), 1)


def alert_name(event: Event) -> str:
    return first_line(event.title) or event.detail("alertname") or ""


def alert_title(event: Event, t: Translator) -> str:
    state = alert_state(event)
    name = alert_name(event)
    count = alert_count(event)
    if state == "resolved":
        if count > 1:
            return t.nformat("{n} alert resolved: {title}", "{n} alerts resolved: {title}", count, title=name)
        return t.format("Alert resolved: {title}", title=name)
    if state == "acknowledged":
        return t.format("Alert acknowledged: {title}", title=name)
    if state == "ignored":
        return t.format("Alert ignored: {title}", title=name)
    if count > 1:
        return t.nformat("{n} alert firing: {title}", "{n} alerts firing: {title}", count, title=name)
    return t.format("Alert firing: {title}", title=name)


def render_alert(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    project_line = (
        sentence(t, "In {project}", project=project_segment(event))
        if event.project.name or event.project.path_with_namespace
        else ()
    )
    runbook = event.detail("runbook_url")
    lines = [
        project_line,
        *description_lines(event.description),
        *item_lines(event, t),
        (Link(t.gettext("Runbook"), runbook),) if runbook else (),
    ]
    fields = [
        text_field(t.gettext("Status"), status_name(alert_state(event), t)),
        text_field(t.gettext("Severity"), severity_name(event.detail("severity"), t)),
        text_field(t.gettext("Started at"), event.detail("started_at")),
        text_field(t.gettext("Receiver"), event.detail("receiver")),
        text_field(t.gettext("Group"), event.detail("group_labels"), short=False),
        labels_field(event, t),
    ]
    return compose(event, t, title=alert_title(event, t), lines=lines, fields=fields, mentions=mentions)
