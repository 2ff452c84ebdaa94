//! Progress rounds (issue #19.1, #19.2): `content/<plan>/progress/<date>.toml`
//! laid over the frozen 2023 plan (tests/fixtures/rounds/) and what a
//! reader gets from it: item pages with the new update, actual and
//! history chart, badges, the plan's counts, the Atom feeds, items.json
//! and items.csv, in both languages; and `serve` following an edit of a
//! round. The errors are fixtures in validation_errors.rs.

use crate::common::*;
use planpub::serve::session::Session;

const ROUND: &str = "content/2023/progress/2023-12-31.toml";

fn site_with_round() -> TestSite {
    let site = TestSite::plan2023();
    site.overlay("rounds", &[]);
    site
}

/// The text of the element with `id` on a page.
fn text_of(html: &str, id: &str) -> String {
    inner_text(&element_by_id(html, id).unwrap_or_else(|| panic!("no #{id}")))
}

// issue #19.1
#[test]
fn a_round_is_each_items_update_on_its_date_on_the_item_pages_in_both_languages() {
    let built = site_with_round().build_ok();
    let zh = built.text("2023/11/index.html");
    let en = built.text("en/2023/11/index.html");
    let update_zh = text_of(zh, "update-2023-12-31");
    let update_en = text_of(en, "update-2023-12-31");
    assert!(update_zh.contains("16所公办幼儿园全部完工"), "{update_zh}");
    assert!(
        update_en.contains("all 16 public kindergartens finished"),
        "{update_en}"
    );
    // The target's actual is the round's value, on both pages.
    let row_zh = text_of(zh, "target-public-kindergartens");
    let row_en = text_of(en, "target-public-places");
    assert!(
        row_zh.contains("16 所") && row_zh.contains("100%"),
        "{row_zh}"
    );
    assert!(row_en.contains("4,700"), "{row_en}");
    // Only the default-language text: shown, with the missing-translation
    // warning at the round's entry.
    let en24 = text_of(built.text("en/2023/24/index.html"), "update-2023-12-31");
    assert!(en24.contains("32所乡镇寄宿制小学全部开工"), "{en24}");
    assert!(
        built
            .diags
            .iter()
            .any(|d| d.path.ends_with("2023-12-31.toml")
                && d.message.contains("item 24 has no `en` text")),
        "{}",
        built.diags.render()
    );
}

// issue #19.2
#[test]
fn a_targets_history_is_a_chart_with_a_table_for_screen_readers() {
    let built = site_with_round().build_ok();
    for (page, heading) in [
        ("2023/11/index.html", "历次填报"),
        ("en/2023/11/index.html", "Reported over time"),
    ] {
        let html = built.text(page);
        let figure = element_by_id(html, "history-public-places")
            .unwrap_or_else(|| panic!("{page}: no history figure"));
        assert!(inner_text(&figure).contains(heading), "{page}: {figure}");
        let svg = tags_named(&figure, "svg");
        assert_eq!(svg.len(), 1, "{page}");
        assert_eq!(svg[0].attr("aria-hidden"), Some("true"), "{page}");
        // The front matter's actual (as of the item's latest own update,
        // 2023-06-30) and the round's, in the table, oldest first.
        let doc = scraper::Html::parse_fragment(&figure);
        let sel = scraper::Selector::parse("table.visually-hidden tbody tr").unwrap();
        let rows: Vec<String> = doc
            .select(&sel)
            .map(|r| r.text().collect::<Vec<_>>().join("|"))
            .collect();
        assert_eq!(
            rows,
            ["2023-06-30|2,600 个", "2023-12-31|4,700 个"].map(|r| {
                if page.starts_with("en/") {
                    r.replace(" 个", "")
                } else {
                    r.to_string()
                }
            }),
            "{page}"
        );
        // Every label of the chart at 12 px or more: the stylesheet sets
        // 14 px on `.chart` and the chart's text sets no size of its own.
        assert!(!figure.contains("font-size"), "{page}");
    }
    let css = built.text("static/style.css");
    assert!(css.contains(
        ".chart { display: block; max-width: 36rem; margin-bottom: .5rem; font-size: 14px;"
    ));
    // A target with one value has no chart.
    assert!(element_by_id(built.text("2023/16/index.html"), "history-projects").is_none());
}

