//! Seeded mutations of the shipped site: whatever a file holds, planpub
//! answers with exit 0 or 1, never a panic; every problem it prints is a
//! `path:line:col: error|warning: message` (with the place inside the
//! file it names), and a failed build leaves the previous output as it
//! was.
//!
//! Each run draws a new seed and prints it; `PLANPUB_FUZZ_SEED=<seed>`
//! replays a run, `PLANPUB_FUZZ_CASES=<n>` changes the number of cases
//! (300 by default). Most cases run `check` in the test process (the
//! library, as the binary does); every eighth runs `planpub build` into an
//! output folder that a failed build must leave as it was.

use crate::common::*;
use planpub::diagnostics::Diagnostics;
use planpub::{BuildOptions, build_site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// splitmix64: a small seeded generator, enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that numbers in front matter are replaced with.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999",
    "nan",
    "+inf",
    "-inf",
    "1e400",
    "1e-400",
    "0x7fffffff",
    "0b1",
    "1_000_000",
    "3.5",
    "\"16\"",
    "true",
];

/// Values that dates are replaced with.
const DATES: &[&str] = &[
    "2023-02-30",
    "2023-13-01",
    "0000-01-01",
    "9999-12-31",
    "2023-06-30T10:00:00",
    "2023-06-30T10:00:00+08:00",
    "10:00:00",
    "\"2023-06-30\"",
    "2023-6-30",
    "2024-02-29",
    "2023-02-29",
];

/// Lines of TOML (and not quite TOML) put into front matter.
const GARBAGE: &[&str] = &[
    "= = =",
    "key =",
    "title = \"unterminated",
    "[table",
    "[[targets]]",
    "[[updates]]\ndate = 2023-06-30",
    "[targets.x]\nlabel = 1",
    "number = 1\nnumber = 2",
    "tags = [1, \"a\", [2]]",
    "related = [1, 1, 31, 0, -5]",
    "status = \"doing\"",
    "{}",
    "a.b.c = 1\na.b = 2",
    "\"\\u001b[2J\" = \"\\u202e\"",
    "lead = \"not an array\"",
    "[updates.2023-06-30]\ntext = \"x\"",
    "'''",
    "\"\"\"",
    "title = '''\nmulti\nline'''",
];

/// What a case did to one file.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    FlipByte,
    Truncate,
    InsertFence,
    Garbage,
    Number,
    Date,
    Nul,
    Bom,
    Crlf,
    LongLine,
    DeleteLine,
}

const MUTATIONS: &[Mutation] = &[
    Mutation::FlipByte,
    Mutation::Truncate,
    Mutation::InsertFence,
    Mutation::Garbage,
    Mutation::Number,
    Mutation::Date,
    Mutation::Nul,
    Mutation::Bom,
    Mutation::Crlf,
    Mutation::LongLine,
    Mutation::DeleteLine,
];

/// Byte offsets where lines start.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|i| *i < bytes.len()),
    );
    starts
}

/// Replaces the value after the first `key = ` found (of those given) on
/// a line with `value`; `false` if no line has one.
fn replace_value(bytes: &mut Vec<u8>, keys: &[&str], value: &str, rng: &mut Rng) -> bool {
    // Offsets below are bytes of `bytes`: read it as text only where it is
    // UTF-8 (a mutation may have broken a character; then no replacement).
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        return false;
    };
    let candidates: Vec<(usize, usize)> = line_starts(bytes)
        .into_iter()
        .filter_map(|start| {
            let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
            let line = &text[start..line_end];
            keys.iter()
                .find(|k| line.starts_with(&format!("{k} = ")))
                .map(|k| (start + k.len() + 3, line_end))
        })
        .collect();
    if candidates.is_empty() {
        return false;
    }
    let (from, to) = *rng.pick(&candidates);
    let mut out = text.as_bytes()[..from].to_vec();
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(&text.as_bytes()[to..]);
    *bytes = out;
    true
}

