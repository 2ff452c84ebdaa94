//! Numbers and text as pages show them: grouped numbers, percentages,
//! excerpts, and JSON safe inside a `<script>` (numerals: [`crate::numerals`]).

use serde_json::Value;

/// A number for display: integers without decimals, others to one place,
/// thousands grouped.
pub fn format_number(x: f64) -> String {
    // Tenths where a float still has them; beyond 2^53 every float is a
    // whole number (and x * 10 could overflow to infinity).
    let rounded = if x.abs() < 1e15 {
        (x * 10.0).round() / 10.0
    } else {
        x.round()
    };
    let tenth = ((rounded.fract().abs()) * 10.0).round();
    // The whole part in full, however large: a cast to i64 would stop at
    // 9,223,372,036,854,775,807.
    let digits = format!("{:.0}", rounded.trunc().abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    if tenth == 0.0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{tenth}")
    }
}

/// A percentage for display, rounded down so "100%" means done.
pub fn format_percent(p: f64) -> String {
    format!("{}%", p.floor() as i64)
}

/// Cuts plain text to about `max` characters at a sentence or word end.
pub fn excerpt(text: &str, max: usize) -> String {
    // The text with its whitespace runs made single spaces, flattened only
    // as far as needed: one character past `max` tells that it is cut.
    let mut flat = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > max {
            break;
        }
        if !flat.is_empty() {
            flat.push(' ');
            count += 1;
        }
        flat.push_str(word);
        count += word.chars().count();
    }
    if count <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let end = cut
        .rfind(['。', '；', '.', ';', ',', '，', ' '])
        .filter(|&i| i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', '，', ' ']))
}

/// JSON for a `<script type="application/ld+json">`: `<` escaped so that
/// no content text can close the script element.
pub fn json_for_script(v: &Value) -> String {
    script_safe(serde_json::to_string(v).unwrap_or_default())
}

/// JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e`,
/// `\u0026`, in one pass: [`json_for_script`] for JSON already written.
pub fn script_safe(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(format_number(4500.0), "4,500");
        assert_eq!(format_number(10000.0), "10,000");
        assert_eq!(format_number(70.0), "70");
        assert_eq!(format_number(12.34), "12.3");
        // issue #15.2: no cast cuts a large goal down to i64::MAX.
        assert_eq!(format_number(1e20), "100,000,000,000,000,000,000");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(-0.04), "0");
        assert!(format_number(1e300).starts_with("1,000,000,"));
        assert_eq!(format_percent(99.9), "99%");
    }

    #[test]
    fn excerpts_equal_those_of_the_whole_flattened_text() {
        // The excerpt as first written: flatten everything, then cut.
        fn reference(text: &str, max: usize) -> String {
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if flat.chars().count() <= max {
                return flat;
            }
            let cut: String = flat.chars().take(max).collect();
            let end = cut
                .rfind(['。', '；', '.', ';', ',', '，', ' '])
                .filter(|&i| i > cut.len() / 2)
                .unwrap_or(cut.len());
            format!("{}…", cut[..end].trim_end_matches([',', '，', ' ']))
        }
        let long = "坚持立德树人，  落实“双减”。\n\nMore  words here, and more; ".repeat(20);
        let texts = [
            "",
            "   ",
            "short",
            "exactly ten",
            "a  b\tc\n\nd",
            "一二三四五六七八九十",
            "一二三四五六七八九十一",
            long.as_str(),
        ];
        for text in texts {
            for max in [0, 1, 5, 10, 11, 12, 40, 150, 1000] {
                assert_eq!(excerpt(text, max), reference(text, max), "{text:?} {max}");
            }
        }
    }

    #[test]
    fn json_for_script_cannot_close_the_script_element() {
        let s = json_for_script(&serde_json::json!({"a": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</script"));
    }
}
