//! Bindings of the encoding core.
//!
//! Text crosses the boundary once per call (or once per batch, with the
//! GIL released while Rust works); results come back as the small frozen
//! classes `Segment` and `Analysis`, which mirror the pure backend's
//! dataclasses field for field, with the same equality and repr.

use std::cell::RefCell;
use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use super::capi::Utf8;
use super::errors::SmswireError;
use super::segment::new_segment;
use crate::encoding::national::{self, Language};
use crate::encoding::{self as core, gsm7, plan, ucs2, Error, Options, Profile};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    super::segment::register(m)?;
    m.add_class::<Analysis>()?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_many, m)?)?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add_function(wrap_pyfunction!(segment_many, m)?)?;
    m.add_function(wrap_pyfunction!(encode_gsm7, m)?)?;
    m.add_function(wrap_pyfunction!(decode_gsm7, m)?)?;
    m.add_function(wrap_pyfunction!(pack_septets, m)?)?;
    m.add_function(wrap_pyfunction!(unpack_septets, m)?)?;
    m.add_function(wrap_pyfunction!(encode_ucs2, m)?)?;
    m.add_function(wrap_pyfunction!(decode_ucs2, m)?)?;
    Ok(())
}

// ------------------------------------------------------------------ results

/// How a text travels as SMS.
#[pyclass(frozen, eq, hash, module = "smswire.encoding")]
#[derive(PartialEq, Eq, Hash)]
pub struct Analysis(plan::Analysis);

#[pymethods]
impl Analysis {
    #[getter]
    fn encoding(&self) -> &'static str {
        self.0.encoding
    }

    #[getter]
    fn data_coding(&self) -> u8 {
        self.0.data_coding
    }

    #[getter]
    fn units(&self) -> usize {
        self.0.units
    }

    #[getter]
    fn segments(&self) -> usize {
        self.0.segments
    }

    #[getter]
    fn per_segment(&self) -> usize {
        self.0.per_segment
    }

    #[getter]
    fn characters(&self) -> usize {
        self.0.characters
    }

    #[getter]
    fn non_gsm<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.non_gsm.iter().copied())
    }

    #[getter]
    fn locking_shift(&self) -> Option<&'static str> {
        self.0.locking_shift
    }

    #[getter]
    fn single_shift(&self) -> Option<&'static str> {
        self.0.single_shift
    }

    #[getter]
    fn parts_saved(&self) -> isize {
        self.0.parts_saved
    }

    #[getter]
    fn replacements<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.replacements.iter().copied())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let a = &self.0;
        let code =
            |table: Option<&str>| table.map_or_else(|| "None".to_owned(), |c| format!("'{c}'"));
        Ok(format!(
            "Analysis(encoding='{}', data_coding={}, units={}, segments={}, per_segment={}, \
             characters={}, non_gsm={}, locking_shift={}, single_shift={}, parts_saved={}, \
             replacements={})",
            a.encoding,
            a.data_coding,
            a.units,
            a.segments,
            a.per_segment,
            a.characters,
            self.non_gsm(py)?.repr()?,
            code(a.locking_shift),
            code(a.single_shift),
            a.parts_saved,
            self.replacements(py)?.repr()?
        ))
    }
}

// ------------------------------------------------------------------ errors

pub(super) fn to_py(py: Python<'_>, error: Error) -> PyErr {
    match error {
        Error::Encoding {
            message,
            character,
            index,
        } => {
            let Ok(character) = character.into_pyobject(py);
            let Ok(index) = index.into_pyobject(py);
            SmswireError::Encoding.new_err(
                py,
                &message,
                &[
                    ("character", character.into_any().unbind()),
                    ("index", index.into_any().unbind()),
                ],
            )
        }
        Error::TooLong {
            message,
            limit,
            units,
            profile,
        } => {
            let Ok(limit) = limit.into_pyobject(py);
            let Ok(units) = units.into_pyobject(py);
            let Ok(profile) = profile.into_pyobject(py);
            SmswireError::MessageTooLong.new_err(
                py,
                &message,
                &[
                    ("limit", limit.into_any().unbind()),
                    ("units", units.into_any().unbind()),
                    ("profile", profile.into_any().unbind()),
                ],
            )
        }
        Error::Configuration { message } => SmswireError::Configuration.new_err(py, &message, &[]),
    }
}

// ------------------------------------------------------------------ text in

