//! Issue #17: the commands a webmaster meets in the first hour besides
//! build, check and serve: `init` (a new site that builds, checks and
//! serves at once), `help format`, shell completions, the manual page and
//! `--version`. Each runs the binary as a user would.

use crate::common::{Run, TestSite, planpub, repo, start_tags};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn ok(run: Run, what: &str) -> Run {
    assert_eq!(run.code, 0, "{what} failed:\n{}{}", run.stdout, run.stderr);
    run
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every `href`/`src` of a page under `base_path`, as a path below it
/// without query or fragment.
fn internal_links(html: &str, base_path: &str) -> Vec<String> {
    start_tags(html)
        .iter()
        .flat_map(|t| [t.attr("href"), t.attr("src")])
        .flatten()
        .filter_map(|url| url.strip_prefix(base_path))
        .map(|rest| rest.split(['#', '?']).next().unwrap().to_string())
        .collect()
}

/// The file a URL path below the base answers with.
fn file_for(public: &Path, rel: &str) -> std::path::PathBuf {
    if rel.is_empty() || rel.ends_with('/') {
        public.join(rel).join("index.html")
    } else {
        public.join(rel)
    }
}

#[test]
fn init_gives_a_site_that_builds_checks_and_links_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-plan");
    let run = ok(
        planpub(&["init", path_str(&site), "--plan", "2031"]),
        "init",
    );
    // The next steps name the commands to run, in the new folder.
    for step in [
        "cd ",
        "planpub serve",
        "planpub build",
        "planpub check",
        "planpub help format",
    ] {
        assert!(
            run.stdout.contains(step),
            "next steps lack {step:?}:\n{}",
            run.stdout
        );
    }
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l.trim_matches('/') == "public"));
    let config: toml::Table = std::fs::read_to_string(site.join("site.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let languages: Vec<&String> = config["languages"].as_table().unwrap().keys().collect();
    assert_eq!(languages, ["zh", "en"]);

    let check = ok(planpub(&["--root", path_str(&site), "check"]), "check");
    assert!(
        check.stderr.contains("0 missing translation"),
        "{}",
        check.stderr
    );
    ok(planpub(&["--root", path_str(&site), "build"]), "build");
    let public = site.join("public");
    // site.toml's base_url is https://example.gov.cn/plan/.
    let mut seen = BTreeSet::new();
    let mut queue = vec![String::new(), "en/".to_string()];
    while let Some(rel) = queue.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let file = file_for(&public, &rel);
        let bytes =
            std::fs::read(&file).unwrap_or_else(|_| panic!("/plan/{rel} leads nowhere ({file:?})"));
        if file.extension().is_some_and(|e| e == "html") {
            queue.extend(internal_links(&String::from_utf8(bytes).unwrap(), "/plan/"));
        }
    }
    for page in [
        "2031/",
        "en/2031/",
        "2031/1/",
        "en/2031/1/",
        "search/",
        "en/search/",
    ] {
        assert!(
            seen.contains(page),
            "no page links to /plan/{page}; reached {seen:?}"
        );
    }
    let item = std::fs::read_to_string(public.join("en/2031/1/index.html")).unwrap();
    assert!(
        item.contains("The first task"),
        "the English item page shows its title"
    );
}

