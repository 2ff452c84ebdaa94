//! What builds that were killed left beside the output: finished (a
//! whole staged site put in place) or removed.

use super::OUTPUT_MARKER;
use std::path::{Path, PathBuf};

/// `parent`, and the name the previous output takes during the swap.
pub(super) fn staging_names(parent: &Path, name: &str, pid: u32) -> (PathBuf, PathBuf) {
    (
        parent.join(format!(".{name}.planpub-new-{pid}")),
        parent.join(format!(".{name}.planpub-old-{pid}")),
    )
}

/// Finishes or cleans up what builds that were killed (their process is
/// gone) left beside the output `dest`: a staging folder, or the previous
/// output moved aside for the swap. If the output is missing (a build was
/// killed between the two renames of the fallback swap), a complete staged
/// site (one holding [`OUTPUT_MARKER`]) is put in its place, else the
/// previous output; everything else they left is removed. Folders of
/// builds still running are left alone.
///
/// Returns what could not be put back or removed, and why: the build goes
/// on without it.
pub fn recover_killed_builds(
    parent: &Path,
    name: &str,
    dest: &Path,
) -> Vec<(PathBuf, std::io::Error)> {
    let mut left = Vec::new();
    let entries = match std::fs::read_dir(parent) {
        Ok(e) => e,
        Err(e) => {
            left.push((parent.to_path_buf(), e));
            return left;
        }
    };
    let prefix = format!(".{name}.planpub-");
    let mut staged: Vec<PathBuf> = Vec::new();
    let mut previous: Vec<PathBuf> = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let (list, pid) = if let Some(pid) = rest.strip_prefix("new-") {
            (&mut staged, pid)
        } else if let Some(pid) = rest.strip_prefix("old-") {
            (&mut previous, pid)
        } else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        // Our own PID cannot be another live build's: a folder with it
        // was left by a process that had it before.
        if pid != std::process::id() && process_is_alive(pid) {
            continue;
        }
        list.push(entry.path());
    }
    staged.sort();
    previous.sort();
    if std::fs::symlink_metadata(dest).is_err() {
        let complete = staged
            .iter()
            .position(|dir| std::fs::symlink_metadata(dir.join(OUTPUT_MARKER)).is_ok());
        let back = match complete {
            Some(i) => Some(staged.remove(i)),
            None => (!previous.is_empty()).then(|| previous.remove(0)),
        };
        if let Some(back) = back
            && let Err(e) = std::fs::rename(&back, dest)
        {
            left.push((back, e));
        }
    }
    for dir in staged.iter().chain(&previous) {
        match std::fs::remove_dir_all(dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => left.push((dir.clone(), e)),
            _ => {}
        }
    }
    left
}

/// Whether a process with this id runs (or may run: a process of another
/// user counts as running).
#[cfg(unix)]
fn process_is_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// Without a way to ask, every other build counts as running: its folders
/// are left for it (or for the user).
#[cfg(not(unix))]
fn process_is_alive(_pid: u32) -> bool {
    true
}
