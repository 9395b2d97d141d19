//! Receipt dates in the layouts SMSCs write them.
//!
//! - `YYMMDDhhmm` (Appendix B) and `YYMMDDhhmmss` (most SMSCs);
//! - `YYYYMMDDhhmm`, only where `YYMMDDhhmmss` is no date, and
//!   `YYYYMMDDhhmmss`;
//! - SMPP absolute time `YYMMDDhhmmsstnnp` (SMPP 3.4 §7.1.1): tenths of a
//!   second, then the offset from UTC in quarter hours and its sign; a
//!   relative time (`p` = `R`) is no moment, and refused.
//!
//! Two-digit years pivot as POSIX `strptime("%y")` does: 69-99 are 19xx,
//! 00-68 are 20xx. A date must exist (no 31 April, 29 February only in leap
//! years, seconds 0-59), as Python's `datetime` requires.

/// A moment as written: in the zone its offset gives, else in the zone the
/// caller assumes for the SMSC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub tenths: u8,
    /// Quarter hours east of UTC, for SMPP absolute time.
    pub offset_quarters: Option<i8>,
}

/// POSIX `%y`: the first year read as 19xx.
const PIVOT_YEAR: u16 = 69;
/// SMPP 3.4 §7.1.1 gives offsets of 00-48 quarter hours; zones in use reach
/// +14:00 (56), and anything under a day is a valid Python timezone.
const MAX_OFFSET_QUARTERS: u8 = 95;

/// The date a receipt token gives, if it gives one.
pub fn timestamp(token: &str) -> Option<Timestamp> {
    let octets = token.as_bytes();
    match octets.len() {
        10 => short_year(octets, false),
        12 => short_year(octets, true).or_else(|| long_year(octets, false)),
        14 => long_year(octets, true),
        16 => absolute(octets),
        _ => None,
    }
}

/// The value of `octets` as ASCII decimal digits.
fn number(octets: &[u8]) -> Option<u16> {
    octets.iter().try_fold(0u16, |value, &octet| {
        octet
            .is_ascii_digit()
            .then(|| value * 10 + u16::from(octet - b'0'))
    })
}

fn two(octets: &[u8], at: usize) -> Option<u8> {
    number(&octets[at..at + 2]).map(|value| value as u8)
}

fn pivot(year: u16) -> u16 {
    if year >= PIVOT_YEAR {
        1900 + year
    } else {
        2000 + year
    }
}

/// `YYMMDDhhmm` and, with `seconds`, `YYMMDDhhmmss`.
fn short_year(octets: &[u8], seconds: bool) -> Option<Timestamp> {
    let year = pivot(number(&octets[..2])?);
    moment(year, &octets[2..], seconds)
}

/// `YYYYMMDDhhmm` and, with `seconds`, `YYYYMMDDhhmmss`.
fn long_year(octets: &[u8], seconds: bool) -> Option<Timestamp> {
    moment(number(&octets[..4])?, &octets[4..], seconds)
}

/// SMPP 3.4 §7.1.1: `YYMMDDhhmmsstnnp`.
fn absolute(octets: &[u8]) -> Option<Timestamp> {
    let sign: i8 = match octets[15] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut stamp = short_year(&octets[..12], true)?;
    stamp.tenths = number(&octets[12..13])? as u8;
    let quarters = two(octets, 13)?;
    if quarters > MAX_OFFSET_QUARTERS {
        return None;
    }
    stamp.offset_quarters = Some(sign * quarters as i8);
    Some(stamp)
}

/// `MMDDhhmm[ss]` of `year`, if that moment exists.
fn moment(year: u16, octets: &[u8], seconds: bool) -> Option<Timestamp> {
    let stamp = Timestamp {
        year,
        month: two(octets, 0)?,
        day: two(octets, 2)?,
        hour: two(octets, 4)?,
        minute: two(octets, 6)?,
        second: if seconds { two(octets, 8)? } else { 0 },
        tenths: 0,
        offset_quarters: None,
    };
    let valid = (1..=9999).contains(&stamp.year)
        && (1..=12).contains(&stamp.month)
        && (1..=days_in_month(stamp.year, stamp.month)).contains(&stamp.day)
        && stamp.hour < 24
        && stamp.minute < 60
        && stamp.second < 60;
    valid.then_some(stamp)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymdhms(token: &str) -> Option<(u16, u8, u8, u8, u8, u8)> {
        timestamp(token).map(|t| (t.year, t.month, t.day, t.hour, t.minute, t.second))
    }

    #[test]
    fn appendix_b_and_seconds() {
        assert_eq!(ymdhms("1911121314"), Some((2019, 11, 12, 13, 14, 0)));
        assert_eq!(ymdhms("240131130107"), Some((2024, 1, 31, 13, 1, 7)));
    }

    #[test]
    fn two_digit_years_pivot_as_posix_does() {
        assert_eq!(ymdhms("6812311200").map(|t| t.0), Some(2068));
        assert_eq!(ymdhms("6901011200").map(|t| t.0), Some(1969));
        assert_eq!(ymdhms("9912311200").map(|t| t.0), Some(1999));
        assert_eq!(ymdhms("0001011200").map(|t| t.0), Some(2000));
    }

    #[test]
    fn four_digit_years_only_where_two_digits_make_no_date() {
        // 20-24-01 is no date, so this is 2024-01-31 12:59.
        assert_eq!(ymdhms("202401311259"), Some((2024, 1, 31, 12, 59, 0)));
        // Both readings exist: the two-digit year wins.
        assert_eq!(ymdhms("200112120000"), Some((2020, 1, 12, 12, 0, 0)));
        assert_eq!(ymdhms("20110314181534"), Some((2011, 3, 14, 18, 15, 34)));
    }

    #[test]
    fn smpp_absolute_time_with_its_offset() {
        let stamp = timestamp("240131130107508+").unwrap();
        assert_eq!(stamp.tenths, 5);
        assert_eq!(stamp.offset_quarters, Some(8));
        assert_eq!(
            timestamp("240131130107004-").unwrap().offset_quarters,
            Some(-4)
        );
        assert_eq!(timestamp("240131130107000R"), None);
        assert_eq!(timestamp("240131130107096+"), None);
        assert_eq!(timestamp("2401311301070x4+"), None);
    }

    #[test]
    fn impossible_dates_are_none() {
        assert_eq!(ymdhms("2402300000"), None);
        assert_eq!(ymdhms("2302290000"), None);
        assert_eq!(ymdhms("2402290000").map(|t| t.2), Some(29));
        assert_eq!(ymdhms("2401312400"), None);
        assert_eq!(ymdhms("240131235960"), None);
        assert_eq!(ymdhms("00000101000000"), None);
        assert_eq!(ymdhms("9913999999"), None);
    }

    #[test]
    fn only_ascii_digits_and_known_lengths() {
        assert_eq!(ymdhms("²401311259"), None);
        assert_eq!(ymdhms("24013112"), None);
        assert_eq!(ymdhms("24013112590"), None);
        assert_eq!(ymdhms(""), None);
        // Ten octets, but not ten characters.
        assert_eq!(ymdhms("2401311²"), None);
    }
}
