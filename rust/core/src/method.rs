//! The methods we route, and small sets of them for `Allow` and hook scopes.

use std::fmt;

/// A routed method. `Websocket` is the table of `app.WS` routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Trace,
    Connect,
    Websocket,
}

impl Method {
    pub const COUNT: usize = 10;
    /// Every method in `Allow` header order.
    pub const ALL: [Method; Method::COUNT] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
        Method::Trace,
        Method::Connect,
        Method::Websocket,
    ];

    /// Parse an upper-case method name as it arrives in a request (and as
    /// registration uses it); `WS`, `SOCKET` and `WEBSOCKET` name websocket routes.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            "TRACE" => Method::Trace,
            "CONNECT" => Method::Connect,
            "WS" | "SOCKET" | "WEBSOCKET" => Method::Websocket,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
            Method::Websocket => "WEBSOCKET",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of methods, as a bitmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MethodSet(u16);

impl MethodSet {
    pub const EMPTY: MethodSet = MethodSet(0);
    pub const EVERY: MethodSet = MethodSet((1 << Method::COUNT) - 1);

    pub fn insert(&mut self, m: Method) {
        self.0 |= m.bit();
    }

    pub fn contains(self, m: Method) -> bool {
        self.0 & m.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    /// The value of an `Allow` header, names in alphabetical order as
    /// Heaven 2.4.3 sent them: `DELETE, GET, HEAD, PUT`.
    pub fn allow_header(self) -> String {
        let mut names: Vec<&str> = self.iter().map(Method::name).collect();
        names.sort_unstable();
        names.join(", ")
    }
}

impl FromIterator<Method> for MethodSet {
    fn from_iter<I: IntoIterator<Item = Method>>(iter: I) -> Self {
        let mut set = MethodSet::EMPTY;
        for m in iter {
            set.insert(m);
        }
        set
    }
}
