//! The fused submit path: a window's worth of messages to the submit_sm
//! PDUs that carry them, in one buffer, sequence numbers stamped.
//!
//! One call segments every text, builds and encodes every part's submit_sm
//! and numbers them consecutively, with no object per part: the wire bytes
//! go out in one write, and a packed record per part says what the client
//! must remember of it (its message, its place, its sequence number and
//! where its PDU lies in the buffer, to send it again alone). The PDUs are
//! those `smswire.smpp.submit.build_submits` describes, byte for byte; the
//! pure twin is `python/smswire/smpp/_window_pure.py`.

use crate::encoding::{self, analyze, gsm7, national::Language, ucs2, Options, Parts, Profile};
use crate::pdu::schema::{ADDRESS_LIMIT, HEADER_LENGTH, MAX_SHORT_MESSAGE, PDUS};
use crate::pdu::{Encoder, PduError};

#[cfg(test)]
mod tests;

/// SMPP 3.4 §5.1.4: sequence_number runs 0x00000001 to 0x7FFFFFFF.
pub const MAX_SEQUENCE_NUMBER: u32 = 0x7FFF_FFFF;
/// One part's record: message index (u32), part index from 0 (u16), the
/// message's part count (u16), sequence_number (u32) and the offset of its
/// PDU in the wire buffer (u32), little-endian (Python: `struct "<IHHII"`).
pub const RECORD_OCTETS: usize = 16;
/// The 8-bit concatenation reference a sender counts up per message
/// (3GPP TS 23.040 §9.2.3.24.1).
pub const REFERENCES: u32 = 256;
/// SMPP 3.4 §5.2.12: esm_class bit 6, a user data header leads short_message.
pub const ESM_CLASS_UDHI: u8 = 0x40;
/// 3GPP TS 23.038 §4: bit 4 says bits 1-0 give the class; class 0 is flash.
pub const DATA_CODING_FLASH_BIT: u8 = 0x10;
/// SMPP 3.4 §5.2.17: registered_delivery bit 0, a receipt on the final outcome.
pub const REGISTERED_DELIVERY_FINAL: u8 = 0x01;
/// SMPP 3.4 §5.3.2.22-24 and §5.3.2.32: the TLVs the fused path writes itself.
const SAR_MSG_REF_NUM: u16 = 0x020C;
const SAR_TOTAL_SEGMENTS: u16 = 0x020E;
const SAR_SEGMENT_SEQNUM: u16 = 0x020F;
const MESSAGE_PAYLOAD: u16 = 0x0424;
/// Index of submit_sm in the schema's table of PDUs.
const SUBMIT_SM: usize = 10;
/// SMPP 3.4 §4.4.1: service_type is a C-Octet String of at most 6 octets.
const SERVICE_TYPE_LIMIT: usize = 6;

/// How a text longer than one SMS travels (`smswire.message.Concatenation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concatenation {
    /// 3GPP TS 23.040 §9.2.3.24.1: a UDH in short_message, esm_class UDHI.
    Udh,
    /// SMPP 3.4 §5.3.2.22-24: the SAR TLVs.
    Sar,
    /// SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV.
    Payload,
}

/// What every message of a window shares. `service_type`, `validity_period`
/// and `tlvs` (the encoded TLVs, appended to every part) are checked by the
/// caller once per window, as `build_submits` checks them once per message.
pub struct Window<'a> {
    pub profile: &'a Profile,
    pub national: &'a [Language],
    pub smart: bool,
    pub concatenation: Concatenation,
    pub flash: bool,
    pub registered_delivery: bool,
    pub service_type: &'a [u8],
    pub validity_period: &'a [u8],
    pub tlvs: &'a [u8],
    /// The concatenation reference of the window's first message; each
    /// next one counts up (modulo [`REFERENCES`]).
    pub reference: u32,
    /// The first part's sequence_number, 1..=[`MAX_SEQUENCE_NUMBER`].
    pub first_sequence: u32,
}

/// One message: its addresses as SMPP carries them (TON, NPI, characters),
/// and its place in the caller's window (its records name it, and its
/// reference counts from it: a message refused before it got here still
/// takes its reference, as `build_submits` callers count them).
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub position: usize,
    pub source: (u8, u8, &'a str),
    pub destination: (u8, u8, &'a str),
    pub text: &'a str,
}

/// Why one message of a window was not encoded; the others are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Text(encoding::Error),
    Pdu(PduError),
}

/// The window's PDUs, a record per part, and the messages refused.
#[derive(Debug, Default)]
pub struct Encoded {
    pub wire: Vec<u8>,
    pub records: Vec<u8>,
    pub refused: Vec<(usize, Refusal)>,
}

/// The sequence_number after `sequence` (SMPP 3.4 §5.1.4: after 0x7FFFFFFF, 1).
pub fn next_sequence(sequence: u32) -> u32 {
    if sequence >= MAX_SEQUENCE_NUMBER {
        1
    } else {
        sequence + 1
    }
}

