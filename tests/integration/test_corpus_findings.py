"""What the bad-input corpus (test_bad_input_corpus.py) found, one regression test each, on
SQLite and PostgreSQL: each was a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.helpers import create_project
from tests.integration.ui_helpers import UiClient

LONE_SURROGATE = b"\\ud800"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/projects", b'{"name": "' + LONE_SURROGATE + b'"}'),
        ("POST", "/api/v1/people", b'{"name": "' + LONE_SURROGATE + b'", "gitlab_username": "x"}'),
        ("PUT", "/api/v1/feishu-bot/feishu/keys", b'{"verification_token": "' + LONE_SURROGATE + b'"}'),
    ],
)
async def test_a_lone_surrogate_in_an_api_body_is_a_422_that_can_be_sent(
    client: httpx.AsyncClient, method: str, path: str, body: bytes
) -> None:
    """The validation error quoted the input back, and a lone surrogate cannot be encoded."""
    answer = await client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][0] == "body"


async def test_a_lone_surrogate_in_a_patch_changes_nothing(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="kept")
    answer = await client.patch(
        f"/api/v1/projects/{project_id}",
        content=b'{"name": "' + LONE_SURROGATE + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert (await client.get(f"/api/v1/projects/{project_id}")).json()["name"] == "kept"


async def test_a_static_file_name_too_long_for_the_file_system_is_a_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/ui/static/" + "a" * 5000 + ".css")
    assert answer.status_code == 404


async def test_a_people_csv_with_a_huge_field_is_reported_not_a_500(client: httpx.AsyncClient) -> None:
    csv = "name,gitlab_username\n" + "x" * 200_000 + ",ann\n"
    answer = await client.post(
        "/api/v1/people/import", content=csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 0
    assert [error["line"] for error in answer.json()["errors"]] == [2]


NUL_BODIES = [
    ("POST", "/api/v1/projects", {"name": "a\x00b"}),
    ("POST", "/api/v1/people", {"name": "a\x00b", "gitlab_username": "nul"}),
    ("POST", "/api/v1/people", {"name": "x", "gitlab_username": "nul", "platform_ids": {"slack": "U\x00"}}),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_BODIES)
async def test_a_nul_in_management_input_is_a_422(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, object]
) -> None:
    """PostgreSQL's text cannot hold U+0000 (it was a 500 there, and stored on SQLite)."""
    answer = await client.request(method, path, json=body)
    assert answer.status_code == 422, answer.text
    assert "NUL" in answer.text


async def test_a_nul_in_a_patch_changes_nothing(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="unchanged")
    answer = await client.patch(f"/api/v1/projects/{project_id}", json={"name": "a\x00b"})
    assert answer.status_code == 422, answer.text
    assert (await client.get(f"/api/v1/projects/{project_id}")).json()["name"] == "unchanged"


async def test_a_nul_in_a_csv_row_is_a_row_error(client: httpx.AsyncClient) -> None:
    csv = "name,gitlab_username\nAnn,ann\nB\x00b,bob\n"
    answer = await client.post(
        "/api/v1/people/import", content=csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 1
    assert [error["line"] for error in answer.json()["errors"]] == [3]


@pytest.mark.parametrize("path", ["/ui/projects", "/ui/tokens", "/ui/people"])
async def test_a_nul_in_a_ui_form_is_shown_as_an_error(ui: UiClient, path: str) -> None:
    await ui.get(path)
    answer = await ui.post(path, {"name": "a\x00b", "gitlab_username": "nul"})
    assert answer.status_code == 422, answer.text
    assert "NUL character" in answer.text
