//! `planpub import FILE --plan ID` (issue #18.1): a plan document becomes
//! `content/<ID>/`.
//!
//! Each test runs the binary on a fresh site (a temporary folder with a
//! copy of site.toml), reads what it wrote with the `toml` crate, and
//! compares it with what a webmaster needs: for the seed document in every
//! encoding and format a bureau sends, the shipped 2023 content; for
//! tricky and broken documents, the files, warnings and errors they read.
//! The .docx, GB18030 and UTF-16 copies of the seed are made here from
//! content/2023/source.zh.txt, so that nothing but the seed is a fixture.

mod common;

use common::{copy_tree, planpub, repo};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// A fresh site and what an import wrote
// ---------------------------------------------------------------------------

/// A site folder with only site.toml: what `planpub import` starts from.
struct FreshSite {
    dir: tempfile::TempDir,
}

impl FreshSite {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("planpub-import-")
            .tempdir()
            .expect("temp dir");
        std::fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
        FreshSite { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a document beside the site (not inside content/).
    fn document(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join("incoming").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn import(&self, document: &Path, plan: &str) -> common::Run {
        planpub(&[
            "--root",
            self.root().to_str().unwrap(),
            "import",
            document.to_str().unwrap(),
            "--plan",
            plan,
        ])
    }

    fn import_ok(&self, document: &Path, plan: &str) -> common::Run {
        let run = self.import(document, plan);
        assert_eq!(
            run.code, 0,
            "import failed:\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// The names at the top of the site folder and under content/, to
    /// show that a failed import left nothing behind.
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if let Ok(content) = std::fs::read_dir(self.root().join("content")) {
            names.extend(
                content.map(|e| format!("content/{}", e.unwrap().file_name().to_string_lossy())),
            );
        }
        names.sort();
        names
    }
}

/// One content file: front matter (parsed with `toml`) and body.
#[derive(Debug)]
struct Page {
    front: toml::Table,
    body: String,
}

fn read_page(path: &Path) -> Page {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rest = text
        .strip_prefix("+++\n")
        .unwrap_or_else(|| panic!("{}: no opening +++ line", path.display()));
    let (front, body) = rest
        .split_once("\n+++\n")
        .or_else(|| rest.strip_prefix("+++\n").map(|body| ("", body)))
        .unwrap_or_else(|| panic!("{}: no closing +++ line", path.display()));
    let front = toml::from_str(front)
        .unwrap_or_else(|e| panic!("{}: front matter is not TOML: {e}", path.display()));
    Page {
        front,
        body: body.to_string(),
    }
}

/// A plan folder read back: the plan page, sections and items by number.
struct PlanFolder {
    plan: Page,
    /// Section number → (folder name, page).
    sections: BTreeMap<i64, (String, Page)>,
    /// Item number → (section folder, page).
    items: BTreeMap<i64, (String, Page)>,
}

fn read_plan_folder(dir: &Path) -> PlanFolder {
    let plan = read_page(&dir.join("_index.md"));
    let mut sections = BTreeMap::new();
    let mut items = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(entry.path()).unwrap() {
            let file = file.unwrap();
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".md") || name.ends_with(".en.md") {
                continue;
            }
            let page = read_page(&file.path());
            let number = page.front["number"]
                .as_integer()
                .unwrap_or_else(|| panic!("{folder}/{name}: no integer number"));
            let previous = if name == "_index.md" {
                sections.insert(number, (folder.clone(), page)).map(|_| ())
            } else {
                items.insert(number, (folder.clone(), page)).map(|_| ())
            };
            assert!(previous.is_none(), "{folder}/{name}: number {number} twice");
        }
    }
    PlanFolder {
        plan,
        sections,
        items,
    }
}

fn title(page: &Page) -> &str {
    page.front
        .get("title")
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("no title in {:?}", page.front))
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every difference between the imported plan and the shipped 2023
/// content in Chinese titles and bodies (whitespace aside), the 7 section
/// titles and the preamble; and the figures compared.
fn compare_with_shipped_2023(imported: &PlanFolder) -> (Vec<String>, String) {
    let shipped = read_plan_folder(&repo().join("content/2023"));
    let mut problems = Vec::new();
    fn same(problems: &mut Vec<String>, what: String, ours: &str, theirs: &str) {
        if without_whitespace(ours) != without_whitespace(theirs) {
            problems.push(format!("{what}:\n  imported: {ours}\n  shipped:  {theirs}"));
        }
    }
    same(
        &mut problems,
        "plan title".into(),
        title(&imported.plan),
        title(&shipped.plan),
    );
    same(
        &mut problems,
        "preamble".into(),
        &imported.plan.body,
        &shipped.plan.body,
    );
    let numbers = |m: &BTreeMap<i64, (String, Page)>| m.keys().copied().collect::<Vec<_>>();
    if numbers(&imported.sections) != numbers(&shipped.sections) {
        problems.push(format!(
            "section numbers {:?}, shipped {:?}",
            numbers(&imported.sections),
            numbers(&shipped.sections)
        ));
    }
    if numbers(&imported.items) != numbers(&shipped.items) {
        problems.push(format!(
            "item numbers {:?}, shipped {:?}",
            numbers(&imported.items),
            numbers(&shipped.items)
        ));
    }
    let mut equal_sections = 0;
    for (number, (_, page)) in &shipped.sections {
        if let Some((_, ours)) = imported.sections.get(number) {
            let before = problems.len();
            same(
                &mut problems,
                format!("section {number} title"),
                title(ours),
                title(page),
            );
            equal_sections += usize::from(problems.len() == before);
        }
    }
    let mut equal_items = 0;
    for (number, (folder, page)) in &shipped.items {
        let Some((our_folder, ours)) = imported.items.get(number) else {
            continue;
        };
        let before = problems.len();
        same(
            &mut problems,
            format!("item {number} title"),
            title(ours),
            title(page),
        );
        same(
            &mut problems,
            format!("item {number} body"),
            &ours.body,
            &page.body,
        );
        // In the same section as shipped (section folders start with the
        // section's number in both).
        let section = |f: &str| f.split('-').next().unwrap().to_string();
        if section(our_folder) != section(folder) {
            problems.push(format!(
                "item {number} is in {our_folder}, shipped in {folder}"
            ));
        }
        equal_items += usize::from(problems.len() == before);
    }
    let figures = format!(
        "{equal_items}/{} items, {equal_sections}/{} sections equal",
        shipped.items.len(),
        shipped.sections.len()
    );
    (problems, figures)
}

fn seed_text() -> String {
    std::fs::read_to_string(repo().join("content/2023/source.zh.txt")).unwrap()
}

/// Imports `document` as plan 2023 into a fresh site and checks it against
/// the shipped 2023 content, then runs `planpub check` on the site.
/// `source_text` is the document's text, which must be kept as
/// source.zh.txt.
fn assert_round_trip(site: &FreshSite, document: &Path, read_as: &str, source_text: &str) {
    let run = site.import_ok(document, "2023");
    assert!(
        run.stdout.contains("7 sections, 31 items"),
        "the report does not say what it recognised:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("read as {read_as}")),
        "expected `read as {read_as}` in:\n{}",
        run.stdout
    );
    for step in ["translate export", "check", "serve"] {
        assert!(
            run.stdout.contains(step),
            "no `{step}` step in:\n{}",
            run.stdout
        );
    }
    let imported = read_plan_folder(&site.root().join("content/2023"));
    let (problems, figures) = compare_with_shipped_2023(&imported);
    assert!(
        problems.is_empty(),
        "{} differs from the shipped 2023 content ({figures}):\n\n{}",
        document.display(),
        problems.join("\n")
    );
    assert_eq!(figures, "31/31 items, 7/7 sections equal");
    assert_eq!(
        imported
            .plan
            .front
            .get("issuer")
            .and_then(toml::Value::as_str),
        Some("南阳市教育局"),
        "the issuer named in the title"
    );
    // The text of the document is kept beside the plan, as UTF-8 with LF.
    let source = std::fs::read_to_string(site.root().join("content/2023/source.zh.txt"))
        .expect("source.zh.txt is UTF-8");
    assert!(!source.contains('\r'));
    assert!(
        source.trim_end() == source_text.replace("\r\n", "\n").trim_end(),
        "source.zh.txt is not the document's text"
    );

    let check = planpub(&["--root", site.root().to_str().unwrap(), "check"]);
    assert_eq!(
        check.code, 0,
        "planpub check failed on the imported site:\n{}",
        check.stderr
    );
    assert!(!check.stderr.contains(": error: "), "{}", check.stderr);
}

// ---------------------------------------------------------------------------
// The seed in every encoding and format
// ---------------------------------------------------------------------------

#[test]
fn seed_text_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan.txt", seed_text());
    assert_round_trip(&site, &document, "UTF-8", &seed_text());
}

