//! Analysis and segmentation: which encoding a text needs, how many units,
//! where its parts end, and the concatenation UDH of each part.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use super::gsm7::{self, Alphabet, Code, SEPTET_BITS};
use super::{graphemes, ucs2, Error};

/// 3GPP TS 23.040 §9.2.3.16: TP-User-Data is at most 140 octets.
pub const USER_DATA_OCTETS: usize = 140;
/// 3GPP TS 23.038 §4: SMS Data Coding Scheme, default alphabet / UCS2.
pub const DATA_CODING_GSM7: u8 = 0x00;
pub const DATA_CODING_UCS2: u8 = 0x08;
/// 3GPP TS 23.040 §9.2.3.24.1: UDHL, IEI 0x00, IEDL 3, reference, total, sequence.
pub const IEI_CONCAT_8BIT: u8 = 0x00;
pub const CONCAT_8BIT_UDH_OCTETS: usize = 6;
/// 3GPP TS 23.040 §9.2.3.24.8: UDHL, IEI 0x08, IEDL 4, 16-bit reference, total, sequence.
pub const IEI_CONCAT_16BIT: u8 = 0x08;
pub const CONCAT_16BIT_UDH_OCTETS: usize = 7;
/// 3GPP TS 23.040 §9.2.3.24.1: the part count and sequence number are one octet.
pub const MAX_PARTS: usize = 255;

/// Limits a destination puts on a message (the Python `Profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub max_parts: usize,
    /// Septets in all (extension characters count 2); `None`: `max_parts` full parts.
    pub gsm7_limit: Option<usize>,
    /// UTF-16 units in all; `None`: `max_parts` full parts.
    pub ucs2_limit: Option<usize>,
    /// Septets a concatenated part may hold below what its UDH leaves.
    pub gsm7_part_cap: Option<usize>,
    /// UTF-16 units a concatenated part may hold below what its UDH leaves.
    pub ucs2_part_cap: Option<usize>,
}

impl Profile {
    /// 3GPP: 160/153 septets, 70/67 UCS2 units, at most 255 parts.
    pub fn standard() -> Self {
        Profile {
            name: "standard".to_owned(),
            max_parts: MAX_PARTS,
            gsm7_limit: None,
            ucs2_limit: None,
            gsm7_part_cap: None,
            ucs2_part_cap: None,
        }
    }

    /// LINK guide: Userdata. 1377 septets in all, 153 a part; 567 UCS2
    /// characters in all, 63 a part when concatenated (counted as UTF-16 units).
    pub fn link_mobility() -> Self {
        Profile {
            name: "link_mobility".to_owned(),
            max_parts: MAX_PARTS,
            gsm7_limit: Some(1377),
            ucs2_limit: Some(567),
            gsm7_part_cap: Some(153),
            ucs2_part_cap: Some(63),
        }
    }
}

/// How to lay a text out beyond its profile.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The 16-bit concatenation reference (IEI 0x08) instead of the 8-bit one.
    pub udh16: bool,
    /// Keep grapheme clusters whole in one part.
    pub graphemes: bool,
    /// The GSM 7 bit tables: the default alphabet, or a national language pair.
    pub alphabet: &'a Alphabet,
    /// UDH octets of further information elements (national language shifts),
    /// UDHL excluded, in every part.
    pub extra_udh_octets: usize,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            udh16: false,
            graphemes: false,
            alphabet: Alphabet::default_alphabet(),
            extra_udh_octets: 0,
        }
    }
}

/// Units one part holds after a UDH of `udh_octets` (UDHL included; 0: no UDH).
pub fn part_capacity(ucs2: bool, udh_octets: usize) -> usize {
    if ucs2 {
        return (USER_DATA_OCTETS - udh_octets) / 2;
    }
    // 3GPP TS 23.040 §9.2.3.24: septets start on a septet boundary after the UDH.
    (USER_DATA_OCTETS * 8) / SEPTET_BITS - (udh_octets * 8).div_ceil(SEPTET_BITS)
}

/// Fill bits between a UDH of `udh_octets` and the first septet.
pub fn fill_bits(udh_octets: usize) -> usize {
    (SEPTET_BITS - (udh_octets * 8) % SEPTET_BITS) % SEPTET_BITS
}

/// A text encoded once: septets one per octet, or UTF-16 units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoded {
    Gsm7(Vec<u8>),
    Ucs2(Vec<u16>),
}

