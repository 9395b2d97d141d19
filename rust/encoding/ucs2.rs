//! UCS2 user data (3GPP TS 23.038 §6.3): UTF-16BE, astral characters as
//! surrogate pairs, as handsets send and show them.

use super::Error;

/// UTF-16BE octets of `text`.
pub fn encode_ucs2(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    push_ucs2(text, &mut out);
    out
}

/// Appends the UTF-16BE octets of `text` to `out`.
#[inline]
pub(crate) fn push_ucs2(text: &str, out: &mut Vec<u8>) {
    // Written by index into room for the most a text can need (two octets
    // for each octet of its UTF-8), with no capacity check per unit; decoded
    // from the UTF-8 by hand: the std iterator costs twice as much.
    let start = out.len();
    out.resize(start + 2 * text.len(), 0);
    let room = &mut out[start..];
    let mut used = 0;
    let bytes = text.as_bytes();
    let continuation = |at: usize| u32::from(bytes[at] & 0x3F);
    let mut at = 0;
    while at < bytes.len() {
        let lead = u32::from(bytes[at]);
        let (cp, size) = match lead {
            0x00..=0x7F => (lead, 1),
            0xC0..=0xDF => (((lead & 0x1F) << 6) | continuation(at + 1), 2),
            0xE0..=0xEF => (
                ((lead & 0x0F) << 12) | (continuation(at + 1) << 6) | continuation(at + 2),
                3,
            ),
            _ => (
                ((lead & 0x07) << 18)
                    | (continuation(at + 1) << 12)
                    | (continuation(at + 2) << 6)
                    | continuation(at + 3),
                4,
            ),
        };
        if size == 4 {
            // RFC 2781 §2.1: an astral character as a surrogate pair.
            let v = cp - 0x1_0000;
            let high = (0xD800 | (v >> 10)) as u16;
            let low = (0xDC00 | (v & 0x3FF)) as u16;
            room[used..used + 2].copy_from_slice(&high.to_be_bytes());
            room[used + 2..used + 4].copy_from_slice(&low.to_be_bytes());
            used += 4;
        } else {
            room[used..used + 2].copy_from_slice(&(cp as u16).to_be_bytes());
            used += 2;
        }
        at += size;
    }
    out.truncate(start + used);
}

/// The text of UTF-16BE octets; an odd length or a lone surrogate raises,
/// naming the octet offset.
pub fn decode_ucs2(data: &[u8]) -> Result<String, Error> {
    if data.len() % 2 == 1 {
        return Err(Error::octet(
            format!("UCS2 data has an odd number of octets ({})", data.len()),
            data.len() - 1,
        ));
    }
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect();
    let mut out = String::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let unit = units[i];
        let c = match unit {
            0xD800..=0xDBFF => match units.get(i + 1) {
                Some(&low @ 0xDC00..=0xDFFF) => {
                    i += 1;
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(cp)
                }
                _ => None,
            },
            _ => char::from_u32(u32::from(unit)),
        };
        match c {
            Some(c) => out.push(c),
            None => {
                let offset = 2 * i;
                return Err(Error::octet(
                    format!("UCS2 unit 0x{unit:04X} at offset {offset} is a lone surrogate"),
                    offset,
                ));
            }
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_a_surrogate_pair() {
        let data = encode_ucs2("Aя😀");
        assert_eq!(data, [0x00, 0x41, 0x04, 0x4F, 0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(decode_ucs2(&data).unwrap(), "Aя😀");
    }

    #[test]
    fn malformed_input_raises_at_its_offset() {
        let offset = |data: &[u8]| match decode_ucs2(data).unwrap_err() {
            Error::Encoding { index, .. } => index,
            other => panic!("{other:?}"),
        };
        assert_eq!(offset(&[0, 0x41, 0]), Some(2));
        assert_eq!(offset(&[0, 0x41, 0xD8, 0x3D]), Some(2));
        assert_eq!(offset(&[0xD8, 0x3D, 0, 0x41]), Some(0));
        assert_eq!(offset(&[0, 0x41, 0xDE, 0]), Some(2));
    }
}