/// The UTF-8 of a Python string. A lone surrogate (which UTF-8 cannot hold)
/// raises `EncodingError` naming the first one, as the pure backend does.
pub(super) fn utf8<'py>(text: &Bound<'py, PyString>, batch: Option<usize>) -> PyResult<Utf8<'py>> {
    let py = text.py();
    match Utf8::encode(text) {
        Ok(utf8) => Ok(utf8),
        Err(unencodable) => {
            let wide = text.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
            let wide = wide.cast::<PyBytes>()?.as_bytes();
            let found = wide.chunks_exact(4).enumerate().find_map(|(index, cp)| {
                let cp = u32::from_le_bytes([cp[0], cp[1], cp[2], cp[3]]);
                (0xD800..=0xDFFF).contains(&cp).then_some((index, cp))
            });
            let Some((index, cp)) = found else {
                return Err(unencodable);
            };
            let mut message = format!(
                "character U+{cp:04X} at index {index} is a lone surrogate and cannot be encoded"
            );
            if let Some(position) = batch {
                message = format!("texts[{position}]: {message}");
            }
            let Ok(at) = index.into_pyobject(py);
            Err(SmswireError::Encoding.new_err(
                py,
                &message,
                &[
                    ("character", text.get_item(index)?.unbind()),
                    ("index", at.into_any().unbind()),
                ],
            ))
        }
    }
}

/// A batch of texts as UTF-8, up to the first that cannot be read; that one's
/// error is returned beside them, to be raised only if every text before it
/// succeeds (the order in which the pure backend meets errors).
fn utf8_batch<'py>(texts: &Bound<'py, PyAny>) -> PyResult<(Vec<Utf8<'py>>, Option<PyErr>)> {
    let mut out = Vec::new();
    for (position, text) in texts.try_iter()?.enumerate() {
        match utf8(text?.cast::<PyString>()?, Some(position)) {
            Ok(bytes) => out.push(bytes),
            Err(e) => return Ok((out, Some(e))),
        }
    }
    Ok((out, None))
}

// ------------------------------------------------------------------ profiles

pub(super) fn standard() -> &'static Profile {
    static STANDARD: OnceLock<Profile> = OnceLock::new();
    STANDARD.get_or_init(Profile::standard)
}

/// The limits of a `smswire.encoding.Profile` (read by attribute, so the one
/// Python class serves both backends).
pub(super) fn profile_of(profile: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Profile>> {
    let Some(p) = profile else {
        return Ok(None);
    };
    let py = p.py();
    let get = |name: &str| p.getattr(PyString::intern(py, name));
    Ok(Some(Profile {
        name: get("name")?.extract()?,
        max_parts: get("max_parts")?.extract()?,
        gsm7_limit: get("gsm7_limit")?.extract()?,
        ucs2_limit: get("ucs2_limit")?.extract()?,
        gsm7_part_cap: get("gsm7_part_cap")?.extract()?,
        ucs2_part_cap: get("ucs2_part_cap")?.extract()?,
    }))
}

fn options(udh16: bool, graphemes: bool, national: &[Language], smart: bool) -> Options<'_> {
    Options {
        udh16,
        graphemes,
        national,
        smart,
        ..Options::default()
    }
}

/// The class `smswire.encoding.NationalLanguage`, whose members name a
/// language as well as its code does.
fn national_language_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    CLASS
        .get_or_try_init(py, || {
            let module = py.import("smswire.encoding._national")?;
            Ok::<_, PyErr>(module.getattr("NationalLanguage")?.unbind())
        })
        .map(|class| class.bind(py))
}

/// The language a member of `NationalLanguage` or an ISO 639-1 code names.
fn language_of(code: &Bound<'_, PyAny>) -> PyResult<Option<Language>> {
    if code.is_instance(national_language_class(code.py())?)? {
        return Ok(Language::from_identifier(code.extract()?));
    }
    Ok(code
        .cast::<PyString>()
        .ok()
        .and_then(|code| Language::from_code(&code.to_cow().ok()?)))
}

