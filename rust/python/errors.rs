//! The exceptions of `smswire.errors`, raised from Rust.
//!
//! They are defined once, in Python, so that the pure backend raises the same
//! types; each class is looked up the first time it is raised and kept, and
//! instantiated with the same arguments the pure twin passes.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

/// The classes of `smswire.errors` the codecs raise.
#[derive(Clone, Copy)]
pub enum SmswireError {
    Protocol,
    Encoding,
    MessageTooLong,
    Configuration,
}

impl SmswireError {
    fn name(self) -> &'static str {
        match self {
            SmswireError::Protocol => "ProtocolError",
            SmswireError::Encoding => "EncodingError",
            SmswireError::MessageTooLong => "MessageTooLong",
            SmswireError::Configuration => "ConfigurationError",
        }
    }

    fn class(self, py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        static PROTOCOL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static ENCODING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static MESSAGE_TOO_LONG: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static CONFIGURATION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let cell = match self {
            SmswireError::Protocol => &PROTOCOL,
            SmswireError::Encoding => &ENCODING,
            SmswireError::MessageTooLong => &MESSAGE_TOO_LONG,
            SmswireError::Configuration => &CONFIGURATION,
        };
        cell.import(py, "smswire.errors", self.name())
    }

    /// This exception, called with `message` and the keyword arguments in
    /// `kwargs`; a failure to build it (which would be a bug) is raised
    /// instead.
    pub fn new_err(self, py: Python<'_>, message: &str, kwargs: &[(&str, Py<PyAny>)]) -> PyErr {
        let build = || -> PyResult<PyErr> {
            let kw = PyDict::new(py);
            for (key, value) in kwargs {
                kw.set_item(key, value)?;
            }
            let instance = self.class(py)?.call((message,), Some(&kw))?;
            Ok(PyErr::from_value(instance))
        };
        build().unwrap_or_else(|failure| failure)
    }
}
