//! Stale translations: a Chinese edit after the translation (issue #18.3).

use super::*;

const ITEM_16_ZH: &str = "content/2023/3-quality-system/16-school-projects.md";
const ITEM_16_EN_FILE: &str = "content/2023/3-quality-system/16-school-projects.en.md";

/// The plan with every translation imported back (so every translation
/// file records its `source_hash`).
fn site_with_source_hashes() -> TestSite {
    let site = TestSite::plan2023();
    let file = site.path("2023-en.xlsx");
    export(&site, &file);
    assert_eq!(import(&site, &file).code, 0);
    assert!(site.read(ITEM_16_EN_FILE).contains("source_hash = \""));
    site
}

/// Changes a sentence of item 16's Chinese body.
fn edit_item_16_sentence(site: &TestSite) {
    site.write(
        ITEM_16_ZH,
        site.read(ITEM_16_ZH).replace(
            "全年新开工32所乡镇寄宿制小学",
            "全年新开工33所乡镇寄宿制小学",
        ),
    );
}

// issue #18.3
#[test]
fn a_chinese_edit_makes_the_translation_stale_and_its_page_says_so() {
    let (zh, en) = (ITEM_16_ZH, ITEM_16_EN_FILE);
    // An import records the source hash of every translation it returns.
    let site = site_with_source_hashes();
    let clean = site.run(&["check"]);
    assert!(
        !clean.stderr.contains("older than its source"),
        "{}",
        clean.stderr
    );

    // A new status or figure is not a change of text…
    site.write(zh, site.read(zh).replace("actual = 28", "actual = 30"));
    let check = site.run(&["check"]);
    assert!(
        !check.stderr.contains("older than its source"),
        "{}",
        check.stderr
    );
    // …a changed sentence is.
    edit_item_16_sentence(&site);
    let check = site.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains(&format!(
            "{en}:3:15: warning: the `en` translation is older than its source"
        )),
        "{}",
        check.stderr
    );
    assert!(
        check
            .stderr
            .contains("en: 153 translated, 0 missing, 7 stale (text units)"),
        "{}",
        check.stderr
    );
    let built = site.build_ok();
    // One warning, with its own code (what `check` counts).
    assert_eq!(
        built
            .diags
            .count(planpub::diagnostics::Code::StaleTranslation),
        1,
        "{}",
        built.diags.render()
    );
    let stale_notice = notice(&english_item_page(&built, 16)).expect("a notice on the stale page");
    assert!(
        stale_notice.contains("changed since it was translated"),
        "{stale_notice}"
    );
    assert_eq!(
        notice(&english_item_page(&built, 15)),
        None,
        "other pages have none"
    );
    assert!(
        item_title(&english_item_page(&built, 16)).starts_with("Plan and build projects"),
        "the translation is still shown"
    );
}

// issue #18.3
#[test]
fn a_stale_translation_stays_stale_until_the_translator_corrects_or_confirms_it() {
    let en = ITEM_16_EN_FILE;
    let site = site_with_source_hashes();
    edit_item_16_sentence(&site);
    // The next export marks the item's rows stale; returned unchanged and
    // not marked done they stay stale.
    let file = site.path("again.xlsx");
    export(&site, &file);
    let mut rows = read_sheet(&file, "Sheet1");
    let stale: Vec<&str> = rows
        .iter()
        .filter(|r| r[3] == "stale")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(stale.len(), 7);
    assert!(
        stale.iter().all(|id| id.starts_with("2023/16/")),
        "{stale:?}"
    );
    let run = import(&site, &file);
    assert!(
        run.stdout.contains(&format!("still stale: {en}")),
        "{}",
        run.stdout
    );
    assert!(site.run(&["check"]).stderr.contains("7 stale"));

    // The translator corrects the body and confirms the other rows.
    let body = row_of(&mut rows, "2023/16/body");
    body[2] = body[2].replace("start construction of 32", "start construction of 33");
    for r in rows.iter_mut().filter(|r| r[3] == "stale") {
        r[3] = "done".into();
    }
    write_sheet(&file, &rows);
    let run = import(&site, &file);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("still stale"), "{}", run.stdout);
    let check = site.run(&["check"]);
    assert!(
        !check.stderr.contains("older than its source"),
        "{}",
        check.stderr
    );
    assert!(
        check
            .stderr
            .contains("en: 160 translated, 0 missing, 0 stale"),
        "{}",
        check.stderr
    );
    let page = english_item_page(&site.build_ok(), 16);
    assert_eq!(notice(&page), None);
    assert!(page.contains("start construction of 33 township"));
}

#[test]
fn translate_hash_prints_the_documented_sha256_of_the_source_texts() {
    use sha2::{Digest, Sha256};
    let site = TestSite::plan2023();
    let zh = site.path("content/2023/3-quality-system/16-school-projects.md");
    // The recipe of docs/content-format.md: each unit as name NUL text NUL.
    let (front, body) = read_content(&zh);
    let mut bytes = Vec::new();
    let mut unit = |name: &str, text: &str| {
        if !text.trim().is_empty() {
            bytes.extend_from_slice(format!("{name}\0{}\0", text.trim()).as_bytes());
        }
    };
    unit("title", s(&front, "title"));
    unit("body", &body);
    for t in front["targets"].as_array().unwrap() {
        let t = t.as_table().unwrap();
        unit(&format!("target/{}/label", s(t, "key")), s(t, "label"));
        unit(&format!("target/{}/unit", s(t, "key")), s(t, "unit"));
    }
    for u in front["updates"].as_array().unwrap() {
        let u = u.as_table().unwrap();
        unit(&format!("update/{}/text", u["date"]), s(u, "text"));
    }
    let digest = Sha256::digest(&bytes);
    let expected: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    for file in [
        zh.clone(),
        site.path("content/2023/3-quality-system/16-school-projects.en.md"),
    ] {
        let run = site.run(&["translate", "hash", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, format!("{expected}\n"), "{}", file.display());
    }
    // A hash set by hand is honoured: the translation is current.
    let en = "content/2023/3-quality-system/16-school-projects.en.md";
    site.write(
        en,
        site.read(en)
            .replacen("+++\n", &format!("+++\nsource_hash = \"{expected}\"\n"), 1),
    );
    let check = site.run(&["check"]);
    assert!(
        !check.stderr.contains("older than its source"),
        "{}",
        check.stderr
    );
    site.write(en, site.read(en).replace(&expected, "0000000000000000"));
    assert!(
        site.run(&["check"])
            .stderr
            .contains("older than its source")
    );
}
