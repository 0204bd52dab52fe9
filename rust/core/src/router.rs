//! The router: one segment tree per (subdomain, method), the route registry,
//! hooks, and the lookup that answers match / 404 / 405.

use std::borrow::Cow;
use std::sync::Arc;

use crate::error::RouteError;
use crate::hooks::{self, Hook, HookKind};
use crate::host::{valid_subdomain, DEFAULT_SUBDOMAIN};
use crate::method::{Method, MethodSet};
use crate::pattern::{Pattern, Segment};
use crate::tree::{Found, Node};
use crate::value::Value;

/// Everything known about one registered route.
#[derive(Debug)]
pub struct RouteInfo {
    /// Index in registration order; the caller keeps its handler there.
    pub id: usize,
    pub method: Method,
    pub subdomain: Box<str>,
    pub pattern: Pattern,
    /// Parameter names in capture order; the wildcard is `*`.
    pub names: Vec<Box<str>>,
}

/// The routes of one subdomain, one tree per method.
#[derive(Debug, Clone, Default)]
pub struct Table {
    trees: [Node<usize>; Method::COUNT],
}

/// The hook ids of one route, in running order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    pub before: Vec<usize>,
    pub after: Vec<usize>,
    pub around: Vec<usize>,
}

/// A matched route. Its parameters are converted on demand by
/// [`RouteInfo::capture`], from the same segments.
#[derive(Debug, Clone, Copy)]
pub struct Match<'r> {
    pub route: &'r Arc<RouteInfo>,
    /// Where a trailing `*` began capturing, if the route ends in one.
    pub rest_from: Option<usize>,
}

/// Converted parameters of a matched request.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// One value per named parameter, in pattern order.
    pub values: Vec<Value>,
    /// What the trailing `*` captured, segments joined with `/`.
    pub rest: Option<String>,
}

impl RouteInfo {
    /// Convert the parameters of `segments`, which this route matched.
    /// Returns `None` only if `segments` is not a match of this route.
    pub fn capture(&self, segments: &[Cow<'_, str>], rest_from: Option<usize>) -> Option<Captured> {
        let mut values = Vec::with_capacity(self.names.len());
        for (segment, raw) in self.pattern.segments.iter().zip(segments) {
            if let Segment::Param { kind, .. } = segment {
                values.push(kind.convert(raw)?);
            }
        }
        Some(Captured::new(values, segments, rest_from))
    }
}

impl Captured {
    /// Converted `values`, and the wildcard's part of `segments` joined.
    pub fn new(
        values: Vec<Value>,
        segments: &[Cow<'_, str>],
        rest_from: Option<usize>,
    ) -> Captured {
        let rest = rest_from.map(|from| segments.get(from..).unwrap_or_default().join("/"));
        Captured { values, rest }
    }
}

#[derive(Debug)]
pub enum Outcome<'r> {
    Matched(Match<'r>),
    NotFound,
    /// The path exists under these other methods.
    MethodNotAllowed(MethodSet),
}

#[derive(Debug, Clone, Default)]
pub struct Router {
    /// Subdomain tables; apps have a handful, so a scan beats hashing.
    tables: Vec<(Box<str>, Table)>,
    routes: Vec<Arc<RouteInfo>>,
    hooks: Vec<Hook>,
    /// Routes that serve requests but are left out of `Allow` (the `OPTIONS
    /// /*` route a CORS hook rides on must not make every path a 405).
    unlisted: Vec<usize>,
}

fn subdomain_key(subdomain: &str) -> Result<Box<str>, RouteError> {
    let key = subdomain.to_ascii_lowercase();
    if valid_subdomain(&key) {
        Ok(key.into())
    } else {
        Err(RouteError::BadSubdomain {
            subdomain: subdomain.to_owned(),
        })
    }
}

fn parse_method(name: &str) -> Result<Method, RouteError> {
    Method::parse(&name.to_ascii_uppercase()).ok_or_else(|| RouteError::UnknownMethod {
        method: name.to_owned(),
    })
}

impl Router {
    pub fn new() -> Router {
        Router::default()
    }

