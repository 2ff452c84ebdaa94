//! Stage 3, link: resolve what points where. Related items both ways,
//! previous/next, tags and status groups, progress figures, and every
//! page's URL. The result is what rendering and indexing read.
//!
//! Everything here is indexed by position (`usize` into `LinkedPlan::items`)
//! so that cross-links cost O(items + links), never a search per link.

pub mod lineage;

use crate::config::{SiteConfig, TagConfig};
use crate::load::{LoadedTheme, SourceAsset};
use crate::model::{Date, Item, NO_STATUS_KEY, Plan, Section, Status};
use crate::progress::{Progress, compute_progress};
use crate::validate::{UiStrings, ValidatedSite};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An item with everything it points at, resolved.
#[derive(Clone, Debug)]
pub struct LinkedItem {
    pub item: Item,
    pub section_index: usize,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    /// Items this item declares related, in declaration order.
    pub related: Vec<usize>,
    /// Items that declare this one related ("referenced by").
    pub referenced_by: Vec<usize>,
    pub progress: Progress,
    /// Indices into `LinkedPlan::tags`, in the item's order.
    pub tags: Vec<usize>,
    /// The item of an earlier plan it continues: (plan, item) indices
    /// into `LinkedSite::plans` (see [`crate::link::lineage`]).
    pub continues: Option<(usize, usize)>,
    /// The items of later plans that continue it, (plan, item), oldest
    /// plan first.
    pub continued_in: Vec<(usize, usize)>,
}

impl LinkedItem {
    /// The status key used in URLs and CSS (`none` for no update yet,
    /// `withdrawn` for an item dropped from the plan).
    pub fn status_key(&self) -> &'static str {
        if self.item.withdrawn.is_some() {
            return WITHDRAWN_KEY;
        }
        self.progress
            .status
            .map(Status::key)
            .unwrap_or(NO_STATUS_KEY)
    }
}

/// The status key of a withdrawn item: shown like a status (label,
/// badge), but in no status group and no count of statuses.
pub const WITHDRAWN_KEY: &str = "withdrawn";

/// An old item URL that leads to an item: one former number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// The former number: `/<plan>/<number>/` is the old URL.
    pub number: u32,
    /// The item it leads to (an index into `LinkedPlan::items`).
    pub item: usize,
}

#[derive(Clone, Debug)]
pub struct LinkedSection {
    pub section: Section,
    /// Indices into `LinkedPlan::items`.
    pub items: Vec<usize>,
}

/// A tag with its items.
#[derive(Clone, Debug)]
pub struct LinkedTag {
    pub name: String,
    pub slug: String,
    /// Slugs the tag had before (`former_slugs`): their pages redirect.
    pub former_slugs: Vec<String>,
    pub names: BTreeMap<String, String>,
    pub items: Vec<usize>,
}

/// A status group for `/<plan>/status/<status>/`.
#[derive(Clone, Debug)]
pub struct StatusGroup {
    pub key: &'static str,
    pub items: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct LinkedPlan {
    pub plan: Plan,
    pub items: Vec<LinkedItem>,
    pub sections: Vec<LinkedSection>,
    pub tags: Vec<LinkedTag>,
    /// In the order of `Status::ALL`, then "none"; every group listed even
    /// when empty so that its page exists.
    pub statuses: Vec<StatusGroup>,
    pub by_number: BTreeMap<u32, usize>,
    /// The date of the newest update in the plan: the plan's "as of".
    pub as_of: Option<Date>,
    /// Every former number of the plan's items, by number.
    pub moves: Vec<Move>,
    /// The withdrawn items, in plan order.
    pub withdrawn: Vec<usize>,
}

/// The linked site: the input of render and index.
#[derive(Clone, Debug)]
pub struct LinkedSite {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub plans: Vec<LinkedPlan>,
    pub theme: LoadedTheme,
    pub strings: UiStrings,
    pub assets: Vec<SourceAsset>,
    /// The line each content file's body starts on.
    pub body_lines: BTreeMap<PathBuf, usize>,
}

/// All status keys in display order, "none" last.
pub fn status_keys() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Status::ALL.iter().map(|s| s.key()).collect();
    v.push(NO_STATUS_KEY);
    v
}

/// Turns a tag name into a URL slug when site.toml defines none: letters
/// and digits (Chinese included) are kept, lowercased; anything else
/// becomes `-`. A slug is one path segment: it can never hold `/`, `.` or
/// `..`, whatever the tag is called (regression: a tag named
/// `../../x` once wrote outside the output folder).
pub fn fallback_tag_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "tag".into() } else { out }
}

/// Links one plan: items in order with their progress, `related` both
/// ways, prev/next, tags and status groups.
pub fn link_plan(plan: Plan, config: &SiteConfig) -> LinkedPlan {
    let (plan, mut items, sections) = place_items(plan);
    let by_number: BTreeMap<u32, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.item.number, i))
        .collect();
    link_neighbours_and_related(&mut items, &by_number);
    let tags = link_tags(&mut items, config);
    let statuses = status_keys()
        .into_iter()
        .map(|key| StatusGroup {
            key,
            items: items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.status_key() == key)
                .map(|(i, _)| i)
                .collect(),
        })
        .collect();
    let as_of = items.iter().filter_map(|i| i.progress.as_of).max();
    let mut moves: Vec<Move> = items
        .iter()
        .enumerate()
        .flat_map(|(item, it)| {
            it.item
                .former_numbers
                .iter()
                .map(move |&number| Move { number, item })
        })
        .collect();
    moves.sort_by_key(|m| m.number);
    let withdrawn = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.item.withdrawn.is_some())
        .map(|(i, _)| i)
        .collect();
    LinkedPlan {
        plan,
        items,
        sections,
        tags,
        statuses,
        by_number,
        as_of,
        moves,
        withdrawn,
    }
}

