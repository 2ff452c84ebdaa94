//! Rebuilding from the cached documents, through the one pipeline: a full
//! render when the site's pages changed, else only the pages the change
//! touches ([`pages_affected_by`]), checked against the whole served site
//! as a clean build checks them; and the search index, built off the
//! rebuild thread.

use super::early::{EarlyPages, EarlySlot};
use super::{RebuildOutcome, Session, SharedOutput, lay_over};
use crate::diagnostics::Diagnostics;
use crate::index::Cancelled;
use crate::indexing::IndexInputs;
use crate::link::{LinkedItem, LinkedSite, link_site};
use crate::load::{LoadedSite, SourceDocument};
use crate::output::{MemoryOutput, SiteOutput};
use crate::pages::{Change, Page, own_pages_of_item, pages_affected_by};
use crate::pipeline::{Stage, render_and_index, stage};
use crate::render::link_check::{ExpectedPaths, OutputView, check_links_in, check_links_unless};
use crate::render::site::{render_pages_into, render_pages_unless};
use crate::render::{Prepared, RenderEnv, prepare, render_item_bodies};
use crate::validate::{ParsedFile, assemble_site};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// An edited item as the fast path publishes it: (plan, item, the item
/// rebuilt from its files, its bodies).
type EditedItem = (
    usize,
    usize,
    LinkedItem,
    Vec<crate::render::markdown::RenderedMarkdown>,
);

