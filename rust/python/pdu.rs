//! Bindings of the SMPP PDU codec.
//!
//! The PDU classes are the Python dataclasses of `smswire.pdu._types`, shared
//! with the pure backend. Decoding builds them directly: a copy of the class's
//! default instance dict, the non-default fields set with interned names, and
//! an instance allocated without running `__init__`. Encoding reads the
//! instance dict and feeds each value to the core's validating encoder, so a
//! PDU crosses the boundary once, and a batch (`encode_many`, `Framer.feed`)
//! crosses it once for all its PDUs.

use std::os::raw::c_int;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyInt, PyList, PyString, PyTuple, PyType};
use pyo3::Borrowed;

use crate::pdu::codec::{self, Encoder, Pdu, Value};
use crate::pdu::schema::{self, Kind, PduSpec, ADDRESS_LIMIT, MAX_COMMAND_LENGTH, PDUS};
use crate::pdu::{Framer, PduError};

use super::errors::smswire_error;

/// A Python class the decoder instantiates, with what it needs to do so fast.
struct Class {
    cls: Py<PyType>,
    alloc: ffi::allocfunc,
    /// The instance dict of `cls()`: every field at its default.
    defaults: Py<PyDict>,
    /// Interned field names, in field order.
    names: Vec<Py<PyString>>,
}

struct Cache {
    pdus: Vec<Class>,
    tlv: Class,
    sme_address: Class,
    distribution_list: Class,
    unsuccess_sme: Class,
    dict_attr: Py<PyString>,
}

static CACHE: PyOnceLock<Cache> = PyOnceLock::new();

fn cache(py: Python<'_>) -> PyResult<&Cache> {
    CACHE.get_or_try_init(py, || {
        let module = py.import("smswire.pdu._types")?;
        let fields = py.import("dataclasses")?.getattr("fields")?;
        let class = |name: &str| -> PyResult<Class> {
            let cls = module.getattr(name)?.cast_into::<PyType>()?;
            // From the dataclass fields, not from `cls()`: under the native
            // backend constructing one calls back into this cache.
            let defaults = PyDict::new(py);
            let mut names = Vec::new();
            for field in fields.call1((&cls,))?.try_iter()? {
                let field = field?;
                let name = PyString::intern(py, &field.getattr("name")?.extract::<String>()?);
                defaults.set_item(&name, field.getattr("default")?)?;
                names.push(name.unbind());
            }
            let alloc = alloc_slot(&cls);
            Ok(Class {
                cls: cls.unbind(),
                alloc,
                defaults: defaults.unbind(),
                names,
            })
        };
        let pdus = PDUS
            .iter()
            .map(|spec| class(spec.name))
            .collect::<PyResult<Vec<_>>>()?;
        for (spec, class) in PDUS.iter().zip(&pdus) {
            let expected = spec.fields.len() + 3;
            if class.names.len() != expected {
                return Err(PyTypeError::new_err(format!(
                    "{} has {} fields, the native schema {expected}",
                    spec.name,
                    class.names.len()
                )));
            }
        }
        Ok(Cache {
            pdus,
            tlv: class("Tlv")?,
            sme_address: class("SmeAddress")?,
            distribution_list: class("DistributionList")?,
            unsuccess_sme: class("UnsuccessSme")?,
            dict_attr: PyString::intern(py, "__dict__").unbind(),
        })
    })
}

fn protocol_error(py: Python<'_>, error: &PduError) -> PyErr {
    let optional = |value: Option<u32>| match value {
        Some(v) => v.into_pyobject(py).map(|v| v.into_any().unbind()),
        None => Ok(py.None()),
    };
    let build = || -> PyResult<PyErr> {
        let field = match error.field {
            Some(name) => PyString::new(py, name).into_any().unbind(),
            None => py.None(),
        };
        Ok(smswire_error(
            py,
            "ProtocolError",
            &error.message,
            &[
                (
                    "status",
                    error.status.into_pyobject(py)?.into_any().unbind(),
                ),
                ("field", field),
                ("command_id", optional(error.command_id)?),
                ("sequence_number", optional(error.sequence_number)?),
            ],
        ))
    };
    build().unwrap_or_else(|failure| failure)
}

// --- Construction -----------------------------------------------------------------

impl Cache {
    /// The class `cls` is, or the first one it derives from.
    fn class_for(&self, cls: &Bound<'_, PyType>) -> PyResult<Option<&Class>> {
        let known = || {
            self.pdus.iter().chain([
                &self.tlv,
                &self.sme_address,
                &self.distribution_list,
                &self.unsuccess_sme,
            ])
        };
        if let Some(class) = known().find(|class| class.cls.is(cls)) {
            return Ok(Some(class));
        }
        for base in cls.mro().iter() {
            if let Some(class) = known().find(|class| class.cls.is(&base)) {
                return Ok(Some(class));
            }
        }
        Ok(None)
    }
}

