"""The egress rule's pure part: which addresses are global, which hosts the instance trusts, and
what a URL's own address and port say before any connection."""

from __future__ import annotations

import ast
import ipaddress
from pathlib import Path

import pytest

from hookcast.platforms import get_platform
from hookcast.platforms.base import PlatformName
from hookcast.platforms.egress import EgressPolicy, address_kind
from hookcast.services.errors import Invalid
from hookcast.services.im_apps import clean_base_url
from hookcast.services.webhooks import validate_url

REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.1": "loopback",
    "::1": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fd00::1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "100.64.0.1": "shared",
    "100.127.255.254": "shared",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",  # noqa: S104 - an address judged, not bound
    "::": "unspecified",
    "240.0.0.1": "private",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:0:a00:1": "private",  # IPv4-translated 10.0.0.1
    "2002:a9fe:a9fe::": "link-local",  # 6to4 of 169.254.169.254
    "64:ff9b::a00:1": "private",  # NAT64 of 10.0.0.1
    "::7f00:1": "reserved",  # IPv4-compatible, deprecated
    "192.0.2.10": "private",  # documentation
}
GLOBAL = [
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::",
]


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_non_global_addresses_are_named(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_pass(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


def test_extra_hosts_are_trusted_by_pattern_whatever_they_resolve_to() -> None:
    policy = EgressPolicy(extra_hosts=("*.corp.example", "127.0.0.1", "::1"))
    assert policy.trusts("chat.corp.example") and policy.trusts("CHAT.corp.example.")
    assert policy.trusts("[::1]") and policy.trusts("127.0.0.1")
    assert not policy.trusts("corp.example.evil.test")
    assert policy.address_refusal("chat.corp.example", "10.0.0.5") is None
    assert policy.url_refusal("127.0.0.1", 8080) is None
    assert policy.url_refusal("[::1]", 8080) is None


def test_other_hosts_need_a_global_address_and_port_443() -> None:
    policy = EgressPolicy()
    assert policy.url_refusal("hooks.slack.com", 443) is None
    assert policy.url_refusal("hooks.slack.com", None) is None
    assert policy.url_refusal("8.8.8.8", 443) is None
    assert "port 8443 is not allowed for hooks.slack.com" in (
        policy.url_refusal("hooks.slack.com", 8443) or ""
    )
    assert "is a link-local address" in (policy.url_refusal("169.254.169.254", 443) or "")
    assert "is a loopback address" in (policy.url_refusal("[::ffff:127.0.0.1]", 443) or "")
    refusal = policy.address_refusal("hooks.slack.com", "10.9.8.7")
    assert refusal == (
        "hooks.slack.com resolves to a private address 10.9.8.7, which only an extra allowed host may"
    )
    assert policy.address_refusal("hooks.slack.com", "3.3.3.3") is None


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        (PlatformName.SLACK, "https://hooks.slack.com:8443/services/T0/B0/abcdefgh"),
        (PlatformName.MATTERMOST, "https://chat.example.org:8443/hooks/abcdefghijklmnopqrstuvwxyz"),
    ],
)
def test_a_port_other_than_443_is_refused_when_saved_off_the_extra_hosts(
    platform: PlatformName, url: str
) -> None:
    with pytest.raises(Invalid, match="the port must be") as refused:
        validate_url(get_platform(platform), url, (), None)
    assert refused.value.field == "url"
    host = url.split("/")[2].split(":")[0]
    validate_url(get_platform(platform), url, (host,), None)  # an extra allowed host: any port


def test_an_im_app_base_url_on_another_port_is_refused() -> None:
    with pytest.raises(Invalid, match="the port must be") as refused:
        clean_base_url("https://open.feishu.cn:8443", PlatformName.FEISHU, ())
    assert refused.value.field == "api_base_url"
    assert (
        clean_base_url("https://open.feishu.cn:443", PlatformName.FEISHU, ()) == "https://open.feishu.cn:443"
    )


SRC = Path(__file__).resolve().parents[2] / "src" / "hookcast"


def test_no_module_opens_an_http_session_of_its_own() -> None:
    """Every outbound session comes from `delivery/egress.py: guarded_session`, so none can skip
    the rule: a ``ClientSession(...)`` or ``TCPConnector(...)`` anywhere else fails this."""
    makers = {"ClientSession", "TCPConnector"}
    found = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "delivery" / "egress.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name in makers:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []
