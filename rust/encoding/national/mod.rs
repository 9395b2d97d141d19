//! National language shift tables (3GPP TS 23.038 §6.2.1.2.4 and Annex A):
//! the languages, and lookups from septet to character and back.
//!
//! A message names its tables in the user data header (IEI 0x25 locking
//! shift, IEI 0x24 single shift; TS 23.040 §9.2.3.24.15-16) by the national
//! language identifier of each. A locking shift table replaces the default
//! alphabet for the whole message; a single shift table replaces the default
//! extension table, reached by the escape 0x1B (TS 23.038 §6.2.1.2.3).

mod choice;
mod tables;

use std::sync::OnceLock;

use tables::*;

use super::gsm7::{Alphabet, DEFAULT_ALPHABET, ESCAPE, EXTENSION_TABLE, UNDEFINED as NO_CHAR};
use super::Error;

pub use choice::{choose, Choice, Replacement};

/// 3GPP TS 23.040 §9.2.3.24.16 / §9.2.3.24.15: the national language locking
/// shift and single shift information elements, each IEI, length 1, identifier.
pub const IEI_LOCKING_SHIFT: u8 = 0x25;
pub const IEI_SINGLE_SHIFT: u8 = 0x24;
const SHIFT_IE_LENGTH: u8 = 1;
/// The default alphabet and its extension table, as identifier 0 below.
pub const DEFAULT_TABLE: u8 = 0;
/// Identifiers 0 (the default tables) to 13 (Urdu).
const TABLE_SLOTS: usize = 14;

/// A language of TS 23.038 Annex A, its discriminant the national language
/// identifier carried in the user data header (TS 23.038 §6.2.1.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Language {
    Turkish = 1,
    Spanish = 2,
    Portuguese = 3,
    Bengali = 4,
    Gujarati = 5,
    Hindi = 6,
    Kannada = 7,
    Malayalam = 8,
    Oriya = 9,
    Punjabi = 10,
    Tamil = 11,
    Telugu = 12,
    Urdu = 13,
}

/// An entry of 0x0000 in a table: the code is undefined there.
const UNDEFINED: u16 = 0;

/// Septets a table has codes for (TS 23.038 §6.1.2.1: seven bits).
const TABLE_SIZE: usize = 128;

impl Language {
    /// Every language of Annex A, in identifier order.
    pub const ALL: [Language; 13] = [
        Language::Turkish,
        Language::Spanish,
        Language::Portuguese,
        Language::Bengali,
        Language::Gujarati,
        Language::Hindi,
        Language::Kannada,
        Language::Malayalam,
        Language::Oriya,
        Language::Punjabi,
        Language::Tamil,
        Language::Telugu,
        Language::Urdu,
    ];

    /// The national language identifier (TS 23.038 §6.2.1.2.4).
    pub fn identifier(self) -> u8 {
        self as u8
    }

    /// The language an identifier names; `None` for 0 (the default tables)
    /// and for the reserved values above 13.
    pub fn from_identifier(identifier: u8) -> Option<Language> {
        let index = usize::from(identifier).checked_sub(1)?;
        Self::ALL.get(index).copied()
    }

