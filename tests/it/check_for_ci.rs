//! `planpub check` for continuous integration: `--strict` makes every
//! warning an error, `--format json` prints one JSON object per problem
//! per line for CI annotations (issue #19.3).

use crate::common::*;
use serde_json::Value;

/// Each stdout line of a `--format json` run, parsed.
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{}", run.stderr))
        })
        .collect()
}

/// The problems a human-format run printed: `error:` and `warning:` lines.
fn human_count(run: &Run) -> usize {
    run.stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .count()
}

// issue #19.3
#[test]
fn check_strict_fails_on_a_warning_and_passes_a_site_without_one() {
    // The basic site has one warning: item 2 has no English file.
    let site = TestSite::fixture("basic");
    let plain = site.run(&["check"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(
        plain.stderr.contains(": warning: no `en` translation"),
        "{}",
        plain.stderr
    );
    let strict = site.run(&["check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains(
            "content/2023/1-safety/02-drills.md:1:1: error: no `en` translation; the item is shown in the default language with a notice"
        ),
        "{}",
        strict.stderr
    );
    assert!(!strict.stderr.contains(": warning: "), "{}", strict.stderr);
    assert!(!site.path("public").exists(), "check wrote public/");
    // The frozen shipped plan has neither errors nor warnings.
    let clean = TestSite::fixture("plan2023").run(&["check", "--strict"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(clean.stderr.starts_with("ok: "), "{}", clean.stderr);
}

// issue #19.3
#[test]
fn check_format_json_prints_each_diagnostic_as_one_json_object_per_line() {
    let site = TestSite::fixture("basic");
    site.overlay("errors/date-outside-plan-period", &["expected.txt"]);
    let human = site.run(&["check"]);
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let objects = json_lines(&run);
    assert_eq!(objects.len(), human_count(&human), "{}", human.stderr);
    assert_eq!(objects.len(), 3, "{}", run.stdout);
    for o in &objects {
        let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "code", "column", "file", "hint", "line", "message", "severity"
            ],
            "{o}"
        );
    }
    let update = objects
        .iter()
        .find(|o| o["line"] == 9)
        .unwrap_or_else(|| panic!("no diagnostic on line 9:\n{}", run.stdout));
    assert_eq!(update["file"], "content/2023/1-safety/02-drills.md");
    assert_eq!(update["column"], 8);
    assert_eq!(update["severity"], "error");
    assert_eq!(update["code"], "outside-period");
    assert_eq!(
        update["message"],
        "the update's date 2024-01-15 is outside the plan's period, 2023-01-01 to 2023-12-31 (the plan's year: it sets no `start` or `end`)"
    );
    assert!(
        update["hint"]
            .as_str()
            .unwrap()
            .contains("add `end = 2024-01-15` in content/2023/_index.md"),
        "{update}"
    );
    let warning = objects
        .iter()
        .find(|o| o["severity"] == "warning")
        .unwrap_or_else(|| panic!("no warning:\n{}", run.stdout));
    assert_eq!(warning["code"], "missing-translation");
    assert_eq!(
        (warning["line"].as_u64(), warning["column"].as_u64()),
        (Some(1), Some(1))
    );
    // The human lines are not mixed into stdout.
    assert!(!run.stdout.contains("= help:"), "{}", run.stdout);
}

// issue #19.3
#[test]
fn check_strict_json_reports_warnings_as_errors_and_a_clean_site_prints_nothing() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["check", "--strict", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let objects = json_lines(&run);
    assert_eq!(objects.len(), 1, "{}", run.stdout);
    assert_eq!(objects[0]["severity"], "error");
    assert_eq!(objects[0]["code"], "missing-translation");
    assert_eq!(
        objects[0]["hint"],
        "create content/2023/1-safety/02-drills.en.md"
    );
    // A diagnostic without a hint has `"hint": null`.
    let file = "content/2023/2-preschool/03-kindergartens.md";
    site.write(file, site.read(file).replace("actual = 8", "actual = -8"));
    let run = site.run(&["check", "--format", "json"]);
    let negative = json_lines(&run)
        .into_iter()
        .find(|o| o["code"] == "invalid-value")
        .unwrap_or_else(|| panic!("no invalid-value:\n{}", run.stdout));
    assert_eq!(
        negative["message"],
        "a target's `actual` must not be negative"
    );
    assert_eq!(negative["hint"], Value::Null);
    // A clean site prints no line at all.
    let clean = TestSite::fixture("plan2023").run(&["check", "--format", "json"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(clean.stdout, "");
}

// issue #19.3: the annotation step of the shipped GitHub workflow, run as
// a runner would (bash -e, jq), turns the JSON lines into GitHub's
// `::error` / `::warning` commands with the file, line and column.
#[test]
#[cfg(unix)]
fn the_shipped_github_workflow_turns_check_json_into_annotations() {
    let text = std::fs::read_to_string(repo().join("deploy/github-actions.yml")).unwrap();
    let doc = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap()
        .remove(0);
    let step = doc["jobs"]["check"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("annotate problems"))
        .expect("an `annotate problems` step");
    let script = step["run"].as_str().unwrap();
    let site = TestSite::fixture("basic");
    site.overlay("errors/date-outside-plan-period", &["expected.txt"]);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_planpub"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(site.root())
        .env("PATH", path)
        .output()
        .expect("bash and jq");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines.contains(&"::error file=content/2023/1-safety/02-drills.md,line=9,col=8,title=planpub outside-period::the update's date 2024-01-15 is outside the plan's period, 2023-01-01 to 2023-12-31 (the plan's year: it sets no `start` or `end`)%0Acorrect the date; or, if the plan's period really includes 2024-01-15, add `end = 2024-01-15` in content/2023/_index.md"),
        "{stdout}"
    );
    assert!(
        lines[0].starts_with("::warning file=content/2023/1-safety/02-drills.md,line=1,col=1,title=planpub missing-translation::"),
        "{stdout}"
    );
}
