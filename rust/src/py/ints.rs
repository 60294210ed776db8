//! The FFI int cache: id lists built directly as Python lists of shared int objects.

use pyo3::prelude::*;
use pyo3::types::PyList;

/// Python int objects for token ids, created on first use and then shared by every list this tokenizer returns.
/// An id list then costs one reference-count increment per id instead of allocating (and later freeing) an
/// int object. Only ids a text actually produced get an object, so the memory is bounded by the vocabulary.
pub(crate) struct IntCache {
    ints: std::sync::Mutex<Vec<Option<Py<PyAny>>>>,
}

impl IntCache {
    pub(crate) fn new(n_ids: usize) -> Self {
        IntCache { ints: std::sync::Mutex::new((0..n_ids).map(|_| None).collect()) }
    }

    /// A Python list of ints built directly (PyO3's generic conversion costs ~3x more per id, and encode returns
    /// millions of them).
    pub(crate) fn list<'py>(&self, py: Python<'py>, ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
        // The lock is only ever taken with the GIL held and never waits: should it be busy (it cannot be, short of
        // a future free-threaded build), the list is built with fresh int objects instead.
        let mut guard = self.ints.try_lock().ok();
        unsafe {
            let list = pyo3::ffi::PyList_New(ids.len() as pyo3::ffi::Py_ssize_t);
            if list.is_null() {
                return Err(PyErr::fetch(py));
            }
            for (k, &id) in ids.iter().enumerate() {
                let cached = guard.as_deref_mut().and_then(|ints| ints.get_mut(id as usize));
                let item = match cached {
                    Some(Some(obj)) => {
                        let ptr = obj.as_ptr();
                        pyo3::ffi::Py_IncRef(ptr);
                        ptr
                    }
                    slot => {
                        let item = pyo3::ffi::PyLong_FromUnsignedLong(id as std::os::raw::c_ulong);
                        if item.is_null() {
                            pyo3::ffi::Py_DecRef(list);
                            return Err(PyErr::fetch(py));
                        }
                        if let Some(slot) = slot {
                            pyo3::ffi::Py_IncRef(item);
                            *slot = Some(Py::from_owned_ptr(py, item));
                        }
                        item
                    }
                };
                pyo3::ffi::PyList_SET_ITEM(list, k as pyo3::ffi::Py_ssize_t, item);
            }
            Ok(Bound::from_owned_ptr(py, list).downcast_into_unchecked())
        }
    }
}
