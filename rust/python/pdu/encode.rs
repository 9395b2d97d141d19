//! Encoding: the slots of a PDU read in place and each value fed to the
//! core's validating encoder, one method per kind of field: the mirror of
//! the decoder's `codec::Sink`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyString, PyTuple};

use crate::pdu::codec::{self, Encoder};
use crate::pdu::schema::{FieldSpec, Kind, ADDRESS_LIMIT, PDUS};
use crate::pdu::PduError;

use super::super::capi::{exact_int, Fields, SlotLayout, Text, Ucs4Buffer};
use super::classes::Cache;
use super::{type_name, Failure};

/// Longest C-Octet String of the schema with its NUL (message_id, §4.4.2).
const MAX_CSTRING: usize = 65;

/// Encode one PDU, header included, at the end of `out`.
pub fn encode_one(
    cache: &Cache,
    object: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let not_a_pdu = || {
        PyTypeError::new_err(format!(
            "encode() takes an SMPP PDU, not {}",
            type_name(object)
        ))
    };
    let Some(index) = cache.pdu_index(object) else {
        return Err(not_a_pdu().into());
    };
    let (class, spec) = (&cache.pdus[index], &PDUS[index]);
    let Some(fields) = class.read(object)? else {
        return Err(not_a_pdu().into());
    };
    let count = spec.fields.len();
    let mut encoding = Encoding {
        cache,
        encoder: Encoder::begin(out, spec),
        buffer: [0; MAX_CSTRING],
        short_message_present: false,
    };
    let status = encoding.u32("command_status", &fields.get(count))?;
    let sequence = encoding.u32("sequence_number", &fields.get(count + 1))?;
    let omitted = spec.is_response() && status != 0 && omits_body(class, &fields, count)?;
    if !omitted {
        for (position, field) in spec.fields.iter().enumerate() {
            encoding.field(field, &fields.get(position))?;
        }
        encoding.tlvs(&fields.get(count + 2))?;
    }
    encoding.encoder.finish(status, sequence);
    Ok(())
}

