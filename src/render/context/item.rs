//! What pages show of a work item: its summary (lists, cross-links), its
//! row in lists, and the parts of its own page.

use super::common::{StatusContext, status_context};
use crate::link::LinkedSite;
use crate::model::Status;
use crate::pages::{absolute, href, item_path, lang_code, target_anchor, update_anchor};
use crate::progress::{PaceKind, target_percent};
use crate::render::format::{format_number, format_percent};
use crate::render::ui::{ui, ui_fmt};
use serde::Serialize;

/// An item as lists and cross-links show it (`row` in
/// `partials/item_row.html`, `prev` and `next` on an item page).
#[derive(Serialize)]
pub struct ItemSummary<'a> {
    /// The item's number in its plan.
    pub number: u32,
    /// Its title in the page's language (or the default language's).
    pub title: &'a str,
    /// The language `title` is in.
    pub title_lang: &'a str,
    /// Its page in the page's language.
    pub url: String,
    /// Its status.
    pub status: StatusContext<'a>,
    /// Percent complete (`75%`), when measurable.
    pub percent: Option<String>,
    /// The same as a whole number, for bars.
    pub percent_value: Option<i64>,
    /// The number of its section.
    pub section: u32,
    /// The pace verdict at the plan's as-of date, when measurable.
    pub verdict: Option<PaceVerdict<'a>>,
    /// The date of its latest update (`2023-09-30`), if any.
    pub last_update: Option<String>,
    /// That date when the item is stale: not completed and not updated in
    /// the 90 days before the plan's as-of date ("no update since").
    pub stale_since: Option<String>,
}

/// A pace verdict in a list row.
#[derive(Serialize)]
pub struct PaceVerdict<'a> {
    /// `ahead`, `on-pace` or `behind`.
    pub key: &'static str,
    /// The verdict in words.
    pub label: &'a str,
}

/// The summary of item `item` of plan `plan` in language `lang`.
pub fn item_summary(site: &LinkedSite, plan: usize, item: usize, lang: usize) -> ItemSummary<'_> {
    let p = &site.plans[plan];
    let it = &p.items[item];
    let code = lang_code(site, lang);
    let (title, fallback) = it.item.title.get(code, &site.config.default_language);
    ItemSummary {
        number: it.item.number,
        title,
        title_lang: if fallback {
            &site.config.default_language
        } else {
            code
        },
        url: href(site, &item_path(site, plan, item, lang)),
        status: status_context(site, lang, it.status_key()),
        percent: it.progress.percent.map(format_percent),
        percent_value: it.progress.percent.map(|x| x.floor() as i64),
        section: p.sections[it.section_index].section.number,
        verdict: it.progress.pace.as_ref().map(|pc| PaceVerdict {
            key: pc.kind.key(),
            label: ui(site, lang, pace_label_key(pc.kind)),
        }),
        last_update: it.progress.as_of.map(|d| d.iso()),
        stale_since: it.progress.stale_since.map(|d| d.iso()),
    }
}

/// `partials/item_row.html`: an item's row in lists, rendered once per
/// build and language.
#[derive(Serialize)]
pub struct ItemRowPage<'a> {
    /// The item's summary.
    pub row: ItemSummary<'a>,
}

/// An item in a list (a section's `items`, `list.items`, an item's
/// `siblings`, `related` and `referenced_by`): rendered once per build
/// and language, however many lists show it.
#[derive(Clone, Serialize)]
pub struct ListRow {
    /// The item's number.
    pub number: u32,
    /// `partials/item_row.html` rendered with `row` = the item's summary;
    /// insert it with `{{ row.row_html | safe }}`.
    pub row_html: String,
}

/// A target on its item's page.
#[derive(Serialize)]
pub struct TargetContext<'a> {
    /// The target's key.
    pub key: &'a str,
    /// Its anchor on the item page (`target-<key>`).
    pub anchor: String,
    /// The item page's URL with the anchor.
    pub url: String,
    /// The same, absolute.
    pub permalink: String,
    /// What is counted, in the page's language (or the default one's).
    pub label: &'a str,
    /// The language `label` is in.
    pub label_lang: &'a str,
    /// The planned quantity, formatted (`4,500`).
    pub goal: String,
    /// The quantity reached, formatted, if reported.
    pub actual: Option<String>,
    /// The unit (`所`).
    pub unit: &'a str,
    /// `actual` as a percentage of `goal` (`75%`).
    pub percent: Option<String>,
    /// The same as a whole number.
    pub percent_value: Option<i64>,
    /// The quantity expected by now at an even pace, formatted.
    pub expected: Option<String>,
    /// The values reported over time, oldest first.
    pub history: Vec<HistoryPoint>,
    /// `history` drawn as a step chart (SVG, `aria-hidden`: show
    /// `history` as a table beside it), when there are two values or more.
    pub history_chart_html: Option<String>,
}

/// A target's value as reported on a date.
#[derive(Serialize)]
pub struct HistoryPoint {
    /// The date (`2023-06-30`).
    pub date: String,
    /// The value, formatted (`4,500`).
    pub value: String,
}

