//! Stage 1, load: read `site.toml`, every file under `content/`, and the
//! theme (templates, static files, UI strings) from disk.
//!
//! This stage and `write` are the only ones that touch the file system.
//! It classifies files by the layout in docs/content-format.md but does not
//! parse front matter: that is validation's job.

use crate::config::{SiteConfig, parse_site_config};
use crate::diagnostics::{Code, Diagnostics, Location};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

mod attachments;
mod theme;

pub use theme::{is_default_template, load_theme, site_wide_sources, theme_dirs};

/// What a content file is, by its place in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// `content/<plan>/_index[.lang].md`
    Plan,
    /// `content/<plan>/<n>-<slug>/_index[.lang].md`
    Section,
    /// `content/<plan>/<n>-<slug>/<NN>-<slug>[.lang].md`
    Item,
    /// `content/<plan>/progress/<YYYY-MM-DD>.toml`: a progress round,
    /// every language in one file.
    Round,
}

/// The folder of a plan that holds its progress rounds.
pub const ROUNDS_DIR: &str = "progress";

/// One Markdown file of the content, read but not parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDocument {
    /// Path relative to the site root, as shown in diagnostics.
    pub path: PathBuf,
    pub kind: DocumentKind,
    /// The plan folder's name: the plan id in URLs.
    pub plan: String,
    /// The section folder's name, for sections and items.
    pub section_dir: Option<String>,
    /// The file name without language and extension (`11-preschool`).
    pub stem: String,
    pub language: String,
    pub text: String,
}

/// A non-Markdown file under `content/`, copied to the same place in the
/// output (e.g. the source document of a plan).
#[derive(Clone, Debug)]
pub struct SourceAsset {
    pub output_path: String,
    /// Where it comes from, relative to the site root.
    pub source: PathBuf,
    pub bytes: Vec<u8>,
}

/// A template, by its name for tera (`item.html`) and where it came from.
#[derive(Clone, Debug)]
pub struct TemplateSource {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
}

/// The theme as read from disk, with the site's own overrides applied.
#[derive(Clone, Debug, Default)]
pub struct LoadedTheme {
    pub templates: Vec<TemplateSource>,
    /// Output path (under `static/`) → bytes.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Language → (path, text) of the UI strings file.
    pub strings: BTreeMap<String, (PathBuf, String)>,
}

/// Everything the build reads, before any parsing of content.
#[derive(Clone, Debug)]
pub struct LoadedSite {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub documents: Vec<SourceDocument>,
    pub assets: Vec<SourceAsset>,
    pub theme: LoadedTheme,
}

/// Reads the whole site under `root`. Problems (unreadable files, invalid
/// UTF-8, files out of place) are collected; `None` only when site.toml
/// itself cannot be used.
pub fn load_site(root: &Path, diags: &mut Diagnostics) -> Option<LoadedSite> {
    let config = load_site_config(root, diags)?;
    let (documents, assets) = load_content(root, &config, diags);
    let theme = load_theme(root, &config, diags);
    Some(LoadedSite {
        root: root.to_path_buf(),
        config,
        documents,
        assets,
        theme,
    })
}

pub fn load_site_config(root: &Path, diags: &mut Diagnostics) -> Option<SiteConfig> {
    let path = Path::new("site.toml");
    match read_text(root, path, diags) {
        Some(text) => parse_site_config(path, &text, diags),
        None => None,
    }
}

/// Reads a file as UTF-8, reporting where the first invalid byte is.
pub fn read_text(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match std::fs::read(root.join(rel)) {
        Ok(b) => b,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                Some(format!(
                    "create {} (`planpub help format` describes it; `planpub init` makes a new site) or pass --root <site folder>",
                    rel.display()
                ))
            } else {
                None
            };
            diags.error(
                Code::CannotRead,
                Location::file(rel),
                format!("cannot read file: {e}"),
                hint,
            );
            return None;
        }
    };
    decode_utf8(rel, bytes, diags)
}

pub fn decode_utf8(rel: &Path, bytes: Vec<u8>, diags: &mut Diagnostics) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Some(s)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0)
                + 1;
            diags.error(
                Code::NotUtf8,
                Location::at(rel, line, column),
                format!("file is not valid UTF-8 (byte 0x{:02x})", bytes[valid]),
                Some("save the file as UTF-8 (GBK and GB18030 are not accepted)".into()),
            );
            None
        }
    }
}

