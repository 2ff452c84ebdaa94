//! Issue #17: the README's two commands work in a fresh clone, in a clean
//! environment: no node_modules, no target/, no `planpub` on PATH, none of
//! this shell's variables.
//!
//! - The run command runs in full: `cargo run --release -- serve` builds
//!   planpub in the clone and serves the shipped plan; the home page and
//!   its stylesheet answer 200.
//! - The test command runs as `scripts/test --setup-only`: it installs
//!   what is missing and runs `npm ci` in the clone, and proves that the
//!   npm packages, Chromium, nginx and Apache are there. Its full run
//!   would run `cargo test` again, and with it this test, recursively,
//!   doubling CI time; scripts/test refuses that inside this test
//!   (PLANPUB_FRESH_CLONE_TEST). What the full run then does is what CI
//!   runs anyway, in the checkout.
//!
//! The clone is of the last commit (what CI checks out), not of uncommitted
//! changes. Its build uses its own target folder outside the clone, seeded
//! on first use with the enclosing build's dependencies when that build
//! was a release build (as a CI cache would be), so that CI compiles the
//! dependencies once; planpub itself is always compiled afresh. Set
//! PLANPUB_FRESH_CLONE_COLD=1 to start from an empty target folder and
//! time the cold build (README gives the figures).

#![cfg(unix)]

use crate::common::repo;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The shell commands of the README's "The two commands" section, in order.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("The two commands"))
        .expect("README has a section \"The two commands\"");
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block[..block.find("```").unwrap()].trim().to_string())
        .collect()
}

/// A process group (cargo and the planpub it runs), ended with the test.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        use rustix::process::{Pid, Signal, kill_process_group};
        let group = Pid::from_child(&self.0);
        let _ = kill_process_group(group, Signal::TERM);
        let _ = self.0.wait();
        let _ = kill_process_group(group, Signal::KILL);
    }
}

fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Some((text.split(' ').nth(1)?.parse().ok()?, text))
}

/// PATH without any folder holding a `planpub`, nor the enclosing build's
/// target/. If cargo was in such a folder, a folder of links to cargo and
/// rustc alone stands in for it.
fn path_without_planpub(shims: &Path) -> String {
    let target = repo().join("target");
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        if dir.join("planpub").exists() || dir.starts_with(&target) || dir.starts_with(repo()) {
            dropped.push(dir);
        } else {
            kept.push(dir);
        }
    }
    std::fs::create_dir_all(shims).unwrap();
    for dir in dropped {
        for tool in ["cargo", "rustc", "rustup"] {
            let (from, to) = (dir.join(tool), shims.join(tool));
            if from.exists() && !to.exists() {
                std::os::unix::fs::symlink(&from, &to).unwrap();
            }
        }
    }
    kept.insert(0, shims.to_path_buf());
    std::env::join_paths(kept).unwrap().into_string().unwrap()
}

/// A command in `dir` with nothing of this process's environment but
/// where the Rust toolchain lives.
fn clean_command(program: &str, dir: &Path, path: &str, target: &Path) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(program).current_dir(dir).env_clear();
    for keep in ["HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Some(v) = std::env::var_os(keep) {
            c.env(keep, v);
        }
    }
    c.env("PATH", path)
        .env("LANG", "C.UTF-8")
        .env("CARGO_TARGET_DIR", target)
        .env("PLANPUB_FRESH_CLONE_TEST", "1");
    c
}

/// The profile folder this test binary was built into (target/release or
/// target/debug), from its own path: <profile>/deps/fresh_clone-<hash>.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The clone's own target folder; on first use, a copy of the enclosing
/// release build's dependencies.
fn clone_target_dir() -> PathBuf {
    let profile = profile_dir();
    let target = profile.parent().unwrap().join("fresh-clone");
    if std::env::var_os("PLANPUB_FRESH_CLONE_COLD").is_some() {
        let _ = std::fs::remove_dir_all(&target);
        return target;
    }
    let release = target.join("release");
    if !release.exists() && profile.file_name().is_some_and(|n| n == "release") {
        std::fs::create_dir_all(&release).unwrap();
        for part in ["deps", "build", ".fingerprint"] {
            let status = Command::new("cp")
                .args(["-a", "--reflink=auto"])
                .arg(profile.join(part))
                .arg(&release)
                .status()
                .unwrap();
            assert!(status.success(), "copying {part} into {release:?}");
        }
    }
    target
}

