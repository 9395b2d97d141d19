//! The fields of an Appendix B text: `key:value` pairs, found wherever they
//! stand.
//!
//! A key is one of Appendix B's (`id sub dlvrd submit date done date stat err
//! text`, in any ASCII case; the two date keys with any run of white space
//! or underscores between their words, or none) at a word boundary, then
//! optional white space, a colon and optional white space. A value is the
//! first token after its key: up to white space or the next key. The first
//! of a repeated key counts. `text:` runs to the end, except that fields
//! after it are still taken while their keys are known and not yet seen; the
//! text then ends where the first of them starts. NUL is white space (SMSCs
//! end the string with one), and trailing NULs are dropped.
//!
//! The pure twin (`_receipt_pure.py`) finds the same keys with one regular
//! expression; the rules here are written to match it byte for byte.

/// A receipt's fields, each the token as written (`None` when absent).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Fields<'a> {
    pub id: Option<&'a str>,
    pub sub: Option<&'a str>,
    pub dlvrd: Option<&'a str>,
    pub submit_date: Option<&'a str>,
    pub done_date: Option<&'a str>,
    pub stat: Option<&'a str>,
    pub err: Option<&'a str>,
    pub text: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Id,
    Sub,
    Dlvrd,
    SubmitDate,
    DoneDate,
    Stat,
    Err,
    Text,
}

/// One key found in the text: where it starts and where its value starts.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    key: Key,
    value: usize,
}

/// White space between tokens: ASCII's, and NUL.
#[inline]
pub(super) fn is_space(octet: u8) -> bool {
    matches!(octet, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0)
}

/// A character that continues a word, so that a key cannot start after it
/// (`msgid:` holds no `id:`).
#[inline]
fn is_word(octet: u8) -> bool {
    octet.is_ascii_alphanumeric() || octet == b'_'
}

fn skip(text: &[u8], mut at: usize, what: impl Fn(u8) -> bool) -> usize {
    while at < text.len() && what(text[at]) {
        at += 1;
    }
    at
}

/// After `word` at `at` (in any ASCII case), the position past it.
fn word_at(text: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let end = at + word.len();
    (end <= text.len() && text[at..end].eq_ignore_ascii_case(word)).then_some(end)
}

/// After a key's name ending at `at`: optional space, the colon, optional
/// space; the position of the value.
fn colon_after(text: &[u8], at: usize) -> Option<usize> {
    let at = skip(text, at, is_space);
    (text.get(at) == Some(&b':')).then(|| skip(text, at + 1, is_space))
}

/// A two-word date key (`submit date`, `done_date`, `submitdate`).
fn date_key(text: &[u8], at: usize, first: &[u8]) -> Option<usize> {
    let at = word_at(text, at, first)?;
    let at = skip(text, at, |octet| is_space(octet) || octet == b'_');
    colon_after(text, word_at(text, at, b"date")?)
}

/// The key starting at `at`, if one does (the word boundary is the caller's).
fn key_at(text: &[u8], at: usize) -> Option<(Key, usize)> {
    let simple = |word: &[u8], key: Key| Some((key, colon_after(text, word_at(text, at, word)?)?));
    match text[at].to_ascii_lowercase() {
        b'i' => simple(b"id", Key::Id),
        b's' => simple(b"sub", Key::Sub)
            .or_else(|| Some((Key::SubmitDate, date_key(text, at, b"submit")?)))
            .or_else(|| simple(b"stat", Key::Stat)),
        b'd' => simple(b"dlvrd", Key::Dlvrd)
            .or_else(|| Some((Key::DoneDate, date_key(text, at, b"done")?))),
        b'e' => simple(b"err", Key::Err),
        b't' => simple(b"text", Key::Text),
        _ => None,
    }
}

/// The first key at or after `from` that `wanted` accepts.
fn next_key(text: &[u8], from: usize, wanted: impl Fn(Key) -> bool) -> Option<Found> {
    let mut at = from;
    while at < text.len() {
        if at == 0 || !is_word(text[at - 1]) {
            if let Some((key, value)) = key_at(text, at) {
                if wanted(key) {
                    return Some(Found {
                        start: at,
                        key,
                        value,
                    });
                }
                // Keys cannot overlap: the next can only start past this one.
                at = value;
                continue;
            }
        }
        at += 1;
    }
    None
}

/// The value's first token: up to white space.
fn token(text: &str, from: usize, to: usize) -> &str {
    let span = &text[from..to];
    &span[..span.bytes().position(is_space).unwrap_or(span.len())]
}

impl<'a> Fields<'a> {
    fn slot(&mut self, key: Key) -> &mut Option<&'a str> {
        match key {
            Key::Id => &mut self.id,
            Key::Sub => &mut self.sub,
            Key::Dlvrd => &mut self.dlvrd,
            Key::SubmitDate => &mut self.submit_date,
            Key::DoneDate => &mut self.done_date,
            Key::Stat => &mut self.stat,
            Key::Err => &mut self.err,
            Key::Text => &mut self.text,
        }
    }

    fn has(mut self, key: Key) -> bool {
        self.slot(key).is_some()
    }
}

