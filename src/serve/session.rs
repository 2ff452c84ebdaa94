//! The in-memory site that `serve` keeps between rebuilds, and the
//! incremental rebuild: re-read only the files that changed, re-parse only
//! their front matter, re-render only their Markdown, and re-render only
//! the pages that show what changed.
//!
//! Architecture invariant: an incremental rebuild gives the same bytes as
//! a clean `planpub build` of the same sources (tests/serve.rs checks it).
//! When in doubt about what a change touches, rebuild more, never less.

use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostics};
use crate::indexing::IndexInputs;
use crate::link::{LinkedItem, LinkedSite, link_site};
use crate::load::{
    LoadedSite, LoadedTheme, SourceAsset, SourceDocument, load_content_file, load_site,
};
use crate::pages::{Page, all_pages};
use crate::render::templates::{Templates, compile_templates};
use crate::render::{
    RenderEnv, RenderedBodies, SiteOutput, add_static_files, render_bodies, render_item_bodies,
    render_pages,
};
use crate::validate::{ParsedFile, assemble_site, parse_file};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The site as rendered, and what it was rendered from.
struct Built {
    linked: LinkedSite,
    templates: Templates,
    bodies: RenderedBodies,
}

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
    built: Option<Built>,
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
    pub output: SharedOutput,
}

/// The search index of a rebuild, to be built off the rebuild thread: the
/// pages are served meanwhile, with the previous index.
pub struct IndexJob {
    inputs: IndexInputs,
    generation: u64,
    current: Arc<AtomicU64>,
    output: SharedOutput,
}

impl std::fmt::Debug for IndexJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IndexJob({})", self.generation)
    }
}

impl IndexJob {
    /// Builds the index and publishes it, unless a newer rebuild came
    /// since; returns the paths that changed, `None` if it was outdated.
    pub fn run(self) -> Option<Vec<String>> {
        // An edit that came since makes this index useless: stop early,
        // so that the newer one (queued behind it) starts sooner.
        let index = self
            .inputs
            .build_unless(&|| self.current.load(Ordering::SeqCst) != self.generation)?;
        let mut served = self.output.write().expect("served site lock");
        if self.current.load(Ordering::SeqCst) != self.generation {
            return None;
        }
        let mut changed = Vec::new();
        for dir in self.inputs.dirs() {
            for p in crate::indexing::files_under(&served, dir) {
                if !index.files.contains_key(&p) {
                    served.files.remove(&p);
                    changed.push(p);
                }
            }
        }
        changed.extend(lay_over(&mut served, index));
        changed.sort();
        Some(changed)
    }
}

/// What a changed path means for the rebuild.
#[derive(Debug, PartialEq, Eq)]
enum ChangeKind {
    /// A file or folder under content/: reload that file, or all of
    /// content/ (see [`Session::rebuild`]).
    Content,
    /// site.toml, the theme, the site's templates, static files or UI
    /// strings: everything is rebuilt.
    Everything,
    /// public/, editor droppings, .git: not a source.
    Ignored,
}

