//! The in-memory site that `serve` keeps between rebuilds, and the
//! incremental rebuild: re-read only the files that changed, re-parse only
//! their front matter, re-render only their Markdown, and re-render only
//! the pages that show what changed.
//!
//! Architecture invariant: an incremental rebuild gives the same bytes as
//! a clean `planpub build` of the same sources (tests/serve.rs checks it).
//! When in doubt about what a change touches, rebuild more, never less.

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::indexing::IndexInputs;
use crate::link::{LinkedItem, LinkedSite, link_site};
use crate::load::{
    LoadedSite, LoadedTheme, SourceAsset, SourceDocument, load_content_file, load_site,
};
use crate::render::templates::{Templates, compile_templates};
use crate::render::{
    Page, RenderEnv, RenderedBodies, SiteOutput, add_static_files, all_pages, render_bodies,
    render_item_bodies, render_pages,
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

pub struct Session {
    root: PathBuf,
    base_url: Option<String>,
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
    /// Problems found while loading site.toml and the theme.
    load_diagnostics: Diagnostics,
    built: Option<Built>,
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
    /// A file under content/: reload that file (or rescan when it is gone
    /// or is a folder).
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
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
    {
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
        let mut session = Session {
            root: root.to_path_buf(),
            base_url,
            config: None,
            theme: LoadedTheme::default(),
            documents: BTreeMap::new(),
            assets: BTreeMap::new(),
            site_sources: BTreeMap::new(),
            load_diagnostics: Diagnostics::new(),
            built: None,
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
        let mut rescan = false;
        let mut reloaded = false;
        for (rel, kind) in rels.iter().zip(&kinds) {
            if *kind != ChangeKind::Content {
                continue;
            }
            let abs = self.root.join(rel);
            if abs.is_file() {
                if !self.content_file_changed(rel) {
                    continue;
                }
                self.reload_content_file(rel);
                reloaded = true;
            } else if abs.is_dir() || self.knows_content_under(rel) {
                // Deleted, renamed away, or a folder moved: look again.
                rescan = true;
            }
        }
        if rescan {
            rescan = self.rescan_content();
        }
        if !reloaded && !rescan {
            // Touched, read or saved unchanged: nothing to do.
            return RebuildOutcome::unchanged();
        }
        if !rescan && let Some(changed) = self.publish_edited_items(&rels) {
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
            item_files.insert(crate::validate::default_path(doc));
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
                        .get(&crate::validate::translation_path(file, l))
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
            (Some((doc, parsed)), _) if parsed.parsed.is_some() || !doc.text.is_empty() => {
                Some(doc.text.as_bytes())
            }
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

    /// Whether a content document or asset was loaded from `rel` or from
    /// under it (a folder).
    fn knows_content_under(&self, rel: &Path) -> bool {
        self.documents.keys().any(|p| p.starts_with(rel))
            || self.assets.keys().any(|p| p.starts_with(rel))
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

    fn reload_content_file(&mut self, rel: &Path) {
        let config = self.config.as_ref().expect("content reloads need a config");
        let mut d = Diagnostics::new();
        let (doc, asset) = load_content_file(&self.root, rel, config, &mut d);
        self.documents.remove(rel);
        self.assets.remove(rel);
        if let Some(doc) = doc {
            let parsed = parse_file(&doc, &config.default_language);
            self.documents.insert(rel.to_path_buf(), (doc, parsed));
        } else if let Some(asset) = asset {
            self.assets.insert(rel.to_path_buf(), asset);
        } else if d.has_errors() {
            // Unreadable or invalid UTF-8: keep the problem with the file.
            let text = String::new();
            let stub = SourceDocument {
                path: rel.to_path_buf(),
                kind: crate::load::DocumentKind::Item,
                plan: String::new(),
                section_dir: None,
                stem: String::new(),
                language: String::new(),
                text,
            };
            self.documents.insert(
                rel.to_path_buf(),
                (
                    stub,
                    ParsedFile {
                        parsed: None,
                        diagnostics: d,
                    },
                ),
            );
        }
    }

    /// Brings the document map in line with the files on disk: files gone
    /// are dropped, new ones loaded, changed ones re-read.
    fn rescan_content(&mut self) -> bool {
        let on_disk: BTreeSet<PathBuf> = self
            .files_under(Path::new("content"))
            .into_iter()
            .filter(|rel| classify(rel) == ChangeKind::Content)
            .collect();
        let before = self.documents.len() + self.assets.len();
        self.documents.retain(|p, _| on_disk.contains(p));
        self.assets.retain(|p, _| on_disk.contains(p));
        let mut changed = before != self.documents.len() + self.assets.len();
        for rel in on_disk {
            if self.content_file_changed(&rel) {
                self.reload_content_file(&rel);
                changed = true;
            }
        }
        changed
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
        if let Some(url) = &self.base_url
            && let Err(msg) = loaded.config.set_base_url(url)
        {
            d.error(
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
                let (built, overlay, rendered) = self.render_incrementally(old, linked, &mut diags);
                drop(t);
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
        let mut pages: BTreeSet<Page> = BTreeSet::new();
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
/// groups' shape, and the same plan-wide "as of" date. Anything else is a
/// full render.
fn can_render_incrementally(old: &LinkedSite, new: &LinkedSite) -> bool {
    old.plans.len() == new.plans.len()
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
