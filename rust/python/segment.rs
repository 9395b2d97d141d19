//! `smswire.encoding.Segment`, the native twin of the pure dataclass, as a
//! type built with `PyType_FromSpec` rather than a `#[pyclass]`.
//!
//! A batch makes tens of thousands of segments. A `#[pyclass]` is always a
//! garbage-collected type, allocated through its base's `tp_new`: each
//! instance was tracked by the collector, and every few hundred of them set
//! off a collection that walked all the young ones. A segment holds only two
//! `bytes` and three integers, so it can never be part of a reference cycle:
//! this type is not tracked at all, and an instance is one small allocation
//! with its two `bytes`, made eagerly, read back by plain members.

use std::ffi::{c_int, c_void};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::mem::offset_of;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyTuple, PyType};

/// The instance layout: the object header, then the fields.
#[repr(C)]
struct SegmentObject {
    base: ffi::PyObject,
    /// Owned references to `bytes` objects.
    udh: *mut ffi::PyObject,
    payload: *mut ffi::PyObject,
    index: ffi::Py_ssize_t,
    total: ffi::Py_ssize_t,
    data_coding: u8,
}

/// The type, created once by [`register`].
static SEGMENT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// The constructor's argument parsing, borrowed from a `#[pyfunction]`.
static CONSTRUCTOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let cls = SEGMENT.get_or_try_init(py, || create_type(py))?;
    CONSTRUCTOR.get_or_try_init(py, || {
        Ok::<_, PyErr>(wrap_pyfunction!(construct, m)?.into_any().unbind())
    })?;
    m.add("Segment", cls.bind(py))
}

/// A new `Segment`.
pub fn new_segment<'py>(
    py: Python<'py>,
    udh: &[u8],
    payload: &[u8],
    data_coding: u8,
    index: usize,
    total: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let udh = PyBytes::new(py, udh);
    let payload = PyBytes::new(py, payload);
    let cls = segment_type(py)?;
    // SAFETY: `cls` is the Segment type, whose instances are SegmentObject
    // (its basicsize); PyType_GenericAlloc returns a zeroed instance holding
    // a reference to its heap type, or NULL with an exception set. The
    // fields take over the references to the two new `bytes`.
    unsafe {
        let object =
            Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(cls.as_ptr().cast(), 0))?;
        let fields = object.as_ptr().cast::<SegmentObject>();
        (*fields).udh = udh.into_ptr();
        (*fields).payload = payload.into_ptr();
        (*fields).index = index as ffi::Py_ssize_t;
        (*fields).total = total as ffi::Py_ssize_t;
        (*fields).data_coding = data_coding;
        Ok(object)
    }
}

fn segment_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    SEGMENT
        .get(py)
        .map(|cls| cls.bind(py))
        .ok_or_else(|| PyTypeError::new_err("smswire._native.Segment is not registered"))
}

/// `Segment(udh, payload, data_coding, index, total)`, positional or by keyword.
#[pyfunction]
#[pyo3(name = "Segment")]
fn construct<'py>(
    udh: &Bound<'py, PyBytes>,
    payload: &Bound<'py, PyBytes>,
    data_coding: u8,
    index: usize,
    total: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let py = udh.py();
    new_segment(
        py,
        udh.as_bytes(),
        payload.as_bytes(),
        data_coding,
        index,
        total,
    )
}

fn create_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    // CPython keeps pointers into the member definitions and the slots for
    // the type's lifetime, which is the interpreter's: leaking them is intended.
    let member =
        |name: &'static std::ffi::CStr, type_code: c_int, offset: usize| ffi::PyMemberDef {
            name: name.as_ptr(),
            type_code,
            offset: offset as ffi::Py_ssize_t,
            flags: ffi::Py_READONLY,
            doc: std::ptr::null(),
        };
    let members = Box::leak(Box::new([
        member(c"udh", ffi::Py_T_OBJECT_EX, offset_of!(SegmentObject, udh)),
        member(
            c"payload",
            ffi::Py_T_OBJECT_EX,
            offset_of!(SegmentObject, payload),
        ),
        member(
            c"data_coding",
            ffi::Py_T_UBYTE,
            offset_of!(SegmentObject, data_coding),
        ),
        member(
            c"index",
            ffi::Py_T_PYSSIZET,
            offset_of!(SegmentObject, index),
        ),
        member(
            c"total",
            ffi::Py_T_PYSSIZET,
            offset_of!(SegmentObject, total),
        ),
        ffi::PyMemberDef::default(),
    ]));
    let slot = |slot: c_int, pfunc: *mut c_void| ffi::PyType_Slot { slot, pfunc };
    let slots = Box::leak(Box::new([
        slot(
            ffi::Py_tp_doc,
            c"One part of a message as it goes on the wire.".as_ptr() as *mut c_void,
        ),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_new, segment_new as *mut c_void),
        slot(ffi::Py_tp_dealloc, segment_dealloc as *mut c_void),
        slot(ffi::Py_tp_repr, segment_repr as *mut c_void),
        slot(ffi::Py_tp_richcompare, segment_richcompare as *mut c_void),
        slot(ffi::Py_tp_hash, segment_hash as *mut c_void),
        slot(0, std::ptr::null_mut()),
    ]));
    let mut spec = ffi::PyType_Spec {
        name: c"smswire.encoding.Segment".as_ptr(),
        basicsize: size_of::<SegmentObject>() as c_int,
        itemsize: 0,
        // Not Py_TPFLAGS_HAVE_GC: a segment holds no object that could
        // refer back to it. Not BASETYPE: as the frozen pyclass was.
        flags: ffi::Py_TPFLAGS_DEFAULT as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec, its members and slots are valid for the call (and
    // the members and slots forever); NULL means an exception is set.
    let cls = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec))? };
    Ok(cls.cast_into::<PyType>()?.unbind())
}

