//! Route patterns: `/users/:id:int/files/*?page:int&since:date`.
//! Parsed once at registration; every mistake is reported with the route.

use crate::error::RouteError;
use crate::path::decode_str;
use crate::value::ParamType;

/// One `/`-separated piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matches exactly this (decoded) text.
    Literal(Box<str>),
    /// `:name` or `:name:type`: one segment converted to `kind`.
    Param { name: Box<str>, kind: ParamType },
    /// A final `*`: one or more remaining segments.
    Wildcard,
}

impl Segment {
    /// Equal up to parameter names: the router cannot tell such segments apart.
    pub fn same_shape(&self, other: &Segment) -> bool {
        match (self, other) {
            (Segment::Literal(a), Segment::Literal(b)) => a == b,
            (Segment::Param { kind: a, .. }, Segment::Param { kind: b, .. }) => a == b,
            (Segment::Wildcard, Segment::Wildcard) => true,
            _ => false,
        }
    }
}

/// A parsed route or hook pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as the user wrote it (for messages and `req.route`).
    pub text: Box<str>,
    pub segments: Vec<Segment>,
    /// Typed query parameters declared after `?`.
    pub hints: Vec<(Box<str>, ParamType)>,
}

/// `/users/{id}/x` as heaven spells it: `/users/:id/x` (None when no
/// segment is a whole `{name}`, so there is nothing to suggest).
fn unbraced(route: &str) -> Option<String> {
    let out = route
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !name.is_empty() => format!(":{name}"),
                _ => s.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/");
    (out != route && !out.contains(['{', '}'])).then_some(out)
}

impl Pattern {
    pub fn parse(route: &str) -> Result<Pattern, RouteError> {
        let err_route = || route.to_owned();
        if route.contains(['{', '}']) {
            return Err(RouteError::Braced {
                route: err_route(),
                suggestion: unbraced(route.split('?').next().unwrap_or(route)),
            });
        }
        let (path, query) = match route.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (route, None),
        };
        if !path.starts_with('/') {
            return Err(RouteError::MissingLeadingSlash { route: err_route() });
        }
        let pieces: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut segments = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            let segment = if *piece == "*" {
                if !last {
                    return Err(RouteError::MisplacedWildcard { route: err_route() });
                }
                Segment::Wildcard
            } else if let Some(spec) = piece.strip_prefix(':') {
                let (name, kind) = match spec.split_once(':') {
                    Some((name, kind)) => (name, Some(kind)),
                    None => (spec, None),
                };
                // Any text names a parameter (`:a-b`, `:1`), as in 2.4.3.
                if name.is_empty() {
                    return Err(RouteError::BadParamName {
                        route: err_route(),
                        segment: (*piece).to_owned(),
                    });
                }
                let kind = match kind {
                    // `:x:` declares no type, as `:x` does (2.4.3 read it so).
                    None | Some("") => ParamType::Str,
                    Some(k) => ParamType::from_name(k).ok_or_else(|| RouteError::UnknownType {
                        route: err_route(),
                        name: name.to_owned(),
                        kind: k.to_owned(),
                    })?,
                };
                if segments
                    .iter()
                    .any(|s| matches!(s, Segment::Param { name: n, .. } if &**n == name))
                {
                    return Err(RouteError::RepeatedParam {
                        route: err_route(),
                        name: name.to_owned(),
                    });
                }
                Segment::Param {
                    name: name.into(),
                    kind,
                }
            } else if piece.contains('*') {
                return Err(RouteError::MisplacedWildcard { route: err_route() });
            } else {
                let text =
                    decode_str(piece.as_bytes(), false).map_err(|_| RouteError::BadLiteral {
                        route: err_route(),
                        segment: (*piece).to_owned(),
                    })?;
                Segment::Literal(text.into())
            };
            segments.push(segment);
        }
        let hints = match query {
            None => Vec::new(),
            Some(q) => parse_hints(route, q)?,
        };
        Ok(Pattern {
            text: route.into(),
            segments,
            hints,
        })
    }

    /// A hook pattern ending in `*` covers a whole subtree.
    pub fn is_prefix(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Wildcard))
    }

    /// Parameter names in order; the wildcard is reported as `*`.
    pub fn param_names(&self) -> Vec<Box<str>> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param { name, .. } => Some(name.clone()),
                Segment::Wildcard => Some("*".into()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The path part in one spelling per route: `/a/:x:str` and `/a//:x/` agree.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Literal(t) => out.push_str(t),
                Segment::Param { name, kind } => {
                    out.push(':');
                    out.push_str(name);
                    out.push(':');
                    out.push_str(kind.name());
                }
                Segment::Wildcard => out.push('*'),
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }
}

