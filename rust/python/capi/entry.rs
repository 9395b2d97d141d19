//! The way in from C: what every function CPython calls directly (a type
//! slot, a method table entry) does around its safe body.

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::Borrowed;

/// Runs `body` as a C entry point must: its error, or a panic as
/// TypeError, set as the Python exception and `failed` returned; a panic
/// never unwinds into C.
pub(super) fn catching<T>(py: Python<'_>, failed: T, body: impl FnOnce() -> PyResult<T>) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            error.restore(py);
            failed
        }
        Err(_) => {
            PyTypeError::new_err("smswire._native panicked").restore(py);
            failed
        }
    }
}

/// `catching` for a slot that returns a new reference, NULL on error.
pub(super) fn catching_object<'py>(
    py: Python<'py>,
    body: impl FnOnce() -> PyResult<Bound<'py, PyAny>>,
) -> *mut ffi::PyObject {
    catching(py, std::ptr::null_mut(), || body().map(Bound::into_ptr))
}

/// The arguments of a call as CPython passes them to `tp_new` or a
/// METH_VARARGS | METH_KEYWORDS function: a tuple, and a dict or NULL.
///
/// # Safety
/// `args` is a live tuple and `kwargs` NULL or a live dict, both borrowed
/// for at least `'a`.
pub(super) unsafe fn call_arguments<'a, 'py>(
    py: Python<'py>,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> (
    Borrowed<'a, 'py, PyTuple>,
    Option<Borrowed<'a, 'py, PyDict>>,
) {
    // SAFETY: the function's contract.
    unsafe {
        let args = Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>();
        let kwargs =
            (!kwargs.is_null()).then(|| Borrowed::from_ptr(py, kwargs).cast_unchecked::<PyDict>());
        (args, kwargs)
    }
}