/// Splits `name[.lang].md` into (stem, language).
fn split_language<'a>(file_name: &'a str, config: &SiteConfig) -> (&'a str, Option<&'a str>) {
    let base = &file_name[..file_name.len() - 3];
    match base.rsplit_once('.') {
        Some((stem, lang))
            if !lang.is_empty()
                && lang.chars().all(|c| c.is_ascii_lowercase())
                && lang.len() <= 8 =>
        {
            let _ = config;
            (stem, Some(lang))
        }
        _ => (base, None),
    }
}

/// The translation of the default-language file `path` into `lang`:
/// `16-school-projects.md` → `16-school-projects.en.md`.
pub fn translation_path(path: &Path, lang: &str) -> PathBuf {
    let mut p = path.to_path_buf();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.set_file_name(format!("{stem}.{lang}.md"));
    p
}

/// The default-language file a document belongs to (the document itself
/// for a default-language one): `16-school-projects.en.md` →
/// `16-school-projects.md`.
pub fn default_language_path(d: &SourceDocument) -> PathBuf {
    let mut p = d.path.clone();
    p.set_file_name(format!("{}.md", d.stem));
    p
}

/// What a content file's path says about it.
pub struct ContentPath {
    pub kind: DocumentKind,
    /// The plan folder's name (the plan id).
    pub plan: String,
    /// The section folder's name, for sections and items.
    pub section_dir: Option<String>,
    /// The file name without the language and `.md`.
    pub stem: String,
    pub language: String,
}

/// Classifies one content path (relative to `content/`) by the layout.
/// Returns `Ok(None)` for a file that is not Markdown and `Err(message)`
/// for a Markdown file out of place.
pub fn classify_content_path(
    rel_to_content: &Path,
    config: &SiteConfig,
) -> Result<Option<ContentPath>, String> {
    let Some(parts) = rel_to_content
        .iter()
        .map(|p| p.to_str())
        .collect::<Option<Vec<&str>>>()
    else {
        return Err("the path is not valid UTF-8, so it cannot be part of the site".into());
    };
    let Some(file_name) = parts.last() else {
        return Ok(None);
    };
    if let [plan, ROUNDS_DIR, name] = parts[..]
        && let Some(stem) = name.strip_suffix(".toml")
    {
        return Ok(Some(ContentPath {
            kind: DocumentKind::Round,
            plan: plan.to_string(),
            section_dir: None,
            stem: stem.to_string(),
            language: config.default_language.clone(),
        }));
    }
    if !file_name.ends_with(".md") {
        return Ok(None);
    }
    let (stem, lang) = split_language(file_name, config);
    let language = lang.unwrap_or(&config.default_language).to_string();
    let is_index = stem == "_index";
    let path = |kind, section_dir: Option<&str>| {
        Ok(Some(ContentPath {
            kind,
            plan: parts[0].to_string(),
            section_dir: section_dir.map(str::to_string),
            stem: stem.to_string(),
            language: language.clone(),
        }))
    };
    match (parts.len(), is_index) {
        (2, true) => path(DocumentKind::Plan, None),
        (3, true) => path(DocumentKind::Section, Some(parts[1])),
        (3, false) => path(DocumentKind::Item, Some(parts[1])),
        (1, _) => Err("a Markdown file directly under content/ belongs to no plan".into()),
        (2, false) => {
            Err("a work item must be inside a section folder (content/<plan>/<n>-<slug>/)".into())
        }
        _ => Err(
            "content is nested too deep: the layout is content/<plan>/<section>/<item>.md".into(),
        ),
    }
}

fn load_content(
    root: &Path,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> (Vec<SourceDocument>, Vec<SourceAsset>) {
    let content = root.join("content");
    if !content.is_dir() {
        diags.error(
            Code::OutOfLayout,
            Location::file(Path::new("content")),
            "there is no content/ folder",
            Some(
                "create content/<plan>/_index.md (`planpub help format` describes the layout)"
                    .into(),
            ),
        );
        return (Vec::new(), Vec::new());
    }
    let mut paths = Vec::new();
    let mut walk = WalkDir::new(&content).sort_by_file_name().into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
                    .unwrap_or_else(|| PathBuf::from("content"));
                diags.error(
                    Code::CannotRead,
                    Location::file(&at),
                    format!("cannot read this part of content/: {e}"),
                    Some("check the permissions of the file or folder".into()),
                );
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        let is_dir = entry.file_type().is_dir();
        match content_entry_problem(entry.file_name(), entry.file_type()) {
            Some(EntryProblem::Ignored) => {}
            Some(EntryProblem::Warning(code, message, hint)) => {
                diags.warning(code, Location::file(&rel), message, Some(hint))
            }
            Some(EntryProblem::Error(code, message, hint)) => {
                diags.error(code, Location::file(&rel), message, Some(hint))
            }
            None if is_dir => continue,
            None => {
                paths.push(rel);
                continue;
            }
        }
        // Nothing under a folder that is not read is read either.
        if is_dir {
            walk.skip_current_dir();
        }
    }
    let results: Vec<(Option<SourceDocument>, Option<SourceAsset>, Diagnostics)> = paths
        .par_iter()
        .map(|rel| {
            let mut d = Diagnostics::new();
            let (doc, asset) = load_content_file(root, rel, config, &mut d);
            (doc, asset, d)
        })
        .collect();
    let mut documents = Vec::new();
    let mut assets = Vec::new();
    for (doc, asset, d) in results {
        diags.extend(d);
        documents.extend(doc);
        assets.extend(asset);
    }
    (documents, assets)
}

