//! Markdown → safe HTML, plus the plain text of the same document (for
//! search, descriptions and the data files).
//!
//! Content is untrusted. Links and images keep only safe URL schemes; raw
//! HTML, when a document has any, sends the whole output through ammonia.
//! Documents without raw HTML (nearly all) skip the HTML parser: the
//! events pulldown-cmark emits are escaped by construction.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderedMarkdown {
    pub html: String,
    pub text: String,
}

/// A URL is kept if it is relative, a fragment, or http(s)/mailto/tel.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a '/', '?' or '#' is part of a relative path.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto" | "tel")
        }
    }
}

/// Site-relative links (`/2023/16/`) get the base path prepended so they
/// work under a path prefix; other safe URLs stay; unsafe ones become `#`.
fn rewrite_url<'a>(url: CowStr<'a>, base_path: &str) -> CowStr<'a> {
    if !is_safe_url(&url) {
        return CowStr::Borrowed("#");
    }
    if url.starts_with('/') && !url.starts_with("//") && base_path != "/" {
        return CowStr::Boxed(
            format!("{}{}", base_path.trim_end_matches('/'), url).into_boxed_str(),
        );
    }
    url
}

/// A heading id from its text: lowercase, spaces to dashes, Han kept.
fn heading_id(text: &str, used: &mut BTreeMap<String, usize>) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_string();
    let id = if id.is_empty() {
        "section".to_string()
    } else {
        id
    };
    let n = used.entry(id.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        id
    } else {
        format!("{id}-{}", *n - 1)
    }
}

/// A heading being read: its level, id and classes as written, and the
/// events inside it.
type OpenHeading<'a> = (
    HeadingLevel,
    Option<CowStr<'a>>,
    Vec<CowStr<'a>>,
    Vec<Event<'a>>,
);

/// Renders a Markdown document. `base_path` is the site's path prefix.
pub fn render_markdown(source: &str, base_path: &str) -> RenderedMarkdown {
    let mut r = Renderer {
        base_path,
        has_raw_html: false,
        text: String::new(),
        events: Vec::new(),
        heading: None,
        used_ids: BTreeMap::new(),
        code: None,
        highlight_budget: MAX_HIGHLIGHTED_BYTES,
    };
    // Adjacent text merged, so that a mark's neighbours are seen whatever
    // split the parser made.
    let events =
        pulldown_cmark::TextMergeStream::new(Parser::new_ext(source, crate::dialect::options()));
    for event in events {
        push_plain_text(&mut r.text, &event);
        if r.code.is_some() {
            r.in_code_block(event);
            continue;
        }
        if let Some(event) = r.rewrite(event) {
            match &mut r.heading {
                Some((_, _, _, inner)) => inner.push(event),
                None => r.events.push(event),
            }
        }
    }
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, r.events.into_iter());
    if r.has_raw_html {
        out = sanitizer().clean(&out).to_string();
    }
    RenderedMarkdown {
        html: out,
        text: collapse_whitespace(&r.text),
    }
}

/// A document as it is rendered: the events so far, and what is open.
struct Renderer<'a, 's> {
    base_path: &'s str,
    has_raw_html: bool,
    /// The plain text, for search and descriptions.
    text: String,
    events: Vec<Event<'a>>,
    /// A heading being read (its id is made from its text at its end).
    heading: Option<OpenHeading<'a>>,
    used_ids: BTreeMap<String, usize>,
    /// A code block being read: its language and text.
    code: Option<(String, String)>,
    /// How many more bytes of code may be highlighted.
    highlight_budget: usize,
}

/// Adds what an event says to the plain text.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "pulldown-cmark's events: only these add text"
)]
fn push_plain_text(text: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        Event::SoftBreak | Event::HardBreak => text.push(' '),
        Event::End(
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::CodeBlock,
        ) => text.push('\n'),
        _ => {}
    }
}

impl<'a> Renderer<'a, '_> {
    /// An event inside a code block: its text is collected, and at its end
    /// the block is highlighted (within the budget) or shown plain.
    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "pulldown-cmark's events: a code block holds only text"
    )]
    fn in_code_block(&mut self, event: Event<'a>) {
        let Some((lang, buf)) = &mut self.code else {
            return;
        };
        match event {
            Event::Text(t) => buf.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let html = if buf.len() <= self.highlight_budget {
                    self.highlight_budget -= buf.len();
                    highlight_code(buf, lang)
                } else {
                    plain_code(buf, lang)
                };
                self.events
                    .push(Event::Html(CowStr::Boxed(html.into_boxed_str())));
                self.code = None;
            }
            _ => {}
        }
    }

    /// An event as it goes to the page: raw HTML noted (it is sanitized),
    /// link and image URLs rewritten, code blocks and headings opened and
    /// headings closed with their id; `None` when it is held back.
    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "pulldown-cmark's events: every other event passes as it is"
    )]
    fn rewrite(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        Some(match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                self.has_raw_html = true;
                Event::Html(h)
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: rewrite_url(dest_url, self.base_path),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: rewrite_url(dest_url, self.base_path),
                title,
                id,
            }),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split([' ', ',']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
                return None;
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            }) => {
                self.heading = Some((level, id, classes, Vec::new()));
                return None;
            }
            Event::End(TagEnd::Heading(_)) => {
                self.close_heading();
                return None;
            }
            // Chinese punctuation shown full-width (issue #20.7); the
            // plain text for search keeps the source's marks.
            Event::Text(t) => match super::typography::full_width_punctuation(&t) {
                std::borrow::Cow::Borrowed(_) => Event::Text(t),
                std::borrow::Cow::Owned(s) => Event::Text(s.into()),
            },
            other => other,
        })
    }

    /// The heading read so far, with an id made from its `{#id}` or its
    /// text (unique on the page).
    fn close_heading(&mut self) {
        let Some((level, id, classes, inner)) = self.heading.take() else {
            return;
        };
        let plain: String = inner
            .iter()
            .filter_map(|e| {
                if let Event::Text(t) | Event::Code(t) = e {
                    Some(t.as_ref())
                } else {
                    None
                }
            })
            .collect();
        let id = heading_id(id.as_deref().unwrap_or(&plain), &mut self.used_ids);
        self.events.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::Boxed(id.into_boxed_str())),
            classes,
            attrs: Vec::new(),
        }));
        self.events.extend(inner);
        self.events.push(Event::End(TagEnd::Heading(level)));
    }
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for para in s.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(para);
    }
    out
}

