"""Channel targets from settings and secret files; secrets never survive into error texts."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from pydantic import SecretStr

from streams.delivery.channels.config import Redactor, check_routed, targets
from streams.errors import ConfigError
from streams.settings import ChannelSettings

SLACK = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"


def test_nothing_configured_means_console_only() -> None:
    assert targets(ChannelSettings()) == {}


def test_secrets_from_variables_and_files(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("  R0UTING-KEY-123\n", encoding="utf-8")
    found = targets(
        ChannelSettings(
            slack_webhook_url=SecretStr(SLACK),
            pagerduty_routing_key_file=key,
            alertmanager_url=SecretStr("http://user:pa55word@am:9093"),
            webhook_url=SecretStr("https://hooks.example/in?token=abcdef123456"),
            webhook_secret=SecretStr("hmac"),
            http_hosts=["am"],
        )
    )
    assert set(found) == {"slack", "pagerduty", "alertmanager", "webhook"}
    assert found["pagerduty"].key is not None
    assert found["pagerduty"].key.get_secret_value() == "R0UTING-KEY-123"
    assert found["pagerduty"].url.get_secret_value() == "https://events.pagerduty.com/v2/enqueue"
    assert "R0UTING" not in repr(found) and "pa55word" not in repr(found)


def test_secret_file_problems_name_the_variable_not_the_content(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(
        ConfigError, match=r"GEO_CHANNELS__SLACK_WEBHOOK_URL_FILE: cannot read .*nope"
    ):
        targets(ChannelSettings(slack_webhook_url_file=missing))
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        targets(ChannelSettings(slack_webhook_url_file=empty))
    with pytest.raises(ConfigError, match="not both"):
        targets(ChannelSettings(slack_webhook_url=SecretStr(SLACK), slack_webhook_url_file=empty))


def test_a_webhook_is_always_signed() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        targets(ChannelSettings(webhook_url=SecretStr("https://hooks.example/in")))


def test_redactor_removes_urls_their_parts_and_keys() -> None:
    found = targets(
        ChannelSettings(
            slack_webhook_url=SecretStr(SLACK),
            pagerduty_routing_key=SecretStr("R0UTING-KEY-123"),
            alertmanager_url=SecretStr("http://user:pa55word@am:9093"),
            http_hosts=["am"],
        )
    )
    redact = Redactor.for_targets(found)
    text = (
        f"ConnectError: {SLACK} failed; path /services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX; "
        "key R0UTING-KEY-123 or R0UTING%2DKEY (no); auth pa55word; "
        f"encoded {quote(SLACK, safe='')}"
    )
    out = redact(text)
    for secret in ("XXXXXXXXXXXX", "R0UTING-KEY-123", "pa55word", "hooks.slack.com%2F"):
        assert secret not in out
    assert out.startswith("ConnectError: [redacted] failed")
    # The public PagerDuty endpoint is no secret and stays readable.
    assert redact("POST https://events.pagerduty.com/v2/enqueue") == (
        "POST https://events.pagerduty.com/v2/enqueue"
    )
    assert Redactor([])("unchanged") == "unchanged"


def test_routing_to_an_unconfigured_channel_stops_the_start() -> None:
    check_routed(["console", "slack"], ["slack"], Path("rules.yaml"))
    with pytest.raises(ConfigError) as caught:
        check_routed(["console", "pagerduty", "webhook"], [], Path("rules.yaml"))
    text = str(caught.value)
    assert text.startswith("rules.yaml: rules route to channels this worker cannot reach")
    assert "pagerduty: set GEO_CHANNELS__PAGERDUTY_ROUTING_KEY" in text
    assert "webhook: set GEO_CHANNELS__WEBHOOK_URL and GEO_CHANNELS__WEBHOOK_SECRET" in text


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "not an http"),
        ("not a url", "not an http"),
        ("https://", "not an http"),
        ("http://alerts.example.com/hook", "plain http to 'alerts.example.com'"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is not an address"),
        ("https://[fe80::1]/hook", "fe80::1 is not an address"),
        ("https://0.0.0.0/hook", "0.0.0.0 is not an address"),
    ],
)
def test_a_channel_url_a_page_must_not_go_to_is_refused_at_start(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match="GEO_CHANNELS__ALERTMANAGER_URL: ") as raised:
        targets(ChannelSettings(alertmanager_url=SecretStr(url + "?token=s3cr3t-t0ken")))
    assert problem in str(raised.value) and "s3cr3t" not in str(raised.value)


def test_https_anywhere_and_http_to_allowed_hosts() -> None:
    allowed = ChannelSettings(
        alertmanager_url=SecretStr("http://alertmanager:9093"), http_hosts=["alertmanager"]
    )
    assert set(targets(allowed)) == {"alertmanager"}
    local = ChannelSettings(
        webhook_url=SecretStr("http://127.0.0.1:8080/in"), webhook_secret=SecretStr("k")
    )
    assert set(targets(local)) == {"webhook"}  # loopback is allowed by default
    assert set(targets(ChannelSettings(slack_webhook_url=SecretStr(SLACK)))) == {"slack"}