impl Encoded {
    /// Septets (an extension character counts 2) or UTF-16 units.
    pub fn units(&self) -> usize {
        match self {
            Encoded::Gsm7(septets) => septets.len(),
            Encoded::Ucs2(units) => units.len(),
        }
    }

    pub fn is_ucs2(&self) -> bool {
        matches!(self, Encoded::Ucs2(_))
    }

    /// Whether the unit at `at` opens a pair that must not be split: ESC and
    /// its extension septet, or a high and a low surrogate. ESC is only ever
    /// the first septet of a pair here: U+001B is not encodable and no table
    /// maps a character to 0x1B.
    fn pair_starts_at(&self, at: usize) -> bool {
        match self {
            Encoded::Gsm7(septets) => septets[at] == gsm7::ESCAPE,
            Encoded::Ucs2(units) => (0xD800..=0xDBFF).contains(&units[at]),
        }
    }
}

/// Encode `text` as GSM7 if every character is in `alphabet`, else as UCS2;
/// with `report`, list every character that is not.
fn encode(text: &str, alphabet: &Alphabet, report: bool) -> (Encoded, Vec<(usize, char)>) {
    // An extension character takes two septets for one ASCII octet.
    let mut septets = Vec::with_capacity(2 * text.len());
    if text.is_ascii() {
        // Most GSM text: no UTF-8 to decode.
        for (index, &octet) in text.as_bytes().iter().enumerate() {
            match alphabet.code(char::from(octet)) {
                Some(code) => code.push_to(&mut septets),
                None => return as_ucs2(text, index, alphabet, report),
            }
        }
    } else {
        for (index, c) in text.chars().enumerate() {
            match alphabet.code(c) {
                Some(code) => code.push_to(&mut septets),
                None => return as_ucs2(text, index, alphabet, report),
            }
        }
    }
    (Encoded::Gsm7(septets), Vec::new())
}

/// UCS2 for a text whose character at `first` is not in `alphabet`.
fn as_ucs2(
    text: &str,
    first: usize,
    alphabet: &Alphabet,
    report: bool,
) -> (Encoded, Vec<(usize, char)>) {
    let non_gsm = if report {
        text.chars()
            .enumerate()
            .skip(first)
            .filter(|&(_, c)| alphabet.code(c).is_none())
            .collect()
    } else {
        Vec::new()
    };
    let mut units = Vec::with_capacity(text.len());
    units.extend(text.encode_utf16());
    (Encoded::Ucs2(units), non_gsm)
}

/// How one text splits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub encoded: Encoded,
    /// `(index, character)` of each character that forced UCS2 (when asked for).
    pub non_gsm: Vec<(usize, char)>,
    pub per_segment: usize,
    /// Offsets into `encoded`: part `k` is `cuts[k]..cuts[k + 1]`.
    pub cuts: Vec<usize>,
}

impl Plan {
    /// Encode and split `text`; `report_non_gsm` fills [`Plan::non_gsm`].
    pub fn new(
        text: &str,
        profile: &Profile,
        options: &Options<'_>,
        report_non_gsm: bool,
    ) -> Result<Plan, Error> {
        let (encoded, non_gsm) = encode(text, options.alphabet, report_non_gsm);
        let ucs2 = encoded.is_ucs2();
        let units = encoded.units();
        let concat = if options.udh16 {
            CONCAT_16BIT_UDH_OCTETS
        } else {
            CONCAT_8BIT_UDH_OCTETS
        };
        let extra = options.extra_udh_octets;
        let single = part_capacity(ucs2, if extra > 0 { extra + 1 } else { 0 });
        let mut multi = part_capacity(ucs2, concat + extra);
        let (cap, limit) = if ucs2 {
            (profile.ucs2_part_cap, profile.ucs2_limit)
        } else {
            (profile.gsm7_part_cap, profile.gsm7_limit)
        };
        if let Some(cap) = cap {
            multi = multi.min(cap);
        }
        let limit = limit.unwrap_or(profile.max_parts * multi);
        let unit_name = if ucs2 { "UCS2 units" } else { "septets" };
        if units > limit {
            return Err(Error::TooLong {
                message: format!(
                    "text needs {units} {unit_name}; profile '{}' allows at most {limit}",
                    profile.name
                ),
                limit,
                units,
                profile: profile.name.clone(),
            });
        }
        if units <= single {
            return Ok(Plan {
                encoded,
                non_gsm,
                per_segment: single,
                cuts: vec![0, units],
            });
        }
        let cuts = if options.graphemes {
            cut_clusters(text, &encoded, options.alphabet, multi)
        } else {
            cut(&encoded, multi)
        };
        let parts = cuts.len() - 1;
        if parts > profile.max_parts {
            return Err(Error::TooLong {
                message: format!(
                    "text needs {parts} parts of at most {multi} {unit_name}; profile '{}' \
                     allows at most {} parts",
                    profile.name, profile.max_parts
                ),
                limit,
                units,
                profile: profile.name.clone(),
            });
        }
        Ok(Plan {
            encoded,
            non_gsm,
            per_segment: multi,
            cuts,
        })
    }

