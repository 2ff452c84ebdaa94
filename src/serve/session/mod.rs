//! The in-memory site that `serve` keeps between rebuilds, and the
//! incremental rebuild: re-read only the files that changed, re-parse only
//! their front matter, re-render only their Markdown, and re-render only
//! the pages that show what changed ([`crate::pages::pages_affected_by`]).
//!
//! * `sources.rs`: what is on disk against what the session last read,
//!   with `load`'s own rules (so that serve sees what `build` sees).
//! * `rebuild.rs`: the rebuild from the cached documents through the one
//!   pipeline (`crate::pipeline`), the incremental render, and the search
//!   index built off the rebuild thread.
//!
//! Architecture invariant: an incremental rebuild gives the same bytes and
//! the same diagnostics as a clean `planpub build` of the same sources
//! (tests/serve.rs checks it). When in doubt about what a change touches,
//! rebuild more, never less.

mod early;
mod rebuild;
mod sources;

pub use early::EarlySlot;
pub use rebuild::IndexJob;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::load::{LoadedTheme, SourceAsset, SourceDocument};
use crate::output::SiteOutput;
use crate::pages::Page;
use crate::pipeline::{Hooks, NoHooks};
use crate::render::Prepared;
use crate::validate::ParsedFile;
use sources::ChangeKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// What a rebuild did: the output paths that changed (added, changed or
/// removed), or the problems that kept the last good site in place.
#[derive(Debug, Default)]
pub struct RebuildOutcome {
    pub changed: Vec<String>,
    pub diagnostics: Diagnostics,
    pub failed: bool,
    pub incremental: bool,
    /// Only the edited items' own pages were published; the pages that
    /// list them and the search index wait for [`Session::finish`].
    pub partial: bool,
    /// No source had new bytes (a file was only read, touched or saved
    /// unchanged): nothing was rebuilt.
    pub unchanged: bool,
    /// [`Session::finish`] gave way to a new edit: nothing was published
    /// and the work is still pending.
    pub interrupted: bool,
    /// The search index, left to the caller (see
    /// [`Session::set_background_index`]).
    pub index_job: Option<IndexJob>,
}

impl RebuildOutcome {
    fn unchanged() -> Self {
        RebuildOutcome {
            incremental: true,
            unchanged: true,
            ..Default::default()
        }
    }

    fn interrupted() -> Self {
        RebuildOutcome {
            incremental: true,
            interrupted: true,
            ..Default::default()
        }
    }
}

/// The served site, shared with the HTTP threads.
pub type SharedOutput = Arc<RwLock<SiteOutput>>;

/// Where the served site's links point.
#[derive(Clone, Debug)]
enum SiteUrl {
    /// site.toml's `base_url` as it is.
    Configured,
    /// A whole base URL in place of site.toml's (`--base-url`, tests).
    Override(String),
    /// `serve`'s own origin (`http://127.0.0.1:1111`) with the path of
    /// site.toml's `base_url`, so that the served site's links are the
    /// ones `build` writes, only on this machine.
    Origin(String),
}

pub struct Session {
    root: PathBuf,
    url: SiteUrl,
    config: Option<SiteConfig>,
    theme: LoadedTheme,
    /// Every content document, with its parse result (re-parsed only when
    /// its text changes).
    documents: BTreeMap<PathBuf, (SourceDocument, ParsedFile)>,
    assets: BTreeMap<PathBuf, SourceAsset>,
    /// The bytes of every site-wide source (site.toml, theme, templates,
    /// static files, UI strings) as last loaded, to tell an edit from a
    /// file that was only touched or read.
    site_sources: BTreeMap<PathBuf, Vec<u8>>,
    /// Problems found by the last whole load (site.toml, the theme, and
    /// the walk of content/: files out of place, unreadable or not
    /// UTF-8). A file a problem names is always re-read by a whole load
    /// ([`Session::sync_content`]), so that these stay true.
    load_diagnostics: Diagnostics,
    built: Option<Prepared>,
    /// Pages published ahead of `built` by [`Session::publish_edited_items`]
    /// (an edited item's own pages and badges). Until a rebuild from
    /// `built` has re-rendered them they may show an edit that is gone
    /// (saved, then restored), so the next incremental rebuild renders
    /// them again whatever its diff says.
    provisional: BTreeSet<Page>,
    /// Sources changed since `built` whose effects were only partly
    /// published (the edited items' own pages): [`Session::finish`] does
    /// the rest.
    pending: bool,
    /// Whether the search index of an incremental rebuild is left to an
    /// [`IndexJob`] (serve runs it on another thread) or built in place.
    background_index: bool,
    /// Bumped by every rebuild that publishes a search index; an
    /// [`IndexJob`] publishes only if none came after it.
    index_generation: Arc<AtomicU64>,
    /// Told of the rebuild's stages (`PLANPUB_TIMINGS`).
    hooks: &'static dyn Hooks,
    /// Set by the watcher when a new edit is waiting:
    /// [`Session::finish`] then gives way to it (see
    /// [`Session::interrupter`]).
    interrupt: Arc<AtomicBool>,
    /// Where the first build offers its pages on demand (`serve`).
    early: Option<Arc<EarlySlot>>,
    pub output: SharedOutput,
}

