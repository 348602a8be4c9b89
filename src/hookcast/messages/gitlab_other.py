"""Wiki pages, vulnerabilities, feature flags, emoji reactions, milestones, members, projects,
subgroups and access tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from hookcast.events import Event
from hookcast.messages.common import (
    actor_name,
    canonical_action,
    compose,
    description_lines,
    first_line,
    link_or_text,
    object_segment,
    project_segment,
    sentence,
    severity_name,
    status_name,
    text_field,
)
from hookcast.messages.i18n import N_, Translator
from hookcast.messages.model import Link, Mention, Message

_WIKI_TITLES: Mapping[str, str] = {
    "created": N_("{actor} created wiki page {page}"),
    "updated": N_("{actor} updated wiki page {page}"),
    "deleted": N_("{actor} deleted wiki page {page}"),
}

_VULNERABILITY_TITLES: Mapping[str, str] = {
    "detected": N_("Vulnerability detected: {title}"),
    "confirmed": N_("Vulnerability confirmed: {title}"),
    "resolved": N_("Vulnerability resolved: {title}"),
    "dismissed": N_("Vulnerability dismissed: {title}"),
}

_REPORT_TYPES: Mapping[str, str] = {
    "sast": N_("SAST"),
    "dast": N_("DAST"),
    "dependency_scanning": N_("Dependency scanning"),
    "container_scanning": N_("Container scanning"),
    "secret_detection": N_("Secret detection"),
    "coverage_fuzzing": N_("Coverage fuzzing"),
    "api_fuzzing": N_("API fuzzing"),
    "cluster_image_scanning": N_("Cluster image scanning"),
}

_MILESTONE_TITLES: Mapping[str, str] = {
    "created": N_("Milestone {milestone} was created"),
    "closed": N_("Milestone {milestone} was closed"),
    "reopened": N_("Milestone {milestone} was reopened"),
    "updated": N_("Milestone {milestone} was updated"),
    "deleted": N_("Milestone {milestone} was deleted"),
}

_PROJECT_TITLES: Mapping[str, str] = {
    "created": N_("Project {project} was created"),
    "deleted": N_("Project {project} was deleted"),
    "renamed": N_("Project {project} was renamed"),
    "transferred": N_("Project {project} was transferred"),
    "updated": N_("Project {project} was updated"),
}

_SUBGROUP_TITLES: Mapping[str, str] = {
    "created": N_("Subgroup {group} was created"),
    "deleted": N_("Subgroup {group} was deleted"),
}

_AWARDABLE_NOUNS: Mapping[str, str] = {
    "issue": N_("issue"),
    "mergerequest": N_("merge request"),
    "note": N_("comment"),
    "snippet": N_("snippet"),
    "commit": N_("commit"),
}


def _action_from_event_name(action: str) -> str:
    """``project_create`` / ``subgroup_destroy`` / ``project_rename`` -> ``created`` / ``deleted`` / ..."""
    word = action.lower().rsplit("_", 1)[-1]
    return {"rename": "renamed", "transfer": "transferred"}.get(word, canonical_action(word))


# --- wiki -------------------------------------------------------------------------------------


def wiki_title(event: Event, t: Translator) -> str:
    action = canonical_action(event.action or "updated")
    page = first_line(event.title) or event.detail("slug") or ""
    template = _WIKI_TITLES.get(action, _WIKI_TITLES["updated"])
    return t.format(template, actor=actor_name(event, t), page=page)


def render_wiki_page(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    page = first_line(event.title) or event.detail("slug") or ""
    diff_url = event.detail("diff_url")
    lines = [
        sentence(
            t,
            "Wiki page {page} in {project}",
            page=object_segment(event, page),
            project=project_segment(event),
        ),
        *description_lines(event.detail("message") or event.description),
        (Link(t.gettext("View changes"), diff_url),) if diff_url else (),
    ]
    fields = [text_field(t.gettext("Author"), actor_name(event, t))]
    return compose(event, t, title=wiki_title(event, t), lines=lines, fields=fields, mentions=mentions)


# --- vulnerabilities ------------------------------------------------------------------------


def vulnerability_state(event: Event) -> str:
    state = canonical_action(event.detail("state") or event.action or "detected")
    return state if state in _VULNERABILITY_TITLES else "detected"


def report_type_name(event: Event, t: Translator) -> str:
    report_type = event.detail("report_type")
    if not report_type:
        return ""
    known = _REPORT_TYPES.get(report_type.lower())
    return t.gettext(known) if known else report_type.replace("_", " ")


def render_vulnerability(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    title = t.format(_VULNERABILITY_TITLES[vulnerability_state(event)], title=first_line(event.title))
    lines = [
        sentence(
            t,
            "{vulnerability} in {project}",
            vulnerability=object_segment(event, first_line(event.title)),
            project=project_segment(event),
        ),
        *description_lines(event.description),
    ]
    fields = [
        text_field(t.gettext("Severity"), severity_name(event.detail("severity"), t)),
        text_field(t.gettext("Status"), status_name(event.detail("state"), t)),
        text_field(t.gettext("Report type"), report_type_name(event, t)),
        text_field(t.gettext("Location"), event.detail("location"), short=False),
    ]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


# --- feature flags ----------------------------------------------------------------------------


def feature_flag_active(event: Event) -> bool | None:
    word = event.action.lower()
    if word in {"true", "active", "activated", "enabled", "on"}:
        return True
    if word in {"false", "inactive", "deactivated", "disabled", "off"}:
        return False
    return None


def render_feature_flag(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    actor = actor_name(event, t)
    flag = first_line(event.title)
    active = feature_flag_active(event)
    if active is True:
        title = t.format("{actor} turned on feature flag {flag}", actor=actor, flag=flag)
    elif active is False:
        title = t.format("{actor} turned off feature flag {flag}", actor=actor, flag=flag)
    else:
        title = t.format("{actor} updated feature flag {flag}", actor=actor, flag=flag)
    state = "" if active is None else t.gettext("On") if active else t.gettext("Off")
    lines = [
        sentence(
            t,
            "Feature flag {flag} in {project}",
            flag=object_segment(event, flag),
            project=project_segment(event),
        ),
        *description_lines(event.description),
    ]
    fields = [text_field(t.gettext("Status"), state), text_field(t.gettext("Changed by"), actor)]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


# --- emoji reactions ----------------------------------------------------------------------------


def _emoji_target(event: Event, t: Translator) -> str:
    kind = (event.detail("awardable_type") or "").replace("_", "").lower()
    noun_id = _AWARDABLE_NOUNS.get(kind)
    target = first_line(event.detail("target_title") or "")
    noun = t.gettext(noun_id) if noun_id else ""
    return " ".join(part for part in (noun, target) if part)


def render_emoji(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    actor = actor_name(event, t)
    emoji = event.detail("emoji") or first_line(event.title) or "?"
    target = _emoji_target(event, t)
    revoked = canonical_action(event.action) in {"revoke", "revoked", "deleted"}
    if revoked:
        title = (
            t.format(
                "{actor} removed the :{emoji}: reaction from {target}",
                actor=actor,
                emoji=emoji,
                target=target,
            )
            if target
            else t.format("{actor} removed the :{emoji}: reaction", actor=actor, emoji=emoji)
        )
    else:
        title = (
            t.format("{actor} reacted with :{emoji}: to {target}", actor=actor, emoji=emoji, target=target)
            if target
            else t.format("{actor} reacted with :{emoji}:", actor=actor, emoji=emoji)
        )
    lines = description_lines(event.description)
    fields = [text_field(t.gettext("Reaction"), f":{emoji}:"), text_field(t.gettext("By"), actor)]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


# --- milestones, members, projects, subgroups, access tokens --------------------------------


def render_milestone(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    milestone = first_line(event.title)
    action = canonical_action(event.action or "updated")
    template = _MILESTONE_TITLES.get(action, _MILESTONE_TITLES["updated"])
    lines = [
        sentence(
            t,
            "Milestone {milestone} in {project}",
            milestone=object_segment(event, milestone),
            project=project_segment(event),
        ),
        *description_lines(event.description),
    ]
    fields = [
        text_field(t.gettext("Start date"), event.detail("start_date")),
        text_field(t.gettext("Due date"), event.detail("due_date")),
        text_field(t.gettext("Status"), status_name(event.detail("state"), t)),
    ]
    return compose(
        event, t, title=t.format(template, milestone=milestone), lines=lines, fields=fields, mentions=mentions
    )


def member_action(event: Event) -> str:
    action = event.action.lower()
    if "denied" in action or "deny" in action:
        return "denied"
    if "request" in action:
        return "requested"
    if "add" in action or "join" in action or "create" in action:
        return "added"
    if "remove" in action or "delete" in action or "destroy" in action or "leave" in action:
        return "removed"
    if "update" in action or "change" in action:
        return "updated"
    return action


def member_title(event: Event, t: Translator) -> str:
    member = first_line(event.title) or actor_name(event, t)
    group = event.project.name or event.project.path_with_namespace
    access = event.detail("access_level") or ""
    action = member_action(event)
    if action == "added":
        if access:
            return t.format(
                "{member} was added to {group} as {access}", member=member, group=group, access=access
            )
        return t.format("{member} was added to {group}", member=member, group=group)
    if action == "updated":
        if access:
            return t.format(
                "{member}'s role in {group} changed to {access}", member=member, group=group, access=access
            )
        return t.format("{member}'s membership of {group} changed", member=member, group=group)
    if action == "removed":
        return t.format("{member} was removed from {group}", member=member, group=group)
    if action == "requested":
        return t.format("{member} requested access to {group}", member=member, group=group)
    if action == "denied":
        return t.format("{member}'s request to join {group} was denied", member=member, group=group)
    return t.format(
        "Membership of {member} in {group}: {action}", member=member, group=group, action=event.action
    )


def expiry_date(value: str | None) -> str | None:
    """A membership's expiry as the day it is ("2020-12-14"): GitLab sends a date, or that date at
    midnight UTC ("2020-12-14T00:00:00Z"); other text is shown as it came."""
    if not value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        return value
    return moment.date().isoformat()


def render_member(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    fields = [
        text_field(t.gettext("Member"), first_line(event.title)),
        text_field(t.gettext("Username"), event.detail("member_username")),
        text_field(t.gettext("Role"), event.detail("access_level")),
        text_field(t.gettext("Expires"), expiry_date(event.detail("expires_at"))),
    ]
    return compose(
        event,
        t,
        title=member_title(event, t),
        lines=description_lines(event.description),
        fields=fields,
        mentions=mentions,
    )


def render_project(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    name = event.project.path_with_namespace or event.project.name or first_line(event.title)
    action = _action_from_event_name(event.action or "updated")
    if action in _PROJECT_TITLES:
        title = t.format(_PROJECT_TITLES[action], project=name)
    else:
        title = t.format("Project {project}: {action}", project=name, action=event.action)
    fields = [
        text_field(t.gettext("Previous path"), event.detail("old_path")),
        text_field(t.gettext("Owners"), event.detail("owners")),
        text_field(t.gettext("Visibility"), event.detail("visibility")),
    ]
    lines = [(project_segment(event),) if event.project.url else (), *description_lines(event.description)]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


def render_subgroup(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    group = event.detail("full_path") or first_line(event.title) or event.project.path_with_namespace
    action = _action_from_event_name(event.action or "created")
    if action in _SUBGROUP_TITLES:
        title = t.format(_SUBGROUP_TITLES[action], group=group)
    else:
        title = t.format("Subgroup {group}: {action}", group=group, action=event.action)
    parent = event.project.path_with_namespace or event.project.name
    fields = [text_field(t.gettext("Parent group"), parent)]
    lines = [(link_or_text(group, event.url),) if event.url else (), *description_lines(event.description)]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


def render_access_token(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    name = first_line(event.title)
    expires = event.detail("expires_at")
    if expires:
        title = t.format("Access token {name} expires on {date}", name=name, date=expires)
    else:
        title = t.format("Access token {name} is about to expire", name=name)
    lines = [
        sentence(
            t,
            "An access token of {project} is about to expire. Rotate it to keep integrations working.",
            project=project_segment(event),
        ),
    ]
    fields = [text_field(t.gettext("Token"), name), text_field(t.gettext("Expires"), expires)]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)