    pub fn parts(&self) -> usize {
        self.cuts.len() - 1
    }
}

/// Cut points: a part ends before the first unit that would overflow it,
/// moved back by one when that would split a pair.
fn cut(encoded: &Encoded, capacity: usize) -> Vec<usize> {
    let units = encoded.units();
    let mut cuts = vec![0];
    let mut start = 0;
    while units - start > capacity {
        let mut end = start + capacity;
        if encoded.pair_starts_at(end - 1) {
            end -= 1;
        }
        cuts.push(end);
        start = end;
    }
    cuts.push(units);
    cuts
}

/// Cut points that keep grapheme clusters whole, except that a cluster
/// longer than a whole part is cut between characters.
fn cut_clusters(text: &str, encoded: &Encoded, alphabet: &Alphabet, capacity: usize) -> Vec<usize> {
    let ucs2 = encoded.is_ucs2();
    let starts = graphemes::cluster_starts(text);
    let mut next_start = starts.iter().peekable();
    // The unit offset of every character, and whether it opens a cluster.
    let mut bounds: Vec<(usize, bool)> = Vec::with_capacity(text.len() + 1);
    let mut unit = 0;
    for (byte, c) in text.char_indices() {
        let opens = next_start.next_if(|&&s| s == byte).is_some();
        bounds.push((unit, opens));
        unit += if ucs2 {
            c.len_utf16()
        } else {
            alphabet.code(c).map_or(1, Code::septets)
        };
    }
    bounds.push((unit, true));
    let mut cuts = vec![0];
    let mut part_start = 0;
    let mut i = 0;
    while i + 1 < bounds.len() {
        let mut j = i + 1;
        while !bounds[j].1 {
            j += 1;
        }
        let (first, end) = (bounds[i].0, bounds[j].0);
        if end - first > capacity {
            for k in i..j {
                if bounds[k + 1].0 - part_start > capacity {
                    part_start = bounds[k].0;
                    cuts.push(part_start);
                }
            }
        } else if end - part_start > capacity {
            part_start = first;
            cuts.push(part_start);
        }
        i = j;
    }
    cuts.push(unit);
    cuts
}

/// How a text travels as SMS (the Python `Analysis`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Analysis {
    pub encoding: &'static str,
    pub data_coding: u8,
    pub units: usize,
    pub segments: usize,
    pub per_segment: usize,
    /// Grapheme clusters: what a reader counts as characters.
    pub characters: usize,
    /// `(index, character)` of each character that forced UCS2.
    pub non_gsm: Vec<(usize, char)>,
}

/// One part of a message as it goes on the wire (the Python `Segment`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segment {
    pub udh: Vec<u8>,
    pub payload: Vec<u8>,
    pub data_coding: u8,
    pub index: usize,
    pub total: usize,
}

fn data_coding(ucs2: bool) -> u8 {
    if ucs2 {
        DATA_CODING_UCS2
    } else {
        DATA_CODING_GSM7
    }
}

pub fn analyze(text: &str, profile: &Profile, options: &Options<'_>) -> Result<Analysis, Error> {
    let plan = Plan::new(text, profile, options, true)?;
    let ucs2 = plan.encoded.is_ucs2();
    Ok(Analysis {
        encoding: if ucs2 { "ucs2" } else { "gsm7" },
        data_coding: data_coding(ucs2),
        units: plan.encoded.units(),
        segments: plan.parts(),
        per_segment: plan.per_segment,
        characters: graphemes::count(text),
        non_gsm: plan.non_gsm,
    })
}

