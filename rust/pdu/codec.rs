//! Decoding and encoding of whole PDUs by walking [`schema`](super::schema).

use std::fmt::Display;

use super::schema::{
    self, Kind, PduSpec, ADDRESS_LIMIT, HEADER_LENGTH, MAX_DESTINATIONS, MAX_SHORT_MESSAGE,
    TIME_LENGTH,
};
use super::{status, PduError};

/// SMPP 3.4 §5.3.2.32: message_payload.
pub const MESSAGE_PAYLOAD: u16 = 0x0424;
const RESPONSE_BIT: u32 = 0x8000_0000;
const SME_ADDRESS_FLAG: u8 = 1; // SMPP 3.4 §4.5.1.1 dest_flag
const DISTRIBUTION_LIST_FLAG: u8 = 2;
const MAX_TLV_VALUE: usize = 0xFFFF; // SMPP 3.4 §3.2.3: two-octet length
const MAX_UNSUCCESS: usize = 255; // SMPP 3.4 §4.5.2: one-octet no_unsuccess

/// One decoded body field; strings and octets borrow from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    U8(u8),
    /// A C-Octet String without its NUL (latin-1 octets).
    Str(&'a [u8]),
    Bytes(&'a [u8]),
    Dests(Vec<Dest<'a>>),
    Unsuccess(Vec<Unsuccess<'a>>),
}

impl Value<'_> {
    /// The value of a field the PDU did not carry (an empty response body).
    pub fn default_for(kind: Kind) -> Value<'static> {
        match kind {
            Kind::CString(_) | Kind::Time => Value::Str(b""),
            Kind::U8(default) => Value::U8(default),
            Kind::ShortMessage => Value::Bytes(b""),
            Kind::DestAddress => Value::Dests(Vec::new()),
            Kind::UnsuccessSme => Value::Unsuccess(Vec::new()),
        }
    }
}

/// A submit_multi destination (SMPP 3.4 §4.5.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest<'a> {
    Sme { ton: u8, npi: u8, address: &'a [u8] },
    List(&'a [u8]),
}

/// A destination submit_multi failed for (SMPP 3.4 §4.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsuccess<'a> {
    pub ton: u8,
    pub npi: u8,
    pub address: &'a [u8],
    pub error_status_code: u32,
}

/// An optional parameter (SMPP 3.4 §3.2.3), kept as raw octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u16,
    pub value: &'a [u8],
}

/// A decoded PDU: its spec, header values, body fields in spec order and TLVs
/// in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu<'a> {
    pub spec: &'static PduSpec,
    pub command_status: u32,
    pub sequence_number: u32,
    pub body: Vec<Value<'a>>,
    pub tlvs: Vec<Tlv<'a>>,
}

fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// The four header fields of a PDU that starts `data` (at least 16 octets).
pub fn header(data: &[u8]) -> (u32, u32, u32, u32) {
    (be32(data, 0), be32(data, 4), be32(data, 8), be32(data, 12))
}

/// Decode exactly one whole PDU.
pub fn decode(data: &[u8]) -> Result<Pdu<'_>, PduError> {
    let (spec, command_status, sequence_number) = check_header(data)?;
    let mut pdu = Pdu::new(spec, command_status, sequence_number);
    read_body(spec, &data[HEADER_LENGTH..], sequence_number, &mut pdu)?;
    Ok(pdu)
}

/// The spec, command_status and sequence_number of exactly one whole PDU,
/// once its command_length matches the data and its command_id is known.
pub fn check_header(data: &[u8]) -> Result<(&'static PduSpec, u32, u32), PduError> {
    if data.len() < HEADER_LENGTH {
        return Err(PduError {
            message: format!(
                "command_length: a PDU is at least {HEADER_LENGTH} octets, got {}",
                data.len()
            ),
            status: status::ESME_RINVCMDLEN,
            field: Some("command_length"),
            command_id: None,
            sequence_number: None,
        });
    }
    let (length, command_id, command_status, sequence) = header(data);
    if length as usize != data.len() || length < HEADER_LENGTH as u32 {
        return Err(PduError {
            message: format!(
                "command_length: the header says {length} octets, the data holds {}",
                data.len()
            ),
            status: status::ESME_RINVCMDLEN,
            field: Some("command_length"),
            command_id: Some(command_id),
            sequence_number: Some(sequence),
        });
    }
    Ok((known_spec(command_id, sequence)?, command_status, sequence))
}

