"""scripts/update_catalogs.py on copies of the catalogs: it adds new ids, keeps translations and
other parts' entries, marks vanished ids obsolete, and reproduces an up-to-date catalog exactly."""

from __future__ import annotations

import importlib.util
import shutil
from io import BytesIO
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "src" / "hookcast" / "locale" / "zh_CN" / "LC_MESSAGES" / "hookcast.po"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_catalogs", ROOT / "scripts" / "update_catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse(data: bytes) -> Catalog:
    return read_po(BytesIO(data), domain="hookcast")


def test_extracts_every_keyword(script: ModuleType) -> None:
    ids = {message.id for message in script.extract() if message.id}
    assert "Failed jobs:" in ids  # gettext
    assert ("{n} alert resolved: {title}", "{n} alerts resolved: {title}") in ids  # ngettext / nformat
    assert "Tag push" in ids  # N_
    assert "Merge request {mr}" in ids  # sentence(t, msgid, ...)


def test_merge_adds_new_ids_and_keeps_the_rest(script: ModuleType, tmp_path: Path) -> None:
    po_file = tmp_path / "hookcast.po"
    shutil.copy(ZH, po_file)
    original = parse(po_file.read_bytes())
    original.add("Sign in", "登录", [("src/hookcast/web/templates/login.html", 0)])  # a UI string
    original.add("A msgid the code no longer uses", "旧的", [("src/hookcast/messages/common.py", 0)])
    out = BytesIO()
    write_po(out, original, width=script.WIDTH, include_lineno=False)
    po_file.write_bytes(out.getvalue())

    template = script.extract()
    template.add("A brand new message", None, [("src/hookcast/messages/common.py", 1)])
    merged = parse(script.merged(po_file, template))

    assert merged["A brand new message"].string == ""  # added, to be translated
    assert merged["Sign in"].string == "登录"  # another part's entry is left alone
    assert merged["Failed jobs:"].string == "失败的作业："  # translations kept
    assert "A msgid the code no longer uses" in merged.obsolete
    assert merged.get("A msgid the code no longer uses") is None


def test_an_up_to_date_catalog_is_reproduced_byte_for_byte(script: ModuleType, tmp_path: Path) -> None:
    po_file = tmp_path / "hookcast.po"
    shutil.copy(ZH, po_file)
    once = script.merged(po_file, script.extract())
    po_file.write_bytes(once)
    assert script.merged(po_file, script.extract()) == once
