//! Smart encoding's look-alike table: characters that would force UCS2, with
//! the GSM 7-bit text that looks like them.
//!
//! Opt-in: the text is the sender's, so nothing is replaced unless asked.
//! Every replacement is in the default alphabet or its extension table
//! (3GPP TS 23.038 §6.2.1, §6.2.1.1). The pure twin
//! (`python/smswire/encoding/_smart_table.py`) holds the same table, grouped by
//! what the characters turn into; the Python tests compare the two for every
//! code point of the Basic Multilingual Plane.
//!
//! Besides the entries of [`LOOK_ALIKES`], the fullwidth forms U+FF01..U+FF5E
//! stand for the ASCII characters U+0021..U+007E (Unicode's own decomposition
//! of them), except U+FF40 FULLWIDTH GRAVE ACCENT, which becomes an apostrophe
//! as U+0060 does.

/// Look-alike and replacement, sorted by look-alike for binary search.
pub static LOOK_ALIKES: [(char, &str); 85] = [
    ('\u{0009}', " "),        // CHARACTER TABULATION
    ('\u{0060}', "'"),        // GRAVE ACCENT (not in the default alphabet)
    ('\u{00a0}', " "),        // NO-BREAK SPACE
    ('\u{00a6}', "|"),        // BROKEN BAR
    ('\u{00ab}', "\""),       // LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00ad}', ""),         // SOFT HYPHEN
    ('\u{00b4}', "'"),        // ACUTE ACCENT
    ('\u{00bb}', "\""),       // RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00e7}', "\u{00c7}"), // LATIN SMALL LETTER C WITH CEDILLA (GSM has the capital, 0x09)
    ('\u{02b9}', "'"),        // MODIFIER LETTER PRIME
    ('\u{02ba}', "\""),       // MODIFIER LETTER DOUBLE PRIME
    ('\u{02bb}', "'"),        // MODIFIER LETTER TURNED COMMA
    ('\u{02bc}', "'"),        // MODIFIER LETTER APOSTROPHE
    ('\u{02bd}', "'"),        // MODIFIER LETTER REVERSED COMMA
    ('\u{02c6}', "^"),        // MODIFIER LETTER CIRCUMFLEX ACCENT
    ('\u{02c8}', "'"),        // MODIFIER LETTER VERTICAL LINE
    ('\u{02ca}', "'"),        // MODIFIER LETTER ACUTE ACCENT
    ('\u{02cb}', "'"),        // MODIFIER LETTER GRAVE ACCENT
    ('\u{02dc}', "~"),        // SMALL TILDE
    ('\u{02ee}', "\""),       // MODIFIER LETTER DOUBLE APOSTROPHE
    ('\u{2000}', " "),        // EN QUAD
    ('\u{2001}', " "),        // EM QUAD
    ('\u{2002}', " "),        // EN SPACE
    ('\u{2003}', " "),        // EM SPACE
    ('\u{2004}', " "),        // THREE-PER-EM SPACE
    ('\u{2005}', " "),        // FOUR-PER-EM SPACE
    ('\u{2006}', " "),        // SIX-PER-EM SPACE
    ('\u{2007}', " "),        // FIGURE SPACE
    ('\u{2008}', " "),        // PUNCTUATION SPACE
    ('\u{2009}', " "),        // THIN SPACE
    ('\u{200a}', " "),        // HAIR SPACE
    ('\u{200b}', ""),         // ZERO WIDTH SPACE
    ('\u{2010}', "-"),        // HYPHEN
    ('\u{2011}', "-"),        // NON-BREAKING HYPHEN
    ('\u{2012}', "-"),        // FIGURE DASH
    ('\u{2013}', "-"),        // EN DASH
    ('\u{2014}', "-"),        // EM DASH
    ('\u{2015}', "-"),        // HORIZONTAL BAR
    ('\u{2018}', "'"),        // LEFT SINGLE QUOTATION MARK
    ('\u{2019}', "'"),        // RIGHT SINGLE QUOTATION MARK
    ('\u{201a}', "'"),        // SINGLE LOW-9 QUOTATION MARK
    ('\u{201b}', "'"),        // SINGLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{201c}', "\""),       // LEFT DOUBLE QUOTATION MARK
    ('\u{201d}', "\""),       // RIGHT DOUBLE QUOTATION MARK
    ('\u{201e}', "\""),       // DOUBLE LOW-9 QUOTATION MARK
    ('\u{201f}', "\""),       // DOUBLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{2022}', "-"),        // BULLET
    ('\u{2023}', "-"),        // TRIANGULAR BULLET
    ('\u{2024}', "."),        // ONE DOT LEADER
    ('\u{2025}', ".."),       // TWO DOT LEADER
    ('\u{2026}', "..."),      // HORIZONTAL ELLIPSIS
    ('\u{2028}', "\n"),       // LINE SEPARATOR
    ('\u{2029}', "\n"),       // PARAGRAPH SEPARATOR
    ('\u{202f}', " "),        // NARROW NO-BREAK SPACE
    ('\u{2032}', "'"),        // PRIME
    ('\u{2033}', "\""),       // DOUBLE PRIME
    ('\u{2035}', "'"),        // REVERSED PRIME
    ('\u{2036}', "\""),       // REVERSED DOUBLE PRIME
    ('\u{2039}', "'"),        // SINGLE LEFT-POINTING ANGLE QUOTATION MARK
    ('\u{203a}', "'"),        // SINGLE RIGHT-POINTING ANGLE QUOTATION MARK
    ('\u{203c}', "!!"),       // DOUBLE EXCLAMATION MARK
    ('\u{2043}', "-"),        // HYPHEN BULLET
    ('\u{2044}', "/"),        // FRACTION SLASH
    ('\u{2047}', "??"),       // DOUBLE QUESTION MARK
    ('\u{2048}', "?!"),       // QUESTION EXCLAMATION MARK
    ('\u{2049}', "!?"),       // EXCLAMATION QUESTION MARK
    ('\u{205f}', " "),        // MEDIUM MATHEMATICAL SPACE
    ('\u{2060}', ""),         // WORD JOINER
    ('\u{2212}', "-"),        // MINUS SIGN
    ('\u{2215}', "/"),        // DIVISION SLASH
    ('\u{2219}', "-"),        // BULLET OPERATOR
    ('\u{25e6}', "-"),        // WHITE BULLET
    ('\u{275b}', "'"),        // HEAVY SINGLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275c}', "'"),        // HEAVY SINGLE COMMA QUOTATION MARK ORNAMENT
    ('\u{275d}', "\""),       // HEAVY DOUBLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275e}', "\""),       // HEAVY DOUBLE COMMA QUOTATION MARK ORNAMENT
    ('\u{3000}', " "),        // IDEOGRAPHIC SPACE
    ('\u{301d}', "\""),       // REVERSED DOUBLE PRIME QUOTATION MARK
    ('\u{301e}', "\""),       // DOUBLE PRIME QUOTATION MARK
    ('\u{301f}', "\""),       // LOW DOUBLE PRIME QUOTATION MARK
    ('\u{fe58}', "-"),        // SMALL EM DASH
    ('\u{fe63}', "-"),        // SMALL HYPHEN-MINUS
    ('\u{feff}', ""),         // ZERO WIDTH NO-BREAK SPACE (byte order mark)
    ('\u{ffe1}', "\u{00a3}"), // FULLWIDTH POUND SIGN
    ('\u{ffe5}', "\u{00a5}"), // FULLWIDTH YEN SIGN
];

