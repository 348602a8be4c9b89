"""GitHub's CI/CD events: workflow runs and check suites (as pipelines), check runs (as jobs),
deployment statuses and releases — onto the kinds `messages/gitlab_ci.py` renders.

A workflow run's or check suite's result is said in hookcast's pipeline words (``success``,
``failed``, ``canceled``, ``skipped``, ``manual``; ``pending`` / ``running`` before it ends), so
routing (only broken pipelines, notified states) and the "fixed" / "still failing" memory
(`services/pipeline_results.py`, which keys each workflow apart by the ``workflow`` detail)
treat them as GitLab's pipelines. ``object_id`` is the run's (or suite's) id, so a living
message follows one run.
"""

from __future__ import annotations

from hookcast.events import (
    CHECK_SUITE_WORKFLOW,
    Event,
    EventKind,
    Item,
    ProjectRef,
    RelatedUser,
    Role,
    Tone,
    details_of,
)
from hookcast.sources.git import first_line
from hookcast.sources.github.common import (
    REPOSITORY,
    SENDER,
    SOURCE,
    Family,
    first_time,
    github_time,
    person_of,
    repository_of,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import JsonObject, as_obj, as_objs, as_opt, as_raw, as_seconds, as_text

# A completed run's conclusion -> hookcast's pipeline status.
_CONCLUSIONS: dict[str, str] = {
    "success": "success",
    "failure": "failed",
    "timed_out": "failed",
    "startup_failure": "failed",
    "cancelled": "canceled",
    "skipped": "skipped",
    "neutral": "skipped",
    "stale": "skipped",
    "action_required": "manual",
}
# A run still going -> hookcast's status.
_PROGRESS: dict[str, str] = {
    "requested": "pending",
    "queued": "pending",
    "waiting": "pending",
    "pending": "pending",
    "in_progress": "running",
}
_PIPELINE_TONES: dict[str, Tone] = {
    "success": Tone.SUCCESS,
    "failed": Tone.FAILURE,
    "canceled": Tone.NEUTRAL,
    "skipped": Tone.NEUTRAL,
    "manual": Tone.WARNING,
}

# A deployment status's state -> hookcast's deployment status (``inactive``: superseded, not told).
_DEPLOYMENT_STATES: dict[str, str] = {
    "success": "success",
    "failure": "failed",
    "error": "failed",
    "in_progress": "running",
    "queued": "pending",
    "pending": "pending",
}
_DEPLOYMENT_TONES: dict[str, Tone] = {
    "running": Tone.SUCCESS,
    "success": Tone.SUCCESS,
    "failed": Tone.FAILURE,
}


def _run_status(run: JsonObject) -> str:
    status = as_text(run.get("status"))
    if status == "completed":
        conclusion = as_text(run.get("conclusion"))
        return _CONCLUSIONS.get(conclusion, conclusion)
    return _PROGRESS.get(status, status)


def _under(project: ProjectRef, suffix: str) -> str | None:
    return f"{project.url.rstrip('/')}/{suffix}" if project.url else None


def _duration(run: JsonObject) -> str | None:
    started = github_time(run.get("run_started_at")) or github_time(run.get("created_at"))
    ended = github_time(run.get("updated_at"))
    if started is None or ended is None or as_text(run.get("status")) != "completed":
        return None
    seconds = (ended - started).total_seconds()
    return as_seconds(seconds) if seconds > 0 else None  # equal times say nothing of how long


def _run_event(payload: JsonObject, run: JsonObject, title: str, workflow: str, url: str | None) -> Event:
    project = repository_of(payload)
    status = _run_status(run)
    branch = as_text(run.get("head_branch"))
    sha = as_text(run.get("head_sha"))
    commit = as_obj(run.get("head_commit"))
    pull = next(iter(as_objs(run.get("pull_requests"))), {})
    number = as_text(pull.get("number"))
    actor = person_of(run.get("triggering_actor") or run.get("actor") or payload.get("sender"))
    return Event(
        kind=EventKind.PIPELINE,
        action=status,
        tone=_PIPELINE_TONES.get(status, Tone.NEUTRAL),
        source=SOURCE,
        project=project,
        actor=actor,
        ref=f"refs/heads/{branch}" if branch else None,
        branch=branch or None,
        title=title,
        url=url,
        object_id=as_opt(run.get("id")),
        details=details_of(
            {
                "status": status,
                "detailed_status": as_text(run.get("conclusion")) or as_text(run.get("status")),
                "duration": _duration(run),
                "pipeline_source": as_text(run.get("event")),
                "workflow": workflow,
                "commit_sha": sha,
                "commit_title": first_line(as_raw(commit.get("message"))),
                "commit_url": _under(project, f"commit/{sha}") if sha else None,
                "commit_author": as_text(as_obj(commit.get("author")).get("name")),
                "source_branch": as_text(as_obj(pull.get("head")).get("ref")),
                "target_branch": as_text(as_obj(pull.get("base")).get("ref")),
                "merge_request_iid": number,
                "merge_request_url": _under(project, f"pull/{number}") if number else None,
            }
        ),
        occurred_at=first_time(run.get("updated_at"), run.get("created_at")),
    )


_WORKFLOW_RUN_REQUIRES = Required(
    "workflow_run", ("workflow_run.id", "workflow_run.status", REPOSITORY, SENDER)
)


def _parse_workflow_run(payload: JsonObject) -> Event:
    run = as_obj(payload.get("workflow_run"))
    workflow = as_obj(payload.get("workflow"))
    name = as_text(run.get("name")) or as_text(workflow.get("name")) or as_text(run.get("path"))
    key = as_text(run.get("workflow_id")) or as_text(workflow.get("id")) or as_text(run.get("path")) or name
    return _run_event(payload, run, name, key, as_opt(run.get("html_url")))


_CHECK_SUITE_REQUIRES = Required("check_suite", ("check_suite.id", "check_suite.status", REPOSITORY, SENDER))


def _parse_check_suite(payload: JsonObject) -> Event:
    suite = as_obj(payload.get("check_suite"))
    app = as_obj(suite.get("app"))
    name = as_text(app.get("name")) or as_text(app.get("slug"))
    project = repository_of(payload)
    sha = as_text(suite.get("head_sha"))
    url = _under(project, f"commit/{sha}/checks") if sha else project.url
    key = CHECK_SUITE_WORKFLOW + (as_text(app.get("id")) or name)
    return _run_event(payload, suite, name, key, url)


_JOB_TONES: dict[str, Tone] = {
    "success": Tone.SUCCESS,
    "failed": Tone.FAILURE,
    "manual": Tone.WARNING,
}

_CHECK_RUN_REQUIRES = Required(
    "check_run", ("check_run.id", "check_run.name", "check_run.status", REPOSITORY, SENDER)
)


def _parse_check_run(payload: JsonObject) -> Event:
    """One check run (a GitHub Actions job, or another app's check) as hookcast's job: the job
    that failed, which a workflow run's payload does not name."""
    run = as_obj(payload.get("check_run"))
    suite = as_obj(run.get("check_suite"))
    project = repository_of(payload)
    status = _run_status(run)
    branch = as_text(suite.get("head_branch"))
    sha = as_text(run.get("head_sha"))
    started, ended = github_time(run.get("started_at")), github_time(run.get("completed_at"))
    seconds = (ended - started).total_seconds() if started and ended else 0
    return Event(
        kind=EventKind.JOB,
        action=status,
        tone=_JOB_TONES.get(status, Tone.NEUTRAL),
        source=SOURCE,
        project=project,
        actor=person_of(payload.get("sender")),
        ref=f"refs/heads/{branch}" if branch else None,
        branch=branch or None,
        title=as_text(run.get("name")),
        url=as_opt(run.get("html_url")) or as_opt(run.get("details_url")),
        object_id=as_opt(run.get("id")),
        description=as_raw(as_obj(run.get("output")).get("summary")) if status == "failed" else "",
        details=details_of(
            {
                "status": status,
                "duration": as_seconds(seconds) if seconds > 0 else None,
                "pipeline_id": as_text(suite.get("id")),
                "commit_sha": sha,
            }
        ),
        occurred_at=first_time(run.get("completed_at"), run.get("started_at")),
    )


_DEPLOYMENT_REQUIRES = Required(
    "deployment_status", ("deployment_status.state", "deployment.id", REPOSITORY, SENDER)
)


def _parse_deployment_status(payload: JsonObject) -> Event | None:
    status_obj = as_obj(payload.get("deployment_status"))
    deployment = as_obj(payload.get("deployment"))
    status = _DEPLOYMENT_STATES.get(as_text(status_obj.get("state")))
    if status is None:
        return None
    project = repository_of(payload)
    environment = as_text(status_obj.get("environment")) or as_text(deployment.get("environment"))
    ref = as_text(deployment.get("ref"))
    sha = as_text(deployment.get("sha"))
    log_url = as_opt(status_obj.get("log_url")) or as_opt(status_obj.get("target_url"))
    creator = as_obj(status_obj.get("creator")) or as_obj(deployment.get("creator")) or payload.get("sender")
    return Event(
        kind=EventKind.DEPLOYMENT,
        action=status,
        tone=_DEPLOYMENT_TONES.get(status, Tone.NEUTRAL),
        source=SOURCE,
        project=project,
        actor=person_of(creator),
        ref=ref or None,
        branch=ref or None,
        title=environment,
        url=log_url or _under(project, "deployments"),
        object_id=as_opt(deployment.get("id")),
        description=as_raw(status_obj.get("description")),
        details=details_of(
            {
                "status": status,
                "environment": environment,
                "environment_url": as_text(status_obj.get("environment_url")),
                "deployable_url": log_url,
                "commit_sha": sha,
                "commit_url": _under(project, f"commit/{sha}") if sha else None,
            }
        ),
        occurred_at=first_time(status_obj.get("updated_at"), status_obj.get("created_at")),
    )


# GitHub tells one release several times (created as a draft, published, released); hookcast
# tells it once, when it is published, and its edits and deletion.
_RELEASE_ACTIONS: dict[str, str] = {"published": "create", "edited": "update", "deleted": "delete"}

_RELEASE_REQUIRES = Required("release", ("action", "release.tag_name", REPOSITORY, SENDER))


def _parse_release(payload: JsonObject) -> Event | None:
    action = _RELEASE_ACTIONS.get(as_text(payload.get("action")))
    if action is None:
        return None
    release = as_obj(payload.get("release"))
    tag = as_text(release.get("tag_name"))
    actor = person_of(release.get("author") or payload.get("sender"))
    assets = tuple(
        Item(title=as_text(asset.get("name")), url=as_opt(asset.get("browser_download_url")))
        for asset in as_objs(release.get("assets"))
        if as_text(asset.get("name"))
    )
    return Event(
        kind=EventKind.RELEASE,
        action=action,
        tone=Tone.SUCCESS,
        source=SOURCE,
        project=repository_of(payload),
        actor=actor,
        ref=f"refs/tags/{tag}",
        is_tag=True,
        title=as_text(release.get("name")) or tag,
        url=as_opt(release.get("html_url")),
        object_id=tag,
        description=as_raw(release.get("body")),
        details=details_of({"tag": tag, "released_at": as_text(release.get("published_at"))}),
        items=assets,
        total_items=len(assets),
        related_users=(RelatedUser(role=Role.RELEASER, person=actor),) if actor.is_someone else (),
        occurred_at=first_time(release.get("published_at"), release.get("created_at")),
    )


FAMILIES: dict[str, Family] = {
    "workflow_run": Family(_WORKFLOW_RUN_REQUIRES, _parse_workflow_run),
    "check_suite": Family(_CHECK_SUITE_REQUIRES, _parse_check_suite),
    "check_run": Family(_CHECK_RUN_REQUIRES, _parse_check_run),
    "deployment_status": Family(_DEPLOYMENT_REQUIRES, _parse_deployment_status),
    "release": Family(_RELEASE_REQUIRES, _parse_release),
}
