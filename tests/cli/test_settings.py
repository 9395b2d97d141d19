"""CLI settings: flags over environment over config file; passwords never on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire.cli.settings import link_settings, load_config, parse_smpp_url, smpp_settings
from smswire.errors import ConfigurationError


def test_smpps_url_means_tls_and_defaults_to_port_2775() -> None:
    assert parse_smpp_url("smpps://acme@smpp-dk1.inmobile.dk") == (
        "smpp-dk1.inmobile.dk",
        2775,
        "acme",
        True,
    )
    assert parse_smpp_url("smpp://acme@127.0.0.1:2776") == ("127.0.0.1", 2776, "acme", False)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://acme@host", "scheme 'http'"),
        ("smpps://acme:hunter2@host", "must not carry a password"),
        ("smpps://host:2775", "no system_id"),
        ("smpps://acme@host:99999", "port"),
    ],
)
def test_bad_smpp_urls_are_refused_without_echoing_a_password(url: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        parse_smpp_url(url)
    assert "hunter2" not in str(caught.value)


def test_flag_beats_environment_beats_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "smswire.toml"
    config_file.write_text(
        '[smpp]\nurl = "smpps://fromfile@file-host"\npassword = "file-secret"\n'
        'ca_file = "file-ca.pem"\n'
    )
    config = load_config(str(config_file))
    env = {"SMSWIRE_SMPP_URL": "smpp://fromenv@env-host:1234"}
    assert smpp_settings(config, env={}).system_id == "fromfile"
    from_env = smpp_settings(config, env=env)
    assert (from_env.system_id, from_env.port, from_env.tls) == ("fromenv", 1234, False)
    assert from_env.password == "file-secret"
    assert smpp_settings(config, url="smpps://flag@h", env=env).system_id == "flag"
    assert "file-secret" not in repr(from_env)


def test_missing_settings_name_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="SMSWIRE_SMPP_URL"):
        smpp_settings({}, env={})
    with pytest.raises(ConfigurationError, match="SMSWIRE_SMPP_PASSWORD"):
        smpp_settings({}, env={"SMSWIRE_SMPP_URL": "smpps://a@h"})
    with pytest.raises(ConfigurationError, match="SMSWIRE_LINK_SERVICE_ID, SMSWIRE_LINK_PASSWORD"):
        link_settings({}, env={"SMSWIRE_LINK_URL": "https://x", "SMSWIRE_LINK_USERNAME": "u"})


def test_link_settings_from_environment_hide_the_password() -> None:
    env = {
        "SMSWIRE_LINK_URL": "https://n-eu.linkmobility.io/smscsimplehttp",
        "SMSWIRE_LINK_SERVICE_ID": "42",
        "SMSWIRE_LINK_USERNAME": "acme",
        "SMSWIRE_LINK_PASSWORD": "s3cret",
    }
    settings = link_settings({}, env=env)
    assert settings.service_id == 42
    assert "s3cret" not in repr(settings)
    with pytest.raises(ConfigurationError, match="integer"):
        link_settings({}, env={**env, "SMSWIRE_LINK_SERVICE_ID": "forty-two"})


def test_unreadable_or_invalid_config_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_config(str(tmp_path / "missing.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[smpp\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_config(str(bad))
