//! What pages show of a plan, its sections and tags, and its dashboard.

use super::common::{StatusContext, status_context};
use crate::link::LinkedSite;
use crate::model::Status;
use crate::pages::{Page, href, lang_code, page_path, section_anchor};
use crate::render::charts;
use crate::render::format::format_percent;
use crate::render::ui::section_numeral;
use serde::Serialize;

/// A plan as its pages show it (`plan`).
#[derive(Serialize)]
pub struct PlanContext<'a> {
    /// The plan id (`2023`).
    pub id: &'a str,
    /// Its title in the page's language.
    pub title: &'a str,
    /// The issuing body, if named.
    pub issuer: Option<&'a str>,
    /// The date of the official document (`2023-04-02`).
    pub published: Option<String>,
    /// Where the official document is published, as written.
    pub source: &'a Option<String>,
    /// The site's copy of the document's text (`/plan/2023/source.zh.txt`),
    /// when the plan folder has one.
    pub source_copy: Option<String>,
    /// The plan's page in the page's language.
    pub url: String,
    /// The date of the newest update: what the figures speak for.
    pub as_of: Option<String>,
    /// `items.json`.
    pub items_json: String,
    /// `items.csv`.
    pub items_csv: String,
    /// The Atom feed of updates in the page's language.
    pub feed: String,
    /// The page listing the plan's tags.
    pub tags_url: String,
    /// How many items the plan has.
    pub item_count: usize,
    /// Whether its progress data is illustrative (its `illustrative`,
    /// else `[progress] illustrative`).
    pub illustrative: bool,
    /// Whether it is the current plan: the newest (by the end of its
    /// period, then id).
    pub current: bool,
}

/// The site-relative path of the site's copy of plan `plan`'s text
/// (`2023/source.zh.txt`), when its folder has one.
pub fn source_copy_path(site: &LinkedSite, plan: usize) -> Option<String> {
    let id = site.plans[plan].plan.id.as_str();
    site.assets
        .iter()
        .find(|a| {
            a.output_path
                .strip_prefix(id)
                .is_some_and(|rest| rest.starts_with("/source.") && rest.ends_with(".txt"))
        })
        .map(|a| a.output_path.clone())
}

/// Plan `plan` in language `lang`.
pub fn plan_context(site: &LinkedSite, plan: usize, lang: usize) -> PlanContext<'_> {
    let p = &site.plans[plan];
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let url = |page: Page| href(site, &page_path(site, page));
    PlanContext {
        id: &p.plan.id,
        title: p.plan.title.get(code, dl).0,
        issuer: p.plan.issuer.as_ref().map(|i| i.get(code, dl).0),
        published: p.plan.published.map(|d| d.iso()),
        source: &p.plan.source,
        source_copy: source_copy_path(site, plan).map(|c| href(site, &c)),
        url: url(Page::Plan { plan, lang }),
        as_of: p.as_of.map(|d| d.iso()),
        items_json: url(Page::ItemsJson { plan }),
        items_csv: url(Page::ItemsCsv { plan }),
        feed: url(Page::Feed { plan, lang }),
        tags_url: url(Page::TagIndex { plan, lang }),
        item_count: p.items.len(),
        illustrative: crate::link::lineage::is_illustrative(site, plan),
        current: crate::link::lineage::current_plan(site) == Some(plan),
    }
}

/// A section without its items: title, counts, progress. Built once per
/// build and language (every item page shows its section's progress).
#[derive(Clone, Serialize)]
pub struct SectionHead {
    /// The section's number.
    pub number: u32,
    /// The number as the language writes it (`三、`, `III.`).
    pub numeral: String,
    /// Its title in the page's language (or the default language's).
    pub title: String,
    /// The language `title` is in.
    pub title_lang: String,
    /// The section's page.
    pub url: String,
    /// Its anchor on the plan page (`section-<number>`).
    pub anchor: String,
    /// How many items it has.
    pub item_count: usize,
    /// How many of them are completed.
    pub completed: usize,
    /// The average percent complete of its measurable items.
    pub percent: Option<String>,
    /// How many of its items are measurable.
    pub measured: usize,
    /// Its items per status, in display order, only the statuses it has:
    /// the segments of its stacked status bar.
    pub shares: Vec<StatusShare>,
}

/// One segment of a section's stacked status bar.
#[derive(Clone, Serialize)]
pub struct StatusShare {
    /// The status key (`completed`).
    pub key: &'static str,
    /// How many of the section's items have it.
    pub count: usize,
    /// Their share of the section's items, in percent (`20.00`), for a
    /// CSS width.
    pub width: String,
}

