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

use crate::output::{Output, SiteOutput};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The file every built site holds at its top: a folder with it was
/// written by planpub, and the next build may replace it whole. It is
/// written last, when the site is complete, so a staging folder a killed
/// build left is complete exactly when it holds this file.
pub const OUTPUT_MARKER: &str = ".planpub-output";

const MARKER_TEXT: &str = "This folder was written by planpub. `planpub build` replaces it whole: \
                           do not keep other files here.\n";

/// The folders of a site that hold its sources: an output inside one of
/// them would be replaced by the built site, or read back as content.
const SOURCE_FOLDERS: &[&str] = &["content", "themes", "templates", "static", "i18n"];

/// An output folder that a build may replace: resolved (symbolic links
/// followed, `.` and `..` applied) and checked by [`OutputDir::choose`].
#[derive(Clone, Debug)]
pub struct OutputDir {
    /// Where the site goes, resolved.
    path: PathBuf,
    /// The folder as the user named it, for messages.
    shown: PathBuf,
}

/// Why an output folder was refused (a usage error: `build` exits 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRefused {
    pub message: String,
    pub hint: String,
}

/// Whether `dir` is a site built by a planpub older than
/// [`OUTPUT_MARKER`]: its search manifest names planpub's index format.
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
    /// [`OUTPUT_MARKER`]), if it is empty, or with `force`.
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
                let written_by_planpub = std::fs::symlink_metadata(path.join(OUTPUT_MARKER))
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

/// A staging folder beside the output. Dropped without [`Staging::commit`]
/// (an error, a failed check), it is removed and the output is untouched.
pub struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    /// The output as it was when the build started, if there was one: a
    /// file whose bytes are unchanged is hard-linked from there instead of
    /// written again (see [`Staging::put`]).
    previous: Option<Previous>,
    /// Folders created so far (each is created once).
    made: Mutex<HashSet<PathBuf>>,
    /// Swapped in (or left for the next build to finish): not removed
    /// when dropped.
    kept: bool,
}

/// How the site was swapped in.
#[derive(Debug)]
pub struct Committed {
    /// The previous output, when it could not be removed after the swap:
    /// where it was left, and why. The new site is in place all the same.
    pub previous_left_at: Option<(PathBuf, std::io::Error)>,
}

/// Why the staged site could not be swapped in.
#[derive(Debug)]
pub enum SwapError {
    /// The output is as it was.
    Unchanged(std::io::Error),
    /// The previous output was moved aside and could not be put back (only
    /// where folders cannot be exchanged in one step): it is at
    /// `previous_at`, the new site at `staged_at`; the next build puts a
    /// site back in place.
    Displaced {
        error: std::io::Error,
        previous_at: PathBuf,
        staged_at: PathBuf,
    },
}

impl std::fmt::Display for SwapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SwapError::Unchanged(e) => write!(f, "{e}"),
            SwapError::Displaced {
                error,
                previous_at,
                staged_at,
            } => write!(
                f,
                "{error}; the previous site was moved to {} and could not be put back; the new site is at {}",
                previous_at.display(),
                staged_at.display()
            ),
        }
    }
}

