//! Bindings of the SMPP PDU codec.
//!
//! The PDU classes are the Python dataclasses of `smswire.pdu._types`, shared
//! with the pure backend. They have `__slots__` and no instance dict, and
//! under this backend derive from `PduBase`, whose `tp_new` binds the
//! constructor's arguments as the dataclass `__init__` would and stores them
//! straight into the slots. Decoding takes each field from the core decoder
//! as it is read (`codec::Sink`), makes its object (a field at its default
//! keeps the class's own) and allocates the instance once all are in hand;
//! encoding reads the slots and feeds each value to the core's validating
//! encoder. A PDU crosses the boundary once, and a batch (`encode_many`,
//! `Framer.feed`) crosses it once for all its PDUs. The slot offsets come
//! from each class's member table, checked against its dataclass fields when
//! the cache is built.

use std::os::raw::c_int;

use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyInt, PyList, PyString, PyTuple, PyType};
use pyo3::Borrowed;

use crate::pdu::codec::{self, Encoder, Value};
use crate::pdu::schema::{self, Kind, PduSpec, ADDRESS_LIMIT, MAX_COMMAND_LENGTH, PDUS};
use crate::pdu::{Framer, PduError};

use super::errors::SmswireError;

/// Most fields of a class: submit_sm's 17 plus status, sequence and tlvs.
const MAX_FIELDS: usize = 20;

/// A Python class the codec builds and reads, with what it needs to do so fast.
struct Class {
    cls: Py<PyType>,
    alloc: ffi::allocfunc,
    /// Byte offset of each field's slot in an instance, in field order.
    offsets: Vec<usize>,
    /// Interned field names, in field order.
    names: Vec<Py<PyString>>,
    /// Each field's default, in field order; `None` for a required field.
    defaults: Vec<Option<Py<PyAny>>>,
    /// The addresses of `defaults` (0 for a required field), padded with 0:
    /// the starting point of every constructor call, copied in one go.
    default_addresses: [usize; MAX_FIELDS],
    /// Bit `i` set: the field at `i` is required (has no default).
    required: u32,
}

struct Cache {
    ints: SmallInts,
    pdus: Vec<Class>,
    tlv: Class,
    sme_address: Class,
    distribution_list: Class,
    unsuccess_sme: Class,
}

static CACHE: PyOnceLock<Cache> = PyOnceLock::new();

fn cache(py: Python<'_>) -> PyResult<&Cache> {
    CACHE.get_or_try_init(py, || {
        let module = py.import("smswire.pdu._types")?;
        let dataclasses = py.import("dataclasses")?;
        let fields = dataclasses.getattr("fields")?;
        let missing = dataclasses.getattr("MISSING")?;
        let class = |name: &str| -> PyResult<Class> {
            let cls = module.getattr(name)?.cast_into::<PyType>()?;
            let mut names = Vec::new();
            let mut defaults = Vec::new();
            for field in fields.call1((&cls,))?.try_iter()? {
                let field = field?;
                names.push(field.getattr("name")?.extract::<String>()?);
                let default = field.getattr("default")?;
                defaults.push((!default.is(&missing)).then(|| default.unbind()));
            }
            if names.len() > MAX_FIELDS {
                return Err(PyTypeError::new_err(format!(
                    "{name} has {} fields, the native codec at most {MAX_FIELDS}",
                    names.len()
                )));
            }
            let offsets = slot_offsets(&cls, &names)?;
            let mut default_addresses = [0; MAX_FIELDS];
            for (address, default) in default_addresses.iter_mut().zip(&defaults) {
                *address = default.as_ref().map_or(0, |d| d.as_ptr() as usize);
            }
            let required = defaults
                .iter()
                .enumerate()
                .filter(|(_, default)| default.is_none())
                .fold(0, |mask, (position, _)| mask | 1 << position);
            Ok(Class {
                default_addresses,
                required,
                alloc: alloc_slot(&cls),
                cls: cls.unbind(),
                offsets,
                names: names
                    .iter()
                    .map(|name| PyString::intern(py, name).unbind())
                    .collect(),
                defaults,
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
            ints: SmallInts::new(py)?,
            pdus,
            tlv: class("Tlv")?,
            sme_address: class("SmeAddress")?,
            distribution_list: class("DistributionList")?,
            unsuccess_sme: class("UnsuccessSme")?,
        })
    })
}

/// The ints 0..=255, which CPython caches, so that every such int in a
/// PDU is one of these objects. When they sit in one array at a power-of-two
/// stride, as in every CPython so far (checked, not assumed), an int's value
/// follows from its address alone, without a call; any other int is read the
/// ordinary way. The objects are held, so no other object can take their
/// addresses.
struct SmallInts {
    objects: Vec<Py<PyAny>>,
    /// The address of 0 and log2 of the stride, if the array is regular.
    layout: Option<(usize, u32)>,
}

impl SmallInts {
    fn new(py: Python<'_>) -> PyResult<Self> {
        let objects = (0..=u8::MAX)
            .map(|value| Ok(value.into_pyobject(py)?.into_any().unbind()))
            .collect::<PyResult<Vec<_>>>()?;
        let address = |value: usize| objects[value].as_ptr() as usize;
        let layout = address(1)
            .checked_sub(address(0))
            .filter(|stride| stride.is_power_of_two())
            .map(|stride| (address(0), stride.trailing_zeros()))
            .filter(|&(base, shift)| (0..objects.len()).all(|v| address(v) == base + (v << shift)));
        Ok(SmallInts { objects, layout })
    }

    /// The value of `object` if it is one of the cached ints 0..=255.
    #[inline]
    fn value(&self, object: &Bound<'_, PyAny>) -> Option<u8> {
        let (base, shift) = self.layout?;
        let offset = (object.as_ptr() as usize).wrapping_sub(base);
        let index = offset >> shift;
        (index <= usize::from(u8::MAX) && index << shift == offset).then_some(index as u8)
    }

    fn get<'py>(&self, py: Python<'py>, value: u8) -> Bound<'py, PyAny> {
        self.objects[usize::from(value)].bind(py).clone()
    }
}

