//! `planpub translate export|import|hash` (issue #18.3): a plan's texts out
//! to a translation office as a spreadsheet or XLIFF 2.0, and back into
//! the `X.en.md` files.
//!
//! Each test works on a copy of the frozen 2023 plan
//! (tests/fixtures/plan2023/), runs the binary, reads
//! what it wrote with real parsers (calamine for .xlsx, quick-xml for
//! XLIFF, the `toml` crate for front matter), fills translations in as a
//! translator would (cells written with rust_xlsxwriter, targets edited in
//! the XLIFF), imports them and looks at the English pages a build makes.
//! Bad documents must be refused with a message per cell or unit and
//! leave every file of the site as it was.

use crate::common;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{TestSite, element_by_id, inner_text, read_tree, tags_named};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// The units of the shipped plan, read independently of planpub
// ---------------------------------------------------------------------------

/// A content file's front matter and body, split by hand.
fn read_content(path: &Path) -> (toml::Table, String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rest = text.strip_prefix("+++\n").expect("front matter");
    let (front, body) = rest.split_once("\n+++\n").expect("closing +++");
    (
        toml::from_str(front).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        body.trim().to_string(),
    )
}

fn s<'a>(t: &'a toml::Table, key: &str) -> &'a str {
    t.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// (id, source text) of every unit of `plan`, in the export's order,
