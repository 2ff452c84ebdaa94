//! Documents planpub must read: twelve sections, mixed numbers, lead
//! units, gaps and stray paragraphs, a signature and a date.

use super::*;

// ---------------------------------------------------------------------------
// A tricky document
// ---------------------------------------------------------------------------

/// Twelve sections (十、 十一、 十二、), items numbered `1.`, `２．`, `3、`,
/// `4)`, `5）` and `12、`/`12.` mixed, lead-unit parentheses in the three
/// forms, CRLF line endings.
fn tricky_document() -> String {
    let mut lines = vec![
        "河南省教育厅2024年工作要点".to_string(),
        String::new(),
        "2024年全省教育工作的总体要求是：稳中求进。".to_string(),
    ];
    let numerals = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    let prefixes = ["{n}.", "{n}．", "{n}、", "{n})", "{n}）", "{n}. "];
    let full_width = |n: usize| -> String {
        n.to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
            .collect()
    };
    let mut n = 0;
    for (s, numeral) in numerals.iter().enumerate() {
        lines.push(String::new());
        lines.push(format!("{numeral}、第{}部分", s + 1));
        for _ in 0..2 {
            n += 1;
            let digits = if n % 4 == 2 {
                full_width(n)
            } else {
                n.to_string()
            };
            let prefix = prefixes[n % prefixes.len()].replace("{n}", &digits);
            let tail = match n {
                1 => "（责任单位：厅基础教育处、各市县教育局）",
                2 => "（牵头单位：厅办公室；责任单位：厅财务处，厅人事处）",
                3 => "(责任科室:政策法规处)",
                4 => "（配合单位：省财政厅）",
                _ => "",
            };
            lines.push(String::new());
            lines.push(format!(
                "{prefix}第{n}项任务。落实第{n}项工作，完成12.5%。{tail}"
            ));
        }
    }
    lines.push(String::new());
    lines.push("加强保障，确保第24项任务落实。".into());
    lines.join("\r\n") + "\r\n"
}

