//! The fence: every raw use of the CPython C API (`pyo3::ffi`, `unsafe`) in
//! the bindings is here, behind safe wrappers; the rest of `rust/python/`
//! calls these and is compiled with `unsafe_code` denied (see `../mod.rs`).
//!
//! The bindings go below PyO3's safe API only where it measurably pays
//! (instruction counts in benches/callgrind_*.py) or where PyO3 has no safe
//! form under the stable ABI (abi3, Python 3.9): reading and writing the
//! `__slots__` of the PDU dataclasses in place, heap types whose instances
//! the collector never tracks, a call path that skips argument parsing,
//! and a few str, int and buffer accessors.
//!
//! The rules here, as orjson keeps its `ffi` folder:
//! - each public item is safe to call with any arguments: its doc states
//!   the invariant it relies on and how it upholds it (a check, or a type
//!   only this module can construct);
//! - each `unsafe` block carries a `SAFETY:` comment (enforced by clippy);
//! - a reference the C API lends is used only while its owner is known to
//!   hold it; one kept past a call into Python code is owned.

#![warn(clippy::undocumented_unsafe_blocks)]

mod entry;
mod function;
mod heap_type;
mod instance;
mod objects;
mod record;

pub use function::{add_unary_function, UnaryFunction};
pub use heap_type::{create_base_type, NewSlot};
pub use instance::{Fields, NewInstance, SlotLayout};
pub use objects::{
    buffer_to_bytes, exact_int, for_each_keyword, latin1_str, Keyword, Text, Ucs4Buffer, Utf8,
};
pub use record::{create_record_type, new_record, Record};
