"""GitLab's CI/CD events: pipelines, jobs, deployments and releases (`messages/gitlab_ci.py`)."""

from __future__ import annotations

from hookcast.events import Event, EventKind, Item, ProjectRef, RelatedUser, Role, Tone, details_of
from hookcast.sources.gitlab.common import (
    Family,
    Hook,
    branch_of,
    commit_title,
    first_time,
    parse_gitlab_time,
    person_of,
    project_of,
    tag_of,
    under,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import (
    JsonObject,
    as_int,
    as_obj,
    as_objs,
    as_opt,
    as_raw,
    as_seconds,
    as_text,
    as_texts,
    joined,
)

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


def _failed_jobs(payload: JsonObject, project: ProjectRef, stages: list[str]) -> tuple[Item, ...]:
    failed = [build for build in as_objs(payload.get("builds")) if as_text(build.get("status")) == "failed"]

    def order(build: JsonObject) -> tuple[int, int]:
        stage = as_text(build.get("stage"))
        return (stages.index(stage) if stage in stages else len(stages), as_int(build.get("id")) or 0)

    return tuple(
        Item(
            title=as_text(build.get("name")) or f"job {as_text(build.get('id'))}",
            url=under(project, f"-/jobs/{as_text(build.get('id'))}") if as_text(build.get("id")) else None,
            id=as_opt(build.get("id")),
            status="failed",
            stage=as_text(build.get("stage")) or None,
            failure_reason=as_text(build.get("failure_reason")) or None,
        )
        for build in sorted(failed, key=order)
    )


_PIPELINE_REQUIRES = Required(
    "pipeline", ("object_attributes.status", "object_attributes.ref", "project.path_with_namespace")
)


def _parse_pipeline(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    project = project_of(payload)
    status = as_text(attrs.get("status"))
    ref = as_text(attrs.get("ref"))
    is_tag = attrs.get("tag") is True
    pipeline_id = as_text(attrs.get("id"))
    stages = as_texts(attrs.get("stages"))
    commit = as_obj(payload.get("commit"))
    merge_request = as_obj(payload.get("merge_request"))
    items = _failed_jobs(payload, project, stages)
    return Event(
        kind=EventKind.PIPELINE,
        action=status,
        tone=_PIPELINE_TONES.get(status, Tone.NEUTRAL),
        project=project,
        actor=person_of(payload.get("user")),
        ref=ref or None,
        branch=None if is_tag or not ref else branch_of(ref),
        is_tag=is_tag,
        title=as_text(attrs.get("name")) or (f"Pipeline #{pipeline_id}" if pipeline_id else "Pipeline"),
        url=as_opt(attrs.get("url"))
        or (under(project, f"-/pipelines/{pipeline_id}") if pipeline_id else None),
        object_id=pipeline_id or None,
        details=details_of(
            {
                "status": status,
                "detailed_status": as_text(attrs.get("detailed_status")),
                "duration": as_seconds(attrs.get("duration")),
                "queued_duration": as_seconds(attrs.get("queued_duration")),
                "pipeline_source": as_text(attrs.get("source")),
                "stages": joined(stages),
                "commit_sha": as_text(attrs.get("sha")) or as_text(commit.get("id")),
                "commit_title": commit_title(commit),
                "commit_url": as_text(commit.get("url")),
                "commit_author": as_text(as_obj(commit.get("author")).get("name")),
                "tag": tag_of(ref) if is_tag else None,
                "source_branch": as_text(merge_request.get("source_branch")),
                "target_branch": as_text(merge_request.get("target_branch")),
                "merge_request_iid": as_text(merge_request.get("iid")),
                "merge_request_title": as_text(merge_request.get("title")),
                "merge_request_url": as_text(merge_request.get("url")),
            }
        ),
        items=items,
        total_items=len(items),
        occurred_at=first_time(attrs.get("finished_at"), attrs.get("created_at")),
    )


def _job_tone(status: str, allow_failure: bool) -> Tone:
    if status == "failed":
        return Tone.WARNING if allow_failure else Tone.FAILURE
    if status == "success":
        return Tone.SUCCESS
    return Tone.WARNING if status == "manual" else Tone.NEUTRAL


def _job_project(payload: JsonObject) -> ProjectRef:
    project = project_of(payload)
    if project.path_with_namespace:
        return project
    return ProjectRef(name=as_text(payload.get("project_name")))


# A job hook may name its project only by project_name (older GitLab sends no project object).
_JOB_REQUIRES = Required(
    "job", ("build_id", "build_name", "build_status", "ref", "project.path_with_namespace | project_name")
)


def _parse_job(payload: JsonObject, hook: Hook) -> Event:
    project = _job_project(payload)
    status = as_text(payload.get("build_status"))
    ref = as_text(payload.get("ref"))
    is_tag = payload.get("tag") is True
    job_id = as_text(payload.get("build_id"))
    allow_failure = payload.get("build_allow_failure") is True
    commit = as_obj(payload.get("commit"))
    return Event(
        kind=EventKind.JOB,
        action=status,
        tone=_job_tone(status, allow_failure),
        project=project,
        actor=person_of(payload.get("user")),
        ref=ref or None,
        branch=None if is_tag or not ref else branch_of(ref),
        is_tag=is_tag,
        title=as_text(payload.get("build_name")) or (f"Job #{job_id}" if job_id else "Job"),
        url=under(project, f"-/jobs/{job_id}") if job_id else None,
        object_id=job_id or None,
        details=details_of(
            {
                "status": status,
                "stage": as_text(payload.get("build_stage")),
                "failure_reason": as_text(payload.get("build_failure_reason"))
                if status == "failed"
                else None,
                "allow_failure": "true" if allow_failure else None,
                "duration": as_seconds(payload.get("build_duration")),
                "queued_duration": as_seconds(payload.get("build_queued_duration")),
                "pipeline_id": as_text(payload.get("pipeline_id")),
                "retries_count": as_text(payload.get("retries_count")),
                "commit_sha": as_text(payload.get("sha")) or as_text(commit.get("sha")),
                "commit_title": commit_title(commit),
                "environment": as_text(as_obj(payload.get("environment")).get("name")),
                "tag": tag_of(ref) if is_tag else None,
            }
        ),
        occurred_at=first_time(
            payload.get("build_finished_at"), payload.get("build_started_at"), payload.get("build_created_at")
        ),
    )


_DEPLOYMENT_REQUIRES = Required(
    "deployment", ("status", "environment", "project.path_with_namespace | deployable_url")
)


def _parse_deployment(payload: JsonObject, hook: Hook) -> Event:
    status = as_text(payload.get("status"))
    environment = as_text(payload.get("environment"))
    ref = as_text(payload.get("ref"))
    deployable_url = as_opt(payload.get("deployable_url"))
    return Event(
        kind=EventKind.DEPLOYMENT,
        action=status,
        tone=_DEPLOYMENT_TONES.get(status, Tone.NEUTRAL),
        project=project_of(payload, deployable_url),
        actor=person_of(payload.get("user")),
        ref=ref or None,
        branch=branch_of(ref) or None,
        title=environment,
        url=deployable_url or as_opt(payload.get("environment_external_url")),
        object_id=as_opt(payload.get("deployment_id")),
        details=details_of(
            {
                "status": status,
                "environment": environment,
                "environment_tier": as_text(payload.get("environment_tier")),
                "environment_url": as_text(payload.get("environment_external_url")),
                "deployable_url": deployable_url,
                "commit_sha": as_text(payload.get("short_sha")),
                "commit_title": as_text(payload.get("commit_title")),
                "commit_url": as_text(payload.get("commit_url")),
            }
        ),
        occurred_at=parse_gitlab_time(payload.get("status_changed_at")),
    )


_RELEASE_REQUIRES = Required("release", ("tag", "action", "project.path_with_namespace | url"))


def _parse_release(payload: JsonObject, hook: Hook) -> Event:
    tag = as_text(payload.get("tag"))
    url = as_opt(payload.get("url"))
    links = as_objs(as_obj(payload.get("assets")).get("links"))
    items = tuple(
        Item(title=as_text(link.get("name")) or as_text(link.get("url")), url=as_opt(link.get("url")))
        for link in links
        if as_text(link.get("name")) or as_text(link.get("url"))
    )
    user = as_obj(payload.get("user"))
    actor = person_of(user)
    commit = as_obj(payload.get("commit"))
    return Event(
        kind=EventKind.RELEASE,
        action=as_text(payload.get("action")),
        tone=Tone.SUCCESS,
        project=project_of(payload, url),
        actor=actor,
        ref=tag or None,
        is_tag=bool(tag),
        title=as_text(payload.get("name")) or tag,
        url=url,
        object_id=tag or None,
        description=as_raw(payload.get("description")),
        details=details_of(
            {
                "tag": tag,
                "released_at": as_text(payload.get("released_at")),
                "commit_sha": as_text(commit.get("id")),
                "commit_url": as_text(commit.get("url")),
            }
        ),
        items=items,
        total_items=len(items),
        related_users=(RelatedUser(role=Role.RELEASER, person=actor),) if actor.is_someone else (),
        occurred_at=first_time(payload.get("created_at"), payload.get("released_at")),
    )


FAMILIES: dict[str, Family] = {
    "pipeline": Family(_PIPELINE_REQUIRES, _parse_pipeline),
    "job": Family(_JOB_REQUIRES, _parse_job),
    "deployment": Family(_DEPLOYMENT_REQUIRES, _parse_deployment),
    "release": Family(_RELEASE_REQUIRES, _parse_release),
}
