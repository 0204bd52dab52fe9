//! `Routes` collects registrations (raising at once on a bad one);
//! `Routes.compile` freezes them into a `Matcher`, whose `route` is the
//! one crossing into Rust per request, for either interface's scope.

use std::sync::Arc;

use heaven_core::{
    normalize_host, split_path, subdomain_of, Captured, HookKind, Method, Outcome, Router,
    DEFAULT_SUBDOMAIN,
};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors::route_error;
use crate::exchange::Exchange;
use crate::head::{Head, MATCHED};
use crate::pack::pack;
use crate::scope::{item, scan_headers, scan_rsgi_headers, stream_ends_body, HeaderFacts, Source};

/// Route and hook registrations of one application, mutable until compiled.
#[pyclass(module = "heaven._core")]
pub struct Routes {
    router: Router,
}

#[pymethods]
impl Routes {
    #[new]
    fn new() -> Routes {
        Routes {
            router: Router::new(),
        }
    }

    /// Leave route `id` out of `Allow` headers (it still serves requests).
    fn unlist(&mut self, id: usize) {
        self.router.unlist(id);
    }

    /// Register one pattern under several methods, all or nothing.
    fn add_routes(
        &mut self,
        py: Python<'_>,
        methods: Vec<String>,
        subdomain: &str,
        pattern: &str,
    ) -> PyResult<Vec<usize>> {
        let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
        self.router
            .add_routes(&methods, subdomain, pattern)
            .map_err(|e| route_error(py, e))
    }

    /// Register a hook (`kind` is "before", "after" or "around"); equal `hook_id`s are
    /// one hook. `layer` is the mount depth of the app that registered it;
    /// `subdomain` None covers every subdomain table.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, subdomain, pattern, methods, hook_id, layer=0))]
    fn add_hook(
        &mut self,
        py: Python<'_>,
        kind: &str,
        subdomain: Option<&str>,
        pattern: &str,
        methods: Option<Vec<String>>,
        hook_id: usize,
        layer: u32,
    ) -> PyResult<()> {
        let kind = match kind {
            "before" => HookKind::Before,
            "after" => HookKind::After,
            "around" => HookKind::Around,
            other => {
                return Err(PyValueError::new_err(format!(
                    "hook kind must be 'before', 'after' or 'around', not {other:?}"
                )))
            }
        };
        let methods: Option<Vec<&str>> = methods
            .as_ref()
            .map(|m| m.iter().map(String::as_str).collect());
        self.router
            .add_hook(kind, subdomain, pattern, methods.as_deref(), hook_id, layer)
            .map_err(|e| route_error(py, e))
    }

    /// Per route id: (before hook ids, after hook ids, around hook ids), in
    /// running order (AROUND: outermost first).
    fn chains<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let chains = self
            .router
            .chains()
            .into_iter()
            .map(|c| {
                Ok((
                    PyTuple::new(py, c.before)?,
                    PyTuple::new(py, c.after)?,
                    PyTuple::new(py, c.around)?,
                ))
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, chains)
    }

    /// Freeze into a `Matcher`; `entries[id]` is what `head.entry` returns
    /// for route `id`. With an `exchange`, each entry's `app`, `mounted` and
    /// `stream` are read now, for `Matcher.enter`; `server` is the app whose
    /// matcher this is (each request's `req._server`).
    #[pyo3(signature = (entries, exchange=None, server=None))]
    fn compile(
        &self,
        py: Python<'_>,
        entries: Vec<Py<PyAny>>,
        exchange: Option<Py<Exchange>>,
        server: Option<Py<PyAny>>,
    ) -> PyResult<Matcher> {
        let count = self.router.routes().len();
        if entries.len() != count {
            return Err(PyValueError::new_err(format!(
                "compile needs {count} entries, got {}",
                entries.len()
            )));
        }
        let mut begins = Vec::new();
        if exchange.is_some() {
            for entry in &entries {
                let entry = entry.bind(py);
                begins.push(
                    if entry.is_none() || entry.getattr(intern!(py, "stream"))?.is_truthy()? {
                        None
                    } else {
                        Some((
                            entry.getattr(intern!(py, "app"))?.unbind(),
                            entry.getattr(intern!(py, "mounted"))?.unbind(),
                        ))
                    },
                );
            }
        }
        let names = self
            .router
            .routes()
            .iter()
            .map(|route| {
                route
                    .names
                    .iter()
                    .filter(|n| &***n != "*")
                    .map(|n| PyString::intern(py, n).unbind())
                    .collect()
            })
            .collect();
        Ok(Matcher {
            needs_host: self.router.needs_host(),
            router: Arc::new(self.router.clone()),
            entries,
            exchange,
            begins,
            names,
            server: server.unwrap_or_else(|| py.None()),
        })
    }
}

