//! The sheet itself (issue #19.2): one row per item with its reference
//! cells locked and its fill cells open, the status a list of the labels,
//! a notes sheet in both languages; CSV with the same rows. calamine does
//! not read protection, so the workbook's XML is read from the zip (the
//! `zip` crate, already a dependency) with quick-xml.

use super::*;
use quick_xml::events::Event;
use std::io::Read as _;

/// A part of the .xlsx zip, as text.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("an .xlsx is a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Every element of `xml` (start or empty) with its attributes, in order.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "another crate's enum: only elements are read"
)]
fn elements(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_string(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((e.name().as_ref().to_string(), attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Whether each cell style (`s` of a cell) is locked: styles.xml's
/// `cellXfs`, an `<xf>` each, unlocked by `<protection locked="0"/>`.
fn locked_styles(styles: &str) -> Vec<bool> {
    let all = elements(styles);
    let start = all.iter().position(|(n, _)| n == "cellXfs").unwrap();
    let mut out = Vec::new();
    for (name, attrs) in &all[start + 1..] {
        match name.as_str() {
            "xf" => out.push(true),
            "protection" => {
                *out.last_mut().unwrap() = attrs.get("locked").is_none_or(|v| v != "0");
            }
            "alignment" => {}
            _ => break,
        }
    }
    out
}

// issue #19.2
#[test]
fn the_workbook_locks_reference_cells_opens_fill_cells_and_lists_the_status_labels() {
    let site = TestSite::plan2023();
    let path = make_sheet(&site, "round.xlsx", DATE);
    let rows = read_xlsx(&path);
    assert_eq!(rows[0][1], "2023", "the plan");
    assert_eq!(rows[0][3], DATE, "the round's date");
    assert_eq!(rows.len(), 2 + 31, "a row per item");
    let numbers: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (1..=31).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);
    let r11 = row_of(&rows, 11);
    assert_eq!(rows[r11][1], "推进学前教育普及普惠优质安全发展");
    let goal2 = col(&rows, "progress-col-goal", 2, "zh");
    assert_eq!(rows[r11][goal2], "4500");
    assert_eq!(
        rows[r11][col(&rows, "progress-col-last-actual", 2, "zh")],
        "2600"
    );

    let sheet_xml = part(&path, "xl/worksheets/sheet1.xml");
    let locked = locked_styles(&part(&path, "xl/styles.xml"));
    let xml = elements(&sheet_xml);
    assert!(
        xml.iter()
            .any(|(n, a)| n == "sheetProtection" && a.get("sheet").is_some_and(|v| v == "1")),
        "the item sheet is protected"
    );
    let cells: BTreeMap<String, bool> = xml
        .iter()
        .filter(|(n, _)| n == "c")
        .map(|(_, a)| {
            let s: usize = a.get("s").map_or(0, |s| s.parse().unwrap());
            (a["r"].clone(), locked[s])
        })
        .collect();
    let is_locked = |c: usize, r: usize| {
        let reference = format!("{}{}", char::from(b'A' + c as u8), r + 1);
        *cells
            .get(&reference)
            .unwrap_or_else(|| panic!("no cell {reference}"))
    };
    let fill_cols = [
        col(&rows, "progress-col-status", 0, "zh"),
        col(&rows, "progress-col-text", 0, "zh"),
        col(&rows, "progress-col-text", 0, "en"),
    ];
    // The actual column of each target slot, and the slot's name column.
    let actual_cols: Vec<(usize, usize)> = (1..=2)
        .map(|n| {
            (
                col(&rows, "progress-col-actual", n, "zh"),
                col(&rows, "progress-col-target", n, "zh"),
            )
        })
        .collect();
    let actual2 = actual_cols[1].0;
    let mut failures = Failures::new();
    for r in 2..rows.len() {
        for c in 0..rows[1].len() {
            let want_open = fill_cols.contains(&c)
                || actual_cols
                    .iter()
                    .any(|(a, name)| *a == c && !rows[r][*name].is_empty());
            failures.check(is_locked(c, r) != want_open, || {
                format!(
                    "item {}: column {}: locked = {}",
                    rows[r][0],
                    rows[1][c],
                    is_locked(c, r)
                )
            });
        }
    }
    failures.assert_none("cell protection");
    // Item 11 has two targets: both actual cells are open; item 1 has
    // none: its actual cells are locked.
    assert!(!is_locked(actual2, r11));
    assert!(is_locked(actual2, row_of(&rows, 1)));

    let status = col(&rows, "progress-col-status", 0, "zh");
    let letter = char::from(b'A' + status as u8);
    let validations = xml_elements(&sheet_xml, "dataValidation");
    let list = validations
        .iter()
        .find(|v| v.contains("type=\"list\""))
        .expect("a list validation");
    assert!(
        list.contains(&format!("sqref=\"{letter}3:{letter}33\"")),
        "the list covers the status cell of every item row: {list}"
    );
    let labels = [
        "not-started",
        "in-progress",
        "completed",
        "delayed",
        "ongoing",
    ]
    .map(|k| t("zh", &format!("status-{k}")))
    .join(",");
    assert!(
        list.contains(&format!("<formula1>\"{labels}\"</formula1>")),
        "{list}"
    );
}

// issue #19.2: "a second sheet explains the columns in Chinese and English".
#[test]
fn the_notes_sheet_explains_every_column_in_both_languages_with_the_date() {
    let site = TestSite::plan2023();
    let path = make_sheet(&site, "round.xlsx", DATE);
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let notes_name = format!(
        "{} {}",
        t("zh", "progress-notes-sheet"),
        t("en", "progress-notes-sheet")
    );
    assert_eq!(workbook.sheet_names(), [sheet_name(), notes_name.clone()]);
    let range = workbook.worksheet_range(&notes_name).unwrap();
    let text: String = range
        .rows()
        .flat_map(|r| r.iter().map(|c| format!("{c}\n")))
        .collect();
    let headers = read_xlsx(&path)[1].clone();
    for lang in ["zh", "en"] {
        for key in [
            "progress-col-number",
            "progress-col-title",
            "progress-col-lead",
            "progress-col-last-status",
            "progress-col-status",
        ] {
            assert!(text.contains(&t(lang, key)), "{lang} {key}:\n{text}");
        }
        for key in ["progress-col-actual", "progress-col-goal"] {
            for n in ["1", "2"] {
                assert!(
                    text.contains(&t(lang, key).replace("{n}", n)),
                    "{lang} {key}:\n{text}"
                );
            }
        }
        assert!(
            text.contains(&t(lang, "progress-notes-actual")),
            "{lang}:\n{text}"
        );
        assert!(
            text.contains(&t(lang, "progress-notes-return")),
            "{lang}:\n{text}"
        );
        let title = t(lang, "progress-notes-title")
            .replace("{plan}", "2023")
            .replace("{date}", DATE);
        assert!(
            text.contains(&title),
            "{lang}: the date in the title:\n{text}"
        );
    }
    // Every column of the item sheet is named in the notes by its letter.
    for (i, h) in headers.iter().enumerate() {
        let letter = char::from(b'A' + i as u8);
        assert!(
            text.contains(&format!("{letter}\n{h}\n")),
            "{letter} {h}:\n{text}"
        );
    }
}

// issue #19.2: "-o FILE.csv writes the same as CSV (UTF-8 with BOM)".
#[test]
fn the_csv_sheet_has_the_rows_of_the_workbook_with_the_date_in_its_first_line() {
    let site = TestSite::plan2023();
    let xlsx = read_xlsx(&make_sheet(&site, "round.xlsx", DATE));
    let csv_path = make_sheet(&site, "round.csv", DATE);
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let csv = read_csv(&csv_path);
    assert_eq!(
        csv[0],
        [
            t("zh", "progress-meta-plan"),
            "2023".into(),
            t("zh", "progress-meta-date"),
            DATE.into()
        ]
    );
    let trim = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                let mut r = r.clone();
                while r.last().is_some_and(String::is_empty) {
                    r.pop();
                }
                r
            })
            .collect()
    };
    assert_eq!(trim(&csv), trim(&xlsx));
}
