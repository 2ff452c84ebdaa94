//! Shared helpers of the integration tests: the one fixture builder
//! (`TestSite`: a fixture copied into a temporary folder with the
//! repository's theme, built through the library or by running the
//! `planpub` binary), and readers for what comes out, each a maintained
//! parser: HTML with scraper, XML with quick-xml, CSV with csv, TOML with
//! toml.
//!
//! Layout of the fixtures (tests/fixtures/):
//!
//! ```text
//! basic/                 a small valid site: 2 sections, 4 items, item 2 untranslated
//! plan2023/              the shipped 2023 plan (site.toml, content/), frozen
//! untrusted/             overlay on basic/: an item whose title and body attack the page
//! errors/<case>/         overlay on basic/: only the broken file(s), plus expected.txt
//! ```
//!
//! Nothing here reads ../shared: a fresh clone has none.

#![allow(dead_code)]

use planpub::diagnostics::Diagnostics;
use planpub::output::SiteOutput;
use planpub::{BuildOptions, build_site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository (where Cargo.toml, content/, themes/ and tests/ are).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tests/fixtures/<name>.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

/// Copies a folder tree; files already at the destination are replaced
/// (which is how an overlay applies on top of a base site).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst)
                .unwrap_or_else(|e| panic!("copy {} → {}: {e}", src.display(), dst.display()));
        }
    }
}

/// Every file under `dir`, by its `/`-separated path relative to `dir`,
/// with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A site in a temporary folder: a fixture (or the real content) plus the
/// repository's themes/.
pub struct TestSite {
    dir: tempfile::TempDir,
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestSite {
    fn empty() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("planpub-test-")
            .tempdir()
            .expect("temp dir");
        let site = TestSite { dir };
        copy_tree(&repo().join("themes"), &site.root().join("themes"));
        site
    }

    /// tests/fixtures/<name>, with the repository's theme.
    pub fn fixture(name: &str) -> Self {
        let site = Self::empty();
        copy_tree(&fixture(name), site.root());
        site
    }

    /// The 2023 plan as shipped, frozen (tests/fixtures/plan2023/): the
    /// engine tests' real-sized site, apart from content/, which editors
    /// change.
    pub fn plan2023() -> Self {
        Self::fixture("plan2023")
    }

    /// Only a fixture's site.toml, and no theme (the default theme built
    /// into the binary is used): what `planpub import` starts from.
    pub fn site_toml_only(name: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("planpub-test-")
            .tempdir()
            .expect("temp dir");
        let site = TestSite { dir };
        std::fs::copy(
            fixture(name).join("site.toml"),
            site.root().join("site.toml"),
        )
        .unwrap();
        site
    }

    /// Copies a fixture folder on top of this site (files replace files).
    /// Files named in `skip` (at the top of the overlay) are left out.
    pub fn overlay(&self, name: &str, skip: &[&str]) -> &Self {
        let from = fixture(name);
        for entry in std::fs::read_dir(&from).unwrap() {
            let entry = entry.unwrap();
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if skip.contains(&file_name.as_str()) {
                continue;
            }
            let dst = self.root().join(&file_name);
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &dst);
            } else {
                std::fs::copy(entry.path(), dst).unwrap();
            }
        }
        self
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Builds in memory through the library.
    pub fn build(&self) -> Result<Built, Diagnostics> {
        self.build_with_base(None)
    }

    pub fn build_with_base(&self, base_url: Option<&str>) -> Result<Built, Diagnostics> {
        let options = BuildOptions {
            root: self.root().to_path_buf(),
            base_url: base_url.map(str::to_string),
        };
        let mut diags = Diagnostics::new();
        match build_site(&options, &mut diags) {
            Some(output) => Ok(Built { output, diags }),
            None => Err(diags),
        }
    }

    /// Builds in memory and panics with the diagnostics if that fails.
    pub fn build_ok(&self) -> Built {
        self.build()
            .unwrap_or_else(|d| panic!("the build failed:\n{}", d.render()))
    }

    /// Runs `planpub --root <site> <args…>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--root", self.root().to_str().unwrap()];
        all.extend_from_slice(args);
        planpub(&all)
    }
}

