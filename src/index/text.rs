//! The text kept of each document for its result snippet: the body with
//! its white space collapsed, cut at a width.

use super::tokenize;

/// The display width of a character: 2 for a wide (CJK) one, else 1.
pub(super) fn char_width(c: char) -> usize {
    if (c as u32) >= 0x2E80 { 2 } else { 1 }
}

/// The beginning of a body with its white space collapsed, at most
/// `max_width` wide (see [`char_width`]), ending with `…` when cut.
pub(super) fn excerpt(body: &str, max_width: usize) -> String {
    // The collapsed text (`split_whitespace` words joined by single
    // spaces), as far as the first character past the width, `end`.
    let mut chars: Vec<char> = Vec::with_capacity(max_width.min(body.len()) + 1);
    let mut width = 0;
    let mut end = None;
    let mut space = false;
    for c in body.chars() {
        if c.is_whitespace() {
            space = !chars.is_empty();
            continue;
        }
        for c in space.then_some(' ').into_iter().chain([c]) {
            chars.push(c);
            width += char_width(c);
            if width > max_width {
                end = Some(chars.len() - 1);
                break;
            }
        }
        space = false;
        if end.is_some() {
            break;
        }
    }
    let Some(mut end) = end else {
        return chars.into_iter().collect();
    };
    // Do not cut a word in two: back up to a space when one is near.
    if chars[end].is_alphanumeric()
        && !tokenize::is_han(chars[end])
        && let Some(space) = (end.saturating_sub(30)..end)
            .rev()
            .find(|&i| chars[i] == ' ')
    {
        end = space;
    }
    let mut out: String = chars[..end].iter().collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::tests::varied_documents;

    const EXCERPT_WIDTH: usize = 320;

    /// The excerpt as first written: collapse all white space, then cut.
    fn excerpt_reference(body: &str, max_width: usize) -> String {
        let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars: Vec<char> = collapsed.chars().collect();
        let mut width = 0;
        let mut end = chars.len();
        for (i, &c) in chars.iter().enumerate() {
            width += if (c as u32) >= 0x2E80 { 2 } else { 1 };
            if width > max_width {
                end = i;
                break;
            }
        }
        if end == chars.len() {
            return collapsed;
        }
        if chars[end].is_alphanumeric()
            && !tokenize::is_han(chars[end])
            && let Some(space) = (end.saturating_sub(30)..end)
                .rev()
                .find(|&i| chars[i] == ' ')
        {
            end = space;
        }
        let mut out: String = chars[..end].iter().collect();
        out.truncate(out.trim_end().len());
        out.push('…');
        out
    }

    #[test]
    fn excerpts_equal_the_reference() {
        let mut bodies: Vec<String> = varied_documents().into_iter().map(|d| d.body).collect();
        for n in [0, 1, 159, 160, 161, 318, 319, 320, 321, 322] {
            bodies.push("a".repeat(n));
            bodies.push("教".repeat(n / 2) + &" x".repeat(n % 7));
            bodies.push(format!("  \t{} \u{3000}\n word", "ab ".repeat(n / 3)));
            bodies.push("word ".repeat(n / 5) + "\u{2003}" + &"长".repeat(n % 11) + "   ");
        }
        for body in &bodies {
            for max_width in [EXCERPT_WIDTH, 100, 1000] {
                assert_eq!(
                    excerpt(body, max_width),
                    excerpt_reference(body, max_width),
                    "{body:?}"
                );
            }
        }
    }

    #[test]
    fn excerpts_are_bounded_and_keep_words_whole() {
        let zh = "教".repeat(400);
        assert_eq!(
            excerpt(&zh, EXCERPT_WIDTH).chars().count(),
            EXCERPT_WIDTH / 2 + 1
        );
        let en = "kindergartens and schools ".repeat(40);
        let e = excerpt(&en, EXCERPT_WIDTH);
        assert!(
            e.len() <= EXCERPT_WIDTH + 3 && e.len() > EXCERPT_WIDTH - 30,
            "{e}"
        );
        assert!(
            e.ends_with("kindergartens…") || e.ends_with("and…") || e.ends_with("schools…"),
            "{e}"
        );
        assert_eq!(excerpt("short\n text", EXCERPT_WIDTH), "short text");
    }
}
