//! The segment tree of one (subdomain, method). Each node is one path
//! segment deep; children are tried literal first, then typed parameters
//! (narrowest type first), then the wildcard, with full backtracking.
//!
//! A node is reached by exactly one path from the root and depth equals the
//! segment index, so a lookup visits every node at most once: the worst case
//! is bounded by the table, the common case is O(path length).

use std::borrow::Cow;

use crate::pattern::{Pattern, Segment};
use crate::value::{ParamType, Value};

/// Children lists at or below this length are scanned; longer ones are
/// found through a sorted table of hashes (one hash, a few integer
/// comparisons, one string comparison to confirm).
const LINEAR_SCAN_MAX: usize = 8;

#[derive(Debug, Clone)]
pub struct Node<T> {
    leaf: Option<T>,
    literals: Vec<(Box<str>, Node<T>)>,
    /// (hash of a literal, its index in `literals`), sorted; empty for
    /// nodes with few literal children.
    index: Vec<(u64, u32)>,
    params: Vec<(ParamType, Node<T>)>,
    wildcard: Option<T>,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node {
            leaf: None,
            literals: Vec::new(),
            index: Vec::new(),
            params: Vec::new(),
            wildcard: None,
        }
    }
}

/// String equality without a `memcmp` call: path segments are short, and
/// the call costs more than the comparison.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// FNV-1a: tiny, no dependency, and quick on the short strings that path
/// segments are. The hash only narrows the search; equality decides.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a walk does with a parameter segment it tries: accept it or not,
/// and undo the acceptance when the branch behind it misses.
trait Params {
    fn take(&mut self, kind: ParamType, raw: &str) -> bool;
    fn give_back(&mut self);
}

/// Checks only (`lookup`): nothing is built.
struct Checked;

impl Params for Checked {
    fn take(&mut self, kind: ParamType, raw: &str) -> bool {
        kind.accepts(raw)
    }
    fn give_back(&mut self) {}
}

/// Converts and keeps (`lookup_values`).
impl Params for Vec<Value> {
    fn take(&mut self, kind: ParamType, raw: &str) -> bool {
        match kind.convert(raw) {
            Some(value) => {
                self.push(value);
                true
            }
            None => false,
        }
    }
    fn give_back(&mut self) {
        self.pop();
    }
}

/// A successful lookup: the stored value, and where the wildcard's capture
/// starts (if the match ended in one). `lookup` builds no parameter values;
/// `lookup_values` converts them as it goes.
#[derive(Debug, Clone, Copy)]
pub struct Found<'t, T> {
    pub value: &'t T,
    pub rest_from: Option<usize>,
}

impl<T> Node<T> {
    /// Insert `value` at `pattern`'s position. When a value already sits
    /// there (the patterns have the same shape), it is returned untouched.
    pub fn insert(&mut self, pattern: &Pattern, value: T) -> Result<(), &T> {
        let mut node = self;
        for segment in &pattern.segments {
            node = match segment {
                Segment::Literal(text) => {
                    let at = match node.literals.iter().position(|(k, _)| k == text) {
                        Some(at) => at,
                        None => {
                            node.literals.push((text.clone(), Node::default()));
                            node.reindex();
                            node.literals.len() - 1
                        }
                    };
                    &mut node.literals[at].1
                }
                Segment::Param { kind, .. } => {
                    let at = match node.params.binary_search_by(|(k, _)| k.cmp(kind)) {
                        Ok(at) => at,
                        Err(at) => {
                            node.params.insert(at, (*kind, Node::default()));
                            at
                        }
                    };
                    &mut node.params[at].1
                }
                Segment::Wildcard => return Self::place(&mut node.wildcard, value),
            };
        }
        Self::place(&mut node.leaf, value)
    }

    /// The value already stored at `pattern`'s position, if any, without
    /// changing the tree.
    pub fn occupant(&self, pattern: &Pattern) -> Option<&T> {
        let mut node = self;
        for segment in &pattern.segments {
            node = match segment {
                Segment::Literal(text) => node
                    .literals
                    .iter()
                    .find(|(k, _)| k == text)
                    .map(|(_, n)| n)?,
                Segment::Param { kind, .. } => node
                    .params
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map(|(_, n)| n)?,
                Segment::Wildcard => return node.wildcard.as_ref(),
            };
        }
        node.leaf.as_ref()
    }

    fn place(slot: &mut Option<T>, value: T) -> Result<(), &T> {
        if slot.is_some() {
            return Err(slot.as_ref().expect("checked just above"));
        }
        *slot = Some(value);
        Ok(())
    }

