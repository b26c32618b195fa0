"""Each channel's request for an alert: Slack blocks, PagerDuty fields, Alertmanager labels,
the webhook signature (checked with the snippet docs/alerting.md gives receivers)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from schemas import Actor, Alert, CanonicalEvent, Location, Quantity
from streams.delivery.channels import alertmanager, classifier, console, pagerduty, slack, webhook
from streams.delivery.channels.base import Links, classify
from streams.delivery.channels.config import Target
from streams.rules import AlertmanagerOptions, ChannelOptions, PagerDutyOptions, SlackOptions
from streams.stages.alerts import alert_id_for, title_of
from tests.conftest import ROOT

WHEN = datetime(2026, 11, 10, 14, 20, tzinfo=UTC)
LINKS = Links("https://news.example/a/{article_id}", "https://geo.example/e/{event_id}")


def make_alert(
    kind: str = "new", severity: str = "high", event_id: str = "ev-1fc83f058a40ca5f", **event: Any
) -> Alert:
    fields: dict[str, Any] = {
        "event_id": event_id,
        "event_type": "MOBILIZE",
        "mode": "troops",
        "subtype": "troop_deployment",
        "severity": severity,
        "actors": [Actor(code="PRK", name="North Korea")],
        "recipients": [Actor(code="RUS", name="Russia")],
        "location": Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        "quantities": [Quantity(value=12000, unit="troops", qualifier="at_most")],
        "first_seen": WHEN,
        "last_seen": WHEN,
        "article_ids": ["mp-1", "hw-2"],
        "sources": ["Meridian Post", "Harbor Wire"],
        "confidence": 0.6,
    }
    canonical = CanonicalEvent(**{**fields, **event})
    return Alert(
        alert_id=alert_id_for(canonical.event_id, kind, severity),
        event_id=canonical.event_id,
        kind=kind,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        title=title_of(canonical),
        change="severity rose from high to critical" if kind == "escalation" else None,
        article_ids=list(canonical.article_ids),
        rule="page",
        channels=["slack"],
        created_at=WHEN,
        event=canonical,
    )


def target(
    url: str = "https://hooks.example/services/T0/B0/secret", key: str | None = None
) -> Target:
    return Target(SecretStr(url), SecretStr(key) if key else None)


def test_slack_message_says_what_who_where_figures_sources_first_seen() -> None:
    request = slack.build(make_alert(), target(), SlackOptions(), LINKS)
    assert request.method == "POST" and request.url.endswith("/secret")
    message = request.json()
    assert message["text"].startswith(
        ":large_orange_circle: HIGH NEW: HIGH: North Korea deploys up to 12,000 troops"
    )
    header, facts, sources, context = message["blocks"]
    assert header["type"] == "header" and len(header["text"]["text"]) <= slack.HEADER_LIMIT
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in facts["fields"]}
    assert fields["*What*"] == "troop deployment, MOBILIZE/troops"
    assert fields["*Who*"] == "North Korea (PRK)" and fields["*Against*"] == "Russia (RUS)"
    assert fields["*Where*"] == "Kursk Oblast (RU-KRS, RUS)"
    assert fields["*Figures*"] == "at most 12,000 troops"
    assert fields["*First seen*"].startswith(f"<!date^{int(WHEN.timestamp())}^")
    assert "<https://news.example/a/mp-1|mp-1>" in sources["text"]["text"]
    assert "Meridian Post, Harbor Wire" in sources["text"]["text"]
    assert (
        "<https://geo.example/e/ev-1fc83f058a40ca5f|open event>" in context["elements"][0]["text"]
    )


def test_slack_escapes_control_characters_and_keeps_limits() -> None:
    alert = make_alert(location=Location(name="A & <B>" + "x" * 3000))
    message = slack.payload(alert, SlackOptions(), Links())
    facts = message["blocks"][1]["fields"]
    where = next(f["text"] for f in facts if f["text"].startswith("*Where*"))
    assert "A &amp; &lt;B&gt;" in where and len(where) <= slack.FIELD_LIMIT
    assert len(message["blocks"][0]["text"]["text"]) <= slack.HEADER_LIMIT
    assert "<" not in message["blocks"][2]["text"]["text"]  # no links without a template


def test_escalation_names_its_change() -> None:
    message = slack.payload(make_alert("escalation", "critical"), SlackOptions(), Links())
    assert message["blocks"][0]["text"]["text"].startswith("ESCALATION: CRITICAL")
    assert "severity rose from high to critical" in json.dumps(message)


def test_pagerduty_trigger_fields() -> None:
    alert = make_alert()
    body = pagerduty.build(
        alert, target("https://events.example/v2/enqueue", "RK"), PagerDutyOptions(), LINKS
    ).json()
    assert body["routing_key"] == "RK" and body["event_action"] == "trigger"
    assert body["dedup_key"] == f"geoevents/{alert.event_id}/new/{alert.alert_id}"
    payload = body["payload"]
    assert payload["severity"] == "error"  # high, through the default map
    assert payload["summary"] == alert.title and payload["source"] == "Kursk Oblast"
    assert (payload["component"], payload["group"], payload["class"]) == (
        "troop_deployment",
        "PRK",
        "MOBILIZE/troops",
    )
    details = payload["custom_details"]
    assert details["event_id"] == alert.event_id and details["figures"] == "at most 12,000 troops"
    assert "change" not in details  # empty facts are left out
    assert body["links"][0] == {
        "href": "https://geo.example/e/ev-1fc83f058a40ca5f",
        "text": "event",
    }


def test_pagerduty_limits_and_mapping() -> None:
    long = make_alert(event_id="ev-" + "x" * 400, location=Location(name="y" * 2000))
    body = pagerduty.payload(long, "RK", PagerDutyOptions(severity={"high": "critical"}), Links())
    assert len(body["dedup_key"]) <= pagerduty.DEDUP_KEY_LIMIT
    assert len(body["payload"]["summary"]) <= pagerduty.SUMMARY_LIMIT
    assert body["payload"]["severity"] == "critical"
    assert "links" not in body
    # Stable: the same alert always has the same key; another alert another one.
    assert pagerduty.dedup_key(long) == pagerduty.dedup_key(long.model_copy())
    assert pagerduty.dedup_key(make_alert("escalation", "critical")) != pagerduty.dedup_key(
        make_alert()
    )


def test_alertmanager_alert() -> None:
    options = AlertmanagerOptions(labels={"team": "geo"}, resolve_after_seconds=3600)
    request = alertmanager.build(make_alert(), target("http://am:9093/"), options, LINKS)
    assert request.url == "http://am:9093/api/v2/alerts"
    (item,) = request.json()
    assert item["labels"] == {
        "team": "geo",
        "alertname": "GeoEvent",
        "severity": "critical",
        "geo_severity": "high",
        "kind": "new",
        "rule": "page",
        "event_type": "MOBILIZE",
        "mode": "troops",
        "subtype": "troop_deployment",
        "actor": "PRK",
        "recipient": "RUS",
        "country": "RUS",
        "event_id": "ev-1fc83f058a40ca5f",
        "alert_id": make_alert().alert_id,
        "source": "geoevents",
    }
    assert all(re.match(r"^[a-zA-Z_][a-zA-Z0-9_]*$", k) for k in item["labels"])
    assert item["annotations"]["summary"] == make_alert().title
    assert "Figures: at most 12,000 troops" in item["annotations"]["description"]
    assert item["startsAt"] == "2026-11-10T14:20:00+00:00"
    assert item["endsAt"] == "2026-11-10T15:20:00+00:00"
    assert item["generatorURL"] == "https://geo.example/e/ev-1fc83f058a40ca5f"


def test_alertmanager_leaves_out_empty_labels() -> None:
    alert = make_alert(recipients=[], location=None, mode=None)
    labels = alertmanager.labels_of(alert, AlertmanagerOptions())
    assert not {"recipient", "country", "mode"} & set(labels)


def test_alertmanager_refuses_bad_label_names() -> None:
    with pytest.raises(ValueError, match="not Prometheus label names: bad-name"):
        AlertmanagerOptions(labels={"bad-name": "x"})


def documented_verify() -> Any:
    """The receiver's verification snippet, taken from docs/alerting.md and run as it is."""
    text = (ROOT / "docs" / "alerting.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- webhook-verify.*?-->\n```python\n(.*?)```", text, re.DOTALL)
    assert block, "docs/alerting.md lost its verification snippet"
    scope: dict[str, Any] = {}
    exec(compile(block.group(1), "docs/alerting.md", "exec"), scope)
    return scope["verify"]


