//! A base class whose `tp_new` is a Rust function: `Cls(...)` goes from
//! `type.__call__` straight to it, where a `__new__` written in Python
//! costs a method lookup and a copy of the argument tuple first.

use std::ffi::{c_void, CStr};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use super::entry::{call_arguments, catching_object};

/// What `Cls(*args, **kwargs)` makes, for a type created here.
pub trait NewSlot: 'static {
    /// The new object, for the class `cls` that was called (the type
    /// created here or a subclass of it).
    fn construct<'py>(
        cls: &Bound<'py, PyType>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>>;
}

/// The `tp_new` slot of a type whose constructor is `N`.
pub(super) unsafe extern "C" fn tp_new<N: NewSlot>(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls tp_new attached, with a live type, a tuple
    // `args` and a dict or NULL `kwargs`, all borrowed for the call.
    let (py, cls, args, kwargs) = unsafe {
        let py = Python::assume_attached();
        let cls = pyo3::Borrowed::from_ptr(py, subtype.cast()).cast_unchecked::<PyType>();
        let (args, kwargs) = call_arguments(py, args, kwargs);
        (py, cls, args, kwargs)
    };
    catching_object(py, || N::construct(&cls, &args, kwargs.as_deref()))
}

/// A new class `name` (a static `module.Name`) with docstring `doc`,
/// deriving from `object` and open to subclassing, whose instances `N`
/// makes. It adds no instance layout of its own: subclasses (the PDU
/// dataclasses, with their `__slots__`) bring theirs.
pub fn create_base_type<'py, N: NewSlot>(
    py: Python<'py>,
    name: &'static CStr,
    doc: &'static CStr,
) -> PyResult<Bound<'py, PyType>> {
    let mut slots = [
        ffi::PyType_Slot {
            slot: ffi::Py_tp_new,
            pfunc: tp_new::<N> as *mut c_void,
        },
        ffi::PyType_Slot {
            slot: ffi::Py_tp_doc,
            pfunc: doc.as_ptr() as *mut c_void,
        },
        ffi::PyType_Slot {
            slot: 0,
            pfunc: std::ptr::null_mut(),
        },
    ];
    let mut spec = ffi::PyType_Spec {
        // The type keeps a pointer to its name: a static string.
        name: name.as_ptr(),
        // Zero: an object's size, inherited.
        basicsize: 0,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are read during the call only (the
    // name and doc are static, and the doc is copied); the result is a new
    // reference or NULL with an exception set.
    let cls = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec))? };
    Ok(cls.cast_into::<PyType>()?)
}
