//! `planpub progress sheet|import` (issue #19.2): the sheet of a round for
//! the lead units, filled in by the test as a spreadsheet program would
//! save it (a new workbook written with rust_xlsxwriter from the cells
//! calamine reads; CSV edited with the csv crate and saved as UTF-8 or
//! GB18030), imported, and the site built: the item pages in both
//! languages and items.json show the round. `errors` holds every cell
//! error, `sheet` the workbook itself (protection, list, notes).

mod errors;
mod sheet;

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The round's date in the tests: inside the 2023 plan's period, and no
/// item of the plan has an update of its own on it.
pub const DATE: &str = "2023-12-31";
pub const ROUND: &str = "content/2023/progress/2023-12-31.toml";

/// A UI string of the theme in `lang`.
pub fn t(lang: &str, key: &str) -> String {
    ui_strings(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("no UI string `{key}` in {lang}"))
}

/// The item sheet's name (the default language's).
pub fn sheet_name() -> String {
    t("zh", "progress-sheet")
}

/// `planpub progress sheet --plan 2023 --date DATE -o <root>/<file>`.
pub fn make_sheet(site: &TestSite, file: &str, date: &str) -> PathBuf {
    let path = site.path(file);
    let run = site.run(&[
        "progress",
        "sheet",
        "--plan",
        "2023",
        "--date",
        date,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    path
}

/// `planpub progress import <file> <args…>`.
pub fn import(site: &TestSite, file: &Path, args: &[&str]) -> Run {
    let mut all = vec!["progress", "import", file.to_str().unwrap()];
    all.extend_from_slice(args);
    site.run(&all)
}

/// Every row of a workbook's item sheet as text, columns from A.
pub fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("an .xlsx calamine reads");
    let range = workbook.worksheet_range(&sheet_name()).expect("the sheet");
    assert_eq!(range.start(), Some((0, 0)), "the sheet starts at A1");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other @ (Data::Int(_)
                    | Data::Float(_)
                    | Data::String(_)
                    | Data::Bool(_)
                    | Data::DateTime(_)
                    | Data::DateTimeIso(_)
                    | Data::DurationIso(_)
                    | Data::Error(_)) => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Writes `rows` as the item sheet of a new workbook, as a spreadsheet
/// program saves it: numbers as numbers, empty strings as empty cells.
pub fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name()).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Ok(n) = text.parse::<f64>() {
                sheet.write_number(r, c, n).unwrap();
            } else if !text.is_empty() {
                sheet.write_string(r, c, text).unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

/// The records of a CSV file in UTF-8 (with or without BOM).
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    csv_records(text.trim_start_matches('\u{feff}'))
}

/// How a test saves CSV.
#[derive(Clone, Copy, Debug)]
pub enum Encoding {
    Utf8,
    /// As older Excel saves "CSV" on a Chinese Windows.
    Gb18030,
}

pub fn write_csv(path: &Path, rows: &[Vec<String>], encoding: Encoding) {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(vec![]);
    for row in rows {
        writer.write_record(row).unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let bytes = match encoding {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Gb18030 => {
            let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
            assert!(!lossy, "the text is all in GB18030");
            bytes.into_owned()
        }
    };
    std::fs::write(path, bytes).unwrap();
}

/// The column whose header (row 2) is the UI string `key` with `{n}` or
/// `{language}` filled in.
pub fn col(rows: &[Vec<String>], key: &str, n: usize, lang: &str) -> usize {
    let want = t("zh", key)
        .replace("{n}", &n.to_string())
        .replace("{language}", &t(lang, "language-name"));
    rows[1]
        .iter()
        .position(|h| *h == want)
        .unwrap_or_else(|| panic!("no column `{want}` in {:?}", rows[1]))
}

/// The index of item `n`'s row.
pub fn row_of(rows: &[Vec<String>], n: u32) -> usize {
    rows.iter()
        .position(|r| r[0] == n.to_string())
        .unwrap_or_else(|| panic!("no row for item {n}"))
}

/// Sets a cell of item `n`'s row.
pub fn set(rows: &mut [Vec<String>], n: u32, col: usize, value: &str) {
    let r = row_of(rows, n);
    rows[r][col] = value.to_string();
}

pub const TEXT_11_ZH: &str = "【示例】16所公办幼儿园全部完工，新增公办学位4500个。";
pub const TEXT_11_EN: &str =
    "[Sample] All 16 public kindergartens finished; 4,500 public places added.";

/// Fills in the round as a lead unit would: item 11 completed with both
/// actuals and both texts, item 14 in progress with texts only.
pub fn fill(rows: &mut [Vec<String>]) {
    let status = col(rows, "progress-col-status", 0, "zh");
    let (a1, a2) = (
        col(rows, "progress-col-actual", 1, "zh"),
        col(rows, "progress-col-actual", 2, "zh"),
    );
    let (zh, en) = (
        col(rows, "progress-col-text", 0, "zh"),
        col(rows, "progress-col-text", 0, "en"),
    );
    set(rows, 11, status, &t("zh", "status-completed"));
    set(rows, 11, a1, "16");
    set(rows, 11, a2, "4500");
    set(rows, 11, zh, TEXT_11_ZH);
    set(rows, 11, en, TEXT_11_EN);
    set(rows, 14, status, &t("zh", "status-in-progress"));
    set(rows, 14, zh, "【示例】特殊教育资源中心建设已启动。");
    set(
        rows,
        14,
        en,
        "[Sample] Work on the special education resource centre began.",
    );
}

/// Every file under content/ (what an import may change).
pub fn content(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    read_tree(&site.path("content"))
}

/// The text of the element with `id` on a page.
pub fn text_of(html: &str, id: &str) -> String {
    inner_text(&element_by_id(html, id).unwrap_or_else(|| panic!("no #{id}")))
}

/// What a reader gets from the imported round: item 11's pages in both
/// languages show the new status, actual and text; items.json has the
/// new point of the target's history.
pub fn assert_round_published(site: &TestSite) {
    let round: toml::Table = toml::from_str(&site.read(ROUND)).expect("the round is TOML");
    let numbers: Vec<i64> = round["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_integer().unwrap())
        .collect();
    assert_eq!(numbers, [11, 14], "only the filled rows, in number order");
    let built = site.build_ok();
    for (page, lang, text) in [
        ("2023/11/index.html", "zh", TEXT_11_ZH),
        ("en/2023/11/index.html", "en", TEXT_11_EN),
    ] {
        let html = built.text(page);
        let update = text_of(html, &format!("update-{DATE}"));
        assert!(update.contains(text), "{page}: {update}");
        assert!(
            update.contains(&t(lang, "status-completed")),
            "{page}: the update shows the new status: {update}"
        );
        let places = text_of(html, "target-public-places");
        assert!(
            places.contains("4,500") || places.contains("4500"),
            "{page}: {places}"
        );
        assert!(places.contains("100%"), "{page}: {places}");
    }
    let json = built.json("2023/items.json");
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 11)
        .unwrap()
        .clone();
    assert_eq!(item["status"], "completed");
    assert_eq!(item["as_of"], DATE);
    let places = &item["targets"][1];
    assert_eq!(places["key"], "public-places");
    assert_eq!(places["actual"], 4500);
    assert_eq!(
        places["history"],
        serde_json::json!([
            {"date": "2023-06-30", "value": 2600},
            {"date": DATE, "value": 4500}
        ])
    );
}

// issue #19.2
#[test]
fn an_xlsx_sheet_filled_in_and_imported_is_a_round_on_the_item_pages_and_in_items_json() {
    let site = TestSite::plan2023();
    let sheet = make_sheet(&site, "round.xlsx", DATE);
    let mut rows = read_xlsx(&sheet);
    fill(&mut rows);
    let filled = site.path("filled.xlsx");
    write_xlsx(&filled, &rows);
    let run = import(&site, &filled, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(&format!("wrote {ROUND}: 2 items")),
        "{run:?}"
    );
    assert_round_published(&site);
}

// issue #19.2
#[test]
fn a_utf8_csv_sheet_filled_in_and_imported_is_a_round_on_the_item_pages() {
    let site = TestSite::plan2023();
    let sheet = make_sheet(&site, "round.csv", DATE);
    assert!(
        std::fs::read(&sheet).unwrap().starts_with(b"\xEF\xBB\xBF"),
        "the CSV starts with a byte-order mark, for Excel"
    );
    let mut rows = read_csv(&sheet);
    fill(&mut rows);
    // Excel, saving CSV, rewrites the date cell as it shows dates.
    rows[0][3] = "2023/12/31".into();
    write_csv(&sheet, &rows, Encoding::Utf8);
    let run = import(&site, &sheet, &["--plan", "2023"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_round_published(&site);
}

// issue #19.2: "CSV in GB18030 (as older Excel saves it) is accepted".
#[test]
fn a_gb18030_csv_sheet_filled_in_and_imported_is_a_round_on_the_item_pages() {
    let site = TestSite::plan2023();
    let sheet = make_sheet(&site, "round.csv", DATE);
    let mut rows = read_csv(&sheet);
    fill(&mut rows);
    write_csv(&sheet, &rows, Encoding::Gb18030);
    assert!(
        std::str::from_utf8(&std::fs::read(&sheet).unwrap()).is_err(),
        "the file is not UTF-8"
    );
    let run = import(&site, &sheet, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_round_published(&site);
}

// issue #19.2: "It refuses to replace an existing round unless --replace".
#[test]
fn an_existing_round_is_replaced_only_with_replace() {
    let site = TestSite::plan2023();
    let before = "[[item]]\nnumber = 7\nstatus = \"ongoing\"\ntext = { zh = \"【示例】旧的一轮。\", en = \"[Sample] The old round.\" }\n";
    site.write(ROUND, before);
    let sheet = make_sheet(&site, "round.xlsx", DATE);
    let mut rows = read_xlsx(&sheet);
    fill(&mut rows);
    let filled = site.path("filled.xlsx");
    write_xlsx(&filled, &rows);
    let run = import(&site, &filled, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{ROUND}: error: plan 2023 already has a round dated {DATE}"
        )) && run.stderr.contains("--replace"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read(ROUND), before, "the round is as it was");
    let run = import(&site, &filled, &["--replace"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(&format!("replaced {ROUND}")), "{run:?}");
    assert_round_published(&site);
    assert!(!site.read(ROUND).contains("旧的一轮"));
}

// issue #19.2: what the new round makes the site warn about is said at
// import, though the warning is at another file (item 20's own
// `status = "not-started"` against the round's newer status).
#[test]
fn import_reports_the_warnings_the_new_round_causes_in_item_files() {
    let site = TestSite::plan2023();
    let sheet = make_sheet(&site, "round.xlsx", DATE);
    let mut rows = read_xlsx(&sheet);
    let status = col(&rows, "progress-col-status", 0, "zh");
    let zh = col(&rows, "progress-col-text", 0, "zh");
    set(&mut rows, 20, status, &t("zh", "status-in-progress"));
    set(&mut rows, 20, zh, "【示例】民办教育规范工作已启动。");
    let filled = site.path("filled.xlsx");
    write_xlsx(&filled, &rows);
    let run = import(&site, &filled, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("20-private-education.md:4:10: warning: `status` is \"not-started\"")
            && run.stderr.contains(ROUND),
        "{}",
        run.stderr
    );
    // The missing English text is a warning at the round, as in a file.
    assert!(run.stderr.contains("has no `en` text"), "{}", run.stderr);
}
