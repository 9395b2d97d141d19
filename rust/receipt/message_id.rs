//! The forms under which a message id may come back in a receipt.
//!
//! SMPP 3.4 leaves a message id's format to the SMSC (§5.2.23: up to 65
//! octets), and SMSCs answer submit_sm with one form and quote another in
//! the receipt: hex and decimal swapped, zero padding added or dropped,
//! letters in another case. Correlation tries every form; this finds them.

use std::borrow::Cow;

use super::fields::is_space;

/// The most decimal digits converted to hex (20 covers every 64-bit id).
const MAX_DECIMAL_DIGITS: usize = 20;
/// The most hex digits converted to decimal (a 64-bit id).
const MAX_HEX_DIGITS: usize = 16;

/// The id trimmed of white space and lowered (ASCII only), then, when they
/// differ from it and from each other: without its leading zeros, and its
/// value in the other base (decimal to hex, else hex to decimal). An empty
/// id has only itself.
pub fn message_id_keys(message_id: &str) -> Vec<Cow<'_, str>> {
    let trimmed = message_id.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
    let normal = if trimmed.bytes().any(|octet| octet.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    };
    if normal.is_empty() {
        return vec![normal];
    }
    let unpadded = match normal.trim_start_matches('0') {
        "" => "0",
        rest => rest,
    };
    let unpadded = (unpadded.len() != normal.len()).then(|| unpadded.to_owned());
    let octets = normal.as_bytes();
    let converted = if octets.iter().all(u8::is_ascii_digit) && octets.len() <= MAX_DECIMAL_DIGITS {
        normal
            .parse::<u128>()
            .ok()
            .map(|value| format!("{value:x}"))
    } else if octets.iter().all(u8::is_ascii_hexdigit) && octets.len() <= MAX_HEX_DIGITS {
        u64::from_str_radix(&normal, 16)
            .ok()
            .map(|value| value.to_string())
    } else {
        None
    };
    let mut keys = Vec::with_capacity(3);
    keys.push(normal);
    for key in [unpadded, converted].into_iter().flatten() {
        if !keys.iter().any(|known| *known == key) {
            keys.push(Cow::Owned(key));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: &str) -> Vec<String> {
        message_id_keys(id)
            .into_iter()
            .map(Cow::into_owned)
            .collect()
    }

    #[test]
    fn hex_and_decimal_and_padding() {
        assert_eq!(keys("1A2B"), ["1a2b", "6699"]);
        assert_eq!(keys("6699"), ["6699", "1a2b"]);
        assert_eq!(keys("0000001A2B"), ["0000001a2b", "1a2b", "6699"]);
        assert_eq!(keys("0059113978"), ["0059113978", "59113978", "38601fa"]);
        assert_eq!(keys(" 10\0"), ["10", "a"]);
    }

    #[test]
    fn no_key_twice() {
        assert_eq!(keys("1"), ["1"]);
        assert_eq!(keys("0"), ["0"]);
        assert_eq!(keys("000"), ["000", "0"]);
    }

    #[test]
    fn an_empty_id_is_only_itself() {
        assert_eq!(keys(""), [""]);
        assert_eq!(keys(" \t"), [""]);
    }

    #[test]
    fn uuids_only_lower() {
        assert_eq!(
            keys("B1E50673-F8B8-41E8-A143-07A43BB8C86B"),
            ["b1e50673-f8b8-41e8-a143-07a43bb8c86b"]
        );
    }

    #[test]
    fn long_numbers_and_unicode_digits_stay_as_they_are() {
        assert_eq!(
            keys("99999999999999999999"),
            ["99999999999999999999", "56bc75e2d630fffff"]
        );
        assert_eq!(keys("999999999999999999999"), ["999999999999999999999"]);
        assert_eq!(
            keys("ffffffffffffffff"),
            ["ffffffffffffffff", "18446744073709551615"]
        );
        assert_eq!(keys("²³"), ["²³"]);
        assert_eq!(keys("٣"), ["٣"]);
        // Only ASCII letters are lowered.
        assert_eq!(keys("İD"), ["İd"]);
    }
}