fn known_spec(command_id: u32, sequence_number: u32) -> Result<&'static PduSpec, PduError> {
    schema::spec(command_id).ok_or_else(|| PduError {
        // SMPP 3.4 §5.1.2.1: an unknown command_id is answered with generic_nack.
        message: format!("command_id: 0x{command_id:08X} is not an SMPP 3.4 command"),
        status: status::ESME_RINVCMDID,
        field: Some("command_id"),
        command_id: Some(command_id),
        sequence_number: Some(sequence_number),
    })
}

/// Decode the body of a PDU whose header has been read.
pub fn decode_body(
    body: &[u8],
    command_id: u32,
    command_status: u32,
    sequence_number: u32,
) -> Result<Pdu<'_>, PduError> {
    let spec = known_spec(command_id, sequence_number)?;
    let mut pdu = Pdu::new(spec, command_status, sequence_number);
    read_body(spec, body, sequence_number, &mut pdu)?;
    Ok(pdu)
}

/// Where [`read_body`] puts a body's parts as it reads them, so a caller can
/// build its own representation without an intermediate [`Pdu`] (the Python
/// binding builds its objects straight from them).
pub trait Sink<'a> {
    type Error: From<PduError>;
    /// The field at `position` of the spec's fields; each comes once, in order.
    fn field(&mut self, position: usize, value: Value<'a>) -> Result<(), Self::Error>;
    /// An optional parameter, in wire order, after every field.
    fn tlv(&mut self, tlv: Tlv<'a>) -> Result<(), Self::Error>;
}

impl<'a> Pdu<'a> {
    fn new(spec: &'static PduSpec, command_status: u32, sequence_number: u32) -> Self {
        Pdu {
            spec,
            command_status,
            sequence_number,
            body: Vec::with_capacity(spec.fields.len()),
            tlvs: Vec::new(),
        }
    }
}

impl<'a> Sink<'a> for Pdu<'a> {
    type Error = PduError;

    fn field(&mut self, _position: usize, value: Value<'a>) -> Result<(), PduError> {
        self.body.push(value);
        Ok(())
    }

    fn tlv(&mut self, tlv: Tlv<'a>) -> Result<(), PduError> {
        self.tlvs.push(tlv);
        Ok(())
    }
}

/// Read a body of `spec` into `sink`, checking all of it; errors carry the
/// PDU's `sequence_number`.
pub fn read_body<'a, S: Sink<'a>>(
    spec: &'static PduSpec,
    body: &'a [u8],
    sequence_number: u32,
    sink: &mut S,
) -> Result<(), S::Error> {
    if body.is_empty() && spec.is_response() {
        // SMPP 3.4 §4.4.2 (and the other responses): no body is returned with
        // a non-zero command_status; real SMSCs omit it on success too.
        for (position, field) in spec.fields.iter().enumerate() {
            sink.field(position, Value::default_for(field.kind))?;
        }
        return Ok(());
    }
    let mut reader = Reader {
        data: body,
        pos: 0,
        command_id: spec.command_id,
        sequence_number,
    };
    let mut short_message_present = false;
    for (position, field) in spec.fields.iter().enumerate() {
        // Each value goes to the sink as soon as it is read: with the sink's
        // `field` inlined, its match on the value folds into this one.
        let name = field.name;
        let value = match field.kind {
            Kind::U8(_) => Value::U8(reader.u8(name)?),
            Kind::CString(limit) => Value::Str(reader.cstring(name, limit)?),
            Kind::Time => Value::Str(reader.time(name)?),
            Kind::ShortMessage => {
                let octets = reader.short_message(name)?;
                short_message_present = !octets.is_empty();
                Value::Bytes(octets)
            }
            Kind::DestAddress => Value::Dests(reader.dest_address()?),
            Kind::UnsuccessSme => Value::Unsuccess(reader.unsuccess_sme()?),
        };
        sink.field(position, value)?;
    }
    let payload = reader.tlvs(sink)?;
    if short_message_present && payload {
        return Err(reader
            .fail(
                "message_payload: not allowed together with a non-empty short_message".into(),
                status::for_field("message_payload"),
                "message_payload",
            )
            .into());
    }
    Ok(())
}

