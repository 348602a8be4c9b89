"""Each platform's group-webhook URL shape: real shapes pass, placeholders and URLs missing their
token are refused with a message naming the fix (and never repeating the URL's secret parts)."""

from __future__ import annotations

import pytest

from hookcast.platforms import get_platform
from hookcast.platforms.base import PlatformName
from hookcast.services.errors import Invalid
from hookcast.services.webhooks import validate_url
from tests.fakes.platform_server import FakePlatformServer

GOOD: list[tuple[str, str]] = [
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-6d1e-4b7a-9c3e-2b8f1d7a5e90"),
    ("lark", "https://open.larksuite.com/open-apis/bot/v2/hook/0f3c8a52-6d1e-4b7a-9c3e-2b8f1d7a5e90"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a2b-4c3d-8e9f-0a1b2c3d4e5f"),
    ("slack", "https://hooks.slack.com/services/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0"),
    ("slack", "https://hooks.slack.com/triggers/T024BE7LD/5123456789012/0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("slack", "https://hooks.slack-gov.com/services/T024BE7LD/B01ABCD2EFG/xoxbSecretPart24chars0000"),
    ("discord", "https://discord.com/api/webhooks/123456789012345678/tok-EN_secret"),
    ("discord", "https://discordapp.com/api/webhooks/123456789012345678/tok-EN_secret"),
    ("discord", "https://ptb.discord.com/api/v10/webhooks/123456789012345678/tok-EN_secret"),
    ("discord", "https://canary.discord.com/api/webhooks/123456789012345678/tok-EN_secret"),
    (
        "teams",
        "https://prod-01.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke"
        "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbC-dEf_123",
    ),
    (
        "teams",
        "https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct"
        "/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun"
        "&sv=1.0&sig=AbC-dEf_123",
    ),
    (
        "teams",
        "https://contoso.webhook.office.com/webhookb2/1a2b-3c4d@5e6f-7a8b/IncomingWebhook/0a1b2c3d/9e8f-7d6c",
    ),
    (
        "google_chat",
        "https://chat.googleapis.com/v1/spaces/AAAAbCdEfGh/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
        "&token=Zq7Kx_0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2%3D",
    ),
    ("mattermost", "https://chat.example.org/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"),
    ("mattermost", "https://example.org/mattermost/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"),
    ("mattermost", "https://8.8.4.4:8065/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"),
]

# (platform, URL, what the message must say)
BAD: list[tuple[str, str, str]] = [
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/…", "the URL still has the placeholder '…'"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/...", "the URL still has the placeholder '...'"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/%E2%80%A6", "placeholder '%E2%80%A6'"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/", "a Feishu bot URL looks like"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/", "https://open.feishu.cn/open-apis/bot/v2/hook/…"),
    ("lark", "https://open.larksuite.com/open-apis/bot/v2/hook/<token>", "placeholder '<token>'"),
    ("lark", "https://open.larksuite.com/", "a Lark bot URL looks like"),
    (
        "dingtalk",
        "https://oapi.dingtalk.com/robot/send",
        "a DingTalk robot URL looks like https://oapi.dingtalk.com/robot/send?access_token=…; "
        "this one has no access_token",
    ),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=", "this one has no access_token"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?token=abc", "this one has no access_token"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=…", "the URL still has the placeholder"),
    ("dingtalk", "https://oapi.dingtalk.com/v1.0/robot/oToMessages/batchSend", "this one does not"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "this one has no key"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}", "placeholder '{key}'"),
    (
        "wecom",
        "https://qyapi.weixin.qq.com/cgi-bin/message/send?key=abc",
        "a WeCom group robot URL looks like",
    ),
    ("slack", "https://hooks.slack.com/services/T…/B…/…", "placeholder '…'"),
    ("slack", "https://hooks.slack.com/services/T024BE7LD/B01ABCD2EFG", "a Slack webhook URL looks like"),
    ("slack", "https://hooks.slack.com/", "https://hooks.slack.com/services/T…/B…/…"),
    ("discord", "https://discord.com/api/webhooks/{id}/{token}", "placeholder '{id}'"),
    ("discord", "https://discord.com/api/webhooks/123456789012345678", "a Discord webhook URL looks like"),
    ("discord", "https://discord.com/channels/1/2", "this one does not"),
    (
        "teams",
        "https://prod-01.westeurope.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke?api-version=1",
        "this one has no sig",
    ),
    ("teams", "https://prod-01.westeurope.logic.azure.com/workflows/0a1b", "a Teams webhook URL looks like"),
    ("teams", "https://contoso.webhook.office.com/webhookb2/", "this one does not"),
    ("google_chat", "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=AIza", "this one has no token"),
    ("google_chat", "https://chat.googleapis.com/v1/spaces/{space}/messages?key=k&token=t", "placeholder"),
    ("google_chat", "https://chat.googleapis.com/v1/spaces/AAAA", "a Google Chat webhook URL looks like"),
    (
        "mattermost",
        "https://chat.example.org/hooks/xxx-generatedkey-xxx",
        "a Mattermost webhook URL looks like",
    ),
    ("mattermost", "https://chat.example.org/hooks/…", "placeholder"),
    ("mattermost", "https://chat.example.org/api/v4/posts", "this one does not"),
]


@pytest.mark.parametrize(("platform", "url"), GOOD)
def test_real_shapes_are_accepted(platform: str, url: str) -> None:
    assert get_platform(platform).url_problem(url) is None
    validate_url(get_platform(platform), url, (), None)


@pytest.mark.parametrize(("platform", "url", "words"), BAD)
def test_wrong_shapes_are_refused_naming_the_fix(platform: str, url: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        validate_url(get_platform(platform), url, (), None)
    assert refused.value.field == "url"
    message = str(refused.value)
    assert words in message
    assert "paste the whole URL from" in message or "copy the whole URL from" in message


@pytest.mark.parametrize("name", list(PlatformName))
def test_the_fake_servers_urls_follow_each_platforms_shape(name: PlatformName) -> None:
    server = FakePlatformServer()
    for legacy in (False, True) if name is PlatformName.TEAMS else (False,):
        bot = server.add_bot(name, legacy=legacy)
        assert bot.url.startswith("http://127.0.0.1:")
        validate_url(get_platform(name), bot.url, ("127.0.0.1",), None)


@pytest.mark.parametrize(
    ("platform", "path"),
    [
        ("dingtalk", "/robot/send"),
        ("wecom", "/cgi-bin/webhook/send?token=abc"),
        ("feishu", "/hook/abc"),
        ("slack", "/services/only-one-part"),
        ("discord", "/webhooks/1/t"),
        ("teams", "/workflows/abc/triggers/manual/paths/invoke"),
        ("google_chat", "/v1/spaces/AAAA/messages?key=k"),
        ("mattermost", "/hooks/"),
    ],
)
def test_extra_allowed_hosts_get_the_shape_check_too(platform: str, path: str) -> None:
    with pytest.raises(Invalid):
        validate_url(get_platform(platform), f"http://127.0.0.1:9000{path}", ("127.0.0.1",), None)


def test_the_message_never_repeats_the_urls_secret_parts() -> None:
    secret = "Zq7-very-secret-webhook-token"
    for platform, url in [
        ("slack", f"https://hooks.slack.com/services/{secret}"),
        ("discord", f"https://discord.com/api/webhooks/{secret}"),
        ("dingtalk", f"https://oapi.dingtalk.com/robot/send?acces_token={secret}"),
    ]:
        with pytest.raises(Invalid) as refused:
            validate_url(get_platform(platform), url, (), None)
        assert secret not in str(refused.value)


def test_a_wrong_host_is_still_refused_for_its_host() -> None:
    with pytest.raises(Invalid, match="must be https on"):
        validate_url(get_platform("dingtalk"), "https://evil.example/robot/send?access_token=abc", (), None)
