"""GitLab webhooks -> canonical Events.

``parse_gitlab(event_header, body, event_uuid=...)`` is pure: it reads the ``X-Gitlab-Event``
header and the request body and returns an `Event`, a `Rejection` (400: the body is not a JSON
object, or it lacks what its kind needs) or `Ignored` (a hook hookcast does not notify about).
Each kind declares once, next to its parser, the fields GitLab always sends and a message
cannot do without (``_PUSH_REQUIRES`` ...); a body lacking any is refused with all of them named
(``push: missing ref, before, ...``) rather than rendered into an empty message. Beyond those it
never raises on hostile input: every field is read through small tolerant accessors, so a field
of the wrong type is treated as absent and the rest of the event is still filled in.

Which parser runs is chosen by the header (``Push Hook``, ``Issue Hook``, ...). For
``System Hook``, ``Service Hook`` or a missing / empty header it is chosen by the payload's
``object_kind`` (or ``event_name`` when there is none). ``Confidential Issue Hook`` and
``Confidential Note Hook`` always give the confidential kinds; so does a payload whose issue,
note or noted issue says ``confidential: true`` (or an internal note).

Actions are GitLab's own verbs where GitLab has them (issue ``open`` / ``close`` / ``reopen`` /
``update``, merge request ``open`` / ``close`` / ``reopen`` / ``merge`` / ``approved`` /
``approval`` / ``unapproved`` / ``unapproval`` / ``update``, note ``create`` / ``update``, wiki /
release / milestone ``create`` / ``update`` / ``delete`` ..., emoji ``award`` / ``revoke``; the
status for pipelines, jobs and deployments, the state for vulnerabilities and alerts) plus:

* push: ``pushed``, ``created_branch`` (before is all zeros), ``removed_branch`` (after is all
  zeros); tag push: ``pushed`` or ``removed``;
* merge request ``review_requested``: an ``update`` whose ``changes.reviewers`` add reviewers
  (the new reviewers are the related users, role REVIEWER);
* feature flag: ``activated`` / ``deactivated``; access token: ``expiring``;
* member: ``added``, ``updated``, ``removed``, ``access_requested``, ``access_denied``;
* project: ``create``, ``destroy``, ``rename``, ``transfer``, ``update``; subgroup: ``create``,
  ``destroy``.

Tones follow the three-colour table of the Feishu integration hookcast started from
(docs/architecture.md, "Vocabulary: triggers and tones"); choices for what that table does not
name are marked (*):

* SUCCESS: push (any), tag push (any), issue open / close / reopen, merge request open / reopen /
  merge / approved / approval, notes, pipeline success, wiki page (any), deployment running /
  success, release (any), job success (*), emoji award (*), milestone create / close / reopen (*),
  member added (*), project / subgroup create (*), feature flag activated (*), vulnerability
  resolved (*), alert resolved (*);
* FAILURE: merge request unapproved / unapproval, pipeline failed, deployment failed, job failed,
  vulnerability (detected, confirmed, ...), alert (triggered, acknowledged, ...);
* NEUTRAL: merge request close, pipeline canceled / canceling / skipped, deployment canceled,
  and (*) everything in progress or informational: issue / merge request update and
  review_requested, pipeline / job created, pending, running ..., job canceled / skipped,
  vulnerability dismissed, alert ignored, emoji revoke, milestone delete, member updated /
  removed / access_denied, project / subgroup destroy ..., feature flag deactivated;
* WARNING (*): pipeline / job ``manual`` (waits for someone), a failed job that is allowed to
  fail, access token expiring, member access_requested, deployment blocked.

Common fields: ``project`` (name, path_with_namespace, web URL, default branch; for events
without a project object it is derived from the object's URL, and for group events — member,
subgroup, group access token — it names the group), ``actor`` (who acted; empty when the payload
does not say), ``title``, ``url`` (the object's web page), ``object_id``, ``description`` (raw
text), ``occurred_at`` (None when the payload carries no time for the event itself, e.g. push: the
receive time is then the event row's ``received_at``, stamped at intake).

Detail keys (``Event.details``; a key is absent when the payload has no value for it):

==================  ========================================================================
key                 meaning / kinds
==================  ========================================================================
before, after       push / tag push: the old and new commit SHA (full)
commit_sha          full SHA of the commit concerned: push (checkout sha), tag push, pipeline,
                    job, deployment (short SHA as sent), release, merge request (last
                    commit), note on a commit
commit_title        first line of that commit's message: pipeline, deployment
commit_url          web page of that commit: pipeline, deployment, release
ref_protected       push / tag push: "true" / "false" as GitLab says
tag                 tag push, release: the tag name
source_branch       merge request, note on a merge request, pipeline of a merge request
target_branch       merge request, note on a merge request, pipeline of a merge request
state               issue, merge request, vulnerability, milestone: the object's state
merge_status        merge request: detailed_merge_status (or merge_status)
draft               merge request: "true" when draft / work in progress
changed             issue / merge request update: comma list of the changed fields
severity            issue (incident), vulnerability, alert
due_date            issue, milestone
work_item_type      issue: type from the payload ("Issue", "Task", "Incident" ...)
noteable_type       note: Commit, MergeRequest, Issue, Snippet
target_title        note, emoji: title of the noted / awarded object
target_id           note: iid of the issue / merge request, short SHA of the commit, snippet id
target_url          note, emoji: web page of the noted / awarded object
target_state        note: state of the noted issue / merge request
system              note: "true" for a system note
status              pipeline, job, deployment, alert: GitLab's status
detailed_status     pipeline: GitLab's detailed status ("passed" ...)
duration            pipeline, job: seconds, rounded to a whole number
queued_duration     pipeline, job: seconds, rounded to a whole number
pipeline_source     pipeline: what started it (push, merge_request_event, schedule ...)
stages              pipeline: comma list of stage names
merge_request_iid   pipeline of a merge request
merge_request_title pipeline of a merge request
merge_request_url   pipeline of a merge request
stage               job: stage name
failure_reason      job (failed only): GitLab's failure reason
allow_failure       job: "true" when the job may fail
pipeline_id         job
retries_count       job
environment         job, deployment: environment name
environment_tier    deployment
environment_url     deployment: the environment's external URL
deployable_url      deployment: the job that deployed
message             wiki page: the edit message
slug                wiki page
diff_url            wiki page
released_at         release
report_type         vulnerability (dependency_scanning ...)
confidence          vulnerability
location            vulnerability: file, or file + package@version
identifiers         vulnerability: comma list of identifier names (CVE ...)
emoji               emoji: the award name ("thumbsup")
awardable_type      emoji: Issue, MergeRequest, Note, Snippet ...
start_date          milestone
member_username     member: the member concerned
member_email        member
access_level        member: group_access / project_access ("Developer" ...)
expires_at          member, access token
visibility          project
owners              project: comma list of owner names
old_path            project rename / transfer: old path_with_namespace
full_path           subgroup: the subgroup's full path
token_id            access token
events              alert: number of alert events
started_at          alert
==================  ========================================================================

Items: push / tag push -> commits (title = first line of the message, id = short SHA, url,
author name), ``total_items`` = total_commits_count; pipeline -> failed jobs (title = job
name, id = job id, url = job page, status "failed"), ``total_items`` = their number;
release -> asset links; vulnerability -> linked issues.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from hookcast.events import (
    Details,
    Event,
    EventKind,
    Item,
    Person,
    ProjectRef,
    RelatedUser,
    Role,
    Tone,
    details_of,
)
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.required import Required

JsonObject = dict[str, object]

SHORT_SHA_LENGTH = 8

# Header value (lower case) -> parser family; None = decide from the payload.
_HEADER_FAMILIES: dict[str, str | None] = {
    "push hook": "push",
    "tag push hook": "tag_push",
    "issue hook": "issue",
    "confidential issue hook": "confidential_issue",
    "merge request hook": "merge_request",
    "note hook": "note",
    "confidential note hook": "confidential_note",
    "pipeline hook": "pipeline",
    "job hook": "job",
    "build hook": "job",
    "wiki page hook": "wiki_page",
    "deployment hook": "deployment",
    "release hook": "release",
    "vulnerability hook": "vulnerability",
    "feature flag hook": "feature_flag",
    "emoji hook": "emoji",
    "milestone hook": "milestone",
    "member hook": "member",
    "project hook": "project",
    "subgroup hook": "subgroup",
    "resource access token hook": "access_token",
    "alert hook": "alert",
    "system hook": None,
    "service hook": None,
}

# Payload object_kind -> parser family.
_OBJECT_KIND_FAMILIES: dict[str, str] = {
    "push": "push",
    "tag_push": "tag_push",
    "issue": "issue",
    "work_item": "issue",
    "merge_request": "merge_request",
    "note": "note",
    "pipeline": "pipeline",
    "build": "job",
    "wiki_page": "wiki_page",
    "deployment": "deployment",
    "release": "release",
    "vulnerability": "vulnerability",
    "feature_flag": "feature_flag",
    "emoji": "emoji",
    "milestone": "milestone",
    "access_token": "access_token",
    "alert": "alert",
}

# Payload event_name (system / group hooks without object_kind) -> parser family.
_EVENT_NAME_FAMILIES: dict[str, str] = {
    "push": "push",
    "tag_push": "tag_push",
    "user_add_to_group": "member",
    "user_update_for_group": "member",
    "user_remove_from_group": "member",
    "user_access_request_to_group": "member",
    "user_access_request_denied_for_group": "member",
    "user_add_to_team": "member",
    "user_update_for_team": "member",
    "user_remove_from_team": "member",
    "user_access_request_to_project": "member",
    "user_access_request_denied_for_project": "member",
    "project_create": "project",
    "project_destroy": "project",
    "project_rename": "project",
    "project_transfer": "project",
    "project_update": "project",
    "subgroup_create": "subgroup",
    "subgroup_destroy": "subgroup",
    "expiring_access_token": "access_token",
}

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

_ISSUE_TONES: dict[str, Tone] = {"open": Tone.SUCCESS, "close": Tone.SUCCESS, "reopen": Tone.SUCCESS}
_MERGE_REQUEST_TONES: dict[str, Tone] = {
    "open": Tone.SUCCESS,
    "reopen": Tone.SUCCESS,
    "merge": Tone.SUCCESS,
    "approved": Tone.SUCCESS,
    "approval": Tone.SUCCESS,
    "unapproved": Tone.FAILURE,
    "unapproval": Tone.FAILURE,
    "close": Tone.NEUTRAL,
}
_PIPELINE_TONES: dict[str, Tone] = {
    "success": Tone.SUCCESS,
    "failed": Tone.FAILURE,
    "canceled": Tone.NEUTRAL,
    "canceling": Tone.NEUTRAL,
    "skipped": Tone.NEUTRAL,
    "manual": Tone.WARNING,
}
_DEPLOYMENT_TONES: dict[str, Tone] = {
    "running": Tone.SUCCESS,
    "success": Tone.SUCCESS,
    "failed": Tone.FAILURE,
    "canceled": Tone.NEUTRAL,
    "blocked": Tone.WARNING,
}
_VULNERABILITY_TONES: dict[str, Tone] = {"resolved": Tone.SUCCESS, "dismissed": Tone.NEUTRAL}
_ALERT_TONES: dict[str, Tone] = {"resolved": Tone.SUCCESS, "ignored": Tone.NEUTRAL}
_MILESTONE_TONES: dict[str, Tone] = {"create": Tone.SUCCESS, "close": Tone.SUCCESS, "reopen": Tone.SUCCESS}
_MEMBER_TONES: dict[str, Tone] = {"added": Tone.SUCCESS, "access_requested": Tone.WARNING}

# Change keys that say nothing worth telling about an issue / merge request update.
_BOOKKEEPING_CHANGES = frozenset({"updated_at", "updated_by_id", "last_edited_at", "last_edited_by_id"})


@dataclass(frozen=True, slots=True)
class _Hook:
    family: str
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class _Kind:
    """One parser family: what its body must carry (checked first) and how it is read."""

    required: Required
    parse: Callable[[JsonObject, _Hook], Event]


# --------------------------------------------------------------------------- entry point


def parse_gitlab(event_header: str | None, body: bytes, *, event_uuid: str | None = None) -> ParseResult:
    """Parse one GitLab webhook request into an `Event`, a `Rejection` or `Ignored`."""
    payload = decode_json_object(body)
    if isinstance(payload, Rejection):
        return payload
    hook = _resolve_hook(event_header, payload)
    if isinstance(hook, Ignored):
        return hook
    kind = _KINDS[hook.family]
    lacking = kind.required.check(payload)
    if lacking is not None:
        return lacking
    try:
        event = kind.parse(payload, hook)
    except Exception as error:  # a last guard: a parser bug must not turn into a 500
        return Rejection(400, f"unreadable GitLab {hook.family} payload ({type(error).__name__})")
    return event.model_copy(update={"source_id": event_uuid}) if event_uuid else event


def decode_json_object(body: bytes) -> JsonObject | Rejection:
    """The body as a JSON object (keys stripped of surrounding blanks), or a 400 Rejection."""
    try:
        value = json.loads(body, object_pairs_hook=_strip_keys)
    except (ValueError, RecursionError) as error:
        return Rejection(400, f"malformed JSON body: {_clip(str(error))}")
    if not isinstance(value, dict):
        return Rejection(400, f"the body must be a JSON object, not {_json_type_name(value)}")
    return value


def _strip_keys(pairs: list[tuple[str, object]]) -> JsonObject:
    return {key.strip(): value for key, value in pairs}


def _json_type_name(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _resolve_hook(event_header: str | None, payload: JsonObject) -> _Hook | Ignored:
    header = (event_header or "").strip().lower()
    if header and header not in _HEADER_FAMILIES:
        return Ignored(f"unsupported GitLab hook {_clip(event_header or '')!r}")
    family = _HEADER_FAMILIES.get(header) if header else None
    if family is None:
        family = _family_from_payload(payload)
    if family is None:
        kind, name = _text(payload.get("object_kind")), _text(payload.get("event_name"))
        return Ignored(f"unsupported GitLab event (object_kind={_clip(kind)!r}, event_name={_clip(name)!r})")
    if family == "confidential_issue":
        return _Hook("issue", confidential=True)
    if family == "confidential_note":
        return _Hook("note", confidential=True)
    return _Hook(family)


def _family_from_payload(payload: JsonObject) -> str | None:
    object_kind = _text(payload.get("object_kind"))
    if object_kind in _OBJECT_KIND_FAMILIES:
        return _OBJECT_KIND_FAMILIES[object_kind]
    return _EVENT_NAME_FAMILIES.get(_text(payload.get("event_name")))


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------- tolerant accessors


def _obj(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _objs(value: object) -> list[JsonObject]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _text(value: object) -> str:
    """A scalar as trimmed text ("" for anything else); numbers are written plainly."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value) if abs(value) < 10**18 else ""
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else str(value)
    return ""


