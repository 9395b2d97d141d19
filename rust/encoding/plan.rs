//! Analysis and segmentation: which encoding a text needs, how many units,
//! where its parts end, and the concatenation UDH of each part.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use super::gsm7::{self, Alphabet, Code, SEPTET_BITS};
use super::national::{self, Language};
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
    /// The languages whose national shift tables the destination reads
    /// (3GPP TS 23.038 Annex A): used where they save a part.
    pub national: &'a [Language],
    /// Replace look-alikes that would force UCS2 (the smart-encoding table).
    pub smart: bool,
    /// List the characters that force UCS2 in [`Plan::non_gsm`]; without it,
    /// laying a UCS2 text out stops looking at its characters at the first.
    pub report_non_gsm: bool,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            udh16: false,
            graphemes: false,
            alphabet: Alphabet::default_alphabet(),
            extra_udh_octets: 0,
            national: &[],
            smart: false,
            report_non_gsm: true,
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

/// Units a part holds alone, a concatenated part holds, and a message may
/// need in all.
struct Capacity {
    single: usize,
    multi: usize,
    limit: usize,
}

impl Capacity {
    fn of(ucs2: bool, profile: &Profile, options: &Options<'_>) -> Capacity {
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
        Capacity {
            single,
            multi,
            limit,
        }
    }

    /// The parts a text of `units` takes and the units a part holds, or the
    /// error of a text over `profile`'s limits. `count` counts the parts of
    /// at most the units it is given, for a text that needs several.
    fn parts(
        &self,
        ucs2: bool,
        units: usize,
        profile: &Profile,
        count: impl FnOnce(usize) -> usize,
    ) -> Result<(usize, usize), Error> {
        if units > self.limit {
            return Err(too_long(ucs2, units, self.limit, profile));
        }
        if units <= self.single {
            return Ok((1, self.single));
        }
        let parts = count(self.multi);
        if parts > profile.max_parts {
            return Err(too_many_parts(
                ucs2, units, parts, self.multi, self.limit, profile,
            ));
        }
        Ok((parts, self.multi))
    }
}

fn unit_name(ucs2: bool) -> &'static str {
    if ucs2 {
        "UCS2 units"
    } else {
        "septets"
    }
}

fn too_long(ucs2: bool, units: usize, limit: usize, profile: &Profile) -> Error {
    Error::TooLong {
        message: format!(
            "text needs {units} {}; profile '{}' allows at most {limit}",
            unit_name(ucs2),
            profile.name
        ),
        limit,
        units,
        profile: profile.name.clone(),
    }
}

fn too_many_parts(
    ucs2: bool,
    units: usize,
    parts: usize,
    multi: usize,
    limit: usize,
    profile: &Profile,
) -> Error {
    Error::TooLong {
        message: format!(
            "text needs {parts} parts of at most {multi} {}; profile '{}' allows at most {} parts",
            unit_name(ucs2),
            profile.name,
            profile.max_parts
        ),
        limit,
        units,
        profile: profile.name.clone(),
    }
}

/// A text encoded for the wire, not yet cut into parts: septets one per
/// octet, or UTF-16BE.
struct Stream<'a> {
    ucs2: bool,
    octets: &'a [u8],
}