/// Why an entry under content/ is not read: a file editors and systems
/// leave (skipped without a word), a hidden one (a warning), or one that
/// cannot be published as it is (an error).
enum EntryProblem {
    Ignored,
    Warning(Code, String, String),
    Error(Code, String, String),
}

/// Files that editors and file managers leave beside content and that are
/// never content: skipped without a word.
pub fn is_editor_or_system_file(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || matches!(
            name,
            ".DS_Store" | "Thumbs.db" | "desktop.ini" | ".gitkeep" | ".gitignore" | ".keep"
        )
}

/// What is wrong with an entry under content/ on its own, before it is
/// read: nothing is left out without a word but editor and system files.
fn content_entry_problem(
    name: &std::ffi::OsStr,
    file_type: std::fs::FileType,
) -> Option<EntryProblem> {
    let what = if file_type.is_dir() { "folder" } else { "file" };
    let Some(name) = name.to_str() else {
        return Some(EntryProblem::Error(
            Code::NotUtf8,
            format!("the {what} name is not valid UTF-8, so it cannot be part of the site"),
            "rename it using UTF-8 (a name saved in GBK shows as � here)".into(),
        ));
    };
    if is_editor_or_system_file(name) {
        return Some(EntryProblem::Ignored);
    }
    if name.starts_with('.') {
        return Some(EntryProblem::Warning(
            Code::HiddenFile,
            format!("this {what} is hidden (its name starts with `.`), so it is not published"),
            "rename it without the leading `.` if it belongs to the site".into(),
        ));
    }
    if file_type.is_symlink() {
        return Some(EntryProblem::Error(
            Code::SymbolicLink,
            "this is a symbolic link; planpub does not follow links in content/".into(),
            "put the file (or folder) itself here instead of a link to it".into(),
        ));
    }
    if file_type.is_dir() {
        return name.ends_with(".md").then(|| {
            EntryProblem::Error(
                Code::OutOfLayout,
                "a folder is named like a Markdown file; its files are not read as content".into(),
                "rename the folder (a work item is a file `<NN>-<slug>.md`)".into(),
            )
        });
    }
    if !file_type.is_file() {
        return Some(EntryProblem::Error(
            Code::OutOfLayout,
            "this is not a regular file (a FIFO, socket or device), so it cannot be read".into(),
            "remove it from content/".into(),
        ));
    }
    None
}

/// Reads one file under content/ (also used by `serve` for a changed file).
pub fn load_content_file(
    root: &Path,
    rel: &Path,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> (Option<SourceDocument>, Option<SourceAsset>) {
    let rel_to_content = rel.strip_prefix("content").unwrap_or(rel);
    match classify_content_path(rel_to_content, config) {
        Ok(Some(ContentPath {
            kind,
            plan,
            section_dir,
            stem,
            language,
        })) => {
            if !config.is_language(&language) {
                diags.warning(
                    Code::UnknownLanguage,
                    Location::file(rel),
                    format!("language `{language}` is not in site.toml; the file is ignored"),
                    Some(format!(
                        "add `[languages.{language}]` to site.toml, or rename the file"
                    )),
                );
                return (None, None);
            }
            let text = read_text(root, rel, diags);
            (
                text.map(|text| SourceDocument {
                    path: rel.to_path_buf(),
                    kind,
                    plan,
                    section_dir,
                    stem,
                    language,
                    text,
                }),
                None,
            )
        }
        Ok(None) => match std::fs::read(root.join(rel)) {
            Ok(bytes) => (
                None,
                attachments::attachment(rel, rel_to_content, bytes, diags),
            ),
            Err(e) => {
                diags.error(
                    Code::CannotRead,
                    Location::file(rel),
                    format!("cannot read file: {e}"),
                    None,
                );
                (None, None)
            }
        },
        Err(msg) => {
            diags.error(
                Code::OutOfLayout,
                Location::file(rel),
                msg,
                Some("move the file to match the layout `planpub help format` describes".into()),
            );
            (None, None)
        }
    }
}
