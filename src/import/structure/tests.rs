//! Tests of recognising a plan in a text.

use super::*;

fn recognise(text: &str) -> (PlanDocument, Vec<Finding>) {
    let (plan, findings) = recognise_plan(text, TextLayout::LinePerParagraph);
    (
        plan.unwrap_or_else(|| panic!("not recognised: {findings:#?}")),
        findings,
    )
}

#[test]
fn item_prefixes_in_every_accepted_form() {
    assert_eq!(item_start("1.深入"), Some((1, "深入")));
    assert_eq!(item_start("11. 推进"), Some((11, "推进")));
    assert_eq!(item_start("12、加快"), Some((12, "加快")));
    assert_eq!(item_start("１３．深入"), Some((13, "深入")));
    assert_eq!(item_start("14）推进"), Some((14, "推进")));
    assert_eq!(item_start("15)强化"), Some((15, "强化")));
    assert_eq!(item_start("12.4 国家宪法日"), None);
    assert_eq!(item_start("2023年"), None);
    assert_eq!(item_start("一、加强"), None);
    assert_eq!(item_start("0. 零"), None);
}

#[test]
fn section_numerals_from_one_to_twenty_and_beyond() {
    assert_eq!(section_heading("一、加强"), Some((1, "加强")));
    assert_eq!(section_heading("十、甲"), Some((10, "甲")));
    assert_eq!(section_heading("十二、乙"), Some((12, "乙")));
    assert_eq!(section_heading("二十、丙"), Some((20, "丙")));
    assert_eq!(section_heading("二十三、丁"), Some((23, "丁")));
    assert_eq!(section_heading("一是加强"), None);
    assert_eq!(section_heading("二〇二三年"), None);
    for n in 1..=99 {
        assert_eq!(
            section_heading(&format!("{}、x", chinese_numeral(n))),
            Some((n, "x"))
        );
    }
}

#[test]
fn lead_unit_parentheses_in_the_three_forms() {
    assert_eq!(
        take_lead_units("做好工作。（责任单位：市教育局基础教育科、各县区教育局）"),
        LeadUnits::Found {
            rest: "做好工作。".into(),
            units: vec!["市教育局基础教育科".into(), "各县区教育局".into()]
        }
    );
    assert_eq!(
        take_lead_units("做好工作（牵头单位：市教育局；责任单位：各县区教育局，市直学校）。"),
        LeadUnits::Found {
            rest: "做好工作。".into(),
            units: vec!["市教育局".into(), "各县区教育局".into(), "市直学校".into()]
        }
    );
    assert_eq!(
        take_lead_units("做好工作。(责任科室:办公室（语委办）)"),
        LeadUnits::Found {
            rest: "做好工作。".into(),
            units: vec!["办公室（语委办）".into()]
        }
    );
    assert_eq!(
        take_lead_units("（牵头单位：市教育局）"),
        LeadUnits::Found {
            rest: "".into(),
            units: vec!["市教育局".into()]
        }
    );
    assert_eq!(take_lead_units("推进标准化建设（试点）。"), LeadUnits::None);
    assert_eq!(take_lead_units("发展县（区）"), LeadUnits::None);
    assert!(matches!(
        take_lead_units("工作。（配合单位：市财政局）"),
        LeadUnits::OtherLabels(_)
    ));
}

#[test]
fn issuer_is_read_from_a_title_only_when_it_names_an_organ() {
    assert_eq!(
        issuer_in_title("南阳市教育局2023年工作要点").as_deref(),
        Some("南阳市教育局")
    );
    assert_eq!(
        issuer_in_title("河南省教育厅二〇二四年工作要点").as_deref(),
        Some("河南省教育厅")
    );
    assert_eq!(issuer_in_title("2023年全市教育工作要点"), None);
    assert_eq!(issuer_in_title("全市教育系统2023年工作要点"), None);
    assert_eq!(issuer_in_title("全市教育大会2023年工作要点"), None);
    assert_eq!(
        issuer_in_title("南阳市教育委员会2023年工作要点").as_deref(),
        Some("南阳市教育委员会")
    );
    assert_eq!(
        issuer_in_title("关于印发南阳市教育局2023年工作要点的通知"),
        None
    );
    assert_eq!(
        year_in_title("南阳市教育局２０２４年工作要点").map(|y| y.1),
        Some(2024)
    );
}