#[test]
fn init_refuses_a_folder_that_holds_a_site_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "# mine\n").unwrap();
    let run = planpub(&["init", path_str(dir.path())]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("site.toml already exists"),
        "{}",
        run.stderr
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["site.toml"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site.toml")).unwrap(),
        "# mine\n"
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// The value of the first header `name` (lower case) of an HTTP response.
fn header(response: &str, name: &str) -> Option<String> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

#[test]
fn init_site_serves_at_once() {
    let dir = tempfile::tempdir().unwrap();
    ok(planpub(&["init", path_str(dir.path())]), "init");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_planpub"))
            .args(["--root", path_str(dir.path()), "serve", "--port"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    // serve keeps base_url's path (/plan/): `/` leads there.
    let location = loop {
        match get(port, "/") {
            Some((302, text)) => break header(&text, "location").expect("a Location header"),
            Some((status, text)) if status != 503 => panic!("/ answered {status}:\n{text}"),
            _ if Instant::now() > deadline => panic!("serve did not answer / in 30 s"),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert_eq!(location, "/plan/");
    let home = match get(port, &location) {
        Some((200, text)) => text,
        other => panic!("{location} answered {other:?}"),
    };
    assert!(home.contains("工作要点"), "{home}");
    // Its stylesheet is served at the path the page links.
    let css = start_tags(&home)
        .into_iter()
        .find(|t| t.name == "link" && t.attr("rel") == Some("stylesheet"))
        .and_then(|t| t.attr("href").map(str::to_string))
        .expect("the home page links a stylesheet");
    assert_eq!(get(port, &css).map(|(s, _)| s), Some(200), "{css}");
}

#[test]
fn help_format_prints_the_content_format_shipped_in_the_binary() {
    let doc = std::fs::read_to_string(repo().join("docs/content-format.md")).unwrap();
    for args in [
        &["help", "format"][..],
        &["format"],
        &["--root", "x", "help", "format"],
    ] {
        let run = ok(planpub(args), "help format");
        assert_eq!(run.stdout, doc, "planpub {args:?}");
    }
    // clap's own help still works for the other commands.
    let run = ok(planpub(&["help", "build"]), "help build");
    assert!(
        run.stdout.contains("Usage: planpub build"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_folder_without_a_site_points_at_commands_the_user_has() {
    let dir = tempfile::tempdir().unwrap();
    let run = planpub(&["--root", path_str(dir.path()), "check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("site.toml:1:1: error: cannot read file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`planpub help format`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`planpub init`"), "{}", run.stderr);
    assert!(!run.stderr.contains("docs/"), "{}", run.stderr);
}

#[test]
fn shipped_site_toml_names_only_files_in_the_repository() {
    let text = std::fs::read_to_string(repo().join("site.toml")).unwrap();
    assert!(
        !text.contains("../"),
        "site.toml points outside the repository"
    );
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| "()`,.;".contains(c));
        if word.ends_with(".md") {
            assert!(
                repo().join(word).is_file(),
                "site.toml names {word}, which is missing"
            );
        }
    }
}

/// The commands a completion script must offer.
const COMMANDS: [&str; 7] = [
    "init",
    "build",
    "check",
    "serve",
    "format",
    "completions",
    "man",
];

#[test]
fn completions_generate_for_every_shell() {
    use clap::ValueEnum;
    for shell in clap_complete::Shell::value_variants() {
        let name = shell.to_possible_value().unwrap().get_name().to_string();
        let run = ok(planpub(&["completions", &name]), &name);
        for command in COMMANDS {
            assert!(
                run.stdout.contains(command),
                "{name} completions lack {command}"
            );
        }
        assert!(
            run.stdout.contains("base-url"),
            "{name} completions lack --base-url"
        );
        // Where the shell is installed, it must read the script.
        let syntax_check: Option<(&str, &[&str])> = match name.as_str() {
            "bash" => Some(("bash", &["-n"])),
            "zsh" => Some(("zsh", &["-n"])),
            "fish" => Some(("fish", &["--no-execute"])),
            _ => None,
        };
        if let Some((program, args)) = syntax_check {
            let Ok(mut child) = Command::new(program)
                .args(args)
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
            else {
                eprintln!("{program} is not installed: its completions were not parsed");
                continue;
            };
            child
                .stdin
                .take()
                .unwrap()
                .write_all(run.stdout.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{program} rejects the script: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn bash_completion_offers_commands_and_options() {
    let script = ok(planpub(&["completions", "bash"]), "completions bash").stdout;
    let complete = |words: &str| -> String {
        let program = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _planpub planpub \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = Command::new("bash")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let offered = complete("planpub bu");
    assert_eq!(offered.trim(), "build", "planpub bu<TAB>");
    let offered = complete("planpub build --ba");
    assert_eq!(offered.trim(), "--base-url", "planpub build --ba<TAB>");
}

#[test]
fn fish_completion_offers_commands() {
    let script = ok(planpub(&["completions", "fish"]), "completions fish").stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("planpub.fish");
    std::fs::write(&file, script).unwrap();
    let program = format!("source {}; complete -C 'planpub bu'", file.display());
    let Ok(out) = Command::new("fish")
        .args(["--no-config", "-c", &program])
        .output()
    else {
        eprintln!("fish is not installed: its completions were not tried");
        return;
    };
    let offered = String::from_utf8(out.stdout).unwrap();
    assert!(
        offered.starts_with("build\t"),
        "planpub bu<TAB> in fish: {offered:?}"
    );
}

#[test]
fn man_page_renders_without_warnings_and_lists_every_command() {
    let page = ok(planpub(&["man"]), "man").stdout;
    assert!(page.contains(".TH planpub 1"), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(&format!("planpub\\-{command}")),
            "man page lacks {command}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    ok(
        planpub(&["man", "--output-dir", path_str(dir.path())]),
        "man --output-dir",
    );
    for command in COMMANDS {
        let path = dir.path().join(format!("planpub-{command}.1"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert!(
            text.contains(&format!("planpub {command}")),
            "{path:?}: {text}"
        );
    }
    // groff, where installed, must read it without a warning.
    let Ok(mut groff) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("groff is not installed: the page was not rendered");
        return;
    };
    groff
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = groff.wait_with_output().unwrap();
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && warnings.is_empty(),
        "groff: {warnings}"
    );
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let run = ok(planpub(&["--version"]), "--version");
    let line = run.stdout.trim();
    let version = concat!("planpub ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(version), "{line}");
    let head = Command::new("git")
        .args(["log", "-1", "--format=%h %cs"])
        .current_dir(repo())
        .output();
    match head {
        Ok(out) if out.status.success() => {
            let head = String::from_utf8(out.stdout).unwrap();
            assert_eq!(line, format!("{version} ({})", head.trim()));
        }
        // A build from a source tarball: the version alone.
        _ => assert_eq!(line, version),
    }
}

// issue #16.6: `check` counts missing translations by the diagnostics'
// code, not by the word "translation" in their messages.
#[test]
fn check_counts_missing_translations_by_code_not_by_words() {
    let site = TestSite::fixture("basic");
    let clean = ok(site.run(&["check"]), "check");
    // Item 2 has no English file: one notice.
    assert!(
        clean.stderr.contains("; 1 missing translation notice(s)"),
        "{}",
        clean.stderr
    );
    // A field a translation may not set, and an unknown one, are warnings
    // that name a translation but are no missing translation; a target
    // without its English label is one.
    let file = "content/2023/2-preschool/03-kindergartens.en.md";
    let text = site.read(file).replacen(
        "+++\n",
        "+++\nstatus = \"completed\"\ntranslation_note = \"x\"\n",
        1,
    );
    let text = text.replace("label = \"Public kindergartens built\"\n", "");
    site.write(file, text);
    let run = ok(site.run(&["check"]), "check");
    assert!(
        run.stderr.contains("`status` in a translation is ignored"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("unknown field `translation_note`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("has no `en` label"), "{}", run.stderr);
    assert!(
        run.stderr.contains("; 2 missing translation notice(s)"),
        "{}",
        run.stderr
    );
}
