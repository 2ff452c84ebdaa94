//! Stage 2, validate: parse every document's front matter into typed
//! plans, sections and items, and check the content as a whole (unique
//! numbers, translations that match a default-language file, …).
//!
//! Every problem is collected; nothing stops at the first one. The result
//! holds only well-formed data: later stages never re-check it.

use crate::config::{SiteConfig, is_slug};
use crate::diagnostics::{Diagnostics, LineIndex, Location};
use crate::load::{DocumentKind, LoadedSite, LoadedTheme, SourceAsset, SourceDocument};
use crate::toml_fields::{Date, FieldReader, key_str, parse_toml};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::de::DeValue;

/// A work item's progress status, as the contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
    Delayed,
    Ongoing,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Completed,
        Status::Delayed,
        Status::Ongoing,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::NotStarted => "not-started",
            Status::InProgress => "in-progress",
            Status::Completed => "completed",
            Status::Delayed => "delayed",
            Status::Ongoing => "ongoing",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }
}

/// The key used for items that report no status ("no update yet").
pub const NO_STATUS_KEY: &str = "none";

/// Text in the default language and its translations, field by field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Localized {
    pub default: String,
    pub translations: BTreeMap<String, String>,
}

impl Localized {
    pub fn new(default: String) -> Self {
        Localized {
            default,
            translations: BTreeMap::new(),
        }
    }

    /// The text in `lang`, or the default-language text when there is no
    /// translation (`true` in the second place means "fell back").
    pub fn get(&self, lang: &str, default_language: &str) -> (&str, bool) {
        if lang == default_language {
            return (&self.default, false);
        }
        match self.translations.get(lang) {
            Some(t) => (t, false),
            None => (&self.default, true),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub key: String,
    pub label: Localized,
    pub goal: f64,
    pub actual: Option<f64>,
    pub unit: Localized,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub date: Date,
    pub status: Option<Status>,
    pub text: Localized,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub number: u32,
    pub path: PathBuf,
    pub section_number: u32,
    pub title: Localized,
    pub body: Localized,
    pub status: Option<Status>,
    pub lead: Vec<String>,
    pub due: Option<Date>,
    pub tags: Vec<String>,
    pub related: Vec<u32>,
    pub targets: Vec<Target>,
    /// Oldest first, as in the file after sorting by date.
    pub updates: Vec<Update>,
    /// Languages with a translation file (the default language included).
    pub languages: BTreeSet<String>,
    /// Languages whose translation is older than its source (issue #18.3).
    pub stale_translations: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub number: u32,
    pub dir: String,
    pub path: PathBuf,
    pub title: Localized,
    pub body: Localized,
    pub items: Vec<Item>,
    pub languages: BTreeSet<String>,
    /// Languages whose translation is older than its source (issue #18.3).
    pub stale_translations: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub id: String,
    pub path: PathBuf,
    pub title: Localized,
    pub issuer: Option<Localized>,
    pub published: Option<Date>,
    pub source: Option<String>,
    pub body: Localized,
    pub sections: Vec<Section>,
    pub languages: BTreeSet<String>,
    /// Languages whose translation is older than its source (issue #18.3).
    pub stale_translations: BTreeSet<String>,
}

impl Plan {
    /// The plan's year: from its id ("2023") or its publication date.
    pub fn year(&self) -> Option<i32> {
        self.id
            .get(..4)
            .and_then(|y| y.parse().ok())
            .filter(|y| (1900..3000).contains(y))
            .or(self.published.map(|d| d.year))
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

/// The UI strings of the theme, per language, checked.
pub type UiStrings = BTreeMap<String, BTreeMap<String, String>>;

/// The name of a UI string in templates: `t.skip_link` for the key
/// `skip-link`. A dotted lookup, because tera evaluates `t["skip-link"]`
/// by rewriting the path through seven string replacements on every use:
/// 1.4 µs against 0.4 µs, and an item page looks up some 60 strings.
pub fn template_key(key: &str) -> String {
    key.replace('-', "_")
}

/// The content as typed, checked data: the input of the link stage.
#[derive(Clone, Debug)]
pub struct ValidatedSite {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub plans: Vec<Plan>,
    pub theme: LoadedTheme,
    pub strings: UiStrings,
    pub assets: Vec<SourceAsset>,
}

const ITEM_FIELDS: &[&str] = &[
    "number", "title", "status", "lead", "due", "tags", "related", "targets", "updates",
];
const SECTION_FIELDS: &[&str] = &["number", "title"];
const PLAN_FIELDS: &[&str] = &["title", "issuer", "published", "source"];
const TARGET_FIELDS: &[&str] = &["key", "label", "goal", "actual", "unit"];
const UPDATE_FIELDS: &[&str] = &["date", "status", "text"];

/// Front matter split off a document: the TOML text, the body, and the
/// file line each starts on.
pub struct SplitDocument<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
}

/// Splits `+++` front matter from the body, reporting a missing opening or
/// closing fence.
pub fn split_front_matter<'a>(
    path: &Path,
    text: &'a str,
    diags: &mut Diagnostics,
) -> Option<SplitDocument<'a>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        diags.error(
            Location::file(path),
            "the file does not start with `+++` front matter",
            Some(
                "begin the file with a line `+++`, the TOML fields, then another `+++` line".into(),
            ),
        );
        return None;
    }
    let fm_start = (first_end + 1).min(text.len());
    let mut pos = fm_start;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == "+++" {
            let body_start = (end + 1).min(text.len());
            return Some(SplitDocument {
                front_matter: &text[fm_start..pos],
                body: &text[body_start..],
            });
        }
        pos = end + 1;
    }
    diags.error(
        Location::file(path),
        "the front matter opened by `+++` on line 1 is never closed",
        Some("add a line `+++` after the last front matter field, before the body".into()),
    );
    None
}

