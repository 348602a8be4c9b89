"""Every unsafe UI request needs the form token of the browser and its session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.ui_helpers import UiClient, ui_client

UNSAFE = [
    "/ui/sign-in",
    "/ui/sign-out",
    "/ui/projects",
    "/ui/projects/1/rename",
    "/ui/projects/1/rotate-token",
    "/ui/projects/1/signing-secret",
    "/ui/projects/1/signing-secret/remove",
    "/ui/projects/1/delete",
    "/ui/projects/1/integrations/feishu",
    "/ui/webhooks/1",
    "/ui/webhooks/1/test",
    "/ui/webhooks/1/delete",
    "/ui/deliveries/1/resend",
    "/ui/settings",
    "/ui/tokens",
    "/ui/tokens/1/revoke",
]


@pytest.mark.parametrize("path", UNSAFE)
async def test_a_post_without_the_token_is_refused(ui: UiClient, path: str) -> None:
    answer = await ui.http.post(path, data={"name": "x"})
    assert answer.status_code == 403


@pytest.mark.parametrize("path", UNSAFE)
async def test_a_post_with_a_wrong_token_is_refused(ui: UiClient, path: str) -> None:
    answer = await ui.http.post(path, data={"name": "x", "csrf_token": "forged" + ui.csrf})
    assert answer.status_code == 403


async def test_a_token_without_its_cookie_is_refused(ui: UiClient) -> None:
    token = ui.csrf
    ui.http.cookies.delete("hookcast_csrf")
    answer = await ui.http.post("/ui/projects", data={"name": "x", "csrf_token": token})
    assert answer.status_code == 403


async def test_nothing_changes_on_a_refused_post(ui: UiClient) -> None:
    await ui.http.post("/ui/projects", data={"name": "sneaky"})
    assert "sneaky" not in (await ui.get("/ui/projects")).text
    created = await ui.post("/ui/projects", {"name": "honest"})
    assert created.status_code == 200
    assert "honest" in (await ui.get("/ui/projects")).text


async def test_a_planted_cookie_with_a_matching_field_is_refused(ui: UiClient) -> None:
    # What a sibling subdomain can do: set the CSRF cookie, then post a form carrying its value.
    ui.http.cookies.set("hookcast_csrf", "planted-by-someone", domain="hookcast.test")
    answer = await ui.http.post("/ui/projects", data={"name": "x", "csrf_token": "planted-by-someone"})
    assert answer.status_code == 403


async def test_a_token_works_only_with_the_session_it_was_made_for(database_url: str, tmp_path: Path) -> None:
    async with ui_client(database_url, tmp_path) as client:
        await client.sign_in()
        signed_in_token = client.csrf
        assert (await client.post("/ui/projects", {"name": "kept"})).status_code == 200
        await client.post("/ui/sign-out")
        await client.sign_in()
        answer = await client.http.post("/ui/projects", data={"name": "stale", "csrf_token": signed_in_token})
        assert answer.status_code == 403
        assert (await client.post("/ui/projects", {"name": "fresh"})).status_code == 200
