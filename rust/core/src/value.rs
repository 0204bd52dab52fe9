//! Typed parameter values. A typed segment that does not convert is a miss
//! for its branch, so conversion doubles as matching and must be strict.

use std::fmt;

/// The type named in `:name:type` or a query hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamType {
    // Declaration order is match precedence among sibling parameters:
    // narrow types first, plain `str` (which accepts anything) last.
    Int,
    Float,
    Bool,
    Date,
    DateTime,
    Uuid,
    Str,
}

impl ParamType {
    pub fn from_name(name: &str) -> Option<ParamType> {
        Some(match name {
            "int" => ParamType::Int,
            "float" => ParamType::Float,
            "bool" => ParamType::Bool,
            "str" => ParamType::Str,
            "date" => ParamType::Date,
            "datetime" => ParamType::DateTime,
            "uuid" => ParamType::Uuid,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::Bool => "bool",
            ParamType::Str => "str",
            ParamType::Date => "date",
            ParamType::DateTime => "datetime",
            ParamType::Uuid => "uuid",
        }
    }

    /// Convert `raw`, or `None` when it is not a value of this type.
    pub fn convert(self, raw: &str) -> Option<Value> {
        Some(match self {
            ParamType::Str => Value::Str(raw.to_owned()),
            ParamType::Int => Value::Int(parse_int(raw)?),
            ParamType::Float => Value::Float(parse_float(raw)?),
            ParamType::Bool => Value::Bool(parse_bool(raw)?),
            ParamType::Date => Value::Date(parse_date(raw)?),
            ParamType::DateTime => Value::DateTime(parse_datetime(raw)?),
            ParamType::Uuid => Value::Uuid(parse_uuid(raw)?),
        })
    }

    /// Whether `raw` converts, without building the value.
    pub fn accepts(self, raw: &str) -> bool {
        match self {
            ParamType::Str => true,
            ParamType::Int => parse_int(raw).is_some(),
            ParamType::Float => parse_float(raw).is_some(),
            ParamType::Bool => parse_bool(raw).is_some(),
            ParamType::Date => parse_date(raw).is_some(),
            ParamType::DateTime => parse_datetime(raw).is_some(),
            ParamType::Uuid => parse_uuid(raw).is_some(),
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub microsecond: u32,
    /// Offset from UTC in seconds; `None` for a naive datetime.
    pub offset_seconds: Option<i32>,
}

/// A converted parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(Date),
    DateTime(DateTime),
    Uuid(u128),
}

fn parse_int(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn parse_float(raw: &str) -> Option<f64> {
    // Rust also accepts "inf", "nan" and "infinity": a URL almost never means those.
    let ok = !raw.is_empty()
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && raw.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    raw.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_bool(raw: &str) -> Option<bool> {
    if raw.eq_ignore_ascii_case("true") || raw == "1" {
        Some(true)
    } else if raw.eq_ignore_ascii_case("false") || raw == "0" {
        Some(false)
    } else {
        None
    }
}

fn digits(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        raw.iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD`, a real calendar date.
fn parse_date(raw: &str) -> Option<Date> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as u16;
    let month = digits(&b[5..7])? as u8;
    let day = digits(&b[8..10])? as u8;
    if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(Date { year, month, day })
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]`; a bare date is midnight.
fn parse_datetime(raw: &str) -> Option<DateTime> {
    let date = parse_date(raw.get(..10)?)?;
    let mut out = DateTime {
        date,
        hour: 0,
        minute: 0,
        second: 0,
        microsecond: 0,
        offset_seconds: None,
    };
    let rest = &raw.as_bytes()[10..];
    if rest.is_empty() {
        return Some(out);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    out.hour = digits(&rest[1..3])? as u8;
    out.minute = digits(&rest[4..6])? as u8;
    let mut i = 6;
    if rest.get(i) == Some(&b':') {
        out.second = digits(rest.get(i + 1..i + 3)?)? as u8;
        i += 3;
        if rest.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while end < rest.len() && rest[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                return None;
            }
            // Python keeps microseconds: pad or truncate the fraction to six digits.
            let frac = &rest[start..end.min(start + 6)];
            out.microsecond = digits(frac)? * 10u32.pow(6 - frac.len() as u32);
            i = end;
        }
    }
    if out.hour > 23 || out.minute > 59 || out.second > 59 {
        return None;
    }
    let tz = &rest[i..];
    out.offset_seconds = match tz {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), hh @ ..] => {
            let (h, m) = match hh {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    Some(out)
}

/// 32 hex digits, bare or in the 8-4-4-4-12 hyphenated form.
fn parse_uuid(raw: &str) -> Option<u128> {
    let b = raw.as_bytes();
    let hyphenated = match b.len() {
        32 => false,
        36 if [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') => true,
        _ => return None,
    };
    b.iter()
        .enumerate()
        .filter(|&(i, _)| !(hyphenated && matches!(i, 8 | 13 | 18 | 23)))
        .try_fold(0u128, |acc, (_, &c)| {
            let nibble = (c as char).to_digit(16)?;
            Some((acc << 4) | u128::from(nibble))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_accept_and_reject() {
        let table: &[(ParamType, &str, bool)] = &[
            (ParamType::Int, "42", true),
            (ParamType::Int, "-7", true),
            (ParamType::Int, "+7", true),
            (ParamType::Int, "", false),
            (ParamType::Int, "4x", false),
            (ParamType::Int, "1.0", false),
            (ParamType::Int, "99999999999999999999", false),
            (ParamType::Float, "1.5", true),
            (ParamType::Float, "2", true),
            (ParamType::Float, "1e3", true),
            (ParamType::Float, "inf", false),
            (ParamType::Float, "nan", false),
            (ParamType::Float, "abc", false),
            (ParamType::Bool, "true", true),
            (ParamType::Bool, "FALSE", true),
            (ParamType::Bool, "1", true),
            (ParamType::Bool, "0", true),
            (ParamType::Bool, "yes", false),
            (ParamType::Date, "2024-02-29", true),
            (ParamType::Date, "2023-02-29", false),
            (ParamType::Date, "2024-13-01", false),
            (ParamType::Date, "2024-1-01", false),
            (ParamType::DateTime, "2024-05-01T10:20:30", true),
            (ParamType::DateTime, "2024-05-01T10:20:30.123456Z", true),
            (ParamType::DateTime, "2024-05-01 10:20+02:00", true),
            (ParamType::DateTime, "2024-05-01", true),
            (ParamType::DateTime, "2024-05-01T25:00", false),
            (ParamType::DateTime, "2024-05-01T10:20:30+2", false),
            (
                ParamType::Uuid,
                "c9bf9e57-1685-4c89-bafb-ff5af830be8a",
                true,
            ),
            (ParamType::Uuid, "c9bf9e5716854c89bafbff5af830be8a", true),
            (
                ParamType::Uuid,
                "c9bf9e57-1685-4c89-bafb-ff5af830be8",
                false,
            ),
            (
                ParamType::Uuid,
                "z9bf9e57-1685-4c89-bafb-ff5af830be8a",
                false,
            ),
            (ParamType::Str, "anything at all", true),
        ];
        for &(kind, raw, ok) in table {
            assert_eq!(kind.accepts(raw), ok, "{kind} {raw:?}");
            assert_eq!(kind.convert(raw).is_some(), ok, "{kind} {raw:?}");
        }
    }

    #[test]
    fn datetime_fields() {
        let dt = parse_datetime("2024-05-01T10:20:30.5-03:30").unwrap();
        assert_eq!(
            (dt.hour, dt.minute, dt.second, dt.microsecond),
            (10, 20, 30, 500_000)
        );
        assert_eq!(dt.offset_seconds, Some(-(3 * 3600 + 30 * 60)));
        assert_eq!(
            ParamType::Uuid.convert("00000000-0000-0000-0000-0000000000ff"),
            Some(Value::Uuid(255))
        );
        assert_eq!(ParamType::Int.convert("-12"), Some(Value::Int(-12)));
    }
}