/// The index of the first NUL in `octets`, read eight at a time: a
/// message_id is up to 65 octets, and a byte-by-byte scan was the decoder's
/// largest cost for a submit_sm_resp.
fn find_nul(octets: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = octets.chunks_exact(8);
    for (index, chunk) in (&mut chunks).enumerate() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // A zero byte sets its high bit here; a false positive can only
        // follow a true zero in memory order, so the lowest bit is the first.
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return Some(index * 8 + (zeros.trailing_zeros() / 8) as usize);
        }
    }
    let tail = octets.len() - chunks.remainder().len();
    chunks
        .remainder()
        .iter()
        .position(|&octet| octet == 0)
        .map(|position| tail + position)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    command_id: u32,
    sequence_number: u32,
}

impl<'a> Reader<'a> {
    #[cold]
    fn fail(&self, message: String, status: u32, field: &'static str) -> PduError {
        PduError {
            message,
            status,
            field: Some(field),
            command_id: Some(self.command_id),
            sequence_number: Some(self.sequence_number),
        }
    }

    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    #[cold]
    fn truncated(&self, field: &'static str) -> PduError {
        // SMPP 3.4 §3.2: command_length covers the whole PDU; a body that ends
        // inside a mandatory field contradicts it.
        self.fail(
            format!("{field}: the body ends inside this field (command_length too short)"),
            status::ESME_RINVCMDLEN,
            field,
        )
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, PduError> {
        let Some(&value) = self.data.get(self.pos) else {
            return Err(self.truncated(field));
        };
        self.pos += 1;
        Ok(value)
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, PduError> {
        if self.left() < 4 {
            return Err(self.truncated(field));
        }
        let value = be32(self.data, self.pos);
        self.pos += 4;
        Ok(value)
    }

    fn cstring(&mut self, field: &'static str, limit: usize) -> Result<&'a [u8], PduError> {
        // SMPP 3.4 §3.1: a C-Octet String ends with NUL; limit counts the NUL.
        let rest = &self.data[self.pos..];
        let window = &rest[..rest.len().min(limit)];
        match find_nul(window) {
            Some(nul) => {
                self.pos += nul + 1;
                Ok(&rest[..nul])
            }
            None if rest.len() < limit => Err(self.truncated(field)),
            None => Err(self.fail(
                format!("{field}: no NUL terminator within its maximum of {limit} octets"),
                status::for_field(field),
                field,
            )),
        }
    }

    fn time(&mut self, name: &'static str) -> Result<&'a [u8], PduError> {
        let value = self.cstring(name, TIME_LENGTH + 1)?;
        if !value.is_empty() && value.len() != TIME_LENGTH {
            // SMPP 3.4 §7.1: a time is NULL or exactly 16 characters.
            return Err(self.fail(
                format!(
                    "{name}: a time is empty or exactly {TIME_LENGTH} characters, got {}",
                    value.len()
                ),
                status::for_field(name),
                name,
            ));
        }
        Ok(value)
    }

    fn short_message(&mut self, name: &'static str) -> Result<&'a [u8], PduError> {
        let length = self.u8("sm_length")? as usize;
        if length > self.left() {
            // SMPP 3.4 §4.4.1: sm_length gives the octets of short_message.
            return Err(self.fail(
                format!(
                    "{name}: sm_length {length} exceeds the {} octets left in the body",
                    self.left()
                ),
                status::ESME_RINVMSGLEN,
                name,
            ));
        }
        let value = &self.data[self.pos..self.pos + length];
        self.pos += length;
        Ok(value)
    }

    fn dest_address(&mut self) -> Result<Vec<Dest<'a>>, PduError> {
        let count = self.u8("number_of_dests")? as usize;
        if count > MAX_DESTINATIONS {
            return Err(self.fail(
                format!("number_of_dests: {count} exceeds the maximum of {MAX_DESTINATIONS}"),
                status::for_field("number_of_dests"),
                "number_of_dests",
            ));
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            match self.u8("dest_flag")? {
                SME_ADDRESS_FLAG => {
                    let ton = self.u8("dest_addr_ton")?;
                    let npi = self.u8("dest_addr_npi")?;
                    let address = self.cstring("destination_addr", ADDRESS_LIMIT)?;
                    entries.push(Dest::Sme { ton, npi, address });
                }
                DISTRIBUTION_LIST_FLAG => {
                    entries.push(Dest::List(self.cstring("dl_name", ADDRESS_LIMIT)?));
                }
                flag => {
                    return Err(self.fail(
                        format!(
                            "dest_flag: {flag} is neither 1 (SME address) nor 2 (distribution list)"
                        ),
                        status::for_field("dest_flag"),
                        "dest_flag",
                    ))
                }
            }
        }
        Ok(entries)
    }

    fn unsuccess_sme(&mut self) -> Result<Vec<Unsuccess<'a>>, PduError> {
        let count = self.u8("no_unsuccess")? as usize;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let ton = self.u8("dest_addr_ton")?;
            let npi = self.u8("dest_addr_npi")?;
            let address = self.cstring("destination_addr", ADDRESS_LIMIT)?;
            let error_status_code = self.u32("error_status_code")?;
            entries.push(Unsuccess {
                ton,
                npi,
                address,
                error_status_code,
            });
        }
        Ok(entries)
    }

    /// Every TLV into `sink`; whether one was message_payload.
    fn tlvs<S: Sink<'a>>(&mut self, sink: &mut S) -> Result<bool, S::Error> {
        let mut payload = false;
        // SMPP 3.4 §3.2.3: optional parameters fill the rest of the body, each
        // a 2-octet tag, a 2-octet length and that many octets, in any order.
        while self.pos < self.data.len() {
            let left = self.left();
            if left < 4 {
                return Err(self
                    .fail(
                        format!("tlvs: {left} stray octets after the last parameter"),
                        status::ESME_RINVOPTPARSTREAM,
                        "tlvs",
                    )
                    .into());
            }
            let at = self.pos;
            let tag = u16::from_be_bytes([self.data[at], self.data[at + 1]]);
            let length = u16::from_be_bytes([self.data[at + 2], self.data[at + 3]]) as usize;
            self.pos += 4;
            if length > self.left() {
                return Err(self
                    .fail(
                        format!(
                            "tlvs: parameter 0x{tag:04X} declares {length} octets, only {} remain",
                            self.left()
                        ),
                        status::ESME_RINVOPTPARSTREAM,
                        "tlvs",
                    )
                    .into());
            }
            sink.tlv(Tlv {
                tag,
                value: &self.data[self.pos..self.pos + length],
            })?;
            payload |= tag == MESSAGE_PAYLOAD;
            self.pos += length;
        }
        Ok(payload)
    }
}

/// Writes one PDU at the end of a buffer, validating each field as it goes;
/// the binding drives it straight from Python objects.
pub struct Encoder<'o> {
    out: &'o mut Vec<u8>,
    spec: &'static PduSpec,
    start: usize,
}

