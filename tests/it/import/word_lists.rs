//! Word's automatic numbering: documents that number their headings and
//! items with Word's lists (issue #18.1).

use super::*;

// ---------------------------------------------------------------------------
// Word's automatic numbering (issue #18.1: bureau documents number their
// headings and items with Word's lists, not typed numbers)
// ---------------------------------------------------------------------------

/// A list level as Word writes it in word/numbering.xml.
fn list_level(ilvl: u32, format: &str, text: &str, extra: &str) -> String {
    format!(
        r#"<w:lvl w:ilvl="{ilvl}" w14:tentative="0"><w:start w:val="1"/><w:numFmt w:val="{format}"/>{extra}<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>"#
    )
}

/// A section heading of the seed (`一、…`): its text without the number.
fn seed_heading(line: &str) -> Option<&str> {
    let (numeral, rest) = line.split_once('、')?;
    (!numeral.is_empty() && numeral.chars().all(|c| "一二三四五六七八九十".contains(c)))
        .then_some(rest)
}

/// An item of the seed (`1.…`, `11. …`, `12、…`): its number and text.
fn seed_item(line: &str) -> Option<(u32, &str)> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let number = line[..digits].parse().ok()?;
    let rest = line[digits..]
        .strip_prefix('.')
        .or_else(|| line[digits..].strip_prefix('、'))?;
    Some((number, rest.trim_start()))
}