#[test]
fn gb18030_copy_of_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let seed = seed_text();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&seed);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the copy must not be UTF-8"
    );
    let document = site.document("plan-gbk.txt", bytes);
    assert_round_trip(&site, &document, "GB18030", &seed);
}

#[test]
fn utf16_copy_of_the_seed_with_crlf_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let text = seed_text().replace('\n', "\r\n");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let document = site.document("plan-utf16.txt", bytes);
    assert_round_trip(&site, &document, "UTF-16LE", &text);
}

#[test]
fn utf8_with_bom_copy_of_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan-bom.txt", format!("\u{feff}{}", seed_text()));
    assert_round_trip(&site, &document, "UTF-8 with BOM", &seed_text());
}

#[test]
fn docx_made_from_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan.docx", docx_of(&seed_text()));
    assert_round_trip(&site, &document, "Word document", &seed_text());
}

#[test]
fn markdown_copy_of_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    // Headings marked as a webmaster would: # title, ## sections.
    let markdown: Vec<String> = seed_text()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let numeral = line
                .chars()
                .next()
                .is_some_and(|c| "一二三四五六七".contains(c));
            if i == 0 {
                format!("# {line}")
            } else if numeral && line.contains('、') && line.chars().count() < 30 {
                format!("## {line}")
            } else {
                line.to_string()
            }
        })
        .collect();
    let markdown = markdown.join("\n");
    let document = site.document("plan.md", &markdown);
    assert_round_trip(&site, &document, "UTF-8", &markdown);
}