impl<'a> Stream<'a> {
    /// `text` in `alphabet` if every character of it is there, else in UCS2,
    /// written over `buffer`. One pass for GSM text; a UCS2 text is mostly
    /// known by its first character that is not ASCII, and then encoded afresh.
    fn encode(text: &str, alphabet: &Alphabet, buffer: &'a mut Vec<u8>) -> Stream<'a> {
        buffer.clear();
        if alphabet.try_septets(text, buffer) {
            return Stream {
                ucs2: false,
                octets: buffer,
            };
        }
        buffer.clear();
        ucs2::push_ucs2(text, buffer);
        Stream {
            ucs2: true,
            octets: buffer,
        }
    }

    fn width(&self) -> usize {
        if self.ucs2 {
            2
        } else {
            1
        }
    }

    fn units(&self) -> usize {
        self.octets.len() / self.width()
    }

    /// The cuts of the stream under `profile` (as [`Plan::lay_out`] cuts
    /// the text), with the units a part holds; or the error of a text over
    /// the profile's limits.
    fn cut(&self, profile: &Profile, options: &Options<'_>) -> Result<(Vec<usize>, usize), Error> {
        let mut cuts = None;
        let capacity = Capacity::of(self.ucs2, profile, options);
        let (_, per_segment) = capacity.parts(self.ucs2, self.units(), profile, |multi| {
            let several = stream_cuts(self.octets, self.width(), multi);
            let parts = several.len() - 1;
            cuts = Some(several);
            parts
        })?;
        let cuts = cuts.unwrap_or_else(|| vec![0, self.octets.len()]);
        Ok((cuts, per_segment))
    }
}

/// Whether a text goes out as its encoding in `options.alphabet`, cut
/// greedily: no national tables to choose, no look-alikes to replace, no
/// clusters to keep whole. The common case needs no plan of the text.
fn direct(options: &Options<'_>) -> bool {
    options.national.is_empty() && !options.smart && !options.graphemes
}

/// How one text splits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub ucs2: bool,
    pub units: usize,
    pub non_gsm: Vec<(usize, char)>,
    pub per_segment: usize,
    /// Byte offsets into the text: part `k` is `cuts[k]..cuts[k + 1]`.
    pub cuts: Vec<usize>,
}

impl Plan {
    pub fn new(text: &str, profile: &Profile, options: &Options<'_>) -> Result<Plan, Error> {
        match Self::lay_out(text, profile, options) {
            (_, Some(over)) => Err(over),
            (plan, None) => Ok(plan),
        }
    }

    /// The plan of `text` whatever its profile's limits, with the error a
    /// text over them raises.
    pub fn lay_out(text: &str, profile: &Profile, options: &Options<'_>) -> (Plan, Option<Error>) {
        let alphabet = options.alphabet;
        let bytes = text.as_bytes();
        // UTF-16 units straight from the UTF-8 lead octets: a four-octet
        // sequence is an astral character, a surrogate pair.
        let utf16 = bytes
            .iter()
            .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
            .sum::<usize>();
        let mut septets = 0usize;
        let mut non_gsm = Vec::new();
        let mut ucs2 = false;
        let ascii = if text.is_ascii() {
            alphabet.ascii_septets(bytes)
        } else {
            None
        };
        if let Some(ascii) = ascii {
            septets = ascii;
        } else {
            for (index, c) in text.chars().enumerate() {
                match alphabet.code(c) {
                    Some(code) => septets += code.septets(),
                    None if options.report_non_gsm => {
                        ucs2 = true;
                        non_gsm.push((index, c));
                    }
                    None => {
                        ucs2 = true;
                        break;
                    }
                }
            }
        }
        let units = if ucs2 { utf16 } else { septets };
        let Capacity {
            single,
            multi,
            limit,
        } = Capacity::of(ucs2, profile, options);
        let mut over = (units > limit).then(|| too_long(ucs2, units, limit, profile));
        if units <= single {
            let plan = Plan {
                ucs2,
                units,
                non_gsm,
                per_segment: single,
                cuts: vec![0, text.len()],
            };
            return (plan, over);
        }
        let cuts = cut(text, ucs2, alphabet, multi, options.graphemes);
        let parts = cuts.len() - 1;
        if over.is_none() && parts > profile.max_parts {
            over = Some(too_many_parts(ucs2, units, parts, multi, limit, profile));
        }
        let plan = Plan {
            ucs2,
            units,
            non_gsm,
            per_segment: multi,
            cuts,
        };
        (plan, over)
    }

    pub fn parts(&self) -> usize {
        self.cuts.len() - 1
    }
}

