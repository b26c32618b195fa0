"""What the Kafka security settings hand to aiokafka and to Faust, and what they refuse."""

from __future__ import annotations

import ssl
from pathlib import Path

import faust
import pytest
import trustme
from pydantic import SecretStr, ValidationError

from streams.app import credentials
from streams.settings import KafkaSecurity, Settings


def test_plaintext_adds_nothing() -> None:
    security = KafkaSecurity()
    assert security.client_options() == {} and credentials(security) is None


def test_tls_checks_the_brokers_against_the_given_ca(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    client = ca.issue_cert("geoevents-worker")
    client.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    client.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    security = KafkaSecurity(
        security_protocol="SSL",
        ssl_cafile=tmp_path / "ca.pem",
        ssl_certfile=tmp_path / "cert.pem",
        ssl_keyfile=tmp_path / "key.pem",
    )
    options = security.client_options()
    assert options["security_protocol"] == "SSL"
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert isinstance(credentials(security), faust.SSLCredentials)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_logs_in_with_the_password_from_a_file(
    tmp_path: Path, mechanism: str
) -> None:
    secret = tmp_path / "password"
    secret.write_text("  s3cr3t-pa55\n", encoding="utf-8")
    security = KafkaSecurity(
        security_protocol="SASL_SSL",
        sasl_mechanism=mechanism,  # type: ignore[arg-type]
        sasl_username="geoevents",
        sasl_password_file=secret,
    )
    options = security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == mechanism
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "geoevents",
        "s3cr3t-pa55",
    )
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    faust_side = credentials(security)
    assert isinstance(faust_side, faust.SASLCredentials)
    assert faust_side.mechanism.value == mechanism
    assert faust_side.protocol.value == "SASL_SSL" and faust_side.password == "s3cr3t-pa55"


def test_sasl_without_tls_has_no_tls_context() -> None:
    security = KafkaSecurity(
        security_protocol="SASL_PLAINTEXT",
        sasl_username="geoevents",
        sasl_password=SecretStr("pw"),
    )
    assert "ssl_context" not in security.client_options()
    assert credentials(security).protocol.value == "SASL_PLAINTEXT"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"security_protocol": "SASL_SSL"}, "SASL_USERNAME"),
        ({"security_protocol": "SASL_SSL", "sasl_username": "u"}, "SASL_PASSWORD"),
        (
            {
                "security_protocol": "SASL_SSL",
                "sasl_username": "u",
                "sasl_password": "p",
                "sasl_password_file": "/p",
            },
            "one of them",
        ),
        ({"security_protocol": "SSL", "ssl_certfile": "/c.pem"}, "together"),
    ],
)
def test_incomplete_settings_are_refused(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KafkaSecurity.model_validate(fields)


def test_unreadable_files_name_the_variable_not_the_secret(tmp_path: Path) -> None:
    missing = KafkaSecurity(security_protocol="SSL", ssl_cafile=tmp_path / "none.pem")
    with pytest.raises(ValueError, match="GEO_KAFKA__SSL_"):
        missing.client_options()
    gone = KafkaSecurity(
        security_protocol="SASL_PLAINTEXT",
        sasl_username="u",
        sasl_password_file=tmp_path / "nope",
    )
    with pytest.raises(ValueError, match="GEO_KAFKA__SASL_PASSWORD_FILE: cannot read"):
        gone.client_options()


def test_the_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("GEO_KAFKA__SASL_USERNAME", "geoevents")
    monkeypatch.setenv("GEO_KAFKA__SASL_PASSWORD", "s3cr3t-pa55")
    settings = Settings()
    assert settings.kafka.password() == "s3cr3t-pa55"
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in str(settings.model_dump())