/// `__new__` of the PDU dataclasses under the native backend: the instance
/// dict is a copy of the defaults with the arguments set, in one call, where
/// the frozen dataclass `__init__` pays one `object.__setattr__` per field.
/// Same signature, same errors, same resulting object.
fn construct<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let cache = cache(py)?;
    let cls = args.get_item(0)?.cast_into::<PyType>()?;
    let Some(class) = cache.class_for(&cls)? else {
        return Err(PyTypeError::new_err(format!(
            "{} is not an SMPP PDU class",
            cls.name()?
        )));
    };
    let count = class.names.len();
    let positional = args.len() - 1;
    if positional > count {
        return Err(PyTypeError::new_err(format!(
            "{}.__init__() takes {} positional arguments but {} were given",
            cls.name()?,
            count + 1,
            positional + 1
        )));
    }
    let dict = class.fresh_dict(py)?;
    for (name, value) in class.names.iter().zip(args.iter().skip(1)) {
        dict.set_item(name.bind(py), value)?;
    }
    if let Some(kwargs) = kwargs {
        for (key, value) in kwargs.iter() {
            // Keyword names at a call site are the interned names themselves.
            let position = match class.names.iter().position(|n| n.as_ptr() == key.as_ptr()) {
                Some(position) => Some(position),
                None => class
                    .names
                    .iter()
                    .position(|n| n.bind(py).as_any().eq(&key).unwrap_or(false)),
            };
            match position {
                Some(position) if position >= positional => {
                    dict.set_item(class.names[position].bind(py), value)?;
                }
                Some(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "{}.__init__() got multiple values for argument '{key}'",
                        cls.name()?
                    )))
                }
                None => {
                    return Err(PyTypeError::new_err(format!(
                        "{}.__init__() got an unexpected keyword argument '{key}'",
                        cls.name()?
                    )))
                }
            }
        }
    }
    if class.cls.is(&cls) {
        class.instance(py, dict)
    } else {
        // SAFETY: the slot is read from `cls` itself.
        unsafe { allocate(py, cls.as_ptr().cast(), alloc_slot(&cls), dict) }
    }
}

/// The C entry point of `pdu_new(cls, *args, **kwargs)`: METH_VARARGS, so
/// the argument tuple and keyword dict that `type.__call__` already built are
/// used as they are, with no per-call argument parsing.
unsafe extern "C" fn pdu_new(
    _module: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this with the GIL held, a tuple `args` and a
    // dict or NULL `kwargs`, all borrowed for the call.
    let py = unsafe { Python::assume_attached() };
    let outcome = std::panic::catch_unwind(|| {
        let args = unsafe { Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>() };
        let kwargs = (!kwargs.is_null())
            .then(|| unsafe { Borrowed::from_ptr(py, kwargs).cast_unchecked::<PyDict>() });
        construct(py, &args, kwargs.as_deref()).map(Bound::into_ptr)
    });
    let error = match outcome {
        Ok(Ok(object)) => return object,
        Ok(Err(error)) => error,
        Err(_) => PyTypeError::new_err("smswire._native.pdu_new panicked"),
    };
    error.restore(py);
    std::ptr::null_mut()
}

fn register_pdu_new(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // CPython keeps a pointer to the definition for the function's lifetime,
    // which is the interpreter's: leaking the one definition is intended.
    let definition = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: c"pdu_new".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionWithKeywords: pdu_new,
        },
        ml_flags: ffi::METH_VARARGS | ffi::METH_KEYWORDS,
        ml_doc: c"pdu_new(cls, *args, **kwargs): build a PDU dataclass instance".as_ptr(),
    }));
    // SAFETY: the definition lives forever; NULL self and module are allowed.
    let function = unsafe {
        Bound::from_owned_ptr_or_err(
            m.py(),
            ffi::PyCFunction_NewEx(definition, std::ptr::null_mut(), std::ptr::null_mut()),
        )?
    };
    m.add("pdu_new", function)
}

// --- Decoding: Rust values to Python objects ----------------------------------

fn latin1<'py>(py: Python<'py>, octets: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    // SMPP C-Octet Strings are octets; latin-1 maps each to one code point,
    // so every received octet round-trips.
    // SAFETY: the pointer and length describe `octets`; NULL means an error is set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_DecodeLatin1(
                octets.as_ptr().cast(),
                octets.len() as ffi::Py_ssize_t,
                std::ptr::null(),
            ),
        )
    }
}

/// A new instance of `cls` whose dict is `dict`, without calling `__init__`.
///
/// # Safety
/// `alloc` must be the tp_alloc slot of `cls`.
unsafe fn allocate<'py>(
    py: Python<'py>,
    cls: *mut ffi::PyTypeObject,
    alloc: ffi::allocfunc,
    dict: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: tp_alloc returns a new reference or NULL with an exception
    // set. PyObject_GenericSetDict (stable ABI) stores the dict as the
    // instance dict, as setting `__dict__` in the dataclass's own `__init__`
    // does, without looking the `__dict__` descriptor up on the type.
    unsafe {
        let object = Bound::from_owned_ptr_or_err(py, alloc(cls, 0))?;
        if ffi::PyObject_GenericSetDict(object.as_ptr(), dict.as_ptr(), std::ptr::null_mut()) != 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(object)
    }
}

