//! Router lookup benchmarks (criterion).
//!
//!     cargo bench -p heaven-core --bench router              # full run, ~1 min
//!     cargo bench -p heaven-core --bench router -- --quick   # bounded CI run
//!     cargo bench -p heaven-core --bench router -- scaling   # one family
//!
//! Every timed closure does the per-request work the `_core` extension does:
//! `split_path` on the raw path, then `Router::lookup` for the method and the
//! default subdomain. Before anything is timed, each benchmarked request is
//! looked up once and checked against the route it must reach (or the 404 /
//! 405 it must produce), so a broken table cannot silently benchmark a miss.
//!
//! Benchmarks (ids as criterion prints them):
//! - `lookup/github/hit`: one deep hit in the GitHub-shaped table
//!   (benches/data/github_routes.txt);
//! - `lookup/github/mixed`: every request of
//!   benches/data/github_requests.txt in turn (hits under several methods, a
//!   few 404s and 405s); throughput is per lookup;
//! - `lookup/github/miss`: a 404 whose typed segment fails deep in the
//!   tree (a 404 also asks every other method's tree, to rule out a 405);
//! - `lookup/wildcard_backtrack`: a request that walks a deep literal branch
//!   and a deep parameter branch, fails both, and falls back to a `*` route
//!   near the root;
//! - `lookup/scaling/{N}`: synthetic tables of N routes, one lookup: the time
//!   should stay roughly flat as N grows.
//!
//! The GitHub-shaped table holds about 600 routes (the bench prints the
//! exact count): well past the 300 the foundation issue asks for.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use heaven_core::{split_path, Method, Outcome, Router};

const SUBDOMAIN: &str = "www";
const GITHUB_ROUTES: &str = include_str!("data/github_routes.txt");
const GITHUB_REQUESTS: &str = include_str!("data/github_requests.txt");

/// The non-blank, non-comment lines of a data file, split on whitespace.
fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.split('#').next().unwrap_or("").trim();
        (!line.is_empty()).then(|| (i + 1, line.split_whitespace().collect()))
    })
}

/// What a request must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Route(usize),
    NotFound,
    NotAllowed,
}

/// Look `path` up the way a request is routed: split, then lookup.
fn route(router: &Router, method: Method, path: &str) -> Expect {
    let segments = split_path(path.as_bytes(), true).expect("request path splits");
    outcome(router, method, &segments)
}

