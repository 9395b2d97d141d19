//! Accessors of str, int, bytes and dict that PyO3 has no safe form of
//! under the stable ABI for Python 3.9, or only a slower one.

use std::mem::MaybeUninit;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

/// The value of `object` if its type is exactly `int`: `Some(None)` when
/// it does not fit in an i64, `None` for any other type (a subclass
/// included, whose conversion could run its code).
#[inline]
pub fn exact_int(object: &Bound<'_, PyAny>) -> Option<Option<i64>> {
    // SAFETY: a live object; only its type is read.
    let exact =
        unsafe { ffi::Py_TYPE(object.as_ptr()) == std::ptr::addr_of_mut!(ffi::PyLong_Type) };
    if !exact {
        return None;
    }
    // SAFETY: an exact int, so no code runs; it fails only on overflow,
    // with an error set that is taken at once.
    let value = unsafe { ffi::PyLong_AsLongLong(object.as_ptr()) };
    if value == -1 && PyErr::take(object.py()).is_some() {
        return Some(None);
    }
    Some(Some(value))
}

/// A str with its length in code points, read once (a str never changes).
pub struct Text<'a, 'py> {
    text: &'a Bound<'py, PyString>,
    length: usize,
}

impl<'a, 'py> Text<'a, 'py> {
    #[inline(always)]
    pub fn new(text: &'a Bound<'py, PyString>) -> Self {
        // SAFETY: a live str; PyUnicode_GetLength cannot fail on one.
        let length = unsafe { ffi::PyUnicode_GetLength(text.as_ptr()) } as usize;
        Text { text, length }
    }

    /// The length in code points.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.length
    }

    /// The code point at `index`, if within the str.
    pub fn char_at(&self, index: usize) -> Option<u32> {
        if index >= self.length {
            return None;
        }
        // SAFETY: `index` is within the str, so the read cannot fail.
        Some(unsafe { ffi::PyUnicode_ReadChar(self.text.as_ptr(), index as ffi::Py_ssize_t) })
    }

    /// Every code point, copied into `buffer` in one call; `None` if the
    /// str does not fit.
    #[inline]
    pub fn code_points<'b, const N: usize>(
        &self,
        buffer: &'b mut Ucs4Buffer<N>,
    ) -> Option<&'b [u32]> {
        if self.length > N {
            return None;
        }
        // SAFETY: `buffer` holds N >= length code points; copy_null 0
        // writes no terminator. NULL means an error (which cannot happen
        // for a str that fits), taken so it does not leak.
        let copied = unsafe {
            ffi::PyUnicode_AsUCS4(
                self.text.as_ptr(),
                buffer.0.as_mut_ptr().cast(),
                N as ffi::Py_ssize_t,
                0,
            )
        };
        if copied.is_null() {
            let _ = PyErr::take(self.text.py());
            return None;
        }
        // SAFETY: the call succeeded, so it wrote the first `length` code
        // points of `buffer`.
        Some(unsafe { std::slice::from_raw_parts(buffer.0.as_ptr().cast::<u32>(), self.length) })
    }
}

/// Room for `N` code points, left uninitialised: zeroing it cost more than
/// reading a short str. Only [`Text::code_points`] reads it, and only what
/// it wrote.
pub struct Ucs4Buffer<const N: usize>([MaybeUninit<ffi::Py_UCS4>; N]);

impl<const N: usize> Ucs4Buffer<N> {
    #[inline(always)]
    pub fn new() -> Self {
        Ucs4Buffer([MaybeUninit::uninit(); N])
    }
}

/// The str of `octets` read as latin-1, each octet one code point.
#[inline]
pub fn latin1_str<'py>(py: Python<'py>, octets: &[u8]) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: the pointer and length describe `octets`; a new reference to
    // a str, or NULL with an error set.
    let object = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_DecodeLatin1(
                octets.as_ptr().cast(),
                octets.len() as ffi::Py_ssize_t,
                std::ptr::null(),
            ),
        )?
    };
    // SAFETY: PyUnicode_DecodeLatin1 returns a str.
    Ok(unsafe { object.cast_into_unchecked() })
}

/// A copy, as `bytes`, of any object with the buffer protocol (as
/// `memoryview(object).tobytes()`); the TypeError `memoryview` raises for
/// anything else.
pub fn buffer_to_bytes<'py>(object: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let py = object.py();
    // SAFETY: a new reference or NULL with an error set.
    let view =
        unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyMemoryView_FromObject(object.as_ptr()))? };
    // SAFETY: as above; a memoryview is always a buffer, so the result of
    // PyBytes_FromObject is bytes.
    unsafe {
        Ok(
            Bound::from_owned_ptr_or_err(py, ffi::PyBytes_FromObject(view.as_ptr()))?
                .cast_into_unchecked(),
        )
    }
}

/// A keyword of a call, as [`for_each_keyword`] found it.
pub enum Keyword<'py> {
    /// The keyword is `names[i]` itself (a keyword at a call site is the
    /// interned name).
    Named(usize),
    /// Any other key, held.
    Other(Bound<'py, PyAny>),
}

/// `f(keyword, value)` for each item of `kwargs`, in order, until it
/// fails; a key that is one of `names` (by identity, which runs no code)
/// comes as its position. Each value, and any other key, is held while `f`
/// runs, so code it runs that changes the dict cannot free them (such a
/// change may make the walk skip or repeat items, as a changed dict does to
/// any iteration).
pub fn for_each_keyword<'py, T>(
    kwargs: &Bound<'py, PyDict>,
    names: &[Py<T>],
    mut f: impl FnMut(Keyword<'py>, Bound<'py, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    let py = kwargs.py();
    let mut position: ffi::Py_ssize_t = 0;
    loop {
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        // SAFETY: PyDict_Next reads a live dict and lends its key and value:
        // the value is taken as a reference of its own at once, and the key
        // compared by address, then taken as a reference of its own unless
        // it is one of `names` (which `names` holds), all before `f` runs.
        let (keyword, value) = unsafe {
            if ffi::PyDict_Next(kwargs.as_ptr(), &mut position, &mut key, &mut value) == 0 {
                return Ok(());
            }
            let keyword = match names.iter().position(|name| name.as_ptr() == key) {
                Some(index) => Keyword::Named(index),
                None => Keyword::Other(Bound::from_borrowed_ptr(py, key)),
            };
            (keyword, Bound::from_borrowed_ptr(py, value))
        };
        f(keyword, value)?;
    }
}

/// The UTF-8 of a str, as the `bytes` CPython's strict encoder made.
pub struct Utf8<'py>(Bound<'py, PyBytes>);

impl<'py> Utf8<'py> {
    /// The UTF-8 of `text`; a lone surrogate raises UnicodeEncodeError.
    pub fn encode(text: &Bound<'py, PyString>) -> PyResult<Self> {
        text.encode_utf8().map(Utf8)
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the only constructor is `encode`, whose bytes come from
        // CPython's strict UTF-8 encoder: valid UTF-8, so validating it
        // again would be wasted work. Bytes never change.
        unsafe { std::str::from_utf8_unchecked(self.0.as_bytes()) }
    }
}