/// The tp_alloc slot of a heap type.
fn alloc_slot(cls: &Bound<'_, PyType>) -> ffi::allocfunc {
    // SAFETY: Python classes are heap types, whose tp_alloc slot is always
    // set (PyType_GenericAlloc unless a base overrides it).
    unsafe {
        let slot = ffi::PyType_GetSlot(cls.as_ptr().cast(), ffi::Py_tp_alloc);
        std::mem::transmute::<*mut std::ffi::c_void, ffi::allocfunc>(slot)
    }
}

impl Class {
    /// A new instance whose dict is `dict`, without calling `__init__`.
    fn instance<'py>(
        &self,
        py: Python<'py>,
        dict: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: `alloc` is this heap type's own tp_alloc.
        unsafe { allocate(py, self.cls.as_ptr().cast(), self.alloc, dict) }
    }

    fn fresh_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        // SAFETY: PyDict_Copy returns a new reference or NULL with an error set.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(py, ffi::PyDict_Copy(self.defaults.as_ptr()))?
                    .cast_into_unchecked(),
            )
        }
    }

    fn set<'py>(
        &self,
        dict: &Bound<'py, PyDict>,
        index: usize,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        dict.set_item(self.names[index].bind(dict.py()), value)
    }
}

fn tuple_of<'py, T>(
    py: Python<'py>,
    items: &[T],
    mut convert: impl FnMut(&T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let objects = items
        .iter()
        .map(&mut convert)
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, objects)?.into_any())
}

fn to_python<'py>(py: Python<'py>, cache: &Cache, pdu: &Pdu<'_>) -> PyResult<Bound<'py, PyAny>> {
    let spec = pdu.spec;
    let index = schema::index_of(spec.command_id).expect("decoded PDUs have a known command_id");
    let class = &cache.pdus[index];
    let dict = class.fresh_dict(py)?;
    for (position, (field, value)) in spec.fields.iter().zip(&pdu.body).enumerate() {
        let object = match value {
            Value::U8(v) => {
                if field.kind == Kind::U8(*v) {
                    continue;
                }
                v.into_pyobject(py)?.into_any()
            }
            Value::Str([]) => continue,
            Value::Str(s) => latin1(py, s)?,
            Value::Bytes([]) => continue,
            Value::Bytes(b) => PyBytes::new(py, b).into_any(),
            Value::Dests(d) if d.is_empty() => continue,
            Value::Dests(d) => tuple_of(py, d, |dest| match dest {
                codec::Dest::Sme { ton, npi, address } => {
                    let class = &cache.sme_address;
                    let dict = PyDict::new(py);
                    class.set(&dict, 0, ton.into_pyobject(py)?.into_any())?;
                    class.set(&dict, 1, npi.into_pyobject(py)?.into_any())?;
                    class.set(&dict, 2, latin1(py, address)?)?;
                    class.instance(py, dict)
                }
                codec::Dest::List(name) => {
                    let class = &cache.distribution_list;
                    let dict = PyDict::new(py);
                    class.set(&dict, 0, latin1(py, name)?)?;
                    class.instance(py, dict)
                }
            })?,
            Value::Unsuccess(u) if u.is_empty() => continue,
            Value::Unsuccess(u) => tuple_of(py, u, |entry| {
                let class = &cache.unsuccess_sme;
                let dict = PyDict::new(py);
                class.set(&dict, 0, entry.ton.into_pyobject(py)?.into_any())?;
                class.set(&dict, 1, entry.npi.into_pyobject(py)?.into_any())?;
                class.set(&dict, 2, latin1(py, entry.address)?)?;
                class.set(
                    &dict,
                    3,
                    entry.error_status_code.into_pyobject(py)?.into_any(),
                )?;
                class.instance(py, dict)
            })?,
        };
        class.set(&dict, position, object)?;
    }
    let count = spec.fields.len();
    if pdu.command_status != 0 {
        class.set(
            &dict,
            count,
            pdu.command_status.into_pyobject(py)?.into_any(),
        )?;
    }
    if pdu.sequence_number != 0 {
        class.set(
            &dict,
            count + 1,
            pdu.sequence_number.into_pyobject(py)?.into_any(),
        )?;
    }
    if !pdu.tlvs.is_empty() {
        let tlvs = tuple_of(py, &pdu.tlvs, |tlv| {
            let class = &cache.tlv;
            let dict = PyDict::new(py);
            class.set(&dict, 0, tlv.tag.into_pyobject(py)?.into_any())?;
            class.set(&dict, 1, PyBytes::new(py, tlv.value).into_any())?;
            class.instance(py, dict)
        })?;
        class.set(&dict, count + 2, tlvs)?;
    }
    class.instance(py, dict)
}

