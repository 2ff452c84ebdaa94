//! Where `build` writes, and how it puts a site in place: it never
//! replaces sources or folders it did not write, at every instant the
//! output holds a whole site (the previous one or the new one), and the
//! next build cleans up after a build that was killed.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every file of the site folder, for "nothing was touched" checks.
fn sources(site: &TestSite) -> std::collections::BTreeMap<String, Vec<u8>> {
    read_tree(site.root())
}

/// Runs `build --output <out> [extra…]`.
fn build_into(site: &TestSite, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.run(&args)
}

// issue #15.1
#[test]
fn an_output_that_is_the_site_or_holds_it_or_is_inside_its_sources_is_refused() {
    let site = TestSite::fixture("basic");
    let before = sources(&site);
    let root = site.root().to_path_buf();
    let outside = tempfile::tempdir().unwrap();
    let link_to_root = outside.path().join("link-to-site");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&root, &link_to_root).unwrap();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (root.clone(), "is the site folder itself"),
        (root.join("content/2023/../.."), "is the site folder itself"),
        (root.join("not-yet/.."), "is the site folder itself"),
        (root.join("content"), "inside the site's content/ folder"),
        (
            root.join("content/new"),
            "inside the site's content/ folder",
        ),
        (
            root.join("themes/default"),
            "inside the site's themes/ folder",
        ),
        (
            root.join("templates"),
            "inside the site's templates/ folder",
        ),
        (root.join("static/x"), "inside the site's static/ folder"),
        (root.join("i18n"), "inside the site's i18n/ folder"),
        (
            root.parent().unwrap().to_path_buf(),
            "holds the site folder",
        ),
        (PathBuf::from("/"), "holds the site folder"),
    ];
    #[cfg(unix)]
    cases.push((link_to_root.clone(), "is the site folder itself"));
    #[cfg(unix)]
    cases.push((
        link_to_root.join("content"),
        "inside the site's content/ folder",
    ));
    let mut f = Failures::new();
    for (out, why) in &cases {
        for force in [false, true] {
            let run = build_into(&site, out, if force { &["--force"] } else { &[] });
            f.check(run.code == 2, || {
                format!(
                    "--output {} (force {force}): exit {}\n{}",
                    out.display(),
                    run.code,
                    run.stderr
                )
            });
            f.check(
                run.stderr.contains(why) && run.stderr.contains("= help:"),
                || {
                    format!(
                        "--output {}: expected “{why}” and a hint\n{}",
                        out.display(),
                        run.stderr
                    )
                },
            );
        }
    }
    // A relative --output is taken from the current folder.
    let run = Command::new(env!("CARGO_BIN_EXE_planpub"))
        .current_dir(root.join("content"))
        .args(["--root", "..", "build", "--output", "."])
        .output()
        .unwrap();
    f.check(run.status.code() == Some(2), || {
        format!("--root .. --output . from content/: {:?}", run)
    });
    f.check(sources(&site) == before, || {
        "a refused build changed the site folder".into()
    });
    f.assert_none("refused outputs");
}

