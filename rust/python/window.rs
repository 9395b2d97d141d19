//! `submit_window`: the fused submit path's binding (the core is
//! `crate::submit`). Messages come in as tuples, the PDUs go out as one
//! `bytes`, and each part's record is 16 octets of a second: no Python
//! object per part. The pure twin is `smswire.smpp._window_pure`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyList, PyString, PyTuple};

use super::capi::{Text, Utf8};
use super::encoding::{languages_of, profile_of, standard, to_py, utf8};
use super::errors::SmswireError;
use super::pdu::protocol_error;
use crate::submit::{
    self, Concatenation, Encoded, Refusal, Window, MAX_SEQUENCE_NUMBER, REFERENCES,
};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(submit_window, m)?)
}

/// One message as the caller gives it, and what of it could be read.
struct Read<'py> {
    position: usize,
    tons: [(u8, u8); 2],
    addresses: [Address<'py>; 2],
    text: Utf8<'py>,
}

/// An address read as UTF-8, or, for one UTF-8 cannot hold (a lone
/// surrogate), its characters up to the first above U+00FF and a stand-in
/// for that one: the core refuses it there, as the pure codec does.
enum Address<'py> {
    Text(Utf8<'py>),
    Unencodable(String),
}

impl Address<'_> {
    fn as_str(&self) -> &str {
        match self {
            Address::Text(text) => text.as_str(),
            Address::Unencodable(prefix) => prefix,
        }
    }
}

fn address<'py>(value: &Bound<'py, PyAny>) -> PyResult<Address<'py>> {
    let text = value.cast::<PyString>()?;
    if let Ok(utf8) = Utf8::encode(text) {
        return Ok(Address::Text(utf8));
    }
    let wide = Text::new(text);
    let mut prefix = String::new();
    for index in 0..wide.len() {
        match wide.char_at(index).and_then(char::from_u32) {
            Some(c) if u32::from(c) <= 0xFF => prefix.push(c),
            _ => break,
        }
    }
    prefix.push(char::REPLACEMENT_CHARACTER);
    Ok(Address::Unencodable(prefix))
}

/// `value` if it lies in `low..=high`; any other int (one beyond i64 too) is
/// out of range, named with its Python text as the pure twin names it.
fn within(value: &Bound<'_, PyInt>, low: i64, high: i64) -> Option<i64> {
    value
        .extract::<i64>()
        .ok()
        .filter(|v| (low..=high).contains(v))
}

/// The TON or NPI at `index` of message `position`, an int 0..=255
/// (SMPP 3.4 §5.2.5, §5.2.6), or the ConfigurationError the pure twin raises.
fn octet(fields: &Bound<'_, PyTuple>, position: usize, index: usize, name: &str) -> PyResult<u8> {
    let value = fields.get_item(index)?;
    if value.is_instance_of::<PyInt>() {
        if let Ok(octet) = value.extract::<u8>() {
            return Ok(octet);
        }
    }
    let section = if name.ends_with("ton") {
        "5.2.5"
    } else {
        "5.2.6"
    };
    Err(SmswireError::Configuration.new_err(
        value.py(),
        &format!(
            "message {position}: {name} must be 0..{} (SMPP 3.4 §{section}), got {}",
            u8::MAX,
            value.repr()?
        ),
        &[],
    ))
}

fn concatenation(py: Python<'_>, name: &str) -> PyResult<Concatenation> {
    Ok(match name {
        "udh" => Concatenation::Udh,
        "sar" => Concatenation::Sar,
        "payload" => Concatenation::Payload,
        _ => {
            return Err(SmswireError::Configuration.new_err(
                py,
                &format!("concatenation must be 'udh', 'sar' or 'payload', not '{name}'"),
                &[],
            ))
        }
    })
}

/// The submit_sm PDUs of `messages`, each a tuple `(source_addr_ton,
/// source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi,
/// destination_addr, text)`, numbered from `first_sequence`; returns the
/// wire bytes, the records (`struct "<IHHII"`: message, part, parts,
/// sequence_number, offset) and `[(message, error)]` of those refused.
#[pyfunction]
#[pyo3(signature = (
    messages, first_sequence, *, reference=None, profile=None, national=None, smart=false,
    concatenation="udh", flash=false, registered_delivery=true,
    service_type=b"".as_slice(), validity_period=b"".as_slice(), tlvs=b"".as_slice()
), text_signature = "(messages, first_sequence, *, reference=0, profile=None, national=None, \
    smart=False, concatenation='udh', flash=False, registered_delivery=True, \
    service_type=b'', validity_period=b'', tlvs=b'')")]
