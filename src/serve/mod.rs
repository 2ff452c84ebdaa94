//! `planpub serve`: build, serve from memory on the local machine, watch
//! the sources, rebuild what changed, and reload the browser.
//!
//! * The site is served from memory (the session's output); `public/` on
//!   disk is never written, so stopping serve leaves it as it was.
//! * A content error keeps the last good site served; the browser shows
//!   the errors in an overlay until the file is fixed.
//! * Live reload: every HTML page served gets a small script that
//!   long-polls `/__planpub/poll`; the server answers when a rebuild is
//!   done, with the list of output files it changed. (tiny_http buffers
//!   chunked bodies, which would hold server-sent events back; a
//!   long-poll is answered at once.) Production builds carry no script.
//! * Paths are looked up in the in-memory file map after normalising, so
//!   no request can reach a file outside the output.

pub mod session;

use session::{RebuildOutcome, Session, SharedOutput};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The script injected into served pages.
const LIVE_RELOAD_SCRIPT: &str = include_str!("live.js");
/// How long a long-poll waits before answering "nothing new".
const POLL_TIMEOUT: Duration = Duration::from_secs(25);
/// The debounce window of the watcher: short, so a save shows at once,
/// long enough to merge an editor's write-then-rename.
const DEBOUNCE: Duration = Duration::from_millis(15);
/// How long edits must pause before a partial rebuild is completed.
const SETTLE: Duration = Duration::from_millis(100);

/// What the browser is told about rebuilds.
#[derive(Default)]
struct LiveState {
    version: u64,
    /// (version, output files changed by that rebuild), newest last.
    history: VecDeque<(u64, Vec<String>)>,
    errors: Option<String>,
}

/// Shared between the rebuild thread and the request threads.
pub struct Live {
    state: Mutex<LiveState>,
    changed: Condvar,
}

