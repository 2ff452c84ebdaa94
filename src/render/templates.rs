//! The tera templates: compiled once per build from the theme and the
//! site's overrides, and errors mapped back to the template file and line.

use crate::diagnostics::{Code, Diagnostics, Location};
use crate::load::TemplateSource;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The compiled templates, and where each came from (for error messages).
pub struct Templates {
    pub tera: tera::Tera,
    pub paths: BTreeMap<String, (PathBuf, String)>,
    /// The pages rendered without tera because their templates are the
    /// built-in default theme's (src/render/native.rs).
    pub native: super::native::NativeTemplates,
}

/// The templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "home.html",
    "plan.html",
    "item.html",
    "list.html",
    "search.html",
    "404.html",
];

/// Compiles all templates at once. tera reports one parse error at a time,
/// so each template is first parsed on its own to report every broken one.
pub fn compile_templates(sources: &[TemplateSource], diags: &mut Diagnostics) -> Option<Templates> {
    let paths: BTreeMap<String, (PathBuf, String)> = sources
        .iter()
        .map(|t| (t.name.clone(), (t.path.clone(), t.text.clone())))
        .collect();
    let mut broken = false;
    for required in REQUIRED_TEMPLATES {
        if !paths.contains_key(*required) {
            broken = true;
            diags.error(
                Code::MissingTemplate,
                Location::file(&PathBuf::from("templates").join(required)),
                format!("the theme has no template `{required}`"),
                Some("add it to the theme's templates/ folder or to the site's templates/".into()),
            );
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    tera.register_filter("fill", fill_filter);
    // tera's default escaper also turns `/` into `&#x2F;`, which makes
    // every URL unreadable; `&<>"'` is what HTML needs.
    tera.set_escape_fn(super::markdown::escape_html_str);
    if let Err(e) =
        tera.add_raw_templates(sources.iter().map(|t| (t.name.as_str(), t.text.as_str())))
    {
        // tera stops at the first broken template: parse each on its own
        // (only now, on the error path) to report every one of them.
        let mut reported = false;
        for t in sources {
            if let Err(e) = tera::Template::new(&t.name, None, &t.text) {
                reported = true;
                report_tera_error(&e, &paths, Some(&t.name), diags);
            }
        }
        if !reported {
            report_tera_error(&e, &paths, None, diags);
        }
        return None;
    }
    if broken {
        return None;
    }
    Some(Templates {
        tera,
        paths,
        native: super::native::NativeTemplates::detect(sources),
    })
}

/// The full chain of a tera error as one line.
fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// Turns a tera error into a diagnostic at the template's file and line.
/// Parse errors carry `--> line:col`; render errors name a variable or
/// filter, which is looked up in the template's text to find its line.
pub fn report_tera_error(
    e: &tera::Error,
    paths: &BTreeMap<String, (PathBuf, String)>,
    template: Option<&str>,
    diags: &mut Diagnostics,
) {
    let chain = error_chain(e);
    let name = template
        .map(str::to_string)
        .or_else(|| {
            paths
                .keys()
                .find(|n| chain.contains(&format!("'{n}'")))
                .cloned()
        })
        .unwrap_or_default();
    let (mut path, text) = paths
        .get(&name)
        .cloned()
        .unwrap_or_else(|| (PathBuf::from("templates").join(&name), String::new()));
    let mut line = 1;
    let mut column = 1;
    let missing = between(&chain, "Variable `", "`");
    if let Some(pos) = chain.find("--> ") {
        let rest = &chain[pos + 4..];
        let mut nums = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        line = nums.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        column = nums.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    } else if let Some((kind, needle)) = missing
        .map(|var| ("Variable", var))
        .or_else(|| unknown_callable(&chain))
    {
        // tera gives no line here: look for the use in the template, or in
        // the one tera says the error happened in (a parent).
        let mut places = if let Some(other) = between(&chain, "(error happened in '", "')") {
            paths.get(other).cloned().into_iter().collect()
        } else if chain.contains("error happened in a parent template") {
            ancestors(&text, paths)
        } else {
            vec![(path.clone(), text.clone())]
        };
        // Then every template: a macro's body is in its own file, which
        // tera does not name.
        places.extend(paths.values().cloned());
        for (place, place_text) in places {
            if let Some(off) = find_use(&place_text, kind, needle) {
                let at = crate::diagnostics::LineIndex::new(&place, &place_text, 1).location(off);
                (path, line, column) = (at.path, at.line, at.column);
                break;
            }
        }
    }
    let message: String = chain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.starts_with("-->"))
        .collect::<Vec<_>>()
        .join(" ");
    let hint = match missing {
        Some(var) if name != super::ITEM_ROW_TEMPLATE && is_summary_field_of_a_row(var) => format!(
            "if `{}` is a row of a list (`items`, `siblings`, `related`, `referenced_by`): rows \
             carry only `number` and `row_html`; show `{var}` from `{}`, which gets the item's \
             whole summary as `row`, and insert it with `{{{{ row.row_html | safe }}}}`",
            var.split('.').next().unwrap_or_default(),
            super::ITEM_ROW_TEMPLATE
        ),
        _ => "fix the template; the README lists the variables each page type receives".into(),
    };
    diags.error(
        Code::TemplateError,
        Location::at(&path, line, column),
        format!("template error: {message}"),
        Some(hint),
    );
}

/// Whether a missing variable looks like a summary field read from a list
/// row (`row.title`, `r.status.label`): lists hold `number` and `row_html`.
fn is_summary_field_of_a_row(var: &str) -> bool {
    const SUMMARY_FIELDS: [&str; 7] = [
        "title",
        "title_lang",
        "url",
        "status",
        "percent",
        "percent_value",
        "section",
    ];
    let mut parts = var.split('.');
    match (parts.next(), parts.next()) {
        (Some(head), Some(field)) => {
            !head.is_empty() && !head.contains('[') && SUMMARY_FIELDS.contains(&field)
        }
        _ => false,
    }
}

/// What kind of callable an error says is unknown, and its name: tera
/// says `Filter 'x' not found` (or `Function`, `Test`) and gives no line.
fn unknown_callable(chain: &str) -> Option<(&'static str, &str)> {
    ["Filter", "Function", "Test"].into_iter().find_map(|kind| {
        ["'", "`"].into_iter().find_map(|q| {
            let name = between(chain, &format!("{kind} {q}"), q)?;
            chain
                .contains(&format!("{kind} {q}{name}{q} not found"))
                .then_some((kind, name))
        })
    })
}

/// The byte offset of the first use of `name` inside a tag (`{{ }}` or
/// `{% %}`, not a comment) of a template: for a filter `| name`, a
/// function `name(`, a test `is name` / `is not name`, a variable the
/// name itself.
fn find_use(text: &str, kind: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    tag_spans(text).into_iter().find_map(|(start, end)| {
        let tag = &text[start..end];
        tag.match_indices(name)
            .map(|(i, _)| i)
            .find(|&i| {
                let before = &tag[..i];
                let after = &tag[i + name.len()..];
                let bounded = !before
                    .chars()
                    .next_back()
                    .is_some_and(|c| is_word(c) || c == '.')
                    && !after.chars().next().is_some_and(is_word);
                let mut words = before.split_whitespace().rev();
                bounded
                    && match kind {
                        "Filter" => before.trim_end().ends_with('|'),
                        "Function" => {
                            after.trim_start().starts_with('(') && !before.trim_end().ends_with('|')
                        }
                        "Test" => matches!(
                            (words.next(), words.next()),
                            (Some("is"), _) | (Some("not"), Some("is"))
                        ),
                        _ => true,
                    }
            })
            .map(|i| start + i)
    })
}

/// The byte ranges of the insides of a template's `{{ }}` and `{% %}`
/// tags, in order; comments `{# #}` are skipped.
fn tag_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('{').map(|i| at + i) {
        let close = match text[open + 1..].chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        let inner = open + 2;
        let end = text[inner..].find(close).map_or(text.len(), |i| inner + i);
        if close != "#}" {
            spans.push((inner, end));
        }
        at = (end + close.len()).min(text.len());
    }
    spans
}