/// The octets of a bytes-like object: a `bytes` as it is, any other object
/// with the buffer protocol (bytearray, memoryview, array, mmap) copied once,
/// as `memoryview(data).tobytes()` does in the pure twin. The copy also keeps
/// a mutable buffer from changing under the decoder while it runs Python code.
fn octets<'py>(data: &Bound<'py, PyAny>, caller: &str) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(bytes) = data.cast_exact::<PyBytes>() {
        return Ok(bytes.clone());
    }
    let py = data.py();
    // SAFETY: returns a new reference or NULL with an error set.
    let view =
        unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyMemoryView_FromObject(data.as_ptr())) };
    let view = match view {
        Ok(view) => view,
        Err(error) if error.is_instance_of::<PyTypeError>(py) => {
            return Err(PyTypeError::new_err(format!(
                "{caller}() takes a bytes-like object, not {}",
                type_name(data)
            )))
        }
        Err(error) => return Err(error),
    };
    // SAFETY: as above; a memoryview is always a buffer, so the result is bytes.
    unsafe {
        Ok(
            Bound::from_owned_ptr_or_err(py, ffi::PyBytes_FromObject(view.as_ptr()))?
                .cast_into_unchecked(),
        )
    }
}

/// Decode exactly one whole PDU from a bytes-like object.
#[pyfunction]
fn pdu_decode<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let cache = cache(py)?;
    let data = octets(data, "decode")?;
    let pdu = codec::decode(data.as_bytes()).map_err(|error| protocol_error(py, &error))?;
    to_python(py, cache, &pdu)
}

// --- Encoding: Python objects straight into the core's encoder ------------------

/// Longest C-Octet String of the schema with its NUL (message_id, §4.4.2).
const MAX_CSTRING: usize = 65;

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn get_u8(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u8, PduError> {
    // SAFETY: `value` is a live object; PyLong_AsLong is called on an exact
    // int only, and an overflow error it raises is taken right away.
    unsafe {
        if ffi::Py_TYPE(value.as_ptr()) == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
            let v = ffi::PyLong_AsLong(value.as_ptr());
            if (0..=0xFF).contains(&v) {
                return Ok(v as u8);
            }
            let _ = PyErr::take(value.py());
            return Err(encoder.fail(field, "must be 0..255 (one octet)"));
        }
    }
    if !value.is_instance_of::<PyInt>() {
        return Err(encoder.fail(
            field,
            format_args!("must be an int, got {}", type_name(value)),
        ));
    }
    match value.extract::<i64>() {
        Ok(v) if (0..=0xFF).contains(&v) => Ok(v as u8),
        _ => Err(encoder.fail(field, "must be 0..255 (one octet)")),
    }
}

fn get_u32(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u32, PduError> {
    // SAFETY: as in get_u8; PyLong_AsLongLong is 64-bit on every platform.
    unsafe {
        if ffi::Py_TYPE(value.as_ptr()) == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
            let v = ffi::PyLong_AsLongLong(value.as_ptr());
            if (0..=i64::from(u32::MAX)).contains(&v) {
                return Ok(v as u32);
            }
            let _ = PyErr::take(value.py());
        }
    }
    match value
        .is_instance_of::<PyInt>()
        .then(|| value.extract::<u32>())
    {
        Some(Ok(v)) => Ok(v),
        _ => Err(encoder.fail(field, "must be an int 0..0xFFFFFFFF (four octets)")),
    }
}

fn above_latin1(encoder: &Encoder<'_>, field: &'static str, index: usize) -> PduError {
    encoder.fail(
        field,
        format_args!("character at index {index} is above U+00FF (C-Octet Strings are octets)"),
    )
}

/// A str's latin-1 octets into `buffer`, or the error naming `field`.
fn get_latin1<'b>(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
    limit: usize,
    buffer: &'b mut [u8; MAX_CSTRING],
) -> Result<&'b [u8], PduError> {
    if !value.is_instance_of::<PyString>() {
        return Err(encoder.fail(
            field,
            format_args!("must be a str, got {}", type_name(value)),
        ));
    }
    // SAFETY: `value` is a str; PyUnicode_GetLength cannot fail on one.
    let length = unsafe { ffi::PyUnicode_GetLength(value.as_ptr()) } as usize;
    if length >= limit {
        // The pure twin encodes before it measures: a character above U+00FF
        // is the error to report, wherever it is.
        for index in 0..length {
            // SAFETY: `index` is within the str's length, so this cannot fail.
            let code = unsafe { ffi::PyUnicode_ReadChar(value.as_ptr(), index as ffi::Py_ssize_t) };
            if code > 0xFF {
                return Err(above_latin1(encoder, field, index));
            }
        }
        return Err(encoder.fail(
            field,
            format_args!(
                "{length} octets exceed the maximum of {} (plus NUL)",
                limit - 1
            ),
        ));
    }
    if length == 0 {
        return Ok(&buffer[..0]);
    }
    // Left uninitialised: zeroing it cost more than reading the str.
    let mut wide = [std::mem::MaybeUninit::<ffi::Py_UCS4>::uninit(); MAX_CSTRING];
    // SAFETY: `wide` holds MAX_CSTRING > length code points; copy_null 0
    // writes no terminator. NULL means an error (cannot happen for a str).
    let copied = unsafe {
        ffi::PyUnicode_AsUCS4(
            value.as_ptr(),
            wide.as_mut_ptr().cast(),
            MAX_CSTRING as ffi::Py_ssize_t,
            0 as c_int,
        )
    };
    if copied.is_null() {
        // SAFETY: the failed call set an exception; take it so it does not leak.
        let _ = PyErr::take(value.py());
        return Err(encoder.fail(field, "cannot be read as text"));
    }
    for (index, code) in wide[..length].iter().enumerate() {
        // SAFETY: PyUnicode_AsUCS4 succeeded, so it wrote all `length` code points.
        let code = unsafe { code.assume_init() };
        if code > 0xFF {
            return Err(above_latin1(encoder, field, index));
        }
        buffer[index] = code as u8;
    }
    Ok(&buffer[..length])
}

