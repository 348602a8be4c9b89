"""Every inbound source hookcast receives, declared once: the inbound routes are generated from
`SOURCES` (`hookcast.web.inbound.routes`). Each declaration adapts its parser to the one
signature (`hookcast.sources.base.Parser`)."""

from __future__ import annotations

from typing import Any

from hookcast.sources import ParseResult
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.base import BearerToken, Headers, HeaderToken, IdempotencyKey, Route, Source
from hookcast.sources.cloudevents import STRUCTURED, is_cloudevent, parse_cloudevent
from hookcast.sources.github import FORM, parse_github
from hookcast.sources.gitlab import parse_gitlab
from hookcast.sources.signatures import HubSignature, StandardWebhookSignature
from hookcast.sources.workflow import WorkflowEventIn, parse_workflow

IDEMPOTENCY_KEY = "idempotency-key"


def parse_gitlab_request(headers: Headers, body: bytes) -> ParseResult:
    """The hook kind is in ``X-Gitlab-Event``; ``X-Gitlab-Event-UUID`` becomes the event's id."""
    return parse_gitlab(headers.get("x-gitlab-event"), body, event_uuid=headers.get("x-gitlab-event-uuid"))


def parse_github_request(headers: Headers, body: bytes) -> ParseResult:
    """The event's name is in ``X-GitHub-Event``, its id in ``X-GitHub-Delivery``; a form body
    carries the JSON in its ``payload`` field."""
    return parse_github(
        headers.get("x-github-event"),
        body,
        content_type=headers.get("content-type"),
        delivery=headers.get("x-github-delivery"),
    )


def parse_alertmanager_request(_headers: Headers, body: bytes) -> ParseResult:
    return parse_alertmanager(body)


def parse_workflow_request(_headers: Headers, body: bytes) -> ParseResult:
    return parse_workflow(body)


# The token says which project; a project with a signing secret also requires GitLab's
# signature (its webhook signing token, Standard Webhooks), so a leaked token or a captured
# request is not enough.
GITLAB = Source(
    name="gitlab",
    route=Route("/hooks/gitlab", "Receive a GitLab webhook"),
    auth=HeaderToken("x-gitlab-token", signed_when_set=StandardWebhookSignature()),
    idempotency=IdempotencyKey(headers=("x-gitlab-event-uuid", IDEMPOTENCY_KEY)),
    parse=parse_gitlab_request,
    reads_headers=("x-gitlab-event",),
)

# GitHub signs its bodies and sends no token, so the route names the project.
GITHUB = Source(
    name="github",
    route=Route("/hooks/github/{project_id}", "Receive a GitHub webhook"),
    auth=HubSignature(),
    idempotency=IdempotencyKey(headers=("x-github-delivery",)),
    parse=parse_github_request,
    reads_headers=("x-github-event", "content-type"),
    bodies={
        "application/json": {"type": "object", "description": "A GitHub webhook event."},
        FORM: {
            "type": "object",
            "properties": {"payload": {"type": "string", "description": "The event's JSON."}},
        },
    },
)

# The header only, as before: a notification re-sent without one is stored again.
ALERTMANAGER = Source(
    name="alertmanager",
    route=Route("/hooks/alertmanager", "Receive an Alertmanager webhook"),
    auth=BearerToken(),
    idempotency=IdempotencyKey(headers=(IDEMPOTENCY_KEY,)),
    parse=parse_alertmanager_request,
)

# Issue-workflow events: hookcast's JSON schema, or the same carried by a CloudEvent. One route;
# the CloudEvents headers pick the parser. The project's token or an admin API token may post.
WORKFLOW_ROUTE = Route(
    "/api/v1/projects/{project_id}/events", "Receive an issue-workflow event (JSON or CloudEvents)"
)
WORKFLOW_AUTH = BearerToken(admin=True)

_CLOUDEVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A CloudEvents 1.0 envelope whose data is the workflow event "
    "(without id and type, taken from the envelope).",
    "required": ["specversion", "id", "source", "type"],
}

CLOUDEVENTS = Source(
    name="cloudevents",
    route=WORKFLOW_ROUTE,
    auth=WORKFLOW_AUTH,
    # The envelope's id; a CloudEvent of another type is ignored under its ce-id (binary mode).
    idempotency=IdempotencyKey(headers=("ce-id",), from_event=True),
    parse=parse_cloudevent,
    claims=is_cloudevent,
    names_unnamed_project=True,
    bodies={STRUCTURED: _CLOUDEVENT_SCHEMA},
    refusals={415: "Unsupported CloudEvents mode or data type"},
)

WORKFLOW = Source(
    name="workflow",
    route=WORKFLOW_ROUTE,
    auth=WORKFLOW_AUTH,
    idempotency=IdempotencyKey(from_event=True),
    parse=parse_workflow_request,
    names_unnamed_project=True,
    bodies={"application/json": WorkflowEventIn.model_json_schema()},
    refusals={422: "The body does not follow the schema"},
)

# Sources sharing a route are tried in this order; the one without `claims` comes last.
SOURCES: tuple[Source, ...] = (GITLAB, GITHUB, ALERTMANAGER, CLOUDEVENTS, WORKFLOW)
SOURCES_BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
