//! Where a built site goes. Rendering puts each file into an [`Output`]
//! as soon as it is made: `check`, `serve` and the tests use a
//! [`MemoryOutput`], `build` the staging folder (`write::Staging`), so
//! that one render path serves every command and rendering never depends
//! on writing.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The built site, in memory: output path (relative, `/`-separated) →
/// bytes. A BTreeMap so that iteration, and so the written tree, is in a
/// fixed order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteOutput {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A place the site's files are put, one at a time, from many threads.
pub trait Output: Sync {
    /// Puts the file at `path` (relative to the site root, `/`-separated,
    /// plain segments only). A path put twice holds the second bytes.
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;
}

/// The site kept in memory.
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything put so far.
    pub fn into_site(self) -> SiteOutput {
        SiteOutput {
            files: self.files.into_inner().expect("memory output lock"),
        }
    }
}

impl Output for MemoryOutput {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .expect("memory output lock")
            .insert(path.to_string(), bytes);
        Ok(())
    }
}
