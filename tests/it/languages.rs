//! Languages are data (issue #16.5): a site with a third language, Korean,
//! builds, and its pages take the language's tag, locale, direction, UI
//! strings and numerals from its `i18n/ko.toml`, with alternates and a
//! language switch for all three languages. Nothing in the code names
//! `zh` or `en`.

use crate::common::TestSite;
use scraper::{Html, Selector};

/// Korean UI strings: the theme's English file with the language's own
/// settings and the strings these tests look for in Korean (a key the
/// theme adds later stays English here rather than missing).
fn korean_strings(direction: &str) -> String {
    let english =
        std::fs::read_to_string(crate::common::repo().join("themes/default/i18n/en.toml"))
            .expect("the theme's en.toml");
    let korean = [
        ("language-name", "한국어"),
        ("language-tag", "ko"),
        ("language-locale", "ko_KR"),
        ("language-direction", direction),
        ("section-numeral", "제{number}장"),
        ("section-heading", "{numeral} {title}"),
        ("skip-link", "본문으로 건너뛰기"),
        ("nav-home", "홈"),
        ("status-completed", "완료"),
    ];
    english
        .lines()
        .map(|line| {
            let key = line.split(" = ").next().unwrap_or_default();
            match korean.iter().find(|(k, _)| *k == key) {
                Some((k, v)) => format!("{k} = \"{v}\""),
                None => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn three_languages(direction: &str) -> TestSite {
    let site = TestSite::fixture("basic");
    site.overlay("three-languages", &[]);
    site.write("i18n/ko.toml", korean_strings(direction));
    site
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    let s = Selector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e:?}"));
    html.select(&s).collect()
}

fn attr(html: &Html, selector: &str, name: &str) -> Vec<String> {
    select(html, selector)
        .into_iter()
        .filter_map(|e| e.value().attr(name).map(str::to_string))
        .collect()
}

// issue #16.5
#[test]
fn a_third_language_takes_its_tag_locale_strings_and_numerals_from_its_strings_file() {
    let built = three_languages("ltr").build_ok();
    let page = Html::parse_document(built.text("ko/2023/1/index.html"));
    let html = &select(&page, "html")[0];
    assert_eq!(html.value().attr("lang"), Some("ko"));
    assert_eq!(
        html.value().attr("dir"),
        None,
        "left to right is the default"
    );
    assert_eq!(
        attr(&page, "meta[property='og:locale']", "content"),
        ["ko_KR"]
    );
    assert_eq!(
        attr(&page, "meta[property='og:locale:alternate']", "content"),
        ["zh_CN", "en_US"]
    );
    let skip: Vec<String> = select(&page, "a.skip-link")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(skip, ["본문으로 건너뛰기"]);
    let title: String = select(&page, "h1#item-title")[0].text().collect();
    assert_eq!(title, "학교 안전 관리 강화");
    // Alternates: every language, and the default one as x-default.
    let alternates: Vec<(String, String)> = select(&page, "link[rel='alternate'][hreflang]")
        .iter()
        .map(|e| {
            let v = e.value();
            (
                v.attr("hreflang").unwrap().into(),
                v.attr("href").unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        alternates,
        [
            ("zh-Hans".into(), "https://example.org/plan/2023/1/".into()),
            ("en".into(), "https://example.org/plan/en/2023/1/".into()),
            ("ko".into(), "https://example.org/plan/ko/2023/1/".into()),
            (
                "x-default".into(),
                "https://example.org/plan/2023/1/".into()
            ),
        ]
    );
    // The language switch: the same page in each language, Korean current.
    let switch: Vec<String> = select(&page, "nav.lang-switch a")
        .iter()
        .map(|e| e.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(switch, ["/plan/2023/1/", "/plan/en/2023/1/"]);
    let current: Vec<String> = select(&page, "nav.lang-switch [aria-current='page']")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(current, ["한국어"]);
    for page in ["2023/1/index.html", "en/2023/1/index.html"] {
        let other = Html::parse_document(built.text(page));
        let names: Vec<String> = select(&other, "nav.lang-switch a")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert!(names.contains(&"한국어".to_string()), "{page}: {names:?}");
    }
    // The section's numeral and heading as Korean writes them.
    let section = Html::parse_document(built.text("ko/2023/sections/1/index.html"));
    let heading: String = select(&section, "h1")[0].text().collect();
    assert_eq!(heading.trim(), "제1장 학교 안전의 최저선 지키기");
    // Every page in the sitemap names its Korean alternate.
    let sitemap = built.text("sitemap.xml");
    assert!(
        sitemap.contains("hreflang=\"ko\" href=\"https://example.org/plan/ko/2023/1/\""),
        "{sitemap}"
    );
}

// issue #16.5
#[test]
fn an_untranslated_page_in_the_third_language_shows_the_default_text_marked_as_such() {
    let built = three_languages("ltr").build_ok();
    let page = Html::parse_document(built.text("ko/2023/3/index.html"));
    let title = &select(&page, "h1#item-title")[0];
    assert_eq!(title.value().attr("lang"), Some("zh"));
    assert_eq!(title.text().collect::<String>(), "新建公办幼儿园");
    assert!(
        built.diags.render().contains("no `ko` translation"),
        "{}",
        built.diags.render()
    );
}

// issue #16.5
#[test]
fn a_right_to_left_language_gets_dir_rtl() {
    let built = three_languages("rtl").build_ok();
    let page = Html::parse_document(built.text("ko/2023/1/index.html"));
    assert_eq!(select(&page, "html")[0].value().attr("dir"), Some("rtl"));
    let zh = Html::parse_document(built.text("2023/1/index.html"));
    assert_eq!(select(&zh, "html")[0].value().attr("dir"), None);
}

// issue #16.5
#[test]
fn a_language_without_its_settings_or_with_a_wrong_direction_is_an_error() {
    let site = three_languages("sideways");
    let strings = site.read("i18n/ko.toml");
    let without_tag: String = strings
        .lines()
        .filter(|l| !l.starts_with("language-tag ="))
        .collect::<Vec<_>>()
        .join("\n");
    site.write("i18n/ko.toml", without_tag);
    let diags = site.build().err().expect("the build fails").render();
    assert!(
        diags.contains("i18n/ko.toml:1:1: error: the language setting `language-tag` is missing"),
        "{diags}"
    );
    assert!(
        diags.contains("`language-direction` is \"sideways\"; it must be \"ltr\" or \"rtl\""),
        "{diags}"
    );
}
