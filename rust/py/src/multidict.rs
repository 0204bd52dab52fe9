//! A read-only multi-map view for request headers and query parameters.
//! Built once per request, on first read, from data the core parsed.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

/// How `m[key]` answers when a key repeats.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Repeats {
    /// The first value (headers: `getlist` has the rest).
    First,
    /// A list of every value (queries: Heaven's `?tag=a&tag=b` gives a list).
    List,
}

/// Ordered (name, value) pairs with mapping-style access by name.
#[pyclass(frozen, module = "heaven._core", mapping)]
pub struct MultiDict {
    /// (lookup key, key as given, value)
    items: Vec<(String, Py<PyString>, Py<PyAny>)>,
    casefold: bool,
    repeats: Repeats,
    label: &'static str,
}

impl MultiDict {
    pub fn new(
        pairs: Vec<(String, Py<PyString>, Py<PyAny>)>,
        casefold: bool,
        repeats: Repeats,
        label: &'static str,
    ) -> MultiDict {
        MultiDict {
            items: pairs,
            casefold,
            repeats,
            label,
        }
    }

    fn lookup_key<'a>(&self, key: &'a str) -> std::borrow::Cow<'a, str> {
        if self.casefold && key.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(key.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(key)
        }
    }

    fn matches<'s>(&'s self, key: &str) -> impl Iterator<Item = &'s Py<PyAny>> + 's {
        let key = self.lookup_key(key).into_owned();
        self.items
            .iter()
            .filter(move |(k, _, _)| *k == key)
            .map(|(_, _, v)| v)
    }

    fn find<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut found = self.matches(key);
        let Some(first) = found.next() else {
            return Ok(None);
        };
        match (self.repeats, found.next()) {
            (Repeats::List, Some(second)) => {
                let list = PyList::new(py, [first, second])?;
                for more in found {
                    list.append(more)?;
                }
                Ok(Some(list.into_any()))
            }
            _ => Ok(Some(first.bind(py).clone())),
        }
    }

    /// Distinct keys in first-seen order.
    fn distinct(&self) -> Vec<&(String, Py<PyString>, Py<PyAny>)> {
        let mut seen: Vec<&(String, Py<PyString>, Py<PyAny>)> = Vec::new();
        for item in &self.items {
            if !seen.iter().any(|s| s.0 == item.0) {
                seen.push(item);
            }
        }
        seen
    }
}

#[pymethods]
impl MultiDict {
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.find(py, key)?
            .ok_or_else(|| PyKeyError::new_err(key.to_owned()))
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.find(py, key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }

    /// Every value under `key`, in arrival order (empty when absent).
    fn getlist<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.matches(key))
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        match key.cast::<PyString>() {
            Ok(k) => k.to_str().is_ok_and(|k| self.matches(k).next().is_some()),
            Err(_) => false,
        }
    }

    fn __len__(&self) -> usize {
        self.distinct().len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.try_iter().map(Bound::into_any)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.distinct().into_iter().map(|(_, k, _)| k))
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let values = self
            .distinct()
            .into_iter()
            .map(|(k, _, _)| {
                Ok(self
                    .find(py, k)?
                    .unwrap_or_else(|| py.None().into_bound(py)))
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, values)
    }

    /// (name, value) per distinct name, as `m[name]` reads it.
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .distinct()
            .into_iter()
            .map(|(k, key, _)| {
                let v = self
                    .find(py, k)?
                    .unwrap_or_else(|| py.None().into_bound(py));
                PyTuple::new(py, [key.bind(py).clone().into_any(), v])
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Every (name, value) pair, repeats included, in arrival order.
    fn multi_items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .items
            .iter()
            .map(|(_, k, v)| PyTuple::new(py, [k.bind(py).as_any(), v.bind(py)]))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (k, key, _) in self.distinct() {
            out.set_item(key.bind(py), self.find(py, k)?)?;
        }
        Ok(out)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(other) = other.cast::<MultiDict>() {
            return self.to_dict(py)?.eq(other.get().to_dict(py)?);
        }
        self.to_dict(py)?.eq(other)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("{}({})", self.label, self.to_dict(py)?.repr()?))
    }
}
