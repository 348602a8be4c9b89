"""The gettext catalogs and the translator."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from hookcast.messages import i18n
from hookcast.messages.i18n import normalize_language, translator
from hookcast.platforms import PLATFORMS

MESSAGES_DIR = Path(i18n.__file__).parent

# How the renderers mark strings: Translator methods, N_() markers and sentence(t, "...").
KEYWORDS = {
    "gettext": None,
    "ngettext": (1, 2),
    "format": None,
    "nformat": (1, 2),
    "N_": None,
    "sentence": (2,),
}


def extracted_msgids() -> dict[str, tuple[str, ...]]:
    """Every message id used in the renderers -> its plural form (if any), found by Babel."""
    found: dict[str, tuple[str, ...]] = {}
    for source in sorted(MESSAGES_DIR.glob("*.py")):
        for _lineno, message, _comments, _context in extract_from_file("python", source, keywords=KEYWORDS):
            if isinstance(message, tuple):
                found[message[0]] = tuple(message[1:])
            else:
                found.setdefault(message, ())
    return found


def read_catalog(language: str) -> Catalog:
    with i18n.catalog_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language, domain=i18n.DOMAIN)


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in Formatter().parse(text) if name}


def test_extraction_finds_the_renderers_strings() -> None:
    msgids = extracted_msgids()
    assert len(msgids) > 200
    assert "{actor} merged merge request {mr}" in msgids
    assert msgids["{actor} pushed {n} commit to {branch}"] == ("{actor} pushed {n} commits to {branch}",)
    assert "View in GitLab" in msgids


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_catalog_parses_and_has_no_fuzzy_entries(language: str) -> None:
    catalog = read_catalog(language)
    assert catalog.domain == "hookcast"
    assert catalog.locale is not None
    assert catalog.locale.language == language.split("_")[0]
    assert f'"Language: {language}\\n"' in i18n.catalog_path(language).read_text(encoding="utf-8")
    assert len(catalog) > 200
    assert not [message.id for message in catalog if message.id and message.fuzzy]


def test_catalogs_agree_on_plural_rules() -> None:
    assert read_catalog("en").num_plurals == 2
    assert read_catalog("zh_CN").num_plurals == 1


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_msgid_in_the_code_is_in_the_catalog(language: str) -> None:
    catalog = read_catalog(language)
    missing = sorted(msgid for msgid in extracted_msgids() if catalog.get(msgid) is None)
    assert missing == []


def test_every_msgid_in_the_code_has_a_chinese_translation() -> None:
    catalog = read_catalog("zh_CN")
    untranslated = []
    for msgid, plural in extracted_msgids().items():
        entry = catalog.get(msgid)
        strings = entry.string if entry is not None else ""
        forms = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or not all(forms) or bool(plural) != isinstance(entry.id, tuple):
            untranslated.append(msgid)
    assert untranslated == []


def test_chinese_translations_keep_the_placeholders() -> None:
    mismatched = []
    for message in read_catalog("zh_CN"):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(msgid)
        mismatched += [(msgid, form) for form in forms if placeholders(form) != expected]
    assert mismatched == []


def test_chinese_translations_are_chinese() -> None:
    """A translation that repeats the English would pass the emptiness check but not this one."""
    # Units and acronyms kept as they are, and the platforms whose declared Chinese name is their
    # English one (products whose Chinese users call them so).
    technical = {"SAST", "DAST", "{n}h"} | {
        platform.label for platform in PLATFORMS.values() if platform.label_zh == platform.label
    }
    copied = [
        message.id
        for message in read_catalog("zh_CN")
        if message.id
        and not isinstance(message.id, tuple)
        and message.id not in technical
        and message.string == message.id
    ]
    assert copied == []


def test_translator_translates_to_chinese() -> None:
    t = translator("zh_CN")
    assert t.language == "zh_CN"
    assert t.gettext("Tag push") == "标签推送"
    assert t.gettext("View in GitLab") == "在 GitLab 中查看"
    assert (
        t.format("{actor} merged merge request {mr}", actor="Alice", mr="!12") == "Alice 合并了合并请求 !12"
    )


def test_translator_lets_a_translation_reorder_placeholders() -> None:
    t = translator("zh_CN")
    assert (
        t.format("{subject} failed on {ref}", subject="流水线 #31", ref="main") == "main 上的流水线 #31 失败"
    )


def test_plural_forms_follow_each_language() -> None:
    en, zh = translator("en"), translator("zh_CN")
    assert en.nformat("{n} notification", "{n} notifications", 1) == "1 notification"
    assert en.nformat("{n} notification", "{n} notifications", 2) == "2 notifications"
    assert en.ngettext("{n} notification", "{n} notifications", 0) == "{n} notifications"
    assert zh.nformat("{n} notification", "{n} notifications", 1) == "1 条通知"
    assert zh.nformat("{n} notification", "{n} notifications", 7) == "7 条通知"


def test_unknown_message_ids_come_back_unchanged() -> None:
    assert translator("zh_CN").gettext("Not in any catalog") == "Not in any catalog"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_cn", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("../../etc", "en"),
    ],
)
def test_language_names_are_normalized_with_english_as_fallback(given: str | None, expected: str) -> None:
    assert normalize_language(given) == expected


def test_unknown_language_gets_english() -> None:
    t = translator("fr")
    assert t.language == "en"
    assert t.gettext("Tag push") == "Tag push"


def test_translators_are_cached() -> None:
    assert translator("zh_CN") is translator("zh_CN")
    assert i18n.load_catalog("zh_CN") is i18n.load_catalog("zh_CN")


def test_available_languages_lists_english_first() -> None:
    assert i18n.available_languages() == ("en", "zh_CN")
