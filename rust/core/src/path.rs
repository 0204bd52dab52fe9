//! Request paths: split the raw (still encoded) path on `/` first and decode
//! each segment after, so an encoded `%2F` stays inside its segment.

use std::borrow::Cow;

use crate::error::RequestError;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decode `raw` into bytes; with `plus_is_space`, `+` becomes ` `
/// (form and query encoding).
pub fn percent_decode(raw: &[u8], plus_is_space: bool) -> Result<Cow<'_, [u8]>, RequestError> {
    if !raw
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex);
                let lo = raw.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(RequestError::BadPercentEncoding),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Percent-decode `raw` and require UTF-8.
pub fn decode_str(raw: &[u8], plus_is_space: bool) -> Result<Cow<'_, str>, RequestError> {
    match percent_decode(raw, plus_is_space)? {
        Cow::Borrowed(b) => std::str::from_utf8(b)
            .map(Cow::Borrowed)
            .map_err(|_| RequestError::InvalidUtf8),
        Cow::Owned(v) => String::from_utf8(v)
            .map(Cow::Owned)
            .map_err(|_| RequestError::InvalidUtf8),
    }
}

/// How many segments fit without allocating (more is rare, and a bigger
/// inline array costs every request a bigger copy).
const INLINE: usize = 8;

/// The decoded segments of a path: up to 8 kept inline (no allocation),
/// more spill to the heap. Derefs to `[Cow<str>]`.
pub struct Segments<'a> {
    inline: [Cow<'a, str>; INLINE],
    len: usize,
    spill: Vec<Cow<'a, str>>,
}

impl<'a> Segments<'a> {
    fn new() -> Segments<'a> {
        Segments {
            inline: std::array::from_fn(|_| Cow::Borrowed("")),
            len: 0,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, segment: Cow<'a, str>) {
        if self.len < INLINE {
            self.inline[self.len] = segment;
        } else {
            if self.spill.is_empty() {
                self.spill
                    .extend(self.inline.iter_mut().map(std::mem::take));
            }
            self.spill.push(segment);
        }
        self.len += 1;
    }
}

