//! The GSM 7 bit default alphabet and extension table, and septet packing
//! (3GPP TS 23.038 §6.1.2, §6.2.1).

use std::sync::OnceLock;

use super::Error;

/// The escape to the extension table (3GPP TS 23.038 §6.2.1): not a character.
pub const ESCAPE: u8 = 0x1B;
pub const SEPTET_BITS: usize = 7;
pub const MAX_FILL_BITS: i64 = 6;
const CARRIAGE_RETURN: u8 = 0x0D;
/// 3GPP TS 23.038 §6.2.1.1: ESC ESC is reserved for a further extension
/// table; "a receiving entity shall display a space" until one is defined.
const ESCAPE_ESCAPE_CHARACTER: char = ' ';

/// 3GPP TS 23.038 §6.2.1: septet value -> character. The entry at 0x1B stands
/// for the escape only to keep the table 128 long; U+001B never maps to it.
pub const DEFAULT_ALPHABET: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\x1b', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// 3GPP TS 23.038 §6.2.1.1: the characters reached by ESC + septet. 0x0A is
/// the page break (form feed); 0x0D (CR2) and 0x1B are reserved.
pub const EXTENSION_TABLE: [(u8, char); 10] = [
    (0x0A, '\x0c'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// How a character travels: one septet, or ESC and a septet of the shift table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Septet(u8),
    Shifted(u8),
}

impl Code {
    /// Septets this character takes.
    #[inline]
    pub fn septets(self) -> usize {
        match self {
            Code::Septet(_) => 1,
            Code::Shifted(_) => 2,
        }
    }

    #[inline]
    pub fn push_to(self, out: &mut Vec<u8>) {
        match self {
            Code::Septet(s) => out.push(s),
            Code::Shifted(s) => {
                out.push(ESCAPE);
                out.push(s);
            }
        }
    }
}

const NONE: u16 = u16::MAX;
/// A code a national locking table leaves undefined.
pub const UNDEFINED: char = '\0';
const SHIFTED: u16 = 0x100;
/// Characters below this are looked up in a flat table; the rest by search.
/// It takes in the Arabic and Indic letters of the national language tables.
const DENSE: usize = 0x0E00;

/// A locking-shift table with its single-shift table, as encode and decode
/// maps. The default alphabet is the only one today; the national language
/// tables of TS 23.038 Annex A are further values of this type.
pub struct Alphabet {
    locking: [char; 128],
    /// The septet of each ASCII character that takes one; 0x80 for the
    /// others (escaped, or not in the alphabet).
    ascii: [u8; 128],
    single_shift: Vec<(u8, char)>,
    dense: Box<[u16; DENSE]>,
    sparse: Vec<(char, u16)>,
}

impl Alphabet {
    pub fn new(locking: [char; 128], single_shift: &[(u8, char)]) -> Self {
        let mut dense = Box::new([NONE; DENSE]);
        let mut sparse: Vec<(char, u16)> = Vec::new();
        let mut set = |c: char, code: u16| {
            if (c as usize) < DENSE {
                dense[c as usize] = code;
            } else if let Some(entry) = sparse.iter_mut().find(|(k, _)| *k == c) {
                entry.1 = code;
            } else {
                sparse.push((c, code));
            }
        };
        for &(septet, c) in single_shift {
            set(c, SHIFTED | u16::from(septet));
        }
        // A character in both tables travels in one septet. A national
        // locking table marks the codes it leaves undefined with U+0000.
        for (septet, &c) in (0u16..).zip(locking.iter()) {
            if septet != u16::from(ESCAPE) && c != UNDEFINED {
                set(c, septet);
            }
        }
        sparse.sort_unstable();
        let ascii = std::array::from_fn(|octet| match dense[octet] {
            raw if raw & SHIFTED == 0 && raw != NONE => raw as u8,
            _ => 0x80,
        });
        Alphabet {
            locking,
            ascii,
            single_shift: single_shift.to_vec(),
            dense,
            sparse,
        }
    }

    /// The alphabet of 3GPP TS 23.038 §6.2.1 with its extension table.
    pub fn default_alphabet() -> &'static Alphabet {
        static DEFAULT: OnceLock<Alphabet> = OnceLock::new();
        DEFAULT.get_or_init(|| Alphabet::new(DEFAULT_ALPHABET, &EXTENSION_TABLE))
    }

    /// The table entry of `c`: NONE, or its septet, SHIFTED if escaped.
    #[inline]
    fn raw(&self, c: char) -> u16 {
        if (c as usize) < DENSE {
            self.dense[c as usize]
        } else {
            match self.sparse.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(at) => self.sparse[at].1,
                Err(_) => NONE,
            }
        }
    }

    #[inline]
    pub fn code(&self, c: char) -> Option<Code> {
        let raw = self.raw(c);
        match raw {
            NONE => None,
            _ if raw & SHIFTED != 0 => Some(Code::Shifted(raw as u8)),
            _ => Some(Code::Septet(raw as u8)),
        }
    }

    /// Septets of `text`, one per octet, every character of which is in this
    /// alphabet (others are skipped); `septets` is how many it needs.
    pub fn septets(&self, text: &str, septets: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(septets);
        if text.is_ascii() {
            // Most GSM text: no UTF-8 to decode, and a flat table.
            for &octet in text.as_bytes() {
                let raw = self.dense[usize::from(octet)];
                if raw == NONE {
                    continue;
                }
                if raw & SHIFTED != 0 {
                    out.push(ESCAPE);
                }
                out.push(raw as u8);
            }
        } else {
            for c in text.chars() {
                if let Some(code) = self.code(c) {
                    code.push_to(&mut out);
                }
            }
        }
        out
    }

    /// Appends the septets of `text` to `out` if every character of it is in
    /// this alphabet; `false` (and `out` holding more than it did) at the
    /// first that is not.
    pub fn try_septets(&self, text: &str, out: &mut Vec<u8>) -> bool {
        // Written by index into room for the most a text can need (an escape
        // pair for each octet of its UTF-8): no capacity check per septet.
        let start = out.len();
        out.resize(start + 2 * text.len(), 0);
        let room = &mut out[start..];
        let bytes = text.as_bytes();
        let (mut at, mut used) = (0, 0);
        while at < bytes.len() {
            // Most GSM text is runs of ASCII characters of one septet each.
            for (septet, &octet) in room[used..].iter_mut().zip(&bytes[at..]) {
                let plain = self.ascii[usize::from(octet & 0x7F)] | (octet & 0x80);
                if plain & 0x80 != 0 {
                    break;
                }
                *septet = plain;
                (at, used) = (at + 1, used + 1);
            }
            let Some(&octet) = bytes.get(at) else {
                break;
            };
            let raw = if octet < 0x80 {
                at += 1;
                self.dense[usize::from(octet)]
            } else {
                let c = text[at..].chars().next().unwrap_or_default();
                at += c.len_utf8();
                self.raw(c)
            };
            if raw == NONE {
                return false;
            }
            if raw & SHIFTED != 0 {
                room[used] = ESCAPE;
                used += 1;
            }
            room[used] = raw as u8;
            used += 1;
        }
        out.truncate(start + used);
        true
    }

    /// Septets `text` needs and whether any of them is an escape pair, or
    /// `None` if a character of it is not in this alphabet.
    pub fn septets_needed(&self, text: &str) -> Option<(usize, bool)> {
        let (mut septets, mut escapes) = (0, false);
        for (offset, &octet) in text.as_bytes().iter().enumerate() {
            if octet < 0x80 && self.ascii[usize::from(octet)] < 0x80 {
                septets += 1;
                continue;
            }
            let raw = if octet < 0x80 {
                self.dense[usize::from(octet)]
            } else if octet & 0xC0 != 0x80 {
                text[offset..].chars().next().map_or(NONE, |c| self.raw(c))
            } else {
                continue;
            };
            if raw == NONE {
                return None;
            }
            let shifted = raw & SHIFTED != 0;
            septets += 1 + usize::from(shifted);
            escapes |= shifted;
        }
        Some((septets, escapes))
    }

    /// Septets an ASCII text needs, or `None` if a character of it is not in
    /// this alphabet.
    #[inline]
    pub fn ascii_septets(&self, ascii: &[u8]) -> Option<usize> {
        let mut septets = 0;
        for &octet in ascii {
            let raw = self.dense[usize::from(octet & 0x7F)];
            if raw == NONE {
                return None;
            }
            septets += 1 + usize::from(raw & SHIFTED != 0);
        }
        Some(septets)
    }

    /// Septets of `text`, one per octet; the first character not in the
    /// alphabet raises.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(text.len());
        for (index, c) in text.chars().enumerate() {
            match self.code(c) {
                Some(code) => code.push_to(&mut out),
                None => return Err(not_in_alphabet(c, index)),
            }
        }
        Ok(out)
    }

    /// The text of septets given one per octet.
    pub fn decode(&self, data: &[u8]) -> Result<String, Error> {
        let mut out = String::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            let septet = data[i];
            if septet > 0x7F {
                return Err(septet_too_big(septet, i));
            }
            if septet != ESCAPE {
                out.push(self.defined(septet, i)?);
                i += 1;
                continue;
            }
            let Some(&code) = data.get(i + 1) else {
                return Err(Error::octet(
                    format!(
                        "escape septet 0x1B at offset {i} ends the data without its extension code"
                    ),
                    i,
                ));
            };
            if code > 0x7F {
                return Err(septet_too_big(code, i + 1));
            }
            out.push(if code == ESCAPE {
                ESCAPE_ESCAPE_CHARACTER
            } else {
                // 3GPP TS 23.038 §6.2.1.1: a code the extension table lacks
                // shows the default-table character.
                match self.single_shift.iter().find(|&&(s, _)| s == code) {
                    Some(&(_, c)) => c,
                    None => self.defined(code, i + 1)?,
                }
            });
            i += 2;
        }
        Ok(out)
    }

    /// The locking table's character at `septet`, found at `offset`; a code a
    /// national table leaves undefined raises.
    fn defined(&self, septet: u8, offset: usize) -> Result<char, Error> {
        match self.locking[usize::from(septet)] {
            UNDEFINED => Err(Error::octet(
                format!(
                    "septet 0x{septet:02X} at offset {offset} is undefined in the national \
                     language locking shift table"
                ),
                offset,
            )),
            c => Ok(c),
        }
    }
}

