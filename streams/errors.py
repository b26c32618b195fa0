"""The service's exceptions: one root, a few documented kinds."""

from __future__ import annotations


class GeoeventsError(Exception):
    """Root of every error the service raises on purpose."""


class RejectedMessage(GeoeventsError):
    """A message that cannot be processed; it goes to a dead-letter topic with `reason`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ConfigError(GeoeventsError):
    """An operator-edited file or setting is invalid; the message names file, line and field."""


class BrokerError(GeoeventsError):
    """The broker could not be started, reached or prepared."""