    /// The ISO 639-1 code callers name the language by.
    pub fn code(self) -> &'static str {
        match self {
            Language::Turkish => "tr",
            Language::Spanish => "es",
            Language::Portuguese => "pt",
            Language::Bengali => "bn",
            Language::Gujarati => "gu",
            Language::Hindi => "hi",
            Language::Kannada => "kn",
            Language::Malayalam => "ml",
            Language::Oriya => "or",
            Language::Punjabi => "pa",
            Language::Tamil => "ta",
            Language::Telugu => "te",
            Language::Urdu => "ur",
        }
    }

    /// The language an ISO 639-1 code names, if Annex A has tables for it.
    pub fn from_code(code: &str) -> Option<Language> {
        Self::ALL
            .into_iter()
            .find(|language| language.code() == code)
    }

    /// The locking shift table (Annex A.3), `None` for Spanish, which has
    /// none (A.3.2 is void).
    fn locking_units(self) -> Option<&'static [u16; TABLE_SIZE]> {
        match self {
            Language::Turkish => Some(&TURKISH_LOCKING),
            Language::Spanish => None,
            Language::Portuguese => Some(&PORTUGUESE_LOCKING),
            Language::Bengali => Some(&BENGALI_LOCKING),
            Language::Gujarati => Some(&GUJARATI_LOCKING),
            Language::Hindi => Some(&HINDI_LOCKING),
            Language::Kannada => Some(&KANNADA_LOCKING),
            Language::Malayalam => Some(&MALAYALAM_LOCKING),
            Language::Oriya => Some(&ORIYA_LOCKING),
            Language::Punjabi => Some(&PUNJABI_LOCKING),
            Language::Tamil => Some(&TAMIL_LOCKING),
            Language::Telugu => Some(&TELUGU_LOCKING),
            Language::Urdu => Some(&URDU_LOCKING),
        }
    }

    /// The single shift table (Annex A.2).
    fn single_shift_units(self) -> &'static [u16; TABLE_SIZE] {
        match self {
            Language::Turkish => &TURKISH_SINGLE_SHIFT,
            Language::Spanish => &SPANISH_SINGLE_SHIFT,
            Language::Portuguese => &PORTUGUESE_SINGLE_SHIFT,
            Language::Bengali => &BENGALI_SINGLE_SHIFT,
            Language::Gujarati => &GUJARATI_SINGLE_SHIFT,
            Language::Hindi => &HINDI_SINGLE_SHIFT,
            Language::Kannada => &KANNADA_SINGLE_SHIFT,
            Language::Malayalam => &MALAYALAM_SINGLE_SHIFT,
            Language::Oriya => &ORIYA_SINGLE_SHIFT,
            Language::Punjabi => &PUNJABI_SINGLE_SHIFT,
            Language::Tamil => &TAMIL_SINGLE_SHIFT,
            Language::Telugu => &TELUGU_SINGLE_SHIFT,
            Language::Urdu => &URDU_SINGLE_SHIFT,
        }
    }

    /// Whether Annex A.3 defines a locking shift table for the language.
    pub fn has_locking_table(self) -> bool {
        self.locking_units().is_some()
    }

    /// The character at `septet` of the locking shift table, `None` where the
    /// table leaves it undefined, at the escape 0x1B, or for Spanish.
    pub fn locking_char(self, septet: u8) -> Option<char> {
        self.locking_units()
            .and_then(|table| unit_char(table, septet))
    }

    /// The character at `septet` of the single shift table (the code after
    /// an escape), `None` where the table leaves it undefined.
    pub fn single_shift_char(self, septet: u8) -> Option<char> {
        unit_char(self.single_shift_units(), septet)
    }

    /// The septet of `ch` in the locking shift table, if it has one.
    pub fn locking_septet(self, ch: char) -> Option<u8> {
        reverse_lookup(&reverse().locking[self.slot()], ch)
    }

    /// The septet of `ch` in the single shift table (to follow an escape).
    /// Where the table holds a character twice (the Indic tables repeat '*'
    /// at 0x0B and 0x18, '¡' at 0x13 and 0x15), the lower code is used.
    pub fn single_shift_septet(self, ch: char) -> Option<u8> {
        reverse_lookup(&reverse().single_shift[self.slot()], ch)
    }

    fn slot(self) -> usize {
        usize::from(self.identifier() - 1)
    }
}

fn unit_char(table: &[u16; TABLE_SIZE], septet: u8) -> Option<char> {
    let unit = *table.get(usize::from(septet))?;
    if unit == UNDEFINED {
        return None;
    }
    char::from_u32(u32::from(unit))
}

/// Character-to-septet maps, one per table, sorted by character.
struct Reverse {
    locking: Vec<Vec<(char, u8)>>,
    single_shift: Vec<Vec<(char, u8)>>,
}

