//! Chinese and Roman numerals, written and read: the one place that knows
//! them. Pages write section numerals with them (`section-numeral` in a
//! language's strings: `{chinese}`, `{roman}`), `planpub import` reads a
//! plan document's `一、` and `（二）` with them and writes the numbers of
//! Word's automatic lists (`chineseCounting`, `upperRoman`, …).

/// The digits 〇 一 … 九 of Chinese counting.
const CHINESE_DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// The digits 零 壹 … 玖 of the financial ("legal") style.
const LEGAL_DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// A section numeral as plan documents write them: 1 → 一, 10 → 十,
/// 12 → 十二, 20 → 二十, up to 九十九; other numbers in decimal digits.
pub fn chinese(n: u32) -> String {
    if (1..=99).contains(&n) {
        chinese_counting(n, false)
    } else {
        n.to_string()
    }
}

/// Chinese counting up to 9999 as Word writes it: 1 → 一, 10 → 十,
/// 21 → 二十一, 105 → 一百〇五, 1010 → 一千〇一十; 0 → 〇; beyond 9999,
/// decimal digits. `legal` writes the financial style (壹拾贰, 零 as its
/// zero), with the tens digit always written.
pub fn chinese_counting(value: u32, legal: bool) -> String {
    let (digits, units) = if legal {
        (&LEGAL_DIGITS, ['拾', '佰', '仟'])
    } else {
        (&CHINESE_DIGITS, ['十', '百', '千'])
    };
    if value == 0 {
        return digits[0].to_string();
    }
    if value > 9999 {
        return value.to_string();
    }
    let zero = digits[0];
    let (thousands, hundreds, tens, ones) =
        (value / 1000, value / 100 % 10, value / 10 % 10, value % 10);
    let digit = |d: u32| digits[d as usize];
    let mut text = String::new();
    if thousands > 0 {
        text.extend([digit(thousands), units[2]]);
    }
    if hundreds > 0 {
        text.extend([digit(hundreds), units[1]]);
    } else if thousands > 0 && tens + ones > 0 {
        text.push(zero);
    }
    if tens > 0 {
        if legal || tens > 1 || value >= 100 {
            text.push(digit(tens));
        }
        text.push(units[0]);
    } else if hundreds > 0 && ones > 0 {
        text.push(zero);
    }
    if ones > 0 {
        text.push(digit(ones));
    }
    text
}

/// A number digit by digit in Chinese digits: 105 → 一〇五, 2023 → 二〇二三.
pub fn chinese_digit_by_digit(value: u32) -> String {
    value
        .to_string()
        .chars()
        .map(|c| CHINESE_DIGITS[c as usize - '0' as usize])
        .collect()
}

/// Roman numerals up to 3999: 7 → VII, 14 → XIV; 0 and beyond 3999,
/// decimal digits.
pub fn roman(value: u32) -> String {
    if !(1..4000).contains(&value) {
        return value.to_string();
    }
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = value;
    let mut text = String::new();
    for (n, numeral) in NUMERALS {
        while rest >= n {
            text.push_str(numeral);
            rest -= n;
        }
    }
    text
}

/// A Chinese digit 一 … 九 as its value (not 〇: see [`decimal_digit`]).
pub fn chinese_digit(c: char) -> Option<u32> {
    CHINESE_DIGITS[1..]
        .iter()
        .position(|&d| d == c)
        .map(|p| p as u32 + 1)
}

/// 0–9 in ASCII or full-width digits.
pub fn arabic_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// 0–9 in ASCII or full-width digits, or as a Chinese digit in a year
/// (二〇二三: 一 … 九, 〇, ○, 零).
pub fn decimal_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '○' | '零' => Some(0),
        _ => arabic_digit(c).or_else(|| chinese_digit(c)),
    }
}

/// A Chinese number from 1 to 99 at the start of `text` (一, 十, 十二, 二十,
/// 二十三) and the bytes it takes: what [`chinese`] writes, read back.
pub fn chinese_number(text: &str) -> Option<(u32, usize)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_numerals_are_written_as_plan_documents_write_them() {
        assert_eq!(chinese(1), "一");
        assert_eq!(chinese(7), "七");
        assert_eq!(chinese(10), "十");
        assert_eq!(chinese(12), "十二");
        assert_eq!(chinese(20), "二十");
        assert_eq!(chinese(40), "四十");
        assert_eq!(chinese(99), "九十九");
        assert_eq!(chinese(100), "100");
        assert_eq!(chinese(0), "0");
    }

    #[test]
    fn every_section_numeral_reads_back_as_its_number() {
        for n in 1..=99 {
            let text = chinese(n);
            assert_eq!(chinese_number(&text), Some((n, text.len())), "{text}");
            let heading = format!("{text}、加强");
            assert_eq!(chinese_number(&heading), Some((n, text.len())), "{heading}");
        }
        assert_eq!(chinese_number("一二"), None);
        assert_eq!(chinese_number("加强"), None);
        assert_eq!(chinese_number(""), None);
    }

    #[test]
    fn chinese_counting_writes_zeros_and_units_as_word_does() {
        assert_eq!(chinese_counting(0, false), "〇");
        assert_eq!(chinese_counting(11, false), "十一");
        assert_eq!(chinese_counting(100, false), "一百");
        assert_eq!(chinese_counting(105, false), "一百〇五");
        assert_eq!(chinese_counting(110, false), "一百一十");
        assert_eq!(chinese_counting(1010, false), "一千〇一十");
        assert_eq!(chinese_counting(9999, false), "九千九百九十九");
        assert_eq!(chinese_counting(10000, false), "10000");
        assert_eq!(chinese_counting(12, true), "壹拾贰");
        assert_eq!(chinese_counting(0, true), "零");
        assert_eq!(chinese_digit_by_digit(105), "一〇五");
        assert_eq!(chinese_digit_by_digit(2023), "二〇二三");
    }

    #[test]
    fn roman_numerals_up_to_3999_then_decimal() {
        assert_eq!(roman(1), "I");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(7), "VII");
        assert_eq!(roman(14), "XIV");
        assert_eq!(roman(1994), "MCMXCIV");
        assert_eq!(roman(3999), "MMMCMXCIX");
        assert_eq!(roman(0), "0");
        assert_eq!(roman(4000), "4000");
    }

    #[test]
    fn digits_are_read_in_ascii_full_width_and_chinese() {
        assert_eq!(arabic_digit('7'), Some(7));
        assert_eq!(arabic_digit('７'), Some(7));
        assert_eq!(arabic_digit('七'), None);
        assert_eq!(decimal_digit('七'), Some(7));
        assert_eq!(decimal_digit('〇'), Some(0));
        assert_eq!(decimal_digit('○'), Some(0));
        assert_eq!(decimal_digit('零'), Some(0));
        assert_eq!(chinese_digit('〇'), None);
        assert_eq!(chinese_digit('九'), Some(9));
    }
}
