//! Bindings of the receipt parser: `parse_receipt` and `message_id_keys`.
//!
//! `parse_receipt` returns the very `DeliveryReceipt` dataclass of
//! `smswire.smpp.receipts` that the pure twin constructs. Its generated
//! `__init__` (frozen: one `object.__setattr__` per field) would cost more
//! than the whole parse, so the instance is made as `copy` makes one:
//! `object.__new__`, then every field into the instance dict, in field
//! order, with the class's own default for any field the parser does not
//! fill. The field list is read from the dataclass once and checked, so a
//! field added to it cannot be missed silently. Safe PyO3 API only.
//!
//! Two costs of that construction are cut further, as a receipt path makes
//! one instance per receipt: the instance dict starts as a copy of a
//! template holding every field in order (one clone, not a growing dict's
//! inserts and resizes), and the last date made is kept and given again for
//! the same moment in the same zone (receipt dates have minute precision, a
//! burst of receipts shares a few minutes, and a `datetime` is immutable).

use std::borrow::Cow;
use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDelta, PyDict, PyInt, PyString, PyTuple, PyType, PyTzInfo};

use crate::receipt::{self, Receipt, Timestamp};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_receipt, m)?)?;
    m.add_function(wrap_pyfunction!(message_id_keys, m)?)?;
    Ok(())
}

/// The fields the parser fills, by name; every other field of the dataclass
/// takes its default.
#[derive(Clone, Copy)]
enum Filled {
    MessageId,
    State,
    Error,
    SubmitDate,
    DoneDate,
    Submitted,
    Delivered,
    Text,
    Raw,
    RawStat,
    RawErr,
    Source,
    Destination,
    NetworkError,
}

const FILLED: [(&str, Filled); 14] = [
    ("message_id", Filled::MessageId),
    ("state", Filled::State),
    ("error", Filled::Error),
    ("submit_date", Filled::SubmitDate),
    ("done_date", Filled::DoneDate),
    ("submitted", Filled::Submitted),
    ("delivered", Filled::Delivered),
    ("text", Filled::Text),
    ("raw", Filled::Raw),
    ("raw_stat", Filled::RawStat),
    ("raw_err", Filled::RawErr),
    ("source", Filled::Source),
    ("destination", Filled::Destination),
    ("network_error", Filled::NetworkError),
];

/// A field of `DeliveryReceipt`: its interned name and what goes in it.
enum Field {
    Filled(Py<PyString>, Filled),
    Default(Py<PyString>, Py<PyAny>),
    Factory(Py<PyString>, Py<PyAny>),
}

struct Cache {
    receipt: Py<PyType>,
    object_new: Py<PyAny>,
    fields: Vec<Field>,
    /// Every field name, in order, to its default (None where the parser fills it).
    template: Py<PyDict>,
    /// The last submit date and the last done date made (a receipt's two
    /// usually differ): each its moment, the zone asked for, the `datetime`.
    last_dates: [Mutex<Option<LastDate>>; 2],
    /// `ReceiptState` members by SMPP 3.4 §5.2.28 number, less one.
    states: Vec<Py<PyAny>>,
    datetime: Py<PyAny>,
    utc: Py<PyAny>,
    empty: Py<PyString>,
}

struct LastDate {
    stamp: Timestamp,
    tz: Py<PyAny>,
    date: Py<PyAny>,
}

static CACHE: PyOnceLock<Cache> = PyOnceLock::new();