impl<'o> Encoder<'o> {
    /// Start a PDU of `spec` at the end of `out` (the header is filled in by
    /// [`Encoder::finish`]).
    pub fn begin(out: &'o mut Vec<u8>, spec: &'static PduSpec) -> Self {
        let start = out.len();
        out.extend_from_slice(&[0; HEADER_LENGTH]);
        Encoder { out, spec, start }
    }

    pub fn spec(&self) -> &'static PduSpec {
        self.spec
    }

    /// An encoding error of `field`, answered with that field's status.
    #[cold]
    pub fn fail(&self, field: &'static str, problem: impl Display) -> PduError {
        self.fail_with(field, problem, status::for_field(field))
    }

    #[cold]
    pub fn fail_with(&self, field: &'static str, problem: impl Display, status: u32) -> PduError {
        PduError {
            message: format!("{}.{field}: {problem}", self.spec.name),
            status,
            field: Some(field),
            command_id: Some(self.spec.command_id),
            sequence_number: None,
        }
    }

    pub fn u8(&mut self, value: u8) {
        self.out.push(value);
    }

    pub fn u32(&mut self, value: u32) {
        self.out.extend_from_slice(&value.to_be_bytes());
    }

    /// A C-Octet String of at most `limit` octets with its NUL (SMPP 3.4 §3.1).
    pub fn cstring(
        &mut self,
        field: &'static str,
        value: &[u8],
        limit: usize,
    ) -> Result<(), PduError> {
        if value.len() >= limit {
            return Err(self.fail(
                field,
                format_args!(
                    "{} octets exceed the maximum of {} (plus NUL)",
                    value.len(),
                    limit - 1
                ),
            ));
        }
        if value.contains(&0) {
            return Err(self.fail(
                field,
                "contains NUL, which would end the C-Octet String early",
            ));
        }
        self.out.extend_from_slice(value);
        self.out.push(0);
        Ok(())
    }

    /// SMPP 3.4 §7.1: a time is empty or exactly 16 characters.
    pub fn time(&mut self, field: &'static str, value: &[u8]) -> Result<(), PduError> {
        self.time_length(field, value.len())?;
        self.cstring(field, value, TIME_LENGTH + 1)
    }

    /// SMPP 3.4 §7.1: a time is NULL or exactly 16 characters. Callers
    /// holding text check its length first, before its characters.
    pub fn time_length(&self, field: &'static str, length: usize) -> Result<(), PduError> {
        if length != 0 && length != TIME_LENGTH {
            return Err(self.fail(
                field,
                format_args!("a time is empty or exactly {TIME_LENGTH} characters, got {length}"),
            ));
        }
        Ok(())
    }

    /// SMPP 3.4 §4.4.1: sm_length, then at most 254 octets.
    pub fn short_message(&mut self, field: &'static str, value: &[u8]) -> Result<(), PduError> {
        if value.len() > MAX_SHORT_MESSAGE {
            return Err(self.fail(
                field,
                format_args!(
                    "{} octets exceed the maximum of {MAX_SHORT_MESSAGE}",
                    value.len()
                ),
            ));
        }
        self.out.push(value.len() as u8);
        self.out.extend_from_slice(value);
        Ok(())
    }

    /// SMPP 3.4 §4.5.1: number_of_dests, at most 254.
    pub fn dest_count(&mut self, count: usize) -> Result<(), PduError> {
        if count > MAX_DESTINATIONS {
            return Err(self.fail(
                "number_of_dests",
                format_args!("{count} destinations exceed the maximum of {MAX_DESTINATIONS}"),
            ));
        }
        self.out.push(count as u8);
        Ok(())
    }

    pub fn sme_address(&mut self, ton: u8, npi: u8, address: &[u8]) -> Result<(), PduError> {
        self.out.extend_from_slice(&[SME_ADDRESS_FLAG, ton, npi]);
        self.cstring("destination_addr", address, ADDRESS_LIMIT)
    }

    pub fn distribution_list(&mut self, name: &[u8]) -> Result<(), PduError> {
        self.out.push(DISTRIBUTION_LIST_FLAG);
        self.cstring("dl_name", name, ADDRESS_LIMIT)
    }

    /// SMPP 3.4 §4.5.2: no_unsuccess, one octet.
    pub fn unsuccess_count(&mut self, count: usize) -> Result<(), PduError> {
        if count > MAX_UNSUCCESS {
            return Err(self.fail(
                "unsuccess_sme",
                format_args!("must be a tuple of at most {MAX_UNSUCCESS} UnsuccessSme"),
            ));
        }
        self.out.push(count as u8);
        Ok(())
    }

    pub fn unsuccess(&mut self, entry: &Unsuccess<'_>) -> Result<(), PduError> {
        self.out.extend_from_slice(&[entry.ton, entry.npi]);
        self.cstring("destination_addr", entry.address, ADDRESS_LIMIT)?;
        self.u32(entry.error_status_code);
        Ok(())
    }

    /// SMPP 3.4 §3.2.3: tag, two-octet length, value.
    pub fn tlv(&mut self, tag: u16, value: &[u8]) -> Result<(), PduError> {
        if value.len() > MAX_TLV_VALUE {
            return Err(self.fail_with(
                "tlvs",
                format_args!(
                    "parameter 0x{tag:04X} holds {} octets, more than the maximum of {MAX_TLV_VALUE}",
                    value.len()
                ),
                status::ESME_RINVPARLEN,
            ));
        }
        self.out.extend_from_slice(&tag.to_be_bytes());
        self.out
            .extend_from_slice(&(value.len() as u16).to_be_bytes());
        self.out.extend_from_slice(value);
        Ok(())
    }

    /// SMPP 3.4 §5.3.2.32: with message_payload, short_message stays empty.
    pub fn check_payload_exclusive(
        &self,
        short_message_present: bool,
        mut tags: impl Iterator<Item = u16>,
    ) -> Result<(), PduError> {
        if short_message_present && tags.any(|tag| tag == MESSAGE_PAYLOAD) {
            return Err(self.fail(
                "message_payload",
                "not allowed together with a non-empty short_message",
            ));
        }
        Ok(())
    }

    /// Drop a body written so far (a response sent without one).
    pub fn clear_body(&mut self) {
        self.out.truncate(self.start + HEADER_LENGTH);
    }

    /// Fill in the header; returns the PDU's length.
    pub fn finish(self, command_status: u32, sequence_number: u32) -> usize {
        let length = self.out.len() - self.start;
        let header = &mut self.out[self.start..self.start + HEADER_LENGTH];
        header[0..4].copy_from_slice(&(length as u32).to_be_bytes());
        header[4..8].copy_from_slice(&self.spec.command_id.to_be_bytes());
        header[8..12].copy_from_slice(&command_status.to_be_bytes());
        header[12..16].copy_from_slice(&sequence_number.to_be_bytes());
        length
    }
}

