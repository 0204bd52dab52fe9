//! The `Cookie` request header. Browsers send whatever they stored, so a
//! malformed pair is skipped rather than failing the request.

/// `a=1; b="two"` into pairs, first occurrence of a name first.
pub fn parse_cookies(header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in header.split(';') {
        let Some((name, value)) = piece.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || out.iter().any(|(n, _)| n == name) {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        out.push((name.to_owned(), value.to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_pairs() {
        let table: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            ("a=1", &[("a", "1")]),
            ("a=1; b=two", &[("a", "1"), ("b", "two")]),
            ("a=1;b=2", &[("a", "1"), ("b", "2")]),
            ("q=\"quoted\"", &[("q", "quoted")]),
            ("tok=abc==", &[("tok", "abc==")]),
            ("junk; a=1; =x; a=2", &[("a", "1")]),
        ];
        for (raw, want) in table {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(parse_cookies(raw), want, "{raw:?}");
        }
    }
}