fn outcome(router: &Router, method: Method, segments: &[Cow<'_, str>]) -> Expect {
    match router.lookup(method, SUBDOMAIN, segments) {
        Outcome::Matched(m) => Expect::Route(m.route.id),
        Outcome::NotFound => Expect::NotFound,
        Outcome::MethodNotAllowed(_) => Expect::NotAllowed,
    }
}

struct Github {
    router: Router,
    /// (method, pattern) -> route id.
    ids: HashMap<(Method, String), usize>,
    /// (method, path, expected outcome).
    requests: Vec<(Method, String, Expect)>,
}

fn github() -> Github {
    let mut router = Router::new();
    let mut ids = HashMap::new();
    for (line, fields) in records(GITHUB_ROUTES) {
        let [method, pattern] = fields[..] else {
            panic!("github_routes.txt:{line}: expected `METHOD PATTERN`, got {fields:?}");
        };
        let id = router
            .add_route(method, SUBDOMAIN, pattern)
            .unwrap_or_else(|e| panic!("github_routes.txt:{line}: {e}"));
        let method = Method::parse(method).expect("add_route accepted the method");
        ids.insert((method, pattern.to_owned()), id);
    }
    let mut requests = Vec::new();
    for (line, fields) in records(GITHUB_REQUESTS) {
        let [method_name, path, expected] = fields[..] else {
            panic!("github_requests.txt:{line}: expected `METHOD PATH EXPECTED`, got {fields:?}");
        };
        let method = Method::parse(method_name)
            .unwrap_or_else(|| panic!("github_requests.txt:{line}: unknown method {method_name}"));
        let expect = match expected {
            "404" => Expect::NotFound,
            "405" => Expect::NotAllowed,
            pattern => {
                // HEAD is served by the GET route when no HEAD route exists.
                let id = ids
                    .get(&(method, pattern.to_owned()))
                    .or_else(|| {
                        (method == Method::Head)
                            .then(|| ids.get(&(Method::Get, pattern.to_owned())))
                            .flatten()
                    })
                    .unwrap_or_else(|| {
                        panic!("github_requests.txt:{line}: {method_name} {pattern} is not in github_routes.txt")
                    });
                Expect::Route(*id)
            }
        };
        let got = route(&router, method, path);
        assert_eq!(
            got, expect,
            "github_requests.txt:{line}: {method_name} {path} routed to {got:?} ({}), expected {expected}",
            describe(&router, got)
        );
        requests.push((method, path.to_owned(), expect));
    }
    Github {
        router,
        ids,
        requests,
    }
}

fn describe(router: &Router, got: Expect) -> String {
    match got {
        Expect::Route(id) => {
            let r = &router.routes()[id];
            format!("{} {}", r.method, r.pattern.text)
        }
        other => format!("{other:?}"),
    }
}

fn bench_github(c: &mut Criterion) {
    let gh = github();
    let routes = gh.router.routes().len();
    let hits = gh
        .requests
        .iter()
        .filter(|r| matches!(r.2, Expect::Route(_)))
        .count();
    eprintln!(
        "github table: {routes} routes; request list: {} requests ({hits} hits, {} misses)",
        gh.requests.len(),
        gh.requests.len() - hits
    );
    let mut group = c.benchmark_group("lookup");

    // One deep hit: 8 segments, two typed parameters, two str parameters.
    let hit_path = "/repos/python/cpython/pulls/4567/reviews/8910";
    let hit_id = gh.ids[&(
        Method::Get,
        "/repos/:owner/:repo/pulls/:pull_number:int/reviews/:review_id:int".to_owned(),
    )];
    assert_eq!(
        route(&gh.router, Method::Get, hit_path),
        Expect::Route(hit_id)
    );
    group.throughput(Throughput::Elements(1));
    // Routing plus converting the parameters: what a request whose handler
    // reads `req.params` costs.
    group.bench_function("github/hit", |b| {
        b.iter(|| {
            let segments = split_path(black_box(hit_path).as_bytes(), true).unwrap();
            match gh
                .router
                .lookup(black_box(Method::Get), SUBDOMAIN, &segments)
            {
                Outcome::Matched(m) => m
                    .route
                    .capture(&segments, m.rest_from)
                    .unwrap()
                    .values
                    .len(),
                _ => unreachable!(),
            }
        })
    });
    // Routing alone: what `resolve` pays when the handler never reads params.
    group.bench_function("github/hit_route_only", |b| {
        b.iter(|| {
            let segments = split_path(black_box(hit_path).as_bytes(), true).unwrap();
            match gh
                .router
                .lookup(black_box(Method::Get), SUBDOMAIN, &segments)
            {
                Outcome::Matched(m) => m.route.id,
                _ => unreachable!(),
            }
        })
    });

    // The whole request list, one lookup per request.
    let requests = &gh.requests;
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("github/mixed", |b| {
        b.iter(|| {
            let mut acc = 0usize;
            for (method, path, _) in requests {
                let segments = split_path(black_box(path).as_bytes(), true).unwrap();
                acc += match gh.router.lookup(*method, SUBDOMAIN, &segments) {
                    Outcome::Matched(m) => m.route.id,
                    Outcome::NotFound => 1,
                    Outcome::MethodNotAllowed(allowed) => allowed.iter().count(),
                };
            }
            acc
        })
    });

    // A 404: `not-a-number` fails the `:issue_number:int` branch at depth 4,
    // then every other method's tree is asked before answering 404.
    let miss_path = "/repos/rust-lang/rust/issues/not-a-number/comments";
    assert_eq!(route(&gh.router, Method::Get, miss_path), Expect::NotFound);
    group.throughput(Throughput::Elements(1));
    group.bench_function("github/miss", |b| {
        b.iter(|| {
            let segments = split_path(black_box(miss_path).as_bytes(), true).unwrap();
            matches!(
                gh.router
                    .lookup(black_box(Method::Get), SUBDOMAIN, &segments),
                Outcome::NotFound
            )
        })
    });
    group.finish();
}

fn bench_wildcard_backtrack(c: &mut Criterion) {
    let mut router = Router::new();
    let fallback = router.add_route("GET", SUBDOMAIN, "/assets/*").unwrap();
    for pattern in [
        "/assets/v1/css/themes/dark/main.css",
        "/assets/v1/css/themes/light/main.css",
        "/assets/v1/:version:int/js/:bundle",
        "/assets/:a/:b/:c/:d/:e/:f:int",
        "/assets/:a/:b/:c/:d/:e/:f:int/map",
        "/assets/:a/:b/:c/:d/:e/:f:uuid",
    ] {
        router.add_route("GET", SUBDOMAIN, pattern).unwrap();
    }
    // The literal branch reaches `main.css` and has nowhere to put `extra`;
    // `:version:int` refuses `css`; the `:a`..`:e` branch reaches `:f`, which
    // refuses `main.css` as int and as uuid. Only `/assets/*` is left.
    let path = "/assets/v1/css/themes/dark/main.css/extra";
    let segments = split_path(path.as_bytes(), true).unwrap();
    match router.lookup(Method::Get, SUBDOMAIN, &segments) {
        Outcome::Matched(m) => {
            assert_eq!(m.route.id, fallback);
            let captured = m.route.capture(&segments, m.rest_from).unwrap();
            assert_eq!(
                captured.rest.as_deref(),
                Some("v1/css/themes/dark/main.css/extra")
            );
        }
        other => panic!("{path}: {other:?}"),
    }
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(1));
    group.bench_function("wildcard_backtrack", |b| {
        b.iter(|| {
            let segments = split_path(black_box(path).as_bytes(), true).unwrap();
            match router.lookup(black_box(Method::Get), SUBDOMAIN, &segments) {
                Outcome::Matched(m) => m
                    .route
                    .capture(&segments, m.rest_from)
                    .unwrap()
                    .rest
                    .map_or(0, |r| r.len()),
                _ => unreachable!(),
            }
        })
    });
    group.finish();
}

