//! Bad input, one fixture per error.
//!
//! Each folder tests/fixtures/errors/<case>/ holds only the broken file(s),
//! laid over the valid site tests/fixtures/basic/, and an `expected.txt`:
//! `#` lines say what the case shows; every other line is a piece of the
//! diagnostics a user reads (`path:line:col: error: message`, or a
//! `= help:` line), which must appear in what `planpub` prints.
//!
//! A case whose expected lines hold an `error:` must make both `build` and
//! `check` exit 1, report exactly that many errors, and write nothing; a
//! case with only warnings must build (exit 0) and write the site.
//!
//! Every case folder needs a named test below; `every_error_fixture_has_a_named_test`
//! keeps the two lists in step.

use crate::common::*;

/// What a case expects, read from its expected.txt.
struct Expected {
    lines: Vec<String>,
    errors: usize,
}

fn read_expected(case: &str) -> Expected {
    let path = fixture("errors").join(case).join("expected.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim().to_string())
        .collect();
    assert!(!lines.is_empty(), "{} expects nothing", path.display());
    let errors = lines.iter().filter(|l| l.contains(": error: ")).count();
    Expected { lines, errors }
}

/// Lays the case over the basic site, runs `build` and `check`, and
/// reports every way the output differs from expected.txt.
fn run_case(case: &str) {
    let expected = read_expected(case);
    let site = TestSite::fixture("basic");
    site.overlay(&format!("errors/{case}"), &["expected.txt"]);
    let mut f = Failures::new();
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        let shown = || format!("`planpub {command}` printed:\n{}", run.stderr);
        for line in &expected.lines {
            f.check(run.stderr.contains(line.as_str()), || {
                format!("[{case}] {command}: expected\n  {line}\n{}", shown())
            });
        }
        let want_code = if expected.errors > 0 { 1 } else { 0 };
        f.check(run.code == want_code, || {
            format!(
                "[{case}] {command}: exit code {} instead of {want_code}\n{}",
                run.code,
                shown()
            )
        });
        let printed_errors = run
            .stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .count();
        f.check(printed_errors == expected.errors, || {
            format!(
                "[{case}] {command}: {printed_errors} error(s) printed, expected {}\n{}",
                expected.errors,
                shown()
            )
        });
        f.check(!run.stderr.contains("panicked"), || {
            format!("[{case}] {command} panicked\n{}", shown())
        });
        let written = site.path("public").exists();
        match (command, expected.errors > 0) {
            ("check", _) | ("build", true) => f.check(!written, || {
                format!("[{case}] {command} wrote public/ although it should not")
            }),
            ("build", false) => f.check(
                written && site.path("public/2023/2/index.html").is_file(),
                || format!("[{case}] build succeeded but wrote no site"),
            ),
            _ => unreachable!(),
        }
        // No staging folder is left beside the output either way.
        let leftovers: Vec<String> = std::fs::read_dir(site.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("planpub-"))
            .collect();
        f.check(leftovers.is_empty(), || {
            format!("[{case}] {command} left {leftovers:?}")
        });
    }
    f.assert_none(&format!("error case `{case}`"));
}

macro_rules! error_cases {
    ($($name:ident => $case:literal,)*) => {
        /// The case folders that have a test, in the order below.
        const CASES: &[&str] = &[$($case),*];
        $(
            #[test]
            fn $name() {
                run_case($case);
            }
        )*
    };
}