pub(crate) fn not_in_alphabet(c: char, index: usize) -> Error {
    Error::Encoding {
        message: format!(
            "character U+{:04X} at index {index} is not in the GSM 7 bit default alphabet \
             or its extension table",
            u32::from(c)
        ),
        character: Some(c),
        index: Some(index),
    }
}

fn septet_too_big(value: u8, offset: usize) -> Error {
    Error::octet(
        format!("octet 0x{value:02X} at offset {offset} is not a septet (above 0x7F)"),
        offset,
    )
}

fn check_fill_bits(fill_bits: i64) -> Result<usize, Error> {
    if (0..=MAX_FILL_BITS).contains(&fill_bits) {
        Ok(fill_bits as usize)
    } else {
        Err(Error::configuration(format!(
            "fill_bits must be 0..{MAX_FILL_BITS}, got {fill_bits}"
        )))
    }
}

/// Septets of `text` in the default alphabet, one per octet.
pub fn encode_gsm7(text: &str) -> Result<Vec<u8>, Error> {
    Alphabet::default_alphabet().encode(text)
}

/// The text of default-alphabet septets given one per octet.
pub fn decode_gsm7(data: &[u8]) -> Result<String, Error> {
    Alphabet::default_alphabet().decode(data)
}

/// Pack septets LSB first after `fill_bits` zero bits (3GPP TS 23.038
/// §6.1.2.1.1). `ussd_cr_pad` applies the CR padding of §6.1.2.3.1, which is
/// for USSD and cell broadcast only: SMS never uses it.
pub fn pack_septets(septets: &[u8], fill_bits: i64, ussd_cr_pad: bool) -> Result<Vec<u8>, Error> {
    let fill = check_fill_bits(fill_bits)?;
    if let Some(at) = septets.iter().position(|&s| s > 0x7F) {
        return Err(septet_too_big(septets[at], at));
    }
    if septets.is_empty() {
        return Ok(Vec::new());
    }
    let mut padding = None;
    if ussd_cr_pad {
        let spare = (8 - (fill + SEPTET_BITS * septets.len()) % 8) % 8;
        // TS 23.038 §6.1.2.3.1: seven spare bits would read as '@': fill them
        // with CR; a wanted final CR that ends on an octet boundary is doubled.
        if spare == SEPTET_BITS || (spare == 0 && septets.last() == Some(&CARRIAGE_RETURN)) {
            padding = Some(CARRIAGE_RETURN);
        }
    }
    Ok(pack(septets.iter().copied().chain(padding), fill))
}

