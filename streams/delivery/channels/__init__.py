"""Alert channels: one module per channel, each building the request for an alert."""

from __future__ import annotations

from collections.abc import Callable

from schemas import Alert
from streams.delivery.channels import alertmanager, pagerduty, slack, webhook
from streams.delivery.channels.base import HttpRequest, Links, Verdict, classify
from streams.delivery.channels.config import Target
from streams.rules import ChannelOptions

Builder = Callable[[Alert, Target, ChannelOptions, Links], HttpRequest]

BUILDERS: dict[str, Builder] = {
    "slack": slack.build,
    "pagerduty": pagerduty.build,
    "alertmanager": alertmanager.build,
    "webhook": webhook.build,
}
"""The channels that send over HTTP; console prints instead."""

CLASSIFIERS: dict[str, Callable[[int], Verdict]] = {"webhook": webhook.classify_status}
"""Channels that read a status differently from `base.classify`."""


def classifier(channel: str) -> Callable[[int], Verdict]:
    """How `channel`'s answers are read."""
    return CLASSIFIERS.get(channel, classify)
