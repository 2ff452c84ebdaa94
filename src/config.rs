//! `site.toml`: the site's configuration, read and checked (part of the
//! load stage; see the content contract in docs/content-format.md).

use crate::diagnostics::{Code, Diagnostics, LineIndex, Location};
use crate::toml_fields::{FieldReader, parse_toml};
use std::collections::BTreeMap;
use std::path::Path;

/// One language of the site, in the order site.toml lists them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LanguageConfig {
    pub code: String,
    pub title: String,
    pub description: String,
}

/// A topic tag: its slug (used in URLs) and its name per language.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TagConfig {
    pub slug: String,
    pub names: BTreeMap<String, String>,
    /// Slugs the tag had before (`former_slugs`): their URLs redirect to
    /// the tag's page.
    pub former_slugs: Vec<String>,
}

/// The checked site configuration.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// Absolute base URL, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/` (`/plan/`).
    pub base_path: String,
    pub default_language: String,
    pub theme: String,
    pub languages: Vec<LanguageConfig>,
    /// `[progress] illustrative = true`: the progress data is made up.
    pub illustrative: bool,
    /// `[display] split_paragraphs` (default true): show a body that is
    /// one paragraph of more than 200 characters as one paragraph per
    /// sentence (after each `。`). The content file is unchanged.
    pub split_paragraphs: bool,
    pub tags: BTreeMap<String, TagConfig>,
}

impl SiteConfig {
    pub fn language(&self, code: &str) -> Option<&LanguageConfig> {
        self.languages.iter().find(|l| l.code == code)
    }

    pub fn is_language(&self, code: &str) -> bool {
        self.language(code).is_some()
    }

    /// The languages' codes, in site.toml's order.
    pub fn language_codes(&self) -> Vec<&str> {
        self.languages.iter().map(|l| l.code.as_str()).collect()
    }

    /// The default language's place in [`SiteConfig::languages`].
    pub fn default_language_index(&self) -> usize {
        self.languages
            .iter()
            .position(|l| l.code == self.default_language)
            .unwrap_or(0)
    }

    /// `""` for the default language, `"en/"` for the others: the URL
    /// segment the contract gives each language.
    pub fn language_prefix(&self, code: &str) -> String {
        if code == self.default_language {
            String::new()
        } else {
            format!("{code}/")
        }
    }

    /// Replaces the base URL (the `--base-url` option, and `serve`).
    pub fn set_base_url(&mut self, base_url: &str) -> Result<(), String> {
        let (url, path) = split_base_url(base_url)?;
        self.base_url = url;
        self.base_path = path;
        Ok(())
    }
}