#[test]
fn dates_in_digits_and_in_chinese() {
    assert_eq!(document_date("2023年4月2日").as_deref(), Some("2023-04-02"));
    assert_eq!(
        document_date("二〇二三年四月二日").as_deref(),
        Some("2023-04-02")
    );
    assert_eq!(
        document_date("二〇二三年十二月三十一日").as_deref(),
        Some("2023-12-31")
    );
    assert_eq!(document_date("2023年2月30日"), None);
    assert_eq!(document_date("2023年工作要点"), None);
}

#[test]
fn a_paragraph_without_a_number_continues_the_item() {
    let (plan, findings) = recognise(
        "标题\n\n总体要求。\n\n一、甲\n\n1.加强法治。学习。\n\n第二段。\n\n2.深化作风。制定方案。\n",
    );
    assert!(findings.is_empty(), "{findings:#?}");
    let items = &plan.sections[0].items;
    assert_eq!(items[0].title, "加强法治");
    assert_eq!(items[0].body, "学习。\n\n第二段。");
    assert_eq!(items[1].body, "制定方案。");
    assert_eq!(plan.preamble, "总体要求。");
}

#[test]
fn signature_and_date_at_the_end_are_not_part_of_the_last_item() {
    let (plan, _) = recognise("工作要点\n一、甲\n1.加强法治。学习。\n南阳市教育局\n2023年4月2日\n");
    assert_eq!(plan.sections[0].items[0].body, "学习。");
    assert_eq!(plan.published.as_deref(), Some("2023-04-02"));
    assert_eq!(
        plan.issuer,
        Some(Issuer {
            name: "南阳市教育局".into(),
            named_in: IssuerSource::Signature { line: 4 }
        })
    );
}

#[test]
fn numbering_gaps_repeats_and_empty_sections_are_reported_by_line() {
    let (plan, findings) =
        recognise("标题\n一、甲\n1.一。\n3.三。\n3.又三。\n二、乙\n三、丙\n4.四。\n");
    let lines: Vec<(usize, &str)> = findings
        .iter()
        .map(|f| (f.line, f.message.as_str()))
        .collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 4 && m.contains("there is no item 2")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|(l, m)| *l == 5 && m.contains("repeat")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 6 && m.contains("section 2 has no items")),
        "{lines:#?}"
    );
    assert_eq!(plan.item_count(), 4);
}

#[test]
fn sections_that_restart_at_one_are_counted_on() {
    let (plan, findings) = recognise("标题\n一、甲\n1.一。\n2.二。\n二、乙\n1.三。\n2.四。\n");
    let numbers: Vec<u32> = plan
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.number))
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].line, 6);
}

#[test]
fn markdown_headings_emphasis_and_wrapped_lines() {
    let (plan, findings) = recognise_plan(
        "# 南阳市教育局2024年工作要点\n\n总体要求是：\n坚持以人民为中心。\n\n## 一、加强党建\n\n**1.深入学习。**按照部署，\n开展教育。\n2. 加强组织。建设。\n",
        TextLayout::Markdown,
    );
    let plan = plan.unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(plan.title, "南阳市教育局2024年工作要点");
    assert_eq!(plan.preamble, "总体要求是：坚持以人民为中心。");
    assert_eq!(plan.sections[0].title, "加强党建");
    let items = &plan.sections[0].items;
    assert_eq!(
        (items[0].title.as_str(), items[0].body.as_str()),
        ("深入学习", "按照部署，开展教育。")
    );
    assert_eq!(items[1].number, 2);
}

#[test]
fn text_without_structure_is_an_error() {
    let (plan, findings) =
        recognise_plan("随便写的一段话。\n另一段。\n", TextLayout::LinePerParagraph);
    assert!(plan.is_none());
    assert!(findings[0].message.contains("no section headings"));
    let (plan, findings) = recognise_plan(" \n\u{3000}\n", TextLayout::LinePerParagraph);
    assert!(plan.is_none());
    assert_eq!(findings[0].message, "the document is empty");
}
