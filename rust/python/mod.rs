//! The `smswire._native` extension module: bindings only.
//!
//! Each submodule converts between Python objects and the plain Rust core and
//! maps core errors onto the exceptions of `smswire.errors`, so both backends
//! raise the very same exception types.
//!
//! Raw CPython access is fenced in [`capi`], a module of safe wrappers; the
//! rest call those and PyO3's safe API. The compiler holds the fence: unsafe
//! code is denied here, allowed in `capi` alone, and forbidden outright in
//! the other modules, so not even an `allow` inside them can let it back.

#![deny(unsafe_code)]

use pyo3::prelude::*;

#[allow(unsafe_code)]
mod capi;
#[forbid(unsafe_code)]
mod encoding;
#[forbid(unsafe_code)]
mod errors;
#[forbid(unsafe_code)]
mod national;
#[forbid(unsafe_code)]
mod pdu;
#[forbid(unsafe_code)]
mod receipt;
#[forbid(unsafe_code)]
mod segment;
#[forbid(unsafe_code)]
mod window;

#[pymodule]
#[pyo3(name = "_native")]
fn native_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    encoding::register(m)?;
    pdu::register(m)?;
    national::register(m)?;
    receipt::register(m)?;
    window::register(m)?;
    Ok(())
}
