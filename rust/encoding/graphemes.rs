//! Extended grapheme clusters (Unicode UAX #29), from the `unicode-segmentation`
//! crate. The pure backend's tables are generated from this crate's own
//! (`tools/gen_grapheme_tables.py`), so both backends follow one Unicode version.

use std::sync::OnceLock;

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
///
/// Between two *plain* characters (see [`is_plain`]) a cluster always ends
/// (UAX #29 GB999; no earlier rule joins them, and none looks back across
/// them), so the crate only segments the stretches in between: most text is
/// counted a character at a time.
pub fn count(text: &str) -> usize {
    if text.is_ascii() {
        // Every ASCII character is its own cluster but CR LF (UAX #29 GB3).
        return text.len() - text.matches("\r\n").count();
    }
    let mut characters = text.char_indices();
    let Some((_, first)) = characters.next() else {
        return 0;
    };
    // A piece of one character is one cluster; the crate counts the others.
    let clusters = |piece: &str, single: bool| {
        if single {
            1
        } else {
            piece.graphemes(true).count()
        }
    };
    let mut total = 0;
    let mut piece = 0; // where the current piece of text starts
    let mut single = true; // and whether it is one character so far
    let mut previous_plain = is_plain(first);
    for (offset, c) in characters {
        let plain = is_plain(c);
        if plain && previous_plain {
            total += clusters(&text[piece..offset], single);
            (piece, single) = (offset, true);
        } else {
            single = false;
        }
        previous_plain = plain;
    }
    total + clusters(&text[piece..], single)
}

/// Whether a cluster always ends between `c` and another plain character.
/// The crate decides, once per BMP character: `c` is plain when "x c x" is
/// three clusters and "c c" two, so no rule joins `c` to a plain neighbour
/// (Extend, SpacingMark, ZWJ, Prepend, regional indicators and Hangul L, V, T
/// fail). CR and LF, which join each other only, are left out; astral
/// characters (emoji) always go to the crate. Answering `false` is never wrong.
fn is_plain(c: char) -> bool {
    // The answers, worked out a block of 256 characters at a time, when a text
    // first has a character of that block.
    static BLOCKS: [OnceLock<[u64; 4]>; 256] = [const { OnceLock::new() }; 256];
    let cp = c as u32;
    if (0x20..0x7F).contains(&cp) {
        return true;
    }
    if !(0x80..=0xFFFF).contains(&cp) {
        return false;
    }
    let block = BLOCKS[(cp >> 8) as usize].get_or_init(|| plain_block(cp & !0xFF));
    block[(cp as usize & 0xFF) / 64] & (1 << (cp % 64)) != 0
}

fn plain_block(first: u32) -> [u64; 4] {
    let mut bits = [0u64; 4];
    let mut probe = String::with_capacity(12);
    for c in (first.max(0x80)..first + 0x100).filter_map(char::from_u32) {
        probe.clear();
        probe.extend(['x', c, 'x']);
        let alone = probe.graphemes(true).count() == 3;
        probe.clear();
        probe.extend([c, c]);
        if alone && probe.graphemes(true).count() == 2 {
            let index = (c as u32 - first) as usize;
            bits[index / 64] |= 1 << (index % 64);
        }
    }
    bits
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

    /// The counting shortcut agrees with the crate on texts mixing plain
    /// characters with every kind that joins or breaks differently.
    #[test]
    fn count_agrees_with_the_crate() {
        let parts = [
            "a",
            "é",
            "я",
            "€",
            "\r",
            "\n",
            "\u{301}",
            "\u{200d}",
            "\u{94d}",
            "\u{915}",
            "\u{937}",
            "\u{93f}",
            "\u{1100}",
            "\u{1161}",
            "\u{11a8}",
            "\u{ac00}",
            "\u{600}",
            "\u{903}",
            "🇮",
            "🇹",
            "😀",
            "\u{1f3fb}",
            "\u{fe0f}",
            "\u{85}",
        ];
        // Every sequence of three parts, and each between plain letters.
        for a in parts {
            for b in parts {
                for c in parts {
                    for text in [format!("{a}{b}{c}"), format!("xé{a}{b}{c}яz")] {
                        assert_eq!(count(&text), text.graphemes(true).count(), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_characters() {
        for c in ['a', 'é', 'я', '€', 'ω', '\u{915}', '\u{ac00}', '\u{85}'] {
            assert!(is_plain(c), "{c:?}");
        }
        for c in [
            '\r', '\n', '\u{301}', '\u{200d}', '\u{94d}', '\u{600}', '\u{1100}', '😀',
        ] {
            assert!(!is_plain(c), "{c:?}");
        }
    }

    /// UAX #29 GB9c: a Devanagari conjunct (KSSA with vowel sign I) is one cluster.
    #[test]
    fn an_indic_conjunct_is_one_cluster() {
        assert_eq!(cluster_starts("क्षि"), vec![0]);
        assert_eq!(count("क्षि"), 1);
    }
}
