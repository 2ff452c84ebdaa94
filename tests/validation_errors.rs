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

mod common;

use common::*;

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
    content_file_at_a_generated_page_path_is_an_error => "asset-clashes-with-page",
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