fn reverse() -> &'static Reverse {
    static REVERSE: OnceLock<Reverse> = OnceLock::new();
    REVERSE.get_or_init(|| Reverse {
        locking: Language::ALL
            .iter()
            .map(|language| language.locking_units().map(invert).unwrap_or_default())
            .collect(),
        single_shift: Language::ALL
            .iter()
            .map(|language| invert(language.single_shift_units()))
            .collect(),
    })
}

/// The table's characters with their septets, sorted by character; of a
/// character the table holds twice, only the lower septet.
fn invert(table: &[u16; TABLE_SIZE]) -> Vec<(char, u8)> {
    let mut pairs: Vec<(char, u8)> = (0..=u8::MAX)
        .take(TABLE_SIZE)
        .filter_map(|septet| unit_char(table, septet).map(|ch| (ch, septet)))
        .collect();
    // Sorting by (char, septet) puts a duplicate's lower septet first.
    pairs.sort_unstable();
    pairs.dedup_by_key(|pair| pair.0);
    pairs
}

fn reverse_lookup(pairs: &[(char, u8)], ch: char) -> Option<u8> {
    pairs
        .binary_search_by_key(&ch, |pair| pair.0)
        .ok()
        .map(|index| pairs[index].1)
}

// ---------------------------------------------------------------- choosing tables

/// For a character: a bit per locking shift table holding it and a bit per
/// single shift table holding it (bit 0: the default tables; bit n: national
/// language identifier n).
#[derive(Clone, Copy, Default)]
struct Masks {
    locking: u16,
    single: u16,
}

/// Characters below this are looked up in a flat table; the rest by search.
/// It takes in Arabic (U+06xx) and the Indic blocks (U+0900..U+0DFF), whose
/// letters fill most of the national tables.
const DENSE_MASKS: usize = 0x0E00;

struct MaskIndex {
    dense: Box<[Masks; DENSE_MASKS]>,
    sparse: Vec<(char, Masks)>,
}

fn mask_index() -> &'static MaskIndex {
    static INDEX: OnceLock<MaskIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut all: Vec<(char, Masks)> = Vec::new();
        let mut add = |c: char, locking: u16, single: u16| {
            all.push((c, Masks { locking, single }));
        };
        for (septet, &c) in DEFAULT_ALPHABET.iter().enumerate() {
            if septet != usize::from(ESCAPE) {
                add(c, 1 << DEFAULT_TABLE, 0);
            }
        }
        for &(_, c) in &EXTENSION_TABLE {
            add(c, 0, 1 << DEFAULT_TABLE);
        }
        for language in Language::ALL {
            let bit = 1 << language.identifier();
            for septet in 0..0x80 {
                if let Some(c) = language.locking_char(septet) {
                    add(c, bit, 0);
                }
                if let Some(c) = language.single_shift_char(septet) {
                    add(c, 0, bit);
                }
            }
        }
        all.sort_unstable_by_key(|entry| entry.0);
        let mut merged: Vec<(char, Masks)> = Vec::with_capacity(all.len());
        for (c, masks) in all {
            match merged.last_mut() {
                Some(last) if last.0 == c => {
                    last.1.locking |= masks.locking;
                    last.1.single |= masks.single;
                }
                _ => merged.push((c, masks)),
            }
        }
        let mut dense = Box::new([Masks::default(); DENSE_MASKS]);
        merged.retain(|&(c, masks)| match dense.get_mut(c as usize) {
            Some(slot) => {
                *slot = masks;
                false
            }
            None => true,
        });
        MaskIndex {
            dense,
            sparse: merged,
        }
    })
}

impl MaskIndex {
    #[inline]
    fn get(&self, c: char) -> Masks {
        match self.dense.get(c as usize) {
            Some(&masks) => masks,
            None => self
                .sparse
                .binary_search_by_key(&c, |entry| entry.0)
                .map_or_else(|_| Masks::default(), |at| self.sparse[at].1),
        }
    }
}

