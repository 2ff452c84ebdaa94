//! `planpub progress sheet|import`: a progress round as a spreadsheet the
//! lead units fill in, and back into `content/<plan>/progress/<date>.toml`
//! (issue #19.2).
//!
//! Not a build stage but a tool beside the pipeline, like `translate`: it
//! loads and validates the site with the pipeline's own stages, writes or
//! reads one file, and writes the round only at its end, after the site
//! with the round has been built in memory without an error; otherwise
//! nothing. It never prints: problems come back as [`Problem`]s at their
//! cells (`round.xlsx:进展!E7: error: …`) and `main` prints them.
//!
//! ```text
//! layout    the validated plan → columns and cells (the one description of the sheet)
//! write     cells → workbook (rust_xlsxwriter) or CSV (csv, UTF-8 with BOM)
//! read      workbook (calamine) or CSV (UTF-8 or GB18030) → cells
//! entries   cells → checked round entries → the round's TOML
//! verify    the site with the new round, built in memory
//! ```

pub mod entries;
pub mod layout;
pub mod read;
mod verify;
pub mod write;

use crate::dates::{loose_date, parse_iso_date};
use crate::diagnostics::Diagnostics;
use crate::load::ROUNDS_DIR;
use crate::model::{Date, Plan};
use crate::sheet::{Failure, Problem, short, write_bytes};
use crate::validate::ValidatedSite;
use layout::{DATE_COL, Layout, META_ROW, PLAN_COL};
use std::fmt;
use std::path::{Path, PathBuf};

/// The two file formats, by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Xlsx,
    Csv,
}

impl Format {
    fn of(path: &Path, at: &str) -> Result<Format, Failure> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => Ok(Format::Xlsx),
            Some("csv") => Ok(Format::Csv),
            _ => Err(Failure::usage(Problem::new(
                at,
                format!(
                    "{} is neither a spreadsheet (.xlsx) nor CSV (.csv)",
                    path.display()
                ),
                "name the file FILE.xlsx (Excel, WPS, LibreOffice) or FILE.csv",
            ))),
        }
    }
}

/// What `progress sheet` wrote.
#[derive(Clone, Debug)]
pub struct SheetReport {
    pub path: PathBuf,
    pub plan: String,
    pub date: Date,
    pub items: usize,
    pub withdrawn: usize,
}

impl fmt::Display for SheetReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "wrote the progress sheet of plan {} as of {} to {}: {} items{}",
            self.plan,
            self.date,
            self.path.display(),
            self.items,
            match self.withdrawn {
                0 => String::new(),
                n => format!(" ({n} withdrawn left out)"),
            }
        )?;
        writeln!(
            f,
            "next: the lead units fill in the yellow cells, then `planpub progress import {}`",
            self.path.display()
        )
    }
}

/// What `progress import` wrote.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// Relative to the site root.
    pub path: PathBuf,
    pub replaced: bool,
    pub items: usize,
    pub statuses: usize,
    pub actuals: usize,
    /// Texts per language, the default first.
    pub texts: Vec<(String, usize)>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<String> = self
            .texts
            .iter()
            .map(|(l, n)| format!("{n} texts `{l}`"))
            .collect();
        writeln!(
            f,
            "{} {}: {} items, {} statuses, {} actuals, {}",
            if self.replaced { "replaced" } else { "wrote" },
            self.path.display(),
            self.items,
            self.statuses,
            self.actuals,
            texts.join(", ")
        )?;
        writeln!(
            f,
            "next: `planpub serve` to look at the item pages, then `planpub build`"
        )
    }
}

/// Loads and validates the site; a failure (with the errors in `diags`)
/// when it has errors.
fn validated_site(root: &Path, diags: &mut Diagnostics) -> Result<ValidatedSite, Failure> {
    crate::pipeline::validate_without_errors(root, diags).ok_or_else(|| {
        Failure::content(vec![Problem::new(
            &root.join("content").display().to_string(),
            "the site has errors (above): progress sheets are made and imported only for a site without errors",
            "fix them first (`planpub check` lists them)",
        )])
    })
}