impl Staging {
    /// A new staging folder beside `dest` (call [`OutputDir::recover`]
    /// first).
    pub fn create(dest: &OutputDir) -> std::io::Result<Staging> {
        let dest = &dest.path;
        let parent = dest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&parent)?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let (dir, retired) = staging_names(&parent, &name, std::process::id());
        if std::fs::symlink_metadata(&dir).is_ok() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let previous = std::fs::symlink_metadata(dest)
            .is_ok_and(|m| m.is_dir())
            .then(|| Previous::open(dest))
            .flatten();
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            retired,
            previous,
            made: Mutex::new(HashSet::new()),
            kept: false,
        })
    }
    /// Writes files into the staging folder, in parallel.
    pub fn write_files(&self, output: &SiteOutput) -> std::io::Result<()> {
        if let Some(bad) = output.files.keys().find(|p| !is_contained(p)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write `{bad}` outside the output folder"),
            ));
        }
        let mut dirs: Vec<PathBuf> = output
            .files
            .keys()
            .filter_map(|p| Path::new(p).parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        {
            let mut made = self.made.lock().expect("staging folders");
            for d in dirs {
                if made.insert(d.clone()) {
                    std::fs::create_dir_all(self.dir.join(d))?;
                }
            }
        }
        output
            .files
            .par_iter()
            .try_for_each(|(path, bytes)| self.put(path, bytes))
    }

    /// Puts one file (its folder exists) into the staging folder: a hard
    /// link to the previous output's file when that holds the same bytes,
    /// else a new file.
    ///
    /// On a rebuild most files are unchanged. Linking them costs a
    /// directory entry instead of a new inode and its data, and it makes
    /// removing the old output after the swap cheap: its files' data stay
    /// (the new output holds them), so only names are removed. Deleting
    /// the 52,000 files of a 10,000-item plan took 14 s on this machine's
    /// disk, longer than building it. Unchanged files also keep their
    /// modification time, so web servers' Last-Modified and ETag stay the
    /// same for pages that did not change.
    ///
    /// The previous output is only read: a failed build still leaves it as
    /// it was. For that, a staged name is never opened for writing once it
    /// exists (it may be a link into the previous output): a path put
    /// twice gets a new file the second time.
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.dir.join(path);
        if let Some(previous) = &self.previous {
            let old = previous.path.join(path);
            if let Some(reusable) = identity_if_holds(previous, path, bytes)
                && link_if_same(&old, &target, &reusable)?
            {
                return Ok(());
            }
        }
        let create = || {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
        };
        let mut f = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&target)?;
                create()?
            }
            other => other?,
        };
        f.write_all(bytes)
    }

    /// Writes one file into the staging folder (callable from many
    /// threads at once), creating its folder the first time.
    pub fn write_file(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        if !is_contained(path) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write `{path}` outside the output folder"),
            ));
        }
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            // Created outside the lock (an item's folder is new for
            // nearly every page); creating a folder twice is harmless.
            let known = self.made.lock().expect("staging folders").contains(parent);
            if !known {
                std::fs::create_dir_all(self.dir.join(parent))?;
                self.made
                    .lock()
                    .expect("staging folders")
                    .insert(parent.to_path_buf());
            }
        }
        self.put(path, bytes)
    }

    /// Swaps the staging folder in for the output. At every instant the
    /// output holds either the previous site or the new one: the two
    /// folders are exchanged in one step (`renameat2` with
    /// `RENAME_EXCHANGE`, Linux 3.15 and later on most file systems).
    /// Elsewhere the previous output is renamed aside and the new one into
    /// its place; a build killed between the two renames leaves both
    /// folders, and the next build puts the new site in place (its
    /// staging folder holds [`OUTPUT_MARKER`], written before the swap).
    pub fn commit(self) -> Result<Committed, SwapError> {
        self.commit_with(swap::exchange, |dir| std::fs::remove_dir_all(dir))
    }

    /// [`Staging::commit`] with the exchange and the removal of the
    /// previous output given (the tests make them fail).
    fn commit_with(
        mut self,
        exchange: impl Fn(&Path, &Path) -> std::io::Result<bool>,
        remove: impl Fn(&Path) -> std::io::Result<()>,
    ) -> Result<Committed, SwapError> {
        std::fs::write(self.dir.join(OUTPUT_MARKER), MARKER_TEXT).map_err(SwapError::Unchanged)?;
        if std::fs::symlink_metadata(&self.dest).is_err() {
            std::fs::rename(&self.dir, &self.dest).map_err(SwapError::Unchanged)?;
            self.kept = true;
            return Ok(Committed {
                previous_left_at: None,
            });
        }
        if exchange(&self.dir, &self.dest).map_err(SwapError::Unchanged)? {
            // The staging name now holds the previous site: give it the
            // name that says so, then remove it.
            self.kept = true;
            let previous = match std::fs::rename(&self.dir, &self.retired) {
                Ok(()) => self.retired.clone(),
                Err(_) => self.dir.clone(),
            };
            return Ok(Committed {
                previous_left_at: remove(&previous).err().map(|e| (previous, e)),
            });
        }
        std::fs::rename(&self.dest, &self.retired).map_err(SwapError::Unchanged)?;
        if let Err(error) = std::fs::rename(&self.dir, &self.dest) {
            return match std::fs::rename(&self.retired, &self.dest) {
                Ok(()) => Err(SwapError::Unchanged(error)),
                Err(_) => {
                    self.kept = true;
                    Err(SwapError::Displaced {
                        error,
                        previous_at: self.retired.clone(),
                        staged_at: self.dir.clone(),
                    })
                }
            };
        }
        self.kept = true;
        Ok(Committed {
            previous_left_at: remove(&self.retired)
                .err()
                .map(|e| (self.retired.clone(), e)),
        })
    }
}

