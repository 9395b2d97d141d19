"""Connection settings for the command line: flags, environment, TOML file.

Precedence is flag, then environment variable, then config file. Passwords
come only from the environment or the file, never from a flag or a URL, since
command lines end up in shell history and process listings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from smswire.errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

__all__ = [
    "LinkSettings",
    "SmppSettings",
    "link_settings",
    "load_config",
    "parse_smpp_url",
    "smpp_settings",
]

SMPP_URL_SCHEMES = {"smpp": False, "smpps": True}  # scheme -> TLS
DEFAULT_SMPP_PORT = 2775  # the IANA port for SMPP; inMobile serves TLS on it too


@dataclass(frozen=True)
class SmppSettings:
    host: str
    port: int
    system_id: str
    password: str = field(repr=False)
    tls: bool = True
    ca_file: str | None = None


@dataclass(frozen=True)
class LinkSettings:
    url: str
    service_id: int
    username: str
    password: str = field(repr=False)
    ca_file: str | None = None


def parse_smpp_url(url: str) -> tuple[str, int, str, bool]:
    """Split ``smpps://system_id@host:port`` into host, port, system_id and TLS.

    A password in the URL is refused: it would sit in shell history.
    """
    parts = urlsplit(url)
    if parts.scheme not in SMPP_URL_SCHEMES:
        raise ConfigurationError(
            f"SMPP URL scheme {parts.scheme or '(none)'!r} is not one of "
            f"{', '.join(SMPP_URL_SCHEMES)} (e.g. smpps://system_id@host:2775)"
        )
    if parts.password is not None:
        raise ConfigurationError(
            "the SMPP URL must not carry a password: set SMSWIRE_SMPP_PASSWORD "
            "or 'password' in the [smpp] table of the config file"
        )
    if not parts.username:
        raise ConfigurationError("the SMPP URL names no system_id (smpps://system_id@host:port)")
    if not parts.hostname:
        raise ConfigurationError("the SMPP URL names no host (smpps://system_id@host:port)")
    try:
        port = parts.port or DEFAULT_SMPP_PORT
    except ValueError:
        raise ConfigurationError("the SMPP URL's port is not a number from 1 to 65535") from None
    return parts.hostname, port, unquote(parts.username), SMPP_URL_SCHEMES[parts.scheme]


def load_config(path: str | None) -> dict[str, Any]:
    """Read the TOML config file, or nothing when no path is given."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except OSError as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"config file {path} is not valid TOML: {exc}") from None


def _pick(
    flag: str | None, env: Mapping[str, str], env_name: str, table: Mapping[str, Any], key: str
) -> str | None:
    if flag:
        return flag
    if env.get(env_name):
        return env[env_name]
    value = table.get(key)
    return None if value is None else str(value)


def _table(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = config.get(name, {})
    if not isinstance(table, Mapping):
        raise ConfigurationError(f"[{name}] in the config file must be a table")
    return table


def smpp_settings(
    config: Mapping[str, Any],
    *,
    url: str | None = None,
    ca_file: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> SmppSettings:
    """SMPP settings from a ``--url`` flag, ``SMSWIRE_SMPP_*`` and the ``[smpp]`` table."""
    table = _table(config, "smpp")
    chosen = _pick(url, env, "SMSWIRE_SMPP_URL", table, "url")
    if chosen is None:
        raise ConfigurationError(
            "no SMPP server: give --url, SMSWIRE_SMPP_URL or url in the [smpp] table"
        )
    host, port, system_id, tls = parse_smpp_url(chosen)
    password = _pick(None, env, "SMSWIRE_SMPP_PASSWORD", table, "password")
    if password is None:
        raise ConfigurationError(
            "no SMPP password: set SMSWIRE_SMPP_PASSWORD or password in the [smpp] table"
        )
    return SmppSettings(
        host=host,
        port=port,
        system_id=system_id,
        password=password,
        tls=tls,
        ca_file=_pick(ca_file, env, "SMSWIRE_SMPP_CA_FILE", table, "ca_file"),
    )


def link_settings(
    config: Mapping[str, Any],
    *,
    url: str | None = None,
    ca_file: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> LinkSettings:
    """LINK settings from a ``--url`` flag, ``SMSWIRE_LINK_*`` and the ``[link]`` table."""
    table = _table(config, "link")
    values = {
        "url": _pick(url, env, "SMSWIRE_LINK_URL", table, "url"),
        "service_id": _pick(None, env, "SMSWIRE_LINK_SERVICE_ID", table, "service_id"),
        "username": _pick(None, env, "SMSWIRE_LINK_USERNAME", table, "username"),
        "password": _pick(None, env, "SMSWIRE_LINK_PASSWORD", table, "password"),
    }
    missing = [name for name, value in values.items() if value is None]
    if missing:
        names = ", ".join(f"SMSWIRE_LINK_{name.upper()}" for name in missing)
        raise ConfigurationError(f"LINK settings missing: set {names} or the [link] table")
    try:
        service_id = int(values["service_id"] or "")
    except ValueError:
        raise ConfigurationError("the LINK service_id must be an integer") from None
    return LinkSettings(
        url=values["url"] or "",
        service_id=service_id,
        username=values["username"] or "",
        password=values["password"] or "",
        ca_file=_pick(ca_file, env, "SMSWIRE_LINK_CA_FILE", table, "ca_file"),
    )