/// The plan's items in section order, each with its progress, and the
/// sections as lists of item indices.
fn place_items(mut plan: Plan) -> (Plan, Vec<LinkedItem>, Vec<LinkedSection>) {
    let period = plan.period();
    // The plan's as-of date: the newest update of any of its items.
    let as_of = plan
        .items()
        .filter_map(|it| it.updates.last().map(|u| u.date))
        .max();
    let mut items = Vec::new();
    let mut sections = Vec::new();
    for (si, mut section) in std::mem::take(&mut plan.sections).into_iter().enumerate() {
        let mut indices = Vec::new();
        for item in std::mem::take(&mut section.items) {
            indices.push(items.len());
            let progress = compute_progress(&item, period, as_of);
            items.push(LinkedItem {
                item,
                section_index: si,
                prev: None,
                next: None,
                related: vec![],
                referenced_by: vec![],
                progress,
                tags: vec![],
                continues: None,
                continued_in: vec![],
            });
        }
        sections.push(LinkedSection {
            section,
            items: indices,
        });
    }
    (plan, items, sections)
}

/// prev/next in plan order; `related` resolved to indices, and each
/// related item's `referenced_by` (in item order, without the items it
/// names related itself).
fn link_neighbours_and_related(items: &mut [LinkedItem], by_number: &BTreeMap<u32, usize>) {
    let n = items.len();
    for (i, it) in items.iter_mut().enumerate() {
        it.prev = i.checked_sub(1);
        it.next = (i + 1 < n).then_some(i + 1);
    }
    for i in 0..n {
        let related: Vec<usize> = items[i]
            .item
            .related
            .iter()
            .filter_map(|r| by_number.get(r).copied())
            .collect();
        for &j in &related {
            if !items[j].referenced_by.contains(&i) {
                items[j].referenced_by.push(i);
            }
        }
        items[i].related = related;
    }
    // "Referenced by" lists are in item order whatever the input order.
    for it in items.iter_mut() {
        it.referenced_by.sort_unstable();
        let own: Vec<usize> = it.related.clone();
        it.referenced_by.retain(|r| !own.contains(r));
    }
}

/// The plan's tags, in the order of site.toml, then undefined tags by
/// name (each with a slug of its own), each with its items; only tags
/// that some item has. Sets each item's tag indices.
fn link_tags(items: &mut [LinkedItem], config: &SiteConfig) -> Vec<LinkedTag> {
    let mut tag_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut tags: Vec<LinkedTag> = Vec::new();
    let mut ordered_names: Vec<String> = config.tags.keys().cloned().collect();
    let mut extra: Vec<String> = items
        .iter()
        .flat_map(|i| i.item.tags.iter().cloned())
        .filter(|t| !config.tags.contains_key(t))
        .collect();
    extra.sort();
    extra.dedup();
    ordered_names.extend(extra);
    let mut used_slugs: std::collections::BTreeSet<String> =
        config.tags.values().map(|t| t.slug.clone()).collect();
    for name in ordered_names {
        let (slug, names, former_slugs) = match config.tags.get(&name) {
            Some(TagConfig {
                slug,
                names,
                former_slugs,
            }) => (slug.clone(), names.clone(), former_slugs.clone()),
            None => {
                // Two tags may fold to one slug ("a/b", "a.b"): number them.
                let base = fallback_tag_slug(&name);
                let mut slug = base.clone();
                let mut n = 2;
                while !used_slugs.insert(slug.clone()) {
                    slug = format!("{base}-{n}");
                    n += 1;
                }
                (
                    slug,
                    BTreeMap::from([(config.default_language.clone(), name.clone())]),
                    Vec::new(),
                )
            }
        };
        tag_index.insert(name.clone(), tags.len());
        tags.push(LinkedTag {
            name,
            slug,
            names,
            former_slugs,
            items: vec![],
        });
    }
    for (i, it) in items.iter_mut().enumerate() {
        for t in &it.item.tags {
            if let Some(&ti) = tag_index.get(t)
                && !it.tags.contains(&ti)
            {
                it.tags.push(ti);
                tags[ti].items.push(i);
            }
        }
    }
    tags.retain(|t| !t.items.is_empty());
    // Re-number the item → tag indices after dropping unused tags.
    let remap: BTreeMap<String, usize> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    for it in items.iter_mut() {
        it.tags = it
            .item
            .tags
            .iter()
            .filter_map(|t| remap.get(t).copied())
            .fold(Vec::new(), |mut v, t| {
                if !v.contains(&t) {
                    v.push(t);
                }
                v
            });
    }
    tags
}

/// Stage 3 entry point.
pub fn link_site(site: ValidatedSite) -> LinkedSite {
    let ValidatedSite {
        root,
        config,
        plans,
        theme,
        strings,
        assets,
        body_lines,
    } = site;
    let mut plans: Vec<LinkedPlan> = plans.into_iter().map(|p| link_plan(p, &config)).collect();
    crate::link::lineage::link_lineage(&mut plans);
    LinkedSite {
        root,
        config,
        plans,
        theme,
        strings,
        assets,
        body_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::fallback_tag_slug;

    #[test]
    fn fallback_tag_slugs_are_single_safe_segments() {
        assert_eq!(fallback_tag_slug("../../../../x"), "x");
        assert_eq!(fallback_tag_slug("a/b"), "a-b");
        assert_eq!(fallback_tag_slug("."), "tag");
        assert_eq!(fallback_tag_slug("学前教育"), "学前教育");
        assert_eq!(fallback_tag_slug("Double Reduction"), "double-reduction");
    }
}
