//! Chinese typography at render time (issue #20.7). The content files and
//! `source.zh.txt` stay verbatim; only what pages show changes:
//!
//! * ASCII `,` `:` `;` `?` `!` `(` `)` next to a Chinese character are
//!   shown in their full-width forms (the 2023 plan's conversion to text
//!   lost them: "总体要求是:坚持").
//! * a body that is one long paragraph may be shown as several, split
//!   after each `。` (see [`split_long_paragraphs`]).

use std::borrow::Cow;

/// Whether `c` is a Chinese character or full-width punctuation: what
/// makes an ASCII mark next to it Chinese punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'       // CJK unified ideographs
        | '\u{3400}'..='\u{4DBF}'     // extension A
        | '\u{F900}'..='\u{FAFF}'     // compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}'   // extensions B–F, compatibility supplement
        | '\u{3000}'..='\u{303F}'     // CJK punctuation (、。《》「」…)
        | '\u{FF01}'..='\u{FF60}') // full-width forms
}

fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

/// `text` with each ASCII `,:;?!()` that touches a Chinese character (the
/// character before it, or after it) in its full-width form. Text without
/// such a mark is returned as it is.
pub fn full_width_punctuation(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Option<String> = None;
    for (i, &c) in chars.iter().enumerate() {
        let wide = full_width(c).filter(|_| {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            // An opening bracket belongs to what follows, a closing one
            // and the other marks to what precedes; either side counts so
            // that "(一)" and "是:坚持" both change, "f(x)" and "1,000" not.
            before.is_some_and(is_chinese) || after.is_some_and(is_chinese)
        });
        match (wide, &mut out) {
            (Some(w), Some(s)) => s.push(w),
            (Some(w), None) => {
                let mut s: String = chars[..i].iter().collect();
                s.push(w);
                out = Some(s);
            }
            (None, Some(s)) => s.push(c),
            (None, None) => {}
        }
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Bodies longer than this many characters, written as one paragraph, are
/// shown split after each `。`.
pub const SPLIT_PARAGRAPHS_OVER_CHARS: usize = 200;

/// A Markdown body that is a single plain paragraph of more than
/// [`SPLIT_PARAGRAPHS_OVER_CHARS`] characters, split into paragraphs after
/// each `。` (one blank line between them); any other body as it is. A
/// body with more than one paragraph, a list, a heading, a table, a quote
/// or code was laid out by its author and is left alone.
pub fn split_long_paragraphs(body: &str) -> Cow<'_, str> {
    let trimmed = body.trim();
    // Lines, not "\n\n": a file with CRLF line endings says the same.
    let laid_out = trimmed.lines().any(|l| {
        let l = l.trim_start();
        l.is_empty()
            || l.starts_with(['#', '-', '*', '+', '>', '|', '`'])
            || l.split_once(". ")
                .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
    });
    if laid_out || trimmed.chars().count() <= SPLIT_PARAGRAPHS_OVER_CHARS {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len() + 16);
    let mut sentences = trimmed.split_inclusive('。').peekable();
    while let Some(s) = sentences.next() {
        // A line break inside a sentence stays one, as `\n` whatever the
        // file's line endings.
        out.push_str(&s.trim().replace("\r\n", "\n"));
        if sentences.peek().is_some() {
            out.push_str("\n\n");
        }
    }
    out.push('\n');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_marks_touching_chinese_become_full_width() {
        assert_eq!(
            full_width_punctuation("总体要求是:坚持以人民为中心,加快发展;行吗?好!(一)"),
            "总体要求是：坚持以人民为中心，加快发展；行吗？好！（一）"
        );
    }

    #[test]
    fn ascii_marks_between_latin_or_digits_stay() {
        for s in ["f(x), 1,000; a:b? ok!", "2023-04-02", "(see item 16)"] {
            assert!(matches!(full_width_punctuation(s), Cow::Borrowed(_)), "{s}");
        }
        assert_eq!(full_width_punctuation("共1,000所,其中"), "共1,000所，其中");
    }

    #[test]
    fn long_single_paragraphs_split_after_each_full_stop() {
        let sentence = "推进农村寄宿制小学建设工作，全年新开工三十二所乡镇寄宿制小学。";
        let long = sentence.repeat(8);
        assert!(long.chars().count() > SPLIT_PARAGRAPHS_OVER_CHARS);
        let split = split_long_paragraphs(&long);
        assert_eq!(split.matches("\n\n").count(), 7);
        assert_eq!(split.replace("\n", ""), long);
        // Short bodies and bodies laid out by their author stay.
        assert!(matches!(split_long_paragraphs(sentence), Cow::Borrowed(_)));
        let laid_out = format!("{sentence}\n\n{long}");
        assert!(matches!(split_long_paragraphs(&laid_out), Cow::Borrowed(_)));
        let crlf = format!("{sentence}\r\n\r\n{long}");
        assert!(matches!(split_long_paragraphs(&crlf), Cow::Borrowed(_)));
        let wrapped = long.replacen('，', "，\r\n", 1);
        assert_eq!(
            split_long_paragraphs(&wrapped),
            split_long_paragraphs(&long.replacen('，', "，\n", 1))
        );
        let list = format!("- {long}");
        assert!(matches!(split_long_paragraphs(&list), Cow::Borrowed(_)));
    }
}