    /// Register a route; returns its id (ids count up from 0).
    pub fn add_route(
        &mut self,
        method: &str,
        subdomain: &str,
        route: &str,
    ) -> Result<usize, RouteError> {
        self.add_routes(&[method], subdomain, route)
            .map(|ids| ids[0])
    }

    /// Register one pattern under several methods, all or nothing: when any
    /// method fails, none is registered. Returns the ids in `methods` order.
    pub fn add_routes(
        &mut self,
        methods: &[&str],
        subdomain: &str,
        route: &str,
    ) -> Result<Vec<usize>, RouteError> {
        let methods = methods
            .iter()
            .map(|m| parse_method(m))
            .collect::<Result<Vec<_>, _>>()?;
        let subdomain = subdomain_key(subdomain)?;
        let pattern = Pattern::parse(route)?;
        for (i, &method) in methods.iter().enumerate() {
            let taken = self
                .own_table(&subdomain)
                .and_then(|t| t.trees[method.index()].occupant(&pattern))
                .map(|&id| &self.routes[id].pattern)
                .or_else(|| methods[..i].contains(&method).then_some(&pattern));
            if let Some(existing) = taken {
                let (route, method, subdomain) =
                    (route.to_owned(), method.to_string(), subdomain.to_string());
                return Err(if existing.canonical() == pattern.canonical() {
                    RouteError::Duplicate {
                        route,
                        method,
                        subdomain,
                    }
                } else {
                    RouteError::Conflict {
                        route,
                        existing: existing.text.to_string(),
                        method,
                        subdomain,
                    }
                });
            }
        }
        let at = match self.tables.iter().position(|(name, _)| *name == subdomain) {
            Some(at) => at,
            None => {
                self.tables.push((subdomain.clone(), Table::default()));
                self.tables.len() - 1
            }
        };
        let table = &mut self.tables[at].1;
        let mut ids = Vec::with_capacity(methods.len());
        for method in methods {
            let id = self.routes.len();
            // Checked above: every slot is free.
            let _ = table.trees[method.index()].insert(&pattern, id);
            let names = pattern.param_names();
            self.routes.push(Arc::new(RouteInfo {
                id,
                method,
                subdomain: subdomain.clone(),
                pattern: pattern.clone(),
                names,
            }));
            ids.push(id);
        }
        Ok(ids)
    }

    /// Register a hook. `methods: None` means every method, `subdomain:
    /// None` every subdomain table (including those added later).
    pub fn add_hook(
        &mut self,
        kind: HookKind,
        subdomain: Option<&str>,
        route: &str,
        methods: Option<&[&str]>,
        id: usize,
        layer: u32,
    ) -> Result<(), RouteError> {
        let subdomain = subdomain.map(subdomain_key).transpose()?;
        let pattern = Pattern::parse(route)?;
        let methods = match methods {
            None => MethodSet::EVERY,
            Some(names) => names
                .iter()
                .map(|m| parse_method(m))
                .collect::<Result<MethodSet, _>>()?,
        };
        let seq = self.hooks.len();
        self.hooks.push(Hook {
            kind,
            subdomain,
            pattern,
            methods,
            id,
            layer,
            seq,
        });
        Ok(())
    }

    pub fn routes(&self) -> &[Arc<RouteInfo>] {
        &self.routes
    }

    /// The hook chain of every route, indexed by route id.
    pub fn chains(&self) -> Vec<Chain> {
        self.routes
            .iter()
            .map(|route| {
                let applicable = || {
                    self.hooks.iter().filter(|h| {
                        h.subdomain.as_ref().map_or(true, |s| *s == route.subdomain)
                            && h.methods.contains(route.method)
                    })
                };
                Chain {
                    before: hooks::chain(applicable(), HookKind::Before, &route.pattern),
                    after: hooks::chain(applicable(), HookKind::After, &route.pattern),
                    around: hooks::chain(applicable(), HookKind::Around, &route.pattern),
                }
            })
            .collect()
    }