/// The languages `national` names by ISO 639-1 code (or `NationalLanguage`
/// member), in identifier order, each once; as the pure twin's
/// `languages_of`, with its errors.
pub(super) fn languages_of(national: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Language>> {
    let Some(national) = national else {
        return Ok(Vec::new());
    };
    let py = national.py();
    if national.is_instance_of::<PyString>() {
        let message = format!(
            "national must be a sequence of language codes such as ({},), not a string",
            national.repr()?
        );
        return Err(SmswireError::Configuration.new_err(py, &message, &[]));
    }
    let mut languages = Vec::new();
    for code in national.try_iter()? {
        let code = code?;
        let Some(language) = language_of(&code)? else {
            let mut known: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
            known.sort_unstable();
            let message = format!(
                "national: {} is not a language with TS 23.038 Annex A shift tables; \
                 choose from {}",
                code.repr()?,
                known.join(", ")
            );
            return Err(SmswireError::Configuration.new_err(py, &message, &[]));
        };
        languages.push(language);
    }
    languages.sort_unstable();
    languages.dedup();
    Ok(languages)
}

// ------------------------------------------------------------------ functions

/// How `text` travels as SMS: encoding, units, parts and what forced UCS2.
/// `national` names (ISO 639-1) the languages whose 3GPP TS 23.038 Annex A
/// shift tables the destination reads; `smart` lets look-alikes be replaced;
/// either is used only where it makes the message cheaper (or, smart, GSM).
#[pyfunction]
#[pyo3(signature = (text, *, profile=None, udh16=false, graphemes=false, national=None, smart=false))]
fn analyze(
    text: &Bound<'_, PyString>,
    profile: Option<&Bound<'_, PyAny>>,
    udh16: bool,
    graphemes: bool,
    national: Option<&Bound<'_, PyAny>>,
    smart: bool,
) -> PyResult<Analysis> {
    let py = text.py();
    let owned = profile_of(profile)?;
    let profile = owned.as_ref().unwrap_or_else(|| standard());
    let languages = languages_of(national)?;
    let bytes = utf8(text, None)?;
    let options = options(udh16, graphemes, &languages, smart);
    core::analyze(bytes.as_str(), profile, &options)
        .map(Analysis)
        .map_err(|e| to_py(py, e))
}

/// `analyze` of each text, in one call with the GIL released; an error names
/// the text's position.
#[pyfunction]
#[pyo3(signature = (texts, *, profile=None, udh16=false, graphemes=false, national=None, smart=false))]
fn analyze_many(
    texts: &Bound<'_, PyAny>,
    profile: Option<&Bound<'_, PyAny>>,
    udh16: bool,
    graphemes: bool,
    national: Option<&Bound<'_, PyAny>>,
    smart: bool,
) -> PyResult<Vec<Analysis>> {
    let py = texts.py();
    let owned = profile_of(profile)?;
    let profile = owned.as_ref().unwrap_or_else(|| standard());
    let languages = languages_of(national)?;
    let (bytes, unreadable) = utf8_batch(texts)?;
    let strs: Vec<&str> = bytes.iter().map(Utf8::as_str).collect();
    let options = options(udh16, graphemes, &languages, smart);
    let result = py.detach(|| plan::analyze_many(&strs, profile, &options));
    let analyses = result.map_err(|e| to_py(py, e))?;
    match unreadable {
        Some(e) => Err(e),
        None => Ok(analyses.into_iter().map(Analysis).collect()),
    }
}

/// The parts of `text` with their UDH and payload, ready for the wire; with
/// national tables chosen, every part's UDH names them (IEI 0x25, 0x24).
#[pyfunction]
#[pyo3(signature = (
    text, *, profile=None, reference=None, udh16=false, packed=false, graphemes=false,
    national=None, smart=false
))]
#[allow(clippy::too_many_arguments, reason = "the Python signature's keywords")]
fn segment<'py>(
    text: &Bound<'py, PyString>,
    profile: Option<&Bound<'_, PyAny>>,
    reference: Option<i64>,
    udh16: bool,
    packed: bool,
    graphemes: bool,
    national: Option<&Bound<'_, PyAny>>,
    smart: bool,
) -> PyResult<Bound<'py, PyList>> {
    let py = text.py();
    let reference = plan::check_reference(reference, udh16).map_err(|e| to_py(py, e))?;
    let owned = profile_of(profile)?;
    let profile = owned.as_ref().unwrap_or_else(|| standard());
    let languages = languages_of(national)?;
    let bytes = utf8(text, None)?;
    thread_local! {
        // One call's buffers, kept for the next call on this thread: a
        // sender calls this once per message.
        static PARTS: RefCell<plan::Parts> = RefCell::default();
    }
    // Taken out while in use: making the Python objects can run a finalizer
    // that segments again, and finds empty buffers of its own.
    let mut parts = PARTS.take();
    parts.clear();
    parts
        .push(
            bytes.as_str(),
            profile,
            &options(udh16, graphemes, &languages, smart),
            reference,
            packed,
        )
        .map_err(|e| to_py(py, e))?;
    let list = segment_list(py, &parts, 0);
    PARTS.set(parts);
    list
}