/// Handsets reassemble parts by (originator, reference): the per-process
/// counter starts anywhere so a restarted sender does not reuse the last
/// run's references.
fn next_reference() -> u32 {
    static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
    COUNTER
        .get_or_init(|| AtomicU32::new(RandomState::new().hash_one(0u8) as u32))
        .fetch_add(1, Ordering::Relaxed)
}

/// Check a caller's concatenation reference against the width of its IE.
pub fn check_reference(reference: Option<i64>, udh16: bool) -> Result<Option<u16>, Error> {
    let Some(reference) = reference else {
        return Ok(None);
    };
    let max: i64 = if udh16 { 0xFFFF } else { 0xFF };
    if (0..=max).contains(&reference) {
        Ok(Some(reference as u16))
    } else {
        Err(Error::configuration(format!(
            "reference must be 0..{max} for the {}-bit concatenation reference, got {reference}",
            if udh16 { 16 } else { 8 }
        )))
    }
}

/// The parts of `text` with their UDH and payload. `reference` must have
/// passed [`check_reference`]; `None` draws one from the per-process counter.
pub fn segment(
    text: &str,
    profile: &Profile,
    options: &Options<'_>,
    reference: Option<u16>,
    packed: bool,
) -> Result<Vec<Segment>, Error> {
    let plan = Plan::new(text, profile, options, false)?;
    let coding = data_coding(plan.encoded.is_ucs2());
    let total = plan.parts();
    let payload = |from: usize, to: usize, fill: usize| -> Vec<u8> {
        match &plan.encoded {
            Encoded::Ucs2(units) => ucs2::to_be_bytes(&units[from..to]),
            Encoded::Gsm7(septets) if packed => gsm7::pack(septets[from..to].iter().copied(), fill),
            Encoded::Gsm7(septets) => septets[from..to].to_vec(),
        }
    };
    if total == 1 {
        return Ok(vec![Segment {
            udh: Vec::new(),
            payload: payload(0, plan.encoded.units(), 0),
            data_coding: coding,
            index: 1,
            total: 1,
        }]);
    }
    let reference = reference.map_or_else(next_reference, u32::from);
    let (head, fill) = if options.udh16 {
        let r = (reference & 0xFFFF) as u16;
        let [hi, lo] = r.to_be_bytes();
        let udhl = (CONCAT_16BIT_UDH_OCTETS - 1) as u8;
        (
            vec![udhl, IEI_CONCAT_16BIT, 4, hi, lo],
            fill_bits(CONCAT_16BIT_UDH_OCTETS),
        )
    } else {
        let udhl = (CONCAT_8BIT_UDH_OCTETS - 1) as u8;
        (
            vec![udhl, IEI_CONCAT_8BIT, 3, reference as u8],
            fill_bits(CONCAT_8BIT_UDH_OCTETS),
        )
    };
    Ok(plan
        .cuts
        .windows(2)
        .enumerate()
        .map(|(k, bounds)| {
            let mut udh = Vec::with_capacity(head.len() + 2);
            udh.extend_from_slice(&head);
            udh.extend_from_slice(&[total as u8, (k + 1) as u8]);
            Segment {
                udh,
                payload: payload(bounds[0], bounds[1], fill),
                data_coding: coding,
                index: k + 1,
                total,
            }
        })
        .collect())
}

/// A batch is split over threads only when each gets at least this many
/// texts: a thread costs tens of microseconds, a text a few.
const TEXTS_PER_THREAD: usize = 1024;

/// `work` on every text of a batch, in order, spread over the machine's
/// cores for a large batch. The error of the first failing text (by position)
/// is returned, its message naming that position.
fn each_text<S, T, F>(texts: &[S], work: F) -> Result<Vec<T>, Error>
where
    S: AsRef<str> + Sync,
    T: Send,
    F: Fn(&str) -> Result<T, Error> + Sync,
{
    let run = |first: usize, chunk: &[S]| -> Result<Vec<T>, Error> {
        (first..)
            .zip(chunk)
            .map(|(n, text)| work(text.as_ref()).map_err(|e| e.in_batch(n)))
            .collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(texts.len() / TEXTS_PER_THREAD);
    if threads <= 1 {
        return run(0, texts);
    }
    let size = texts.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let run = &run;
        let handles: Vec<_> = texts
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || run(k * size, chunk)))
            .collect();
        let mut out = Vec::with_capacity(texts.len());
        for handle in handles {
            match handle.join() {
                Ok(done) => out.extend(done?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(out)
    })
}