def test_webhook_signature_verifies_with_the_documented_snippet() -> None:
    alert = make_alert()
    request = webhook.build(
        alert, target("https://hooks.example/h", "s3cret"), ChannelOptions(), Links()
    )
    verify = documented_verify()
    assert request.body == alert.to_json_bytes()
    assert verify(b"s3cret", request.headers, request.body)
    lowered = {k.lower(): v for k, v in request.headers.items()}
    assert verify(b"s3cret", lowered, request.body)  # as many frameworks hand headers over
    assert not verify(b"other", request.headers, request.body)
    assert not verify(b"s3cret", request.headers, request.body + b" ")
    assert webhook.verify(b"s3cret", request.headers, request.body)
    assert lowered["idempotency-key"] == alert.alert_id
    assert lowered["x-geoevents-severity"] == "high"


def test_webhook_signature_is_over_timestamp_and_body_and_expires() -> None:
    alert = make_alert()
    old = webhook.build(alert, target(key="k"), ChannelOptions(), Links(), now=1_000_000)
    assert old.headers[webhook.TIMESTAMP_HEADER] == "1000000"
    assert old.headers[webhook.SIGNATURE_HEADER] == webhook.signature(b"k", "1000000", old.body)
    assert webhook.verify(b"k", old.headers, old.body, now=1_000_100)
    assert not webhook.verify(b"k", old.headers, old.body, now=1_000_400)  # replayed later
    assert not documented_verify()(b"k", old.headers, old.body)  # far in the past
    retry = webhook.build(alert, target(key="k"), ChannelOptions(), Links(), now=1_000_060)
    assert retry.body == old.body and retry.headers["Idempotency-Key"] == "al-" + alert.alert_id[3:]
    assert retry.headers[webhook.SIGNATURE_HEADER] != old.headers[webhook.SIGNATURE_HEADER]