impl Live {
    fn new() -> Self {
        Live {
            state: Mutex::new(LiveState::default()),
            changed: Condvar::new(),
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
        self.changed.notify_all();
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
        self.changed.notify_all();
    }

    /// Waits until there is news after `since` (or the timeout), and
    /// answers with the state as JSON.
    fn poll(&self, since: u64) -> String {
        let mut s = self.state.lock().expect("live state");
        let deadline = Instant::now() + POLL_TIMEOUT;
        while since != 0 && s.version <= since {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            s = self.changed.wait_timeout(s, left).expect("live state").0;
        }
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

fn print_outcome(outcome: &RebuildOutcome, elapsed: Duration) {
    for d in outcome.diagnostics.sorted() {
        eprintln!("{d}");
    }
    if outcome.failed {
        eprintln!(
            "rebuild failed ({} errors); still serving the last good site",
            outcome.diagnostics.error_count()
        );
    } else {
        eprintln!(
            "rebuilt in {} ms ({} files changed{})",
            elapsed.as_millis(),
            outcome.changed.len(),
            if outcome.partial {
                ", the edited items' pages first"
            } else if outcome.incremental {
                ", incremental"
            } else {
                ""
            }
        );
    }
}

/// Runs the server until the process is stopped.
pub fn serve(root: &Path, bind: &str, port: u16) -> Result<(), String> {
    // The watcher reports absolute paths: compare them with an absolute root.
    let root = &std::fs::canonicalize(root)
        .map_err(|e| format!("cannot open site folder {}: {e}", root.display()))?;
    let addr = if bind.contains(':') && !bind.starts_with('[') {
        format!("[{bind}]:{port}")
    } else {
        format!("{bind}:{port}")
    };
    let listener = std::net::TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e} (is port {port} already in use? choose another with --port)"))?;
    set_no_delay(&listener);
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(port);
    let base_url = format!("http://{}:{port}/", url_host(bind));
    let started = Instant::now();
    let (mut session, outcome) = Session::start(root, Some(base_url.clone()));
    session.set_background_index(true);
    print_outcome(&outcome, started.elapsed());
    let live = Arc::new(Live::new());
    live.announce(&outcome);
    let output = session.output.clone();
    spawn_watcher(root, session, live.clone())?;
    eprintln!("serving {} at {base_url} (Ctrl+C to stop)", root.display());
    let server = Arc::new(server);
    for request in server.incoming_requests() {
        let output = output.clone();
        let live = live.clone();
        std::thread::spawn(move || handle_request(request, &output, &live));
    }
    Ok(())
}

/// Watches the sources and rebuilds on change, on its own thread.
fn spawn_watcher(root: &Path, mut session: Session, live: Arc<Live>) -> Result<(), String> {
    use notify::RecursiveMode;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer =
        notify_debouncer_full::new_debouncer(DEBOUNCE, Some(Duration::from_millis(5)), tx)
            .map_err(|e| format!("cannot watch files: {e}"))?;
    // The root itself, not recursively: site.toml (also when an editor
    // replaces it by a rename) and folders that appear later.
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    for p in session.watched_paths() {
        let abs = root.join(&p);
        if abs.is_dir() {
            debouncer
                .watch(&abs, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", abs.display()))?;
        }
    }
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let _keep = debouncer;
        loop {
            // After a partial rebuild (an edited item's own pages), the
            // rest waits until the edits pause, so that the next save is
            // not queued behind it.
            let first = if session.has_pending_work() {
                match rx.recv_timeout(SETTLE) {
                    Ok(events) => events,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        let started = Instant::now();
                        let mut outcome = session.finish();
                        print_outcome(&outcome, started.elapsed());
                        live.announce(&outcome);
                        spawn_index_job(outcome.index_job.take(), &live);
                        continue;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            } else {
                match rx.recv() {
                    Ok(events) => events,
                    Err(_) => break,
                }
            };
            let mut paths: Vec<PathBuf> = Vec::new();
            let mut collect = |r: notify_debouncer_full::DebounceEventResult| match r {
                Ok(events) => {
                    for e in events {
                        if may_change_a_source(&e.kind) {
                            paths.extend(e.paths.iter().cloned());
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("watch error: {e}");
                    }
                }
            };
            collect(first);
            while let Ok(more) = rx.try_recv() {
                collect(more);
            }
            paths.sort();
            paths.dedup();
            let paths: Vec<PathBuf> = paths.into_iter().filter(|p| p.starts_with(&root)).collect();
            if paths.is_empty() {
                continue;
            }
            let started = Instant::now();
            let mut outcome = session.rebuild(&paths);
            if outcome.unchanged {
                continue;
            }
            print_outcome(&outcome, started.elapsed());
            live.announce(&outcome);
            spawn_index_job(outcome.index_job.take(), &live);
        }
    });
    Ok(())
}

/// Turns Nagle's algorithm off for the connections `listener` accepts
/// (Linux copies the option from the listening socket). tiny_http writes a
/// response's head and body separately; with Nagle on, the body waited for
/// the client's delayed ACK, and every request on a kept-alive connection
/// took 40 ms more (measured: 44 ms a page, 0.8 ms with this).
fn set_no_delay(listener: &std::net::TcpListener) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket descriptor, a c_int option of the right size.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(unix))]
    let _ = listener;
}

/// Builds a rebuild's search index on its own thread, so that the next
/// edit is not queued behind it, and announces it when it lands.
fn spawn_index_job(job: Option<session::IndexJob>, live: &Arc<Live>) {
    // Its own single thread, not rayon's shared pool: the pages of the
    // next edit must not wait behind index work queued there.
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let Some(job) = job else { return };
    let live = live.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        let pool = POOL.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(|_| "planpub-index".into())
                .build()
                .ok()
        });
        let landed = match pool {
            Some(pool) => pool.install(|| job.run()),
            None => job.run(),
        };
        if let Some(changed) = landed {
            eprintln!(
                "search index rebuilt in {} ms ({} files changed)",
                started.elapsed().as_millis(),
                changed.len()
            );
            if !changed.is_empty() {
                live.announce_files(changed);
            }
        }
    });
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

