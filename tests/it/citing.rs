//! Citing a plan and its items (issue #20.5): the plan page shows the
//! publication date and links to the official text and to the site's copy
//! of it; every citation names the date and the official text; the English
//! citation names the bureau once.

use crate::common::*;
use scraper::{Html, Selector};

const SOURCE: &str = "http://jyj.nanyang.gov.cn/2023/04-02/369641.html";

/// The 2023 fixture with the plan's publication date and official URL.
fn site() -> Built {
    let site = TestSite::plan2023();
    let index = site.read("content/2023/_index.md");
    let with = index.replacen(
        "issuer = \"南阳市教育局\"\n",
        &format!("issuer = \"南阳市教育局\"\npublished = 2023-04-02\nsource = \"{SOURCE}\"\n"),
        1,
    );
    assert_ne!(index, with, "the fixture's front matter changed");
    site.write("content/2023/_index.md", with);
    site.build_ok()
}

fn text_of(html: &str, css: &str) -> String {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

// issue #20.5
#[test]
fn plan_page_and_every_citation_give_the_publication_date_and_the_official_text() {
    let built = site();
    for prefix in ["", "en/"] {
        let plan = built.text(&format!("{prefix}2023/index.html"));
        assert!(
            plan.contains("2023-04-02"),
            "{prefix}2023/: publication date"
        );
        let hrefs: Vec<String> = tags_named(plan, "a")
            .iter()
            .filter_map(|a| a.attr("href").map(String::from))
            .collect();
        assert!(
            hrefs.iter().any(|h| h == SOURCE),
            "{prefix}2023/ links to {SOURCE}"
        );
        let copy = "/plan/2023/source.zh.txt";
        assert!(
            hrefs.iter().any(|h| h == copy),
            "{prefix}2023/ links to {copy}"
        );
        assert_eq!(
            built.bytes("2023/source.zh.txt"),
            std::fs::read(fixture("plan2023").join("content/2023/source.zh.txt")).unwrap(),
            "the copy is the source text, unchanged"
        );
        for n in [1, 16, 31] {
            let page = built.text(&format!("{prefix}2023/{n}/index.html"));
            let cite = text_of(page, "#citation-text");
            assert!(
                cite.contains("2023-04-02") && cite.contains(SOURCE),
                "{prefix}2023/{n}/ citation: {cite}"
            );
            if prefix == "en/" {
                assert_eq!(
                    cite.matches("Education Bureau").count(),
                    1,
                    "the English citation names the bureau once: {cite}"
                );
            }
        }
    }
}

// issue #20.5: the badge names the plan; the embed code's alt text names
// the badge and freezes no status.
#[test]
fn the_badge_names_the_plan_and_its_embed_alt_names_no_status() {
    let built = plan2023();
    let ui_zh = ui_strings("zh");
    let ui_en = ui_strings("en");
    for (prefix, ui, label, alt) in [
        (
            "",
            &ui_zh,
            "2023 第16条",
            "南阳市教育局2023年工作要点第16条进度徽章",
        ),
        (
            "en/",
            &ui_en,
            "2023 No. 16",
            "Progress badge of Nanyang Municipal Education Bureau: Key Tasks for 2023, item 16",
        ),
    ] {
        let svg = built.text(&format!("{prefix}2023/16/badge.svg"));
        let texts = xml_elements(svg, "text").join(" ");
        assert!(texts.contains(label), "{prefix} badge: {texts}");
        let page = Html::parse_document(built.text(&format!("{prefix}2023/16/index.html")));
        let code: String = page
            .select(&Selector::parse("#badge-code").unwrap())
            .map(|e| e.text().collect::<String>())
            .collect();
        let embed = Html::parse_fragment(&code);
        let img_alt = embed
            .select(&Selector::parse("img").unwrap())
            .next()
            .and_then(|i| i.value().attr("alt"))
            .unwrap_or_else(|| panic!("{prefix}: no img in the embed code {code}"))
            .to_string();
        assert_eq!(img_alt, alt);
        for key in [
            "status-not-started",
            "status-in-progress",
            "status-completed",
            "status-delayed",
            "status-ongoing",
        ] {
            assert!(
                !img_alt.contains(&ui[key]),
                "{prefix}: alt names {}",
                ui[key]
            );
        }
    }
}