enum EncodeError {
    Protocol(PduError),
    Python(PyErr),
}

impl From<PduError> for EncodeError {
    fn from(error: PduError) -> Self {
        EncodeError::Protocol(error)
    }
}

impl From<PyErr> for EncodeError {
    fn from(error: PyErr) -> Self {
        EncodeError::Python(error)
    }
}

fn class_index(cache: &Cache, object: &Bound<'_, PyAny>) -> Option<usize> {
    let cls = object.get_type();
    cache.pdus.iter().position(|class| class.cls.is(&cls))
}

fn is_instance(value: &Bound<'_, PyAny>, class: &Class) -> PyResult<bool> {
    value.is_instance(class.cls.bind(value.py()))
}

/// Most fields of a PDU class: submit_sm's 17 plus status, sequence and tlvs.
const MAX_FIELDS: usize = 20;

/// The values of a PDU's fields in field order, borrowed from its dict.
///
/// Instance dicts hold the fields in field order under the very interned
/// names the cache holds (both constructors and the decoder build them so),
/// so one ordered walk finds them; a dict in another order falls back to
/// lookups by name.
fn field_values(
    class: &Class,
    state: &Bound<'_, PyDict>,
    total: usize,
) -> PyResult<[*mut ffi::PyObject; MAX_FIELDS]> {
    let mut values = [std::ptr::null_mut(); MAX_FIELDS];
    let mut found = 0;
    // SAFETY: PyDict_Next yields borrowed key/value pointers of `state`;
    // PyDict_GetItemWithError returns a borrowed value or NULL.
    unsafe {
        let mut position: ffi::Py_ssize_t = 0;
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        while found < total
            && ffi::PyDict_Next(state.as_ptr(), &mut position, &mut key, &mut value) != 0
            && key == class.names[found].as_ptr()
        {
            values[found] = value;
            found += 1;
        }
        for (slot, name) in values[found..total]
            .iter_mut()
            .zip(&class.names[found..total])
        {
            let value = ffi::PyDict_GetItemWithError(state.as_ptr(), name.as_ptr());
            if value.is_null() {
                return Err(PyErr::take(state.py()).unwrap_or_else(|| {
                    pyo3::exceptions::PyKeyError::new_err(name.clone_ref(state.py()))
                }));
            }
            *slot = value;
        }
    }
    Ok(values)
}