/// Greedy cut points: a part ends before the first character that would
/// overflow it, so an escape pair or a surrogate pair never straddles two
/// parts; with `graphemes`, before the first cluster, except that a cluster
/// longer than a whole part is cut between characters.
fn cut(
    text: &str,
    ucs2: bool,
    alphabet: &Alphabet,
    capacity: usize,
    graphemes: bool,
) -> Vec<usize> {
    let cost = |c: char| {
        if ucs2 {
            c.len_utf16()
        } else {
            alphabet.code(c).map_or(1, Code::septets)
        }
    };
    let mut cuts = vec![0];
    let mut used = 0;
    let mut place = |offset: usize, size: usize, cuts: &mut Vec<usize>| {
        if used + size > capacity {
            cuts.push(offset);
            used = 0;
        }
        used += size;
    };
    if graphemes {
        let starts = graphemes::cluster_starts(text);
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(text.len());
            let cluster = &text[start..end];
            let size: usize = cluster.chars().map(cost).sum();
            if size > capacity {
                for (offset, c) in cluster.char_indices() {
                    place(start + offset, cost(c), &mut cuts);
                }
            } else {
                place(start, size, &mut cuts);
            }
        }
    } else if ucs2 {
        // UTF-16 units straight from the UTF-8 lead octets, with no decoding:
        // a four-octet sequence is an astral character, a surrogate pair.
        for (offset, &octet) in text.as_bytes().iter().enumerate() {
            if octet & 0xC0 != 0x80 {
                place(offset, if octet >= 0xF0 { 2 } else { 1 }, &mut cuts);
            }
        }
    } else {
        // GSM text is mostly ASCII: decode only the other characters.
        for (offset, &octet) in text.as_bytes().iter().enumerate() {
            if octet < 0x80 {
                place(offset, cost(char::from(octet)), &mut cuts);
            } else if octet & 0xC0 != 0x80 {
                if let Some(c) = text[offset..].chars().next() {
                    place(offset, cost(c), &mut cuts);
                }
            }
        }
    }
    cuts.push(text.len());
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
    /// The national language locking shift table chosen (ISO 639-1), if any.
    pub locking_shift: Option<&'static str>,
    /// The national language single shift table chosen (ISO 639-1), if any.
    pub single_shift: Option<&'static str>,
    /// Parts fewer than plain GSM7/UCS2 needs.
    pub parts_saved: isize,
    /// `(index, character, replacement)` of each look-alike smart encoding replaced.
    pub replacements: Vec<(usize, char, &'static str)>,
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
    if direct(options) {
        let alphabet = options.alphabet;
        // Counted, not encoded. `pairs`: whether a part could end one unit
        // early rather than split an escape or a surrogate pair.
        let (ucs2, units, pairs, non_gsm) = match alphabet.septets_needed(text) {
            Some((septets, escapes)) => (false, septets, escapes, Vec::new()),
            None => {
                // A UCS2 text's characters are mostly outside the alphabet:
                // room for all of them costs less than growing the list.
                let mut non_gsm = Vec::new();
                if options.report_non_gsm {
                    non_gsm.reserve_exact(text.chars().count());
                }
                let (mut units, mut astral) = (0, false);
                for (index, c) in text.chars().enumerate() {
                    let width = c.len_utf16();
                    units += width;
                    astral |= width == 2;
                    if options.report_non_gsm && alphabet.code(c).is_none() {
                        non_gsm.push((index, c));
                    }
                }
                (true, units, astral, non_gsm)
            }
        };
        let capacity = Capacity::of(ucs2, profile, options);
        let (segments, per_segment) = capacity.parts(ucs2, units, profile, |multi| {
            if !pairs {
                return units.div_ceil(multi);
            }
            let mut buffer = Vec::new();
            let stream = Stream::encode(text, alphabet, &mut buffer);
            stream_cuts(stream.octets, stream.width(), multi).len() - 1
        })?;
        return Ok(Analysis {
            encoding: if ucs2 { "ucs2" } else { "gsm7" },
            data_coding: data_coding(ucs2),
            units,
            segments,
            per_segment,
            characters: graphemes::count(text),
            non_gsm,
            locking_shift: None,
            single_shift: None,
            parts_saved: 0,
            replacements: Vec::new(),
        });
    }
    let choice = national::choose(text, profile, options)?;
    let plan = choice.plan;
    Ok(Analysis {
        encoding: if plan.ucs2 { "ucs2" } else { "gsm7" },
        data_coding: data_coding(plan.ucs2),
        units: plan.units,
        segments: plan.parts(),
        per_segment: plan.per_segment,
        characters: graphemes::count(&choice.text),
        non_gsm: plan.non_gsm,
        locking_shift: Language::from_identifier(choice.locking).map(Language::code),
        single_shift: Language::from_identifier(choice.single).map(Language::code),
        parts_saved: choice.parts_saved,
        replacements: choice.replacements,
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
    let mut parts = Parts::default();
    parts.push(text, profile, options, reference, packed)?;
    Ok(parts.segments(0))
}

/// The parts of messages as they go on the wire, in a few buffers shared by
/// all of them rather than two for each part: a batch of messages is laid
/// down one after another, in the order of its texts.
#[derive(Debug, Default)]
pub struct Parts {
    udhs: Vec<u8>,
    payloads: Vec<u8>,
    /// Where each part's UDH and payload end in `udhs` and `payloads`.
    ends: Vec<(usize, usize)>,
    /// Each message's data coding, and where its parts end in `ends`.
    messages: Vec<(u8, usize)>,
    /// The text being cut, encoded: written over by the next.
    stream: Vec<u8>,
}

impl Parts {
    /// How many messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Forgets every message, keeping the buffers for the next.
    pub fn clear(&mut self) {
        self.udhs.clear();
        self.payloads.clear();
        self.ends.clear();
        self.messages.clear();
    }

    /// Message `m`'s data coding and its parts' `(udh, payload)`, in order.
    pub fn message(&self, m: usize) -> (u8, impl ExactSizeIterator<Item = (&[u8], &[u8])> + '_) {
        let (data_coding, last) = self.messages[m];
        let first = m.checked_sub(1).map_or(0, |before| self.messages[before].1);
        let parts = (first..last).map(move |k| {
            let (udh_start, payload_start) = k.checked_sub(1).map_or((0, 0), |p| self.ends[p]);
            let (udh_end, payload_end) = self.ends[k];
            (
                &self.udhs[udh_start..udh_end],
                &self.payloads[payload_start..payload_end],
            )
        });
        (data_coding, parts)
    }

    /// Message `m` as [`Segment`]s.
    pub fn segments(&self, m: usize) -> Vec<Segment> {
        let (data_coding, parts) = self.message(m);
        let total = parts.len();
        parts
            .enumerate()
            .map(|(k, (udh, payload))| Segment {
                udh: udh.to_vec(),
                payload: payload.to_vec(),
                data_coding,
                index: k + 1,
                total,
            })
            .collect()
    }

    /// Lays down the parts of `text` after those already here. `reference`
    /// must have passed [`check_reference`]; `None` draws one from the
    /// per-process counter.
    pub fn push(
        &mut self,
        text: &str,
        profile: &Profile,
        options: &Options<'_>,
        reference: Option<u16>,
        packed: bool,
    ) -> Result<(), Error> {
        let mut buffer = std::mem::take(&mut self.stream);
        let done = self.push_with(text, profile, options, reference, packed, &mut buffer);
        self.stream = buffer;
        done
    }

    fn push_with(
        &mut self,
        text: &str,
        profile: &Profile,
        options: &Options<'_>,
        reference: Option<u16>,
        packed: bool,
        buffer: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if direct(options) {
            let stream = Stream::encode(text, options.alphabet, buffer);
            let (cuts, _) = stream.cut(profile, options)?;
            self.assemble(&stream, &cuts, &[], options.udh16, reference, packed);
            return Ok(());
        }
        let options = &Options {
            report_non_gsm: false,
            ..*options
        };
        let choice = national::choose(text, profile, options)?;
        let (plan, text) = (&choice.plan, &*choice.text);
        let alphabet = national::alphabet(choice.locking, choice.single);
        let ies = national::shift_ies(choice.locking, choice.single);
        // The text is encoded once; its parts are slices of the encoding.
        *buffer = if plan.ucs2 {
            ucs2::encode_ucs2(text)
        } else {
            alphabet.septets(text, plan.units)
        };
        let stream = Stream {
            ucs2: plan.ucs2,
            octets: buffer,
        };
        let cuts = if plan.parts() == 1 {
            vec![0, stream.octets.len()]
        } else if options.graphemes {
            // Cut where the plan cut the text: at cluster boundaries.
            let mut offset = 0;
            let mut cuts = vec![0];
            for bounds in plan.cuts.windows(2) {
                let part = &text[bounds[0]..bounds[1]];
                offset += if plan.ucs2 {
                    part.encode_utf16().count() * 2
                } else {
                    part.chars()
                        .map(|c| alphabet.code(c).map_or(0, Code::septets))
                        .sum()
                };
                cuts.push(offset);
            }
            cuts
        } else {
            stream_cuts(stream.octets, stream.width(), plan.per_segment)
        };
        debug_assert_eq!(cuts.len(), plan.cuts.len());
        self.assemble(&stream, &cuts, &ies, options.udh16, reference, packed);
        Ok(())
    }

    /// Lays down the parts of an encoded stream cut at `cuts` (octet
    /// offsets), each with its UDH: the concatenation IE when there are
    /// several parts, then `ies`.
    fn assemble(
        &mut self,
        stream: &Stream<'_>,
        cuts: &[usize],
        ies: &[u8],
        udh16: bool,
        reference: Option<u16>,
        packed: bool,
    ) {
        let total = cuts.len() - 1;
        // 3GPP TS 23.038 §9.2.3.24: the UDH length octet, then the elements;
        // no UDH at all for a part alone without IEs.
        let (head, octets) = if total == 1 {
            (vec![ies.len() as u8], 1)
        } else {
            let reference = reference.map_or_else(next_reference, u32::from);
            if udh16 {
                let [hi, lo] = ((reference & 0xFFFF) as u16).to_be_bytes();
                let udhl = (CONCAT_16BIT_UDH_OCTETS - 1 + ies.len()) as u8;
                (
                    vec![udhl, IEI_CONCAT_16BIT, 4, hi, lo],
                    CONCAT_16BIT_UDH_OCTETS,
                )
            } else {
                let udhl = (CONCAT_8BIT_UDH_OCTETS - 1 + ies.len()) as u8;
                (
                    vec![udhl, IEI_CONCAT_8BIT, 3, reference as u8],
                    CONCAT_8BIT_UDH_OCTETS,
                )
            }
        };
        let udh = total > 1 || !ies.is_empty();
        let fill = if udh {
            fill_bits(octets + ies.len())
        } else {
            0
        };
        for (k, part) in cuts.windows(2).enumerate() {
            if udh {
                self.udhs.extend_from_slice(&head);
                if total > 1 {
                    self.udhs.extend_from_slice(&[total as u8, (k + 1) as u8]);
                }
                self.udhs.extend_from_slice(ies);
            }
            let septets = &stream.octets[part[0]..part[1]];
            if packed && !stream.ucs2 {
                gsm7::pack_into(septets, fill, &mut self.payloads);
            } else {
                self.payloads.extend_from_slice(septets);
            }
            self.ends.push((self.udhs.len(), self.payloads.len()));
        }
        self.messages
            .push((data_coding(stream.ucs2), self.ends.len()));
    }
}

/// Greedy cuts (octet offsets) of an encoded stream of `width`-octet units
/// into parts of at most `capacity` units, the same as the plan's cuts of the
/// text: a part ends one unit early rather than split a pair. A pair opens
/// with ESC (no table maps a character to ESC alone, nor to ESC ESC) or with
/// a high surrogate (3GPP TS 23.038 §6.2.1.1; RFC 2781 §2.1).
fn stream_cuts(stream: &[u8], width: usize, capacity: usize) -> Vec<usize> {
    let units = stream.len() / width;
    let opens_pair = |at: usize| {
        if width == 2 {
            (0xD8..=0xDB).contains(&stream[2 * at])
        } else {
            stream[at] == gsm7::ESCAPE
        }
    };
    let mut cuts = Vec::with_capacity(units / capacity + 2);
    cuts.push(0);
    let mut start = 0;
    while start < units {
        let mut end = (start + capacity).min(units);
        if end < units && opens_pair(end - 1) {
            end -= 1;
        }
        cuts.push(end * width);
        start = end;
    }
    cuts
}

/// A batch is split over threads only when each gets at least this many
/// texts: a thread costs tens of microseconds, a text a few.
const TEXTS_PER_THREAD: usize = 1024;

/// `work` on every text of a batch, in order, each adding its result to an
/// `A`; spread over the machine's cores for a large batch, so there is one
/// `A` for each chunk of the batch, in order. The error of the first failing
/// text (by position) is returned, its message naming that position.
fn each_text<S, A, F>(texts: &[S], work: F) -> Result<Vec<A>, Error>
where
    S: AsRef<str> + Sync,
    A: Default + Send,
    F: Fn(&str, &mut A) -> Result<(), Error> + Sync,
{
    let run = |first: usize, chunk: &[S]| -> Result<A, Error> {
        let mut done = A::default();
        for (n, text) in (first..).zip(chunk) {
            work(text.as_ref(), &mut done).map_err(|e| e.in_batch(n))?;
        }
        Ok(done)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(texts.len() / TEXTS_PER_THREAD);
    if threads <= 1 {
        return Ok(vec![run(0, texts)?]);
    }
    let size = texts.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let run = &run;
        // A chunk whose thread the system refuses runs here, after the others.
        let chunks: Vec<_> = texts
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| {
                let spawned = std::thread::Builder::new()
                    .spawn_scoped(scope, move || run(k * size, chunk))
                    .ok();
                (k, chunk, spawned)
            })
            .collect();
        let mut out = Vec::with_capacity(chunks.len());
        for (k, chunk, spawned) in chunks {
            let done = match spawned.map(|handle| handle.join()) {
                Some(Ok(done)) => done,
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => run(k * size, chunk),
            };
            out.push(done?);
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
    let chunks = each_text(texts, |text, done: &mut Vec<Analysis>| {
        done.push(analyze(text, profile, options)?);
        Ok(())
    })?;
    Ok(chunks.into_iter().flatten().collect())
}

/// The parts of each text, laid down in one [`Parts`] for each chunk of the
/// batch, in order; each multi-part message has its own reference (drawn in
/// no particular order when the batch is spread over threads).
pub fn segment_many<S: AsRef<str> + Sync>(
    texts: &[S],
    profile: &Profile,
    options: &Options<'_>,
    packed: bool,
) -> Result<Vec<Parts>, Error> {
    each_text(texts, |text, done: &mut Parts| {
        done.push(text, profile, options, None, packed)
    })
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
    fn no_table_makes_an_escape_that_opens_no_pair() {
        // stream_cuts reads every ESC septet as the opening of a pair.
        let identifiers = std::iter::once(national::DEFAULT_TABLE)
            .chain(national::Language::ALL.iter().map(|l| l.identifier()));
        for locking in identifiers.clone() {
            for single in identifiers.clone() {
                let alphabet = national::alphabet(locking, single);
                for c in (0..=0xFFFF).filter_map(char::from_u32) {
                    let code = alphabet.code(c);
                    assert!(
                        !matches!(
                            code,
                            Some(Code::Septet(gsm7::ESCAPE) | Code::Shifted(gsm7::ESCAPE))
                        ),
                        "{c:?} in ({locking}, {single})"
                    );
                }
            }
        }
    }

    #[test]
    fn the_encoded_stream_is_cut_where_the_text_is() {
        let standard = Profile::standard();
        for text in [
            format!("{}€{}", "a".repeat(152), "b".repeat(300)),
            format!("{}😀{}", "я".repeat(66), "я😀".repeat(90)),
            "€".repeat(400),
        ] {
            let plan = Plan::new(&text, &standard, &Options::default()).unwrap();
            let parts = segment(&text, &standard, &Options::default(), Some(1), false).unwrap();
            let width = if plan.ucs2 { 2 } else { 1 };
            for (k, part) in parts.iter().enumerate() {
                let piece = &text[plan.cuts[k]..plan.cuts[k + 1]];
                let units = if plan.ucs2 {
                    piece.encode_utf16().count()
                } else {
                    gsm7::encode_gsm7(piece).unwrap().len()
                };
                assert_eq!(part.payload.len(), units * width, "{text}");
            }
        }
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