fn parse_hints(route: &str, query: &str) -> Result<Vec<(Box<str>, ParamType)>, RouteError> {
    if query.is_empty() {
        return Err(RouteError::EmptyQueryHint {
            route: route.to_owned(),
        });
    }
    let mut hints: Vec<(Box<str>, ParamType)> = Vec::new();
    for hint in query.split('&') {
        let bad = || RouteError::BadQueryHint {
            route: route.to_owned(),
            hint: hint.to_owned(),
        };
        let (name, kind) = match hint.split_once(':') {
            Some((name, "")) => (name, ParamType::Str),
            Some((name, kind)) => (name, ParamType::from_name(kind).ok_or_else(bad)?),
            None => (hint, ParamType::Str),
        };
        // A name no query key on the wire could be never matches.
        if name.is_empty()
            || name.contains(['=', '?', '#', ' ', '\t', '\n'])
            || hints.iter().any(|(n, _)| &**n == name)
        {
            return Err(bad());
        }
        hints.push((name.into(), kind));
    }
    Ok(hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.into())
    }
    fn param(name: &str, kind: ParamType) -> Segment {
        Segment::Param {
            name: name.into(),
            kind,
        }
    }

    #[test]
    fn parses_every_segment_kind() {
        let table: Vec<(&str, Vec<Segment>)> = vec![
            ("/", vec![]),
            ("/users", vec![lit("users")]),
            ("/users/", vec![lit("users")]),
            (
                "//users//:id",
                vec![lit("users"), param("id", ParamType::Str)],
            ),
            (
                "/users/:id:int",
                vec![lit("users"), param("id", ParamType::Int)],
            ),
            ("/f/*", vec![lit("f"), Segment::Wildcard]),
            (
                "/a/:x/*",
                vec![lit("a"), param("x", ParamType::Str), Segment::Wildcard],
            ),
            (
                "/v1/models/gpt:run",
                vec![lit("v1"), lit("models"), lit("gpt:run")],
            ),
            ("/caf%C3%A9", vec![lit("café")]),
            (
                "/odd/:a-b/:1/:é",
                vec![
                    lit("odd"),
                    param("a-b", ParamType::Str),
                    param("1", ParamType::Str),
                    param("é", ParamType::Str),
                ],
            ),
            ("/u/:id:Int", vec![lit("u"), param("id", ParamType::Int)]),
        ];
        for (route, segments) in table {
            assert_eq!(Pattern::parse(route).unwrap().segments, segments, "{route}");
        }
    }

    #[test]
    fn query_hints() {
        let p = Pattern::parse("/search?page:int&since:date&q").unwrap();
        assert_eq!(p.segments, vec![lit("search")]);
        let hints: Vec<_> = p.hints.iter().map(|(n, k)| (&**n, *k)).collect();
        assert_eq!(
            hints,
            vec![
                ("page", ParamType::Int),
                ("since", ParamType::Date),
                ("q", ParamType::Str)
            ]
        );
    }

    #[test]
    fn registration_errors_name_the_route() {
        let table: &[(&str, &str)] = &[
            ("users", "must start with '/'"),
            ("/users/:", "needs a name"),
            ("/users/{id}", "write \"/users/:id\" instead"),
            ("/p{id}", "':name' as a whole segment"),
            ("/e/:a{b", "':name' as a whole segment"),
            ("/s?", "declares no query parameters"),
            ("/s?a&&b", "query hint"),
            ("/s?a#", "query hint"),
            ("/users/:id:integer", "unknown type \"integer\""),
            ("/files/*/x", "'*' must be the whole last segment"),
            ("/files/a*", "'*' must be the whole last segment"),
            ("/a/:id/b/:id", "appears more than once"),
            ("/s?page:number", "query hint"),
            ("/s?page:Integer", "query hint"),
            ("/s?=x", "query hint"),
            ("/s?a&a", "query hint"),
            ("/bad%zz", "not valid percent-encoded UTF-8"),
        ];
        for (route, needle) in table {
            let err = Pattern::parse(route).unwrap_err().to_string();
            assert!(err.contains(needle), "{route}: {err}");
            assert!(
                err.contains(&format!("{route:?}")),
                "{route}: message lacks the route: {err}"
            );
        }
    }

    #[test]
    fn canonical_spelling() {
        assert_eq!(Pattern::parse("/a//:x/").unwrap().canonical(), "/a/:x:str");
        assert_eq!(
            Pattern::parse("/a/:x:str").unwrap().canonical(),
            "/a/:x:str"
        );
        assert_eq!(Pattern::parse("/").unwrap().canonical(), "/");
        assert!(Pattern::parse("/a/*").unwrap().is_prefix());
        assert_eq!(
            Pattern::parse("/a/:x/*").unwrap().param_names(),
            vec!["x".into(), "*".into()] as Vec<Box<str>>
        );
    }
}
