"""One settings object for the whole service, read from GEO_* environment variables."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).parent / "data"


class TopicSettings(BaseModel):
    """Topic names (GEO_TOPICS__<NAME>) and partition count (GEO_TOPICS__PARTITIONS)."""

    model_config = ConfigDict(frozen=True)

    articles: str = "articles.raw"
    """GEO_TOPICS__ARTICLES: raw articles from producers."""
    articles_dlq: str = "articles.dlq"
    """GEO_TOPICS__ARTICLES_DLQ: dead letters of any article-processing stage."""
    mentions: str = "events.mentions"
    """GEO_TOPICS__MENTIONS: every extracted mention, keyed by its canonical event."""
    canonical: str = "events.canonical"
    """GEO_TOPICS__CANONICAL: latest state of each canonical event (compacted)."""
    alerts: str = "alerts"
    """GEO_TOPICS__ALERTS: the outbox of alerts for delivery."""
    alerts_dlq: str = "alerts.dlq"
    """GEO_TOPICS__ALERTS_DLQ: alerts that could not be delivered."""
    partitions: int = Field(default=4, ge=1)
    """GEO_TOPICS__PARTITIONS: partitions for every topic the service creates."""
    replication_factor: int = Field(default=1, ge=1)
    """GEO_TOPICS__REPLICATION_FACTOR: replicas of topics and changelogs (3 in production)."""

    def public(self) -> list[str]:
        """The topics other services read or write, in flow order."""
        return [
            self.articles,
            self.articles_dlq,
            self.mentions,
            self.canonical,
            self.alerts,
            self.alerts_dlq,
        ]


class LimitSettings(BaseModel):
    """Input limits (GEO_LIMITS__<NAME>)."""

    model_config = ConfigDict(frozen=True)

    max_message_bytes: int = Field(default=1024 * 1024, ge=64 * 1024)
    """GEO_LIMITS__MAX_MESSAGE_BYTES: the largest record the service sends (its producers'
    max request size, and `max.message.bytes` on the topics it creates). Keep it at or below
    the brokers' `message.max.bytes`. A dead letter is cut to fit it."""
    max_article_bytes: int = Field(default=512 * 1024, ge=1024)
    """GEO_LIMITS__MAX_ARTICLE_BYTES: a raw message larger than this is dead-lettered. At
    most half of GEO_LIMITS__MAX_MESSAGE_BYTES: an accepted article travels on, with its
    features, in records of its own."""
    max_body_chars: int = Field(default=200_000, ge=100)
    """GEO_LIMITS__MAX_BODY_CHARS: an article body longer than this is dead-lettered."""
    max_ahead_seconds: float = Field(default=86400.0, ge=0)
    """GEO_LIMITS__MAX_AHEAD_SECONDS: an article published further than this ahead of the
    clock is dead-lettered (`future_dated`), and no record's time moves stream time further
    ahead: a producer's clock or a typo must not expire state early."""
    earliest: AwareDatetime = datetime(1970, 1, 1, tzinfo=UTC)
    """GEO_LIMITS__EARLIEST: an article published before this is dead-lettered (`too_old`)."""

    @model_validator(mode="after")
    def _sizes_agree(self) -> LimitSettings:
        if self.max_article_bytes * 2 > self.max_message_bytes:
            raise ValueError(
                f"GEO_LIMITS__MAX_ARTICLE_BYTES ({self.max_article_bytes}) must be at most half "
                f"of GEO_LIMITS__MAX_MESSAGE_BYTES ({self.max_message_bytes})"
            )
        return self


class StateSettings(BaseModel):
    """State retention (GEO_STATE__<NAME>)."""

    model_config = ConfigDict(frozen=True)

    duplicate_window_seconds: float = Field(default=7 * 86400, gt=0)
    """GEO_STATE__DUPLICATE_WINDOW_SECONDS: how long a first copy is remembered for its copies."""
    story_window_seconds: float = Field(default=7 * 86400, gt=0)
    """GEO_STATE__STORY_WINDOW_SECONDS: how long a story stays open after its latest article."""
    event_window_seconds: float = Field(default=30 * 86400, gt=0)
    """GEO_STATE__EVENT_WINDOW_SECONDS: how long a canonical event stays open for merging."""