/// The site's languages, the default first.
fn languages(site: &ValidatedSite) -> Vec<String> {
    let default = &site.config.default_language;
    let mut out = vec![default.clone()];
    out.extend(
        site.config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .filter(|c| c != default),
    );
    out
}

fn find_plan<'a>(site: &'a ValidatedSite, id: &str, at: &str) -> Result<&'a Plan, Problem> {
    site.plans.iter().find(|p| p.id == id).ok_or_else(|| {
        let ids: Vec<&str> = site.plans.iter().map(|p| p.id.as_str()).collect();
        Problem::new(
            at,
            format!("the site has no plan `{id}`"),
            format!("use one of: {}", ids.join(", ")),
        )
    })
}

/// A round's date: a date in the plan's period (the rule validation
/// applies to a round file's name). `YYYY-MM-DD`, or as a spreadsheet
/// program rewrites it when it saves CSV (`2024/3/31`).
fn round_date(plan: &Plan, text: &str, at: &str) -> Result<Date, Problem> {
    let Some(date) = parse_iso_date(text).or_else(|| loose_date(text)) else {
        return Err(Problem::new(
            at,
            format!("\"{}\" is not a date", short(text)),
            "write the round's date as YYYY-MM-DD, e.g. 2024-03-31",
        ));
    };
    let mut diags = Diagnostics::new();
    let at_loc = crate::diagnostics::Location::file(Path::new(at));
    if crate::validate::check_date_in_period(plan, date, at_loc, "the round's date", &mut diags) {
        return Ok(date);
    }
    let d = diags.iter().next().cloned();
    Err(Problem {
        at: at.to_string(),
        message: d.as_ref().map(|d| d.message.clone()).unwrap_or_default(),
        hint: d.and_then(|d| d.hint),
    })
}

/// `planpub progress sheet --plan ID --date YYYY-MM-DD -o FILE`.
pub fn sheet(
    root: &Path,
    plan_id: &str,
    date: &str,
    output: &Path,
    diags: &mut Diagnostics,
) -> Result<SheetReport, Failure> {
    let format = Format::of(output, "-o")?;
    let site = validated_site(root, diags)?;
    let plan = find_plan(&site, plan_id, "--plan").map_err(Failure::usage)?;
    let date_value = round_date(plan, date, "--date").map_err(Failure::usage)?;
    let date = &date_value.to_string();
    let layout = Layout::new(plan, languages(&site), &site.strings);
    let rows = layout::grid(&layout, date);
    let bytes = match format {
        Format::Xlsx => write::workbook(&layout, &rows, date).map_err(|e| e.to_string()),
        Format::Csv => write::csv(&rows),
    }
    .map_err(|e| {
        Failure::content(vec![Problem::new(
            &output.display().to_string(),
            format!("cannot make the sheet: {e}"),
            "report this as a bug of planpub",
        )])
    })?;
    write_bytes(output, &bytes).map_err(|e| {
        Failure::content(vec![Problem::new(
            &output.display().to_string(),
            format!("cannot write the file: {e}"),
            "check that its folder exists and is writable",
        )])
    })?;
    let items = layout.items().len();
    Ok(SheetReport {
        path: output.to_path_buf(),
        plan: plan.id.clone(),
        date: date_value,
        items,
        withdrawn: layout.all_items().len() - items,
    })
}