/// What one file says, typed, before files are put together. Opaque
/// outside this module; `serve` caches it per file between rebuilds.
#[derive(Clone, Debug)]
pub enum ParsedDocument {
    Plan {
        title: String,
        issuer: Option<String>,
        published: Option<Date>,
        source: Option<String>,
        body: String,
    },
    PlanTranslation {
        title: Option<String>,
        issuer: Option<String>,
        body: String,
        source_hash: Option<(String, Location)>,
    },
    Section {
        number: Option<(u32, Location)>,
        title: String,
        body: String,
    },
    SectionTranslation {
        title: Option<String>,
        body: String,
        source_hash: Option<(String, Location)>,
    },
    Item(Box<ParsedItem>),
    ItemTranslation(Box<ParsedItemTranslation>),
}

#[derive(Clone, Debug)]
pub struct ParsedItem {
    number: Option<(u32, Location)>,
    title: String,
    body: String,
    status: Option<Status>,
    lead: Vec<String>,
    due: Option<Date>,
    tags: Vec<(String, Location)>,
    related: Vec<(u32, Location)>,
    targets: Vec<Target>,
    updates: Vec<Update>,
}

#[derive(Clone, Debug)]
pub struct ParsedItemTranslation {
    title: Option<String>,
    body: String,
    target_labels: BTreeMap<String, (Option<String>, Option<String>, Location)>,
    update_texts: BTreeMap<String, (String, Location)>,
    source_hash: Option<(String, Location)>,
}