/// After `text:`: a known key not yet seen.
fn unseen(found: Fields<'_>) -> impl Fn(Key) -> bool + '_ {
    move |key| key != Key::Text && !found.has(key)
}

/// The fields of a receipt's text.
pub fn fields(text: &str) -> Fields<'_> {
    let text = text.trim_end_matches('\0');
    let octets = text.as_bytes();
    let mut found = Fields::default();
    let mut current = next_key(octets, 0, |_| true);
    // Before `text:`, every key starts a field and ends the one before.
    while let Some(field) = current {
        if field.key == Key::Text {
            break;
        }
        let next = next_key(octets, field.value, |_| true);
        let slot = found.slot(field.key);
        if slot.is_none() {
            *slot = Some(token(
                text,
                field.value,
                next.map_or(octets.len(), |n| n.start),
            ));
        }
        current = next;
    }
    let Some(text_field) = current else {
        return found;
    };
    // After it, only a known key not yet seen starts a field; the rest is text.
    let mut next = next_key(octets, text_field.value, unseen(found));
    found.text = Some(match next {
        Some(field) => text[text_field.value..field.start]
            .trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8)),
        None => &text[text_field.value..],
    });
    while let Some(field) = next {
        // Marked before the search, so that the same key cannot follow it.
        *found.slot(field.key) = Some("");
        next = next_key(octets, field.value, unseen(found));
        let end = next.map_or(octets.len(), |n| n.start);
        *found.slot(field.key) = Some(token(text, field.value, end));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_b_in_order() {
        let found = fields(
            "id:0123456789 sub:001 dlvrd:000 submit date:2401311259 done date:240131130107 \
             stat:UNDELIV err:034 text:Hello world: the rest",
        );
        assert_eq!(found.id, Some("0123456789"));
        assert_eq!(found.sub, Some("001"));
        assert_eq!(found.dlvrd, Some("000"));
        assert_eq!(found.submit_date, Some("2401311259"));
        assert_eq!(found.done_date, Some("240131130107"));
        assert_eq!(found.stat, Some("UNDELIV"));
        assert_eq!(found.err, Some("034"));
        assert_eq!(found.text, Some("Hello world: the rest"));
    }

    #[test]
    fn keys_in_any_case_order_and_spelling() {
        let found = fields("STAT:expired Submit_Date:2401311259 ID:A1B2C3 Err : 1 doneDATE:1");
        assert_eq!(found.id, Some("A1B2C3"));
        assert_eq!(found.stat, Some("expired"));
        assert_eq!(found.err, Some("1"));
        assert_eq!(found.submit_date, Some("2401311259"));
        assert_eq!(found.done_date, Some("1"));
        assert_eq!(found.text, None);
    }

    #[test]
    fn a_date_key_may_wrap_between_its_words() {
        let found = fields("submit\r\ndate:1911121314 done  date:1911121315");
        assert_eq!(found.submit_date, Some("1911121314"));
        assert_eq!(found.done_date, Some("1911121315"));
    }

    #[test]
    fn keys_inside_words_are_not_keys() {
        let found = fields("msgid:77 id:42 substat:x stat:DELIVRD");
        assert_eq!(found.id, Some("42"));
        assert_eq!(found.stat, Some("DELIVRD"));
    }

    #[test]
    fn the_first_of_a_repeated_key_counts() {
        assert_eq!(fields("id:1 id:2").id, Some("1"));
    }

    #[test]
    fn a_value_is_one_token() {
        let found = fields("id:1 2 3 stat: DELIVRD now err:");
        assert_eq!(found.id, Some("1"));
        assert_eq!(found.stat, Some("DELIVRD"));
        assert_eq!(found.err, Some(""));
    }

    #[test]
    fn trailing_nuls_are_dropped_and_a_nul_separates() {
        let found = fields("id:7\0stat:DELIVRD err:000\0");
        assert_eq!(found.id, Some("7"));
        assert_eq!(found.err, Some("000"));
        assert_eq!(fields("id:7 text:hello\0\0").text, Some("hello"));
    }

    #[test]
    fn known_unseen_fields_after_the_text_are_taken() {
        // Cloudhopper's test of a real receipt with its fields out of order.
        let found = fields(
            "sub:001 id:74e02ee1-4e2f-4a6e-a78b-4b247d756a22 err:000 dlvrd:001 \
             done date:110206193110 submit date:110206193041 text: stat:DELIVRD",
        );
        assert_eq!(found.stat, Some("DELIVRD"));
        assert_eq!(found.text, Some(""));
        let found = fields("id:9 text:Your id:9 is sub:1 stat:DELIVRD  err:0 id:8 tail");
        assert_eq!(found.text, Some("Your id:9 is"));
        assert_eq!(found.sub, Some("1"));
        assert_eq!(found.stat, Some("DELIVRD"));
        assert_eq!(found.err, Some("0"));
        assert_eq!(found.id, Some("9"));
    }

    #[test]
    fn text_keeps_a_second_text_key() {
        assert_eq!(fields("text:a text:b").text, Some("a text:b"));
    }

    #[test]
    fn text_keeps_its_own_trailing_space_at_the_end() {
        assert_eq!(fields("text: hi \t").text, Some("hi \t"));
    }

    #[test]
    fn non_ascii_around_keys() {
        let found = fields("éid:5 sub:²³ stat:ok text:π");
        assert_eq!(found.id, Some("5"));
        assert_eq!(found.sub, Some("²³"));
        assert_eq!(found.text, Some("π"));
    }
}
