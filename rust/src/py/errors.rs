//! Core errors (plain `String`s) as Python exceptions: the typed hierarchy lives in Python
//! (`tokenforge.errors`), so each binding says which class a failure of its stage is.

use crate::train::INTERRUPTED;
use pyo3::prelude::*;

/// Raises `tokenforge.errors.<name>(message)`.
pub(crate) fn tf_error(name: &str, message: String) -> PyErr {
    Python::with_gil(|py| {
        match py.import("tokenforge.errors").and_then(|m| m.getattr(name)).and_then(|c| c.call1((message.clone(),))) {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        }
    })
}

/// A bad argument or option (unknown pre-tokenizer, normalizer, lattice method …).
pub(crate) fn config_error(message: String) -> PyErr {
    tf_error("ConfigError", message)
}

/// A model that cannot be built from the given vocabulary, merges or scores.
pub(crate) fn model_error(message: String) -> PyErr {
    tf_error("ModelError", message)
}

/// A text the model cannot encode.
pub(crate) fn encode_error(message: String) -> PyErr {
    tf_error("EncodeError", message)
}

/// A training failure as Python sees it: Ctrl-C as KeyboardInterrupt, anything else TrainingError.
pub(crate) fn training_error(e: String) -> PyErr {
    if e.starts_with(INTERRUPTED) {
        pyo3::exceptions::PyKeyboardInterrupt::new_err(e)
    } else {
        tf_error("TrainingError", e)
    }
}