/// Every message's parts as submit_sm PDUs, numbered from
/// `window.first_sequence` on; a refused message takes no number.
pub fn encode_window(window: &Window<'_>, messages: &[Message<'_>]) -> Encoded {
    let mut encoded = Encoded {
        wire: Vec::with_capacity(messages.len() * 240),
        records: Vec::with_capacity(messages.len() * RECORD_OCTETS),
        refused: Vec::new(),
    };
    let mut writer = Writer {
        window,
        parts: Parts::default(),
        addresses: Vec::with_capacity(64),
        sequence: window.first_sequence,
    };
    for message in messages {
        let (wire, records) = (encoded.wire.len(), encoded.records.len());
        if let Err(refusal) = writer.message(message.position, message, &mut encoded) {
            encoded.wire.truncate(wire);
            encoded.records.truncate(records);
            encoded.refused.push((message.position, refusal));
        }
    }
    encoded
}

struct Writer<'w> {
    window: &'w Window<'w>,
    parts: Parts,
    /// service_type and both addresses of the message at hand, encoded once.
    addresses: Vec<u8>,
    sequence: u32,
}

impl Writer<'_> {
    fn message(
        &mut self,
        index: usize,
        message: &Message<'_>,
        out: &mut Encoded,
    ) -> Result<(), Refusal> {
        let window = self.window;
        if message.text.is_empty() {
            // As LINK refuses an empty Userdata: an SMS with nothing in it is a mistake.
            return Err(Refusal::Text(encoding::Error::Configuration {
                message: "text is empty: there is nothing to send".to_owned(),
            }));
        }
        let reference = ((window.reference + index as u32) % REFERENCES) as u16;
        let flash = if window.flash {
            DATA_CODING_FLASH_BIT
        } else {
            0
        };
        if window.concatenation == Concatenation::Payload {
            let (data_coding, body) = payload(message.text, window)?;
            self.addresses(message)?;
            let mut tlv = Vec::with_capacity(body.len() + 4);
            let mut check = Encoder::begin(&mut tlv, &PDUS[SUBMIT_SM]);
            check.tlv(MESSAGE_PAYLOAD, &body).map_err(Refusal::Pdu)?;
            let tlv = &tlv[HEADER_LENGTH..];
            self.part(index, (0, 1), (0, data_coding | flash), &[], tlv, out);
            return Ok(());
        }
        // 3GPP TS 23.038 Annex A: the shift tables are named in the UDH, so
        // only a UDH-concatenated message can use them.
        let national = if window.concatenation == Concatenation::Udh {
            window.national
        } else {
            &[]
        };
        let options = Options {
            national,
            smart: window.smart,
            ..Options::default()
        };
        let mut parts = std::mem::take(&mut self.parts);
        parts.clear();
        let pushed = parts.push(
            message.text,
            window.profile,
            &options,
            Some(reference),
            false,
        );
        let done = pushed.map_err(Refusal::Text).and_then(|()| {
            self.addresses(message)?;
            self.parts_of(index, &parts, reference, flash, out);
            Ok(())
        });
        self.parts = parts;
        done
    }

    /// service_type, then the source and destination as the PDU carries them.
    fn addresses(&mut self, message: &Message<'_>) -> Result<(), Refusal> {
        self.addresses.clear();
        let mut encoder = Encoder::begin(&mut self.addresses, &PDUS[SUBMIT_SM]);
        // Checked once per window by the caller; written as given.
        encoder.cstring("service_type", self.window.service_type, SERVICE_TYPE_LIMIT)?;
        for (field, (ton, npi, value)) in [
            ("source_addr", message.source),
            ("destination_addr", message.destination),
        ] {
            encoder.u8(ton);
            encoder.u8(npi);
            let mut octets = [0u8; ADDRESS_LIMIT];
            let mut length = 0;
            for (at, c) in value.chars().enumerate() {
                // SMPP 3.4 §3.1: C-Octet Strings are octets (Latin-1).
                let Ok(octet) = u8::try_from(u32::from(c)) else {
                    return Err(Refusal::Pdu(encoder.fail(
                        field,
                        format_args!(
                            "character at index {at} is above U+00FF (C-Octet Strings are octets)"
                        ),
                    )));
                };
                if let Some(slot) = octets.get_mut(at) {
                    *slot = octet;
                }
                length = at + 1;
            }
            if length > ADDRESS_LIMIT {
                return Err(Refusal::Pdu(encoder.fail(
                    field,
                    format_args!(
                        "{length} octets exceed the maximum of {} (plus NUL)",
                        ADDRESS_LIMIT - 1
                    ),
                )));
            }
            encoder.cstring(field, &octets[..length], ADDRESS_LIMIT)?;
        }
        Ok(())
    }

    fn parts_of(
        &mut self,
        index: usize,
        parts: &Parts,
        reference: u16,
        flash: u8,
        out: &mut Encoded,
    ) {
        let (data_coding, segments) = parts.message(0);
        let total = segments.len();
        let sar = self.window.concatenation == Concatenation::Sar && total > 1;
        for (k, (udh, payload)) in segments.enumerate() {
            let place = (k, total);
            if sar {
                // SMPP 3.4 §5.3.2.22-24: the reference, the count and the part's number.
                let mut tlvs = [0u8; 16];
                tlvs[0..2].copy_from_slice(&SAR_MSG_REF_NUM.to_be_bytes());
                tlvs[2..4].copy_from_slice(&2u16.to_be_bytes());
                tlvs[4..6].copy_from_slice(&reference.to_be_bytes());
                tlvs[6..8].copy_from_slice(&SAR_TOTAL_SEGMENTS.to_be_bytes());
                tlvs[8..10].copy_from_slice(&1u16.to_be_bytes());
                tlvs[10] = total as u8;
                tlvs[11..13].copy_from_slice(&SAR_SEGMENT_SEQNUM.to_be_bytes());
                tlvs[13..15].copy_from_slice(&1u16.to_be_bytes());
                tlvs[15] = (k + 1) as u8;
                self.part(index, place, (0, data_coding | flash), payload, &tlvs, out);
                continue;
            }
            // SMPP 3.4 §5.2.12: esm_class UDHI, the UDH leads each short_message
            // (a single part has one too when it names national shift tables).
            let esm_class = if udh.is_empty() { 0 } else { ESM_CLASS_UDHI };
            let mut short_message = [0u8; MAX_SHORT_MESSAGE];
            let length = udh.len() + payload.len();
            short_message[..udh.len()].copy_from_slice(udh);
            short_message[udh.len()..length].copy_from_slice(payload);
            let body = &short_message[..length];
            self.part(
                index,
                place,
                (esm_class, data_coding | flash),
                body,
                &[],
                out,
            );
        }
    }

    /// One submit_sm at the end of the wire, and its record: `own_tlvs`
    /// (SAR or message_payload) go before the window's.
    fn part(
        &mut self,
        index: usize,
        (k, total): (usize, usize),
        (esm_class, data_coding): (u8, u8),
        short_message: &[u8],
        own_tlvs: &[u8],
        out: &mut Encoded,
    ) {
        let window = self.window;
        let wire = &mut out.wire;
        let start = wire.len();
        let sequence = self.sequence;
        self.sequence = next_sequence(sequence);
        // command_length is filled in last.
        wire.extend_from_slice(&[0; 4]);
        wire.extend_from_slice(&PDUS[SUBMIT_SM].command_id.to_be_bytes());
        wire.extend_from_slice(&0u32.to_be_bytes());
        wire.extend_from_slice(&sequence.to_be_bytes());
        wire.extend_from_slice(&self.addresses[HEADER_LENGTH..]);
        // esm_class, protocol_id, priority_flag, schedule_delivery_time (NULL).
        wire.extend_from_slice(&[esm_class, 0, 0, 0]);
        wire.extend_from_slice(window.validity_period);
        wire.push(0);
        let registered = if window.registered_delivery {
            REGISTERED_DELIVERY_FINAL
        } else {
            0
        };
        // registered_delivery, replace_if_present_flag, data_coding,
        // sm_default_msg_id, sm_length (at most 254: the caller's parts hold 140).
        wire.extend_from_slice(&[registered, 0, data_coding, 0, short_message.len() as u8]);
        wire.extend_from_slice(short_message);
        wire.extend_from_slice(own_tlvs);
        wire.extend_from_slice(window.tlvs);
        let length = (wire.len() - start) as u32;
        wire[start..start + 4].copy_from_slice(&length.to_be_bytes());
        let records = &mut out.records;
        records.extend_from_slice(&(index as u32).to_le_bytes());
        records.extend_from_slice(&(k as u16).to_le_bytes());
        records.extend_from_slice(&(total as u16).to_le_bytes());
        records.extend_from_slice(&sequence.to_le_bytes());
        records.extend_from_slice(&(start as u32).to_le_bytes());
    }
}

impl From<PduError> for Refusal {
    fn from(error: PduError) -> Self {
        Refusal::Pdu(error)
    }
}

/// SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV, look-alikes
/// replaced where that keeps it GSM 7-bit; its data_coding and octets.
fn payload(text: &str, window: &Window<'_>) -> Result<(u8, Vec<u8>), Refusal> {
    let options = Options {
        smart: window.smart,
        ..Options::default()
    };
    let analysis = analyze(text, window.profile, &options).map_err(Refusal::Text)?;
    let replaced;
    let text = if analysis.replacements.is_empty() {
        text
    } else {
        let mut characters: Vec<String> = text.chars().map(String::from).collect();
        for &(at, _, replacement) in &analysis.replacements {
            characters[at] = replacement.to_owned();
        }
        replaced = characters.concat();
        &replaced
    };
    let body = if analysis.encoding == "gsm7" {
        gsm7::encode_gsm7(text).map_err(Refusal::Text)?
    } else {
        ucs2::encode_ucs2(text)
    };
    Ok((analysis.data_coding, body))
}
