"""Hostile bytes that once made a 5xx: every one is a clear 4xx (or accepted and stored safely),
on SQLite and PostgreSQL, and the service stays healthy after each."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fixtures import load_fixture
from tests.integration.helpers import create_project

PUSH = json.loads(load_fixture("docs/push.json"))


async def project_token(client: httpx.AsyncClient) -> tuple[int, str]:
    return await create_project(client, name="hostile")


def push_with_message(message: str) -> bytes:
    body = json.loads(json.dumps(PUSH))
    body["commits"][0]["message"] = message
    return json.dumps(body).encode()


HOSTILE_BODIES = {
    "a lone surrogate": push_with_message("x").replace(b'"x"', b'"\\ud800"'),
    "a NUL escape": push_with_message("x").replace(b'"x"', b'"a\\u0000b"'),
    "a raw NUL byte": push_with_message("x").replace(b'"x"', b'"a\x00b"'),
    "deep nesting": b'{"object_kind": "push", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "invalid UTF-8": push_with_message("x").replace(b'"x"', b'"\xff\xfe"'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
async def test_gitlab_hostile_bodies_are_never_a_5xx(client: httpx.AsyncClient, case: str) -> None:
    _, token = await project_token(client)
    answer = await client.post(
        "/hooks/gitlab",
        content=HOSTILE_BODIES[case],
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    assert answer.status_code < 500, (case, answer.status_code, answer.text)
    assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
async def test_workflow_and_alertmanager_hostile_bodies_are_never_a_5xx(
    client: httpx.AsyncClient, case: str
) -> None:
    project_id, token = await project_token(client)
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for url in (f"/api/v1/projects/{project_id}/events", "/hooks/alertmanager"):
        answer = await client.post(url, content=HOSTILE_BODIES[case], headers=bearer)
        assert answer.status_code < 500, (case, url, answer.status_code, answer.text)


@pytest.mark.parametrize("token", ["tökén", "日本語", "\u202etoken", "x" * 5000])
async def test_strange_tokens_are_401_never_a_5xx(client: httpx.AsyncClient, token: str) -> None:
    encoded = token.encode("utf-8")
    answer = await client.post(
        "/hooks/gitlab",
        content=b"{}",
        headers=[(b"X-Gitlab-Token", encoded), (b"X-Gitlab-Event", b"Push Hook")],
    )
    assert answer.status_code == 401
    alert = await client.post(
        "/hooks/alertmanager", content=b"{}", headers=[(b"Authorization", b"Bearer " + encoded)]
    )
    assert alert.status_code == 401


@pytest.mark.parametrize("number", ["9223372036854775808", "99999999999999999999999", "-9223372036854775809"])
async def test_integers_over_64_bits_in_paths_and_queries_are_4xx(
    client: httpx.AsyncClient, number: str
) -> None:
    for path in (
        f"/api/v1/projects/{number}",
        f"/api/v1/webhooks/{number}",
        f"/api/v1/deliveries/{number}",
        f"/api/v1/people/{number}",
        f"/api/v1/projects/1/deliveries?before_id={number}",
    ):
        answer = await client.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
