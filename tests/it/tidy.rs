//! Tidy checks: invariants of the source tree that no compiler checks,
//! read from the files under src/ as text (as rust-analyzer's tidy.rs
//! does). ARCHITECTURE.md names each with its test (issue #16.6).

use crate::common::repo;
use std::path::{Path, PathBuf};

/// The pipeline between load and write, and the pure helpers it calls:
/// none of it touches the disk, prints, or reads the clock, so one run
/// reports every problem through `Diagnostics`, `serve` can rebuild in
/// memory, and output is a function of the input alone. Timings go
/// through `pipeline::Hooks` (the binary's src/timings.rs reads the
/// clock and prints). A folder stands for every file below it.
///
/// Outside this list, and allowed to touch the world: src/load/ and
/// src/write/ (the two ends), src/main.rs and src/timings.rs (the
/// binary), src/init.rs, src/serve/ but its rebuild, and
/// src/import/mod.rs and src/import/write.rs (`planpub import`'s ends).
const PURE: &[&str] = &[
    "src/config.rs",
    "src/dialect.rs",
    "src/diagnostics.rs",
    "src/model.rs",
    "src/dates.rs",
    "src/source_text.rs",
    "src/toml_fields.rs",
    "src/validate/",
    "src/link/",
    "src/progress.rs",
    "src/pages/",
    "src/render/",
    "src/indexing.rs",
    "src/index/",
    "src/output.rs",
    "src/pipeline.rs",
    "src/numerals.rs",
    "src/serve/session/rebuild.rs",
    "src/import/structure/",
    "src/import/numbering.rs",
    "src/import/numerals.rs",
    "src/import/wordml.rs",
];

/// What a pure file must not say, and why: (needle, what it is).
const FORBIDDEN: &[(&str, &str)] = &[
    ("std::fs", "disk access"),
    ("fs::", "disk access"),
    ("File::", "disk access"),
    ("OpenOptions", "disk access"),
    ("walkdir", "disk access"),
    ("print!", "printing"),
    ("println!", "printing"),
    ("eprint!", "printing"),
    ("eprintln!", "printing"),
    ("dbg!", "printing"),
    ("stdout()", "printing"),
    ("stderr()", "printing"),
    ("SystemTime", "reading the clock"),
    ("UNIX_EPOCH", "reading the clock"),
    ("Instant", "reading the clock"),
];

/// No source file may be longer than this (issue #16: "no source file over
/// 800 lines").
const MAX_LINES: usize = 800;

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The path of `file` relative to the repository, `/`-separated.
fn relative(file: &Path) -> String {
    let rel = file.strip_prefix(repo()).unwrap();
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `(line number, needle, what it is)` for every forbidden use in
/// `source`. Comments (from `//` to the end of the line) do not count, and
/// neither do a file's unit tests (from a `#[cfg(test)]` at the start of
/// a line on): a test may print. A needle counts only as a whole name
/// (`fs::` but not `refs::`).
fn forbidden_uses(source: &str) -> Vec<(usize, &'static str, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.find("//").map_or(line, |at| &line[..at]);
        for &(needle, what) in FORBIDDEN {
            let whole_name = code.match_indices(needle).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if whole_name {
                found.push((i + 1, needle, what));
            }
        }
    }
    found
}

fn is_pure(rel: &str) -> bool {
    PURE.iter()
        .any(|p| rel == *p || (p.ends_with('/') && rel.starts_with(p)))
}

