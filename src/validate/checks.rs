//! The checks that need the whole content: missing translations, folders
//! without their `_index.md`, plan ids that clash with planpub's paths,
//! unique numbers, `related` links and tags. Each reports every problem
//! it finds and carries on.

use super::assemble::Assembly;
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::load::translation_path;
use crate::model::Item;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Missing translations: listed, and shown in the default language.
pub(super) fn report_missing_translations(a: &Assembly<'_>, diags: &mut Diagnostics) {
    let missing = |diags: &mut Diagnostics, path: &Path, lang: &str, what: &str| {
        diags.warning(
            Code::MissingTranslation,
            Location::file(path),
            format!("no `{lang}` translation; {what}"),
            Some(format!("create {}", translation_path(path, lang).display())),
        );
    };
    for lang in a
        .config
        .languages
        .iter()
        .filter(|l| l.code != a.config.default_language)
    {
        for plan in a.plans.values() {
            if !plan.languages.contains(&lang.code) {
                let what = "the page is shown in the default language with a notice";
                missing(diags, &plan.path, &lang.code, what);
            }
        }
        for s in a.sections.values() {
            if !s.languages.contains(&lang.code) {
                let what = "the section is shown in the default language";
                missing(diags, &s.path, &lang.code, what);
            }
        }
        for placed in &a.items {
            if !placed.item.languages.contains(&lang.code) {
                let what = "the item is shown in the default language with a notice";
                missing(diags, &placed.item.path, &lang.code, what);
            }
        }
    }
}

/// Every plan and section folder that holds content needs its
/// `_index.md`: without it, the content would be published nowhere.
pub(super) fn check_folders_have_index_files(a: &Assembly<'_>, diags: &mut Diagnostics) {
    for (plan, dir) in &a.folders_with_content {
        let (path, message, hint) = match dir {
            Some(dir) if !a.section_dirs_seen.contains(&(plan.clone(), dir.clone())) => {
                let path = PathBuf::from("content")
                    .join(plan)
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
            None if !a.plan_dirs_seen.contains(plan) => {
                let path = PathBuf::from("content").join(plan).join("_index.md");
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
        diags.error(
            Code::MissingIndexFile,
            Location::file(&path),
            message,
            Some(hint),
        );
    }
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

/// Every plan folder's name must make a plan id.
pub(super) fn check_plan_ids(a: &Assembly<'_>, diags: &mut Diagnostics) {
    for plan in a.plans.values() {
        if let Some(problem) = plan_id_problem(&plan.id, a.config) {
            diags.error(
                Code::ReservedName,
                Location::file(&plan.path),
                format!("the plan folder `{}` {problem}", plan.id),
                Some(
                    "rename the plan folder: its name is the plan's URL, e.g. content/2023/".into(),
                ),
            );
        }
    }
}

/// Section numbers are unique per plan.
pub(super) fn check_section_numbers(a: &Assembly<'_>, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    for ((plan, _), s) in &a.sections {
        if let Some(first) = seen.get(&(plan.clone(), s.number)) {
            diags.error(
                Code::Duplicate,
                Location::file(&s.path),
                format!(
                    "section number {} is already used by {}",
                    s.number,
                    first.display()
                ),
                Some("give every section of a plan its own number".into()),
            );
        } else {
            seen.insert((plan.clone(), s.number), s.path.clone());
        }
    }
}

/// Item numbers are unique per plan (they are permalinks). Returns the
/// files of the items that repeat a number, which are left out.
pub(super) fn check_item_numbers(a: &Assembly<'_>, diags: &mut Diagnostics) -> BTreeSet<PathBuf> {
    let mut seen: BTreeMap<(String, u32), PathBuf> = BTreeMap::new();
    let mut duplicates = BTreeSet::new();
    for placed in &a.items {
        let key = (placed.plan.clone(), placed.item.number);
        if let Some(first) = seen.get(&key) {
            diags.error(
                Code::Duplicate,
                placed.number_at.clone(),
                format!(
                    "item number {} is already used by {}",
                    placed.item.number,
                    first.display()
                ),
                Some(
                    "item numbers are permalinks: give every item of a plan its own number".into(),
                ),
            );
            duplicates.insert(placed.item.path.clone());
        } else {
            seen.insert(key, placed.item.path.clone());
        }
    }
    duplicates
}

/// An item's `related` numbers as written, checked: not itself, an item
/// of the same plan (or one whose file could not be read, which is
/// reported already); each once.
pub(super) fn resolve_related(
    item: &Item,
    plan: &str,
    related: Vec<(u32, Location)>,
    numbers: &BTreeSet<(String, u32)>,
    unreadable: &BTreeSet<(String, u32)>,
    diags: &mut Diagnostics,
) -> Vec<u32> {
    let mut resolved = Vec::new();
    for (n, at) in related {
        let key = (plan.to_string(), n);
        if n == item.number {
            diags.error(
                Code::InvalidValue,
                at,
                format!("item {n} lists itself in `related`"),
                Some("remove its own number".into()),
            );
        } else if !numbers.contains(&key) && !unreadable.contains(&key) {
            diags.error(
                Code::DanglingReference,
                at,
                format!("`related` points at item {n}, which does not exist in plan {plan}"),
                Some("use the `number` of an item of the same plan".into()),
            );
        } else if !resolved.contains(&n) {
            resolved.push(n);
        }
    }
    resolved
}

/// A tag that site.toml does not define is shown untranslated: warned
/// about once per tag, on a site with more than one language.
pub(super) fn report_undefined_tags(
    config: &SiteConfig,
    tags: Vec<(String, Location)>,
    warned: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    for (t, at) in tags {
        if !config.tags.contains_key(&t) && warned.insert(t.clone()) && config.languages.len() > 1 {
            diags.warning(
                Code::UndefinedTag,
                at,
                format!("tag \"{t}\" is not defined in site.toml; its name is shown untranslated"),
                Some(format!(
                    "add `[tags.\"{t}\"]` with `slug` and the name in each language to site.toml"
                )),
            );
        }
    }
}

/// A site needs a plan.
pub(super) fn check_some_plan(plans: &[crate::model::Plan], diags: &mut Diagnostics) {
    if plans.is_empty() && !diags.has_errors() {
        diags.error(
            Code::MissingIndexFile,
            Location::file(Path::new("content")),
            "content/ holds no plan",
            Some("create content/<plan>/_index.md with the plan's title".into()),
        );
    }
}
