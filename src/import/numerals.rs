//! The numbers of plan documents: section numerals (一 to 九十九), item
//! numbers in ASCII or full-width digits, and the digits of dates.

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

/// 0–9 in ASCII or full-width digits.
pub(super) fn arabic_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// 0–9 in ASCII or full-width digits, or as a Chinese digit in a year
/// (二〇二三: 一 … 九, 〇, ○, 零).
pub(super) fn decimal_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '○' | '零' => Some(0),
        _ => arabic_digit(c).or_else(|| chinese_digit(c)),
    }
}

pub(super) fn chinese_digit(c: char) -> Option<u32> {
    "一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32 + 1)
}

/// A Chinese number from 1 to 99 at the start of `text` (一, 十, 十二, 二十,
/// 二十三) and the bytes it takes.
pub(super) fn chinese_number(text: &str) -> Option<(u32, usize)> {
    let mut chars = text.char_indices().peekable();
    let mut value = 0;
    let mut end = 0;
    if let Some(&(i, c)) = chars.peek()
        && let Some(d) = chinese_digit(c)
    {
        value = d;
        end = i + c.len_utf8();
        chars.next();
    }
    if let Some(&(i, '十')) = chars.peek() {
        value = if value == 0 { 10 } else { value * 10 };
        end = i + '十'.len_utf8();
        chars.next();
        if let Some(&(i, c)) = chars.peek()
            && let Some(d) = chinese_digit(c)
        {
            value += d;
            end = i + c.len_utf8();
        }
    } else if chars
        .peek()
        .is_some_and(|&(_, c)| chinese_digit(c).is_some())
    {
        // 一二: not a number of this kind.
        return None;
    }
    (value > 0).then_some((value, end))
}

/// 1 → 一, 12 → 十二, 20 → 二十 (numbers up to 99).
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            DIGITS[(n % 10) as usize]
        ),
        _ => n.to_string(),
    }
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}
