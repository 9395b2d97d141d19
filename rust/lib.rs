//! The native core of smswire: SMS text encoding, the SMPP 3.4 PDU codec and
//! delivery receipts.
//!
//! The modules below are plain Rust with their own unit tests; nothing in them
//! knows about Python. The PyO3 binding layer lives in [`python`] and is compiled
//! only with the `python` feature, which maturin switches on.

pub mod encoding;
pub mod pdu;
pub mod receipt;
pub mod submit;

#[cfg(feature = "python")]
mod python;
