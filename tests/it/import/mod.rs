//! `planpub import FILE --plan ID` (issue #18.1): a plan document becomes
//! `content/<ID>/`.
//!
//! Each test runs the binary on a fresh site (`TestSite::site_toml_only`:
//! a temporary folder with the 2023 fixture's site.toml), reads what it
//! wrote with the `toml` crate, and
//! compares it with what a webmaster needs: for the seed document in every
//! encoding and format a bureau sends, the shipped 2023 content; for
//! tricky and broken documents, the files, warnings and errors they read.
//! The .docx, GB18030 and UTF-16 copies of the seed are made here from
//! the seed, tests/fixtures/plan2023/content/2023/source.zh.txt, so that
//! nothing but the frozen 2023 plan is a fixture.

use crate::common::{TestSite, copy_tree, fixture, planpub, repo};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

mod bad_input;
mod documents;
mod word_lists;

// ---------------------------------------------------------------------------
// A fresh site and what an import wrote
// ---------------------------------------------------------------------------

/// A site folder with only site.toml: what `planpub import` starts from.
pub(super) struct FreshSite {
    site: TestSite,
}

impl FreshSite {
    fn new() -> Self {
        FreshSite {
            site: TestSite::site_toml_only("plan2023"),
        }
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    /// Writes a document beside the site (not inside content/).
    fn document(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join("incoming").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn import(&self, document: &Path, plan: &str) -> crate::common::Run {
        planpub(&[
            "--root",
            self.root().to_str().unwrap(),
            "import",
            document.to_str().unwrap(),
            "--plan",
            plan,
        ])
    }

    fn import_ok(&self, document: &Path, plan: &str) -> crate::common::Run {
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
pub(super) struct Page {
    front: toml::Table,
    body: String,
}

pub(super) fn read_page(path: &Path) -> Page {
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
pub(super) struct PlanFolder {
    plan: Page,
    /// Section number → (folder name, page).
    sections: BTreeMap<i64, (String, Page)>,
    /// Item number → (section folder, page).
    items: BTreeMap<i64, (String, Page)>,
}

pub(super) fn read_plan_folder(dir: &Path) -> PlanFolder {
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

pub(super) fn title(page: &Page) -> &str {
    page.front
        .get("title")
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("no title in {:?}", page.front))
}

pub(super) fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every difference between the imported plan and the shipped 2023
/// content in Chinese titles and bodies (whitespace aside), the 7 section
/// titles and the preamble; and the figures compared.
pub(super) fn compare_with_shipped_2023(imported: &PlanFolder) -> (Vec<String>, String) {
    let shipped = read_plan_folder(&fixture("plan2023").join("content/2023"));
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

pub(super) fn seed_text() -> String {
    std::fs::read_to_string(fixture("plan2023").join("content/2023/source.zh.txt")).unwrap()
}

/// Imports `document` as plan 2023 into a fresh site and checks it against
/// the shipped 2023 content, then runs `planpub check` on the site.
/// `source_text` is the document's text, which must be kept as
/// source.zh.txt.
pub(super) fn assert_round_trip(
    site: &FreshSite,
    document: &Path,
    read_as: &str,
    source_text: &str,
) {
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
    // serve keeps base_url's path (https://jyj.example.gov.cn/plan/):
    // the address the report gives must be the one serve serves.
    assert!(
        run.stdout.contains("http://127.0.0.1:1111/plan/2023/"),
        "the serve step names another address:\n{}",
        run.stdout
    );
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
pub(super) fn seed_text_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan.txt", seed_text());
    assert_round_trip(&site, &document, "UTF-8", &seed_text());
}

#[test]
pub(super) fn gb18030_copy_of_the_seed_imports_as_the_shipped_2023_content() {
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
pub(super) fn utf16_copy_of_the_seed_with_crlf_imports_as_the_shipped_2023_content() {
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
pub(super) fn utf8_with_bom_copy_of_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan-bom.txt", format!("\u{feff}{}", seed_text()));
    assert_round_trip(&site, &document, "UTF-8 with BOM", &seed_text());
}

#[test]
pub(super) fn docx_made_from_the_seed_imports_as_the_shipped_2023_content() {
    let site = FreshSite::new();
    let document = site.document("plan.docx", docx_of(&seed_text()));
    assert_round_trip(&site, &document, "Word document", &seed_text());
}

#[test]
pub(super) fn markdown_copy_of_the_seed_imports_as_the_shipped_2023_content() {
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
pub(super) fn docx_of(text: &str) -> Vec<u8> {
    let paragraphs: Vec<WordParagraph> = text.lines().map(WordParagraph::plain).collect();
    word_package(&paragraphs, None, None)
}

/// A paragraph of a Word document made here: its text, and the automatic
/// numbering that puts a number in front of it when Word shows it.
#[derive(Clone, Debug)]
pub(super) struct WordParagraph {
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

pub(super) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) const WORD_NAMESPACE: &str =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A .docx package: the paragraphs as word/document.xml, and
/// word/numbering.xml and word/styles.xml when given (their content, inside
/// the root element), related to the document as Word relates them.
pub(super) fn word_package(
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
