//! The staging folder a build writes into, beside the output, and the
//! swap that puts it in place: the output always holds a whole site.

use super::output_dir::OutputDir;
use super::recover::staging_names;
use super::reuse::{Previous, identity_if_holds, link_if_same};
use super::{MARKER_TEXT, OUTPUT_MARKER, is_contained};
use crate::output::{Output, SiteOutput};
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
        let dest = dest.path();
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
            assert_eq!(
                std::fs::read(dest.path().join("page.html")).unwrap(),
                b"new"
            );
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
                std::fs::read(dest.path().join("page.html")).unwrap(),
                text.as_bytes()
            );
            assert!(dest.path().join(OUTPUT_MARKER).is_file());
            let beside: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
            assert_eq!(
                beside.len(),
                1,
                "left beside the output (exchange {exchange})"
            );
        }
        #[cfg(target_os = "linux")]
        assert!(
            swap::exchange(dest.path(), dest.path()).unwrap(),
            "this kernel and file system exchange folders: the test covers that way"
        );
    }
}
