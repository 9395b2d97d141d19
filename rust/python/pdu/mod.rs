//! Bindings of the SMPP PDU codec.
//!
//! The PDU classes are the Python dataclasses of `smswire.pdu._types`, shared
//! with the pure backend. They have `__slots__` and no instance dict, and
//! under this backend derive from `PduBase` ([`construct`]), whose `tp_new`
//! binds the constructor's arguments as the dataclass `__init__` would and
//! stores them straight into the slots. Decoding ([`decode`]) takes each
//! field from the core decoder as it is read, makes its object (a field at
//! its default keeps the class's own) and allocates the instance once all
//! are in hand; encoding ([`encode`]) reads the slots and feeds each value
//! to the core's validating encoder. A PDU crosses the boundary once, and a
//! batch (`encode_many`, `Framer.feed`) crosses it once for all its PDUs.
//! The slot offsets come from each class's member table, checked against
//! its dataclass fields when the cache ([`classes`]) is built.

mod classes;
mod construct;
mod decode;
mod encode;
mod framer;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::pdu::codec::Value;
use crate::pdu::schema::PDUS;
use crate::pdu::PduError;

use super::capi::{add_unary_function, buffer_to_bytes, UnaryFunction};
use super::errors::SmswireError;
use classes::cache;
use decode::decode_one;
use encode::encode_one;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    construct::register(m)?;
    add_unary_function::<Decode>(m, wrap_pyfunction!(pdu_decode, m)?)?;
    add_unary_function::<Encode>(m, wrap_pyfunction!(pdu_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pdu_encode_many, m)?)?;
    m.add_function(wrap_pyfunction!(pdu_schema, m)?)?;
    m.add_class::<framer::PduFramer>()?;
    Ok(())
}

// --- Errors ----------------------------------------------------------------------

pub(super) fn protocol_error(py: Python<'_>, error: &PduError) -> PyErr {
    let optional = |value: Option<u32>| match value {
        Some(v) => v.into_pyobject(py).map(|v| v.into_any().unbind()),
        None => Ok(py.None()),
    };
    let build = || -> PyResult<PyErr> {
        let field = match error.field {
            Some(name) => PyString::new(py, name).into_any().unbind(),
            None => py.None(),
        };
        Ok(SmswireError::Protocol.new_err(
            py,
            &error.message,
            &[
                (
                    "status",
                    error.status.into_pyobject(py)?.into_any().unbind(),
                ),
                ("field", field),
                ("command_id", optional(error.command_id)?),
                ("sequence_number", optional(error.sequence_number)?),
            ],
        ))
    };
    build().unwrap_or_else(|failure| failure)
}

/// A PDU the codec refuses, or a Python error on the way (an allocation,
/// code a value ran).
enum Failure {
    Protocol(PduError),
    Python(PyErr),
}

impl From<PduError> for Failure {
    fn from(error: PduError) -> Self {
        Failure::Protocol(error)
    }
}

impl From<PyErr> for Failure {
    fn from(error: PyErr) -> Self {
        Failure::Python(error)
    }
}

/// Conversions that cannot fail (an int to a Python int) take `?` too.
impl From<std::convert::Infallible> for Failure {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Protocol(error) => protocol_error(py, &error),
            Failure::Python(error) => error,
        }
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// The octets of a bytes-like object: a `bytes` as it is, any other object
/// with the buffer protocol (bytearray, memoryview, array, mmap) copied once,
/// as `memoryview(data).tobytes()` does in the pure twin. The copy also keeps
/// a mutable buffer from changing under the decoder while it runs Python code.
fn octets<'py>(data: &Bound<'py, PyAny>, caller: &str) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(bytes) = data.cast_exact::<PyBytes>() {
        return Ok(bytes.clone());
    }
    let py = data.py();
    match buffer_to_bytes(data) {
        Err(error) if error.is_instance_of::<PyTypeError>(py) => {
            Err(PyTypeError::new_err(format!(
                "{caller}() takes a bytes-like object, not {}",
                type_name(data)
            )))
        }
        result => result,
    }
}

