//! The body of every SMPP 3.4 PDU, field by field (SMPP 3.4 §4).
//!
//! Mirrors `BODIES` in `python/smswire/pdu/_types.py`; the binding reads the
//! field names from here, and tests/pdu/test_schema.py checks both agree.

/// SMPP 3.4 §3.2: command_length, command_id, command_status, sequence_number.
pub const HEADER_LENGTH: usize = 16;
/// SMPP 3.4 §3.2 sets no upper bound; 64 KiB holds a full message_payload
/// TLV (§5.3.2.32) and is jSMPP's default maximum PDU size.
pub const MAX_COMMAND_LENGTH: u32 = 65536;
/// SMPP 3.4 §5.2.4: interface_version 0x34.
pub const INTERFACE_VERSION: u8 = 0x34;
/// SMPP 3.4 §4.4.1: short_message is at most 254 octets.
pub const MAX_SHORT_MESSAGE: usize = 254;
/// SMPP 3.4 §4.5.1: at most 254 destination addresses.
pub const MAX_DESTINATIONS: usize = 254;
/// SMPP 3.4 §4.5.1.1, §4.5.2: destination_addr and dl_name, 21 with NUL.
pub const ADDRESS_LIMIT: usize = 21;
/// SMPP 3.4 §7.1: an absolute or relative time is 16 characters.
pub const TIME_LENGTH: usize = 16;

/// How one body field is laid out on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// C-Octet String, NUL-terminated; the limit counts the NUL (§3.1).
    CString(usize),
    /// C-Octet String of 0 or 16 characters plus NUL (§7.1).
    Time,
    /// One octet, with the dataclass default.
    U8(u8),
    /// sm_length octet then that many octets (§4.4.1).
    ShortMessage,
    /// number_of_dests then dest_address entries (§4.5.1.1).
    DestAddress,
    /// no_unsuccess then unsuccess_sme entries (§4.5.2).
    UnsuccessSme,
}

impl Kind {
    /// The kind number shared with the Python schema.
    pub fn code(self) -> u8 {
        match self {
            Kind::CString(_) => 0,
            Kind::Time => 1,
            Kind::U8(_) => 2,
            Kind::ShortMessage => 3,
            Kind::DestAddress => 4,
            Kind::UnsuccessSme => 5,
        }
    }

