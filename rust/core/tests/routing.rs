//! Table-driven tests of the router as a whole: one table per rule of
//! SPEC §3–5.

use heaven_core::{split_path, Chain, HookKind, Method, Outcome, RouteError, Router, Value};

/// Build a router from (method, subdomain, pattern) rows.
fn router(rows: &[(&str, &str, &str)]) -> Router {
    let mut r = Router::new();
    for (method, sub, pattern) in rows {
        r.add_route(method, sub, pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"));
    }
    r
}

/// What a request resolves to, as a short string for table comparison.
fn resolve(r: &Router, method: &str, sub: &str, path: &str) -> String {
    let segments = match split_path(path.as_bytes(), true) {
        Ok(s) => s,
        Err(e) => return format!("400 {e}"),
    };
    let method = Method::parse(method).unwrap();
    // Every row also checks `lookup_values`: the same outcome, and the
    // values its walk converted are the ones `capture` converts afterwards.
    let mut walked = Vec::new();
    let same_walk = r.lookup_values(method, sub, &segments, &mut walked);
    match r.lookup(method, sub, &segments) {
        Outcome::Matched(m) => {
            let captured = m
                .route
                .capture(&segments, m.rest_from)
                .expect("a match converts");
            match same_walk {
                Outcome::Matched(w) => assert_eq!(w.route.id, m.route.id, "{path}"),
                other => panic!("{path}: lookup matched, lookup_values gave {other:?}"),
            }
            assert_eq!(walked, captured.values, "{path}");
            let mut out = m.route.pattern.text.to_string();
            let names = m.route.names.iter().filter(|n| &***n != "*");
            for (name, value) in names.zip(&captured.values) {
                out.push_str(&format!(" {name}={}", show(value)));
            }
            if let Some(rest) = captured.rest {
                out.push_str(&format!(" *={rest}"));
            }
            out
        }
        outcome => {
            assert!(walked.is_empty(), "{path}: a miss leaves no values");
            assert_eq!(format!("{outcome:?}"), format!("{same_walk:?}"), "{path}");
            match outcome {
                Outcome::NotFound => "404".into(),
                Outcome::MethodNotAllowed(allow) => format!("405 {}", allow.allow_header()),
                Outcome::Matched(_) => unreachable!("matched above"),
            }
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{s:?}"),
        Value::Int(i) => format!("{i}i"),
        Value::BigInt(i) => format!("{i}i"),
        Value::Float(f) => format!("{f}f"),
        Value::Bool(b) => format!("{b}"),
        Value::Date(d) => format!("{}-{:02}-{:02}", d.year, d.month, d.day),
        Value::DateTime(dt) => format!("{}T{:02}:{:02}", dt.date.year, dt.hour, dt.minute),
        Value::Uuid(u) => format!("{u:x}"),
    }
}

fn check(r: &Router, table: &[(&str, &str, &str, &str)]) {
    for (method, sub, path, want) in table {
        assert_eq!(
            resolve(r, method, sub, path),
            *want,
            "{method} {sub} {path}"
        );
    }
}

#[test]
fn literal_param_and_wildcard_segments() {
    let r = router(&[
        ("GET", "www", "/"),
        ("GET", "www", "/users"),
        ("GET", "www", "/users/:id"),
        ("GET", "www", "/users/:id/posts/:post:int"),
        ("GET", "www", "/files/*"),
        ("GET", "www", "/orgs/:org/files/*"),
    ]);
    check(
        &r,
        &[
            ("GET", "www", "/", "/"),
            ("GET", "www", "/users", "/users"),
            ("GET", "www", "/users/ada", "/users/:id id=\"ada\""),
            (
                "GET",
                "www",
                "/users/ada/posts/7",
                "/users/:id/posts/:post:int id=\"ada\" post=7i",
            ),
            ("GET", "www", "/files/a/b/c.txt", "/files/* *=a/b/c.txt"),
            ("GET", "www", "/files/x", "/files/* *=x"),
            // The wildcard needs at least one segment.
            ("GET", "www", "/files", "404"),
            ("GET", "www", "/files/", "404"),
            // Parameters before a trailing `*` are captured too.
            (
                "GET",
                "www",
                "/orgs/acme/files/a/b",
                "/orgs/:org/files/* org=\"acme\" *=a/b",
            ),
            ("GET", "www", "/nothing", "404"),
            ("GET", "www", "/users/ada/extra", "404"),
        ],
    );
}

#[test]
fn every_parameter_type_converts() {
    let r = router(&[
        ("GET", "www", "/i/:v:int"),
        ("GET", "www", "/f/:v:float"),
        ("GET", "www", "/b/:v:bool"),
        ("GET", "www", "/s/:v:str"),
        ("GET", "www", "/d/:v:date"),
        ("GET", "www", "/t/:v:datetime"),
        ("GET", "www", "/u/:v:uuid"),
    ]);
    check(
        &r,
        &[
            ("GET", "www", "/i/-3", "/i/:v:int v=-3i"),
            ("GET", "www", "/f/2.5", "/f/:v:float v=2.5f"),
            ("GET", "www", "/b/true", "/b/:v:bool v=true"),
            ("GET", "www", "/b/0", "/b/:v:bool v=false"),
            (
                "GET",
                "www",
                "/s/hello%20world",
                "/s/:v:str v=\"hello world\"",
            ),
            ("GET", "www", "/d/2024-02-29", "/d/:v:date v=2024-02-29"),
            (
                "GET",
                "www",
                "/t/2024-02-29T13:45:00Z",
                "/t/:v:datetime v=2024T13:45",
            ),
            (
                "GET",
                "www",
                "/u/00000000-0000-0000-0000-0000000000ab",
                "/u/:v:uuid v=ab",
            ),
        ],
    );
}

#[test]
fn typed_misses_fall_through_or_404() {
    let r = router(&[
        ("GET", "www", "/items/:id:int"),
        ("GET", "www", "/items/:slug"),
        ("GET", "www", "/only/:n:int"),
        ("GET", "www", "/day/:d:date"),
        ("GET", "www", "/day/*"),
    ]);
    check(
        &r,
        &[
            ("GET", "www", "/items/12", "/items/:id:int id=12i"),
            (
                "GET",
                "www",
                "/items/twelve",
                "/items/:slug slug=\"twelve\"",
            ),
            ("GET", "www", "/only/12", "/only/:n:int n=12i"),
            ("GET", "www", "/only/x12", "404"),
            ("GET", "www", "/only/1.5", "404"),
            ("GET", "www", "/day/2024-01-31", "/day/:d:date d=2024-01-31"),
            ("GET", "www", "/day/2024-02-31", "/day/* *=2024-02-31"),
        ],
    );
}

#[test]
fn backtracking_precedence() {
    let r = router(&[
        // The SPEC's example: the literal branch fails below, the parameter wins.
        ("GET", "www", "/a/b/c"),
        ("GET", "www", "/a/:x/d"),
        // Backtrack all the way up to a wildcard two levels higher.
        ("GET", "www", "/s/*"),
        ("GET", "www", "/s/css/:name/raw"),
        ("GET", "www", "/s/css/main.css"),
        // A typed branch fails deeper down; the str branch is tried next.
        ("GET", "www", "/m/:n:int/x"),
        ("GET", "www", "/m/:s/y"),
    ]);
    check(
        &r,
        &[
            ("GET", "www", "/a/b/c", "/a/b/c"),
            ("GET", "www", "/a/b/d", "/a/:x/d x=\"b\""),
            ("GET", "www", "/a/z/d", "/a/:x/d x=\"z\""),
            ("GET", "www", "/a/b/e", "404"),
            ("GET", "www", "/s/css/main.css", "/s/css/main.css"),
            (
                "GET",
                "www",
                "/s/css/site/raw",
                "/s/css/:name/raw name=\"site\"",
            ),
            ("GET", "www", "/s/css/site/other", "/s/* *=css/site/other"),
            ("GET", "www", "/s/css/other.css", "/s/* *=css/other.css"),
            ("GET", "www", "/m/5/x", "/m/:n:int/x n=5i"),
            ("GET", "www", "/m/5/y", "/m/:s/y s=\"5\""),
        ],
    );
}

#[test]
fn slashes_and_encoding() {
    let r = router(&[
        ("GET", "www", "/users"),
        ("GET", "www", "/users/:id"),
        ("GET", "www", "/a/b"),
        ("GET", "www", "/raw/*"),
        ("GET", "www", "/café"),
    ]);
    check(
        &r,
        &[
            ("GET", "www", "/users/", "/users"),
            ("GET", "www", "//users", "/users"),
            ("GET", "www", "/users//", "/users"),
            ("GET", "www", "//users//7//", "/users/:id id=\"7\""),
            // `%2F` stays inside its segment: one parameter, not two segments.
            ("GET", "www", "/users/a%2Fb", "/users/:id id=\"a/b\""),
            ("GET", "www", "/a%2Fb", "404"),
            ("GET", "www", "/a/b", "/a/b"),
            ("GET", "www", "/caf%C3%A9", "/café"),
            ("GET", "www", "/raw/x%20y", "/raw/* *=x y"),
            (
                "GET",
                "www",
                "/users/%zz",
                "400 Bad Request: malformed percent-encoding",
            ),
            (
                "GET",
                "www",
                "/users/%ff",
                "400 Bad Request: not valid UTF-8",
            ),
            (
                "GET",
                "www",
                "/users/%00",
                "400 Bad Request: NUL byte in path",
            ),
        ],
    );
}

#[test]
fn method_not_allowed_sets() {
    let r = router(&[
        ("GET", "www", "/things"),
        ("POST", "www", "/things"),
        ("DELETE", "www", "/things/:id"),
        ("PUT", "www", "/things/:id:int"),
        ("OPTIONS", "www", "/opts"),
        ("WS", "www", "/live"),
        ("HEAD", "www", "/only-head"),
    ]);
    check(
        &r,
        &[
            ("PUT", "www", "/things", "405 GET, HEAD, POST"),
            ("PATCH", "www", "/things/5", "405 DELETE, PUT"),
            // A typed miss does not count as allowing the method.
            ("PATCH", "www", "/things/five", "405 DELETE"),
            ("GET", "www", "/opts", "405 OPTIONS"),
            // Websocket routes never make an HTTP method "allowed".
            ("GET", "www", "/live", "404"),
            ("GET", "www", "/only-head", "405 HEAD"),
            ("GET", "www", "/missing", "404"),
            // HEAD is answered by GET when no HEAD route exists.
            ("HEAD", "www", "/things", "/things"),
            ("HEAD", "www", "/only-head", "/only-head"),
            ("WS", "www", "/live", "/live"),
            ("WS", "www", "/things", "404"),
        ],
    );
}

#[test]
fn subdomain_tables_and_fallback() {
    let only_www = router(&[("GET", "www", "/")]);
    assert!(!only_www.needs_host());
    check(&only_www, &[("GET", "anything", "/", "/")]);

    let r = router(&[
        ("GET", "www", "/"),
        ("GET", "api", "/"),
        ("GET", "api", "/v1"),
        ("GET", "API", "/upper"),
    ]);
    assert!(r.needs_host());
    check(
        &r,
        &[
            ("GET", "www", "/v1", "404"),
            ("GET", "api", "/v1", "/v1"),
            ("GET", "api", "/upper", "/upper"),
            // No table for `docs`: falls back to `www`.
            ("GET", "docs", "/", "/"),
            ("GET", "docs", "/v1", "404"),
        ],
    );

    let wild = router(&[
        ("GET", "www", "/home"),
        ("GET", "*", "/tenant"),
        ("GET", "api", "/v1"),
    ]);
    check(
        &wild,
        &[
            ("GET", "acme", "/tenant", "/tenant"),
            ("GET", "acme", "/home", "404"),
            ("GET", "api", "/tenant", "404"),
            ("GET", "www", "/home", "/home"),
        ],
    );
}

#[test]
fn registration_errors() {
    let mut r = router(&[
        ("GET", "www", "/users/:id"),
        ("GET", "www", "/files/*"),
        ("POST", "www", "/users/:id"),
    ]);
    let table: &[(&str, &str, &str, &str)] = &[
        ("GET", "www", "/users/:id", "already registered for GET"),
        ("GET", "www", "/users/:id/", "already registered for GET"),
        ("GET", "www", "/users/:id:str", "already registered for GET"),
        ("GET", "www", "/users/:uid", "conflicts with \"/users/:id\""),
        ("GET", "www", "/files/*", "already registered"),
        ("GET", "www", "users", "must start with '/'"),
        ("GET", "www", "/a/:id:integer", "unknown type"),
        ("GET", "www", "/a/:", "needs a name"),
        ("GET", "www", "/a/*/b", "'*' must be the whole last segment"),
        ("GET", "www", "/a/:x/:x", "appears more than once"),
        ("GET", "www", "/q?page:number", "query hint"),
        ("GET", "www", "/caf%C3", "not valid percent-encoded UTF-8"),
        ("GET", "www", "/a/{x}", "write \"/a/:x\" instead"),
        ("GET", "www", "/q?", "declares no query parameters"),
        ("BREW", "www", "/coffee", "unknown HTTP method"),
        ("GET", "a.b", "/x", "must be a DNS label"),
    ];
    for (method, sub, pattern, needle) in table {
        let err = r.add_route(method, sub, pattern).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(needle), "{pattern}: {msg}");
        if !matches!(
            err,
            RouteError::UnknownMethod { .. } | RouteError::BadSubdomain { .. }
        ) {
            assert!(
                msg.contains(&format!("{pattern:?}")),
                "message must name the route: {msg}"
            );
        }
    }
    // Failed registrations leave nothing behind; legal neighbours still work.
    assert_eq!(r.routes().len(), 3);
    r.add_route("GET", "www", "/users/:id:int").unwrap();
    r.add_route("PUT", "www", "/users/:uid").unwrap();
    r.add_route("GET", "api", "/users/:other").unwrap();
    assert!(r
        .add_route("GET", "www", "/users/:uid")
        .unwrap_err()
        .is_duplicate());
}

#[test]
fn query_hints_are_kept_on_the_route() {
    let mut r = Router::new();
    let id = r
        .add_route("GET", "www", "/search?page:int&since:date")
        .unwrap();
    let hints: Vec<_> = r.routes()[id]
        .pattern
        .hints
        .iter()
        .map(|(n, k)| format!("{n}:{k}"))
        .collect();
    assert_eq!(hints, ["page:int", "since:date"]);
    // The query part does not make a route different.
    assert!(r
        .add_route("GET", "www", "/search?q")
        .unwrap_err()
        .is_duplicate());
}

/// A hook registration row: (kind, pattern, methods, id, layer).
type HookRow<'a> = (HookKind, &'a str, Option<&'a [&'a str]>, usize, u32);