/// The compiled, immutable router.
#[pyclass(frozen, module = "heaven._core")]
pub struct Matcher {
    router: Arc<Router>,
    entries: Vec<Py<PyAny>>,
    needs_host: bool,
    /// Makes `(req, res, ctx)` in `enter` (None: `enter` never does).
    exchange: Option<Py<Exchange>>,
    /// Per route id: the `(app, mounted)` its request starts with, None for
    /// a stream route (its body is read as it comes, by the lifecycle).
    begins: Vec<Option<(Py<PyAny>, Py<PyAny>)>>,
    /// Per route id: its named parameters (the wildcard's `*` aside) as
    /// interned Python strings, for `Head.params`.
    names: Vec<Arc<[Py<PyString>]>>,
    /// The app serving the requests `enter` starts (read once, not passed
    /// on every call).
    server: Py<PyAny>,
}

fn bad_request(source: Source, why: &'static str) -> Head {
    Head {
        error: Some(why),
        ..Head::blank(source, 400)
    }
}

impl Matcher {
    /// Everything after the scope was read: split, route, fill the head.
    fn route_path(
        &self,
        py: Python<'_>,
        source: Source,
        method: Option<Method>,
        path: &[u8],
        encoded: bool,
        facts: HeaderFacts,
    ) -> Head {
        if facts.bad_length {
            return bad_request(source, "Bad Request: invalid Content-Length");
        }
        let segments = match split_path(path, encoded) {
            Ok(s) => s,
            Err(e) => return bad_request(source, e.message()),
        };
        let subdomain: Option<Box<str>> = if self.needs_host {
            let host = match facts.host {
                Some(h) => h,
                None => source.server(py).unwrap_or_default(),
            };
            Some(subdomain_of(&normalize_host(&host)).into())
        } else {
            None
        };
        let table_key = subdomain.as_deref().unwrap_or(DEFAULT_SUBDOMAIN);
        // The route's parameters, converted by the walk that matched them.
        let mut values = Vec::new();
        let outcome = match method {
            Some(m) => self
                .router
                .lookup_values(m, table_key, &segments, &mut values),
            None => self.router.refuse(table_key, &segments),
        };
        let mut out = Head {
            method,
            subdomain,
            content_length: facts.content_length,
            content_type: facts.content_type,
            chunked: facts.chunked,
            ..Head::blank(source, 404)
        };
        match outcome {
            // `compile` checked there is one entry per route; the guard keeps
            // a mismatch a 404 rather than a panic.
            Outcome::Matched(m) if m.route.id < self.entries.len() => {
                out.status = MATCHED;
                out.entry = Some(self.entries[m.route.id].clone_ref(py));
                out.route = Some(Arc::clone(m.route));
                if !m.route.names.is_empty() {
                    out.captured = Some(Captured::new(values, &segments, m.rest_from));
                    out.names = self.names.get(m.route.id).cloned();
                }
            }
            Outcome::Matched(_) | Outcome::NotFound => {}
            Outcome::MethodNotAllowed(allow) => {
                out.status = 405;
                out.allow = allow;
            }
        }
        out
    }
}

impl Matcher {
    /// Either interface's scope; `http` when the caller knows it is an HTTP
    /// request (its type is then not read).
    fn route_scope(&self, scope: &Bound<'_, PyAny>, http: bool) -> Head {
        match scope.cast::<PyDict>() {
            Ok(dict) => self.route_asgi(dict, http),
            Err(_) => self.route_rsgi(scope, http),
        }
    }

    /// An ASGI scope (http or websocket).
    fn route_asgi(&self, scope: &Bound<'_, PyDict>, http: bool) -> Head {
        let py = scope.py();
        let is_ws = !http
            && item(scope, intern!(py, "type"))
                .and_then(|t| t.cast_into::<PyString>().ok())
                .is_some_and(|t| t.to_str().is_ok_and(|t| t == "websocket"));
        let method = if is_ws {
            Some(Method::Websocket)
        } else {
            item(scope, intern!(py, "method"))
                .and_then(|m| m.cast_into::<PyString>().ok())
                .and_then(|m| m.to_str().ok().and_then(Method::parse))
        };
        let mut facts = scan_headers(item(scope, intern!(py, "headers")), self.needs_host);
        // GET and HEAD are answered without reading a body.
        if !facts.chunked
            && facts.content_length.is_none()
            && !matches!(method, Some(Method::Get | Method::Head | Method::Websocket))
            && stream_ends_body(item(scope, intern!(py, "http_version")))
        {
            facts.chunked = true; // a body of unknown length (HTTP/2, 3), read to its end
        }
        let raw = item(scope, intern!(py, "raw_path")).and_then(|p| p.cast_into::<PyBytes>().ok());
        let decoded;
        let (path, encoded): (&[u8], bool) = match &raw {
            Some(raw) => (raw.as_bytes(), true),
            None => {
                decoded = item(scope, intern!(py, "path"))
                    .and_then(|p| p.extract::<String>().ok())
                    .unwrap_or_default();
                (decoded.as_bytes(), false)
            }
        };
        let source = Source::Asgi(scope.clone().unbind());
        self.route_path(py, source, method, path, encoded, facts)
    }

