//! The one pipeline of `build`, `check` and `serve`:
//! load → validate → link → render → index → (link check), with the site's
//! files put into an [`Output`] the caller chooses (the staging folder
//! for `build`, memory for `check`, `serve` and the tests).
//!
//! [`Hooks`] let the binary watch the stages (`PLANPUB_TIMINGS`) and act
//! between them (handing memory back to the allocator) without the
//! library reading the clock or printing.

use crate::diagnostics::{Code, Diagnostics, Location};
use crate::indexing::IndexInputs;
use crate::link::LinkedSite;
use crate::output::Output;
use crate::render::Prepared;
use crate::{BuildOptions, link, load, render, validate};
use rayon::prelude::*;
use std::path::Path;

/// A step of the pipeline, for [`Hooks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Load,
    Validate,
    Link,
    Render,
    /// The search index, and the link check that needs every file.
    Index,
    /// Swapping the built site in place.
    Write,
    /// `serve`: parsing every file's front matter (`build` does it
    /// within validate).
    Parse,
    /// `serve`: putting an edit's parsed files together again.
    Reassemble,
    /// `serve`: the link check of an incremental rebuild.
    LinkCheck,
    /// `serve`: looking at every source for a change the watcher missed.
    Look,
}

impl Stage {
    /// The stage's name, as `PLANPUB_TIMINGS` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Validate => "validate",
            Stage::Link => "link",
            Stage::Render => "render",
            Stage::Index => "index",
            Stage::Write => "write",
            Stage::Parse => "s:parse",
            Stage::Reassemble => "s:assemble",
            Stage::LinkCheck => "s:linkcheck",
            Stage::Look => "s:look",
        }
    }
}

/// What the caller is told as stages start and finish. Every method does
/// nothing by default.
pub trait Hooks: Sync {
    fn stage_started(&self, _stage: Stage) {}
    fn stage_finished(&self, _stage: Stage) {}
}

/// No hooks.
pub struct NoHooks;

impl Hooks for NoHooks {}

/// Runs `f` as `stage`, between the hooks' calls.
pub fn stage<T>(hooks: &dyn Hooks, stage: Stage, f: impl FnOnce() -> T) -> T {
    hooks.stage_started(stage);
    let out = f();
    hooks.stage_finished(stage);
    out
}

/// load → validate → link: the content, checked and cross-linked.
pub fn link_stage(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    hooks: &dyn Hooks,
) -> Option<LinkedSite> {
    let mut loaded = stage(hooks, Stage::Load, || load::load_site(&options.root, diags))?;
    apply_base_url(&mut loaded.config, options.base_url.as_deref(), diags)?;
    let validated = stage(hooks, Stage::Validate, || {
        validate::validate_site(loaded, diags)
    })?;
    Some(stage(hooks, Stage::Link, || link::link_site(validated)))
}

/// render → index → link check: every file of the site put into `output`,
/// the search index built beside the pages. Returns the number of files,
/// or `None` when there were errors (all in `diags`).
pub fn render_and_index(
    prepared: &Prepared,
    output: &dyn Output,
    diags: &mut Diagnostics,
    hooks: &dyn Hooks,
) -> Option<usize> {
    let (put, index_paths) = stage(hooks, Stage::Render, || {
        render::render_site(prepared, output, diags, |cancelled| {
            let index =
                IndexInputs::new(&prepared.site, &prepared.bodies).build_unless(cancelled)?;
            // Put as soon as it is built, while pages still render: its
            // 10,000 files at 10,000 items are a fifth of the site's.
            Some(
                index
                    .files
                    .into_par_iter()
                    .map(|(path, bytes)| output.put(&path, bytes).map(|()| path))
                    .collect::<std::io::Result<Vec<String>>>(),
            )
        })
    });
    if diags.has_errors() {
        return None;
    }
    // Only a failed rendering cancels the index, and that returned above.
    let index_paths = index_paths?;
    stage(hooks, Stage::Index, || {
        let mut paths = put.paths;
        match index_paths {
            Ok(index_paths) => paths.extend(index_paths),
            Err(e) => {
                diags.error(
                    Code::CannotWrite,
                    Location::file(Path::new("public")),
                    format!("cannot write the site: {e}"),
                    None,
                );
                return None;
            }
        }
        render::link_check::verify_put_links(&prepared.site, put.links, &paths, diags);
        (!diags.has_errors()).then_some(paths.len())
    })
}

/// load → validate for the tools beside the pipeline (`translate`,
/// `progress`): the validated site, or `None` with only its errors added
/// to `diags` (its warnings, missing translations among them, are what
/// those tools are for).
pub fn validate_without_errors(
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<crate::validate::ValidatedSite> {
    let mut site_diags = Diagnostics::new();
    let site = load::load_site(root, &mut site_diags)
        .and_then(|loaded| validate::validate_site(loaded, &mut site_diags));
    match site {
        Some(site) if !site_diags.has_errors() => Some(site),
        _ => {
            for d in site_diags
                .iter()
                .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            {
                diags.push(d.clone());
            }
            None
        }
    }
}

/// Replaces site.toml's base URL with `--base-url`'s, if given.
pub fn apply_base_url(
    config: &mut crate::config::SiteConfig,
    base_url: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<()> {
    if let Some(url) = base_url
        && let Err(msg) = config.set_base_url(url)
    {
        diags.error(
            Code::BadBaseUrl,
            Location::file(Path::new("--base-url")),
            msg,
            Some("pass a full URL such as https://example.gov.cn/plan/".into()),
        );
        return None;
    }
    Some(())
}
