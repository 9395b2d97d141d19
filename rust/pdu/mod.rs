//! The SMPP 3.4 PDU codec: header, bodies, TLVs, command status, stream framing.
//!
//! Bodies are described field by field in [`schema`] (the same table as
//! `python/smswire/pdu/_types.py::BODIES`); [`codec`] walks it to decode and
//! encode, so every PDU gets the same validation. Decoded values borrow from
//! the input. Nothing here panics on any input: see the fuzz tests in
//! [`codec`] and [`framer`].

pub mod codec;
pub mod framer;
pub mod schema;
pub mod status;

pub use codec::{
    check_header, decode, decode_body, encode, read_body, Dest, Encoder, Pdu, Sink, Tlv, Unsuccess,
    Value,
};
pub use framer::Framer;
pub use schema::{FieldSpec, Kind, PduSpec, HEADER_LENGTH, MAX_COMMAND_LENGTH};

use std::fmt;

/// A PDU that cannot be decoded or encoded, with the command_status a server
/// answers it with and, where known, the field at fault and the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PduError {
    pub message: String,
    pub status: u32,
    pub field: Option<&'static str>,
    pub command_id: Option<u32>,
    pub sequence_number: Option<u32>,
}

impl fmt::Display for PduError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PduError {}