/// A minimal Word 2007+ document: one `w:p` per line, each split into two
/// runs, the first in bold (formatting the import must ignore), with
/// `&`, `<` and `"` escaped as Word escapes them.
fn docx_of(text: &str) -> Vec<u8> {
    let paragraphs: Vec<WordParagraph> = text.lines().map(WordParagraph::plain).collect();
    word_package(&paragraphs, None, None)
}

/// A paragraph of a Word document made here: its text, and the automatic
/// numbering that puts a number in front of it when Word shows it.
#[derive(Clone, Debug)]
struct WordParagraph {
    text: String,
    /// `w:pStyle`.
    style: Option<&'static str>,
    /// `w:numPr`: numId and, if given, ilvl.
    list: Option<(u32, Option<u32>)>,
}

impl WordParagraph {
    fn plain(text: &str) -> Self {
        WordParagraph {
            text: text.to_string(),
            style: None,
            list: None,
        }
    }

    fn in_list(text: &str, num_id: u32) -> Self {
        WordParagraph {
            list: Some((num_id, Some(0))),
            ..WordParagraph::plain(text)
        }
    }

    fn styled(text: &str, style: &'static str) -> Self {
        WordParagraph {
            style: Some(style),
            ..WordParagraph::plain(text)
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WORD_NAMESPACE: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A .docx package: the paragraphs as word/document.xml, and
/// word/numbering.xml and word/styles.xml when given (their content, inside
/// the root element), related to the document as Word relates them.
fn word_package(
    paragraphs: &[WordParagraph],
    numbering: Option<&str>,
    styles: Option<&str>,
) -> Vec<u8> {
    let mut body = String::new();
    for paragraph in paragraphs {
        let mut properties = String::new();
        if let Some(style) = paragraph.style {
            properties.push_str(&format!(r#"<w:pStyle w:val="{style}"/>"#));
        }
        if let Some((num_id, level)) = paragraph.list {
            properties.push_str("<w:numPr>");
            if let Some(level) = level {
                properties.push_str(&format!(r#"<w:ilvl w:val="{level}"/>"#));
            }
            properties.push_str(&format!(r#"<w:numId w:val="{num_id}"/></w:numPr>"#));
        }
        let line = paragraph.text.as_str();
        if line.is_empty() && properties.is_empty() {
            body.push_str("<w:p/>");
            continue;
        }
        // Tab stops, as Chinese templates set them: not text.
        properties.push_str(
            r#"<w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:spacing w:line="560"/>"#,
        );
        let split = line.char_indices().nth(3).map_or(line.len(), |(i, _)| i);
        let (bold, plain) = line.split_at(split);
        body.push_str(&format!(
            r#"<w:p><w:pPr>{properties}</w:pPr><w:r><w:rPr><w:b/><w:rFonts w:eastAsia="方正小标宋简体"/></w:rPr><w:t>{}</w:t></w:r><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            xml_escape(bold),
            xml_escape(plain)
        ));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{WORD_NAMESPACE}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    );
    let mut parts = vec![("word/document.xml".to_string(), document)];
    let mut overrides = String::new();
    let mut relationships = String::new();
    for (name, root, content) in [
        ("numbering", "numbering", numbering),
        ("styles", "styles", styles),
    ] {
        let Some(content) = content else { continue };
        parts.push((
            format!("word/{name}.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:{root} xmlns:w="{WORD_NAMESPACE}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14">{content}</w:{root}>"#
            ),
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/word/{name}.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.{name}+xml"/>"#
        ));
        relationships.push_str(&format!(
            r#"<Relationship Id="r{name}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{name}" Target="{name}.xml"/>"#
        ));
    }
    parts.push((
        "[Content_Types].xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>{overrides}</Types>"#
        ),
    ));
    parts.push((
        "_rels/.rels".into(),
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
            .into(),
    ));
    if !relationships.is_empty() {
        parts.push((
            "word/_rels/document.xml.rels".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relationships}</Relationships>"#
            ),
        ));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in &parts {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

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

// ---------------------------------------------------------------------------
// Bad input: a clear error, nothing written
// ---------------------------------------------------------------------------

/// Imports `bytes` as `name` and expects exit `code`, every `expected`
/// piece in what is printed, and the site exactly as it was.
fn assert_refused(name: &str, bytes: &[u8], plan: &str, code: i32, expected: &[&str]) {
    let site = FreshSite::new();
    let document = site.document(name, bytes);
    let before = site.listing();
    let run = site.import(&document, plan);
    assert_eq!(run.code, code, "exit code; stderr:\n{}", run.stderr);
    for piece in expected {
        assert!(
            run.stderr.contains(piece),
            "expected\n  {piece}\nin\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert_eq!(site.listing(), before, "a refused import changed the site");
}

#[test]
fn document_without_plan_structure_is_refused() {
    assert_refused(
        "notes.txt",
        "会议纪要\n今天开会讨论了很多事情。\n大家都发了言。\n".as_bytes(),
        "2024",
        1,
        &[
            "notes.txt:1:1: error: no section headings found: the document has no recognisable plan structure",
            "= help: a plan's sections start with a Chinese numeral and 、",
        ],
    );
}

#[test]
fn sections_without_any_numbered_item_are_refused() {
    assert_refused(
        "headings.txt",
        "工作要点\n一、甲\n正文。\n二、乙\n正文。\n".as_bytes(),
        "2024",
        1,
        &["headings.txt:2:1: error: no numbered items found under the section headings"],
    );
}

#[test]
fn empty_document_is_refused() {
    assert_refused(
        "empty.txt",
        b"",
        "2024",
        1,
        &["empty.txt:1:1: error: the document is empty"],
    );
    assert_refused(
        "blank.txt",
        "\r\n  \u{3000}\r\n".as_bytes(),
        "2024",
        1,
        &["blank.txt:1:1: error: the document is empty"],
    );
}

#[test]
fn binary_file_renamed_txt_is_refused_naming_the_offset() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend([0u8; 64]);
    assert_refused(
        "scan.txt",
        &png,
        "2024",
        1,
        &["scan.txt:2:1: error: not a text file: byte 0x1a at offset 6 is a control character"],
    );
}

#[test]
fn text_in_no_accepted_encoding_is_refused_naming_the_first_bad_byte() {
    let mut bytes = "标题\n一、甲\n".as_bytes().to_vec();
    bytes.extend([0xFF, 0xFE, 0xFD]);
    assert_refused(
        "latin.txt",
        &bytes,
        "2024",
        1,
        &[
            "latin.txt:3:1: error: not a text file in UTF-8, UTF-16 or GB18030: byte 0xff at offset 17 is invalid in each of them",
        ],
    );
}

#[test]
fn docx_that_is_not_a_zip_is_refused() {
    assert_refused(
        "plan.docx",
        "南阳市教育局2024年工作要点\n一、甲\n1.乙。\n".as_bytes(),
        "2024",
        1,
        &["plan.docx:1:1: error: not a Word document: the file is not a zip archive"],
    );
}

#[test]
fn password_protected_docx_is_refused() {
    // Word saves a password-protected .docx as an OLE compound file
    // (EncryptionInfo + EncryptedPackage streams): magic D0 CF 11 E0 A1 B1 1A E1.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0x00; 16]);
    ole.extend([0x3E, 0x00, 0x03, 0x00, 0xFE, 0xFF, 0x09, 0x00]);
    ole.resize(4096, 0);
    assert_refused(
        "protected.docx",
        &ole,
        "2024",
        1,
        &[
            "protected.docx:1:1: error: this is an encrypted (password-protected) Word document",
            "= help: open it in Word, remove the password",
        ],
    );
}

#[test]
fn zip_without_word_document_is_refused() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_refused(
        "archive.docx",
        &bytes,
        "2024",
        1,
        &["archive.docx:1:1: error: not a Word document: the zip archive has no word/document.xml"],
    );
}

#[test]
fn word_document_renamed_txt_is_refused() {
    assert_refused(
        "plan.txt",
        &docx_of("工作要点\n一、甲\n1.乙。\n"),
        "2024",
        1,
        &["plan.txt:1:1: error: this is a Word document or an archive, not a text file"],
    );
}

#[test]
fn plan_ids_that_are_not_safe_url_segments_are_usage_errors() {
    let seed = seed_text();
    for (id, message) in [
        (
            "..",
            "--plan:1:1: error: the plan id \"..\" may only hold lowercase letters",
        ),
        (
            "en",
            "--plan:1:1: error: the plan id \"en\" is a language of the site",
        ),
        (
            "search",
            "--plan:1:1: error: the plan id \"search\" is taken by the site itself",
        ),
        (
            "static",
            "--plan:1:1: error: the plan id \"static\" is taken by the site itself",
        ),
        ("2024/x", "may only hold lowercase letters"),
        ("Plan", "may only hold lowercase letters"),
    ] {
        assert_refused("plan.txt", seed.as_bytes(), id, 2, &[message]);
    }
}

#[test]
fn existing_plan_folder_is_never_overwritten() {
    let site = FreshSite::new();
    let document = site.document("plan.txt", seed_text());
    site.import_ok(&document, "2023");
    let item = site.root().join("content/2023/1-section/01-item.md");
    std::fs::write(&item, "+++\nnumber = 1\ntitle = \"edited\"\n+++\n").unwrap();
    let run = site.import(&document, "2023");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: content/2023/ already exists; planpub import never overwrites a plan"
        ),
        "{}",
        run.stderr
    );
    assert!(std::fs::read_to_string(&item).unwrap().contains("edited"));
    // An empty folder counts as existing too.
    std::fs::create_dir_all(site.root().join("content/2024")).unwrap();
    assert_eq!(site.import(&document, "2024").code, 2);
    assert_eq!(
        std::fs::read_dir(site.root().join("content/2024"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn unknown_format_missing_file_and_missing_site_are_usage_errors() {
    assert_refused(
        "plan.pdf",
        b"%PDF-1.7",
        "2024",
        2,
        &["plan.pdf:1:1: error: unknown document format: expected a .docx, .txt or .md file"],
    );
    assert_refused(
        "plan.doc",
        b"x",
        "2024",
        2,
        &["error: Word 97-2003 (.doc) and WPS (.wps) documents are not read"],
    );
    let site = FreshSite::new();
    let run = site.import(&site.root().join("nowhere.txt"), "2024");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nowhere.txt:1:1: error: no such file"),
        "{}",
        run.stderr
    );
    let empty = tempfile::tempdir().unwrap();
    let document = site.document("plan.txt", seed_text());
    let run = planpub(&[
        "--root",
        empty.path().to_str().unwrap(),
        "import",
        document.to_str().unwrap(),
        "--plan",
        "2024",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is not a planpub site: it has no site.toml"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// The themes are not needed to import, but the imported site must build
/// with the repository's own theme too (the fresh sites above use the
/// embedded one).
#[test]
fn imported_plan_builds_beside_the_shipped_2023_plan() {
    let site = FreshSite::new();
    copy_tree(&repo().join("content"), &site.root().join("content"));
    copy_tree(&repo().join("themes"), &site.root().join("themes"));
    let document = site.document(
        "plan.docx",
        docx_of(&seed_text().replace("2023年", "2024年")),
    );
    let run = site.import_ok(&document, "2024");
    assert!(
        run.stdout.contains("7 sections, 31 items"),
        "{}",
        run.stdout
    );
    let check = planpub(&["--root", site.root().to_str().unwrap(), "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}