impl Session {
    /// Loads and builds the whole site. The session is returned even when
    /// the first build fails, so that `serve` can wait for a fix.
    pub fn start(root: &Path, base_url: Option<String>) -> (Session, RebuildOutcome) {
        let url = match base_url {
            Some(url) => SiteUrl::Override(url),
            None => SiteUrl::Configured,
        };
        Self::start_with(root, url)
    }

    /// Like [`Session::start`], for a site served at `origin` (scheme,
    /// host and port, no path): its base URL is `origin` followed by the
    /// path of site.toml's `base_url`, e.g. `http://127.0.0.1:1111/plan/`.
    pub fn start_at_origin(root: &Path, origin: &str) -> (Session, RebuildOutcome) {
        Self::start_with(
            root,
            SiteUrl::Origin(origin.trim_end_matches('/').to_string()),
        )
    }

    /// [`Session::start_at_origin`], telling `hooks` of every rebuild's
    /// stages, the first included.
    pub fn start_at_origin_with(
        root: &Path,
        origin: &str,
        hooks: &'static dyn Hooks,
    ) -> (Session, RebuildOutcome) {
        Self::start_with_hooks(
            root,
            SiteUrl::Origin(origin.trim_end_matches('/').to_string()),
            hooks,
        )
    }

    fn start_with(root: &Path, url: SiteUrl) -> (Session, RebuildOutcome) {
        Self::start_with_hooks(root, url, &NoHooks)
    }

    fn start_with_hooks(
        root: &Path,
        url: SiteUrl,
        hooks: &'static dyn Hooks,
    ) -> (Session, RebuildOutcome) {
        let mut session = Self::unstarted(root, url, hooks);
        let outcome = session.reload_everything();
        (session, outcome)
    }

    /// A session that has read nothing yet.
    fn unstarted(root: &Path, url: SiteUrl, hooks: &'static dyn Hooks) -> Session {
        Session {
            root: root.to_path_buf(),
            url,
            config: None,
            theme: LoadedTheme::default(),
            documents: BTreeMap::new(),
            assets: BTreeMap::new(),
            site_sources: BTreeMap::new(),
            load_diagnostics: Diagnostics::new(),
            built: None,
            provisional: BTreeSet::new(),
            pending: false,
            background_index: false,
            index_generation: Arc::new(AtomicU64::new(0)),
            hooks,
            interrupt: Arc::new(AtomicBool::new(false)),
            early: None,
            output: Arc::new(RwLock::new(SiteOutput::default())),
        }
    }

    /// [`Session::start_at_origin_with`] for a server already answering:
    /// the site goes into `output`, and while the first build renders, its
    /// pages are offered on demand in `early` (issue #21.3).
    pub fn start_serving(
        root: &Path,
        origin: &str,
        hooks: &'static dyn Hooks,
        output: SharedOutput,
        early: Arc<EarlySlot>,
    ) -> (Session, RebuildOutcome) {
        let mut session = Self::unstarted(
            root,
            SiteUrl::Origin(origin.trim_end_matches('/').to_string()),
            hooks,
        );
        session.output = output;
        session.early = Some(early);
        let outcome = session.reload_everything();
        (session, outcome)
    }