fn classify(rel: &Path) -> ChangeKind {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The editor droppings that loading content/ skips (load.rs); any
    // other file may be published, so it counts.
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return ChangeKind::Ignored;
    }
    let first = rel
        .iter()
        .next()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match first.as_str() {
        "content" => ChangeKind::Content,
        "site.toml" | "themes" | "templates" | "static" | "i18n" => ChangeKind::Everything,
        _ => ChangeKind::Ignored,
    }
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

    fn start_with(root: &Path, url: SiteUrl) -> (Session, RebuildOutcome) {
        let mut session = Session {
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
            output: Arc::new(RwLock::new(SiteOutput::default())),
        };
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
        let kinds: Vec<ChangeKind> = rels.iter().map(|p| classify(p)).collect();
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
    pub fn finish(&mut self) -> RebuildOutcome {
        self.rebuild_from_documents()
    }

    /// Phase one of an edit to work items' files: when the edit changes
    /// only what the items' own pages show (texts, status, targets,
    /// updates; not the number, file, section, tags, `related`,
    /// translations or the plan's "as of" date), render those pages and
    /// badges from the last build with the edited items swapped in,
    /// check their links, and publish them at once. `None` when the edit
    /// needs the full path. The caller then runs [`Session::finish`],
    /// which re-renders everything the edit touches, these pages
    /// included, exactly as a clean build would.
    fn publish_edited_items(&mut self, rels: &[PathBuf]) -> Option<Vec<String>> {
        use crate::load::DocumentKind;
        let built = self.built.as_mut()?;
        let config = self.config.as_ref()?;
        let dl = config.default_language.clone();
        // The default-language file of every item the edit touches.
        let mut item_files: BTreeSet<PathBuf> = BTreeSet::new();
        for rel in rels {
            if classify(rel) != ChangeKind::Content {
                continue;
            }
            let (doc, _) = self.documents.get(rel)?;
            if doc.kind != DocumentKind::Item {
                return None;
            }
            item_files.insert(crate::load::default_language_path(doc));
        }
        if item_files.is_empty() {
            return None;
        }
        let langs: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
        let lang_refs: Vec<&str> = langs.iter().map(String::as_str).collect();
        let base = config.base_path.clone();
        // (plan, item, new linked item, new bodies)
        let mut swaps = Vec::new();
        for file in &item_files {
            let (doc, parsed) = self.documents.get(file)?;
            let translations: Vec<(&SourceDocument, &ParsedFile)> = langs
                .iter()
                .filter(|l| **l != dl)
                .filter_map(|l| {
                    self.documents
                        .get(&crate::load::translation_path(file, l))
                        .map(|(d, p)| (d, p))
                })
                .collect();
            let pi = built
                .linked
                .plans
                .iter()
                .position(|p| p.plan.id == doc.plan)?;
            let plan = &built.linked.plans[pi];
            let ii = plan.items.iter().position(|it| it.item.path == *file)?;
            let old = &plan.items[ii];
            let item =
                crate::validate::reassemble_item(&old.item, doc, parsed, &translations, &dl)?;
            let progress = crate::progress::compute_progress(&item, plan.plan.year());
            let as_of = plan
                .items
                .iter()
                .enumerate()
                .filter_map(|(j, it)| {
                    if j == ii {
                        progress.as_of
                    } else {
                        it.progress.as_of
                    }
                })
                .max();
            if as_of != plan.as_of {
                return None;
            }
            let bodies = if item.body == old.item.body {
                built.bodies.plans[pi].items[ii].clone()
            } else {
                render_item_bodies(&item, &lang_refs, &dl, &base)
            };
            let linked = LinkedItem {
                item,
                progress,
                ..old.clone()
            };
            swaps.push((pi, ii, linked, bodies));
        }
        // Swap the edited items in, render their pages, swap them back:
        // `built` stays what the last full rebuild made, so that
        // `finish` sees every change.
        for (pi, ii, linked, bodies) in swaps.iter_mut() {
            std::mem::swap(&mut built.linked.plans[*pi].items[*ii], linked);
            std::mem::swap(&mut built.bodies.plans[*pi].items[*ii], bodies);
        }
        let mut pages = Vec::new();
        for (pi, ii, _, _) in &swaps {
            for lang in 0..langs.len() {
                pages.push(Page::Item {
                    plan: *pi,
                    item: *ii,
                    lang,
                });
                pages.push(Page::Badge {
                    plan: *pi,
                    item: *ii,
                    lang,
                });
            }
        }
        let mut diags = Diagnostics::new();
        let mut overlay = SiteOutput::default();
        let rendered = {
            let env = RenderEnv::new(&built.linked, &built.templates, &built.bodies);
            render_pages(&env, &pages, &mut overlay, &mut diags)
        };
        if !diags.has_errors() {
            Self::check_overlay_links(&self.output, &built.linked, &overlay, &rendered, &mut diags);
        }
        for (pi, ii, linked, bodies) in swaps.iter_mut() {
            std::mem::swap(&mut built.linked.plans[*pi].items[*ii], linked);
            std::mem::swap(&mut built.bodies.plans[*pi].items[*ii], bodies);
        }
        if diags.has_errors() {
            // The full path reports the problems.
            return None;
        }
        self.provisional.extend(pages);
        let mut served = self.output.write().expect("served site lock");
        let mut changed = lay_over(&mut served, overlay);
        changed.sort();
        Some(changed)
    }

    /// Checks the links of the re-rendered pages `rendered` against the
    /// served site `output` with `overlay` laid over it.
    fn check_overlay_links(
        output: &SharedOutput,
        site: &LinkedSite,
        overlay: &SiteOutput,
        rendered: &[String],
        diags: &mut Diagnostics,
    ) {
        let served = output.read().expect("served site lock");
        let view = crate::render::link_check::OutputView {
            base: &served,
            overlay: Some(overlay),
        };
        crate::render::link_check::check_links_in(site, view, Some(rendered), diags);
    }

    /// Whether a site-wide source differs from what was last loaded: new,
    /// gone, edited, or a folder that appeared or moved.
    fn site_source_changed(&self, rel: &Path) -> bool {
        let abs = self.root.join(rel);
        match self.site_sources.get(rel) {
            Some(bytes) => std::fs::read(&abs).map(|b| b != *bytes).unwrap_or(true),
            None => abs.exists() || self.site_sources.keys().any(|p| p.starts_with(rel)),
        }
    }

    /// Whether a content file's bytes differ from the cached ones.
    fn content_file_changed(&self, rel: &Path) -> bool {
        let known: Option<&[u8]> = match (self.documents.get(rel), self.assets.get(rel)) {
            (Some((doc, _)), _) => Some(doc.text.as_bytes()),
            (_, Some(asset)) => Some(&asset.bytes),
            _ => None,
        };
        match known {
            Some(bytes) => std::fs::read(self.root.join(rel))
                .map(|b| b != bytes)
                .unwrap_or(true),
            None => true,
        }
    }

    /// Whether a content document or attachment was loaded from `rel` or
    /// from under it (a folder).
    fn knows_content_under(&self, rel: &Path) -> bool {
        self.documents.keys().any(|p| p.starts_with(rel))
            || self.assets.keys().any(|p| p.starts_with(rel))
            || self
                .load_diagnostics
                .iter()
                .any(|d| d.path.starts_with(rel))
    }

    /// Whether `rel` can be re-read on its own: a regular file (not a
    /// link: the walk of content/ does not follow links) that the last
    /// load read as a document or an attachment, and that no load problem
    /// names. Anything else needs a whole load of content/ to come out as
    /// a clean build would have it.
    fn can_reload_alone(&self, rel: &Path) -> bool {
        let known = self.documents.contains_key(rel) || self.assets.contains_key(rel);
        known
            && std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
            && !self.load_diagnostics.iter().any(|d| d.path == rel)
    }

    /// Re-reads one known content file. `false` (and nothing changed) when
    /// loading it now reports a problem or gives another kind of file:
    /// the caller then loads content/ whole.
    fn reload_known_file(&mut self, rel: &Path) -> bool {
        let config = self.config.as_ref().expect("content reloads need a config");
        let mut d = Diagnostics::new();
        let (doc, asset) = load_content_file(&self.root, rel, config, &mut d);
        if !d.is_empty() {
            return false;
        }
        match (doc, asset) {
            (Some(doc), None) if self.documents.contains_key(rel) => {
                let parsed = parse_file(&doc, &config.default_language);
                self.documents.insert(rel.to_path_buf(), (doc, parsed));
                true
            }
            (None, Some(asset)) if self.assets.contains_key(rel) => {
                self.assets.insert(rel.to_path_buf(), asset);
                true
            }
            _ => false,
        }
    }

    /// Loads content/ whole, as `build` does, and rebuilds if the
    /// documents, attachments or load problems differ from the session's.
    /// Documents whose text did not change keep their parse results.
    fn sync_content(&mut self) -> RebuildOutcome {
        let mut d = Diagnostics::new();
        let Some(loaded) = load_site(&self.root, &mut d) else {
            // site.toml is gone or unreadable now.
            return self.reload_everything();
        };
        if self.read_site_sources() != self.site_sources {
            return self.reload_everything();
        }
        let default_language = loaded.config.default_language.clone();
        let old = std::mem::take(&mut self.documents);
        let parsed: Vec<ParsedFile> = loaded
            .documents
            .par_iter()
            .map(|doc| match old.get(&doc.path) {
                Some((known, parsed)) if known == doc => parsed.clone(),
                _ => parse_file(doc, &default_language),
            })
            .collect();
        let documents: BTreeMap<PathBuf, (SourceDocument, ParsedFile)> = loaded
            .documents
            .into_iter()
            .zip(parsed)
            .map(|(doc, p)| (doc.path.clone(), (doc, p)))
            .collect();
        let assets: BTreeMap<PathBuf, SourceAsset> = loaded
            .assets
            .into_iter()
            .map(|a| (PathBuf::from("content").join(&a.output_path), a))
            .collect();
        let same_documents = documents.len() == old.len()
            && documents
                .iter()
                .zip(&old)
                .all(|((p, (d, _)), (q, (e, _)))| p == q && d == e);
        let same_assets = assets.len() == self.assets.len()
            && assets
                .iter()
                .zip(&self.assets)
                .all(|((p, a), (q, b))| p == q && a.bytes == b.bytes);
        let same_problems = d.sorted() == self.load_diagnostics.sorted();
        self.documents = documents;
        self.assets = assets;
        self.load_diagnostics = d;
        if same_documents && same_assets && same_problems {
            return RebuildOutcome::unchanged();
        }
        self.rebuild_from_documents()
    }

    /// Reads every site-wide source (see [`Session::site_sources`]).
    fn read_site_sources(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut sources = BTreeMap::new();
        for rel in self.watched_paths() {
            if rel.starts_with("content") {
                continue;
            }
            for rel in self.files_under(&rel) {
                if classify(&rel) == ChangeKind::Everything
                    && let Ok(bytes) = std::fs::read(self.root.join(&rel))
                {
                    sources.insert(rel, bytes);
                }
            }
        }
        sources
    }

    /// Every file under `dir` (relative to the site root), as paths
    /// relative to the root, in file-name order.
    fn files_under(&self, dir: &Path) -> Vec<PathBuf> {
        walkdir::WalkDir::new(self.root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&self.root)
                    .unwrap_or(e.path())
                    .to_path_buf()
            })
            .collect()
    }

    /// site.toml, theme and content from scratch, then a full render.
    fn reload_everything(&mut self) -> RebuildOutcome {
        // Until a load succeeds, any site-wide event is a change.
        self.site_sources.clear();
        let mut d = Diagnostics::new();
        let loaded = load_site(&self.root, &mut d);
        let Some(mut loaded) = loaded else {
            return self.fail(d);
        };
        let url = match &self.url {
            SiteUrl::Configured => None,
            SiteUrl::Override(url) => Some(url.clone()),
            SiteUrl::Origin(origin) => Some(format!("{origin}{}", loaded.config.base_path)),
        };
        if let Some(url) = url
            && let Err(msg) = loaded.config.set_base_url(&url)
        {
            d.error(
                Code::BadBaseUrl,
                crate::diagnostics::Location::file(Path::new("--base-url")),
                msg,
                None,
            );
            return self.fail(d);
        }
        let default_language = loaded.config.default_language.clone();
        let parsed: Vec<ParsedFile> = loaded
            .documents
            .par_iter()
            .map(|doc| parse_file(doc, &default_language))
            .collect();
        self.documents = loaded
            .documents
            .drain(..)
            .zip(parsed)
            .map(|(doc, p)| (doc.path.clone(), (doc, p)))
            .collect();
        self.assets = loaded
            .assets
            .drain(..)
            .map(|a| (PathBuf::from("content").join(&a.output_path), a))
            .collect();
        self.config = Some(loaded.config);
        self.theme = loaded.theme;
        self.site_sources = self.read_site_sources();
        // Load problems that are not per-document (theme, strings) stay.
        self.load_diagnostics = d;
        // A new theme or config invalidates everything rendered before.
        self.built = None;
        self.rebuild_from_documents()
    }

    fn fail(&mut self, d: Diagnostics) -> RebuildOutcome {
        RebuildOutcome {
            changed: Vec::new(),
            diagnostics: d,
            failed: true,
            incremental: false,
            partial: false,
            unchanged: false,
            index_job: None,
        }
    }

    /// validate → link → (incremental) render → index, from the cached
    /// documents.
    fn rebuild_from_documents(&mut self) -> RebuildOutcome {
        self.pending = false;
        let Some(config) = self.config.clone() else {
            return self.fail(self.load_diagnostics.clone());
        };
        let mut diags = self.load_diagnostics.clone();
        let t = crate::diagnostics::stage_timer("s:gather");
        // Assembling reads the parse results, not the texts: leave those.
        let (documents, parsed): (Vec<SourceDocument>, Vec<ParsedFile>) = self
            .documents
            .values()
            .filter(|(d, _)| !d.plan.is_empty())
            .map(|(d, p)| {
                let doc = SourceDocument {
                    path: d.path.clone(),
                    kind: d.kind,
                    plan: d.plan.clone(),
                    section_dir: d.section_dir.clone(),
                    stem: d.stem.clone(),
                    language: d.language.clone(),
                    text: String::new(),
                };
                (doc, p.clone())
            })
            .unzip();
        for (d, p) in self.documents.values() {
            if d.plan.is_empty() {
                diags.extend(p.diagnostics.clone());
            }
        }
        let loaded = LoadedSite {
            root: self.root.clone(),
            config,
            documents,
            assets: self.assets.values().cloned().collect(),
            theme: self.theme.clone(),
        };
        drop(t);
        let t = crate::diagnostics::stage_timer("s:assemble");
        let Some(validated) = assemble_site(loaded, parsed, &mut diags) else {
            return self.fail(diags);
        };
        drop(t);
        let t = crate::diagnostics::stage_timer("s:link");
        let linked = link_site(validated);
        drop(t);
        let previous = self.built.take();
        let (built, mut new_output, incremental) = match previous {
            Some(old) if can_render_incrementally(&old.linked, &linked) => {
                // Only the re-rendered pages are new: check their links
                // against the served site with them laid over it, then
                // publish them at once; the search index follows.
                let t = crate::diagnostics::stage_timer("s:render");
                let (built, mut overlay, rendered) =
                    self.render_incrementally(old, linked, &self.provisional, &mut diags);
                drop(t);
                // Attachments: the same paths (else no incremental
                // render), perhaps new bytes.
                for asset in &built.linked.assets {
                    overlay
                        .files
                        .insert(asset.output_path.clone(), asset.bytes.clone());
                }
                let t = crate::diagnostics::stage_timer("s:linkcheck");
                Self::check_overlay_links(
                    &self.output,
                    &built.linked,
                    &overlay,
                    &rendered,
                    &mut diags,
                );
                drop(t);
                if diags.has_errors() {
                    return self.fail(diags);
                }
                let mut changed = self.publish_pages(overlay);
                self.provisional.clear();
                let job = IndexJob {
                    inputs: IndexInputs::new(&built.linked, &built.bodies),
                    generation: self.index_generation.fetch_add(1, Ordering::SeqCst) + 1,
                    current: self.index_generation.clone(),
                    output: self.output.clone(),
                };
                let index_job = if self.background_index {
                    Some(job)
                } else {
                    changed.extend(job.run().unwrap_or_default());
                    None
                };
                changed.sort();
                self.built = Some(built);
                return RebuildOutcome {
                    changed,
                    diagnostics: diags,
                    failed: false,
                    incremental: true,
                    partial: false,
                    unchanged: false,
                    index_job,
                };
            }
            _ => {
                let Some(templates) = compile_templates(&linked.theme.templates, &mut diags) else {
                    return self.fail(diags);
                };
                crate::render::report_asset_clashes(&linked, &mut diags);
                let bodies = render_bodies(&linked);
                let mut output = SiteOutput::default();
                {
                    let env = RenderEnv::new(&linked, &templates, &bodies);
                    render_pages(&env, &all_pages(&linked), &mut output, &mut diags);
                }
                add_static_files(&linked, &mut output);
                crate::render::link_check::check_links(&linked, &output, None, &mut diags);
                (
                    Built {
                        linked,
                        templates,
                        bodies,
                    },
                    output,
                    false,
                )
            }
        };
        if diags.has_errors() {
            return self.fail(diags);
        }
        crate::indexing::add_search_index(&built.linked, &built.bodies, &mut new_output);
        self.built = Some(built);
        let changed = self.publish(new_output);
        self.provisional.clear();
        RebuildOutcome {
            changed,
            diagnostics: diags,
            failed: false,
            incremental,
            partial: false,
            unchanged: false,
            index_job: None,
        }
    }

    /// Lays re-rendered pages over the served site; lists those that changed.
    fn publish_pages(&mut self, pages: SiteOutput) -> Vec<String> {
        let mut served = self.output.write().expect("served site lock");
        lay_over(&mut served, pages)
    }

    /// Swaps the new output in and lists what changed.
    fn publish(&mut self, output: SiteOutput) -> Vec<String> {
        let mut served = self.output.write().expect("served site lock");
        // An index still being built for an older site must not land.
        self.index_generation.fetch_add(1, Ordering::SeqCst);
        let mut changed: Vec<String> = output
            .files
            .iter()
            .filter(|(p, b)| served.files.get(*p) != Some(*b))
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(
            served
                .files
                .keys()
                .filter(|p| !output.files.contains_key(*p))
                .cloned(),
        );
        changed.sort();
        *served = output;
        changed
    }

    /// Re-renders only what the changed items touch, starting from the
    /// previous output.
    fn render_incrementally(
        &self,
        old: Built,
        linked: LinkedSite,
        provisional: &BTreeSet<Page>,
        diags: &mut Diagnostics,
    ) -> (Built, SiteOutput, Vec<String>) {
        let Built {
            linked: old_linked,
            templates,
            bodies: old_bodies,
        } = old;
        let langs: Vec<&str> = linked
            .config
            .languages
            .iter()
            .map(|l| l.code.as_str())
            .collect();
        let dl = linked.config.default_language.clone();
        let base = linked.config.base_path.clone();
        let mut bodies = old_bodies;
        // Pages published ahead of `old` are rendered again: the diff
        // below cannot see an edit that was undone since.
        let mut pages: BTreeSet<Page> = provisional.clone();
        let nlang = langs.len();
        for (pi, (old_plan, new_plan)) in old_linked.plans.iter().zip(&linked.plans).enumerate() {
            let changed: Vec<usize> = (0..new_plan.items.len())
                .filter(|&i| {
                    old_plan.items[i].item != new_plan.items[i].item
                        || old_plan.items[i].progress != new_plan.items[i].progress
                })
                .collect();
            if changed.is_empty() {
                continue;
            }
            for &i in &changed {
                if old_plan.items[i].item.body != new_plan.items[i].item.body {
                    bodies.plans[pi].items[i] =
                        render_item_bodies(&new_plan.items[i].item, &langs, &dl, &base);
                }
            }
            for lang in 0..nlang {
                pages.insert(Page::Feed { plan: pi, lang });
            }
            pages.insert(Page::ItemsJson { plan: pi });
            pages.insert(Page::ItemsCsv { plan: pi });
            let summary_changed: Vec<usize> = changed
                .iter()
                .copied()
                .filter(|&i| summary_differs(&old_plan.items[i], &new_plan.items[i]))
                .collect();
            for &i in &changed {
                for lang in 0..nlang {
                    pages.insert(Page::Item {
                        plan: pi,
                        item: i,
                        lang,
                    });
                    pages.insert(Page::Badge {
                        plan: pi,
                        item: i,
                        lang,
                    });
                }
            }
            if summary_changed.is_empty() {
                continue;
            }
            // Pages that show a summary (title, status, percent, tags) of
            // a changed item.
            for lang in 0..nlang {
                pages.insert(Page::Home { lang });
                pages.insert(Page::Plan { plan: pi, lang });
                pages.insert(Page::Search { lang });
                pages.insert(Page::TagIndex { plan: pi, lang });
            }
            let mut neighbours: BTreeSet<usize> = BTreeSet::new();
            let mut sections: BTreeSet<usize> = BTreeSet::new();
            let mut tags: BTreeSet<usize> = BTreeSet::new();
            let mut statuses: BTreeSet<usize> = BTreeSet::new();
            for &i in &summary_changed {
                for it in [&old_plan.items[i], &new_plan.items[i]] {
                    sections.insert(it.section_index);
                    neighbours.extend(it.related.iter().copied());
                    neighbours.extend(it.referenced_by.iter().copied());
                    neighbours.extend(it.prev);
                    neighbours.extend(it.next);
                    tags.extend(it.tags.iter().copied());
                }
                for plan in [old_plan, new_plan] {
                    for (si, g) in plan.statuses.iter().enumerate() {
                        if g.items.contains(&i) {
                            statuses.insert(si);
                        }
                    }
                }
            }
            for &s in &sections {
                neighbours.extend(new_plan.sections[s].items.iter().copied());
            }
            for lang in 0..nlang {
                for &n in &neighbours {
                    pages.insert(Page::Item {
                        plan: pi,
                        item: n,
                        lang,
                    });
                }
                for &s in &sections {
                    pages.insert(Page::Section {
                        plan: pi,
                        section: s,
                        lang,
                    });
                }
                for &t in &tags {
                    pages.insert(Page::Tag {
                        plan: pi,
                        tag: t,
                        lang,
                    });
                }
                for &s in &statuses {
                    pages.insert(Page::Status {
                        plan: pi,
                        status: s,
                        lang,
                    });
                }
            }
        }
        let mut output = SiteOutput::default();
        let rendered = {
            let env = RenderEnv::new(&linked, &templates, &bodies);
            let pages: Vec<Page> = pages.into_iter().collect();
            render_pages(&env, &pages, &mut output, diags)
        };
        (
            Built {
                linked,
                templates,
                bodies,
            },
            output,
            rendered,
        )
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

/// Incremental rendering needs the same pages to exist: same plans,
/// sections, items (by file and number, in order), tags and status
/// groups' shape, the same plan-wide "as of" date, and attachments at the
/// same paths (pages link to them). Anything else is a full render.
fn can_render_incrementally(old: &LinkedSite, new: &LinkedSite) -> bool {
    old.assets.len() == new.assets.len()
        && old
            .assets
            .iter()
            .zip(&new.assets)
            .all(|(a, b)| a.output_path == b.output_path)
        && old.plans.len() == new.plans.len()
        && old.plans.iter().zip(&new.plans).all(|(a, b)| {
            a.plan.id == b.plan.id
                && a.plan.title == b.plan.title
                && a.plan.body == b.plan.body
                && a.plan.issuer == b.plan.issuer
                && a.plan.published == b.plan.published
                && a.plan.source == b.plan.source
                && a.as_of == b.as_of
                && a.sections.len() == b.sections.len()
                && a.sections
                    .iter()
                    .zip(&b.sections)
                    .all(|(x, y)| x.section == y.section && x.items == y.items)
                && a.items.len() == b.items.len()
                && a.items.iter().zip(&b.items).all(|(x, y)| {
                    x.item.path == y.item.path
                        && x.item.number == y.item.number
                        && x.item.languages == y.item.languages
                })
                && a.tags.len() == b.tags.len()
                && a.tags
                    .iter()
                    .zip(&b.tags)
                    .all(|(x, y)| x.name == y.name && x.slug == y.slug)
        })
}

/// Whether what other pages show of an item changed.
fn summary_differs(a: &LinkedItem, b: &LinkedItem) -> bool {
    a.item.title != b.item.title
        || a.progress.status != b.progress.status
        || a.progress.percent != b.progress.percent
        || a.item.tags != b.item.tags
        || a.tags != b.tags
        || a.item.related != b.item.related
        || a.related != b.related
        || a.referenced_by != b.referenced_by
}