error_cases! {
    toml_syntax_error_points_at_its_line_and_column => "toml-syntax",
    missing_title_is_an_error_naming_the_field => "missing-title",
    number_written_as_a_string_is_ill_typed => "number-as-string",
    unknown_status_lists_the_allowed_values => "unknown-status",
    duplicate_item_number_names_the_first_item => "duplicate-item-number",
    duplicate_section_number_names_the_first_section => "duplicate-section-number",
    related_pointing_at_no_item_is_an_error => "related-to-missing-item",
    target_key_must_be_lowercase_letters_digits_and_dashes => "bad-target-key",
    repeated_target_key_names_the_first_line => "repeated-target-key",
    duplicate_update_date_names_the_first_line => "duplicate-update-date",
    translation_without_default_language_file_is_an_error => "translation-without-original",
    gbk_file_is_rejected_at_the_first_invalid_byte => "invalid-utf8",
    unclosed_front_matter_is_an_error => "unclosed-front-matter",
    file_without_front_matter_is_an_error => "no-front-matter",
    quoted_date_is_ill_typed => "date-as-string",
    template_syntax_error_names_the_template_file_and_line => "template-syntax-error",
    item_row_partial_error_names_the_partial => "item-row-template-error",
    summary_field_read_from_a_list_row_says_where_it_is => "list-row-summary-field",
    unknown_filter_points_at_its_first_use => "unknown-filter",
    unknown_filter_in_a_parent_template_points_there => "unknown-filter-in-parent",
    unknown_filter_in_a_macro_points_at_the_macro_file => "unknown-filter-in-macro",
    // issue #15.4
    content_file_at_a_generated_page_path_is_an_error_naming_both => "asset-clashes-with-page",
    // issue #15.4
    plan_folder_named_like_a_language_or_reserved_path_is_an_error => "plan-folder-named-like-a-url",
    // issue #15.5
    only_allowed_attachments_that_hold_their_type_are_published => "attachment-not-allowed",
    unknown_field_is_a_warning_and_the_build_succeeds => "unknown-field",
    errors_in_several_files_are_all_reported_in_one_run => "several-errors",
    base_url_without_scheme_is_an_error_in_site_toml => "site-toml-bad-base-url",
    content_link_to_a_missing_item_fails_the_build => "broken-internal-link",
    template_made_broken_link_points_at_the_template => "template-made-broken-link",
    unreadable_item_is_not_reported_again_by_related_links => "related-to-unreadable-item",
    // issue #15.2
    numbers_out_of_range_are_errors_at_their_line_never_dropped => "number-out-of-range",
    // issue #15.16
    messages_name_what_is_wrong_and_escape_control_characters => "messages-say-what-is-wrong",
}

#[test]
fn every_error_fixture_has_a_named_test() {
    let mut folders: Vec<String> = std::fs::read_dir(fixture("errors"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    cases.sort();
    assert_eq!(
        folders, cases,
        "tests/fixtures/errors/ and error_cases! differ"
    );
    for case in CASES {
        read_expected(case);
    }
}

#[test]
fn several_errors_come_from_several_files_in_one_run() {
    // The claim of the several-errors case, checked on the library's own
    // list: four errors, four different files.
    let site = TestSite::fixture("basic");
    site.overlay("errors/several-errors", &["expected.txt"]);
    let diags = match site.build() {
        Ok(_) => panic!("the build succeeded"),
        Err(d) => d,
    };
    let mut files: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == planpub::diagnostics::Severity::Error)
        .map(|d| d.path.display().to_string())
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(files.len(), 4, "{}", diags.render());
}

/// `check` and `build` on `site`: both must exit 1, print each of
/// `expected` and write nothing.
fn assert_both_fail_with(site: &TestSite, expected: &[&str]) {
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        assert_eq!(run.code, 1, "{command}:\n{}", run.stderr);
        for line in expected {
            assert!(
                run.stderr.contains(line),
                "{command}: expected\n  {line}\nin\n{}",
                run.stderr
            );
        }
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!site.path("public").exists(), "{command} wrote public/");
    }
}

// issue #15.3
#[test]
fn a_section_or_plan_folder_without_its_index_is_an_error_not_a_silent_drop() {
    let site = TestSite::fixture("basic");
    std::fs::remove_file(site.path("content/2023/1-safety/_index.md")).unwrap();
    std::fs::remove_file(site.path("content/2023/1-safety/_index.en.md")).unwrap();
    // A second plan with a section but no _index.md of its own.
    site.write(
        "content/2024/1-a/_index.md",
        "+++\nnumber = 1\ntitle = \"一\"\n+++\n",
    );
    site.write(
        "content/2024/1-a/01-x.md",
        "+++\nnumber = 1\ntitle = \"条目\"\n+++\n",
    );
    assert_both_fail_with(
        &site,
        &[
            "content/2023/1-safety/_index.md:1:1: error: section folder 1-safety has no _index.md, so its items are not published",
            "content/2024/_index.md:1:1: error: plan folder 2024 has no _index.md, so its sections and items are not published",
        ],
    );
}

