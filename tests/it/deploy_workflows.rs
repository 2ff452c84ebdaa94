//! Issue #17: the automation shipped with planpub, read with real parsers
//! and checked for what it must do. No CI service or docker engine runs
//! here, so the workflows are checked as files: every trigger, job and
//! command that matters, every shell step through `bash -n`, every
//! `planpub` command line against the binary's own options, and the
//! Dockerfile's inputs against what the build reads.
//!
//! - .github/workflows/ci.yml: planpub's own CI (test command, Linux,
//!   Windows and macOS builds, releases).
//! - deploy/github-actions.yml, deploy/gitlab-ci.yml: a site's check on
//!   every change and publish on main, with a release binary.
//! - Dockerfile, .dockerignore.

use crate::common::{planpub, repo};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use yaml_rust2::{Yaml, YamlLoader};

fn yaml(rel: &str) -> Yaml {
    let text = std::fs::read_to_string(repo().join(rel)).unwrap();
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}: one document");
    docs.pop().unwrap()
}

fn text(y: &Yaml) -> &str {
    y.as_str().unwrap_or("")
}

fn list(y: &Yaml) -> &[Yaml] {
    y.as_vec().map_or(&[], Vec::as_slice)
}

/// The `run:` scripts of a GitHub Actions job's steps.
fn runs(job: &Yaml) -> Vec<&str> {
    list(&job["steps"])
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect()
}

/// The `uses:` actions of a job's steps.
fn uses(job: &Yaml) -> Vec<&str> {
    list(&job["steps"])
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect()
}

/// Every shell script of a workflow: GitHub `run:` blocks, GitLab
/// `script:` / `before_script:` lines.
fn scripts(doc: &Yaml) -> Vec<String> {
    let mut out = Vec::new();
    for (_, job) in doc.as_hash().unwrap() {
        if let Some(jobs) = job.as_hash()
            && job["steps"].is_badvalue()
            && job["script"].is_badvalue()
        {
            // GitHub's `jobs:` map.
            for (_, j) in jobs {
                out.extend(runs(j).into_iter().map(str::to_string));
            }
        }
        for key in ["before_script", "script"] {
            if let Some(lines) = job[key].as_vec() {
                out.push(lines.iter().map(text).collect::<Vec<_>>().join("\n"));
            }
        }
    }
    out
}

fn shell_accepts(shell: &str, script: &str) -> Result<(), String> {
    let mut child = Command::new(shell)
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The release asset the deploy files download: the name after
/// `releases/download/v$PLANPUB_VERSION/`.
fn downloaded_asset(script: &str) -> Option<&str> {
    let at = script.find("/releases/download/v$PLANPUB_VERSION/")?;
    let rest = &script[at + "/releases/download/v$PLANPUB_VERSION/".len()..];
    rest.split(['"', ' ']).next()
}

/// The targets planpub's CI builds and the assets its release job makes
/// of them (planpub-<target>.tar.gz; .zip for Windows).
fn released_assets() -> Vec<String> {
    let ci = yaml(".github/workflows/ci.yml");
    let release = runs(&ci["jobs"]["release"]).join("\n");
    assert!(release.contains("\"assets/$dir.tar.gz\"") && release.contains("gh release create"));
    list(&ci["jobs"]["build"]["strategy"]["matrix"]["include"])
        .iter()
        .map(|m| {
            let target = text(&m["target"]);
            let ext = if target.contains("windows") {
                "zip"
            } else {
                "tar.gz"
            };
            format!("planpub-{target}.{ext}")
        })
        .collect()
}

#[test]
fn ci_runs_the_readme_test_command_and_nothing_else() {
    let run = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    let commands: Vec<&str> = run
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(commands, ["exec \"$(dirname \"$0\")/../scripts/test\""]);
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("```sh\nscripts/test\n```"),
        "README's test command is scripts/test"
    );
    let ci = yaml(".github/workflows/ci.yml");
    assert_eq!(runs(&ci["jobs"]["test"]), ["scripts/test"]);
}