impl Output for Staging {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.write_file(path, &bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes an in-memory site to `dest` via a staging folder and a swap.
pub fn write_site(output: &SiteOutput, dest: &OutputDir) -> Result<Committed, SwapError> {
    let staging = Staging::create(dest).map_err(SwapError::Unchanged)?;
    staging.write_files(output).map_err(SwapError::Unchanged)?;
    staging.commit()
}

/// The staging folder of process `pid` for the output `name` in
/// `parent`, and the name the previous output takes during the swap.
fn staging_names(parent: &Path, name: &str, pid: u32) -> (PathBuf, PathBuf) {
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

/// Exchanging two folders in one step.
mod swap {
    use std::path::Path;

    /// Set (to anything) to swap with two renames, as where the kernel
    /// cannot exchange folders: the tests cover that way with it.
    pub const NO_EXCHANGE_VAR: &str = "PLANPUB_NO_RENAME_EXCHANGE";

    /// Exchanges `a` and `b` (both exist) in one step. `Ok(false)` when
    /// the system or the file system cannot, or `PLANPUB_NO_RENAME_EXCHANGE`
    /// is set: nothing was changed.
    #[cfg(target_os = "linux")]
    pub fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        if std::env::var_os(NO_EXCHANGE_VAR).is_some() {
            return Ok(false);
        }
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            // No renameat2 (before Linux 3.15, some sandboxes), or a file
            // system without RENAME_EXCHANGE.
            Err(Errno::NOSYS | Errno::INVAL | Errno::NOTSUP | Errno::PERM) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
        let _ = NO_EXCHANGE_VAR;
        Ok(false)
    }
}

/// The output folder as it was when the build started.
struct Previous {
    path: PathBuf,
    /// Opened once: files are looked up beneath it (see [`beneath`];
    /// elsewhere than on unix, no file is reused).
    #[cfg_attr(not(unix), allow(dead_code))]
    dir: std::fs::File,
}

impl Previous {
    fn open(path: &Path) -> Option<Previous> {
        Some(Previous {
            path: path.to_path_buf(),
            dir: std::fs::File::open(path).ok()?,
        })
    }
}

/// A previous file found to hold the wanted bytes. It stays open until it
/// is linked, so that its inode cannot be freed and given to another file
/// in between.
struct Reusable {
    id: FileId,
    _open: std::fs::File,
}

/// Hard-links `old` at `target` if `old` is still the file that was
/// compared. The name was looked up twice (to compare the bytes, to link):
/// if another file took it in between, or the file got a third name (a
/// `cp -al` backup would then share the new output's inode), the link is
/// removed and `false` returned, so the caller writes the bytes instead.
fn link_if_same(old: &Path, target: &Path, reusable: &Reusable) -> std::io::Result<bool> {
    if std::fs::hard_link(old, target).is_err() {
        return Ok(false);
    }
    let linked = std::fs::symlink_metadata(target)
        .ok()
        .is_some_and(|m| id_of(&m) == reusable.id && names(&m) == 2);
    if !linked {
        std::fs::remove_file(target)?;
    }
    Ok(linked)
}

/// A file's identity: device and inode, with size and modification time
/// (which linking does not change).
type FileId = (u64, u64, u64, i64, i64);

#[cfg(unix)]
fn id_of(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
    )
}

#[cfg(not(unix))]
fn id_of(_meta: &std::fs::Metadata) -> FileId {
    (0, 0, 0, 0, 0)
}

/// How many names (hard links) a file has.
fn names(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    return std::os::unix::fs::MetadataExt::nlink(meta);
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

/// The file at `path` under the previous output, if it is a regular file
/// (not a symbolic link, nor reached through one) with no other name,
/// whose content is `bytes`. A file with other names (a backup made with
/// `cp -al`, a snapshot) is not reused: the new output's file would share
/// their inode. The checks are made on the opened file, so they all speak
/// of the file whose bytes were compared.
#[cfg(unix)]
fn identity_if_holds(root: &Previous, path: &str, bytes: &[u8]) -> Option<Reusable> {
    use std::io::Read;
    // Cheap refusals first: most files of a rebuild that changed differ in
    // size, and stat is cheaper than open.
    let meta = std::fs::symlink_metadata(root.path.join(path)).ok()?;
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return None;
    }
    let mut f = beneath::open(&root.dir, path)?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || names(&meta) != 1 || meta.len() != bytes.len() as u64 {
        return None;
    }
    // One byte more than expected, to see a file that grew since.
    let mut content = Vec::with_capacity(bytes.len() + 1);
    (&mut f)
        .take(bytes.len() as u64 + 1)
        .read_to_end(&mut content)
        .ok()?;
    (content == bytes).then(|| Reusable {
        id: id_of(&meta),
        _open: f,
    })
}

#[cfg(not(unix))]
fn identity_if_holds(_root: &Previous, _path: &str, _bytes: &[u8]) -> Option<Reusable> {
    None
}

/// Opening a file below a folder without following any symbolic link on
/// the way (a folder linked into the previous output must not lead out of
/// it). Non-blocking, so a FIFO put in a file's place cannot hang the
/// build (it is then refused as not a regular file).
#[cfg(unix)]
mod beneath {
    use rustix::fs::{Mode, OFlags};
    use std::fs::File;

