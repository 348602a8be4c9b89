"""The rest of GitLab's hooks (`messages/gitlab_other.py`, `messages/alerts.py`): wiki pages,
vulnerabilities, alerts, feature flags, emoji reactions, milestones, members, projects,
subgroups and access tokens."""

from __future__ import annotations

from hookcast.events import Event, EventKind, Item, Person, ProjectRef, Tone, details_of
from hookcast.sources.git import first_line
from hookcast.sources.gitlab.common import (
    ACTING_USER,
    OBJECT_PROJECT,
    Family,
    Hook,
    commit_title,
    first_time,
    group_ref,
    last_path_segment,
    parse_gitlab_time,
    person_of,
    project_of,
    under,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import JsonObject, as_email, as_obj, as_objs, as_opt, as_raw, as_text, joined

_MEMBER_ACTIONS: dict[str, str] = {
    "user_add_to_group": "added",
    "user_add_to_team": "added",
    "user_update_for_group": "updated",
    "user_update_for_team": "updated",
    "user_remove_from_group": "removed",
    "user_remove_from_team": "removed",
    "user_access_request_to_group": "access_requested",
    "user_access_request_to_project": "access_requested",
    "user_access_request_denied_for_group": "access_denied",
    "user_access_request_denied_for_project": "access_denied",
}

_VULNERABILITY_TONES: dict[str, Tone] = {"resolved": Tone.SUCCESS, "dismissed": Tone.NEUTRAL}

_ALERT_TONES: dict[str, Tone] = {"resolved": Tone.SUCCESS, "ignored": Tone.NEUTRAL}

_MILESTONE_TONES: dict[str, Tone] = {"create": Tone.SUCCESS, "close": Tone.SUCCESS, "reopen": Tone.SUCCESS}

_MEMBER_TONES: dict[str, Tone] = {"added": Tone.SUCCESS, "access_requested": Tone.WARNING}

_WIKI_PAGE_REQUIRES = Required(
    "wiki_page", ("object_attributes.title", "object_attributes.action", OBJECT_PROJECT, ACTING_USER)
)


def _parse_wiki_page(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    url = as_opt(attrs.get("url"))
    return Event(
        kind=EventKind.WIKI_PAGE,
        action=as_text(attrs.get("action")),
        tone=Tone.SUCCESS,
        project=project_of(payload, url),
        actor=person_of(payload.get("user")),
        title=as_text(attrs.get("title")),
        url=url,
        object_id=as_opt(attrs.get("slug")),
        description=as_raw(attrs.get("message")),
        details=details_of(
            {
                "message": first_line(as_raw(attrs.get("message"))),
                "slug": as_text(attrs.get("slug")),
                "diff_url": as_text(attrs.get("diff_url")),
            }
        ),
    )


def _vulnerability_location(location: JsonObject) -> str | None:
    file = as_text(location.get("file"))
    dependency = as_obj(location.get("dependency"))
    package = as_text(as_obj(dependency.get("package")).get("name"))
    version = as_text(dependency.get("version"))
    package_text = f"{package}@{version}" if package and version else package
    return joined([file, package_text])


# GitLab sends vulnerabilities without a project object: the project is read from their URL.
_VULNERABILITY_REQUIRES = Required("vulnerability", ("object_attributes.title", OBJECT_PROJECT))


def _parse_vulnerability(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    state = as_text(attrs.get("state"))
    url = as_opt(attrs.get("url"))
    issues = tuple(
        Item(title=as_text(issue.get("title")), url=as_opt(issue.get("url")))
        for issue in as_objs(attrs.get("issues"))
        if as_text(issue.get("title"))
    )
    identifiers = (as_text(identifier.get("name")) for identifier in as_objs(attrs.get("identifiers")))
    return Event(
        kind=EventKind.VULNERABILITY,
        action=state or "detected",
        tone=_VULNERABILITY_TONES.get(state, Tone.FAILURE),
        project=project_of(payload, url),
        actor=person_of(payload.get("user")),
        title=as_text(attrs.get("title")),
        url=url,
        object_id=as_opt(attrs.get("id")) or last_path_segment(url),
        description=as_raw(attrs.get("description")),
        details=details_of(
            {
                "state": state,
                "severity": as_text(attrs.get("severity")),
                "report_type": as_text(attrs.get("report_type")),
                "confidence": as_text(attrs.get("confidence")),
                "location": _vulnerability_location(as_obj(attrs.get("location"))),
                "identifiers": joined(identifiers),
            }
        ),
        items=issues,
        total_items=len(issues),
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


_ALERT_REQUIRES = Required("alert", ("object_attributes.title", OBJECT_PROJECT))


def _parse_alert(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    status = as_text(attrs.get("status")) or "triggered"
    url = as_opt(attrs.get("url"))
    return Event(
        kind=EventKind.ALERT,
        action=status,
        tone=_ALERT_TONES.get(status, Tone.FAILURE),
        project=project_of(payload, url),
        title=as_text(attrs.get("title")),
        url=url,
        object_id=as_opt(attrs.get("iid")) or last_path_segment(url),
        description=as_raw(attrs.get("description")),
        details=details_of(
            {
                "status": status,
                "severity": as_text(attrs.get("severity")),
                "events": as_text(attrs.get("events")),
                "started_at": as_text(attrs.get("started_at")),
            }
        ),
        occurred_at=parse_gitlab_time(attrs.get("started_at")),
    )


_FEATURE_FLAG_REQUIRES = Required("feature_flag", ("object_attributes.name", "project.path_with_namespace"))


def _parse_feature_flag(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    active = attrs.get("active") is True
    project = project_of(payload)
    return Event(
        kind=EventKind.FEATURE_FLAG,
        action="activated" if active else "deactivated",
        tone=Tone.SUCCESS if active else Tone.NEUTRAL,
        project=project,
        actor=person_of(payload.get("user")),
        title=as_text(attrs.get("name")),
        url=under(project, "-/feature_flags"),
        object_id=as_opt(attrs.get("id")),
        description=as_raw(attrs.get("description")),
    )


def _awarded_title(payload: JsonObject, awardable_type: str) -> str:
    for key in ("merge_request", "issue", "snippet"):
        title = as_text(as_obj(payload.get(key)).get("title"))
        if title:
            return title
    if awardable_type == "Note":
        return first_line(as_raw(as_obj(payload.get("note")).get("note")))
    return commit_title(as_obj(payload.get("commit"))) or ""


_EMOJI_REQUIRES = Required(
    "emoji",
    (
        "object_attributes.name",
        "object_attributes.action",
        "object_attributes.awardable_type",
        "project.path_with_namespace | object_attributes.awarded_on_url",
        ACTING_USER,
    ),
)


def _parse_emoji(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    action = as_text(attrs.get("action"))
    awardable_type = as_text(attrs.get("awardable_type"))
    target_url = as_opt(attrs.get("awarded_on_url"))
    target_title = _awarded_title(payload, awardable_type)
    emoji = as_text(attrs.get("name"))
    return Event(
        kind=EventKind.EMOJI,
        action=action,
        tone=Tone.SUCCESS if action == "award" else Tone.NEUTRAL,
        project=project_of(payload, target_url),
        actor=person_of(payload.get("user")),
        title=target_title or (f":{emoji}:" if emoji else ""),
        url=target_url,
        object_id=as_opt(attrs.get("id")),
        details=details_of(
            {
                "emoji": emoji,
                "awardable_type": awardable_type,
                "target_title": target_title,
                "target_url": target_url,
            }
        ),
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


_MILESTONE_REQUIRES = Required(
    "milestone",
    ("object_attributes.title", "action | object_attributes.action", "project.path_with_namespace"),
)


def _parse_milestone(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    action = as_text(payload.get("action")) or as_text(attrs.get("action"))
    project = project_of(payload)
    iid = as_text(attrs.get("iid"))
    return Event(
        kind=EventKind.MILESTONE,
        action=action,
        tone=_MILESTONE_TONES.get(action, Tone.NEUTRAL),
        project=project,
        actor=person_of(payload.get("user")),
        title=as_text(attrs.get("title")),
        url=under(project, f"-/milestones/{iid}") if iid else None,
        object_id=iid or None,
        description=as_raw(attrs.get("description")),
        details=details_of(
            {
                "state": as_text(attrs.get("state")),
                "due_date": as_text(attrs.get("due_date")),
                "start_date": as_text(attrs.get("start_date")),
            }
        ),
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


# Member events name a group or a project, never both; the event name says what happened.
_MEMBER_REQUIRES = Required(
    "member", ("event_name", "user_name | user_username", "group_path | project_path_with_namespace")
)


def _parse_member(payload: JsonObject, hook: Hook) -> Event:
    event_name = as_text(payload.get("event_name"))
    action = _MEMBER_ACTIONS.get(event_name, event_name.removeprefix("user_"))
    member = Person(
        name=as_text(payload.get("user_name")) or as_text(payload.get("user_username")),
        username=as_opt(payload.get("user_username")),
        email=as_email(payload.get("user_email")),
    )
    if as_text(payload.get("project_path_with_namespace")):
        scope = group_ref(payload.get("project_name"), payload.get("project_path_with_namespace"))
    else:
        scope = group_ref(payload.get("group_name"), payload.get("group_path"))
    access = as_text(payload.get("group_access")) or as_text(payload.get("project_access"))
    return Event(
        kind=EventKind.MEMBER,
        action=action,
        tone=_MEMBER_TONES.get(action, Tone.NEUTRAL),
        project=scope,
        actor=member if action == "access_requested" else Person(),
        title=member.name,
        object_id=as_opt(payload.get("user_id")),
        details=details_of(
            {
                "member_username": member.username,
                "member_email": member.email,
                "access_level": access,
                "expires_at": as_text(payload.get("expires_at")),
            }
        ),
        occurred_at=first_time(payload.get("updated_at"), payload.get("created_at")),
    )


_PROJECT_REQUIRES = Required("project", ("event_name", "path_with_namespace"))


def _parse_project(payload: JsonObject, hook: Hook) -> Event:
    action = as_text(payload.get("event_name")).removeprefix("project_")
    path = as_text(payload.get("path_with_namespace"))
    owners = (as_text(owner.get("name")) for owner in as_objs(payload.get("owners")))
    return Event(
        kind=EventKind.PROJECT,
        action=action,
        tone=Tone.SUCCESS if action == "create" else Tone.NEUTRAL,
        project=ProjectRef(
            name=as_text(payload.get("name")) or as_text(payload.get("path")), path_with_namespace=path
        ),
        title=as_text(payload.get("name")) or path,
        object_id=as_opt(payload.get("project_id")),
        details=details_of(
            {
                "visibility": as_text(payload.get("project_visibility")),
                "owners": joined(owners),
                "old_path": as_text(payload.get("old_path_with_namespace")),
            }
        ),
        occurred_at=first_time(payload.get("updated_at"), payload.get("created_at")),
    )


_SUBGROUP_REQUIRES = Required("subgroup", ("event_name", "full_path", "parent_full_path"))


def _parse_subgroup(payload: JsonObject, hook: Hook) -> Event:
    action = as_text(payload.get("event_name")).removeprefix("subgroup_")
    full_path = as_text(payload.get("full_path"))
    return Event(
        kind=EventKind.SUBGROUP,
        action=action,
        tone=Tone.SUCCESS if action == "create" else Tone.NEUTRAL,
        project=group_ref(payload.get("parent_name"), payload.get("parent_full_path")),
        title=as_text(payload.get("name")) or full_path,
        object_id=as_opt(payload.get("group_id")),
        details=details_of({"full_path": full_path}),
        occurred_at=first_time(payload.get("updated_at"), payload.get("created_at")),
    )


# A token belongs to a project or to a group (group hooks send full_path, older ones group_path).
_ACCESS_TOKEN_REQUIRES = Required(
    "access_token",
    ("object_attributes.name", "project.path_with_namespace | group.full_path | group.group_path"),
)


def _parse_access_token(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    group = as_obj(payload.get("group"))
    if as_obj(payload.get("project")) or not group:
        scope = project_of(payload)
    else:
        scope = group_ref(group.get("group_name"), group.get("full_path") or group.get("group_path"))
    event_name = as_text(payload.get("event_name"))
    action = "expiring" if event_name in ("", "expiring_access_token") else event_name
    return Event(
        kind=EventKind.ACCESS_TOKEN,
        action=action,
        tone=Tone.WARNING,
        project=scope,
        title=as_text(attrs.get("name")),
        object_id=as_opt(attrs.get("id")),
        details=details_of(
            {"expires_at": as_text(attrs.get("expires_at")), "token_id": as_text(attrs.get("id"))}
        ),
    )


FAMILIES: dict[str, Family] = {
    "wiki_page": Family(_WIKI_PAGE_REQUIRES, _parse_wiki_page),
    "vulnerability": Family(_VULNERABILITY_REQUIRES, _parse_vulnerability),
    "alert": Family(_ALERT_REQUIRES, _parse_alert),
    "feature_flag": Family(_FEATURE_FLAG_REQUIRES, _parse_feature_flag),
    "emoji": Family(_EMOJI_REQUIRES, _parse_emoji),
    "milestone": Family(_MILESTONE_REQUIRES, _parse_milestone),
    "member": Family(_MEMBER_REQUIRES, _parse_member),
    "project": Family(_PROJECT_REQUIRES, _parse_project),
    "subgroup": Family(_SUBGROUP_REQUIRES, _parse_subgroup),
    "access_token": Family(_ACCESS_TOKEN_REQUIRES, _parse_access_token),
}
