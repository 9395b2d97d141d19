//! `PduBase`, which every PDU dataclass derives from under this backend:
//! its `tp_new` binds the constructor's arguments as the dataclass
//! `__init__` would, with its errors, and stores them straight into the
//! instance's slots. The classes have no `__init__` of their own, so
//! `object.__init__` (which accepts the arguments a custom `tp_new` took)
//! follows.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use super::super::capi::{
    create_base_type, for_each_keyword, Keyword, NewInstance, NewSlot, SlotLayout,
};
use super::classes::cache;

struct PduBase;

impl NewSlot for PduBase {
    fn construct<'py>(
        cls: &Bound<'py, PyType>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let cache = cache(py)?;
        let Some(class) = cache.class_for(cls) else {
            return Err(PyTypeError::new_err(format!(
                "{} is not an SMPP PDU class",
                cls.name()?
            )));
        };
        bind(class, args, kwargs)?.build_as(cls)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let base = create_base_type::<PduBase>(
        m.py(),
        c"smswire._native.PduBase",
        c"Base of the SMPP PDU dataclasses: builds them straight into their slots.",
    )?;
    m.add("PduBase", base)
}

/// The arguments of a call `cls(*args, **kwargs)` bound to the fields of
/// `class` as the dataclass `__init__` binds them, with its errors; the
/// defaults fill the rest.
fn bind<'l, 'py>(
    class: &'l SlotLayout,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<NewInstance<'l, 'py>> {
    let py = args.py();
    let names = class.names();
    let count = names.len();
    let mut values = NewInstance::new(py, class);
    // The dataclass `__init__` is the defining class's, whatever subclass
    // is called, and CPython names it in its errors.
    let function =
        || -> PyResult<String> { Ok(format!("{}.__init__()", class.cls().bind(py).qualname()?)) };
    let positional = args.len();
    if positional > count {
        let required = class.defaults().iter().filter(|d| d.is_none()).count();
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
    for (position, argument) in args.iter().enumerate() {
        values.set(position, argument);
    }
    if let Some(kwargs) = kwargs {
        for_each_keyword(kwargs, names, |keyword, value| {
            let index = match &keyword {
                Keyword::Named(index) => Some(*index),
                Keyword::Other(key) => field_index(names, key),
            };
            if let Some(index) = index.filter(|&index| index >= positional) {
                values.set(index, value);
                return Ok(());
            }
            let name = match keyword {
                Keyword::Named(index) => names[index].bind(py).to_string(),
                Keyword::Other(key) => key.to_string(),
            };
            let problem = match index {
                Some(_) => "got multiple values for argument",
                None => "got an unexpected keyword argument",
            };
            Err(PyTypeError::new_err(format!(
                "{} {problem} '{name}'",
                function()?
            )))
        })?;
    }
    if values.unset().next().is_some() {
        let missing: Vec<String> = values
            .unset()
            .map(|position| names[position].bind(py).to_string())
            .collect();
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

/// The position of the field a keyword that is not an interned name itself
/// names, by `==` (a key whose `==` fails names none).
fn field_index(names: &[Py<PyString>], key: &Bound<'_, PyAny>) -> Option<usize> {
    names
        .iter()
        .position(|name| name.bind(key.py()).as_any().eq(key).unwrap_or(false))
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