def test_console_text() -> None:
    text = console.text(make_alert("escalation", "critical"), ChannelOptions(), LINKS)
    lines = text.splitlines()
    assert (
        lines[0]
        == "[ESCALATION] CRITICAL: North Korea deploys up to 12,000 troops to Russia's Kursk Oblast"
    )
    assert "  change: severity rose from high to critical" in lines
    assert "  figures: at most 12,000 troops" in lines
    assert "    https://news.example/a/mp-1" in lines


FORGED = "Wire\n[NEW] CRITICAL: Fake launch\x1b[2J\u202e"


def test_console_text_cannot_be_forged_by_an_article() -> None:
    alert = make_alert(sources=[FORGED], article_ids=["a\nb"])
    text = console.text(alert, ChannelOptions(), LINKS)
    assert [line for line in text.splitlines() if line.startswith("[")] == [text.splitlines()[0]]
    assert "\x1b" not in text and "\u202e" not in text  # no escape reaches the terminal
    assert "Wire\\x0a[NEW] CRITICAL: Fake launch\\x1b[2J\\u202e" in text  # shown, not obeyed
    assert "https://news.example/a/a%0Ab" in text


def test_slack_neutralises_markup_and_mentions_from_articles() -> None:
    alert = make_alert(sources=["<!channel> *urgent* @here\nfake"], article_ids=["x>|<!here"])
    message = slack.payload(alert, ChannelOptions(), LINKS)
    body = json.dumps(message, ensure_ascii=False)
    assert "<!channel>" not in body and "<!here" not in body
    assert "*urgent*" not in body and "@here" not in body
    sources = message["blocks"][-2]["text"]["text"]
    assert "&lt;!channel&gt; *\u200burgent*\u200b @\u200bhere fake" in sources
    assert "<https://news.example/a/x%3E%7C%3C%21here|x&gt;|&lt;!here>" in sources


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "delivered"),
        (202, "delivered"),
        (400, "reject"),
        (403, "reject"),
        (404, "reject"),
        (408, "retry"),
        (409, "reject"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
    ],
)
def test_status_classification(status: int, verdict: str) -> None:
    assert classify(status) == verdict
    assert classifier("slack")(status) == verdict


def test_webhook_409_means_already_delivered() -> None:
    assert classifier("webhook")(409) == "delivered"
    assert classifier("webhook")(400) == "reject"


def test_requests_do_not_show_secrets_in_repr() -> None:
    request = pagerduty.build(
        make_alert(), target("https://e.example/v2", "RKSECRET"), PagerDutyOptions(), Links()
    )
    assert "RKSECRET" not in repr(request) and "RKSECRET" not in repr(target(key="RKSECRET"))