/// worked out from the content files and site.toml with the toml crate.
fn expected_units(root: &Path, plan: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |id: String, text: &str| {
        if !text.trim().is_empty() {
            out.push((id, text.trim().to_string()));
        }
    };
    let dir = root.join("content").join(plan);
    let (front, body) = read_content(&dir.join("_index.md"));
    push(format!("{plan}/title"), s(&front, "title"));
    push(format!("{plan}/issuer"), s(&front, "issuer"));
    push(format!("{plan}/preamble"), &body);
    let mut sections: Vec<(i64, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| {
            let (f, _) = read_content(&p.join("_index.md"));
            (f["number"].as_integer().unwrap(), p)
        })
        .collect();
    sections.sort();
    let mut tags_used: Vec<String> = Vec::new();
    for (number, section_dir) in sections {
        let (front, body) = read_content(&section_dir.join("_index.md"));
        push(format!("{plan}/section/{number}/title"), s(&front, "title"));
        push(format!("{plan}/section/{number}/body"), &body);
        let mut items: Vec<(i64, toml::Table, String)> = std::fs::read_dir(&section_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.ends_with(".md") && !name.starts_with('_') && name.matches('.').count() == 1
            })
            .map(|p| {
                let (f, b) = read_content(&p);
                (f["number"].as_integer().unwrap(), f, b)
            })
            .collect();
        items.sort_by_key(|(n, _, _)| *n);
        for (n, front, body) in items {
            push(format!("{plan}/{n}/title"), s(&front, "title"));
            push(format!("{plan}/{n}/body"), &body);
            for t in front
                .get("targets")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let t = t.as_table().unwrap();
                let key = s(t, "key");
                push(format!("{plan}/{n}/target/{key}/label"), s(t, "label"));
                push(format!("{plan}/{n}/target/{key}/unit"), s(t, "unit"));
            }
            let mut updates: Vec<(String, String)> = front
                .get("updates")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .map(|u| {
                    let u = u.as_table().unwrap();
                    (u["date"].to_string(), s(u, "text").to_string())
                })
                .collect();
            updates.sort();
            for (date, text) in updates {
                push(format!("{plan}/{n}/update/{date}/text"), &text);
            }
            for tag in front
                .get("tags")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let tag = tag.as_str().unwrap().to_string();
                if !tags_used.contains(&tag) {
                    tags_used.push(tag);
                }
            }
        }
    }
    let site: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("site.toml")).unwrap()).unwrap();
    let defined = site["tags"].as_table().unwrap();
    for tag in tags_used {
        if defined.contains_key(&tag) {
            push(format!("tag/{tag}/name"), &tag);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Spreadsheets as a translator's program reads and writes them
// ---------------------------------------------------------------------------

/// Every row of `sheet` as text, columns A.. up to the widest row.
fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("an .xlsx calamine reads");
    let range = workbook.worksheet_range(sheet).expect("the sheet");
    let (row0, col0) = range.start().unwrap_or((0, 0));
    assert_eq!((row0, col0), (0, 0), "the sheet starts at A1");
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

/// Writes `rows` as the sheet `Sheet1` of a new workbook, as a translator's
/// spreadsheet program saves it (empty strings are empty cells).
fn write_sheet(path: &Path, rows: &[Vec<String>]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sheet1").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, text).unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

/// The row of unit `id`.
fn row_of<'a>(rows: &'a mut [Vec<String>], id: &str) -> &'a mut Vec<String> {
    rows.iter_mut()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

/// Every file a translate command could touch: content/ and site.toml.
fn site_files(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    let mut files = read_tree(&site.path("content"));
    files.insert(
        "site.toml".into(),
        std::fs::read(site.path("site.toml")).unwrap(),
    );
    files
}

fn export(site: &TestSite, file: &Path) -> common::Run {
    let run = site.run(&[
        "translate",
        "export",
        "--plan",
        "2023",
        "--lang",
        "en",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "export failed: {}", run.stderr);
    run
}

fn import(site: &TestSite, file: &Path) -> common::Run {
    site.run(&["translate", "import", file.to_str().unwrap()])
}

/// The English page of item `n` reached as a reader does: from the English
/// plan page, following the item's link (which must lead to a page).
fn english_item_page(built: &common::Built, n: u32) -> String {
    let plan_page = built.text("en/2023/index.html");
    let href = tags_named(plan_page, "a")
        .into_iter()
        .filter_map(|a| a.attr("href").map(str::to_string))
        .find(|h| h.ends_with(&format!("/en/2023/{n}/")))
        .unwrap_or_else(|| panic!("the English plan page links no item {n}"));
    let path = href
        .strip_prefix("/plan/")
        .expect("a link under the base path");
    built.text(&format!("{path}index.html")).to_string()
}

fn notice(page: &str) -> Option<String> {
    tags_named(page, "p")
        .into_iter()
        .find(|p| {
            p.attr("class")
                .is_some_and(|c| c.contains("notice-translation"))
        })
        .and_then(|p| common::element_at(page, &p).map(|e| inner_text(&e)))
}

fn item_title(page: &str) -> String {
    inner_text(&element_by_id(page, "item-title").expect("an item title"))
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

#[test]
fn xlsx_export_of_the_shipped_plan_has_a_row_per_text_unit() {
    let site = TestSite::plan2023();
    let file = site.path("2023-en.xlsx");
    let run = export(&site, &file);
    let expected = expected_units(site.root(), "2023");
    assert!(
        expected.len() > 150,
        "the shipped plan has {} units",
        expected.len()
    );
    assert!(
        run.stdout
            .contains(&format!("wrote {} text units", expected.len())),
        "{}",
        run.stdout
    );

    let rows = read_sheet(&file, "Sheet1");
    assert_eq!(rows[0], ["id", "source (zh)", "translation (en)", "state"]);
    let got: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(got, expected, "ids and source texts, in order");
    // Every unit is translated in the shipped content, and the sheet says
    // so with the English text from the .en.md files.
    let (en16, _) =
        read_content(&site.path("content/2023/3-quality-system/16-school-projects.en.md"));
    let mut rows = rows;
    assert_eq!(row_of(&mut rows, "2023/16/title")[2], s(&en16, "title"));
    let label = en16["targets"]["boarding-schools"]["label"]
        .as_str()
        .unwrap();
    assert_eq!(
        row_of(&mut rows, "2023/16/target/boarding-schools/label")[2],
        label
    );
    assert_eq!(
        row_of(&mut rows, "tag/学校建设/name")[2],
        "School construction"
    );
    assert!(
        rows[1..].iter().all(|r| r[3] == "done"),
        "every state is done"
    );
    for id in [
        "2023/section/3/title",
        "2023/16/update/2023-06-30/text",
        "2023/preamble",
    ] {
        row_of(&mut rows, id);
    }

    // The second sheet explains the work in both languages.
    let notes = read_sheet(&file, "说明 Instructions").concat().join("\n");
    assert!(
        notes.contains("翻译说明") && notes.contains("Instructions"),
        "{notes}"
    );
    assert!(notes.contains("stale") && notes.contains("done"));

    // The id and source columns are locked and the sheet protected: the
    // sheet's XML turns protection on, and only the translation and
    // state cells use a style that is not locked.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut sheet_xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet_xml,
    )
    .unwrap();
    assert!(
        sheet_xml.contains("<sheetProtection"),
        "sheet protection is on"
    );
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    let xfs = common::xml_elements(&styles, "cellXfs")[0];
    let unlocked: Vec<usize> = common::xml_elements(xfs, "xf")
        .iter()
        .enumerate()
        .filter(|(_, xf)| xf.contains("locked=\"0\""))
        .map(|(i, _)| i)
        .collect();
    let style_of = |cell: &str| -> usize {
        let at = sheet_xml
            .find(&format!("r=\"{cell}\""))
            .unwrap_or_else(|| panic!("cell {cell}"));
        let tag_end = at + sheet_xml[at..].find('>').unwrap();
        sheet_xml[at..tag_end]
            .split("s=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .map_or(0, |v| v.parse().unwrap())
    };
    for cell in ["A2", "B2", "A40", "B40"] {
        assert!(!unlocked.contains(&style_of(cell)), "{cell} is locked");
    }
    for cell in ["C2", "D2", "C40", "D40"] {
        assert!(unlocked.contains(&style_of(cell)), "{cell} is editable");
    }
}

#[test]
fn xliff_export_of_the_shipped_plan_is_xliff_2_with_a_unit_per_text() {
    use quick_xml::events::Event;
    let site = TestSite::plan2023();
    let file = site.path("2023-en.xlf");
    export(&site, &file);
    let xml = std::fs::read_to_string(&file).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut root = BTreeMap::new();
    let mut units: Vec<(String, String, String, Option<String>, String)> = Vec::new();
    let mut current: Option<String> = None;
    let mut text = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let attrs: BTreeMap<String, String> = e
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
                match e.name().as_ref() {
                    "xliff" => root = attrs,
                    "unit" => units.push((
                        attrs["id"].clone(),
                        attrs["name"].clone(),
                        String::new(),
                        None,
                        String::new(),
                    )),
                    "segment" => units.last_mut().unwrap().4 = attrs["state"].clone(),
                    "source" | "target" => {
                        current = Some(e.name().as_ref().to_string());
                        text.clear();
                    }
                    _ => {}
                }
            }
            Event::Text(t) if current.is_some() => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if current.is_some() => text.push(match r.as_ref() {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                other => panic!("unexpected entity {other}"),
            }),
            Event::End(e)
                if current.is_some() && matches!(e.name().as_ref(), "source" | "target") =>
            {
                let unit = units.last_mut().unwrap();
                if e.name().as_ref() == "source" {
                    unit.2 = text.clone();
                } else {
                    unit.3 = Some(text.clone());
                }
                current = None;
            }
            Event::Eof => break,
            Event::End(_)
            | Event::Empty(_)
            | Event::Text(_)
            | Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_)
            | Event::GeneralRef(_) => {}
        }
    }
    assert_eq!(root["xmlns"], "urn:oasis:names:tc:xliff:document:2.0");
    assert_eq!(
        (
            root["version"].as_str(),
            root["srcLang"].as_str(),
            root["trgLang"].as_str()
        ),
        ("2.0", "zh", "en")
    );
    let expected = expected_units(site.root(), "2023");
    let got: Vec<(String, String)> = units.iter().map(|u| (u.1.clone(), u.2.clone())).collect();
    assert_eq!(got, expected, "unit names (the ids) and sources, in order");
    for (id, name, _, target, state) in &units {
        // XLIFF ids are NMTOKENs: no `/`.
        assert_eq!(id, &name.replace('/', ":"), "XLIFF id of {name}");
        assert!(target.is_some(), "{name} has its translation as the target");
        assert_eq!(state, "translated", "{name}");
    }
    let unit16 = units.iter().find(|u| u.1 == "2023/16/title").unwrap();
    let (en16, _) =
        read_content(&site.path("content/2023/3-quality-system/16-school-projects.en.md"));
    assert_eq!(unit16.3.as_deref(), Some(s(&en16, "title")));
}

