//! Typed parameter values. A typed segment that does not convert is a miss
//! for its branch, so conversion doubles as matching. Each type reads what
//! the Python function Heaven 2.4.3 converted with reads (`int`, `float`,
//! `date.fromisoformat`, ...), so a route matches the same paths.

use std::fmt;

pub use crate::isodate::{parse_date, parse_datetime};
use crate::numbers::{parse_float, parse_hex128, parse_int, Integer};
use crate::unicode::strip;

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
    /// The type a name declares. Case does not matter (`:id:Int`), as in
    /// Heaven 2.4.3, which lower-cased type names.
    pub fn from_name(name: &str) -> Option<ParamType> {
        Some(match name.to_ascii_lowercase().as_str() {
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
            ParamType::Int => match parse_int(raw)? {
                Integer::Small(value) => Value::Int(value),
                Integer::Big(digits) => Value::BigInt(digits),
            },
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
    /// Offset from UTC as (seconds, microseconds), both carrying its sign;
    /// `None` for a naive datetime.
    pub offset: Option<(i32, i32)>,
}

/// A converted parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    /// An integer beyond 64 bits, as its decimal digits (with sign).
    BigInt(String),
    Float(f64),
    Bool(bool),
    Date(Date),
    DateTime(DateTime),
    Uuid(u128),
}

fn parse_bool(raw: &str) -> Option<bool> {
    // 2.4.3: `value.strip().lower()` in true/1/false/0.
    let word = strip(raw);
    if word.eq_ignore_ascii_case("true") || word == "1" {
        Some(true)
    } else if word.eq_ignore_ascii_case("false") || word == "0" {
        Some(false)
    } else {
        None
    }
}

/// What `uuid.UUID(text)` reads: `urn:` and `uuid:` dropped, braces at the
/// ends and every `-` removed, then 32 characters read as `int(_, 16)`.
fn parse_uuid(raw: &str) -> Option<u128> {
    let b = raw.as_bytes();
    // The common case: 8-4-4-4-12 or 32 plain hex digits.
    if (b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')) || b.len() == 32 {
        let hex: String = raw.chars().filter(|&c| c != '-').collect();
        if hex.len() == 32 && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return u128::from_str_radix(&hex, 16).ok();
        }
    }
    let text = raw.replace("urn:", "").replace("uuid:", "");
    let text = text.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    if text.chars().count() != 32 {
        return None;
    }
    parse_hex128(&text)
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
            (ParamType::Int, "99999999999999999999", true),
            (ParamType::Int, "1_000", true),
            (ParamType::Float, "1.5", true),
            (ParamType::Float, "2", true),
            (ParamType::Float, "1e3", true),
            (ParamType::Float, "inf", true),
            (ParamType::Float, "nan", true),
            (ParamType::Float, "1e", false),
            (ParamType::Float, "abc", false),
            (ParamType::Bool, "true", true),
            (ParamType::Bool, "FALSE", true),
            (ParamType::Bool, "1", true),
            (ParamType::Bool, "0", true),
            (ParamType::Bool, "yes", false),
            (ParamType::Bool, " True ", true),
            (ParamType::Date, "2024-02-29", true),
            (ParamType::Date, "2023-02-29", false),
            (ParamType::Date, "2024-13-01", false),
            (ParamType::Date, "2024-1-01", false),
            (ParamType::Date, "20240229", true),
            (ParamType::Date, "2024-W09-4", true),
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
        assert_eq!(dt.offset, Some((-(3 * 3600 + 30 * 60), 0)));
        assert_eq!(
            ParamType::Int.convert("123456789012345678901234567890"),
            Some(Value::BigInt("123456789012345678901234567890".into()))
        );
        assert_eq!(ParamType::from_name("Int"), Some(ParamType::Int));
        assert_eq!(
            ParamType::Uuid.convert("{urn:uuid:00000000-0000-0000-0000-0000000000FF}"),
            Some(Value::Uuid(255))
        );
        assert_eq!(
            ParamType::Uuid.convert("00000000-0000-0000-0000-0000000000ff"),
            Some(Value::Uuid(255))
        );
        assert_eq!(ParamType::Int.convert("-12"), Some(Value::Int(-12)));
    }
}