fn encode_one(
    cache: &Cache,
    object: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let py = object.py();
    let Some(index) = class_index(cache, object) else {
        return Err(PyTypeError::new_err(format!(
            "encode() takes an SMPP PDU, not {}",
            type_name(object)
        ))
        .into());
    };
    let class = &cache.pdus[index];
    let spec: &'static PduSpec = &PDUS[index];
    let state = object
        .getattr(cache.dict_attr.bind(py))?
        .cast_into::<PyDict>()
        .map_err(PyErr::from)?;
    let count = spec.fields.len();
    let values = field_values(class, &state, count + 3)?;
    // SAFETY: each pointer is a borrowed value of `state`, which outlives them
    // and is not modified here.
    let get = |position: usize| unsafe { Borrowed::from_ptr(py, values[position]) };
    let start = out.len();
    let mut encoder = Encoder::begin(out, spec);
    let status = get_u32(&encoder, "command_status", &get(count))?;
    let sequence = get_u32(&encoder, "sequence_number", &get(count + 1))?;
    let tlvs = get(count + 2);
    let mut omit = false;
    // In the pure twin's order, with its errors: `not tlvs` only here, and
    // the fields compared as a tuple compares them (identity, then ==).
    if spec.is_response() && status != 0 && !tlvs.is_truthy()? {
        let defaults = class.defaults.bind(py);
        omit = true;
        for position in 0..count {
            let value = get(position);
            let same = match defaults.get_item(class.names[position].bind(py))? {
                Some(default) => value.is(&default) || value.eq(&default)?,
                None => false,
            };
            if !same {
                omit = false;
                break;
            }
        }
    }
    if !omit {
        let mut short_message_present = false;
        let mut buffer = [0u8; MAX_CSTRING];
        for (position, field) in spec.fields.iter().enumerate() {
            let name = field.name;
            let value = get(position);
            match field.kind {
                Kind::U8(_) => {
                    let v = get_u8(&encoder, name, &value)?;
                    encoder.u8(v);
                }
                Kind::CString(limit) => {
                    let octets = get_latin1(&encoder, name, &value, limit, &mut buffer)?;
                    encoder.cstring(name, octets, limit)?;
                }
                Kind::Time => {
                    if value.is_instance_of::<PyString>() {
                        // SAFETY: `value` is a str; PyUnicode_GetLength cannot fail on one.
                        let length = unsafe { ffi::PyUnicode_GetLength(value.as_ptr()) };
                        encoder.time_length(name, length as usize)?;
                    }
                    let limit = Kind::Time.limit();
                    let octets = get_latin1(&encoder, name, &value, limit, &mut buffer)?;
                    encoder.time(name, octets)?;
                }
                Kind::ShortMessage => {
                    let Ok(bytes) = value.cast::<PyBytes>() else {
                        return Err(encoder
                            .fail(
                                name,
                                format_args!("must be bytes, got {}", type_name(&value)),
                            )
                            .into());
                    };
                    let octets = bytes.as_bytes();
                    encoder.short_message(name, octets)?;
                    short_message_present = !octets.is_empty();
                }
                Kind::DestAddress => {
                    let Ok(entries) = value.cast::<PyTuple>() else {
                        return Err(encoder.fail("number_of_dests", "must be a tuple").into());
                    };
                    encoder.dest_count(entries.len())?;
                    for entry in entries.iter() {
                        if is_instance(&entry, &cache.sme_address)? {
                            let ton = get_u8(
                                &encoder,
                                "dest_addr_ton",
                                &entry.getattr("dest_addr_ton")?,
                            )?;
                            let npi = get_u8(
                                &encoder,
                                "dest_addr_npi",
                                &entry.getattr("dest_addr_npi")?,
                            )?;
                            let address = entry.getattr("destination_addr")?;
                            let octets = get_latin1(
                                &encoder,
                                "destination_addr",
                                &address,
                                ADDRESS_LIMIT,
                                &mut buffer,
                            )?;
                            encoder.sme_address(ton, npi, octets)?;
                        } else if is_instance(&entry, &cache.distribution_list)? {
                            let list = entry.getattr("dl_name")?;
                            let octets =
                                get_latin1(&encoder, "dl_name", &list, ADDRESS_LIMIT, &mut buffer)?;
                            encoder.distribution_list(octets)?;
                        } else {
                            return Err(encoder
                                .fail(
                                    "dest_flag",
                                    "entries must be SmeAddress or DistributionList",
                                )
                                .into());
                        }
                    }
                }
                Kind::UnsuccessSme => {
                    let entries = match value.cast::<PyTuple>() {
                        Ok(entries) if entries.len() <= 255 => entries,
                        _ => {
                            return Err(encoder
                                .fail(
                                    "unsuccess_sme",
                                    "must be a tuple of at most 255 UnsuccessSme",
                                )
                                .into())
                        }
                    };
                    encoder.unsuccess_count(entries.len())?;
                    for entry in entries.iter() {
                        if !is_instance(&entry, &cache.unsuccess_sme)? {
                            return Err(encoder
                                .fail("unsuccess_sme", "entries must be UnsuccessSme")
                                .into());
                        }
                        let ton =
                            get_u8(&encoder, "dest_addr_ton", &entry.getattr("dest_addr_ton")?)?;
                        let npi =
                            get_u8(&encoder, "dest_addr_npi", &entry.getattr("dest_addr_npi")?)?;
                        let address = entry.getattr("destination_addr")?;
                        let octets = get_latin1(
                            &encoder,
                            "destination_addr",
                            &address,
                            ADDRESS_LIMIT,
                            &mut buffer,
                        )?;
                        let error_status_code = get_u32(
                            &encoder,
                            "error_status_code",
                            &entry.getattr("error_status_code")?,
                        )?;
                        encoder.unsuccess(&codec::Unsuccess {
                            ton,
                            npi,
                            address: octets,
                            error_status_code,
                        })?;
                    }
                }
            }
        }
        let Ok(tlvs) = tlvs.cast::<PyTuple>() else {
            return Err(encoder.fail("tlvs", "must be a tuple of Tlv").into());
        };
        let mut payload = false;
        for tlv in tlvs.iter() {
            if !is_instance(&tlv, &cache.tlv)? {
                return Err(encoder.fail("tlvs", "entries must be Tlv").into());
            }
            let tag = tlv.getattr("tag")?;
            let tag = match tag.is_instance_of::<PyInt>().then(|| tag.extract::<u16>()) {
                Some(Ok(tag)) => tag,
                _ => {
                    return Err(encoder
                        .fail("tlvs", "a tag is an int 0..0xFFFF (two octets)")
                        .into())
                }
            };
            let value = tlv.getattr("value")?;
            let Ok(value) = value.cast::<PyBytes>() else {
                return Err(encoder.fail("tlvs", "a value is bytes").into());
            };
            encoder.tlv(tag, value.as_bytes())?;
            payload |= tag == codec::MESSAGE_PAYLOAD;
        }
        encoder.check_payload_exclusive(
            short_message_present,
            payload.then_some(codec::MESSAGE_PAYLOAD).into_iter(),
        )?;
    }
    encoder.finish(status, sequence);
    debug_assert!(out.len() > start);
    Ok(())
}