fn cache(py: Python<'_>) -> PyResult<&Cache> {
    CACHE.get_or_try_init(py, || {
        let receipts = py.import("smswire.smpp.receipts")?;
        let receipt = receipts.getattr("DeliveryReceipt")?.cast_into::<PyType>()?;
        let dataclasses = py.import("dataclasses")?;
        let missing = dataclasses.getattr("MISSING")?;
        let mut fields = Vec::new();
        let mut filled = 0;
        for field in dataclasses
            .getattr("fields")?
            .call1((&receipt,))?
            .try_iter()?
        {
            let field = field?;
            let name = field.getattr("name")?.cast_into::<PyString>()?;
            let interned = PyString::intern(py, &name.to_cow()?).unbind();
            let default = field.getattr("default")?;
            let factory = field.getattr("default_factory")?;
            let known = FILLED.iter().find(|(known, _)| name == *known);
            fields.push(if let Some(&(_, which)) = known {
                filled += 1;
                Field::Filled(interned, which)
            } else if !default.is(&missing) {
                Field::Default(interned, default.unbind())
            } else if !factory.is(&missing) {
                Field::Factory(interned, factory.unbind())
            } else {
                return Err(PyTypeError::new_err(format!(
                    "DeliveryReceipt.{name} has no default and the native parser does not fill it"
                )));
            });
        }
        if filled != FILLED.len() {
            return Err(PyTypeError::new_err(
                "DeliveryReceipt lacks a field the native parser fills",
            ));
        }
        let state = receipts.getattr("ReceiptState")?;
        let states = [
            "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD",
        ]
        .iter()
        .map(|code| Ok(state.call1((code,))?.unbind()))
        .collect::<PyResult<Vec<_>>>()?;
        let template = PyDict::new(py);
        for field in &fields {
            let (Field::Filled(name, _) | Field::Default(name, _) | Field::Factory(name, _)) =
                field;
            let default = match field {
                Field::Default(_, default) => default.bind(py).clone(),
                _ => py.None().into_bound(py),
            };
            template.set_item(name.bind(py), default)?;
        }
        let datetime = py.import("datetime")?;
        Ok(Cache {
            template: template.unbind(),
            last_dates: [Mutex::new(None), Mutex::new(None)],
            object_new: py
                .import("builtins")?
                .getattr("object")?
                .getattr("__new__")?
                .unbind(),
            receipt: receipt.unbind(),
            fields,
            states,
            datetime: datetime.getattr("datetime")?.unbind(),
            utc: PyTzInfo::utc(py)?.to_owned().into_any().unbind(),
            empty: PyString::intern(py, "").unbind(),
        })
    })
}

/// A keyword argument the caller may leave out; `None` passed is not left
/// out. (A Rust default cannot hold a Python object such as `timezone.utc`.)
pub enum Argument<'py> {
    Omitted,
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Argument<'py> {
    type Error = PyErr;

    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Argument::Given(object.to_owned()))
    }
}

/// data_coding: an int; one outside 0-255 is no coding the parser knows,
/// read as Latin-1 as the pure twin does.
pub struct DataCoding(Option<u8>);

impl<'a, 'py> FromPyObject<'a, 'py> for DataCoding {
    type Error = PyErr;

    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let Ok(value) = object.cast::<PyInt>() else {
            let kind = object.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
                "data_coding must be an int, not {kind}"
            )));
        };
        Ok(DataCoding(value.extract::<u8>().ok()))
    }
}

/// Parse a receipt from a deliver_sm's short_message (or message_payload) and TLVs.
///
/// ``tlvs`` are (tag, value) pairs, ``data_coding`` the deliver_sm's. Dates
/// carry ``tz`` (UTC unless told), except SMPP absolute times, which name
/// their own offset. Never raises on what an SMSC sent; the rules are told
/// in ``smswire.smpp.receipts``.
#[pyfunction]
#[pyo3(signature = (
    short_message, tlvs=Argument::Omitted, *, source=Argument::Omitted,
    destination=Argument::Omitted, tz=Argument::Omitted, data_coding=DataCoding(Some(0)),
))]
fn parse_receipt<'py>(
    short_message: &Bound<'py, PyBytes>,
    tlvs: Argument<'py>,
    source: Argument<'py>,
    destination: Argument<'py>,
    tz: Argument<'py>,
    data_coding: DataCoding,
) -> PyResult<Bound<'py, PyAny>> {
    let py = short_message.py();
    let cache = cache(py)?;
    let text = receipt::decode(short_message.as_bytes(), data_coding.0);
    let mut reading = Receipt::parse(&text);
    if let Argument::Given(tlvs) = tlvs {
        for item in tlvs.try_iter()? {
            let (tag, value) = item?.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()?;
            let Ok(tag) = tag.extract::<u16>() else {
                continue;
            };
            if matches!(
                tag,
                receipt::TAG_RECEIPTED_MESSAGE_ID
                    | receipt::TAG_MESSAGE_STATE
                    | receipt::TAG_NETWORK_ERROR_CODE
            ) {
                reading.apply_tlv(tag, value.cast::<PyBytes>()?.as_bytes());
            }
        }
    }
    let given_or = |argument: Argument<'py>, default: &Bound<'py, PyAny>| match argument {
        Argument::Given(value) => value,
        Argument::Omitted => default.clone(),
    };
    let empty = cache.empty.bind(py).as_any();
    let source = given_or(source, empty);
    let destination = given_or(destination, empty);
    let tz = given_or(tz, cache.utc.bind(py));
    let submit_date = date(&cache.last_dates[0], cache, &tz, reading.submit_date)?;
    let done_date = if reading.done_date == reading.submit_date {
        // One object for one moment, as often as SMSCs write both alike.
        submit_date.clone()
    } else {
        date(&cache.last_dates[1], cache, &tz, reading.done_date)?
    };
    let instance = cache.object_new.bind(py).call1((cache.receipt.bind(py),))?;
    let fields = instance
        .getattr(intern!(py, "__dict__"))?
        .cast_into::<PyDict>()?;
    // Every field with its default, in order; then what the parser read.
    fields.update(cache.template.bind(py).as_mapping())?;
    for field in &cache.fields {
        let (name, value) = match field {
            Field::Default(..) => continue,
            Field::Factory(name, factory) => (name, factory.bind(py).call0()?),
            Field::Filled(name, which) => (
                name,
                match which {
                    Filled::MessageId => PyString::new(py, &reading.message_id).into_any(),
                    Filled::State => cache.states[reading.state as usize - 1].bind(py).clone(),
                    Filled::Error => reading.error.into_pyobject(py)?,
                    Filled::SubmitDate => submit_date.clone(),
                    Filled::DoneDate => done_date.clone(),
                    Filled::Submitted => reading.submitted.into_pyobject(py)?,
                    Filled::Delivered => reading.delivered.into_pyobject(py)?,
                    Filled::Text => PyString::new(py, reading.text).into_any(),
                    Filled::Raw => short_message.clone().into_any(),
                    Filled::RawStat => PyString::new(py, reading.stat).into_any(),
                    Filled::RawErr => PyString::new(py, reading.err).into_any(),
                    Filled::Source => source.clone(),
                    Filled::Destination => destination.clone(),
                    Filled::NetworkError => reading.network_error.into_pyobject(py)?,
                },
            ),
        };
        fields.set_item(name.bind(py), value)?;
    }
    Ok(instance)
}

