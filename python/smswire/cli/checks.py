"""Every option of ``send`` and ``send-csv`` checked before anything connects or
is written, each complaint one line in the words of the command line.

A value the clients would refuse later (a window of 0, a rate of 0, a plain
HTTP URL, a CA file that is not there) is refused here, by its flag, before a
results file exists: a campaign that cannot start must not leave rows behind
that a later ``--resume`` would take for sent.
"""

from __future__ import annotations

import argparse
import math
from urllib.parse import urlsplit

from smswire.cli.settings import link_settings, load_config, smpp_settings
from smswire.errors import ConfigurationError
from smswire.tls import verifying_context

__all__ = ["check_send_options"]


def _at_least_one(flag: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ConfigurationError(f"{flag} must be at least 1, not {value}")


def _rate(value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ConfigurationError(
            f"--rate must be a positive number of messages a second, not {value:g}"
        )


def _link_url(url: str, *, allow_insecure_http: bool) -> None:
    scheme = urlsplit(url).scheme
    if scheme == "http" and not allow_insecure_http:
        raise ConfigurationError(
            f"the LINK URL {url} is plain HTTP, which sends the password readable "
            "(LINK deprecates it); use https://, or pass --allow-insecure-http"
        )
    if scheme not in ("http", "https"):
        raise ConfigurationError(f"the LINK URL {url} must start with https://")


def check_send_options(args: argparse.Namespace) -> None:
    """Raise :class:`ConfigurationError` naming the first option that cannot work."""
    # `send` lacks the campaign's options; `send-csv` has them all.
    _at_least_one("--concurrency", getattr(args, "concurrency", None))
    _at_least_one("--batch", getattr(args, "batch", None))
    _rate(args.rate)
    if args.dry_run:
        # Pricing needs no connection, and no settings either.
        return
    if hasattr(args, "out") and args.out is None:
        raise ConfigurationError("--out is needed: the results file each row's outcome goes to")
    config = load_config(args.config)
    if args.via == "smpp":
        ca_file = smpp_settings(config, url=args.url, ca_file=args.ca_file).ca_file
    else:
        link = link_settings(config, url=args.url, ca_file=args.ca_file)
        _link_url(link.url, allow_insecure_http=args.allow_insecure_http)
        ca_file = link.ca_file
    if ca_file:
        # Names the path when the file is missing or not PEM.
        verifying_context(ca_file=ca_file)
