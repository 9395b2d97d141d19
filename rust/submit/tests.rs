use super::*;
use crate::pdu::codec::{self, encode_into, Value};

fn window<'a>(profile: &'a Profile, concatenation: Concatenation) -> Window<'a> {
    Window {
        profile,
        national: &[],
        smart: false,
        concatenation,
        flash: false,
        registered_delivery: true,
        service_type: b"",
        validity_period: b"",
        tlvs: b"",
        reference: 7,
        first_sequence: 1,
    }
}

fn message(text: &str) -> Message<'_> {
    Message {
        position: 0,
        source: (5, 0, "LINK"),
        destination: (1, 1, "4746910822"),
        text,
    }
}

/// (message, part, parts, sequence_number, offset) of each record.
fn records(encoded: &Encoded) -> Vec<(u32, u16, u16, u32, u32)> {
    encoded
        .records
        .chunks_exact(RECORD_OCTETS)
        .map(|r| {
            let u32_at = |at: usize| u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
            let u16_at = |at: usize| u16::from_le_bytes([r[at], r[at + 1]]);
            (u32_at(0), u16_at(4), u16_at(6), u32_at(8), u32_at(12))
        })
        .collect()
}

/// Each PDU of the wire, decoded; each must re-encode to its very octets.
fn pdus(wire: &[u8]) -> Vec<codec::Pdu<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        let length = codec::header(&wire[at..]).0 as usize;
        let pdu = codec::decode(&wire[at..at + length]).expect("a valid PDU");
        let mut again = Vec::new();
        encode_into(&mut again, &pdu).expect("re-encodes");
        assert_eq!(again, &wire[at..at + length]);
        out.push(pdu);
        at += length;
    }
    out
}

fn field<'p>(pdu: &'p codec::Pdu<'_>, name: &str) -> &'p Value<'p> {
    let at = pdu.spec.fields.iter().position(|f| f.name == name).unwrap();
    &pdu.body[at]
}

#[test]
fn a_160_character_gsm_text_is_one_submit_sm_numbered_first() {
    let profile = Profile::standard();
    let text = "a".repeat(160);
    let encoded = encode_window(&window(&profile, Concatenation::Udh), &[message(&text)]);
    assert!(encoded.refused.is_empty());
    assert_eq!(records(&encoded), vec![(0, 0, 1, 1, 0)]);
    let pdus = pdus(&encoded.wire);
    let pdu = &pdus[0];
    assert_eq!((pdu.spec.name, pdu.sequence_number), ("SubmitSm", 1));
    assert_eq!(field(pdu, "source_addr"), &Value::Str(b"LINK"));
    assert_eq!(field(pdu, "source_addr_ton"), &Value::U8(5));
    assert_eq!(field(pdu, "destination_addr"), &Value::Str(b"4746910822"));
    assert_eq!(field(pdu, "dest_addr_npi"), &Value::U8(1));
    assert_eq!(field(pdu, "esm_class"), &Value::U8(0));
    assert_eq!(field(pdu, "registered_delivery"), &Value::U8(1));
    assert_eq!(field(pdu, "short_message"), &Value::Bytes(text.as_bytes()));
}

#[test]
fn parts_carry_a_udh_and_consecutive_numbers_across_messages() {
    let profile = Profile::standard();
    let long = "b".repeat(200);
    let messages = [
        message(&long),
        Message {
            position: 1,
            ..message("hi")
        },
    ];
    let mut shared = window(&profile, Concatenation::Udh);
    shared.first_sequence = 41;
    shared.flash = true;
    let encoded = encode_window(&shared, &messages);
    let pdus = pdus(&encoded.wire);
    let records = records(&encoded);
    assert_eq!(
        records
            .iter()
            .map(|r| (r.0, r.1, r.2, r.3))
            .collect::<Vec<_>>(),
        vec![(0, 0, 2, 41), (0, 1, 2, 42), (1, 0, 1, 43)]
    );
    for (record, pdu) in records.iter().zip(&pdus) {
        let at = record.4 as usize;
        assert_eq!(codec::header(&encoded.wire[at..]).3, record.3);
        assert_eq!(pdu.sequence_number, record.3);
        assert_eq!(field(pdu, "data_coding"), &Value::U8(DATA_CODING_FLASH_BIT));
    }
    assert_eq!(field(&pdus[0], "esm_class"), &Value::U8(ESM_CLASS_UDHI));
    let Value::Bytes(first) = field(&pdus[0], "short_message") else {
        panic!("short_message is octets")
    };
    // 3GPP TS 23.040 §9.2.3.24.1: UDHL 5, IEI 0, IEDL 3, reference 7, 2 parts, part 1.
    assert_eq!(&first[..6], &[5, 0, 3, 7, 2, 1]);
    assert_eq!(field(&pdus[2], "esm_class"), &Value::U8(0));
}

#[test]
fn the_sequence_number_wraps_to_1_after_its_maximum() {
    let profile = Profile::standard();
    let mut shared = window(&profile, Concatenation::Udh);
    shared.first_sequence = MAX_SEQUENCE_NUMBER;
    let two = Message {
        position: 1,
        ..message("two")
    };
    let encoded = encode_window(&shared, &[message("one"), two]);
    let numbers: Vec<u32> = records(&encoded).iter().map(|r| r.3).collect();
    assert_eq!(numbers, vec![MAX_SEQUENCE_NUMBER, 1]);
}

