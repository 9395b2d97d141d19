//! The plan a text goes out with once the caller's opt-ins have had their
//! say: national language shift tables where they save a part, smart
//! replacements where they make the text GSM. The pure twin is `_Choice` in
//! `python/smswire/encoding/_pure.py`.

use std::borrow::Cow;

use super::{alphabet, held_by, shift_choices, shift_ies, Language, DEFAULT_TABLE};
use crate::encoding::gsm7::Alphabet;
use crate::encoding::plan::{
    part_capacity, Options, Plan, Profile, CONCAT_16BIT_UDH_OCTETS, CONCAT_8BIT_UDH_OCTETS,
};
use crate::encoding::{smart, Error};

/// A smart replacement: index into the text given, character, replacement.
pub type Replacement = (usize, char, &'static str);

/// The text as sent, its plan, its tables, its smart replacements and the
/// parts they saved against plain GSM7/UCS2.
pub struct Choice<'t> {
    pub text: Cow<'t, str>,
    pub plan: Plan,
    pub locking: u8,
    pub single: u8,
    pub replacements: Vec<Replacement>,
    pub parts_saved: isize,
}

struct Candidate {
    plan: Plan,
    locking: u8,
    single: u8,
    /// (parts, UDH octets of the shift IEs, units, order of the locking
    /// table): the lowest wins.
    key: (usize, usize, usize, usize),
}

/// The plan of `text` under `options`, with its national tables (if
/// `options.national` names any) and smart replacements (if `options.smart`).
/// `options.national` must be in identifier order, each language once.
pub fn choose<'t>(
    text: &'t str,
    profile: &Profile,
    options: &Options<'_>,
) -> Result<Choice<'t>, Error> {
    if options.national.is_empty() && !options.smart {
        return Ok(Choice {
            text: Cow::Borrowed(text),
            plan: Plan::new(text, profile, options)?,
            locking: DEFAULT_TABLE,
            single: DEFAULT_TABLE,
            replacements: Vec::new(),
            parts_saved: 0,
        });
    }
    let mut sent = Cow::Borrowed(text);
    let mut replacements = Vec::new();
    let (plain, plain_over) = Plan::lay_out(text, profile, options);
    let plain_parts = plain.parts();
    let plain_ucs2 = plain.ucs2;
    let mut best = cheapest(text, plain, plain_over.is_none(), profile, options);
    if options.smart && plain_ucs2 {
        if let Some((replaced, replaced_at)) = smart_replace(text, options.national) {
            let (smart_plain, over) = Plan::lay_out(&replaced, profile, options);
            let smarter = cheapest(&replaced, smart_plain, over.is_none(), profile, options);
            // The caller asked for GSM text: it wins unless it costs more parts.
            if let Some(smarter) = smarter {
                if best.as_ref().is_none_or(|best| smarter.key.0 <= best.key.0) {
                    best = Some(smarter);
                    sent = Cow::Owned(replaced);
                    replacements = replaced_at;
                }
            }
        }
    }
    let Some(best) = best else {
        // Nothing fits: the plain text's own error says by how much.
        return Err(plain_over.expect("the plain plan fits or says why not"));
    };
    Ok(Choice {
        text: sent,
        parts_saved: plain_parts as isize - best.plan.parts() as isize,
        plan: best.plan,
        locking: best.locking,
        single: best.single,
        replacements,
    })
}