#[test]
fn ci_builds_and_compares_the_site_on_linux_windows_and_macos() {
    let ci = yaml(".github/workflows/ci.yml");
    let matrix = list(&ci["jobs"]["build"]["strategy"]["matrix"]["include"]);
    let run_on: Vec<(&str, &str)> = matrix
        .iter()
        .filter(|m| m["run"].as_bool() == Some(true))
        .map(|m| (text(&m["os"]), text(&m["target"])))
        .collect();
    for os in ["ubuntu", "windows", "macos"] {
        assert!(
            run_on.iter().any(|(o, _)| o.starts_with(os)),
            "no {os} build that runs: {run_on:?}"
        );
    }
    let build = runs(&ci["jobs"]["build"]).join("\n");
    for step in [
        "cargo build --release --locked",
        "\"$bin\" check",
        "\"$bin\" build --output site",
    ] {
        assert!(build.contains(step), "the build job lacks {step}");
    }
    // The comparison covers every platform's site against Linux's.
    let compare = runs(&ci["jobs"]["same-output"]).join("\n");
    let (_, linux) = run_on
        .iter()
        .find(|(o, _)| o.starts_with("ubuntu"))
        .unwrap();
    assert!(
        compare.contains(&format!("diff -r site-{linux} \"$other\"")),
        "{compare}"
    );
    for (os, target) in &run_on {
        if !os.starts_with("ubuntu") {
            assert!(
                compare.contains(&format!("site-{target}")),
                "{target} is not compared"
            );
        }
    }
}

#[test]
fn github_deploy_checks_every_pull_request_and_publishes_main_with_a_release_binary() {
    let wf = yaml("deploy/github-actions.yml");
    assert!(
        !wf["on"]["pull_request"].is_badvalue(),
        "runs on pull requests"
    );
    assert!(
        list(&wf["on"]["push"]["branches"])
            .iter()
            .any(|b| text(b) == "main")
    );
    let check = &wf["jobs"]["check"];
    assert!(check["if"].is_badvalue(), "check runs on every event");
    assert!(runs(check).contains(&"planpub check"));
    let pages = &wf["jobs"]["pages"];
    let condition = text(&pages["if"]);
    assert!(
        condition.contains("github.event_name != 'pull_request'")
            && condition.contains("refs/heads/main"),
        "{condition}"
    );
    assert_eq!(text(&pages["needs"]), "check");
    assert!(
        runs(pages)
            .iter()
            .any(|r| r.starts_with("planpub build --base-url "))
    );
    assert!(
        uses(pages)
            .iter()
            .any(|u| u.starts_with("actions/deploy-pages@"))
    );
    let upload = list(&pages["steps"])
        .iter()
        .find(|s| text(&s["uses"]).starts_with("actions/upload-pages-artifact@"))
        .expect("uploads the site");
    assert_eq!(text(&upload["with"]["path"]), "public");
    let rsync = runs(&wf["jobs"]["rsync"]).join("\n");
    assert!(rsync.contains("rsync -a --delete --exclude=.htaccess --exclude=web.config"));
    check_release_binary_only("deploy/github-actions.yml", &wf);
}

