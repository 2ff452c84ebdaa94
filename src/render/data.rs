//! The plan as data for the press and for reuse: `items.json` (both
//! languages, everything the pages show) and `items.csv` (one row an item,
//! UTF-8 with a BOM so that Excel reads Chinese correctly). Both carry the
//! `illustrative` flag so that copied figures keep their caveat.

use super::RenderedBodies;
use crate::link::LinkedSite;
use crate::pages::{absolute, item_path};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// A value per language code, in code order (as JSON objects are sorted).
type ByLang<'a, T> = BTreeMap<&'a str, T>;

fn by_lang<'a, T, F: Fn(usize, &str) -> T>(site: &'a LinkedSite, f: F) -> ByLang<'a, T> {
    site.config
        .languages
        .iter()
        .enumerate()
        .map(|(l, lc)| (lc.code.as_str(), f(l, &lc.code)))
        .collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A number as JSON: integers stay integers.
#[derive(Clone, Copy)]
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.fract() == 0.0 && x.abs() < 9e15 {
            s.serialize_i64(x as i64)
        } else {
            s.serialize_f64(x)
        }
    }
}

// The JSON shapes of items.json. Fields are declared in alphabetical
// order: the file's keys are sorted, as serde_json's maps sort them.

#[derive(Serialize)]
struct ItemsFile<'a> {
    illustrative: bool,
    illustrative_note: Option<&'static str>,
    items: ItemsSeq<'a>,
    plan: PlanData<'a>,
}

/// The items of a plan, serialized one by one as they are made (at
/// 10,000 items, holding them all first took tens of megabytes).
struct ItemsSeq<'a> {
    site: &'a LinkedSite,
    bodies: &'a RenderedBodies,
    plan: usize,
}

impl Serialize for ItemsSeq<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let n = self.site.plans[self.plan].items.len();
        let mut seq = s.serialize_seq(Some(n))?;
        for ii in 0..n {
            seq.serialize_element(&item_data(self.site, self.bodies, self.plan, ii))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct PlanData<'a> {
    as_of: Option<String>,
    id: &'a str,
    issuer: Option<ByLang<'a, &'a str>>,
    published: Option<String>,
    source: &'a Option<String>,
    title: ByLang<'a, &'a str>,
}

#[derive(Serialize)]
struct ItemData<'a> {
    as_of: Option<String>,
    badge: ByLang<'a, String>,
    body: ByLang<'a, &'a str>,
    /// The items of later plans that continue it, `<plan>/<number>`.
    continued_in: Vec<String>,
    /// The item of an earlier plan it continues, `<plan>/<number>`.
    continues: Option<String>,
    due: Option<String>,
    /// Numbers the item had before a renumbering (their URLs lead to it).
    former_numbers: &'a [u32],
    lead: &'a [String],
    number: u32,
    pace: Option<PaceData>,
    percent: Option<Num>,
    referenced_by: Vec<u32>,
    related: Vec<u32>,
    section: SectionData<'a>,
    /// The last update's date when the item is stale (no update in the 90
    /// days before the plan's as-of date).
    stale_since: Option<String>,
    status: Option<&'static str>,
    tags: Vec<TagData<'a>>,
    targets: Vec<TargetData<'a>>,
    title: ByLang<'a, &'a str>,
    translated: ByLang<'a, bool>,
    updates: Vec<UpdateData<'a>>,
    url: ByLang<'a, String>,
    /// Set when the item was withdrawn from the plan.
    withdrawn: Option<WithdrawnData<'a>>,
}

#[derive(Serialize)]
struct WithdrawnData<'a> {
    date: String,
    reason: ByLang<'a, &'a str>,
}

#[derive(Serialize)]
struct SectionData<'a> {
    number: u32,
    title: ByLang<'a, &'a str>,
}

#[derive(Serialize)]
struct PaceData {
    actual_percent: Num,
    as_of: String,
    due: String,
    expected_percent: Num,
    kind: &'static str,
}

#[derive(Serialize)]
struct TagData<'a> {
    name: ByLang<'a, &'a str>,
    slug: &'a str,
}

#[derive(Serialize)]
struct TargetData<'a> {
    actual: Option<Num>,
    expected: Option<Num>,
    goal: Num,
    history: Vec<HistoryData>,
    key: &'a str,
    label: ByLang<'a, &'a str>,
    unit: ByLang<'a, &'a str>,
}

#[derive(Serialize)]
struct HistoryData {
    date: String,
    value: Num,
}

#[derive(Serialize)]
struct UpdateData<'a> {
    date: String,
    status: Option<&'static str>,
    text: ByLang<'a, &'a str>,
}

