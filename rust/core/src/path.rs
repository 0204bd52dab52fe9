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

/// Split a request path into decoded segments. Empty segments (from a
/// trailing, leading or doubled slash) are dropped: they never matter.
///
/// `encoded` is false when the server only gave the already-decoded `path`
/// (no `raw_path`); then `%` is a literal character.
pub fn split_path(path: &[u8], encoded: bool) -> Result<Vec<Cow<'_, str>>, RequestError> {
    // A server that leaves the query on raw_path must not confuse routing.
    let path = match path.iter().position(|&b| b == b'?') {
        Some(q) if encoded => &path[..q],
        _ => path,
    };
    let mut segments = Vec::with_capacity(8);
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
        split_path(p.as_bytes(), true).map(|v| v.into_iter().map(Cow::into_owned).collect())
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
        ];
        for (input, expected) in table {
            let expected = expected.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(split(input), expected, "{input:?}");
        }
    }

    #[test]
    fn raw_utf8_bytes_and_decoded_paths() {
        assert_eq!(split_path(b"/\xff", true), Err(RequestError::InvalidUtf8));
        let decoded = split_path(b"/100%/x", false).unwrap();
        assert_eq!(decoded, vec!["100%", "x"]);
    }

    #[test]
    fn plus_as_space_only_when_asked() {
        assert_eq!(decode_str(b"a+b%20c", true).unwrap(), "a b c");
        assert_eq!(decode_str(b"a+b", false).unwrap(), "a+b");
    }
}
