//! Errors of the core. Registration errors carry the offending route so the
//! message alone tells the user what to fix; request errors map to a 400.

use std::fmt;

/// A route or hook pattern that cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// The pattern does not begin with `/`.
    MissingLeadingSlash { route: String },
    /// `:` with no name.
    BadParamName { route: String, segment: String },
    /// `{name}`: OpenAPI's spelling of a parameter, not heaven's. The
    /// suggestion is the route with whole `{name}` segments as `:name`
    /// (None when no segment is one).
    Braced {
        route: String,
        suggestion: Option<String>,
    },
    /// A `?` with no query hints after it.
    EmptyQueryHint { route: String },
    /// `:name:type` with a type we do not know.
    UnknownType {
        route: String,
        name: String,
        kind: String,
    },
    /// `*` anywhere but as the whole last segment.
    MisplacedWildcard { route: String },
    /// The same parameter name twice in one pattern.
    RepeatedParam { route: String, name: String },
    /// A malformed query hint (`?page:int&...`).
    BadQueryHint { route: String, hint: String },
    /// A literal segment with broken percent-encoding.
    BadLiteral { route: String, segment: String },
    /// The same method, subdomain and pattern registered twice.
    Duplicate {
        route: String,
        method: String,
        subdomain: String,
    },
    /// Two patterns no request could ever tell apart.
    Conflict {
        route: String,
        existing: String,
        method: String,
        subdomain: String,
    },
    /// A method name we do not route.
    UnknownMethod { method: String },
    /// A subdomain that is not a DNS label (or `*`).
    BadSubdomain { subdomain: String },
}

impl RouteError {
    /// True for the two errors the Python side raises as `UrlDuplicateError`.
    pub fn is_duplicate(&self) -> bool {
        matches!(
            self,
            RouteError::Duplicate { .. } | RouteError::Conflict { .. }
        )
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RouteError::*;
        match self {
            MissingLeadingSlash { route } => write!(f, "route {route:?} must start with '/'"),
            BadParamName { route, segment } => write!(
                f,
                "route {route:?}: parameter segment {segment:?} needs a name (for example ':id')"
            ),
            Braced {
                route,
                suggestion: Some(suggestion),
            } => write!(
                f,
                "route {route:?} declares a path parameter in OpenAPI's {{name}} form: heaven routes use ':name', write {suggestion:?} instead ({{name}} would only ever match those braces literally)"
            ),
            Braced {
                route,
                suggestion: None,
            } => write!(
                f,
                "route {route:?} declares a path parameter in OpenAPI's {{name}} form: heaven routes use ':name' as a whole segment (braces would only ever match themselves literally)"
            ),
            EmptyQueryHint { route } => write!(
                f,
                "route {route:?} ends in a '?' but declares no query parameters: drop it, or declare them as '?name:type&name:type' (for example '?page:int&active:bool')"
            ),
            UnknownType { route, name, kind } => write!(
                f,
                "route {route:?}: parameter {name:?} has unknown type {kind:?} (known: int, float, bool, str, date, datetime, uuid)"
            ),
            MisplacedWildcard { route } => write!(
                f,
                "route {route:?}: '*' must be the whole last segment (for example '/files/*')"
            ),
            RepeatedParam { route, name } => {
                write!(f, "route {route:?}: parameter {name:?} appears more than once")
            }
            BadQueryHint { route, hint } => write!(
                f,
                "route {route:?}: query hint {hint:?} must look like 'name' or 'name:type' with a known type, and a name that can be a query key (no '=', '?', '#' or spaces), declared once"
            ),
            BadLiteral { route, segment } => {
                write!(f, "route {route:?}: segment {segment:?} is not valid percent-encoded UTF-8")
            }
            Duplicate { route, method, subdomain } => write!(
                f,
                "route {route:?} is already registered for {method} on subdomain {subdomain:?}"
            ),
            Conflict { route, existing, method, subdomain } => write!(
                f,
                "route {route:?} conflicts with {existing:?} ({method} on subdomain {subdomain:?}): no request could tell them apart"
            ),
            UnknownMethod { method } => write!(f, "unknown HTTP method {method:?}"),
            BadSubdomain { subdomain } => write!(
                f,
                "subdomain {subdomain:?} must be a DNS label (letters, digits, '-') or '*'"
            ),
        }
    }
}

impl std::error::Error for RouteError {}

/// Why a request head could not be read. Every variant is a client error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// `%` not followed by two hex digits.
    BadPercentEncoding,
    /// Bytes that are not UTF-8 once decoded.
    InvalidUtf8,
    /// A decoded NUL byte: never legitimate in a path.
    NulByte,
}

impl RequestError {
    pub fn message(self) -> &'static str {
        match self {
            RequestError::BadPercentEncoding => "Bad Request: malformed percent-encoding",
            RequestError::InvalidUtf8 => "Bad Request: not valid UTF-8",
            RequestError::NulByte => "Bad Request: NUL byte in path",
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for RequestError {}
