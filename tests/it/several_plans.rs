//! Several plans on one site (issue #18.2), on tests/fixtures/two-plans/: a
//! 2023 plan (illustrative by its own `illustrative = true`, period the
//! calendar year) and a 2024 plan (not illustrative, period 2024-07-01 to
//! 2025-06-30) whose items 12 and 13 continue items 1 and 3 of 2023; the
//! tag 安全 was renamed from `safety` to `school-safety` (`former_slugs`).
//! Pages are read with scraper, data files with serde_json and csv, and
//! every link is followed to the file it names.

use crate::common::*;
use scraper::{Html, Selector};
use std::sync::OnceLock;

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| TestSite::fixture("two-plans").build_ok())
}

const BASE: &str = "/plan/";

fn doc(path: &str) -> Html {
    Html::parse_document(built().text(path))
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e:?}"));
    html.select(&sel).collect()
}

fn text(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// The output file a root-relative link leads to, which must exist.
fn follow(href: &str) -> String {
    let rel = href
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{href} is not under {BASE}"));
    let rel = rel.split('#').next().unwrap_or_default();
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    assert!(built().has(&file), "{href} leads to no file ({file})");
    file
}

/// The `<h1>` of an output page, as text.
fn h1(path: &str) -> String {
    let d = doc(path);
    select(&d, "h1").first().map(text).unwrap_or_default()
}

#[test]
fn home_lists_plans_newest_first_and_marks_only_the_current_one() {
    for (home, current) in [("index.html", "当前"), ("en/index.html", "current")] {
        let d = doc(home);
        let headings = select(&d, "section.plan-card h2");
        let ids: Vec<&str> = headings
            .iter()
            .map(|h| h.value().attr("id").unwrap_or_default())
            .collect();
        assert_eq!(ids, ["plan-2024", "plan-2023"], "{home}");
        let marks: Vec<Vec<String>> = headings
            .iter()
            .map(|h| {
                h.select(&Selector::parse(".plan-current").unwrap())
                    .map(|m| text(&m))
                    .collect()
            })
            .collect();
        assert_eq!(marks, [vec![current.to_string()], vec![]], "{home}");
    }
}

#[test]
fn every_page_of_the_ended_plan_links_the_current_plan_in_both_languages() {
    let mut checked = 0;
    for path in built().paths_ending(".html") {
        let (lang_prefix, rest) = match path.strip_prefix("en/") {
            Some(rest) => ("en/", rest),
            None => ("", path),
        };
        let d = doc(path);
        let links = select(&d, ".notice-ended a.newer-plan");
        let is_redirect = built().text(path).contains("http-equiv=\"refresh\"");
        if rest.starts_with("2023/") && !is_redirect {
            assert_eq!(links.len(), 1, "{path} says nothing of the newer plan");
            let href = links[0].value().attr("href").unwrap_or_default();
            assert_eq!(href, format!("{BASE}{lang_prefix}2024/"), "{path}");
            let target = follow(href);
            let title = if lang_prefix.is_empty() {
                "测试市教育局2024年工作要点"
            } else {
                "Test City Education Bureau: 2024 Work Plan"
            };
            assert_eq!(h1(&target), title, "{path} → {target}");
            assert_eq!(text(&links[0]), title, "{path}");
            checked += 1;
        } else {
            assert!(links.is_empty(), "{path} is not of an ended plan");
        }
    }
    // plan, tag list, 2 sections, 2 tags, 6 statuses, 4 items; twice.
    assert!(checked >= 2 * 16, "only {checked} pages of 2023 checked");
}

/// The lineage link of `class` on item page `path`: its text and the page
/// it leads to.
fn lineage(path: &str, class: &str) -> Vec<(String, String)> {
    let d = doc(path);
    select(&d, &format!("section.lineage a.{class}"))
        .iter()
        .map(|a| (text(a), follow(a.value().attr("href").unwrap_or_default())))
        .collect()
}

/// The item number an item page shows in its kicker ("第12条", "Item 12").
fn kicker(path: &str) -> String {
    let d = doc(path);
    select(&d, ".item-kicker")
        .first()
        .map(text)
        .unwrap_or_default()
}

#[test]
fn lineage_links_both_ways_in_both_languages_and_lead_to_the_right_items() {
    let zh = ui_strings("zh");
    let en = ui_strings("en");
    let item = |s: &std::collections::BTreeMap<String, String>, n: u32| {
        s["item-number"].replace("{number}", &n.to_string())
    };
    assert_eq!(
        lineage("2024/12/index.html", "continues"),
        [(
            "延续2023年工作要点第1条".to_string(),
            "2023/1/index.html".to_string()
        )]
    );
    assert_eq!(kicker("2023/1/index.html"), item(&zh, 1));
    assert_eq!(
        lineage("2023/1/index.html", "continued-in"),
        [(
            "在2024年工作要点中延续为第12条".to_string(),
            "2024/12/index.html".to_string()
        )]
    );
    assert_eq!(kicker("2024/12/index.html"), item(&zh, 12));
    assert_eq!(
        lineage("en/2024/12/index.html", "continues"),
        [(
            "continues item 1 of the 2023 plan".to_string(),
            "en/2023/1/index.html".to_string()
        )]
    );
    assert_eq!(kicker("en/2023/1/index.html"), item(&en, 1));
    assert_eq!(
        lineage("en/2023/1/index.html", "continued-in"),
        [(
            "continued in the 2024 plan as item 12".to_string(),
            "en/2024/12/index.html".to_string()
        )]
    );
    assert_eq!(
        lineage("en/2023/3/index.html", "continued-in"),
        [(
            "continued in the 2024 plan as item 13".to_string(),
            "en/2024/13/index.html".to_string()
        )]
    );
    assert_eq!(kicker("en/2024/13/index.html"), item(&en, 13));
    // Items without lineage show none.
    assert!(lineage("2023/2/index.html", "continued-in").is_empty());
    assert!(select(&doc("2023/2/index.html"), "section.lineage").is_empty());
}

fn item_json(items: &serde_json::Value, number: u64) -> &serde_json::Value {
    items["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["number"] == number)
        .unwrap_or_else(|| panic!("no item {number}"))
}

#[test]
fn items_json_and_csv_carry_continues_and_continued_in() {
    let y2023 = built().json("2023/items.json");
    let y2024 = built().json("2024/items.json");
    assert_eq!(item_json(&y2024, 12)["continues"], "2023/1");
    assert_eq!(item_json(&y2024, 12)["continued_in"], serde_json::json!([]));
    assert_eq!(
        item_json(&y2023, 1)["continued_in"],
        serde_json::json!(["2024/12"])
    );
    assert_eq!(
        item_json(&y2023, 3)["continued_in"],
        serde_json::json!(["2024/13"])
    );
    assert_eq!(item_json(&y2023, 1)["continues"], serde_json::Value::Null);
    let csv = csv_records(
        built()
            .text("2023/items.csv")
            .trim_start_matches('\u{feff}'),
    );
    let col = |name: &str| csv[0].iter().position(|h| h == name).expect(name);
    let (continues, continued_in) = (col("continues"), col("continued_in"));
    let row1 = csv.iter().find(|r| r[0] == "1").expect("row of item 1");
    assert_eq!(
        (row1[continues].as_str(), row1[continued_in].as_str()),
        ("", "2024/12")
    );
    let csv = csv_records(
        built()
            .text("2024/items.csv")
            .trim_start_matches('\u{feff}'),
    );
    let row12 = csv.iter().find(|r| r[0] == "12").expect("row of item 12");
    assert_eq!(row12[continues], "2023/1");
}

#[test]
fn illustrative_is_said_per_plan_on_badges_pages_feeds_and_data() {
    let b = built();
    // Data files.
    assert_eq!(b.json("2023/items.json")["illustrative"], true);
    assert_eq!(b.json("2024/items.json")["illustrative"], false);
    assert_eq!(
        b.json("2024/items.json")["illustrative_note"],
        serde_json::Value::Null
    );
    for (plan, want) in [("2023", "true"), ("2024", "false")] {
        let csv = csv_records(
            b.text(&format!("{plan}/items.csv"))
                .trim_start_matches('\u{feff}'),
        );
        let col = csv[0].iter().position(|h| h == "illustrative").unwrap();
        assert!(csv[1..].iter().all(|r| r[col] == want), "{plan}/items.csv");
    }
    // Badges: the sample mark in both languages on 2023's only.
    for lang in ["", "en/"] {
        let sample = ui_strings(if lang.is_empty() { "zh" } else { "en" })["sample-mark"].clone();
        let has_mark = |path: &str| {
            let svg = b.text(path);
            xml_elements(svg, "text")
                .iter()
                .any(|t| t.contains(&sample))
        };
        assert!(
            has_mark(&format!("{lang}2023/1/badge.svg")),
            "{lang}2023 badge"
        );
        assert!(
            !has_mark(&format!("{lang}2024/12/badge.svg")),
            "{lang}2024 badge"
        );
        // Feeds.
        assert!(
            b.text(&format!("{lang}2023/updates.xml"))
                .contains("<category term=\"illustrative\"/>")
        );
        assert!(
            !b.text(&format!("{lang}2024/updates.xml"))
                .contains("illustrative")
        );
    }
    // Pages of a plan: the notice on 2023's, none on 2024's.
    for path in ["2023/1/index.html", "en/2023/", "2023/sections/1/"] {
        let file = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        assert_eq!(
            select(&doc(&file), ".notice-illustrative").len(),
            1,
            "{file}"
        );
    }
    for path in [
        "2024/12/index.html",
        "en/2024/index.html",
        "2024/sections/1/index.html",
    ] {
        assert!(
            select(&doc(path), ".notice-illustrative").is_empty(),
            "{path}"
        );
    }
    // Pages of every plan: no notice for the whole site, one in 2023's card.
    for (home, words) in [("index.html", "zh"), ("en/index.html", "en")] {
        let d = doc(home);
        let notices = select(&d, ".notice-illustrative");
        assert_eq!(notices.len(), 1, "{home}");
        let in_card = select(
            &d,
            "section.plan-card[aria-labelledby=plan-2023] .notice-illustrative",
        );
        assert_eq!(in_card.len(), 1, "{home}: the notice is not in 2023's card");
        assert!(
            text(&in_card[0]).contains(&ui_strings(words)["illustrative-plan"]),
            "{home}"
        );
    }
    let search = doc("search/index.html");
    let notices = select(&search, ".notice-illustrative");
    assert_eq!(notices.len(), 1);
    assert!(text(&notices[0]).contains("测试市教育局2023年工作要点"));
}

#[test]
fn a_former_tag_slug_serves_a_redirect_to_the_tag_page_in_every_language() {
    for lang in ["", "en/"] {
        for plan in ["2023", "2024"] {
            let old = format!("{lang}{plan}/tags/safety/index.html");
            let html = built().text(&old);
            let refresh = meta(html, "refresh")
                .or_else(|| {
                    tags_named(html, "meta")
                        .into_iter()
                        .find(|t| t.attr("http-equiv") == Some("refresh"))
                        .and_then(|t| t.attr("content").map(str::to_string))
                })
                .unwrap_or_else(|| panic!("{old} has no meta refresh"));
            let new = format!("{BASE}{lang}{plan}/tags/school-safety/");
            assert_eq!(refresh, format!("0; url={new}"), "{old}");
            let canonical = links_with_rel(html, "canonical");
            assert_eq!(
                canonical[0].attr("href"),
                Some(format!("https://example.org{new}").as_str()),
                "{old}"
            );
            let d = Html::parse_document(html);
            let links = select(&d, "body a");
            assert_eq!(links.len(), 1, "{old}");
            let target = follow(links[0].value().attr("href").unwrap_or_default());
            let name = if lang.is_empty() {
                "安全"
            } else {
                "School safety"
            };
            assert!(
                h1(&target).contains(name),
                "{old} → {target}: {}",
                h1(&target)
            );
        }
    }
    // The old URL is no page of its own: not in the sitemap.
    assert!(!built().text("sitemap.xml").contains("/tags/safety/"));
}

#[test]
fn pace_runs_over_the_plan_period_not_the_calendar_year() {
    // 2024-07-01 to 2024-12-31 is 184 of the period's 365 days: 50.4 %
    // expected, 50 % done: on pace (the calendar year would say 100 %).
    let items = built().json("2024/items.json");
    let it = item_json(&items, 12);
    assert_eq!(it["pace"]["expected_percent"], 50.4);
    assert_eq!(it["pace"]["due"], "2025-06-30");
    assert_eq!(it["pace"]["kind"], "on-pace");
    assert_eq!(it["targets"][0]["expected"], 50.4);
}