// issue #19.1, #19.2
#[test]
fn a_round_moves_status_badge_counts_feed_and_data_files() {
    let before = TestSite::plan2023().build_ok();
    let built = site_with_round().build_ok();
    // Item 14 had no status; the round says completed.
    for (page, word) in [
        ("2023/14/badge.svg", "已完成"),
        ("en/2023/14/badge.svg", "Completed"),
    ] {
        let svg = built.text(page);
        let title: Vec<String> = xml_elements(svg, "title")
            .into_iter()
            .map(inner_text)
            .collect();
        assert!(title.iter().any(|t| t.contains(word)), "{page}: {title:?}");
    }
    let completed = |b: &Built, page: &str| {
        let html = b.text(page);
        let links: Vec<String> = tags_named(html, "a")
            .iter()
            .filter(|a| {
                a.attr("href")
                    .is_some_and(|h| h.ends_with("/status/completed/"))
            })
            .filter_map(|a| element_at(html, a))
            .map(|e| inner_text(&e))
            .collect();
        links.join(" ")
    };
    for page in ["2023/index.html", "en/2023/index.html"] {
        let (was, is) = (completed(&before, page), completed(&built, page));
        let number = |s: &str| -> Vec<u32> {
            s.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect()
        };
        assert!(
            number(&is)
                .iter()
                .zip(number(&was).iter())
                .any(|(a, b)| *a == b + 1),
            "{page}: completed count was {was:?}, is {is:?}"
        );
    }
    for (feed, text) in [
        ("2023/updates.xml", "特殊教育提升计划全部完成"),
        (
            "en/2023/updates.xml",
            "The special education plan is complete",
        ),
    ] {
        let xml = built.text(feed);
        assert!(xml_balance_problems(xml).is_empty(), "{feed}");
        let entries = xml_elements(xml, "entry");
        assert!(
            entries
                .iter()
                .any(|e| e.contains(text) && e.contains("2023-12-31")),
            "{feed}"
        );
    }
    let json = built.json("2023/items.json");
    let items = json["items"].as_array().unwrap();
    let item = |n: u64| items.iter().find(|i| i["number"] == n).unwrap();
    assert_eq!(item(14)["status"], "completed");
    assert_eq!(item(11)["as_of"], "2023-12-31");
    let places = &item(11)["targets"][1];
    assert_eq!(places["key"], "public-places");
    assert_eq!(places["actual"], 4700);
    assert_eq!(
        places["history"],
        serde_json::json!([
            {"date": "2023-06-30", "value": 2600},
            {"date": "2023-12-31", "value": 4700}
        ])
    );
    assert_eq!(
        item(11)["updates"][0]["text"]["en"],
        "[Sample] Q4: all 16 public kindergartens finished, 4,700 public places added."
    );
    let csv = csv_records(built.text("2023/items.csv").trim_start_matches('\u{feff}'));
    let header = &csv[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = csv.iter().find(|r| r[0] == "24").unwrap();
    assert_eq!(row[col("targets")], "boarding-schools=32/32");
    assert_eq!(row[col("as_of")], "2023-12-31");
    let row = csv.iter().find(|r| r[0] == "14").unwrap();
    assert_eq!(row[col("status")], "completed");
}

// issue #19.1: `serve` follows an edit of a round file.
#[test]
fn serve_rebuilds_the_item_pages_when_a_round_changes() {
    let site = site_with_round();
    let root = site.root();
    let (mut session, first) = Session::start(root, None);
    assert!(!first.failed, "{}", first.diagnostics.render());
    let page = |s: &Session, p: &str| {
        String::from_utf8(s.output.read().unwrap().files[p].clone()).unwrap()
    };
    assert!(page(&session, "2023/14/index.html").contains("特殊教育提升计划全部完成"));
    let text = site
        .read(ROUND)
        .replace("特殊教育提升计划全部完成", "特殊教育提升计划已验收");
    site.write(ROUND, text);
    let outcome = session.rebuild(&[root.join(ROUND)]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.changed.contains(&"2023/14/index.html".to_string()));
    assert!(page(&session, "2023/14/index.html").contains("特殊教育提升计划已验收"));
    // A new round file is read too.
    site.write(
        "content/2023/progress/2023-11-30.toml",
        "[[item]]\nnumber = 7\nstatus = \"ongoing\"\ntext = { zh = \"【示例】十一月。\", en = \"[Sample] November.\" }\n",
    );
    let outcome = session.rebuild(&[root.join("content/2023/progress/2023-11-30.toml")]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(page(&session, "en/2023/7/index.html").contains("[Sample] November."));
}
