//! The checks that need the whole content: missing translations, folders
//! without their `_index.md`, plan ids that clash with planpub's paths,
//! unique numbers, `related` links and tags. Each reports every problem
//! it finds and carries on.

use super::assemble::Assembly;
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::load::translation_path;
use crate::model::{Date, Item, ItemRef, Plan};
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
    ("_redirects", "the redirects for static hosts"),
    ("redirects.nginx.conf", "the nginx redirects"),
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

/// Former numbers (`former_numbers`) keep their URLs leading to one
/// item: a former number may be no item's current number and no other
/// item's former number. Each conflict names both files.
pub(super) fn check_former_numbers(a: &Assembly<'_>, diags: &mut Diagnostics) {
    let current: BTreeMap<(&str, u32), &Path> = a
        .items
        .iter()
        .map(|p| ((p.plan.as_str(), p.item.number), p.item.path.as_path()))
        .collect();
    let mut claimed: BTreeMap<(&str, u32), &Path> = BTreeMap::new();
    for placed in &a.items {
        let path = placed.item.path.as_path();
        for (n, at) in &placed.former_numbers {
            let key = (placed.plan.as_str(), *n);
            if *n == placed.item.number {
                diags.error(
                    Code::InvalidValue,
                    at.clone(),
                    format!("item {n} lists its own number in `former_numbers`"),
                    Some(
                        "`former_numbers` lists the numbers the item had before; remove this one"
                            .into(),
                    ),
                );
            } else if let Some(other) = current.get(&key) {
                diags.error(
                    Code::Duplicate,
                    at.clone(),
                    format!(
                        "former number {n} of {} is the current number of {}: /{}/{n}/ cannot lead to both",
                        path.display(),
                        other.display(),
                        placed.plan
                    ),
                    Some(format!(
                        "remove {n} from `former_numbers` here, or renumber {} (`planpub renumber`)",
                        other.display()
                    )),
                );
            } else if let Some(first) = claimed.get(&key) {
                if *first != path {
                    diags.error(
                        Code::Duplicate,
                        at.clone(),
                        format!(
                            "former number {n} is claimed by both {} and {}: /{}/{n}/ cannot lead to both",
                            first.display(),
                            path.display(),
                            placed.plan
                        ),
                        Some("keep the number in the `former_numbers` of the item it once was".into()),
                    );
                }
            } else {
                claimed.insert(key, path);
            }
        }
    }
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

/// An item's `continues` as written, checked: an item that exists in a
/// plan older than the item's own (by the end of its period, then id).
pub(super) fn resolve_continues(
    plan: &str,
    continues: Option<(ItemRef, Location)>,
    numbers: &BTreeSet<(String, u32)>,
    unreadable: &BTreeSet<(String, u32)>,
    ages: &BTreeMap<String, (Option<Date>, String)>,
    diags: &mut Diagnostics,
) -> Option<ItemRef> {
    let (r, at) = continues?;
    let key = (r.plan.clone(), r.number);
    if !ages.contains_key(&r.plan) {
        let plans: Vec<&str> = ages.keys().map(String::as_str).collect();
        diags.error(
            Code::DanglingReference,
            at,
            format!(
                "`continues` points at plan {}, which does not exist",
                r.plan
            ),
            Some(format!(
                "write \"<plan>/<number>\" with one of the plans: {}",
                plans.join(", ")
            )),
        );
        return None;
    }
    if unreadable.contains(&key) {
        return None;
    }
    if !numbers.contains(&key) {
        diags.error(
            Code::DanglingReference,
            at,
            format!(
                "`continues` points at item {} of plan {}, which does not exist",
                r.number, r.plan
            ),
            Some(format!(
                "use the `number` of an item of plan {} (its permalink /{}/<number>/)",
                r.plan, r.plan
            )),
        );
        return None;
    }
    if ages.get(&r.plan) >= ages.get(plan) {
        let what = if r.plan == plan {
            "its own plan"
        } else {
            "a later plan"
        };
        diags.error(
            Code::InvalidValue,
            at,
            format!(
                "`continues` points at item {} of plan {}, {what}",
                r.number, r.plan
            ),
            Some("an item continues an item of an earlier plan; write `continues` in the newer plan's item".into()),
        );
        return None;
    }
    Some(r)
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

/// Checks that `date` lies in `plan`'s period ([`Plan::period`]); an
/// error at `at` otherwise, naming the period and how to change it.
/// `what` names the date in the message ("the update's date", "`due`").
/// Returns whether the date is in the period (or the plan has none).
/// Round files (`progress/<date>.toml`) call this for their dates too.
pub(crate) fn check_date_in_period(
    plan: &Plan,
    date: Date,
    at: Location,
    what: &str,
    diags: &mut Diagnostics,
) -> bool {
    let Some((start, end)) = plan.period() else {
        return true;
    };
    if (start..=end).contains(&date) {
        return true;
    }
    let (field, set) = if date > end {
        ("end", plan.end)
    } else {
        ("start", plan.start)
    };
    let change = match set {
        Some(value) => format!("change `{field} = {value}` to `{field} = {date}`"),
        None => format!("add `{field} = {date}`"),
    };
    let period_from = match (plan.start, plan.end) {
        (None, None) => " (the plan's year: it sets no `start` or `end`)",
        _ => "",
    };
    diags.error(
        Code::OutsidePeriod,
        at,
        format!("{what} {date} is outside the plan's period, {start} to {end}{period_from}"),
        Some(format!(
            "correct the date; or, if the plan's period really includes {date}, {change} in {}",
            plan.path.display()
        )),
    );
    false
}

/// Every item's `due` and update dates in its plan's period, and no
/// update after the item's `due` (a warning: a late report is possible,
/// a typo likelier).
pub(super) fn check_item_dates(a: &Assembly<'_>, diags: &mut Diagnostics) {
    for placed in &a.items {
        let Some(plan) = a.plans.get(&placed.plan) else {
            continue;
        };
        let dates = &placed.dates;
        if let Some((due, at)) = &dates.due {
            check_date_in_period(plan, *due, at.clone(), "`due`", diags);
        }
        for (date, at) in &dates.updates {
            let in_period =
                check_date_in_period(plan, *date, at.clone(), "the update's date", diags);
            let Some((due, due_at)) = &dates.due else {
                continue;
            };
            if in_period && date > due {
                diags.warning(
                    Code::AfterDue,
                    at.clone(),
                    format!(
                        "the update of {date} is dated after the item's `due` date {due} (line {})",
                        due_at.line
                    ),
                    Some(
                        "correct the update's date if it is a typo; if the deadline moved, change `due`".into(),
                    ),
                );
            }
        }
    }
}

/// The number a file or folder name starts with (`03-kindergartens.md`)
/// should be its `number`: a warning naming both where they differ (the
/// `number` is what counts, in URLs and order).
pub(super) fn check_name_numbers(a: &Assembly<'_>, diags: &mut Diagnostics) {
    let mismatch = |name: &str, number: u32, what: &str, at: Location, diags: &mut Diagnostics| {
        let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Ok(named) = name[..digits].parse::<u32>() else {
            return;
        };
        if named == number {
            return;
        }
        let renamed = format!("{number:0digits$}{}", &name[digits..]);
        diags.warning(
            Code::NameNumberMismatch,
            at,
            format!("the {what} name {name} starts with {named}, but its `number` is {number}"),
            Some(format!(
                "`number` is what counts (URLs and order): rename the {what} to {renamed}, or correct `number`"
            )),
        );
    };
    for placed in &a.items {
        let path = &placed.item.path;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let at = placed.number_at.clone();
        mismatch(&name, placed.item.number, "file", at, diags);
    }
    for s in a.sections.values() {
        mismatch(&s.dir, s.number, "folder", Location::file(&s.path), diags);
    }
}

/// A site needs a plan.
/// An item's own `status` must be its latest update's (the contract):
/// one that contradicts it would otherwise win without a word.
pub(super) fn check_status_agrees(a: &Assembly<'_>, diags: &mut Diagnostics) {
    for placed in &a.items {
        let (Some(stated), Some(at)) = (placed.item.status, &placed.status_at) else {
            continue;
        };
        let Some((date, latest)) = placed
            .item
            .updates
            .iter()
            .rev()
            .find_map(|u| Some((u.date, u.status?)))
        else {
            continue;
        };
        if latest == stated {
            continue;
        }
        let source = placed
            .update_at
            .get(&date)
            .map(|l| format!(" ({}:{})", l.path.display(), l.line))
            .unwrap_or_default();
        // A warning, not an error: the benchmark corpus every tool builds
        // (gen_corpus.py) writes such items; the latest update wins, and
        // `check --strict` fails on it.
        diags.warning(
            Code::InvalidValue,
            at.clone(),
            format!(
                "`status` is \"{}\" but the latest update, of {date}{source}, says \"{}\"; the page shows the update's",
                stated.key(),
                latest.key()
            ),
            Some(
                "remove `status` (the latest update's status is the item's) or make the two agree"
                    .into(),
            ),
        );
    }
}

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