fn encode_error(py: Python<'_>, error: EncodeError) -> PyErr {
    match error {
        EncodeError::Protocol(error) => protocol_error(py, &error),
        EncodeError::Python(error) => error,
    }
}

/// Encode one PDU, header included.
#[pyfunction]
fn pdu_encode<'py>(py: Python<'py>, pdu: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let cache = cache(py)?;
    OUTPUT.with(|cell| {
        // Busy only if encoding ran Python code (an `__eq__`) that encodes.
        let mut fresh = Vec::new();
        let mut reused = cell.try_borrow_mut();
        let out = match reused.as_deref_mut() {
            Ok(out) => out,
            Err(_) => &mut fresh,
        };
        out.clear();
        encode_one(cache, pdu, out).map_err(|e| encode_error(py, e))?;
        let bytes = PyBytes::new(py, out);
        if out.capacity() > OUTPUT_KEPT {
            *out = Vec::with_capacity(OUTPUT_KEPT);
        }
        Ok(bytes)
    })
}

/// Octets of output buffer a thread keeps between `encode` calls: a typical
/// PDU fits, a large one does not pin its buffer.
const OUTPUT_KEPT: usize = 1024;

thread_local! {
    /// The output buffer `encode` reuses, saving an allocation per PDU.
    static OUTPUT: std::cell::RefCell<Vec<u8>> =
        std::cell::RefCell::new(Vec::with_capacity(OUTPUT_KEPT));
}

/// Encode PDUs back to back, for one coalesced write.
#[pyfunction]
fn pdu_encode_many<'py>(
    py: Python<'py>,
    pdus: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let cache = cache(py)?;
    let mut out = Vec::with_capacity(256);
    for pdu in pdus.try_iter()? {
        encode_one(cache, &pdu?, &mut out).map_err(|e| encode_error(py, e))?;
    }
    Ok(PyBytes::new(py, &out))
}

// --- Single-argument entry points -------------------------------------------

/// A one-argument function called the common way, `f(x)`, skips pyo3's
/// argument parsing (about 130 instructions of a call costing a few
/// thousand); any other call goes to the pyo3 function, which parses and
/// refuses arguments as before.
struct SingleArgument {
    full: PyOnceLock<Py<PyAny>>,
    run: for<'py> fn(Python<'py>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    entry: ffi::PyCFunctionWithKeywords,
}

static DECODE: SingleArgument = SingleArgument {
    full: PyOnceLock::new(),
    run: |py, data| pdu_decode(py, data),
    entry: decode_entry,
};

static ENCODE: SingleArgument = SingleArgument {
    full: PyOnceLock::new(),
    run: |py, pdu| pdu_encode(py, pdu).map(Bound::into_any),
    entry: encode_entry,
};

/// # Safety
/// Called by CPython as a METH_VARARGS | METH_KEYWORDS function: GIL held,
/// `args` a tuple, `kwargs` a dict or NULL, both borrowed for the call.
unsafe fn single_argument(
    entry: &SingleArgument,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: see the function's contract.
    let py = unsafe { Python::assume_attached() };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let args = unsafe { Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>() };
        let kwargs = (!kwargs.is_null())
            .then(|| unsafe { Borrowed::from_ptr(py, kwargs).cast_unchecked::<PyDict>() });
        if args.len() == 1 && kwargs.is_none_or(|k| k.is_empty()) {
            // SAFETY: index 0 of a tuple of length 1.
            let argument = unsafe { args.get_borrowed_item_unchecked(0) };
            (entry.run)(py, &argument).map(Bound::into_ptr)
        } else {
            let full = entry.full.get(py).expect("registered with the function");
            full.bind(py)
                .call(&*args, kwargs.as_deref())
                .map(Bound::into_ptr)
        }
    }));
    let error = match outcome {
        Ok(Ok(object)) => return object,
        Ok(Err(error)) => error,
        Err(_) => PyTypeError::new_err("smswire._native panicked"),
    };
    error.restore(py);
    std::ptr::null_mut()
}

unsafe extern "C" fn decode_entry(
    _module: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this as registered, METH_VARARGS | METH_KEYWORDS.
    unsafe { single_argument(&DECODE, args, kwargs) }
}

