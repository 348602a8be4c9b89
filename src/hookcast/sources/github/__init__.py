"""GitHub webhooks -> canonical Events: the entry point and the dispatch to one parser per family.

The contract is GitHub's webhook documentation (docs.github.com, "Webhook events and payloads"
and "Validating webhook deliveries", read 2026-11): the event's name is in ``X-GitHub-Event``,
its id in ``X-GitHub-Delivery`` (the idempotency key), the body is JSON, or, when the hook's
content type is ``application/x-www-form-urlencoded``, a form whose ``payload`` field is that
JSON. The signature (``X-Hub-Signature-256``) is checked before this parser sees a byte
(`hookcast.sources.signatures.HubSignature`). The test bodies are GitHub's documented
examples as published by octokit/webhooks (tests/data/github/README.md).

The parsers live along the seams the renderers use: ``code.py`` (push, create, delete, pull
request, its reviews and review comments), ``issues.py`` (issues, issue comments, discussions
and their comments), ``ci.py`` (workflow runs, check suites, check runs, deployment statuses,
releases); what they share is in ``common.py``. Untrusted JSON is read with
`hookcast.sources.tolerant`, what each event must carry is declared with
`hookcast.sources.required.Required`, and `hookcast.sources.caps` cuts the result last.

GitHub's events on hookcast's kinds (``Event.source`` is ``github``; renderers use GitHub's
words — pull request, workflow run, check suite — where GitLab's differ):

===========================  ===============  =================================================
GitHub event (action)        kind             action
===========================  ===============  =================================================
push to a branch             push             ``pushed``, ``force_pushed``, ``created_branch``,
                                              ``removed_branch``
push to a tag                tag_push         ``pushed``, ``removed``
create / delete (branch)     push             ``created_branch`` / ``removed_branch``
create / delete (tag)        tag_push         ``pushed`` / ``removed``
pull_request                 merge_request    ``open``, ``close``, ``merge`` (closed + merged),
                                              ``reopen``, ``ready_for_review``,
                                              ``review_requested`` (the requested reviewer:
                                              REVIEWER), ``synchronize``; the rest ``update``
pull_request_review          merge_request    ``approved`` (APPROVER), ``changes_requested``,
(submitted)                                   ``reviewed`` (commented); others ignored
pull_request_review_comment  note             ``create`` / ``update`` (noteable PullRequest)
issues                       issue            ``open``, ``close``, ``reopen``, ``delete``; the
                                              rest ``update`` (``changed`` = GitHub's action)
issue_comment                note             ``create`` / ``update``, on an Issue or a
                                              PullRequest
discussion                   issue            as issues, plus ``answered``; ``work_item_type``
                                              ``Discussion``
discussion_comment           note             ``create`` / ``update`` (noteable Discussion)
workflow_run, check_suite    pipeline         the result in pipeline words: ``success``,
                                              ``failed`` (failure, timed_out, startup_failure),
                                              ``canceled``, ``skipped`` (skipped, neutral,
                                              stale), ``manual`` (action_required); ``pending``
                                              / ``running`` before it completes
check_run                    job              the same words, for one job (GitHub Actions) or
                                              check; the failing job a workflow run does not
                                              name
deployment_status            deployment       ``success``, ``failed`` (failure, error),
                                              ``running``, ``pending``; ``inactive`` ignored
release                      release          ``create`` (published), ``update``, ``delete``;
                                              created / released / prereleased ignored (one
                                              release is told once)
ping                         —                ignored (answered 202 and recorded)
anything else                —                ignored
===========================  ===============  =================================================

``object_id`` is what a living message follows: a pull request's or issue's number, a run's or
suite's id, a deployment's id, a release's tag, a comment's id. People are GitHub accounts: the
login is the username (the directory's "GitHub login" matches it for mentions and direct
messages). Details use the keys GitLab's parsers write (`hookcast.sources.gitlab`) with the
same meaning, plus ``workflow`` (a run's workflow id, or ``check_suite:<app id>``), which
keeps the "fixed / still failing" memory of each workflow apart.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.caps import capped
from hookcast.sources.github import ci, code, issues
from hookcast.sources.github.common import Family
from hookcast.sources.tolerant import as_text, clip, decode_json_object

__all__ = ["FORM", "parse_github"]

FORM = "application/x-www-form-urlencoded"
_MAX_FORM_FIELDS = 16

_FAMILIES: dict[str, Family] = {**code.FAMILIES, **issues.FAMILIES, **ci.FAMILIES}


def parse_github(
    event_header: str | None, body: bytes, *, content_type: str | None = None, delivery: str | None = None
) -> ParseResult:
    """Parse one GitHub webhook request into an `Event`, a `Rejection` or `Ignored`."""
    json_body = _json_bytes(body, content_type)
    if isinstance(json_body, Rejection):
        return json_body
    payload = decode_json_object(json_body)
    if isinstance(payload, Rejection):
        return payload
    name = (event_header or "").strip().lower()
    if not name:
        return Rejection(400, "missing X-GitHub-Event header")
    if name == "ping":
        return Ignored(f"ping: {clip(as_text(payload.get('zen')))}".rstrip(": "))
    family = _FAMILIES.get(name)
    if family is None:
        return Ignored(f"unsupported GitHub event {clip(name)!r}")
    lacking = family.required.check(payload)
    if lacking is not None:
        return lacking
    try:
        event = family.parse(payload)
    except Exception as error:  # a last guard: a parser bug must not turn into a 500
        return Rejection(400, f"unreadable GitHub {name} payload ({type(error).__name__})")
    if event is None:
        return Ignored(f"GitHub {name} {clip(as_text(payload.get('action')))!r} is not notified")
    event = capped(event)
    return event.model_copy(update={"source_id": delivery}) if delivery else event


def _json_bytes(body: bytes, content_type: str | None) -> bytes | Rejection:
    """The JSON of the body: the body itself, or the ``payload`` field of a form body."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != FORM:
        return body
    try:
        form = parse_qs(
            body.decode("ascii"), strict_parsing=False, max_num_fields=_MAX_FORM_FIELDS, errors="strict"
        )
    except (UnicodeDecodeError, ValueError) as error:
        return Rejection(400, f"malformed form body: {clip(str(error))}")
    values = form.get("payload")
    if not values:
        return Rejection(422, "payload: a form body must carry the event's JSON in its payload field")
    return values[0].encode("utf-8")