/// The HTML sanitizer for content with raw HTML: ammonia's defaults (no
/// script, style, event handlers or javascript: URLs) plus the classes and
/// ids our own Markdown output uses.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class"]);
        b.add_tags(["figure", "figcaption", "section"]);
        b.url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
        b.link_rel(Some("noopener noreferrer"));
        b
    })
}

/// How much code a document may have highlighted; blocks beyond are shown
/// as plain text. Highlighting reads some 150 KB a second (1 MB of Rust
/// took 6.6 s), and a work plan has little code if any.
pub const MAX_HIGHLIGHTED_BYTES: usize = 32 * 1024;

/// A code block without highlighting, its language kept as a class.
fn plain_code(code: &str, lang: &str) -> String {
    let escaped_lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '+')
        .collect();
    if escaped_lang.is_empty() {
        format!("<pre><code>{}</code></pre>\n", escape_html(code))
    } else {
        format!(
            "<pre><code class=\"language-{escaped_lang}\">{}</code></pre>\n",
            escape_html(code)
        )
    }
}

/// Highlights a fenced code block with CSS classes (no inline styles), so
/// that the theme's stylesheet decides the colours and a strict CSP holds.
fn highlight_code(code: &str, lang: &str) -> String {
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::parsing::SyntaxSet;
    use syntect::util::LinesWithEndings;
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    let escaped_lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '+')
        .collect();
    if escaped_lang.is_empty() {
        return format!("<pre><code>{}</code></pre>\n", escape_html(code));
    }
    let syntaxes = SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines);
    let Some(syntax) = syntaxes.find_syntax_by_token(&escaped_lang) else {
        return format!(
            "<pre><code class=\"language-{escaped_lang}\">{}</code></pre>\n",
            escape_html(code)
        );
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        syntaxes,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!(
                "<pre><code class=\"language-{escaped_lang}\">{}</code></pre>\n",
                escape_html(code)
            );
        }
    }
    format!(
        "<pre class=\"highlight\"><code class=\"language-{escaped_lang}\">{}</code></pre>\n",
        generator.finalize()
    )
}

/// [`escape_html`] in the shape tera's `set_escape_fn` wants.
pub fn escape_html_str(s: &str) -> String {
    escape_html(s)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_html_with(s, |part| out.push_str(part));
    out
}

/// The one HTML escaper (`&<>"'`): hands `push` the runs of `s` that need
/// nothing and the entity of each character that does, in order. tera's
/// escaper ([`escape_html`]) and the compiled templates
/// (src/render/native) write through it.
pub fn escape_html_with(s: &str, mut push: impl FnMut(&str)) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The five are ASCII: `i` is a character boundary.
        push(&s[start..i]);
        push(entity);
        start = i + 1;
    }
    push(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue #15.15
    #[test]
    fn code_beyond_the_highlighting_budget_is_shown_plain() {
        let block = format!("```rust\n{}```\n\n", "let x = 1;\n".repeat(1000));
        let small = render_markdown(&block, "/");
        assert!(small.html.contains("hl-"), "{}", &small.html[..200]);
        let many = block.repeat(MAX_HIGHLIGHTED_BYTES / 11_000 + 2);
        let big = render_markdown(&many, "/");
        let highlighted = big.html.matches("<pre class=\"highlight\">").count();
        let plain = big
            .html
            .matches("<pre><code class=\"language-rust\">")
            .count();
        assert!(
            highlighted >= 1 && plain >= 1,
            "{highlighted} highlighted, {plain} plain"
        );
        assert!(highlighted * 11_000 <= MAX_HIGHLIGHTED_BYTES);
    }

    #[test]
    fn script_and_handlers_from_content_never_survive() {
        let r = render_markdown(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))",
            "/",
        );
        let low = r.html.to_lowercase();
        assert!(!low.contains("<script"), "{}", r.html);
        assert!(!low.contains("onerror"), "{}", r.html);
        assert!(!low.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn links_without_raw_html_are_still_filtered() {
        let r = render_markdown(
            "[x](javascript:alert(1)) [ok](https://a.cn/) [rel](/2023/16/)",
            "/plan/",
        );
        assert!(r.html.contains("href=\"#\""));
        assert!(r.html.contains("href=\"https://a.cn/\""));
        assert!(r.html.contains("href=\"/plan/2023/16/\""));
    }

    #[test]
    fn headings_get_ids_and_tables_footnotes_strikethrough_render() {
        let r = render_markdown(
            "## 工作 目标\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ y[^1]\n\n[^1]: note\n",
            "/",
        );
        assert!(r.html.contains("<h2 id=\"工作-目标\">"), "{}", r.html);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn code_is_highlighted_with_classes_not_styles() {
        let r = render_markdown("```rust\nfn main() {}\n```\n", "/");
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
        assert!(!r.html.contains("style="));
    }
}
