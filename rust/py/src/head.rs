//! `Head`: the answer of one `Matcher.resolve` call. It holds what routing
//! decided plus a reference to the scope; headers, queries, cookies and
//! params become Python objects only when a getter is read, once each.

use std::sync::Arc;

use heaven_core::{
    normalize_host, parse_cookies, parse_query, subdomain_of, Captured, Method, MethodSet,
    ParamType, RouteInfo, Value,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

use crate::errors::bad_request;
use crate::multidict::{MultiDict, Repeats};
use crate::scope::{bytes_of, latin1, Source};
use crate::values::to_python;
use crate::view::View;

/// Routing outcome codes, as the dispatcher reads `head.status`.
pub const MATCHED: u16 = 0;

/// Subclassed by `heaven.Request`: the request the handler gets is this
/// object itself, with the Python-level state in the subclass's
/// `__slots__` (one object a request, and no hop through a `_head`).
#[pyclass(frozen, subclass, module = "heaven._core")]
pub struct Head {
    pub source: Source,
    /// The method, when it is one the router knows.
    pub method: Option<Method>,
    /// The caller's object for the matched route (None unless matched).
    pub entry: Option<Py<PyAny>>,
    pub status: u16,
    pub route: Option<Arc<RouteInfo>>,
    /// The route's converted parameters (routes without any skip this).
    pub captured: Option<Captured>,
    /// The route's parameter names as Python strings, made once per route
    /// (interned: their hashes are known, and a handler's `params["id"]`
    /// finds them by identity).
    pub names: Option<Arc<[Py<PyString>]>>,
    /// Known when the router had to read the host; else worked out on demand.
    pub subdomain: Option<Box<str>>,
    pub allow: MethodSet,
    pub error: Option<&'static str>,
    pub content_length: Option<u64>,
    /// The body's `Content-Type` header value, as the server gave it (ASGI
    /// bytes, RSGI str): kept without a copy, decoded only when read.
    pub content_type: Option<Py<PyAny>>,
    pub chunked: bool,
    /// Views built on first read and kept for the rest of the request.
    pub views: Views,
}

/// Per-request caches (see `view.rs`).
#[derive(Default)]
pub struct Views {
    params: View<PyDict>,
    headers: View<MultiDict>,
    queries: View<MultiDict>,
    cookies: View<PyDict>,
}

impl Views {
    fn clone_ref(&self, py: Python<'_>) -> Views {
        Views {
            params: self.params.clone_ref(py),
            headers: self.headers.clone_ref(py),
            queries: self.queries.clone_ref(py),
            cookies: self.cookies.clone_ref(py),
        }
    }
}

impl Head {
    /// A head with nothing routed yet: `status` and the scope only.
    pub fn blank(source: Source, status: u16) -> Head {
        Head {
            source,
            method: None,
            entry: None,
            status,
            route: None,
            captured: None,
            names: None,
            subdomain: None,
            allow: MethodSet::EMPTY,
            error: None,
            content_length: None,
            content_type: None,
            chunked: false,
            views: Views::default(),
        }
    }

    /// A blank head over an empty scope (to measure the layout).
    pub fn empty(py: Python<'_>) -> Head {
        Head::blank(Source::Asgi(PyDict::new(py).unbind()), 404)
    }

    /// A copy sharing the views already built (a `Request` made from a
    /// head reads what the head read).
    pub fn duplicate(&self, py: Python<'_>) -> Head {
        Head {
            source: self.source.clone_ref(py),
            method: self.method,
            entry: self.entry.as_ref().map(|e| e.clone_ref(py)),
            status: self.status,
            route: self.route.clone(),
            captured: self.captured.clone(),
            names: self.names.clone(),
            subdomain: self.subdomain.clone(),
            allow: self.allow,
            error: self.error,
            content_length: self.content_length,
            content_type: self.content_type.as_ref().map(|c| c.clone_ref(py)),
            chunked: self.chunked,
            views: self.views.clone_ref(py),
        }
    }

    fn text_or<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyString>,
        default: &Bound<'py, PyString>,
    ) -> Bound<'py, PyString> {
        self.source.text(py, key).unwrap_or_else(|| default.clone())
    }

    fn header_values(&self, py: Python<'_>, wanted: &str) -> Vec<String> {
        self.source
            .header_pairs(py)
            .into_iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value)
            .collect()
    }

    fn build_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let (Some(names), Some(captured)) = (&self.names, &self.captured) else {
            return Ok(out);
        };
        for (name, value) in names.iter().zip(&captured.values) {
            out.set_item(name.bind(py), to_python(py, value)?)?;
        }
        if let Some(rest) = &captured.rest {
            out.set_item(intern!(py, "*"), rest)?;
        }
        Ok(out)
    }

    fn build_headers(&self, py: Python<'_>) -> PyResult<MultiDict> {
        let pairs = self
            .source
            .header_pairs(py)
            .into_iter()
            .map(|(key, value)| {
                let shown = PyString::new(py, &key).unbind();
                (key, shown, PyString::new(py, &value).into_any().unbind())
            })
            .collect();
        Ok(MultiDict::new(pairs, true, Repeats::First, "Headers"))
    }

    fn build_queries(&self, py: Python<'_>) -> PyResult<MultiDict> {
        let raw = self.source.query_string(py);
        let pairs = parse_query(&raw).map_err(|e| bad_request(py, e.message()))?;
        let hints = self
            .route
            .as_ref()
            .map(|r| &r.pattern.hints[..])
            .unwrap_or(&[]);
        let mut out = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            let hint = hints.iter().find(|(n, _)| **n == *name).map(|(_, k)| *k);
            // Hints are lenient: a value that does not convert stays a string,
            // except a `:bool`, which reads False (as in Heaven 2.4.3).
            let converted = match hint.and_then(|k| k.convert(&value)) {
                Some(v) => to_python(py, &v)?,
                None if hint == Some(ParamType::Bool) => to_python(py, &Value::Bool(false))?,
                None => PyString::new(py, &value).into_any(),
            };
            let key = PyString::new(py, &name).unbind();
            out.push((name, key, converted.unbind()));
        }
        Ok(MultiDict::new(out, false, Repeats::List, "QueryParams"))
    }

    fn build_cookies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let joined = self.header_values(py, "cookie").join("; ");
        for (name, value) in parse_cookies(&joined) {
            out.set_item(name, value)?;
        }
        Ok(out)
    }
}

