"""Pipelines, jobs, deployments and releases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hookcast.events import CHECK_SUITE_WORKFLOW, Event, PipelineChange, Role, pipeline_change
from hookcast.messages.common import (
    GITHUB,
    actor_name,
    branch_segment,
    canonical_action,
    commit_segment,
    compose,
    description_lines,
    first_line,
    format_duration,
    item_lines,
    join_names,
    link_or_text,
    people_with_role,
    project_segment,
    sentence,
    status_name,
    tag_url,
    text_field,
)
from hookcast.messages.i18n import N_, Translator
from hookcast.messages.model import Line, Mention, Message, MessageField, Segment, Text

# Pipelines and jobs share their titles; ``{subject}`` is "Pipeline #31" or "Job rspec".
_CI_TITLES: Mapping[str, str] = {
    "passed": N_("{subject} passed on {ref}"),
    "failed": N_("{subject} failed on {ref}"),
    "canceled": N_("{subject} was canceled on {ref}"),
    "running": N_("{subject} is running on {ref}"),
    "pending": N_("{subject} is pending on {ref}"),
    "skipped": N_("{subject} was skipped on {ref}"),
    "manual": N_("{subject} is waiting for a manual action on {ref}"),
}

# A pipeline that changed its ref's state says so first (`events.pipeline_change`); a first
# breakage keeps the plain "failed" title.
_PIPELINE_CHANGE_TITLES: Mapping[PipelineChange, str] = {
    PipelineChange.FIXED: N_("Fixed: {subject} passed on {ref}"),
    PipelineChange.STILL_FAILING: N_("Still failing: {subject} failed on {ref}"),
}

_CI_STATUS_SYNONYMS: Mapping[str, str] = {
    "success": "passed",
    "succeeded": "passed",
    "failure": "failed",
    "cancelled": "canceled",
    "canceling": "canceled",
    "created": "pending",
    "waiting_for_resource": "pending",
    "preparing": "pending",
    "scheduled": "pending",
}

_DEPLOYMENT_TITLES: Mapping[str, str] = {
    "running": N_("Deployment to {environment} started"),
    "passed": N_("Deployment to {environment} succeeded"),
    "failed": N_("Deployment to {environment} failed"),
    "canceled": N_("Deployment to {environment} was canceled"),
    "pending": N_("Deployment to {environment} is pending"),
}

_RELEASE_TITLES: Mapping[str, str] = {
    "created": N_("{actor} released {release}"),
    "updated": N_("{actor} updated release {release}"),
    "deleted": N_("{actor} deleted release {release}"),
}

# When the payload names nobody (GitLab's release hook has no user).
_PASSIVE_RELEASE_TITLES: Mapping[str, str] = {
    "created": N_("Release {release} was published"),
    "updated": N_("Release {release} was updated"),
    "deleted": N_("Release {release} was deleted"),
}

_FAILURE_REASONS: Mapping[str, str] = {
    "script_failure": N_("Script failure"),
    "runner_system_failure": N_("Runner system failure"),
    "stuck_or_timeout_failure": N_("Stuck or timed out"),
    "job_execution_timeout": N_("Job timed out"),
    "api_failure": N_("API failure"),
    "missing_dependency_failure": N_("Missing dependency"),
    "runner_unsupported": N_("Runner unsupported"),
    "scheduler_failure": N_("Scheduler failure"),
    "data_integrity_failure": N_("Data integrity failure"),
    "unknown_failure": N_("Unknown failure"),
}


def ci_status(event: Event) -> str:
    """The pipeline / job / deployment status in one spelling (``success`` -> ``passed``)."""
    raw = (event.detail("status") or event.action or "").strip().lower()
    return _CI_STATUS_SYNONYMS.get(raw, raw)


def ci_ref(event: Event) -> str:
    ref = event.ref or event.branch or ""
    return ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


def ref_segment(event: Event, ref: str) -> Segment:
    if event.is_tag:
        return link_or_text(ref, tag_url(event, ref), code=True)
    return branch_segment(event, ref)


def failure_reason(event: Event, t: Translator) -> str:
    return reason_name(event.detail("failure_reason"), t)


def reason_name(reason: str | None, t: Translator) -> str:
    """GitLab's ``failure_reason`` in words (an unknown one with its underscores as spaces)."""
    if not reason:
        return ""
    known = _FAILURE_REASONS.get(reason.lower())
    return t.gettext(known) if known else reason.replace("_", " ")


