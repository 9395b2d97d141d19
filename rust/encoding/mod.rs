//! SMS text encoding: GSM 03.38 and UCS2, analysis and segmentation.
//!
//! Plain Rust, no Python: the binding layer (`rust/python/encoding.rs`) maps
//! [`Error`] onto the exceptions of `smswire.errors`. The pure-Python twin
//! (`python/smswire/encoding/_pure.py`) gives the same bytes and errors.
//! Indices into a text count characters (code points), as Python's `str` does.

mod error;
pub mod graphemes;
pub mod gsm7;
pub mod national;
pub mod plan;
pub mod smart;
pub mod ucs2;

pub use error::Error;
pub use plan::{analyze, segment, Analysis, Options, Parts, Profile, Segment};