    const FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::CLOEXEC)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::NONBLOCK);

    /// `dir/path` (a relative path of plain `/`-separated names), or `None`
    /// if it does not exist, is not readable, or a symbolic link is on the
    /// way. One openat2 call on Linux 5.6 and later; elsewhere, and where
    /// openat2 is refused (older kernels, some seccomp profiles), one
    /// openat per name.
    pub fn open(dir: &File, path: &str) -> Option<File> {
        plain_names(path)?;
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::ResolveFlags;
            use rustix::io::Errno;
            use std::sync::atomic::{AtomicBool, Ordering};
            static UNSUPPORTED: AtomicBool = AtomicBool::new(false);
            if !UNSUPPORTED.load(Ordering::Relaxed) {
                let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
                match rustix::fs::openat2(dir, path, FLAGS, Mode::empty(), resolve) {
                    Ok(fd) => return Some(File::from(fd)),
                    Err(Errno::NOSYS | Errno::PERM | Errno::TOOBIG) => {
                        UNSUPPORTED.store(true, Ordering::Relaxed);
                    }
                    Err(_) => return None,
                }
            }
        }
        open_walking(dir, path)
    }

    /// The names of `path`, if none is empty, `.` or `..`.
    fn plain_names(path: &str) -> Option<Vec<&str>> {
        let names: Vec<&str> = path.split('/').collect();
        names
            .iter()
            .all(|name| !name.is_empty() && *name != "." && *name != "..")
            .then_some(names)
    }

    /// One openat per name, each refusing a symbolic link.
    pub(super) fn open_walking(dir: &File, path: &str) -> Option<File> {
        let names = plain_names(path)?;
        let mut here: Option<File> = None;
        for (i, name) in names.iter().enumerate() {
            let flags = if i + 1 == names.len() {
                FLAGS
            } else {
                FLAGS | OFlags::DIRECTORY
            };
            let at = here.as_ref().unwrap_or(dir);
            let fd = rustix::fs::openat(at, *name, flags, Mode::empty()).ok()?;
            here = Some(File::from(fd));
        }
        here
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_put_twice_never_writes_through_a_link_into_the_previous_output() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("public");
        std::fs::create_dir_all(dest.join("a")).unwrap();
        std::fs::write(dest.join("a/page.html"), "old").unwrap();
        {
            let output = OutputDir {
                path: dest.clone(),
                shown: dest.clone(),
            };
            let staging = Staging::create(&output).unwrap();
            // Same bytes: linked from the previous output.
            staging.write_file("a/page.html", b"old").unwrap();
            // The same path again, other bytes: a new file, not a write
            // into the linked one.
            staging.write_file("a/page.html", b"new").unwrap();
            assert_eq!(
                std::fs::read(staging.dir.join("a/page.html")).unwrap(),
                b"new"
            );
            // Dropped without commit: a failed build.
        }
        assert_eq!(std::fs::read(dest.join("a/page.html")).unwrap(), b"old");
        let beside: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "the staging folder was left behind");
    }

    /// A site folder at `dest` holding `page.html` = `text`, written
    /// through a staging folder.
    fn site_with(dest: &OutputDir, text: &str) -> Staging {
        let staging = Staging::create(dest).unwrap();
        staging.write_file("page.html", text.as_bytes()).unwrap();
        staging
    }

    // issue #15.8
    #[test]
    fn a_previous_site_that_cannot_be_removed_is_reported_where_it_was_left() {
        let parent = tempfile::tempdir().unwrap();
        let dest = OutputDir::choose(parent.path(), &parent.path().join("public"), false).unwrap();
        site_with(&dest, "old").commit().unwrap();
        for exchange in [true, false] {
            let fail = |_: &Path| Err(std::io::Error::other("cannot remove"));
            let committed = site_with(&dest, "new")
                .commit_with(
                    |a, b| {
                        if exchange {
                            swap::exchange(a, b)
                        } else {
                            Ok(false)
                        }
                    },
                    fail,
                )
                .unwrap();
            let (left, e) = committed.previous_left_at.expect("the removal failed");
            assert_eq!(e.to_string(), "cannot remove");
            assert_eq!(std::fs::read(dest.path.join("page.html")).unwrap(), b"new");
            assert_eq!(std::fs::read(left.join("page.html")).unwrap(), b"old");
            assert!(
                left.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".public.planpub-old-"),
                "{}",
                left.display()
            );
            // What the next build does first.
            assert!(dest.recover().is_empty());
            assert!(
                !left.exists(),
                "the next build did not remove {}",
                left.display()
            );
            // Back to "old" for the other round.
            site_with(&dest, "old").commit().unwrap();
        }
    }

    // issue #15.7
    #[test]
    fn both_ways_of_swapping_leave_the_new_site_and_nothing_beside_it() {
        let parent = tempfile::tempdir().unwrap();
        let dest = OutputDir {
            path: parent.path().join("public"),
            shown: "public".into(),
        };
        site_with(&dest, "first").commit().unwrap();
        for (exchange, text) in [(true, "second"), (false, "third")] {
            let committed = site_with(&dest, text)
                .commit_with(
                    |a, b| {
                        if exchange {
                            swap::exchange(a, b)
                        } else {
                            Ok(false)
                        }
                    },
                    |d| std::fs::remove_dir_all(d),
                )
                .unwrap();
            assert!(committed.previous_left_at.is_none());
            assert_eq!(
                std::fs::read(dest.path.join("page.html")).unwrap(),
                text.as_bytes()
            );
            assert!(dest.path.join(OUTPUT_MARKER).is_file());
            let beside: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
            assert_eq!(
                beside.len(),
                1,
                "left beside the output (exchange {exchange})"
            );
        }
        #[cfg(target_os = "linux")]
        assert!(
            swap::exchange(&dest.path, &dest.path).unwrap(),
            "this kernel and file system exchange folders: the test covers that way"
        );
    }

    #[test]
    fn a_previous_file_replaced_after_comparing_is_not_linked() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.html");
        std::fs::write(&old, "same").unwrap();
        let root = Previous::open(dir.path()).unwrap();
        let compared = identity_if_holds(&root, "old.html", b"same").expect("same bytes, one name");
        // Another file takes the name between the comparison and the link
        // (the compared file stays open: its inode cannot be reused).
        std::fs::rename(&old, dir.path().join("kept.html")).unwrap();
        std::fs::write(dir.path().join("other.html"), "other").unwrap();
        std::fs::rename(dir.path().join("other.html"), &old).unwrap();
        let target = dir.path().join("new.html");
        assert!(!link_if_same(&old, &target, &compared).unwrap());
        assert!(!target.exists(), "the wrong link was left in place");
        // Unchanged: linked.
        let compared = identity_if_holds(&root, "old.html", b"other").unwrap();
        assert!(link_if_same(&old, &target, &compared).unwrap());
        assert_eq!(std::fs::read(&target).unwrap(), b"other");
        // A third name added between comparing and linking: not reused.
        std::fs::remove_file(&target).unwrap();
        let compared = identity_if_holds(&root, "old.html", b"other").unwrap();
        std::fs::hard_link(&old, dir.path().join("backup.html")).unwrap();
        assert!(!link_if_same(&old, &target, &compared).unwrap());
        assert!(!target.exists());
    }

    #[test]
    fn only_single_name_regular_files_with_the_same_bytes_are_reused() {
        let dir = tempfile::tempdir().unwrap();
        let root = &Previous::open(dir.path()).unwrap();
        let at = |p: &str| dir.path().join(p);
        std::fs::create_dir(at("d")).unwrap();
        std::fs::write(at("d/f"), "abc").unwrap();
        assert!(identity_if_holds(root, "d/f", b"abc").is_some());
        assert!(identity_if_holds(root, "d/f", b"abd").is_none());
        assert!(identity_if_holds(root, "d/f", b"ab").is_none());
        std::os::unix::fs::symlink(at("d/f"), at("l")).unwrap();
        assert!(
            identity_if_holds(root, "l", b"abc").is_none(),
            "followed a symbolic link"
        );
        #[cfg(target_os = "linux")]
        {
            // Relative, so it stays beneath the folder.
            std::os::unix::fs::symlink("d", at("linked-folder")).unwrap();
            assert!(
                identity_if_holds(root, "linked-folder/f", b"abc").is_none(),
                "followed a linked folder"
            );
        }
        std::fs::hard_link(at("d/f"), at("second-name")).unwrap();
        assert!(
            identity_if_holds(root, "d/f", b"abc").is_none(),
            "reused a file with two names"
        );
    }

    #[test]
    fn files_are_opened_beneath_the_folder_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let at = |p: &str| dir.path().join(p);
        std::fs::create_dir_all(at("d/e")).unwrap();
        std::fs::write(at("d/e/f"), "abc").unwrap();
        std::os::unix::fs::symlink("e", at("d/rel")).unwrap();
        std::os::unix::fs::symlink(at("d/e"), at("d/abs")).unwrap();
        std::os::unix::fs::symlink("f", at("d/e/l")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            at("d/e/fifo"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let root = std::fs::File::open(dir.path()).unwrap();
        // Both ways of opening: openat2 where the kernel has it, and the
        // walk used where it does not.
        type Open = fn(&std::fs::File, &str) -> Option<std::fs::File>;
        let ways: [(&str, Open); 2] = [("open", beneath::open), ("walk", beneath::open_walking)];
        for (way, open) in ways {
            let content = |p: &str| {
                open(&root, p).map(|mut f| {
                    let mut s = String::new();
                    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
                    s
                })
            };
            assert_eq!(content("d/e/f").as_deref(), Some("abc"), "{way}");
            for refused in [
                "d/rel/f",
                "d/abs/f",
                "d/e/l",
                "d/e/missing",
                "d/../d/e/f",
                "d//e/f",
            ] {
                assert!(open(&root, refused).is_none(), "{way} opened {refused}");
            }
            // A FIFO opens at once (non-blocking) and is then refused as
            // not a regular file.
            let f = open(&root, "d/e/fifo").expect("the FIFO opens without blocking");
            assert!(!f.metadata().unwrap().is_file());
        }
        let previous = Previous::open(dir.path()).unwrap();
        assert!(identity_if_holds(&previous, "d/e/fifo", b"").is_none());
    }
}
