"""The running service sends through the guarded pool: an address the egress rule refuses is
never connected to, however the URL got into the database, while the instance's extra allowed
hosts (127.0.0.1 in the tests) are reached as before."""

from __future__ import annotations

import httpx
import pytest

from hookcast.messages.digest import render_test_message
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, Permanent, WebhookTarget


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://169.254.169.254/services/T0/B0/secretsecret", "is a link-local address"),
        ("https://[::ffff:10.0.0.1]/services/T0/B0/secretsecret", "is a private address"),
        ("https://hooks.slack.com:6379/services/T0/B0/secretsecret", "port 6379 is not allowed"),
    ],
)
async def test_the_runtime_courier_refuses_what_the_rule_refuses(
    client: httpx.AsyncClient, url: str, why: str
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    slack = get_platform("slack")
    target = WebhookTarget(url)
    request = slack.encode(render_test_message("en", "p", "Slack"), target, EncodeContext(0.0, "k"))
    sent = await runtime.courier.deliver(slack, target, request)
    assert isinstance(sent.outcome, Permanent) and sent.outcome.pause, sent.outcome
    assert why in sent.outcome.reason  # refused by the rule, before any connection
    assert sent.status_code is None
    assert "secretsecret" not in (sent.error or "")