/// `n` routes `/resource{i}/:id:int/sub{j}`, ten `sub`s per resource.
fn synthetic(n: usize) -> Router {
    let mut router = Router::new();
    for k in 0..n {
        let (i, j) = (k / 10, k % 10);
        router
            .add_route("GET", SUBDOMAIN, &format!("/resource{i}/:id:int/sub{j}"))
            .unwrap();
    }
    router
}

fn bench_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup/scaling");
    group.throughput(Throughput::Elements(1));
    for n in [10usize, 100, 1_000, 10_000] {
        let router = synthetic(n);
        assert_eq!(router.routes().len(), n);
        // A route in the middle of the table (by registration order).
        let k = n / 2 + 3;
        let (i, j) = (k / 10, k % 10);
        let path = format!("/resource{i}/12345/sub{j}");
        let want = router
            .routes()
            .iter()
            .find(|r| *r.pattern.text == *format!("/resource{i}/:id:int/sub{j}"))
            .expect("the synthetic route exists")
            .id;
        assert_eq!(
            route(&router, Method::Get, &path),
            Expect::Route(want),
            "{path}"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &path, |b, path| {
            b.iter(|| {
                let segments = split_path(black_box(path).as_bytes(), true).unwrap();
                match router.lookup(black_box(Method::Get), SUBDOMAIN, &segments) {
                    Outcome::Matched(m) => m.route.id,
                    _ => unreachable!(),
                }
            })
        });
    }
    group.finish();
}

/// Short defaults so the full run takes about a minute on a small machine.
/// Set here rather than per group so the command line (`--measurement-time`,
/// `--warm-up-time`, `--sample-size`, `--quick`) can still override them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_github, bench_wildcard_backtrack, bench_scaling
}
criterion_main!(benches);
