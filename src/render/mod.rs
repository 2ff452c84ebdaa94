//! Stage 4, render: every page, badge, feed and data file of the site,
//! put into an [`Output`] as it is made.
//!
//! The site is a list of [`Page`](crate::pages::Page)s; each renders on its
//! own from the linked site, so that all of them render in parallel and
//! `serve` can re-render just the pages a change touches. Nothing under
//! src/render reads or writes the file system: files go to the `Output`
//! the caller gives.
//!
//! * `bodies.rs` renders the Markdown once per build; `env.rs` holds what
//!   every page render shares and renders one page; `site.rs` renders
//!   pages into an output, checking their links as it goes.
//! * `context/` builds each template's typed context; `format.rs` and `ui.rs`
//!   format numbers and look up UI strings; `badge.rs`, `charts.rs`,
//!   `feeds.rs`, `data.rs` and `moved.rs` (old item URLs, redirect files)
//!   write the files that need no template.
//! * `clashes.rs` finds output paths two sources would write;
//!   `link_check.rs` checks every internal link.

pub mod badge;
pub mod bodies;
pub mod charts;
pub mod clashes;
pub mod collation;
pub mod context;
pub mod data;
pub mod env;
pub mod feeds;
pub mod format;
pub mod link_check;
pub mod markdown;
pub mod moved;
pub mod native;
pub mod redirect;
pub mod site;
pub mod templates;
pub mod typography;
pub mod ui;

pub use bodies::{PlanBodies, RenderedBodies, render_bodies, render_item_bodies};
pub use env::{ITEM_ROW_TEMPLATE, RenderEnv};

use crate::diagnostics::Diagnostics;
use crate::link::LinkedSite;
use crate::output::Output;
use crate::pages::{all_pages, page_output_path};
use link_check::ExpectedPaths;
use site::{PutPages, put_files, render_pages_into};
use std::sync::atomic::{AtomicBool, Ordering};
use templates::{Templates, compile_templates};

/// The linked site ready to render: its templates compiled and its
/// bodies rendered. `serve` keeps it to re-render pages after an edit.
pub struct Prepared {
    pub site: LinkedSite,
    pub templates: Templates,
    pub bodies: RenderedBodies,
}

/// Compiles the templates, checks that no two outputs share a path, and
/// renders every body. `None` when the templates do not compile.
pub fn prepare(site: LinkedSite, diags: &mut Diagnostics) -> Option<Prepared> {
    let templates = compile_templates(&site.theme.templates, diags)?;
    clashes::report_output_clashes(&site, diags);
    let bodies = render_bodies(&site);
    Some(Prepared {
        site,
        templates,
        bodies,
    })
}

/// Stage 4 entry point: every page, then the theme's static files and the
/// content's attachments, put into `output`; each HTML page's links are
/// checked as far as they can be before the whole site exists (the rest
/// is checked once the search index is in: see `pipeline`).
///
/// `alongside` runs in parallel with the rendering (the search index is
/// built there: it needs only the linked site and the bodies, and the
/// rendering leaves a core idle now and then while a thread waits on the
/// file system). It is told whether the rendering has failed, so that it
/// can stop early. Problems go to `diags`: after an error, pages are
/// still rendered, to find every error, but no longer put.
pub fn render_site<T: Send>(
    prepared: &Prepared,
    output: &dyn Output,
    diags: &mut Diagnostics,
    alongside: impl FnOnce(crate::index::Cancelled<'_>) -> T + Send,
) -> (PutPages, T) {
    let site = &prepared.site;
    let pages = all_pages(site);
    let files = clashes::static_files(site);
    // Every file the pages may link to, known before they are rendered,
    // so that each chunk's links are checked (and dropped) at once.
    let mut expected: rustc_hash::FxHashSet<String> =
        pages.iter().map(|p| page_output_path(site, *p)).collect();
    expected.extend(files.files.keys().cloned());
    let expected = ExpectedPaths(expected);
    let failed = AtomicBool::new(diags.has_errors());
    rayon::join(
        || {
            let env = RenderEnv::new(site, &prepared.templates, &prepared.bodies);
            let d = diags;
            let mut put = render_pages_into(&env, &pages, output, &expected, d);
            if !d.has_errors() {
                let base = site.config.base_path.as_str();
                put.extend(put_files(files, base, output, &expected, d));
            }
            failed.store(d.has_errors(), Ordering::Relaxed);
            put
        },
        || alongside(&|| failed.load(Ordering::Relaxed)),
    )
}
