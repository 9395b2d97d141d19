"""``smswire analyze``: how a text would travel as SMS, and what it would cost."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smswire.encoding import LINK_MOBILITY, STANDARD, Analysis, Profile, analyze

__all__ = ["register"]

_PROFILES: dict[str, Profile] = {p.name: p for p in (STANDARD, LINK_MOBILITY)}


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "analyze",
        help="show the encoding, units and parts a text needs",
        description="Show how TEXT travels as SMS: GSM7 or UCS2, units, parts, and the "
        "characters that forced UCS2. Reads standard input (less one trailing newline) "
        "when TEXT is omitted.",
    )
    parser.add_argument("text", nargs="?", metavar="TEXT", help="the message (default: stdin)")
    parser.add_argument(
        "--profile", choices=sorted(_PROFILES), default=STANDARD.name, help="limits to apply"
    )
    parser.add_argument("--udh16", action="store_true", help="16-bit concatenation reference")
    parser.add_argument(
        "--graphemes", action="store_true", help="keep grapheme clusters in one part"
    )
    parser.add_argument(
        "--national",
        metavar="CODES",
        type=_codes,
        default=(),
        help="national language shift tables the destination reads, as ISO 639-1 codes "
        "(e.g. tr,es,pt): used where they save a part (3GPP TS 23.038 Annex A)",
    )
    parser.add_argument(
        "--smart", action="store_true", help="replace look-alikes (curly quotes, dashes...)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.text is not None:
        text: str = args.text
    else:
        text = sys.stdin.read()
        # What a shell's echo or an editor appends is not part of the message.
        text = text[:-1] if text.endswith("\n") else text
    profile = _PROFILES[args.profile]
    result = analyze(
        text,
        profile=profile,
        udh16=args.udh16,
        graphemes=args.graphemes,
        national=args.national,
        smart=args.smart,
    )
    if args.json:
        print(json.dumps(_as_dict(result, profile, args), ensure_ascii=False))
    else:
        print(_as_text(result, profile, args))
    return 0


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(",") if code.strip())


def _as_dict(result: Analysis, profile: Profile, args: argparse.Namespace) -> dict[str, Any]:
    out = {
        "profile": profile.name,
        "encoding": result.encoding,
        "data_coding": result.data_coding,
        "units": result.units,
        "segments": result.segments,
        "per_segment": result.per_segment,
        "characters": result.characters,
        "non_gsm": [{"index": i, "character": ch} for i, ch in result.non_gsm],
    }
    if args.national:
        out["locking_shift"] = result.locking_shift
        out["single_shift"] = result.single_shift
        out["parts_saved"] = result.parts_saved
    if args.smart:
        out["replacements"] = [
            {"index": i, "character": ch, "replacement": new} for i, ch, new in result.replacements
        ]
    return out


def _as_text(result: Analysis, profile: Profile, args: argparse.Namespace) -> str:
    unit = "UCS2 units" if result.encoding == "ucs2" else "septets"
    lines = [
        f"encoding     {result.encoding} (data_coding 0x{result.data_coding:02X})",
        f"units        {result.units} {unit}",
        f"segments     {result.segments} (up to {result.per_segment} {unit} each, "
        f"profile {profile.name})",
        f"characters   {result.characters}",
    ]
    if result.non_gsm:
        shown = ", ".join(f"{ch!r} U+{ord(ch):04X} at {i}" for i, ch in result.non_gsm[:10])
        more = len(result.non_gsm) - 10
        lines.append(f"forced UCS2  {shown}" + (f" and {more} more" if more > 0 else ""))
    if args.national:
        lines.append(
            f"tables       locking shift {result.locking_shift or 'default'}, single shift "
            f"{result.single_shift or 'default'}; {result.parts_saved} part(s) saved"
        )
    if result.replacements:
        shown = ", ".join(f"{ch!r}->{new!r} at {i}" for i, ch, new in result.replacements[:10])
        more = len(result.replacements) - 10
        lines.append(f"replaced     {shown}" + (f" and {more} more" if more > 0 else ""))
    return "\n".join(lines)
