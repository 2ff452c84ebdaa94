//! `planpub serve`: build, serve from memory on the local machine, watch
//! the sources, rebuild what changed, and reload the browser.
//!
//! * The site is served from memory (the session's output); `public/` on
//!   disk is never written, so stopping serve leaves it as it was.
//! * It is served under the path of site.toml's `base_url`
//!   (`http://127.0.0.1:1111/plan/` for `https://example.gov.cn/plan/`),
//!   so that its links are the ones `build` writes; `/` redirects there.
//! * A content error keeps the last good site served; the browser shows
//!   the errors in an overlay until the file is fixed.
//! * Live reload: every HTML page served gets a small script that
//!   long-polls `/__planpub/poll`; the server answers when a rebuild is
//!   done, with the list of output files it changed. Production builds
//!   carry no script.
//! * `http.rs` is the HTTP side (hyper on a one-thread tokio runtime, with
//!   a cap on connections and header bytes), `watch.rs` the watcher and
//!   rebuild thread, `session.rs` the incremental rebuild.

mod http;
pub mod session;
mod watch;

pub use http::{content_type, resolve_request_path};

use session::{RebuildOutcome, Session};
use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a long-poll waits before answering "nothing new".
const POLL_TIMEOUT: Duration = Duration::from_secs(25);

/// What the browser is told about rebuilds.
#[derive(Default)]
struct LiveState {
    version: u64,
    /// (version, output files changed by that rebuild), newest last.
    history: VecDeque<(u64, Vec<String>)>,
    errors: Option<String>,
}

/// Shared between the rebuild thread and the HTTP side: the rebuilds the
/// browser learns of, the path the site is served under, and whether
/// the watcher has work in hand.
pub struct Live {
    state: Mutex<LiveState>,
    changed: tokio::sync::Notify,
    /// The path of the served site's base URL (`/plan/`).
    base_path: RwLock<String>,
    /// The watcher has events, a pending rebuild or a check of the
    /// sources in hand.
    watcher_busy: AtomicBool,
    /// Search indexes being built off the rebuild thread.
    index_jobs: AtomicUsize,
}

impl Live {
    fn new(base_path: &str) -> Self {
        Live {
            state: Mutex::new(LiveState::default()),
            changed: tokio::sync::Notify::new(),
            base_path: RwLock::new(base_path.to_string()),
            watcher_busy: AtomicBool::new(false),
            index_jobs: AtomicUsize::new(0),
        }
    }

    /// Records a rebuild and wakes every waiting browser.
    fn announce(&self, outcome: &RebuildOutcome) {
        let mut s = self.state.lock().expect("live state");
        s.version += 1;
        let v = s.version;
        s.history.push_back((v, outcome.changed.clone()));
        while s.history.len() > 64 {
            s.history.pop_front();
        }
        s.errors = if outcome.failed {
            Some(outcome.diagnostics.render())
        } else {
            None
        };
        drop(s);
        self.changed.notify_waiters();
    }

    /// Records output files changed outside a rebuild (the search index,
    /// built on its own thread) and wakes every waiting browser; the
    /// error state stays as it is.
    fn announce_files(&self, changed: Vec<String>) {
        let mut s = self.state.lock().expect("live state");
        s.version += 1;
        let v = s.version;
        s.history.push_back((v, changed));
        while s.history.len() > 64 {
            s.history.pop_front();
        }
        drop(s);
        self.changed.notify_waiters();
    }

    fn base_path(&self) -> String {
        self.base_path.read().expect("base path lock").clone()
    }

    fn set_base_path(&self, path: &str) {
        *self.base_path.write().expect("base path lock") = path.to_string();
    }

    /// Whether everything the watcher was told of is served: no events,
    /// rebuild, check of the sources or search index in hand.
    fn settled(&self) -> bool {
        !self.watcher_busy.load(Ordering::SeqCst) && self.index_jobs.load(Ordering::SeqCst) == 0
    }

