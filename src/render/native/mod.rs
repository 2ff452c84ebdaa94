//! The default theme's item page and item row, compiled: the same bytes as
//! `templates/item.html` (with `base.html` and `macros.html`) and
//! `partials/item_row.html` render through tera, written straight from the
//! typed contexts (issue #21.1).
//!
//! Item pages are 40 % of a 10,000-item site's files and most of its
//! render time: tera looks every `{{ item.x }}` up by name in a JSON value
//! made from the typed context, and both the lookups and the conversion
//! cost more than writing the page. This module is only an engine for
//! the default theme: it is used only when the templates a page would
//! render with are, byte for byte, the ones built into planpub (see
//! [`NativeTemplates::detect`]) and every UI string they use exists.
//! A theme or site that overrides any of them renders through tera as
//! before; tests/it/native_templates.rs builds every fixture site both
//! ways and compares every file.
//!
//! Architecture invariant (as for tera): text from content is escaped
//! with [`escape_html`](super::markdown::escape_html)'s rules; only
//! `*_html` fields and the JSON-LD (made safe inside `<script>` where it
//! is built) are written as they are.

use crate::load::TemplateSource;
use std::collections::BTreeMap;

/// Writes template text: `"literals"` as they are, `{text}` escaped,
/// `[html]` as it is (HTML from the sanitizer or planpub's own code),
/// `(number)` as tera writes a number.
macro_rules! html {
    ($out:expr; $($part:tt)*) => {{
        let out: &mut Vec<u8> = $out;
        $( html_part!(out, $part); )*
    }};
}

macro_rules! html_part {
    ($out:ident, $text:literal) => {
        $crate::render::native::raw($out, $text)
    };
    ($out:ident, {$e:expr}) => {
        $crate::render::native::esc($out, $e)
    };
    ($out:ident, [$e:expr]) => {
        $crate::render::native::raw($out, $e)
    };
    ($out:ident, ($e:expr)) => {
        $crate::render::native::num($out, $e)
    };
}

// Declared after the macros, which they use.
mod base;
mod item;

pub use base::item_row;
pub use item::item_page;

/// The template names the compiled item page stands for.
pub const ITEM_TEMPLATES: &[&str] = &["item.html", "base.html", "macros.html"];
/// The template the compiled item row stands for.
pub const ROW_TEMPLATES: &[&str] = &["partials/item_row.html"];

/// Which of the compiled renderers a build may use: those whose
/// templates are the built-in default theme's, unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NativeTemplates {
    pub item_page: bool,
    pub item_row: bool,
}

impl NativeTemplates {
    /// Compares the templates a build renders with to the built-in ones.
    pub fn detect(sources: &[TemplateSource]) -> Self {
        let unchanged = |names: &[&str]| {
            names.iter().all(|name| {
                sources.iter().any(|t| {
                    t.name == *name && crate::load::is_default_template(name, t.text.as_bytes())
                })
            })
        };
        NativeTemplates {
            item_page: unchanged(ITEM_TEMPLATES),
            item_row: unchanged(ROW_TEMPLATES),
        }
    }
}

macro_rules! ui_strings {
    ($($key:ident),* $(,)?) => {
        /// The UI strings (`t.*`) the compiled templates use, for one
        /// language.
        pub struct Strings<'a> {
            $(pub $key: &'a str,)*
        }

        impl<'a> Strings<'a> {
            /// The strings from a language's `t`; `None` when one is
            /// missing (tera then renders, and reports it as it would).
            pub fn from_globals(t: &BTreeMap<String, &'a str>) -> Option<Self> {
                Some(Strings {
                    $($key: t.get(stringify!($key)).copied()?,)*
                })
            }
        }
    };
}

