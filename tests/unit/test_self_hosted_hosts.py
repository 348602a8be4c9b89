"""A self-hosted platform (Mattermost) takes its host from the webhook URL: public names and
addresses pass, anything that leads inside (loopback, private, link-local, metadata addresses,
numeric tricks, intranet names) is refused unless the instance's extra allowed hosts permit it,
and the platforms with fixed hosts are unaffected."""

from __future__ import annotations

import pytest

from hookcast.platforms import get_platform
from hookcast.platforms.webhook_url import public_host
from hookcast.services.errors import Invalid
from hookcast.services.webhooks import validate_url

mattermost = get_platform("mattermost")
HOOK = "/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"

PUBLIC = [
    "chat.example.org",
    "mattermost.company.com",
    "8.8.8.8",
    "[2001:4860:4860::8888]",
    "xn--bcher-kva.de",
]
INSIDE = [
    "localhost",
    "LOCALHOST",
    "app.localhost",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f.1",
    "0177.0.0.1",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.10",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - a host to refuse, not one to bind
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fd00::1]",
    "[fe80::1]",
    "mattermost",
    "mm.local",
    "mm.internal",
    "router.home.arpa",
    "224.0.0.1",
]


@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_are_accepted(host: str) -> None:
    assert public_host(host)
    validate_url(mattermost, f"https://{host}{HOOK}", (), None)


@pytest.mark.parametrize("host", INSIDE)
def test_hosts_inside_are_refused(host: str) -> None:
    assert not public_host(host)
    with pytest.raises(Invalid, match="public host name or address") as refused:
        validate_url(mattermost, f"https://{host}{HOOK}", (), None)
    assert refused.value.field == "url"
    assert "xr3j5x3p4pfptjqy7bjqyc4uxw" not in str(refused.value)


def test_the_instances_extra_hosts_open_a_private_host() -> None:
    validate_url(mattermost, f"http://10.0.0.5:8065{HOOK}", ("10.0.0.5",), None)
    validate_url(mattermost, f"https://mm.internal{HOOK}", ("*.internal",), None)


def test_plain_http_needs_an_extra_host_even_when_public() -> None:
    with pytest.raises(Invalid):
        validate_url(mattermost, f"http://chat.example.org{HOOK}", (), None)


def test_fixed_host_platforms_do_not_take_any_public_host() -> None:
    with pytest.raises(Invalid, match="must be https on"):
        validate_url(get_platform("slack"), "https://chat.example.org/services/T1/B2/abc", (), None)
    with pytest.raises(Invalid, match="must be https on"):
        validate_url(
            get_platform("google_chat"), "https://evil.example/v1/spaces/A/messages?key=k&token=t", (), None
        )