    fn reindex(&mut self) {
        self.index.clear();
        if self.literals.len() > LINEAR_SCAN_MAX {
            self.index = self
                .literals
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (hash(k), i as u32))
                .collect();
            self.index.sort_unstable();
        }
    }

    fn literal(&self, segment: &str) -> Option<&Node<T>> {
        if self.index.is_empty() {
            return self
                .literals
                .iter()
                .find(|(k, _)| same(k, segment))
                .map(|(_, n)| n);
        }
        let wanted = hash(segment);
        let from = self.index.partition_point(|&(h, _)| h < wanted);
        self.index[from..]
            .iter()
            .take_while(|&&(h, _)| h == wanted)
            .map(|&(_, i)| &self.literals[i as usize])
            .find(|(k, _)| same(k, segment))
            .map(|(_, n)| n)
    }

    /// Find the value for `segments`, or `None`. Allocates nothing.
    pub fn lookup(&self, segments: &[Cow<'_, str>]) -> Option<Found<'_, T>> {
        self.walk(segments, 0, &mut Checked)
    }

    /// `lookup`, converting each parameter as the walk accepts it: on a
    /// match, `values` holds them in pattern order (each segment is parsed
    /// once); on a miss, it is left as it was.
    pub fn lookup_values(
        &self,
        segments: &[Cow<'_, str>],
        values: &mut Vec<Value>,
    ) -> Option<Found<'_, T>> {
        self.walk(segments, 0, values)
    }

    fn walk<'t, S: Params>(
        &'t self,
        segments: &[Cow<'_, str>],
        depth: usize,
        params: &mut S,
    ) -> Option<Found<'t, T>> {
        let Some(segment) = segments.get(depth) else {
            // The wildcard needs at least one segment: `/files/*` is not `/files`.
            return self.leaf.as_ref().map(|value| Found {
                value,
                rest_from: None,
            });
        };
        if let Some(child) = self.literal(segment) {
            if let Some(hit) = child.walk(segments, depth + 1, params) {
                return Some(hit);
            }
        }
        for (kind, child) in &self.params {
            // A value that does not convert is a miss for this branch only.
            if params.take(*kind, segment) {
                if let Some(hit) = child.walk(segments, depth + 1, params) {
                    return Some(hit);
                }
                params.give_back();
            }
        }
        self.wildcard.as_ref().map(|value| Found {
            value,
            rest_from: Some(depth),
        })
    }

    /// Every stored value, depth first.
    #[cfg(test)]
    pub fn values(&self) -> Vec<&T> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    #[cfg(test)]
    fn collect<'t>(&'t self, out: &mut Vec<&'t T>) {
        out.extend(self.leaf.iter());
        out.extend(self.wildcard.iter());
        for (_, child) in &self.literals {
            child.collect(out);
        }
        for (_, child) in &self.params {
            child.collect(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::split_path;

    fn tree(routes: &[&str]) -> Node<&'static str> {
        let mut t = Node::default();
        for r in routes {
            let leaked: &'static str = Box::leak(r.to_string().into_boxed_str());
            t.insert(&Pattern::parse(r).unwrap(), leaked).unwrap();
        }
        t
    }

    fn find(t: &Node<&'static str>, path: &str) -> Option<&'static str> {
        let segs = split_path(path.as_bytes(), true).unwrap();
        t.lookup(&segs).map(|f| *f.value)
    }

    #[test]
    fn literal_beats_param_beats_wildcard() {
        let t = tree(&["/a/b", "/a/:x", "/a/*"]);
        assert_eq!(find(&t, "/a/b"), Some("/a/b"));
        assert_eq!(find(&t, "/a/c"), Some("/a/:x"));
        assert_eq!(find(&t, "/a/c/d"), Some("/a/*"));
        assert_eq!(find(&t, "/a"), None);
    }

    #[test]
    fn many_literal_children_use_the_hash_index() {
        let names: Vec<String> = (0..40).map(|i| format!("/r{i:02}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let t = tree(&refs);
        for name in &names {
            assert_eq!(find(&t, name), Some(name.as_str()));
        }
        assert_eq!(find(&t, "/r99"), None);
    }

    #[test]
    fn same_shape_is_refused() {
        let mut t = tree(&["/a/:x"]);
        let clash = Pattern::parse("/a/:y").unwrap();
        assert_eq!(t.insert(&clash, "second"), Err(&"/a/:x"));
        assert_eq!(t.values(), vec![&"/a/:x"]);
    }
}