#[allow(clippy::too_many_arguments, reason = "the Python signature's keywords")]
fn submit_window<'py>(
    messages: &Bound<'py, PyAny>,
    first_sequence: &Bound<'py, PyInt>,
    reference: Option<&Bound<'py, PyInt>>,
    profile: Option<&Bound<'_, PyAny>>,
    national: Option<&Bound<'_, PyAny>>,
    smart: bool,
    concatenation: &str,
    flash: bool,
    registered_delivery: bool,
    service_type: &[u8],
    validity_period: &[u8],
    tlvs: &[u8],
) -> PyResult<Bound<'py, PyTuple>> {
    let py = messages.py();
    let first_sequence = match within(first_sequence, 1, i64::from(MAX_SEQUENCE_NUMBER)) {
        Some(first) => first,
        None => {
            return Err(SmswireError::Configuration.new_err(
                py,
                &format!(
                    "first_sequence must be 1..{MAX_SEQUENCE_NUMBER} (SMPP 3.4 §5.1.4), \
                     got {first_sequence}"
                ),
                &[],
            ))
        }
    };
    // Omitted, the reference is 0 (the text signature's default).
    let reference = match reference.map_or(Some(0), |r| within(r, 0, i64::from(REFERENCES) - 1)) {
        Some(reference) => reference,
        None => {
            return Err(SmswireError::Configuration.new_err(
                py,
                &format!(
                    "reference must be 0..{} (the 8-bit concatenation reference), \
                     got {}",
                    REFERENCES - 1,
                    reference.map_or_else(String::new, ToString::to_string)
                ),
                &[],
            ))
        }
    };
    let concatenation = self::concatenation(py, concatenation)?;
    let owned = profile_of(profile)?;
    let profile = owned.as_ref().unwrap_or_else(|| standard());
    let languages = languages_of(national)?;
    let mut refused: Vec<(usize, PyErr)> = Vec::new();
    let mut read = Vec::new();
    for (position, item) in messages.try_iter()?.enumerate() {
        let item = item?;
        let fields = item.cast::<PyTuple>()?;
        // Checked before the text, as the pure twin checks them: a caller's
        // mistake refuses the window, whatever else is wrong with the message.
        let tons = [
            (
                octet(fields, position, 0, "source_addr_ton")?,
                octet(fields, position, 1, "source_addr_npi")?,
            ),
            (
                octet(fields, position, 3, "dest_addr_ton")?,
                octet(fields, position, 4, "dest_addr_npi")?,
            ),
        ];
        let text = fields.get_item(6)?;
        // A text UTF-8 cannot hold is refused first, as the core refuses
        // a text before it looks at the addresses.
        let text = match utf8(text.cast::<PyString>()?, None) {
            Ok(text) => text,
            Err(error) => {
                refused.push((position, error));
                continue;
            }
        };
        read.push(Read {
            position,
            tons,
            addresses: [
                address(&fields.get_item(2)?)?,
                address(&fields.get_item(5)?)?,
            ],
            text,
        });
    }
    let core: Vec<submit::Message<'_>> = read
        .iter()
        .map(|m| submit::Message {
            position: m.position,
            source: (m.tons[0].0, m.tons[0].1, m.addresses[0].as_str()),
            destination: (m.tons[1].0, m.tons[1].1, m.addresses[1].as_str()),
            text: m.text.as_str(),
        })
        .collect();
    let window = Window {
        profile,
        national: &languages,
        smart,
        concatenation,
        flash,
        registered_delivery,
        service_type,
        validity_period,
        tlvs,
        // Both checked above to lie within u32.
        reference: reference as u32,
        first_sequence: first_sequence as u32,
    };
    let Encoded {
        wire,
        records,
        refused: refusals,
    } = submit::encode_window(&window, &core);
    for (position, refusal) in refusals {
        let error = match refusal {
            Refusal::Text(error) => to_py(py, error),
            Refusal::Pdu(error) => protocol_error(py, &error),
        };
        refused.push((position, error));
    }
    refused.sort_by_key(|(position, _)| *position);
    let errors = PyList::empty(py);
    for (position, error) in refused {
        errors.append((position, error.into_value(py)))?;
    }
    PyTuple::new(
        py,
        [
            PyBytes::new(py, &wire).into_any(),
            PyBytes::new(py, &records).into_any(),
            errors.into_any(),
        ],
    )
}
