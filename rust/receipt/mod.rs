//! Delivery receipts: the SMPP 3.4 Appendix B text and the receipt TLVs.
//!
//! A receipt is read as real SMSCs write it, not as the appendix draws it:
//! keys in any case and order, fields missing, after `text:` or repeated, a
//! C-string NUL at the end, dates in five layouts, the text in UCS2 when
//! the deliver_sm's data_coding says so. Nothing here fails or panics on
//! any input: what cannot be read is simply absent from the [`Receipt`],
//! whose state is then [`State::Unknown`], and the caller keeps the raw
//! octets. Only ASCII digits are digits, everywhere.
//!
//! Plain Rust, no Python: the binding (`rust/python/receipt.rs`) builds the
//! `DeliveryReceipt` dataclass from a [`Receipt`]; the pure-Python twin
//! (`python/smswire/smpp/_receipt_pure.py`) reads every input the same way.

mod fields;
mod message_id;
mod number;
mod text;
mod timestamp;

use std::borrow::Cow;

pub use fields::{fields, Fields};
pub use message_id::message_id_keys;
pub use number::{count, error_code};
pub use text::{decode, is_ucs2};
pub use timestamp::{timestamp, Timestamp};

/// SMPP 3.4 §5.3.2.12: the id of the message a receipt is about.
pub const TAG_RECEIPTED_MESSAGE_ID: u16 = 0x001E;
/// SMPP 3.4 §5.3.2.31: network type (1 octet) and error code (2 octets).
pub const TAG_NETWORK_ERROR_CODE: u16 = 0x0423;
/// SMPP 3.4 §5.3.2.35: the message's state, one octet.
pub const TAG_MESSAGE_STATE: u16 = 0x0427;

/// The state of a message: SMPP 3.4 §5.2.28, whose numbers the
/// message_state TLV carries, and Appendix B's seven-letter codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Enroute = 1,
    Delivered = 2,
    Expired = 3,
    Deleted = 4,
    Undeliverable = 5,
    Accepted = 6,
    Unknown = 7,
    Rejected = 8,
}

impl State {
    /// SMPP 3.4 §5.2.28: the state a message_state value names.
    pub fn from_tlv(value: u8) -> Option<State> {
        Some(match value {
            1 => State::Enroute,
            2 => State::Delivered,
            3 => State::Expired,
            4 => State::Deleted,
            5 => State::Undeliverable,
            6 => State::Accepted,
            7 => State::Unknown,
            8 => State::Rejected,
            _ => return None,
        })
    }

    /// The state a `stat:` token names, in any case: Appendix B's codes and
    /// the spellings seen in the field; anything else is unknown.
    pub fn from_stat(stat: &str) -> State {
        const NAMES: [(&str, State); 13] = [
            ("DELIVRD", State::Delivered),
            ("UNDELIV", State::Undeliverable),
            ("ENROUTE", State::Enroute),
            ("EXPIRED", State::Expired),
            ("DELETED", State::Deleted),
            ("ACCEPTD", State::Accepted),
            ("REJECTD", State::Rejected),
            ("UNKNOWN", State::Unknown),
            ("DELIVERED", State::Delivered),
            ("UNDELIVERABLE", State::Undeliverable),
            ("ACCEPTED", State::Accepted),
            ("REJECTED", State::Rejected),
            ("FAILED", State::Undeliverable),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(stat))
            .map_or(State::Unknown, |&(_, state)| state)
    }
}

/// One receipt as read: borrowed from the decoded text where it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt<'a> {
    pub message_id: Cow<'a, str>,
    pub state: State,
    /// The `stat:` and `err:` tokens as the SMSC wrote them ("" if absent).
    pub stat: &'a str,
    pub err: &'a str,
    pub error: Option<u64>,
    pub submit_date: Option<Timestamp>,
    pub done_date: Option<Timestamp>,
    pub submitted: Option<u64>,
    pub delivered: Option<u64>,
    pub text: &'a str,
    pub network_error: Option<(u8, u16)>,
}

