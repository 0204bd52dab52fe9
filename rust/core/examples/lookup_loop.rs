//! A lookup loop to profile (`perf record`): the GitHub-shaped table, one
//! deep request, split + lookup, many times.
//!
//!     cargo build --profile profiling -p heaven-core --example lookup_loop
//!     perf record -e cpu-clock target/profiling/examples/lookup_loop

use std::hint::black_box;

use heaven_core::{split_path, Method, Outcome, Router};

fn main() {
    let mut router = Router::new();
    for line in include_str!("../../../benches/data/github_routes.txt").lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some((method, pattern)) = line.split_once(char::is_whitespace) {
            router
                .add_route(method, "www", pattern.trim())
                .expect("table routes register");
        }
    }
    let path = "/repos/rust-lang/rust/pulls/1347/reviews/80";
    let mut hits = 0usize;
    let start = std::time::Instant::now();
    let rounds = 20_000_000;
    for _ in 0..rounds {
        let segments = split_path(black_box(path).as_bytes(), true).expect("valid path");
        if let Outcome::Matched(m) = router.lookup(Method::Get, "www", &segments) {
            hits += m.route.id;
        }
    }
    let per = start.elapsed().as_nanos() as f64 / rounds as f64;
    println!("{per:.1} ns per lookup ({hits})");
}
