//! `planpub serve` (issue 6): incremental rebuilds equal clean builds, and
//! the running server follows edits, errors, deletions and renames without
//! ever serving a file from outside the output.
//!
//! `session.rs` drives the incremental rebuild through the library;
//! `server.rs` runs the binary and talks HTTP to it; `storm.rs` edits fast
//! and at random, through both.

mod server;
mod session;
mod storm;

use crate::common::TestSite;
use planpub::diagnostics::Diagnostics;
use planpub::serve::session::Session;
use planpub::{BuildOptions, build_site};
use std::path::{Path, PathBuf};

/// The frozen 2023 plan (content, site.toml, theme) in a temp dir.
pub(super) fn shipped_site() -> TestSite {
    TestSite::plan2023()
}

pub(super) fn item_file(root: &Path, number: u32) -> PathBuf {
    for section in std::fs::read_dir(root.join("content/2023")).unwrap() {
        let section = section.unwrap().path();
        if !section.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&section).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(&format!("{number:02}-")) && !name.ends_with(".en.md") {
                return f;
            }
        }
    }
    panic!("no item {number}");
}

pub(super) fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

pub(super) fn clean_build(root: &Path, base_url: &str, step: &str) -> planpub::output::SiteOutput {
    let mut diags = Diagnostics::new();
    build_site(
        &BuildOptions {
            root: root.to_path_buf(),
            base_url: Some(base_url.into()),
        },
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{step}: clean build failed:\n{}", diags.render()))
}

/// Asserts the session's in-memory site equals a clean build, file by file.
pub(super) fn assert_same_as_clean_build(
    session: &Session,
    root: &Path,
    base_url: &str,
    step: &str,
) {
    let clean = clean_build(root, base_url, step);
    let served = session.output.read().unwrap();
    let only_clean: Vec<&String> = clean
        .files
        .keys()
        .filter(|k| !served.files.contains_key(*k))
        .collect();
    let only_served: Vec<&String> = served
        .files
        .keys()
        .filter(|k| !clean.files.contains_key(*k))
        .collect();
    let differ: Vec<&String> = clean
        .files
        .iter()
        .filter(|(k, v)| served.files.get(*k).is_some_and(|s| s != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_clean.is_empty() && only_served.is_empty() && differ.is_empty(),
        "{step}: incremental ≠ clean build\nonly in clean: {only_clean:?}\nonly in served: {only_served:?}\ndiffer: {differ:?}"
    );
}

/// The basic fixture (with the repository's theme) in a temp dir.
pub(super) fn basic_site() -> TestSite {
    TestSite::fixture("basic")
}

/// The diagnostics a clean build of `root` reports, and whether it failed.
pub(super) fn clean_build_diagnostics(root: &Path, base_url: &str) -> (String, bool) {
    let mut diags = Diagnostics::new();
    let failed = build_site(
        &BuildOptions {
            root: root.to_path_buf(),
            base_url: Some(base_url.into()),
        },
        &mut diags,
    )
    .is_none();
    (diags.render(), failed)
}
