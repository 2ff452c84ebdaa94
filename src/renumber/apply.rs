//! Carrying out a renumbering, all or nothing: every new file is written
//! into a work folder beside content/ (`.planpub-renumber/`, which the
//! loader never reads), then each changed file is moved into the work
//! folder and its new version into place, then the site is built again.
//! Any failure, or a build with errors, puts every file back.

use super::FileChange;
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::{BuildOptions, build_site};
use std::path::{Path, PathBuf};

/// The work folder, relative to the site root.
const WORK: &str = ".planpub-renumber";

/// Writes `changes` under `root`; `None` (with every file as it was) on
/// failure.
pub fn apply(
    root: &Path,
    changes: &[FileChange],
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<()> {
    let work = root.join(WORK);
    if work.exists() {
        diags.error(
            Code::CannotWrite,
            Location::file(Path::new(WORK)),
            "a renumbering seems to be under way (or was stopped): its work folder exists",
            Some(format!(
                "check that content/ is as it should be, then delete {WORK}/"
            )),
        );
        return None;
    }
    let result = swap_in(root, &work, changes, options, diags);
    if result.is_some() {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

/// The steps, each undone when a later one fails.
fn swap_in(
    root: &Path,
    work: &Path,
    changes: &[FileChange],
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> Option<()> {
    let fail = |diags: &mut Diagnostics, path: &Path, e: std::io::Error| {
        diags.error(
            Code::CannotWrite,
            Location::file(path),
            format!("cannot write: {e}; nothing was changed"),
            None,
        );
    };
    // 1. The new files, in the work folder.
    for (i, c) in changes.iter().enumerate() {
        let new = work.join("new").join(i.to_string());
        if let Err(e) = create_parent(&new).and_then(|()| std::fs::write(&new, &c.text)) {
            fail(diags, &c.path, e);
            let _ = std::fs::remove_dir_all(work);
            return None;
        }
    }
    // 2. The old files out of the way (kept until the end).
    let mut moved_out: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let old = work.join("old").join(i.to_string());
        let from = root.join(&c.path);
        if let Err(e) = create_parent(&old).and_then(|()| std::fs::rename(&from, &old)) {
            fail(diags, &c.path, e);
            put_back(&moved_out, &[]);
            let _ = std::fs::remove_dir_all(work);
            return None;
        }
        moved_out.push((old, from));
    }
    // 3. The new files into place.
    let mut placed: Vec<PathBuf> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let to = root.join(c.new_path.as_ref().unwrap_or(&c.path));
        if let Err(e) = std::fs::rename(work.join("new").join(i.to_string()), &to) {
            fail(diags, &c.path, e);
            put_back(&moved_out, &placed);
            let _ = std::fs::remove_dir_all(work);
            return None;
        }
        placed.push(to);
    }
    // 4. The renumbered site must build.
    let mut check = Diagnostics::new();
    if build_site(options, &mut check).is_none() {
        put_back(&moved_out, &placed);
        let _ = std::fs::remove_dir_all(work);
        diags.extend(check);
        diags.error(
            Code::CannotWrite,
            Location::file(Path::new("content")),
            "the renumbered site would not build (above); every file was put back as it was",
            Some("fix the problems above, or report them: renumbering a site that builds should give one that builds".into()),
        );
        return None;
    }
    Some(())
}

/// Removes the files put in place and moves the old ones back.
fn put_back(moved_out: &[(PathBuf, PathBuf)], placed: &[PathBuf]) {
    for p in placed {
        let _ = std::fs::remove_file(p);
    }
    for (backup, original) in moved_out {
        let _ = std::fs::rename(backup, original);
    }
}

fn create_parent(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p),
        None => Ok(()),
    }
}
