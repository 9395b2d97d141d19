//! A receipt's octets as text, by the deliver_sm's data_coding.
//!
//! SMSCs write receipts in ASCII whatever the data_coding says, except
//! those that honour a UCS2 data_coding (often copied from the submit_sm).
//! So UCS2 codings are decoded as UTF-16BE and every other coding as
//! Latin-1, which maps each octet to one character and never fails: keys and
//! digits are ASCII in all of them, GSM 7-bit unpacked included. Some SMSCs
//! copy a UCS2 data_coding yet write ASCII (node-smpp issue #68): octets
//! under a UCS2 coding without one UCS2 colon (`00 3A`, which ends every
//! key) are such ASCII. Malformed UTF-16 gives U+FFFD where Python's
//! `decode("utf-16-be", "replace")` does.

use std::borrow::Cow;

/// Whether `data_coding` says UCS2: SMPP 3.4 §5.2.19 for the low values,
/// 3GPP TS 23.038 §4 for the coding groups.
pub fn is_ucs2(data_coding: u8) -> bool {
    match data_coding {
        0x08 => true,
        // General data coding (00xx) and automatic deletion (01xx) groups:
        // bits 3-2 = 10 is UCS2, unless bit 5 says compressed.
        0x10..=0x7F => data_coding & 0x2C == 0x08,
        // Message waiting indication group, store message, UCS2 (1110).
        0xE0..=0xEF => true,
        _ => false,
    }
}

/// The text of a receipt's octets; `data_coding` is `None` when it is no
/// octet at all (then the octets are read as Latin-1).
pub fn decode(octets: &[u8], data_coding: Option<u8>) -> Cow<'_, str> {
    if data_coding.is_some_and(is_ucs2) && has_ucs2_colon(octets) {
        return Cow::Owned(utf16_be(octets));
    }
    match std::str::from_utf8(octets) {
        Ok(ascii) if octets.is_ascii() => Cow::Borrowed(ascii),
        _ => Cow::Owned(octets.iter().map(|&octet| char::from(octet)).collect()),
    }
}

/// Whether a UCS2 colon stands at an even offset.
fn has_ucs2_colon(octets: &[u8]) -> bool {
    octets.chunks_exact(2).any(|pair| pair == [0, b':'])
}

fn utf16_be(octets: &[u8]) -> String {
    let units = octets
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    // An odd octet at the end is one more replacement, unless it follows a
    // high surrogate: then Python reports both as one truncated character.
    let last_unit_is_high = octets.len() >= 3 && (0xD8..=0xDB).contains(&octets[octets.len() - 3]);
    if octets.len() % 2 == 1 && !last_unit_is_high {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ucs2_codings() {
        assert!(is_ucs2(0x08));
        assert!(is_ucs2(0x18)); // inMobile: UCS2, class 0
        assert!(is_ucs2(0x48)); // marked for automatic deletion
        assert!(is_ucs2(0xE0));
        assert!(!is_ucs2(0x28)); // compressed
        assert!(!is_ucs2(0x00));
        assert!(!is_ucs2(0x03));
        assert!(!is_ucs2(0xF0));
        assert!(!is_ucs2(0x09));
    }

    #[test]
    fn ucs2_receipt() {
        assert_eq!(decode(b"\0i\0d\0:\x001", Some(8)), "id:1");
        assert_eq!(decode(b"\0i\0d", Some(0)), "\0i\0d");
    }

    #[test]
    fn ascii_under_a_ucs2_coding_is_read_as_ascii() {
        assert_eq!(decode(b"id:1 stat:DELIVRD", Some(8)), "id:1 stat:DELIVRD");
        // A colon at an odd offset is no UCS2 colon.
        assert_eq!(decode(b"x\0:", Some(8)), "x\0:");
    }

    #[test]
    fn latin_1_borrows_ascii() {
        assert!(matches!(decode(b"id:1", Some(0)), Cow::Borrowed("id:1")));
        assert_eq!(decode(b"caf\xe9", None), "caf\u{e9}");
    }

    #[test]
    fn malformed_utf16_as_python_replaces_it() {
        let cases: [(&[u8], &str); 8] = [
            (b"\xd8\x00A", "\u{fffd}"),
            (b"\xd8\x00", "\u{fffd}"),
            (b"\xd8\x00\x00A", "\u{fffd}A"),
            (b"\xdc\x00\x00A", "\u{fffd}A"),
            (b"\xd8\x00\xd8\x00\xdc\x00", "\u{fffd}\u{10000}"),
            (b"\x00", "\u{fffd}"),
            (b"\x00A\x00", "A\u{fffd}"),
            (b"\xd8\x00\xdc\x00\x00", "\u{10000}\u{fffd}"),
        ];
        for (octets, text) in cases {
            assert_eq!(utf16_be(octets), text, "{octets:?}");
        }
    }
}