def _ci_title(event: Event, t: Translator, subject: str) -> str:
    status = ci_status(event)
    ref = ci_ref(event) or event.project.name
    change = pipeline_change(event)
    if change is not None and change in _PIPELINE_CHANGE_TITLES:
        return t.format(_PIPELINE_CHANGE_TITLES[change], subject=subject, ref=ref)
    if status in _CI_TITLES:
        return t.format(_CI_TITLES[status], subject=subject, ref=ref)
    return t.format("{subject} on {ref}: {status}", subject=subject, ref=ref, status=status_name(status, t))


def pipeline_subject(event: Event, t: Translator) -> str:
    """ "Pipeline #31"; GitHub's words: "Workflow run test", "Check suite Super CI"."""
    if event.source == GITHUB:
        if (event.detail("workflow") or "").startswith(CHECK_SUITE_WORKFLOW):
            return t.format("Check suite {name}", name=event.title)
        return t.format("Workflow run {name}", name=event.title)
    return t.format("Pipeline {number}", number=f"#{event.object_id}" if event.object_id else "").strip()


def job_name(event: Event) -> str:
    return event.title


def job_subject(event: Event, t: Translator) -> str:
    """ "Job rspec"; GitHub's words: "Check run build"."""
    if event.source == GITHUB:
        return t.format("Check run {name}", name=job_name(event))
    return t.format("Job {name}", name=job_name(event))


def _ref_field(event: Event, t: Translator) -> MessageField | None:
    ref = ci_ref(event)
    if not ref:
        return None
    label = t.gettext("Tag") if event.is_tag else t.gettext("Branch")
    return MessageField(label, (ref_segment(event, ref),))


def _commit_field(event: Event, t: Translator) -> MessageField | None:
    sha = event.detail("commit_sha")
    return MessageField(t.gettext("Commit"), (commit_segment(event, sha),)) if sha else None


def _commit_title_line(event: Event) -> Line:
    title = first_line(event.detail("commit_title") or "")
    sha = event.detail("commit_sha")
    if not title:
        return ()
    if sha:
        return (commit_segment(event, sha), Text(" " + title))
    return (Text(title),)


def _status_field(event: Event, t: Translator) -> MessageField | None:
    return text_field(t.gettext("Status"), status_name(event.detail("status") or event.action, t))


def _jobs_header(event: Event, t: Translator) -> Line:
    if not event.items:
        return ()
    if any(ci_status_of(item.status) == "failed" for item in event.items):
        return (Text(t.gettext("Failed jobs:"), bold=True),)
    return (Text(t.gettext("Jobs:"), bold=True),)


def ci_status_of(status: str | None) -> str:
    raw = (status or "").lower()
    return _CI_STATUS_SYNONYMS.get(raw, raw)


def _merge_request_line(event: Event, t: Translator) -> Line:
    iid = event.detail("merge_request_iid")
    if not iid:
        return ()
    github = event.source == GITHUB
    text = " ".join(
        part
        for part in (
            f"#{iid}" if github else f"!{iid}",
            first_line(event.detail("merge_request_title") or ""),
        )
        if part
    )
    if github:
        return sentence(t, "Pull request {pr}", pr=link_or_text(text, event.detail("merge_request_url")))
    return sentence(t, "Merge request {mr}", mr=link_or_text(text, event.detail("merge_request_url")))


