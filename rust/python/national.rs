//! Bindings of the opt-in cost savers: the national language shift tables
//! (3GPP TS 23.038 Annex A) and the smart-encoding look-alike table.

use pyo3::prelude::*;

use crate::encoding::national::Language;
use crate::encoding::smart;

/// A table as 128 characters indexed by septet, U+0000 where undefined: the
/// form the pure twin keeps its data in, so the two compare entry for entry.
fn table_string(entry: impl Fn(u8) -> Option<char>) -> String {
    (0..0x80u8)
        .map(|septet| entry(septet).unwrap_or('\0'))
        .collect()
}

fn language(identifier: i64) -> Option<Language> {
    u8::try_from(identifier)
        .ok()
        .and_then(Language::from_identifier)
}

/// The locking shift table of national language `identifier` (3GPP TS 23.038
/// Annex A.3) as 128 characters indexed by septet, U+0000 where undefined;
/// `None` for Spanish and for identifiers Annex A does not define.
#[pyfunction]
fn national_locking_table(identifier: i64) -> Option<String> {
    language(identifier)
        .filter(|language| language.has_locking_table())
        .map(|language| table_string(|septet| language.locking_char(septet)))
}

/// The single shift table of national language `identifier` (3GPP TS 23.038
/// Annex A.2) as 128 characters indexed by septet, U+0000 where undefined;
/// `None` for identifiers Annex A does not define.
#[pyfunction]
fn national_single_shift_table(identifier: i64) -> Option<String> {
    language(identifier).map(|language| table_string(|septet| language.single_shift_char(septet)))
}

/// The GSM text smart encoding puts for the look-alike `ch`, or `None`.
#[pyfunction]
fn smart_replacement(ch: char) -> Option<&'static str> {
    smart::replacement(ch)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(national_locking_table, m)?)?;
    m.add_function(wrap_pyfunction!(national_single_shift_table, m)?)?;
    m.add_function(wrap_pyfunction!(smart_replacement, m)?)?;
    Ok(())
}
