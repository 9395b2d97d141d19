//! Instances of a `__slots__` class written and read in place: the PDU
//! dataclasses cross the boundary without a call per field.
//!
//! A [`SlotLayout`] is made once per class, from the member table CPython
//! builds for `__slots__`, and refuses any class whose instances are not
//! one writable object slot per field. It is the only way to the offsets,
//! so every read and write below is of a slot that exists.

use std::ffi::{c_void, CStr};
use std::marker::PhantomData;

use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};
use pyo3::Borrowed;

/// Most fields of a class: submit_sm's 17 plus status, sequence and tlvs.
pub const MAX_FIELDS: usize = 20;

/// Where the fields of a class's instances live, and their defaults.
pub struct SlotLayout {
    cls: Py<PyType>,
    alloc: ffi::allocfunc,
    /// Byte offset of each field's slot in an instance, in field order.
    offsets: Vec<usize>,
    /// Interned field names, in field order.
    names: Vec<Py<PyString>>,
    /// Each field's default, in field order; `None` for a required field.
    defaults: Vec<Option<Py<PyAny>>>,
    /// The addresses of `defaults` (0 for a required field), padded with 0:
    /// the starting point of every new instance, copied in one go. Held by
    /// `defaults`, so alive as long as this is.
    default_addresses: [usize; MAX_FIELDS],
    /// Bit `i` set: the field at `i` is required (has no default).
    required: u32,
}

impl SlotLayout {
    /// The layout of `cls`, whose fields, in order, are `fields` (a name,
    /// and a default unless the field is required). Refused unless the
    /// class's member table is exactly one writable object slot per field.
    pub fn new(
        cls: &Bound<'_, PyType>,
        fields: Vec<(String, Option<Py<PyAny>>)>,
    ) -> PyResult<Self> {
        let py = cls.py();
        let class_name = || cls.name().map(|n| n.to_string()).unwrap_or_default();
        if fields.len() > MAX_FIELDS {
            return Err(PyTypeError::new_err(format!(
                "{} has {} fields, the native codec at most {MAX_FIELDS}",
                class_name(),
                fields.len()
            )));
        }
        let members = member_table(cls)?;
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        let mismatch = || {
            let slots: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
            PyTypeError::new_err(format!(
                "{}: the native codec needs one object slot per field, \
                 got slots {slots:?} for fields {names:?}",
                class_name()
            ))
        };
        if members.len() != fields.len() {
            return Err(mismatch());
        }
        let offsets = names
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
            .collect::<PyResult<Vec<_>>>()?;
        let mut default_addresses = [0; MAX_FIELDS];
        let mut required = 0;
        for (position, (_, default)) in fields.iter().enumerate() {
            match default {
                Some(default) => default_addresses[position] = default.as_ptr() as usize,
                None => required |= 1 << position,
            }
        }
        Ok(SlotLayout {
            alloc: alloc_slot(cls)?,
            cls: cls.clone().unbind(),
            offsets,
            names: names
                .iter()
                .map(|name| PyString::intern(py, name).unbind())
                .collect(),
            defaults: fields.into_iter().map(|(_, default)| default).collect(),
            default_addresses,
            required,
        })
    }

    pub fn cls(&self) -> &Py<PyType> {
        &self.cls
    }

    /// The interned field names, in field order.
    pub fn names(&self) -> &[Py<PyString>] {
        &self.names
    }

    /// Each field's default, `None` for a required field.
    pub fn defaults(&self) -> &[Option<Py<PyAny>>] {
        &self.defaults
    }