/// The cheapest plan of `text` that fits `profile`, among `plain` (if it
/// fits) and those of the national tables allowed. Fewest parts wins; then
/// fewest header octets, so the default tables win a tie (every handset reads
/// them); then fewest septets; then the lowest identifiers.
fn cheapest(
    text: &str,
    plain: Plan,
    plain_fits: bool,
    profile: &Profile,
    options: &Options<'_>,
) -> Option<Candidate> {
    let mut best = plain_fits.then(|| Candidate {
        key: (plain.parts(), 0, plain.units, 0),
        plan: plain,
        locking: DEFAULT_TABLE,
        single: DEFAULT_TABLE,
    });
    // Laying a text out is the dear part: try the likeliest pairs first, and
    // none that cannot beat the best so far even at its fewest parts.
    let mut choices: Vec<_> = shift_choices(text, options.national)
        .into_iter()
        .enumerate()
        .map(|(order, choice)| {
            let octets = shift_ies(choice.locking, choice.single).len();
            let fewest = fewest_parts(choice.septets, octets, profile, options);
            (choice, (fewest, octets, choice.septets, order + 1))
        })
        .collect();
    choices.sort_unstable_by_key(|&(_, bound)| bound);
    for (choice, bound) in choices {
        if best.as_ref().is_some_and(|best| bound >= best.key) {
            continue;
        }
        let with_tables = Options {
            alphabet: alphabet(choice.locking, choice.single),
            extra_udh_octets: bound.1,
            ..*options
        };
        let (plan, over) = Plan::lay_out(text, profile, &with_tables);
        let key = (plan.parts(), bound.1, plan.units, bound.3);
        if over.is_none() && best.as_ref().is_none_or(|best| key < best.key) {
            best = Some(Candidate {
                plan,
                locking: choice.locking,
                single: choice.single,
                key,
            });
        }
    }
    best
}

/// The fewest parts `septets` can take with `octets` of shift IEs in every
/// UDH: every part but the last is full, or nearly (an escape pair or a
/// cluster never straddles two).
fn fewest_parts(septets: usize, octets: usize, profile: &Profile, options: &Options<'_>) -> usize {
    if septets <= part_capacity(false, octets + 1) {
        return 1;
    }
    let concat = if options.udh16 {
        CONCAT_16BIT_UDH_OCTETS
    } else {
        CONCAT_8BIT_UDH_OCTETS
    };
    let mut multi = part_capacity(false, concat + octets);
    if let Some(cap) = profile.gsm7_part_cap {
        multi = multi.min(cap);
    }
    septets.div_ceil(multi)
}