fn parse_status(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Status> {
    let s = r.string(key, diags)?;
    match Status::parse(s.get_ref()) {
        Some(st) => Some(st),
        None => {
            let known: Vec<&str> = Status::ALL.iter().map(|s| s.key()).collect();
            let suggestion = crate::toml_fields::closest(s.get_ref(), &known)
                .map(|k| format!("did you mean \"{k}\"? "))
                .unwrap_or_default();
            diags.error(
                r.lines().span(&s.span()),
                format!(
                    "unknown status \"{}\"; expected one of {}",
                    s.get_ref(),
                    known.join(", ")
                ),
                Some(format!(
                    "{suggestion}leave `{key}` out if no progress has been reported"
                )),
            );
            None
        }
    }
}

fn parse_document(
    doc: &SourceDocument,
    default_language: &str,
    diags: &mut Diagnostics,
) -> Option<ParsedDocument> {
    let split = split_front_matter(&doc.path, &doc.text, diags)?;
    let lines = LineIndex::new(&doc.path, split.front_matter, 2);
    let parsed = parse_toml(lines, split.front_matter, diags)?;
    let table = parsed.table.get_ref();
    let mut r = FieldReader::new(table, parsed.table.span(), &parsed.lines);
    let body = split.body.to_string();
    let is_default = doc.language == default_language;
    let before = diags.error_count();
    check_body_nesting(doc, split.body, diags);
    let result = match (doc.kind, is_default) {
        (DocumentKind::Plan, true) => {
            let title = r
                .required_string("title", "\"南阳市教育局2023年工作要点\"", diags)
                .map(|s| s.into_inner());
            let issuer = r.string("issuer", diags).map(|s| s.into_inner());
            let published = r.date("published", diags).map(|d| d.into_inner());
            let source = r.string("source", diags).map(|s| s.into_inner());
            r.warn_unknown("a plan's front matter", PLAN_FIELDS, diags);
            title.map(|title| ParsedDocument::Plan {
                title,
                issuer,
                published,
                source,
                body,
            })
        }
        (DocumentKind::Plan, false) => {
            let title = r.string("title", diags).map(|s| s.into_inner());
            let issuer = r.string("issuer", diags).map(|s| s.into_inner());
            let source_hash = read_source_hash(&mut r, diags);
            r.warn_unknown(
                "a plan translation's front matter",
                &["title", "issuer", "source_hash"],
                diags,
            );
            Some(ParsedDocument::PlanTranslation {
                title,
                issuer,
                body,
                source_hash,
            })
        }
        (DocumentKind::Section, true) => {
            let number = r
                .required_integer("number", 1, MAX_NUMBER, diags)
                .and_then(|n| to_u32(&n, &parsed.lines, diags));
            let title = r
                .required_string("title", "\"加强党对教育工作的全面领导\"", diags)
                .map(|s| s.into_inner());
            r.warn_unknown("a section's front matter", SECTION_FIELDS, diags);
            title.map(|title| ParsedDocument::Section {
                number,
                title,
                body,
            })
        }
        (DocumentKind::Section, false) => {
            let title = r.string("title", diags).map(|s| s.into_inner());
            let source_hash = read_source_hash(&mut r, diags);
            r.warn_unknown(
                "a section translation's front matter",
                &["title", "source_hash"],
                diags,
            );
            Some(ParsedDocument::SectionTranslation {
                title,
                body,
                source_hash,
            })
        }
        (DocumentKind::Item, true) => {
            parse_item(&mut r, body, diags).map(|i| ParsedDocument::Item(Box::new(i)))
        }
        (DocumentKind::Item, false) => parse_item_translation(&mut r, body, diags)
            .map(|t| ParsedDocument::ItemTranslation(Box::new(t))),
    };
    if diags.error_count() > before {
        None
    } else {
        result
    }
}

/// The largest section or item number: numbers are kept as `u32`.
const MAX_NUMBER: i64 = u32::MAX as i64;

/// A number already checked to be within `1..=MAX_NUMBER`, as `u32`, and
/// where it was written (an error, never a silent drop, if it is not).
/// Reports a body that nests elements too deep to render (and sanitize)
/// in reasonable time (see [`MAX_NESTING`]), where it goes too deep.
///
/// [`MAX_NESTING`]: crate::render::markdown::MAX_NESTING
fn check_body_nesting(doc: &SourceDocument, body: &str, diags: &mut Diagnostics) {
    use crate::render::markdown::{MAX_NESTING, too_deep_nesting};
    let Some(offset) = too_deep_nesting(body) else {
        return;
    };
    // `body` is a slice of the file's text.
    let body_start = body.as_ptr() as usize - doc.text.as_ptr() as usize;
    diags.error(
        LineIndex::new(&doc.path, &doc.text, 1).location(body_start + offset),
        format!("elements are nested more than {MAX_NESTING} deep here"),
        Some(
            "close the HTML elements you open (`</div>`), or nest lists and quotes less deeply"
                .into(),
        ),
    );
}

fn to_u32(
    n: &toml::Spanned<i64>,
    lines: &LineIndex<'_>,
    diags: &mut Diagnostics,
) -> Option<(u32, Location)> {
    let at = lines.span(&n.span());
    match u32::try_from(*n.get_ref()) {
        Ok(v) => Some((v, at)),
        Err(_) => {
            diags.error(
                at,
                format!(
                    "`number` must be from 1 to {MAX_NUMBER}, found {}",
                    n.get_ref()
                ),
                None,
            );
            None
        }
    }
}

fn parse_item(
    r: &mut FieldReader<'_, '_>,
    body: String,
    diags: &mut Diagnostics,
) -> Option<ParsedItem> {
    let lines = r.lines();
    let number = r
        .required_integer("number", 1, MAX_NUMBER, diags)
        .and_then(|n| to_u32(&n, lines, diags));
    let title = r
        .required_string("title", "\"推进学前教育普及普惠优质安全发展\"", diags)
        .map(|s| s.into_inner());
    let status = parse_status(r, "status", diags);
    let lead = r
        .string_array("lead", diags)
        .into_iter()
        .map(|s| s.into_inner())
        .collect();
    let due = r.date("due", diags).map(|d| d.into_inner());
    let tags = r
        .string_array("tags", diags)
        .into_iter()
        .map(|s| (s.get_ref().clone(), lines.span(&s.span())))
        .collect();
    let related = r
        .integer_array("related", diags)
        .into_iter()
        .filter_map(|n| match u32::try_from(*n.get_ref()) {
            Ok(v) if v >= 1 => Some((v, lines.span(&n.span()))),
            _ => {
                diags.error(
                    lines.span(&n.span()),
                    format!(
                        "`related` holds {}, which is not an item number",
                        n.get_ref()
                    ),
                    Some(format!(
                        "item numbers are whole numbers from 1 to {MAX_NUMBER}"
                    )),
                );
                None
            }
        })
        .collect();

    let mut targets: Vec<Target> = Vec::new();
    let mut keys: BTreeMap<String, Location> = BTreeMap::new();
    for (t, span) in r.table_array("targets", diags) {
        let mut tr = FieldReader::new(t, span, lines);
        let key = tr.required_string("key", "\"public-kindergartens\"", diags);
        let label = tr.required_string("label", "\"新建、改扩建公办幼儿园\"", diags);
        let goal = tr.number("goal", diags);
        if t.get("goal").is_none() {
            diags.error(
                tr.table_location(),
                "missing required field `goal` (a number) in a target",
                Some("add `goal = 16`: the planned quantity".into()),
            );
        }
        let actual = tr.number("actual", diags);
        let unit = tr
            .string("unit", diags)
            .map(|s| s.into_inner())
            .unwrap_or_default();
        tr.warn_unknown("a target", TARGET_FIELDS, diags);
        if let Some(g) = &goal
            && *g.get_ref() <= 0.0
        {
            diags.error(
                lines.span(&g.span()),
                format!("a target's `goal` must be above 0, found {}", g.get_ref()),
                Some("the goal is the planned quantity, e.g. 16".into()),
            );
        }
        if let Some(a) = &actual
            && *a.get_ref() < 0.0
        {
            diags.error(
                lines.span(&a.span()),
                "a target's `actual` must not be negative",
                None,
            );
        }
        let Some(key) = key else { continue };
        let at = lines.span(&key.span());
        if !is_slug(key.get_ref()) {
            diags.error(at.clone(), format!("target key \"{}\" may hold only a-z, 0-9 and -", key.get_ref()), Some("the key gives the anchor #target-<key>; write it like \"public-kindergartens\"".into()));
            continue;
        }
        if let Some(first) = keys.get(key.get_ref()) {
            diags.error(
                at,
                format!(
                    "target key \"{}\" is used twice in this item (first on line {})",
                    key.get_ref(),
                    first.line
                ),
                Some("give every target of an item its own key".into()),
            );
            continue;
        }
        keys.insert(key.get_ref().clone(), at);
        if let (Some(label), Some(goal)) = (label, goal) {
            targets.push(Target {
                key: key.into_inner(),
                label: Localized::new(label.into_inner()),
                goal: goal.into_inner(),
                actual: actual.map(|a| a.into_inner()),
                unit: Localized::new(unit),
            });
        }
    }

    let mut updates: Vec<Update> = Vec::new();
    let mut dates: BTreeMap<Date, Location> = BTreeMap::new();
    for (u, span) in r.table_array("updates", diags) {
        let mut ur = FieldReader::new(u, span.clone(), lines);
        let date = ur.date("date", diags);
        if u.get("date").is_none() {
            diags.error(
                ur.table_location(),
                "missing required field `date` in an update",
                Some("add `date = 2023-06-30` (no quotes)".into()),
            );
        }
        let status = parse_status(&mut ur, "status", diags);
        let text = ur.required_string("text", "\"……\"", diags);
        ur.warn_unknown("an update", UPDATE_FIELDS, diags);
        let Some(date) = date else { continue };
        let at = lines.span(&date.span());
        if let Some(first) = dates.get(date.get_ref()) {
            diags.error(
                at,
                format!(
                    "two updates are dated {} (first on line {})",
                    date.get_ref(),
                    first.line
                ),
                Some("merge them into one update, or correct the date".into()),
            );
            continue;
        }
        dates.insert(*date.get_ref(), at);
        if let Some(text) = text {
            updates.push(Update {
                date: date.into_inner(),
                status,
                text: Localized::new(text.into_inner()),
            });
        }
    }
    updates.sort_by_key(|u| u.date);
    r.warn_unknown("a work item's front matter", ITEM_FIELDS, diags);
    Some(ParsedItem {
        number,
        title: title?,
        body,
        status,
        lead,
        due,
        tags,
        related,
        targets,
        updates,
    })
}

fn parse_item_translation(
    r: &mut FieldReader<'_, '_>,
    body: String,
    diags: &mut Diagnostics,
) -> Option<ParsedItemTranslation> {
    let lines = r.lines();
    let title = r.string("title", diags).map(|s| s.into_inner());
    let mut target_labels = BTreeMap::new();
    if let Some((t, _)) = r.table("targets", diags) {
        for (key, value) in t.iter() {
            let DeValue::Table(tt) = value.get_ref() else {
                diags.error(
                    lines.span(&value.span()),
                    format!("`targets.{}` must be a table", key_str(key)),
                    Some(format!(
                        "write `[targets.{}]` then `label = \"…\"`",
                        key_str(key)
                    )),
                );
                continue;
            };
            let mut tr = FieldReader::new(tt, value.span(), lines);
            let label = tr.string("label", diags).map(|s| s.into_inner());
            let unit = tr.string("unit", diags).map(|s| s.into_inner());
            tr.warn_unknown("a target's translation", &["label", "unit"], diags);
            target_labels.insert(
                key_str(key).to_string(),
                (label, unit, lines.span(&key.span())),
            );
        }
    }
    let mut update_texts = BTreeMap::new();
    if let Some((t, _)) = r.table("updates", diags) {
        for (key, value) in t.iter() {
            let DeValue::Table(ut) = value.get_ref() else {
                diags.error(
                    lines.span(&value.span()),
                    format!("`updates.{}` must be a table", key_str(key)),
                    Some(format!(
                        "write `[updates.{}]` then `text = \"…\"`",
                        key_str(key)
                    )),
                );
                continue;
            };
            let mut ur = FieldReader::new(ut, value.span(), lines);
            if let Some(text) = ur.required_string("text", "\"…\"", diags) {
                update_texts.insert(
                    key_str(key).to_string(),
                    (text.into_inner(), lines.span(&key.span())),
                );
            }
            ur.warn_unknown("an update's translation", &["text"], diags);
        }
    }
    let source_hash = read_source_hash(r, diags);
    let known = ["title", "targets", "updates", "source_hash"];
    // Numbers, statuses and links come from the default-language file only.
    for field in ["number", "status", "tags", "related", "lead", "due"] {
        if let Some(v) = r.raw(field) {
            diags.warning(
                lines.span(&v.span()),
                format!(
                    "`{field}` in a translation is ignored: it comes from the default-language file"
                ),
                Some(format!("remove `{field}` from this file")),
            );
        }
    }
    r.warn_unknown("a work item translation's front matter", &known, diags);
    Some(ParsedItemTranslation {
        title,
        body,
        target_labels,
        update_texts,
        source_hash,
    })
}

/// A translation's `source_hash` and where it is written (issue #18.3).
fn read_source_hash(
    r: &mut FieldReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<(String, Location)> {
    let s = r.string("source_hash", diags)?;
    let at = r.lines().span(&s.span());
    Some((s.into_inner(), at))
}

/// Key of a document's "identity": translations attach to the
/// default-language document with the same key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct DocKey {
    plan: String,
    section_dir: Option<String>,
    kind: DocumentKind,
    stem: String,
}

fn doc_key(d: &SourceDocument) -> DocKey {
    DocKey {
        plan: d.plan.clone(),
        section_dir: d.section_dir.clone(),
        kind: d.kind,
        stem: d.stem.clone(),
    }
}

pub(crate) fn default_path(d: &SourceDocument) -> PathBuf {
    let mut p = d.path.clone();
    p.set_file_name(format!("{}.md", d.stem));
    p
}

/// One file's parse result: the typed document (if it parsed) and the
/// problems found in it.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub parsed: Option<ParsedDocument>,
    pub diagnostics: Diagnostics,
}

