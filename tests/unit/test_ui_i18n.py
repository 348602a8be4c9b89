"""The web UI's strings (page modules and templates) are in both catalogs, translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from hookcast.directmessages import MESSENGERS
from hookcast.messages import i18n
from hookcast.platforms import PLATFORMS
from hookcast.web import ui

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


def all_msgids() -> set[str]:
    return ui_msgids() | platform_setting_msgids() | credential_msgids()


def read_catalog(language: str) -> Catalog:
    with i18n.catalog_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language, domain=i18n.DOMAIN)


def test_extraction_finds_the_ui_strings() -> None:
    msgids = ui_msgids()
    assert len(msgids) > 150
    assert "Notify only broken pipelines" in msgids  # a template string
    assert "A pipeline status changes." in msgids  # an N_() string of a page module
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