/// Decodes `%XX` escapes; `None` if the result is not UTF-8.
fn percent_decode_path(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Maps a request path to a key of the output, or `None` if it tries to
/// leave the site (`..`, encoded slashes or backslashes, NUL).
pub fn resolve_request_path(url_path: &str) -> Option<String> {
    let raw = url_path.split(['?', '#']).next().unwrap_or("");
    // An encoded slash or backslash would let a segment smuggle a path.
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded = percent_decode_path(raw)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Some(key)
}

/// The Content-Type of an output file, UTF-8 for text.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => {
            if path.ends_with("updates.xml") {
                "application/atom+xml; charset=utf-8"
            } else {
                "application/xml; charset=utf-8"
            }
        }
        "svg" => "image/svg+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// Adds the live-reload script to an HTML page, just before `</body>`.
fn inject_live_reload(html: &[u8]) -> Vec<u8> {
    let tag = b"<script src=\"/__planpub/live.js\"></script>\n";
    let close = b"</body>";
    match html.windows(close.len()).rposition(|w| w == close) {
        Some(i) => {
            let mut out = Vec::with_capacity(html.len() + tag.len());
            out.extend_from_slice(&html[..i]);
            out.extend_from_slice(tag);
            out.extend_from_slice(&html[i..]);
            out
        }
        None => [html, tag.as_slice()].concat(),
    }
}

fn handle_request(request: tiny_http::Request, output: &SharedOutput, live: &Live) {
    let url = request.url().to_string();
    let method = request.method().clone();
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let _ = request.respond(
            tiny_http::Response::from_string("method not allowed")
                .with_status_code(405)
                .with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let path_only = url.split('?').next().unwrap_or("");
    if path_only == "/__planpub/live.js" {
        let _ = request.respond(
            tiny_http::Response::from_string(LIVE_RELOAD_SCRIPT)
                .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store")),
        );
        return;
    }
    if path_only == "/__planpub/poll" {
        let since = url
            .split_once("since=")
            .and_then(|(_, v)| v.split('&').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body = live.poll(since);
        let _ = request.respond(
            tiny_http::Response::from_string(body)
                .with_header(header("Content-Type", "application/json; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store")),
        );
        return;
    }
    let (status, key, bytes) = {
        let site = output.read().expect("served site lock");
        match resolve_request_path(&url) {
            None => (400u16, "400".to_string(), b"bad request path".to_vec()),
            Some(key) => match site.files.get(&key) {
                Some(b) => (200, key, b.clone()),
                None => {
                    // `/2023/16` without the slash: redirect to the folder.
                    let dir_index = format!("{key}/index.html");
                    if !key.ends_with(".html") && site.files.contains_key(&dir_index) {
                        let location = format!("/{key}/");
                        drop(site);
                        let _ = request.respond(
                            tiny_http::Response::empty(301)
                                .with_header(header("Location", &location)),
                        );
                        return;
                    }
                    let not_found = site
                        .files
                        .get("404.html")
                        .cloned()
                        .unwrap_or_else(|| b"not found".to_vec());
                    (404, "404.html".to_string(), not_found)
                }
            },
        }
    };
    let ctype = content_type(&key);
    let body = if ctype.starts_with("text/html") {
        inject_live_reload(&bytes)
    } else {
        bytes
    };
    let response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_paths_never_resolve_outside_the_output() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/2023/..%2f..%2fetc",
            "/a/%2F..",
            "/..\\..\\x",
            "/%5c..",
            "/a/%00",
        ] {
            assert_eq!(resolve_request_path(bad), None, "{bad}");
        }
        assert_eq!(resolve_request_path("/"), Some("index.html".into()));
        assert_eq!(
            resolve_request_path("/2023/16/"),
            Some("2023/16/index.html".into())
        );
        assert_eq!(
            resolve_request_path("/2023/16/badge.svg?x=1"),
            Some("2023/16/badge.svg".into())
        );
        assert_eq!(
            resolve_request_path("/2023/tags/%E5%AD%A6/"),
            Some("2023/tags/学/index.html".into())
        );
    }

    #[test]
    fn text_types_are_utf8() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("2023/16/badge.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("2023/updates.xml"),
            "application/atom+xml; charset=utf-8"
        );
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

    #[test]
    fn live_reload_goes_before_body_end() {
        let out = String::from_utf8(inject_live_reload(b"<html><body>x</body></html>")).unwrap();
        assert!(out.contains("x<script src=\"/__planpub/live.js\"></script>\n</body>"));
    }
}
