//! Stage 6, write: put the site on disk atomically.
//!
//! The site is written into a fresh staging folder beside the output, and
//! swapped in only when every file was written and every check passed: a
//! failed build never touches the previous site, and readers never see
//! half a site. `build` writes pages into the staging folder as they are
//! rendered, so the whole site is never held in memory. On a rebuild,
//! files whose bytes did not change are hard-linked from the previous
//! output rather than written again.
//!
//! Architecture invariant: nothing writes into the output folder in place.

mod output_dir;
mod recover;
mod reuse;
mod staging;

pub use output_dir::{OutputDir, OutputRefused, resolve};
pub use recover::recover_killed_builds;
pub use staging::{Committed, Staging, SwapError};

use crate::output::SiteOutput;
use std::path::Path;

/// The file every built site holds at its top: a folder with it was
/// written by planpub, and the next build may replace it whole. It is
/// written last, when the site is complete, so a staging folder a killed
/// build left is complete exactly when it holds this file.
pub const OUTPUT_MARKER: &str = ".planpub-output";

/// What the marker file says.
const MARKER_TEXT: &str = "This folder was written by planpub. `planpub build` replaces it whole: \
                           do not keep other files here.\n";

/// Writes an in-memory site to `dest` via a staging folder and a swap.
pub fn write_site(output: &SiteOutput, dest: &OutputDir) -> Result<Committed, SwapError> {
    let staging = Staging::create(dest).map_err(SwapError::Unchanged)?;
    staging.write_files(output).map_err(SwapError::Unchanged)?;
    staging.commit()
}

pub fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        && !path.contains('\\')
}