impl<'a> std::ops::Deref for Segments<'a> {
    type Target = [Cow<'a, str>];

    fn deref(&self) -> &Self::Target {
        if self.len <= INLINE {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

impl std::fmt::Debug for Segments<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, 'b> PartialEq<Vec<&'b str>> for Segments<'a> {
    fn eq(&self, other: &Vec<&'b str>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

/// Split a request path into decoded segments. Empty segments (from a
/// trailing, leading or doubled slash) are dropped: they never matter.
///
/// `encoded` is false when the server only gave the already-decoded `path`
/// (no `raw_path`); then `%` is a literal character.
pub fn split_path(path: &[u8], encoded: bool) -> Result<Segments<'_>, RequestError> {
    // The common case: plain ASCII, nothing escaped, no NUL, checked in one
    // pass that also finds where a query (which a server may leave on
    // raw_path) starts. Every segment then borrows from the path as it is.
    let mut end = path.len();
    let mut plain = true;
    for (i, &b) in path.iter().enumerate() {
        match b {
            b'?' if encoded => {
                end = i;
                break;
            }
            b'%' if encoded => {
                plain = false;
                break;
            }
            0 | 0x80..=0xff => {
                plain = false;
                break;
            }
            _ => {}
        }
    }
    if plain {
        let path = &path[..end];
        let text = std::str::from_utf8(path).map_err(|_| RequestError::InvalidUtf8)?;
        let mut segments = Segments::new();
        // Split on the byte: `str::split` walks chars, slower for this.
        let mut start = 0;
        for (i, &b) in path.iter().enumerate() {
            if b == b'/' {
                if i > start {
                    segments.push(Cow::Borrowed(&text[start..i]));
                }
                start = i + 1;
            }
        }
        if start < text.len() {
            segments.push(Cow::Borrowed(&text[start..]));
        }
        return Ok(segments);
    }
    // A server that leaves the query on raw_path must not confuse routing.
    let path = match path.iter().position(|&b| b == b'?') {
        Some(q) if encoded => &path[..q],
        _ => path,
    };
    let mut segments = Segments::new();
    for raw in path.split(|&b| b == b'/') {
        if raw.is_empty() {
            continue;
        }
        let seg = if encoded {
            decode_str(raw, false)?
        } else {
            Cow::Borrowed(std::str::from_utf8(raw).map_err(|_| RequestError::InvalidUtf8)?)
        };
        if seg.contains('\0') {
            return Err(RequestError::NulByte);
        }
        segments.push(seg);
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(p: &str) -> Result<Vec<String>, RequestError> {
        split_path(p.as_bytes(), true).map(|v| v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn splitting_and_decoding() {
        let table: &[(&str, Result<&[&str], RequestError>)] = &[
            ("/", Ok(&[])),
            ("", Ok(&[])),
            ("/users", Ok(&["users"])),
            ("/users/", Ok(&["users"])),
            ("//users//42/", Ok(&["users", "42"])),
            ("/a%2Fb/c", Ok(&["a/b", "c"])),
            ("/caf%C3%A9", Ok(&["café"])),
            ("/a+b", Ok(&["a+b"])),
            ("/a/b?x=1", Ok(&["a", "b"])),
            ("/bad%zz", Err(RequestError::BadPercentEncoding)),
            ("/bad%4", Err(RequestError::BadPercentEncoding)),
            ("/bad%", Err(RequestError::BadPercentEncoding)),
            ("/bad%ff", Err(RequestError::InvalidUtf8)),
            ("/nul%00x", Err(RequestError::NulByte)),
            // The one-pass check's edges: what follows the query is never
            // read; raw UTF-8 and a raw NUL leave the fast path.
            ("/a/b?x=%zz", Ok(&["a", "b"])),
            ("/a/b?", Ok(&["a", "b"])),
            ("/caf\u{e9}/x", Ok(&["caf\u{e9}", "x"])),
            ("/a\0b", Err(RequestError::NulByte)),
        ];
        for (input, expected) in table {
            let expected = expected.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(split(input), expected, "{input:?}");
        }
        // Already decoded (no raw_path): `%` and `?` are literal characters.
        let decoded = |p: &str| {
            split_path(p.as_bytes(), false)
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            decoded("/50%/a?b"),
            Ok(vec!["50%".to_string(), "a?b".to_string()])
        );
        assert_eq!(decoded("/a\0"), Err(RequestError::NulByte));
    }

    #[test]
    fn many_segments_spill_to_the_heap() {
        let path: String = (0..40).map(|i| format!("/s{i}")).collect();
        let segments = split_path(path.as_bytes(), true).unwrap();
        assert_eq!(segments.len(), 40);
        assert_eq!(segments[0], "s0");
        assert_eq!(segments[39], "s39");
        let mixed: String = (0..20).map(|i| format!("/%41{i}")).collect();
        assert_eq!(split_path(mixed.as_bytes(), true).unwrap()[19], "A19");
    }

    #[test]
    fn decoded_paths_keep_nul_out() {
        assert_eq!(
            split_path(b"/a\0b", false).unwrap_err(),
            RequestError::NulByte
        );
    }

    #[test]
    fn raw_utf8_bytes_and_decoded_paths() {
        assert_eq!(
            split_path(b"/\xff", true).unwrap_err(),
            RequestError::InvalidUtf8
        );
        let decoded = split_path(b"/100%/x", false).unwrap();
        assert_eq!(decoded, vec!["100%", "x"]);
    }

    #[test]
    fn plus_as_space_only_when_asked() {
        assert_eq!(decode_str(b"a+b%20c", true).unwrap(), "a b c");
        assert_eq!(decode_str(b"a+b", false).unwrap(), "a+b");
    }
}