/// Item `(plan, item)` as `continues` names it: `2023/16`.
fn item_ref(site: &LinkedSite, (plan, item): (usize, usize)) -> String {
    let p = &site.plans[plan];
    format!("{}/{}", p.plan.id, p.items[item].item.number)
}

fn item_data<'a>(
    site: &'a LinkedSite,
    bodies: &'a RenderedBodies,
    plan: usize,
    ii: usize,
) -> ItemData<'a> {
    let p = &site.plans[plan];
    let it = &p.items[ii];
    let dl = site.config.default_language.as_str();
    let section = &p.sections[it.section_index].section;
    ItemData {
        as_of: it.progress.as_of.map(|d| d.iso()),
        badge: by_lang(site, |l, _| {
            format!("{}badge.svg", absolute(site, &item_path(site, plan, ii, l)))
        }),
        body: by_lang(site, |l, _| bodies.plans[plan].items[ii][l].text.as_str()),
        continued_in: it.continued_in.iter().map(|&c| item_ref(site, c)).collect(),
        continues: it.continues.map(|c| item_ref(site, c)),
        due: it.item.due.map(|d| d.iso()),
        former_numbers: &it.item.former_numbers,
        lead: &it.item.lead,
        number: it.item.number,
        pace: it.progress.pace.as_ref().map(|pc| PaceData {
            actual_percent: Num(round1(pc.actual_percent)),
            as_of: pc.as_of.iso(),
            due: pc.due.iso(),
            expected_percent: Num(round1(pc.expected_percent)),
            kind: pc.kind.key(),
        }),
        percent: it.progress.percent.map(|x| Num(round1(x))),
        referenced_by: it
            .referenced_by
            .iter()
            .map(|&r| p.items[r].item.number)
            .collect(),
        related: it.related.iter().map(|&r| p.items[r].item.number).collect(),
        section: SectionData {
            number: section.number,
            title: by_lang(site, |_, c| section.title.get(c, dl).0),
        },
        stale_since: it.progress.stale_since.map(|d| d.iso()),
        status: it.progress.status.map(|s| s.key()),
        tags: it
            .tags
            .iter()
            .map(|&t| {
                let tag = &p.tags[t];
                TagData {
                    name: by_lang(site, |_, c| tag.names.get(c).unwrap_or(&tag.name).as_str()),
                    slug: &tag.slug,
                }
            })
            .collect(),
        targets: it
            .item
            .targets
            .iter()
            .map(|t| TargetData {
                actual: t.actual.map(Num),
                expected: it
                    .progress
                    .pace
                    .as_ref()
                    .and_then(|pc| pc.targets.iter().find(|x| x.key == t.key))
                    .map(|x| Num(round1(x.expected))),
                goal: Num(t.goal),
                history: t
                    .history
                    .iter()
                    .map(|p| HistoryData {
                        date: p.date.iso(),
                        value: Num(p.value),
                    })
                    .collect(),
                key: &t.key,
                label: by_lang(site, |_, c| t.label.get(c, dl).0),
                unit: by_lang(site, |_, c| t.unit.get(c, dl).0),
            })
            .collect(),
        title: by_lang(site, |_, c| it.item.title.get(c, dl).0),
        translated: by_lang(site, |_, c| it.item.languages.contains(c)),
        updates: it
            .item
            .updates
            .iter()
            .rev()
            .map(|u| UpdateData {
                date: u.date.iso(),
                status: u.status.map(|s| s.key()),
                text: by_lang(site, |_, c| u.text.get(c, dl).0),
            })
            .collect(),
        url: by_lang(site, |l, _| absolute(site, &item_path(site, plan, ii, l))),
        withdrawn: it.item.withdrawn.as_ref().map(|w| WithdrawnData {
            date: w.date.iso(),
            reason: by_lang(site, |_, c| w.reason.get(c, dl).0),
        }),
    }
}

const ILLUSTRATIVE_NOTE: &str = "The progress data (status, percent, pace, actual, updates) is illustrative and not official. 进度数据为示例，并非官方数据。";

