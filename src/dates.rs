//! Dates as people type them, and what TOML makes of them: strict ISO
//! dates (`2023-06-30`, the only form the content uses) and the near
//! misses (`2023/6/30`, `2023-6-30`, `2023年6月30日`, `“…”` quotes) that
//! deserve a hint showing the fix rather than a bare syntax error.

use crate::model::Date;

/// A strict `YYYY-MM-DD` date that exists (no 2023-02-30).
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    make_date(&text[..4], &text[5..7], &text[8..])
}

/// A date written almost as TOML wants it: year, month and day split by
/// `-`, `/` or `.` (months and days of one or two digits), or as
/// `2023年6月30日`; quotes around it are allowed. `None` for anything else
/// or a day that does not exist.
pub fn loose_date(text: &str) -> Option<Date> {
    let t = text.trim();
    let t = t
        .strip_prefix(['"', '\''])
        .and_then(|s| s.strip_suffix(['"', '\'']))
        .unwrap_or(t);
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    let short = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
    if y.len() != 4 || !y.bytes().all(|c| c.is_ascii_digit()) || !short(m) || !short(d) {
        return None;
    }
    make_date(y, m, d)
}

fn make_date(y: &str, m: &str, d: &str) -> Option<Date> {
    let date = Date {
        year: y.parse().ok()?,
        month: m.parse().ok()?,
        day: d.parse().ok()?,
    };
    let exists = (1..=12).contains(&date.month)
        && (1..=days_in_month(date.year, date.month)).contains(&date.day);
    exists.then_some(date)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Full-width and typographic quotes that are no TOML quote.
const FANCY_QUOTES: [char; 5] = ['“', '”', '＂', '‘', '’'];

/// A hint for a TOML line that does not parse, when the reason is one
/// people meet often: `key = “text”` (full-width quotes outside any
/// string) or `key = 2023/12/31` (a date not written `YYYY-MM-DD`, with
/// or without quotes). The hint says so and shows the line fixed.
pub fn syntax_hint(line: &str) -> Option<String> {
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let value = value.trim();
    if let Some(fixed) = straighten_quotes(value) {
        return Some(format!(
            "TOML strings need straight quotes \"…\", not full-width quotes “…”: write `{key} = {fixed}`"
        ));
    }
    let bare = value.split(" #").next().unwrap_or(value).trim();
    let date = loose_date(bare)?;
    Some(date_hint(key, bare, date))
}

/// The hint for a date written as `text` that should be `date`.
pub fn date_hint(key: &str, text: &str, date: Date) -> String {
    format!(
        "`{text}` is not a TOML date; write `{key} = {date}` (year-month-day with dashes, two-digit month and day, no quotes)"
    )
}

/// `value` with the full-width quotes that open and close strings made
/// straight (those inside them are text and stay); `None` if no string
/// is opened by one. A full-width quote closes a string where a value
/// ends: before `,`, `]`, `}`, a comment or the end of the line.
fn straighten_quotes(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    // The quote of the string we are in: `"`, `'`, or FANCY for one
    // opened by a full-width quote.
    const FANCY: char = '\0';
    let mut open: Option<char> = None;
    let mut changed = false;
    for (i, c) in value.char_indices() {
        let rest = value[i + c.len_utf8()..].trim_start();
        let at_value_end = rest.is_empty() || rest.starts_with([',', ']', '}', '#']);
        match open {
            Some(FANCY) if FANCY_QUOTES.contains(&c) && at_value_end => {
                open = None;
                out.push('"');
                continue;
            }
            Some(q) if c == q => open = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => open = Some(c),
            None if c == '#' => break,
            None if FANCY_QUOTES.contains(&c) => {
                changed = true;
                open = Some(FANCY);
                out.push('"');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    changed.then(|| out.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn iso_dates_are_strict_and_must_exist() {
        assert_eq!(parse_iso_date("2023-06-30"), Some(d(2023, 6, 30)));
        assert_eq!(parse_iso_date("2024-02-29"), Some(d(2024, 2, 29)));
        for bad in [
            "2023-6-30",
            "2023/06/30",
            "2023-02-29",
            "2023-06-31",
            "2023-13-01",
            "x",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn loose_dates_read_slashes_short_months_and_chinese_dates() {
        for text in [
            "2023/6/30",
            "2023-6-30",
            "\"2023/06/30\"",
            "2023.06.30",
            "2023年6月30日",
        ] {
            assert_eq!(loose_date(text), Some(d(2023, 6, 30)), "{text}");
        }
        assert_eq!(loose_date("2023/6/31"), None);
        assert_eq!(loose_date("16"), None);
        assert_eq!(loose_date("\"推进中\""), None);
    }

    // issue #19.3
    #[test]
    fn syntax_hints_show_the_line_fixed() {
        assert_eq!(
            syntax_hint("due = 2023/12/31").unwrap(),
            "`2023/12/31` is not a TOML date; write `due = 2023-12-31` (year-month-day with dashes, two-digit month and day, no quotes)"
        );
        assert!(
            syntax_hint("date = \"2023-6-30\"")
                .unwrap()
                .contains("`date = 2023-06-30`")
        );
        assert_eq!(
            syntax_hint("title = “推进“双减”工作” # note").unwrap(),
            "TOML strings need straight quotes \"…\", not full-width quotes “…”: write `title = \"推进“双减”工作\"`"
        );
        // Full-width quotes inside a proper string are text, not a mistake.
        assert_eq!(syntax_hint("title = \"推进“双减”工作\" x"), None);
        assert!(
            syntax_hint("tags = [“安全”, “学前”]")
                .unwrap()
                .ends_with("`tags = [\"安全\", \"学前\"]`")
        );
        assert_eq!(syntax_hint("goal = 16 16"), None);
    }
}
