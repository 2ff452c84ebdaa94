//! `planpub serve` (issue 6): incremental rebuilds equal clean builds, and
//! the running server follows edits, errors, deletions and renames without
//! ever serving a file from outside the output.

use planpub::diagnostics::Diagnostics;
use planpub::serve::session::Session;
use planpub::{BuildOptions, build_site};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the shipped site (content, site.toml, theme) in a temp dir.
fn shipped_site() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    std::fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).unwrap();
    dir
}

fn item_file(root: &Path, number: u32) -> PathBuf {
    for section in std::fs::read_dir(root.join("content/2023")).unwrap() {
        let section = section.unwrap().path();
        if !section.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&section).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(&format!("{number:02}-")) && !name.ends_with(".en.md") {
                return f;
            }
        }
    }
    panic!("no item {number}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn clean_build(root: &Path, base_url: &str, step: &str) -> planpub::output::SiteOutput {
    let mut diags = Diagnostics::new();
    build_site(
        &BuildOptions {
            root: root.to_path_buf(),
            base_url: Some(base_url.into()),
        },
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{step}: clean build failed:\n{}", diags.render()))
}

/// Asserts the session's in-memory site equals a clean build, file by file.
fn assert_same_as_clean_build(session: &Session, root: &Path, base_url: &str, step: &str) {
    let clean = clean_build(root, base_url, step);
    let served = session.output.read().unwrap();
    let only_clean: Vec<&String> = clean
        .files
        .keys()
        .filter(|k| !served.files.contains_key(*k))
        .collect();
    let only_served: Vec<&String> = served
        .files
        .keys()
        .filter(|k| !clean.files.contains_key(*k))
        .collect();
    let differ: Vec<&String> = clean
        .files
        .iter()
        .filter(|(k, v)| served.files.get(*k).is_some_and(|s| s != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_clean.is_empty() && only_served.is_empty() && differ.is_empty(),
        "{step}: incremental ≠ clean build\nonly in clean: {only_clean:?}\nonly in served: {only_served:?}\ndiffer: {differ:?}"
    );
}

/// An edit of the shipped plan: its name, the edit, and whether the
/// edited item's own pages go out first.
type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, bool);

/// The edits `incremental_rebuild_equals_clean_build` makes, one by one.
fn edit_steps(root: &Path) -> Vec<Step<'_>> {
    let steps: Vec<Step<'_>> = vec![
        (
            "body edit",
            Box::new(|| edit(&item_file(root, 11), "实施“十四五”", "实施“十四五”（修订）")),
            true,
        ),
        (
            "title edit",
            Box::new(|| {
                edit(
                    &item_file(root, 16),
                    "title = \"抓好项目谋划建设和高校设置工作\"",
                    "title = \"抓好项目谋划建设和高校设置工作（新）\"",
                )
            }),
            true,
        ),
        (
            "status edit",
            Box::new(|| {
                edit(
                    &item_file(root, 24),
                    "status = \"in-progress\"",
                    "status = \"delayed\"",
                )
            }),
            true,
        ),
        (
            "target actual edit",
            Box::new(|| edit(&item_file(root, 26), "actual = 8600", "actual = 9100")),
            true,
        ),
        (
            "related edit",
            Box::new(|| edit(&item_file(root, 16), "related = [24]", "related = [24, 2]")),
            false,
        ),
        (
            "tag edit",
            Box::new(|| {
                edit(
                    &item_file(root, 16),
                    "tags = [\"学校建设\", \"高等教育\"]",
                    "tags = [\"学校建设\"]",
                )
            }),
            false,
        ),
        (
            "english edit",
            Box::new(|| {
                let en = item_file(root, 16).with_extension("en.md");
                let text = std::fs::read_to_string(&en).unwrap();
                std::fs::write(&en, text.replacen("+++\n\n", "+++\n\nRevised. ", 1)).unwrap();
            }),
            true,
        ),
    ];
    steps
}

