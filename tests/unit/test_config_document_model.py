"""The project document's model is derived: from the webhook API model (a field added there is in
the document), and from the sections (a section added is a key of the document)."""

from __future__ import annotations

from typing import Any

import pytest

from hookcast.services.config_document import document
from hookcast.services.config_document.sections import Context, Snapshot, Untouched, path_of
from hookcast.services.config_document.webhook_section import LEFT_OUT, WebhookEntry
from hookcast.services.errors import InvalidDocument
from hookcast.services.webhooks import WebhookInput
from hookcast.store.tables import Project


def test_every_field_of_the_webhook_api_model_is_in_an_entry_with_its_type() -> None:
    for name, field in WebhookInput.model_fields.items():
        if name in LEFT_OUT:
            assert name not in WebhookEntry.model_fields
        elif name in ("url", "name", "settings"):
            continue  # declared by the entry: optional (never exported), required (the match), plain
        else:
            assert name in WebhookEntry.model_fields, name
            assert WebhookEntry.model_fields[name].annotation == field.annotation, name


class Notes:
    """What a further section looks like (as the webhooks and silences ones)."""

    key = "notes"
    noun = "note"
    annotation = list[dict[str, str]]
    description = "Notes."

    async def export(self, ctx: Context, project: Project, *, sealed: bool) -> Any:
        return []

    async def snapshot(self, ctx: Context, project: Project) -> Snapshot:
        return {}

    async def apply(self, ctx: Context, project: Project, value: Any, *, prune: bool) -> list[Untouched]:
        return []


def test_a_section_is_one_entry_in_the_list_of_sections() -> None:
    model = document.document_model([*document.SECTIONS, Notes()])
    assert {"version", "project", "webhooks", "silences", "notes"} == set(
        model.model_json_schema()["properties"]
    )
    parsed = model.model_validate({"project": {"name": "app"}, "notes": [{"text": "x"}]})
    assert parsed.notes == [{"text": "x"}]  # type: ignore[attr-defined]
    assert parsed.webhooks is None  # type: ignore[attr-defined]  # left out: left as it is


def test_problems_are_named_by_their_path() -> None:
    assert path_of(("webhooks", 2, "triggers", 0)) == "webhooks[2].triggers[0]"
    text = '{"project": {"name": "app"}, "webhooks": [{"name": "a", "platform": "slack", "triggers": ["x"]}]}'
    with pytest.raises(InvalidDocument) as raised:
        document.parse(text, document.Format.JSON)
    assert raised.value.problems == (("webhooks[0].triggers[0]", 'unknown trigger "x"'),)
    with pytest.raises(InvalidDocument) as raised:
        document.parse("project: {name: app, colour: red}\nversion: 2\n", document.Format.YAML)
    assert [where for where, _message in raised.value.problems] == ["version", "project.colour"]
    with pytest.raises(InvalidDocument) as raised:
        document.parse(
            "project: {name: app}\nwebhooks: [{name: a, platform: slack, quiet_from: 10:30}]\n",
            document.Format.YAML,
        )
    [(where, message)] = raised.value.problems
    assert where == "webhooks[0].quiet_from" and "quote a time" in message
