"""The web UI's strings (page modules and templates) are in both catalogs, translated."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from hookcast import services
from hookcast.delivery import policy
from hookcast.directmessages import MESSENGERS
from hookcast.kinds import CATALOGUE
from hookcast.messages import i18n
from hookcast.platforms import PLATFORMS
from hookcast.web import ui
from hookcast.web.ui import pauses

UI_DIR = Path(ui.__file__).parent
TEMPLATES_DIR = UI_DIR.parent / "templates"
PY_KEYWORDS = {"gettext": None, "format": None, "N_": None}
TEMPLATE_KEYWORDS = {"_": None, "_f": None}


def ui_msgids() -> set[str]:
    found: set[str] = set()
    for source in sorted(UI_DIR.glob("*.py")):
        for _line, message, _comments, _context in extract_from_file("python", source, keywords=PY_KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    for template in sorted(TEMPLATES_DIR.glob("*.html")):
        for _line, message, _comments, _context in extract_from_file(
            babel_extract, template, keywords=TEMPLATE_KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def platform_setting_msgids() -> set[str]:
    """Labels and help of the settings the platforms declare: shown on the integration form."""
    return {text for p in PLATFORMS.values() for spec in p.settings for text in (spec.label, spec.help)}


def credential_msgids() -> set[str]:
    """Labels and help of the IM apps' credentials: shown on the IM apps page."""
    specs = [spec for app in MESSENGERS.values() for spec in app.credentials]
    return {text for spec in specs for text in (spec.label, spec.help)}


def kind_msgids() -> set[str]:
    """The kinds' labels and explanations: the trigger checkboxes of the integration form."""
    return {text for spec in CATALOGUE for text in (spec.label, spec.explanation)}


def platform_label_msgids() -> set[str]:
    """The platforms' names: the UI says 飞书, 钉钉, 企业微信 in Chinese."""
    return {p.label for p in PLATFORMS.values()}


ERROR_CLASSES = {"Invalid": None, "NotFound": None, "Conflict": None}
ERROR_SOURCES = [
    *sorted(Path(services.__file__).parent.glob("*.py")),
    *sorted(UI_DIR.glob("*.py")),
    UI_DIR.parent / "directory.py",
]


def service_error_msgids() -> set[str]:
    """The message ids of the errors the use cases raise: the UI shows them translated."""
    found: set[str] = set()
    for source in ERROR_SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords=ERROR_CLASSES
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def all_msgids() -> set[str]:
    return (
        ui_msgids()
        | platform_setting_msgids()
        | credential_msgids()
        | platform_label_msgids()
        | kind_msgids()
        | service_error_msgids()
    )


def read_catalog(language: str) -> Catalog:
    with i18n.catalog_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language, domain=i18n.DOMAIN)


def test_extraction_finds_the_ui_strings() -> None:
    msgids = ui_msgids()
    assert len(msgids) > 150
    assert "Notify only broken pipelines" in msgids  # a template string
    assert "Choose one of the offered values." in msgids  # an N_() string of a page module
    assert "{platform} notifications" in msgids  # a _f() string


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_ui_msgid_is_in_the_catalog(language: str) -> None:
    catalog = read_catalog(language)
    missing = sorted(m for m in all_msgids() if catalog.get(m) is None)
    assert missing == []


def test_every_ui_msgid_has_a_chinese_translation() -> None:
    catalog = read_catalog("zh_CN")
    untranslated = sorted(m for m in all_msgids() if (entry := catalog.get(m)) and not entry.string)
    assert untranslated == []


def test_errors_are_raised_with_message_ids_not_formatted_text() -> None:
    """An f-string would bake the values into the text: the catalog could not translate it."""
    formatted = []
    for source in ERROR_SOURCES:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ERROR_CLASSES
                and node.args
                and isinstance(node.args[0], ast.JoinedStr)
            ):
                formatted.append(f"{source.name}:{node.lineno}")
    assert formatted == []
    assert "{platform} webhook URLs must be https on: {hosts}" in service_error_msgids()


def test_the_ui_reads_the_policys_pause_reason_back() -> None:
    assert pauses.FAILURES_REASON == policy.FAILURES_REASON
    reason = policy.FAILURES_REASON.format(failures=5, reason="HTTP 500: oops; again")
    assert policy.pause_reason_parts(reason) == (
        policy.FAILURES_REASON,
        {"failures": 5, "reason": "HTTP 500: oops; again"},
    )
    assert policy.pause_reason_parts("the assistant bot was removed from the chat") is None


def test_the_ui_reads_the_feishu_assistants_pause_reasons_back() -> None:
    from hookcast.feishubot import service

    assert (pauses.REMOVED_REASON, pauses.REVOKED_REASON) == (service.REMOVED_REASON, service.REVOKED_REASON)
    removed = service.REMOVED_REASON.format(chat="Backend team", chat_id="oc_1")
    assert pauses.reason_parts(removed) == (
        service.REMOVED_REASON,
        {"chat": "Backend team", "chat_id": "oc_1"},
    )
    chinese = pauses.reason_text(removed, i18n.translator("zh_CN"))
    assert "Backend team" in chinese and "removed" not in chinese
    assert pauses.reason_text("HTTP 410 Gone", i18n.translator("zh_CN")) == "HTTP 410 Gone"