#[test]
fn export_refuses_an_unknown_plan_language_or_format() {
    let site = TestSite::plan2023();
    for (args, message) in [
        (
            vec!["--plan", "2099", "--lang", "en", "-o", "x.xlsx"],
            "the site has no plan `2099`",
        ),
        (
            vec!["--plan", "2023", "--lang", "fr", "-o", "x.xlsx"],
            "`fr` is not a language of the site",
        ),
        (
            vec!["--plan", "2023", "--lang", "zh", "-o", "x.xlsx"],
            "`zh` is the site's default language",
        ),
        (
            vec!["--plan", "2023", "--lang", "en", "-o", "x.csv"],
            "neither a spreadsheet (.xlsx) nor XLIFF (.xlf)",
        ),
    ] {
        let mut all = vec!["translate", "export"];
        all.extend(args);
        let run = site.run(&all);
        assert_eq!(run.code, 2, "{all:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{all:?}: {}", run.stderr);
    }
}

// ---------------------------------------------------------------------------
// Export → fill → import → the English pages
// ---------------------------------------------------------------------------

/// The shipped site with item 16's translation and the English name of the
/// tag 学校建设 removed: what a new plan looks like before translation.
fn site_missing_item_16() -> TestSite {
    let site = TestSite::plan2023();
    std::fs::remove_file(site.path("content/2023/3-quality-system/16-school-projects.en.md"))
        .unwrap();
    let toml = site
        .read("site.toml")
        .replace("en = \"School construction\"\n", "");
    site.write("site.toml", toml);
    site
}