/// `planpub progress import FILE [--plan ID] [--replace]`: every problem
/// is reported at its cell and nothing written if there is one.
pub fn import(
    root: &Path,
    file: &Path,
    plan_arg: Option<&str>,
    replace: bool,
    diags: &mut Diagnostics,
) -> Result<ImportReport, Failure> {
    let shown = file.display().to_string();
    let format = Format::of(file, &shown)?;
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::usage(Problem::new(
            &shown,
            format!("cannot read the file: {e}"),
            "give the path of the sheet `planpub progress sheet` made, filled in",
        ))
    })?;
    let site = validated_site(root, diags)?;
    let languages = languages(&site);
    let sheet_name = site
        .strings
        .get(&languages[0])
        .and_then(|m| m.get("progress-sheet"))
        .cloned()
        .unwrap_or_default();
    let sheet = match format {
        Format::Xlsx => read::workbook(&bytes, &shown, &sheet_name),
        Format::Csv => read::csv(&bytes, &shown),
    }
    .map_err(Failure::content)?;
    let mut problems = Vec::new();
    let (plan, date) = round_meta(&site, &sheet, plan_arg, &mut problems)?;
    let layout = Layout::new(plan, languages, &site.strings);
    entries::check_header(&sheet, &layout, &mut problems);
    let rows = entries::read_rows(&sheet, &layout, &mut problems);
    let Some(date) = date else {
        return Err(Failure::content(problems));
    };
    let rel = Path::new("content")
        .join(&plan.id)
        .join(ROUNDS_DIR)
        .join(format!("{date}.toml"));
    let exists = root.join(&rel).exists();
    if exists && !replace {
        problems.push(Problem::new(
            &rel.display().to_string(),
            format!("plan {} already has a round dated {date}", plan.id),
            "add --replace to replace it with this sheet's round (the file is kept in git, if the site is)",
        ));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            &shown,
            "no row has anything filled in: there is no round to import",
            "fill in the yellow cells (status, actuals, progress texts) of the items with progress",
        ));
    }
    if !problems.is_empty() {
        return Err(Failure::content(problems));
    }
    let text = entries::round_toml(&rows, &plan.id, date, &file_name(file));
    verify::build_with_round(root, &rel, &plan.id, &text, diags)?;
    let path = root.join(&rel);
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| write_bytes(&path, text.as_bytes()));
    written.map_err(|e| {
        Failure::content(vec![Problem::new(
            &rel.display().to_string(),
            format!("cannot write the round: {e}"),
            "check that the content folder is writable",
        )])
    })?;
    let texts = layout
        .languages
        .iter()
        .map(|l| {
            let n = rows
                .iter()
                .filter(|r| r.text.iter().any(|(tl, _)| tl == l))
                .count();
            (l.clone(), n)
        })
        .collect();
    Ok(ImportReport {
        path: rel,
        replaced: exists,
        items: rows.len(),
        statuses: rows.iter().filter(|r| r.status.is_some()).count(),
        actuals: rows.iter().map(|r| r.actual.len()).sum(),
        texts,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The plan and date of the sheet's first row (`--plan` must agree); a
/// problem with the date is one of `problems`, so that the rows are
/// checked too.
fn round_meta<'a>(
    site: &'a ValidatedSite,
    sheet: &read::ReadSheet,
    plan_arg: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Result<(&'a Plan, Option<Date>), Failure> {
    let plan_at = sheet.at(META_ROW, PLAN_COL);
    let plan_cell = sheet.get(META_ROW, PLAN_COL);
    let plan = match (plan_arg, plan_cell) {
        (Some(arg), Some(cell)) if arg != cell => {
            return Err(Failure::usage(Problem::new(
                &plan_at,
                format!("the sheet is of plan {cell}, but --plan says {arg}"),
                "import the sheet made for that plan, or leave --plan out",
            )));
        }
        (Some(id), _) => find_plan(site, id, "--plan").map_err(Failure::usage)?,
        (None, Some(id)) => find_plan(site, id, &plan_at).map_err(|p| Failure::content(vec![p]))?,
        (None, None) => {
            return Err(Failure::content(vec![Problem::new(
                &plan_at,
                "the sheet does not say which plan it is of",
                "put the plan's id back in this cell, or give --plan ID",
            )]));
        }
    };
    let date_at = sheet.at(META_ROW, DATE_COL);
    let date = match sheet.get(META_ROW, DATE_COL) {
        None => Err(Problem::new(
            &date_at,
            "the sheet has no round date",
            "put the round's date back in this cell, as YYYY-MM-DD (e.g. 2024-03-31)",
        )),
        Some(text) => round_date(plan, text, &date_at),
    };
    Ok((plan, date.map_err(|p| problems.push(p)).ok()))
}
