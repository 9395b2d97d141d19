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
    // Written into room for the most a text can need (two octets for each
    // octet of its UTF-8), a unit to each pair of octets: zipped, so there
    // is neither a capacity nor a bounds check per unit.
    let start = out.len();
    out.resize(start + 2 * text.len(), 0);
    let mut used = start;
    for (room, unit) in out[start..].chunks_exact_mut(2).zip(text.encode_utf16()) {
        // RFC 2781 §2.1: an astral character comes as a surrogate pair.
        room.copy_from_slice(&unit.to_be_bytes());
        used += 2;
    }
    out.truncate(used);
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
