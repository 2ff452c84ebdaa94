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

fn clean_build(root: &Path, base_url: &str, step: &str) -> planpub::render::SiteOutput {
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

#[test]
fn incremental_rebuild_equals_clean_build() {
    let site = shipped_site();
    let root = site.path();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    assert_same_as_clean_build(&session, root, base, "first build");

    let item16 = item_file(root, 16);
    // (step, edit, whether the edited item's own pages go out first)
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, bool);
    let steps: Vec<Step> = vec![
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
    for (name, step, first_own_pages) in steps {
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

    // Structural changes: delete, rename, move to another section.
    // (Item 30 is related to no other item, so deleting it is no error.)
    let item30 = item_file(root, 30);
    std::fs::remove_file(&item30).unwrap();
    std::fs::remove_file(item30.with_extension("en.md")).unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&item30));
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.changed.contains(&"2023/30/index.html".to_string()));
    assert_same_as_clean_build(&session, root, base, "delete item 30");

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
    assert_same_as_clean_build(&session, root, base, "rename item 29");

    let moved = root.join("content/2023/1-party-leadership/29-renamed.md");
    std::fs::rename(&renamed, &moved).unwrap();
    std::fs::rename(
        renamed.with_extension("en.md"),
        moved.with_extension("en.md"),
    )
    .unwrap();
    let outcome = session.rebuild(&[renamed.clone(), moved.clone()]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_same_as_clean_build(&session, root, base, "move item 29 to section 1");
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(root: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .args([
            "--root",
            root.to_str().unwrap(),
            "serve",
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    wait_for(&server, "/", |status, _| status == 200, "server start");
    server
}

/// A minimal HTTP/1.0 GET (test code only): (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_for(server: &Server, path: &str, ok: impl Fn(u16, &str) -> bool, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get(server.port, path);
        if ok(status, &body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} at {path} (last status {status})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_follows_edits_errors_deletions_and_renames() {
    let site = shipped_site();
    let root = site.path();
    let server = start_server(root);
    let (status, page) = get(server.port, "/2023/16/");
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
        "/2023/16/",
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
    let (status, page) = get(server.port, "/2023/16/");
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
        "/2023/30/",
        |s, _| s == 404,
        "deleted item answers 404",
    );
    let plan = wait_for(
        &server,
        "/2023/",
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
        "/2023/29/",
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
