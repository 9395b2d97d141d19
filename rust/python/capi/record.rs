//! Records: small immutable value types, built with `PyType_FromSpec`
//! rather than as a `#[pyclass]`, that the cycle collector never tracks.
//!
//! A batch makes tens of thousands of segments. A `#[pyclass]` is always a
//! garbage-collected type, allocated through its base's `tp_new`: each
//! instance was tracked by the collector, and every few hundred of them set
//! off a collection that walked all the young ones. A record holds `O`
//! objects (immutable ones such as `bytes`, which cannot refer back to it)
//! and `I` integers, read back by plain read-only members; it compares,
//! hashes and prints as a frozen dataclass of those fields does.

use std::ffi::{c_int, c_void, CStr};
use std::mem::offset_of;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use pyo3::Borrowed;

use super::entry::catching;
use super::heap_type::{tp_new, NewSlot};

/// The instance layout: the object header, then the fields.
#[repr(C)]
struct RecordObject<const O: usize, const I: usize> {
    base: ffi::PyObject,
    /// Each a reference the record holds, never NULL once built.
    objects: [*mut ffi::PyObject; O],
    ints: [ffi::Py_ssize_t; I],
}

/// A record type: its fields, objects first, and its constructor.
pub trait Record<const O: usize, const I: usize>: NewSlot {
    /// `module.Name`, the type's `tp_name` (static: CPython keeps it).
    const NAME: &'static CStr;
    const DOC: &'static CStr;
    const OBJECT_FIELDS: [&'static CStr; O];
    const INT_FIELDS: [&'static CStr; I];

    /// Where the type is kept once made.
    fn type_object() -> &'static PyOnceLock<Py<PyType>>;
}

/// The type of `R`, made on first use.
pub fn create_record_type<R: Record<O, I>, const O: usize, const I: usize>(
    py: Python<'_>,
) -> PyResult<&Bound<'_, PyType>> {
    R::type_object()
        .get_or_try_init(py, || make_type::<R, O, I>(py))
        .map(|cls| cls.bind(py))
}

fn make_type<R: Record<O, I>, const O: usize, const I: usize>(
    py: Python<'_>,
) -> PyResult<Py<PyType>> {
    let member = |name: &'static CStr, type_code: c_int, offset: usize| ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code,
        offset: offset as ffi::Py_ssize_t,
        flags: ffi::Py_READONLY,
        doc: std::ptr::null(),
    };
    let objects = offset_of!(RecordObject<O, I>, objects);
    let ints = offset_of!(RecordObject<O, I>, ints);
    let pointer = size_of::<*mut ffi::PyObject>();
    let int = size_of::<ffi::Py_ssize_t>();
    let mut members: Vec<ffi::PyMemberDef> = Vec::with_capacity(O + I + 1);
    for (k, name) in R::OBJECT_FIELDS.into_iter().enumerate() {
        members.push(member(name, ffi::Py_T_OBJECT_EX, objects + k * pointer));
    }
    for (k, name) in R::INT_FIELDS.into_iter().enumerate() {
        members.push(member(name, ffi::Py_T_PYSSIZET, ints + k * int));
    }
    members.push(ffi::PyMemberDef::default());
    // CPython keeps pointers into the member definitions for the type's
    // lifetime, which is the interpreter's: leaking them is intended.
    let members = Box::leak(members.into_boxed_slice());
    let slot = |slot: c_int, pfunc: *mut c_void| ffi::PyType_Slot { slot, pfunc };
    let mut slots = [
        slot(ffi::Py_tp_doc, R::DOC.as_ptr() as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_new, tp_new::<R> as *mut c_void),
        slot(ffi::Py_tp_dealloc, record_dealloc::<O, I> as *mut c_void),
        slot(ffi::Py_tp_repr, record_repr::<R, O, I> as *mut c_void),
        slot(
            ffi::Py_tp_richcompare,
            record_richcompare::<O, I> as *mut c_void,
        ),
        slot(ffi::Py_tp_hash, record_hash::<O, I> as *mut c_void),
        slot(0, std::ptr::null_mut()),
    ];
    let mut spec = ffi::PyType_Spec {
        name: R::NAME.as_ptr(),
        basicsize: size_of::<RecordObject<O, I>>() as c_int,
        itemsize: 0,
        // Not Py_TPFLAGS_HAVE_GC: a record's objects cannot refer back to
        // it. Not BASETYPE: a subclass could add fields the slots below
        // know nothing of.
        flags: ffi::Py_TPFLAGS_DEFAULT as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are valid for the call (the name is
    // static, the doc copied, the members leaked); each slot function has
    // the signature its slot requires, and the basicsize is the layout
    // they read. NULL means an exception is set.
    let cls = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec))? };
    Ok(cls.cast_into::<PyType>()?.unbind())
}

