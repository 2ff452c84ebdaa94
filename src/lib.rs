//! planpub: a static site generator for government work plans.
//!
//! A build is a pipeline, one module a stage, each handing the next a new
//! type:
//!
//! ```text
//! load      LoadedSite      files read from disk            (src/load.rs)
//! validate  ValidatedSite   the typed, checked model        (src/validate/, src/model.rs)
//! link      LinkedSite      cross-links, progress           (src/link.rs)
//! render    Prepared        templates, bodies; every page   (src/render/, src/pages.rs)
//! index     search index, then the link check               (src/indexing.rs, src/index/)
//! write     public/         swapped in atomically           (src/write.rs)
//! ```
//!
//! [`build_site`] and [`build_and_write`] read as that list, and run the
//! same stages (src/pipeline.rs); they differ only in the [`Output`] the
//! files are put into: memory, or a staging folder beside `public/`.
//! Only `load` and `write` touch the disk; everything between is pure,
//! which is what `serve` relies on to rebuild in memory.
//!
//! [`Output`]: output::Output

pub mod config;
pub mod dates;
pub mod diagnostics;
pub mod dialect;
pub mod import;
pub mod index;
pub mod indexing;
pub mod init;
pub mod link;
pub mod load;
pub mod model;
pub mod numerals;
pub mod output;
pub mod pages;
pub mod pipeline;
pub mod progress;
pub mod progress_sheet;
pub mod render;
pub mod renumber;
pub mod serve;
pub mod sheet;
pub mod source_text;
pub mod toml_fields;
pub mod translate;
pub mod validate;
pub mod write;

use diagnostics::{Code, Diagnostics};
use output::{MemoryOutput, SiteOutput};
use pipeline::{Hooks, NoHooks, Stage, link_stage, render_and_index, stage};
use std::path::PathBuf;

/// What a build is asked to do.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The site folder (with site.toml and content/).
    pub root: PathBuf,
    /// Replaces site.toml's `base_url` when set.
    pub base_url: Option<String>,
}

/// The whole pipeline in memory (`check`, tests). Returns the site's
/// files, or `None` when there were errors (all in `diags`).
pub fn build_site(options: &BuildOptions, diags: &mut Diagnostics) -> Option<SiteOutput> {
    build_site_with(options, diags, &NoHooks)
}

/// [`build_site`], telling `hooks` of each stage.
pub fn build_site_with(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    hooks: &dyn Hooks,
) -> Option<SiteOutput> {
    let linked = link_stage(options, diags, hooks)?;
    let prepared = render::prepare(linked, diags)?;
    let output = MemoryOutput::new();
    render_and_index(&prepared, &output, diags, hooks)?;
    Some(output.into_site())
}

/// `check`: [`build_site_with`], and how much of the content is
/// translated into each language (issue #18.3), counted on the linked
/// site before it renders.
pub fn check_site_with(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    hooks: &dyn Hooks,
) -> Option<(SiteOutput, translate::units::Coverage)> {
    let linked = link_stage(options, diags, hooks)?;
    let coverage = translate::units::Coverage::of_linked_site(&linked);
    let prepared = render::prepare(linked, diags)?;
    let output = MemoryOutput::new();
    render_and_index(&prepared, &output, diags, hooks)?;
    Some((output.into_site(), coverage))
}

/// Why `build` put no new site in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildFailed {
    /// Content errors, or the site could not be written (`diags` says
    /// which): the previous output is as it was.
    OutputUnchanged,
    /// The swap failed halfway (only where folders cannot be exchanged in
    /// one step) and the previous output could not be put back: `diags`
    /// says where each site is.
    OutputDisplaced,
}

/// `build`: the whole pipeline, rendering into a staging folder beside
/// `output` chunk by chunk (the site is never all in memory) and swapping
/// it in only when everything succeeded; on any error the previous output
/// stays as it was. Returns the number of files written.
pub fn build_and_write(
    options: &BuildOptions,
    output: &write::OutputDir,
    diags: &mut Diagnostics,
) -> Result<usize, BuildFailed> {
    build_and_write_with(options, output, diags, &NoHooks)
}

/// [`build_and_write`], telling `hooks` of each stage.
pub fn build_and_write_with(
    options: &BuildOptions,
    output: &write::OutputDir,
    diags: &mut Diagnostics,
    hooks: &dyn Hooks,
) -> Result<usize, BuildFailed> {
    let unchanged = BuildFailed::OutputUnchanged;
    let at_output = || diagnostics::Location::file(output.shown());
    // First, whatever the content: a build killed before may have left
    // the output aside, and a failed build must leave a site in place.
    for (path, e) in output.recover() {
        diags.warning(Code::OutputLeftBehind,
            at_output(),
            format!(
                "{} was left by a build that was stopped, and could not be put back or removed: {e}",
                path.display()
            ),
            Some("move or delete it by hand".into()),
        );
    }
    let linked = link_stage(options, diags, hooks).ok_or(unchanged)?;
    let cannot_write = |e: &dyn std::fmt::Display, diags: &mut Diagnostics| {
        diags.error(Code::CannotWrite,
            at_output(),
            format!("cannot write the site: {e}"),
            Some("check that the output folder's parent is writable; the previous site was left as it was".into()),
        );
    };
    let staging = match write::Staging::create(output) {
        Ok(s) => s,
        Err(e) => {
            cannot_write(&e, diags);
            return Err(unchanged);
        }
    };
    let prepared = render::prepare(linked, diags).ok_or(unchanged)?;
    let files = render_and_index(&prepared, &staging, diags, hooks).ok_or(unchanged)?;
    drop(prepared);
    match stage(hooks, Stage::Write, || staging.commit()) {
        Ok(committed) => {
            if let Some((path, e)) = committed.previous_left_at {
                diags.warning(Code::OutputLeftBehind,
                    at_output(),
                    format!(
                        "the new site is in place, but the previous one could not be removed ({e}); it was left at {}",
                        path.display()
                    ),
                    Some("delete it by hand; the next build also tries to".into()),
                );
            }
            Ok(files)
        }
        Err(e @ write::SwapError::Unchanged(_)) => {
            cannot_write(&e, diags);
            Err(unchanged)
        }
        Err(e @ write::SwapError::Displaced { .. }) => {
            diags.error(
                Code::CannotWrite,
                at_output(),
                format!("cannot put the site in place: {e}"),
                Some("run the build again: it puts the new site in place first".into()),
            );
            Err(BuildFailed::OutputDisplaced)
        }
    }
}