/// Pack valid septets (each at most 0x7F) after `fill` zero bits.
pub(crate) fn pack(septets: impl Iterator<Item = u8>, fill: usize) -> Vec<u8> {
    let (lower, _) = septets.size_hint();
    let mut out = Vec::with_capacity((fill + lower * SEPTET_BITS).div_ceil(8));
    pack_onto(septets, fill, &mut out);
    out
}

/// [`pack`] appended to `out`.
pub(crate) fn pack_into(septets: &[u8], fill: usize, out: &mut Vec<u8>) {
    pack_onto(septets.iter().copied(), fill, out);
}

fn pack_onto(septets: impl Iterator<Item = u8>, fill: usize, out: &mut Vec<u8>) {
    let mut acc: u32 = 0;
    let mut bits = fill;
    let mut any = false;
    for septet in septets {
        any = true;
        acc |= u32::from(septet) << bits;
        bits += SEPTET_BITS;
        if bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    if any && bits > 0 {
        out.push(acc as u8);
    }
}

/// `count` septets, one per octet, from packed `data` after `fill_bits`.
/// The count comes from TP-UDL, so padding bits never come back as a septet.
pub fn unpack_septets(data: &[u8], count: i64, fill_bits: i64) -> Result<Vec<u8>, Error> {
    let fill = check_fill_bits(fill_bits)?;
    if count < 0 {
        return Err(Error::configuration(format!(
            "count must not be negative, got {count}"
        )));
    }
    let needed = if count == 0 {
        0
    } else {
        (fill as u128 + SEPTET_BITS as u128 * count as u128).div_ceil(8)
    };
    if (data.len() as u128) < needed {
        return Err(Error::octet(
            format!(
                "{count} septets after {fill_bits} fill bits need {needed} octets, got {}",
                data.len()
            ),
            data.len(),
        ));
    }
    let count = count as usize;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let bit = fill + SEPTET_BITS * i;
        let (octet, shift) = (bit / 8, bit % 8);
        let mut value = u16::from(data[octet]) >> shift;
        if shift > 1 {
            value |= u16::from(data[octet + 1]) << (8 - shift);
        }
        out.push((value & 0x7F) as u8);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_character_round_trips() {
        for (septet, &c) in DEFAULT_ALPHABET.iter().enumerate() {
            if septet == usize::from(ESCAPE) {
                continue;
            }
            let s = c.to_string();
            assert_eq!(encode_gsm7(&s).unwrap(), vec![septet as u8]);
            assert_eq!(decode_gsm7(&[septet as u8]).unwrap(), s);
        }
    }

    #[test]
    fn every_extension_character_is_escape_plus_code() {
        for &(code, c) in &EXTENSION_TABLE {
            let s = c.to_string();
            assert_eq!(encode_gsm7(&s).unwrap(), vec![ESCAPE, code]);
            assert_eq!(decode_gsm7(&[ESCAPE, code]).unwrap(), s);
        }
    }

    #[test]
    fn c_cedilla_and_the_escape_character() {
        assert_eq!(encode_gsm7("Ç").unwrap(), vec![0x09]);
        let err = encode_gsm7("aç").unwrap_err();
        assert!(matches!(
            err,
            Error::Encoding {
                character: Some('ç'),
                index: Some(1),
                ..
            }
        ));
        let err = encode_gsm7("\x1b<").unwrap_err();
        assert!(matches!(
            err,
            Error::Encoding {
                character: Some('\x1b'),
                index: Some(0),
                ..
            }
        ));
    }

    #[test]
    fn decoding_unknown_extension_codes_and_errors() {
        assert_eq!(decode_gsm7(&[0x1B, 0x41]).unwrap(), "A");
        assert_eq!(decode_gsm7(&[0x1B, 0x1B]).unwrap(), " ");
        assert!(decode_gsm7(&[0x41, 0x1B]).is_err());
        assert!(decode_gsm7(&[0x80]).is_err());
    }

    #[test]
    fn packing_the_classic_example_and_back() {
        let septets = encode_gsm7("hellohello").unwrap();
        let packed = pack_septets(&septets, 0, false).unwrap();
        assert_eq!(
            packed,
            [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]
        );
        assert_eq!(unpack_septets(&packed, 10, 0).unwrap(), septets);
    }

    #[test]
    fn fill_bits_shift_the_septets() {
        assert_eq!(pack_septets(&[0x7F], 1, false).unwrap(), [0xFE]);
        assert_eq!(
            pack_septets(&[0x7F, 0x7F], 6, false).unwrap(),
            [0xC0, 0xFF, 0x0F]
        );
        assert_eq!(
            unpack_septets(&[0xC0, 0xFF, 0x0F], 2, 6).unwrap(),
            [0x7F, 0x7F]
        );
        assert_eq!(pack_septets(&[], 3, false).unwrap(), Vec::<u8>::new());
        assert!(pack_septets(&[1], 7, false).is_err());
    }

    #[test]
    fn unpack_counts_septets_so_padding_is_no_at_sign() {
        let packed = pack_septets(b"1234567", 0, false).unwrap();
        assert_eq!(unpack_septets(&packed, 7, 0).unwrap(), b"1234567");
        assert!(unpack_septets(&packed, 9, 0).is_err());
    }

    #[test]
    fn ussd_cr_padding() {
        let padded = pack_septets(b"1234567", 0, true).unwrap();
        assert_eq!(padded, [0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x1A]);
        let padded = pack_septets(b"1234567\r", 0, true).unwrap();
        assert_eq!(padded, pack_septets(b"1234567\r\r", 0, false).unwrap());
    }
}
