"""Translations for messages (and later the web UI), from the gettext catalogs in ``hookcast/locale``.

The catalogs are ``.po`` files read at run time with Babel (no compile step): each one is read once,
turned into an in-memory ``.mo`` image and served by the standard library's ``GNUTranslations``, which
also evaluates the catalog's plural rule. Message ids are the English text, so English needs no
translations and every language falls back to English for anything it lacks.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "hookcast"
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_ALIASES: dict[str, str] = {
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh_hans": "zh_CN",
    "zh_hans_cn": "zh_CN",
    "en_us": "en",
    "en_gb": "en",
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (it is translated where it is shown)."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages() -> tuple[str, ...]:
    """The languages that have a catalog, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda lang: lang != DEFAULT_LANGUAGE))


def normalize_language(language: str | None) -> str:
    """``"zh-CN"``, ``"zh_cn"``, ``"zh"`` -> ``"zh_CN"``; anything without a catalog -> ``"en"``."""
    if not language:
        return DEFAULT_LANGUAGE
    key = language.strip().replace("-", "_")
    by_lower = {lang.lower(): lang for lang in available_languages()}
    if key.lower() in by_lower:
        return by_lower[key.lower()]
    alias = _ALIASES.get(key.lower())
    if alias in available_languages():
        return alias
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=16)
def load_catalog(language: str) -> Catalog:
    """The parsed ``.po`` catalog of ``language`` (an existing catalog's exact name)."""
    with catalog_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language, domain=DOMAIN)


def _translations_from(catalog: Catalog) -> _gettext.GNUTranslations:
    image = BytesIO()
    write_mo(image, catalog)
    image.seek(0)
    return _gettext.GNUTranslations(image)


class Translator:
    """Translates English message ids into one language.

    ``format`` and ``nformat`` translate first and then fill ``{name}`` placeholders, so a
    translation may reorder them.
    """

    def __init__(self, language: str, translations: _gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def format(self, message: str, /, **values: object) -> str:
        return self.gettext(message).format(**values)

    def nformat(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """Choose the plural form for ``n`` and fill it; ``{n}`` is always available."""
        return self.ngettext(singular, plural, n).format(n=n, **values)


@lru_cache(maxsize=16)
def translator(language: str) -> Translator:
    """The translator for ``language``; an unknown language gets English."""
    resolved = normalize_language(language)
    if resolved == DEFAULT_LANGUAGE and not catalog_path(resolved).exists():
        return Translator(resolved, _gettext.NullTranslations())
    translations = _translations_from(load_catalog(resolved))
    if resolved != DEFAULT_LANGUAGE and catalog_path(DEFAULT_LANGUAGE).exists():
        translations.add_fallback(_translations_from(load_catalog(DEFAULT_LANGUAGE)))
    return Translator(resolved, translations)
