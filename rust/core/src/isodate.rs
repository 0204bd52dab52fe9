//! `:day:date` and `:at:datetime` read what Python 3.11's
//! `date.fromisoformat` and `datetime.fromisoformat` read (Heaven 2.4.3
//! converted with them): `2024-02-29`, `20240229`, `2024-W09-4`, `2024W094`,
//! `2024-W09`, and for datetimes any one-character separator, `HH[:MM[:SS]]`
//! with or without colons, `.`/`,` fractions, `Z` and `±HH[:MM[:SS[.f]]]`
//! offsets. A port of CPython's C parser, quirks included (it reads the
//! text as UTF-8 bytes, as CPython does), checked against CPython in
//! tests/compat/test_converters.py.

use crate::value::{Date, DateTime};

/// The byte at `i`, or 0 past the end: CPython reads a NUL-terminated buffer.
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `count` ASCII digits from `i`, as a number, and the position after them.
fn digits(b: &[u8], i: usize, count: usize) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for k in 0..count {
        let c = at(b, i + k);
        if !c.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(c - b'0');
    }
    Some((value, i + count))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since the proleptic Gregorian 0001-01-01 (day 1), for any year.
fn ordinal(year: i64, month: u32, day: u32) -> i64 {
    let y = year - 1;
    let before_year = y * 365 + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
    let before_month: i64 = (1..month).map(|m| i64::from(days_in_month(year, m))).sum();
    before_year + before_month + i64::from(day)
}

fn from_ordinal(mut n: i64) -> (i64, u32, u32) {
    // Walk 400-year cycles (146097 days), then years, then months.
    let cycles = (n - 1).div_euclid(146_097);
    let mut year = cycles * 400 + 1;
    n -= cycles * 146_097;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if n <= length {
            break;
        }
        n -= length;
        year += 1;
    }
    let mut month = 1;
    while n > i64::from(days_in_month(year, month)) {
        n -= i64::from(days_in_month(year, month));
        month += 1;
    }
    (year, month, n as u32)
}

/// The Monday of ISO week 1 of `year`, as an ordinal.
fn week1_monday(year: i64) -> i64 {
    let first = ordinal(year, 1, 1);
    let weekday = (first + 6).rem_euclid(7); // Monday is 0
    let monday = first - weekday;
    if weekday > 3 {
        monday + 7
    } else {
        monday
    }
}

fn iso_week_date(year: u32, week: u32, day: u32) -> Option<(i64, u32, u32)> {
    let year = i64::from(year);
    if week == 0 || week >= 53 {
        let weekday = (ordinal(year, 1, 1) + 6).rem_euclid(7);
        let long_year = weekday == 3 || (weekday == 2 && is_leap(year));
        if week != 53 || !long_year {
            return None;
        }
    }
    if day == 0 || day >= 8 {
        return None;
    }
    let offset = i64::from((week - 1) * 7 + day - 1);
    Some(from_ordinal(week1_monday(year) + offset))
}

fn checked_date(year: i64, month: u32, day: u32) -> Option<Date> {
    if !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    Some(Date {
        year: year as u16,
        month: month as u8,
        day: day as u8,
    })
}

/// CPython's `parse_isoformat_date` on the first `len` bytes (it trusts the
/// caller's length and ignores what follows the day).
fn parse_date_part(b: &[u8], len: usize) -> Option<Date> {
    let (year, mut i) = digits(b, 0, 4)?;
    let separated = at(b, i) == b'-';
    if separated {
        i += 1;
    }
    if at(b, i) == b'W' {
        let (week, after) = digits(b, i + 1, 2)?;
        i = after;
        let day = if i < len {
            if separated {
                if at(b, i) != b'-' {
                    return None;
                }
                i += 1;
            }
            digits(b, i, 1)?.0
        } else {
            1
        };
        let (y, m, d) = iso_week_date(year, week, day)?;
        return checked_date(y, m, d);
    }
    let (month, mut i) = digits(b, i, 2)?;
    if separated {
        if at(b, i) != b'-' {
            return None;
        }
        i += 1;
    }
    let (day, _) = digits(b, i, 2)?;
    checked_date(i64::from(year), month, day)
}