    /// Waits until there is news after `since` (or the timeout), and
    /// answers with the state as JSON.
    async fn poll(&self, since: u64) -> String {
        let deadline = tokio::time::Instant::now() + POLL_TIMEOUT;
        loop {
            // Registered before looking, so that no announcement between
            // the look and the wait is missed.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.state.lock().expect("live state");
                if since == 0 || s.version > since {
                    return self.poll_answer(&s, since);
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let s = self.state.lock().expect("live state");
                return self.poll_answer(&s, since);
            }
        }
    }

    fn poll_answer(&self, s: &LiveState, since: u64) -> String {
        let oldest = s.history.front().map(|(v, _)| *v).unwrap_or(0);
        // A first poll only learns the version (and any errors).
        let mut changed: Vec<&String> = if since == 0 {
            Vec::new()
        } else {
            s.history
                .iter()
                .filter(|(v, _)| *v > since)
                .flat_map(|(_, c)| c.iter())
                .collect()
        };
        changed.sort();
        changed.dedup();
        serde_json::json!({
            "version": s.version,
            "changed": changed,
            "reload_all": since != 0 && since + 1 < oldest,
            "errors": s.errors,
            "base": self.base_path(),
            "settled": self.settled(),
        })
        .to_string()
    }
}

/// The address to put in URLs for a bind address.
fn url_host(bind: &str) -> String {
    match bind {
        "0.0.0.0" => "127.0.0.1".into(),
        "::" => "[::1]".into(),
        b if b.contains(':') && !b.starts_with('[') => format!("[{b}]"),
        b => b.into(),
    }
}

/// What serve prints: each problem once, and then only what changed.
/// A warning printed at one rebuild is not printed again at the next
/// while it stays; an error is printed again only once it has been fixed
/// and comes back.
struct Reporter {
    warnings: BTreeSet<String>,
    errors: BTreeSet<String>,
    has_site: bool,
    /// Where the site is served (for the line that says so).
    url: String,
}

impl Reporter {
    fn new(url: String) -> Self {
        Reporter {
            warnings: BTreeSet::new(),
            errors: BTreeSet::new(),
            has_site: false,
            url,
        }
    }