/// What the translator fills into the missing rows of item 16 (the unit
/// 所 needs no word: left empty and marked done).
const ITEM_16_EN: [(&str, &str); 8] = [
    (
        "2023/16/title",
        "Plan school construction projects and set up new colleges",
    ),
    (
        "2023/16/body",
        "Start building **32** township boarding primary schools.\n\nPrepare new vocational colleges.",
    ),
    (
        "2023/16/target/boarding-schools/label",
        "Township boarding primary schools started",
    ),
    ("2023/16/target/boarding-schools/unit", ""),
    (
        "2023/16/update/2023-03-31/text",
        "Sites chosen for all 32 schools.",
    ),
    (
        "2023/16/update/2023-06-30/text",
        "Work has started on 15 schools.",
    ),
    (
        "2023/16/update/2023-09-30/text",
        "Work has started on 28 schools.",
    ),
    ("tag/学校建设/name", "Building schools"),
];

#[test]
fn xlsx_round_trip_writes_the_translations_and_the_english_pages_show_them() {
    let site = site_missing_item_16();
    let before = english_item_page(&site.build_ok(), 16);
    assert!(
        notice(&before).is_some_and(|n| n.contains("not been translated")),
        "item 16 starts untranslated"
    );
    let zh_before = site.read("content/2023/3-quality-system/16-school-projects.md");

    let file = site.path("2023-en.xlsx");
    export(&site, &file);
    let mut rows = read_sheet(&file, "Sheet1");
    let missing: Vec<String> = rows[1..]
        .iter()
        .filter(|r| r[3] == "missing")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        missing,
        [
            "2023/16/title",
            "2023/16/body",
            "2023/16/target/boarding-schools/label",
            "2023/16/target/boarding-schools/unit",
            "2023/16/update/2023-03-31/text",
            "2023/16/update/2023-06-30/text",
            "2023/16/update/2023-09-30/text",
            "tag/学校建设/name",
        ]
    );
    let fill = ITEM_16_EN;
    for (id, text) in fill {
        let row = row_of(&mut rows, id);
        row[2] = text.to_string();
        row[3] = "done".into();
    }
    write_sheet(&file, &rows);

    let run = import(&site, &file);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("8 new or changed"), "{}", run.stdout);
    assert_eq!(
        site.read("content/2023/3-quality-system/16-school-projects.md"),
        zh_before,
        "the Chinese file is never written"
    );

    let (front, body) =
        read_content(&site.path("content/2023/3-quality-system/16-school-projects.en.md"));
    assert_eq!(s(&front, "title"), fill[0].1);
    assert_eq!(body, fill[1].1);
    assert_eq!(
        front["targets"]["boarding-schools"]["unit"].as_str(),
        Some("")
    );
    assert_eq!(
        front["updates"]["2023-06-30"]["text"].as_str(),
        Some(fill[5].1)
    );
    assert_eq!(s(&front, "source_hash").len(), 16);
    let site_toml: toml::Table = toml::from_str(&site.read("site.toml")).unwrap();
    assert_eq!(
        site_toml["tags"]["学校建设"]["en"].as_str(),
        Some("Building schools")
    );

    let built = site.build_ok();
    let page = english_item_page(&built, 16);
    assert_eq!(item_title(&page), fill[0].1);
    assert!(
        page.contains("<strong>32</strong> township boarding primary schools"),
        "the body, as Markdown"
    );
    assert!(page.contains("Work has started on 28 schools."));
    assert!(
        page.contains(">Building schools</a>"),
        "the tag's English name"
    );
    assert_eq!(notice(&page), None, "no translation notice");
    // The Chinese page is as it was.
    assert!(
        inner_text(&element_by_id(built.text("2023/16/index.html"), "item-title").unwrap())
            .contains("抓好项目谋划建设")
    );

    // check: nothing missing or stale any more.
    let check = site.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains("en: 160 translated, 0 missing, 0 stale"),
        "{}",
        check.stderr
    );
}

