//! `planpub renumber` (issue #19.4): renumber a plan's items without
//! breaking a link. `--insert N` opens a gap at N (N and above move up by
//! one); `OLD NEW` moves one item. Every moved item gets its old number in
//! `former_numbers` (so its old URLs keep leading to it) and a file name
//! with the new number; its translations follow it; `related` in every
//! item, `[[item]] number` in the plan's round files and `/<plan>/<n>/`
//! links in every Markdown body point at the new numbers.
//!
//! All or nothing: the site must build without errors first; every
//! change is computed in memory, written beside, swapped in, and the site
//! built again; any failure puts every file back as it was.

mod apply;
mod edit;

use crate::diagnostics::{Code, Diagnostics, Location};
use crate::link::LinkedPlan;
use crate::{BuildOptions, build_site};
use edit::NumberMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What to renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renumbering {
    /// Open a gap at N: every item numbered N or above moves up by one.
    Insert(u32),
    /// Move the item numbered `old` to `new` (a number no item has).
    Move { old: u32, new: u32 },
}

/// One file changed: where it is, where it goes, what it will hold and
/// what changed, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the site root.
    pub path: PathBuf,
    /// Set when the file is renamed.
    pub new_path: Option<PathBuf>,
    pub text: String,
    pub notes: Vec<String>,
}

/// Plans the renumbering of plan `plan` of the site at `root` and, unless
/// `dry_run`, carries it out. Returns every change (to print), or `None`
/// with the reasons in `diags`.
pub fn renumber(
    root: &Path,
    plan: &str,
    op: Renumbering,
    dry_run: bool,
    diags: &mut Diagnostics,
) -> Option<Vec<FileChange>> {
    let options = BuildOptions {
        root: root.to_path_buf(),
        base_url: None,
    };
    build_site(&options, diags)?;
    let linked = crate::pipeline::link_stage(&options, diags, &crate::pipeline::NoHooks)?;
    let Some(p) = linked.plans.iter().find(|p| p.plan.id == plan) else {
        let known: Vec<&str> = linked.plans.iter().map(|p| p.plan.id.as_str()).collect();
        diags.error(
            Code::InvalidValue,
            Location::file(Path::new("content")),
            format!("there is no plan `{plan}`"),
            Some(format!("the plans are: {}", known.join(", "))),
        );
        return None;
    };
    let map = number_map(p, op, diags)?;
    let changes = plan_changes(root, p, &linked.config.default_language, &map, diags)?;
    if !dry_run {
        apply::apply(root, &changes, &options, diags)?;
    }
    Some(changes)
}

/// Old number → new number for every item that moves, checked: the new
/// numbers are free, and no old URL that leads to another item is taken.
fn number_map(p: &LinkedPlan, op: Renumbering, diags: &mut Diagnostics) -> Option<NumberMap> {
    let current: BTreeSet<u32> = p.items.iter().map(|i| i.item.number).collect();
    let mut error = |message: String, hint: String| {
        diags.error(
            Code::InvalidValue,
            Location::file(&p.plan.path),
            message,
            Some(hint),
        );
    };
    let map: NumberMap = match op {
        Renumbering::Insert(n) => current
            .iter()
            .filter(|&&c| c >= n)
            .map(|&c| (c, c + 1))
            .collect(),
        Renumbering::Move { old, new } => {
            if !current.contains(&old) {
                error(
                    format!("plan {} has no item {old}", p.plan.id),
                    "give the number of an item of the plan".into(),
                );
                return None;
            }
            if current.contains(&new) {
                error(
                    format!("item {new} exists in plan {}", p.plan.id),
                    format!(
                        "open a gap first: planpub renumber --plan {} --insert {new}",
                        p.plan.id
                    ),
                );
                return None;
            }
            BTreeMap::from([(old, new)])
        }
    };
    if map.is_empty() {
        error(
            format!("no item of plan {} would change", p.plan.id),
            "--insert N moves the items numbered N and above".into(),
        );
        return None;
    }
    // An old URL keeps leading to its item: no item may take the number
    // of an item that moves away (a gap opened before other items shifts
    // each onto the next one's number, whose old URL would then show
    // another item), nor a number that is a former number (its own included: moving back is a new
    // number in the item's history, which the URLs cannot tell apart).
    let former: BTreeMap<u32, u32> = p
        .items
        .iter()
        .flat_map(|i| i.item.former_numbers.iter().map(|&f| (f, i.item.number)))
        .collect();
    for (&old, &new) in &map {
        if current.contains(&new) {
            error(
                format!(
                    "item {old} cannot become item {new}: /{}/{new}/ is item {new}'s URL, which must keep leading to it",
                    p.plan.id
                ),
                format!(
                    "an old URL never changes meaning, so numbers are never reused: open the gap after the last item (--insert {}), or move items one by one to numbers no item has had (planpub renumber --plan {} OLD NEW)",
                    current.last().map_or(1, |l| l + 1),
                    p.plan.id
                ),
            );
            return None;
        }
        if let Some(&holder) = former.get(&new) {
            error(
                format!(
                    "item {old} cannot become item {new}: /{}/{new}/ leads to item {holder}, whose former number it is",
                    p.plan.id
                ),
                "an old URL never changes meaning: choose a number no item has had".into(),
            );
            return None;
        }
    }
    Some(map)
}