// issue #15.3
#[test]
#[cfg(unix)]
fn links_odd_names_and_folders_named_like_items_under_content_are_reported() {
    use std::os::unix::ffi::OsStrExt;
    let site = TestSite::fixture("basic");
    let dir = site.path("content/2023/2-preschool");
    std::os::unix::fs::symlink("03-kindergartens.md", dir.join("05-linked.md")).unwrap();
    std::fs::write(dir.join("..md"), "+++\nnumber = 9\ntitle = \"x\"\n+++\n").unwrap();
    std::fs::create_dir(dir.join("06-folder.md")).unwrap();
    std::fs::write(dir.join("06-folder.md/notes.txt"), "x").unwrap();
    let bad = |name: &[u8]| dir.join(std::ffi::OsStr::from_bytes(name));
    std::fs::write(bad(b"07-\xff.md"), "+++\nnumber = 7\ntitle = \"x\"\n+++\n").unwrap();
    std::fs::create_dir(bad(b"\xff-folder")).unwrap();
    std::fs::write(bad(b"\xff-folder/a.txt"), "x").unwrap();
    // Editor and system files are not content: no word about them.
    std::fs::write(dir.join("04-inclusive.md~"), "backup").unwrap();
    std::fs::write(dir.join(".DS_Store"), "").unwrap();
    assert_both_fail_with(
        &site,
        &[
            "content/2023/2-preschool/05-linked.md:1:1: error: this is a symbolic link; planpub does not follow links in content/",
            "content/2023/2-preschool/..md:1:1: warning: this file is hidden (its name starts with `.`), so it is not published",
            "content/2023/2-preschool/06-folder.md:1:1: error: a folder is named like a Markdown file",
            "content/2023/2-preschool/07-\u{fffd}.md:1:1: error: the file name is not valid UTF-8",
            "content/2023/2-preschool/\u{fffd}-folder:1:1: error: the folder name is not valid UTF-8",
        ],
    );
    let run = site.run(&["check"]);
    assert_eq!(run.stderr.matches(": error: ").count(), 4, "{}", run.stderr);
    assert!(
        !run.stderr.contains("DS_Store") && !run.stderr.contains('~'),
        "{}",
        run.stderr
    );
}

// issue #15.5
#[test]
fn allowed_attachments_are_published_byte_for_byte_and_the_source_text_too() {
    let site = TestSite::fixture("basic");
    let files: [(&str, &[u8]); 4] = [
        (
            "content/2023/2-preschool/plan.pdf",
            b"%PDF-1.7\n%\xe2\xe3\n",
        ),
        (
            "content/2023/2-preschool/photo.JPG",
            b"\xff\xd8\xff\xe0JFIF",
        ),
        ("content/2023/data.csv", "名称,数量\n幼儿园,16\n".as_bytes()),
        ("content/2023/notes.zh.txt", "说明".as_bytes()),
    ];
    for (path, bytes) in files {
        site.write(path, bytes);
    }
    let built = site.build_ok();
    for (path, bytes) in files {
        let out = path.strip_prefix("content/").unwrap();
        assert_eq!(built.bytes(out), bytes, "{out}");
    }
    assert!(
        plan2023().has("2023/source.zh.txt"),
        "the plan's source text is not published"
    );
}

// issue #15.15
#[test]
fn a_hundred_thousand_nested_divs_are_an_error_at_their_line_not_a_long_wait() {
    // 500 KB of `<div>` took the sanitizer 25 s (its time grows with the
    // square of the depth); a million `>` made 50 MB of pages. Both are
    // an error at the place where the nesting passes the limit.
    let site = TestSite::fixture("basic");
    let item = "content/2023/1-safety/02-drills.md";
    let text = site.read(item);
    let lines = text.lines().count();
    site.write(item, format!("{text}\n{}\n", "<div>".repeat(100_000)));
    let quoted = "content/2023/2-preschool/04-inclusive.md";
    let text = site.read(quoted);
    let quoted_lines = text.lines().count();
    site.write(quoted, format!("{text}\n{}\n", ">".repeat(1_000_000)));
    assert_both_fail_with(
        &site,
        &[
            &format!(
                "{item}:{}:641: error: elements are nested more than 128 deep here",
                lines + 2
            ),
            &format!(
                "{quoted}:{}:129: error: elements are nested more than 128 deep here",
                quoted_lines + 2
            ),
            "close the HTML elements you open",
        ],
    );
}
