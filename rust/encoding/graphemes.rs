//! Extended grapheme clusters (Unicode UAX #29) over generated tables that the
//! pure backend shares (`gen_grapheme_data.py`).

use super::grapheme_data::{RUN_STARTS, RUN_VALUES};

// Grapheme_Cluster_Break values, numbered as gen_grapheme_data.py does.
const OTHER: u8 = 0;
const CR: u8 = 1;
const LF: u8 = 2;
const CONTROL: u8 = 3;
const EXTEND: u8 = 4;
const ZWJ: u8 = 5;
const REGIONAL_INDICATOR: u8 = 6;
const PREPEND: u8 = 7;
const SPACING_MARK: u8 = 8;
const L: u8 = 9;
const V: u8 = 10;
const T: u8 = 11;
const LV: u8 = 12;
const LVT: u8 = 13;
const PROPERTY_MASK: u8 = 0x0F;
const EXTENDED_PICTOGRAPHIC: u8 = 0x10;

/// Looks characters up in the run table, remembering the last run: text
/// mostly stays within one script, so most look-ups need no search.
struct Properties {
    run_start: u32,
    run_end: u32,
    value: u8,
}

impl Properties {
    fn new() -> Self {
        Properties {
            run_start: 0,
            run_end: 0,
            value: OTHER,
        }
    }

    #[inline]
    fn of(&mut self, c: char) -> u8 {
        let cp = c as u32;
        if (0x20..0x7F).contains(&cp) {
            return OTHER;
        }
        if (self.run_start..self.run_end).contains(&cp) {
            return self.value;
        }
        let run = RUN_STARTS.partition_point(|&start| start <= cp) - 1;
        self.run_start = RUN_STARTS[run];
        self.run_end = RUN_STARTS.get(run + 1).copied().unwrap_or(u32::MAX);
        self.value = RUN_VALUES[run];
        self.value
    }
}

/// The cluster breaks of a text, one decision per character.
struct Breaker {
    properties: Properties,
    prev: Option<u8>,
    after_pictographic: bool, // the run so far is ExtPict Extend*
    pictographic_zwj: bool,   // the previous character is the ZWJ after such a run
    regional_run: usize,
}

impl Breaker {
    fn new() -> Self {
        Breaker {
            properties: Properties::new(),
            prev: None,
            after_pictographic: false,
            pictographic_zwj: false,
            regional_run: 0,
        }
    }

    /// Whether a cluster starts at `c`, the next character of the text.
    #[inline]
    fn starts_cluster(&mut self, c: char) -> bool {
        let v = self.properties.of(c);
        if v == OTHER && self.prev == Some(OTHER) {
            // Two plain characters: no rule before GB999 applies, and the
            // state that GB11 to GB13 track starts over.
            (self.after_pictographic, self.pictographic_zwj) = (false, false);
            self.regional_run = 0;
            return true;
        }
        let cur = v & PROPERTY_MASK;
        let pictographic = v & EXTENDED_PICTOGRAPHIC != 0;
        let opens = self.prev.is_none_or(|p| {
            breaks(
                p,
                cur,
                pictographic,
                self.pictographic_zwj,
                self.regional_run,
            )
        });
        if pictographic {
            (self.after_pictographic, self.pictographic_zwj) = (true, false);
        } else if cur == EXTEND {
            self.pictographic_zwj = false;
        } else if cur == ZWJ {
            (self.after_pictographic, self.pictographic_zwj) = (false, self.after_pictographic);
        } else {
            (self.after_pictographic, self.pictographic_zwj) = (false, false);
        }
        self.regional_run = if cur == REGIONAL_INDICATOR {
            self.regional_run + 1
        } else {
            0
        };
        self.prev = Some(cur);
        opens
    }
}

/// Byte offsets in `text` where a grapheme cluster starts.
pub fn cluster_starts(text: &str) -> Vec<usize> {
    let mut breaker = Breaker::new();
    text.char_indices()
        .filter(|&(_, c)| breaker.starts_cluster(c))
        .map(|(offset, _)| offset)
        .collect()
}

/// How many grapheme clusters `text` has.
pub fn count(text: &str) -> usize {
    if text.is_ascii() {
        // Every ASCII character is its own cluster but CR LF (UAX #29 GB3).
        return text.len() - text.matches("\r\n").count();
    }
    let mut breaker = Breaker::new();
    text.chars().filter(|&c| breaker.starts_cluster(c)).count()
}

#[inline]
fn breaks(prev: u8, cur: u8, pictographic: bool, pictographic_zwj: bool, ri: usize) -> bool {
    // UAX #29 §3.1.1, rules GB3 to GB999, in their order of precedence.
    let control = |p| p == CR || p == LF || p == CONTROL;
    if prev == CR && cur == LF {
        return false; // GB3
    }
    if control(prev) || control(cur) {
        return true; // GB4, GB5
    }
    if prev == L && matches!(cur, L | V | LV | LVT) {
        return false; // GB6
    }
    if matches!(prev, LV | V) && matches!(cur, V | T) {
        return false; // GB7
    }
    if matches!(prev, LVT | T) && cur == T {
        return false; // GB8
    }
    if matches!(cur, EXTEND | ZWJ | SPACING_MARK) || prev == PREPEND {
        return false; // GB9, GB9a, GB9b
    }
    if pictographic && pictographic_zwj {
        return false; // GB11
    }
    // GB12, GB13: regional indicators pair up from the start of their run.
    !(cur == REGIONAL_INDICATOR && prev == REGIONAL_INDICATOR && ri % 2 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unicode's own GraphemeBreakTest.txt, for the tables' Unicode version.
    #[test]
    fn unicode_grapheme_break_test() {
        let data = include_str!("../../tests/vectors/GraphemeBreakTest.txt");
        let mut cases = 0;
        for line in data.lines() {
            let spec = line.split('#').next().unwrap_or("");
            let tokens: Vec<&str> = spec.split_whitespace().collect();
            if tokens.is_empty() {
                continue;
            }
            let mut text = String::new();
            let mut expected = Vec::new();
            let mut surrogate = false;
            for token in &tokens[..tokens.len() - 1] {
                match *token {
                    "÷" => expected.push(text.len()),
                    "×" => {}
                    hex => match char::from_u32(u32::from_str_radix(hex, 16).unwrap()) {
                        Some(c) => text.push(c),
                        None => surrogate = true,
                    },
                }
            }
            if surrogate {
                continue; // a Rust string cannot hold a lone surrogate
            }
            assert_eq!(cluster_starts(&text), expected, "{line}");
            cases += 1;
        }
        assert!(cases > 550, "{cases}");
    }

    #[test]
    fn counts() {
        assert_eq!(count("abc\r\n"), 4);
        assert_eq!(count("🇮🇹🏳️‍🌈e\u{301}"), 3);
    }
}
