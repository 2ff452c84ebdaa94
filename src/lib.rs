//! planpub: a static site generator for government work plans.
//!
//! A build is a pipeline, one module a stage, each handing the next a new
//! type:
//!
//! ```text
//! load      LoadedSite      files read from disk            (src/load.rs)
//! validate  ValidatedSite   typed, checked content          (src/validate.rs)
//! link      LinkedSite      cross-links, progress, URLs     (src/link.rs)
//! render    RenderedSite    pages, badges, feeds, data      (src/render/)
//! index     SiteOutput      + search index shards           (src/index/)
//! write     public/         swapped in atomically           (src/write.rs)
//! ```
//!
//! [`build_site`] reads as that list. Only `load` and `write` touch the
//! disk; everything between is pure, which is what `serve` relies on to
//! rebuild in memory.

pub mod config;
pub mod diagnostics;
pub mod import;
pub mod index;
pub mod indexing;
pub mod init;
pub mod link;
pub mod load;
pub mod progress;
pub mod render;
pub mod serve;
pub mod toml_fields;
pub mod translate;
pub mod validate;
pub mod write;

use diagnostics::Diagnostics;
use render::SiteOutput;
use std::path::{Path, PathBuf};

/// What a build is asked to do.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The site folder (with site.toml and content/).
    pub root: PathBuf,
    /// Replaces site.toml's `base_url` when set.
    pub base_url: Option<String>,
}

/// load → validate → link: the content, checked and cross-linked.
fn link_stage(options: &BuildOptions, diags: &mut Diagnostics) -> Option<link::LinkedSite> {
    let t = diagnostics::stage_timer("load");
    let mut loaded = load::load_site(&options.root, diags)?;
    apply_base_url(&mut loaded.config, options, diags)?;
    drop(t);
    let t = diagnostics::stage_timer("validate");
    let validated = validate::validate_site(loaded, diags)?;
    drop(t);
    let _t = diagnostics::stage_timer("link");
    Some(link::link_site(validated))
}

/// Runs load → validate → link → render → index, in memory (`check`,
/// tests). Returns the site's files, or `None` when there were errors
/// (all in `diags`).
pub fn build_site(options: &BuildOptions, diags: &mut Diagnostics) -> Option<SiteOutput> {
    check_site(options, diags).map(|(output, _)| output)
}

/// `check`: [`build_site`], and how much of the content is translated
/// (issue #18.3), counted on the linked site before it renders.
pub fn check_site(
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<(SiteOutput, translate::units::Coverage)> {
    let linked = link_stage(options, diags)?;
    let coverage = translate::units::Coverage::of_linked_site(&linked);
    let t = diagnostics::stage_timer("render");
    let rendered = render::render_site(linked, diags)?;
    drop(t);
    let _t = diagnostics::stage_timer("index");
    Some((indexing::index_site(rendered, diags)?, coverage))
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
    let unchanged = BuildFailed::OutputUnchanged;
    let at_output = || diagnostics::Location::file(output.shown());
    // First, whatever the content: a build killed before may have left
    // the output aside, and a failed build must leave a site in place.
    for (path, e) in output.recover() {
        diags.warning(
            at_output(),
            format!(
                "{} was left by a build that was stopped, and could not be put back or removed: {e}",
                path.display()
            ),
            Some("move or delete it by hand".into()),
        );
    }
    let linked = link_stage(options, diags).ok_or(unchanged)?;
    // The binary allocates with mimalloc, which keeps freed pages for a
    // while: hand back what loading and validating freed before rendering
    // allocates its own (otherwise both count in the peak).
    // SAFETY: no arguments but a flag; harmless when mimalloc is not the
    // global allocator (its heaps are then empty).
    unsafe { libmimalloc_sys::mi_collect(true) };
    let cannot_write = |e: &dyn std::fmt::Display, diags: &mut Diagnostics| {
        diags.error(
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
    let t = diagnostics::stage_timer("render");
    // The search index is built while the pages render (it needs only the
    // linked site and the bodies); the index stage writes it and finishes
    // the link check.
    let (written, index) =
        render::render_site_to(linked, &staging, diags, |site, bodies, cancelled| {
            indexing::IndexInputs::new(site, bodies).build_unless(cancelled)
        })
        .ok_or(unchanged)?;
    // Only a failed rendering cancels the index, and that returned above.
    let index = index.ok_or(unchanged)?;
    drop(t);
    let t = diagnostics::stage_timer("index");
    let files = indexing::finish_written_site(written, index, &staging, diags).ok_or(unchanged)?;
    drop(t);
    let _t = diagnostics::stage_timer("write");
    match staging.commit() {
        Ok(committed) => {
            if let Some((path, e)) = committed.previous_left_at {
                diags.warning(
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
                at_output(),
                format!("cannot put the site in place: {e}"),
                Some("run the build again: it puts the new site in place first".into()),
            );
            Err(BuildFailed::OutputDisplaced)
        }
    }
}

fn apply_base_url(
    config: &mut config::SiteConfig,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<()> {
    if let Some(url) = &options.base_url
        && let Err(msg) = config.set_base_url(url)
    {
        diags.error(
            diagnostics::Location::file(Path::new("--base-url")),
            msg,
            Some("pass a full URL such as https://example.gov.cn/plan/".into()),
        );
        return None;
    }
    Some(())
}
