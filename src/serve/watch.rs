//! The watcher and rebuild thread of `planpub serve`: file events in,
//! rebuilds out.
//!
//! * The site root is watched on its own (site.toml, and folders that
//!   appear, vanish or are replaced), each source folder (content/, the
//!   theme, templates/, static/, i18n/) recursively. A source folder that
//!   is replaced (`rm -rf content && cp -r … content`, or moved away and
//!   back) is watched again, and read whole, after the events that say so.
//! * After a partial rebuild (an edited item's own pages), the rest waits
//!   until edits pause for [`SETTLE`], so the next save is not queued
//!   behind it.
//! * Once the watcher has been quiet for [`CATCH_UP`] after a rebuild, a
//!   thread of its own looks at every source's size, time and inode
//!   ([`Fingerprint`]), and the files that differ from its last look are
//!   handled like events (bytes equal to the session's cost a read):
//!   events can be lost (a full kernel queue, files written into a folder
//!   before it was watched), and the served site must end up as a clean
//!   build of the files. Reading every file instead took over a second
//!   at 10,000 items; the look takes 0.2–0.6 s there on this machine's
//!   disk, off the rebuild thread.

use super::session::{IndexJob, Session};
use super::{Live, Reporter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

/// The debounce window of the watcher: short, so a save shows at once,
/// long enough to merge an editor's write-then-rename.
const DEBOUNCE: Duration = Duration::from_millis(15);
/// How long edits must pause before a partial rebuild is completed.
const SETTLE: Duration = Duration::from_millis(100);
/// How long the watcher must be quiet after a rebuild before the sources
/// are compared with what was built.
const CATCH_UP: Duration = Duration::from_millis(400);

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// The watches on the source folders, by path relative to the root, with
/// the identity of the folder each was set on.
struct Watches {
    root: PathBuf,
    debouncer: Debouncer,
    armed: BTreeMap<PathBuf, FolderId>,
}

/// Size, modification time and inode of every file under the source
/// folders and of site.toml, by absolute path.
#[derive(Default, PartialEq)]
pub(super) struct Fingerprint(BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>, u64)>);

/// The sources that can reach the site (broader than the watched ones:
/// every theme, not only the current one).
const SOURCES: [&str; 6] = [
    "site.toml",
    "content",
    "themes",
    "templates",
    "static",
    "i18n",
];

impl Fingerprint {
    pub(super) fn of(root: &Path) -> Fingerprint {
        let mut files = BTreeMap::new();
        for top in SOURCES {
            for entry in walkdir::WalkDir::new(root.join(top))
                .into_iter()
                .filter_map(Result::ok)
            {
                if entry.file_type().is_dir() {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                #[cfg(unix)]
                let inode = std::os::unix::fs::MetadataExt::ino(&meta);
                #[cfg(not(unix))]
                let inode = 0;
                files.insert(entry.into_path(), (meta.len(), meta.modified().ok(), inode));
            }
        }
        Fingerprint(files)
    }

    /// The files new, gone or different in `newer`.
    fn changed_in(&self, newer: &Fingerprint) -> Vec<PathBuf> {
        let mut changed: Vec<PathBuf> = newer
            .0
            .iter()
            .filter(|(p, m)| self.0.get(*p) != Some(*m))
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(self.0.keys().filter(|p| !newer.0.contains_key(*p)).cloned());
        changed
    }
}

/// (device, inode) of a folder, where the platform has them.
type FolderId = Option<(u64, u64)>;

fn folder_id(path: &Path) -> Option<FolderId> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Some((meta.dev(), meta.ino())))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(None)
    }
}

impl Watches {
    /// Watches every source folder that exists and is not watched as it
    /// is now; `touched` (root-relative paths named by events) forces a
    /// new watch on the folders at or under them. Returns whether any
    /// watch was set (the caller then reads the sources whole: files may
    /// have been written before the watch was).
    fn arm(&mut self, session: &Session, touched: &[PathBuf]) -> bool {
        let mut armed_any = false;
        for rel in session.watched_paths() {
            let abs = self.root.join(&rel);
            let id = folder_id(&abs);
            let forced = touched.iter().any(|t| rel.starts_with(t));
            let current = self.armed.get(&rel);
            if !forced && current.is_some() && current == id.as_ref() {
                continue;
            }
            if current.is_some() {
                // Gone, replaced or moved: its old watch (if the kernel
                // still has it) points at another folder or at nothing.
                let _ = self.debouncer.unwatch(&abs);
                self.armed.remove(&rel);
            }
            let Some(id) = id else { continue };
            match self.debouncer.watch(&abs, notify::RecursiveMode::Recursive) {
                Ok(()) => {
                    self.armed.insert(rel, id);
                    armed_any = true;
                }
                Err(e) => eprintln!("cannot watch {}: {e}", abs.display()),
            }
        }
        armed_any
    }
}

/// Starts watching `root` and rebuilding `session` on change, on a thread
/// of its own.
/// What the rebuild thread hears of.
enum Message {
    /// File events from the watcher.
    Events(notify_debouncer_full::DebounceEventResult),
    /// The files that differ from the last look at the sources (see
    /// [`Fingerprint`]), from the looking thread.
    Looked(Vec<PathBuf>),
}