/// A new record of type `R` holding `objects` and `ints`.
pub fn new_record<'py, R: Record<O, I>, const O: usize, const I: usize>(
    py: Python<'py>,
    objects: [Bound<'py, PyAny>; O],
    ints: [isize; I],
) -> PyResult<Bound<'py, PyAny>> {
    let cls = create_record_type::<R, O, I>(py)?;
    // SAFETY: `cls` is R's record type, whose instances are RecordObject<O, I>
    // (its basicsize); PyType_GenericAlloc returns a zeroed instance
    // holding a reference to its heap type, or NULL with an exception set.
    // The fields take over the references to `objects`.
    unsafe {
        let object =
            Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(cls.as_ptr().cast(), 0))?;
        let record = object.as_ptr().cast::<RecordObject<O, I>>();
        (*record).objects = objects.map(Bound::into_ptr);
        (*record).ints = ints.map(|value| value as ffi::Py_ssize_t);
        Ok(object)
    }
}

/// A record's fields, objects borrowed from it.
struct RecordFields<'a, 'py, const O: usize, const I: usize> {
    objects: [Borrowed<'a, 'py, PyAny>; O],
    ints: [ffi::Py_ssize_t; I],
}

/// The fields of `object`.
///
/// # Safety
/// `object` is a live record of layout `<O, I>`, alive for `'a`.
unsafe fn fields<'a, 'py, const O: usize, const I: usize>(
    py: Python<'py>,
    object: *mut ffi::PyObject,
) -> RecordFields<'a, 'py, O, I> {
    // SAFETY: by the contract, a built record: its objects are live
    // references it holds for as long as it lives (it is immutable).
    unsafe {
        let record = &*object.cast::<RecordObject<O, I>>();
        RecordFields {
            objects: record.objects.map(|field| Borrowed::from_ptr(py, field)),
            ints: record.ints,
        }
    }
}

impl<'py, const O: usize, const I: usize> RecordFields<'_, 'py, O, I> {
    /// The fields as one tuple, as a dataclass compares and hashes them.
    fn as_tuple(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let objects = self.objects.iter().map(|&object| object.to_owned());
        let ints = self.ints.iter().map(|&value| {
            let Ok(int) = value.into_pyobject(py);
            int.into_any()
        });
        PyTuple::new(py, objects.chain(ints).collect::<Vec<_>>())
    }
}

unsafe extern "C" fn record_dealloc<const O: usize, const I: usize>(object: *mut ffi::PyObject) {
    // SAFETY: CPython deallocates a record whose reference count reached
    // zero, attached: its references are released (NULL only if it was
    // never built), its memory freed by its type's tp_free, and the
    // reference to its heap type that every instance holds is released last.
    unsafe {
        let record = &*object.cast::<RecordObject<O, I>>();
        for field in record.objects {
            ffi::Py_XDECREF(field);
        }
        let cls = ffi::Py_TYPE(object);
        let free = ffi::PyType_GetSlot(cls, ffi::Py_tp_free);
        let free = std::mem::transmute::<*mut c_void, ffi::freefunc>(free);
        free(object.cast());
        ffi::Py_DECREF(cls.cast());
    }
}

unsafe extern "C" fn record_repr<R: Record<O, I>, const O: usize, const I: usize>(
    object: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls tp_repr attached, on a live record.
    let (py, record) = unsafe {
        let py = Python::assume_attached();
        (py, fields::<O, I>(py, object))
    };
    catching(py, std::ptr::null_mut(), || {
        let name = R::NAME.to_string_lossy();
        let name = name.rsplit('.').next().unwrap_or_default();
        let mut parts = Vec::with_capacity(O + I);
        for (field, value) in R::OBJECT_FIELDS.iter().zip(&record.objects) {
            parts.push(format!("{}={}", field.to_string_lossy(), value.repr()?));
        }
        for (field, value) in R::INT_FIELDS.iter().zip(&record.ints) {
            parts.push(format!("{}={value}", field.to_string_lossy()));
        }
        let text = format!("{name}({})", parts.join(", "));
        Ok(text.into_pyobject(py)?.into_ptr())
    })
}

unsafe extern "C" fn record_richcompare<const O: usize, const I: usize>(
    object: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls tp_richcompare attached, on a live record and a
    // live `other`, borrowed for the call; `other` is read as a record only
    // if its type is the record's own (not subclassable).
    let (py, record, other) = unsafe {
        let py = Python::assume_attached();
        let same_type = ffi::Py_TYPE(other) == ffi::Py_TYPE(object);
        let other = (same_type && (op == ffi::Py_EQ || op == ffi::Py_NE))
            .then(|| fields::<O, I>(py, other));
        (py, fields::<O, I>(py, object), other)
    };
    catching(py, std::ptr::null_mut(), || {
        let Some(other) = other else {
            return Ok(py.NotImplemented().into_ptr());
        };
        let mut equal = record.ints == other.ints;
        for (mine, theirs) in record.objects.iter().zip(&other.objects) {
            equal = equal && mine.eq(theirs)?;
        }
        let answer = equal == (op == ffi::Py_EQ);
        Ok(answer.into_pyobject(py)?.to_owned().into_ptr())
    })
}

unsafe extern "C" fn record_hash<const O: usize, const I: usize>(
    object: *mut ffi::PyObject,
) -> ffi::Py_hash_t {
    // SAFETY: CPython calls tp_hash attached, on a live record.
    let (py, record) = unsafe {
        let py = Python::assume_attached();
        (py, fields::<O, I>(py, object))
    };
    // -1 is how tp_hash reports an error.
    catching(py, -1, || record.as_tuple(py)?.hash())
}