    /// Whether the host decides anything: false when every route lives in
    /// the default table, so the host need not be read at all.
    pub fn needs_host(&self) -> bool {
        !(self.tables.is_empty()
            || (self.tables.len() == 1 && self.own_table(DEFAULT_SUBDOMAIN).is_some()))
    }

    /// The table serving `subdomain`: its own, else `*`, else `www`.
    pub fn table(&self, subdomain: &str) -> Option<&Table> {
        self.own_table(subdomain)
            .or_else(|| self.own_table("*"))
            .or_else(|| self.own_table(DEFAULT_SUBDOMAIN))
    }

    fn own_table(&self, subdomain: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|(name, _)| **name == *subdomain)
            .map(|(_, t)| t)
    }

    /// Route `segments` (already split and decoded) for `method`.
    pub fn lookup<'r>(
        &'r self,
        method: Method,
        subdomain: &str,
        segments: &[Cow<'_, str>],
    ) -> Outcome<'r> {
        self.outcome(method, subdomain, segments, |tree| tree.lookup(segments))
    }

    /// `lookup`, converting the parameters in the same walk (each segment
    /// parsed once): on `Matched`, `values` holds the route's parameters in
    /// pattern order, as [`RouteInfo::capture`] would give them.
    pub fn lookup_values<'r>(
        &'r self,
        method: Method,
        subdomain: &str,
        segments: &[Cow<'_, str>],
        values: &mut Vec<Value>,
    ) -> Outcome<'r> {
        self.outcome(method, subdomain, segments, |tree| {
            tree.lookup_values(segments, values)
        })
    }

    fn outcome<'r>(
        &'r self,
        method: Method,
        subdomain: &str,
        segments: &[Cow<'_, str>],
        mut find: impl FnMut(&'r Node<usize>) -> Option<Found<'r, usize>>,
    ) -> Outcome<'r> {
        let Some(table) = self.table(subdomain) else {
            return Outcome::NotFound;
        };
        let tree = |m: Method| &table.trees[m.index()];
        let mut found = find(tree(method));
        if found.is_none() && method == Method::Head {
            found = find(tree(Method::Get));
        }
        if let Some(found) = found {
            return Outcome::Matched(Match {
                route: &self.routes[*found.value],
                rest_from: found.rest_from,
            });
        }
        if method == Method::Websocket {
            return Outcome::NotFound;
        }
        self.refusal(table, segments)
    }

    /// Leave route `id` out of `Allow` headers (it still serves requests).
    pub fn unlist(&mut self, id: usize) {
        if !self.unlisted.contains(&id) {
            self.unlisted.push(id);
        }
    }

    /// 405 with the methods that would match `segments`, else 404. Also the
    /// answer for a method we do not route at all (`PROPFIND`, say).
    pub fn refuse<'r>(&'r self, subdomain: &str, segments: &[Cow<'_, str>]) -> Outcome<'r> {
        match self.table(subdomain) {
            Some(table) => self.refusal(table, segments),
            None => Outcome::NotFound,
        }
    }

    fn refusal<'r>(&self, table: &Table, segments: &[Cow<'_, str>]) -> Outcome<'r> {
        let mut allowed: MethodSet = Method::ALL
            .into_iter()
            .filter(|&m| {
                m != Method::Websocket
                    && table.trees[m.index()]
                        .lookup(segments)
                        .is_some_and(|found| !self.unlisted.contains(found.value))
            })
            .collect();
        if allowed.contains(Method::Get) {
            allowed.insert(Method::Head);
        }
        if allowed.is_empty() {
            Outcome::NotFound
        } else {
            Outcome::MethodNotAllowed(allowed)
        }
    }
}
