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
    previous: Option<PathBuf>,
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
            .then(|| dest.to_path_buf());
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
            let old = previous.join(path);
            if holds_bytes(&old, bytes) && std::fs::hard_link(&old, &target).is_ok() {
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

/// Whether `path` is a regular file (not a symbolic link) with no other
/// name, whose content is `bytes`. A file with other names (a backup made
/// with `cp -al`, a snapshot) is not reused: the new output's file would
/// share their inode.
fn holds_bytes(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    let single_name = std::os::unix::fs::MetadataExt::nlink(&meta) == 1;
    #[cfg(not(unix))]
    let single_name = false;
    if !meta.is_file() || !single_name || meta.len() != bytes.len() as u64 {
        return false;
    }
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    // One byte more than expected, to see a file that grew since.
    let mut content = Vec::with_capacity(bytes.len() + 1);
    f.take(bytes.len() as u64 + 1)
        .read_to_end(&mut content)
        .is_ok()
        && content == bytes
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
}
