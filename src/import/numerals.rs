//! The numbers of plan documents: section headings (`一、`), sub-headings
//! (`（二）`) and item numbers in ASCII or full-width digits. The numerals
//! themselves are read and written by [`crate::numerals`].

pub(super) use crate::numerals::{arabic_digit, chinese_number, decimal_digit};

/// `一、加强…` → (1, "加强…"); numerals 一 to 九十九.
pub fn section_heading(text: &str) -> Option<(u32, &str)> {
    let (number, used) = chinese_number(text)?;
    let rest = text[used..].trim_start().strip_prefix('、')?;
    let rest = rest.trim_start();
    (!rest.is_empty()).then_some((number, rest))
}

/// `11. 推进…`, `12、加快…`, `１３．深入…`, `4）统筹…` → (number, text after the
/// prefix). Not `12.4 国家宪法日` nor `2.0` (a digit after the dot).
pub fn item_start(text: &str) -> Option<(u32, &str)> {
    let mut number = 0u32;
    let mut digits = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        match arabic_digit(c) {
            Some(d) => {
                number = number.checked_mul(10)?.checked_add(d)?;
                digits += 1;
                end = i + c.len_utf8();
            }
            None => break,
        }
    }
    if digits == 0 || digits > 4 || number == 0 {
        return None;
    }
    let rest = &text[end..];
    let delimiter = rest.chars().next()?;
    if !matches!(delimiter, '.' | '．' | '、' | ')' | '）') {
        return None;
    }
    let rest = &rest[delimiter.len_utf8()..];
    if rest.chars().next().and_then(arabic_digit).is_some() {
        return None;
    }
    Some((number, rest.trim_start()))
}

/// `（一）…`, `(二)…`: a sub-heading inside a section.
pub(super) fn is_sub_heading(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('（').or_else(|| text.strip_prefix('(')) else {
        return false;
    };
    let Some((_, used)) = chinese_number(rest) else {
        return false;
    };
    rest[used..].starts_with('）') || rest[used..].starts_with(')')
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}
