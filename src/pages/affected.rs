//! Which pages an edit touches: `serve` renders only those, and the
//! storm tests check that the result equals a clean build.

use super::*;

/// What an edit changed, between the last build and the next, when both
/// have the same pages (see [`Change::between`]).
pub struct Change<'a> {
    pub old: &'a LinkedSite,
    pub new: &'a LinkedSite,
}

impl<'a> Change<'a> {
    /// The change from `old` to `new`, if they have the same pages: the
    /// same plans, sections, items (by file and number, in order), tags
    /// and status groups, the same plan-wide "as of" date and attachments
    /// at the same paths (pages link to them). `None` otherwise: then
    /// every page is rendered again.
    pub fn between(old: &'a LinkedSite, new: &'a LinkedSite) -> Option<Change<'a>> {
        let same_shape = old.assets.len() == new.assets.len()
            && old
                .assets
                .iter()
                .zip(&new.assets)
                .all(|(a, b)| a.output_path == b.output_path)
            && old.plans.len() == new.plans.len()
            && old.plans.iter().zip(&new.plans).all(|(a, b)| {
                a.plan.id == b.plan.id
                    && a.plan.title == b.plan.title
                    && a.plan.body == b.plan.body
                    && a.plan.issuer == b.plan.issuer
                    && a.plan.published == b.plan.published
                    && a.plan.source == b.plan.source
                    && a.plan.illustrative == b.plan.illustrative
                    && a.plan.period() == b.plan.period()
                    && a.as_of == b.as_of
                    && a.sections.len() == b.sections.len()
                    && a.sections
                        .iter()
                        .zip(&b.sections)
                        .all(|(x, y)| x.section == y.section && x.items == y.items)
                    && a.items.len() == b.items.len()
                    && a.items.iter().zip(&b.items).all(|(x, y)| {
                        x.item.path == y.item.path
                            && x.item.number == y.item.number
                            && x.item.languages == y.item.languages
                            && x.continues == y.continues
                            && x.continued_in == y.continued_in
                    })
                    && a.moves == b.moves
                    && a.withdrawn == b.withdrawn
                    && a.tags.len() == b.tags.len()
                    && a.tags.iter().zip(&b.tags).all(|(x, y)| {
                        x.name == y.name && x.slug == y.slug && x.former_slugs == y.former_slugs
                    })
            });
        same_shape.then_some(Change { old, new })
    }

    /// The items of plan `plan` whose content or progress changed.
    pub fn changed_items(&self, plan: usize) -> Vec<usize> {
        let (old, new) = (&self.old.plans[plan], &self.new.plans[plan]);
        (0..new.items.len())
            .filter(|&i| {
                old.items[i].item != new.items[i].item
                    || old.items[i].progress != new.items[i].progress
            })
            .collect()
    }
}

/// Whether what other pages show of an item (its row in lists, its link
/// as a neighbour) changed.
fn summary_differs(a: &crate::link::LinkedItem, b: &crate::link::LinkedItem) -> bool {
    a.item.title != b.item.title
        || a.progress.status != b.progress.status
        || a.progress.percent != b.progress.percent
        || a.progress.as_of != b.progress.as_of
        || a.progress.stale_since != b.progress.stale_since
        || a.progress.pace.as_ref().map(|p| p.kind) != b.progress.pace.as_ref().map(|p| p.kind)
        || a.item.tags != b.item.tags
        || a.tags != b.tags
        || a.item.related != b.item.related
        || a.related != b.related
        || a.referenced_by != b.referenced_by
}

/// An item's own pages: its page and badge in every language.
pub fn own_pages_of_item(plan: usize, item: usize, languages: usize) -> Vec<Page> {
    (0..languages)
        .flat_map(|lang| {
            [
                Page::Item { plan, item, lang },
                Page::Badge { plan, item, lang },
            ]
        })
        .collect()
}

/// Every page whose bytes `change` may alter: the changed items' own
/// pages, the plan's feeds and data files, and, when what lists show of
/// an item changed, every page that shows it (home, plan, search, its
/// section, tags and status groups before and after, and the item pages
/// that list it as related, neighbour or sibling). When in doubt, more.
pub fn pages_affected_by(change: &Change<'_>) -> std::collections::BTreeSet<Page> {
    let mut pages = std::collections::BTreeSet::new();
    let nlang = change.new.config.languages.len();
    for plan in 0..change.new.plans.len() {
        let changed = change.changed_items(plan);
        if changed.is_empty() {
            continue;
        }
        let (old_plan, new_plan) = (&change.old.plans[plan], &change.new.plans[plan]);
        for lang in 0..nlang {
            pages.insert(Page::Feed { plan, lang });
        }
        pages.insert(Page::ItemsJson { plan });
        pages.insert(Page::ItemsCsv { plan });
        for &i in &changed {
            pages.extend(own_pages_of_item(plan, i, nlang));
        }
        // The pages and badges at the changed items' old URLs.
        for (moved, m) in new_plan.moves.iter().enumerate() {
            if changed.contains(&m.item) {
                for lang in 0..nlang {
                    pages.insert(Page::Moved { plan, moved, lang });
                    pages.insert(Page::MovedBadge { plan, moved, lang });
                }
            }
        }
        let summary_changed: Vec<usize> = changed
            .iter()
            .copied()
            .filter(|&i| summary_differs(&old_plan.items[i], &new_plan.items[i]))
            .collect();
        if summary_changed.is_empty() {
            continue;
        }
        let mut neighbours = std::collections::BTreeSet::new();
        let mut sections = std::collections::BTreeSet::new();
        let mut tags = std::collections::BTreeSet::new();
        let mut statuses = std::collections::BTreeSet::new();
        for &i in &summary_changed {
            for it in [&old_plan.items[i], &new_plan.items[i]] {
                sections.insert(it.section_index);
                neighbours.extend(it.related.iter().copied());
                neighbours.extend(it.referenced_by.iter().copied());
                neighbours.extend(it.prev);
                neighbours.extend(it.next);
                tags.extend(it.tags.iter().copied());
            }
            for p in [old_plan, new_plan] {
                for (si, g) in p.statuses.iter().enumerate() {
                    if g.items.contains(&i) {
                        statuses.insert(si);
                    }
                }
            }
        }
        for &s in &sections {
            neighbours.extend(new_plan.sections[s].items.iter().copied());
        }
        for lang in 0..nlang {
            pages.insert(Page::Home { lang });
            pages.insert(Page::Plan { plan, lang });
            pages.insert(Page::Search { lang });
            pages.insert(Page::TagIndex { plan, lang });
            pages.extend(
                neighbours
                    .iter()
                    .map(|&item| Page::Item { plan, item, lang }),
            );
            pages.extend(sections.iter().map(|&section| Page::Section {
                plan,
                section,
                lang,
            }));
            pages.extend(tags.iter().map(|&tag| Page::Tag { plan, tag, lang }));
            pages.extend(
                statuses
                    .iter()
                    .map(|&status| Page::Status { plan, status, lang }),
            );
        }
    }
    pages
}