unsafe extern "C" fn encode_entry(
    _module: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this as registered, METH_VARARGS | METH_KEYWORDS.
    unsafe { single_argument(&ENCODE, args, kwargs) }
}

/// Export `full` under its own name through the fast entry point, with its
/// name and docstring (signature included) taken from `full`.
fn register_single_argument(
    m: &Bound<'_, PyModule>,
    entry: &'static SingleArgument,
    full: Bound<'_, pyo3::types::PyCFunction>,
) -> PyResult<()> {
    let py = m.py();
    let name: String = full.getattr("__name__")?.extract()?;
    let signature: String = full.getattr("__text_signature__")?.extract()?;
    let doc: String = full.getattr("__doc__")?.extract()?;
    let leak = |text: String| -> PyResult<&'static std::ffi::CStr> {
        let text = std::ffi::CString::new(text)
            .map_err(|_| PyTypeError::new_err("NUL in a function name or docstring"))?;
        Ok(Box::leak(text.into_boxed_c_str()))
    };
    let name_c = leak(name.clone())?;
    let doc_c = leak(format!("{name}{signature}\n--\n\n{doc}"))?;
    // CPython keeps a pointer to the definition for the function's lifetime,
    // which is the interpreter's: leaking the one definition is intended.
    let definition = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name_c.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionWithKeywords: entry.entry,
        },
        ml_flags: ffi::METH_VARARGS | ffi::METH_KEYWORDS,
        ml_doc: doc_c.as_ptr(),
    }));
    let _ = entry.full.set(py, full.into_any().unbind());
    // SAFETY: the definition lives forever; NULL self and module are allowed.
    let function = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyCFunction_NewEx(definition, std::ptr::null_mut(), std::ptr::null_mut()),
        )?
    };
    m.add(name.as_str(), function)
}

// --- Framing ------------------------------------------------------------------

/// An argument left out, or what was given: `Option` would read `None` as
/// left out, where the pure twin refuses it.
enum Requested<'py> {
    Default,
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Requested<'py> {
    type Error = PyErr;

    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Requested::Given(object.to_owned()))
    }
}

/// Splits a received byte stream into PDUs (SMPP 3.4 §3.2).
///
/// `max_command_length` must be an int within 16..0xFFFFFFFF (the header's
/// length up to what command_length can say); anything else, `None`
/// included, raises `ConfigurationError`.
#[pyclass(name = "PduFramer", module = "smswire._native")]
struct PduFramer {
    inner: Framer,
}

#[pymethods]
impl PduFramer {
    #[new]
    #[pyo3(
        signature = (max_command_length = Requested::Default),
        text_signature = "(max_command_length=65536)"
    )]
    fn new(py: Python<'_>, max_command_length: Requested<'_>) -> PyResult<Self> {
        let Requested::Given(requested) = max_command_length else {
            return Ok(PduFramer {
                inner: Framer::new(MAX_COMMAND_LENGTH),
            });
        };
        let valid = requested.is_instance_of::<PyInt>()
            && matches!(requested.extract::<u32>(), Ok(v) if v >= schema::HEADER_LENGTH as u32);
        if !valid {
            let message = format!(
                "max_command_length must be {}..{}, got {}",
                schema::HEADER_LENGTH,
                u32::MAX,
                requested.repr()?
            );
            return Err(smswire_error(py, "ConfigurationError", &message, &[]));
        }
        Ok(PduFramer {
            inner: Framer::new(requested.extract()?),
        })
    }

    #[getter]
    fn max_command_length(&self) -> u32 {
        self.inner.max_command_length()
    }

    /// Append `data`; return every complete PDU, keep a partial one.
    fn feed<'py>(
        &mut self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let cache = cache(py)?;
        let data = octets(data, "Framer.feed")?;
        self.inner
            .check()
            .map_err(|error| protocol_error(py, &error))?;
        self.inner.extend(data.as_bytes());
        let found = PyList::empty(py);
        loop {
            let length = match self.inner.next_frame() {
                Ok(Some(length)) => length,
                Ok(None) => break,
                Err(_) if !found.is_empty() => break,
                Err(error) => return Err(protocol_error(py, &error)),
            };
            let decoded = match codec::decode(self.inner.frame(length)) {
                Ok(pdu) => Ok(to_python(py, cache, &pdu)?),
                Err(error) => Err(error),
            };
            match decoded {
                Ok(object) => {
                    found.append(object)?;
                    self.inner.consume(length);
                }
                Err(_) if !found.is_empty() => break,
                Err(error) => {
                    self.inner.consume(length);
                    self.inner.compact();
                    return Err(protocol_error(py, &error));
                }
            }
        }
        self.inner.compact();
        Ok(found)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_pdu_new(m)?;
    register_single_argument(m, &DECODE, wrap_pyfunction!(pdu_decode, m)?)?;
    register_single_argument(m, &ENCODE, wrap_pyfunction!(pdu_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pdu_encode_many, m)?)?;
    m.add_class::<PduFramer>()?;
    Ok(())
}
