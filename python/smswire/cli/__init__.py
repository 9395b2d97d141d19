"""The ``smswire`` command line.

Each command lives in a module of this package that exposes ``register``,
which adds its sub-parser and sets ``handler`` on it. Errors are one clear line
on stderr (with ``--json``, a JSON object on stdout) and a non-zero exit code;
``--debug``, before or after the command, shows the traceback instead. A
warning is one line too. A value that looks like a password is never echoed.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import Any, Callable, NoReturn, cast

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
    "receive",
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
# argparse's exit status for a command line it cannot use.
_USAGE_ERROR = 2
# Options that would put a secret in shell history; refused, never echoed.
_SECRET_FLAGS = ("--password", "--pass", "--secret")
_PASSWORD_HELP = (
    "passwords are not taken on the command line (shell history, process lists): "
    "set SMSWIRE_SMPP_PASSWORD or SMSWIRE_LINK_PASSWORD, or 'password' in the --config file"
)


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line, without the values given.

    argparse quotes unrecognised arguments back, values included; a mistyped
    ``--password hunter2`` would print the password. Only the option names are
    named."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            given = message.split(":", 1)[1].split()
            flags = [arg.split("=", 1)[0] for arg in given if arg.startswith("-")]
            message = (
                f"unrecognized option(s): {' '.join(flags)}"
                if flags
                else f"{len(given)} unexpected argument(s)"
            )
        self.exit(_USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


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

    parser = _Parser(prog="smswire", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"smswire {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    # Every sub-parser a _Parser too (nested ones take their parent's class).
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser),
    )
    for name in _COMMAND_MODULES:
        importlib.import_module(f"smswire.cli.{name}").register(commands)
    _debug_anywhere(commands)
    return parser


def _debug_anywhere(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``--debug`` after the command too; SUPPRESS keeps a sub-command from
    resetting the value the top level parsed."""
    for parser in set(commands.choices.values()):
        parser.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        children = getattr(parser, _CHILDREN, None)
        if children is not None:
            _debug_anywhere(children)


def _refuse_secrets(argv: Sequence[str]) -> None:
    for arg in argv:
        if arg == "--":
            return
        if arg.split("=", 1)[0] in _SECRET_FLAGS:
            print(f"smswire: error: {_PASSWORD_HELP}", file=sys.stderr)
            raise SystemExit(_USAGE_ERROR)


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    print(f"smswire: warning: {message}", file=sys.stderr)


def _fail(args: argparse.Namespace, exc: BaseException) -> int:
    text = str(exc)
    if getattr(args, "json", False):
        # A program reading --json output reads the error there too.
        json.dump({"error": text, "type": type(exc).__name__}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    print(f"smswire: error: {text}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    _refuse_secrets(arguments)
    parser = _parser()
    args = parser.parse_args(arguments)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return _USAGE_ERROR
    if not args.debug:
        warnings.showwarning = _one_line_warning
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("smswire: interrupted", file=sys.stderr)
        return 130
    except (SmswireError, OSError) as exc:
        if args.debug:
            raise
        return _fail(args, exc)