/// Normalizes a base URL and splits off its path:
/// `https://host/plan` → (`https://host/plan/`, `/plan/`).
pub fn split_base_url(raw: &str) -> Result<(String, String), String> {
    let raw = raw.trim();
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{raw}` must start with https:// or http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("base_url `{raw}` has no host"));
    }
    if raw.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "base_url `{raw}` must not contain a query, fragment, space or quote"
        ));
    }
    let path = match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".to_string(),
    };
    let path = if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    };
    let url = if raw.ends_with('/') {
        raw.to_string()
    } else {
        format!("{raw}/")
    };
    Ok((url, path))
}

const SITE_FIELDS: &[&str] = &[
    "base_url",
    "default_language",
    "theme",
    "languages",
    "progress",
    "display",
    "tags",
];

/// Reads `site.toml` from its text; every problem goes to `diags`.
pub fn parse_site_config(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<SiteConfig> {
    let lines = LineIndex::new(path, text, 1);
    let doc = parse_toml(lines.clone(), text, diags)?;
    let mut r = FieldReader::new(doc.table.get_ref(), doc.table.span(), &doc.lines);
    let before = diags.error_count();

    let base = r.required_string("base_url", "\"https://example.gov.cn/plan/\"", diags);
    let (base_url, base_path) = match &base {
        Some(b) => match split_base_url(b.get_ref()) {
            Ok(v) => v,
            Err(msg) => {
                diags.error(Code::BadBaseUrl, lines.span(&b.span()), msg, Some("write the site's public address, e.g. \"https://jyj.example.gov.cn/plan/\"".into()));
                (String::new(), "/".into())
            }
        },
        None => (String::new(), "/".into()),
    };
    let default_language = r
        .string("default_language", diags)
        .map(|s| s.into_inner())
        .unwrap_or_else(|| "zh".into());
    let theme = r
        .string("theme", diags)
        .map(|s| s.into_inner())
        .unwrap_or_else(|| "default".into());
    let languages = read_languages(&mut r, path, &doc.lines, &default_language, diags);
    let mut illustrative = false;
    if let Some((table, span)) = r.table("progress", diags) {
        let mut pr = FieldReader::new(table, span, &doc.lines);
        illustrative = pr.boolean("illustrative", diags).unwrap_or(false);
        pr.warn_unknown("[progress]", &["illustrative"], diags);
    }
    let mut split_paragraphs = true;
    if let Some((table, span)) = r.table("display", diags) {
        let mut d = FieldReader::new(table, span, &doc.lines);
        split_paragraphs = d.boolean("split_paragraphs", diags).unwrap_or(true);
        d.warn_unknown("[display]", &["split_paragraphs"], diags);
    }
    let tags = read_tags(&mut r, &doc.lines, &languages, &default_language, diags);
    r.warn_unknown("site.toml", SITE_FIELDS, diags);

    if diags.error_count() > before {
        return None;
    }
    Some(SiteConfig {
        base_url,
        base_path,
        default_language,
        theme,
        languages,
        illustrative,
        split_paragraphs,
        tags,
    })
}

/// `[languages.<code>]`, in their order; the default language must be one.
fn read_languages(
    r: &mut FieldReader<'_, '_>,
    path: &Path,
    lines: &LineIndex<'_>,
    default_language: &str,
    diags: &mut Diagnostics,
) -> Vec<LanguageConfig> {
    let mut languages = Vec::new();
    let Some((table, span)) = r.table("languages", diags) else {
        diags.error(
            Code::MissingField,
            Location::file(path),
            "site.toml has no `[languages]`",
            Some("add one table per language: `[languages.zh]` then `title = \"…\"`".into()),
        );
        return languages;
    };
    for (code, value) in table.iter() {
        let code_str: &str = code.get_ref();
        let toml::de::DeValue::Table(lt) = value.get_ref() else {
            diags.error(
                Code::WrongType,
                lines.span(&value.span()),
                format!("`languages.{code_str}` must be a table"),
                Some(format!(
                    "write `[languages.{code_str}]` followed by `title = \"…\"`"
                )),
            );
            continue;
        };
        if !is_language_code(code_str) {
            diags.error(
                Code::InvalidValue,
                lines.span(&code.span()),
                format!("`{code_str}` is not a language code"),
                Some("use a lowercase code such as zh or en".into()),
            );
            continue;
        }
        let mut lr = FieldReader::new(lt, value.span(), lines);
        let title = lr
            .required_string("title", "\"…\"", diags)
            .map(|s| s.into_inner())
            .unwrap_or_default();
        let description = lr
            .string("description", diags)
            .map(|s| s.into_inner())
            .unwrap_or_default();
        lr.warn_unknown(
            &format!("[languages.{code_str}]"),
            &["title", "description"],
            diags,
        );
        languages.push(LanguageConfig {
            code: code_str.to_string(),
            title,
            description,
        });
    }
    if languages.is_empty() {
        diags.error(
            Code::MissingField,
            lines.span(&span),
            "`[languages]` lists no language",
            Some("add `[languages.zh]` with a `title`".into()),
        );
    } else if !languages.iter().any(|l| l.code == default_language) {
        diags.error(
            Code::InvalidValue,
            Location::file(path),
            format!("default_language `{default_language}` has no `[languages.{default_language}]` table"),
            Some(format!("add `[languages.{default_language}]` with a title")),
        );
    }
    languages
}

