//! BEFORE/AFTER/AROUND hooks: which hooks run for a route, in what order.
//! Worked out once per route when the router is compiled, never per request.

use std::cmp::Reverse;

use crate::method::MethodSet;
use crate::pattern::{Pattern, Segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Before,
    After,
    /// Wraps the rest of the request (inner AROUND hooks, BEFORE hooks, the
    /// handler, AFTER hooks); ordered as BEFORE hooks, outermost first.
    Around,
}

/// One hook registration.
#[derive(Debug, Clone)]
pub struct Hook {
    pub kind: HookKind,
    /// The subdomain table it covers; None: every table (`app.use`).
    pub subdomain: Option<Box<str>>,
    pub pattern: Pattern,
    pub methods: MethodSet,
    /// The caller's id for the hook callable; equal ids are the same hook.
    pub id: usize,
    /// 0 for the app's own hooks, +1 for each level of `mount`.
    pub layer: u32,
    /// Registration order, for ties.
    pub seq: usize,
}

/// How much of the route a hook pattern covers: `/*` is 0, `/users/*` is 1,
/// an exact pattern is broader than nothing and runs closest to the handler.
type Breadth = usize;
const EXACT: Breadth = usize::MAX;

fn covers_segment(hook: &Segment, route: &Segment) -> bool {
    match (hook, route) {
        (Segment::Literal(a), Segment::Literal(b)) => a == b,
        (Segment::Param { kind: h, .. }, Segment::Param { kind: r, .. }) => {
            h == r || *h == crate::value::ParamType::Str
        }
        (Segment::Param { kind, .. }, Segment::Literal(text)) => kind.accepts(text),
        _ => false,
    }
}

/// `Some(breadth)` when `hook` applies to every request `route` matches.
/// A prefix `P/*` covers `P` itself and everything below it.
pub fn coverage(hook: &Pattern, route: &Pattern) -> Option<Breadth> {
    let (h, r) = (&hook.segments, &route.segments);
    if h.len() == r.len() && h.iter().zip(r).all(|(a, b)| a.same_shape(b)) {
        return Some(EXACT);
    }
    if !hook.is_prefix() {
        return None;
    }
    let prefix = &h[..h.len() - 1];
    let covered =
        prefix.len() <= r.len() && prefix.iter().zip(r).all(|(a, b)| covers_segment(a, b));
    covered.then_some(prefix.len())
}

/// Hook ids for one route: BEFORE and AROUND broadest first (parent app
/// before mounted child; for AROUND, outermost first), AFTER in the mirror order; registration order within a pattern;
/// a hook reached through several patterns runs once, at its first place.
pub fn chain<'h>(
    hooks: impl Iterator<Item = &'h Hook>,
    kind: HookKind,
    route: &Pattern,
) -> Vec<usize> {
    let mut hits: Vec<(&Hook, Breadth)> = hooks
        .filter(|h| h.kind == kind)
        .filter_map(|h| coverage(&h.pattern, route).map(|b| (h, b)))
        .collect();
    match kind {
        HookKind::Before | HookKind::Around => hits.sort_by_key(|(h, b)| (h.layer, *b, h.seq)),
        HookKind::After => hits.sort_by_key(|(h, b)| (Reverse(h.layer), Reverse(*b), h.seq)),
    }
    let mut ids: Vec<usize> = Vec::with_capacity(hits.len());
    for (h, _) in hits {
        if !ids.contains(&h.id) {
            ids.push(h.id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap()
    }

    #[test]
    fn coverage_table() {
        let table: &[(&str, &str, Option<Breadth>)] = &[
            ("/*", "/", Some(0)),
            ("/*", "/a/b", Some(0)),
            ("/users/*", "/users", Some(1)),
            ("/users/*", "/users/:id", Some(1)),
            ("/users/*", "/orders", None),
            ("/users/:id", "/users/:uid", Some(EXACT)),
            ("/users/:id", "/users/:id:int", None),
            ("/users/:id/*", "/users/:id:int/posts", Some(2)),
            ("/users/:id:int/*", "/users/:id/posts", None),
            ("/users/:id:int/*", "/users/42/posts", Some(2)),
            ("/users/:id/*", "/users/me", Some(2)),
            ("/users/admin/*", "/users/:id", None),
            ("/files/*", "/files/*", Some(EXACT)),
            ("/files/x/*", "/files/*", None),
            ("/a", "/a/b", None),
        ];
        for (hook, route, want) in table {
            assert_eq!(coverage(&p(hook), &p(route)), *want, "{hook} over {route}");
        }
    }

    fn hook(kind: HookKind, pattern: &str, id: usize, layer: u32, seq: usize) -> Hook {
        Hook {
            kind,
            subdomain: Some("www".into()),
            pattern: p(pattern),
            methods: crate::method::MethodSet::EVERY,
            id,
            layer,
            seq,
        }
    }

    #[test]
    fn around_chain_is_outermost_first_and_kept_apart() {
        let hooks = [
            hook(HookKind::Around, "/users/:id", 1, 0, 0),
            hook(HookKind::Around, "/*", 2, 0, 1),
            hook(HookKind::Before, "/*", 3, 0, 2),
            hook(HookKind::Around, "/users/*", 4, 0, 3),
            hook(HookKind::Around, "/*", 5, 1, 4),
            hook(HookKind::Around, "/*", 6, 0, 5),
            hook(HookKind::Around, "/orders/*", 7, 0, 6),
            hook(HookKind::Around, "/users/*", 2, 0, 7),
        ];
        let route = p("/users/:id");
        // Parent app first, then broadest pattern, then registration order;
        // a hook met twice runs once, at its first place; BEFORE hooks are not in it.
        assert_eq!(
            chain(hooks.iter(), HookKind::Around, &route),
            vec![2, 6, 4, 1, 5]
        );
        assert_eq!(chain(hooks.iter(), HookKind::Before, &route), vec![3]);
        assert_eq!(
            chain(hooks.iter(), HookKind::After, &route),
            Vec::<usize>::new()
        );
    }
}