class ChannelSettings(BaseModel):
    """Where alert channels send (GEO_CHANNELS__<NAME>); each secret also as <NAME>_FILE.

    Secrets are SecretStr: their repr is masked, and the delivery code redacts them from
    every error it logs or dead-letters. See docs/alerting.md.
    """

    model_config = ConfigDict(frozen=True)

    slack_webhook_url: SecretStr | None = None
    """GEO_CHANNELS__SLACK_WEBHOOK_URL: a Slack incoming-webhook URL (the URL is the secret)."""
    slack_webhook_url_file: Path | None = None
    """GEO_CHANNELS__SLACK_WEBHOOK_URL_FILE: a file holding it (a mounted secret)."""
    pagerduty_routing_key: SecretStr | None = None
    """GEO_CHANNELS__PAGERDUTY_ROUTING_KEY: Events API v2 integration (routing) key."""
    pagerduty_routing_key_file: Path | None = None
    """GEO_CHANNELS__PAGERDUTY_ROUTING_KEY_FILE: a file holding it."""
    pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"
    """GEO_CHANNELS__PAGERDUTY_URL: the Events API v2 endpoint (EU accounts use events.eu)."""
    alertmanager_url: SecretStr | None = None
    """GEO_CHANNELS__ALERTMANAGER_URL: Alertmanager base URL (may carry basic-auth credentials)."""
    alertmanager_url_file: Path | None = None
    """GEO_CHANNELS__ALERTMANAGER_URL_FILE: a file holding it."""
    webhook_url: SecretStr | None = None
    """GEO_CHANNELS__WEBHOOK_URL: the generic webhook's URL."""
    webhook_url_file: Path | None = None
    """GEO_CHANNELS__WEBHOOK_URL_FILE: a file holding it."""
    webhook_secret: SecretStr | None = None
    """GEO_CHANNELS__WEBHOOK_SECRET: HMAC-SHA256 key the webhook's requests are signed with."""
    webhook_secret_file: Path | None = None
    """GEO_CHANNELS__WEBHOOK_SECRET_FILE: a file holding it."""
    http_hosts: list[str] = ["localhost", "127.0.0.1", "::1"]
    """GEO_CHANNELS__HTTP_HOSTS: hosts a channel may reach over plain http (a JSON list, e.g.
    '["alertmanager"]' for a receiver on the cluster's own network); every other channel
    URL must be https."""


class DeliverySettings(BaseModel):
    """How alerts are sent (GEO_DELIVERY__<NAME>): timeouts, retries, rate limits, links."""

    model_config = ConfigDict(frozen=True)

    timeout_seconds: float = Field(default=10.0, gt=0)
    """GEO_DELIVERY__TIMEOUT_SECONDS: one attempt's deadline, connect to last byte."""
    max_attempts: int = Field(default=8, ge=1)
    """GEO_DELIVERY__MAX_ATTEMPTS: attempts per alert and channel before it is dead-lettered."""
    backoff_base_seconds: float = Field(default=1.0, gt=0)
    """GEO_DELIVERY__BACKOFF_BASE_SECONDS: the first retry's delay; it doubles per attempt."""
    backoff_max_seconds: float = Field(default=60.0, gt=0)
    """GEO_DELIVERY__BACKOFF_MAX_SECONDS: the longest delay backoff reaches (before jitter)."""
    max_retry_after_seconds: float = Field(default=600.0, gt=0)
    """GEO_DELIVERY__MAX_RETRY_AFTER_SECONDS: a longer Retry-After gives up (dead-letters)."""
    max_in_flight: int = Field(default=4, ge=1)
    """GEO_DELIVERY__MAX_IN_FLIGHT: concurrent requests per channel."""
    max_pending: int = Field(default=1000, ge=1)
    """GEO_DELIVERY__MAX_PENDING: alerts awaiting an outcome before the deliver agent waits."""
    slack_per_minute: float = Field(default=60.0, gt=0)
    """GEO_DELIVERY__SLACK_PER_MINUTE: Slack allows about one message a second per webhook."""
    pagerduty_per_minute: float = Field(default=120.0, gt=0)
    """GEO_DELIVERY__PAGERDUTY_PER_MINUTE: PagerDuty allows about 120 events a minute per key."""
    alertmanager_per_minute: float = Field(default=600.0, gt=0)
    """GEO_DELIVERY__ALERTMANAGER_PER_MINUTE: requests a minute to Alertmanager."""
    webhook_per_minute: float = Field(default=600.0, gt=0)
    """GEO_DELIVERY__WEBHOOK_PER_MINUTE: requests a minute to the generic webhook."""
    article_url_template: str | None = None
    """GEO_DELIVERY__ARTICLE_URL_TEMPLATE: link per source, e.g. https://news/a/{article_id}."""
    event_url_template: str | None = None
    """GEO_DELIVERY__EVENT_URL_TEMPLATE: link to an event, e.g. https://geo/events/{event_id}."""