/// Parses one document's front matter into typed data (pure; cacheable by
/// the document's text).
pub fn parse_file(doc: &SourceDocument, default_language: &str) -> ParsedFile {
    let mut diagnostics = Diagnostics::new();
    let parsed = parse_document(doc, default_language, &mut diagnostics);
    ParsedFile {
        parsed,
        diagnostics,
    }
}

/// Stage 2 entry point.
pub fn validate_site(mut site: LoadedSite, diags: &mut Diagnostics) -> Option<ValidatedSite> {
    let default_language = site.config.default_language.clone();
    let parsed: Vec<ParsedFile> = site
        .documents
        .par_iter()
        .map(|d| parse_file(d, &default_language))
        .collect();
    // The parsed documents hold what assembling needs; the texts (the
    // whole content once more) can go before it.
    for d in &mut site.documents {
        d.text = String::new();
    }
    assemble_site(site, parsed, diags)
}

/// Puts parsed files together into plans, sections and items and checks
/// the content as a whole. `parsed[i]` belongs to `site.documents[i]`.
pub fn assemble_site(
    site: LoadedSite,
    parsed: Vec<ParsedFile>,
    diags: &mut Diagnostics,
) -> Option<ValidatedSite> {
    let LoadedSite {
        root,
        config,
        documents,
        assets,
        theme,
    } = site;
    let default_language = config.default_language.clone();
    let parsed: Vec<(Option<ParsedDocument>, Diagnostics)> = parsed
        .into_iter()
        .map(|p| (p.parsed, p.diagnostics))
        .collect();

    // Group by identity: default-language document first, then translations.
    let mut defaults: BTreeMap<DocKey, (&SourceDocument, Option<ParsedDocument>)> = BTreeMap::new();
    let mut translations: Vec<(&SourceDocument, Option<ParsedDocument>)> = Vec::new();
    for (doc, (p, d)) in documents.iter().zip(parsed) {
        diags.extend(d);
        if doc.language == default_language {
            defaults.insert(doc_key(doc), (doc, p));
        } else {
            translations.push((doc, p));
        }
    }
    let mut translations_by_key: BTreeMap<DocKey, Vec<(&SourceDocument, ParsedDocument)>> =
        BTreeMap::new();
    for (doc, p) in translations {
        let key = doc_key(doc);
        if !defaults.contains_key(&key) {
            diags.error(
                Location::file(&doc.path),
                format!(
                    "translation has no default-language file {}",
                    default_path(doc).display()
                ),
                Some(format!(
                    "create {} or rename this file to match an existing one",
                    default_path(doc).display()
                )),
            );
            continue;
        }
        if let Some(p) = p {
            translations_by_key.entry(key).or_default().push((doc, p));
        }
    }

    let mut plans: BTreeMap<String, Plan> = BTreeMap::new();
    let mut sections: BTreeMap<(String, String), Section> = BTreeMap::new();
    // plan id, section folder, the item, where its number was written,
    // its tags and `related` as written.
    let mut items: Vec<(
        String,
        String,
        Item,
        Option<Location>,
        WrittenTags,
        WrittenRelated,
    )> = Vec::new();
    let mut plan_dirs_seen: BTreeSet<String> = BTreeSet::new();
    let mut section_dirs_seen: BTreeSet<(String, String)> = BTreeSet::new();
    // Item files that could not be read, per plan, by the number their
    // file name starts with (`31-work-style.md`): a `related` link to that
    // number is not reported again as pointing at nothing.
    let mut unreadable_items: BTreeSet<(String, u32)> = BTreeSet::new();

    // Every folder that holds content, and the documents that make it a
    // plan or a section: content in a folder without its _index.md would
    // be published nowhere.
    let mut folders_with_content: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for (key, (doc, parsed)) in defaults {
        match doc.kind {
            DocumentKind::Plan => {
                plan_dirs_seen.insert(doc.plan.clone());
            }
            DocumentKind::Section => {
                if let Some(dir) = &doc.section_dir {
                    section_dirs_seen.insert((doc.plan.clone(), dir.clone()));
                }
                folders_with_content.insert((doc.plan.clone(), None));
            }
            DocumentKind::Item => {
                folders_with_content.insert((doc.plan.clone(), None));
                folders_with_content.insert((doc.plan.clone(), doc.section_dir.clone()));
            }
        }
        let trans = translations_by_key.remove(&key).unwrap_or_default();
        let mut languages: BTreeSet<String> =
            trans.iter().map(|(d, _)| d.language.clone()).collect();
        languages.insert(default_language.clone());
        let Some(parsed) = parsed else {
            if doc.kind == DocumentKind::Item
                && let Some(n) = number_in_file_name(&doc.stem)
            {
                unreadable_items.insert((doc.plan.clone(), n));
            }
            continue;
        };
        match parsed {
            ParsedDocument::Plan {
                title,
                issuer,
                published,
                source,
                body,
            } => {
                let mut title = Localized::new(title);
                let mut issuer = issuer.map(Localized::new);
                let mut body = Localized::new(body);
                let mut recorded_hashes = Vec::new();
                for (d, t) in trans {
                    if let ParsedDocument::PlanTranslation {
                        title: tt,
                        issuer: ti,
                        body: tb,
                        source_hash,
                    } = t
                    {
                        put_translation(&mut title, &d.language, tt, &d.path, "title", diags);
                        if let (Some(i), Some(ti)) = (issuer.as_mut(), ti) {
                            i.translations.insert(d.language.clone(), ti);
                        }
                        body.translations.insert(d.language.clone(), tb);
                        recorded_hashes.extend(source_hash.map(|h| (d.language.clone(), h)));
                    }
                }
                let mut plan = Plan {
                    id: doc.plan.clone(),
                    path: doc.path.clone(),
                    title,
                    issuer,
                    published,
                    source,
                    body,
                    sections: Vec::new(),
                    languages,
                    stale_translations: BTreeSet::new(),
                };
                // issue #18.3: a translation older than its source.
                plan.stale_translations = crate::translate::units::stale_translations(
                    recorded_hashes,
                    || crate::translate::units::plan_source_hash(&plan),
                    diags,
                );
                plans.insert(doc.plan.clone(), plan);
            }
            ParsedDocument::Section {
                number,
                title,
                body,
            } => {
                let mut title = Localized::new(title);
                let mut body = Localized::new(body);
                let mut recorded_hashes = Vec::new();
                for (d, t) in trans {
                    if let ParsedDocument::SectionTranslation {
                        title: tt,
                        body: tb,
                        source_hash,
                    } = t
                    {
                        put_translation(&mut title, &d.language, tt, &d.path, "title", diags);
                        body.translations.insert(d.language.clone(), tb);
                        recorded_hashes.extend(source_hash.map(|h| (d.language.clone(), h)));
                    }
                }
                let Some((number, _)) = number else { continue };
                let dir = doc.section_dir.clone().unwrap_or_default();
                let mut section = Section {
                    number,
                    dir,
                    path: doc.path.clone(),
                    title,
                    body,
                    items: Vec::new(),
                    languages,
                    stale_translations: BTreeSet::new(),
                };
                // issue #18.3: a translation older than its source.
                section.stale_translations = crate::translate::units::stale_translations(
                    recorded_hashes,
                    || crate::translate::units::section_source_hash(&section),
                    diags,
                );
                sections.insert((doc.plan.clone(), section.dir.clone()), section);
            }
            ParsedDocument::Item(item) => {
                let Some(merged) = merge_item(doc, *item, trans, languages, diags) else {
                    if let Some(n) = number_in_file_name(&doc.stem) {
                        unreadable_items.insert((doc.plan.clone(), n));
                    }
                    continue;
                };
                let (item, number_at, tags, related) = merged;
                items.push((
                    doc.plan.clone(),
                    doc.section_dir.clone().unwrap_or_default(),
                    item,
                    Some(number_at),
                    tags,
                    related,
                ));
            }
            ParsedDocument::PlanTranslation { .. }
            | ParsedDocument::SectionTranslation { .. }
            | ParsedDocument::ItemTranslation(_) => {}
        }
    }

    // Missing translations: listed, and shown in the default language.
    for lang in config
        .languages
        .iter()
        .filter(|l| l.code != default_language)
    {
        for plan in plans.values() {
            if !plan.languages.contains(&lang.code) {
                diags.warning(Location::file(&plan.path), format!("no `{}` translation; the page is shown in the default language with a notice", lang.code), Some(format!("create {}", translation_path(&plan.path, &lang.code).display())));
            }
        }
        for s in sections.values() {
            if !s.languages.contains(&lang.code) {
                diags.warning(
                    Location::file(&s.path),
                    format!(
                        "no `{}` translation; the section is shown in the default language",
                        lang.code
                    ),
                    Some(format!(
                        "create {}",
                        translation_path(&s.path, &lang.code).display()
                    )),
                );
            }
        }
        for (_, _, item, _, _, _) in &items {
            if !item.languages.contains(&lang.code) {
                diags.warning(Location::file(&item.path), format!("no `{}` translation; the item is shown in the default language with a notice", lang.code), Some(format!("create {}", translation_path(&item.path, &lang.code).display())));
            }
        }
    }

    // Every plan and section folder needs its _index.md.
    for (plan, dir) in folders_with_content {
        let (path, message, hint) = match &dir {
            Some(dir) if !section_dirs_seen.contains(&(plan.clone(), dir.clone())) => {
                let path = PathBuf::from("content")
                    .join(&plan)
                    .join(dir)
                    .join("_index.md");
                let hint = format!("create {} with `number` and `title`", path.display());
                (
                    path,
                    format!(
                        "section folder {dir} has no _index.md, so its items are not published"
                    ),
                    hint,
                )
            }
            None if !plan_dirs_seen.contains(&plan) => {
                let path = PathBuf::from("content").join(&plan).join("_index.md");
                let hint = format!("create {} with the plan's `title`", path.display());
                (
                    path,
                    format!(
                        "plan folder {plan} has no _index.md, so its sections and items are not published"
                    ),
                    hint,
                )
            }
            _ => continue,
        };
        diags.error(Location::file(&path), message, Some(hint));
    }

    for plan in plans.values() {
        if let Some(problem) = plan_id_problem(&plan.id, &config) {
            diags.error(
                Location::file(&plan.path),
                format!("the plan folder `{}` {problem}", plan.id),
                Some(
                    "rename the plan folder: its name is the plan's URL, e.g. content/2023/".into(),
                ),
            );
        }
    }

    // Unique section numbers per plan.
    let mut section_numbers: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    for ((plan, _), s) in &sections {
        if let Some(first) = section_numbers.get(&(plan.clone(), s.number)) {
            diags.error(
                Location::file(&s.path),
                format!(
                    "section number {} is already used by {}",
                    s.number,
                    first.display()
                ),
                Some("give every section of a plan its own number".into()),
            );
        } else {
            section_numbers.insert((plan.clone(), s.number), s.path.clone());
        }
    }

    // Unique item numbers per plan; related items exist; tags known.
    let mut item_numbers: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    let mut duplicate = BTreeSet::new();
    for (plan, _, item, at, _, _) in &items {
        if let Some(first) = item_numbers.get(&(plan.clone(), item.number)) {
            diags.error(
                at.clone().unwrap_or_else(|| Location::file(&item.path)),
                format!(
                    "item number {} is already used by {}",
                    item.number,
                    first.display()
                ),
                Some(
                    "item numbers are permalinks: give every item of a plan its own number".into(),
                ),
            );
            duplicate.insert(item.path.clone());
        } else {
            item_numbers.insert((plan.clone(), item.number), item.path.clone());
        }
    }
    let mut unknown_tags: BTreeSet<String> = BTreeSet::new();
    for (plan, dir, mut item, _, tags, related) in items {
        if duplicate.contains(&item.path) {
            continue;
        }
        for (n, at) in related {
            if n == item.number {
                diags.error(
                    at,
                    format!("item {} lists itself in `related`", n),
                    Some("remove its own number".into()),
                );
            } else if !item_numbers.contains_key(&(plan.clone(), n))
                && !unreadable_items.contains(&(plan.clone(), n))
            {
                diags.error(
                    at,
                    format!("`related` points at item {n}, which does not exist in plan {plan}"),
                    Some("use the `number` of an item of the same plan".into()),
                );
            } else if !item.related.contains(&n) {
                item.related.push(n);
            }
        }
        for (t, at) in tags {
            if !config.tags.contains_key(&t)
                && unknown_tags.insert(t.clone())
                && config.languages.len() > 1
            {
                diags.warning(at, format!("tag \"{t}\" is not defined in site.toml; its name is shown untranslated"), Some(format!("add `[tags.\"{t}\"]` with `slug` and the name in each language to site.toml")));
            }
        }
        let Some(section) = sections.get_mut(&(plan.clone(), dir)) else {
            continue;
        };
        item.section_number = section.number;
        section.items.push(item);
    }
    for ((plan, _), mut section) in sections {
        section.items.sort_by_key(|i| i.number);
        if let Some(p) = plans.get_mut(&plan) {
            p.sections.push(section);
        }
    }
    let mut plans: Vec<Plan> = plans.into_values().collect();
    for p in &mut plans {
        p.sections.sort_by_key(|s| s.number);
    }
    if plans.is_empty() && !diags.has_errors() {
        diags.error(
            Location::file(Path::new("content")),
            "content/ holds no plan",
            Some("create content/<plan>/_index.md with the plan's title".into()),
        );
    }

    let strings = validate_strings(&theme, &config, diags);
    if diags.has_errors() {
        return None;
    }
    Some(ValidatedSite {
        root,
        config,
        plans,
        theme,
        strings,
        assets,
    })
}

