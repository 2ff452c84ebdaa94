//! The running server: `planpub serve` on a free port, asked over HTTP.

use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(super) struct Server {
    pub(super) child: Child,
    pub(super) port: u16,
    /// What the server printed on stderr so far.
    pub(super) stderr: Arc<Mutex<String>>,
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
    pub(super) fn url(&self, path: &str) -> String {
        format!("/plan{path}")
    }

    pub(super) fn printed(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The poll endpoint's state, at once.
    pub(super) fn state(&self) -> serde_json::Value {
        let (status, body) = get(self.port, "/__planpub/poll?since=0");
        assert_eq!(status, 200, "poll: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

pub(super) fn free_port() -> u16 {
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
pub(super) fn spawn_server(root: &Path, open_files: Option<u64>, expect_site: bool) -> Server {
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
        // Pages answer before the first build is done (issue #21.3):
        // tests start from the built site.
        poll_until(
            || server.printed().contains("serving "),
            "the first build",
            || server.printed(),
        );
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

pub(super) fn start_server(root: &Path) -> Server {
    spawn_server(root, None, true)
}

/// Polls `done` every 50 ms until it holds; fails after 30 s with what
/// `context` says then.
pub(super) fn poll_until(mut done: impl FnMut() -> bool, what: &str, context: impl Fn() -> String) {
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
pub(super) fn raw_request(port: u16, request: &[u8]) -> (u16, String, Vec<u8>) {
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
pub(super) fn get(port: u16, path: &str) -> (u16, String) {
    let (status, _, body) = get_bytes(port, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub(super) fn get_bytes(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    raw_request(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

pub(super) fn wait_for(
    server: &Server,
    path: &str,
    ok: impl Fn(u16, &str) -> bool,
    what: &str,
) -> String {
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
pub(super) fn serve_follows_edits_errors_deletions_and_renames() {
    let site = shipped_site();
    let root = site.root();
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
pub(super) fn busy_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let site = shipped_site();
    let out = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .args([
            "--root",
            site.root().to_str().unwrap(),
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
pub(super) fn thread_count(pid: u32) -> usize {
    proc_status_field(pid, "Threads:")
}

/// The resident memory of a running process in KiB (Linux).
#[cfg(target_os = "linux")]
pub(super) fn resident_kib(pid: u32) -> usize {
    proc_status_field(pid, "VmRSS:")
}

#[cfg(target_os = "linux")]
pub(super) fn proc_status_field(pid: u32, field: &str) -> usize {
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
pub(super) fn serve_holds_a_bounded_number_of_connections_and_answers_after_a_flood() {
    let site = shipped_site();
    let server = spawn_server(site.root(), Some(1024), true);
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
pub(super) fn serve_out_of_file_descriptors_answers_again_once_connections_close() {
    let site = shipped_site();
    // Room for serve's own files and a few connections, fewer than the
    // smallest cap it sets (8).
    let server = spawn_server(site.root(), Some(16), true);
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
pub(super) fn serve_on_loopback_refuses_foreign_host_names() {
    let site = shipped_site();
    let server = start_server(site.root());
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
pub(super) fn serve_answers_request_lines_with_raw_utf8() {
    let site = shipped_site();
    std::fs::write(site.root().join("content/2023/说明.txt"), "说明\n").unwrap();
    let server = start_server(site.root());
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
pub(super) fn serve_outside_a_site_says_there_is_none() {
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
    let f = item_file(site.root(), 12);
    edit(&f, "status = \"delayed\"", "status = \"doing\"");
    let server = spawn_server(site.root(), None, false);
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
        || server.printed().contains("serving 156 pages"),
        "serve to say it serves the site",
        || server.printed(),
    );
}

// issue #17: serve prints the URL it serves at, under base_url's path,
// and each warning once.
#[test]
pub(super) fn serve_prints_its_url_and_each_warning_once() {
    let site = shipped_site();
    let root = site.root();
    // A missing translation is a warning.
    let en = item_file(root, 16).with_extension("en.md");
    std::fs::remove_file(&en).unwrap();
    let server = start_server(root);
    let url = format!(
        "serving 156 pages at http://127.0.0.1:{}/plan/",
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
pub(super) fn serve_follows_a_replaced_content_folder() {
    let site = shipped_site();
    let root = site.root();
    let server = start_server(root);
    let spare = tempfile::tempdir().unwrap();
    let copy = spare.path().join("content");
    crate::common::copy_tree(&root.join("content"), &copy);
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
    crate::common::copy_tree(&copy, &root.join("content"));
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