def render_pipeline(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    subject = pipeline_subject(event, t)
    ref = ci_ref(event)
    context = (
        sentence(
            t,
            "{pipeline} for {ref} in {project}",
            pipeline=link_or_text(subject, event.url),
            ref=ref_segment(event, ref),
            project=project_segment(event),
        )
        if ref
        else sentence(
            t,
            "{pipeline} in {project}",
            pipeline=link_or_text(subject, event.url),
            project=project_segment(event),
        )
    )
    lines = [
        context,
        _merge_request_line(event, t),
        _commit_title_line(event),
        _jobs_header(event, t),
        *item_lines(event, t, explain=lambda job: reason_name(job.failure_reason, t)),
    ]
    fields = [
        _status_field(event, t),
        _ref_field(event, t),
        _commit_field(event, t),
        text_field(t.gettext("Commit author"), event.detail("commit_author")),
        text_field(t.gettext("Triggered by"), actor_name(event, t)),
        text_field(t.gettext("Duration"), format_duration(event.detail("duration"), t)),
        text_field(t.gettext("Source"), event.detail("pipeline_source")),
    ]
    return compose(
        event, t, title=_ci_title(event, t, subject), lines=lines, fields=fields, mentions=mentions
    )


def render_job(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    ref = ci_ref(event)
    job = link_or_text(job_name(event), event.url, code=True)
    context = (
        sentence(
            t,
            "Job {job} for {ref} in {project}",
            job=job,
            ref=ref_segment(event, ref),
            project=project_segment(event),
        )
        if ref
        else sentence(t, "Job {job} in {project}", job=job, project=project_segment(event))
    )
    lines = [context, _commit_title_line(event), *item_lines(event, t)]
    fields = [
        _status_field(event, t),
        text_field(t.gettext("Stage"), event.detail("stage")),
        _ref_field(event, t),
        _commit_field(event, t),
        text_field(t.gettext("Duration"), format_duration(event.detail("duration"), t)),
        text_field(t.gettext("Failure reason"), failure_reason(event, t)),
        text_field(t.gettext("Triggered by"), actor_name(event, t)),
    ]
    return compose(
        event,
        t,
        title=_ci_title(event, t, job_subject(event, t)),
        lines=lines,
        fields=fields,
        mentions=mentions,
    )


def _environment(event: Event) -> str:
    return event.detail("environment") or event.title or ""


def deployment_status_name(event: Event, t: Translator) -> str:
    if ci_status(event) == "passed":
        return t.gettext("Succeeded")
    return status_name(event.detail("status") or event.action, t)


def deployment_title(event: Event, t: Translator) -> str:
    status = ci_status(event)
    environment = _environment(event)
    if status in _DEPLOYMENT_TITLES:
        return t.format(_DEPLOYMENT_TITLES[status], environment=environment)
    return t.format(
        "Deployment to {environment}: {status}", environment=environment, status=status_name(status, t)
    )


def render_deployment(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    environment = _environment(event)
    environment_segment = link_or_text(environment, event.detail("environment_url"))
    ref = ci_ref(event)
    lines = [
        sentence(
            t,
            "Deployment of {ref} to {environment} in {project}",
            ref=ref_segment(event, ref),
            environment=environment_segment,
            project=project_segment(event),
        )
        if ref
        else sentence(
            t,
            "Deployment to {environment} in {project}",
            environment=environment_segment,
            project=project_segment(event),
        ),
        _commit_title_line(event),
    ]
    fields = [
        MessageField(t.gettext("Environment"), (environment_segment,)) if environment else None,
        text_field(t.gettext("Status"), deployment_status_name(event, t)),
        _ref_field(event, t),
        _commit_field(event, t),
        text_field(t.gettext("Deployed by"), actor_name(event, t)),
    ]
    return compose(event, t, title=deployment_title(event, t), lines=lines, fields=fields, mentions=mentions)


def release_name(event: Event) -> str:
    return first_line(event.title) or event.detail("tag") or ""


def release_title(event: Event, t: Translator) -> str:
    action = canonical_action(event.action or "created")
    name = release_name(event)
    known_actor = bool(event.actor.name or event.actor.username)
    if action in _RELEASE_TITLES and known_actor:
        return t.format(_RELEASE_TITLES[action], actor=actor_name(event, t), release=name)
    if action in _PASSIVE_RELEASE_TITLES:
        return t.format(_PASSIVE_RELEASE_TITLES[action], release=name)
    return t.format("Release {release}: {action}", release=name, action=event.action)


def render_release(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    tag = event.detail("tag") or ci_ref(event)
    tag_segment = link_or_text(tag, tag_url(event, tag), code=True) if tag else None
    releasers = join_names(people_with_role(event, Role.RELEASER)) or event.actor.name or event.actor.username
    lines = [
        sentence(
            t,
            "Release {release} in {project}",
            release=link_or_text(release_name(event), event.url),
            project=project_segment(event),
        ),
        *description_lines(event.description),
        *item_lines(event, t),
    ]
    fields = [
        MessageField(t.gettext("Tag"), (tag_segment,)) if tag_segment else None,
        _commit_field(event, t),
        text_field(t.gettext("Released by"), releasers),
    ]
    return compose(event, t, title=release_title(event, t), lines=lines, fields=fields, mentions=mentions)