/// `text` with its look-alikes replaced, and each replacement, if that makes
/// it fit 7 bits in the tables allowed; `None` otherwise (replacing gains
/// nothing in a message that stays UCS2). Only characters no allowed table
/// holds are replaced (a Turkish 'ç' stays when the Turkish tables may carry it).
fn smart_replace(text: &str, national: &[Language]) -> Option<(String, Vec<Replacement>)> {
    let mut replaced = String::with_capacity(text.len());
    let mut replacements = Vec::new();
    for (index, c) in text.chars().enumerate() {
        match smart::replacement(c).filter(|_| !held_by(c, national)) {
            Some(replacement) => {
                replacements.push((index, c, replacement));
                replaced.push_str(replacement);
            }
            None => replaced.push(c),
        }
    }
    let default = Alphabet::default_alphabet();
    let gsm = replaced.chars().all(|c| default.code(c).is_some())
        || !shift_choices(&replaced, national).is_empty();
    (!replacements.is_empty() && gsm).then_some((replaced, replacements))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::national::{decode_gsm7, shifts_in_udh};
    use crate::encoding::plan::{analyze, segment};

    fn with(national: &[Language], smart: bool) -> Options<'_> {
        Options {
            national,
            smart,
            ..Options::default()
        }
    }

    fn standard() -> Profile {
        Profile::standard()
    }

    const TURKISH: &[Language] = &[Language::Turkish];
    const HINDI: &[Language] = &[Language::Hindi];

    #[test]
    fn one_table_leaves_155_septets_single_and_149_concatenated() {
        for (count, parts, per_part) in [(155, 1, 155), (156, 2, 149), (299, 3, 149)] {
            let a = analyze(&"ş".repeat(count), &standard(), &with(TURKISH, false)).unwrap();
            assert_eq!((a.locking_shift, a.single_shift), (Some("tr"), None));
            assert_eq!((a.segments, a.per_segment), (parts, per_part), "{count}");
        }
    }

    #[test]
    fn both_tables_leave_152_septets_single_and_146_concatenated() {
        let single = format!("{}।", "क".repeat(150));
        let a = analyze(&single, &standard(), &with(HINDI, false)).unwrap();
        assert_eq!((a.locking_shift, a.single_shift), (Some("hi"), Some("hi")));
        assert_eq!((a.units, a.segments, a.per_segment), (152, 1, 152));
        let multi = "क।".repeat(97);
        let a = analyze(&multi, &standard(), &with(HINDI, false)).unwrap();
        assert_eq!((a.segments, a.per_segment), (2, 146));
    }

    #[test]
    fn tables_are_used_only_when_they_save_a_part() {
        let a = analyze("Şeker", &standard(), &with(TURKISH, false)).unwrap();
        assert_eq!(
            (a.encoding, a.locking_shift, a.parts_saved),
            ("ucs2", None, 0)
        );
        let a = analyze(&"ş".repeat(155), &standard(), &with(TURKISH, false)).unwrap();
        assert_eq!(a.parts_saved, 2);
    }

    #[test]
    fn national_tables_can_rescue_an_over_long_message() {
        let text = "ş".repeat(255 * 67 + 1);
        assert!(analyze(&text, &standard(), &Options::default()).is_err());
        let a = analyze(&text, &standard(), &with(TURKISH, false)).unwrap();
        assert_eq!((a.segments, a.parts_saved), (115, 141));
    }

    #[test]
    fn every_part_names_the_tables_in_its_udh() {
        let parts = segment(
            &"क।".repeat(97),
            &standard(),
            &with(HINDI, false),
            Some(9),
            false,
        )
        .unwrap();
        for (k, part) in parts.iter().enumerate() {
            let udh = [11, 0, 3, 9, 2, k as u8 + 1, 0x24, 1, 6, 0x25, 1, 6];
            assert_eq!(part.udh, udh);
            assert_eq!(shifts_in_udh(&part.udh).unwrap(), (6, 6));
        }
        let text: String = parts
            .iter()
            .map(|p| decode_gsm7(&p.payload, &p.udh).unwrap())
            .collect();
        assert_eq!(text, "क।".repeat(97));
        let single = segment(
            &"ş".repeat(100),
            &standard(),
            &with(TURKISH, false),
            None,
            false,
        );
        assert_eq!(single.unwrap()[0].udh, [3, 0x25, 1, 1]);
    }

    #[test]
    fn reserved_identifiers_and_malformed_headers() {
        assert_eq!(shifts_in_udh(&[]).unwrap(), (0, 0));
        assert_eq!(shifts_in_udh(&[3, 0x25, 1, 14]).unwrap(), (0, 0));
        assert_eq!(shifts_in_udh(&[3, 0x25, 1, 2]).unwrap(), (0, 0));
        assert_eq!(shifts_in_udh(&[3, 0x24, 1, 2]).unwrap(), (0, 2));
        assert!(shifts_in_udh(&[5, 0x25, 1, 1]).is_err());
        assert!(shifts_in_udh(&[2, 0x25]).is_err());
        assert!(decode_gsm7(&[0x0C], &[3, 0x25, 1, 4]).is_err());
    }

    #[test]
    fn smart_replaces_look_alikes_only_when_that_makes_the_text_gsm() {
        let a = analyze("It’s “ok” …", &standard(), &with(&[], true)).unwrap();
        assert_eq!(a.encoding, "gsm7");
        assert_eq!(
            a.replacements,
            [
                (2, '’', "'"),
                (5, '“', "\""),
                (8, '”', "\""),
                (10, '…', "...")
            ]
        );
        let a = analyze("It’s 😀", &standard(), &with(&[], true)).unwrap();
        assert_eq!((a.encoding, a.replacements.len()), ("ucs2", 0));
        // Turkish tables hold 'ç': only the quotes go.
        let text = "“çok” ş".repeat(30);
        let a = analyze(&text, &standard(), &with(TURKISH, true)).unwrap();
        assert_eq!(a.locking_shift, Some("tr"));
        assert!(a.replacements.iter().all(|r| r.1 != 'ç'));
    }
}