const FULLWIDTH_FIRST: char = '\u{ff01}'; // FULLWIDTH EXCLAMATION MARK
const FULLWIDTH_LAST: char = '\u{ff5e}'; // FULLWIDTH TILDE
const FULLWIDTH_GRAVE: char = '\u{ff40}';
/// U+0021..U+007E, sliced for the fullwidth forms' replacements.
const PRINTABLE_ASCII: &str =
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// The GSM text that replaces the look-alike `ch`, or `None` if smart
/// encoding leaves it alone.
pub fn replacement(ch: char) -> Option<&'static str> {
    // Of ASCII, only the grave accent and the tab are look-alikes (a test holds
    // the table to it): most characters of a text leave here.
    if ch.is_ascii() && ch != '`' && ch != '\t' {
        return None;
    }
    if let Ok(index) = LOOK_ALIKES.binary_search_by_key(&ch, |entry| entry.0) {
        return Some(LOOK_ALIKES[index].1);
    }
    if ch == FULLWIDTH_GRAVE {
        return Some("'");
    }
    if (FULLWIDTH_FIRST..=FULLWIDTH_LAST).contains(&ch) {
        let offset = (u32::from(ch) - u32::from(FULLWIDTH_FIRST)) as usize;
        return PRINTABLE_ASCII.get(offset..=offset);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_repeats() {
        assert!(LOOK_ALIKES.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn no_look_alike_is_plain_ascii_but_the_grave_accent_and_tab() {
        for (ch, _) in LOOK_ALIKES {
            assert!(!ch.is_ascii() || ch == '`' || ch == '\t', "{ch:?}");
        }
    }

    #[test]
    fn quotes_dashes_ellipsis_and_spaces_are_replaced() {
        assert_eq!(replacement('\u{201c}'), Some("\""));
        assert_eq!(replacement('\u{2019}'), Some("'"));
        assert_eq!(replacement('\u{2014}'), Some("-"));
        assert_eq!(replacement('\u{2026}'), Some("..."));
        assert_eq!(replacement('\u{00a0}'), Some(" "));
        assert_eq!(replacement('\u{200b}'), Some(""));
    }

    #[test]
    fn fullwidth_forms_become_their_ascii_twins() {
        assert_eq!(replacement('\u{ff01}'), Some("!"));
        assert_eq!(replacement('\u{ff21}'), Some("A"));
        assert_eq!(replacement('\u{ff5b}'), Some("{"));
        assert_eq!(replacement('\u{ff5e}'), Some("~"));
        assert_eq!(replacement('\u{ff40}'), Some("'"));
        assert_eq!(replacement('\u{ff5f}'), None);
        assert_eq!(replacement('\u{ff00}'), None);
    }

    #[test]
    fn gsm_characters_and_joiners_are_left_alone() {
        for ch in [
            'a', '@', '"', '\'', '-', ' ', '\n', '\u{20ac}', '\u{200d}', '\u{200c}',
        ] {
            assert_eq!(replacement(ch), None, "{ch:?}");
        }
    }
}