/// Applies one mutation to a file's bytes.
fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation, rng: &mut Rng) {
    let at = |rng: &mut Rng, bytes: &Vec<u8>| rng.below(bytes.len() + 1);
    match mutation {
        Mutation::FlipByte => {
            for _ in 0..=rng.below(3) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
        }
        Mutation::Truncate => {
            let n = at(rng, bytes);
            bytes.truncate(n);
        }
        Mutation::InsertFence => {
            let starts = line_starts(bytes);
            let i = *rng.pick(&starts);
            bytes.splice(i..i, b"+++\n".iter().copied());
        }
        Mutation::Garbage => {
            // Into the front matter (the first lines) most of the time.
            let starts = line_starts(bytes);
            let i = starts[rng.below(starts.len().min(12))];
            let line = format!("{}\n", rng.pick(GARBAGE));
            bytes.splice(i..i, line.bytes());
        }
        Mutation::Number => {
            let value = *rng.pick(NUMBERS);
            let value = if rng.below(4) == 0 {
                format!("[{value}]")
            } else {
                value.to_string()
            };
            let keys = ["number", "goal", "actual", "related"];
            if !replace_value(bytes, &keys, &value, rng) {
                mutate(bytes, &Mutation::Garbage, rng);
            }
        }
        Mutation::Date => {
            let value = *rng.pick(DATES);
            if !replace_value(bytes, &["date", "due", "published"], value, rng) {
                let line = format!("due = {value}\n");
                let i = bytes
                    .windows(4)
                    .position(|w| w == b"+++\n")
                    .map_or(0, |p| p + 4);
                bytes.splice(i..i, line.bytes());
            }
        }
        Mutation::Nul => {
            let i = at(rng, bytes);
            bytes.insert(i, 0);
        }
        Mutation::Bom => {
            let i = if rng.below(2) == 0 { 0 } else { at(rng, bytes) };
            bytes.splice(i..i, "\u{feff}".bytes());
        }
        Mutation::Crlf => {
            let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
            let every = rng.below(2) == 0;
            for &b in bytes.iter() {
                if b == b'\n' && (every || rng.below(2) == 0) {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *bytes = out;
        }
        Mutation::LongLine => {
            let unit = *rng.pick(&["字", "a", "<b>", "> ", "*", "[", "\\\""]);
            let line = unit.repeat(20_000 + rng.below(200_000) / unit.len());
            let starts = line_starts(bytes);
            let i = *rng.pick(&starts);
            let line = if rng.below(2) == 0 {
                format!("title = \"{line}\"\n")
            } else {
                format!("{line}\n")
            };
            bytes.splice(i..i, line.bytes());
        }
        Mutation::DeleteLine => {
            let starts = line_starts(bytes);
            let k = rng.below(starts.len());
            let end = starts.get(k + 1).copied().unwrap_or(bytes.len());
            bytes.drain(starts[k]..end);
        }
    }
}

/// The files a case may mutate: every Markdown file of the shipped plan,
/// and site.toml now and then.
fn mutable_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = read_tree(&root.join("content"))
        .into_keys()
        .filter(|p| p.ends_with(".md"))
        .map(|p| format!("content/{p}"))
        .collect();
    files.push("site.toml".into());
    files
}

/// What is wrong with the diagnostics a run printed, if anything: every
/// line is a diagnostic (`path:line:col: error|warning: …`, its place
/// inside the file when the file exists), a `  = help:` line, or one of
/// the command's own summary lines.
fn output_problems(root: &Path, stderr: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut file_lines: BTreeMap<PathBuf, Option<Vec<String>>> = BTreeMap::new();
    for line in stderr.lines() {
        if line.starts_with("  = help: ")
            || line.starts_with("built ")
            || line.starts_with("build failed; ")
            || line.starts_with("ok: ")
            || (line.ends_with(" warnings") || line.ends_with(" warning"))
                && line.contains(" error")
        {
            continue;
        }
        let Some((place, rest)) = line
            .split_once(": error: ")
            .or_else(|| line.split_once(": warning: "))
        else {
            problems.push(format!("not a diagnostic: {line:?}"));
            continue;
        };
        if rest.trim().is_empty() {
            problems.push(format!("empty message: {line:?}"));
        }
        let mut parts = place.rsplitn(3, ':');
        let (col, row, path) = (parts.next(), parts.next(), parts.next());
        let (Some(col), Some(row), Some(path)) = (col, row, path) else {
            problems.push(format!("no path:line:col: {line:?}"));
            continue;
        };
        let (Ok(col), Ok(row)) = (col.parse::<usize>(), row.parse::<usize>()) else {
            problems.push(format!("no path:line:col: {line:?}"));
            continue;
        };
        if path.is_empty() || row == 0 || col == 0 {
            problems.push(format!("no path:line:col: {line:?}"));
            continue;
        }
        // The place is inside the file it names (when that is a file of
        // the site that can be read as text).
        let lines = file_lines.entry(PathBuf::from(path)).or_insert_with(|| {
            std::fs::read(root.join(path)).ok().map(|b| {
                String::from_utf8_lossy(&b)
                    .split('\n')
                    .map(str::to_string)
                    .collect()
            })
        });
        if let Some(lines) = lines {
            let within = lines
                .get(row - 1)
                .is_some_and(|l| col <= l.trim_start_matches('\u{feff}').chars().count() + 1);
            if !within {
                problems.push(format!("{path}:{row}:{col} is outside the file: {line:?}"));
            }
        }
    }
    problems
}

/// One worker's site: a copy of the shipped one, mutated case after case
/// and restored after each.
struct Worker {
    /// Cases that passed (exit 0) and failed (exit 1), for the log: a run
    /// where nothing fails tests little.
    outcomes: [usize; 2],
    site: TestSite,
    files: Vec<String>,
    originals: BTreeMap<String, Vec<u8>>,
    output: PathBuf,
    _output_parent: tempfile::TempDir,
    output_tree: Option<BTreeMap<String, Vec<u8>>>,
}

impl Worker {
    fn new() -> Worker {
        let site = TestSite::plan2023();
        let files = mutable_files(site.root());
        let originals = files
            .iter()
            .map(|f| (f.clone(), std::fs::read(site.path(f)).unwrap()))
            .collect();
        let output_parent = tempfile::tempdir().unwrap();
        let output = output_parent.path().join("public");
        Worker {
            outcomes: [0, 0],
            site,
            files,
            originals,
            output,
            _output_parent: output_parent,
            output_tree: None,
        }
    }

    /// Runs case `case` of the run seeded `seed`; returns what went wrong.
    fn run(&mut self, seed: u64, case: u64) -> Vec<String> {
        let mut rng = Rng(seed ^ case.wrapping_mul(0xA24B_AED4_963E_E407));
        let mut touched: Vec<(String, Vec<Mutation>)> = Vec::new();
        for _ in 0..=rng.below(3) {
            // site.toml one time in twenty.
            let file = if rng.below(20) == 0 {
                "site.toml".to_string()
            } else {
                self.files[rng.below(self.files.len() - 1)].clone()
            };
            let path = self.site.path(&file);
            let mut bytes = std::fs::read(&path).unwrap();
            let mutation = rng.pick(MUTATIONS);
            mutate(&mut bytes, mutation, &mut rng);
            std::fs::write(&path, &bytes).unwrap();
            match touched.iter_mut().find(|(f, _)| *f == file) {
                Some((_, m)) => m.push(*mutation),
                None => touched.push((file, vec![*mutation])),
            }
        }
        let with_binary = case.is_multiple_of(8);
        let mut problems = if with_binary {
            self.build_with_binary()
        } else {
            self.check_in_process()
        };
        for p in &mut problems {
            *p = format!("case {case} ({touched:?}): {p}");
        }
        for (file, _) in &touched {
            std::fs::write(self.site.path(file), &self.originals[file]).unwrap();
        }
        problems
    }

    /// `check` through the library: no panic, diagnostics well formed.
    fn check_in_process(&mut self) -> Vec<String> {
        let options = BuildOptions {
            root: self.site.root().to_path_buf(),
            base_url: None,
        };
        let result = std::panic::catch_unwind(|| {
            let mut diags = Diagnostics::new();
            let ok = build_site(&options, &mut diags).is_some();
            (ok, diags)
        });
        match result {
            Err(panic) => vec![format!(
                "check panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )],
            Ok((ok, diags)) => {
                self.outcomes[usize::from(!ok)] += 1;
                let mut problems = output_problems(self.site.root(), &diags.render());
                if !ok && !diags.has_errors() {
                    problems.push("check failed without an error".into());
                }
                if ok && diags.has_errors() {
                    problems.push("check succeeded with errors".into());
                }
                problems
            }
        }
    }

    /// `planpub build` into the worker's output: exit 0 or 1, no panic,
    /// every line well formed; a failed build leaves the output as it
    /// was, and nothing is left beside it.
    fn build_with_binary(&mut self) -> Vec<String> {
        let run = self
            .site
            .run(&["build", "--output", self.output.to_str().unwrap()]);
        let mut problems = output_problems(self.site.root(), &run.stderr);
        self.outcomes[usize::from(run.code != 0)] += 1;
        if run.code != 0 && run.code != 1 {
            problems.push(format!("exit code {}:\n{}", run.code, run.stderr));
        }
        if run.stderr.contains("panicked") {
            problems.push(format!("panicked:\n{}", run.stderr));
        }
        let now = self.output.exists().then(|| read_tree(&self.output));
        if run.code == 0 {
            if now.is_none() {
                problems.push("build succeeded but wrote no output".into());
            }
            self.output_tree = now;
        } else if now != self.output_tree {
            problems.push("a failed build changed the output".into());
        }
        let beside: Vec<String> = std::fs::read_dir(self.output.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "public")
            .collect();
        if !beside.is_empty() {
            problems.push(format!("left beside the output: {beside:?}"));
        }
        problems
    }
}

// issue #15 (fuzz test)
#[test]
fn mutated_sites_exit_0_or_1_with_located_diagnostics_and_keep_the_output_on_failure() {
    let seed = std::env::var("PLANPUB_FUZZ_SEED")
        .ok()
        .map(|s| s.parse::<u64>().expect("PLANPUB_FUZZ_SEED is a number"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    let cases: u64 = std::env::var("PLANPUB_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    eprintln!("fuzz seed {seed}: replay with PLANPUB_FUZZ_SEED={seed}");
    let workers = 2u64;
    let (problems, outcomes) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    let mut worker = Worker::new();
                    let mut problems = Vec::new();
                    for case in (w..cases).step_by(workers as usize) {
                        problems.extend(worker.run(seed, case));
                    }
                    (problems, worker.outcomes)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut outcomes = [0, 0];
        for h in handles {
            let (problems, [ok, failed]) = h.join().expect("a worker panicked");
            all.extend(problems);
            outcomes[0] += ok;
            outcomes[1] += failed;
        }
        (all, outcomes)
    });
    eprintln!(
        "fuzz seed {seed}: {} case(s) built, {} failed with errors",
        outcomes[0], outcomes[1]
    );
    assert!(
        outcomes[0] > 0 && outcomes[1] > cases as usize / 4,
        "fuzz seed {seed}: the mutations hardly ever fail ({outcomes:?}): they test little"
    );
    assert!(
        problems.is_empty(),
        "fuzz seed {seed} (replay with PLANPUB_FUZZ_SEED={seed}): {} problem(s)\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn the_fuzz_checker_catches_panics_unlocated_messages_and_places_outside_files() {
    let site = TestSite::fixture("basic");
    let item = "content/2023/1-safety/02-drills.md";
    let good = format!(
        "{item}:2:10: error: `number` must be at least 1, found 0\n  = help: x\n\
         1 error, 0 warnings\nbuild failed; public was left as it was\n"
    );
    assert!(output_problems(site.root(), &good).is_empty(), "{good}");
    for bad in [
        "thread 'main' panicked at src/validate.rs:1:1:\nboom".to_string(),
        "error: cannot write the site".to_string(),
        format!("{item}: error: no line or column"),
        format!("{item}:0:1: error: line 0"),
        format!("{item}:2:500: error: past the end of line 2"),
        format!("{item}:900:1: error: past the last line"),
        format!("{item}:2:1: error: a message\nwith a line of its own"),
    ] {
        assert!(
            !output_problems(site.root(), &bad).is_empty(),
            "not caught: {bad:?}"
        );
    }
}