/// Whether a response goes without a body: SMPP 3.4 §4.4.2 returns none with
/// a non-zero command_status, unless the caller filled one in.
pub fn omits_body(
    spec: &PduSpec,
    command_status: u32,
    body_is_default: bool,
    no_tlvs: bool,
) -> bool {
    spec.command_id & RESPONSE_BIT != 0 && command_status != 0 && body_is_default && no_tlvs
}

/// Encode a PDU at the end of `out`.
pub fn encode_into(out: &mut Vec<u8>, pdu: &Pdu<'_>) -> Result<(), PduError> {
    let spec = pdu.spec;
    let mut encoder = Encoder::begin(out, spec);
    let is_default = spec
        .fields
        .iter()
        .zip(&pdu.body)
        .all(|(field, value)| *value == Value::default_for(field.kind));
    if !omits_body(spec, pdu.command_status, is_default, pdu.tlvs.is_empty()) {
        let mut short_message_present = false;
        for (field, value) in spec.fields.iter().zip(&pdu.body) {
            let name = field.name;
            match (field.kind, value) {
                (Kind::U8(_), Value::U8(v)) => encoder.u8(*v),
                (Kind::CString(limit), Value::Str(s)) => encoder.cstring(name, s, limit)?,
                (Kind::Time, Value::Str(s)) => encoder.time(name, s)?,
                (Kind::ShortMessage, Value::Bytes(b)) => {
                    encoder.short_message(name, b)?;
                    short_message_present = !b.is_empty();
                }
                (Kind::DestAddress, Value::Dests(dests)) => {
                    encoder.dest_count(dests.len())?;
                    for dest in dests {
                        match dest {
                            Dest::Sme { ton, npi, address } => {
                                encoder.sme_address(*ton, *npi, address)?
                            }
                            Dest::List(name) => encoder.distribution_list(name)?,
                        }
                    }
                }
                (Kind::UnsuccessSme, Value::Unsuccess(entries)) => {
                    encoder.unsuccess_count(entries.len())?;
                    for entry in entries {
                        encoder.unsuccess(entry)?;
                    }
                }
                _ => return Err(encoder.fail(name, "value of the wrong kind for this field")),
            }
        }
        for tlv in &pdu.tlvs {
            encoder.tlv(tlv.tag, tlv.value)?;
        }
        encoder.check_payload_exclusive(short_message_present, pdu.tlvs.iter().map(|t| t.tag))?;
    }
    encoder.finish(pdu.command_status, pdu.sequence_number);
    Ok(())
}