    /// The field values of `object` if it is an instance of this class or
    /// of a subclass (whose slots sit at the same offsets). Each is kept
    /// alive for as long as the `Fields` live, so code run meanwhile (an
    /// `__eq__` that empties a slot with `object.__delattr__`) cannot free
    /// it: a field at its class default is held by this layout, any other
    /// value by the `Fields` (most fields are at their defaults, and under
    /// the stable ABI each reference count change is a call). The real
    /// type decides: a `__class__` that claims otherwise is not trusted
    /// with the layout. An empty slot raises the AttributeError reading it
    /// raises.
    #[inline]
    pub fn read<'l, 'py>(
        &'l self,
        object: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Fields<'l, 'py>>> {
        let py = object.py();
        // SAFETY: both are live objects; PyObject_TypeCheck only reads types.
        if unsafe { ffi::PyObject_TypeCheck(object.as_ptr(), self.cls.as_ptr().cast()) } == 0 {
            return Ok(None);
        }
        let mut fields = Fields {
            py,
            _layout: PhantomData,
            values: [std::ptr::null_mut(); MAX_FIELDS],
            count: self.offsets.len(),
            owned: 0,
        };
        for (position, &offset) in self.offsets.iter().enumerate() {
            // SAFETY: `object` has this class's layout (checked above), so
            // an object slot (or NULL) at `offset`.
            let value = unsafe { *slot(object.as_ptr(), offset) };
            if value.is_null() {
                let name = self.names[position].bind(py);
                return Err(match object.getattr(name) {
                    Err(error) => error,
                    Ok(_) => PyAttributeError::new_err(name.clone().unbind()),
                });
            }
            if value as usize != self.default_addresses[position] {
                // SAFETY: a live object; the reference taken is released by
                // `Fields::drop`, as its bit in `owned` says.
                unsafe { ffi::Py_INCREF(value) };
                fields.owned |= 1 << position;
            }
            fields.values[position] = value;
        }
        Ok(Some(fields))
    }
}

/// The member table CPython built for the class's `__slots__`, by name.
fn member_table(cls: &Bound<'_, PyType>) -> PyResult<Vec<(String, ffi::PyMemberDef)>> {
    let mut members = Vec::new();
    // SAFETY: the Py_tp_members slot of a heap type is its member table or
    // NULL (with an error set for a static type); a table is an array of
    // PyMemberDef ended by an entry whose name is NULL, and lives as long
    // as the class, which `cls` keeps alive.
    unsafe {
        let table = ffi::PyType_GetSlot(cls.as_ptr().cast(), ffi::Py_tp_members);
        if table.is_null() {
            if let Some(error) = PyErr::take(cls.py()) {
                return Err(error);
            }
        }
        let mut member = table.cast::<ffi::PyMemberDef>().cast_const();
        while !member.is_null() && !(*member).name.is_null() {
            let definition = *member;
            let name = CStr::from_ptr(definition.name).to_string_lossy();
            members.push((name.into_owned(), definition));
            member = member.add(1);
        }
    }
    Ok(members)
}

/// The tp_alloc slot of `cls`.
fn alloc_slot(cls: &Bound<'_, PyType>) -> PyResult<ffi::allocfunc> {
    // SAFETY: PyType_GetSlot reads the slot of a live type: NULL (with an
    // error set before Python 3.10 for a static type) or an allocfunc.
    let slot: *mut c_void = unsafe { ffi::PyType_GetSlot(cls.as_ptr().cast(), ffi::Py_tp_alloc) };
    if slot.is_null() {
        return Err(PyErr::take(cls.py())
            .unwrap_or_else(|| PyTypeError::new_err("the class has no tp_alloc")));
    }
    // SAFETY: a non-NULL Py_tp_alloc slot is an allocfunc.
    Ok(unsafe { std::mem::transmute::<*mut c_void, ffi::allocfunc>(slot) })
}

/// Where the slot at `offset` sits in `object`.
///
/// # Safety
/// `object` is an instance of a class whose layout has an object slot at
/// `offset` (a `SlotLayout`'s class, or one deriving from it).
unsafe fn slot(object: *mut ffi::PyObject, offset: usize) -> *mut *mut ffi::PyObject {
    // SAFETY: within the instance, by the function's contract.
    unsafe { object.cast::<u8>().add(offset).cast() }
}

/// An instance's field values in field order, each alive while these are:
/// a reference held here, or a default its layout holds.
pub struct Fields<'l, 'py> {
    py: Python<'py>,
    _layout: PhantomData<&'l SlotLayout>,
    /// In `values[..count]`: live objects (NULL only past a slot `read`
    /// found empty, which then fails), each a default of the layout or,
    /// bit set in `owned`, a reference held here.
    values: [*mut ffi::PyObject; MAX_FIELDS],
    count: usize,
    owned: u32,
}

impl<'py> Fields<'_, 'py> {
    #[inline]
    pub fn get(&self, position: usize) -> Borrowed<'_, 'py, PyAny> {
        let value = self.values[..self.count][position];
        // SAFETY: a live object held here or by the layout, which outlives
        // these (`read` returned them only once none was NULL).
        unsafe {
            std::hint::assert_unchecked(!value.is_null());
            Borrowed::from_ptr(self.py, value)
        }
    }
}

impl Drop for Fields<'_, '_> {
    fn drop(&mut self) {
        let mut owned = self.owned;
        while owned != 0 {
            let position = owned.trailing_zeros() as usize;
            owned &= owned - 1;
            // SAFETY: a reference held here.
            unsafe { ffi::Py_DECREF(self.values[position]) };
        }
    }
}

/// A class's field values in field order, gathered before its instance
/// exists, so no half-built instance is ever reachable from Python. Each
/// starts as the field's default, borrowed from the layout (NULL for a
/// required field); `set` replaces it with a reference of its own.
pub struct NewInstance<'l, 'py> {
    py: Python<'py>,
    layout: &'l SlotLayout,
    /// Until built: NULL, a default `layout` holds, or (bit set in
    /// `owned`) a reference this holds.
    pointers: [*mut ffi::PyObject; MAX_FIELDS],
    /// Bit `i` set: `pointers[i]` is a reference this holds.
    owned: u32,
    /// An instance was built: the references went to it.
    built: bool,
}