#[test]
fn no_stage_between_load_and_write_touches_the_disk_prints_or_reads_the_clock() {
    for p in PURE {
        assert!(
            repo().join(p).exists(),
            "tests/it/tidy.rs lists {p} as a pure stage, but there is no such file or \
             folder: update PURE (and ARCHITECTURE.md) to the code"
        );
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in rust_files(&repo().join("src")) {
        let rel = relative(&file);
        if !is_pure(&rel) || file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        checked += 1;
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, needle, what) in forbidden_uses(&source) {
            problems.push(format!("{rel}:{line}: `{needle}` ({what})"));
        }
    }
    assert!(checked > 40, "only {checked} pure files found");
    assert!(
        problems.is_empty(),
        "the pipeline between load and write must not touch the disk, print or read the \
         clock (ARCHITECTURE.md, Invariants): only src/load/ reads and src/write/ writes; \
         stages push Diagnostics and src/main.rs prints them; timings go through \
         pipeline::Hooks. Found:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_tidy_scan_finds_disk_printing_and_clock_but_not_in_comments_or_tests() {
    let source = "use std::fs;\n\
                  let x = fs::read(p);\n\
                  println!(\"{x}\");\n\
                  let t = std::time::Instant::now();\n\
                  // std::fs in a comment is fine\n\
                  let refs::x = 1;\n\
                  #[cfg(test)]\n\
                  mod tests { fn f() { println!(); } }\n";
    let found: Vec<(usize, &str)> = forbidden_uses(source)
        .into_iter()
        .map(|(line, needle, _)| (line, needle))
        .collect();
    assert_eq!(
        found,
        [(1, "std::fs"), (2, "fs::"), (3, "println!"), (4, "Instant")]
    );
}

#[test]
fn no_source_file_is_over_800_lines() {
    let mut long = Vec::new();
    for dir in ["src", "tests", "benches"] {
        if !repo().join(dir).exists() {
            continue;
        }
        for file in rust_files(&repo().join(dir)) {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            if lines > MAX_LINES {
                long.push(format!("{}: {lines} lines", relative(&file)));
            }
        }
    }
    assert!(
        long.is_empty(),
        "no source file may be over {MAX_LINES} lines (issue #16; ARCHITECTURE.md): split \
         these into modules by what they do:\n  {}",
        long.join("\n  ")
    );
}

/// The crate's top-level modules, a layer each, lowest first: a module
/// may use only modules of lower layers (or its own), so there is no cycle
/// between them and each stage depends only on the stages before it.
const LAYERS: &[&[&str]] = &[
    &["model", "diagnostics", "dialect", "numerals", "output"],
    &["dates", "source_text", "sheet"],
    &["toml_fields"],
    &["config"],
    &["load"],
    &["validate"],
    &["progress"],
    &["link"],
    &["pages"],
    &["index"],
    &["render"],
    &["indexing"],
    &["pipeline"],
    &[
        "write",
        "serve",
        "import",
        "init",
        "renumber",
        "translate",
        "progress_sheet",
    ],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level names `source` reaches through `crate::` (`crate::link`,
/// `crate::{link, load}`), outside comments and unit tests.
fn crate_uses(source: &str) -> Vec<(usize, String)> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.find("//").map_or(line, |at| &line[..at]);
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = 0;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            out.push((i + 1, ident(&group[start..j])));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push((i + 1, ident(&group[start..j])));
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push((i + 1, ident(rest)));
            }
        }
    }
    out.retain(|(_, name)| !name.is_empty());
    out
}

#[test]
fn modules_use_only_lower_layers_so_there_is_no_cycle_between_them() {
    let src = repo().join("src");
    let mut problems = Vec::new();
    for file in rust_files(&src) {
        let rel = relative(&file);
        let Some(module) = rel
            .strip_prefix("src/")
            .and_then(|r| r.split('/').next())
            .map(|m| m.trim_end_matches(".rs"))
        else {
            continue;
        };
        if matches!(module, "lib" | "main" | "timings") {
            continue;
        }
        let Some(own) = layer_of(module) else {
            problems.push(format!(
                "{rel}: module `{module}` is in no layer: add it to LAYERS in tests/it/tidy.rs \
                 (and to the stage table in ARCHITECTURE.md)"
            ));
            continue;
        };
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, used) in crate_uses(&source) {
            let is_module = src.join(format!("{used}.rs")).exists() || src.join(&used).is_dir();
            if used == module || !is_module {
                continue;
            }
            match layer_of(&used) {
                Some(theirs) if theirs < own => {}
                Some(_) => problems.push(format!(
                    "{rel}:{line}: `{module}` uses `crate::{used}`, which is not below it"
                )),
                None => problems.push(format!(
                    "{rel}:{line}: module `{used}` is in no layer: add it to LAYERS in \
                     tests/it/tidy.rs"
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "each module may use only modules of lower layers (ARCHITECTURE.md, the stage \
         table), so that no two modules depend on each other; move what both need into \
         the lower one:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_layer_scan_reads_paths_and_groups_but_not_comments() {
    let source = "use crate::link::LinkedSite;\n\
                  use crate::{render, load::{self, x}, BuildOptions};\n\
                  // crate::serve in a comment\n\
                  let x = crate::pages::page_path(s, p);\n";
    let found: Vec<(usize, String)> = crate_uses(source);
    let found: Vec<(usize, &str)> = found.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(
        found,
        [
            (1, "link"),
            (2, "render"),
            (2, "load"),
            (2, "BuildOptions"),
            (4, "pages")
        ]
    );
}

/// Where Rust may name a language: the contract's default for
/// `default_language` and the starter site of `planpub init`. Nothing
/// else: a language's tag, locale, direction, numerals and strings come
/// from its `i18n/<lang>.toml` (issue #16.5).
const MAY_NAME_A_LANGUAGE: &[&str] = &["src/config.rs", "src/init.rs"];

#[test]
fn no_rust_code_matches_on_a_language_by_name() {
    let mut problems = Vec::new();
    for file in rust_files(&repo().join("src")) {
        let rel = relative(&file);
        if MAY_NAME_A_LANGUAGE.contains(&rel.as_str())
            || file.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (i, line) in source.lines().enumerate() {
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.find("//").map_or(line, |at| &line[..at]);
            for name in [
                "\"zh\"",
                "\"en\"",
                "\"zh-CN\"",
                "\"en-US\"",
                "\"zh_CN\"",
                "\"en_US\"",
            ] {
                if code.contains(name) {
                    problems.push(format!("{rel}:{}: {name}", i + 1));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Rust code must not name a language: what differs between languages comes from \
         the language's settings in i18n/<lang>.toml (ARCHITECTURE.md). Found:\n  {}",
        problems.join("\n  ")
    );
}