def _raw(value: object) -> str:
    """Free text kept as sent (descriptions, notes)."""
    return value if isinstance(value, str) else ""


def _texts(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [text for text in (_text(entry) for entry in value) if text]


def _opt(value: object) -> str | None:
    return _text(value) or None


def _flag(value: object) -> str | None:
    return ("true" if value else "false") if isinstance(value, bool) else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def _seconds(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0 or value > 1e12:
        return None
    return str(round(value))


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def _short_sha(sha: str) -> str:
    return sha[:SHORT_SHA_LENGTH]


def _is_zero_sha(sha: str) -> bool:
    return bool(sha) and set(sha) == {"0"}


def _joined(values: Iterable[str]) -> str | None:
    return ", ".join(value for value in values if value) or None


_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")


def parse_gitlab_time(value: object) -> datetime | None:
    """GitLab's time formats ("2015-05-17 18:08:09 UTC", ISO 8601, "... +0200") -> aware datetime."""
    text = _text(value)
    if not text or len(text) > 64:
        return None
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")] + "+00:00"
    text = _SPACED_OFFSET.sub(r"\1", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _first_time(*values: object) -> datetime | None:
    for value in values:
        parsed = parse_gitlab_time(value)
        if parsed is not None:
            return parsed
    return None


# --------------------------------------------------------------------------- shared builders


def _person(user: object) -> Person:
    data = _obj(user)
    return Person(
        name=_text(data.get("name")) or _text(data.get("username")),
        username=_opt(data.get("username")),
        email=_email(data.get("email")),
        avatar_url=_opt(data.get("avatar_url")),
    )


def _email(value: object) -> str | None:
    text = _text(value)
    return text if "@" in text else None


def _is_someone(person: Person) -> bool:
    return bool(person.name or person.username or person.email)


def _related(role: Role, users: Iterable[JsonObject]) -> tuple[RelatedUser, ...]:
    people = (_person(user) for user in users)
    return tuple(RelatedUser(role=role, person=person) for person in people if _is_someone(person))


def _user_list(payload: JsonObject, plural: str, singular: str) -> list[JsonObject]:
    users = _objs(payload.get(plural))
    if users:
        return users
    single = _obj(payload.get(singular))
    return [single] if single else []


def _project(payload: JsonObject, fallback_url: str | None = None) -> ProjectRef:
    data = _obj(payload.get("project"))
    if not data:
        return _project_from_url(fallback_url)
    path = _text(data.get("path_with_namespace"))
    url = _opt(data.get("web_url")) or _opt(data.get("homepage"))
    derived = _project_from_url(url) if url and not path else ProjectRef()
    return ProjectRef(
        name=_text(data.get("name")) or derived.name,
        path_with_namespace=path or derived.path_with_namespace,
        url=url,
        default_branch=_opt(data.get("default_branch")),
    )


def _project_from_url(url: str | None) -> ProjectRef:
    """``https://host/group/project/-/issues/1`` -> the project ``group/project`` at that host."""
    if not url:
        return ProjectRef()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ProjectRef()
    path = _project_path_of(parts.path)
    if not parts.scheme or not parts.netloc or "/" not in path:
        return ProjectRef()
    return ProjectRef(
        name=path.rsplit("/", 1)[-1],
        path_with_namespace=path,
        url=f"{parts.scheme}://{parts.netloc}/{path}",
    )


_OLD_STYLE_OBJECT_PATH = re.compile(
    r"^(.+?)/(?:issues|merge_requests|commit|snippets|wikis|pipelines|jobs)(?:/|$)"
)


def _project_path_of(url_path: str) -> str:
    """The project part of a GitLab object path ("" when it cannot be told)."""
    if "/-/" in url_path:
        return url_path.split("/-/", 1)[0].strip("/")
    match = _OLD_STYLE_OBJECT_PATH.match(url_path.strip("/"))
    return match.group(1) if match else ""


def _under(project: ProjectRef, suffix: str) -> str | None:
    return f"{project.url.rstrip('/')}/{suffix}" if project.url else None


def _label_titles(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    titles = (_text(_obj(label).get("title")) if isinstance(label, dict) else _text(label) for label in value)
    return tuple(dict.fromkeys(title for title in titles if title))


def _changed_fields(payload: JsonObject) -> str | None:
    changes = _obj(payload.get("changes"))
    return _joined(key for key in changes if key not in _BOOKKEEPING_CHANGES)


def _commit_item(commit: JsonObject) -> Item:
    sha = _text(commit.get("id"))
    message_line = _first_line(_raw(commit.get("message")))
    return Item(
        title=message_line or _text(commit.get("title")) or _short_sha(sha),
        url=_opt(commit.get("url")),
        id=_short_sha(sha) or None,
        author=_opt(_obj(commit.get("author")).get("name")),
    )


def _commit_title(commit: JsonObject) -> str | None:
    return _first_line(_raw(commit.get("message"))) or _opt(commit.get("title"))


def _branch_of(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _tag_of(ref: str) -> str:
    return ref.removeprefix("refs/tags/")


# --------------------------------------------------------------------------- push & tag push

# Shared by the kinds about one object: its project (or the object's URL, which names it), and
# who acted.
_OBJECT_PROJECT = "project.path_with_namespace | object_attributes.url"
_ACTING_USER = "user.name | user.username"


def _push_actor(payload: JsonObject) -> Person:
    return Person(
        name=_text(payload.get("user_name")) or _text(payload.get("user_username")),
        username=_opt(payload.get("user_username")),
        email=_email(payload.get("user_email")),
        avatar_url=_opt(payload.get("user_avatar")),
    )


def _commits(payload: JsonObject) -> tuple[tuple[Item, ...], int]:
    items = tuple(_commit_item(commit) for commit in _objs(payload.get("commits")))
    total = _int(payload.get("total_commits_count"))
    return items, max(total if total is not None else 0, len(items))


_PUSH_REQUIRES = Required(
    "push", ("ref", "before", "after", "project.path_with_namespace", "user_name | user_username")
)


def _parse_push(payload: JsonObject, hook: _Hook) -> Event:
    ref = _text(payload.get("ref"))
    before, after = _text(payload.get("before")), _text(payload.get("after"))
    branch = _branch_of(ref)
    project = _project(payload)
    items, total = _commits(payload)
    if _is_zero_sha(after):
        action, url, object_id = "removed_branch", project.url, _short_sha(before)
    elif _is_zero_sha(before):
        action, url, object_id = (
            "created_branch",
            _under(project, f"-/tree/{quote(branch, errors='replace')}"),
            _short_sha(after),
        )
    else:
        action, object_id = "pushed", _short_sha(after)
        url = _under(project, f"-/compare/{before}...{after}") if before and after else project.url
    return Event(
        kind=EventKind.PUSH,
        action=action,
        tone=Tone.SUCCESS,
        project=project,
        actor=_push_actor(payload),
        ref=ref or None,
        branch=branch or None,
        title=branch,
        url=url,
        object_id=object_id or None,
        details=_push_details(payload, before, after),
        items=items,
        total_items=total,
    )


def _push_details(payload: JsonObject, before: str, after: str) -> Details:
    return details_of(
        {
            "before": before,
            "after": after,
            "commit_sha": _text(payload.get("checkout_sha")) or (after if not _is_zero_sha(after) else None),
            "ref_protected": _flag(payload.get("ref_protected")),
        }
    )


_TAG_PUSH_REQUIRES = Required(
    "tag_push", ("ref", "before", "after", "project.path_with_namespace", "user_name | user_username")
)


def _parse_tag_push(payload: JsonObject, hook: _Hook) -> Event:
    ref = _text(payload.get("ref"))
    before, after = _text(payload.get("before")), _text(payload.get("after"))
    tag = _tag_of(ref)
    project = _project(payload)
    items, total = _commits(payload)
    removed = _is_zero_sha(after)
    details = _push_details(payload, before, after)
    if tag:
        details["tag"] = tag
    return Event(
        kind=EventKind.TAG_PUSH,
        action="removed" if removed else "pushed",
        tone=Tone.SUCCESS,
        project=project,
        actor=_push_actor(payload),
        ref=ref or None,
        is_tag=True,
        title=tag,
        url=project.url if removed or not tag else _under(project, f"-/tags/{quote(tag, errors='replace')}"),
        object_id=_short_sha(before if removed else after) or None,
        details=details,
        items=items,
        total_items=total,
    )


# --------------------------------------------------------------------------- issues & merge requests


_STATE_ACTIONS = {"opened": "open", "closed": "close", "merged": "merge", "reopened": "reopen"}


def _action_or_state(attrs: JsonObject) -> str:
    return _text(attrs.get("action")) or _STATE_ACTIONS.get(_text(attrs.get("state")), "")


def _author_if_actor(attrs: JsonObject, user: JsonObject, actor: Person) -> tuple[RelatedUser, ...]:
    author_id, user_id = _int(attrs.get("author_id")), _int(user.get("id"))
    if author_id is None or author_id != user_id or not _is_someone(actor):
        return ()
    return (RelatedUser(role=Role.AUTHOR, person=actor),)


def _labels(payload: JsonObject, attrs: JsonObject) -> tuple[str, ...]:
    return _label_titles(payload.get("labels")) or _label_titles(attrs.get("labels"))


_ISSUE_REQUIRES = Required(
    "issue",
    (
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        _OBJECT_PROJECT,
        _ACTING_USER,
    ),
)


def _parse_issue(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    user = _obj(payload.get("user"))
    actor = _person(user)
    confidential = hook.confidential or attrs.get("confidential") is True
    action = _action_or_state(attrs)
    url = _opt(attrs.get("url"))
    severity = _text(attrs.get("severity"))
    related = _related(Role.ASSIGNEE, _user_list(payload, "assignees", "assignee"))
    return Event(
        kind=EventKind.CONFIDENTIAL_ISSUE if confidential else EventKind.ISSUE,
        action=action,
        tone=_ISSUE_TONES.get(action, Tone.NEUTRAL),
        project=_project(payload, url),
        actor=actor,
        labels=_labels(payload, attrs),
        confidential=confidential,
        title=_text(attrs.get("title")),
        url=url,
        object_id=_opt(attrs.get("iid")),
        description=_raw(attrs.get("description")),
        details=details_of(
            {
                "state": _text(attrs.get("state")),
                "severity": severity if severity != "unknown" else None,
                "due_date": _text(attrs.get("due_date")),
                "work_item_type": _text(attrs.get("type")),
                "changed": _changed_fields(payload) if action == "update" else None,
            }
        ),
        related_users=related + _author_if_actor(attrs, user, actor),
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


def _user_key(user: JsonObject) -> str:
    user_id = _int(user.get("id"))
    return f"id:{user_id}" if user_id is not None else f"username:{_text(user.get('username'))}"


def _added_reviewers(payload: JsonObject) -> list[JsonObject]:
    change = _obj(_obj(payload.get("changes")).get("reviewers"))
    previous = {_user_key(user) for user in _objs(change.get("previous"))}
    return [user for user in _objs(change.get("current")) if _user_key(user) not in previous]


def _merge_request_people(payload: JsonObject, action: str, actor: Person) -> tuple[RelatedUser, ...]:
    people = _related(Role.ASSIGNEE, _user_list(payload, "assignees", "assignee"))
    people += _related(Role.REVIEWER, _objs(payload.get("reviewers")))
    if action in ("approved", "approval") and _is_someone(actor):
        people += (RelatedUser(role=Role.APPROVER, person=actor),)
    return people


_MERGE_REQUEST_REQUIRES = Required(
    "merge_request",
    (
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        "object_attributes.source_branch",
        "object_attributes.target_branch",
        _OBJECT_PROJECT,
        _ACTING_USER,
    ),
)


def _parse_merge_request(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    user = _obj(payload.get("user"))
    actor = _person(user)
    action = _action_or_state(attrs)
    new_reviewers = _added_reviewers(payload) if action == "update" else []
    if new_reviewers:
        action = "review_requested"
        related = _related(Role.REVIEWER, new_reviewers)
    else:
        related = _merge_request_people(payload, action, actor)
    url = _opt(attrs.get("url"))
    draft = attrs.get("draft") is True or attrs.get("work_in_progress") is True
    return Event(
        kind=EventKind.MERGE_REQUEST,
        action=action,
        tone=_MERGE_REQUEST_TONES.get(action, Tone.NEUTRAL),
        project=_project(payload, url),
        actor=actor,
        labels=_labels(payload, attrs),
        title=_text(attrs.get("title")),
        url=url,
        object_id=_opt(attrs.get("iid")),
        description=_raw(attrs.get("description")),
        details=details_of(
            {
                "source_branch": _text(attrs.get("source_branch")),
                "target_branch": _text(attrs.get("target_branch")),
                "state": _text(attrs.get("state")),
                "merge_status": _text(attrs.get("detailed_merge_status")) or _text(attrs.get("merge_status")),
                "draft": "true" if draft else None,
                "commit_sha": _text(_obj(attrs.get("last_commit")).get("id")),
                "changed": _changed_fields(payload) if action in ("update", "review_requested") else None,
            }
        ),
        related_users=related + _author_if_actor(attrs, user, actor),
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


# --------------------------------------------------------------------------- notes


@dataclass(frozen=True, slots=True)
class _NoteTarget:
    title: str = ""
    id: str | None = None
    url: str | None = None
    state: str | None = None
    labels: tuple[str, ...] = ()
    people: tuple[RelatedUser, ...] = ()
    details: Details | None = None


def _note_target(noteable_type: str, payload: JsonObject) -> _NoteTarget:
    if noteable_type == "Commit":
        commit = _obj(payload.get("commit"))
        sha = _text(commit.get("id"))
        author = _obj(commit.get("author"))
        person = Person(name=_text(author.get("name")), email=_email(author.get("email")))
        return _NoteTarget(
            title=_commit_title(commit) or _short_sha(sha),
            id=_short_sha(sha) or None,
            url=_opt(commit.get("url")),
            people=(RelatedUser(role=Role.AUTHOR, person=person),) if _is_someone(person) else (),
        )
    if noteable_type == "Snippet":
        snippet = _obj(payload.get("snippet"))
        return _NoteTarget(
            title=_text(snippet.get("title")), id=_opt(snippet.get("id")), url=_opt(snippet.get("url"))
        )
    key = "merge_request" if noteable_type == "MergeRequest" else "issue"
    target = _obj(payload.get(key))
    people = _related(Role.ASSIGNEE, _user_list(target, "assignees", "assignee"))
    people += _related(Role.REVIEWER, _objs(target.get("reviewers")))
    branches = details_of(
        {
            "source_branch": _text(target.get("source_branch")),
            "target_branch": _text(target.get("target_branch")),
        }
    )
    return _NoteTarget(
        title=_text(target.get("title")),
        id=_opt(target.get("iid")),
        url=_opt(target.get("url")),
        state=_opt(target.get("state")),
        labels=_label_titles(target.get("labels")),
        people=people,
        details=branches if key == "merge_request" else None,
    )


# What the note is on must be there too: its title is the message's subject.
_NOTE_REQUIRES = Required(
    "note",
    ("object_attributes.note", "object_attributes.noteable_type", _OBJECT_PROJECT, _ACTING_USER),
    variant_of="object_attributes.noteable_type",
    variants={
        "Commit": ("commit.id",),
        "MergeRequest": ("merge_request.iid", "merge_request.title"),
        "Issue": ("issue.iid", "issue.title"),
        "Snippet": ("snippet.id", "snippet.title"),
    },
)


def _parse_note(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    noteable_type = _text(attrs.get("noteable_type"))
    target = _note_target(noteable_type, payload)
    confidential = (
        hook.confidential
        or attrs.get("confidential") is True
        or attrs.get("internal") is True
        or _obj(payload.get("issue")).get("confidential") is True
    )
    url = _opt(attrs.get("url"))
    details = details_of(
        {
            "noteable_type": noteable_type,
            "target_title": target.title,
            "target_id": target.id,
            "target_url": target.url,
            "target_state": target.state,
            "commit_sha": _text(attrs.get("commit_id")) if noteable_type == "Commit" else None,
            "system": "true" if attrs.get("system") is True else None,
        }
    )
    return Event(
        kind=EventKind.CONFIDENTIAL_NOTE if confidential else EventKind.NOTE,
        action=_text(attrs.get("action")) or "create",
        tone=Tone.SUCCESS,
        project=_project(payload, url),
        actor=_person(payload.get("user")),
        labels=target.labels,
        confidential=confidential,
        title=target.title,
        url=url,
        object_id=_opt(attrs.get("id")),
        description=_raw(attrs.get("note")) or _raw(attrs.get("description")),
        details=details | (target.details or {}),
        related_users=target.people,
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


# --------------------------------------------------------------------------- CI: pipelines & jobs


def _failed_jobs(payload: JsonObject, project: ProjectRef, stages: list[str]) -> tuple[Item, ...]:
    failed = [build for build in _objs(payload.get("builds")) if _text(build.get("status")) == "failed"]

    def order(build: JsonObject) -> tuple[int, int]:
        stage = _text(build.get("stage"))
        return (stages.index(stage) if stage in stages else len(stages), _int(build.get("id")) or 0)

    return tuple(
        Item(
            title=_text(build.get("name")) or f"job {_text(build.get('id'))}",
            url=_under(project, f"-/jobs/{_text(build.get('id'))}") if _text(build.get("id")) else None,
            id=_opt(build.get("id")),
            status="failed",
        )
        for build in sorted(failed, key=order)
    )


_PIPELINE_REQUIRES = Required(
    "pipeline", ("object_attributes.status", "object_attributes.ref", "project.path_with_namespace")
)


def _parse_pipeline(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    project = _project(payload)
    status = _text(attrs.get("status"))
    ref = _text(attrs.get("ref"))
    is_tag = attrs.get("tag") is True
    pipeline_id = _text(attrs.get("id"))
    stages = _texts(attrs.get("stages"))
    commit = _obj(payload.get("commit"))
    merge_request = _obj(payload.get("merge_request"))
    items = _failed_jobs(payload, project, stages)
    return Event(
        kind=EventKind.PIPELINE,
        action=status,
        tone=_PIPELINE_TONES.get(status, Tone.NEUTRAL),
        project=project,
        actor=_person(payload.get("user")),
        ref=ref or None,
        branch=None if is_tag or not ref else _branch_of(ref),
        is_tag=is_tag,
        title=_text(attrs.get("name")) or (f"Pipeline #{pipeline_id}" if pipeline_id else "Pipeline"),
        url=_opt(attrs.get("url"))
        or (_under(project, f"-/pipelines/{pipeline_id}") if pipeline_id else None),
        object_id=pipeline_id or None,
        details=details_of(
            {
                "status": status,
                "detailed_status": _text(attrs.get("detailed_status")),
                "duration": _seconds(attrs.get("duration")),
                "queued_duration": _seconds(attrs.get("queued_duration")),
                "pipeline_source": _text(attrs.get("source")),
                "stages": _joined(stages),
                "commit_sha": _text(attrs.get("sha")) or _text(commit.get("id")),
                "commit_title": _commit_title(commit),
                "commit_url": _text(commit.get("url")),
                "tag": _tag_of(ref) if is_tag else None,
                "source_branch": _text(merge_request.get("source_branch")),
                "target_branch": _text(merge_request.get("target_branch")),
                "merge_request_iid": _text(merge_request.get("iid")),
                "merge_request_title": _text(merge_request.get("title")),
                "merge_request_url": _text(merge_request.get("url")),
            }
        ),
        items=items,
        total_items=len(items),
        occurred_at=_first_time(attrs.get("finished_at"), attrs.get("created_at")),
    )


def _job_tone(status: str, allow_failure: bool) -> Tone:
    if status == "failed":
        return Tone.WARNING if allow_failure else Tone.FAILURE
    if status == "success":
        return Tone.SUCCESS
    return Tone.WARNING if status == "manual" else Tone.NEUTRAL


def _job_project(payload: JsonObject) -> ProjectRef:
    project = _project(payload)
    if project.path_with_namespace:
        return project
    return ProjectRef(name=_text(payload.get("project_name")))


# A job hook may name its project only by project_name (older GitLab sends no project object).
_JOB_REQUIRES = Required(
    "job", ("build_id", "build_name", "build_status", "ref", "project.path_with_namespace | project_name")
)


def _parse_job(payload: JsonObject, hook: _Hook) -> Event:
    project = _job_project(payload)
    status = _text(payload.get("build_status"))
    ref = _text(payload.get("ref"))
    is_tag = payload.get("tag") is True
    job_id = _text(payload.get("build_id"))
    allow_failure = payload.get("build_allow_failure") is True
    commit = _obj(payload.get("commit"))
    return Event(
        kind=EventKind.JOB,
        action=status,
        tone=_job_tone(status, allow_failure),
        project=project,
        actor=_person(payload.get("user")),
        ref=ref or None,
        branch=None if is_tag or not ref else _branch_of(ref),
        is_tag=is_tag,
        title=_text(payload.get("build_name")) or (f"Job #{job_id}" if job_id else "Job"),
        url=_under(project, f"-/jobs/{job_id}") if job_id else None,
        object_id=job_id or None,
        details=details_of(
            {
                "status": status,
                "stage": _text(payload.get("build_stage")),
                "failure_reason": _text(payload.get("build_failure_reason")) if status == "failed" else None,
                "allow_failure": "true" if allow_failure else None,
                "duration": _seconds(payload.get("build_duration")),
                "queued_duration": _seconds(payload.get("build_queued_duration")),
                "pipeline_id": _text(payload.get("pipeline_id")),
                "retries_count": _text(payload.get("retries_count")),
                "commit_sha": _text(payload.get("sha")) or _text(commit.get("sha")),
                "commit_title": _commit_title(commit),
                "environment": _text(_obj(payload.get("environment")).get("name")),
                "tag": _tag_of(ref) if is_tag else None,
            }
        ),
        occurred_at=_first_time(
            payload.get("build_finished_at"), payload.get("build_started_at"), payload.get("build_created_at")
        ),
    )


# --------------------------------------------------------------------------- wiki, deployment, release


_WIKI_PAGE_REQUIRES = Required(
    "wiki_page", ("object_attributes.title", "object_attributes.action", _OBJECT_PROJECT, _ACTING_USER)
)


def _parse_wiki_page(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    url = _opt(attrs.get("url"))
    return Event(
        kind=EventKind.WIKI_PAGE,
        action=_text(attrs.get("action")),
        tone=Tone.SUCCESS,
        project=_project(payload, url),
        actor=_person(payload.get("user")),
        title=_text(attrs.get("title")),
        url=url,
        object_id=_opt(attrs.get("slug")),
        description=_raw(attrs.get("message")),
        details=details_of(
            {
                "message": _first_line(_raw(attrs.get("message"))),
                "slug": _text(attrs.get("slug")),
                "diff_url": _text(attrs.get("diff_url")),
            }
        ),
    )


_DEPLOYMENT_REQUIRES = Required(
    "deployment", ("status", "environment", "project.path_with_namespace | deployable_url")
)


def _parse_deployment(payload: JsonObject, hook: _Hook) -> Event:
    status = _text(payload.get("status"))
    environment = _text(payload.get("environment"))
    ref = _text(payload.get("ref"))
    deployable_url = _opt(payload.get("deployable_url"))
    return Event(
        kind=EventKind.DEPLOYMENT,
        action=status,
        tone=_DEPLOYMENT_TONES.get(status, Tone.NEUTRAL),
        project=_project(payload, deployable_url),
        actor=_person(payload.get("user")),
        ref=ref or None,
        branch=_branch_of(ref) or None,
        title=environment,
        url=deployable_url or _opt(payload.get("environment_external_url")),
        object_id=_opt(payload.get("deployment_id")),
        details=details_of(
            {
                "status": status,
                "environment": environment,
                "environment_tier": _text(payload.get("environment_tier")),
                "environment_url": _text(payload.get("environment_external_url")),
                "deployable_url": deployable_url,
                "commit_sha": _text(payload.get("short_sha")),
                "commit_title": _text(payload.get("commit_title")),
                "commit_url": _text(payload.get("commit_url")),
            }
        ),
        occurred_at=parse_gitlab_time(payload.get("status_changed_at")),
    )


_RELEASE_REQUIRES = Required("release", ("tag", "action", "project.path_with_namespace | url"))


def _parse_release(payload: JsonObject, hook: _Hook) -> Event:
    tag = _text(payload.get("tag"))
    url = _opt(payload.get("url"))
    links = _objs(_obj(payload.get("assets")).get("links"))
    items = tuple(
        Item(title=_text(link.get("name")) or _text(link.get("url")), url=_opt(link.get("url")))
        for link in links
        if _text(link.get("name")) or _text(link.get("url"))
    )
    user = _obj(payload.get("user"))
    actor = _person(user)
    commit = _obj(payload.get("commit"))
    return Event(
        kind=EventKind.RELEASE,
        action=_text(payload.get("action")),
        tone=Tone.SUCCESS,
        project=_project(payload, url),
        actor=actor,
        ref=tag or None,
        is_tag=bool(tag),
        title=_text(payload.get("name")) or tag,
        url=url,
        object_id=tag or None,
        description=_raw(payload.get("description")),
        details=details_of(
            {
                "tag": tag,
                "released_at": _text(payload.get("released_at")),
                "commit_sha": _text(commit.get("id")),
                "commit_url": _text(commit.get("url")),
            }
        ),
        items=items,
        total_items=len(items),
        related_users=(RelatedUser(role=Role.RELEASER, person=actor),) if _is_someone(actor) else (),
        occurred_at=_first_time(payload.get("created_at"), payload.get("released_at")),
    )


# --------------------------------------------------------------------------- security & operations


def _vulnerability_location(location: JsonObject) -> str | None:
    file = _text(location.get("file"))
    dependency = _obj(location.get("dependency"))
    package = _text(_obj(dependency.get("package")).get("name"))
    version = _text(dependency.get("version"))
    package_text = f"{package}@{version}" if package and version else package
    return _joined([file, package_text])


def _last_path_segment(url: str | None) -> str | None:
    segment = (url or "").rstrip("/").rsplit("/", 1)[-1]
    return segment if segment.isdigit() else None


# GitLab sends vulnerabilities without a project object: the project is read from their URL.
_VULNERABILITY_REQUIRES = Required("vulnerability", ("object_attributes.title", _OBJECT_PROJECT))


def _parse_vulnerability(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    state = _text(attrs.get("state"))
    url = _opt(attrs.get("url"))
    issues = tuple(
        Item(title=_text(issue.get("title")), url=_opt(issue.get("url")))
        for issue in _objs(attrs.get("issues"))
        if _text(issue.get("title"))
    )
    identifiers = (_text(identifier.get("name")) for identifier in _objs(attrs.get("identifiers")))
    return Event(
        kind=EventKind.VULNERABILITY,
        action=state or "detected",
        tone=_VULNERABILITY_TONES.get(state, Tone.FAILURE),
        project=_project(payload, url),
        actor=_person(payload.get("user")),
        title=_text(attrs.get("title")),
        url=url,
        object_id=_opt(attrs.get("id")) or _last_path_segment(url),
        description=_raw(attrs.get("description")),
        details=details_of(
            {
                "state": state,
                "severity": _text(attrs.get("severity")),
                "report_type": _text(attrs.get("report_type")),
                "confidence": _text(attrs.get("confidence")),
                "location": _vulnerability_location(_obj(attrs.get("location"))),
                "identifiers": _joined(identifiers),
            }
        ),
        items=issues,
        total_items=len(issues),
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


_ALERT_REQUIRES = Required("alert", ("object_attributes.title", _OBJECT_PROJECT))


def _parse_alert(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    status = _text(attrs.get("status")) or "triggered"
    url = _opt(attrs.get("url"))
    return Event(
        kind=EventKind.ALERT,
        action=status,
        tone=_ALERT_TONES.get(status, Tone.FAILURE),
        project=_project(payload, url),
        title=_text(attrs.get("title")),
        url=url,
        object_id=_opt(attrs.get("iid")) or _last_path_segment(url),
        description=_raw(attrs.get("description")),
        details=details_of(
            {
                "status": status,
                "severity": _text(attrs.get("severity")),
                "events": _text(attrs.get("events")),
                "started_at": _text(attrs.get("started_at")),
            }
        ),
        occurred_at=parse_gitlab_time(attrs.get("started_at")),
    )


_FEATURE_FLAG_REQUIRES = Required("feature_flag", ("object_attributes.name", "project.path_with_namespace"))


def _parse_feature_flag(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    active = attrs.get("active") is True
    project = _project(payload)
    return Event(
        kind=EventKind.FEATURE_FLAG,
        action="activated" if active else "deactivated",
        tone=Tone.SUCCESS if active else Tone.NEUTRAL,
        project=project,
        actor=_person(payload.get("user")),
        title=_text(attrs.get("name")),
        url=_under(project, "-/feature_flags"),
        object_id=_opt(attrs.get("id")),
        description=_raw(attrs.get("description")),
    )


# --------------------------------------------------------------------------- emoji & milestones


def _awarded_title(payload: JsonObject, awardable_type: str) -> str:
    for key in ("merge_request", "issue", "snippet"):
        title = _text(_obj(payload.get(key)).get("title"))
        if title:
            return title
    if awardable_type == "Note":
        return _first_line(_raw(_obj(payload.get("note")).get("note")))
    return _commit_title(_obj(payload.get("commit"))) or ""


_EMOJI_REQUIRES = Required(
    "emoji",
    (
        "object_attributes.name",
        "object_attributes.action",
        "object_attributes.awardable_type",
        "project.path_with_namespace | object_attributes.awarded_on_url",
        _ACTING_USER,
    ),
)


def _parse_emoji(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    action = _text(attrs.get("action"))
    awardable_type = _text(attrs.get("awardable_type"))
    target_url = _opt(attrs.get("awarded_on_url"))
    target_title = _awarded_title(payload, awardable_type)
    emoji = _text(attrs.get("name"))
    return Event(
        kind=EventKind.EMOJI,
        action=action,
        tone=Tone.SUCCESS if action == "award" else Tone.NEUTRAL,
        project=_project(payload, target_url),
        actor=_person(payload.get("user")),
        title=target_title or (f":{emoji}:" if emoji else ""),
        url=target_url,
        object_id=_opt(attrs.get("id")),
        details=details_of(
            {
                "emoji": emoji,
                "awardable_type": awardable_type,
                "target_title": target_title,
                "target_url": target_url,
            }
        ),
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


_MILESTONE_REQUIRES = Required(
    "milestone",
    ("object_attributes.title", "action | object_attributes.action", "project.path_with_namespace"),
)


def _parse_milestone(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    action = _text(payload.get("action")) or _text(attrs.get("action"))
    project = _project(payload)
    iid = _text(attrs.get("iid"))
    return Event(
        kind=EventKind.MILESTONE,
        action=action,
        tone=_MILESTONE_TONES.get(action, Tone.NEUTRAL),
        project=project,
        actor=_person(payload.get("user")),
        title=_text(attrs.get("title")),
        url=_under(project, f"-/milestones/{iid}") if iid else None,
        object_id=iid or None,
        description=_raw(attrs.get("description")),
        details=details_of(
            {
                "state": _text(attrs.get("state")),
                "due_date": _text(attrs.get("due_date")),
                "start_date": _text(attrs.get("start_date")),
            }
        ),
        occurred_at=_first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


# ------------------------------------------------------------------ groups, projects, members, tokens


def _group_ref(name: object, path: object) -> ProjectRef:
    return ProjectRef(name=_text(name) or _text(path), path_with_namespace=_text(path))


# Member events name a group or a project, never both; the event name says what happened.
_MEMBER_REQUIRES = Required(
    "member", ("event_name", "user_name | user_username", "group_path | project_path_with_namespace")
)


def _parse_member(payload: JsonObject, hook: _Hook) -> Event:
    event_name = _text(payload.get("event_name"))
    action = _MEMBER_ACTIONS.get(event_name, event_name.removeprefix("user_"))
    member = Person(
        name=_text(payload.get("user_name")) or _text(payload.get("user_username")),
        username=_opt(payload.get("user_username")),
        email=_email(payload.get("user_email")),
    )
    if _text(payload.get("project_path_with_namespace")):
        scope = _group_ref(payload.get("project_name"), payload.get("project_path_with_namespace"))
    else:
        scope = _group_ref(payload.get("group_name"), payload.get("group_path"))
    access = _text(payload.get("group_access")) or _text(payload.get("project_access"))
    return Event(
        kind=EventKind.MEMBER,
        action=action,
        tone=_MEMBER_TONES.get(action, Tone.NEUTRAL),
        project=scope,
        actor=member if action == "access_requested" else Person(),
        title=member.name,
        object_id=_opt(payload.get("user_id")),
        details=details_of(
            {
                "member_username": member.username,
                "member_email": member.email,
                "access_level": access,
                "expires_at": _text(payload.get("expires_at")),
            }
        ),
        occurred_at=_first_time(payload.get("updated_at"), payload.get("created_at")),
    )


_PROJECT_REQUIRES = Required("project", ("event_name", "path_with_namespace"))


def _parse_project(payload: JsonObject, hook: _Hook) -> Event:
    action = _text(payload.get("event_name")).removeprefix("project_")
    path = _text(payload.get("path_with_namespace"))
    owners = (_text(owner.get("name")) for owner in _objs(payload.get("owners")))
    return Event(
        kind=EventKind.PROJECT,
        action=action,
        tone=Tone.SUCCESS if action == "create" else Tone.NEUTRAL,
        project=ProjectRef(
            name=_text(payload.get("name")) or _text(payload.get("path")), path_with_namespace=path
        ),
        title=_text(payload.get("name")) or path,
        object_id=_opt(payload.get("project_id")),
        details=details_of(
            {
                "visibility": _text(payload.get("project_visibility")),
                "owners": _joined(owners),
                "old_path": _text(payload.get("old_path_with_namespace")),
            }
        ),
        occurred_at=_first_time(payload.get("updated_at"), payload.get("created_at")),
    )


_SUBGROUP_REQUIRES = Required("subgroup", ("event_name", "full_path", "parent_full_path"))


def _parse_subgroup(payload: JsonObject, hook: _Hook) -> Event:
    action = _text(payload.get("event_name")).removeprefix("subgroup_")
    full_path = _text(payload.get("full_path"))
    return Event(
        kind=EventKind.SUBGROUP,
        action=action,
        tone=Tone.SUCCESS if action == "create" else Tone.NEUTRAL,
        project=_group_ref(payload.get("parent_name"), payload.get("parent_full_path")),
        title=_text(payload.get("name")) or full_path,
        object_id=_opt(payload.get("group_id")),
        details=details_of({"full_path": full_path}),
        occurred_at=_first_time(payload.get("updated_at"), payload.get("created_at")),
    )


# A token belongs to a project or to a group (group hooks send full_path, older ones group_path).
_ACCESS_TOKEN_REQUIRES = Required(
    "access_token",
    ("object_attributes.name", "project.path_with_namespace | group.full_path | group.group_path"),
)


def _parse_access_token(payload: JsonObject, hook: _Hook) -> Event:
    attrs = _obj(payload.get("object_attributes"))
    group = _obj(payload.get("group"))
    if _obj(payload.get("project")) or not group:
        scope = _project(payload)
    else:
        scope = _group_ref(group.get("group_name"), group.get("full_path") or group.get("group_path"))
    event_name = _text(payload.get("event_name"))
    action = "expiring" if event_name in ("", "expiring_access_token") else event_name
    return Event(
        kind=EventKind.ACCESS_TOKEN,
        action=action,
        tone=Tone.WARNING,
        project=scope,
        title=_text(attrs.get("name")),
        object_id=_opt(attrs.get("id")),
        details=details_of(
            {"expires_at": _text(attrs.get("expires_at")), "token_id": _text(attrs.get("id"))}
        ),
    )


# family -> what its body must carry, and its parser
_KINDS: dict[str, _Kind] = {
    "push": _Kind(_PUSH_REQUIRES, _parse_push),
    "tag_push": _Kind(_TAG_PUSH_REQUIRES, _parse_tag_push),
    "issue": _Kind(_ISSUE_REQUIRES, _parse_issue),
    "merge_request": _Kind(_MERGE_REQUEST_REQUIRES, _parse_merge_request),
    "note": _Kind(_NOTE_REQUIRES, _parse_note),
    "pipeline": _Kind(_PIPELINE_REQUIRES, _parse_pipeline),
    "job": _Kind(_JOB_REQUIRES, _parse_job),
    "wiki_page": _Kind(_WIKI_PAGE_REQUIRES, _parse_wiki_page),
    "deployment": _Kind(_DEPLOYMENT_REQUIRES, _parse_deployment),
    "release": _Kind(_RELEASE_REQUIRES, _parse_release),
    "vulnerability": _Kind(_VULNERABILITY_REQUIRES, _parse_vulnerability),
    "alert": _Kind(_ALERT_REQUIRES, _parse_alert),
    "feature_flag": _Kind(_FEATURE_FLAG_REQUIRES, _parse_feature_flag),
    "emoji": _Kind(_EMOJI_REQUIRES, _parse_emoji),
    "milestone": _Kind(_MILESTONE_REQUIRES, _parse_milestone),
    "member": _Kind(_MEMBER_REQUIRES, _parse_member),
    "project": _Kind(_PROJECT_REQUIRES, _parse_project),
    "subgroup": _Kind(_SUBGROUP_REQUIRES, _parse_subgroup),
    "access_token": _Kind(_ACCESS_TOKEN_REQUIRES, _parse_access_token),
}