/// [`analyze`] of each text; an error names the text's position.
pub fn analyze_many<S: AsRef<str> + Sync>(
    texts: &[S],
    profile: &Profile,
    options: &Options<'_>,
) -> Result<Vec<Analysis>, Error> {
    each_text(texts, |text| analyze(text, profile, options))
}

/// [`segment`] of each text, each multi-part one with its own reference
/// (drawn in no particular order when the batch is spread over threads).
pub fn segment_many<S: AsRef<str> + Sync>(
    texts: &[S],
    profile: &Profile,
    options: &Options<'_>,
    packed: bool,
) -> Result<Vec<Vec<Segment>>, Error> {
    each_text(texts, |text| segment(text, profile, options, None, packed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard(text: &str) -> Analysis {
        analyze(text, &Profile::standard(), &Options::default()).unwrap()
    }

    #[test]
    fn capacities_follow_from_the_udh() {
        assert_eq!(part_capacity(false, 0), 160);
        assert_eq!(part_capacity(false, 6), 153);
        assert_eq!(part_capacity(false, 7), 152);
        assert_eq!(part_capacity(true, 0), 70);
        assert_eq!(part_capacity(true, 6), 67);
        assert_eq!(part_capacity(true, 7), 66);
        assert_eq!((fill_bits(6), fill_bits(7)), (1, 0));
    }

    #[test]
    fn gsm7_and_ucs2_limits() {
        assert_eq!(standard(&"a".repeat(160)).segments, 1);
        assert_eq!(standard(&"a".repeat(161)).segments, 2);
        assert_eq!(standard(&"я".repeat(70)).segments, 1);
        assert_eq!(standard(&"я".repeat(71)).segments, 2);
        let a = standard("ç€");
        assert_eq!(
            (a.encoding, a.units, a.non_gsm),
            ("ucs2", 2, vec![(0, 'ç')])
        );
    }

    #[test]
    fn an_escape_pair_is_never_split() {
        let text = format!("{}€{}", "a".repeat(152), "b".repeat(10));
        let parts = segment(
            &text,
            &Profile::standard(),
            &Options::default(),
            Some(1),
            false,
        )
        .unwrap();
        assert_eq!(parts[0].payload.len(), 152);
        assert_eq!(&parts[1].payload[..2], &[0x1B, 0x65]);
        assert_eq!(parts[0].udh, [5, 0, 3, 1, 2, 1]);
    }

    #[test]
    fn a_surrogate_pair_is_never_split() {
        let text = format!("{}😀яяя", "я".repeat(66));
        let parts = segment(
            &text,
            &Profile::standard(),
            &Options::default(),
            Some(1),
            false,
        )
        .unwrap();
        assert_eq!(parts[0].payload.len(), 132);
        assert_eq!(parts[1].payload.len(), 10);
    }

    #[test]
    fn link_mobility_limits() {
        let link = Profile::link_mobility();
        let options = Options::default();
        assert_eq!(
            analyze(&"я".repeat(71), &link, &options)
                .unwrap()
                .per_segment,
            63
        );
        let err = analyze(&"a".repeat(1378), &link, &options).unwrap_err();
        assert!(matches!(
            err,
            Error::TooLong {
                limit: 1377,
                units: 1378,
                ..
            }
        ));
    }

    #[test]
    fn a_large_batch_keeps_its_order_and_names_the_first_failure() {
        let texts: Vec<String> = (0..5000).map(|n| "a".repeat(n % 400)).collect();
        let standard = Profile::standard();
        let options = Options::default();
        let all = analyze_many(&texts, &standard, &options).unwrap();
        assert!(all.iter().zip(&texts).all(|(a, t)| a.units == t.len()));
        let link = Profile {
            gsm7_limit: Some(300),
            ..Profile::link_mobility()
        };
        let err = segment_many(&texts, &link, &options, false).unwrap_err();
        assert!(err.message().starts_with("texts[301]: "), "{err}");
    }

    #[test]
    fn references_are_checked_and_drawn() {
        assert!(check_reference(Some(256), false).is_err());
        assert_eq!(check_reference(Some(256), true).unwrap(), Some(256));
        let options = Options {
            udh16: true,
            ..Options::default()
        };
        let parts = segment(
            &"a".repeat(200),
            &Profile::standard(),
            &options,
            Some(0xABCD),
            true,
        )
        .unwrap();
        assert_eq!(parts[1].udh, [6, 8, 4, 0xAB, 0xCD, 2, 2]);
    }
}
