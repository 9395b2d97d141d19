//! A one-argument function called the common way, `f(x)`, without PyO3's
//! argument parsing (about 130 instructions of a call costing a few
//! thousand); any other call goes to the PyO3 function, which parses and
//! refuses arguments as before.

use std::ffi::CString;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;

use super::entry::{call_arguments, catching_object};

/// A function of one argument with a fast way in.
pub trait UnaryFunction: 'static {
    /// The function, called with its one argument.
    fn call<'py>(argument: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>;

    /// Where the PyO3 function, which takes every other call, is kept.
    fn fallback() -> &'static PyOnceLock<Py<PyAny>>;
}

/// The C function behind a `UnaryFunction`.
unsafe extern "C" fn unary_entry<F: UnaryFunction>(
    _module: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a METH_VARARGS | METH_KEYWORDS function
    // attached, with a tuple `args` and a dict or NULL `kwargs`, borrowed
    // for the call.
    let (py, args, kwargs) = unsafe {
        let py = Python::assume_attached();
        let (args, kwargs) = call_arguments(py, args, kwargs);
        (py, args, kwargs)
    };
    catching_object(py, || {
        if args.len() == 1 && kwargs.is_none_or(|k| k.is_empty()) {
            // SAFETY: index 0 of a tuple of length 1, borrowed from `args`.
            let argument = unsafe { args.get_borrowed_item_unchecked(0) };
            F::call(&argument)
        } else {
            let full = F::fallback()
                .get(py)
                .ok_or_else(|| PyTypeError::new_err("function not registered"))?;
            full.bind(py).call(&*args, kwargs.as_deref())
        }
    })
}

/// Export `full` (the PyO3 function of `F`) under its own name through
/// `F`'s fast way in, with its name and docstring (signature included).
pub fn add_unary_function<F: UnaryFunction>(
    m: &Bound<'_, PyModule>,
    full: Bound<'_, PyCFunction>,
) -> PyResult<()> {
    let py = m.py();
    let name: String = full.getattr("__name__")?.extract()?;
    let signature: String = full.getattr("__text_signature__")?.extract()?;
    let doc: String = full.getattr("__doc__")?.extract()?;
    let leak = |text: String| -> PyResult<&'static std::ffi::CStr> {
        let text = CString::new(text)
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
            PyCFunctionWithKeywords: unary_entry::<F>,
        },
        ml_flags: ffi::METH_VARARGS | ffi::METH_KEYWORDS,
        ml_doc: doc_c.as_ptr(),
    }));
    let _ = F::fallback().set(py, full.into_any().unbind());
    // SAFETY: the definition lives forever and matches its flags; NULL
    // self and module are allowed; a new reference or NULL with an error.
    let function = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyCFunction_NewEx(definition, std::ptr::null_mut(), std::ptr::null_mut()),
        )?
    };
    m.add(name.as_str(), function)
}
