//! The tag index in the reader's order (issue #20.6): by pinyin in
//! Chinese, alphabetically in English.

use crate::common::*;
use scraper::{Html, Selector};

fn tag_names(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse(".tag-cloud a.tag").unwrap())
        .map(|a| a.text().collect())
        .collect()
}

// issue #20.6
#[test]
fn the_tag_index_is_in_pinyin_order_in_chinese_and_alphabetical_in_english() {
    let zh = tag_names(plan2023().text("2023/tags/index.html"));
    assert_eq!(zh.len(), 28, "{zh:?}");
    // Tags whose first characters read differently, in pinyin order:
    // ān, dǎng, dū, fǎ, gāo, jīng, kǎo, mín, pǔ, shuāng, sī, tè, xiāng,
    // xué, yǔ, zhí, zhōng, zuò.
    let pinyin = [
        "安全",
        "党建",
        "督导",
        "法治",
        "高等教育",
        "经费保障",
        "考试招生",
        "民办教育",
        "普通高中",
        "双减",
        "思政",
        "特殊教育",
        "乡村振兴",
        "学前教育",
        "语言文字",
        "职业教育",
        "终身教育",
        "作风建设",
    ];
    let positions: Vec<usize> = pinyin
        .iter()
        .map(|t| {
            zh.iter()
                .position(|n| n == t)
                .unwrap_or_else(|| panic!("{t} in {zh:?}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{zh:?}");
    let en = tag_names(plan2023().text("en/2023/tags/index.html"));
    assert_eq!(en.len(), 28);
    let mut sorted = en.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(en, sorted);
}
