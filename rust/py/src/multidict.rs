//! A read-only multi-map view for request headers and query parameters.
//! Built once per request, on first read, from data the core parsed.
//!
//! Every view is linear in the number of pairs: lookups in a small map scan
//! it (cheaper than hashing a handful of header names), and everything else
//! goes through an index of the distinct names, built once on first need.
//! A query string with 16,000 names must not cost 16,000² comparisons.

use std::collections::HashMap;
use std::sync::OnceLock;

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

/// Up to this many pairs, a lookup by name scans the pairs.
const SCAN: usize = 16;

/// The distinct names in first-seen order, each with the positions of its pairs.
struct Index {
    groups: Vec<Vec<usize>>,
    by_key: HashMap<String, usize>,
}

/// Ordered (name, value) pairs with mapping-style access by name.
#[pyclass(frozen, module = "heaven._core", mapping)]
pub struct MultiDict {
    /// (lookup key, key as given, value)
    items: Vec<(String, Py<PyString>, Py<PyAny>)>,
    casefold: bool,
    repeats: Repeats,
    label: &'static str,
    index: OnceLock<Index>,
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
            index: OnceLock::new(),
        }
    }

    fn lookup_key<'a>(&self, key: &'a str) -> std::borrow::Cow<'a, str> {
        if self.casefold && key.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(key.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(key)
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut groups: Vec<Vec<usize>> = Vec::new();
            let mut by_key: HashMap<String, usize> = HashMap::with_capacity(self.items.len());
            for (position, (key, _, _)) in self.items.iter().enumerate() {
                match by_key.get(key.as_str()) {
                    Some(&group) => groups[group].push(position),
                    None => {
                        by_key.insert(key.clone(), groups.len());
                        groups.push(vec![position]);
                    }
                }
            }
            Index { groups, by_key }
        })
    }

    /// The positions of the pairs under `key`, in arrival order.
    fn positions(&self, key: &str) -> Vec<usize> {
        let key = self.lookup_key(key);
        if self.items.len() <= SCAN {
            return (0..self.items.len())
                .filter(|&i| self.items[i].0 == *key)
                .collect();
        }
        let index = self.index();
        match index.by_key.get(&*key) {
            Some(&group) => index.groups[group].clone(),
            None => Vec::new(),
        }
    }

    /// `m[key]` for a group of positions (never empty).
    fn value_of<'py>(&self, py: Python<'py>, group: &[usize]) -> PyResult<Bound<'py, PyAny>> {
        let value = |i: usize| self.items[i].2.bind(py);
        if self.repeats == Repeats::List && group.len() > 1 {
            return Ok(PyList::new(py, group.iter().map(|&i| value(i)))?.into_any());
        }
        Ok(value(group[0]).clone())
    }

    fn find<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let group = self.positions(key);
        if group.is_empty() {
            return Ok(None);
        }
        self.value_of(py, &group).map(Some)
    }

    /// The name as given (first spelling seen) for each distinct name.
    fn shown_key<'py>(&self, py: Python<'py>, group: &[usize]) -> Bound<'py, PyString> {
        self.items[group[0]].1.bind(py).clone()
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
        PyList::new(
            py,
            self.positions(key)
                .into_iter()
                .map(|i| self.items[i].2.bind(py)),
        )
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        match key.cast::<PyString>() {
            Ok(k) => k.to_str().is_ok_and(|k| !self.positions(k).is_empty()),
            Err(_) => false,
        }
    }

    fn __len__(&self) -> usize {
        self.index().groups.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.try_iter().map(Bound::into_any)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.index().groups.iter().map(|g| self.shown_key(py, g)),
        )
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let values = self
            .index()
            .groups
            .iter()
            .map(|g| self.value_of(py, g))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, values)
    }

    /// (name, value) per distinct name, as `m[name]` reads it.
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .index()
            .groups
            .iter()
            .map(|g| {
                PyTuple::new(
                    py,
                    [self.shown_key(py, g).into_any(), self.value_of(py, g)?],
                )
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
        for group in &self.index().groups {
            out.set_item(self.shown_key(py, group), self.value_of(py, group)?)?;
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
