//! `planpub import FILE --plan ID`: a bureau's plan document → the content
//! files of a new plan, `content/<ID>/`.
//!
//! Not a build stage but a tool beside the pipeline, with the same habits:
//! it reads the disk at its start (the document, `site.toml`) and writes at
//! its end ([`write::write_plan_folder`], all or nothing), is pure in
//! between, never prints, and reports every problem as a [`Diagnostic`]
//! located in the document (`plan.txt:12:1: warning: …`), so that `main`
//! prints it like any other.
//!
//! ```text
//! decode / docx   bytes → text (UTF-8, UTF-16, GB18030; or a .docx's paragraphs,
//!   + numbering   with the numbers of Word's automatic lists written out)
//! structure       text → PlanDocument (title, preamble, sections, items, lead units)
//! write           PlanDocument → content/<ID>/ (files, then one rename)
//! ```
//!
//! [`Diagnostic`]: crate::diagnostics::Diagnostic

pub mod decode;
pub mod docx;
pub mod numbering;
mod numerals;
pub mod structure;
pub mod wordml;
pub mod write;

use crate::diagnostics::{Code, Diagnostics, Location, Severity};
use std::fmt;
use std::path::{Path, PathBuf};
use structure::{IssuerSource, PlanDocument, TextLayout};

/// Why an import wrote nothing; decides the exit code. The problems
/// themselves are in the [`Diagnostics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFailure {
    /// The command asked for something impossible: a plan id that cannot
    /// be a URL segment or is taken, a missing file, a format not read.
    Usage,
    /// The document (or site.toml) could not be read as a plan.
    Content,
    /// The files could not be written.
    Write,
}

impl ImportFailure {
    /// 2 for usage errors, 1 for the rest, as for every command.
    pub fn exit_code(self) -> u8 {
        match self {
            ImportFailure::Usage => 2,
            ImportFailure::Content | ImportFailure::Write => 1,
        }
    }
}

/// What an import did, and what to do next (its `Display` is the report
/// `main` prints).
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub plan_id: String,
    /// The site folder, as given on the command line.
    pub root: PathBuf,
    pub document: PathBuf,
    /// How the document was read: "UTF-8", "GB18030", "Word document", …
    pub read_as: String,
    pub plan: PlanDocument,
    pub warnings: usize,
    /// The path of site.toml's `base_url` (`/plan/`), which `serve` keeps.
    pub base_path: String,
}

/// Names a plan id may not take: they are URL segments of the site itself
/// (the search page, theme assets, the search index), besides the
/// language codes of site.toml.
const RESERVED_PLAN_IDS: [&str; 4] = ["search", "static", "index", "assets"];

/// What reading a document gave: its text, how it is laid out, what it
/// was read as (for the report), and warnings about its numbering.
type ReadDocument = (String, TextLayout, String, Vec<docx::NumberingWarning>);

/// Reads the document's bytes by its format: a Word document's
/// paragraphs, or a text file decoded.
fn read_document(
    bytes: &[u8],
    format: Format,
    document: &Path,
    diags: &mut Diagnostics,
) -> Result<ReadDocument, ImportFailure> {
    match format {
        Format::Docx => match docx::read_docx(bytes) {
            Ok(docx) => Ok((
                docx.text,
                TextLayout::LinePerParagraph,
                match docx.numbers_written {
                    0 => "Word document".to_string(),
                    n => format!(
                        "Word document; its automatic numbering written out for {n} paragraph{}",
                        if n == 1 { "" } else { "s" }
                    ),
                },
                docx.numbering_warnings,
            )),
            Err(e) => {
                diags.error(
                    Code::ImportUnreadable,
                    Location::file(document),
                    e.message,
                    Some(e.hint),
                );
                Err(ImportFailure::Content)
            }
        },
        Format::Text(layout) => match decode::decode_document(bytes) {
            Ok(decoded) => Ok((
                decoded.text,
                layout,
                decoded.encoding.to_string(),
                Vec::new(),
            )),
            Err(e) => {
                diags.error(
                    Code::ImportUnreadable,
                    Location::at(document, e.line, e.column),
                    e.message,
                    Some(e.hint),
                );
                Err(ImportFailure::Content)
            }
        },
    }
}

