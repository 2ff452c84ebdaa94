//! Stage 6, write: put the site on disk atomically.
//!
//! The site is written into a fresh folder beside the output, and swapped
//! in only when every file was written: a failed build never touches the
//! previous site, and readers never see half a site.
//!
//! Architecture invariant: nothing writes into the output folder in place.

use crate::render::SiteOutput;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `output` to `dest` via a sibling staging folder and a rename.
pub fn write_site(output: &SiteOutput, dest: &Path) -> std::io::Result<()> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent)?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.planpub-new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.planpub-old-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = write_tree(output, &staging).and_then(|()| swap_in(&staging, dest, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Whether an output path stays inside the output folder: relative, and
/// made of plain segments only.
pub fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        && !path.contains('\\')
}

fn write_tree(output: &SiteOutput, root: &Path) -> std::io::Result<()> {
    if let Some(bad) = output.files.keys().find(|p| !is_contained(p)) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("refusing to write `{bad}` outside the output folder"),
        ));
    }
    std::fs::create_dir_all(root)?;
    // Folders first (in order, once each), then the files in parallel.
    let mut dirs: Vec<PathBuf> = output
        .files
        .keys()
        .filter_map(|p| Path::new(p).parent().map(|d| root.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    output.files.par_iter().try_for_each(|(path, bytes)| {
        let mut f = std::fs::File::create(root.join(path))?;
        f.write_all(bytes)
    })
}

fn swap_in(staging: &Path, dest: &Path, retired: &Path) -> std::io::Result<()> {
    if dest.exists() {
        std::fs::rename(dest, retired)?;
        if let Err(e) = std::fs::rename(staging, dest) {
            let _ = std::fs::rename(retired, dest);
            return Err(e);
        }
        std::fs::remove_dir_all(retired)?;
    } else {
        std::fs::rename(staging, dest)?;
    }
    Ok(())
}