impl Session {
    /// Phase one of an edit to work items' files: when the edit changes
    /// only what the items' own pages show (texts, status, targets,
    /// updates; not the number, file, section, tags, `related`,
    /// translations or the plan's "as of" date), render those pages and
    /// badges from the last build with the edited items swapped in,
    /// check their links, and publish them at once. `None` when the edit
    /// needs the full path. The caller then runs [`Session::finish`],
    /// which re-renders everything the edit touches, these pages
    /// included, exactly as a clean build would.
    pub(super) fn publish_edited_items(&mut self, rels: &[PathBuf]) -> Option<Vec<String>> {
        let mut swaps = self.edited_items(rels)?;
        let nlang = self.config.as_ref()?.languages.len();
        let built = self.built.as_mut()?;
        // Swap the edited items in, render their pages, swap them back:
        // `built` stays what the last full rebuild made, so that
        // `finish` sees every change.
        for (pi, ii, linked, bodies) in swaps.iter_mut() {
            std::mem::swap(&mut built.site.plans[*pi].items[*ii], linked);
            std::mem::swap(&mut built.bodies.plans[*pi].items[*ii], bodies);
        }
        let pages: Vec<Page> = swaps
            .iter()
            .flat_map(|(pi, ii, _, _)| own_pages_of_item(*pi, *ii, nlang))
            .collect();
        let mut diags = Diagnostics::new();
        let overlay = MemoryOutput::new();
        {
            let served = self.output.read().expect("served site lock");
            let expected = ExpectedPaths(served.files.keys().cloned().collect());
            let env = RenderEnv::new(&built.site, &built.templates, &built.bodies);
            render_pages_into(&env, &pages, &overlay, &expected, &mut diags);
        }
        let overlay = overlay.into_site();
        if !diags.has_errors() {
            // Only these pages' links: the full path that follows checks
            // every page.
            let served = self.output.read().expect("served site lock");
            let view = OutputView {
                base: &served,
                overlay: Some(&overlay),
            };
            let rendered: Vec<String> = overlay.files.keys().cloned().collect();
            check_links_in(&built.site, view, Some(&rendered), &mut diags);
        }
        for (pi, ii, linked, bodies) in swaps.iter_mut() {
            std::mem::swap(&mut built.site.plans[*pi].items[*ii], linked);
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

    /// The items an edit of `rels` touches, rebuilt from their own files
    /// with their bodies rendered, each as (plan, item, linked item,
    /// bodies); `None` when the edit needs the full path (a file that is
    /// no item's, an item that moves in the plan, a new "as of" date).
    fn edited_items(&self, rels: &[PathBuf]) -> Option<Vec<EditedItem>> {
        use crate::load::DocumentKind;
        let built = self.built.as_ref()?;
        let config = self.config.as_ref()?;
        let dl = config.default_language.as_str();
        // The default-language file of every item the edit touches.
        let mut item_files: BTreeSet<PathBuf> = BTreeSet::new();
        for rel in rels {
            if super::sources::classify(rel) != super::sources::ChangeKind::Content {
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
        let langs = config.language_codes();
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
                .site
                .plans
                .iter()
                .position(|p| p.plan.id == doc.plan)?;
            let plan = &built.site.plans[pi];
            let ii = plan.items.iter().position(|it| it.item.path == *file)?;
            let old = &plan.items[ii];
            let item = crate::validate::reassemble_item(&old.item, doc, parsed, &translations, dl)?;
            let new_as_of = item.updates.last().map(|u| u.date);
            let as_of = plan
                .items
                .iter()
                .enumerate()
                .filter_map(|(j, it)| {
                    if j == ii {
                        new_as_of
                    } else {
                        it.progress.as_of
                    }
                })
                .max();
            if as_of != plan.as_of {
                return None;
            }
            let progress = crate::progress::compute_progress(&item, plan.plan.period(), as_of);
            let bodies = if item.body == old.item.body {
                built.bodies.plans[pi].items[ii].clone()
            } else {
                render_item_bodies(&item, &langs, config)
            };
            let linked = LinkedItem {
                item,
                progress,
                ..old.clone()
            };
            swaps.push((pi, ii, linked, bodies));
        }
        Some(swaps)
    }

    /// validate → link → (incremental) render → index, from the cached
    /// documents.
    pub(super) fn rebuild_from_documents(&mut self) -> RebuildOutcome {
        self.rebuild_from_documents_unless(&|| false)
    }

    /// [`Session::rebuild_from_documents`], given up when `cancelled` says
    /// so before the pages are published (an incremental rebuild asks it
    /// before each page it renders or reads for links): the served site
    /// and the session are then as they were, the work still pending,
    /// and the outcome says [`RebuildOutcome::interrupted`].
    pub(super) fn rebuild_from_documents_unless(
        &mut self,
        cancelled: Cancelled<'_>,
    ) -> RebuildOutcome {
        let was_pending = self.pending;
        self.pending = false;
        let mut diags = self.load_diagnostics.clone();
        let linked = match self.link_documents_unless(&mut diags, cancelled) {
            Ok(Some(linked)) => linked,
            Ok(None) => return self.fail(diags),
            Err(Interrupted) => {
                self.pending = was_pending;
                return RebuildOutcome::interrupted();
            }
        };
        if cancelled() {
            self.pending = was_pending;
            return RebuildOutcome::interrupted();
        }
        let old = self.built.take();
        // The diff, once: what it touches is all the rest needs of it.
        let touched = old
            .as_ref()
            .and_then(|old| Change::between(&old.site, &linked))
            .map(|change| Touched::of(&change, linked.plans.len()));
        match (old, touched) {
            (Some(old), Some(touched)) => {
                match self.rebuild_incrementally(old, linked, touched, diags, cancelled) {
                    Ok(outcome) => outcome,
                    Err(old) => {
                        self.built = Some(*old);
                        self.pending = was_pending;
                        RebuildOutcome::interrupted()
                    }
                }
            }
            _ => {
                let Some(prepared) = prepare(linked, &mut diags) else {
                    return self.fail(diags);
                };
                let output = MemoryOutput::new();
                let (prepared, changed) = match self.early_slot(&diags) {
                    // The first build: its pages are rendered on demand
                    // while the whole site renders.
                    Some(slot) => {
                        let early = Arc::new(EarlyPages::new(prepared));
                        slot.offer(early.clone());
                        let rendered =
                            render_and_index(&early.prepared, &output, &mut diags, self.hooks);
                        // Published before the offer is withdrawn, so that
                        // no request finds neither.
                        let changed = rendered.map(|_| self.publish(output.into_site()));
                        (slot.withdraw(early), changed)
                    }
                    None => {
                        let rendered = render_and_index(&prepared, &output, &mut diags, self.hooks);
                        let changed = rendered.map(|_| self.publish(output.into_site()));
                        (prepared, changed)
                    }
                };
                let Some(changed) = changed else {
                    return self.fail(diags);
                };
                self.built = Some(prepared);
                self.provisional.clear();
                RebuildOutcome {
                    changed,
                    diagnostics: diags,
                    failed: false,
                    incremental: false,
                    partial: false,
                    unchanged: false,
                    interrupted: false,
                    index_job: None,
                }
            }
        }
    }

    /// Where to offer the pages of a first build that has no error so
    /// far: only when nothing is served yet and serve asked for it.
    fn early_slot(&self, diags: &Diagnostics) -> Option<Arc<EarlySlot>> {
        let nothing_served = self
            .output
            .read()
            .expect("served site lock")
            .files
            .is_empty();
        self.early
            .clone()
            .filter(|_| nothing_served && !diags.has_errors())
    }

    /// validate → link from the cached documents and their parse results,
    /// on a thread of its own (issue #21.2: at 10,000 items it takes a
    /// few hundred milliseconds, and a new edit must not wait for it):
    /// `Err(Interrupted)` as soon as `cancelled` says so meanwhile (the
    /// thread's work is then dropped when it ends).
    fn link_documents_unless(
        &self,
        diags: &mut Diagnostics,
        cancelled: Cancelled<'_>,
    ) -> Result<Option<LinkedSite>, Interrupted> {
        let Some((loaded, parsed)) = self.snapshot(diags) else {
            return Ok(None);
        };
        let hooks = self.hooks;
        let mut d = diags.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let work = move || {
            let validated = stage(hooks, Stage::Validate, || {
                assemble_site(loaded, parsed, &mut d)
            });
            let linked = validated.map(|v| stage(hooks, Stage::Link, || link_site(v)));
            let _ = tx.send((linked, d));
        };
        let thread = std::thread::Builder::new()
            .name("planpub-assemble".into())
            .spawn(work)
            .map_err(|e| e.to_string());
        loop {
            match rx.recv_timeout(std::time::Duration::from_millis(1)) {
                Ok((linked, d)) => {
                    *diags = d;
                    return Ok(linked);
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if cancelled() {
                        return Err(Interrupted);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    // It panicked (a bug): pass the panic on.
                    match thread.map(std::thread::JoinHandle::join) {
                        Ok(Err(panic)) => std::panic::resume_unwind(panic),
                        other => panic!("the assembling thread ended without a result: {other:?}"),
                    }
                }
            }
        }
    }

    /// The cached documents as assembling takes them (without their
    /// texts: assembling reads the parse results), with the problems of
    /// files that belong to no plan added to `diags`; `None` before a
    /// site.toml was read.
    fn snapshot(&self, diags: &mut Diagnostics) -> Option<(LoadedSite, Vec<ParsedFile>)> {
        let config = self.config.clone()?;
        Some(stage(self.hooks, Stage::Reassemble, || {
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
            (loaded, parsed)
        }))
    }

    /// Renders only the pages the change from `old` to `linked` touches,
    /// checks every link of the served site with them laid over it (as a
    /// clean build checks them: an unchanged page may link to an anchor
    /// the change removed), and publishes them; the search index follows
    /// (off this thread when `background_index` is on). Given up when
    /// `cancelled` says so before anything is published: `Err(old)`, as
    /// it was.
    fn rebuild_incrementally(
        &mut self,
        old: Prepared,
        linked: LinkedSite,
        touched: Touched,
        mut diags: Diagnostics,
        cancelled: Cancelled<'_>,
    ) -> Result<RebuildOutcome, Box<Prepared>> {
        let (built, overlay, undo) = stage(self.hooks, Stage::Render, || {
            self.render_incrementally(old, linked, touched, &mut diags, cancelled)
        })?;
        let checked = stage(self.hooks, Stage::LinkCheck, || {
            let served = self.output.read().expect("served site lock");
            let view = OutputView {
                base: &served,
                overlay: Some(&overlay),
            };
            check_links_unless(&built.site, view, None, &mut diags, cancelled)
        });
        if checked.is_none() || cancelled() {
            drop_elsewhere(overlay);
            return Err(Box::new(undo.restore(built)));
        }
        if diags.has_errors() {
            // The last good site stays; the next rebuild starts from it.
            return Ok(self.fail(diags));
        }
        let mut changed = self.publish_pages(overlay);
        self.provisional.clear();
        let job = IndexJob {
            inputs: IndexInputs::new(&built.site, &built.bodies),
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
        Ok(RebuildOutcome {
            changed,
            diagnostics: diags,
            failed: false,
            incremental: true,
            partial: false,
            unchanged: false,
            interrupted: false,
            index_job,
        })
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

    /// Re-renders what the change from `old` to `linked` touches (and the
    /// pages published ahead of `old`), starting from `old`'s rendered
    /// bodies; the result holds those pages and the attachments, and what
    /// it takes to have `old` back ([`Undo`]). `Err(old)` when `cancelled`
    /// said so.
    fn render_incrementally(
        &self,
        old: Prepared,
        linked: LinkedSite,
        touched: Touched,
        diags: &mut Diagnostics,
        cancelled: Cancelled<'_>,
    ) -> Result<(Prepared, SiteOutput, Undo), Box<Prepared>> {
        let Prepared {
            site: old_site,
            templates,
            mut bodies,
        } = old;
        let langs: Vec<&str> = linked
            .config
            .languages
            .iter()
            .map(|l| l.code.as_str())
            .collect();
        // Pages published ahead of `old` are rendered again: the diff
        // cannot see an edit that was undone since.
        let mut pages: BTreeSet<Page> = self.provisional.clone();
        let mut replaced_bodies = Vec::new();
        for (plan, i) in touched.items {
            let (was, is) = (&old_site.plans[plan].items[i], &linked.plans[plan].items[i]);
            if was.item.body != is.item.body {
                let new = render_item_bodies(&is.item, &langs, &linked.config);
                let old = std::mem::replace(&mut bodies.plans[plan].items[i], new);
                replaced_bodies.push((plan, i, old));
            }
        }
        pages.extend(touched.pages);
        let undo = Undo {
            site: old_site,
            bodies: replaced_bodies,
        };
        let overlay = MemoryOutput::new();
        // Asked between the steps that take milliseconds at 10,000 items
        // (listing the served paths, rendering), and what is left is freed
        // off this thread.
        let rendered = if cancelled() {
            None
        } else {
            let served = self.output.read().expect("served site lock");
            let expected = ExpectedPaths(served.files.keys().cloned().collect());
            drop(served);
            let rendered = if cancelled() {
                None
            } else {
                let env = RenderEnv::new(&linked, &templates, &bodies).giving_way_to(cancelled);
                let pages: Vec<Page> = pages.into_iter().collect();
                render_pages_unless(&env, &pages, &overlay, &expected, diags, cancelled)
            };
            drop_elsewhere(expected);
            rendered
        };
        let new = Prepared {
            site: linked,
            templates,
            bodies,
        };
        if rendered.is_none() {
            drop_elsewhere(overlay);
            return Err(Box::new(undo.restore(new)));
        }
        // Attachments: the same paths (else no incremental render),
        // perhaps new bytes.
        let mut overlay = overlay.into_site();
        for asset in &new.site.assets {
            overlay
                .files
                .insert(asset.output_path.clone(), asset.bytes.clone());
        }
        Ok((new, overlay, undo))
    }
}

/// What a change from the last build touches, owned (the [`Change`]
/// borrows both sites, which the incremental rebuild takes over).
struct Touched {
    /// (plan, item) of every changed item.
    items: Vec<(usize, usize)>,
    /// The pages that show what changed.
    pages: BTreeSet<Page>,
}

impl Touched {
    fn of(change: &Change<'_>, plans: usize) -> Touched {
        Touched {
            items: (0..plans)
                .flat_map(|plan| {
                    change
                        .changed_items(plan)
                        .into_iter()
                        .map(move |i| (plan, i))
                })
                .collect(),
            pages: pages_affected_by(change),
        }
    }
}

/// A rebuild gave way to a new edit.
#[derive(Debug)]
struct Interrupted;

/// What an incremental render changed in the last build, kept until its
/// pages are published, so that a rebuild that gives way to a new edit
/// leaves the session as it was.
struct Undo {
    /// The last build's site.
    site: LinkedSite,
    /// (plan, item, the bodies the last build had) of every item whose
    /// body was rendered again.
    bodies: Vec<(usize, usize, Vec<crate::render::markdown::RenderedMarkdown>)>,
}

impl Undo {
    /// The last build, from the new one's templates and bodies.
    fn restore(self, new: Prepared) -> Prepared {
        let Prepared {
            site,
            templates,
            mut bodies,
        } = new;
        drop_elsewhere(site);
        for (plan, item, old) in self.bodies {
            bodies.plans[plan].items[item] = old;
        }
        Prepared {
            site: self.site,
            templates,
            bodies,
        }
    }
}

/// Drops `value` on a thread of its own: freeing a 10,000-item site takes
/// tens of milliseconds, which a rebuild giving way to a new edit must not
/// spend before the edit's pages (issue #21.2).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("planpub-drop".into())
        .spawn(move || drop(value));
    // Could not start a thread: it was dropped here, with the closure.
    let _ = spawned;
}