pub fn render_items_json(site: &LinkedSite, bodies: &RenderedBodies, plan: usize) -> String {
    let p = &site.plans[plan];
    // About 3.5 KB an item at 10,000 items: reserve rather than double.
    let mut out = Vec::with_capacity(4096 * (p.items.len() + 1));
    if write_items_json(site, bodies, plan, &mut out).is_err() {
        out.clear();
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// `items.json` without its final newline, written to `out`.
pub fn write_items_json(
    site: &LinkedSite,
    bodies: &RenderedBodies,
    plan: usize,
    out: impl std::io::Write,
) -> serde_json::Result<()> {
    let p = &site.plans[plan];
    let dl = site.config.default_language.as_str();
    let file = ItemsFile {
        illustrative: crate::link::lineage::is_illustrative(site, plan),
        illustrative_note: crate::link::lineage::is_illustrative(site, plan)
            .then_some(ILLUSTRATIVE_NOTE),
        items: ItemsSeq { site, bodies, plan },
        plan: PlanData {
            as_of: p.as_of.map(|d| d.iso()),
            id: &p.plan.id,
            issuer: p
                .plan
                .issuer
                .as_ref()
                .map(|i| by_lang(site, |_, c| i.get(c, dl).0)),
            published: p.plan.published.map(|d| d.iso()),
            source: &p.plan.source,
            title: by_lang(site, |_, c| p.plan.title.get(c, dl).0),
        },
    };
    // Compact: browsers and tools pretty-print JSON; at 10,000 items the
    // indentation alone was a third of the file.
    serde_json::to_writer(out, &file)
}

/// One CSV field, quoted when it must be (RFC 4180), and never a formula:
/// a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (`=HYPERLINK(…)` in a title), so such a cell gets a
/// leading `'` (the OWASP rule for CSV injection), as do the full-width
/// forms `＝＋－＠` that Chinese input methods type and some spreadsheets
/// read as the same. No generated value starts so (numbers are never
/// negative, dates start with the year): only content text is changed.
fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);
    let s = if formula {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

pub fn render_items_csv(site: &LinkedSite, bodies: &RenderedBodies, plan: usize) -> Vec<u8> {
    render_items_csv_unless(site, bodies, plan, None).unwrap_or_default()
}

/// items.csv's first row: the column names.
fn csv_header(langs: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = vec!["number".into(), "section".into()];
    for l in langs {
        header.push(format!("section_title_{l}"));
    }
    for l in langs {
        header.push(format!("title_{l}"));
    }
    header.extend(
        [
            "status", "percent", "pace", "as_of", "due", "tags", "related", "targets",
        ]
        .map(String::from),
    );
    for l in langs {
        header.push(format!("url_{l}"));
    }
    header.push("illustrative".into());
    header.push("continues".into());
    header.push("continued_in".into());
    header.push("stale_since".into());
    header.push("withdrawn".into());
    header
}

/// [`render_items_csv`], given up (`None`) once `cancelled` says so; it
/// is asked before each item (serve giving way to a new edit).
pub fn render_items_csv_unless(
    site: &LinkedSite,
    bodies: &RenderedBodies,
    plan: usize,
    cancelled: Option<crate::index::Cancelled<'_>>,
) -> Option<Vec<u8>> {
    let langs = site.config.language_codes();
    let header = csv_header(&langs);
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let num = |n: Option<Num>| n.map(|n| serde_json::to_string(&n).unwrap_or_default());
    let opt = |s: Option<String>| s.unwrap_or_default();
    for ii in 0..site.plans[plan].items.len() {
        if cancelled.is_some_and(|c| c()) {
            return None;
        }
        let it = item_data(site, bodies, plan, ii);
        let mut row: Vec<String> = vec![it.number.to_string(), it.section.number.to_string()];
        for l in &langs {
            row.push(
                it.section
                    .title
                    .get(*l)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        for l in &langs {
            row.push(it.title.get(*l).copied().unwrap_or_default().to_string());
        }
        row.push(it.status.unwrap_or_default().to_string());
        row.push(opt(num(it.percent)));
        row.push(
            it.pace
                .as_ref()
                .map(|p| p.kind)
                .unwrap_or_default()
                .to_string(),
        );
        row.push(opt(it.as_of.clone()));
        row.push(opt(it.due.clone()));
        row.push(it.tags.iter().map(|t| t.slug).collect::<Vec<_>>().join(";"));
        row.push(
            it.related
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(";"),
        );
        row.push(
            it.targets
                .iter()
                .map(|t| {
                    format!(
                        "{}={}/{}",
                        t.key,
                        opt(num(t.actual)),
                        opt(num(Some(t.goal)))
                    )
                })
                .collect::<Vec<_>>()
                .join(";"),
        );
        for l in &langs {
            row.push(it.url.get(*l).cloned().unwrap_or_default());
        }
        row.push(crate::link::lineage::is_illustrative(site, plan).to_string());
        row.push(it.continues.clone().unwrap_or_default());
        row.push(it.continued_in.join(";"));
        row.push(opt(it.stale_since.clone()));
        // The day it was withdrawn; its reason is in items.json.
        row.push(
            it.withdrawn
                .as_ref()
                .map(|w| w.date.clone())
                .unwrap_or_default(),
        );
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Some(out.into_bytes())
}
