"""Every unsafe UI request needs the CSRF token of the browser's cookie."""

from __future__ import annotations

import pytest

from tests.integration.ui_helpers import UiClient

UNSAFE = [
    "/ui/sign-in",
    "/ui/sign-out",
    "/ui/projects",
    "/ui/projects/1/rename",
    "/ui/projects/1/rotate-token",
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