/// A receipt date as a `datetime`: in its own offset (SMPP absolute time),
/// else in `tz`; the very object `last_date` holds when it is for the same
/// moment in the same zone.
fn date<'py>(
    last_date: &Mutex<Option<LastDate>>,
    cache: &Cache,
    tz: &Bound<'py, PyAny>,
    stamp: Option<Timestamp>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = tz.py();
    let Some(stamp) = stamp else {
        return Ok(py.None().into_bound(py));
    };
    // The lock is never held across a call into Python (which may let another
    // thread run parse_receipt), nor while a replaced value is dropped.
    if let Ok(last) = last_date.lock() {
        if let Some(last) = last
            .as_ref()
            .filter(|last| last.stamp == stamp && last.tz.is(tz))
        {
            return Ok(last.date.bind(py).clone());
        }
    }
    let date = new_date(cache, tz, stamp)?;
    let made = LastDate {
        stamp,
        tz: tz.clone().unbind(),
        date: date.clone().unbind(),
    };
    let replaced = match last_date.lock() {
        Ok(mut last) => last.replace(made),
        Err(_) => None,
    };
    drop(replaced);
    Ok(date)
}

fn new_date<'py>(
    cache: &Cache,
    tz: &Bound<'py, PyAny>,
    stamp: Timestamp,
) -> PyResult<Bound<'py, PyAny>> {
    let py = tz.py();
    let zone = match stamp.offset_quarters {
        None => tz.clone(),
        Some(quarters) => {
            let seconds = i32::from(quarters) * 15 * 60;
            PyTzInfo::fixed_offset(py, PyDelta::new(py, 0, seconds, 0, true)?)?.into_any()
        }
    };
    cache.datetime.bind(py).call1((
        stamp.year,
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
        u32::from(stamp.tenths) * 100_000,
        zone,
    ))
}

/// The forms under which a message id may come back in a receipt.
///
/// The id trimmed and lowered (ASCII only), then, each once, without its
/// leading zeros and in the other base (decimal to hex, else hex to decimal).
#[pyfunction]
fn message_id_keys<'py>(message_id: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyTuple>> {
    let py = message_id.py();
    let Ok(text) = message_id.to_cow() else {
        // A lone surrogate is no UTF-8: the pure twin reads such an id.
        let pure = py.import("smswire.smpp._receipt_pure")?;
        return Ok(pure
            .getattr("message_id_keys")?
            .call1((message_id,))?
            .cast_into()?);
    };
    let keys = receipt::message_id_keys(&text);
    PyTuple::new(
        py,
        keys.iter().enumerate().map(|(index, key)| match key {
            // Already trimmed and lowered: the caller's own string.
            Cow::Borrowed(key) if index == 0 && key.len() == text.len() => message_id.clone(),
            key => PyString::new(py, key),
        }),
    )
}
