//! The Markdown dialect of content: the pulldown-cmark options both the
//! renderer and validation parse with, and the nesting limit validation
//! enforces so that rendering stays fast (a leaf module: validation must
//! not depend on rendering).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The extensions content may use: tables, footnotes, strikethrough and
/// `{#id}` heading attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// How deep a document may nest elements (Markdown's and raw HTML's
/// together). A document with raw HTML goes through the sanitizer, whose
/// HTML parser checks the open elements at every tag: its time grows with
/// the nesting times the number of tags (100,000 nested `<div>` took 25 s);
/// and every level is written out twice on the page (a million `>` made
/// 50 MB of pages). Written content nests a dozen levels; 128 keeps a 1 MB
/// file well under a second.
pub const MAX_NESTING: usize = 128;

/// Elements that never hold others.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose start tag closes an open one of the same name.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb",
    "rt", "rtc", "rp", "colgroup", "caption",
];

/// The byte offset in `source` where its elements first nest deeper than
/// [`MAX_NESTING`], if they do. Raw HTML is counted as the sanitizer's
/// parser would keep it, closely enough: a start tag opens an element
/// unless it is void, an end tag closes up to the open element of its
/// name, and `<p>`, `<li>` and the like close an open sibling of their
/// name.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "pulldown-cmark's events: only tags and raw HTML nest"
)]
pub fn too_deep_nesting(source: &str) -> Option<usize> {
    let mut markdown_depth = 0usize;
    let mut open: Vec<String> = Vec::new();
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        match &event {
            // An HTML block is no element of its own: its lines are.
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(_) => markdown_depth += 1,
            Event::End(_) => markdown_depth = markdown_depth.saturating_sub(1),
            Event::Html(h) | Event::InlineHtml(h) => {
                let bytes = h.as_bytes();
                let mut i = 0;
                while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
                    let at = i + lt;
                    i = at + 1;
                    if bytes[i..].starts_with(b"!--") {
                        i = memchr::memmem::find(&bytes[i..], b"-->")
                            .map_or(bytes.len(), |e| i + e + 3);
                        continue;
                    }
                    let closing = bytes.get(i) == Some(&b'/');
                    let name_start = i + usize::from(closing);
                    let name_end = bytes[name_start..]
                        .iter()
                        .position(|b| !b.is_ascii_alphanumeric())
                        .map_or(bytes.len(), |n| name_start + n);
                    if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
                        continue;
                    }
                    let name = h[name_start..name_end].to_ascii_lowercase();
                    if closing {
                        if let Some(at) = open.iter().rposition(|n| *n == name) {
                            open.truncate(at);
                        }
                    } else if !VOID_ELEMENTS.contains(&name.as_str()) {
                        if SELF_CLOSING_SIBLINGS.contains(&name.as_str())
                            && open.last() == Some(&name)
                        {
                            open.pop();
                        }
                        open.push(name);
                        if markdown_depth + open.len() > MAX_NESTING {
                            return Some((range.start + at).min(range.end));
                        }
                    }
                }
            }
            _ => {}
        }
        if markdown_depth + open.len() > MAX_NESTING {
            return Some(range.start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue #15.15
    #[test]
    fn nesting_deeper_than_the_limit_is_found_where_it_starts() {
        let deep = "<div>".repeat(MAX_NESTING + 1);
        assert_eq!(too_deep_nesting(&deep), Some(MAX_NESTING * 5));
        let quotes = ">".repeat(MAX_NESTING + 1);
        assert!(too_deep_nesting(&quotes).is_some());
        // Markdown and HTML add up: a quote inside 128 divs.
        let mixed = format!("{}\n\n> quoted\n", "<div>".repeat(MAX_NESTING));
        assert!(too_deep_nesting(&mixed).is_some(), "{mixed}");
        // Wide is not deep: closed, void, sibling-closing and end tags.
        for fine in [
            "<div></div>".repeat(10_000),
            "<br><img src=a.png>".repeat(10_000),
            "<p>a".repeat(10_000),
            format!("<ul>{}</ul>", "<li>a".repeat(10_000)),
            "</b>".repeat(10_000),
            format!(
                "{}{}",
                "<div>".repeat(MAX_NESTING - 1),
                "<span></span>".repeat(1000)
            ),
            "<!-- <div><div><div> -->".repeat(1000),
            "`<div>`".repeat(10_000),
        ] {
            assert_eq!(too_deep_nesting(&fine), None, "{}", &fine[..40]);
        }
    }
}