pub(super) fn spawn(
    root: &Path,
    before_start: Fingerprint,
    mut session: Session,
    mut reporter: Reporter,
    live: Arc<Live>,
    origin: String,
    hooks: &'static dyn crate::pipeline::Hooks,
) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::channel::<Message>();
    let events = tx.clone();
    // A new edit makes a rebuild of the lists in progress give way
    // (issue #21.2): the flag is set before the event is queued, and
    // cleared once the queue is read.
    let interrupt = session.interrupter();
    let mut debouncer =
        notify_debouncer_full::new_debouncer(DEBOUNCE, Some(Duration::from_millis(5)), move |r| {
            if may_be_an_edit(&r) {
                interrupt.store(true, Ordering::SeqCst);
            }
            let _ = events.send(Message::Events(r));
        })
        .map_err(|e| format!("cannot watch files: {e}"))?;
    // The root itself, not recursively (it may hold public/, .git or
    // node_modules): site.toml, also when an editor replaces it by a
    // rename, and source folders that appear, vanish or are replaced.
    debouncer
        .watch(root, notify::RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let mut watches = Watches {
        root: root.to_path_buf(),
        debouncer,
        armed: BTreeMap::new(),
    };
    watches.arm(&session, &[]);
    let look = spawn_looker(root.to_path_buf(), before_start, tx, hooks)?;
    let root = root.to_path_buf();
    std::thread::Builder::new()
        .name("planpub-watch".into())
        .spawn(move || {
            // A look at the sources is due once the watcher is quiet; the
            // first comes soon after the start: files saved while the
            // first build ran (its pages answered early, issue #21.3)
            // sent no events.
            let mut catch_up = true;
            // Looks asked of the looking thread and not answered yet.
            let mut looks_asked = 0usize;
            loop {
                live.watcher_busy.store(
                    session.has_pending_work() || catch_up || looks_asked > 0,
                    Ordering::SeqCst,
                );
                let wait = if session.has_pending_work() {
                    Some(SETTLE)
                } else if catch_up {
                    Some(CATCH_UP)
                } else {
                    None
                };
                let first = match wait {
                    Some(wait) => rx.recv_timeout(wait),
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                let first = match first {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) if session.has_pending_work() => {
                        let started = Instant::now();
                        let outcome = session.finish();
                        if !outcome.interrupted {
                            report(&mut reporter, &live, outcome, started, &session, &origin);
                        }
                        // Interrupted: the edit that did it is queued.
                        continue;
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        catch_up = false;
                        if look.send(()).is_ok() {
                            looks_asked += 1;
                        }
                        continue;
                    }
                };
                live.watcher_busy.store(true, Ordering::SeqCst);
                let (mut paths, looked) = gather(first, &rx, &root);
                session.interrupter().store(false, Ordering::SeqCst);
                if looked > 0 {
                    looks_asked = looks_asked.saturating_sub(looked);
                    // Also sets any watch an event was lost for.
                    if watches.arm(&session, &[]) {
                        paths.push(root.join("content"));
                    }
                }
                paths.sort();
                paths.dedup();
                paths.retain(|p| p.starts_with(&root));
                if paths.is_empty() {
                    continue;
                }
                let touched: Vec<PathBuf> = paths
                    .iter()
                    .filter_map(|p| p.strip_prefix(&root).ok())
                    .filter(|rel| rel.components().count() <= 2)
                    .map(Path::to_path_buf)
                    .collect();
                if watches.arm(&session, &touched) {
                    // Files written before the watch was set sent no events.
                    paths.push(root.join("content"));
                }
                let started = Instant::now();
                let outcome = session.rebuild(&paths);
                // Bytes equal to the session's (a file saved unchanged, or
                // a look that found nothing missed) need no look.
                catch_up = catch_up || !outcome.unchanged;
                report(&mut reporter, &live, outcome, started, &session, &origin);
            }
        })
        .map_err(|e| format!("cannot start the watcher thread: {e}"))?;
    Ok(())
}

/// The paths that `first` and the messages already queued behind it
/// name, and how many of them were answers to a look.
fn gather(
    first: Message,
    rx: &std::sync::mpsc::Receiver<Message>,
    root: &Path,
) -> (Vec<PathBuf>, usize) {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut looked = 0;
    let mut collect = |m: Message| match m {
        Message::Events(Ok(events)) => {
            for e in events {
                if may_change_a_source(&e.kind) {
                    paths.extend(e.paths.iter().cloned());
                }
            }
        }
        Message::Events(Err(errors)) => {
            for e in errors {
                eprintln!("watch error: {e}");
            }
            // Something was missed: read everything.
            paths.push(root.join("content"));
        }
        Message::Looked(changed) => {
            paths.extend(changed);
            looked += 1;
        }
    };
    collect(first);
    while let Ok(more) = rx.try_recv() {
        collect(more);
    }
    (paths, looked)
}