    /// granian's RSGI scope object (`proto` http or websocket), read
    /// through its attributes. RSGI gives the path already percent-decoded,
    /// so `%2F` cannot stay inside a segment.
    fn route_rsgi(&self, scope: &Bound<'_, PyAny>, http: bool) -> Head {
        let py = scope.py();
        // Text attributes, borrowed (a str's UTF-8 form is cached by Python), not copied.
        fn text<'py>(
            scope: &Bound<'py, PyAny>,
            name: &Bound<'py, PyString>,
        ) -> Option<Bound<'py, PyString>> {
            scope.getattr(name).ok()?.cast_into::<PyString>().ok()
        }
        // RSGI names the websocket protocol "ws".
        let proto = if http {
            None
        } else {
            text(scope, intern!(py, "proto"))
        };
        let method = if matches!(
            proto.as_ref().and_then(|p| p.to_str().ok()),
            Some("ws" | "websocket")
        ) {
            Some(Method::Websocket)
        } else {
            text(scope, intern!(py, "method"))
                .as_ref()
                .and_then(|m| m.to_str().ok())
                .and_then(Method::parse)
        };
        // GET and HEAD are answered without reading a body.
        let unframed = || {
            !matches!(method, Some(Method::Get | Method::Head | Method::Websocket))
                && stream_ends_body(scope.getattr(intern!(py, "http_version")).ok())
        };
        let facts = scan_rsgi_headers(
            scope.getattr(intern!(py, "headers")).ok(),
            self.needs_host,
            unframed,
        );
        let path = text(scope, intern!(py, "path"));
        let path = path.as_ref().and_then(|p| p.to_str().ok()).unwrap_or("");
        let source = Source::Rsgi(scope.clone().unbind());
        self.route_path(py, source, method, path.as_bytes(), false, facts)
    }
}

#[pymethods]
impl Matcher {
    /// Route one request: an ASGI scope (a dict) or granian's RSGI scope
    /// object. Never raises for anything the client sent: a malformed
    /// request comes back as status 400.
    fn route(&self, scope: &Bound<'_, PyAny>) -> Head {
        self.route_scope(scope, false)
    }

    /// An HTTP request's start, in one call (the caller has read the scope's
    /// type: it is not read again): `(head, entry, req, res, ctx)`. With an
    /// `Exchange`, the head is a `Request`, and when the route matched, is
    /// not a stream route and no body is coming, it is begun here: `req` is
    /// the head itself, and `res`, `ctx` are made (as `Exchange.begin` makes
    /// them, with an empty body and the compiled `server` as `req`'s
    /// server); else the three are None, for the lifecycle to answer, or to
    /// read the body first. OPTIONS requests are left to the lifecycle too
    /// (a CORS preflight is answered before any exchange).
    fn enter<'py>(
        &self,
        py: Python<'py>,
        scope: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let head = self.route_scope(scope, true);
        let none = py.None().into_bound(py);
        let entry = head
            .entry
            .as_ref()
            .map_or_else(|| none.clone(), |e| e.bind(py).clone());
        let Some(exchange) = &self.exchange else {
            let head = Bound::new(py, head)?.into_any();
            return PyTuple::new(py, [head, entry, none.clone(), none.clone(), none]);
        };
        let begin = match &head.route {
            Some(route)
                if head.status == MATCHED
                    && !head.chunked
                    && head.content_length.map_or(true, |n| n == 0)
                    && head.method != Some(Method::Options) =>
            {
                self.begins.get(route.id).and_then(Option::as_ref)
            }
            _ => None,
        };
        // The head is the request object itself, begun here or (a body to
        // read first, a refusal) by the lifecycle's `begin`.
        let exchange = exchange.get();
        let req = exchange.request(py, head, begin.is_some())?;
        let Some((app, mounted)) = begin else {
            return pack(py, [req, entry, none.clone(), none.clone(), none]);
        };
        let [req, res, ctx] = exchange.make(
            py,
            req,
            PyBytes::new(py, b"").as_any(),
            &none,
            app.bind(py),
            mounted.bind(py),
            self.server.bind(py),
        )?;
        pack(py, [req.clone(), entry, req, res, ctx])
    }
}