#[test]
fn tricky_document_with_twelve_sections_mixed_numbers_and_lead_units() {
    let site = FreshSite::new();
    let document = site.document("tricky.txt", tricky_document());
    let run = site.import_ok(&document, "2024");
    assert!(
        run.stdout.contains("12 sections, 24 items"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 with lead units"), "{}", run.stdout);
    let plan = read_plan_folder(&site.root().join("content/2024"));
    assert_eq!(
        plan.sections.keys().copied().collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    assert_eq!(title(&plan.sections[&12].1), "第12部分");
    assert_eq!(
        plan.items.keys().copied().collect::<Vec<_>>(),
        (1..=24).collect::<Vec<_>>()
    );
    for (number, (folder, page)) in &plan.items {
        assert_eq!(title(page), format!("第{number}项任务"), "item {number}");
        let section = (number - 1) / 2 + 1;
        assert!(
            folder.starts_with(&format!("{section}-")),
            "item {number} in {folder}"
        );
        assert!(!page.body.contains('\r'));
    }
    let lead = |n: i64| -> Vec<String> {
        plan.items[&n]
            .1
            .front
            .get("lead")
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    assert_eq!(lead(1), ["厅基础教育处", "各市县教育局"]);
    assert_eq!(lead(2), ["厅办公室", "厅财务处", "厅人事处"]);
    assert_eq!(lead(3), ["政策法规处"]);
    assert!(lead(4).is_empty(), "配合单位 are not lead units");
    assert_eq!(plan.items[&1].1.body.trim(), "落实第1项工作，完成12.5%。");
    assert_eq!(plan.items[&3].1.body.trim(), "落实第3项工作，完成12.5%。");
    assert!(plan.items[&4].1.body.contains("（配合单位：省财政厅）"));
    assert!(
        run.stderr
            .contains("tricky.txt:15:1: warning: item 4 ends with a parenthesis naming 配合单位"),
        "{}",
        run.stderr
    );
    // The last unnumbered paragraph belongs to the last item.
    assert!(
        plan.items[&24]
            .1
            .body
            .ends_with("加强保障，确保第24项任务落实。\n")
    );
    // The parentheses stay in the kept source text.
    let source = std::fs::read_to_string(site.root().join("content/2024/source.zh.txt")).unwrap();
    assert!(source.contains("（责任单位：厅基础教育处、各市县教育局）"));
    assert!(!source.contains('\r'));
    assert_eq!(
        plan.plan.front.get("issuer").and_then(toml::Value::as_str),
        Some("河南省教育厅")
    );

    // The imported plan builds, with all twelve section pages.
    let out = site.root().join("public");
    let build = planpub(&[
        "--root",
        site.root().to_str().unwrap(),
        "build",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for s in 1..=12 {
        assert!(out.join(format!("2024/sections/{s}/index.html")).is_file());
    }
    let item = std::fs::read_to_string(out.join("2024/2/index.html")).unwrap();
    assert!(
        item.contains("厅人事处"),
        "the lead units are shown on the item page"
    );
}

#[test]
fn numbering_gaps_repeats_empty_sections_and_stray_paragraphs_are_warned_by_line() {
    let site = FreshSite::new();
    let text = "南阳市教育局2025年工作要点\n\
                总体要求。\n\
                1.不在任何部分中的编号段落。\n\
                一、第一部分\n\
                本部分的引言。\n\
                1.甲。正文。\n\
                （一）小标题\n\
                3.丙。正文。\n\
                3.又丙。正文。\n\
                二、第二部分\n\
                四、第四部分\n\
                4.丁。正文。\n";
    let document = site.document("gaps.txt", text);
    let run = site.import_ok(&document, "2025");
    let expected = [
        "gaps.txt:3:1: warning: this paragraph starts like item 1 but comes before the first section heading",
        "gaps.txt:5:1: warning: the paragraph between section 1's heading and its first item was kept as the section's introduction",
        "gaps.txt:7:1: warning: could not place the sub-heading «（一）小标题»",
        "gaps.txt:8:1: warning: item 3 follows item 1: there is no item 2",
        "gaps.txt:9:1: warning: item 3 comes after item 3: the item numbers repeat or go back",
        "gaps.txt:10:1: warning: section 2 has no items",
        "gaps.txt:11:1: warning: section 4 (四、) follows section 2: a gap in the section numbering",
    ];
    for line in expected {
        assert!(
            run.stderr.contains(line),
            "expected\n  {line}\nin\n{}",
            run.stderr
        );
    }
    assert!(run.stdout.contains("3 sections, 4 items"), "{}", run.stdout);
    let plan_dir = site.root().join("content/2025");
    let section = read_page(&plan_dir.join("1-section/_index.md"));
    assert_eq!(section.body.trim(), "本部分的引言。");
    let plan = read_page(&plan_dir.join("_index.md"));
    assert!(plan.body.contains("1.不在任何部分中的编号段落。"));
    // Two items numbered 3 are two files, not one overwriting the other.
    let files: Vec<String> = std::fs::read_dir(site.root().join("content/2025/1-section"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
}

#[test]
fn signature_and_date_at_the_end_give_issuer_and_published_and_a_year_mismatch_is_warned() {
    let site = FreshSite::new();
    let text = "2025年全市教育工作要点\n\
                一、第一部分\n\
                1.甲。正文。\n\
                2.乙。正文。\n\
                南阳市教育局\n\
                二〇二五年三月二十日\n";
    let document = site.document("signed.txt", text);
    let run = site.import_ok(&document, "2026");
    assert!(
        run.stderr.contains(
            "signed.txt:1:1: warning: the title names the year 2025 but the plan id is 2026"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("issuer: 南阳市教育局 (signed on line 5)"),
        "{}",
        run.stdout
    );
    let plan = read_plan_folder(&site.root().join("content/2026"));
    assert_eq!(
        plan.plan.front.get("issuer").and_then(toml::Value::as_str),
        Some("南阳市教育局")
    );
    assert_eq!(
        plan.plan.front.get("published").map(ToString::to_string),
        Some("2025-03-20".to_string())
    );
    assert_eq!(
        plan.items[&2].1.body.trim(),
        "正文。",
        "the signature is not item 2's"
    );
    let check = planpub(&["--root", site.root().to_str().unwrap(), "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}