/// Starts the thread that looks at the sources when asked (a walk of
/// every file: some 0.2 s at 10,000 items on a slow disk, which would
/// otherwise delay the next save's rebuild) and answers with the files
/// that differ from its last look.
fn spawn_looker(
    root: PathBuf,
    before_start: Fingerprint,
    answers: std::sync::mpsc::Sender<Message>,
    hooks: &'static dyn crate::pipeline::Hooks,
) -> Result<std::sync::mpsc::Sender<()>, String> {
    let (ask, asked) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("planpub-look".into())
        .spawn(move || {
            // As the sources were at the last look.
            let mut looked = before_start;
            for () in asked {
                let now = crate::pipeline::stage(hooks, crate::pipeline::Stage::Look, || {
                    Fingerprint::of(&root)
                });
                let changed = looked.changed_in(&now);
                looked = now;
                if answers.send(Message::Looked(changed)).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| format!("cannot start the watcher thread: {e}"))?;
    Ok(ask)
}

/// Prints and announces a rebuild, and starts its search index.
fn report(
    reporter: &mut Reporter,
    live: &Arc<Live>,
    mut outcome: super::session::RebuildOutcome,
    started: Instant,
    session: &Session,
    origin: &str,
) {
    if outcome.unchanged {
        return;
    }
    if let Some(base) = session.base_path()
        && !outcome.failed
        && base != live.base_path()
    {
        live.set_base_path(base);
        reporter.url = format!("{origin}{base}");
        if reporter.has_site {
            eprintln!("now serving at {origin}{base} (site.toml's base_url changed)");
        }
    }
    reporter.rebuild(&outcome, started.elapsed());
    live.announce(&outcome);
    spawn_index_job(outcome.index_job.take(), live);
}

/// Builds a rebuild's search index on its own thread, so that the next
/// edit is not queued behind it, and announces it when it lands.
fn spawn_index_job(job: Option<IndexJob>, live: &Arc<Live>) {
    // Its own single thread, not rayon's shared pool: the pages of the
    // next edit must not wait behind index work queued there.
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let Some(job) = job else { return };
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "planpub-index".into())
            .build()
            .ok()
    });
    live.index_jobs.fetch_add(1, Ordering::SeqCst);
    let live = live.clone();
    let run = move || {
        let started = Instant::now();
        if let Some(changed) = job.run()
            && !changed.is_empty()
        {
            eprintln!(
                "search index rebuilt in {} ms ({} files changed)",
                started.elapsed().as_millis(),
                changed.len()
            );
            live.announce_files(changed);
        }
        live.index_jobs.fetch_sub(1, Ordering::SeqCst);
    };
    match pool {
        // Queued on the pool's one thread, in order: no thread per job.
        Some(pool) => pool.spawn(run),
        None => run(),
    }
}

/// Whether what the watcher reports may be an edit (an error may hide one).
fn may_be_an_edit(r: &notify_debouncer_full::DebounceEventResult) -> bool {
    match r {
        Ok(events) => events.iter().any(|e| may_change_a_source(&e.kind)),
        Err(_) => true,
    }
}

/// Whether a file event can mean new bytes in a source. Opening, reading
/// and closing a file unwritten (which every rebuild and every editor
/// does) and access-time changes cannot; counting them made an idle
/// server rebuild in a loop. Closing a file written to counts (some
/// editors' saves show up first as that), and so does anything unknown.
/// [`Session::rebuild`] then compares bytes, so a false alarm costs a read.
fn may_change_a_source(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
    !matches!(
        kind,
        EventKind::Access(
            AccessKind::Read
                | AccessKind::Open(_)
                | AccessKind::Close(AccessMode::Read | AccessMode::Execute)
        ) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue #15.11: what a lost event hid is found by the next look.
    #[test]
    fn a_look_finds_files_written_removed_or_replaced_since_the_last() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let content = dir.join("content/2023");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(dir.join("site.toml"), "x").unwrap();
        std::fs::write(content.join("a.md"), "a").unwrap();
        std::fs::write(content.join("b.md"), "b").unwrap();
        std::fs::write(content.join("c.md"), "c").unwrap();
        let before = Fingerprint::of(&dir);
        assert!(before.changed_in(&Fingerprint::of(&dir)).is_empty());
        std::fs::write(content.join("a.md"), "a, longer").unwrap();
        std::fs::remove_file(content.join("b.md")).unwrap();
        std::fs::write(content.join("d.md"), "d").unwrap();
        // Replaced by a rename with the same size: another inode.
        std::fs::write(content.join("c.tmp"), "C").unwrap();
        std::fs::rename(content.join("c.tmp"), content.join("c.md")).unwrap();
        let mut changed = before.changed_in(&Fingerprint::of(&dir));
        changed.sort();
        let names: Vec<String> = changed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.md", "c.md", "d.md"]);
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        use notify::EventKind;
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RemoveKind,
            RenameMode,
        };
        for quiet in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert!(!may_change_a_source(&quiet), "{quiet:?}");
        }
        for change in [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Permissions)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(RemoveKind::File),
            EventKind::Any,
            EventKind::Other,
        ] {
            assert!(may_change_a_source(&change), "{change:?}");
        }
    }
}