/// Every file edit and rename the renumbering makes, in path order.
fn plan_changes(
    root: &Path,
    p: &LinkedPlan,
    default_language: &str,
    map: &NumberMap,
    diags: &mut Diagnostics,
) -> Option<Vec<FileChange>> {
    // Item files of the plan: default-language file → its number, and
    // each translation → its item's number.
    let mut items: BTreeMap<PathBuf, u32> = BTreeMap::new();
    let mut translations: BTreeMap<PathBuf, u32> = BTreeMap::new();
    for it in &p.items {
        items.insert(it.item.path.clone(), it.item.number);
        for lang in it.item.languages.iter().filter(|l| *l != default_language) {
            translations.insert(
                crate::load::translation_path(&it.item.path, lang),
                it.item.number,
            );
        }
    }
    let mut changes = Vec::new();
    let mut failed = false;
    for path in content_files(root) {
        let text = match std::fs::read_to_string(root.join(&path)) {
            Ok(t) => t,
            Err(e) => {
                diags.error(
                    Code::CannotRead,
                    Location::file(&path),
                    format!("cannot read: {e}"),
                    None,
                );
                failed = true;
                continue;
            }
        };
        match change_of(&path, &text, p, map, &items, &translations) {
            Ok(Some(c)) => changes.push(c),
            Ok(None) => {}
            Err(e) => {
                diags.error(Code::InvalidToml, Location::file(&path), e, None);
                failed = true;
            }
        }
    }
    if failed || !renames_are_free(root, &changes, diags) {
        return None;
    }
    Some(changes)
}

/// The change renumbering makes to one file, if any.
fn change_of(
    path: &Path,
    text: &str,
    p: &LinkedPlan,
    map: &NumberMap,
    items: &BTreeMap<PathBuf, u32>,
    translations: &BTreeMap<PathBuf, u32>,
) -> Result<Option<FileChange>, String> {
    let mut notes = Vec::new();
    let is_round = path.extension().is_some_and(|e| e == "toml");
    if is_round && !path.starts_with(Path::new("content").join(&p.plan.id)) {
        // Another plan's round: its numbers are that plan's.
        return Ok(None);
    }
    let new_text = if is_round {
        let (t, n) = edit::renumber_round(text, map)?;
        notes.extend(n);
        t
    } else {
        let mut t = text.to_string();
        if items.contains_key(path)
            && let Some(fm) = edit::front_matter_range(text)
        {
            let (front, n) = edit::renumber_item_front_matter(&text[fm.clone()], map)?;
            notes.extend(n);
            t = format!("{}{front}{}", &text[..fm.start], &text[fm.end..]);
        }
        let body_from = edit::front_matter_range(&t).map_or(0, |r| r.end);
        let (body, n) = edit::rewrite_item_links(&t[body_from..], &p.plan.id, map);
        notes.extend(n);
        format!("{}{body}", &t[..body_from])
    };
    let number = items.get(path).or_else(|| translations.get(path));
    let new_path = number
        .and_then(|n| map.get(n).map(|new| (*n, *new)))
        .and_then(|(old, new)| {
            let name = path.file_name()?.to_string_lossy();
            Some(path.with_file_name(edit::renamed(&name, old, new)?))
        });
    if new_text == text && new_path.is_none() {
        return Ok(None);
    }
    Ok(Some(FileChange {
        path: path.to_path_buf(),
        new_path,
        text: new_text,
        notes,
    }))
}

/// Every Markdown file under content/ and every round file
/// (`content/<plan>/progress/*.toml`), relative to the root, sorted.
fn content_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str());
            let in_progress = p
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == "progress");
            ext == Some("md") || (ext == Some("toml") && in_progress)
        })
        .collect();
    files.sort();
    files
}

/// A renamed file may not land on a file that stays.
fn renames_are_free(root: &Path, changes: &[FileChange], diags: &mut Diagnostics) -> bool {
    let leaving: BTreeSet<&PathBuf> = changes
        .iter()
        .filter(|c| c.new_path.is_some())
        .map(|c| &c.path)
        .collect();
    let mut ok = true;
    for c in changes {
        if let Some(to) = &c.new_path
            && root.join(to).exists()
            && !leaving.contains(to)
        {
            diags.error(
                Code::Duplicate,
                Location::file(&c.path),
                format!("cannot rename to {}: the file exists", to.display()),
                Some("rename or remove that file first".into()),
            );
            ok = false;
        }
    }
    ok
}