/// The offset of each field's slot in an instance of `cls`, from the member
/// table CPython builds for `__slots__`. The codec reads and writes
/// instances at these offsets, so anything but one writable object slot per
/// field, and nothing else, is refused here rather than trusted.
fn slot_offsets(cls: &Bound<'_, PyType>, names: &[String]) -> PyResult<Vec<usize>> {
    let py = cls.py();
    let mut members = Vec::new();
    // SAFETY: the Py_tp_members slot of a heap type is its member table or
    // NULL; a table is an array of PyMemberDef ended by an entry whose name
    // is NULL, and lives as long as the class, which `cls` keeps alive.
    unsafe {
        let table = ffi::PyType_GetSlot(cls.as_ptr().cast(), ffi::Py_tp_members);
        if table.is_null() {
            if let Some(error) = PyErr::take(py) {
                return Err(error);
            }
        }
        let mut member = table.cast::<ffi::PyMemberDef>().cast_const();
        while !member.is_null() && !(*member).name.is_null() {
            let definition = *member;
            let name = std::ffi::CStr::from_ptr(definition.name).to_string_lossy();
            members.push((name.into_owned(), definition));
            member = member.add(1);
        }
    }
    let mismatch = || {
        let slots: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        PyTypeError::new_err(format!(
            "{}: the native codec needs one object slot per field, \
             got slots {slots:?} for fields {names:?}",
            cls.name().map(|n| n.to_string()).unwrap_or_default()
        ))
    };
    if members.len() != names.len() {
        return Err(mismatch());
    }
    names
        .iter()
        .map(
            |name| match members.iter().find(|(member, _)| member == name) {
                Some((_, definition))
                    if definition.type_code == ffi::Py_T_OBJECT_EX
                        && definition.flags & ffi::Py_READONLY == 0
                        && definition.offset > 0 =>
                {
                    Ok(definition.offset as usize)
                }
                _ => Err(mismatch()),
            },
        )
        .collect()
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
        Ok(SmswireError::Protocol.new_err(
            py,
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

/// A PDU the codec refuses, or a Python error on the way (an allocation,
/// code a value ran).
enum Failure {
    Protocol(PduError),
    Python(PyErr),
}

impl From<PduError> for Failure {
    fn from(error: PduError) -> Self {
        Failure::Protocol(error)
    }
}

impl From<PyErr> for Failure {
    fn from(error: PyErr) -> Self {
        Failure::Python(error)
    }
}

/// Conversions that cannot fail (an int to a Python int) take `?` too.
impl From<std::convert::Infallible> for Failure {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Protocol(error) => protocol_error(py, &error),
            Failure::Python(error) => error,
        }
    }
}

/// What a C entry point returns: `body`'s object, or NULL with its error
/// (or a panic, as TypeError) set as the Python exception.
fn c_result(
    py: Python<'_>,
    body: impl FnOnce() -> PyResult<*mut ffi::PyObject>,
) -> *mut ffi::PyObject {
    let error = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(object)) => return object,
        Ok(Err(error)) => error,
        Err(_) => PyTypeError::new_err("smswire._native panicked"),
    };
    error.restore(py);
    std::ptr::null_mut()
}