    /// Prints what a build or rebuild changed (nothing for one that
    /// changed no source).
    fn rebuild(&mut self, outcome: &RebuildOutcome, elapsed: Duration) {
        if outcome.unchanged {
            return;
        }
        if outcome.partial {
            // The edited items' own pages, checked for nothing else: the
            // problems come with the rest, when edits pause.
            if self.has_site && !outcome.changed.is_empty() {
                eprintln!(
                    "rebuilt in {} ms: {} (the edited items' own pages; lists follow)",
                    elapsed.as_millis(),
                    changed_summary(&outcome.changed)
                );
            }
            return;
        }
        let (errors, warnings): (Vec<_>, Vec<_>) = outcome
            .diagnostics
            .sorted()
            .into_iter()
            .partition(|d| d.severity == crate::diagnostics::Severity::Error);
        let errors: BTreeSet<String> = errors.iter().map(|d| d.to_string()).collect();
        let warnings: BTreeSet<String> = warnings.iter().map(|d| d.to_string()).collect();
        if outcome.failed {
            for e in errors.difference(&self.errors) {
                eprintln!("{e}");
            }
            for w in warnings.difference(&self.warnings) {
                eprintln!("{w}");
            }
            let new = errors.difference(&self.errors).count();
            let before = errors.len() - new;
            let count = plural(errors.len(), "error");
            let detail = match (new, before) {
                (_, 0) => String::new(),
                (0, _) => " (as before)".to_string(),
                (n, _) => format!(" ({n} new, above)"),
            };
            if self.has_site {
                eprintln!("rebuild failed: {count}{detail}; still serving the last good site");
            } else {
                eprintln!(
                    "build failed: {count}{detail}; no site to serve until they are fixed: {} will show it then (serve rebuilds when a file is saved; Ctrl+C to stop)",
                    self.url
                );
            }
            self.errors = errors;
            self.warnings.extend(warnings);
            return;
        }
        for w in warnings.difference(&self.warnings) {
            eprintln!("{w}");
        }
        let gone = self.warnings.difference(&warnings).count();
        if gone > 0 {
            eprintln!("{} no longer reported", plural(gone, "warning"));
        }
        if !self.errors.is_empty() && self.has_site {
            eprintln!("fixed: the site builds again");
        }
        self.errors.clear();
        self.warnings = warnings;
        if !self.has_site {
            self.has_site = true;
            let pages = outcome
                .changed
                .iter()
                .filter(|p| p.ends_with(".html"))
                .count();
            eprintln!(
                "serving {pages} pages at {} (built in {} ms; rebuilds on change; Ctrl+C to stop)",
                self.url,
                elapsed.as_millis()
            );
            return;
        }
        if !outcome.changed.is_empty() {
            eprintln!(
                "rebuilt in {} ms: {}",
                elapsed.as_millis(),
                changed_summary(&outcome.changed)
            );
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "3 files changed: 2023/16/, en/2023/16/, 2023/16/badge.svg" (at most
/// three named).
fn changed_summary(changed: &[String]) -> String {
    let shown: Vec<&str> = changed
        .iter()
        .map(|p| p.strip_suffix("index.html").unwrap_or(p))
        .map(|p| if p.is_empty() { "/" } else { p })
        .take(3)
        .collect();
    let more = changed.len().saturating_sub(shown.len());
    format!(
        "{} changed: {}{}",
        plural(changed.len(), "file"),
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Runs the server until the process is stopped; `hooks` are told of
/// every rebuild's stages.
pub fn serve(
    root: &Path,
    bind: &str,
    port: u16,
    hooks: &'static dyn crate::pipeline::Hooks,
) -> Result<(), String> {
    // The watcher reports absolute paths: compare them with an absolute root.
    let root = &std::fs::canonicalize(root)
        .map_err(|e| format!("cannot open site folder {}: {e}", root.display()))?;
    if !root.join("site.toml").exists() {
        return Err(format!(
            "there is no site to serve in {}: it has no site.toml\n  = help: run `planpub init` to make a new site there, or pass --root <folder> to serve the site in the folder that holds site.toml",
            root.display()
        ));
    }
    let runtime = http::runtime()?;
    let listener = http::bind(&runtime, bind, port)?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let loopback_only = listener.local_addr().is_ok_and(|a| a.ip().is_loopback());
    let origin = format!("http://{}:{port}", url_host(bind));
    http::raise_open_file_limit();
    let started = Instant::now();
    // The server answers from the start: while the first build renders,
    // a page asked for is rendered on its own (issue #21.3).
    let output: session::SharedOutput = Arc::default();
    let early = Arc::new(session::EarlySlot::new());
    let live = Arc::new(Live::new("/"));
    let site = http::Site {
        output: output.clone(),
        live: live.clone(),
        early: early.clone(),
        loopback_only,
    };
    let server = std::thread::Builder::new()
        .name("planpub-http".into())
        .spawn(move || http::run(runtime, listener, site))
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    let before_start = crate::pipeline::stage(hooks, crate::pipeline::Stage::Look, || {
        watch::Fingerprint::of(root)
    });
    let (mut session, outcome) = Session::start_serving(root, &origin, hooks, output, early);
    session.set_background_index(true);
    let base_path = session.base_path().unwrap_or("/").to_string();
    live.set_base_path(&base_path);
    let mut reporter = Reporter::new(format!("{origin}{base_path}"));
    reporter.rebuild(&outcome, started.elapsed());
    live.announce(&outcome);
    watch::spawn(
        root,
        before_start,
        session,
        reporter,
        live.clone(),
        origin,
        hooks,
    )?;
    server
        .join()
        .map_err(|_| "the server thread stopped".to_string())?
}