/// `date.fromisoformat(text)`.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if !matches!(b.len(), 7 | 8 | 10) {
        return None;
    }
    parse_date_part(b, b.len())
}

/// Where the date ends and the separator sits (CPython's
/// `_find_isoformat_datetime_separator`); None where it gives up.
fn separator(b: &[u8]) -> Option<usize> {
    let len = b.len();
    if len == 7 {
        return Some(7);
    }
    if at(b, 4) == b'-' {
        if at(b, 5) != b'W' {
            return Some(10);
        }
        if len > 8 && at(b, 8) == b'-' {
            if len == 9 {
                return None;
            }
            if len > 10 && at(b, 10).is_ascii_digit() {
                return Some(8);
            }
            return Some(10);
        }
        return Some(8);
    }
    if at(b, 4) == b'W' {
        let mut idx = 7;
        while idx < len && b[idx].is_ascii_digit() {
            idx += 1;
        }
        if idx < 9 {
            return Some(idx);
        }
        return Some(if idx % 2 == 0 { 7 } else { 8 });
    }
    Some(8)
}

/// `HH[:?MM[:?SS[{.,}f+]]]` between `start` and `end`: (h, m, s, µs) and
/// whether anything other than the end of the text follows (CPython's
/// `parse_hh_mm_ss_ff` returns 1 then).
fn hh_mm_ss_ff(b: &[u8], start: usize, end: usize) -> Option<([u32; 4], bool)> {
    let mut values = [0u32; 4];
    let mut p = start;
    let mut has_separator = true;
    for i in 0..3 {
        let (v, after) = digits(b, p, 2)?;
        values[i] = v;
        let c = at(b, after);
        p = after + 1;
        if i == 0 {
            has_separator = c == b':';
        }
        if p >= end {
            return Some((values, c != 0));
        } else if has_separator && c == b':' {
            continue;
        } else if c == b'.' || c == b',' {
            break;
        } else if !has_separator {
            p -= 1;
        } else {
            return None;
        }
    }
    let take = end.saturating_sub(p).min(6);
    if take == 0 {
        return None;
    }
    let (micro, mut q) = digits(b, p, take)?;
    values[3] = micro * [100_000, 10_000, 1_000, 100, 10, 1][take - 1];
    while at(b, q).is_ascii_digit() {
        q += 1;
    }
    Some((values, at(b, q) != 0))
}

