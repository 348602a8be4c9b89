"""Chat webhook URLs: recognised only in their exact shape, accepted under the public URL, and
shown with the token hidden."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hookcast.feishubot import urls
from hookcast.platforms.base import PlatformName

TOKEN = "fc" + "0123456789abcdef" * 3


@pytest.fixture(autouse=True)
def no_public_url() -> Iterator[None]:
    yield
    urls.configure(None)


def test_chat_token() -> None:
    assert urls.chat_token(f"https://h.example.com/feishu/chats/{TOKEN}") == TOKEN
    assert urls.chat_token(f"https://h.example.com/hookcast/feishu/chats/{TOKEN}") == TOKEN
    assert urls.chat_token(f"https://h.example.com/feishu/chats/{TOKEN}?x=1") is None
    assert urls.chat_token("https://h.example.com/feishu/chats/fc123") is None
    assert urls.chat_token("https://open.feishu.cn/open-apis/bot/v2/hook/abc") is None
    assert urls.new_token() != urls.new_token() and urls.TOKEN.fullmatch(urls.new_token())


def test_acceptable_under_the_public_url() -> None:
    url = f"https://hookcast.example.com/feishu/chats/{TOKEN}"
    assert urls.acceptable(PlatformName.SLACK, url) is None  # not a Feishu webhook: checked as usual
    assert urls.acceptable(PlatformName.FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/x") is None
    assert urls.acceptable(PlatformName.LARK, url) == ""
    urls.configure("https://hookcast.example.com/")
    assert urls.acceptable(PlatformName.FEISHU, url) == ""
    problem = urls.acceptable(PlatformName.FEISHU, f"https://elsewhere.example.com/feishu/chats/{TOKEN}")
    assert problem and "https://hookcast.example.com/feishu/chats/" in problem


def test_redacted() -> None:
    assert (
        urls.redacted(f"https://h.example.com/feishu/chats/{TOKEN}")
        == "https://h.example.com/feishu/chats/***"
    )
    assert urls.redacted("https://open.feishu.cn/open-apis/bot/v2/hook/abc") is None
