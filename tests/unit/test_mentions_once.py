"""A person mentioned in a group message is named once. The renderers hand the people to
mention to the platforms as `Message.mentions`, which each platform shows after the fields, in
its own way (`platforms/shared.py: body_lines`, plus a native list where the platform keeps one).
Before, the renderers also put them in a line of the body, and every platform named them twice."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from hookcast.messages.model import Mention
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import PlatformName
from hookcast.preview import parse_source
from hookcast.samples import get_sample

NATIVE_ID = "ou_annexample"  # shown by the platforms that take any id
NAME = "Ann Example"  # shown by those whose id patterns refuse it


def _times_named(body: dict[str, object]) -> int:
    text = json.dumps(body, ensure_ascii=False)
    return text.count(NATIVE_ID) + text.count(NAME)


@pytest.mark.parametrize("name", list(PLATFORMS))
@pytest.mark.parametrize("sample_name", ["merge_request", "pipeline"])
def test_a_mentioned_person_is_named_as_the_platform_names_them_once(
    name: PlatformName, sample_name: str
) -> None:
    platform = get_platform(name)
    ann = Mention(name=NAME, ids={name.value: NATIVE_ID}, mobile="13800000000")
    sample = get_sample(sample_name)
    event = parse_source(sample.body(), "gitlab", sample.header)
    rendered = render(event, "en", mentions=[ann])
    only_the_platforms_own = replace(render(event, "en"), mentions=(ann,))
    named = _times_named(platform.direct_payload(rendered, "key"))
    assert named >= 1
    assert named == _times_named(platform.direct_payload(only_the_platforms_own, "key"))


def test_a_feishu_card_mentions_a_person_once() -> None:
    feishu = get_platform(PlatformName.FEISHU)
    ann = Mention(name=NAME, ids={"feishu": NATIVE_ID})
    sample = get_sample("merge_request")
    message = render(parse_source(sample.body(), "gitlab", sample.header), "zh_CN", mentions=[ann])
    assert json.dumps(feishu.direct_payload(message, "key")).count(NATIVE_ID) == 1