ui_strings!(
    // base.html
    skip_link,
    lang_switch_label,
    nav_label,
    nav_search,
    search_label,
    search_placeholder,
    search_button,
    plan_ended,
    translation_missing,
    translation_stale,
    footer_generated,
    // item.html
    breadcrumb_label,
    nav_home,
    item_number,
    copied,
    copy_link,
    cite_heading,
    permalink,
    colon,
    data_as_of,
    status_label,
    method_link,
    stale_since,
    percent_complete,
    percent_none,
    pace_label,
    pace_explain,
    due,
    lead,
    targets_heading,
    target_label,
    target_goal,
    target_actual,
    target_expected,
    target_progress,
    target_link,
    target_history,
    target_history_date,
    updates_heading,
    status_changed,
    no_updates,
    related_items,
    referenced_by,
    lineage_heading,
    tags_label,
    cite_format,
    copy,
    badge_heading,
    badge_help,
    prev_item,
    next_item,
    section_items,
    all_items,
    // partials/item_row.html
    last_updated,
);

/// Appends `s` escaped for HTML text and attribute values, as the
/// templates' escaper does ([`super::markdown::escape_html_with`]).
pub(crate) fn esc(out: &mut Vec<u8>, s: &str) {
    super::markdown::escape_html_with(s, |part| out.extend_from_slice(part.as_bytes()));
}

/// Appends `s` as it is.
pub(crate) fn raw(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

/// Appends a number as tera writes it.
pub(crate) fn num(out: &mut Vec<u8>, n: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(out, "{n}");
}

/// tera's truth of an optional string: present and not empty.
pub(crate) fn truthy(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

/// ` lang="…"` when the text's language is not the page's.
pub(crate) fn lang_attr(out: &mut Vec<u8>, text_lang: &str, lang: &str) {
    if text_lang != lang {
        raw(out, " lang=\"");
        esc(out, text_lang);
        raw(out, "\"");
    }
}

/// The `fill` filter: `{name}` placeholders replaced in the order of
/// their names, one after the other, as tera passes them.
pub(crate) fn fill(template: &str, args: &mut [(&str, &str)]) -> String {
    args.sort_by(|a, b| a.0.cmp(b.0));
    let mut s = template.to_string();
    for (name, value) in args.iter() {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn theme_sources() -> Vec<TemplateSource> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
        [ITEM_TEMPLATES, ROW_TEMPLATES]
            .concat()
            .into_iter()
            .map(|name| TemplateSource {
                name: name.to_string(),
                path: dir.join(name),
                text: std::fs::read_to_string(dir.join(name)).expect("the theme's template"),
            })
            .collect()
    }

    #[test]
    fn the_built_in_templates_are_compiled_and_a_changed_one_is_not() {
        let sources = theme_sources();
        assert_eq!(
            NativeTemplates::detect(&sources),
            NativeTemplates {
                item_page: true,
                item_row: true
            }
        );
        for changed in [ITEM_TEMPLATES, ROW_TEMPLATES].concat() {
            let mut sources = theme_sources();
            for s in &mut sources {
                if s.name == changed {
                    s.text.push(' ');
                }
            }
            let native = NativeTemplates::detect(&sources);
            let expected = NativeTemplates {
                item_page: !ITEM_TEMPLATES.contains(&changed),
                item_row: !ROW_TEMPLATES.contains(&changed),
            };
            assert_eq!(native, expected, "{changed} changed");
        }
        let without_macros: Vec<TemplateSource> = theme_sources()
            .into_iter()
            .filter(|s| s.name != "macros.html")
            .collect();
        assert!(!NativeTemplates::detect(&without_macros).item_page);
    }

    #[test]
    fn text_is_escaped_as_the_templates_escape_it() {
        for s in [
            "",
            "plain",
            "<script>alert('x') & \"y\"</script>",
            "中文“引号”&amp;",
            "&&&",
            "a>b<c",
        ] {
            let mut out = Vec::new();
            esc(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                super::super::markdown::escape_html(s)
            );
        }
    }

    #[test]
    fn fill_replaces_in_the_order_of_the_names_as_the_filter_does() {
        // `fill` is given its arguments as a map: names in order, each
        // replaced in what the ones before left.
        assert_eq!(fill("{b} {a}", &mut [("b", "{a}"), ("a", "1")]), "{a} 1");
        assert_eq!(fill("{a} {b}", &mut [("b", "2"), ("a", "{b}")]), "2 2");
    }
}
