"""The project document: its model (derived from the API models and the sections), and its text.

    version: 1
    project: {name, gitlab_path, protected_branches, routes_other_projects}
    webhooks: [...]          # one key per section in SECTIONS
    silences: [...]

``project`` is `projects.ProjectInput` itself: everything the project API model takes (no id,
no inbound token, no signing secret). A section left out of a document is left as it is. The
JSON Schema of the document is `ProjectDocument.model_json_schema()` (the API serves it).

Text is JSON or YAML; YAML is read and written by `_yaml_load` / `_yaml_dump` alone (PyYAML,
which hookcast's server already installs through uvicorn's standard extras).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from hookcast.services.config_document.sections import Section, path_of
from hookcast.services.config_document.silence_section import SilencesSection
from hookcast.services.config_document.webhook_section import WebhooksSection
from hookcast.services.errors import InvalidDocument
from hookcast.services.projects import ProjectInput
from hookcast.sources import tolerant

VERSION: Literal[1] = 1
# The sections after the project's settings, in the document's order. A new section is one
# entry here: a class with the members of `Section`.
SECTIONS: tuple[Section, ...] = (WebhooksSection(), SilencesSection())


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"


MEDIA_TYPES = {Format.YAML: "application/yaml", Format.JSON: "application/json"}


class DocumentHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = Field(default=VERSION, description="The document format's version.")
    project: ProjectInput = Field(description="The project's settings (never its token or secrets).")


def document_model(sections: Sequence[Section]) -> type[DocumentHead]:
    """The document's model: the head, then one optional field per section."""
    fields = {
        section.key: (section.annotation | None, Field(default=None, description=section.description))
        for section in sections
    }
    model = create_model("ProjectDocument", __base__=DocumentHead, **fields)  # type: ignore[call-overload]
    return cast("type[DocumentHead]", model)


ProjectDocument = document_model(SECTIONS)


def section_value(document: DocumentHead, section: Section) -> Any:
    return getattr(document, section.key)


def parse(text: str, form: Format) -> DocumentHead:
    """The document in ``text``; `InvalidDocument` naming each problem's path."""
    try:
        data = _yaml_load(text) if form == Format.YAML else tolerant.load_json(text.encode())
    except ValueError as error:
        raise InvalidDocument([("", f"not {form.value.upper()}: {error}")]) from error
    return validated(data)


def validated(data: Any) -> DocumentHead:
    try:
        document = ProjectDocument.model_validate(data)
    except ValidationError as error:
        raise InvalidDocument([(path_of(e["loc"]), _message(e)) for e in error.errors()]) from error
    problems = _twins(document)
    if problems:
        raise InvalidDocument(problems)
    return document


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, said for a document: an unknown value names what it is."""
    location = error["loc"]
    if error["type"] == "enum":
        if len(location) >= 2 and isinstance(location[-1], int):
            noun = str(location[-2]).removesuffix("s").replace("_", " ")
            return f"unknown {noun} {json.dumps(error['input'], ensure_ascii=False)}"
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"unknown value {json.dumps(error['input'], ensure_ascii=False)} (expected {expected})"
    if error["type"] == "string_type" and isinstance(error["input"], int):
        return f"{error['msg']} (in YAML, quote a time: '10:30' unquoted is read as a number)"
    return error["msg"]


def _twins(document: DocumentHead) -> list[tuple[str, str]]:
    problems = []
    for section in SECTIONS:
        items = section_value(document, section) or []
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            name = getattr(item, "name", None)
            if name is None:
                continue
            if name in first:
                problems.append(
                    (
                        f"{section.key}[{index}].name",
                        f"{section.noun} name {name!r} is also {section.key}[{first[name]}]'s: "
                        f"{section.key} are matched by name, so names must be unique in the document",
                    )
                )
            first.setdefault(name, index)
    return problems


def dump(data: dict[str, Any], form: Format) -> str:
    if form == Format.YAML:
        return _yaml_dump(data)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _yaml() -> Any:
    """PyYAML, the one place it is named (imported when a YAML document is read or written)."""
    import yaml  # type: ignore[import-untyped]  # PyYAML ships no types

    return yaml


def _yaml_load(text: str) -> Any:
    """YAML as `tolerant.load_json` reads JSON: ValueError for what is not a document, also for
    nesting too deep, a lone surrogate, and aliases (``*name``: a few bytes could stand for
    billions of values once expanded; a configuration has no need of them)."""
    yaml = _yaml()

    class Loader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.YAMLError("aliases (*name) are not taken: write the value out")
            return super().compose_node(parent, index)

    try:
        data = yaml.load(text, Loader=Loader)
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except RecursionError as error:
        raise ValueError("nested too deeply") from error
    except UnicodeEncodeError as error:
        raise ValueError("a lone UTF-16 surrogate (\\ud800-\\udfff) is not text") from error
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error
    return data


def _yaml_dump(data: dict[str, Any]) -> str:
    return str(_yaml().safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