/// The identifiers of `languages` as a mask, with the default tables' bit.
fn allowed(languages: &[Language]) -> u16 {
    languages.iter().fold(1 << DEFAULT_TABLE, |mask, language| {
        mask | 1 << language.identifier()
    })
}

/// Whether the default tables, or a table of one of `languages`, hold `c`.
pub fn held_by(c: char, languages: &[Language]) -> bool {
    let m = mask_index().get(c);
    (m.locking | m.single) & allowed(languages) != 0
}

/// A pair of tables that encodes a text, and the septets it takes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftChoice {
    pub locking: u8,
    pub single: u8,
    pub septets: usize,
}

/// The (locking, single shift) identifier pairs among `languages` (and the
/// default tables, 0) that encode every character of `text`, but the default
/// pair: for each locking shift table, the one single shift table to pair it
/// with, in identifier order of the locking tables.
///
/// Which single shift table a locking table needs is decided by the
/// characters the locking table lacks, so any that holds them all costs the
/// same septets; the default extension table is preferred (it needs no
/// information element), then the locking table's own language, then the
/// lowest identifier. `languages` must be in identifier order.
pub fn shift_choices(text: &str, languages: &[Language]) -> Vec<ShiftChoice> {
    let singles = allowed(languages);
    let mut lockings = 1u16 << DEFAULT_TABLE;
    for language in languages.iter().filter(|l| l.has_locking_table()) {
        lockings |= 1 << language.identifier();
    }
    let mut usable = [0u16; TABLE_SLOTS];
    for (slot, mask) in usable.iter_mut().enumerate() {
        if lockings >> slot & 1 == 1 {
            *mask = singles;
        }
    }
    // The locking tables still in the running: one drops out once no single
    // shift table holds every character it lacks.
    let mut open = lockings;
    // Characters, and per locking table those it lacks (each an escape pair).
    let mut characters = 0;
    let mut shifted = [0usize; TABLE_SLOTS];
    let index = mask_index();
    for c in text.chars() {
        characters += 1;
        let m = index.get(c);
        let mut missing = open & !m.locking;
        while missing != 0 {
            let slot = missing.trailing_zeros() as usize;
            usable[slot] &= m.single;
            shifted[slot] += 1;
            if usable[slot] == 0 {
                open &= !(1 << slot);
            }
            missing &= missing - 1;
        }
        if open == 0 {
            break;
        }
    }
    let mut choices = Vec::new();
    for (locking, &single_mask) in (0u8..).zip(usable.iter()) {
        if open >> locking & 1 == 0 {
            continue;
        }
        let single = if single_mask & 1 << DEFAULT_TABLE != 0 {
            DEFAULT_TABLE
        } else if single_mask & 1 << locking != 0 {
            locking
        } else {
            single_mask.trailing_zeros() as u8
        };
        if (locking, single) != (DEFAULT_TABLE, DEFAULT_TABLE) {
            choices.push(ShiftChoice {
                locking,
                single,
                septets: characters + shifted[usize::from(locking)],
            });
        }
    }
    choices
}

/// The information elements that name the tables, in IEI order (empty for
/// the default tables): they go in every part's user data header.
pub fn shift_ies(locking: u8, single: u8) -> Vec<u8> {
    let mut ies = Vec::with_capacity(6);
    if single != DEFAULT_TABLE {
        ies.extend_from_slice(&[IEI_SINGLE_SHIFT, SHIFT_IE_LENGTH, single]);
    }
    if locking != DEFAULT_TABLE {
        ies.extend_from_slice(&[IEI_LOCKING_SHIFT, SHIFT_IE_LENGTH, locking]);
    }
    ies
}

