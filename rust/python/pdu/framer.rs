//! `PduFramer`: the core's framer, decoding each PDU it finds.

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList};
use pyo3::Borrowed;

use crate::pdu::schema::{self, MAX_COMMAND_LENGTH};
use crate::pdu::Framer;

use super::super::errors::SmswireError;
use super::classes::cache;
use super::{decode_one, octets, protocol_error, Failure};

/// An argument left out, or what was given: `Option` would read `None` as
/// left out, where the pure twin refuses it.
enum Requested<'py> {
    Default,
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Requested<'py> {
    type Error = PyErr;

    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Requested::Given(object.to_owned()))
    }
}

/// Splits a received byte stream into PDUs (SMPP 3.4 §3.2).
///
/// `max_command_length` must be an int within 16..0xFFFFFFFF (the header's
/// length up to what command_length can say); anything else, `None`
/// included, raises `ConfigurationError`.
#[pyclass(name = "PduFramer", module = "smswire._native")]
pub struct PduFramer {
    inner: Framer,
}

#[pymethods]
impl PduFramer {
    #[new]
    #[pyo3(
        signature = (max_command_length = Requested::Default),
        text_signature = "(max_command_length=65536)"
    )]
    fn new(py: Python<'_>, max_command_length: Requested<'_>) -> PyResult<Self> {
        let Requested::Given(requested) = max_command_length else {
            return Ok(PduFramer {
                inner: Framer::new(MAX_COMMAND_LENGTH),
            });
        };
        let valid = requested.is_instance_of::<PyInt>()
            && matches!(requested.extract::<u32>(), Ok(v) if v >= schema::HEADER_LENGTH as u32);
        if !valid {
            let message = format!(
                "max_command_length must be {}..{}, got {}",
                schema::HEADER_LENGTH,
                u32::MAX,
                requested.repr()?
            );
            return Err(SmswireError::Configuration.new_err(py, &message, &[]));
        }
        Ok(PduFramer {
            inner: Framer::new(requested.extract()?),
        })
    }

    #[getter]
    fn max_command_length(&self) -> u32 {
        self.inner.max_command_length()
    }

    /// Append `data`; return every complete PDU, keep a partial one.
    fn feed<'py>(
        &mut self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let cache = cache(py)?;
        let data = octets(data, "Framer.feed")?;
        self.inner
            .check()
            .map_err(|error| protocol_error(py, &error))?;
        self.inner.extend(data.as_bytes());
        let found = PyList::empty(py);
        loop {
            let length = match self.inner.next_frame() {
                Ok(Some(length)) => length,
                Ok(None) => break,
                Err(_) if !found.is_empty() => break,
                Err(error) => return Err(protocol_error(py, &error)),
            };
            let decoded = match decode_one(py, cache, self.inner.frame(length)) {
                Err(Failure::Python(error)) => return Err(error),
                Err(Failure::Protocol(error)) => Err(error),
                Ok(object) => Ok(object),
            };
            match decoded {
                Ok(object) => {
                    found.append(object)?;
                    self.inner.consume(length);
                }
                Err(_) if !found.is_empty() => break,
                Err(error) => {
                    self.inner.consume(length);
                    self.inner.compact();
                    return Err(protocol_error(py, &error));
                }
            }
        }
        self.inner.compact();
        Ok(found)
    }
}
