"""The ``smswire`` command line.

Each command lives in a module of this package that exposes ``register``,
which adds its sub-parser and sets ``handler`` on it. Errors are one clear line
on stderr and a non-zero exit code; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Callable

from smswire import __version__
from smswire.errors import SmswireError

__all__ = ["command_group", "main"]

# One entry per command module; each registers its own sub-commands.
_COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "analyze",
    "send",
    "send_csv",
    "worker",
    "answers",
    "smpp",
    "link",
)

Handler = Callable[[argparse.Namespace], int]

_DESCRIPTION = (
    "High-volume SMS: see what a text costs, send it through SMPP or LINK Mobility, "
    "run a campaign from CSV, or run the providers' simulators offline."
)


_CHILDREN = "_smswire_children"


def command_group(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-commands of a parent several modules add to (``simulate link``,
    ``simulate smpp``): created by the first caller, shared by the rest."""
    parent = commands.choices.get(name)
    if parent is None:
        parent = commands.add_parser(name, help=help, description=help)
        parent.set_defaults(handler=_HelpOf(parent))
        setattr(parent, _CHILDREN, parent.add_subparsers(metavar="TARGET"))
    children: argparse._SubParsersAction[argparse.ArgumentParser] = getattr(parent, _CHILDREN)
    return children


class _HelpOf:
    """The handler of a parent command run without its target: its help, exit 2."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self._parser = parser

    def __call__(self, args: argparse.Namespace) -> int:
        self._parser.print_help()
        return 2


def _parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="smswire", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"smswire {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(f"smswire.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("smswire: interrupted", file=sys.stderr)
        return 130
    except (SmswireError, OSError) as exc:
        if args.debug:
            raise
        print(f"smswire: error: {exc}", file=sys.stderr)
        return 1