/// Imports `document` as the plan `plan_id` of the site in `root`.
pub fn import_plan(
    root: &Path,
    document: &Path,
    plan_id: &str,
    diags: &mut Diagnostics,
) -> Result<ImportReport, ImportFailure> {
    let layout = check_arguments(root, document, plan_id, diags)?;
    let bytes = std::fs::read(document).map_err(|e| {
        diags.error(
            Code::CannotRead,
            Location::file(document),
            format!("cannot read the document: {e}"),
            Some("give the path of the plan document (.docx, .txt or .md)".into()),
        );
        ImportFailure::Usage
    })?;

    let (text, layout, read_as, numbering_warnings) =
        read_document(&bytes, layout, document, diags)?;

    for warning in numbering_warnings {
        diags.warning(
            Code::ImportUnreadable,
            Location::at(document, warning.line, 1),
            warning.message,
            Some(warning.hint),
        );
    }
    let (plan, findings) = structure::recognise_plan(&text, layout);
    for finding in &findings {
        let at = Location::at(document, finding.line, 1);
        match finding.severity {
            Severity::Error => diags.error(
                Code::ImportStructure,
                at,
                finding.message.clone(),
                finding.hint.clone(),
            ),
            Severity::Warning => diags.warning(
                Code::ImportStructure,
                at,
                finding.message.clone(),
                finding.hint.clone(),
            ),
        }
    }
    let Some(plan) = plan else {
        return Err(ImportFailure::Content);
    };
    if let Ok(id_year) = plan_id.parse::<u32>()
        && let Some((_, title_year)) = structure::year_in_title(&plan.title)
        && id_year != title_year
    {
        diags.warning(Code::ImportStructure,
            Location::at(document, 1, 1),
            format!("the title names the year {title_year} but the plan id is {plan_id}"),
            Some(format!(
                "plan ids are permanent URLs (/{plan_id}/); if this is the {title_year} plan, import it with --plan {title_year}"
            )),
        );
    }

    let files = write::plan_content_files(&plan, &text);
    if let Err(e) = write::write_plan_folder(root, plan_id, &files) {
        let folder = Path::new("content").join(plan_id);
        let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{}/ appeared while importing; nothing was written",
                folder.display()
            )
        } else {
            format!("cannot write the plan: {e}; nothing was written")
        };
        diags.error(
            Code::CannotWrite,
            Location::file(&folder),
            message,
            Some("check that the site folder is writable".into()),
        );
        return Err(ImportFailure::Write);
    }
    let base_path = crate::load::load_site_config(root, &mut Diagnostics::new())
        .map_or_else(|| "/".to_string(), |c| c.base_path);
    Ok(ImportReport {
        base_path,
        plan_id: plan_id.to_string(),
        root: root.to_path_buf(),
        document: document.to_path_buf(),
        read_as,
        plan,
        warnings: diags.warning_count(),
    })
}

/// How to read the document, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Docx,
    Text(TextLayout),
}

/// Checks everything the command line names before reading the document:
/// the plan id, that it is free, the site, the document's format. Every
/// problem is reported; any is a usage error.
fn check_arguments(
    root: &Path,
    document: &Path,
    plan_id: &str,
    diags: &mut Diagnostics,
) -> Result<Format, ImportFailure> {
    let errors_before = diags.error_count();
    let plan_arg = Path::new("--plan");
    if let Err(problem) = check_plan_id_form(plan_id) {
        diags.error(Code::ImportRefused,
            Location::file(plan_arg),
            format!("the plan id {plan_id:?} {problem}"),
            Some("use the plan's year, e.g. --plan 2024: it becomes the plan's URL (/2024/) and folder (content/2024/)".into()),
        );
    }
    let site_toml = root.join("site.toml");
    if !site_toml.is_file() {
        diags.error(
            Code::ImportRefused,
            Location::file(&site_toml),
            format!(
                "{} is not a planpub site: it has no site.toml",
                root.display()
            ),
            Some("pass the site folder with --root DIR".into()),
        );
    } else {
        let mut site_diags = Diagnostics::new();
        match crate::load::load_site_config(root, &mut site_diags) {
            Some(config)
                if config
                    .languages
                    .iter()
                    .any(|l| l.code.eq_ignore_ascii_case(plan_id)) =>
            {
                diags.error(Code::ImportRefused,
                    Location::file(plan_arg),
                    format!("the plan id {plan_id:?} is a language of the site: /{plan_id}/ is that language's home page"),
                    Some("use the plan's year, e.g. --plan 2024".into()),
                );
            }
            Some(_) => {}
            None => {
                diags.extend(site_diags);
                return Err(ImportFailure::Content);
            }
        }
    }
    let folder = root.join("content").join(plan_id);
    if check_plan_id_form(plan_id).is_ok() && std::fs::symlink_metadata(&folder).is_ok() {
        diags.error(Code::ImportRefused,
            Location::file(&Path::new("content").join(plan_id)),
            format!("content/{plan_id}/ already exists; planpub import never overwrites a plan"),
            Some(format!(
                "import under another id, or move content/{plan_id}/ away first if you mean to replace it"
            )),
        );
    }
    let extension = document
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("docx") => Some(Format::Docx),
        Some("txt" | "text") => Some(Format::Text(TextLayout::LinePerParagraph)),
        Some("md" | "markdown") => Some(Format::Text(TextLayout::Markdown)),
        Some("doc" | "wps") => {
            diags.error(Code::ImportRefused,
                Location::file(document),
                "Word 97-2003 (.doc) and WPS (.wps) documents are not read",
                Some("open it in Word or WPS and save it as a Word Document (.docx) or as plain text (.txt)".into()),
            );
            None
        }
        _ => {
            diags.error(
                Code::ImportRefused,
                Location::file(document),
                "unknown document format: expected a .docx, .txt or .md file",
                Some("save the plan from Word as .docx, or as plain text (.txt)".into()),
            );
            None
        }
    };
    if format.is_some() && !document.is_file() {
        diags.error(
            Code::CannotRead,
            Location::file(document),
            "no such file",
            Some("give the path of the plan document".into()),
        );
    }
    match format {
        Some(format) if diags.error_count() == errors_before => Ok(format),
        _ => Err(ImportFailure::Usage),
    }
}