/// Runs the binary with exactly these arguments.
pub fn planpub(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .args(args)
        .output()
        .expect("run planpub");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A successful in-memory build.
pub struct Built {
    pub output: SiteOutput,
    pub diags: Diagnostics,
}

impl Built {
    pub fn has(&self, path: &str) -> bool {
        self.output.files.contains_key(path)
    }

    pub fn bytes(&self, path: &str) -> &[u8] {
        self.output
            .files
            .get(path)
            .unwrap_or_else(|| panic!("the output has no {path}"))
    }

    pub fn text(&self, path: &str) -> &str {
        std::str::from_utf8(self.bytes(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_slice(self.bytes(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Output paths ending in `suffix`.
    pub fn paths_ending(&self, suffix: &str) -> Vec<&str> {
        self.output
            .files
            .keys()
            .filter(|p| p.ends_with(suffix))
            .map(String::as_str)
            .collect()
    }
}

/// The basic fixture, built once per test binary.
pub fn basic() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| TestSite::fixture("basic").build_ok())
}

/// The frozen 2023 plan (see [`TestSite::plan2023`]), built once per test
/// run.
pub fn plan2023() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| TestSite::plan2023().build_ok())
}

// ---------------------------------------------------------------------------
// HTML, read with a maintained parser (scraper: html5ever, as browsers
// parse), so that the tests' reader and planpub's writer share no blind
// spot.
// ---------------------------------------------------------------------------

/// One element: its name and attributes (character references decoded),
/// and its place in document order.
#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    /// The element's index in document order (an element that starts
    /// before another has a smaller one).
    pub at: usize,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

/// The elements of `html` as a browser builds them, in document order.
fn elements(doc: &scraper::Html) -> Vec<scraper::ElementRef<'_>> {
    doc.tree
        .root()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .collect()
}

/// Every element of the page, in document order (a browser's parse:
/// comments, and the text of `<script>`, `<style>` and `<textarea>`, hold
/// none).
pub fn start_tags(html: &str) -> Vec<Tag> {
    let doc = scraper::Html::parse_document(html);
    elements(&doc)
        .into_iter()
        .enumerate()
        .map(|(at, e)| Tag {
            name: e.value().name().to_string(),
            attrs: e
                .value()
                .attrs()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            at,
        })
        .collect()
}

/// Elements named `name`.
pub fn tags_named(html: &str, name: &str) -> Vec<Tag> {
    start_tags(html)
        .into_iter()
        .filter(|t| t.name == name)
        .collect()
}

/// The `<link rel="…">` tags with that `rel`.
pub fn links_with_rel(html: &str, rel: &str) -> Vec<Tag> {
    tags_named(html, "link")
        .into_iter()
        .filter(|t| t.attr("rel") == Some(rel))
        .collect()
}

/// The content of `<meta property="…">` (or `name="…"`).
pub fn meta(html: &str, key: &str) -> Option<String> {
    tags_named(html, "meta")
        .into_iter()
        .find(|t| t.attr("property") == Some(key) || t.attr("name") == Some(key))
        .and_then(|t| t.attr("content").map(str::to_string))
}

/// The element with `id="…"`, as HTML.
pub fn element_by_id(html: &str, id: &str) -> Option<String> {
    let tag = start_tags(html)
        .into_iter()
        .find(|t| t.attr("id") == Some(id))?;
    element_at(html, &tag)
}

/// The whole element `tag` of the page, as HTML.
pub fn element_at(html: &str, tag: &Tag) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    elements(&doc).get(tag.at).map(|e| e.html())
}

/// The text of a piece of markup, its elements left out and its
/// character references decoded.
pub fn inner_text(element: &str) -> String {
    scraper::Html::parse_fragment(element)
        .root_element()
        .text()
        .collect()
}

/// Attribute values that hold URLs in our pages.
pub const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "data-index",
    "data-root",
    "data-base",
    "data-all-items",
];

// ---------------------------------------------------------------------------
// XML, CSV, UI strings, content
// ---------------------------------------------------------------------------

/// What is wrong with an XML text, read with quick-xml (a maintained
/// XML parser): no declaration at its start, a close tag that does not
/// close the open element, an element never closed, anything that does
/// not parse. Empty when it is well-formed.
pub fn xml_balance_problems(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut problems = Vec::new();
    if !xml.starts_with("<?xml") {
        problems.push("does not start with an XML declaration".to_string());
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => open.push(e.name().into_inner().to_string()),
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                problems.push(format!("at byte {}: {e}", reader.error_position()));
                break;
            }
        }
    }
    if !open.is_empty() {
        problems.push(format!("never closed: {open:?}"));
    }
    problems
}