/// The alphabet of a (locking, single shift) pair of identifiers, each of
/// which names a table (0: the default one).
pub fn alphabet(locking: u8, single: u8) -> &'static Alphabet {
    if (locking, single) == (DEFAULT_TABLE, DEFAULT_TABLE) {
        return Alphabet::default_alphabet();
    }
    static ALPHABETS: OnceLock<Vec<OnceLock<Alphabet>>> = OnceLock::new();
    let slots = ALPHABETS.get_or_init(|| {
        (0..TABLE_SLOTS * TABLE_SLOTS)
            .map(|_| OnceLock::new())
            .collect()
    });
    slots[usize::from(locking) * TABLE_SLOTS + usize::from(single)].get_or_init(|| {
        let locking_table = match Language::from_identifier(locking) {
            None => DEFAULT_ALPHABET,
            Some(language) => {
                std::array::from_fn(|septet| language.locking_char(septet as u8).unwrap_or(NO_CHAR))
            }
        };
        // From the highest septet down: the alphabet lets a later entry win,
        // so a repeated character keeps its lower code.
        let single_table: Vec<(u8, char)> = match Language::from_identifier(single) {
            None => EXTENSION_TABLE.to_vec(),
            Some(language) => (0..0x80u8)
                .rev()
                .filter_map(|septet| language.single_shift_char(septet).map(|c| (septet, c)))
                .collect(),
        };
        Alphabet::new(locking_table, &single_table)
    })
}

/// The (locking, single shift) identifiers a user data header names; 0 for a
/// table it does not name.
///
/// An identifier TS 23.038 §6.2.1.2.4 reserves, or a locking shift for
/// Spanish (which has none), names no table: the default one applies, as for
/// a receiver that knows no national tables. A header whose lengths overrun
/// it raises.
pub fn shifts_in_udh(udh: &[u8]) -> Result<(u8, u8), Error> {
    let Some(&udhl) = udh.first() else {
        return Ok((DEFAULT_TABLE, DEFAULT_TABLE));
    };
    // 3GPP TS 23.040 §9.2.3.24: UDHL, then IEI, IEDL, IED... to UDHL's end.
    let end = usize::from(udhl) + 1;
    if end > udh.len() {
        return Err(Error::octet(
            format!(
                "udh: length octet says {udhl} octets follow, only {} do",
                udh.len() - 1
            ),
            0,
        ));
    }
    let (mut locking, mut single) = (DEFAULT_TABLE, DEFAULT_TABLE);
    let mut i = 1;
    while i < end {
        if i + 1 >= end || i + 2 + usize::from(udh[i + 1]) > end {
            return Err(Error::octet(
                format!("udh: information element at offset {i} overruns the header"),
                i,
            ));
        }
        let (iei, length) = (udh[i], udh[i + 1]);
        if length == SHIFT_IE_LENGTH {
            let language = Language::from_identifier(udh[i + 2]);
            match (iei, language) {
                (IEI_LOCKING_SHIFT, Some(l)) if l.has_locking_table() => locking = l.identifier(),
                (IEI_SINGLE_SHIFT, Some(l)) => single = l.identifier(),
                _ => {}
            }
        }
        i += 2 + usize::from(length);
    }
    Ok((locking, single))
}

