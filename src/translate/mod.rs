//! `planpub translate`: the texts of a plan out to a translation office and
//! back, as a spreadsheet (`.xlsx`, what offices use) or XLIFF 2.0 (`.xlf`,
//! what translation tools use).
//!
//! Not a build stage but a tool beside the pipeline, like `import`: it
//! loads and validates the site with the pipeline's own stages, reads or
//! writes one document, and writes translation files only at its end,
//! all of them or none. It never prints: problems come back as
//! [`Problem`]s (`FILE.xlsx:Sheet1!C7: error: …`, or a line and column of
//! an XLIFF file with the unit's id) and `main` prints them.
//!
//! ```text
//! units   the validated site → text units with stable ids (the one adapter)
//! xlsx    units → workbook (rust_xlsxwriter); workbook → returned units (calamine)
//! xliff   units → XLIFF 2.0; XLIFF 2.0 → returned units (quick-xml)
//! apply   returned units + current units → changes → X.<lang>.md, site.toml
//! ```

pub mod apply;
pub mod units;
pub mod xliff;
pub mod xlsx;

use crate::diagnostics::Diagnostics;
use crate::sheet::write_bytes;
pub use crate::sheet::{Failure, Problem};
use crate::validate::ValidatedSite;
use std::fmt;
use std::path::{Path, PathBuf};
use units::{TextUnit, UnitState};

/// One unit as a returned document gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedUnit {
    /// The unit's id (`2023/16/title`).
    pub id: String,
    /// The id as the document writes it (XLIFF ids write `/` as `:`).
    pub shown_id: String,
    /// Where the id is: `FILE.xlsx:Sheet1!A7`, `FILE.xlf:40:5`.
    pub id_at: String,
    pub source: String,
    pub source_at: String,
    /// `None`: no translation given (an empty cell, no `<target>`).
    pub translation: Option<String>,
    pub translation_at: String,
    /// The translator says the translation is checked against the current
    /// source (state `done`; XLIFF `translated`, `reviewed`, `final`).
    pub marked_done: bool,
}

/// A document returned by the translators, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedDocument {
    /// The language translated into, and where the document says so.
    pub language: String,
    pub language_at: String,
    /// The source language, where the document names it (XLIFF).
    pub source_language: Option<(String, String)>,
    /// Whether the units must come in the order of the export (a
    /// spreadsheet's rows: a moved row is a sign of a sort that may have
    /// mixed translations up).
    pub rows_ordered: bool,
    pub units: Vec<ReturnedUnit>,
    /// Problems with single cells or units, found while reading; reported
    /// with those the comparison with the site finds.
    pub problems: Vec<Problem>,
}

/// The two formats, by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xliff,
}

impl Format {
    fn of(path: &Path, at: &str) -> Result<Format, Failure> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => Ok(Format::Xlsx),
            Some("xlf" | "xliff") => Ok(Format::Xliff),
            _ => Err(Failure::usage(Problem::new(
                at,
                format!(
                    "{} is neither a spreadsheet (.xlsx) nor XLIFF (.xlf)",
                    path.display()
                ),
                "name the file FILE.xlsx (Excel, WPS, LibreOffice) or FILE.xlf (XLIFF 2.0, for translation tools)",
            ))),
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug)]
pub struct ExportReport {
    pub path: PathBuf,
    pub plan: String,
    pub language: String,
    pub counts: [usize; 3],
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [missing, stale, done] = self.counts;
        writeln!(
            f,
            "wrote {} text units of plan {} to {}: {missing} missing, {stale} stale, {done} done in `{}`",
            missing + stale + done,
            self.plan,
            self.path.display(),
            self.language
        )?;
        writeln!(
            f,
            "next: fill in the translations, then `planpub translate import {}`",
            self.path.display()
        )
    }
}

/// What an import wrote.
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub language: String,
    pub units_returned: usize,
    pub texts_changed: usize,
    pub files_written: Vec<PathBuf>,
    /// Files that stay stale, with the units that keep them so.
    pub still_stale: Vec<(PathBuf, Vec<String>)>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {} `{}` text units: {} new or changed; wrote {} file{}",
            self.units_returned,
            self.language,
            self.texts_changed,
            self.files_written.len(),
            if self.files_written.len() == 1 {
                ""
            } else {
                "s"
            }
        )?;
        for p in &self.files_written {
            writeln!(f, "  {}", p.display())?;
        }
        for (p, ids) in &self.still_stale {
            writeln!(
                f,
                "still stale: {} ({} returned unchanged and not marked done)",
                p.display(),
                ids.join(", ")
            )?;
        }
        writeln!(
            f,
            "next: `planpub check` lists what is still missing or stale"
        )
    }
}

