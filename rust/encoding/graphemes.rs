//! Extended grapheme clusters (Unicode UAX #29), from the `unicode-segmentation`
//! crate. The pure backend's tables are generated from this crate's own
//! (`tools/gen_grapheme_tables.py`), so both backends follow one Unicode version.

use unicode_segmentation::UnicodeSegmentation;

/// The Unicode version whose grapheme rules and properties apply.
pub const UNICODE_VERSION: (u64, u64, u64) = unicode_segmentation::UNICODE_VERSION;

/// Byte offsets in `text` where a grapheme cluster starts.
pub fn cluster_starts(text: &str) -> Vec<usize> {
    text.grapheme_indices(true)
        .map(|(offset, _)| offset)
        .collect()
}

/// How many grapheme clusters `text` has.
pub fn count(text: &str) -> usize {
    if text.is_ascii() {
        // Every ASCII character is its own cluster but CR LF (UAX #29 GB3).
        return text.len() - text.matches("\r\n").count();
    }
    text.graphemes(true).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_DATA: &str = include_str!("../../tests/vectors/GraphemeBreakTest.txt");

    /// Unicode's own GraphemeBreakTest.txt, for the crate's Unicode version.
    #[test]
    fn unicode_grapheme_break_test() {
        let (major, minor, update) = UNICODE_VERSION;
        let header = format!("# GraphemeBreakTest-{major}.{minor}.{update}.txt");
        assert_eq!(TEST_DATA.lines().next(), Some(header.as_str()));
        let mut cases = 0;
        for line in TEST_DATA.lines() {
            let spec = line.split('#').next().unwrap_or("");
            let tokens: Vec<&str> = spec.split_whitespace().collect();
            if tokens.is_empty() {
                continue;
            }
            let mut text = String::new();
            let mut expected = Vec::new();
            for token in &tokens[..tokens.len() - 1] {
                match *token {
                    "÷" => expected.push(text.len()),
                    "×" => {}
                    hex => {
                        text.push(char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap())
                    }
                }
            }
            assert_eq!(cluster_starts(&text), expected, "{line}");
            assert_eq!(count(&text), expected.len(), "{line}");
            cases += 1;
        }
        assert_eq!(cases, 766);
    }

    #[test]
    fn counts() {
        assert_eq!(count("abc\r\n"), 4);
        assert_eq!(count("🇮🇹🏳️‍🌈e\u{301}"), 3);
    }

    /// UAX #29 GB9c: a Devanagari conjunct (KSSA with vowel sign I) is one cluster.
    #[test]
    fn an_indic_conjunct_is_one_cluster() {
        assert_eq!(cluster_starts("क्षि"), vec![0]);
        assert_eq!(count("क्षि"), 1);
    }
}