/// Whether a response with a non-zero command_status goes without its body
/// (SMPP 3.4 §4.4.2): when it has no TLVs and every field is at its
/// default. In the pure twin's order, with its errors: `not tlvs`, then the
/// fields compared as a tuple compares them (identity, then `==`).
fn omits_body(class: &SlotLayout, fields: &Fields<'_, '_>, count: usize) -> PyResult<bool> {
    if fields.get(count + 2).is_truthy()? {
        return Ok(false);
    }
    for (position, default) in class.defaults()[..count].iter().enumerate() {
        let value = fields.get(position);
        let at_default = match default {
            Some(default) => value.is(default) || value.eq(default)?,
            None => false,
        };
        if !at_default {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One PDU being encoded: each field goes in through the method of its kind.
struct Encoding<'a, 'o> {
    cache: &'a Cache,
    encoder: Encoder<'o>,
    /// The latin-1 octets of the C-Octet String at hand.
    buffer: [u8; MAX_CSTRING],
    short_message_present: bool,
}

impl Encoding<'_, '_> {
    /// The body field `field`, whose value is `value`.
    #[inline(always)]
    fn field(
        &mut self,
        field: &'static FieldSpec,
        value: &Bound<'_, PyAny>,
    ) -> Result<(), Failure> {
        let name = field.name;
        match field.kind {
            Kind::U8(_) => {
                let octet = self.u8(name, value)?;
                self.encoder.u8(octet);
            }
            Kind::CString(limit) => self.cstring(name, limit, value)?,
            Kind::Time => self.time(name, value)?,
            Kind::ShortMessage => self.short_message(name, value)?,
            Kind::DestAddress => self.dest_address(value)?,
            Kind::UnsuccessSme => self.unsuccess_sme(value)?,
        }
        Ok(())
    }

    #[inline(always)]
    fn u8(&self, field: &'static str, value: &Bound<'_, PyAny>) -> Result<u8, PduError> {
        read_u8(self.cache, &self.encoder, field, value)
    }

    #[inline(always)]
    fn u32(&self, field: &'static str, value: &Bound<'_, PyAny>) -> Result<u32, PduError> {
        read_u32(self.cache, &self.encoder, field, value)
    }

    /// A C-Octet String of at most `limit` octets with its NUL (SMPP 3.4 §3.1).
    #[inline(always)]
    fn cstring(
        &mut self,
        field: &'static str,
        limit: usize,
        value: &Bound<'_, PyAny>,
    ) -> Result<(), PduError> {
        let text = text(&self.encoder, field, value)?;
        let octets = latin1(&self.encoder, field, &text, limit, &mut self.buffer)?;
        self.encoder.cstring(field, octets, limit)
    }

    /// A time, empty or 16 characters (SMPP 3.4 §7.1).
    #[inline(always)]
    fn time(&mut self, field: &'static str, value: &Bound<'_, PyAny>) -> Result<(), PduError> {
        // The pure twin checks a str's length before anything else.
        let text = text(&self.encoder, field, value);
        if let Ok(text) = &text {
            self.encoder.time_length(field, text.len())?;
        }
        let limit = Kind::Time.limit();
        let octets = latin1(&self.encoder, field, &text?, limit, &mut self.buffer)?;
        self.encoder.time(field, octets)
    }

    /// sm_length and the octets (SMPP 3.4 §4.4.1).
    #[inline(always)]
    fn short_message(
        &mut self,
        field: &'static str,
        value: &Bound<'_, PyAny>,
    ) -> Result<(), PduError> {
        let Ok(bytes) = value.cast::<PyBytes>() else {
            return Err(self.encoder.fail(
                field,
                format_args!("must be bytes, got {}", type_name(value)),
            ));
        };
        let octets = bytes.as_bytes();
        self.encoder.short_message(field, octets)?;
        self.short_message_present = !octets.is_empty();
        Ok(())
    }

    /// number_of_dests and each SME address or distribution list (SMPP 3.4 §4.5.1.1).
    #[inline(never)]
    fn dest_address(&mut self, value: &Bound<'_, PyAny>) -> Result<(), Failure> {
        let Ok(entries) = value.cast::<PyTuple>() else {
            return Err(self
                .encoder
                .fail("number_of_dests", "must be a tuple")
                .into());
        };
        self.encoder.dest_count(entries.len())?;
        for entry in entries.iter() {
            if let Some(sme) = self.cache.sme_address.read(&entry)? {
                let ton = self.u8("dest_addr_ton", &sme.get(0))?;
                let npi = self.u8("dest_addr_npi", &sme.get(1))?;
                let (field, address) = ("destination_addr", sme.get(2));
                let text = text(&self.encoder, field, &address)?;
                let octets = latin1(&self.encoder, field, &text, ADDRESS_LIMIT, &mut self.buffer)?;
                self.encoder.sme_address(ton, npi, octets)?;
            } else if let Some(list) = self.cache.distribution_list.read(&entry)? {
                let (field, name) = ("dl_name", list.get(0));
                let text = text(&self.encoder, field, &name)?;
                let octets = latin1(&self.encoder, field, &text, ADDRESS_LIMIT, &mut self.buffer)?;
                self.encoder.distribution_list(octets)?;
            } else {
                return Err(self
                    .encoder
                    .fail(
                        "dest_flag",
                        "entries must be SmeAddress or DistributionList",
                    )
                    .into());
            }
        }
        Ok(())
    }

    /// no_unsuccess and each unsuccess_sme (SMPP 3.4 §4.5.2).
    #[inline(never)]
    fn unsuccess_sme(&mut self, value: &Bound<'_, PyAny>) -> Result<(), Failure> {
        let entries = match value.cast::<PyTuple>() {
            Ok(entries) if entries.len() <= 255 => entries,
            _ => {
                return Err(self
                    .encoder
                    .fail(
                        "unsuccess_sme",
                        "must be a tuple of at most 255 UnsuccessSme",
                    )
                    .into())
            }
        };
        self.encoder.unsuccess_count(entries.len())?;
        for entry in entries.iter() {
            let Some(sme) = self.cache.unsuccess_sme.read(&entry)? else {
                return Err(self
                    .encoder
                    .fail("unsuccess_sme", "entries must be UnsuccessSme")
                    .into());
            };
            let ton = self.u8("dest_addr_ton", &sme.get(0))?;
            let npi = self.u8("dest_addr_npi", &sme.get(1))?;
            let (field, address) = ("destination_addr", sme.get(2));
            let text = text(&self.encoder, field, &address)?;
            let address = latin1(&self.encoder, field, &text, ADDRESS_LIMIT, &mut self.buffer)?;
            let code = sme.get(3);
            let error_status_code =
                read_u32(self.cache, &self.encoder, "error_status_code", &code)?;
            self.encoder.unsuccess(&codec::Unsuccess {
                ton,
                npi,
                address,
                error_status_code,
            })?;
        }
        Ok(())
    }

    /// Each optional parameter (SMPP 3.4 §3.2.3), then the rule that
    /// message_payload and a short_message exclude each other.
    #[inline(always)]
    fn tlvs(&mut self, value: &Bound<'_, PyAny>) -> Result<(), Failure> {
        let Ok(tlvs) = value.cast::<PyTuple>() else {
            return Err(self.encoder.fail("tlvs", "must be a tuple of Tlv").into());
        };
        let mut payload = false;
        for tlv in tlvs.iter() {
            let Some(tlv) = self.cache.tlv.read(&tlv)? else {
                return Err(self.encoder.fail("tlvs", "entries must be Tlv").into());
            };
            let tag = tlv.get(0);
            let tag = match tag.is_instance_of::<PyInt>().then(|| tag.extract::<u16>()) {
                Some(Ok(tag)) => tag,
                _ => {
                    return Err(self
                        .encoder
                        .fail("tlvs", "a tag is an int 0..0xFFFF (two octets)")
                        .into())
                }
            };
            let value = tlv.get(1);
            let Ok(value) = value.cast::<PyBytes>() else {
                return Err(self.encoder.fail("tlvs", "a value is bytes").into());
            };
            self.encoder.tlv(tag, value.as_bytes())?;
            payload |= tag == codec::MESSAGE_PAYLOAD;
        }
        self.encoder.check_payload_exclusive(
            self.short_message_present,
            payload.then_some(codec::MESSAGE_PAYLOAD).into_iter(),
        )?;
        Ok(())
    }
}

// --- Values: Python ints and strs as the wire's octets ------------------------

const NOT_AN_OCTET: &str = "must be 0..255 (one octet)";

#[inline(always)]
fn read_u8(
    cache: &Cache,
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u8, PduError> {
    match cache.ints.value(value) {
        Some(v) => Ok(v),
        None => any_u8(encoder, field, value),
    }
}

#[inline(always)]
fn read_u32(
    cache: &Cache,
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u32, PduError> {
    match cache.ints.value(value) {
        Some(v) => Ok(u32::from(v)),
        None => any_u32(encoder, field, value),
    }
}

fn any_u8(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u8, PduError> {
    match exact_int(value) {
        Some(Some(v)) if (0..=0xFF).contains(&v) => return Ok(v as u8),
        Some(_) => return Err(encoder.fail(field, NOT_AN_OCTET)),
        None => {}
    }
    if !value.is_instance_of::<PyInt>() {
        return Err(encoder.fail(
            field,
            format_args!("must be an int, got {}", type_name(value)),
        ));
    }
    match value.extract::<i64>() {
        Ok(v) if (0..=0xFF).contains(&v) => Ok(v as u8),
        _ => Err(encoder.fail(field, NOT_AN_OCTET)),
    }
}

fn any_u32(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u32, PduError> {
    if let Some(Some(v)) = exact_int(value) {
        if let Ok(v) = u32::try_from(v) {
            return Ok(v);
        }
    }
    match value
        .is_instance_of::<PyInt>()
        .then(|| value.extract::<u32>())
    {
        Some(Ok(v)) => Ok(v),
        _ => Err(encoder.fail(field, "must be an int 0..0xFFFFFFFF (four octets)")),
    }
}

/// `value` as a str, or the error naming `field` for anything else.
#[inline(always)]
fn text<'a, 'py>(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &'a Bound<'py, PyAny>,
) -> Result<Text<'a, 'py>, PduError> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(Text::new(text)),
        Err(_) => Err(not_a_str(encoder, field, value)),
    }
}

#[cold]
fn not_a_str(encoder: &Encoder<'_>, field: &'static str, value: &Bound<'_, PyAny>) -> PduError {
    encoder.fail(
        field,
        format_args!("must be a str, got {}", type_name(value)),
    )
}

/// The latin-1 octets of `text` into `buffer`, or the error naming `field`.
#[inline(always)]
fn latin1<'b>(
    encoder: &Encoder<'_>,
    field: &'static str,
    text: &Text<'_, '_>,
    limit: usize,
    buffer: &'b mut [u8; MAX_CSTRING],
) -> Result<&'b [u8], PduError> {
    // Most optional strings are empty: no call for them.
    if text.len() == 0 {
        return Ok(&buffer[..0]);
    }
    copy_latin1(encoder, field, text, limit, buffer)
}

fn copy_latin1<'b>(
    encoder: &Encoder<'_>,
    field: &'static str,
    text: &Text<'_, '_>,
    limit: usize,
    buffer: &'b mut [u8; MAX_CSTRING],
) -> Result<&'b [u8], PduError> {
    let length = text.len();
    if length >= limit {
        // The pure twin encodes before it measures: a character above U+00FF
        // is the error to report, wherever it is.
        let above = (0..length).find(|&index| text.char_at(index).is_some_and(|code| code > 0xFF));
        return Err(match above {
            Some(index) => above_latin1(encoder, field, index),
            None => encoder.fail(
                field,
                format_args!(
                    "{length} octets exceed the maximum of {} (plus NUL)",
                    limit - 1
                ),
            ),
        });
    }
    let mut wide = Ucs4Buffer::<MAX_CSTRING>::new();
    let Some(codes) = text.code_points(&mut wide) else {
        return Err(encoder.fail(field, "cannot be read as text"));
    };
    for (index, (&code, octet)) in codes.iter().zip(buffer.iter_mut()).enumerate() {
        if code > 0xFF {
            return Err(above_latin1(encoder, field, index));
        }
        *octet = code as u8;
    }
    Ok(&buffer[..length])
}

#[cold]
fn above_latin1(encoder: &Encoder<'_>, field: &'static str, index: usize) -> PduError {
    encoder.fail(
        field,
        format_args!("character at index {index} is above U+00FF (C-Octet Strings are octets)"),
    )
}