impl<'a> Receipt<'a> {
    /// The receipt an Appendix B text describes (already decoded: [`decode`]).
    pub fn parse(text: &'a str) -> Receipt<'a> {
        let found = fields(text);
        let stat = found.stat.unwrap_or("");
        let err = found.err.unwrap_or("");
        Receipt {
            message_id: Cow::Borrowed(found.id.unwrap_or("")),
            state: State::from_stat(stat),
            stat,
            err,
            error: error_code(err),
            submit_date: found.submit_date.and_then(timestamp),
            done_date: found.done_date.and_then(timestamp),
            submitted: found.sub.and_then(count),
            delivered: found.dlvrd.and_then(count),
            text: found.text.unwrap_or(""),
            network_error: None,
        }
    }

    /// Let one TLV of the deliver_sm speak: the receipt TLVs win over the
    /// text; a value of the wrong size or out of range is ignored, as is
    /// every other tag.
    pub fn apply_tlv(&mut self, tag: u16, value: &[u8]) {
        match (tag, value) {
            (TAG_RECEIPTED_MESSAGE_ID, _) => {
                // SMPP 3.4 §5.3.2.12: a C-Octet string; what follows a NUL is not
                // part of it, and an empty one says nothing.
                let id = value.split(|&octet| octet == 0).next().unwrap_or(&[]);
                if !id.is_empty() {
                    self.message_id =
                        Cow::Owned(id.iter().map(|&octet| char::from(octet)).collect());
                }
            }
            (TAG_MESSAGE_STATE, &[state]) => {
                if let Some(state) = State::from_tlv(state) {
                    self.state = state;
                }
            }
            (TAG_NETWORK_ERROR_CODE, &[network, high, low]) => {
                self.network_error = Some((network, u16::from_be_bytes([high, low])));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INMOBILE: &str = "id:ble50673-f8b8-41e8-a143-07a43bb8c86b sub:001 dlvrd:001 submit\n\
                            date:1911121314 done date:1911121314 stat:DELIVRD err:000";

    #[test]
    fn inmobiles_documented_receipt() {
        let receipt = Receipt::parse(INMOBILE);
        assert_eq!(receipt.message_id, "ble50673-f8b8-41e8-a143-07a43bb8c86b");
        assert_eq!(receipt.state, State::Delivered);
        assert_eq!((receipt.stat, receipt.err), ("DELIVRD", "000"));
        assert_eq!(receipt.error, Some(0));
        assert_eq!((receipt.submitted, receipt.delivered), (Some(1), Some(1)));
        let date = receipt.submit_date.unwrap();
        assert_eq!(
            (date.year, date.month, date.day, date.hour, date.minute),
            (2019, 11, 12, 13, 14)
        );
        assert_eq!(receipt.done_date, receipt.submit_date);
        assert_eq!(receipt.text, "");
    }

    #[test]
    fn a_non_standard_stat_is_unknown_but_kept() {
        let receipt = Receipt::parse("id:5 stat:DND_REJECTED err:21b");
        assert_eq!(receipt.state, State::Unknown);
        assert_eq!(
            (receipt.stat, receipt.err, receipt.error),
            ("DND_REJECTED", "21b", None)
        );
    }

    #[test]
    fn stat_aliases_in_any_case() {
        assert_eq!(State::from_stat("delivered"), State::Delivered);
        assert_eq!(State::from_stat("Failed"), State::Undeliverable);
        assert_eq!(State::from_stat("REJECTD"), State::Rejected);
        // Only ASCII case folds: a dotless i is not an i.
        assert_eq!(State::from_stat("DELıVRD"), State::Unknown);
    }

    #[test]
    fn receipt_tlvs_win_over_the_text() {
        let mut receipt = Receipt::parse("id:text-id stat:DELIVRD err:000");
        receipt.apply_tlv(TAG_RECEIPTED_MESSAGE_ID, b"tlv-id\0");
        receipt.apply_tlv(TAG_MESSAGE_STATE, &[5]);
        receipt.apply_tlv(TAG_NETWORK_ERROR_CODE, &[3, 0, 0x22]);
        assert_eq!(receipt.message_id, "tlv-id");
        assert_eq!(receipt.state, State::Undeliverable);
        assert_eq!(receipt.network_error, Some((3, 0x22)));
        // The text's own tokens stay as they were written.
        assert_eq!(receipt.stat, "DELIVRD");
    }

    #[test]
    fn malformed_receipt_tlvs_are_ignored() {
        let mut receipt = Receipt::parse("id:text-id stat:DELIVRD");
        receipt.apply_tlv(TAG_RECEIPTED_MESSAGE_ID, b"\0tail");
        receipt.apply_tlv(TAG_RECEIPTED_MESSAGE_ID, b"");
        receipt.apply_tlv(TAG_MESSAGE_STATE, &[0]);
        receipt.apply_tlv(TAG_MESSAGE_STATE, &[9]);
        receipt.apply_tlv(TAG_MESSAGE_STATE, &[2, 2]);
        receipt.apply_tlv(TAG_NETWORK_ERROR_CODE, &[3, 0]);
        receipt.apply_tlv(0x1400, b"vendor");
        assert_eq!(receipt.message_id, "text-id");
        assert_eq!(receipt.state, State::Delivered);
        assert_eq!(receipt.network_error, None);
    }

    #[test]
    fn a_receipted_message_id_is_read_as_latin_1_up_to_its_nul() {
        let mut receipt = Receipt::parse("");
        receipt.apply_tlv(TAG_RECEIPTED_MESSAGE_ID, b"ab\xe9\0cd");
        assert_eq!(receipt.message_id, "ab\u{e9}");
    }

    #[test]
    fn nothing_readable_is_an_unknown_receipt() {
        let receipt = Receipt::parse("\u{fffd}garbage");
        assert_eq!(receipt.state, State::Unknown);
        assert_eq!(receipt.message_id, "");
        assert_eq!(receipt.error, None);
        assert_eq!(receipt.submit_date, None);
    }

    #[test]
    fn random_octets_in_every_coding_never_panic() {
        // xorshift64: a fixed seed, so a failure reproduces. Octets drawn
        // mostly from receipt material, so that keys and dates do occur.
        let material =
            b"id:sub:dlvrd:submit date:done_date:stat:err:text: 0123456789+-R\0\xb2\xd8\xdc";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let length = (next() % 120) as usize;
            let octets: Vec<u8> = (0..length)
                .map(|_| match next() % 4 {
                    0 => next() as u8,
                    _ => material[(next() % material.len() as u64) as usize],
                })
                .collect();
            let data_coding = [0, 3, 8, 0x18, 0xF0][(next() % 5) as usize];
            let text = decode(&octets, Some(data_coding));
            let mut receipt = Receipt::parse(&text);
            receipt.apply_tlv(TAG_RECEIPTED_MESSAGE_ID, &octets);
            receipt.apply_tlv(TAG_MESSAGE_STATE, &octets[..length.min(1)]);
            receipt.apply_tlv(TAG_NETWORK_ERROR_CODE, &octets[..length.min(3)]);
            let _ = message_id_keys(&receipt.message_id);
        }
    }

    #[test]
    fn no_input_panics() {
        // A cheap deterministic fuzz: every short string over an alphabet of
        // key letters, digits, separators and odd characters.
        let alphabet = [
            'i', 'd', 's', 't', 'e', 'x', ':', ' ', '\0', '1', '²', '_', 'T', 'r',
        ];
        let mut word = Vec::new();
        for n in 0..alphabet.len().pow(5) {
            word.clear();
            let mut rest = n;
            for _ in 0..5 {
                word.push(alphabet[rest % alphabet.len()]);
                rest /= alphabet.len();
            }
            let text: String = word.iter().collect();
            let receipt = Receipt::parse(&text);
            assert!(receipt.text.len() <= text.len());
        }
    }
}
