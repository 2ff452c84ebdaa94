//! Chinese typography at render time (issue #20.7): ASCII punctuation
//! next to Chinese characters is shown full-width, and a long one-paragraph
//! body is shown a sentence to a paragraph unless the site turns that off;
//! the content files and source.zh.txt are published and kept unchanged.

use crate::common::*;
use scraper::{Html, Selector};

fn prose_paragraphs(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse("article .prose p, .preamble .prose p").unwrap())
        .map(|p| p.text().collect())
        .collect()
}

/// Item 22's body: 573 bytes of one paragraph, with several `。`.
fn item_22_body() -> String {
    let file = content_items(&fixture("plan2023"), "2023")
        .into_iter()
        .find(|f| f.front["number"].as_integer() == Some(22))
        .unwrap();
    file.body.trim().to_string()
}

// issue #20.7
#[test]
fn ascii_punctuation_next_to_chinese_is_shown_full_width_and_the_sources_stay_verbatim() {
    let built = plan2023();
    let source = std::fs::read(fixture("plan2023").join("content/2023/source.zh.txt")).unwrap();
    assert!(
        String::from_utf8_lossy(&source).contains("总体要求是:坚持"),
        "the fixture's source text has the ASCII colon"
    );
    assert_eq!(built.bytes("2023/source.zh.txt"), source.as_slice());
    let preamble = prose_paragraphs(built.text("2023/index.html")).join("");
    assert!(preamble.contains("总体要求是：坚持"), "{preamble}");
    assert!(!preamble.contains("是:坚持"));
    let home: String = Html::parse_document(built.text("index.html"))
        .select(&Selector::parse(".plan-card p").unwrap())
        .map(|p| p.text().collect::<String>())
        .collect();
    assert!(
        home.contains("总体要求是：坚持"),
        "the home page's excerpt: {home}"
    );
    let body = item_22_body();
    let shown = prose_paragraphs(built.text("2023/22/index.html")).join("");
    assert!(body.contains(',') && !shown.contains(','), "{shown}");
    // Only the marks changed: the same text with ASCII marks put back.
    let back: String = shown
        .chars()
        .map(|c| match c {
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '？' => '?',
            '！' => '!',
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let ascii_body: String = body
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    assert_eq!(back.replace(char::is_whitespace, ""), ascii_body);
    // The search index and items.json keep the text as written.
    let items = built.json("2023/items.json");
    let json_body = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 22)
        .unwrap()["body"]["zh"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        json_body.contains(','),
        "items.json keeps the source's marks"
    );
}

// issue #20.7
#[test]
fn a_long_one_paragraph_body_is_split_after_each_full_stop_unless_the_site_turns_it_off() {
    let body = item_22_body();
    let sentences = body.matches('。').count();
    assert!(sentences >= 3 && !body.contains("\n\n"), "{body}");
    let on = prose_paragraphs(plan2023().text("2023/22/index.html"));
    assert_eq!(on.len(), sentences, "{on:?}");
    assert!(on.iter().all(|p| p.ends_with('。')), "{on:?}");
    let site = TestSite::plan2023();
    let toml = site.read("site.toml");
    site.write(
        "site.toml",
        format!("{toml}\n[display]\nsplit_paragraphs = false\n"),
    );
    let off = site.build_ok();
    let paras = prose_paragraphs(off.text("2023/22/index.html"));
    assert_eq!(paras.len(), 1, "{paras:?}");
}