/// The head of section `section` in language `lang`.
pub fn section_head(site: &LinkedSite, plan: usize, section: usize, lang: usize) -> SectionHead {
    let p = &site.plans[plan];
    let s = &p.sections[section];
    let code = lang_code(site, lang);
    let (title, fallback) = s.section.title.get(code, &site.config.default_language);
    let percents: Vec<f64> = s
        .items
        .iter()
        .filter_map(|&i| p.items[i].progress.percent)
        .collect();
    SectionHead {
        number: s.section.number,
        numeral: section_numeral(site, lang, s.section.number),
        title: title.to_string(),
        title_lang: if fallback {
            site.config.default_language.clone()
        } else {
            code.to_string()
        },
        url: href(
            site,
            &page_path(
                site,
                Page::Section {
                    plan,
                    section,
                    lang,
                },
            ),
        ),
        anchor: section_anchor(s.section.number),
        item_count: s.items.len(),
        completed: s
            .items
            .iter()
            .filter(|&&i| p.items[i].progress.status == Some(Status::Completed))
            .count(),
        percent: (!percents.is_empty())
            .then(|| format_percent(percents.iter().sum::<f64>() / percents.len() as f64)),
        measured: percents.len(),
        shares: p
            .statuses
            .iter()
            .filter_map(|g| {
                let count = g.items.iter().filter(|i| s.items.contains(i)).count();
                (count > 0).then(|| StatusShare {
                    key: g.key,
                    count,
                    width: format!("{:.2}", count as f64 * 100.0 / s.items.len() as f64),
                })
            })
            .collect(),
    }
}

/// A tag as pages show it.
#[derive(Serialize)]
pub struct TagContext<'a> {
    /// Its name in the page's language (or the default language's).
    pub name: &'a str,
    /// The language `name` is in.
    pub name_lang: &'a str,
    /// Its URL segment.
    pub slug: &'a str,
    /// Its page.
    pub url: String,
    /// How many items it has.
    pub count: usize,
}

/// Tag `tag` of plan `plan` in language `lang`.
pub fn tag_context(site: &LinkedSite, plan: usize, tag: usize, lang: usize) -> TagContext<'_> {
    let t = &site.plans[plan].tags[tag];
    let code = lang_code(site, lang);
    TagContext {
        name: t.names.get(code).unwrap_or(&t.name),
        name_lang: if t.names.contains_key(code) {
            code
        } else {
            &site.config.default_language
        },
        slug: &t.slug,
        url: href(site, &page_path(site, Page::Tag { plan, tag, lang })),
        count: t.items.len(),
    }
}

/// A plan's progress at a glance (`dashboard`): counts per status,
/// progress per section, and two charts drawn as SVG with the same
/// figures in tables beside them.
#[derive(Serialize)]
pub struct DashboardContext<'a> {
    /// How many items the plan has, withdrawn items left out.
    pub total: usize,
    /// How many items were withdrawn (counted apart).
    pub withdrawn: usize,
    /// Items per status, every status listed.
    pub counts: Vec<StatusCount<'a>>,
    /// Every section's head.
    pub sections: Vec<&'a SectionHead>,
    /// A stacked bar of items per status (SVG).
    pub status_chart_html: String,
    /// A bar per section (SVG).
    pub section_chart_html: String,
}

/// How many items have a status.
#[derive(Serialize)]
pub struct StatusCount<'a> {
    #[serde(flatten)]
    pub status: StatusContext<'a>,
    /// How many items have it.
    pub count: usize,
    /// The page listing them.
    pub url: String,
}

/// The dashboard of plan `plan` in language `lang`; `sections` are its
/// sections' heads.
pub fn dashboard_context<'a>(
    site: &'a LinkedSite,
    plan: usize,
    lang: usize,
    sections: Vec<&'a SectionHead>,
) -> DashboardContext<'a> {
    let p = &site.plans[plan];
    DashboardContext {
        total: p.items.len() - p.withdrawn.len(),
        withdrawn: p.withdrawn.len(),
        counts: p
            .statuses
            .iter()
            .enumerate()
            .map(|(status, g)| StatusCount {
                status: status_context(site, lang, g.key),
                count: g.items.len(),
                url: href(site, &page_path(site, Page::Status { plan, status, lang })),
            })
            .collect(),
        sections,
        status_chart_html: charts::status_chart(site, plan, lang),
        section_chart_html: charts::section_chart(site, plan, lang),
    }
}