#[test]
fn a_refused_message_leaves_no_octets_and_takes_no_number() {
    let profile = Profile::standard();
    let too_long = "1".repeat(21);
    let huge = "c".repeat(40_000);
    let bad = [
        message(""),
        Message {
            destination: (1, 1, &too_long),
            ..message("x")
        },
        Message {
            source: (5, 0, "Ωmega"),
            ..message("x")
        },
        message(&huge),
    ];
    let messages = [
        message("first"),
        Message {
            position: 1,
            ..bad[0]
        },
        Message {
            position: 2,
            ..bad[1]
        },
    ];
    let encoded = encode_window(&window(&profile, Concatenation::Udh), &messages);
    assert_eq!(encoded.refused.len(), 2);
    let refused: Vec<String> = bad
        .iter()
        .map(|m| {
            let alone = encode_window(&window(&profile, Concatenation::Udh), &[*m]);
            assert!(alone.wire.is_empty() && alone.records.is_empty());
            match &alone.refused[..] {
                [(0, Refusal::Text(e))] => e.message().to_owned(),
                [(0, Refusal::Pdu(e))] => e.message.clone(),
                other => panic!("one refusal, not {other:?}"),
            }
        })
        .collect();
    assert_eq!(refused[0], "text is empty: there is nothing to send");
    assert_eq!(
        refused[1],
        "SubmitSm.destination_addr: 21 octets exceed the maximum of 20 (plus NUL)"
    );
    assert_eq!(
        refused[2],
        "SubmitSm.source_addr: character at index 0 is above U+00FF (C-Octet Strings are octets)"
    );
    assert_eq!(
        refused[3],
        "text needs 40000 septets; profile 'standard' allows at most 39015"
    );
    let records = records(&encoded);
    assert_eq!(records, vec![(0, 0, 1, 1, 0)]);
    assert_eq!(encoded.wire.len(), codec::header(&encoded.wire).0 as usize);
}

#[test]
fn sar_parts_carry_the_three_tlvs_before_the_windows_own() {
    let profile = Profile::standard();
    let mut shared = window(&profile, Concatenation::Sar);
    // user_message_reference (SMPP 3.4 §5.3.2.17), encoded by the caller.
    shared.tlvs = &[0x02, 0x04, 0x00, 0x02, 0x00, 0x09];
    let long = "d".repeat(300);
    let encoded = encode_window(&shared, &[message(&long)]);
    let pdus = pdus(&encoded.wire);
    assert_eq!(pdus.len(), 2);
    for (k, pdu) in pdus.iter().enumerate() {
        let tags: Vec<(u16, &[u8])> = pdu.tlvs.iter().map(|t| (t.tag, t.value)).collect();
        assert_eq!(
            tags,
            vec![
                (SAR_MSG_REF_NUM, &[0u8, 7][..]),
                (SAR_TOTAL_SEGMENTS, &[2u8][..]),
                (SAR_SEGMENT_SEQNUM, &[k as u8 + 1][..]),
                (0x0204, &[0u8, 9][..]),
            ]
        );
        assert_eq!(field(pdu, "esm_class"), &Value::U8(0));
    }
}

#[test]
fn payload_carries_the_whole_text_in_one_tlv() {
    let profile = Profile::standard();
    let mut shared = window(&profile, Concatenation::Payload);
    shared.registered_delivery = false;
    shared.validity_period = b"000001000000000R";
    let long = "€".repeat(300);
    let encoded = encode_window(&shared, &[message(&long)]);
    let pdus = pdus(&encoded.wire);
    let pdu = &pdus[0];
    assert_eq!(field(pdu, "short_message"), &Value::Bytes(b""));
    assert_eq!(field(pdu, "registered_delivery"), &Value::U8(0));
    assert_eq!(
        field(pdu, "validity_period"),
        &Value::Str(b"000001000000000R")
    );
    assert_eq!(pdu.tlvs[0].tag, MESSAGE_PAYLOAD);
    // GSM 7-bit unpacked: ESC and 0x65 for each euro sign (3GPP TS 23.038 §6.2.1.1).
    assert_eq!(pdu.tlvs[0].value, [0x1B, 0x65].repeat(300));
}

#[test]
fn a_message_counts_its_reference_from_its_place_in_the_window() {
    let profile = Profile::standard();
    let mut shared = window(&profile, Concatenation::Udh);
    shared.reference = 254;
    let long = "e".repeat(170);
    // Places 0 and 1 were refused before the core saw them: the message at
    // place 2 still takes reference 254 + 2, modulo 256.
    let third = Message {
        position: 2,
        ..message(&long)
    };
    let encoded = encode_window(&shared, &[third]);
    assert_eq!(records(&encoded)[0].0, 2);
    let pdus = pdus(&encoded.wire);
    let Value::Bytes(first) = field(&pdus[0], "short_message") else {
        panic!("short_message is octets")
    };
    assert_eq!(&first[..6], &[5, 0, 3, 0, 2, 1]);
}