/// The text of septets given one per octet, in the tables `udh` names.
pub fn decode_gsm7(data: &[u8], udh: &[u8]) -> Result<String, Error> {
    let (locking, single) = shifts_in_udh(udh)?;
    alphabet(locking, single).decode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESCAPE: u8 = 0x1B;
    const INDIC: [Language; 10] = [
        Language::Bengali,
        Language::Gujarati,
        Language::Hindi,
        Language::Kannada,
        Language::Malayalam,
        Language::Oriya,
        Language::Punjabi,
        Language::Tamil,
        Language::Telugu,
        Language::Urdu,
    ];

    fn septets() -> impl Iterator<Item = u8> {
        0..0x80
    }

    #[test]
    fn identifiers_are_those_of_ts_23_038_6_2_1_2_4() {
        assert_eq!(Language::Turkish.identifier(), 1);
        assert_eq!(Language::Spanish.identifier(), 2);
        assert_eq!(Language::Urdu.identifier(), 13);
        for language in Language::ALL {
            assert_eq!(
                Language::from_identifier(language.identifier()),
                Some(language)
            );
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_identifier(0), None);
        assert_eq!(Language::from_identifier(14), None);
        assert_eq!(Language::from_code("en"), None);
    }

    #[test]
    fn spanish_alone_has_no_locking_shift_table() {
        for language in Language::ALL {
            assert_eq!(language.has_locking_table(), language != Language::Spanish);
        }
        assert_eq!(Language::Spanish.locking_char(0x41), None);
        assert_eq!(Language::Spanish.locking_septet('A'), None);
    }

    #[test]
    fn the_escape_is_no_character_of_any_table() {
        for language in Language::ALL {
            assert_eq!(language.locking_char(ESCAPE), None);
            assert_eq!(language.single_shift_char(ESCAPE), None);
        }
    }

    #[test]
    fn septets_past_seven_bits_are_no_code() {
        assert_eq!(Language::Turkish.locking_char(0x80), None);
        assert_eq!(Language::Turkish.single_shift_char(0xFF), None);
    }

    #[test]
    fn every_locking_entry_round_trips() {
        for language in Language::ALL {
            for septet in septets() {
                if let Some(ch) = language.locking_char(septet) {
                    assert_eq!(
                        language.locking_septet(ch),
                        Some(septet),
                        "{language:?} {septet:#04x}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_single_shift_entry_round_trips_to_its_lowest_code() {
        for language in Language::ALL {
            for septet in septets() {
                if let Some(ch) = language.single_shift_char(septet) {
                    let back = language.single_shift_septet(ch).unwrap();
                    assert_eq!(language.single_shift_char(back), Some(ch));
                    assert!(back <= septet, "{language:?} {septet:#04x}");
                }
            }
        }
    }

    #[test]
    fn indic_single_shift_tables_repeat_asterisk_and_inverted_exclamation() {
        for language in INDIC {
            assert_eq!(language.single_shift_char(0x0B), Some('*'));
            assert_eq!(language.single_shift_char(0x18), Some('*'));
            assert_eq!(language.single_shift_char(0x13), Some('¡'));
            assert_eq!(language.single_shift_char(0x15), Some('¡'));
            assert_eq!(language.single_shift_septet('*'), Some(0x0B));
            assert_eq!(language.single_shift_septet('¡'), Some(0x13));
        }
    }

    #[test]
    fn every_single_shift_table_has_the_euro_at_0x65_and_form_feed_at_0x0a() {
        // TS 23.038 Annex A.2: each table keeps the default extension's EURO
        // SIGN and page break (form feed) where the default extension has them.
        for language in Language::ALL {
            assert_eq!(language.single_shift_char(0x65), Some('€'), "{language:?}");
            assert_eq!(
                language.single_shift_char(0x0A),
                Some('\u{0C}'),
                "{language:?}"
            );
        }
    }

    #[test]
    fn indic_locking_tables_share_their_punctuation_digits_and_small_latin() {
        for language in INDIC {
            assert_eq!(language.locking_char(0x0A), Some('\n'));
            assert_eq!(language.locking_char(0x0D), Some('\r'));
            assert_eq!(language.locking_char(0x20), Some(' '));
            assert_eq!(language.locking_char(0x28), Some(')'));
            assert_eq!(language.locking_char(0x29), Some('('));
            // Comma, not apostrophe: see the note on the tables.
            assert_eq!(language.locking_char(0x2C), Some(','), "{language:?}");
            assert_eq!(language.locking_char(0x2E), Some('.'));
            assert_eq!(language.locking_char(0x3F), Some('?'));
            for (offset, digit) in ('0'..='9').enumerate() {
                assert_eq!(language.locking_char(0x30 + offset as u8), Some(digit));
            }
            for (offset, letter) in ('a'..='z').enumerate() {
                assert_eq!(language.locking_char(0x61 + offset as u8), Some(letter));
            }
            for (offset, letter) in ('A'..='Z').enumerate() {
                assert_eq!(
                    language.single_shift_char(0x41 + offset as u8),
                    Some(letter)
                );
            }
        }
    }

    #[test]
    fn turkish_entries_of_annex_a_3_1_and_a_2_1() {
        let t = Language::Turkish;
        assert_eq!(t.locking_char(0x04), Some('€'));
        assert_eq!(t.locking_char(0x07), Some('ı'));
        assert_eq!(t.locking_char(0x0B), Some('Ğ'));
        assert_eq!(t.locking_char(0x0C), Some('ğ'));
        assert_eq!(t.locking_char(0x1C), Some('Ş'));
        assert_eq!(t.locking_char(0x1D), Some('ş'));
        assert_eq!(t.locking_char(0x40), Some('İ'));
        assert_eq!(t.locking_char(0x60), Some('ç'));
        assert_eq!(t.single_shift_septet('ç'), Some(0x63));
        assert_eq!(t.single_shift_septet('Ğ'), Some(0x47));
        assert_eq!(t.single_shift_septet('ı'), Some(0x69));
    }

    #[test]
    fn spanish_and_portuguese_entries_of_annex_a_2_and_a_3() {
        assert_eq!(Language::Spanish.single_shift_septet('ç'), Some(0x09));
        assert_eq!(Language::Spanish.single_shift_septet('á'), Some(0x61));
        assert_eq!(Language::Spanish.single_shift_septet('Ú'), Some(0x55));
        let p = Language::Portuguese;
        assert_eq!(p.locking_char(0x04), Some('ê'));
        assert_eq!(p.locking_char(0x15), Some('∞'));
        assert_eq!(p.locking_char(0x7D), Some('`'));
        assert_eq!(p.single_shift_septet('Φ'), Some(0x12));
        assert_eq!(p.single_shift_septet('â'), Some(0x7F));
    }

    #[test]
    fn kannada_locking_0x24_follows_the_corrected_reading() {
        // V9.1.1 prints U+0CAA (already at 0x3D); the letter DDA belongs here.
        assert_eq!(Language::Kannada.locking_char(0x24), Some('\u{0CA1}'));
        assert_eq!(Language::Kannada.locking_char(0x3D), Some('\u{0CAA}'));
        assert_eq!(Language::Kannada.locking_septet('\u{0CAA}'), Some(0x3D));
    }

    #[test]
    fn tamil_single_shift_0x24_follows_the_corrected_reading() {
        assert_eq!(Language::Tamil.single_shift_char(0x24), Some('\u{0BEE}'));
        assert_eq!(Language::Tamil.single_shift_char(0x25), Some('\u{0BEF}'));
    }

    #[test]
    fn telugu_single_shift_0x22_and_0x23_follow_the_corrected_reading() {
        assert_eq!(Language::Telugu.single_shift_char(0x22), Some('\u{0C6C}'));
        assert_eq!(Language::Telugu.single_shift_char(0x23), Some('\u{0C6D}'));
        assert_eq!(Language::Telugu.single_shift_septet('\u{06CC}'), None);
    }

    #[test]
    fn urdu_entries_of_annex_a_3_13_and_a_2_13() {
        let u = Language::Urdu;
        assert_eq!(u.locking_char(0x00), Some('\u{0627}'));
        assert_eq!(u.locking_char(0x7F), Some('\u{0670}'));
        assert_eq!(u.single_shift_septet('\u{061F}'), Some(0x33));
        assert_eq!(u.single_shift_septet('\u{06D4}'), Some(0x3F));
    }

    #[test]
    fn characters_outside_a_table_have_no_septet() {
        assert_eq!(Language::Turkish.locking_septet('Ä'), Some(0x5B));
        assert_eq!(Language::Turkish.locking_septet('è'), None);
        assert_eq!(Language::Hindi.locking_septet('A'), None);
        assert_eq!(Language::Hindi.single_shift_septet('\u{0915}'), None);
    }
}