/// Encode one PDU, header included.
pub fn encode(pdu: &Pdu<'_>) -> Result<Vec<u8>, PduError> {
    let mut out = Vec::with_capacity(64);
    let start = out.len();
    encode_into(&mut out, pdu).inspect_err(|_| out.truncate(start))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(command_id: u32, status: u32, body: &[u8]) -> Vec<u8> {
        let mut data = Vec::new();
        data.extend_from_slice(&((16 + body.len()) as u32).to_be_bytes());
        data.extend_from_slice(&command_id.to_be_bytes());
        data.extend_from_slice(&status.to_be_bytes());
        data.extend_from_slice(&7u32.to_be_bytes());
        data.extend_from_slice(body);
        data
    }

    fn submit_body() -> Vec<u8> {
        let mut body = b"\0\0\0LINK\0\x01\x01+4746910822\0\0\0\0\0\0\0\0\0\0".to_vec();
        body.extend_from_slice(b"\x05Hello");
        body
    }

    #[test]
    fn submit_sm_decodes_every_field_in_spec_order() {
        let data = frame(0x04, 0, &submit_body());
        let pdu = decode(&data).unwrap();
        assert_eq!(pdu.spec.name, "SubmitSm");
        assert_eq!(pdu.body[3], Value::Str(b"LINK"));
        assert_eq!(pdu.body[6], Value::Str(b"+4746910822"));
        assert_eq!(pdu.body[16], Value::Bytes(b"Hello"));
        assert_eq!(pdu.sequence_number, 7);
        assert_eq!(encode(&pdu).unwrap(), data);
    }

    #[test]
    fn unknown_command_id_is_esme_rinvcmdid() {
        let error = decode(&frame(0x110, 0, b"")).unwrap_err();
        assert_eq!(
            (error.status, error.field),
            (status::ESME_RINVCMDID, Some("command_id"))
        );
        assert_eq!(error.command_id, Some(0x110));
    }

    #[test]
    fn length_mismatch_is_esme_rinvcmdlen() {
        let mut data = frame(0x15, 0, b"");
        data.push(0);
        assert_eq!(decode(&data).unwrap_err().status, status::ESME_RINVCMDLEN);
        assert_eq!(
            decode(&data[..10]).unwrap_err().status,
            status::ESME_RINVCMDLEN
        );
    }

    #[test]
    fn c_octet_string_without_nul_within_its_maximum_names_the_field() {
        let data = frame(0x02, 0, b"SMPP3TEST\0secret08SUBMIT1\0\x50\x01\x01\0");
        let error = decode(&data).unwrap_err();
        assert_eq!(
            (error.status, error.field),
            (status::ESME_RINVPASWD, Some("password"))
        );
        let cut = frame(0x8000_0004, 0, b"9");
        let error = decode(&cut).unwrap_err();
        assert_eq!(
            (error.status, error.field),
            (status::ESME_RINVCMDLEN, Some("message_id"))
        );
    }

    #[test]
    fn error_response_without_body_decodes_and_encodes_without_body() {
        let data = frame(0x8000_0004, 0x58, b"");
        let pdu = decode(&data).unwrap();
        assert_eq!(pdu.body, vec![Value::Str(b"")]);
        assert_eq!(encode(&pdu).unwrap(), data);
    }

    #[test]
    fn short_message_and_message_payload_together_are_rejected() {
        let mut body = submit_body();
        body.extend_from_slice(b"\x04\x24\x00\x01x");
        let error = decode(&frame(0x04, 0, &body)).unwrap_err();
        assert_eq!(error.field, Some("message_payload"));
    }

    #[test]
    fn sm_length_beyond_the_body_is_esme_rinvmsglen() {
        let mut body = submit_body();
        let at = body.len() - 6;
        body[at] = 0x10;
        let error = decode(&frame(0x04, 0, &body)).unwrap_err();
        assert_eq!(
            (error.status, error.field),
            (status::ESME_RINVMSGLEN, Some("short_message"))
        );
    }

    #[test]
    fn encoder_refuses_values_beyond_their_limits() {
        let spec = schema::spec(0x04).unwrap();
        let mut out = Vec::new();
        let mut encoder = Encoder::begin(&mut out, spec);
        assert_eq!(
            encoder
                .short_message("short_message", &[0; 255])
                .unwrap_err()
                .status,
            1
        );
        let error = encoder.cstring("source_addr", &[b'x'; 21], 21).unwrap_err();
        assert_eq!(error.status, status::ESME_RINVSRCADR);
        assert!(encoder.cstring("source_addr", b"a\0b", 21).is_err());
        assert!(encoder.time("validity_period", b"123").is_err());
        assert!(encoder.tlv(0x1400, &vec![0; 65536]).is_err());
    }

    /// xorshift64*: a deterministic generator, so the fuzz test needs no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn valid_samples() -> Vec<Vec<u8>> {
        let mut dests = b"\0\0\0LINK\0\x02".to_vec();
        dests.extend_from_slice(b"\x01\x01\x0147\0\x02list\0\0\0\0\0\0\0\0\0\0\x02hi");
        vec![
            frame(0x04, 0, &submit_body()),
            frame(0x21, 0, &dests),
            frame(0x8000_0021, 0, b"id\0\x01\x01\x0147\0\0\0\0\x45"),
            frame(0x02, 0, b"sys\0pw\0\0\x34\0\0\0"),
            frame(
                0x05,
                0,
                &[submit_body(), b"\x00\x1e\x00\x03ab\0".to_vec()].concat(),
            ),
            frame(0x8000_0003, 0, b"id\0\0\x02\0"),
        ]
    }

    #[test]
    fn fuzz_random_and_mutated_pdus_never_panic() {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let samples = valid_samples();
        for sample in &samples {
            let pdu = decode(sample).unwrap();
            assert_eq!(&encode(&pdu).unwrap(), sample);
        }
        for _ in 0..200_000 {
            let mut data = samples[rng.below(samples.len())].clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(data.len());
                data[at] = rng.next() as u8;
            }
            data.truncate(rng.below(data.len() + 1));
            if rng.below(4) == 0 && data.len() >= 4 {
                // Keep command_length consistent so the body parser is reached.
                let length = (data.len() as u32).to_be_bytes();
                data[..4].copy_from_slice(&length);
            }
            if let Ok(pdu) = decode(&data) {
                // Whatever decodes re-encodes without panicking.
                let _ = encode(&pdu);
            }
        }
        for _ in 0..50_000 {
            let length = rng.below(80);
            let data: Vec<u8> = (0..length).map(|_| rng.next() as u8).collect();
            let _ = decode(&data);
            if data.len() >= 4 {
                let _ = decode_body(&data[4..], header_id(&mut rng), 0, 0);
            }
        }
    }

    #[test]
    fn find_nul_finds_the_first_nul_wherever_it_is() {
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let length = rng.below(40);
            // Few distinct octets, so NULs and 0x01/0x80 neighbours are common.
            let octets: Vec<u8> = (0..length)
                .map(|_| [0, 1, 0x80, 0xFF, b'A'][rng.below(5)])
                .collect();
            let expected = octets.iter().position(|&octet| octet == 0);
            assert_eq!(find_nul(&octets), expected, "{octets:?}");
        }
    }

    fn header_id(rng: &mut Rng) -> u32 {
        schema::PDUS[rng.below(schema::PDUS.len())].command_id
    }
}