// --- Instances: slots written and read in place ------------------------------------

/// Where the slot at `offset` sits in `object`.
///
/// # Safety
/// `object` is an instance of a class whose layout has an object slot at
/// `offset` (the class a `Class` describes, or one deriving from it).
unsafe fn slot(object: *mut ffi::PyObject, offset: usize) -> *mut *mut ffi::PyObject {
    // SAFETY: within the instance, by the function's contract.
    unsafe { object.cast::<u8>().add(offset).cast() }
}

/// A class's field objects in field order, gathered before its instance
/// exists, so no half-built instance is ever reachable from Python. Each
/// starts as the field's default, borrowed from the class (NULL for a
/// required field); `set` replaces it with a reference of its own.
struct Values<'py> {
    py: Python<'py>,
    pointers: [*mut ffi::PyObject; MAX_FIELDS],
    /// Bit `i` set: `pointers[i]` is a reference this holds.
    owned: u32,
}

impl<'py> Values<'py> {
    fn defaults(py: Python<'py>, class: &Class) -> Self {
        Values {
            py,
            // The defaults are held by `class.defaults`.
            pointers: class
                .default_addresses
                .map(|address| address as *mut ffi::PyObject),
            owned: 0,
        }
    }

    fn set(&mut self, position: usize, value: Bound<'py, PyAny>) {
        let old = std::mem::replace(&mut self.pointers[position], value.into_ptr());
        if self.owned & (1 << position) != 0 {
            // SAFETY: the reference this held.
            unsafe { ffi::Py_DECREF(old) };
        }
        self.owned |= 1 << position;
    }

    /// A decoded instance of `class` holding these values, left out of the
    /// cycle collector's lists. What the decoder stores (str, int, bytes,
    /// tuples of such entries) cannot form a reference cycle, and the
    /// instance is frozen: like a tuple of atomic values, which CPython
    /// untracks itself, it never needs to be traversed. That takes the PDUs
    /// of a large `Framer.feed` out of every collection while they live. (An
    /// `object.__setattr__` that stores a cycle into one, bypassing the
    /// frozen class, would leak it rather than have it collected.)
    fn build_decoded(&mut self, class: &Class) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the class itself, with its own tp_alloc.
        let object =
            unsafe { self.build_instance_of(class, class.cls.as_ptr().cast(), class.alloc)? };
        // SAFETY: a live instance of a GC type (its slots make it one).
        unsafe { ffi::PyObject_GC_UnTrack(object.as_ptr().cast()) };
        Ok(object)
    }

    /// A new instance of `cls` holding these values, without `__init__`;
    /// the references this held pass to it.
    ///
    /// # Safety
    /// `cls` is `class` or derives from it (so its instances have `class`'s
    /// slots at the same offsets), and `alloc` is its tp_alloc; each pointer
    /// not owned here is a live object.
    unsafe fn build_instance_of(
        &mut self,
        class: &Class,
        cls: *mut ffi::PyTypeObject,
        alloc: ffi::allocfunc,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Only a required field can still be NULL here.
        let mut unchecked = class.required & !self.owned;
        while unchecked != 0 {
            if self.pointers[unchecked.trailing_zeros() as usize].is_null() {
                return Err(PyTypeError::new_err("a required field was given no value"));
            }
            unchecked &= unchecked - 1;
        }
        // SAFETY: tp_alloc returns a new, zeroed instance or NULL with an
        // exception set.
        let object = unsafe { Bound::from_owned_ptr_or_err(self.py, alloc(cls, 0))? };
        for (position, &offset) in class.offsets.iter().enumerate() {
            let pointer = self.pointers[position];
            // SAFETY: `object` has `class`'s layout (the contract) and its
            // slots are empty; each takes a reference this held or a new one.
            unsafe {
                if self.owned & (1 << position) == 0 {
                    ffi::Py_INCREF(pointer);
                }
                *slot(object.as_ptr(), offset) = pointer;
            }
        }
        self.owned = 0;
        Ok(object)
    }
}