/// Loads and validates the site; a failure (with the errors in `diags`)
/// when it has errors.
fn validated_site(root: &Path, diags: &mut Diagnostics) -> Result<ValidatedSite, Failure> {
    crate::pipeline::validate_without_errors(root, diags).ok_or_else(|| {
        Failure::content(vec![Problem::new(
            &root.join("content").display().to_string(),
            "the site has errors (above): translations are exported, imported and hashed only from a site without errors",
            "fix them first (`planpub check` lists them)",
        )])
    })
}

/// Checks that `lang` is a language of the site other than the default.
fn check_language(site: &ValidatedSite, lang: &str, at: &str) -> Result<(), Problem> {
    let config = &site.config;
    let others: Vec<&str> = config
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .filter(|c| *c != config.default_language)
        .collect();
    if lang == config.default_language {
        return Err(Problem::new(
            at,
            format!("`{lang}` is the site's default language: its texts are the source"),
            format!("translate into one of: {}", others.join(", ")),
        ));
    }
    if !others.contains(&lang) {
        return Err(Problem::new(
            at,
            format!("`{lang}` is not a language of the site"),
            if others.is_empty() {
                "add `[languages.<code>]` to site.toml first".to_string()
            } else {
                format!("use one of: {} (or add it to site.toml)", others.join(", "))
            },
        ));
    }
    Ok(())
}

/// `planpub translate export --plan ID --lang LANG -o FILE`.
pub fn export(
    root: &Path,
    plan_id: &str,
    lang: &str,
    output: &Path,
    diags: &mut Diagnostics,
) -> Result<ExportReport, Failure> {
    let format = Format::of(output, "-o")?;
    let site = validated_site(root, diags)?;
    check_language(&site, lang, "--lang").map_err(Failure::usage)?;
    let parts = units::validated_parts(&site);
    let Some(plan) = parts.iter().find(|p| p.plan.id == plan_id) else {
        let ids: Vec<&str> = site.plans.iter().map(|p| p.id.as_str()).collect();
        return Err(Failure::usage(Problem::new(
            "--plan",
            format!("the site has no plan `{plan_id}`"),
            format!("use one of: {}", ids.join(", ")),
        )));
    };
    let mut list = units::plan_units(plan, lang);
    list.extend(units::tag_units(
        &site.config,
        std::slice::from_ref(plan),
        lang,
    ));
    let meta = ExportMeta {
        plan_id,
        plan_title: &plan.plan.title.default,
        source_language: &site.config.default_language,
        language: lang,
    };
    let bytes = match format {
        Format::Xlsx => xlsx::write_workbook(&list, &meta),
        Format::Xliff => xliff::write_xliff(&list, &meta).map(String::into_bytes),
    }
    .map_err(|e| {
        Failure::content(vec![Problem::new(
            &output.display().to_string(),
            e,
            "export to XLIFF (.xlf), which has no size limit per text",
        )])
    })?;
    let shown = output.display().to_string();
    write_bytes(output, &bytes).map_err(|e| {
        Failure::content(vec![Problem::new(
            &shown,
            format!("cannot write the file: {e}"),
            "check that its folder exists and is writable",
        )])
    })?;
    Ok(ExportReport {
        path: output.to_path_buf(),
        plan: plan_id.to_string(),
        language: lang.to_string(),
        counts: count_states(&list),
    })
}

/// What an exported document says about itself.
pub struct ExportMeta<'a> {
    pub plan_id: &'a str,
    pub plan_title: &'a str,
    pub source_language: &'a str,
    pub language: &'a str,
}

/// `planpub translate import FILE`: every problem is reported and nothing
/// written if there is one; otherwise every translation file the document
/// changes is written at once.
pub fn import(root: &Path, file: &Path, diags: &mut Diagnostics) -> Result<ImportReport, Failure> {
    let shown = file.display().to_string();
    let format = Format::of(file, &shown)?;
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::usage(Problem::new(
            &shown,
            format!("cannot read the file: {e}"),
            "give the path of the exported document, filled in",
        ))
    })?;
    let site = validated_site(root, diags)?;
    let returned = match format {
        Format::Xlsx => xlsx::read_workbook(&bytes, &shown),
        Format::Xliff => xliff::read_xliff(&bytes, &shown),
    }
    .map_err(Failure::content)?;
    let mut problems = returned.problems.clone();
    if !returned.language.is_empty()
        && let Err(p) = check_language(&site, &returned.language, &returned.language_at)
    {
        problems.push(p);
    }
    if let Some((source, at)) = &returned.source_language
        && *source != site.config.default_language
    {
        problems.push(Problem::new(
            at,
            format!(
                "the source language is `{source}`, but the site's default language is `{}`",
                site.config.default_language
            ),
            "import a document exported from this site",
        ));
    }
    let lang = returned.language.clone();
    let parts = units::validated_parts(&site);
    let list = units::site_units(&site.config, &parts, &lang);
    let changes = apply::plan_changes(&list, &returned);
    if let Err(more) = &changes {
        problems.extend(more.iter().cloned());
    }
    let changes = match changes {
        Ok(changes) if problems.is_empty() => changes,
        _ => return Err(Failure::content(problems)),
    };

    let Edited {
        files,
        units_returned,
        still_stale,
    } = edited_files(root, &changes, &lang).map_err(Failure::content)?;
    apply::write_files(root, &files).map_err(|e| {
        Failure::content(vec![Problem::new(
            &root.display().to_string(),
            e,
            "check that the site's folders are writable",
        )])
    })?;
    Ok(ImportReport {
        language: lang,
        units_returned,
        texts_changed: changes.texts_changed,
        files_written: files.into_iter().map(|(p, _)| p).collect(),
        still_stale,
    })
}

