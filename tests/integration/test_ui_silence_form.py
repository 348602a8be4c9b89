"""The web UI's silence form offers every condition a silence can hold, not only the common ones:
labels all / none, changed files, actors not, bots, workflow statuses and stages. What is typed
is what the silence holds (read back through the API), and a refused form keeps it all."""

from __future__ import annotations

import html

from tests.conftest import ADMIN_TOKEN
from tests.integration.test_ui_pages import create_project
from tests.integration.ui_helpers import UiClient

MORE = {
    "labels_all": "backend, urgent",
    "labels_none": "security",
    "paths": "docs/**, *.md",
    "actors_not": "release-bot",
    "workflow_status": "rejected",
    "workflow_stage": "review",
}


def given(match: dict[str, object]) -> dict[str, object]:
    """The conditions a silence's match sets (the API answers every field, defaults too)."""
    return {name: value for name, value in match.items() if value not in ([], False, None)}


async def test_every_condition_can_be_given_in_the_form(ui: UiClient) -> None:
    project_id, _token = await create_project(ui)
    made = await ui.post(
        "/ui/silences",
        {"scope": str(project_id), **MORE, "bots": "exclude", "duration": "1h", "comment": "docs week"},
    )
    assert made.status_code == 303, made.text
    assert 'data-testid="silence-created"' in (await ui.get(made.headers["location"])).text

    listed = await ui.http.get(
        f"/api/v1/projects/{project_id}/silences", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    [silence] = listed.json()
    assert given(silence["match"]) == {
        "labels_all": ["backend", "urgent"],
        "labels_none": ["security"],
        "paths": ["docs/**", "*.md"],
        "actors_not": ["release-bot"],
        "workflow_status": ["rejected"],
        "workflow_stage": ["review"],
        "exclude_bots": True,
    }


async def test_only_bots_is_one_choice_and_a_refused_form_keeps_what_was_typed(ui: UiClient) -> None:
    project_id, _token = await create_project(ui)
    refused = await ui.post(
        "/ui/silences", {"scope": str(project_id), **MORE, "bots": "only", "duration": "1h", "comment": ""}
    )
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    for name, value in MORE.items():
        assert f'name="{name}" type="text" value="{value}"' in page, name
    assert '<option value="only" selected>' in page
    assert "<details open>" in page.replace("\n", ""), "the filled conditions are shown, not folded away"

    made = await ui.post(
        "/ui/silences", {"scope": str(project_id), "bots": "only", "duration": "1h", "comment": "bots only"}
    )
    assert made.status_code == 303, made.text
    listed = await ui.http.get(
        f"/api/v1/projects/{project_id}/silences", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert [given(s["match"]) for s in listed.json()] == [{"only_bots": True}]