/// Register hooks from rows.
fn with_hooks(routes: &[(&str, &str)], hooks: &[HookRow<'_>]) -> (Router, Vec<Chain>) {
    let mut r = Router::new();
    for (method, pattern) in routes {
        r.add_route(method, "www", pattern).unwrap();
    }
    for (kind, pattern, methods, id, layer) in hooks {
        r.add_hook(*kind, Some("www"), pattern, *methods, *id, *layer)
            .unwrap();
    }
    let chains = r.chains();
    (r, chains)
}

#[test]
fn hook_chains() {
    use HookKind::{After, Before};
    let (_, chains) = with_hooks(
        &[
            ("GET", "/users/:id"),
            ("POST", "/users/:id"),
            ("GET", "/orders"),
            ("GET", "/"),
        ],
        &[
            (Before, "/users/:id", None, 10, 0),
            (Before, "/users/*", None, 11, 0),
            (Before, "/*", None, 12, 0),
            (Before, "/*", None, 13, 0),
            (After, "/users/:uid", None, 20, 0),
            (After, "/*", None, 21, 0),
            (After, "/users/*", None, 22, 0),
            (Before, "/users/*", Some(&["POST"]), 14, 0),
            // The same hook under two patterns runs once, at its first place.
            (Before, "/users/:id", None, 12, 0),
        ],
    );
    let want = [
        (vec![12, 13, 11, 10], vec![20, 22, 21]),
        (vec![12, 13, 11, 14, 10], vec![20, 22, 21]),
        (vec![12, 13], vec![21]),
        (vec![12, 13], vec![21]),
    ];
    for (i, (before, after)) in want.into_iter().enumerate() {
        let around = vec![];
        assert_eq!(
            chains[i],
            Chain {
                before,
                after,
                around
            },
            "route {i}"
        );
    }
}

#[test]
fn mounted_hooks_nest_inside_parent_hooks() {
    use HookKind::{After, Before};
    // Layer 0 is the parent, layer 1 the mounted child.
    let (_, chains) = with_hooks(
        &[("GET", "/child/x")],
        &[
            (Before, "/child/x", None, 1, 0),
            (Before, "/*", None, 2, 1),
            (Before, "/*", None, 3, 0),
            (After, "/*", None, 4, 0),
            (After, "/child/x", None, 5, 1),
        ],
    );
    assert_eq!(
        chains[0],
        Chain {
            before: vec![3, 1, 2],
            after: vec![5, 4],
            around: vec![]
        }
    );
}

#[test]
fn mounted_around_hooks_wrap_inside_parent_ones() {
    use HookKind::{Around, Before};
    // Layer 0 is the parent, layer 1 the mounted child: the parent's AROUND
    // hooks are outermost, as its BEFORE hooks run first.
    let (_, chains) = with_hooks(
        &[("GET", "/child/x"), ("POST", "/child/x")],
        &[
            (Around, "/child/x", None, 1, 0),
            (Around, "/*", None, 2, 1),
            (Around, "/*", Some(&["POST"]), 3, 0),
            (Before, "/*", None, 4, 0),
        ],
    );
    assert_eq!(chains[0].around, vec![1, 2]);
    assert_eq!(chains[1].around, vec![3, 1, 2]);
    assert_eq!(chains[1].before, vec![4]);
}

#[test]
fn hook_errors_and_subdomains() {
    let mut r = router(&[("GET", "www", "/a"), ("GET", "api", "/a")]);
    assert!(r
        .add_hook(HookKind::Before, Some("www"), "a/*", None, 0, 0)
        .unwrap_err()
        .to_string()
        .contains("\"a/*\""));
    assert!(r
        .add_hook(HookKind::Before, Some("www"), "/*", Some(&["FETCH"]), 0, 0)
        .is_err());
    r.add_hook(HookKind::Before, Some("api"), "/*", None, 7, 0)
        .unwrap();
    // No subdomain: every table, including one whose routes come later.
    r.add_hook(HookKind::Around, None, "/*", None, 8, 0)
        .unwrap();
    r.add_route("GET", "admin", "/b").unwrap();
    let chains = r.chains();
    assert_eq!(chains[0].before, Vec::<usize>::new());
    assert_eq!(chains[1].before, vec![7]);
    assert_eq!(
        chains.iter().map(|c| c.around.clone()).collect::<Vec<_>>(),
        vec![vec![8], vec![8], vec![8]]
    );
}

#[test]
fn multi_method_registration_is_all_or_nothing() {
    let mut r = router(&[("POST", "www", "/x")]);
    let err = r
        .add_routes(&["GET", "POST", "PUT"], "www", "/x")
        .unwrap_err();
    assert!(
        err.to_string().contains("already registered for POST"),
        "{err}"
    );
    assert_eq!(r.routes().len(), 1);
    check(&r, &[("GET", "www", "/x", "405 POST")]);
    // A method listed twice is its own duplicate.
    assert!(r
        .add_routes(&["GET", "GET"], "www", "/y")
        .unwrap_err()
        .is_duplicate());
    assert_eq!(
        r.add_routes(&["GET", "PUT"], "www", "/x").unwrap(),
        vec![1, 2]
    );
    check(&r, &[("PATCH", "www", "/x", "405 GET, HEAD, POST, PUT")]);
}

#[test]
fn unlisted_routes_serve_but_are_not_allowed() {
    // `app.cors(hook)` rides on an `OPTIONS /*` route: it answers OPTIONS,
    // but must not turn every other path into a 405 (as in Heaven 2.4.3).
    let mut r = router(&[("GET", "www", "/a"), ("OPTIONS", "www", "/*")]);
    r.unlist(1);
    check(
        &r,
        &[
            ("OPTIONS", "www", "/b", "/* *=b"),
            ("GET", "www", "/b", "404"),
            ("PUT", "www", "/a", "405 GET, HEAD"),
        ],
    );
}