/// `[tags."<name>"]`: each tag's slug (unique, URL-safe) and its name in
/// every language but the default one.
fn read_tags(
    r: &mut FieldReader<'_, '_>,
    lines: &LineIndex<'_>,
    languages: &[LanguageConfig],
    default_language: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, TagConfig> {
    let mut tags = BTreeMap::new();
    let mut slugs: BTreeMap<String, String> = BTreeMap::new();
    let mut formers: Vec<(String, Location, String)> = Vec::new();
    let Some((table, _)) = r.table("tags", diags) else {
        return tags;
    };
    let mut known = vec!["slug", "former_slugs"];
    known.extend(
        languages
            .iter()
            .filter(|l| l.code != default_language)
            .map(|l| l.code.as_str()),
    );
    for (name, value) in table.iter() {
        let name_str: &str = name.get_ref();
        let toml::de::DeValue::Table(tt) = value.get_ref() else {
            diags.error(Code::WrongType, lines.span(&value.span()), format!("`tags.\"{name_str}\"` must be a table"), Some("write `[tags.\"学前教育\"]` then `slug = \"preschool\"` and `en = \"Preschool education\"`".into()));
            continue;
        };
        let mut tr = FieldReader::new(tt, value.span(), lines);
        let slug = tr.required_string("slug", "\"preschool\"", diags);
        let mut names = BTreeMap::new();
        let former = tr.string_array("former_slugs", diags);
        for code in known.iter().skip(2) {
            if let Some(n) = tr.string(code, diags) {
                names.insert(code.to_string(), n.into_inner());
            }
        }
        names.insert(default_language.to_string(), name_str.to_string());
        tr.warn_unknown(&format!("[tags.\"{name_str}\"]"), &known, diags);
        let Some(slug) = slug else { continue };
        if !is_slug(slug.get_ref()) {
            diags.error(
                Code::InvalidValue,
                lines.span(&slug.span()),
                format!("tag slug `{}` may hold only a-z, 0-9 and -", slug.get_ref()),
                Some("e.g. slug = \"preschool-education\"".into()),
            );
            continue;
        }
        if let Some(other) = slugs.insert(slug.get_ref().clone(), name_str.to_string()) {
            diags.error(
                Code::Duplicate,
                lines.span(&slug.span()),
                format!(
                    "tag slug `{}` is already used by tag `{other}`",
                    slug.get_ref()
                ),
                Some("give every tag its own slug".into()),
            );
        }
        tags.insert(
            name_str.to_string(),
            TagConfig {
                slug: slug.into_inner(),
                names,
                former_slugs: former.iter().map(|f| f.get_ref().clone()).collect(),
            },
        );
        formers.extend(former.into_iter().map(|f| {
            (
                f.get_ref().clone(),
                lines.span(&f.span()),
                name_str.to_string(),
            )
        }));
    }
    check_former_slugs(&mut tags, &slugs, formers, diags);
    tags
}

/// Each former slug: URL-safe, no tag's current slug, and once only;
/// a bad one is reported and dropped.
fn check_former_slugs(
    tags: &mut BTreeMap<String, TagConfig>,
    slugs: &BTreeMap<String, String>,
    formers: Vec<(String, Location, String)>,
    diags: &mut Diagnostics,
) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (former, at, tag) in formers {
        let problem = if !is_slug(&former) {
            Some((
                format!("former slug `{former}` may hold only a-z, 0-9 and -"),
                "write the slug the tag's URL had, e.g. \"preschool\"".to_string(),
            ))
        } else if let Some(owner) = slugs.get(&former) {
            Some((
                format!(
                    "former slug `{former}` of tag `{tag}` is the current slug of tag `{owner}`"
                ),
                format!(
                    "a URL can show one tag: remove `{former}` from `former_slugs`, or give tag `{owner}` another slug"
                ),
            ))
        } else {
            seen.insert(former.clone(), tag.clone()).map(|other| {
                (
                    format!("former slug `{former}` is listed by tag `{other}` and tag `{tag}`"),
                    "an old URL can lead to one tag only: keep it in one `former_slugs`"
                        .to_string(),
                )
            })
        };
        if let Some((message, hint)) = problem {
            diags.error(Code::InvalidValue, at, message, Some(hint));
            if let Some(t) = tags.get_mut(&tag) {
                t.former_slugs.retain(|f| *f != former);
            }
        }
    }
}

fn is_language_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 8 && s.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// `[a-z0-9-]+`: the form of target keys and tag slugs.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_path_prefix_is_split_off() {
        assert_eq!(
            split_base_url("https://h.cn/plan").unwrap(),
            ("https://h.cn/plan/".into(), "/plan/".into())
        );
        assert_eq!(
            split_base_url("http://127.0.0.1:1111").unwrap(),
            ("http://127.0.0.1:1111/".into(), "/".into())
        );
        assert!(split_base_url("ftp://x/").is_err());
    }
}
