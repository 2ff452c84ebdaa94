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

use crate::render::SiteOutput;
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    committed: bool,
}

impl Staging {
    pub fn create(dest: &Path) -> std::io::Result<Staging> {
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
        let dir = parent.join(format!(".{name}.planpub-new-{}", std::process::id()));
        let retired = parent.join(format!(".{name}.planpub-old-{}", std::process::id()));
        if dir.exists() {
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
            committed: false,
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

    /// Swaps the staging folder in for the output.
    pub fn commit(mut self) -> std::io::Result<()> {
        if self.dest.exists() {
            std::fs::rename(&self.dest, &self.retired)?;
            if let Err(e) = std::fs::rename(&self.dir, &self.dest) {
                let _ = std::fs::rename(&self.retired, &self.dest);
                return Err(e);
            }
            self.committed = true;
            std::fs::remove_dir_all(&self.retired)?;
        } else {
            std::fs::rename(&self.dir, &self.dest)?;
            self.committed = true;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes an in-memory site to `dest` via a staging folder and a rename.
pub fn write_site(output: &SiteOutput, dest: &Path) -> std::io::Result<()> {
    let staging = Staging::create(dest)?;
    staging.write_files(output)?;
    staging.commit()
}

/// The output folder as it was when the build started.
struct Previous {
    path: PathBuf,
    /// Opened once: files are looked up beneath it (see [`beneath`]).
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
    return 0;
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
    use std::ffi::CString;
    use std::fs::File;
    use std::os::fd::{AsRawFd, FromRawFd};

    const FLAGS: libc::c_int =
        libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NONBLOCK;

    /// `dir/path` (a relative path of plain `/`-separated names), or `None`
    /// if it does not exist, is not readable, or a symbolic link is on the
    /// way. One openat2 call on Linux 5.6 and later; elsewhere, and where
    /// openat2 is refused (older kernels, some seccomp profiles), one
    /// openat per name.
    pub fn open(dir: &File, path: &str) -> Option<File> {
        plain_names(path)?;
        #[cfg(target_os = "linux")]
        {
            use std::sync::atomic::{AtomicBool, Ordering};
            static UNSUPPORTED: AtomicBool = AtomicBool::new(false);
            if !UNSUPPORTED.load(Ordering::Relaxed) {
                match openat2(dir, path) {
                    Ok(f) => return Some(f),
                    Err(libc::ENOSYS | libc::EPERM | libc::E2BIG) => {
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

    /// One openat2 call; `Err(errno)` on failure.
    #[cfg(target_os = "linux")]
    fn openat2(dir: &File, path: &str) -> Result<File, libc::c_int> {
        let rel = CString::new(path).map_err(|_| libc::EINVAL)?;
        // SAFETY: `open_how` is plain integers; all-zero is its default.
        let mut how: libc::open_how = unsafe { std::mem::zeroed() };
        how.flags = FLAGS as u64;
        how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS;
        // SAFETY: openat2 reads the NUL-terminated path and `how` (of the
        // size passed) and returns a new descriptor or -1.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                rel.as_ptr(),
                &how as *const libc::open_how,
                std::mem::size_of::<libc::open_how>(),
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO));
        }
        // SAFETY: a descriptor just opened and owned by nothing else.
        Ok(unsafe { File::from_raw_fd(fd as libc::c_int) })
    }

    /// One openat per name, each refusing a symbolic link.
    pub(super) fn open_walking(dir: &File, path: &str) -> Option<File> {
        let names = plain_names(path)?;
        let mut here: Option<File> = None;
        for (i, name) in names.iter().enumerate() {
            let flags = if i + 1 == names.len() {
                FLAGS
            } else {
                FLAGS | libc::O_DIRECTORY
            };
            let name = CString::new(*name).ok()?;
            let at = here.as_ref().unwrap_or(dir).as_raw_fd();
            // SAFETY: openat reads the NUL-terminated name and returns a
            // new descriptor or -1.
            let fd = unsafe { libc::openat(at, name.as_ptr(), flags) };
            if fd < 0 {
                return None;
            }
            // SAFETY: a descriptor just opened and owned by nothing else.
            here = Some(unsafe { File::from_raw_fd(fd) });
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
            let staging = Staging::create(&dest).unwrap();
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
        let fifo =
            std::ffi::CString::new(at("d/e/fifo").into_os_string().into_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
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