#[test]
fn gitlab_deploy_checks_every_merge_request_and_publishes_main_with_a_release_binary() {
    let ci = yaml("deploy/gitlab-ci.yml");
    let check = &ci["check"];
    let rule_ifs: Vec<&str> = list(&check["rules"])
        .iter()
        .map(|r| text(&r["if"]))
        .collect();
    assert!(
        rule_ifs.contains(&"$CI_PIPELINE_SOURCE == \"merge_request_event\""),
        "{rule_ifs:?}"
    );
    assert_eq!(
        list(&check["script"]).iter().map(text).collect::<Vec<_>>(),
        ["planpub check"]
    );
    let pages = &ci["pages"];
    let rule_ifs: Vec<&str> = list(&pages["rules"])
        .iter()
        .map(|r| text(&r["if"]))
        .collect();
    assert_eq!(rule_ifs, ["$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]);
    assert!(
        list(&pages["script"])
            .iter()
            .any(|l| text(l).starts_with("planpub build --base-url "))
    );
    assert_eq!(text(&list(&pages["artifacts"]["paths"])[0]), "public");
    // The stages jobs name exist.
    let stages: Vec<&str> = list(&ci["stages"]).iter().map(text).collect();
    for (name, job) in ci.as_hash().unwrap() {
        if let Some(stage) = job["stage"].as_str() {
            assert!(
                stages.contains(&stage),
                "{:?}: stage {stage}",
                name.as_str()
            );
        }
    }
    check_release_binary_only("deploy/gitlab-ci.yml", &ci);
}

/// The deploy files download the Linux release asset planpub's CI makes,
/// and compile nothing.
fn check_release_binary_only(name: &str, doc: &Yaml) {
    let all = scripts(doc).join("\n");
    assert!(!all.contains("cargo "), "{name} compiles planpub");
    let assets = released_assets();
    let mut downloads = 0;
    for script in scripts(doc) {
        if let Some(asset) = downloaded_asset(&script) {
            downloads += 1;
            assert_eq!(asset, "planpub-x86_64-unknown-linux-musl.tar.gz", "{name}");
            assert!(
                assets.iter().any(|a| a == asset),
                "{name} downloads {asset}, not released: {assets:?}"
            );
        }
    }
    assert!(downloads > 0, "{name} downloads no planpub");
}

#[test]
fn every_shell_step_parses() {
    for (file, shell) in [
        (".github/workflows/ci.yml", "bash"),
        ("deploy/github-actions.yml", "bash"),
        ("deploy/gitlab-ci.yml", "sh"),
    ] {
        for script in scripts(&yaml(file)) {
            // ${{ … }} is filled in by GitHub before the shell sees it.
            let script = script.replace("${{", "\"X").replace("}}", "\"");
            if let Err(e) = shell_accepts(shell, &script) {
                panic!("{file}: {shell} -n rejects\n{script}\n{e}");
            }
        }
    }
    for script in ["scripts/test", "scripts/windows-check", ".ci/run"] {
        let text = std::fs::read_to_string(repo().join(script)).unwrap();
        shell_accepts("bash", &text).unwrap_or_else(|e| panic!("{script}: {e}"));
    }
}

/// Every `planpub <command> --option` written in the workflows, the
/// Dockerfile and the docs exists in the binary.
#[test]
fn every_planpub_command_line_shipped_exists() {
    let mut lines = Vec::new();
    for file in [
        ".github/workflows/ci.yml",
        "deploy/github-actions.yml",
        "deploy/gitlab-ci.yml",
        "Dockerfile",
        "docs/deploy.md",
        "README.md",
    ] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        for line in text.lines() {
            if let Some(at) = line.find("planpub ") {
                lines.push((file, line[at + "planpub ".len()..].to_string()));
            }
        }
    }
    let mut checked = 0;
    for (file, rest) in lines {
        let words: Vec<&str> = rest
            .split(|c: char| c.is_whitespace() || c == '`' || c == '"' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let Some(command) = words.first() else {
            continue;
        };
        const COMMANDS: [&str; 8] = [
            "init",
            "build",
            "check",
            "serve",
            "format",
            "completions",
            "man",
            "help",
        ];
        if !COMMANDS.contains(command) {
            continue;
        }
        if *command == "help" {
            let topic = words.get(1).copied().unwrap_or("");
            let run = planpub(&["help", topic]);
            assert_eq!(run.code, 0, "{file}: planpub help {topic}: {}", run.stderr);
            checked += 1;
            continue;
        }
        let help = planpub(&[command, "--help"]);
        assert_eq!(help.code, 0, "{file}: planpub {command}");
        for option in words.iter().filter(|w| w.starts_with("--")) {
            let option = option.split('=').next().unwrap();
            assert!(
                help.stdout.contains(option),
                "{file}: `planpub {rest}`: {command} has no {option}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} command lines found");
}

/// Whether .dockerignore (a `*` and `!path` re-inclusions) sends `rel`.
fn docker_context_has(rel: &str) -> bool {
    let ignore = std::fs::read_to_string(repo().join(".dockerignore")).unwrap();
    let mut sent = true;
    for pattern in ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (include, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let matches = pattern == "*" || rel == pattern || rel.starts_with(&format!("{pattern}/"));
        if matches {
            sent = include;
        }
    }
    sent
}

#[test]
fn dockerfile_copies_everything_the_build_reads_and_ships_only_the_binary() {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let instructions: Vec<(&str, &str)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(' ').unwrap())
        .collect();
    let stages: Vec<(usize, &str)> = instructions
        .iter()
        .enumerate()
        .filter(|(_, (i, _))| *i == "FROM")
        .map(|(n, (_, a))| (n, *a))
        .collect();
    assert_eq!(stages.len(), 2, "a build stage and a final stage");
    assert!(stages[0].1.ends_with(" AS build"), "{}", stages[0].1);
    assert_eq!(
        stages[1].1, "scratch",
        "the final image holds only the binary"
    );

    // The build stage's COPY sources are in the repository and the context.
    let mut copied = Vec::new();
    for (n, (instruction, args)) in instructions.iter().enumerate() {
        if *instruction != "COPY" {
            continue;
        }
        let words: Vec<&str> = args.split_whitespace().collect();
        let (sources, dest) = words.split_at(words.len() - 1);
        if sources[0] == "--from=build" {
            assert!(
                n > stages[1].0,
                "copies from the build into the final image"
            );
            let workdir = instructions
                .iter()
                .find(|(i, _)| *i == "WORKDIR")
                .unwrap()
                .1;
            assert_eq!(sources[1], format!("{workdir}/target/release/planpub"));
            assert_eq!(dest[0], "/planpub");
            continue;
        }
        for source in sources {
            assert!(repo().join(source).exists(), "COPY {source}: no such file");
            assert!(
                docker_context_has(source),
                "COPY {source}: .dockerignore leaves it out"
            );
            copied.push(source.trim_end_matches('/').to_string());
        }
    }
    // Everything the build reads: the manifest, the build script, the
    // sources, the theme it embeds, and every file include_str!/include_bytes!
    // names.
    let mut read = vec![
        "Cargo.toml".to_string(),
        "Cargo.lock".into(),
        "build.rs".into(),
        "themes/default".into(),
    ];
    for entry in walkdir::WalkDir::new(repo().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let code = std::fs::read_to_string(entry.path()).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in code.match_indices(macro_name) {
                let arg = &code[at + macro_name.len()..];
                let arg = &arg[..arg.find('"').unwrap()];
                let path = entry.path().parent().unwrap().join(arg);
                let path = normalize(&path);
                read.push(
                    path.strip_prefix(repo())
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    for file in &read {
        assert!(
            copied
                .iter()
                .any(|c| file == c || file.starts_with(&format!("{c}/"))),
            "the build reads {file}, which the Dockerfile does not copy"
        );
    }
    assert!(
        read.iter().any(|f| f == "docs/content-format.md"),
        "include_str! targets found: {read:?}"
    );
    assert!(
        instructions
            .iter()
            .any(|(i, a)| *i == "RUN" && a.contains("cargo build --release --locked")),
        "the build stage runs cargo build --release --locked"
    );
    let entry = instructions
        .iter()
        .find(|(i, _)| *i == "ENTRYPOINT")
        .unwrap()
        .1;
    assert_eq!(entry, "[\"/planpub\"]");
}

/// `a/b/../c` → `a/c`, without touching the disk.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "another crate's enum: the rest is not what this test reads"
)]
fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// GitLab Pages compresses nothing itself and serves a file's `.gz` copy
/// to browsers that accept gzip: the `pages` job's steps after the build,
/// run in `sh` on a built site, leave a `.gz` beside every text file
/// (the search script and index among them) that unpacks to its bytes.
#[test]
fn gitlab_pages_publishes_a_gzip_copy_of_every_text_file() {
    let ci = yaml("deploy/gitlab-ci.yml");
    let script: Vec<&str> = list(&ci["pages"]["script"]).iter().map(text).collect();
    let build = script
        .iter()
        .position(|l| l.starts_with("planpub build"))
        .expect("the pages job builds");
    let after = script[build + 1..].join("\n");
    assert!(!after.is_empty(), "nothing compresses the built site");
    let site = crate::common::TestSite::fixture("basic");
    let built = site.run(&["build"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let out = Command::new("sh")
        .args(["-c", &after])
        .current_dir(site.root())
        .output()
        .expect("run sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = crate::common::read_tree(&site.path("public"));
    let mut checked = Vec::new();
    for (path, bytes) in &files {
        let ext = path.rsplit('.').next().unwrap_or_default();
        if !["html", "css", "js", "json", "xml", "svg", "csv", "txt"].contains(&ext) {
            continue;
        }
        let gz = files
            .get(&format!("{path}.gz"))
            .unwrap_or_else(|| panic!("{path} has no .gz copy"));
        let mut gunzip = Command::new("gzip")
            .arg("-dc")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("gzip");
        gunzip.stdin.take().unwrap().write_all(gz).unwrap();
        let unpacked = gunzip.wait_with_output().unwrap();
        assert!(unpacked.status.success(), "{path}.gz does not unpack");
        assert!(
            unpacked.stdout == *bytes,
            "{path}.gz unpacks to other bytes"
        );
        checked.push(path.as_str());
    }
    for needed in [
        "static/search/engine.js",
        "search/index/manifest.json",
        "2023/items.json",
        "index.html",
    ] {
        assert!(
            checked.iter().any(|p| p.ends_with(needed)),
            "{needed} was not among the compressed files: {} checked",
            checked.len()
        );
    }
}
