//! `:n:int` and `:x:float` read what Python's `int()` and `float()` read
//! (Heaven 2.4.3 converted with them): surrounding whitespace, a sign,
//! `_` between digits (`1_000`), digits of any script, integers of any size,
//! and for floats `.5`, `5.`, exponents, `inf`, `infinity` and `nan`.

use std::borrow::Cow;

use crate::unicode::ascii_number_text;

/// Python's `int(text)`: an `i64` when it fits, else the decimal digits
/// (with their sign) for the caller to turn into a big integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integer {
    Small(i64),
    Big(String),
}

/// CPython refuses to read integers longer than this (`sys.int_info`'s
/// default_max_str_digits), as a guard against quadratic parsing.
const MAX_DIGITS: usize = 4300;

fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

fn strip_ascii(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && ascii_space(c as u8))
}

/// Digits in `base` with single `_` between them; the digits without the
/// underscores, or None.
fn digit_run(text: &str, base: u32) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut previous_underscore = true; // no leading `_`
    for c in text.chars() {
        if c == '_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
        } else if c.is_digit(base) {
            out.push(c);
            previous_underscore = false;
        } else {
            return None;
        }
    }
    (!previous_underscore).then_some(out)
}

pub fn parse_int(raw: &str) -> Option<Integer> {
    // The common case: plain ASCII digits that fit (18 digits always fit
    // an i64), summed in one pass.
    let (negative, plain) = match raw.as_bytes().first() {
        Some(b'-') => (true, &raw.as_bytes()[1..]),
        Some(b'+') => (false, &raw.as_bytes()[1..]),
        _ => (false, raw.as_bytes()),
    };
    if !plain.is_empty() && plain.len() <= 18 {
        let mut value: i64 = 0;
        let mut plain_digits = true;
        for &b in plain {
            if !b.is_ascii_digit() {
                plain_digits = false;
                break;
            }
            value = value * 10 + i64::from(b - b'0');
        }
        if plain_digits {
            return Some(Integer::Small(if negative { -value } else { value }));
        }
    }
    let text: Cow<'_, str> = ascii_number_text(raw)?;
    let text = strip_ascii(&text);
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digit_run(body, 10)?;
    if digits.len() > MAX_DIGITS {
        return None;
    }
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits
    };
    Some(match signed.parse::<i64>() {
        Ok(value) => Integer::Small(value),
        Err(_) => Integer::Big(signed),
    })
}

/// Python's `float(text)`.
pub fn parse_float(raw: &str) -> Option<f64> {
    let text: Cow<'_, str> = ascii_number_text(raw)?;
    // Underscores only between digits, checked on the whole text first.
    let mut cleaned = String::with_capacity(text.len());
    let mut previous = '\0';
    for c in text.chars() {
        if c == '_' {
            if !previous.is_ascii_digit() {
                return None;
            }
        } else {
            if previous == '_' && !c.is_ascii_digit() {
                return None;
            }
            cleaned.push(c);
        }
        previous = c;
    }
    if previous == '_' {
        return None;
    }
    let text = strip_ascii(&cleaned);
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-') => (-1.0, &text[1..]),
        Some(b'+') => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    // digits [. digits] | . digits, then an optional e[sign]digits
    let b = body.as_bytes();
    let mut i = 0;
    let integral = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += integral;
    let mut fractional = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        fractional = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += fractional;
    }
    if integral + fractional == 0 {
        return None;
    }
    let mantissa_end = i;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exponent = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if exponent == 0 {
            return None;
        }
        i = j + exponent;
    }
    if i != b.len() {
        return None;
    }
    // Spelled so Rust's (correctly rounding) parser takes it: `5.` and `.5`.
    let mut spelled = String::with_capacity(body.len() + 2);
    if integral == 0 {
        spelled.push('0');
    }
    spelled.push_str(&body[..mantissa_end]);
    if body[..mantissa_end].ends_with('.') {
        spelled.push('0');
    }
    spelled.push_str(&body[mantissa_end..]);
    spelled.parse::<f64>().ok().map(|v| sign * v)
}

/// Python's `int(text, 16)` for the 32 characters `UUID()` hands it: a
/// 128-bit value, or None (a negative value is out of range).
pub fn parse_hex128(raw: &str) -> Option<u128> {
    let text: Cow<'_, str> = ascii_number_text(raw)?;
    let text = strip_ascii(&text);
    let (negative, mut body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.starts_with("0x") || body.starts_with("0X") {
        body = &body[2..];
        body = body.strip_prefix('_').unwrap_or(body);
        if body.is_empty() {
            return None;
        }
    }
    let digits = digit_run(body, 16)?;
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 32 {
        return None;
    }
    let value = u128::from_str_radix(if trimmed.is_empty() { "0" } else { trimmed }, 16).ok()?;
    (!negative || value == 0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_python_reads_them() {
        let table: &[(&str, Option<Integer>)] = &[
            ("42", Some(Integer::Small(42))),
            ("-7", Some(Integer::Small(-7))),
            ("+3", Some(Integer::Small(3))),
            ("007", Some(Integer::Small(7))),
            ("1_000", Some(Integer::Small(1000))),
            (" 5 ", Some(Integer::Small(5))),
            ("\u{663}", Some(Integer::Small(3))),
            (
                "99999999999999999999",
                Some(Integer::Big("99999999999999999999".into())),
            ),
            ("-9223372036854775808", Some(Integer::Small(i64::MIN))),
            // The one-pass path's edges: 18 digits, then 19 (the general path).
            (
                "999999999999999999",
                Some(Integer::Small(999_999_999_999_999_999)),
            ),
            (
                "-999999999999999999",
                Some(Integer::Small(-999_999_999_999_999_999)),
            ),
            (
                "1000000000000000000",
                Some(Integer::Small(1_000_000_000_000_000_000)),
            ),
            ("-0", Some(Integer::Small(0))),
            ("+", None),
            ("-", None),
            ("12a", None),
            ("--1", None),
            ("4.0", None),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("", None),
            ("- 5", None),
            ("\u{1c}5", None),
            ("x", None),
        ];
        for (text, expected) in table {
            assert_eq!(&parse_int(text), expected, "{text:?}");
        }
        assert_eq!(parse_int(&"1".repeat(4301)), None);
    }

    #[test]
    fn floats_as_python_reads_them() {
        let table: &[(&str, Option<f64>)] = &[
            ("1.5", Some(1.5)),
            ("2", Some(2.0)),
            ("1e3", Some(1000.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("1.e5", Some(100000.0)),
            ("1_0.5", Some(10.5)),
            (" 2.5\n", Some(2.5)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("1e400", Some(f64::INFINITY)),
            ("abc", None),
            ("1e", None),
            (".", None),
            ("1_.5", None),
            ("1._5", None),
            ("0x1p3", None),
            ("infinit", None),
        ];
        for &(text, expected) in table {
            assert_eq!(parse_float(text), expected, "{text:?}");
        }
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert!(parse_float("-NaN").is_some_and(f64::is_nan));
    }

    #[test]
    fn hex_as_uuid_reads_it() {
        assert_eq!(parse_hex128("000000000000000000000000000000ff"), Some(255));
        assert_eq!(parse_hex128("0x00000000000000000000000000000f"), Some(15));
        assert_eq!(parse_hex128("-0000000000000000000000000000001"), None);
        assert_eq!(parse_hex128("zz"), None);
    }
}