// issue #18.3: found importing a freshly imported plan with the last
// rows left empty, which wrote an empty `+++ +++` translation file.
#[test]
fn a_file_whose_units_all_come_back_untranslated_gets_no_translation_file() {
    let site = site_missing_item_16();
    let file = site.path("2023-en.xlsx");
    export(&site, &file);
    let run = import(&site, &file);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !site
            .path("content/2023/3-quality-system/16-school-projects.en.md")
            .exists(),
        "{}",
        run.stdout
    );
    assert!(
        site.run(&["check"])
            .stderr
            .contains("16-school-projects.md:1:1: warning: no `en` translation"),
        "item 16 is still reported missing"
    );
}

#[test]
fn xliff_round_trip_writes_the_translations_and_the_english_pages_show_them() {
    let site = TestSite::plan2023();
    std::fs::remove_file(site.path("content/2023/3-quality-system/11-preschool.en.md")).unwrap();
    let file = site.path("2023-en.xlf");
    export(&site, &file);
    // A translation tool fills every segment without a target and marks it
    // translated.
    let xml = std::fs::read_to_string(&file).unwrap();
    let mut out = String::new();
    let mut filled = 0;
    for block in xml.split_inclusive("</segment>") {
        if block.contains("<segment state=\"initial\">") && !block.contains("<target>") {
            let source =
                &block[block.find("<source>").unwrap() + 8..block.find("</source>").unwrap()];
            let target = format!(
                "<target>EN {filled}: {}</target>\n      </segment>",
                source.chars().count()
            );
            out.push_str(
                &block
                    .replace(
                        "<segment state=\"initial\">",
                        "<segment state=\"translated\">",
                    )
                    .replace("</segment>", &target),
            );
            filled += 1;
        } else {
            out.push_str(block);
        }
    }
    assert!(
        filled >= 4,
        "item 11 has title, body, targets and updates to translate ({filled})"
    );
    std::fs::write(&file, out).unwrap();

    let run = import(&site, &file);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (front, _) = read_content(&site.path("content/2023/3-quality-system/11-preschool.en.md"));
    assert!(s(&front, "title").starts_with("EN 0: "), "{front:?}");
    let page = english_item_page(&site.build_ok(), 11);
    assert_eq!(item_title(&page), s(&front, "title"));
    assert_eq!(notice(&page), None);
    // Importing the same document again changes nothing.
    let files = site_files(&site);
    let again = import(&site, &file);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("wrote 0 files"), "{}", again.stdout);
    assert_eq!(site_files(&site), files);
}

#[test]
fn import_keeps_comments_and_layout_of_a_translation_file() {
    let site = TestSite::plan2023();
    let path = "content/2023/3-quality-system/16-school-projects.en.md";
    let original = site.read(path).replacen(
        "+++\n",
        "+++\n# reviewed by the translation office, May 2023\n",
        1,
    );
    site.write(path, &original);
    let file = site.path("2023-en.xlsx");
    export(&site, &file);
    let mut rows = read_sheet(&file, "Sheet1");
    row_of(&mut rows, "2023/16/update/2023-06-30/text")[2] =
        "Work has started on 15 schools.".into();
    write_sheet(&file, &rows);
    let run = import(&site, &file);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let now = site.read(path);
    // Only the changed text and the recorded hash differ, line for line.
    let removed: Vec<&str> = original
        .lines()
        .filter(|l| !now.lines().any(|n| n == *l))
        .collect();
    let added: Vec<&str> = now
        .lines()
        .filter(|l| !original.lines().any(|o| o == *l))
        .collect();
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(
        removed[0].starts_with("text = \"[Sample] Construction has started on 15"),
        "{removed:?}"
    );
    let hash = site.run(&["translate", "hash", &site.path(path).to_string_lossy()]);
    assert_eq!(
        added,
        [
            format!("source_hash = \"{}\"", hash.stdout.trim()),
            "text = \"Work has started on 15 schools.\"".to_string()
        ]
    );
    assert!(
        now.starts_with("+++\n# reviewed by the translation office, May 2023\ntitle = "),
        "{now}"
    );
}

mod bad_input;
mod stale;