/// `datetime.fromisoformat(text)`.
pub fn parse_datetime(text: &str) -> Option<DateTime> {
    // CPython first swaps a non-ASCII separator (at character 7, 8 or 10)
    // for `T`, then works on the UTF-8 bytes.
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 7 {
        return None;
    }
    let owned: String;
    let mut b = text.as_bytes();
    if let Some(pos) = [7usize, 8, 10]
        .into_iter()
        .take_while(|&p| p <= chars.len())
        .find(|&p| chars.get(p).is_some_and(|c| !c.is_ascii()))
    {
        owned = chars
            .iter()
            .enumerate()
            .map(|(i, &c)| if i == pos { 'T' } else { c })
            .collect();
        b = owned.as_bytes();
    }
    let len = b.len();
    let sep = separator(b)?;
    let date = parse_date_part(b, sep)?;
    let mut out = DateTime {
        date,
        hour: 0,
        minute: 0,
        second: 0,
        microsecond: 0,
        offset: None,
    };
    if len <= sep {
        return Some(out);
    }
    let start = sep + 1;
    if start >= len {
        return None;
    }
    // The offset starts at the first Z, + or - of the time text.
    let tz = (start..len)
        .find(|&i| matches!(b[i], b'Z' | b'+' | b'-'))
        .unwrap_or(len);
    let (time, more) = hh_mm_ss_ff(b, start, tz)?;
    let [hour, minute, second, micro] = time;
    if tz >= len {
        if more {
            return None;
        }
    } else if b[tz] == b'Z' {
        if at(b, tz + 1) != 0 {
            return None;
        }
        out.offset = Some((0, 0));
    } else {
        let sign: i64 = if b[tz] == b'-' { -1 } else { 1 };
        let (offset, more) = hh_mm_ss_ff(b, tz + 1, len)?;
        if more {
            return None;
        }
        let seconds =
            sign * (i64::from(offset[0]) * 3600 + i64::from(offset[1]) * 60 + i64::from(offset[2]));
        let micros = sign * i64::from(offset[3]);
        // Python keeps only offsets strictly inside a day, and calls an
        // offset of zero seconds UTC whatever its fraction.
        if (seconds * 1_000_000 + micros).abs() >= 86_400 * 1_000_000 {
            return None;
        }
        out.offset = Some(if seconds == 0 {
            (0, 0)
        } else {
            (seconds as i32, micros as i32)
        });
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    out.hour = hour as u8;
    out.minute = minute as u8;
    out.second = second as u8;
    out.microsecond = micro;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Ymd = (u16, u8, u8);
    /// hour, minute, second, microsecond, offset (seconds, microseconds)
    type Hms = (u8, u8, u8, u32, Option<(i32, i32)>);
    type Case<T> = (&'static str, Option<T>);

    fn ymd(text: &str) -> Option<Ymd> {
        parse_date(text).map(|d| (d.year, d.month, d.day))
    }

    #[test]
    fn dates_as_python_reads_them() {
        let table: &[Case<Ymd>] = &[
            ("2024-02-29", Some((2024, 2, 29))),
            ("20240229", Some((2024, 2, 29))),
            ("2024-W09-4", Some((2024, 2, 29))),
            ("2024W094", Some((2024, 2, 29))),
            ("2024-W09", Some((2024, 2, 26))),
            ("2024W09", Some((2024, 2, 26))),
            ("2020-W53-7", Some((2021, 1, 3))),
            ("2021-W53-1", None),
            ("2023-02-29", None),
            ("2024-13-01", None),
            ("2024-1-01", None),
            ("0000-01-01", None),
            ("9999-W52-6", None),
            ("2024010100", Some((2024, 1, 1))), // CPython ignores what follows the day
            ("2024-01-01x", None),
        ];
        for &(text, expected) in table {
            assert_eq!(ymd(text), expected, "{text}");
        }
    }

    fn hms(text: &str) -> Option<Hms> {
        parse_datetime(text).map(|d| (d.hour, d.minute, d.second, d.microsecond, d.offset))
    }

    #[test]
    fn datetimes_as_python_reads_them() {
        let table: &[Case<Hms>] = &[
            ("2024-05-01T10:20:30", Some((10, 20, 30, 0, None))),
            ("2024-05-01 10:20", Some((10, 20, 0, 0, None))),
            ("20240501T1020", Some((10, 20, 0, 0, None))),
            (
                "2024-05-01T10:20:30.5Z",
                Some((10, 20, 30, 500_000, Some((0, 0)))),
            ),
            ("2024-05-01T10,5", Some((10, 0, 0, 500_000, None))),
            ("2024-05-01T10:20:30:40", Some((10, 20, 30, 400_000, None))),
            (
                "2024-05-01T10-05:00",
                Some((10, 0, 0, 0, Some((-18_000, 0)))),
            ),
            (
                "2024-05-01T10:20:30-050000.25",
                Some((10, 20, 30, 0, Some((-18_000, -250_000)))),
            ),
            (
                "2024-05-01T10:20+00:00:00.5",
                Some((10, 20, 0, 0, Some((0, 0)))),
            ),
            ("2024-05-01", Some((0, 0, 0, 0, None))),
            ("2024-05-01\u{e9}10:00", Some((10, 0, 0, 0, None))),
            ("2024W0941000", Some((10, 0, 0, 0, None))),
            ("2024W091000", Some((0, 0, 0, 0, None))),
            ("2024-05-01T24:00", None),
            ("2024-05-01T10:20:30.", None),
            ("2024-05-01T10:20+24:00", None),
            ("2024-05-01T1", None),
            ("2024-05-01T10:20Zx", None),
            ("2024-05-01T10:2030", None),
            ("2024-05-01T", None),
            ("2024-05-0\u{e9}10:00", None),
            ("2024-W09-", None),
        ];
        for &(text, expected) in table {
            assert_eq!(hms(text), expected, "{text}");
        }
    }
}
