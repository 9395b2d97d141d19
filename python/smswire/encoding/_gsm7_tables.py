"""The GSM 7 bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1).

Pure data, shared by the pure backend and the tests; the native backend holds
the same tables in rust/encoding/gsm7.rs.
"""

from __future__ import annotations

__all__ = ["DEFAULT_ALPHABET", "ESCAPE", "EXTENSION_TABLE"]

# 3GPP TS 23.038 §6.2.1: septet value -> character. 0x1B is the escape to the
# extension table, not a character; it stands here as U+001B only to keep the
# table 128 long, and the codecs never map U+001B to it.
ESCAPE = 0x1B
DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# 3GPP TS 23.038 §6.2.1.1: the characters reached by ESC + septet. 0x0A is the
# page break (form feed). 0x0D (reserved for CR2) and 0x1B (reserved for a
# further extension) carry no character.
EXTENSION_TABLE = {
    0x0A: "\x0c",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}