#[pymethods]
impl Head {
    /// `Request(head, ...)`: the new request starts as a copy of `head`
    /// (the subclass's `__init__` takes the other arguments).
    #[new]
    #[pyo3(signature = (head, *_args, **_kwargs))]
    fn new(
        head: &Bound<'_, Head>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Head {
        head.get().duplicate(head.py())
    }

    /// The route object given to `Routes.compile`, or None.
    #[getter(_entry)]
    fn entry(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.entry.as_ref().map(|e| e.clone_ref(py))
    }

    /// The body's `Content-Type` as sent (None without one), read in the
    /// same pass as the routing headers: a contract's 415 check without
    /// building `headers`.
    #[getter(_content_type)]
    fn content_type<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let value = self.content_type.as_ref()?.bind(py);
        let Some(bytes) = bytes_of(value) else {
            return Some(value.clone()); // RSGI: already a str
        };
        Some(match std::str::from_utf8(bytes) {
            // The usual value: one shared str, its hash computed once.
            Ok("application/json") => intern!(py, "application/json").clone().into_any(),
            Ok(text) if text.is_ascii() => PyString::new(py, text).into_any(),
            _ => PyString::new(py, &latin1(bytes)).into_any(),
        })
    }

    /// 0 when matched, else the HTTP status to answer with (400, 404, 405).
    #[getter(_status)]
    fn status(&self) -> u16 {
        self.status
    }

    /// Why the request is a 400.
    #[getter(_error)]
    fn error(&self) -> Option<&'static str> {
        self.error
    }

    /// `Allow` header value for a 405.
    #[getter(_allow)]
    fn allow(&self) -> String {
        self.allow.allow_header()
    }

    /// The matched pattern, as registered.
    #[getter(_route)]
    fn route(&self) -> Option<&str> {
        self.route.as_ref().map(|r| &*r.pattern.text)
    }

    /// Whether a body is coming (a length above zero, or chunked).
    #[getter(_has_body)]
    fn has_body(&self) -> bool {
        self.chunked || self.content_length.is_some_and(|n| n > 0)
    }

    /// The declared `Content-Length`; `None` when the body is chunked, since
    /// a length sent alongside `Transfer-Encoding` does not bound the body.
    #[getter(_content_length)]
    fn content_length(&self) -> Option<u64> {
        if self.chunked {
            None
        } else {
            self.content_length
        }
    }

    /// The request's HTTP version as the server gave it ("1.1" when it gave
    /// none): the RSGI body reader needs it to tell a body's end (docs/serving.md).
    #[getter(_http_version)]
    fn http_version<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text_or(py, intern!(py, "http_version"), intern!(py, "1.1"))
    }

    /// Path parameters, converted to their declared types; `*` holds what
    /// a trailing wildcard captured.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.views
            .params
            .get_or_build(py, || self.build_params(py).map(Bound::unbind))
    }

    /// Case-insensitive; `headers['x']` is the first value, `getlist('x')` all.
    #[getter]
    fn headers(&self, py: Python<'_>) -> PyResult<Py<MultiDict>> {
        let view = self
            .views
            .headers
            .get_or_build(py, || Py::new(py, self.build_headers(py)?))?;
        Ok(view.unbind())
    }

    /// Query parameters, typed where the route declared hints. A repeated
    /// name reads as a list. Bad encoding raises `BadRequest`.
    #[getter]
    fn queries(&self, py: Python<'_>) -> PyResult<Py<MultiDict>> {
        let view = self
            .views
            .queries
            .get_or_build(py, || Py::new(py, self.build_queries(py)?))?;
        Ok(view.unbind())
    }

    /// Cookies from every `Cookie` header; malformed pairs are skipped.
    #[getter]
    fn cookies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.views
            .cookies
            .get_or_build(py, || self.build_cookies(py).map(Bound::unbind))
    }

    /// The subdomain the host asks for (`api` for `api.example.com`).
    #[getter]
    fn subdomain(&self, py: Python<'_>) -> String {
        match &self.subdomain {
            Some(s) => s.to_string(),
            None => subdomain_of(&normalize_host(&self.host(py))).to_owned(),
        }
    }

    /// The `Host` header, else the server address.
    #[getter]
    fn host(&self, py: Python<'_>) -> String {
        match self.header_values(py, "host").into_iter().next() {
            Some(h) => h,
            None => self.source.server(py).unwrap_or_default(),
        }
    }

    /// A HEAD request: the answer goes out without its body.
    #[getter(_head_only)]
    fn head_only(&self) -> bool {
        self.method == Some(Method::Head)
    }

    /// The request method (`GET` when the scope has none, as for websockets).
    #[getter]
    fn method<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text_or(py, intern!(py, "method"), intern!(py, "GET"))
    }

    /// The percent-decoded path.
    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text_or(py, intern!(py, "path"), intern!(py, "/"))
    }

    /// `http`/`https` (`ws`/`wss` for websockets on ASGI).
    #[getter]
    fn scheme<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.text_or(py, intern!(py, "scheme"), intern!(py, "http"))
    }

    /// The raw query string (bytes, without `?`).
    #[getter(_query_string)]
    fn query_string<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.source.query_string(py))
    }

    /// `host:port` of the server that took the request (None when the
    /// server does not say).
    #[getter]
    fn server(&self, py: Python<'_>) -> Option<String> {
        self.source.server(py)
    }

    /// `(address, port)` of the client, the port as int when it is one.
    #[getter(_client)]
    fn client<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
        let Some((addr, port)) = self.source.client(py) else {
            return Ok(None);
        };
        let port = match port.extract::<String>() {
            Ok(text) => match text.parse::<u16>() {
                Ok(n) => n.into_pyobject(py)?.into_any(),
                Err(_) => port,
            },
            Err(_) => port,
        };
        Ok(Some((addr, port)))
    }
}
