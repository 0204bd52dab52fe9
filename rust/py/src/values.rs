//! Converted parameter values into Python objects.

use heaven_core::Value;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDate, PyDateTime, PyDelta, PyTzInfo};

static UUID_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Str(s) => s.into_pyobject(py)?.into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::BigInt(digits) => py
            .import("builtins")?
            .getattr("int")?
            .call1((digits.as_str(),))?,
        Value::Float(f) => f.into_pyobject(py)?.into_any(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Date(d) => PyDate::new(py, i32::from(d.year), d.month, d.day)?.into_any(),
        Value::DateTime(dt) => {
            let tz = match dt.offset {
                None => None,
                Some((0, _)) => Some(PyTzInfo::utc(py)?.to_owned()),
                Some((secs, micros)) => Some(PyTzInfo::fixed_offset(
                    py,
                    PyDelta::new(py, 0, secs, micros, true)?,
                )?),
            };
            let d = &dt.date;
            PyDateTime::new(
                py,
                i32::from(d.year),
                d.month,
                d.day,
                dt.hour,
                dt.minute,
                dt.second,
                dt.microsecond,
                tz.as_ref(),
            )?
            .into_any()
        }
        Value::Uuid(u) => {
            let class = UUID_CLASS.get_or_try_init(py, || -> PyResult<_> {
                Ok(py.import("uuid")?.getattr("UUID")?.unbind())
            })?;
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("int", *u)?;
            class.bind(py).call((), Some(&kwargs))?
        }
    })
}