// --- Entry points ------------------------------------------------------------------

/// Decode exactly one whole PDU from a bytes-like object.
#[pyfunction]
fn pdu_decode<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let cache = cache(py)?;
    let data = octets(data, "decode")?;
    decode_one(py, cache, data.as_bytes()).map_err(|failure| failure.into_py(py))
}

/// Encode one PDU, header included.
#[pyfunction]
fn pdu_encode<'py>(py: Python<'py>, pdu: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let cache = cache(py)?;
    OUTPUT.with(|cell| {
        // Busy only if encoding ran Python code (an `__eq__`) that encodes.
        let mut fresh = Vec::new();
        let mut reused = cell.try_borrow_mut();
        let out = match reused.as_deref_mut() {
            Ok(out) => out,
            Err(_) => &mut fresh,
        };
        out.clear();
        encode_one(cache, pdu, out).map_err(|e| e.into_py(py))?;
        let bytes = PyBytes::new(py, out);
        if out.capacity() > OUTPUT_KEPT {
            *out = Vec::with_capacity(OUTPUT_KEPT);
        }
        Ok(bytes)
    })
}

/// Octets of output buffer a thread keeps between `encode` calls: a typical
/// PDU fits, a large one does not pin its buffer.
const OUTPUT_KEPT: usize = 1024;

thread_local! {
    /// The output buffer `encode` reuses, saving an allocation per PDU.
    static OUTPUT: std::cell::RefCell<Vec<u8>> =
        std::cell::RefCell::new(Vec::with_capacity(OUTPUT_KEPT));
}

/// Encode PDUs back to back, for one coalesced write.
#[pyfunction]
fn pdu_encode_many<'py>(
    py: Python<'py>,
    pdus: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let cache = cache(py)?;
    let mut out = Vec::with_capacity(256);
    for pdu in pdus.try_iter()? {
        encode_one(cache, &pdu?, &mut out).map_err(|e| e.into_py(py))?;
    }
    Ok(PyBytes::new(py, &out))
}

/// `decode(data)` and `encode(pdu)` called the common way skip PyO3's
/// argument parsing.
struct Decode;
struct Encode;

impl UnaryFunction for Decode {
    fn call<'py>(data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        pdu_decode(data.py(), data)
    }

    fn fallback() -> &'static PyOnceLock<Py<PyAny>> {
        static FULL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        &FULL
    }
}

impl UnaryFunction for Encode {
    fn call<'py>(pdu: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        pdu_encode(pdu.py(), pdu).map(Bound::into_any)
    }

    fn fallback() -> &'static PyOnceLock<Py<PyAny>> {
        static FULL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        &FULL
    }
}

/// The body schema the native codec walks (rust/pdu/schema.rs), for the
/// test that holds it to `BODIES` and the dataclasses: per PDU, its
/// command_id, class name and fields, each as (name, kind, limit, the
/// value the decoder takes for the class's default).
#[pyfunction]
fn pdu_schema(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let pdus = PDUS.iter().map(|spec| {
        let fields = spec.fields.iter().map(|field| {
            let default = match Value::default_for(field.kind) {
                Value::U8(octet) => octet.into_pyobject(py)?.into_any(),
                Value::Str(_) => PyString::new(py, "").into_any(),
                Value::Bytes(_) => PyBytes::new(py, b"").into_any(),
                Value::Dests(_) | Value::Unsuccess(_) => PyTuple::empty(py).into_any(),
            };
            (field.name, field.kind.code(), field.kind.limit(), default).into_pyobject(py)
        });
        (
            spec.command_id,
            spec.name,
            PyTuple::new(py, fields.collect::<PyResult<Vec<_>>>()?)?,
        )
            .into_pyobject(py)
    });
    PyTuple::new(py, pdus.collect::<PyResult<Vec<_>>>()?)
}