impl Drop for Values<'_> {
    fn drop(&mut self) {
        if self.owned == 0 {
            return;
        }
        for (position, &pointer) in self.pointers.iter().enumerate() {
            if self.owned & (1 << position) != 0 {
                // SAFETY: a reference this held.
                unsafe { ffi::Py_DECREF(pointer) };
            }
        }
    }
}

impl Class {
    /// The field values of `object` if it is an instance of this class or
    /// of a subclass (whose slots then sit at this class's offsets), borrowed
    /// from its slots. The real type decides: a `__class__` that claims
    /// otherwise is not trusted with the layout. An empty slot (emptied with
    /// `object.__delattr__`) raises the AttributeError reading that
    /// attribute raises.
    ///
    /// # Safety
    /// No Python code runs while the values are used: code could empty a
    /// slot and free the value it held. (The fields are not owned to save a
    /// reference count each way per field.)
    unsafe fn read<'a, 'py>(
        &self,
        object: &'a Bound<'py, PyAny>,
    ) -> PyResult<Option<Fields<'a, 'py>>> {
        let py = object.py();
        // SAFETY: both pointers are live objects; PyObject_TypeCheck only reads types.
        if unsafe { ffi::PyObject_TypeCheck(object.as_ptr(), self.cls.as_ptr().cast()) } == 0 {
            return Ok(None);
        }
        let mut values = [std::ptr::null_mut(); MAX_FIELDS];
        for (position, &offset) in self.offsets.iter().enumerate() {
            // SAFETY: `object` has this class's layout (checked above).
            let value = unsafe { *slot(object.as_ptr(), offset) };
            if value.is_null() {
                let name = self.names[position].bind(py);
                return Err(match object.getattr(name) {
                    Err(error) => error,
                    Ok(_) => PyAttributeError::new_err(name.clone().unbind()),
                });
            }
            values[position] = value;
        }
        Ok(Some(Fields {
            object,
            values,
            count: self.offsets.len(),
        }))
    }
}

/// An instance's field values in field order, borrowed from its slots.
struct Fields<'a, 'py> {
    object: &'a Bound<'py, PyAny>,
    values: [*mut ffi::PyObject; MAX_FIELDS],
    count: usize,
}

impl<'a, 'py> Fields<'a, 'py> {
    fn get(&self, position: usize) -> Borrowed<'a, 'py, PyAny> {
        let value = self.values[..self.count][position];
        // SAFETY: a live object (`read` checked it is not NULL) held by a
        // slot of `object`, which outlives `'a`; `Class::read`'s caller runs
        // no code that could empty it.
        unsafe {
            std::hint::assert_unchecked(!value.is_null());
            Borrowed::from_ptr(self.object.py(), value)
        }
    }
}

// --- Construction -----------------------------------------------------------------