/// Structural changes (delete, rename, move to another section), each
/// rebuilt incrementally to what a clean build gives.
fn check_structural_changes(session: &mut Session, root: &Path, base: &str) {
    // Structural changes: delete, rename, move to another section.
    // (Item 30 is related to no other item, so deleting it is no error.)
    let item30 = item_file(root, 30);
    std::fs::remove_file(&item30).unwrap();
    std::fs::remove_file(item30.with_extension("en.md")).unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&item30));
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.changed.contains(&"2023/30/index.html".to_string()));
    assert_same_as_clean_build(session, root, base, "delete item 30");

    let item29 = item_file(root, 29);
    let renamed = item29.with_file_name("29-renamed.md");
    std::fs::rename(&item29, &renamed).unwrap();
    std::fs::rename(
        item29.with_extension("en.md"),
        renamed.with_extension("en.md"),
    )
    .unwrap();
    let outcome = session.rebuild(&[item29.clone(), renamed.clone()]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_same_as_clean_build(session, root, base, "rename item 29");

    let moved = root.join("content/2023/1-party-leadership/29-renamed.md");
    std::fs::rename(&renamed, &moved).unwrap();
    std::fs::rename(
        renamed.with_extension("en.md"),
        moved.with_extension("en.md"),
    )
    .unwrap();
    let outcome = session.rebuild(&[renamed.clone(), moved.clone()]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_same_as_clean_build(session, root, base, "move item 29 to section 1");
}

#[test]
fn incremental_rebuild_equals_clean_build() {
    let site = shipped_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    assert_same_as_clean_build(&session, root, base, "first build");

    let item16 = item_file(root, 16);
    for (name, step, first_own_pages) in edit_steps(root) {
        step();
        let outcome = session.rebuild(&[
            item16.clone(),
            item_file(root, 11),
            item_file(root, 24),
            item_file(root, 26),
            item16.with_extension("en.md"),
        ]);
        assert!(!outcome.failed, "{name}: {}", outcome.diagnostics.render());
        assert_eq!(outcome.partial, first_own_pages, "{name}: partial rebuild");
        assert_eq!(session.has_pending_work(), first_own_pages, "{name}");
        if outcome.partial {
            // What went out first is already final.
            let clean = clean_build(root, base, name);
            let served = session.output.read().unwrap();
            assert!(
                outcome.changed.iter().any(|p| p.ends_with("/index.html")),
                "{name}: the item page goes out first: {:?}",
                outcome.changed
            );
            for p in &outcome.changed {
                assert_eq!(served.files.get(p), clean.files.get(p), "{name}: {p}");
            }
            drop(served);
            let rest = session.finish();
            assert!(
                !rest.failed && !rest.partial,
                "{name}: {}",
                rest.diagnostics.render()
            );
            assert!(!session.has_pending_work());
        }
        assert_same_as_clean_build(&session, root, base, name);
    }

    check_structural_changes(&mut session, root, base);
}

#[test]
fn search_index_built_off_thread_lands_only_when_current() {
    let site = shipped_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/";
    let (mut session, _) = Session::start(root, Some(base.into()));
    session.set_background_index(true);
    let f = item_file(root, 16);
    edit(
        &f,
        "抓好项目谋划建设和高校设置工作",
        "抓好项目谋划建设和高校设置工作（一）",
    );
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial && first.index_job.is_none());
    let mut rest = session.finish();
    assert!(!rest.failed, "{}", rest.diagnostics.render());
    let older = rest.index_job.take().expect("the index is left to a job");
    // Reverted to the original title: the newest index is the clean one.
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replace("工作（一）", "工作")).unwrap();
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial);
    let mut rest = session.finish();
    let newer = rest.index_job.take().unwrap();
    let changed = newer.run().expect("the newest index lands");
    assert!(
        changed.iter().all(|p| p.contains("search/index/")),
        "{changed:?}"
    );
    assert!(older.run().is_none(), "an outdated index must not land");
    assert_same_as_clean_build(&session, root, base, "index built off thread");
}

