//! Reusing the previous output's files: a file whose bytes did not
//! change is hard-linked from the previous output instead of written,
//! found without following any symbolic link, and only if it is still the
//! file whose bytes were compared.

use std::path::{Path, PathBuf};

/// The output folder as it was when the build started.
pub(super) struct Previous {
    pub(super) path: PathBuf,
    /// Opened once: files are looked up beneath it (see [`beneath`];
    /// elsewhere than on unix, no file is reused).
    #[cfg_attr(not(unix), allow(dead_code))]
    dir: std::fs::File,
}

impl Previous {
    pub(super) fn open(path: &Path) -> Option<Previous> {
        Some(Previous {
            path: path.to_path_buf(),
            dir: std::fs::File::open(path).ok()?,
        })
    }
}

/// A previous file found to hold the wanted bytes. It stays open until it
/// is linked, so that its inode cannot be freed and given to another file
/// in between.
pub(super) struct Reusable {
    id: FileId,
    _open: std::fs::File,
}

/// Hard-links `old` at `target` if `old` is still the file that was
/// compared. The name was looked up twice (to compare the bytes, to link):
/// if another file took it in between, or the file got a third name (a
/// `cp -al` backup would then share the new output's inode), the link is
/// removed and `false` returned, so the caller writes the bytes instead.
pub(super) fn link_if_same(
    old: &Path,
    target: &Path,
    reusable: &Reusable,
) -> std::io::Result<bool> {
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
pub(super) fn identity_if_holds(root: &Previous, path: &str, bytes: &[u8]) -> Option<Reusable> {
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
pub(super) fn identity_if_holds(_root: &Previous, _path: &str, _bytes: &[u8]) -> Option<Reusable> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