/// The targets of an item on its page in language `lang`.
pub fn target_contexts(
    site: &LinkedSite,
    plan: usize,
    item: usize,
    lang: usize,
) -> Vec<TargetContext<'_>> {
    let it = &site.plans[plan].items[item];
    let code = lang_code(site, lang);
    let dl = site.config.default_language.as_str();
    let path = item_path(site, plan, item, lang);
    let (page_url, permalink) = (href(site, &path), absolute(site, &path));
    it.item
        .targets
        .iter()
        .map(|t| {
            let expected = it
                .progress
                .pace
                .as_ref()
                .and_then(|pc| pc.targets.iter().find(|x| x.key == t.key))
                .map(|x| format_number(x.expected));
            let (label, label_fallback) = t.label.get(code, dl);
            let anchor = target_anchor(&t.key);
            TargetContext {
                key: &t.key,
                url: format!("{page_url}#{anchor}"),
                permalink: format!("{permalink}#{anchor}"),
                anchor,
                label,
                label_lang: if label_fallback { dl } else { code },
                goal: format_number(t.goal),
                actual: t.actual.map(format_number),
                unit: t.unit.get(code, dl).0,
                percent: t.actual.map(|a| format_percent(target_percent(t.goal, a))),
                percent_value: t.actual.map(|a| target_percent(t.goal, a).floor() as i64),
                expected,
                history: t
                    .history
                    .iter()
                    .map(|p| HistoryPoint {
                        date: p.date.iso(),
                        value: format_number(p.value),
                    })
                    .collect(),
                history_chart_html: super::super::charts::history_chart(&t.history, t.goal),
            }
        })
        .collect()
}

/// An update on its item's page.
#[derive(Serialize)]
pub struct UpdateContext<'a> {
    /// The day the update speaks for (`2023-06-30`).
    pub date: String,
    /// Its anchor on the item page (`update-<date>`).
    pub anchor: String,
    /// The status it reports, if any.
    pub status: Option<StatusContext<'a>>,
    /// Whether that status differs from the update before.
    pub status_changed: bool,
    /// What happened, in the page's language (or the default one's),
    /// ASCII punctuation next to Chinese shown full-width.
    pub text: String,
    /// The language `text` is in.
    pub text_lang: &'a str,
}

/// The updates of an item, newest first, in language `lang`.
pub fn update_contexts(
    site: &LinkedSite,
    plan: usize,
    item: usize,
    lang: usize,
) -> Vec<UpdateContext<'_>> {
    let it = &site.plans[plan].items[item];
    let code = lang_code(site, lang);
    let dl = site.config.default_language.as_str();
    let mut previous_status: Option<Status> = None;
    let mut updates = Vec::with_capacity(it.item.updates.len());
    for u in &it.item.updates {
        let (text, fallback) = u.text.get(code, dl);
        updates.push(UpdateContext {
            date: u.date.iso(),
            anchor: update_anchor(u.date),
            status: u.status.map(|s| status_context(site, lang, s.key())),
            status_changed: u.status.is_some() && u.status != previous_status,
            text: crate::render::typography::full_width_punctuation(text).into_owned(),
            text_lang: if fallback { dl } else { code },
        });
        if u.status.is_some() {
            previous_status = u.status;
        }
    }
    updates.reverse();
    updates
}

/// Pace (序时进度) on an item's page.
#[derive(Serialize)]
pub struct PaceContext<'a> {
    /// `ahead`, `on-pace` or `behind`.
    pub key: &'static str,
    /// The verdict in words.
    pub label: &'a str,
    /// The percent expected by `as_of` at an even pace (`49%`).
    pub expected: String,
    /// The percent complete (`75%`).
    pub actual: String,
    /// The date the figures speak for.
    pub as_of: String,
    /// The deadline the pace runs to.
    pub due: String,
    /// The first day of the plan's period, where the even pace starts.
    pub start: String,
}

/// The UI string that names a pace verdict.
fn pace_label_key(kind: PaceKind) -> &'static str {
    match kind {
        PaceKind::Ahead => "pace-ahead",
        PaceKind::OnPace => "pace-on",
        PaceKind::Behind => "pace-behind",
    }
}

/// The pace of an item in language `lang`, when it can be computed.
pub fn pace_context(
    site: &LinkedSite,
    plan: usize,
    item: usize,
    lang: usize,
) -> Option<PaceContext<'_>> {
    let it = &site.plans[plan].items[item];
    it.progress.pace.as_ref().map(|pc| PaceContext {
        key: pc.kind.key(),
        label: ui(site, lang, pace_label_key(pc.kind)),
        expected: format_percent(pc.expected_percent),
        actual: format_percent(pc.actual_percent),
        as_of: pc.as_of.iso(),
        due: pc.due.iso(),
        start: pc.start.iso(),
    })
}

/// A withdrawn item's notice on its page.
#[derive(Serialize)]
pub struct WithdrawnContext<'a> {
    /// The day it was withdrawn (`2023-07-01`).
    pub date: String,
    /// Why, in the page's language (or the default one's).
    pub reason: &'a str,
    /// The language `reason` is in.
    pub reason_lang: &'a str,
    /// The notice in words: the date and the reason.
    pub notice: String,
}

/// The withdrawal of item `item` in language `lang`, if it was withdrawn.
pub fn withdrawn_context(
    site: &LinkedSite,
    plan: usize,
    item: usize,
    lang: usize,
) -> Option<WithdrawnContext<'_>> {
    let w = site.plans[plan].items[item].item.withdrawn.as_ref()?;
    let code = lang_code(site, lang);
    let dl = site.config.default_language.as_str();
    let (reason, fallback) = w.reason.get(code, dl);
    Some(WithdrawnContext {
        date: w.date.iso(),
        reason,
        reason_lang: if fallback { dl } else { code },
        notice: ui_fmt(
            site,
            lang,
            "withdrawn-notice",
            &[("date", &w.date.iso()), ("reason", reason)],
        ),
    })
}