/// Top-level names of the site's URLs that planpub's own pages take.
const RESERVED_TOP_LEVEL: &[(&str, &str)] = &[
    ("search", "the search page (/search/)"),
    ("static", "the theme's files (/static/)"),
    ("sitemap.xml", "the sitemap"),
    ("robots.txt", "robots.txt"),
    ("404.html", "the page for missing pages"),
    ("index.html", "the home page"),
    ("__planpub", "`planpub serve`'s own requests"),
];

/// Why a plan folder's name cannot be a plan id (the first segment of its
/// URLs), if it cannot: a language code (`/en/` is the English site), a
/// name planpub's own pages take, or characters that do not stay one
/// plain URL segment.
fn plan_id_problem(id: &str, config: &SiteConfig) -> Option<String> {
    if let Some(lang) = config.languages.iter().find(|l| l.code == id) {
        return Some(format!(
            "is the language code `{}`: the plan's pages would take the place of the /{}/ pages",
            lang.code, lang.code
        ));
    }
    if let Some((_, taken_by)) = RESERVED_TOP_LEVEL.iter().find(|(name, _)| *name == id) {
        return Some(format!("is a name planpub uses for {taken_by}"));
    }
    let plain = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !id.chars().all(plain) || id.starts_with('.') {
        return Some(
            "holds characters other than letters, digits, `-`, `_` and `.`, which do not stay one plain URL segment".into(),
        );
    }
    None
}