/// The translation files (and site.toml) an import changes, with their
/// new text.
struct Edited {
    files: Vec<(PathBuf, String)>,
    units_returned: usize,
    /// Files that stay stale, with the units that keep them so.
    still_stale: Vec<(PathBuf, Vec<String>)>,
}

/// Each file `changes` touches, read and edited in memory; every file
/// that cannot be read or edited is a problem.
fn edited_files(
    root: &Path,
    changes: &apply::ChangePlan,
    lang: &str,
) -> Result<Edited, Vec<Problem>> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut still_stale = Vec::new();
    let mut units_returned = 0;
    for (path, change) in &changes.files {
        units_returned += change.units_returned;
        if !change.still_stale.is_empty() {
            still_stale.push((path.clone(), change.still_stale.clone()));
        }
        let existing = match std::fs::read_to_string(root.join(path)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                problems.push(Problem::new(
                    &path.display().to_string(),
                    format!("cannot read it: {e}"),
                    "check its permissions",
                ));
                continue;
            }
        };
        let edited = if path == Path::new("site.toml") {
            apply::edit_site_toml(existing.as_deref().unwrap_or_default(), lang, &change.edits)
        } else {
            let hash = change.source_hash.as_deref();
            // Nothing to record: no new text, and no hash to set (or no
            // file to set it in: a file whose units all came back empty
            // stays missing rather than becoming an empty translation).
            if change.edits.is_empty() && (hash.is_none() || existing.is_none()) {
                continue;
            }
            apply::edit_translation(existing.as_deref(), &change.edits, hash)
        };
        match edited {
            Ok(text) if Some(&text) != existing.as_ref() => files.push((path.clone(), text)),
            Ok(_) => {}
            Err(e) => problems.push(Problem::new(
                &path.display().to_string(),
                format!("cannot edit it: {e}"),
                "correct the file by hand, then import again",
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Edited {
        files,
        units_returned,
        still_stale,
    })
}

/// `planpub translate hash FILE`: the `source_hash` a translation of FILE
/// (a default-language file or one of its translations) records when it
/// is made from the file's current text.
pub fn hash(root: &Path, file: &Path, diags: &mut Diagnostics) -> Result<String, Failure> {
    let shown = file.display().to_string();
    let not_content = |why: String| {
        Failure::usage(Problem::new(
            &shown,
            why,
            "give a plan, section or item file under content/ (X.md or X.<lang>.md)",
        ))
    };
    let canonical = |p: &Path| {
        p.canonicalize()
            .map_err(|e| not_content(format!("cannot find it: {e}")))
    };
    let file_abs = canonical(file)?;
    let root_abs = canonical(root)?;
    let rel = file_abs
        .strip_prefix(&root_abs)
        .map_err(|_| {
            not_content(format!(
                "it is not inside the site folder {}",
                root.display()
            ))
        })?
        .to_path_buf();
    let site = validated_site(root, diags)?;
    // X.<lang>.md → X.md
    let default_rel = match rel
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.rsplit_once('.'))
    {
        Some((stem, lang)) if site.config.is_language(lang) => {
            rel.with_file_name(format!("{stem}.md"))
        }
        _ => rel.clone(),
    };
    for plan in &site.plans {
        if plan.path == default_rel {
            return Ok(units::plan_source_hash(plan));
        }
        for s in &plan.sections {
            if s.path == default_rel {
                return Ok(units::section_source_hash(s));
            }
            if let Some(item) = s.items.iter().find(|i| i.path == default_rel) {
                return Ok(units::item_source_hash(item));
            }
        }
    }
    Err(not_content(format!(
        "{} is not a plan, section or item of the site",
        default_rel.display()
    )))
}

/// Counts of a list of units by state (`[missing, stale, done]`).
pub fn count_states(list: &[TextUnit<'_>]) -> [usize; 3] {
    let mut counts = [0; 3];
    for u in list {
        counts[match u.state {
            UnitState::Missing => 0,
            UnitState::Stale => 1,
            UnitState::Done => 2,
        }] += 1;
    }
    counts
}
