"""Channel targets from the settings: URLs and keys, secret files, and their redaction."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from pydantic import SecretStr

from streams.errors import ConfigError
from streams.settings import ChannelSettings

_ENV = "GEO_CHANNELS__"


@dataclass(frozen=True)
class Target:
    """Where one channel sends: its URL and, for some, a key. Both may be secrets."""

    url: SecretStr
    key: SecretStr | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Every secret text of this target, for redaction."""


def _secret(channels: ChannelSettings, name: str) -> SecretStr | None:
    """The value of setting `name`, from its variable or from the file its _FILE names."""
    value: SecretStr | None = getattr(channels, name)
    path: Path | None = getattr(channels, f"{name}_file")
    variable = _ENV + name.upper()
    if value is not None and path is not None:
        raise ConfigError(f"set {variable} or {variable}_FILE, not both")
    if path is None:
        return value if value is None or value.get_secret_value().strip() else None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as err:
        # The path is not secret; the file's content is, and is never echoed.
        raise ConfigError(f"{variable}_FILE: cannot read {path}: {err.strerror}") from err
    if not text:
        raise ConfigError(f"{variable}_FILE: {path} is empty")
    return SecretStr(text)


def check_url(variable: str, url: str, http_hosts: Iterable[str]) -> None:
    """Refuse a channel URL a page must not go to: not https (plain http only to the hosts
    GEO_CHANNELS__HTTP_HOSTS allows), no host, or a link-local, multicast or unspecified
    address (169.254.169.254 is a cloud's metadata service). The error names the variable,
    the scheme and the host, never the URL, which may be the secret."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError as err:
        raise ConfigError(f"{variable}: not a URL ({err})") from err
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise ConfigError(f"{variable}: not an http(s) URL with a host (scheme {scheme!r})")
    if scheme == "http" and host not in {h.lower() for h in http_hosts}:
        raise ConfigError(
            f"{variable}: plain http to {host!r}; use https, or allow the host in "
            "GEO_CHANNELS__HTTP_HOSTS"
        )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        raise ConfigError(f"{variable}: {host} is not an address alerts may be sent to")


def targets(channels: ChannelSettings) -> dict[str, Target]:
    """The HTTP channels configured in the environment, with what each needs to send; each
    URL checked (`check_url`)."""
    found = _targets(channels)
    for name, target in found.items():
        variable = "GEO_CHANNELS__PAGERDUTY_URL" if name == "pagerduty" else REQUIRED[name]
        check_url(variable.split(" ")[0], target.url.get_secret_value(), channels.http_hosts)
    return found


def _targets(channels: ChannelSettings) -> dict[str, Target]:
    found: dict[str, Target] = {}
    slack = _secret(channels, "slack_webhook_url")
    if slack is not None:
        found["slack"] = _target(slack)
    routing_key = _secret(channels, "pagerduty_routing_key")
    if routing_key is not None:
        # The endpoint is public; only the routing key is secret.
        found["pagerduty"] = _target(SecretStr(channels.pagerduty_url), routing_key, False)
    alertmanager = _secret(channels, "alertmanager_url")
    if alertmanager is not None:
        found["alertmanager"] = _target(alertmanager)
    webhook = _secret(channels, "webhook_url")
    hmac_key = _secret(channels, "webhook_secret")
    if webhook is not None and hmac_key is not None:
        found["webhook"] = _target(webhook, hmac_key)
    elif webhook is not None:
        raise ConfigError(
            f"{_ENV}WEBHOOK_URL is set but {_ENV}WEBHOOK_SECRET (or _FILE) is not: "
            "the webhook's requests are always signed"
        )
    return found


def _target(url: SecretStr, key: SecretStr | None = None, secret_url: bool = True) -> Target:
    texts = []
    if secret_url:
        raw = url.get_secret_value()
        # Parts too short to be secret ("/api") would only garble error texts.
        texts += [raw, *(p for p in _url_parts(raw) if len(p) >= 6)]
    if key is not None:
        texts.append(key.get_secret_value())
    return Target(url=url, key=key, secrets=tuple(t for t in texts if t))


def _url_parts(url: str) -> list[str]:
    """The pieces of a URL that are secret on their own: credentials, path and query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    pieces = [parts.path, parts.query, parts.username or "", parts.password or ""]
    pieces += [p for p in parts.path.split("/") if len(p) >= 12]  # tokens as path segments
    return [p for p in pieces if p and p != "/"]


REQUIRED = {
    "slack": "GEO_CHANNELS__SLACK_WEBHOOK_URL",
    "pagerduty": "GEO_CHANNELS__PAGERDUTY_ROUTING_KEY",
    "alertmanager": "GEO_CHANNELS__ALERTMANAGER_URL",
    "webhook": "GEO_CHANNELS__WEBHOOK_URL and GEO_CHANNELS__WEBHOOK_SECRET",
}
"""The variables (each also as _FILE) a channel needs before a rule may route to it."""


def check_routed(routed: Iterable[str], configured: Iterable[str], rules_file: Path) -> None:
    """Stop the start when a rule routes to a channel the environment does not configure."""
    have = set(configured) | {"console"}
    missing = [c for c in routed if c not in have]
    if missing:
        lines = [f"{c}: set {REQUIRED[c]} (or the _FILE variant)" for c in missing]
        raise ConfigError(
            f"{rules_file}: rules route to channels this worker cannot reach\n  "
            + "\n  ".join(lines)
        )


class Redactor:
    """Replaces every configured secret, and its URL-encoded form, in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        texts = {s for s in secrets if s}
        texts |= {quote(s, safe="") for s in texts}
        # Longest first, so a whole URL is replaced before its path is.
        ordered = sorted(texts, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def for_targets(cls, found: dict[str, Target]) -> Redactor:
        """A redactor for every secret of these targets."""
        return cls(s for t in found.values() for s in t.secrets)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("[redacted]", text)