/// Every element named `name` of an XML text (at any depth), as the text
/// it spans, read with quick-xml.
pub fn xml_elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    loop {
        let before = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().into_inner() == name => starts.push(before),
            Ok(Event::Empty(e)) if e.name().into_inner() == name => {
                out.push(&xml[before..reader.buffer_position() as usize]);
            }
            Ok(Event::End(e)) if e.name().into_inner() == name => {
                if let Some(start) = starts.pop() {
                    out.push(&xml[start..reader.buffer_position() as usize]);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out.sort_by_key(|e| e.as_ptr() as usize);
    out
}

/// The records of a CSV text (RFC 4180), read with the csv crate.
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// The theme's UI strings in a language (themes/default/i18n/<lang>.toml).
pub fn ui_strings(lang: &str) -> BTreeMap<String, String> {
    let path = repo()
        .join("themes/default/i18n")
        .join(format!("{lang}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One content file read independently of the engine: front matter (as
/// TOML) and body.
pub struct ContentFile {
    /// Relative to the site root, `/`-separated.
    pub path: String,
    pub front: toml::Table,
    pub body: String,
}

/// Every default-language item file of a plan under `root/content/<plan>/`.
pub fn content_items(root: &Path, plan: &str) -> Vec<ContentFile> {
    let mut out = Vec::new();
    let plan_dir = root.join("content").join(plan);
    let mut sections: Vec<_> = std::fs::read_dir(&plan_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    sections.sort();
    for s in sections {
        let mut files: Vec<_> = std::fs::read_dir(&s)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let is_item = name.ends_with(".md")
                && !name.starts_with("_index")
                && name.trim_end_matches(".md").split('.').count() == 1;
            if !is_item {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            let rest = text.strip_prefix("+++\n").expect("front matter");
            let (front, body) = rest.split_once("\n+++\n").expect("closing +++");
            let rel = f
                .strip_prefix(root)
                .unwrap()
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(ContentFile {
                front: toml::from_str(front).unwrap_or_else(|e| panic!("{rel}: {e}")),
                path: rel,
                body: body.to_string(),
            });
        }
    }
    out
}

/// Collects failures and panics once with all of them.
#[derive(Default)]
pub struct Failures(Vec<String>);

impl Failures {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.0.push(message());
        }
    }

    pub fn push(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }

    pub fn assert_none(self, what: &str) {
        if !self.0.is_empty() {
            panic!(
                "{what}: {} problem(s)\n\n{}",
                self.0.len(),
                self.0.join("\n\n")
            );
        }
    }
}

/// A short piece of `text` around byte offset `at`, cut at character
/// boundaries, for failure messages.
pub fn context_at(text: &str, at: usize, len: usize) -> String {
    let mut from = at.saturating_sub(len);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + len).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    format!("…{}…", &text[from..to])
}

/// Markup a content author could use to run script, found by reading the
/// page's start tags: a `<script>` that is not the theme's (a `src` under
/// `/static/`, or JSON-LD), an `on…` handler attribute, a `javascript:`
/// (or `vbscript:`, `data:text/html`) URL, script in a `style`, or an
/// embedding element.
pub fn injection_problems(markup: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in start_tags(markup) {
        let theme_script = tag.attr("type") == Some("application/ld+json")
            || tag.attr("src").is_some_and(|s| s.contains("/static/"));
        if tag.name == "script" && !theme_script {
            out.push(format!("a <script> element: {:?}", tag.attrs));
        }
        if matches!(tag.name.as_str(), "iframe" | "object" | "embed" | "base") {
            out.push(format!("an <{}> element", tag.name));
        }
        for (k, v) in &tag.attrs {
            if k.starts_with("on") {
                out.push(format!("<{} {k}=…> event handler", tag.name));
            }
            let flat: String = v
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let url_attr = matches!(
                k.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster"
            );
            if url_attr
                && (flat.starts_with("javascript:")
                    || flat.starts_with("vbscript:")
                    || flat.starts_with("data:text/html"))
            {
                out.push(format!("<{} {k}=\"{v}\">", tag.name));
            }
            if k == "style" && (flat.contains("javascript:") || flat.contains("expression(")) {
                out.push(format!("<{} style=\"{v}\">", tag.name));
            }
        }
    }
    out
}