impl<'l, 'py> NewInstance<'l, 'py> {
    #[inline]
    pub fn new(py: Python<'py>, layout: &'l SlotLayout) -> Self {
        NewInstance {
            py,
            layout,
            pointers: layout
                .default_addresses
                .map(|address| address as *mut ffi::PyObject),
            owned: 0,
            built: false,
        }
    }

    pub fn py(&self) -> Python<'py> {
        self.py
    }

    /// The field at `position` (below the layout's field count) is `value`.
    #[inline]
    pub fn set(&mut self, position: usize, value: Bound<'py, PyAny>) {
        debug_assert!(position < self.layout.offsets.len());
        let old = std::mem::replace(&mut self.pointers[position], value.into_ptr());
        if self.owned & (1 << position) != 0 {
            // SAFETY: the reference this held.
            unsafe { ffi::Py_DECREF(old) };
        }
        self.owned |= 1 << position;
    }

    /// The positions of the required fields still without a value, in
    /// order: only their bits are looked at, so none costs nothing.
    pub fn unset(&self) -> impl Iterator<Item = usize> + '_ {
        let mut candidates = self.layout.required & !self.owned;
        std::iter::from_fn(move || {
            while candidates != 0 {
                let position = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if self.pointers[position].is_null() {
                    return Some(position);
                }
            }
            None
        })
    }

    /// A new instance of the layout's class holding these values (built in
    /// place: by reference, so the values are not moved first). Once only.
    #[inline(always)]
    pub fn build(&mut self) -> PyResult<Bound<'py, PyAny>> {
        let layout = self.layout;
        // SAFETY: the layout's own class and its tp_alloc.
        unsafe { self.build_instance_of(layout.cls.as_ptr().cast(), layout.alloc) }
    }

    /// `build`, left out of the cycle collector's lists: for values that
    /// cannot form a reference cycle (str, int, bytes, tuples of such
    /// instances), as CPython untracks a tuple of atomic values itself.
    /// An instance of a frozen class built so never needs traversing; one
    /// that later gets a cycle stored into it (bypassing the frozen class
    /// with `object.__setattr__`) would leak it rather than have it
    /// collected, which is safe.
    #[inline(always)]
    pub fn build_untracked(&mut self) -> PyResult<Bound<'py, PyAny>> {
        let object = self.build()?;
        // SAFETY: a live, tracked instance of a GC type (its slots make it one).
        unsafe { ffi::PyObject_GC_UnTrack(object.as_ptr().cast()) };
        Ok(object)
    }

    /// A new instance of `cls`, the layout's class or one deriving from it
    /// (checked), holding these values; its `__init__` is not called.
    pub fn build_as(&mut self, cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
        let layout = self.layout;
        if cls.is(&layout.cls) {
            return self.build();
        }
        // SAFETY: two live types; PyType_IsSubtype only reads their MROs.
        let derives =
            unsafe { ffi::PyType_IsSubtype(cls.as_ptr().cast(), layout.cls.as_ptr().cast()) != 0 };
        if !derives {
            return Err(PyTypeError::new_err(format!(
                "{} does not derive from {}",
                cls.name()?,
                layout.cls.bind(self.py).name()?
            )));
        }
        let alloc = alloc_slot(cls)?;
        // SAFETY: `cls` derives from the layout's class (checked), so its
        // instances have its slots at the same offsets; `alloc` is its own.
        unsafe { self.build_instance_of(cls.as_ptr().cast(), alloc) }
    }

    /// # Safety
    /// Instances of `cls` have the layout's slots, and `alloc` is its
    /// tp_alloc.
    #[inline]
    unsafe fn build_instance_of(
        &mut self,
        cls: *mut ffi::PyTypeObject,
        alloc: ffi::allocfunc,
    ) -> PyResult<Bound<'py, PyAny>> {
        let layout = self.layout;
        if self.built {
            return Err(PyTypeError::new_err(
                "an instance was built from these values already",
            ));
        }
        // Only a required field can still be NULL here.
        if self.unset().next().is_some() {
            return Err(PyTypeError::new_err("a required field was given no value"));
        }
        // SAFETY: tp_alloc returns a new, zeroed instance or NULL with an
        // exception set.
        let object = unsafe { Bound::from_owned_ptr_or_err(self.py, alloc(cls, 0))? };
        for (position, &offset) in layout.offsets.iter().enumerate() {
            let pointer = self.pointers[position];
            // SAFETY: `object` has the layout (the contract) and its slots
            // are empty; each takes a reference this held or a new one to a
            // default the layout holds (none is NULL, checked above).
            unsafe {
                if self.owned & (1 << position) == 0 {
                    ffi::Py_INCREF(pointer);
                }
                *slot(object.as_ptr(), offset) = pointer;
            }
        }
        self.owned = 0;
        self.built = true;
        Ok(object)
    }
}

impl Drop for NewInstance<'_, '_> {
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