impl Cache {
    /// The class `cls` is, or the first one it derives from.
    fn class_for(&self, cls: &Bound<'_, PyType>) -> Option<&Class> {
        let known = || {
            self.pdus.iter().chain([
                &self.tlv,
                &self.sme_address,
                &self.distribution_list,
                &self.unsuccess_sme,
            ])
        };
        if let Some(class) = known().find(|class| class.cls.is(cls)) {
            return Some(class);
        }
        cls.mro()
            .iter()
            .find_map(|base| known().find(|class| class.cls.is(&base)))
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`: CPython's list of missing arguments.
fn quoted_names(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

impl Class {
    /// The arguments of a call `cls(*args, **kwargs)` bound to the fields as
    /// the dataclass `__init__` binds them, with its errors; the defaults
    /// fill the rest. Pointers borrowed from `args`, `kwargs` and `self`.
    fn bind(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<[*mut ffi::PyObject; MAX_FIELDS]> {
        let count = self.names.len();
        // The defaults are held by `self.defaults`.
        let mut values = self
            .default_addresses
            .map(|address| address as *mut ffi::PyObject);
        // The dataclass `__init__` is the defining class's, whatever subclass
        // is called, and CPython names it in its errors.
        let function =
            || -> PyResult<String> { Ok(format!("{}.__init__()", self.cls.bind(py).qualname()?)) };
        let positional = args.len();
        if positional > count {
            let required = self.defaults.iter().filter(|d| d.is_none()).count();
            let takes = if required == count {
                format!("{}", count + 1)
            } else {
                format!("from {} to {}", required + 1, count + 1)
            };
            return Err(PyTypeError::new_err(format!(
                "{} takes {takes} positional arguments but {} were given",
                function()?,
                positional + 1
            )));
        }
        for (value, argument) in values.iter_mut().zip(args.iter_borrowed()) {
            *value = argument.as_ptr();
        }
        if let Some(kwargs) = kwargs {
            // SAFETY: PyDict_Next yields borrowed keys and values of a dict
            // this loop does not modify; it runs no Python code but `==` on
            // a key that is not one of the interned names, which cannot
            // change `kwargs`, a dict built for this call.
            unsafe {
                let mut position: ffi::Py_ssize_t = 0;
                let mut key = std::ptr::null_mut();
                let mut value = std::ptr::null_mut();
                while ffi::PyDict_Next(kwargs.as_ptr(), &mut position, &mut key, &mut value) != 0 {
                    let key = Borrowed::from_ptr(py, key);
                    // Keyword names at a call site are the interned names themselves.
                    let index = match self.names.iter().position(|n| n.as_ptr() == key.as_ptr()) {
                        Some(index) => Some(index),
                        None => self
                            .names
                            .iter()
                            .position(|n| n.bind(py).as_any().eq(key).unwrap_or(false)),
                    };
                    match index {
                        Some(index) if index >= positional => values[index] = value,
                        Some(_) => {
                            return Err(PyTypeError::new_err(format!(
                                "{} got multiple values for argument '{}'",
                                function()?,
                                &*key
                            )))
                        }
                        None => {
                            return Err(PyTypeError::new_err(format!(
                                "{} got an unexpected keyword argument '{}'",
                                function()?,
                                &*key
                            )))
                        }
                    }
                }
            }
        }
        let missing: Vec<String> = values[..count]
            .iter()
            .zip(&self.names)
            .filter(|(value, _)| value.is_null())
            .map(|(_, name)| name.bind(py).to_string())
            .collect();
        if !missing.is_empty() {
            return Err(PyTypeError::new_err(format!(
                "{} missing {} required positional argument{}: {}",
                function()?,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                quoted_names(&missing)
            )));
        }
        Ok(values)
    }
}

fn construct<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyType>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let cache = cache(py)?;
    let Some(class) = cache.class_for(cls) else {
        return Err(PyTypeError::new_err(format!(
            "{} is not an SMPP PDU class",
            cls.name()?
        )));
    };
    let pointers = class.bind(py, args, kwargs)?;
    let alloc = if class.cls.is(cls) {
        class.alloc
    } else {
        alloc_slot(cls)
    };
    // Borrowed from the call's arguments and the class, alive for the call.
    let mut values = Values {
        py,
        pointers,
        owned: 0,
    };
    // SAFETY: `cls` is `class.cls` or derives from it, `alloc` is its own,
    // and `bind` gave every field a live object.
    unsafe { values.build_instance_of(class, cls.as_ptr().cast(), alloc) }
}

/// `tp_new` of `PduBase`, which every PDU dataclass derives from under this
/// backend: `SubmitSm(...)` goes from `type.__call__` straight here, where a
/// `__new__` defined in Python costs a method lookup and a copy of the
/// argument tuple first. The classes have no `__init__` of their own, so
/// `object.__init__` (which accepts the arguments a custom `tp_new` took)
/// follows.
unsafe extern "C" fn pdu_base_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls tp_new with the GIL held, a type, a tuple `args`
    // and a dict or NULL `kwargs`, all borrowed for the call.
    unsafe {
        let py = Python::assume_attached();
        c_result(py, || {
            let cls = Borrowed::from_ptr(py, subtype.cast()).cast_unchecked::<PyType>();
            let args = Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>();
            let kwargs = (!kwargs.is_null())
                .then(|| Borrowed::from_ptr(py, kwargs).cast_unchecked::<PyDict>());
            construct(py, &cls, &args, kwargs.as_deref()).map(Bound::into_ptr)
        })
    }
}

fn register_pdu_base(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let mut slots = [
        ffi::PyType_Slot {
            slot: ffi::Py_tp_new,
            pfunc: pdu_base_new as *mut std::ffi::c_void,
        },
        ffi::PyType_Slot {
            slot: ffi::Py_tp_doc,
            pfunc: c"Base of the SMPP PDU dataclasses: builds them straight into their slots."
                .as_ptr() as *mut std::ffi::c_void,
        },
        ffi::PyType_Slot {
            slot: 0,
            pfunc: std::ptr::null_mut(),
        },
    ];
    let mut spec = ffi::PyType_Spec {
        // The type keeps a pointer to its name: a static string.
        name: c"smswire._native.PduBase".as_ptr(),
        // Zero: an object's size, inherited; the subclasses add the slots.
        basicsize: 0,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are read during the call only (the
    // name and doc are static); a new reference or NULL with an error.
    let base = unsafe { Bound::from_owned_ptr_or_err(m.py(), ffi::PyType_FromSpec(&mut spec))? };
    m.add("PduBase", base)
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

/// A decoded instance of `class` whose fields, in order, are `values`.
fn instance<'py, const N: usize>(
    py: Python<'py>,
    class: &Class,
    values: [Bound<'py, PyAny>; N],
) -> PyResult<Bound<'py, PyAny>> {
    let mut gathered = Values::defaults(py, class);
    for (position, value) in values.into_iter().enumerate() {
        gathered.set(position, value);
    }
    gathered.build_decoded(class)
}

/// Builds the Python object of a PDU from the parts the core decoder reads:
/// each field's object is made as its value is read, with no intermediate
/// [`codec::Pdu`], and a field at its default keeps the class's own object.
struct Building<'a, 'py> {
    cache: &'a Cache,
    spec: &'static PduSpec,
    values: Values<'py>,
    tlvs: Vec<Bound<'py, PyAny>>,
}

impl<'d, 'py> codec::Sink<'d> for Building<'_, 'py> {
    type Error = Failure;

    #[inline(always)]
    fn field(&mut self, position: usize, value: Value<'d>) -> Result<(), Failure> {
        let py = self.values.py;
        let object = match value {
            Value::U8(v) if self.spec.fields[position].kind == Kind::U8(v) => return Ok(()),
            Value::U8(v) => self.cache.ints.get(py, v),
            Value::Str([]) | Value::Bytes([]) => return Ok(()),
            Value::Str(s) => latin1(py, s)?,
            Value::Bytes(b) => PyBytes::new(py, b).into_any(),
            Value::Dests(d) if d.is_empty() => return Ok(()),
            Value::Unsuccess(u) if u.is_empty() => return Ok(()),
            value => self.entries(value)?,
        };
        self.values.set(position, object);
        Ok(())
    }

    fn tlv(&mut self, tlv: codec::Tlv<'d>) -> Result<(), Failure> {
        let py = self.values.py;
        let tag = tlv.tag.into_pyobject(py)?.into_any();
        let object = instance(
            py,
            &self.cache.tlv,
            [tag, PyBytes::new(py, tlv.value).into_any()],
        )?;
        self.tlvs.push(object);
        Ok(())
    }
}

impl<'py> Building<'_, 'py> {
    /// The tuple of submit_multi's destinations or unsuccess_sme entries.
    #[inline(never)]
    fn entries(&self, value: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
        let (py, cache) = (self.values.py, self.cache);
        match value {
            Value::Dests(d) => tuple_of(py, &d, |dest| match dest {
                codec::Dest::Sme { ton, npi, address } => instance(
                    py,
                    &cache.sme_address,
                    [
                        cache.ints.get(py, *ton),
                        cache.ints.get(py, *npi),
                        latin1(py, address)?,
                    ],
                ),
                codec::Dest::List(name) => {
                    instance(py, &cache.distribution_list, [latin1(py, name)?])
                }
            }),
            Value::Unsuccess(u) => tuple_of(py, &u, |entry| {
                instance(
                    py,
                    &cache.unsuccess_sme,
                    [
                        cache.ints.get(py, entry.ton),
                        cache.ints.get(py, entry.npi),
                        latin1(py, entry.address)?,
                        entry.error_status_code.into_pyobject(py)?.into_any(),
                    ],
                )
            }),
            _ => unreachable!("only entry lists are built here"),
        }
    }
}

/// Decode exactly one whole PDU into its Python object.
fn decode_one<'py>(
    py: Python<'py>,
    cache: &Cache,
    data: &[u8],
) -> Result<Bound<'py, PyAny>, Failure> {
    let (spec, status, sequence) = codec::check_header(data)?;
    let index = schema::index_of(spec.command_id).expect("a known command_id has its class");
    let class = &cache.pdus[index];
    let mut building = Building {
        cache,
        spec,
        values: Values::defaults(py, class),
        tlvs: Vec::new(),
    };
    let body = &data[schema::HEADER_LENGTH..];
    codec::read_body(spec, body, sequence, &mut building)?;
    let (values, tlvs) = (&mut building.values, std::mem::take(&mut building.tlvs));
    let count = spec.fields.len();
    if status != 0 {
        values.set(count, status.into_pyobject(py)?.into_any());
    }
    if sequence != 0 {
        values.set(count + 1, sequence.into_pyobject(py)?.into_any());
    }
    if !tlvs.is_empty() {
        values.set(count + 2, PyTuple::new(py, tlvs)?.into_any());
    }
    Ok(values.build_decoded(class)?)
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
    decode_one(py, cache, data.as_bytes()).map_err(|failure| failure.into_py(py))
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

#[inline]
fn get_u8(
    ints: &SmallInts,
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u8, PduError> {
    match ints.value(value) {
        Some(v) => Ok(v),
        None => any_u8(encoder, field, value),
    }
}

fn any_u8(
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

#[inline]
fn get_u32(
    ints: &SmallInts,
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u32, PduError> {
    match ints.value(value) {
        Some(v) => Ok(u32::from(v)),
        None => any_u32(encoder, field, value),
    }
}

fn any_u32(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<u32, PduError> {
    // SAFETY: as in any_u8; PyLong_AsLongLong is 64-bit on every platform.
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

#[cold]
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
    let length = str_length(encoder, field, value)?;
    latin1_octets(encoder, field, value, length, limit, buffer)
}

/// The length of a str, or the error naming `field` for anything else.
#[inline(always)]
fn str_length(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> Result<usize, PduError> {
    if !value.is_instance_of::<PyString>() {
        return Err(not_a_str(encoder, field, value));
    }
    // SAFETY: `value` is a str; PyUnicode_GetLength cannot fail on one.
    Ok(unsafe { ffi::PyUnicode_GetLength(value.as_ptr()) } as usize)
}

#[cold]
fn not_a_str(encoder: &Encoder<'_>, field: &'static str, value: &Bound<'_, PyAny>) -> PduError {
    encoder.fail(
        field,
        format_args!("must be a str, got {}", type_name(value)),
    )
}

/// The octets of `value`, a str of `length` characters (see `str_length`).
#[inline(always)]
fn latin1_octets<'b>(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
    length: usize,
    limit: usize,
    buffer: &'b mut [u8; MAX_CSTRING],
) -> Result<&'b [u8], PduError> {
    // Most optional strings are empty: no call for them.
    if length == 0 {
        return Ok(&buffer[..0]);
    }
    copy_latin1(encoder, field, value, length, limit, buffer)
}

fn copy_latin1<'b>(
    encoder: &Encoder<'_>,
    field: &'static str,
    value: &Bound<'_, PyAny>,
    length: usize,
    limit: usize,
    buffer: &'b mut [u8; MAX_CSTRING],
) -> Result<&'b [u8], PduError> {
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

fn class_index(cache: &Cache, object: &Bound<'_, PyAny>) -> Option<usize> {
    let cls = object.get_type();
    cache.pdus.iter().position(|class| class.cls.is(&cls))
}

fn encode_one(cache: &Cache, object: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> Result<(), Failure> {
    let Some(index) = class_index(cache, object) else {
        return Err(PyTypeError::new_err(format!(
            "encode() takes an SMPP PDU, not {}",
            type_name(object)
        ))
        .into());
    };
    let class = &cache.pdus[index];
    let spec: &'static PduSpec = &PDUS[index];
    let ints = &cache.ints;
    let count = spec.fields.len();
    // Declared before `fields`, which may point into it, so it outlives them.
    let held: Vec<Bound<'_, PyAny>>;
    // SAFETY: `object` is an instance of `class` itself. No Python code runs
    // while `fields` is used but in the omit check below, which first gives
    // `fields` references of its own.
    let mut fields = unsafe { class.read(object)? }.expect("the class of `object` itself");
    let start = out.len();
    let mut encoder = Encoder::begin(out, spec);
    let status = get_u32(ints, &encoder, "command_status", &fields.get(count))?;
    let sequence = get_u32(ints, &encoder, "sequence_number", &fields.get(count + 1))?;
    if spec.is_response() && status != 0 {
        held = (0..count + 3).map(|p| fields.get(p).to_owned()).collect();
        for (value, object) in fields.values.iter_mut().zip(&held) {
            *value = object.as_ptr();
        }
        // In the pure twin's order, with its errors: `not tlvs` only here,
        // and the fields compared as a tuple compares them (identity, then ==).
        let mut omit = !held[count + 2].is_truthy()?;
        for (value, default) in held[..count].iter().zip(&class.defaults) {
            if !omit {
                break;
            }
            omit = match default {
                Some(default) => value.is(default) || value.eq(default)?,
                None => false,
            };
        }
        if omit {
            encoder.finish(status, sequence);
            debug_assert!(out.len() > start);
            return Ok(());
        }
    }
    {
        let mut short_message_present = false;
        let mut buffer = [0u8; MAX_CSTRING];
        for (position, field) in spec.fields.iter().enumerate() {
            let name = field.name;
            let value = fields.get(position);
            match field.kind {
                Kind::U8(_) => {
                    let v = get_u8(ints, &encoder, name, &value)?;
                    encoder.u8(v);
                }
                Kind::CString(limit) => {
                    let octets = get_latin1(&encoder, name, &value, limit, &mut buffer)?;
                    encoder.cstring(name, octets, limit)?;
                }
                Kind::Time => {
                    // The pure twin checks a str's length before anything else.
                    let length = str_length(&encoder, name, &value);
                    if let Ok(length) = length {
                        encoder.time_length(name, length)?;
                    }
                    let limit = Kind::Time.limit();
                    let octets =
                        latin1_octets(&encoder, name, &value, length?, limit, &mut buffer)?;
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
                        // SAFETY (each read of an entry): no Python code runs
                        // while its fields are used.
                        if let Some(sme) = unsafe { cache.sme_address.read(&entry) }? {
                            let ton = get_u8(ints, &encoder, "dest_addr_ton", &sme.get(0))?;
                            let npi = get_u8(ints, &encoder, "dest_addr_npi", &sme.get(1))?;
                            let octets = get_latin1(
                                &encoder,
                                "destination_addr",
                                &sme.get(2),
                                ADDRESS_LIMIT,
                                &mut buffer,
                            )?;
                            encoder.sme_address(ton, npi, octets)?;
                        } else if let Some(list) = unsafe { cache.distribution_list.read(&entry) }?
                        {
                            let octets = get_latin1(
                                &encoder,
                                "dl_name",
                                &list.get(0),
                                ADDRESS_LIMIT,
                                &mut buffer,
                            )?;
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
                        // SAFETY: no Python code runs while its fields are used.
                        let Some(sme) = unsafe { cache.unsuccess_sme.read(&entry) }? else {
                            return Err(encoder
                                .fail("unsuccess_sme", "entries must be UnsuccessSme")
                                .into());
                        };
                        let ton = get_u8(ints, &encoder, "dest_addr_ton", &sme.get(0))?;
                        let npi = get_u8(ints, &encoder, "dest_addr_npi", &sme.get(1))?;
                        let octets = get_latin1(
                            &encoder,
                            "destination_addr",
                            &sme.get(2),
                            ADDRESS_LIMIT,
                            &mut buffer,
                        )?;
                        let error_status_code =
                            get_u32(ints, &encoder, "error_status_code", &sme.get(3))?;
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
        let tlvs = fields.get(count + 2);
        let Ok(tlvs) = tlvs.cast::<PyTuple>() else {
            return Err(encoder.fail("tlvs", "must be a tuple of Tlv").into());
        };
        let mut payload = false;
        for tlv in tlvs.iter() {
            // SAFETY: no Python code runs while its fields are used.
            let Some(tlv) = unsafe { cache.tlv.read(&tlv) }? else {
                return Err(encoder.fail("tlvs", "entries must be Tlv").into());
            };
            let tag = tlv.get(0);
            let tag = match tag.is_instance_of::<PyInt>().then(|| tag.extract::<u16>()) {
                Some(Ok(tag)) => tag,
                _ => {
                    return Err(encoder
                        .fail("tlvs", "a tag is an int 0..0xFFFF (two octets)")
                        .into())
                }
            };
            let value = tlv.get(1);
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
        encode_one(cache, pdu, out).map_err(|e| e.into_py(py))?;
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
        encode_one(cache, &pdu?, &mut out).map_err(|e| e.into_py(py))?;
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
    c_result(py, || {
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
    })
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
            return Err(SmswireError::Configuration.new_err(py, &message, &[]));
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
            let decoded = match decode_one(py, cache, self.inner.frame(length)) {
                Err(Failure::Python(error)) => return Err(error),
                Err(Failure::Protocol(error)) => Err(error),
                Ok(object) => Ok(object),
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
    register_pdu_base(m)?;
    register_single_argument(m, &DECODE, wrap_pyfunction!(pdu_decode, m)?)?;
    register_single_argument(m, &ENCODE, wrap_pyfunction!(pdu_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pdu_encode_many, m)?)?;
    m.add_class::<PduFramer>()?;
    Ok(())
}