/// An item's tags as written, each where it was written.
type WrittenTags = Vec<(String, Location)>;
/// An item's `related` numbers as written, each where it was written.
type WrittenRelated = Vec<(u32, Location)>;

/// One work item from its default-language file and its translations:
/// the item (section and `related` still unresolved: see
/// [`assemble_site`]), where its number was written, and its tags and
/// `related` as written. `None` when the file has no usable number.
fn merge_item(
    doc: &SourceDocument,
    item: ParsedItem,
    trans: Vec<(&SourceDocument, ParsedDocument)>,
    languages: BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<(Item, Location, WrittenTags, WrittenRelated)> {
    let ParsedItem {
        number,
        title,
        body,
        status,
        lead,
        due,
        tags,
        related,
        mut targets,
        mut updates,
    } = item;
    let mut title = Localized::new(title);
    let mut body = Localized::new(body);
    let mut recorded_hashes = Vec::new();
    for (d, t) in trans {
        let ParsedDocument::ItemTranslation(t) = t else {
            continue;
        };
        let ParsedItemTranslation {
            title: tt,
            body: tb,
            target_labels,
            update_texts,
            source_hash,
        } = *t;
        recorded_hashes.extend(source_hash.map(|h| (d.language.clone(), h)));
        put_translation(&mut title, &d.language, tt, &d.path, "title", diags);
        body.translations.insert(d.language.clone(), tb);
        for (k, (label, unit, at)) in target_labels {
            match targets.iter_mut().find(|t| t.key == k) {
                Some(t) => {
                    if let Some(l) = label {
                        t.label.translations.insert(d.language.clone(), l);
                    }
                    if let Some(u) = unit {
                        t.unit.translations.insert(d.language.clone(), u);
                    }
                }
                None => diags.warning(
                    at,
                    format!(
                        "`targets.{k}` translates a target that {} does not have",
                        default_path(d).display()
                    ),
                    Some("use the `key` of a target in the default-language file".into()),
                ),
            }
        }
        for (date, (text, at)) in update_texts {
            match updates.iter_mut().find(|u| u.date.iso() == date) {
                Some(u) => {
                    u.text.translations.insert(d.language.clone(), text);
                }
                None => diags.warning(
                    at,
                    format!(
                        "`updates.{date}` translates an update that {} does not have",
                        default_path(doc).display()
                    ),
                    Some("use the `date` of an update in the default-language file".into()),
                ),
            }
        }
        for t in &targets {
            if !t.label.translations.contains_key(&d.language) {
                diags.warning(
                    Location::file(&d.path),
                    format!(
                        "target `{}` has no `{}` label; the default-language label is shown",
                        t.key, d.language
                    ),
                    Some(format!("add `[targets.{}]` with `label = \"…\"`", t.key)),
                );
            }
        }
        for u in &updates {
            if !u.text.translations.contains_key(&d.language) {
                diags.warning(
                    Location::file(&d.path),
                    format!(
                        "the update of {} has no `{}` text; the default-language text is shown",
                        u.date, d.language
                    ),
                    Some(format!("add `[updates.{}]` with `text = \"…\"`", u.date)),
                );
            }
        }
    }
    let (number, number_at) = number?;
    let mut item = Item {
        number,
        path: doc.path.clone(),
        section_number: 0,
        title,
        body,
        status,
        lead,
        due,
        tags: tags.iter().map(|(t, _)| t.clone()).collect(),
        related: Vec::new(),
        targets,
        updates,
        languages,
        stale_translations: BTreeSet::new(),
    };
    // issue #18.3: a translation older than its source.
    item.stale_translations = crate::translate::units::stale_translations(
        recorded_hashes,
        || crate::translate::units::item_source_hash(&item),
        diags,
    );
    Some((item, number_at, tags, related))
}

fn put_translation(
    field: &mut Localized,
    lang: &str,
    value: Option<String>,
    path: &Path,
    name: &str,
    diags: &mut Diagnostics,
) {
    match value {
        Some(v) if !v.trim().is_empty() => {
            field.translations.insert(lang.to_string(), v);
        }
        _ => diags.warning(
            Location::file(path),
            format!("translation has no `{name}`; the default-language {name} is shown"),
            Some(format!("add `{name} = \"…\"` to the front matter")),
        ),
    }
}

pub(crate) fn translation_path(path: &Path, lang: &str) -> PathBuf {
    let mut p = path.to_path_buf();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.set_file_name(format!("{stem}.{lang}.md"));
    p
}

/// Reads the theme's UI strings (flat `key = "text"` TOML per language)
/// and checks that every language defines the same keys.
fn validate_strings(
    theme: &LoadedTheme,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> UiStrings {
    let mut out: UiStrings = BTreeMap::new();
    for (lang, (path, text)) in &theme.strings {
        let lines = LineIndex::new(path, text, 1);
        let Some(doc) = parse_toml(lines, text, diags) else {
            continue;
        };
        let mut map = BTreeMap::new();
        // Templates read `skip-link` as `t.skip_link`: two keys that differ
        // only by `-` and `_` would be one name there.
        let mut template_names: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in doc.table.get_ref().iter() {
            let key = key_str(k);
            let name = template_key(key);
            if let Some(first) = template_names.insert(name.clone(), key.to_string()) {
                diags.error(
                    doc.lines.span(&k.span()),
                    format!("UI string `{key}` and `{first}` are both `t.{name}` in templates"),
                    Some("rename one of them: templates write `-` in a key as `_`".into()),
                );
            }
            match v.get_ref() {
                DeValue::String(s) => {
                    map.insert(key.to_string(), s.to_string());
                }
                _ => diags.error(
                    doc.lines.span(&v.span()),
                    format!("UI string `{}` must be a string", key_str(k)),
                    None,
                ),
            }
        }
        out.insert(lang.clone(), map);
    }
    if let Some((default_path, _)) = theme.strings.get(&config.default_language)
        && let Some(default) = out.get(&config.default_language)
    {
        for (lang, map) in &out {
            for key in default.keys() {
                if !map.contains_key(key) {
                    let path = &theme.strings[lang].0;
                    diags.error(
                        Location::file(path),
                        format!(
                            "UI string `{key}` is missing (it is in {})",
                            default_path.display()
                        ),
                        Some(format!("add `{key} = \"…\"`")),
                    );
                }
            }
        }
    }
    out
}

/// `serve`'s fast path: an item rebuilt from its own files alone, for an
/// edit that leaves what other items and lists rely on as it was. `None`
/// (take the full path) when a file does not parse cleanly, or when the
/// item's number, file, tags, `related` or languages differ from `old`.
/// The section comes from `old`.
pub fn reassemble_item(
    old: &Item,
    default_doc: &SourceDocument,
    default_parsed: &ParsedFile,
    translations: &[(&SourceDocument, &ParsedFile)],
    default_language: &str,
) -> Option<Item> {
    if default_parsed.diagnostics.has_errors()
        || translations.iter().any(|(_, p)| p.diagnostics.has_errors())
    {
        return None;
    }
    let Some(ParsedDocument::Item(item)) = default_parsed.parsed.clone() else {
        return None;
    };
    let mut trans = Vec::with_capacity(translations.len());
    for (d, p) in translations {
        match p.parsed.clone() {
            Some(t @ ParsedDocument::ItemTranslation(_)) => trans.push((*d, t)),
            _ => return None,
        }
    }
    let mut languages: BTreeSet<String> = translations
        .iter()
        .map(|(d, _)| d.language.clone())
        .collect();
    languages.insert(default_language.to_string());
    let mut scratch = Diagnostics::new();
    let (mut item, _, _, related) = merge_item(default_doc, *item, trans, languages, &mut scratch)?;
    if scratch.has_errors() {
        return None;
    }
    // `related` as assemble_site resolves it (old's were all valid).
    let mut resolved: Vec<u32> = Vec::new();
    for (n, _) in related {
        if n == item.number {
            return None;
        }
        if !resolved.contains(&n) {
            resolved.push(n);
        }
    }
    item.related = resolved;
    item.section_number = old.section_number;
    (item.number == old.number
        && item.path == old.path
        && item.tags == old.tags
        && item.related == old.related
        && item.languages == old.languages)
        .then_some(item)
}

/// The number an item's file name starts with (`31` for `31-work-style`),
/// by the content convention; the front matter's `number` is what counts.
fn number_in_file_name(stem: &str) -> Option<u32> {
    let digits: &str = &stem[..stem
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(stem.len())];
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_string_keys_that_are_one_template_name_are_an_error() {
        let mut diags = Diagnostics::new();
        let config = crate::config::parse_site_config(
            Path::new("site.toml"),
            "base_url = \"https://example.gov.cn/\"\n[languages.zh]\ntitle = \"计划\"\n",
            &mut diags,
        )
        .expect("site.toml parses");
        let strings = "skip-link = \"跳到正文\"\nskip_link = \"跳过\"\nnav-home = \"首页\"\n";
        let theme = LoadedTheme {
            templates: Vec::new(),
            static_files: BTreeMap::new(),
            strings: BTreeMap::from([(
                "zh".to_string(),
                (PathBuf::from("i18n/zh.toml"), strings.to_string()),
            )]),
        };
        let out = validate_strings(&theme, &config, &mut diags);
        let errors: Vec<String> = diags
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}: {}",
                    d.path.display(),
                    d.line,
                    d.column,
                    d.message
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                "i18n/zh.toml:2:1: UI string `skip_link` and `skip-link` are both `t.skip_link` in templates"
            ]
        );
        assert_eq!(out["zh"].len(), 3, "both strings are still read");
    }
}
