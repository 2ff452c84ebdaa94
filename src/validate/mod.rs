//! Stage 2, validate: parse every document's front matter into the typed
//! model ([`crate::model`]) and check the content as a whole (unique
//! numbers, translations that match a default-language file, …).
//!
//! * `fields.rs` declares every front-matter field once; `values.rs` says
//!   how each kind of value is read.
//! * `parse.rs` reads one file (pure, per file: `serve` caches it).
//! * `assemble.rs` puts the files together in named passes, and
//!   `checks.rs` holds the checks that need the whole content.
//! * `stale.rs` finds translations older than their source.
//! * `strings.rs` checks the theme's UI strings.
//!
//! Every problem is collected; nothing stops at the first one. The result
//! holds only well-formed data: later stages never re-check it.

mod assemble;
mod checks;
pub mod fields;
mod parse;
mod reassemble;
mod rounds;
mod stale;
mod strings;
mod values;

pub(crate) use checks::check_date_in_period;
pub use parse::{
    Parsed, ParsedDocument, ParsedFile, SplitDocument, parse_file, split_front_matter,
};
pub use reassemble::reassemble_item;
pub use strings::{UiStrings, template_key};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::load::{LoadedSite, LoadedTheme, SourceAsset};
use crate::model::Plan;
use assemble::Assembly;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The content as typed, checked data: the input of the link stage.
#[derive(Clone, Debug)]
pub struct ValidatedSite {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub plans: Vec<Plan>,
    pub theme: LoadedTheme,
    pub strings: UiStrings,
    pub assets: Vec<SourceAsset>,
    /// The line each content file's body starts on (for locating what
    /// later stages find in a body, such as a broken link).
    pub body_lines: BTreeMap<PathBuf, usize>,
}

/// Stage 2 entry point.
pub fn validate_site(mut site: LoadedSite, diags: &mut Diagnostics) -> Option<ValidatedSite> {
    let default_language = site.config.default_language.clone();
    let parsed: Vec<ParsedFile> = site
        .documents
        .par_iter()
        .map(|d| parse_file(d, &default_language))
        .collect();
    // The parsed documents hold what assembling needs; the texts (the
    // whole content once more) can go before it.
    for d in &mut site.documents {
        d.text = String::new();
    }
    assemble_site(site, parsed, diags)
}

/// Puts parsed files together into plans, sections and items and checks
/// the content as a whole. `parsed[i]` belongs to `site.documents[i]`.
pub fn assemble_site(
    site: LoadedSite,
    parsed: Vec<ParsedFile>,
    diags: &mut Diagnostics,
) -> Option<ValidatedSite> {
    let LoadedSite {
        root,
        config,
        documents,
        assets,
        theme,
    } = site;
    let mut assembly = Assembly::from_documents(&config, &documents, parsed, diags);
    checks::report_missing_translations(&assembly, diags);
    stale::check_stale_translations(&mut assembly, diags);
    checks::check_folders_have_index_files(&assembly, diags);
    checks::check_plan_ids(&assembly, diags);
    checks::check_section_numbers(&assembly, diags);
    let duplicates = checks::check_item_numbers(&assembly, diags);
    checks::check_name_numbers(&assembly, diags);
    checks::check_item_dates(&assembly, diags);
    checks::check_former_numbers(&assembly, diags);
    let strings = strings::validate_strings(&theme, &config, diags);
    assembly.merge_rounds(&strings, diags);
    checks::check_status_agrees(&assembly, diags);
    let body_lines = std::mem::take(&mut assembly.body_lines);
    let plans = assembly.into_plans(&duplicates, diags);
    checks::check_some_plan(&plans, diags);
    strings::check_language_settings(&theme, &strings, diags);
    if diags.has_errors() {
        return None;
    }
    Some(ValidatedSite {
        root,
        config,
        plans,
        theme,
        strings,
        assets,
        body_lines,
    })
}