/// A plan id is a folder name and a URL segment for good: lowercase ASCII
/// letters, digits and `-`, starting with a letter or digit, at most 64
/// long, and not a name the site uses itself.
fn check_plan_id_form(plan_id: &str) -> Result<(), String> {
    if plan_id.is_empty() {
        return Err("is empty".into());
    }
    if plan_id.len() > 64 {
        return Err("is longer than 64 characters".into());
    }
    if !plan_id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("may only hold lowercase letters a-z, digits and `-`".into());
    }
    if plan_id.starts_with('-') {
        return Err("must start with a letter or a digit".into());
    }
    if RESERVED_PLAN_IDS.contains(&plan_id) {
        return Err(format!("is taken by the site itself (/{plan_id}/)"));
    }
    Ok(())
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = &self.plan;
        let items = plan.item_count();
        let with_lead = plan
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| !i.lead.is_empty())
            .count();
        let sections = plan.sections.len();
        writeln!(
            f,
            "imported {} ({}, read as {}) into {}:",
            plan.title,
            self.document.display(),
            self.read_as,
            self.root.join("content").join(&self.plan_id).display()
        )?;
        writeln!(
            f,
            "  {sections} section{}, {items} item{}; {with_lead} with lead units",
            if sections == 1 { "" } else { "s" },
            if items == 1 { "" } else { "s" },
        )?;
        match &plan.issuer {
            Some(issuer) => {
                let named_in = match issuer.named_in {
                    IssuerSource::Title => "named in the title".to_string(),
                    IssuerSource::Signature { line } => format!("signed on line {line}"),
                };
                writeln!(f, "  issuer: {} ({named_in})", issuer.name)?;
            }
            None => writeln!(
                f,
                "  issuer: not named in the document (add `issuer = \"…\"` to _index.md if you like)"
            )?,
        }
        if let Some(date) = &plan.published {
            writeln!(f, "  published: {date}")?;
        }
        if self.warnings > 0 {
            writeln!(
                f,
                "  {} warning{} above: look at those places in the imported files",
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            )?;
        }
        let root = if self.root == Path::new(".") {
            String::new()
        } else {
            format!(" --root {}", self.root.display())
        };
        let id = &self.plan_id;
        writeln!(f)?;
        writeln!(f, "next steps:")?;
        writeln!(
            f,
            "  1. translate: planpub{root} translate export --plan {id} --lang en -o {id}-en.xlsx"
        )?;
        writeln!(
            f,
            "     then fill in the English column and: planpub{root} translate import {id}-en.xlsx"
        )?;
        writeln!(
            f,
            "     (or write an X.en.md beside each file: planpub help format)"
        )?;
        writeln!(f, "  2. check:     planpub{root} check")?;
        writeln!(
            f,
            "  3. serve:     planpub{root} serve   (then open http://127.0.0.1:1111{}{id}/)",
            self.base_path
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_ids_must_be_safe_url_segments() {
        for good in ["2024", "2024-h1", "plan"] {
            assert_eq!(check_plan_id_form(good), Ok(()), "{good}");
        }
        for bad in [
            "", "..", ".", "2024/x", "-2024", "Plan", "search", "static", "计划", "a b",
        ] {
            assert!(check_plan_id_form(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