/// The `Segment`s of message `m`, as a list.
fn segment_list<'py>(
    py: Python<'py>,
    parts: &plan::Parts,
    m: usize,
) -> PyResult<Bound<'py, PyList>> {
    let (data_coding, parts) = parts.message(m);
    let total = parts.len();
    let list = PyList::empty(py);
    for (k, (udh, payload)) in parts.enumerate() {
        list.append(new_segment(py, udh, payload, data_coding, k + 1, total)?)?;
    }
    Ok(list)
}

/// `segment` of each text, in one call with the GIL released; each
/// multi-part message draws its own reference.
#[pyfunction]
#[pyo3(signature = (
    texts, *, profile=None, udh16=false, packed=false, graphemes=false, national=None, smart=false
))]
#[allow(clippy::too_many_arguments, reason = "the Python signature's keywords")]
fn segment_many<'py>(
    texts: &Bound<'py, PyAny>,
    profile: Option<&Bound<'_, PyAny>>,
    udh16: bool,
    packed: bool,
    graphemes: bool,
    national: Option<&Bound<'_, PyAny>>,
    smart: bool,
) -> PyResult<Bound<'py, PyList>> {
    let py = texts.py();
    let owned = profile_of(profile)?;
    let profile = owned.as_ref().unwrap_or_else(|| standard());
    let languages = languages_of(national)?;
    let (bytes, unreadable) = utf8_batch(texts)?;
    let strs: Vec<&str> = bytes.iter().map(Utf8::as_str).collect();
    let options = options(udh16, graphemes, &languages, smart);
    let result = py.detach(|| plan::segment_many(&strs, profile, &options, packed));
    let messages = result.map_err(|e| to_py(py, e))?;
    match unreadable {
        Some(e) => Err(e),
        None => {
            let lists = PyList::empty(py);
            for chunk in &messages {
                for m in 0..chunk.len() {
                    lists.append(segment_list(py, chunk, m)?)?;
                }
            }
            Ok(lists)
        }
    }
}

/// Septets of `text`, one per octet, extension characters as ESC + code.
#[pyfunction]
fn encode_gsm7<'py>(text: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyBytes>> {
    let py = text.py();
    let bytes = utf8(text, None)?;
    let septets = gsm7::encode_gsm7(bytes.as_str()).map_err(|e| to_py(py, e))?;
    Ok(PyBytes::new(py, &septets))
}

/// The text of septets given one per octet (3GPP TS 23.038 §6.2.1), in the
/// national language tables `udh` names (IEI 0x25 locking, 0x24 single shift).
#[pyfunction]
// The default is spelled out: PyO3 renders a default it cannot print as `...`.
#[pyo3(signature = (data, *, udh=b"".as_slice()), text_signature = "(data, *, udh=b'')")]
fn decode_gsm7(py: Python<'_>, data: &[u8], udh: &[u8]) -> PyResult<String> {
    national::decode_gsm7(data, udh).map_err(|e| to_py(py, e))
}

/// Pack septets LSB first after `fill_bits` zero bits (3GPP TS 23.038
/// §6.1.2.1.1); `ussd_cr_pad` is the CR padding of §6.1.2.3.1, never for SMS.
#[pyfunction]
#[pyo3(signature = (septets, fill_bits=0, *, ussd_cr_pad=false))]
fn pack_septets<'py>(
    py: Python<'py>,
    septets: &[u8],
    fill_bits: i64,
    ussd_cr_pad: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let packed = gsm7::pack_septets(septets, fill_bits, ussd_cr_pad).map_err(|e| to_py(py, e))?;
    Ok(PyBytes::new(py, &packed))
}

/// `count` septets, one per octet, from packed `data` after `fill_bits`.
#[pyfunction]
#[pyo3(signature = (data, count, fill_bits=0))]
fn unpack_septets<'py>(
    py: Python<'py>,
    data: &[u8],
    count: i64,
    fill_bits: i64,
) -> PyResult<Bound<'py, PyBytes>> {
    let septets = gsm7::unpack_septets(data, count, fill_bits).map_err(|e| to_py(py, e))?;
    Ok(PyBytes::new(py, &septets))
}

/// UTF-16BE octets of `text` (astral characters as surrogate pairs).
#[pyfunction]
fn encode_ucs2<'py>(text: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyBytes>> {
    let py = text.py();
    let bytes = utf8(text, None)?;
    Ok(PyBytes::new(py, &ucs2::encode_ucs2(bytes.as_str())))
}

/// The text of UTF-16BE octets; an odd length or a lone surrogate raises.
#[pyfunction]
fn decode_ucs2(py: Python<'_>, data: &[u8]) -> PyResult<String> {
    ucs2::decode_ucs2(data).map_err(|e| to_py(py, e))
}
