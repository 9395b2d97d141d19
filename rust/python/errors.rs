//! The exceptions of `smswire.errors`, raised from Rust.
//!
//! They are defined once, in Python, so that the pure backend raises the same
//! types; this module looks each class up by name and instantiates it with the
//! same arguments the pure twin passes.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Build a `PyErr` of the `smswire.errors` class `class_name`, called with
/// `message` and the keyword arguments in `kwargs`.
pub fn smswire_error(
    py: Python<'_>,
    class_name: &str,
    message: &str,
    kwargs: &[(&str, Py<PyAny>)],
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("smswire.errors")?.getattr(class_name)?;
        let kw = PyDict::new(py);
        for (key, value) in kwargs {
            kw.set_item(key, value)?;
        }
        let instance = class.call((message,), Some(&kw))?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|lookup_failure| lookup_failure)
}
