//! `smswire.encoding.Segment`, the native twin of the pure dataclass: a
//! record (see `capi::record`), so the tens of thousands a batch makes are
//! each one small allocation the cycle collector never tracks.

use std::ffi::CStr;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyTuple, PyType};

use super::capi::{create_record_type, new_record, NewSlot, Record};

/// One part of a message: `udh` and `payload` (objects), then
/// `data_coding`, `index` and `total` (integers), the pure twin's order.
struct Segment;

impl Record<2, 3> for Segment {
    const NAME: &'static CStr = c"smswire.encoding.Segment";
    const DOC: &'static CStr = c"Segment(udh, payload, data_coding, index, total)\n--\n\n\
        One part of a message as it goes on the wire.";
    const OBJECT_FIELDS: [&'static CStr; 2] = [c"udh", c"payload"];
    const INT_FIELDS: [&'static CStr; 3] = [c"data_coding", c"index", c"total"];

    fn type_object() -> &'static PyOnceLock<Py<PyType>> {
        static SEGMENT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        &SEGMENT
    }
}

/// The constructor's argument parsing, borrowed from a `#[pyfunction]`.
static CONSTRUCTOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

impl NewSlot for Segment {
    fn construct<'py>(
        cls: &Bound<'py, PyType>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let constructor = CONSTRUCTOR
            .get(py)
            .ok_or_else(|| PyTypeError::new_err("smswire._native.Segment is not registered"))?;
        constructor.bind(py).call(args, kwargs)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    CONSTRUCTOR.get_or_try_init(py, || {
        Ok::<_, PyErr>(wrap_pyfunction!(from_arguments, m)?.into_any().unbind())
    })?;
    m.add("Segment", create_record_type::<Segment, 2, 3>(py)?)
}

/// A new `Segment`.
pub fn new_segment<'py>(
    py: Python<'py>,
    udh: &[u8],
    payload: &[u8],
    data_coding: u8,
    index: usize,
    total: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let objects = [
        PyBytes::new(py, udh).into_any(),
        PyBytes::new(py, payload).into_any(),
    ];
    // Indexes and totals are counts of parts (at most 255 each).
    let ints = [isize::from(data_coding), index as isize, total as isize];
    new_record::<Segment, 2, 3>(py, objects, ints)
}

/// `Segment(udh, payload, data_coding, index, total)`, positional or by keyword.
#[pyfunction]
#[pyo3(name = "Segment")]
fn from_arguments<'py>(
    udh: &Bound<'py, PyBytes>,
    payload: &Bound<'py, PyBytes>,
    data_coding: u8,
    index: usize,
    total: usize,
) -> PyResult<Bound<'py, PyAny>> {
    new_segment(
        udh.py(),
        udh.as_bytes(),
        payload.as_bytes(),
        data_coding,
        index,
        total,
    )
}
