//! Stage 6, write: put the site on disk atomically.
//!
//! The site is written into a fresh staging folder beside the output, and
//! swapped in only when every file was written and every check passed: a
//! failed build never touches the previous site, and readers never see
//! half a site. `build` writes pages into the staging folder as they are
//! rendered, so the whole site is never held in memory.
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
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            retired,
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
        output.files.par_iter().try_for_each(|(path, bytes)| {
            let mut f = std::fs::File::create(self.dir.join(path))?;
            f.write_all(bytes)
        })
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
        std::fs::write(self.dir.join(path), bytes)
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

/// Whether an output path stays inside the output folder: relative, and
/// made of plain segments only.
pub fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        && !path.contains('\\')
}
