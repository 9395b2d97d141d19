"""Smart encoding's look-alike table: characters that would force UCS2, with the GSM
7-bit text that looks like them.

Opt-in (``smart=True``): the text is the sender's, so nothing is replaced unless asked.
Every replacement is in the default alphabet or its extension table (3GPP TS 23.038
§6.2.1, §6.2.1.1); the tests check that. ``rust/encoding/smart.rs`` holds the same
table: the tests compare the two for every code point of the Basic Multilingual Plane.

Besides the entries below, the fullwidth forms U+FF01..U+FF5E stand for the ASCII
characters U+0021..U+007E (Unicode's own decomposition of them), except U+FF40
FULLWIDTH GRAVE ACCENT, which becomes an apostrophe as U+0060 does.
"""

from __future__ import annotations

__all__ = ["smart_replacement"]

# Look-alike -> replacement, grouped by what they turn into.
_REPLACEMENTS: dict[str, str] = {
    # Double quotation marks and primes: the default alphabet's QUOTATION MARK
    "\u00ab": '"',  # LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
    "\u00bb": '"',  # RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
    "\u02ba": '"',  # MODIFIER LETTER DOUBLE PRIME
    "\u02ee": '"',  # MODIFIER LETTER DOUBLE APOSTROPHE
    "\u201c": '"',  # LEFT DOUBLE QUOTATION MARK
    "\u201d": '"',  # RIGHT DOUBLE QUOTATION MARK
    "\u201e": '"',  # DOUBLE LOW-9 QUOTATION MARK
    "\u201f": '"',  # DOUBLE HIGH-REVERSED-9 QUOTATION MARK
    "\u2033": '"',  # DOUBLE PRIME
    "\u2036": '"',  # REVERSED DOUBLE PRIME
    "\u275d": '"',  # HEAVY DOUBLE TURNED COMMA QUOTATION MARK ORNAMENT
    "\u275e": '"',  # HEAVY DOUBLE COMMA QUOTATION MARK ORNAMENT
    "\u301d": '"',  # REVERSED DOUBLE PRIME QUOTATION MARK
    "\u301e": '"',  # DOUBLE PRIME QUOTATION MARK
    "\u301f": '"',  # LOW DOUBLE PRIME QUOTATION MARK
    # Single quotation marks, accents and primes: the default alphabet's APOSTROPHE
    "\u0060": "'",  # GRAVE ACCENT (not in the default alphabet)
    "\u00b4": "'",  # ACUTE ACCENT
    "\u02b9": "'",  # MODIFIER LETTER PRIME
    "\u02bb": "'",  # MODIFIER LETTER TURNED COMMA
    "\u02bc": "'",  # MODIFIER LETTER APOSTROPHE
    "\u02bd": "'",  # MODIFIER LETTER REVERSED COMMA
    "\u02c8": "'",  # MODIFIER LETTER VERTICAL LINE
    "\u02ca": "'",  # MODIFIER LETTER ACUTE ACCENT
    "\u02cb": "'",  # MODIFIER LETTER GRAVE ACCENT
    "\u2018": "'",  # LEFT SINGLE QUOTATION MARK
    "\u2019": "'",  # RIGHT SINGLE QUOTATION MARK
    "\u201a": "'",  # SINGLE LOW-9 QUOTATION MARK
    "\u201b": "'",  # SINGLE HIGH-REVERSED-9 QUOTATION MARK
    "\u2032": "'",  # PRIME
    "\u2035": "'",  # REVERSED PRIME
    "\u2039": "'",  # SINGLE LEFT-POINTING ANGLE QUOTATION MARK
    "\u203a": "'",  # SINGLE RIGHT-POINTING ANGLE QUOTATION MARK
    "\u275b": "'",  # HEAVY SINGLE TURNED COMMA QUOTATION MARK ORNAMENT
    "\u275c": "'",  # HEAVY SINGLE COMMA QUOTATION MARK ORNAMENT
    # Hyphens, dashes, minus and bullets: HYPHEN-MINUS
    "\u2010": "-",  # HYPHEN
    "\u2011": "-",  # NON-BREAKING HYPHEN
    "\u2012": "-",  # FIGURE DASH
    "\u2013": "-",  # EN DASH
    "\u2014": "-",  # EM DASH
    "\u2015": "-",  # HORIZONTAL BAR
    "\u2022": "-",  # BULLET
    "\u2023": "-",  # TRIANGULAR BULLET
    "\u2043": "-",  # HYPHEN BULLET
    "\u2212": "-",  # MINUS SIGN
    "\u2219": "-",  # BULLET OPERATOR
    "\u25e6": "-",  # WHITE BULLET
    "\ufe58": "-",  # SMALL EM DASH
    "\ufe63": "-",  # SMALL HYPHEN-MINUS
    # Leaders and the ellipsis: as many FULL STOPs as they show
    "\u2024": ".",  # ONE DOT LEADER
    "\u2025": "..",  # TWO DOT LEADER
    "\u2026": "...",  # HORIZONTAL ELLIPSIS
    # Spaces of every width, and the tab: SPACE
    "\u0009": " ",  # CHARACTER TABULATION
    "\u00a0": " ",  # NO-BREAK SPACE
    "\u2000": " ",  # EN QUAD
    "\u2001": " ",  # EM QUAD
    "\u2002": " ",  # EN SPACE
    "\u2003": " ",  # EM SPACE
    "\u2004": " ",  # THREE-PER-EM SPACE
    "\u2005": " ",  # FOUR-PER-EM SPACE
    "\u2006": " ",  # SIX-PER-EM SPACE
    "\u2007": " ",  # FIGURE SPACE
    "\u2008": " ",  # PUNCTUATION SPACE
    "\u2009": " ",  # THIN SPACE
    "\u200a": " ",  # HAIR SPACE
    "\u202f": " ",  # NARROW NO-BREAK SPACE
    "\u205f": " ",  # MEDIUM MATHEMATICAL SPACE
    "\u3000": " ",  # IDEOGRAPHIC SPACE
    # Line and paragraph separators: LINE FEED
    "\u2028": "\n",  # LINE SEPARATOR
    "\u2029": "\n",  # PARAGRAPH SEPARATOR
    # Invisible format characters: removed (not the zero width joiners, which shape Indic
    # scripts and emoji)
    "\u00ad": "",  # SOFT HYPHEN
    "\u200b": "",  # ZERO WIDTH SPACE
    "\u2060": "",  # WORD JOINER
    "\ufeff": "",  # ZERO WIDTH NO-BREAK SPACE (byte order mark)
    # Symbols with a GSM twin
    "\u00a6": "|",  # BROKEN BAR
    "\u00e7": "\xc7",  # LATIN SMALL LETTER C WITH CEDILLA (GSM has the capital, 0x09)
    "\u02c6": "^",  # MODIFIER LETTER CIRCUMFLEX ACCENT
    "\u02dc": "~",  # SMALL TILDE
    "\u203c": "!!",  # DOUBLE EXCLAMATION MARK
    "\u2044": "/",  # FRACTION SLASH
    "\u2047": "??",  # DOUBLE QUESTION MARK
    "\u2048": "?!",  # QUESTION EXCLAMATION MARK
    "\u2049": "!?",  # EXCLAMATION QUESTION MARK
    "\u2215": "/",  # DIVISION SLASH
    "\uffe1": "\xa3",  # FULLWIDTH POUND SIGN
    "\uffe5": "\xa5",  # FULLWIDTH YEN SIGN
}

_FULLWIDTH_FIRST = 0xFF01  # FULLWIDTH EXCLAMATION MARK
_FULLWIDTH_LAST = 0xFF5E  # FULLWIDTH TILDE
_FULLWIDTH_TO_ASCII = 0xFF01 - 0x21
_FULLWIDTH_GRAVE = "\uff40"


def smart_replacement(ch: str) -> str | None:
    """The GSM text that replaces the look-alike ``ch``, or ``None`` if smart
    encoding leaves it alone."""
    if len(ch) != 1:
        raise ValueError("expected a string of length 1")
    replacement = _REPLACEMENTS.get(ch)
    if replacement is not None:
        return replacement
    if _FULLWIDTH_FIRST <= ord(ch) <= _FULLWIDTH_LAST:
        if ch == _FULLWIDTH_GRAVE:
            return "'"
        return chr(ord(ch) - _FULLWIDTH_TO_ASCII)
    return None
