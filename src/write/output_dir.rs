//! Where a build may write: the output folder, resolved and checked
//! (never the sources, only a folder planpub wrote or an empty one).

use super::recover::recover_killed_builds;
use std::path::{Component, Path, PathBuf};

/// The folders of a site that hold its sources: an output inside one of
/// them would be replaced by the built site, or read back as content.
const SOURCE_FOLDERS: &[&str] = &["content", "themes", "templates", "static", "i18n"];

/// An output folder that a build may replace: resolved (symbolic links
/// followed, `.` and `..` applied) and checked by [`OutputDir::choose`].
#[derive(Clone, Debug)]
pub struct OutputDir {
    /// Where the site goes, resolved.
    pub(super) path: PathBuf,
    /// The folder as the user named it, for messages.
    pub(super) shown: PathBuf,
}

/// Why an output folder was refused (a usage error: `build` exits 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRefused {
    pub message: String,
    pub hint: String,
}

/// Whether `dir` is a site built by a planpub older than
/// [`super::OUTPUT_MARKER`]: its search manifest names planpub's index format.
/// Without this, the first build after an upgrade would refuse the
/// `public/` the previous version wrote.
fn written_by_planpub_before_the_marker(dir: &Path) -> bool {
    let manifest = dir.join("search").join("index").join("manifest.json");
    std::fs::symlink_metadata(&manifest).is_ok_and(|m| m.is_file() && m.len() < 1 << 20)
        && std::fs::read(&manifest).is_ok_and(|bytes| {
            memchr::memmem::find(&bytes, br#""format":"planpub-search""#).is_some()
        })
}

impl OutputDir {
    /// Checks that `requested` may receive the site of `root`. Refused
    /// whatever `force` says: the site folder itself, a folder it is in,
    /// a folder inside its sources (content/, themes/, templates/,
    /// static/, i18n/), and anything that is not a folder. A folder that
    /// exists is replaced only if planpub wrote it (it holds
    /// [`super::OUTPUT_MARKER`]), if it is empty, or with `force`.
    pub fn choose(root: &Path, requested: &Path, force: bool) -> Result<OutputDir, OutputRefused> {
        let shown = requested.display();
        let refuse = |message: String, hint: &str| OutputRefused {
            message,
            hint: hint.to_string(),
        };
        let cannot_resolve = |path: &Path, e: std::io::Error| {
            refuse(
                format!("cannot resolve {}: {e}", path.display()),
                "pass an --output folder that can be reached",
            )
        };
        let root_real = resolve(root).map_err(|e| cannot_resolve(root, e))?;
        let path = resolve(requested).map_err(|e| cannot_resolve(requested, e))?;
        let other_folder = "choose another folder with --output, e.g. --output public";
        if path == root_real {
            return Err(refuse(
                format!(
                    "--output {shown} is the site folder itself: building would replace site.toml and content/ with the site"
                ),
                other_folder,
            ));
        }
        if root_real.starts_with(&path) {
            return Err(refuse(
                format!(
                    "--output {shown} holds the site folder {}: building would replace it with the site",
                    root.display()
                ),
                other_folder,
            ));
        }
        if let Some(source) = SOURCE_FOLDERS
            .iter()
            .find(|f| path.starts_with(root_real.join(f)))
        {
            return Err(refuse(
                format!(
                    "--output {shown} is inside the site's {source}/ folder, which holds sources"
                ),
                other_folder,
            ));
        }
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(cannot_resolve(requested, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(refuse(
                    format!("--output {shown} is a file, not a folder; it is left as it is"),
                    "name a folder: planpub writes the site into a folder of its own",
                ));
            }
            Ok(_) => {
                let written_by_planpub = std::fs::symlink_metadata(path.join(super::OUTPUT_MARKER))
                    .is_ok_and(|m| m.is_file())
                    || written_by_planpub_before_the_marker(&path);
                if !written_by_planpub && !force {
                    let mut names: Vec<String> = std::fs::read_dir(&path)
                        .map_err(|e| cannot_resolve(requested, e))?
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    if !names.is_empty() {
                        names.sort();
                        let count = names.len();
                        names.truncate(3);
                        return Err(refuse(
                            format!(
                                "--output {shown} already holds {count} file(s) or folder(s) ({}{}) and was not written by planpub; building would delete them",
                                names.join(", "),
                                if count > 3 { ", …" } else { "" }
                            ),
                            "choose another (new or empty) folder with --output, or pass --force to replace this one and everything in it",
                        ));
                    }
                }
            }
        }
        Ok(OutputDir {
            path,
            shown: requested.to_path_buf(),
        })
    }

    /// The folder as the user named it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// The folder, resolved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes or cleans up what killed builds left beside the output
    /// (see [`recover_killed_builds`]); returns what could not be put back
    /// or removed, and why.
    pub fn recover(&self) -> Vec<(PathBuf, std::io::Error)> {
        let (Some(parent), Some(name)) = (self.path.parent(), self.path.file_name()) else {
            return Vec::new();
        };
        recover_killed_builds(parent, &name.to_string_lossy(), &self.path)
    }
}

/// `path` made absolute, with every symbolic link on the way followed and
/// `.` and `..` applied as the kernel would (a `..` after a link goes up
/// from where the link leads). The part that does not exist yet is taken
/// as written, also where a link leads to it.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    resolve_following(path, 0)
}

/// [`resolve`], `links` symbolic links deep (40 at most, as Linux allows).
fn resolve_following(path: &Path, links: usize) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut resolved = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
                exists = std::fs::symlink_metadata(&resolved).is_ok();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if !exists {
                    continue;
                }
                match std::fs::symlink_metadata(&resolved) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        if links >= 40 {
                            return Err(std::io::Error::other(format!(
                                "too many symbolic links at {}",
                                resolved.display()
                            )));
                        }
                        let target = std::fs::read_link(&resolved)?;
                        resolved.pop();
                        resolved = resolve_following(&resolved.join(target), links + 1)?;
                        exists = std::fs::symlink_metadata(&resolved).is_ok();
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => exists = false,
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(resolved)
}
