"""Re-extract the message ids of ``src/hookcast/messages`` and ``src/hookcast/kinds.py`` (kind labels
and trigger explanations) and merge them into every catalog.

    .venv/bin/python scripts/update_catalogs.py --check   # exit 1 and list what would change
    .venv/bin/python scripts/update_catalogs.py           # write the .po files (only if changed)

New ids are added untranslated, ids no longer in the code are kept as obsolete (``#~``) entries,
and locations are refreshed. Entries from anywhere else (web UI strings and the like, whose
locations are outside those) are left exactly as they are. Translate new
entries in ``src/hookcast/locale/<language>/LC_MESSAGES/hookcast.po``; the catalogs are read at
run time, there is nothing to compile.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "hookcast" / "messages"
KINDS = ROOT / "src" / "hookcast" / "kinds.py"  # the kinds catalogue: labels and explanations
LOCALE = ROOT / "src" / "hookcast" / "locale"
DOMAIN = "hookcast"
WIDTH = 100  # how the catalogs are stored: a merge that changes nothing rewrites nothing
# The renderers' translation functions: name -> the arguments that are message ids.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "gettext": None,
    "ngettext": (1, 2),
    "format": None,
    "nformat": (1, 2),
    "N_": None,
    "sentence": (2,),
}


_OPTIONS: dict[str, Any] = {
    "keywords": KEYWORDS,
    "comment_tags": ("TRANSLATORS:",),
    "strip_comment_tags": True,
}


def location(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def extract() -> Catalog:
    """The template: every message id the renderers use, with its files and comments."""
    template = Catalog(domain=DOMAIN, fuzzy=False)
    found = [
        (SOURCES / filename, lineno, message, comments, context)
        for filename, lineno, message, comments, context in extract_from_dir(
            str(SOURCES), method_map=[("**.py", "python")], **_OPTIONS
        )
    ]
    found += [
        (KINDS, lineno, message, comments, context)
        for lineno, message, comments, context in extract_from_file("python", str(KINDS), **_OPTIONS)
    ]
    for path, lineno, message, comments, context in found:
        template.add(message, None, [(location(path), lineno)], auto_comments=comments, context=context)
    return template


def from_elsewhere(entry_locations: Sequence[tuple[str, int | None]]) -> bool:
    prefix, kinds = location(SOURCES) + "/", location(KINDS)
    ours = (name.startswith(prefix) or name == kinds for name, _ in entry_locations)
    return bool(entry_locations) and not all(ours)


def merged(po_file: Path, template: Catalog) -> bytes:
    """The catalog after the merge, in the form it is stored (no line numbers in locations)."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    full = Catalog(domain=DOMAIN, fuzzy=False)
    for message in template:
        if message.id:
            full[message.id] = message
    for message in catalog:  # keep what other parts of the code put in the catalog
        if message.id and from_elsewhere(message.locations) and message.id not in full:
            full[message.id] = message
    full.creation_date = catalog.creation_date
    catalog.update(full, no_fuzzy_matching=True, update_header_comment=False)
    out = BytesIO()
    write_po(out, catalog, width=WIDTH, include_lineno=False, omit_header=False)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="Write nothing; exit 1 if a catalog would change."
    )
    args = parser.parse_args(argv)
    template = extract()
    changed: list[Path] = []
    for po_file in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        new = merged(po_file, template)
        if new == po_file.read_bytes():
            continue
        changed.append(po_file)
        if not args.check:
            po_file.write_bytes(new)
    verb = "would change" if args.check else "updated"
    for po_file in changed:
        print(f"{verb}: {location(po_file)}", file=sys.stderr)
    if not changed:
        print(f"catalogs up to date ({len(template)} message ids)", file=sys.stderr)
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