// issue #15.1
#[test]
fn an_output_planpub_did_not_write_is_replaced_only_with_force() {
    let site = TestSite::fixture("basic");
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("www");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "the bureau's only copy").unwrap();
    std::fs::create_dir(out.join("photos")).unwrap();

    let refused = build_into(&site, &out, &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    for words in [
        "was not written by planpub",
        "notes.txt",
        "--force",
        "another",
    ] {
        assert!(
            refused.stderr.contains(words),
            "no “{words}”:\n{}",
            refused.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "the bureau's only copy"
    );
    assert_eq!(names_in(parent.path()), ["www"], "something was staged");

    let forced = build_into(&site, &out, &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(out.join("2023/1/index.html").is_file());
    assert!(!out.join("notes.txt").exists());
    assert!(out.join(planpub::write::OUTPUT_MARKER).is_file());

    // Written by planpub now: the next build replaces it without --force.
    let again = build_into(&site, &out, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        names_in(parent.path()),
        ["www"],
        "leftovers beside the output"
    );
}

// issue #15.1: the first build after upgrading must not refuse the
// public/ an older planpub wrote (it has no marker file yet).
#[test]
fn a_site_built_before_the_marker_is_recognised_as_planpub_s_own() {
    let site = TestSite::fixture("basic");
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    let first = build_into(&site, &out, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    std::fs::remove_file(out.join(planpub::write::OUTPUT_MARKER)).unwrap();
    let again = build_into(&site, &out, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(out.join(planpub::write::OUTPUT_MARKER).is_file());
    // A look-alike whose manifest is not planpub's is still refused.
    let other = parent.path().join("other");
    std::fs::create_dir_all(other.join("search/index")).unwrap();
    std::fs::write(
        other.join("search/index/manifest.json"),
        r#"{"format":"pagefind"}"#,
    )
    .unwrap();
    let refused = build_into(&site, &other, &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(other.join("search/index/manifest.json").is_file());
}

// issue #15.1
#[test]
fn an_empty_output_folder_is_used_and_an_output_that_is_a_file_is_refused() {
    let site = TestSite::fixture("basic");
    let parent = tempfile::tempdir().unwrap();
    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = build_into(&site, &empty, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(empty.join("index.html").is_file());

    let file = parent.path().join("site.html");
    std::fs::write(&file, "not a folder").unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let run = build_into(&site, &file, extra);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("is a file, not a folder"),
            "{}",
            run.stderr
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    }
    // The default output, public/ in the site, is fine.
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.path("public/index.html").is_file());
}

// issue #15.1
#[test]
#[cfg(unix)]
fn an_output_reached_through_a_symbolic_link_is_built_where_the_link_leads() {
    let site = TestSite::fixture("basic");
    let parent = tempfile::tempdir().unwrap();
    let real = parent.path().join("real");
    std::os::unix::fs::symlink(&real, parent.path().join("link")).unwrap();
    let run = build_into(&site, &parent.path().join("link"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        real.join("index.html").is_file(),
        "not built where the link leads"
    );
    assert!(
        std::fs::symlink_metadata(parent.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    // A link to a folder that does not exist yet: built there.
    std::os::unix::fs::symlink("gone/deeper", parent.path().join("ahead")).unwrap();
    let run = build_into(&site, &parent.path().join("ahead"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(parent.path().join("gone/deeper/index.html").is_file());
    // A link that leads to itself is refused.
    std::os::unix::fs::symlink("loop", parent.path().join("loop")).unwrap();
    let run = build_into(&site, &parent.path().join("loop"), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A process id that no process has: a child that has exited and been
/// waited for.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// The basic site built into `<parent>/public`, and a copy of the output
/// of a second version of it (item 1 retitled) in `<parent>/second`.
fn two_versions() -> (TestSite, tempfile::TempDir) {
    let site = TestSite::fixture("basic");
    let parent = tempfile::tempdir().unwrap();
    let item = "content/2023/1-safety/01-campus-safety.md";
    let text = site.read(item);
    site.write(item, text.replacen("title = \"", "title = \"第二版", 1));
    assert_eq!(
        build_into(&site, &parent.path().join("second"), &[]).code,
        0
    );
    site.write(item, text);
    assert_eq!(
        build_into(&site, &parent.path().join("public"), &[]).code,
        0
    );
    (site, parent)
}

// issue #15.7
#[test]
fn the_next_build_puts_back_the_site_a_build_killed_between_its_renames_left_aside() {
    // Where folders cannot be exchanged in one step, the previous output
    // is renamed aside and the staged site renamed into its place: a build
    // killed between the two leaves no output. Here that moment is laid
    // out by hand: the previous site aside, the new one staged and
    // complete. The next build (even one that fails) puts the new one in
    // place and removes the rest.
    let (site, parent) = two_versions();
    let p = parent.path();
    let pid = dead_pid();
    std::fs::rename(
        p.join("public"),
        p.join(format!(".public.planpub-old-{pid}")),
    )
    .unwrap();
    std::fs::rename(
        p.join("second"),
        p.join(format!(".public.planpub-new-{pid}")),
    )
    .unwrap();
    let second_tree = read_tree(&p.join(format!(".public.planpub-new-{pid}")));
    // An unfinished staging folder of another killed build.
    let other = dead_pid();
    std::fs::create_dir_all(p.join(format!(".public.planpub-new-{other}/2023"))).unwrap();

    let item = "content/2023/1-safety/01-campus-safety.md";
    let text = site.read(item);
    site.write(
        item,
        text.replace("status = \"completed\"", "status = \"doing\""),
    );
    let failed = build_into(&site, &p.join("public"), &[]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(
        read_tree(&p.join("public")) == second_tree,
        "the staged site was not put in place"
    );
    assert_eq!(names_in(p), ["public"], "leftovers were not removed");

    // Without a complete staged site, the previous output goes back.
    let (site, parent) = two_versions();
    let p = parent.path();
    let first_tree = read_tree(&p.join("public"));
    std::fs::rename(
        p.join("public"),
        p.join(format!(".public.planpub-old-{pid}")),
    )
    .unwrap();
    std::fs::create_dir_all(p.join(format!(".public.planpub-new-{pid}/2023"))).unwrap();
    site.write(
        item,
        site.read(item)
            .replace("status = \"completed\"", "status = \"doing\""),
    );
    let failed = build_into(&site, &p.join("public"), &[]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(
        read_tree(&p.join("public")) == first_tree,
        "the previous site was not put back"
    );
    assert_eq!(names_in(p), ["public", "second"]);
}

// issue #15.7
#[test]
fn folders_of_a_build_still_running_are_left_alone() {
    let (site, parent) = two_versions();
    let p = parent.path();
    // This test's own process is alive; its id names a running build.
    let live = std::process::id();
    let staged = p.join(format!(".public.planpub-new-{live}"));
    std::fs::create_dir_all(staged.join("2023")).unwrap();
    let run = build_into(&site, &p.join("public"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        staged.join("2023").is_dir(),
        "a running build's folder was removed"
    );
}

/// Builds `site` into `out` again and again, killing each build with
/// SIGKILL after a growing delay, the two versions of item 1 in turn.
/// After each kill, with `exchange` at every instant the output is one of
/// the two whole sites; a failing build then cleans up, and leaves one of
/// them in place.
#[cfg(unix)]
fn kill_builds(exchange: bool) {
    let (site, parent) = two_versions();
    let p = parent.path();
    let out = p.join("public");
    let versions = [read_tree(&out), read_tree(&p.join("second"))];
    let item = "content/2023/1-safety/01-campus-safety.md";
    let text = site.read(item);
    let second_text = text.replacen("title = \"", "title = \"第二版", 1);
    let is_a_version =
        |tree: &std::collections::BTreeMap<String, Vec<u8>>| versions.iter().any(|v| v == tree);
    let mut f = Failures::new();
    let mut finished = 0;
    for round in 0..16u64 {
        site.write(item, if round % 2 == 0 { &second_text } else { &text });
        let mut command = Command::new(env!("CARGO_BIN_EXE_planpub"));
        command
            .args(["--root", site.root().to_str().unwrap(), "build", "--output"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if !exchange {
            command.env("PLANPUB_NO_RENAME_EXCHANGE", "1");
        }
        let mut child = command.spawn().unwrap();
        // 0 to 210 ms: from loading to the swap of this small site.
        std::thread::sleep(std::time::Duration::from_millis(round * 14));
        let _ = child.kill();
        if child.wait().unwrap().success() {
            finished += 1;
        }
        if exchange {
            f.check(out.exists() && is_a_version(&read_tree(&out)), || {
                format!("round {round}: after SIGKILL the output is neither site")
            });
        }
        // The next build fails (a content error) after cleaning up.
        site.write(
            item,
            text.replace("status = \"completed\"", "status = \"doing\""),
        );
        let mut next = Command::new(env!("CARGO_BIN_EXE_planpub"));
        next.args(["--root", site.root().to_str().unwrap(), "build", "--output"])
            .arg(&out);
        if !exchange {
            next.env("PLANPUB_NO_RENAME_EXCHANGE", "1");
        }
        let next = next.output().unwrap();
        f.check(next.status.code() == Some(1), || {
            format!("round {round}: the failing build exited {:?}", next.status)
        });
        f.check(out.exists() && is_a_version(&read_tree(&out)), || {
            format!("round {round}: after the next build the output is neither site")
        });
        let names = names_in(p);
        f.check(names == ["public", "second"], || {
            format!("round {round}: left beside the output: {names:?}")
        });
    }
    f.check(finished < 16, || {
        "no build was killed before it finished".into()
    });
    f.assert_none(if exchange {
        "killed builds (exchange)"
    } else {
        "killed builds (two renames)"
    });
}

// issue #15.7
#[test]
#[cfg(unix)]
fn a_killed_build_leaves_a_whole_site_in_place_and_the_next_one_cleans_up() {
    kill_builds(true);
}

// issue #15.7
#[test]
#[cfg(unix)]
fn a_killed_build_swapping_with_two_renames_is_finished_by_the_next_one() {
    kill_builds(false);
}

// issue #15.8
#[test]
#[cfg(target_os = "linux")]
fn when_the_previous_site_cannot_be_removed_the_build_says_the_new_one_is_live() {
    let (site, parent) = two_versions();
    let p = parent.path();
    let out = p.join("public");
    // A file that cannot be removed in the previous output: immutable
    // (as root), or in a folder without write permission (as a user).
    let stuck = out.join("2023/1/index.html");
    let as_root = rustix_is_root();
    let made_stuck = if as_root {
        Command::new("chattr")
            .arg("+i")
            .arg(&stuck)
            .status()
            .is_ok_and(|s| s.success())
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out.join("2023/1"), std::fs::Permissions::from_mode(0o555)).is_ok()
    };
    if !made_stuck {
        eprintln!(
            "cannot make a file impossible to remove here (chattr needs CAP_LINUX_IMMUTABLE); write.rs's unit test covers it"
        );
        return;
    }
    let item = "content/2023/1-safety/01-campus-safety.md";
    site.write(
        item,
        site.read(item)
            .replacen("title = \"", "title = \"第二版", 1),
    );
    let run = build_into(&site, &out, &[]);
    let unstick = || {
        if as_root {
            let _ = Command::new("chattr").arg("-i").arg(&stuck).status();
        }
        for dir in std::fs::read_dir(p).unwrap() {
            let dir = dir.unwrap().path();
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                dir.join("2023/1"),
                std::fs::Permissions::from_mode(0o755),
            );
            let _ = Command::new("chattr")
                .arg("-i")
                .arg(dir.join("2023/1/index.html"))
                .status();
        }
    };
    unstick();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        read_tree(&out) == read_tree(&p.join("second")),
        "the new site is not in place"
    );
    assert!(
        run.stderr.contains("the new site is in place"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("left as it was"), "{}", run.stderr);
    let left = names_in(p)
        .into_iter()
        .find(|n| n.starts_with(".public.planpub-old-"))
        .expect("the previous site is left beside the output");
    assert!(
        run.stderr.contains(&left),
        "the message does not say where: {}",
        run.stderr
    );
    // The next build removes it.
    let again = build_into(&site, &out, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(names_in(p), ["public", "second"]);
}

#[cfg(target_os = "linux")]
fn rustix_is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}