    /// The limit as the Python schema states it.
    pub fn limit(self) -> usize {
        match self {
            Kind::CString(limit) => limit,
            Kind::Time => TIME_LENGTH + 1,
            Kind::U8(_) => 0,
            Kind::ShortMessage => MAX_SHORT_MESSAGE,
            Kind::DestAddress => MAX_DESTINATIONS,
            Kind::UnsuccessSme => 255,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
}

#[derive(Debug, PartialEq, Eq)]
pub struct PduSpec {
    pub command_id: u32,
    /// The Python class name (CamelCase of the spec's PDU name).
    pub name: &'static str,
    pub fields: &'static [FieldSpec],
}

impl PduSpec {
    pub fn is_response(&self) -> bool {
        self.command_id & 0x8000_0000 != 0
    }
}

const fn f(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec { name, kind }
}

const U8: Kind = Kind::U8(0);
const SME_ADDR: usize = 21;
const BIG_ADDR: usize = 65; // SMPP 3.4 §4.7.1, §4.12.1

// SMPP 3.4 §4.1.1, §4.1.3, §4.1.5
const BIND: &[FieldSpec] = &[
    f("system_id", Kind::CString(16)),
    f("password", Kind::CString(9)),
    f("system_type", Kind::CString(13)),
    f("interface_version", Kind::U8(INTERFACE_VERSION)),
    f("addr_ton", U8),
    f("addr_npi", U8),
    f("address_range", Kind::CString(41)),
];
const BIND_RESP: &[FieldSpec] = &[f("system_id", Kind::CString(16))]; // §4.1.2
const MESSAGE_ID: &[FieldSpec] = &[f("message_id", Kind::CString(65))]; // §4.4.2
                                                                        // SMPP 3.4 §4.4.1 submit_sm and §4.6.1 deliver_sm.
const SM: &[FieldSpec] = &[
    f("service_type", Kind::CString(6)),
    f("source_addr_ton", U8),
    f("source_addr_npi", U8),
    f("source_addr", Kind::CString(SME_ADDR)),
    f("dest_addr_ton", U8),
    f("dest_addr_npi", U8),
    f("destination_addr", Kind::CString(SME_ADDR)),
    f("esm_class", U8),
    f("protocol_id", U8),
    f("priority_flag", U8),
    f("schedule_delivery_time", Kind::Time),
    f("validity_period", Kind::Time),
    f("registered_delivery", U8),
    f("replace_if_present_flag", U8),
    f("data_coding", U8),
    f("sm_default_msg_id", U8),
    f("short_message", Kind::ShortMessage),
];
// SMPP 3.4 §4.5.1
const SUBMIT_MULTI: &[FieldSpec] = &[
    f("service_type", Kind::CString(6)),
    f("source_addr_ton", U8),
    f("source_addr_npi", U8),
    f("source_addr", Kind::CString(SME_ADDR)),
    f("dest_address", Kind::DestAddress),
    f("esm_class", U8),
    f("protocol_id", U8),
    f("priority_flag", U8),
    f("schedule_delivery_time", Kind::Time),
    f("validity_period", Kind::Time),
    f("registered_delivery", U8),
    f("replace_if_present_flag", U8),
    f("data_coding", U8),
    f("sm_default_msg_id", U8),
    f("short_message", Kind::ShortMessage),
];
// SMPP 3.4 §4.7.1
const DATA_SM: &[FieldSpec] = &[
    f("service_type", Kind::CString(6)),
    f("source_addr_ton", U8),
    f("source_addr_npi", U8),
    f("source_addr", Kind::CString(BIG_ADDR)),
    f("dest_addr_ton", U8),
    f("dest_addr_npi", U8),
    f("destination_addr", Kind::CString(BIG_ADDR)),
    f("esm_class", U8),
    f("registered_delivery", U8),
    f("data_coding", U8),
];

/// Every PDU of SMPP 3.4 §4, in the order of `smswire.pdu.PDU_CLASSES`.
pub static PDUS: [PduSpec; 27] = [
    PduSpec {
        command_id: 0x0000_0002,
        name: "BindTransmitter",
        fields: BIND,
    },
    PduSpec {
        command_id: 0x8000_0002,
        name: "BindTransmitterResp",
        fields: BIND_RESP,
    },
    PduSpec {
        command_id: 0x0000_0001,
        name: "BindReceiver",
        fields: BIND,
    },
    PduSpec {
        command_id: 0x8000_0001,
        name: "BindReceiverResp",
        fields: BIND_RESP,
    },
    PduSpec {
        command_id: 0x0000_0009,
        name: "BindTransceiver",
        fields: BIND,
    },
    PduSpec {
        command_id: 0x8000_0009,
        name: "BindTransceiverResp",
        fields: BIND_RESP,
    },
    // SMPP 3.4 §4.1.7
    PduSpec {
        command_id: 0x0000_000B,
        name: "Outbind",
        fields: &[
            f("system_id", Kind::CString(16)),
            f("password", Kind::CString(9)),
        ],
    },
    PduSpec {
        command_id: 0x0000_0006,
        name: "Unbind",
        fields: &[],
    },
    PduSpec {
        command_id: 0x8000_0006,
        name: "UnbindResp",
        fields: &[],
    },
    PduSpec {
        command_id: 0x8000_0000,
        name: "GenericNack",
        fields: &[],
    },
    PduSpec {
        command_id: 0x0000_0004,
        name: "SubmitSm",
        fields: SM,
    },
    PduSpec {
        command_id: 0x8000_0004,
        name: "SubmitSmResp",
        fields: MESSAGE_ID,
    },
    PduSpec {
        command_id: 0x0000_0021,
        name: "SubmitMulti",
        fields: SUBMIT_MULTI,
    },
    // SMPP 3.4 §4.5.2
    PduSpec {
        command_id: 0x8000_0021,
        name: "SubmitMultiResp",
        fields: &[
            f("message_id", Kind::CString(65)),
            f("unsuccess_sme", Kind::UnsuccessSme),
        ],
    },
    PduSpec {
        command_id: 0x0000_0005,
        name: "DeliverSm",
        fields: SM,
    },
    PduSpec {
        command_id: 0x8000_0005,
        name: "DeliverSmResp",
        fields: MESSAGE_ID,
    },
    PduSpec {
        command_id: 0x0000_0103,
        name: "DataSm",
        fields: DATA_SM,
    },
    PduSpec {
        command_id: 0x8000_0103,
        name: "DataSmResp",
        fields: MESSAGE_ID,
    },
    // SMPP 3.4 §4.8.1
    PduSpec {
        command_id: 0x0000_0003,
        name: "QuerySm",
        fields: &[
            f("message_id", Kind::CString(65)),
            f("source_addr_ton", U8),
            f("source_addr_npi", U8),
            f("source_addr", Kind::CString(SME_ADDR)),
        ],
    },
    // SMPP 3.4 §4.8.2
    PduSpec {
        command_id: 0x8000_0003,
        name: "QuerySmResp",
        fields: &[
            f("message_id", Kind::CString(65)),
            f("final_date", Kind::Time),
            f("message_state", U8),
            f("error_code", U8),
        ],
    },
    // SMPP 3.4 §4.9.1
    PduSpec {
        command_id: 0x0000_0008,
        name: "CancelSm",
        fields: &[
            f("service_type", Kind::CString(6)),
            f("message_id", Kind::CString(65)),
            f("source_addr_ton", U8),
            f("source_addr_npi", U8),
            f("source_addr", Kind::CString(SME_ADDR)),
            f("dest_addr_ton", U8),
            f("dest_addr_npi", U8),
            f("destination_addr", Kind::CString(SME_ADDR)),
        ],
    },
    PduSpec {
        command_id: 0x8000_0008,
        name: "CancelSmResp",
        fields: &[],
    },
    // SMPP 3.4 §4.10.1
    PduSpec {
        command_id: 0x0000_0007,
        name: "ReplaceSm",
        fields: &[
            f("message_id", Kind::CString(65)),
            f("source_addr_ton", U8),
            f("source_addr_npi", U8),
            f("source_addr", Kind::CString(SME_ADDR)),
            f("schedule_delivery_time", Kind::Time),
            f("validity_period", Kind::Time),
            f("registered_delivery", U8),
            f("sm_default_msg_id", U8),
            f("short_message", Kind::ShortMessage),
        ],
    },
    PduSpec {
        command_id: 0x8000_0007,
        name: "ReplaceSmResp",
        fields: &[],
    },
    PduSpec {
        command_id: 0x0000_0015,
        name: "EnquireLink",
        fields: &[],
    },
    PduSpec {
        command_id: 0x8000_0015,
        name: "EnquireLinkResp",
        fields: &[],
    },
    // SMPP 3.4 §4.12.1
    PduSpec {
        command_id: 0x0000_0102,
        name: "AlertNotification",
        fields: &[
            f("source_addr_ton", U8),
            f("source_addr_npi", U8),
            f("source_addr", Kind::CString(BIG_ADDR)),
            f("esme_addr_ton", U8),
            f("esme_addr_npi", U8),
            f("esme_addr", Kind::CString(BIG_ADDR)),
        ],
    },
];

/// The index in [`PDUS`] of the PDU with this command_id (SMPP 3.4 §5.1.2.1).
pub fn index_of(command_id: u32) -> Option<usize> {
    Some(match command_id {
        0x0000_0002 => 0,
        0x8000_0002 => 1,
        0x0000_0001 => 2,
        0x8000_0001 => 3,
        0x0000_0009 => 4,
        0x8000_0009 => 5,
        0x0000_000B => 6,
        0x0000_0006 => 7,
        0x8000_0006 => 8,
        0x8000_0000 => 9,
        0x0000_0004 => 10,
        0x8000_0004 => 11,
        0x0000_0021 => 12,
        0x8000_0021 => 13,
        0x0000_0005 => 14,
        0x8000_0005 => 15,
        0x0000_0103 => 16,
        0x8000_0103 => 17,
        0x0000_0003 => 18,
        0x8000_0003 => 19,
        0x0000_0008 => 20,
        0x8000_0008 => 21,
        0x0000_0007 => 22,
        0x8000_0007 => 23,
        0x0000_0015 => 24,
        0x8000_0015 => 25,
        0x0000_0102 => 26,
        _ => return None,
    })
}

/// The spec of the PDU with this command_id.
pub fn spec(command_id: u32) -> Option<&'static PduSpec> {
    index_of(command_id).map(|index| &PDUS[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_of_finds_every_pdu_at_its_place() {
        for (index, pdu) in PDUS.iter().enumerate() {
            assert_eq!(index_of(pdu.command_id), Some(index), "{}", pdu.name);
        }
        assert_eq!(index_of(0x0000_0110), None);
    }

    #[test]
    fn every_request_of_smpp_3_4_has_its_response() {
        for pdu in PDUS.iter().filter(|p| !p.is_response()) {
            let has_response = spec(pdu.command_id | 0x8000_0000).is_some();
            // SMPP 3.4 §4.1.7, §4.12.1: outbind and alert_notification have none.
            assert_eq!(
                has_response,
                !matches!(pdu.name, "Outbind" | "AlertNotification")
            );
        }
    }

    #[test]
    fn submit_sm_and_deliver_sm_share_their_17_fields() {
        assert_eq!(spec(0x04).unwrap().fields.len(), 17);
        assert!(std::ptr::eq(
            spec(0x04).unwrap().fields,
            spec(0x05).unwrap().fields
        ));
    }
}