#[test]
fn failed_incremental_rebuild_keeps_last_good_site() {
    let site = shipped_site();
    let root = site.path();
    let (mut session, _) = Session::start(root, None);
    let before = session.output.read().unwrap().clone();
    let f = item_file(root, 12);
    edit(&f, "status = \"delayed\"", "status = \"doing\"");
    let outcome = session.rebuild(std::slice::from_ref(&f));
    assert!(outcome.failed);
    let report = outcome.diagnostics.render();
    assert!(
        report.contains("12-compulsory-education.md:")
            && report.contains("unknown status \"doing\""),
        "{report}"
    );
    assert_eq!(
        *session.output.read().unwrap(),
        before,
        "the last good site must stay"
    );
    edit(&f, "status = \"doing\"", "status = \"delayed\"");
    let outcome = session.rebuild(&[f]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
}

#[test]
fn reading_or_touching_files_rebuilds_nothing() {
    let site = shipped_site();
    let root = site.path();
    let (mut session, _) = Session::start(root, None);
    let item = item_file(root, 7);
    let theme_file = root.join("themes/default/templates/item.html");
    let touched = [
        item.clone(),
        root.join("site.toml"),
        theme_file.clone(),
        root.join("content/2023/_index.md"),
        // Gone before the rebuild ran: an editor's temporary file.
        root.join("content/2023/4913"),
    ];
    // Saved with the same bytes (or only read).
    for p in &touched[..4] {
        if p.exists() {
            let bytes = std::fs::read(p).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
    let outcome = session.rebuild(&touched);
    assert!(outcome.unchanged, "nothing changed, nothing rebuilt");
    assert!(outcome.changed.is_empty() && !outcome.failed);

    // A real edit of the same files is seen.
    edit(&item, "+++\n\n", "+++\n\n（改）");
    let outcome = session.rebuild(std::slice::from_ref(&item));
    assert!(!outcome.unchanged && outcome.incremental);
    assert!(outcome.changed.contains(&"2023/7/index.html".to_string()));
    {
        assert!(theme_file.exists(), "{}", theme_file.display());
        let text = std::fs::read_to_string(&theme_file).unwrap();
        std::fs::write(&theme_file, format!("{text}\n")).unwrap();
        let outcome = session.rebuild(std::slice::from_ref(&theme_file));
        assert!(
            !outcome.unchanged && !outcome.incremental,
            "a theme edit rebuilds everything"
        );
    }
}

// --- the running server -------------------------------------------------

struct Server {
    child: Child,
    port: u16,
    /// What the server printed on stderr so far.
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The URL path of a page of the shipped site, which is served under
    /// its base_url's path (`/plan/`).
    fn url(&self, path: &str) -> String {
        format!("/plan{path}")
    }

    fn printed(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The poll endpoint's state, at once.
    fn state(&self) -> serde_json::Value {
        let (status, body) = get(self.port, "/__planpub/poll?since=0");
        assert_eq!(status, 200, "poll: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `planpub serve` on `root`, with at most `open_files` open file
/// descriptors (soft and hard limit) when given, and waits until it
/// answers (or, with `expect_site` false, until it has printed that the
/// build failed).
fn spawn_server(root: &Path, open_files: Option<u64>, expect_site: bool) -> Server {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_planpub"));
    command
        .args([
            "--root",
            root.to_str().unwrap(),
            "serve",
            "--port",
            &port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(not(unix))]
    assert!(
        open_files.is_none(),
        "open file limits are set on Unix only"
    );
    #[cfg(unix)]
    if let Some(n) = open_files {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure only calls setrlimit, which is
        // async-signal-safe (pre_exec has no safe form).
        unsafe {
            command.pre_exec(move || {
                let limit = rustix::process::Rlimit {
                    current: Some(n),
                    maximum: Some(n),
                };
                rustix::process::setrlimit(rustix::process::Resource::Nofile, limit)?;
                Ok(())
            });
        }
    }
    let mut child = command.spawn().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let server = Server {
        child,
        port,
        stderr,
    };
    if expect_site {
        wait_for(&server, "/plan/", |status, _| status == 200, "server start");
    } else {
        poll_until(
            || server.printed().contains("build failed"),
            "the first build to fail",
            || server.printed(),
        );
    }
    server
}

fn start_server(root: &Path) -> Server {
    spawn_server(root, None, true)
}

/// Polls `done` every 50 ms until it holds; fails after 30 s with what
/// `context` says then.
fn poll_until(mut done: impl FnMut() -> bool, what: &str, context: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends `request` as it is and reads the whole answer (the request asks
/// to close the connection): (status, headers, body). Status 0 when the
/// server closed the connection without answering.
fn raw_request(port: u16, request: &[u8]) -> (u16, String, Vec<u8>) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new(), Vec::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let body = buf.get(split + 4..).unwrap_or_default().to_vec();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head, body)
}

/// A GET with `Host: 127.0.0.1` (test code only): (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let (status, _, body) = get_bytes(port, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get_bytes(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    raw_request(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

fn wait_for(server: &Server, path: &str, ok: impl Fn(u16, &str) -> bool, what: &str) -> String {
    let mut last = (0, String::new());
    poll_until(
        || {
            last = get(server.port, path);
            ok(last.0, &last.1)
        },
        &format!("{what} at {path}"),
        || server.printed(),
    );
    last.1
}

#[test]
fn serve_follows_edits_errors_deletions_and_renames() {
    let site = shipped_site();
    let root = site.path();
    let server = start_server(root);
    let (status, page) = get(server.port, &server.url("/2023/16/"));
    assert_eq!(status, 200);
    assert!(page.contains("抓好项目谋划建设和高校设置工作"));
    assert!(
        page.contains("/__planpub/live.js"),
        "served pages carry the live-reload script"
    );

    // Idle, the server does not rebuild (its own reads of the sources
    // once made it rebuild in a loop).
    let (_, first) = get(server.port, "/__planpub/poll?since=0");
    std::thread::sleep(Duration::from_millis(1500));
    let (_, later) = get(server.port, "/__planpub/poll?since=0");
    let version = |b: &str| {
        b.split("\"version\":").nth(1).map(|v| {
            v.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("")
                .to_string()
        })
    };
    assert_eq!(
        version(&first),
        version(&later),
        "an idle server rebuilt: {first} / {later}"
    );

    // An edited title is served.
    let f = item_file(root, 16);
    edit(
        &f,
        "title = \"抓好项目谋划建设和高校设置工作\"",
        "title = \"抓好项目谋划建设工作（已修改）\"",
    );
    wait_for(
        &server,
        &server.url("/2023/16/"),
        |s, b| s == 200 && b.contains("抓好项目谋划建设工作（已修改）"),
        "new title",
    );

    // A broken file: the old page stays, the error is reported.
    edit(&f, "status = \"in-progress\"", "status = \"doing\"");
    let poll = wait_for(
        &server,
        "/__planpub/poll?since=0",
        |_, b| b.contains("unknown status"),
        "error report",
    );
    assert!(poll.contains("16-school-projects.md"), "{poll}");
    let (status, page) = get(server.port, &server.url("/2023/16/"));
    assert_eq!(status, 200);
    assert!(
        page.contains("抓好项目谋划建设工作（已修改）"),
        "last good page still served"
    );

    // Fixed: the error goes away.
    edit(&f, "status = \"doing\"", "status = \"in-progress\"");
    wait_for(
        &server,
        "/__planpub/poll?since=0",
        |_, b| b.contains("\"errors\":null"),
        "recovery",
    );

    // Deleted (item 30 is related to no other item): 404, and gone from
    // the plan page.
    let item30 = item_file(root, 30);
    std::fs::remove_file(&item30).unwrap();
    std::fs::remove_file(item30.with_extension("en.md")).unwrap();
    wait_for(
        &server,
        &server.url("/2023/30/"),
        |s, _| s == 404,
        "deleted item answers 404",
    );
    let plan = wait_for(
        &server,
        &server.url("/2023/"),
        |s, b| s == 200 && !b.contains("/2023/30/"),
        "plan page without item 30",
    );
    assert!(plan.contains("/2023/31/"));

    // Renamed file: same number, still served.
    let item29 = item_file(root, 29);
    std::fs::rename(&item29, item29.with_file_name("29-funding-renamed.md")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    wait_for(
        &server,
        &server.url("/2023/29/"),
        |s, b| s == 200 && b.contains("健全教育战略性投入机制"),
        "renamed item still served",
    );

    // No path leaves the output.
    for bad in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/static/..%5c..%5cCargo.toml",
        "/%2e%2e%2f%2e%2e%2fsite.toml",
    ] {
        let (status, body) = get(server.port, bad);
        assert!(status == 400 || status == 404, "{bad}: {status}");
        assert!(
            !body.contains("root:x:0:0") && !body.contains("base_url"),
            "{bad} leaked a file"
        );
    }
}

#[test]
fn busy_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let site = shipped_site();
    let out = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .args([
            "--root",
            site.path().to_str().unwrap(),
            "serve",
            "--port",
            &port.to_string(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&port.to_string()) && err.contains("in use"),
        "{err}"
    );
}

/// The number of threads of a running process (Linux).
#[cfg(target_os = "linux")]
fn thread_count(pid: u32) -> usize {
    proc_status_field(pid, "Threads:")
}

/// The resident memory of a running process in KiB (Linux).
#[cfg(target_os = "linux")]
fn resident_kib(pid: u32) -> usize {
    proc_status_field(pid, "VmRSS:")
}

#[cfg(target_os = "linux")]
fn proc_status_field(pid: u32, field: &str) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

// issue #15.9: with a common open-file limit, many more connections than
// serve holds at once neither grow its threads nor its memory with them,
// and once they close it answers again; request heads are capped.
#[test]
#[cfg(target_os = "linux")]
fn serve_holds_a_bounded_number_of_connections_and_answers_after_a_flood() {
    let site = shipped_site();
    let server = spawn_server(site.path(), Some(1024), true);
    let pid = server.child.id();
    let threads_before = thread_count(pid);
    let rss_before = resident_kib(pid);

    // Four requests with a 4 MB header each: refused with 431, not read
    // into memory.
    let mut big = format!(
        "GET /plan/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Big: ",
        server.port
    )
    .into_bytes();
    big.extend(std::iter::repeat_n(b'a', 4 << 20));
    big.extend_from_slice(b"\r\n\r\n");
    let heads: Vec<_> = (0..4)
        .map(|_| {
            let big = big.clone();
            let port = server.port;
            std::thread::spawn(move || raw_request(port, &big).0)
        })
        .collect();
    for h in heads {
        assert_eq!(h.join().unwrap(), 431, "an oversized request head");
    }
    let rss_after_heads = resident_kib(pid);
    assert!(
        rss_after_heads < rss_before + 32 * 1024,
        "4 × 4 MB headers grew serve from {rss_before} KiB to {rss_after_heads} KiB"
    );

    // 400 connections that send nothing: more than serve holds (256).
    let held: Vec<TcpStream> = (0..400)
        .map(|i| {
            TcpStream::connect(("127.0.0.1", server.port))
                .unwrap_or_else(|e| panic!("connection {i}: {e}"))
        })
        .collect();
    // Let serve accept what it will.
    poll_until(
        || {
            std::fs::read_dir(format!("/proc/{pid}/fd"))
                .unwrap()
                .count()
                > 256
        },
        "serve to accept the connections it holds",
        String::new,
    );
    let threads_held = thread_count(pid);
    assert!(
        threads_held <= threads_before + 2,
        "{} connections made {threads_held} threads (from {threads_before})",
        held.len()
    );
    let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    assert!(
        open < 1024 - 32,
        "{open} files open: no room left to rebuild"
    );
    drop(held);
    // Answers again once they are closed.
    wait_for(
        &server,
        "/plan/2023/16/",
        |s, _| s == 200,
        "an answer after the flood",
    );
    assert!(thread_count(pid) <= threads_before + 2);
}

// issue #15.9: out of file descriptors, serve waits and answers again as
// soon as connections close (tiny_http's accept thread stopped for good).
#[test]
#[cfg(target_os = "linux")]
fn serve_out_of_file_descriptors_answers_again_once_connections_close() {
    let site = shipped_site();
    // Room for serve's own files and a few connections, fewer than the
    // smallest cap it sets (8).
    let server = spawn_server(site.path(), Some(16), true);
    let held: Vec<TcpStream> = (0..40)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    poll_until(
        || server.printed().contains("Too many open files"),
        "serve to run out of file descriptors",
        || server.printed(),
    );
    drop(held);
    wait_for(
        &server,
        "/plan/2023/16/",
        |s, _| s == 200,
        "an answer after running out",
    );
    // And goes on answering.
    for _ in 0..20 {
        assert_eq!(get(server.port, "/plan/").0, 200);
    }
}

// issue #15.10: bound to loopback, only requests for a loopback name are
// answered (DNS rebinding), with a one-line reason.
#[test]
fn serve_on_loopback_refuses_foreign_host_names() {
    let site = shipped_site();
    let server = start_server(site.path());
    let port = server.port;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _, _) = raw_request(
            port,
            format!("GET /plan/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(status, 200, "Host: {host}");
    }
    for path in ["/plan/", "/__planpub/poll?since=0", "/plan/2023/items.json"] {
        for host in [
            format!("evil.example:{port}"),
            format!("127.0.0.1.evil.example:{port}"),
        ] {
            let (status, _, body) = raw_request(
                port,
                format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
            let body = String::from_utf8_lossy(&body);
            assert_eq!(status, 403, "Host: {host} for {path}: {body}");
            assert!(
                body.contains("DNS rebinding") && body.trim_end().lines().count() == 1,
                "{body}"
            );
            assert!(!body.contains("errors"), "{body}");
        }
    }
}

// issue #15.13: a request line with raw UTF-8 (as curl sends a typed
// URL) is answered; bytes that are not UTF-8 get 400, never silence.
#[test]
fn serve_answers_request_lines_with_raw_utf8() {
    let site = shipped_site();
    std::fs::write(site.path().join("content/2023/说明.txt"), "说明\n").unwrap();
    let server = start_server(site.path());
    let port = server.port;
    let (status, _, body) = raw_request(
        port,
        format!("GET /plan/search/?q=寄宿 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("search-results"));
    // A file whose name is Chinese, its path written raw and encoded.
    for path in ["/plan/2023/说明.txt", "/plan/2023/%E8%AF%B4%E6%98%8E.txt"] {
        let (status, _, body) = raw_request(
            port,
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(
            (status, body.as_slice()),
            (200, "说明\n".as_bytes()),
            "{path}"
        );
    }
    let mut bad = b"GET /plan/search/?q=".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let (status, head, _) = raw_request(port, &bad);
    assert_eq!(status, 400, "{head}");
    assert_eq!(get(port, "/plan/").0, 200, "still serving");
}

// issue #15.14: outside a site, serve says there is none and what to do;
// a site whose first build fails is not "the last good site".
#[test]
fn serve_outside_a_site_says_there_is_none() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .args([
            "--root",
            empty.path().to_str().unwrap(),
            "serve",
            "--port",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no site to serve")
            && err.contains("site.toml")
            && err.contains("planpub init")
            && err.contains("--root"),
        "{err}"
    );
    assert!(!err.contains("last good site"), "{err}");

    let site = shipped_site();
    let f = item_file(site.path(), 12);
    edit(&f, "status = \"delayed\"", "status = \"doing\"");
    let server = spawn_server(site.path(), None, false);
    let printed = server.printed();
    assert!(
        !printed.contains("last good site") && printed.contains("no site to serve"),
        "{printed}"
    );
    let (status, page) = get(server.port, "/plan/2023/12/");
    assert_eq!(status, 503);
    assert!(
        page.contains("/__planpub/live.js"),
        "the page shows the errors: {page}"
    );
    edit(&f, "status = \"doing\"", "status = \"delayed\"");
    wait_for(
        &server,
        "/plan/2023/12/",
        |s, _| s == 200,
        "the site once fixed",
    );
    poll_until(
        || server.printed().contains("serving 154 pages"),
        "serve to say it serves the site",
        || server.printed(),
    );
}

// issue #17: serve prints the URL it serves at, under base_url's path,
// and each warning once.
#[test]
fn serve_prints_its_url_and_each_warning_once() {
    let site = shipped_site();
    let root = site.path();
    // A missing translation is a warning.
    let en = item_file(root, 16).with_extension("en.md");
    std::fs::remove_file(&en).unwrap();
    let server = start_server(root);
    let url = format!(
        "serving 154 pages at http://127.0.0.1:{}/plan/",
        server.port
    );
    // (What serve printed reaches the test through a pipe and a thread.)
    poll_until(
        || server.printed().contains(&url),
        &url,
        || server.printed(),
    );
    let printed = server.printed();
    assert!(!printed.contains("files changed"), "{printed}");
    let warning = printed
        .lines()
        .find(|l| l.contains("warning"))
        .unwrap_or_else(|| panic!("no warning printed: {printed}"))
        .to_string();
    assert_eq!(get(server.port, "/").0, 302);
    edit(&item_file(root, 11), "+++\n\n", "+++\n\n（改）");
    wait_for(
        &server,
        &server.url("/2023/11/"),
        |_, b| b.contains("（改）"),
        "the edit",
    );
    poll_until(
        || server.state()["settled"] == true,
        "serve to settle",
        || server.printed(),
    );
    poll_until(
        || server.printed().contains("lists follow") && server.printed().contains("2023/11/"),
        "what changed is named",
        || server.printed(),
    );
    let printed = server.printed();
    assert_eq!(printed.matches(&warning).count(), 1, "{printed}");
}

// issue #15.12: content/ replaced (removed and copied back, or moved away
// and back) is watched again.
#[test]
fn serve_follows_a_replaced_content_folder() {
    let site = shipped_site();
    let root = site.path();
    let server = start_server(root);
    let spare = tempfile::tempdir().unwrap();
    let copy = spare.path().join("content");
    copy_dir(&root.join("content"), &copy);
    let in_copy = spare
        .path()
        .join(item_file(root, 16).strip_prefix(root).unwrap());
    edit(
        &in_copy,
        "抓好项目谋划建设和高校设置工作\"",
        "抓好项目谋划建设和高校设置工作（替换）\"",
    );

    // rm -rf content && cp -r … content
    std::fs::remove_dir_all(root.join("content")).unwrap();
    copy_dir(&copy, &root.join("content"));
    wait_for(
        &server,
        &server.url("/2023/16/"),
        |s, b| s == 200 && b.contains("（替换）"),
        "the replaced content",
    );
    edit(&item_file(root, 16), "（替换）", "（替换后编辑）");
    wait_for(
        &server,
        &server.url("/2023/16/"),
        |s, b| s == 200 && b.contains("（替换后编辑）"),
        "an edit in the replaced content",
    );

    // mv content x && mv x content
    std::fs::rename(root.join("content"), root.join("x")).unwrap();
    std::fs::rename(root.join("x"), root.join("content")).unwrap();
    edit(&item_file(root, 16), "（替换后编辑）", "（移回后编辑）");
    wait_for(
        &server,
        &server.url("/2023/16/"),
        |s, b| s == 200 && b.contains("（移回后编辑）"),
        "an edit after moving content away and back",
    );
    edit(&item_file(root, 11), "+++\n\n", "+++\n\n（再改）");
    wait_for(
        &server,
        &server.url("/2023/11/"),
        |s, b| s == 200 && b.contains("（再改）"),
        "a second edit after moving content away and back",
    );
}

// --- edit storms (issue #15.11) ------------------------------------------

/// A small seeded generator (splitmix64): the same seed, the same edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A work item of the shipped site as the storm leaves it.
struct StormItem {
    /// Default-language file, where it is now.
    zh: PathBuf,
    en: PathBuf,
    original_zh: Vec<u8>,
    original_en: Vec<u8>,
    /// Broken by the storm (an unknown status), to be fixed at its end.
    broken: bool,
}

/// Random edits of the shipped site: texts, titles, edits undone at once,
/// renames, attachments made, changed and deleted, new items made and
/// deleted, files broken and fixed. Each step returns the paths it
/// touched (what the watcher would report).
struct Storm {
    root: PathBuf,
    rng: Rng,
    items: Vec<StormItem>,
    attachments: Vec<PathBuf>,
    new_items: Vec<PathBuf>,
    /// Every attachment the storm made, deleted since or not.
    made: Vec<PathBuf>,
    /// An edit to undo at the next step: (item, its bytes before).
    undo_next: Option<(usize, Vec<u8>)>,
    counter: usize,
    log: Vec<String>,
}

impl Storm {
    fn new(root: &Path, seed: u64) -> Storm {
        let mut items = Vec::new();
        for n in 1..=31 {
            let zh = item_file(root, n);
            let en = zh.with_extension("en.md");
            items.push(StormItem {
                original_zh: std::fs::read(&zh).unwrap(),
                original_en: std::fs::read(&en).unwrap_or_default(),
                zh,
                en,
                broken: false,
            });
        }
        Storm {
            root: root.to_path_buf(),
            rng: Rng(seed),
            items,
            attachments: Vec::new(),
            new_items: Vec::new(),
            undo_next: None,
            made: Vec::new(),
            counter: 0,
            log: Vec::new(),
        }
    }

    fn section_dir(&mut self) -> PathBuf {
        let i = self.rng.below(self.items.len());
        self.items[i].zh.parent().unwrap().to_path_buf()
    }

    /// One random step; returns the paths it touched.
    fn step(&mut self) -> Vec<PathBuf> {
        self.counter += 1;
        let k = self.counter;
        if let Some((i, before)) = self.undo_next.take() {
            // The edit undone, and at once a new attachment or new bytes
            // in one the site has.
            let zh = self.items[i].zh.clone();
            std::fs::write(&zh, &before).unwrap();
            let note = if self.rng.below(5) == 0 {
                let note = self.root.join(format!("content/2023/notes-{k}.txt"));
                self.attachments.push(note.clone());
                self.made.push(note.clone());
                note
            } else {
                self.root.join("content/2023/source.zh.txt")
            };
            std::fs::write(&note, format!("note {k}\n")).unwrap();
            self.log
                .push(format!("{k}: undo {} + {}", zh.display(), note.display()));
            return vec![zh, note];
        }
        // Mostly a few items, so that edits meet undos and renames.
        let i = if self.rng.below(10) < 7 {
            [15, 10, 6, 23][self.rng.below(4)]
        } else {
            self.rng.below(self.items.len())
        };
        let kind = self.rng.below(100);
        let it = &mut self.items[i];
        match kind {
            // An edit of the body.
            0..=21 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                let text = text.replacen("+++\n\n", &format!("+++\n\n（第{k}次修改）"), 1);
                std::fs::write(&it.zh, text).unwrap();
                self.log.push(format!("{k}: body of {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // A new title.
            22..=29 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                let text = text.replacen("\ntitle = \"", &format!("\ntitle = \"（{k}）"), 1);
                std::fs::write(&it.zh, text).unwrap();
                self.log.push(format!("{k}: title of {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // The original bytes back.
            30..=37 => {
                std::fs::write(&it.zh, &it.original_zh).unwrap();
                std::fs::write(&it.en, &it.original_en).unwrap();
                it.broken = false;
                self.log.push(format!("{k}: restore {}", it.zh.display()));
                vec![it.zh.clone(), it.en.clone()]
            }
            // An edit undone at once, with a new attachment beside it (the
            // sequence that left the edit served forever).
            38..=54 => {
                let before = std::fs::read(&it.zh).unwrap();
                let text = String::from_utf8(before.clone()).unwrap();
                std::fs::write(&it.zh, text.replacen("+++\n\n", "+++\n\n（将撤销）", 1)).unwrap();
                self.log
                    .push(format!("{k}: edit to undo {}", it.zh.display()));
                self.undo_next = Some((i, before));
                vec![it.zh.clone()]
            }
            // Renamed, with its translation.
            55..=59 => self.rename_step(i, k),
            // The English text edited.
            60..=69 => {
                let text = std::fs::read_to_string(&it.en).unwrap();
                std::fs::write(
                    &it.en,
                    text.replacen("+++\n\n", &format!("+++\n\nEdit {k}. "), 1),
                )
                .unwrap();
                self.log
                    .push(format!("{k}: english of {}", it.en.display()));
                vec![it.en.clone()]
            }
            // Broken (an unknown status), fixed at the end at the latest.
            70..=71 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                if !text.contains("\nstatus = \"") || it.broken {
                    return Vec::new();
                }
                std::fs::write(&it.zh, text.replacen("\nstatus = \"", "\nstatus = \"x-", 1))
                    .unwrap();
                it.broken = true;
                self.log.push(format!("{k}: break {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // An attachment made, changed or deleted.
            72..=89 => self.attachment_step(k),
            // A new item made (a copy of this one under a new number), or
            // one made earlier deleted.
            _ => self.new_item_step(i, k),
        }
    }

    /// Item `i` renamed, with its translation.
    fn rename_step(&mut self, i: usize, k: usize) -> Vec<PathBuf> {
        let it = &mut self.items[i];
        let name = it.zh.file_stem().unwrap().to_string_lossy().into_owned();
        let number = name.split('-').next().unwrap().to_string();
        let zh = it.zh.with_file_name(format!("{number}-renamed-{k}.md"));
        let en = it.zh.with_file_name(format!("{number}-renamed-{k}.en.md"));
        std::fs::rename(&it.zh, &zh).unwrap();
        let mut touched = vec![it.zh.clone(), zh.clone()];
        if it.en.exists() {
            std::fs::rename(&it.en, &en).unwrap();
            touched.extend([it.en.clone(), en.clone()]);
        }
        self.log.push(format!(
            "{k}: rename {} -> {}",
            it.zh.display(),
            zh.display()
        ));
        it.zh = zh;
        it.en = en;
        touched
    }

    /// An attachment made, changed or deleted.
    fn attachment_step(&mut self, k: usize) -> Vec<PathBuf> {
        if !self.attachments.is_empty() && self.rng.below(2) == 0 {
            let j = self.rng.below(self.attachments.len());
            let a = self.attachments[j].clone();
            if self.rng.below(2) == 0 {
                std::fs::remove_file(&a).unwrap();
                self.attachments.remove(j);
                self.log.push(format!("{k}: delete {}", a.display()));
            } else {
                std::fs::write(&a, format!("changed {k}\n")).unwrap();
                self.log.push(format!("{k}: change {}", a.display()));
            }
            vec![a]
        } else {
            let dir = self.section_dir();
            let a = dir.join(format!("data-{k}.csv"));
            std::fs::write(&a, format!("a,b\n{k},2\n")).unwrap();
            self.attachments.push(a.clone());
            self.made.push(a.clone());
            self.log.push(format!("{k}: attach {}", a.display()));
            vec![a]
        }
    }

    /// A new item made (a copy of item `i` under a new number), or one
    /// made earlier deleted.
    fn new_item_step(&mut self, i: usize, k: usize) -> Vec<PathBuf> {
        let it = &self.items[i];
        if !self.new_items.is_empty() && self.rng.below(2) == 0 {
            let j = self.rng.below(self.new_items.len());
            let f = self.new_items.remove(j);
            std::fs::remove_file(&f).unwrap();
            self.log.push(format!("{k}: delete item {}", f.display()));
            vec![f]
        } else {
            let text = String::from_utf8(it.original_zh.clone()).unwrap();
            let number = 100 + k;
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for l in lines.iter_mut() {
                if l.starts_with("number = ") {
                    *l = format!("number = {number}");
                }
                if l.starts_with("related = ") {
                    *l = "related = []".into();
                }
            }
            let f = it.zh.with_file_name(format!("{number}-new.md"));
            std::fs::write(&f, lines.join("\n") + "\n").unwrap();
            self.new_items.push(f.clone());
            self.log.push(format!("{k}: new item {}", f.display()));
            vec![f]
        }
    }

    /// Fixes every file the storm broke; returns the paths touched.
    fn fix_all(&mut self) -> Vec<PathBuf> {
        let mut touched = Vec::new();
        for it in &mut self.items {
            if it.broken {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                std::fs::write(&it.zh, text.replacen("\nstatus = \"x-", "\nstatus = \"", 1))
                    .unwrap();
                it.broken = false;
                touched.push(it.zh.clone());
            }
        }
        touched
    }

    fn any_broken(&self) -> bool {
        self.items.iter().any(|it| it.broken)
    }

    fn replay_hint(&self, seed: u64) -> String {
        format!(
            "seed {seed} (replay with PLANPUB_STORM_SEED={seed}); steps:\n{}",
            self.log.join("\n")
        )
    }
}

/// The storm seeds to run: PLANPUB_STORM_SEED, or a fixed few.
fn storm_seeds(default: &[u64]) -> Vec<u64> {
    match std::env::var("PLANPUB_STORM_SEED") {
        Ok(s) => vec![s.parse().expect("PLANPUB_STORM_SEED is a number")],
        Err(_) => default.to_vec(),
    }
}

// issue #15.11: the sequence that left an edit served forever: an edit,
// undone within the same batch as a new attachment.
#[test]
fn edit_undone_beside_a_new_attachment_serves_the_original() {
    let site = shipped_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/plan/";
    let (mut session, _) = Session::start(root, Some(base.into()));
    let f = item_file(root, 16);
    let original = std::fs::read(&f).unwrap();
    edit(&f, "+++\n\n", "+++\n\n（将撤销）");
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial, "the edited item's own pages go out first");
    std::fs::write(&f, &original).unwrap();
    let note = root.join("content/2023/notes.txt");
    std::fs::write(&note, "notes\n").unwrap();
    let outcome = session.rebuild(&[f.clone(), note]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    if session.has_pending_work() {
        session.finish();
    }
    assert_same_as_clean_build(&session, root, base, "edit undone beside a new attachment");
    assert!(
        session
            .output
            .read()
            .unwrap()
            .files
            .contains_key("2023/notes.txt")
    );

    // The same beside new bytes in an attachment the site has (an
    // incremental rebuild, where the diff from the last full rebuild saw
    // no change in the item).
    edit(&f, "+++\n\n", "+++\n\n（又将撤销）");
    assert!(session.rebuild(std::slice::from_ref(&f)).partial);
    std::fs::write(&f, &original).unwrap();
    let source = root.join("content/2023/source.zh.txt");
    std::fs::write(&source, "changed\n").unwrap();
    let outcome = session.rebuild(&[f.clone(), source]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.incremental, "an incremental rebuild");
    if session.has_pending_work() {
        session.finish();
    }
    assert_same_as_clean_build(
        &session,
        root,
        base,
        "edit undone beside a changed attachment",
    );
}

// issue #15.11: after any sequence of edits, batched as the watcher might
// batch them, the session holds what a clean build makes, byte for byte.
#[test]
fn incremental_rebuilds_after_random_edit_storms_equal_clean_builds() {
    for seed in storm_seeds(&[2]) {
        let site = shipped_site();
        let root = site.path();
        let base = "http://127.0.0.1:1111/plan/";
        let (mut session, _) = Session::start(root, Some(base.into()));
        let mut storm = Storm::new(root, seed);
        let mut batch: Vec<PathBuf> = Vec::new();
        for step in 0..48 {
            batch.extend(storm.step());
            // Batches of one to a few steps; the rest of a partial
            // rebuild now and then before the next batch, as after a pause.
            if storm.rng.below(2) == 0 {
                let o = session.rebuild(&std::mem::take(&mut batch));
                storm.log.push(format!(
                    "   rebuild: failed {} partial {} incremental {} unchanged {}",
                    o.failed, o.partial, o.incremental, o.unchanged
                ));
                if session.has_pending_work() && storm.rng.below(3) == 0 {
                    session.finish();
                    storm.log.push("   finish".into());
                }
            }
            if step % 4 == 3 && !storm.any_broken() {
                session.rebuild(&std::mem::take(&mut batch));
                if session.has_pending_work() {
                    session.finish();
                }
                let hint = storm.replay_hint(seed);
                assert_same_as_clean_build(&session, root, base, &format!("step {step}, {hint}"));
            }
        }
        batch.extend(storm.fix_all());
        let outcome = session.rebuild(&batch);
        assert!(!outcome.failed, "{}", outcome.diagnostics.render());
        if session.has_pending_work() {
            session.finish();
        }
        assert_same_as_clean_build(&session, root, base, &storm.replay_hint(seed));
        if std::env::var("PLANPUB_STORM_LOG").is_ok() {
            eprintln!("{}", storm.replay_hint(seed));
        }
    }
}

// issue #15.11: the running server, edited fast (the watcher batches as it
// will), serves what a clean build makes once it is quiet: every file,
// fetched over HTTP.
#[test]
fn serve_after_a_random_edit_storm_serves_a_clean_build() {
    let seed = storm_seeds(&[7])[0];
    let site = shipped_site();
    let root = site.path();
    let server = start_server(root);
    let base = format!("http://127.0.0.1:{}/plan/", server.port);
    let mut storm = Storm::new(root, seed);
    for _ in 0..50 {
        storm.step();
        // From back to back to a pause longer than the watcher's window.
        let pause = [0, 0, 1, 5, 20, 120][storm.rng.below(6)];
        std::thread::sleep(Duration::from_millis(pause));
    }
    storm.fix_all();
    let clean = clean_build(root, &base, &storm.replay_hint(seed));
    let tag = b"<script src=\"/__planpub/live.js\"></script>\n";
    let differ: std::cell::RefCell<Vec<String>> = Default::default();
    poll_until(
        || {
            if server.state()["settled"] != true {
                return false;
            }
            *differ.borrow_mut() = clean
                .files
                .iter()
                .filter(|(path, bytes)| {
                    let (status, _, mut body) = get_bytes(server.port, &format!("/plan/{path}"));
                    if path.ends_with(".html")
                        && let Some(i) = body.windows(tag.len()).rposition(|w| w == tag)
                    {
                        body.drain(i..i + tag.len());
                    }
                    status != 200 || body != **bytes
                })
                .map(|(p, _)| p.clone())
                .collect();
            differ.borrow().is_empty()
        },
        "the served site to equal a clean build",
        || {
            format!(
                "differ: {:?}\n{}\n{}",
                differ.borrow(),
                server.printed(),
                storm.replay_hint(seed)
            )
        },
    );
    // Attachments made and deleted again are gone.
    for made in &storm.made {
        let rel = made.strip_prefix(root.join("content")).unwrap();
        let url = format!("/plan/{}", rel.to_string_lossy());
        let expected = if made.exists() { 200 } else { 404 };
        assert_eq!(
            get(server.port, &url).0,
            expected,
            "{url}\n{}",
            storm.replay_hint(seed)
        );
    }
    // Items made and deleted again are gone.
    for k in 100..100 + storm.counter + 1 {
        let path = format!("2023/{k}/index.html");
        if !clean.files.contains_key(&path) {
            let (status, _) = get(server.port, &format!("/plan/2023/{k}/"));
            assert_eq!(status, 404, "item {k} is gone\n{}", storm.replay_hint(seed));
        }
    }
}

/// A copy of the basic fixture (with the repository's theme) in a temp dir.
fn basic_site() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("tests/fixtures/basic"), dir.path());
    copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    dir
}

/// The diagnostics a clean build of `root` reports, and whether it failed.
fn clean_build_diagnostics(root: &Path, base_url: &str) -> (String, bool) {
    let mut diags = Diagnostics::new();
    let failed = build_site(
        &BuildOptions {
            root: root.to_path_buf(),
            base_url: Some(base_url.into()),
        },
        &mut diags,
    )
    .is_none();
    (diags.render(), failed)
}

// issue #16.2: serve's incremental link check checked only the pages it
// re-rendered, so removing an anchor that an unchanged page links to
// passed in serve while build failed. Its result, diagnostics included,
// is now the clean build's.
#[test]
fn removing_an_anchor_an_unchanged_page_links_to_fails_in_serve_as_in_build() {
    let site = basic_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/";
    let item4 = root.join("content/2023/2-preschool/04-inclusive.md");
    edit(
        &item4,
        "另见[第3条](/2023/3/)。",
        "另见[第3条的目标](/2023/3/#target-kindergartens)。",
    );
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    let item3 = root.join("content/2023/2-preschool/03-kindergartens.md");
    edit(
        &item3,
        "key = \"kindergartens\"",
        "key = \"kindergartens-built\"",
    );
    let outcome = session.rebuild(std::slice::from_ref(&item3));
    let outcome = if session.has_pending_work() {
        session.finish()
    } else {
        outcome
    };
    let (clean, clean_failed) = clean_build_diagnostics(root, base);
    assert!(clean_failed, "the clean build fails:\n{clean}");
    assert!(
        clean.contains("#target-kindergartens` on page 2023/4/index.html"),
        "{clean}"
    );
    assert!(outcome.failed, "serve passed what build fails:\n{clean}");
    assert_eq!(outcome.diagnostics.render(), clean);
}

// issue #16.2: serve watched content/ with rules of its own and ignored a
// hidden file there, which `build` warns about; it now goes by load's.
#[test]
fn a_hidden_file_under_content_is_warned_about_in_serve_as_in_build() {
    let site = basic_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    let hidden = root.join("content/2023/.notes.md");
    std::fs::write(&hidden, "+++\ntitle = \"x\"\n+++\n").unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&hidden));
    let (clean, clean_failed) = clean_build_diagnostics(root, base);
    assert!(!clean_failed, "{clean}");
    assert!(
        clean.contains("content/2023/.notes.md:1:1: warning: this file is hidden"),
        "{clean}"
    );
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_eq!(outcome.diagnostics.render(), clean);
    assert_same_as_clean_build(&session, root, base, "hidden file");
}
