"""Chat webhook URLs: recognised only in their exact shape, accepted under the public URL, and
shown with the token hidden. The public URL is an argument, so the API, the UI and the CLI
check alike."""

from __future__ import annotations

import pytest

from hookcast.platforms import get_platform
from hookcast.platforms.feishu import chat_urls as urls
from hookcast.services.errors import Invalid
from hookcast.services.webhooks import validate_url

TOKEN = "fc" + "0123456789abcdef" * 3


def test_chat_token() -> None:
    assert urls.chat_token(f"https://h.example.com/feishu/chats/{TOKEN}") == TOKEN
    assert urls.chat_token(f"https://h.example.com/hookcast/feishu/chats/{TOKEN}") == TOKEN
    assert urls.chat_token(f"https://h.example.com/feishu/chats/{TOKEN}?x=1") is None
    assert urls.chat_token("https://h.example.com/feishu/chats/fc123") is None
    assert urls.chat_token("https://open.feishu.cn/open-apis/bot/v2/hook/abc") is None
    assert urls.new_token() != urls.new_token() and urls.TOKEN.fullmatch(urls.new_token())


def test_acceptable_under_the_public_url() -> None:
    url = f"https://hookcast.example.com/feishu/chats/{TOKEN}"
    feishu, lark, slack = get_platform("feishu"), get_platform("lark"), get_platform("slack")
    assert not slack.relayed(url)  # not a Feishu webhook: checked as usual
    assert not feishu.relayed("https://open.feishu.cn/open-apis/bot/v2/hook/x")
    assert lark.relayed(url) and lark.relay_problem(url, None) is None
    public = "https://hookcast.example.com/"
    assert feishu.relay_problem(url, public) is None
    problem = feishu.relay_problem(f"https://elsewhere.example.com/feishu/chats/{TOKEN}", public)
    assert problem and "https://hookcast.example.com/feishu/chats/" in problem


def test_validation_takes_the_public_url_from_its_caller() -> None:
    elsewhere = f"https://elsewhere.example.com/feishu/chats/{TOKEN}"
    validate_url(get_platform("feishu"), elsewhere, (), None)  # no public URL: any host
    with pytest.raises(Invalid):
        validate_url(get_platform("feishu"), elsewhere, (), "https://hookcast.example.com")
    with pytest.raises(Invalid):  # a chat URL is no Slack webhook
        validate_url(get_platform("slack"), elsewhere, (), None)


def test_redacted() -> None:
    chat = f"https://h.example.com/feishu/chats/{TOKEN}"
    assert urls.secret_parts(chat) is not None
    assert urls.secret_parts("https://open.feishu.cn/open-apis/bot/v2/hook/abc") is None
    assert TOKEN in get_platform("feishu").url_secrets(chat).parts(chat)
    assert (
        get_platform("feishu").redact_url(f"https://h.example.com/feishu/chats/{TOKEN}")
        == "https://h.example.com/feishu/chats/***"
    )