    /// The paths (relative to the root) worth watching.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let theme = self
            .config
            .as_ref()
            .map(|c| c.theme.clone())
            .unwrap_or_else(|| "default".into());
        ["content", "site.toml", "templates", "static", "i18n"]
            .iter()
            .map(PathBuf::from)
            .chain([PathBuf::from("themes").join(theme)])
            .collect()
    }

    /// Rebuilds after the given paths changed on disk (absolute or relative
    /// to the root).
    ///
    /// Edits of files the last load read (and found no problem in) are
    /// re-read one by one; anything else under content/ (a new, deleted
    /// or renamed file or folder, a file that had a load problem, a
    /// symbolic link) is settled by reading content/ again as `build`
    /// does ([`Session::sync_content`]), so that the documents are always
    /// the ones a clean build would load.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildOutcome {
        let rels: Vec<PathBuf> = changed
            .iter()
            .map(|p| p.strip_prefix(&self.root).unwrap_or(p).to_path_buf())
            .collect();
        let kinds: Vec<ChangeKind> = rels.iter().map(|p| sources::classify(p)).collect();
        if kinds.iter().all(|k| *k == ChangeKind::Ignored) {
            return RebuildOutcome::unchanged();
        }
        let site_wide = rels
            .iter()
            .zip(&kinds)
            .any(|(rel, k)| *k == ChangeKind::Everything && self.site_source_changed(rel));
        if self.config.is_none() || site_wide {
            return self.reload_everything();
        }
        // A path that is gone and was never loaded (a file made and
        // removed between two looks) changes nothing.
        let content: Vec<&PathBuf> = rels
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == ChangeKind::Content)
            .map(|(rel, _)| rel)
            .filter(|rel| {
                std::fs::symlink_metadata(self.root.join(rel)).is_ok()
                    || self.knows_content_under(rel)
            })
            .collect();
        if content.is_empty() {
            return RebuildOutcome::unchanged();
        }
        if !content.iter().all(|rel| self.can_reload_alone(rel)) {
            return self.sync_content();
        }
        let mut reloaded = false;
        for rel in &content {
            if !self.content_file_changed(rel) {
                continue;
            }
            if !self.reload_known_file(rel) {
                return self.sync_content();
            }
            reloaded = true;
        }
        if !reloaded {
            // Touched, read or saved unchanged: nothing to do.
            return RebuildOutcome::unchanged();
        }
        if let Some(changed) = self.publish_edited_items(&rels) {
            self.pending = true;
            return RebuildOutcome {
                changed,
                incremental: true,
                partial: true,
                ..Default::default()
            };
        }
        self.rebuild_from_documents()
    }

    /// The path of the served site's base URL (`/plan/`), once a
    /// site.toml has been read.
    pub fn base_path(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.base_path.as_str())
    }

    /// Leaves the search index of incremental rebuilds to the
    /// [`RebuildOutcome::index_job`] they return.
    pub fn set_background_index(&mut self, on: bool) {
        self.background_index = on;
    }

    /// Whether the last rebuild left work for [`Session::finish`].
    pub fn has_pending_work(&self) -> bool {
        self.pending
    }

    /// Completes a partial rebuild: everything the edits touch, as a
    /// clean build would have it (the list pages, feeds, data files and
    /// the search index).
    ///
    /// It gives way to a new edit (issue #21.2): when the flag of
    /// [`Session::interrupter`] is set before the pages are published, it
    /// stops, publishes nothing and returns an
    /// [`interrupted`](RebuildOutcome::interrupted) outcome, the work
    /// still pending; the caller handles the edit (its item's own pages
    /// at once), then calls `finish` again, which redoes the lists once
    /// for both edits.
    pub fn finish(&mut self) -> RebuildOutcome {
        let interrupt = self.interrupt.clone();
        self.finish_unless(&|| interrupt.load(Ordering::SeqCst))
    }

    /// [`Session::finish`], giving way when `cancelled` says so (asked
    /// after linking, before every page rendered or read for links, and
    /// before publishing).
    pub fn finish_unless(&mut self, cancelled: crate::index::Cancelled<'_>) -> RebuildOutcome {
        self.rebuild_from_documents_unless(cancelled)
    }

    /// The flag that makes [`Session::finish`] give way: whoever learns
    /// of a new edit sets it, and clears it when the edit is taken in.
    pub fn interrupter(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// What a rebuild that kept the last good site reports.
    fn fail(&mut self, d: Diagnostics) -> RebuildOutcome {
        RebuildOutcome {
            changed: Vec::new(),
            diagnostics: d,
            failed: true,
            incremental: false,
            partial: false,
            unchanged: false,
            interrupted: false,
            index_job: None,
        }
    }
}

/// Puts `pages` into `served`, returning the paths whose bytes changed.
fn lay_over(served: &mut SiteOutput, pages: SiteOutput) -> Vec<String> {
    let mut changed = Vec::new();
    for (path, bytes) in pages.files {
        if served.files.get(&path) != Some(&bytes) {
            changed.push(path.clone());
            served.files.insert(path, bytes);
        }
    }
    changed
}