/// The templates `text` extends, nearest first (`{% extends "x" %}`), as
/// (path, text).
fn ancestors(text: &str, paths: &BTreeMap<String, (PathBuf, String)>) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut current = text.to_string();
    while found.len() < 16 {
        let parent = tag_spans(&current).into_iter().find_map(|(a, b)| {
            let tag = current[a..b].trim().trim_start_matches('-').trim_start();
            let rest = tag.strip_prefix("extends")?.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let name = &rest[1..];
            Some(name[..name.find(quote)?].to_string())
        });
        let Some((path, parent_text)) = parent.and_then(|p| paths.get(&p)) else {
            break;
        };
        found.push((path.clone(), parent_text.clone()));
        current = parent_text.clone();
    }
    found
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// `{{ t.item_number | fill(number=item.number) }}`: replaces each
/// `{name}` in a UI string with the argument of that name.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "tera's values: anything but text and null is written as JSON"
)]
fn fill_filter(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let mut s = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("`fill` applies to a string"))?
        .to_string();
    let mut names: Vec<&String> = args.keys().collect();
    names.sort();
    for name in names {
        let v = match &args[name] {
            tera::Value::String(x) => x.clone(),
            tera::Value::Null => String::new(),
            other => other.to_string(),
        };
        s = s.replace(&format!("{{{name}}}"), &v);
    }
    Ok(tera::Value::String(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_callable_is_found_where_it_is_used() {
        let text = "{# shout | shout shout() is shout #}<p>Do not shout, this is shout.</p>{{ shout }}\n\
                    {{ a | shout(x=1) }} {{ shout_more() }}\n\
                    {{ shout() }} {% if a is  not shout %}{% endif %}";
        let line_col = |off: usize| {
            (
                text[..off].matches('\n').count() + 1,
                text[..off].rsplit('\n').next().unwrap().chars().count() + 1,
            )
        };
        let at = |kind| line_col(find_use(text, kind, "shout").unwrap());
        assert_eq!(at("Filter"), (2, 8));
        assert_eq!(at("Function"), (3, 4));
        assert_eq!(at("Test"), (3, 31));
        assert_eq!(at("Variable"), (1, 75));
        assert_eq!(find_use(text, "Filter", "nowhere"), None);
        assert_eq!(find_use("is shout | shout", "Test", "shout"), None);
        assert_eq!(
            unknown_callable("Failed to render 'a.html': Function 'shout' not found"),
            Some(("Function", "shout"))
        );
        assert_eq!(
            unknown_callable("Failed to render 'a.html': Test `shout` not found"),
            Some(("Test", "shout"))
        );
        assert_eq!(unknown_callable("Variable `shout` not found"), None);
    }

    #[test]
    fn ancestors_follow_extends_nearest_first() {
        let t = |name: &str, text: &str| {
            (
                name.to_string(),
                (PathBuf::from("templates").join(name), text.to_string()),
            )
        };
        let paths: BTreeMap<String, (PathBuf, String)> = [
            t("base.html", "<html>{% block main %}{% endblock %}"),
            t(
                "mid.html",
                "{# extends \"nothing.html\" #}{%- extends 'base.html' -%}",
            ),
            t("loop.html", "{% extends \"loop.html\" %}"),
        ]
        .into_iter()
        .collect();
        let found: Vec<PathBuf> = ancestors("{% extends \"mid.html\" %}x", &paths)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            found,
            [
                PathBuf::from("templates/mid.html"),
                PathBuf::from("templates/base.html")
            ]
        );
        assert!(ancestors("no parent", &paths).is_empty());
        assert_eq!(ancestors("{% extends \"loop.html\" %}", &paths).len(), 16);
    }
}
