//! Query strings (`a=1&b=x+y&a=2`) into ordered (name, value) pairs.

use crate::error::RequestError;
use crate::path::decode_str;

/// Decode every pair, keeping order and repeats. `+` is a space; a pair
/// without `=` has an empty value; empty pairs (`&&`) are skipped.
pub fn parse_query(raw: &[u8]) -> Result<Vec<(String, String)>, RequestError> {
    let mut pairs = Vec::new();
    for piece in raw.split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (&piece[..eq], &piece[eq + 1..]),
            None => (piece, &b""[..]),
        };
        pairs.push((
            decode_str(name, true)?.into_owned(),
            decode_str(value, true)?.into_owned(),
        ));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pairs = &'static [(&'static str, &'static str)];

    #[test]
    fn query_pairs() {
        let table: &[(&str, Result<Pairs, RequestError>)] = &[
            ("", Ok(&[])),
            ("a=1", Ok(&[("a", "1")])),
            ("a=1&b=x+y&a=2", Ok(&[("a", "1"), ("b", "x y"), ("a", "2")])),
            ("flag&&x=", Ok(&[("flag", ""), ("x", "")])),
            ("q=a%26b%3Dc", Ok(&[("q", "a&b=c")])),
            ("e=%C3%A9", Ok(&[("e", "é")])),
            ("a=1=2", Ok(&[("a", "1=2")])),
            ("bad=%zz", Err(RequestError::BadPercentEncoding)),
            ("bad=%ff", Err(RequestError::InvalidUtf8)),
        ];
        for (raw, want) in table {
            let want = want.map(|v| {
                v.iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(parse_query(raw.as_bytes()), want, "{raw:?}");
        }
    }
}