class KafkaSecurity(BaseModel):
    """How every Kafka client of the service connects (GEO_KAFKA__<NAME>): the worker, the
    producer in `geoevents ingest`, and every command that talks to the broker.

    TLS (SSL, SASL_SSL) checks the brokers' certificates against `ssl_cafile` (else the
    system's trust store); `ssl_certfile` and `ssl_keyfile` give a client certificate for
    mutual TLS. SASL (SASL_PLAINTEXT, SASL_SSL) logs in with PLAIN or SCRAM-SHA-256/512.
    """

    model_config = ConfigDict(frozen=True)

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """GEO_KAFKA__SECURITY_PROTOCOL."""
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    """GEO_KAFKA__SASL_MECHANISM."""
    sasl_username: str | None = None
    """GEO_KAFKA__SASL_USERNAME."""
    sasl_password: SecretStr | None = None
    """GEO_KAFKA__SASL_PASSWORD (a secret: masked, never logged)."""
    sasl_password_file: Path | None = None
    """GEO_KAFKA__SASL_PASSWORD_FILE: a file holding it (a mounted secret)."""
    ssl_cafile: Path | None = None
    """GEO_KAFKA__SSL_CAFILE: CA bundle (PEM) the brokers' certificates are checked against."""
    ssl_certfile: Path | None = None
    """GEO_KAFKA__SSL_CERTFILE: client certificate (PEM), for brokers that require one."""
    ssl_keyfile: Path | None = None
    """GEO_KAFKA__SSL_KEYFILE: its private key (PEM)."""

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        sasl = self.security_protocol.startswith("SASL")
        if sasl and not self.sasl_username:
            raise ValueError(f"{self.security_protocol} needs GEO_KAFKA__SASL_USERNAME")
        if sasl and (self.sasl_password is None) == (self.sasl_password_file is None):
            raise ValueError(
                f"{self.security_protocol} needs GEO_KAFKA__SASL_PASSWORD or "
                "GEO_KAFKA__SASL_PASSWORD_FILE (one of them)"
            )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("set GEO_KAFKA__SSL_CERTFILE and GEO_KAFKA__SSL_KEYFILE together")
        return self

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def password(self) -> str:
        """The SASL password, from its variable or its file."""
        if self.sasl_password is not None:
            return self.sasl_password.get_secret_value()
        if self.sasl_password_file is None:
            return ""
        try:
            return self.sasl_password_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise ValueError(
                f"GEO_KAFKA__SASL_PASSWORD_FILE: cannot read {self.sasl_password_file}: "
                f"{err.strerror}"
            ) from err

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context every client uses, or None without TLS. Certificates are checked
        and host names verified; an unreadable file is an error naming the variable."""
        if not self.tls:
            return None
        try:
            context = ssl.create_default_context(
                cafile=str(self.ssl_cafile) if self.ssl_cafile else None
            )
            if self.ssl_certfile and self.ssl_keyfile:
                context.load_cert_chain(str(self.ssl_certfile), str(self.ssl_keyfile))
        except (OSError, ssl.SSLError) as err:
            raise ValueError(f"GEO_KAFKA__SSL_*: cannot load the TLS files: {err}") from err
        return context

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for an aiokafka client, producer, consumer or admin client."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.tls:
            options["ssl_context"] = self.ssl_context()
        if self.security_protocol.startswith("SASL"):
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.password(),
            )
        return options


class Settings(BaseSettings):
    """Service settings. Every field is read from an environment variable prefixed GEO_."""

    model_config = SettingsConfigDict(
        env_prefix="GEO_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
    )

    broker: str | None = None
    """GEO_BROKER: bootstrap servers (host:port[,host:port]); unset means the embedded broker."""
    app_id: str = "geoevents"
    """GEO_APP_ID: Faust application id, also the consumer group id."""
    store: str = "memory://"
    """GEO_STORE: Faust table store: memory:// for development, rocksdb:// in production."""
    data_dir: Path = Path(".geoevents")
    """GEO_DATA_DIR: where the worker keeps table state (RocksDB) and its logs."""
    web_host: str = "127.0.0.1"
    """GEO_WEB_HOST: address the worker's HTTP server binds (/metrics, /healthz, /readyz)."""
    web_port: int = Field(default=6066, ge=0, le=65535)
    """GEO_WEB_PORT: port of the worker's HTTP server."""
    rules_file: Path = DATA_DIR / "rules.yaml"
    """GEO_RULES_FILE: alert rules (YAML)."""
    consumer_instance_id: str | None = None
    """GEO_CONSUMER_INSTANCE_ID: static group membership id; set one per worker in production."""
    broker_session_timeout: float = Field(default=10.0, gt=0)
    """GEO_BROKER_SESSION_TIMEOUT: consumer session timeout in seconds."""
    broker_fetch_max_wait_ms: int = Field(default=100, ge=1, le=30_000)
    """GEO_BROKER_FETCH_MAX_WAIT_MS: longest a fetch waits for data; each stage hop can cost it."""
    broker_commit_interval: float = Field(default=1.0, gt=0)
    """GEO_BROKER_COMMIT_INTERVAL: seconds between offset commits."""
    table_standby_replicas: int = Field(default=1, ge=0)
    """GEO_TABLE_STANDBY_REPLICAS: warm copies each worker keeps of other workers' tables, so
    a failover takes over at once; each costs every write of the tables it copies (about 15%
    more CPU an article with two workers, docs/merging.md). 0: a failover replays changelogs."""
    stop_timeout_seconds: float = Field(default=5.0, gt=0)
    """GEO_STOP_TIMEOUT_SECONDS: a worker told to stop exits this long after the signal at the
    latest, finished or not (what it had not committed is read again by the next one)."""
    recovery_timeout_seconds: float = Field(default=600.0, gt=0)
    """GEO_RECOVERY_TIMEOUT_SECONDS: a worker whose table recovery has not finished after
    this long stops with an error (to be restarted) instead of waiting without end."""
    broker_lost_grace_seconds: float = Field(default=60.0, gt=0)
    """GEO_BROKER_LOST_GRACE_SECONDS: how long the broker may be unreachable before /healthz
    fails, so an orchestrator restarts the worker (/readyz fails at once)."""
    log_level: str = "WARNING"
    """GEO_LOG_LEVEL: worker log level."""
    topics: TopicSettings = TopicSettings()
    limits: LimitSettings = LimitSettings()
    state: StateSettings = StateSettings()
    channels: ChannelSettings = ChannelSettings()
    delivery: DeliverySettings = DeliverySettings()
    kafka: KafkaSecurity = KafkaSecurity()

    def internal_topics(self) -> dict[str, str]:
        """Repartition topics between stages, named after the app so two apps never share one."""
        return {
            "for_stories": f"{self.app_id}-articles-for-stories",
            "storied": f"{self.app_id}-articles-storied",
            "by_block": f"{self.app_id}-mentions-by-block",
        }

    def consumed_topics(self) -> list[str]:
        """Every topic the worker's group consumes: drained when all of them are committed."""
        return [self.topics.articles, self.topics.alerts, *self.internal_topics().values()]

    @property
    def broker_url(self) -> str:
        """The broker as Faust wants it (kafka://host:port;host:port)."""
        if self.broker is None:
            raise ValueError("no broker configured (GEO_BROKER); start the embedded one first")
        hosts = [h.strip() for h in self.broker.split(",") if h.strip()]
        return ";".join(h if "://" in h else f"kafka://{h}" for h in hosts)

    @property
    def bootstrap_servers(self) -> str:
        """The broker as aiokafka wants it (host:port,host:port)."""
        if self.broker is None:
            raise ValueError("no broker configured (GEO_BROKER); start the embedded one first")
        return ",".join(h.split("://", 1)[-1] for h in self.broker.split(",") if h.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
