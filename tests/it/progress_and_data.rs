//! Progress and data (issue 4), on the repository's real content: the
//! data files, the Atom feeds, cross-links, citations, badges and the
//! honesty of the percent figures.
//!
//! Expected values are computed from the content files themselves (read
//! with the `toml` crate, not through planpub) so that a bug in the engine
//! cannot hide a bug in its output.

use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const BASE: &str = "https://jyj.example.gov.cn/plan/";
const PLAN: &str = "2023";
const LANGS: [(&str, &str); 2] = [("zh", ""), ("en", "en/")];
const STATUSES: [&str; 5] = [
    "not-started",
    "in-progress",
    "completed",
    "delayed",
    "ongoing",
];

/// One item as the content file says it, with what the contract derives.
struct ContentItem {
    path: String,
    number: i64,
    title: String,
    /// The item's status, or else the status of its latest update.
    status: Option<String>,
    tags: Vec<String>,
    related: Vec<i64>,
    /// (key, goal, actual)
    targets: Vec<(String, f64, Option<f64>)>,
    /// Dates, oldest first.
    updates: Vec<String>,
}

fn number(v: &toml::Value) -> f64 {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .expect("a number")
}

fn content() -> Vec<ContentItem> {
    content_items(&fixture("plan2023"), PLAN)
        .into_iter()
        .map(|f| {
            let fm = &f.front;
            let mut updates: Vec<(String, Option<String>)> = fm
                .get("updates")
                .and_then(|u| u.as_array())
                .map(|a| {
                    a.iter()
                        .map(|u| {
                            (
                                u["date"].to_string(),
                                u.get("status").and_then(|s| s.as_str()).map(str::to_string),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            updates.sort();
            let status = fm
                .get("status")
                .and_then(|s| s.as_str())
                .map(str::to_string)
                .or_else(|| updates.iter().rev().find_map(|(_, s)| s.clone()));
            ContentItem {
                path: f.path.clone(),
                number: fm["number"].as_integer().unwrap(),
                title: fm["title"].as_str().unwrap().to_string(),
                status,
                tags: fm
                    .get("tags")
                    .and_then(|t| t.as_array())
                    .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default(),
                related: fm
                    .get("related")
                    .and_then(|t| t.as_array())
                    .map(|a| a.iter().map(|t| t.as_integer().unwrap()).collect())
                    .unwrap_or_default(),
                targets: fm
                    .get("targets")
                    .and_then(|t| t.as_array())
                    .map(|a| {
                        a.iter()
                            .map(|t| {
                                (
                                    t["key"].as_str().unwrap().to_string(),
                                    number(&t["goal"]),
                                    t.get("actual").map(number),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                updates: updates.into_iter().map(|(d, _)| d).collect(),
            }
        })
        .collect()
}

/// The honest percent: 100 when completed; else the average of each
/// target's actual/goal capped at 100 %, only when every target has an
/// actual; else none.
fn expected_percent(item: &ContentItem) -> Option<f64> {
    if item.status.as_deref() == Some("completed") {
        return Some(100.0);
    }
    if item.targets.is_empty() || item.targets.iter().any(|t| t.2.is_none()) {
        return None;
    }
    let sum: f64 = item
        .targets
        .iter()
        .map(|(_, goal, actual)| (actual.unwrap() / goal * 100.0).clamp(0.0, 100.0))
        .sum();
    Some(sum / item.targets.len() as f64)
}

fn item_url(lang_prefix: &str, n: i64) -> String {
    format!("{BASE}{lang_prefix}{PLAN}/{n}/")
}

fn items_json() -> Value {
    plan2023().json(&format!("{PLAN}/items.json"))
}

fn json_item(items: &Value, n: i64) -> &Value {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == n)
        .unwrap_or_else(|| panic!("items.json has no item {n}"))
}

/// Tag name (default language) → slug, from the repository's site.toml.
fn tag_slugs() -> BTreeMap<String, String> {
    let site: toml::Table =
        toml::from_str(&std::fs::read_to_string(fixture("plan2023").join("site.toml")).unwrap())
            .unwrap();
    site["tags"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(name, t)| (name.clone(), t["slug"].as_str().unwrap().to_string()))
        .collect()
}

/// An items.json item's targets and updates against its content file.
fn check_json_targets_and_updates(
    f: &mut Failures,
    j: &serde_json::Value,
    c: &ContentItem,
    at: &dyn Fn(&str) -> String,
) {
    let targets: Vec<(String, f64, Option<f64>)> = j["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_string(),
                t["goal"].as_f64().unwrap(),
                t["actual"].as_f64(),
            )
        })
        .collect();
    f.check(targets == c.targets, || {
        at(&format!(
            "targets {targets:?}, content says {:?}",
            c.targets
        ))
    });
    for t in j["targets"].as_array().unwrap() {
        f.check(
            t["label"]["zh"].is_string() && t["label"]["en"].is_string(),
            || at(&format!("target {} lacks a label per language", t["key"])),
        );
    }
    let dates: Vec<&str> = j["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["date"].as_str().unwrap())
        .collect();
    let mut newest_first: Vec<&str> = c.updates.iter().map(String::as_str).collect();
    newest_first.reverse();
    f.check(dates == newest_first, || {
        at(&format!(
            "update dates {dates:?}, content says {newest_first:?} (newest first)"
        ))
    });
    for u in j["updates"].as_array().unwrap() {
        f.check(
            u["text"]["zh"].is_string() && u["text"]["en"].is_string(),
            || at(&format!("update {} lacks a text per language", u["date"])),
        );
    }
}

/// One item of items.json against its content file.
fn check_json_item(
    f: &mut Failures,
    j: &serde_json::Value,
    c: &ContentItem,
    slugs: &BTreeMap<String, String>,
) {
    let n = c.number;
    let at = |what: &str| format!("items.json item {n}: {what}");
    f.check(
        j["section"]["number"].as_u64().is_some_and(|s| s >= 1),
        || at("section.number"),
    );
    for (code, pre) in LANGS {
        for field in [&j["title"][code], &j["section"]["title"][code]] {
            f.check(field.as_str().is_some_and(|s| !s.trim().is_empty()), || {
                at(&format!("title/section title in {code} is {field}"))
            });
        }
        f.check(j["url"][code] == item_url(pre, n).as_str(), || {
            at(&format!("url.{code} is {}", j["url"][code]))
        });
    }
    f.check(j["title"]["zh"] == c.title.as_str(), || {
        at("title.zh is not the content's title")
    });
    f.check(j["title"]["en"] != j["title"]["zh"], || {
        at("title.en is the Chinese title")
    });
    f.check(j["status"].as_str() == c.status.as_deref(), || {
        at(&format!(
            "status is {}, content says {:?}",
            j["status"], c.status
        ))
    });
    f.check(
        j["status"].is_null() || STATUSES.contains(&j["status"].as_str().unwrap_or("")),
        || at("status is not a contract status"),
    );
    for key in ["percent", "pace"] {
        f.check(j.get(key).is_some(), || at(&format!("no `{key}` field")));
    }
    let tags: Vec<&str> = j["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = c.tags.iter().map(|t| slugs[t].as_str()).collect();
    f.check(tags == want, || {
        at(&format!("tags {tags:?}, content says {want:?}"))
    });
    for t in j["tags"].as_array().unwrap() {
        f.check(
            t["name"]["zh"].is_string() && t["name"]["en"].is_string(),
            || at(&format!("tag {t} lacks a name per language")),
        );
    }
    let related: Vec<i64> = j["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_i64().unwrap())
        .collect();
    f.check(related == c.related, || {
        at(&format!(
            "related {related:?}, content says {:?}",
            c.related
        ))
    });
    check_json_targets_and_updates(f, j, c, &at);
}

#[test]
fn items_json_lists_31_items_with_both_languages_and_the_illustrative_flag() {
    let items = items_json();
    assert_eq!(items["illustrative"], true);
    let list = items["items"].as_array().unwrap();
    assert_eq!(list.len(), 31);
    let slugs = tag_slugs();
    let mut f = Failures::new();
    let content = content();
    assert_eq!(content.len(), 31, "the content holds 31 items");
    for c in &content {
        check_json_item(&mut f, json_item(&items, c.number), c, &slugs);
    }
    f.assert_none("items.json");
}

#[test]
fn items_csv_starts_with_a_bom_and_has_a_header_and_31_rows() {
    let bytes = plan2023().bytes(&format!("{PLAN}/items.csv"));
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "items.csv has no UTF-8 BOM"
    );
    let text = std::str::from_utf8(&bytes[3..]).expect("items.csv is UTF-8");
    let records = csv_records(text);
    assert_eq!(records.len(), 32, "a header and 31 rows");
    let header = &records[0];
    for column in [
        "number",
        "title_zh",
        "title_en",
        "status",
        "percent",
        "illustrative",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "no `{column}` column in {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let numbers: Vec<String> = records[1..]
        .iter()
        .map(|r| r[col("number")].clone())
        .collect();
    let want: Vec<String> = (1..=31).map(|n| n.to_string()).collect();
    assert_eq!(numbers, want);
    let content = content();
    for (row, c) in records[1..].iter().zip(&content) {
        assert_eq!(
            row.len(),
            header.len(),
            "row {} has {} fields",
            row[0],
            row.len()
        );
        assert_eq!(row[col("title_zh")], c.title, "row {}", row[0]);
        assert_eq!(row[col("illustrative")], "true", "row {}", row[0]);
    }
}

#[test]
fn atom_feeds_have_one_entry_per_update_newest_first() {
    let content = content();
    let total: usize = content.iter().map(|c| c.updates.len()).sum();
    assert!(total > 31, "the real content has updates to feed");
    let mut f = Failures::new();
    for (code, pre) in LANGS {
        let path = format!("{pre}{PLAN}/updates.xml");
        let xml = plan2023().text(&path);
        let problems = xml_balance_problems(xml);
        f.check(problems.is_empty(), || {
            format!("{path} is not well-formed: {problems:?}")
        });
        f.check(
            xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
            || format!("{path} is not an Atom feed"),
        );
        let notice = ui_strings(code)["illustrative-notice"].clone();
        let subtitle = xml_elements(xml, "subtitle");
        f.check(
            subtitle.len() == 1 && inner_text(subtitle[0]).contains(&notice),
            || format!("{path}: <subtitle> {subtitle:?} lacks the notice {notice:?}"),
        );
        let entries = xml_elements(xml, "entry");
        f.check(entries.len() == total, || {
            format!("{path}: {} entries for {total} updates", entries.len())
        });
        let mut previous: Option<String> = None;
        let mut ids = BTreeSet::new();
        for (i, e) in entries.iter().enumerate() {
            let one = |name: &str| xml_elements(e, name).first().map(|x| inner_text(x));
            let (id, title, updated) = (one("id"), one("title"), one("updated"));
            let link = tags_named(e, "link")
                .into_iter()
                .find(|t| t.attr("rel") == Some("alternate"))
                .and_then(|t| t.attr("href").map(str::to_string));
            f.check(
                id.is_some()
                    && title.as_deref().is_some_and(|t| !t.trim().is_empty())
                    && updated.is_some()
                    && link.is_some(),
                || format!("{path}: entry {i} lacks id/title/updated/link:\n{e}"),
            );
            let (Some(id), Some(updated), Some(link)) = (id, updated, link) else {
                continue;
            };
            f.check(ids.insert(id.clone()), || {
                format!("{path}: entry id {id} is repeated")
            });
            f.check(
                link.starts_with(&format!("{BASE}{pre}{PLAN}/")) && id.starts_with(&link),
                || format!("{path}: entry {i} links {link} with id {id}"),
            );
            // The entry's id points at the update's anchor on the item page.
            if let Some((_, anchor)) = id.split_once('#') {
                let page = format!("{}index.html", link.strip_prefix(BASE).unwrap());
                f.check(
                    plan2023().has(&page)
                        && element_by_id(plan2023().text(&page), anchor).is_some(),
                    || format!("{path}: entry id {id}: no id=\"{anchor}\" on {page}"),
                );
            }
            if let Some(p) = &previous {
                f.check(updated <= *p, || {
                    format!("{path}: entry {i} ({updated}) is newer than the one before ({p})")
                });
            }
            previous = Some(updated);
        }
    }
    f.assert_none("Atom feeds");
}

/// The "related items" section of an item page (the `<section>` holding
/// the heading with the UI string `related-items`), or "" if it has none.
fn related_section(html: &str, code: &str) -> String {
    let heading = ui_strings(code)["related-items"].clone();
    let tags = start_tags(html);
    let Some(h) = tags
        .iter()
        .filter(|t| t.name == "h2")
        .find(|t| element_at(html, t).is_some_and(|e| inner_text(&e).trim() == heading))
    else {
        return String::new();
    };
    let section = tags
        .iter()
        .rfind(|t| t.name == "section" && t.at < h.at)
        .expect("the related heading is inside a <section>");
    element_at(html, section).unwrap_or_default()
}

fn hrefs(html: &str) -> BTreeSet<String> {
    tags_named(html, "a")
        .into_iter()
        .filter_map(|t| t.attr("href").map(str::to_string))
        .collect()
}

#[test]
fn related_item_links_are_bidirectional() {
    let content = content();
    let pairs: Vec<(i64, i64)> = content
        .iter()
        .flat_map(|c| c.related.iter().map(move |r| (c.number, *r)))
        .collect();
    assert!(pairs.len() >= 10, "the real content relates items");
    let mut f = Failures::new();
    for (code, pre) in LANGS {
        let url = |n: i64| format!("/plan/{pre}{PLAN}/{n}/");
        for &(a, b) in &pairs {
            for (from, to) in [(a, b), (b, a)] {
                let path = format!("{pre}{PLAN}/{from}/index.html");
                let section = related_section(plan2023().text(&path), code);
                f.check(hrefs(&section).contains(&url(to)), || {
                    format!("{path}: the related section does not link item {to} ({}) although {a} lists {b} as related", url(to))
                });
            }
        }
    }
    f.assert_none("related items");
}

#[test]
fn every_item_page_has_canonical_open_graph_citation_and_illustrative_notice() {
    let content = content();
    let mut f = Failures::new();
    for (code, pre) in LANGS {
        let ui = ui_strings(code);
        let notice = &ui["illustrative-notice"];
        for c in &content {
            let path = format!("{pre}{PLAN}/{}/index.html", c.number);
            let html = plan2023().text(&path);
            let permalink = item_url(pre, c.number);
            let canonical = links_with_rel(html, "canonical")
                .first()
                .and_then(|t| t.attr("href").map(str::to_string));
            f.check(canonical.as_deref() == Some(permalink.as_str()), || {
                format!("{path}: canonical {canonical:?}")
            });
            f.check(
                meta(html, "og:url").as_deref() == Some(permalink.as_str()),
                || format!("{path}: og:url {:?}", meta(html, "og:url")),
            );
            let h1 = tags_named(html, "h1");
            let title = h1
                .first()
                .and_then(|t| element_at(html, t))
                .map(|e| inner_text(&e))
                .unwrap_or_default();
            f.check(
                meta(html, "og:title").is_some_and(|t| !title.is_empty() && t.contains(&title)),
                || {
                    format!(
                        "{path}: og:title {:?} does not hold the title {title:?}",
                        meta(html, "og:title")
                    )
                },
            );
            // The citation block: the section under the `cite-heading`.
            let cite_heading = &ui["cite-heading"];
            let cite = tags_named(html, "h2")
                .into_iter()
                .find(|t| {
                    element_at(html, t).is_some_and(|e| inner_text(&e).trim() == *cite_heading)
                })
                .and_then(|h| {
                    start_tags(html)
                        .into_iter()
                        .rfind(|t| t.name == "section" && t.at < h.at)
                })
                .and_then(|s| element_at(html, &s).map(|e| inner_text(&e)));
            f.check(
                cite.as_deref().is_some_and(|c| c.contains(&permalink)),
                || format!("{path}: no citation block holding {permalink}: {cite:?}"),
            );
            f.check(inner_text(html).contains(notice.as_str()), || {
                format!("{path}: no illustrative notice")
            });
        }
    }
    f.assert_none("item page metadata");
}

#[test]
fn badges_carry_a_title_the_status_word_and_the_sample_mark() {
    let items = items_json();
    let mut f = Failures::new();
    for (code, pre) in LANGS {
        let ui = ui_strings(code);
        let sample = &ui["sample-mark"];
        assert_eq!(sample, if code == "zh" { "示例" } else { "sample" });
        for j in items["items"].as_array().unwrap() {
            let n = j["number"].as_i64().unwrap();
            let path = format!("{pre}{PLAN}/{n}/badge.svg");
            let svg = plan2023().text(&path);
            let key = j["status"].as_str().unwrap_or("none");
            let word = &ui[&format!("status-{key}")];
            let title = xml_elements(svg, "title").first().map(|t| inner_text(t));
            f.check(
                title.as_deref().is_some_and(|t| t.contains(word.as_str())),
                || format!("{path}: <title> {title:?} lacks the status {word:?}"),
            );
            f.check(
                svg.starts_with("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""),
                || format!("{path} is not an SVG"),
            );
            let problems: Vec<String> = xml_balance_problems(svg)
                .into_iter()
                .filter(|p| !p.contains("XML declaration"))
                .collect();
            f.check(problems.is_empty(), || format!("{path}: {problems:?}"));
            let texts: Vec<String> = xml_elements(svg, "text")
                .into_iter()
                .map(inner_text)
                .collect();
            f.check(texts.iter().any(|t| t.contains(word.as_str())), || {
                format!("{path}: the visible text {texts:?} lacks the status {word:?}")
            });
            f.check(texts.iter().any(|t| t.trim() == sample), || {
                format!("{path}: the visible text {texts:?} lacks the sample mark {sample:?}")
            });
            let percent = j["percent"].as_f64();
            let shown = percent.map(|p| format!("{}%", p.floor() as i64));
            let percent_texts: Vec<&String> = texts.iter().filter(|t| t.contains('%')).collect();
            match &shown {
                Some(s) => f.check(texts.iter().any(|t| t.contains(s.as_str())), || {
                    format!("{path}: {texts:?} lacks the percent {s}")
                }),
                None => f.check(percent_texts.is_empty(), || {
                    format!("{path}: shows a percent {percent_texts:?} for an item without one")
                }),
            }
        }
    }
    f.assert_none("badges");
}

/// The percent shown in an item page's header, or `None` when the page
/// says it has no measurable percentage.
fn page_percent(html: &str, code: &str) -> Result<Option<i64>, String> {
    let h1 = tags_named(html, "h1").into_iter().next().ok_or("no <h1>")?;
    let dl = start_tags(html)
        .into_iter()
        .find(|t| t.name == "dl" && t.at > h1.at)
        .ok_or("no <dl> after the <h1>")?;
    let text = inner_text(&element_at(html, &dl).ok_or("unclosed <dl>")?);
    let none = &ui_strings(code)["percent-none"];
    if text.contains(none.as_str()) {
        return Ok(None);
    }
    let pct = text
        .split('%')
        .next()
        .and_then(|before| {
            let digits: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().ok()
        })
        .ok_or_else(|| format!("neither a percent nor {none:?} in {text:?}"))?;
    Ok(Some(pct))
}

#[test]
fn percent_is_the_capped_average_of_targets_and_absent_without_them() {
    let content = content();
    let items = items_json();
    // The claim must be exercised on both sides.
    assert!(
        content
            .iter()
            .any(|c| c.status.as_deref() != Some("completed")
                && !c.targets.is_empty()
                && c.targets.iter().all(|t| t.2.is_some())),
        "no item with targets and all actuals to check"
    );
    assert!(
        content
            .iter()
            .any(|c| c.status.as_deref() != Some("completed") && c.targets.is_empty()),
        "no item without targets to check"
    );
    let mut f = Failures::new();
    for c in &content {
        let want = expected_percent(c);
        let got = json_item(&items, c.number)["percent"].as_f64();
        f.check(
            match (want, got) {
                (Some(w), Some(g)) => (w - g).abs() <= 0.051,
                (None, None) => true,
                _ => false,
            },
            || format!("{}: items.json percent {got:?}, expected {want:?}", c.path),
        );
        for (code, pre) in LANGS {
            let path = format!("{pre}{PLAN}/{}/index.html", c.number);
            match page_percent(plan2023().text(&path), code) {
                Ok(shown) => f.check(shown == want.map(|w| w.floor() as i64), || {
                    format!("{path}: shows {shown:?}%, expected {want:?} (rounded down)")
                }),
                Err(e) => f.push(format!("{path}: {e}")),
            }
        }
    }
    f.assert_none("percent");
}

#[test]
fn percent_caps_each_target_at_100_before_averaging() {
    // The fixture's item 3: 8 of 16 (50 %) and 150 of 100 (capped to
    // 100 %) make 75 %, not 87.5 %; item 4 lacks one actual and item 2 has
    // no targets: no percent; item 1 is completed: 100 %.
    let items = basic().json("2023/items.json");
    let percent = |n: i64| {
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == n)
            .unwrap()["percent"]
            .as_f64()
    };
    assert_eq!(
        [percent(1), percent(2), percent(3), percent(4)],
        [Some(100.0), None, Some(75.0), None]
    );
    assert_eq!(
        page_percent(basic().text("2023/3/index.html"), "zh"),
        Ok(Some(75))
    );
    assert_eq!(
        page_percent(basic().text("en/2023/4/index.html"), "en"),
        Ok(None)
    );
}

#[test]
fn link_checker_fails_a_build_that_links_to_a_missing_item() {
    let site = TestSite::plan2023();
    let item = "content/2023/3-quality-system/16-school-projects.md";
    let mut text = site.read(item);
    text.push_str("\n参见[第99条](/2023/99/)。\n");
    site.write(item, text);
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(": error: broken internal link"))
        .unwrap_or_else(|| panic!("no broken-link error:\n{}", run.stderr));
    assert!(
        line.starts_with(&format!("{item}:")),
        "the error does not name {item}: {line}"
    );
    assert!(line.contains("/2023/99/"), "{line}");
    assert!(
        !site.path("public").exists(),
        "a failed build wrote public/"
    );
}

// issue #15.6
#[test]
fn items_csv_cells_that_a_spreadsheet_would_run_as_formulas_start_with_a_quote() {
    let site = TestSite::fixture("basic");
    let titles = [
        "=HYPERLINK(\"http://evil.example/\",\"点击\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\tleading tab",
        "\r=1+1",
        "＝1+1",
        "普通标题 = 不是公式",
    ];
    // One title a file: items 1 to 4 and their section titles.
    let files = [
        "content/2023/1-safety/01-campus-safety.md",
        "content/2023/1-safety/02-drills.md",
        "content/2023/2-preschool/03-kindergartens.md",
        "content/2023/2-preschool/04-inclusive.md",
        "content/2023/1-safety/_index.md",
        "content/2023/2-preschool/_index.md",
        "content/2023/1-safety/01-campus-safety.en.md",
        "content/2023/2-preschool/03-kindergartens.en.md",
    ];
    let toml_string = |s: &str| toml::Value::String(s.to_string()).to_string();
    for (file, title) in files.iter().zip(titles) {
        let text = site.read(file);
        let line = text.lines().find(|l| l.starts_with("title = ")).unwrap();
        site.write(
            file,
            text.replacen(line, &format!("title = {}", toml_string(title)), 1),
        );
    }
    let built = site.build_ok();
    let bytes = built.bytes("2023/items.csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .flat_map(|r| {
            ["section_title_zh", "title_zh", "title_en"].map(|c| r[column(c)].to_string())
        })
        .collect();
    let mut f = Failures::new();
    for title in titles {
        let expected = if title.starts_with("普通") {
            title.to_string()
        } else {
            format!("'{title}")
        };
        f.check(cells.contains(&expected), || {
            format!("no cell {expected:?} in {cells:?}")
        });
    }
    // No cell at all starts like a formula.
    for cell in &cells {
        f.check(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝']),
            || format!("{cell:?} would run as a formula"),
        );
    }
    f.assert_none("items.csv formula cells");
}