#[test]
fn docx_of_the_seed_numbered_by_word_lists_imports_as_the_shipped_2023_content() {
    // Headings in a 一、 list (chineseCounting, "%1、", nothing after the
    // number); items in one 1. list (decimal, "%1.", Word's default tab
    // after it) that goes on across the sections: the numbers are in no
    // paragraph's text.
    let numbering = format!(
        r#"<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>{}</w:abstractNum><w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
        list_level(0, "chineseCounting", "%1、", r#"<w:suff w:val="nothing"/>"#),
        list_level(0, "decimal", "%1.", ""),
        list_level(1, "lowerLetter", "%2)", ""),
    );
    let mut paragraphs = Vec::new();
    // What Word shows, and so what source.zh.txt must hold.
    let mut shown = String::new();
    let (mut headings, mut items) = (0, 0);
    for line in seed_text().lines() {
        if let Some(heading) = seed_heading(line) {
            headings += 1;
            paragraphs.push(WordParagraph::in_list(heading, 1));
            shown.push_str(line);
        } else if let Some((number, text)) = seed_item(line) {
            items += 1;
            assert_eq!(number, items, "the seed numbers its items 1 to 31");
            paragraphs.push(WordParagraph::in_list(text, 2));
            shown.push_str(&format!("{number}.\t{text}"));
        } else {
            paragraphs.push(WordParagraph::plain(line));
            shown.push_str(line);
        }
        shown.push('\n');
    }
    assert_eq!((headings, items), (7, 31));
    assert!(
        paragraphs.iter().all(|p| seed_item(&p.text).is_none()),
        "no item's number is left in the document's text"
    );
    let site = FreshSite::new();
    let document = site.document(
        "plan.docx",
        word_package(&paragraphs, Some(&numbering), None),
    );
    assert_round_trip(
        &site,
        &document,
        "Word document; its automatic numbering written out for 38 paragraphs",
        &shown,
    );
}

#[test]
fn docx_list_restarting_in_each_section_by_start_override_is_numbered_per_section() {
    // Word's "restart at 1": each section's items are a new w:num of the
    // same list definition, with a w:startOverride.
    let numbering = format!(
        r#"<w:abstractNum w:abstractNumId="0">{}</w:abstractNum><w:abstractNum w:abstractNumId="7">{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="7"/></w:num><w:num w:numId="3"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num><w:num w:numId="4"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#,
        list_level(0, "chineseCounting", "%1、", r#"<w:suff w:val="nothing"/>"#),
        list_level(0, "decimal", "%1.", r#"<w:suff w:val="nothing"/>"#),
    );
    let paragraphs = [
        WordParagraph::plain("南阳市教育局2024年工作要点"),
        WordParagraph::plain("总体要求。"),
        WordParagraph::in_list("加强党的建设", 1),
        WordParagraph::in_list("深入学习。学习正文。", 2),
        WordParagraph::in_list("加强组织。组织正文。", 2),
        WordParagraph::in_list("推进教育公平", 1),
        WordParagraph::in_list("发展学前教育。学前正文。", 3),
        WordParagraph::in_list("办好义务教育。义务正文。", 3),
        WordParagraph::in_list("办好特殊教育。特教正文。", 3),
        WordParagraph::in_list("深化改革", 1),
        WordParagraph::in_list("改革评价。评价正文。", 4),
    ];
    let site = FreshSite::new();
    let document = site.document(
        "plan.docx",
        word_package(&paragraphs, Some(&numbering), None),
    );
    let run = site.import_ok(&document, "2024");
    assert!(run.stdout.contains("3 sections, 6 items"), "{}", run.stdout);
    let source = std::fs::read_to_string(site.root().join("content/2024/source.zh.txt")).unwrap();
    let shown: Vec<&str> = source.lines().skip(2).collect();
    assert_eq!(
        shown,
        [
            "一、加强党的建设",
            "1.深入学习。学习正文。",
            "2.加强组织。组织正文。",
            "二、推进教育公平",
            "1.发展学前教育。学前正文。",
            "2.办好义务教育。义务正文。",
            "3.办好特殊教育。特教正文。",
            "三、深化改革",
            "1.改革评价。评价正文。",
        ]
    );
    // The plan's item numbers are unique: counted on, as for typed
    // numbers that restart, and the restarts are warned about.
    let imported = read_plan_folder(&site.root().join("content/2024"));
    let items: Vec<(i64, &str, &str)> = imported
        .items
        .iter()
        .map(|(n, (folder, page))| (*n, folder.as_str(), title(page)))
        .collect();
    assert_eq!(
        items.iter().map(|&(n, _, t)| (n, t)).collect::<Vec<_>>(),
        [
            (1, "深入学习"),
            (2, "加强组织"),
            (3, "发展学前教育"),
            (4, "办好义务教育"),
            (5, "办好特殊教育"),
            (6, "改革评价"),
        ]
    );
    assert_eq!(
        items[2].1, imported.sections[&2].0,
        "item 3 is in section 2"
    );
    assert!(
        run.stderr
            .contains("plan.docx:7:1: warning: section 2 numbers its items from 1 again"),
        "{}",
        run.stderr
    );
}

#[test]
fn docx_numbered_through_paragraph_styles_imports_its_sections_and_items() {
    // Templates number headings through their style (标题 1 → a list) and
    // items through a style based on a numbered one; a paragraph of the
    // item style can take itself out of the list (numId 0), as Word's
    // "None" numbering does, and then continues the item.
    let numbering = format!(
        r#"<w:abstractNum w:abstractNumId="0">{}</w:abstractNum><w:abstractNum w:abstractNumId="1">{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
        list_level(
            0,
            "chineseCountingThousand",
            "%1、",
            r#"<w:pStyle w:val="PlanHeading"/><w:suff w:val="nothing"/>"#
        ),
        list_level(
            0,
            "decimalFullWidth",
            "%1．",
            r#"<w:suff w:val="nothing"/>"#
        ),
    );
    let styles = r#"<w:docDefaults><w:pPrDefault><w:pPr><w:spacing w:line="560"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="PlanHeading"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="PlanItemBase"><w:name w:val="List Number"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="PlanItem"><w:name w:val="Plan Item"/><w:basedOn w:val="PlanItemBase"/></w:style>"#;
    let mut continuation = WordParagraph::styled("续段：并做好宣传。", "PlanItem");
    continuation.list = Some((0, None));
    let paragraphs = [
        WordParagraph::plain("南阳市教育局2024年工作要点"),
        WordParagraph::plain("总体要求。"),
        WordParagraph::styled("加强党的建设", "PlanHeading"),
        WordParagraph::styled("深入学习。学习正文。", "PlanItem"),
        continuation,
        WordParagraph::styled("加强组织。组织正文。", "PlanItem"),
        WordParagraph::styled("推进教育公平", "PlanHeading"),
        WordParagraph::styled("发展学前教育。学前正文。", "PlanItem"),
    ];
    let site = FreshSite::new();
    let document = site.document(
        "plan.docx",
        word_package(&paragraphs, Some(&numbering), Some(styles)),
    );
    let run = site.import_ok(&document, "2024");
    assert!(run.stdout.contains("2 sections, 3 items"), "{}", run.stdout);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let source = std::fs::read_to_string(site.root().join("content/2024/source.zh.txt")).unwrap();
    assert_eq!(
        source.lines().skip(2).collect::<Vec<_>>(),
        [
            "一、加强党的建设",
            "１．深入学习。学习正文。",
            "续段：并做好宣传。",
            "２．加强组织。组织正文。",
            "二、推进教育公平",
            "３．发展学前教育。学前正文。",
        ]
    );
    let imported = read_plan_folder(&site.root().join("content/2024"));
    let sections: Vec<&str> = imported.sections.values().map(|(_, p)| title(p)).collect();
    assert_eq!(sections, ["加强党的建设", "推进教育公平"]);
    let first = &imported.items[&1].1;
    assert_eq!(title(first), "深入学习");
    assert!(
        first.body.contains("学习正文。") && first.body.contains("续段：并做好宣传。"),
        "the unnumbered paragraph continues item 1: {:?}",
        first.body
    );
    assert_eq!(title(&imported.items[&3].1), "发展学前教育");
}

#[test]
fn docx_bullets_and_unknown_number_formats_are_warned_and_read_without_numbers() {
    let numbering = format!(
        r#"<w:abstractNum w:abstractNumId="0">{}</w:abstractNum><w:abstractNum w:abstractNumId="1">{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
        list_level(0, "bullet", "•", ""),
        list_level(0, "ganada", "%1.", ""),
    );
    let paragraphs = [
        WordParagraph::plain("南阳市教育局2024年工作要点"),
        WordParagraph::plain("总体要求。"),
        WordParagraph::plain("一、加强党的建设"),
        WordParagraph::plain("1.深入学习。学习正文。"),
        WordParagraph::in_list("要点甲：读原著。", 1),
        WordParagraph::in_list("要点乙：学原文。", 2),
        WordParagraph::plain("2.加强组织。组织正文。"),
    ];
    let site = FreshSite::new();
    let document = site.document(
        "plan.docx",
        word_package(&paragraphs, Some(&numbering), None),
    );
    let run = site.import_ok(&document, "2024");
    assert!(run.stdout.contains("1 section, 2 items"), "{}", run.stdout);
    for expected in [
        "plan.docx:5:1: warning: this paragraph is in a bulleted list; a bullet is not text, so it was read as a paragraph without a number",
        "plan.docx:6:1: warning: this paragraph is numbered in Word's \"ganada\" format, which planpub cannot write out; it was read as a paragraph without a number",
    ] {
        assert!(
            run.stderr.contains(expected),
            "expected\n  {expected}\nin\n{}",
            run.stderr
        );
    }
    let imported = read_plan_folder(&site.root().join("content/2024"));
    let first = &imported.items[&1].1;
    assert!(
        first.body.contains("要点甲：读原著。") && first.body.contains("要点乙：学原文。"),
        "the listed paragraphs continue item 1, without a bullet or number: {:?}",
        first.body
    );
    assert!(!first.body.contains('•'), "{:?}", first.body);
    assert_eq!(title(&imported.items[&2].1), "加强组织");
}
