"""Every option of ``send``, ``send-csv`` and ``worker`` checked before anything
connects or is written, each complaint one line in the words of the command line.

A value the clients or the outbox would refuse later (a window of 0, a rate of
0, a lease of 0, a plain HTTP URL, a CA file that is not there) is refused here,
by its flag, before a results file or an outbox exists and before a bind: a
campaign that cannot start must not leave rows behind that a later run would
take for sent, and the library's own words (``window``, ``lanes``) name no flag.
"""

from __future__ import annotations

import argparse
import math
from urllib.parse import urlsplit

from smswire.cli.settings import link_settings, load_config, smpp_settings
from smswire.errors import ConfigurationError
from smswire.outbox.store import MAX_CLAIM
from smswire.tls import verifying_context

__all__ = ["check_send_options", "check_simulator_options", "check_worker_options"]


def _at_least_one(flag: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ConfigurationError(f"{flag} must be at least 1, not {value}")


def _seconds(flag: str, value: float | None, *, allow_zero: bool) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "more than 0"
        raise ConfigurationError(f"{flag} must be a number of seconds, {least}, not {value:g}")


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


def _outbox_options(args: argparse.Namespace) -> None:
    """The flags ``send-csv`` and ``worker`` share (``add_connection``)."""
    _at_least_one("--concurrency", args.concurrency)
    _at_least_one("--batch", args.batch)
    if args.batch > MAX_CLAIM:
        raise ConfigurationError(f"--batch must be at most {MAX_CLAIM}, not {args.batch}")
    _at_least_one("--lanes", args.lanes)
    _seconds("--lease", args.lease, allow_zero=False)
    _seconds("--grace", getattr(args, "grace", None), allow_zero=True)
    if args.binds < 1:
        raise ConfigurationError(f"--binds must be 1 or more, not {args.binds}")
    if args.binds > 1 and args.via != "smpp":
        raise ConfigurationError("--binds is for --via smpp: LINK has no binds")


def check_send_options(args: argparse.Namespace) -> None:
    """Raise :class:`ConfigurationError` naming the first option that cannot work."""
    # `send` lacks the campaign's options; `send-csv` has them all.
    if hasattr(args, "lanes"):
        _outbox_options(args)
    _rate(args.rate)
    if args.dry_run:
        # Pricing needs no connection, and no settings either.
        return
    if hasattr(args, "out") and args.out is None:
        raise ConfigurationError("--out is needed: the results file each row's outcome goes to")
    _connection(args)


def check_worker_options(args: argparse.Namespace) -> None:
    """As :func:`check_send_options`, for ``worker``: before the outbox opens."""
    _outbox_options(args)
    _rate(args.rate)
    _connection(args)


# The simulators' delays (seconds) and injected-failure shares (0 to 1), by the
# flags that set them; a command has some of them, never all.
_SIMULATOR_DELAYS = ("receipt_delay", "report_delay")
_SIMULATOR_SHARES = ("failure_rate", "not_delivered_share", "unknown_subscriber_share")


def check_simulator_options(args: argparse.Namespace) -> None:
    """``simulate smpp`` and ``simulate link``: a negative or NaN delay would
    deliver reports at once and a share past 1 fail every message, silently."""
    for name in _SIMULATOR_DELAYS:
        _seconds(_flag(name), getattr(args, name, None), allow_zero=True)
    for name in _SIMULATOR_SHARES:
        share = getattr(args, name, None)
        if share is not None and not 0 <= share <= 1:
            raise ConfigurationError(f"{_flag(name)} must be a share from 0 to 1, not {share:g}")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _connection(args: argparse.Namespace) -> None:
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
