"""GitLab webhooks -> canonical Events: the entry point and the dispatch to one parser per family.

The parsers live along the seams the renderers (``messages/``) use: ``code.py`` (push, tag push,
merge request, note), ``issues.py``, ``ci.py`` (pipeline, job, deployment, release) and
``other.py``; what they share is in ``common.py``, and reading the untrusted JSON is
``hookcast.sources.tolerant``.

``parse_gitlab(event_header, body, event_uuid=...)`` is pure: it reads the ``X-Gitlab-Event``
header and the request body and returns an `Event`, a `Rejection` (400: the body is not a JSON
object, or it lacks what its kind needs) or `Ignored` (a hook hookcast does not notify about).
Each kind declares once, next to its parser, the fields GitLab always sends and a message
cannot do without (``_PUSH_REQUIRES`` in ``code.py`` ...); a body lacking any is refused with
all of them named (``push: missing ref, before, ...``) rather than rendered into an empty
message. Beyond those it
never raises on hostile input: every field is read through small tolerant accessors, so a field
of the wrong type is treated as absent and the rest of the event is still filled in
(``hookcast.sources.tolerant``).

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
(docs/architecture.md, "Vocabulary: kinds, triggers, tones and details"); choices for what that
table does not name are marked (*):

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

Detail keys (``Event.details``, the closed set ``hookcast.events.DetailKey``; a key is absent
when the payload has no value for it):

==================  ========================================================================
key                 meaning / kinds
==================  ========================================================================
before, after       push / tag push: the old and new commit SHA (full)
commit_sha          full SHA of the commit concerned: push (checkout sha), tag push, pipeline,
                    job, deployment (short SHA as sent), release, merge request (last
                    commit), note on a commit
commit_title        first line of that commit's message: pipeline, deployment
commit_url          web page of that commit: pipeline, deployment, release
commit_author       name of that commit's author (``commit.author.name``): pipeline
ref_protected       push / tag push: "true" / "false" as GitLab says
tag                 tag push, release: the tag name
source_branch       merge request, note on a merge request, pipeline of a merge request
target_branch       merge request, note on a merge request, pipeline of a merge request
state               issue, merge request, vulnerability, milestone: the object's state
merge_status        merge request: detailed_merge_status (or merge_status)
draft               merge request: "true" when draft / work in progress
created_at          merge request: when it was opened (ISO 8601), for review reminders
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

from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.caps import capped
from hookcast.sources.gitlab import ci, code, issues, other
from hookcast.sources.gitlab.common import Family, Hook, parse_gitlab_time
from hookcast.sources.tolerant import JsonObject, as_text, clip, decode_json_object

__all__ = ["parse_gitlab", "parse_gitlab_time"]

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


# family -> what its body must carry, and its parser; one table per module, along the seams of
# the renderers (messages/): code, issues, CI, the rest.
_FAMILIES: dict[str, Family] = {**code.FAMILIES, **issues.FAMILIES, **ci.FAMILIES, **other.FAMILIES}


def parse_gitlab(event_header: str | None, body: bytes, *, event_uuid: str | None = None) -> ParseResult:
    """Parse one GitLab webhook request into an `Event`, a `Rejection` or `Ignored`."""
    payload = decode_json_object(body)
    if isinstance(payload, Rejection):
        return payload
    hook = _resolve_hook(event_header, payload)
    if isinstance(hook, Ignored):
        return hook
    family = _FAMILIES[hook.family]
    lacking = family.required.check(payload)
    if lacking is not None:
        return lacking
    try:
        event = family.parse(payload, hook)
    except Exception as error:  # a last guard: a parser bug must not turn into a 500
        return Rejection(400, f"unreadable GitLab {hook.family} payload ({type(error).__name__})")
    event = capped(event)
    return event.model_copy(update={"source_id": event_uuid}) if event_uuid else event


def _resolve_hook(event_header: str | None, payload: JsonObject) -> Hook | Ignored:
    header = (event_header or "").strip().lower()
    if header and header not in _HEADER_FAMILIES:
        return Ignored(f"unsupported GitLab hook {clip(event_header or '')!r}")
    family = _HEADER_FAMILIES.get(header) if header else None
    if family is None:
        family = _family_from_payload(payload)
    if family is None:
        kind, name = as_text(payload.get("object_kind")), as_text(payload.get("event_name"))
        return Ignored(f"unsupported GitLab event (object_kind={clip(kind)!r}, event_name={clip(name)!r})")
    if family == "confidential_issue":
        return Hook("issue", confidential=True)
    if family == "confidential_note":
        return Hook("note", confidential=True)
    return Hook(family)


def _family_from_payload(payload: JsonObject) -> str | None:
    object_kind = as_text(payload.get("object_kind"))
    if object_kind in _OBJECT_KIND_FAMILIES:
        return _OBJECT_KIND_FAMILIES[object_kind]
    return _EVENT_NAME_FAMILIES.get(as_text(payload.get("event_name")))
