//! How Python reads text that holds a number: which characters are
//! whitespace (`str.isspace`) and which are decimal digits (any script's,
//! Unicode category Nd). Typed route parameters convert the way Heaven
//! 2.4.3's `int()`/`float()` did, so they read these the same way.
//! Tables from Unicode 14.0, the database of Python 3.11.

/// The first code point (digit zero) of every run of ten Nd digits.
const DECIMAL_ZEROS: [u32; 66] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Python's `str.isspace()` for one character.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The value of a decimal digit of any script (`unicodedata.decimal`).
pub fn decimal(c: char) -> Option<u8> {
    let code = c as u32;
    if c.is_ascii() {
        return c.to_digit(10).map(|d| d as u8);
    }
    let at = DECIMAL_ZEROS.partition_point(|&zero| zero <= code);
    let zero = DECIMAL_ZEROS[at.checked_sub(1)?];
    (code - zero < 10).then(|| (code - zero) as u8)
}

/// What CPython does before parsing a number out of `str`
/// (`_PyUnicode_TransformDecimalAndSpaceToASCII`): whitespace becomes a
/// space, a digit of any script its ASCII digit. `None` when another
/// non-ASCII character is left, which no number can contain.
pub fn ascii_number_text(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if text.is_ascii() {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if is_space(c) {
            out.push(' ');
        } else {
            out.push(char::from(b'0' + decimal(c)?));
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

/// Python's `str.strip()` (whitespace as `str.isspace` sees it).
pub fn strip(text: &str) -> &str {
    text.trim_matches(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_every_script() {
        let table: &[(char, Option<u8>)] = &[
            ('0', Some(0)),
            ('9', Some(9)),
            ('a', None),
            ('\u{663}', Some(3)),  // ARABIC-INDIC DIGIT THREE
            ('\u{ff15}', Some(5)), // FULLWIDTH DIGIT FIVE
            ('\u{1d7ce}', Some(0)),
            ('\u{b2}', None), // SUPERSCRIPT TWO is not a decimal digit
            ('\u{2160}', None),
        ];
        for &(c, value) in table {
            assert_eq!(decimal(c), value, "{c:?}");
        }
    }

    #[test]
    fn python_whitespace() {
        for c in [
            '\t', '\n', '\u{b}', '\u{1c}', ' ', '\u{85}', '\u{a0}', '\u{3000}',
        ] {
            assert!(is_space(c), "{c:?}");
        }
        for c in ['a', '\u{200b}', '\u{feff}', '_'] {
            assert!(!is_space(c), "{c:?}");
        }
        assert_eq!(ascii_number_text("\u{663}\u{a0}").as_deref(), Some("3 "));
        assert_eq!(ascii_number_text("1\u{e9}"), None);
    }
}
