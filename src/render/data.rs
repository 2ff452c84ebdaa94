//! The plan as data for the press and for reuse: `items.json` (both
//! languages, everything the pages show) and `items.csv` (one row an item,
//! UTF-8 with a BOM so that Excel reads Chinese correctly). Both carry the
//! `illustrative` flag so that copied figures keep their caveat.

use super::RenderedBodies;
use super::views::{absolute, item_path, lang_code};
use crate::link::LinkedSite;
use serde_json::{Map, Value, json};

fn by_lang<F: Fn(&str) -> Value>(site: &LinkedSite, f: F) -> Value {
    let mut m = Map::new();
    for l in &site.config.languages {
        m.insert(l.code.clone(), f(&l.code));
    }
    Value::Object(m)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A number as JSON: integers stay integers.
fn num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

pub fn items_value(site: &LinkedSite, bodies: &RenderedBodies, plan: usize) -> Value {
    let p = &site.plans[plan];
    let dl = site.config.default_language.as_str();
    let items: Vec<Value> = p
        .items
        .iter()
        .enumerate()
        .map(|(ii, it)| {
            let section = &p.sections[it.section_index].section;
            let urls = by_lang(site, |code| {
                let l = site.config.languages.iter().position(|x| x.code == code).unwrap_or(0);
                json!(absolute(site, &item_path(site, plan, ii, l)))
            });
            let badges = by_lang(site, |code| {
                let l = site.config.languages.iter().position(|x| x.code == code).unwrap_or(0);
                json!(format!("{}badge.svg", absolute(site, &item_path(site, plan, ii, l))))
            });
            json!({
                "number": it.item.number,
                "section": { "number": section.number, "title": by_lang(site, |c| json!(section.title.get(c, dl).0)) },
                "title": by_lang(site, |c| json!(it.item.title.get(c, dl).0)),
                "body": by_lang(site, |c| {
                    let l = site.config.languages.iter().position(|x| x.code == c).unwrap_or(0);
                    json!(bodies.plans[plan].items[ii][l].text)
                }),
                "translated": by_lang(site, |c| json!(it.item.languages.contains(c))),
                "status": it.progress.status.map(|s| s.key()),
                "percent": it.progress.percent.map(|x| num(round1(x))),
                "pace": it.progress.pace.as_ref().map(|pc| json!({
                    "kind": pc.kind.key(),
                    "expected_percent": num(round1(pc.expected_percent)),
                    "actual_percent": num(round1(pc.actual_percent)),
                    "as_of": pc.as_of.iso(),
                    "due": pc.due.iso(),
                })),
                "as_of": it.progress.as_of.map(|d| d.iso()),
                "due": it.item.due.map(|d| d.iso()),
                "lead": it.item.lead,
                "tags": it.tags.iter().map(|&t| {
                    let tag = &p.tags[t];
                    json!({ "slug": tag.slug, "name": by_lang(site, |c| json!(tag.names.get(c).unwrap_or(&tag.name))) })
                }).collect::<Vec<_>>(),
                "related": it.related.iter().map(|&r| p.items[r].item.number).collect::<Vec<_>>(),
                "referenced_by": it.referenced_by.iter().map(|&r| p.items[r].item.number).collect::<Vec<_>>(),
                "targets": it.item.targets.iter().map(|t| json!({
                    "key": t.key,
                    "label": by_lang(site, |c| json!(t.label.get(c, dl).0)),
                    "goal": num(t.goal),
                    "actual": t.actual.map(num),
                    "unit": by_lang(site, |c| json!(t.unit.get(c, dl).0)),
                    "expected": it.progress.pace.as_ref().and_then(|pc| pc.targets.iter().find(|x| x.key == t.key)).map(|x| num(round1(x.expected))),
                })).collect::<Vec<_>>(),
                "updates": it.item.updates.iter().rev().map(|u| json!({
                    "date": u.date.iso(),
                    "status": u.status.map(|s| s.key()),
                    "text": by_lang(site, |c| json!(u.text.get(c, dl).0)),
                })).collect::<Vec<_>>(),
                "url": urls,
                "badge": badges,
            })
        })
        .collect();
    json!({
        "plan": {
            "id": p.plan.id,
            "title": by_lang(site, |c| json!(p.plan.title.get(c, dl).0)),
            "issuer": p.plan.issuer.as_ref().map(|i| by_lang(site, |c| json!(i.get(c, dl).0))),
            "published": p.plan.published.map(|d| d.iso()),
            "source": p.plan.source,
            "as_of": p.as_of.map(|d| d.iso()),
        },
        "illustrative": site.config.illustrative,
        "illustrative_note": if site.config.illustrative { Some("The progress data (status, percent, pace, actual, updates) is illustrative and not official. 进度数据为示例，并非官方数据。") } else { None },
        "items": items,
    })
}

pub fn render_items_json(site: &LinkedSite, bodies: &RenderedBodies, plan: usize) -> String {
    // Compact: browsers and tools pretty-print JSON; at 10,000 items the
    // indentation alone was a third of the file.
    let mut s = serde_json::to_string(&items_value(site, bodies, plan)).unwrap_or_default();
    s.push('\n');
    s
}

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn render_items_csv(site: &LinkedSite, bodies: &RenderedBodies, plan: usize) -> Vec<u8> {
    let v = items_value(site, bodies, plan);
    let langs: Vec<&str> = site
        .config
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let mut header: Vec<String> = vec!["number".into(), "section".into()];
    for l in &langs {
        header.push(format!("section_title_{l}"));
    }
    for l in &langs {
        header.push(format!("title_{l}"));
    }
    header.extend(
        [
            "status", "percent", "pace", "as_of", "due", "tags", "related", "targets",
        ]
        .map(String::from),
    );
    for l in &langs {
        header.push(format!("url_{l}"));
    }
    header.push("illustrative".into());
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let s = |x: &Value| match x {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for it in v["items"].as_array().into_iter().flatten() {
        let mut row: Vec<String> = vec![s(&it["number"]), s(&it["section"]["number"])];
        for l in &langs {
            row.push(s(&it["section"]["title"][l]));
        }
        for l in &langs {
            row.push(s(&it["title"][l]));
        }
        row.push(s(&it["status"]));
        row.push(s(&it["percent"]));
        row.push(s(&it["pace"]["kind"]));
        row.push(s(&it["as_of"]));
        row.push(s(&it["due"]));
        row.push(
            it["tags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| s(&t["slug"]))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
        );
        row.push(
            it["related"]
                .as_array()
                .map(|a| a.iter().map(&s).collect::<Vec<_>>().join(";"))
                .unwrap_or_default(),
        );
        row.push(
            it["targets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| format!("{}={}/{}", s(&t["key"]), s(&t["actual"]), s(&t["goal"])))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
        );
        for l in &langs {
            row.push(s(&it["url"][l]));
        }
        row.push(site.config.illustrative.to_string());
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    let _ = lang_code;
    out.into_bytes()
}
