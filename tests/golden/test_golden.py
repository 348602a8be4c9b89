"""Golden files: the exact body hookcast posts for every fixture event x platform x language.

Rewrite them with ``HOOKCAST_UPDATE_GOLDEN=1`` and review the diff (see tests/golden/README.md).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.golden.cases import DATA, Case, cases, dump, encode, golden_form

UPDATE = os.environ.get("HOOKCAST_UPDATE_GOLDEN") == "1"
CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_encoded_body_matches_golden(case: Case) -> None:
    actual = golden_form(encode(case))
    if UPDATE:
        case.path.parent.mkdir(parents=True, exist_ok=True)
        if not case.path.exists() or case.path.read_text(encoding="utf-8") != dump(actual):
            case.path.write_text(dump(actual), encoding="utf-8")
        return
    assert case.path.exists(), f"no golden file {case.path}; run with HOOKCAST_UPDATE_GOLDEN=1"
    expected = json.loads(case.path.read_text(encoding="utf-8"))
    assert actual == expected, f"{case.id} differs from its golden file; see tests/golden/README.md"


def test_every_golden_file_belongs_to_a_case() -> None:
    wanted = {case.path for case in CASES}
    stale = sorted(str(path.relative_to(DATA)) for path in DATA.rglob("*.json") if path not in wanted)
    if UPDATE:
        for name in stale:
            (DATA / name).unlink()
        return
    assert not stale, f"golden files without a case (delete them or run the update): {stale}"


def test_the_frozen_clock_is_in_the_signed_goldens() -> None:
    feishu = next(case for case in CASES if case.platform == "feishu")
    dingtalk = next(case for case in CASES if case.platform == "dingtalk")
    assert golden_form(encode(feishu))["body"]["timestamp"] == "1700000000"
    assert "timestamp=1700000000000&sign=" in encode(dingtalk).url
