//! Numbers in a receipt: only ASCII digits are digits, and a number that
//! does not fit 64 bits is no number (never a panic, never a wrap).

/// A count (`sub:`, `dlvrd:`): ASCII decimal digits, nothing else.
pub fn count(token: &str) -> Option<u64> {
    digits(token.as_bytes(), 10)
}

/// The `err:` code as a number: decimal, or hex after `0x`, with an optional
/// sign that is dropped: inMobile writes the absolute value of its negative
/// status codes (`err:005` is status -5), some SMSCs the code itself.
/// Anything else (`21b`, `00B`) is no number; the token is kept beside it.
pub fn error_code(token: &str) -> Option<u64> {
    let unsigned = token.strip_prefix(['-', '+']).unwrap_or(token);
    match unsigned.get(..2) {
        Some("0x" | "0X") => digits(&unsigned.as_bytes()[2..], 16),
        _ => digits(unsigned.as_bytes(), 10),
    }
}

fn digits(octets: &[u8], radix: u32) -> Option<u64> {
    if octets.is_empty() {
        return None;
    }
    octets.iter().try_fold(0u64, |value, &octet| {
        let digit = char::from(octet).to_digit(radix)?;
        value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_ascii_decimal() {
        assert_eq!(count("001"), Some(1));
        assert_eq!(count("18446744073709551615"), Some(u64::MAX));
        assert_eq!(count("18446744073709551616"), None);
        assert_eq!(count(""), None);
        assert_eq!(count("+1"), None);
        assert_eq!(count("1a"), None);
        // Superscript and Arabic-Indic digits are not digits.
        assert_eq!(count("²"), None);
        assert_eq!(count("٣"), None);
    }

    #[test]
    fn error_codes() {
        assert_eq!(error_code("000"), Some(0));
        assert_eq!(error_code("-5"), Some(5));
        assert_eq!(error_code("+5"), Some(5));
        assert_eq!(error_code("0x1F"), Some(31));
        assert_eq!(error_code("-0X1f"), Some(31));
        assert_eq!(error_code("21b"), None);
        assert_eq!(error_code("0x"), None);
        assert_eq!(error_code("-"), None);
        assert_eq!(error_code("--5"), None);
        assert_eq!(error_code("²"), None);
        assert_eq!(error_code("0x²"), None);
    }
}