/// The home page, once the run command serves it at `port` (`/` leads
/// there with a redirect to base_url's path); panics if the command exits
/// or serves nothing within 20 minutes.
fn home_page_once_served(
    port: u16,
    server: &mut Group,
    run: &str,
    run_err: &Path,
    started: Instant,
) -> String {
    let run_log = || std::fs::read_to_string(run_err).unwrap_or_default();
    // serve keeps base_url's path (/plan/ in the shipped site.toml): `/`
    // leads there with a redirect.
    loop {
        match get(port, "/") {
            Some((302, head)) => {
                let location = head
                    .split("\r\n\r\n")
                    .next()
                    .unwrap_or_default()
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("location")
                            .then(|| v.trim().to_string())
                    })
                    .expect("a redirect names its Location");
                assert_eq!(location, "/plan/");
                match get(port, &location) {
                    Some((200, page)) => break page,
                    other => panic!("{location} answered {other:?}"),
                }
            }
            Some((503, _)) | None => {}
            Some((status, page)) => panic!("/ answered {status}:\n{page}"),
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("`{run}` exited ({status}) before serving:\n{}", run_log());
        }
        assert!(
            started.elapsed() < Duration::from_secs(20 * 60),
            "`{run}` served nothing within 20 minutes:\n{}",
            run_log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The test command: set-up only succeeds and installs the npm modules;
/// the full run refuses to run inside this test.
fn check_test_command(command: &str, clone: &Path, path: &str, target: &Path) {
    let setup = format!("{command} --setup-only");
    let out = clean_command(&setup, clone, path, target)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "`{setup}` failed:\n{said}");
    assert!(said.contains("set-up ok"), "{said}");
    for module in ["playwright-core", "axe-core/axe.min.js"] {
        assert!(
            clone.join("node_modules").join(module).exists(),
            "npm ci did not install {module}"
        );
    }
    // And the full run refuses to recurse.
    let out = clean_command(command, clone, path, target)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the full test command inside this test must refuse"
    );
}

#[test]
fn readme_commands_work_in_a_fresh_clone() {
    let commands = readme_commands();
    assert_eq!(
        commands,
        ["cargo run --release -- serve", "scripts/test"],
        "the README's two commands changed: update this test"
    );
    let is_checkout = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(repo())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !is_checkout {
        eprintln!("not a git checkout (a source tarball?): there is nothing to clone");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("planpub-fresh-clone-")
        .tempdir()
        .unwrap();
    let clone = dir.path().join("planpub");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(repo())
        .arg(&clone)
        .status()
        .unwrap();
    assert!(status.success(), "git clone");
    for absent in ["node_modules", "target", "public"] {
        assert!(
            !clone.join(absent).exists(),
            "a fresh clone has no {absent}"
        );
    }
    let path = path_without_planpub(&dir.path().join("bin"));
    let target = clone_target_dir();
    let which = clean_command("command -v planpub", &clone, &path, &target)
        .output()
        .unwrap();
    assert!(
        !which.status.success(),
        "planpub is on the clean PATH: {}",
        String::from_utf8_lossy(&which.stdout)
    );

    // The run command, on a free port (the README's 1111 may be taken).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.path().join("run.log");
    let run = format!("{} --port {port}", commands[0]);
    let started = Instant::now();
    let mut server = Group(
        clean_command(&run, &clone, &path, &target)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.path().join("run.err")).unwrap())
            .process_group(0)
            .spawn()
            .unwrap(),
    );
    let home = home_page_once_served(
        port,
        &mut server,
        &run,
        &dir.path().join("run.err"),
        started,
    );
    eprintln!(
        "`{run}` served after {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let title = "南阳市教育局工作要点";
    assert!(home.contains(title), "the home page shows {title}:\n{home}");
    let stylesheet = crate::common::start_tags(&home)
        .into_iter()
        .find(|t| t.name == "link" && t.attr("rel") == Some("stylesheet"))
        .and_then(|t| t.attr("href").map(str::to_string))
        .expect("the home page links a stylesheet");
    let css = get(port, &stylesheet).map(|(status, _)| status);
    assert_eq!(css, Some(200), "{stylesheet}");
    assert_eq!(get(port, "/plan/en/2023/16/").map(|(s, _)| s), Some(200));
    drop(server);

    // The test command, set-up only.
    check_test_command(&commands[1], &clone, &path, &target);
}
