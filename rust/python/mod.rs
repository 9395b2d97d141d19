//! The `smswire._native` extension module: bindings only.
//!
//! Each submodule converts between Python objects and the plain Rust core and
//! maps core errors onto the exceptions of `smswire.errors`, so both backends
//! raise the very same exception types.

use pyo3::prelude::*;

mod encoding;
mod errors;
mod national;
mod pdu;
mod receipt;
mod segment;

#[pymodule]
#[pyo3(name = "_native")]
fn native_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    encoding::register(m)?;
    pdu::register(m)?;
    national::register(m)?;
    receipt::register(m)?;
    Ok(())
}