/// The fields of `object`, which must be a Segment.
///
/// # Safety
/// `object` must point to a live Segment instance.
unsafe fn fields<'a>(object: *mut ffi::PyObject) -> &'a SegmentObject {
    // SAFETY: the caller guarantees a Segment, whose layout is SegmentObject.
    unsafe { &*object.cast::<SegmentObject>() }
}

/// Runs `body` with the GIL held and a Python error turned into NULL (or
/// `failed`) with the exception set, as a C slot must report it.
fn slot_body<T>(failed: T, body: impl FnOnce(Python<'_>) -> PyResult<T>) -> T {
    // SAFETY: CPython calls the type's slots with the GIL held.
    let py = unsafe { Python::assume_attached() };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(py))) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            error.restore(py);
            failed
        }
        Err(_) => {
            PyTypeError::new_err("smswire._native.Segment panicked").restore(py);
            failed
        }
    }
}

unsafe extern "C" fn segment_new(
    _cls: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    slot_body(std::ptr::null_mut(), |py| {
        // SAFETY: CPython passes a tuple `args` and a dict or NULL `kwargs`,
        // borrowed for the call.
        let args = unsafe { Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>() };
        let kwargs = (!kwargs.is_null())
            .then(|| unsafe { Borrowed::from_ptr(py, kwargs).cast_unchecked::<PyDict>() });
        let constructor = CONSTRUCTOR
            .get(py)
            .ok_or_else(|| PyTypeError::new_err("smswire._native.Segment is not registered"))?;
        Ok(constructor
            .bind(py)
            .call(&*args, kwargs.as_deref())?
            .into_ptr())
    })
}

unsafe extern "C" fn segment_dealloc(object: *mut ffi::PyObject) {
    // SAFETY: CPython deallocates a Segment whose reference count reached
    // zero, with the GIL held: its two references are released, its memory
    // freed by its type's tp_free, and the reference to its heap type that
    // every instance holds is released last.
    unsafe {
        let segment = fields(object);
        ffi::Py_XDECREF(segment.udh);
        ffi::Py_XDECREF(segment.payload);
        let cls = ffi::Py_TYPE(object);
        let free = ffi::PyType_GetSlot(cls, ffi::Py_tp_free);
        let free = std::mem::transmute::<*mut c_void, ffi::freefunc>(free);
        free(object.cast());
        ffi::Py_DECREF(cls.cast());
    }
}

/// The two `bytes` of a Segment, borrowed.
fn octets<'a, 'py>(py: Python<'py>, segment: &'a SegmentObject) -> [Borrowed<'a, 'py, PyBytes>; 2] {
    // SAFETY: a Segment made by `new_segment` holds two `bytes`, alive while it is.
    [segment.udh, segment.payload]
        .map(|field| unsafe { Borrowed::from_ptr(py, field).cast_unchecked::<PyBytes>() })
}

unsafe extern "C" fn segment_repr(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    slot_body(std::ptr::null_mut(), |py| {
        // SAFETY: CPython calls tp_repr on a live Segment.
        let segment = unsafe { fields(object) };
        let [udh, payload] = octets(py, segment);
        let text = format!(
            "Segment(udh={}, payload={}, data_coding={}, index={}, total={})",
            udh.repr()?,
            payload.repr()?,
            segment.data_coding,
            segment.index,
            segment.total
        );
        Ok(text.into_pyobject(py)?.into_ptr())
    })
}

unsafe extern "C" fn segment_richcompare(
    object: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    slot_body(std::ptr::null_mut(), |py| {
        // SAFETY: CPython calls tp_richcompare on a live Segment with a live
        // `other`, borrowed for the call.
        let other_object = unsafe { Borrowed::from_ptr(py, other) };
        let same_type = other_object.get_type().is(segment_type(py)?);
        let result = if !same_type || (op != ffi::Py_EQ && op != ffi::Py_NE) {
            py.NotImplemented()
        } else {
            // SAFETY: both are Segments, checked above.
            let (a, b) = unsafe { (fields(object), fields(other)) };
            let [a_udh, a_payload] = octets(py, a);
            let [b_udh, b_payload] = octets(py, b);
            let equal = a.data_coding == b.data_coding
                && a.index == b.index
                && a.total == b.total
                && a_udh.as_bytes() == b_udh.as_bytes()
                && a_payload.as_bytes() == b_payload.as_bytes();
            (equal == (op == ffi::Py_EQ))
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind()
        };
        Ok(result.into_ptr())
    })
}

unsafe extern "C" fn segment_hash(object: *mut ffi::PyObject) -> ffi::Py_hash_t {
    slot_body(-1, |py| {
        // SAFETY: CPython calls tp_hash on a live Segment.
        let segment = unsafe { fields(object) };
        let [udh, payload] = octets(py, segment);
        let mut hasher = DefaultHasher::new();
        (
            udh.as_bytes(),
            payload.as_bytes(),
            segment.data_coding,
            segment.index,
            segment.total,
        )
            .hash(&mut hasher);
        // -1 is how tp_hash reports an error.
        Ok(match hasher.finish() as ffi::Py_hash_t {
            -1 => -2,
            hash => hash,
        })
    })
}
