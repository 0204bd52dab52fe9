//! heaven-core: URL matching, subdomain routing, hook chains and request-head
//! parsing for the heaven web framework. Pure Rust, no Python: the `_core`
//! extension converts at the edge.
//!
//! ```
//! use heaven_core::{Method, Outcome, Router, split_path};
//!
//! let mut router = Router::new();
//! let id = router.add_route("GET", "www", "/users/:id:int").unwrap();
//! let segments = split_path(b"/users/42", true).unwrap();
//! match router.lookup(Method::Get, "www", &segments) {
//!     Outcome::Matched(m) => assert_eq!(m.route.id, id),
//!     other => panic!("{other:?}"),
//! }
//! ```

// Modules are private: what the bindings, benches and tests need is the
// `pub use` list below, and nothing else is promised.
mod cookies;
mod error;
mod hooks;
mod host;
mod isodate;
mod method;
mod numbers;
mod path;
mod pattern;
mod query;
mod router;
mod tree;
mod unicode;
mod value;

pub use cookies::parse_cookies;
pub use error::{RequestError, RouteError};
pub use hooks::HookKind;
pub use host::{normalize_host, subdomain_of, DEFAULT_SUBDOMAIN};
pub use method::{Method, MethodSet};
pub use path::split_path;
pub use pattern::{Pattern, Segment};
pub use query::parse_query;
pub use router::{Captured, Chain, Match, Outcome, RouteInfo, Router};
pub use value::{Date, DateTime, ParamType, Value};
