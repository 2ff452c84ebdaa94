//! The site with the new round, built in memory before the round is
//! written: whatever the round would break at build time (an update on a
//! date the item's own front matter already has, a date after an item's
//! `due`) is reported now, and the file is not left behind.

use crate::diagnostics::{Diagnostics, Severity};
use crate::load::{DocumentKind, SourceDocument};
use crate::output::MemoryOutput;
use crate::pipeline::{NoHooks, render_and_index};
use crate::sheet::{Failure, Problem};
use std::path::Path;

/// Builds the site at `root` with `text` as the round file `rel` (added,
/// or in place of the file there); the warnings the round causes go into
/// `diags`, and every error with a failure.
pub(super) fn build_with_round(
    root: &Path,
    rel: &Path,
    plan: &str,
    text: &str,
    diags: &mut Diagnostics,
) -> Result<(), Failure> {
    let mut build_diags = Diagnostics::new();
    let built = crate::load::load_site(root, &mut build_diags).and_then(|mut loaded| {
        loaded.documents.retain(|d| d.path != rel);
        loaded.documents.push(SourceDocument {
            path: rel.to_path_buf(),
            kind: DocumentKind::Round,
            plan: plan.to_string(),
            section_dir: None,
            stem: rel
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            language: loaded.config.default_language.clone(),
            text: text.to_string(),
        });
        let validated = crate::validate::validate_site(loaded, &mut build_diags)?;
        let linked = crate::link::link_site(validated);
        let prepared = crate::render::prepare(linked, &mut build_diags)?;
        render_and_index(&prepared, &MemoryOutput::new(), &mut build_diags, &NoHooks)
    });
    // The round's warnings: at its lines, or elsewhere naming it (an
    // item's own `status` the round's newer one contradicts).
    let named = rel.display().to_string();
    for d in build_diags.iter() {
        if d.severity == Severity::Error || d.path == rel || d.message.contains(&named) {
            diags.push(d.clone());
        }
    }
    if built.is_some() && !build_diags.has_errors() {
        return Ok(());
    }
    Err(Failure::content(vec![Problem::new(
        &rel.display().to_string(),
        "the site does not build with this round (the errors above): it was not written",
        "correct the sheet (or the item files the errors name), then import again",
    )]))
}
