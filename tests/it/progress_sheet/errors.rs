//! Every problem a filled sheet can have, reported at its cell, all at
//! once, and nothing written (issue #19.2: "All or nothing: every problem
//! is reported at its cell … and nothing is written if there is one").

use super::*;

/// Imports `rows` written as `file` (.xlsx or .csv) and checks that it
/// fails with each of `expected` in its output and content/ unchanged.
fn assert_refused(site: &TestSite, file: &str, rows: &[Vec<String>], expected: &[String]) {
    let path = site.path(file);
    if file.ends_with(".csv") {
        write_csv(&path, rows, Encoding::Gb18030);
    } else {
        write_xlsx(&path, rows);
    }
    let before = content(site);
    let run = import(site, &path, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let mut missing = Failures::new();
    for e in expected {
        missing.check(run.stderr.contains(e.as_str()), || {
            format!("expected `{e}` in:\n{}", run.stderr)
        });
    }
    missing.assert_none("cell errors");
    assert_eq!(content(site), before, "nothing under content/ changed");
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
}

fn labels() -> String {
    [
        "not-started",
        "in-progress",
        "completed",
        "delayed",
        "ongoing",
    ]
    .map(|k| t("zh", &format!("status-{k}")))
    .join(", ")
}

// issue #19.2
#[test]
fn every_cell_error_of_a_workbook_is_reported_at_its_cell_and_nothing_is_written() {
    let site = TestSite::plan2023();
    let mut rows = read_xlsx(&make_sheet(&site, "round.xlsx", DATE));
    fill(&mut rows);
    let status = col(&rows, "progress-col-status", 0, "zh");
    let actual = col(&rows, "progress-col-actual", 1, "zh");
    let zh = col(&rows, "progress-col-text", 0, "zh");
    let letter = |c: usize| char::from(b'A' + c as u8);
    let line: BTreeMap<u32, usize> = [11, 12, 13, 15, 16]
        .into_iter()
        .map(|n| (n, row_of(&rows, n) + 1))
        .collect();
    let cell = |c: usize, n: u32| format!("{}{}", letter(c), line[&n]);
    let zh_header = rows[1][zh].clone();
    let sheet = format!("round-bad.xlsx:{}!", sheet_name());
    // An unknown status; an actual that is not a number; a row with a
    // status but no Chinese text; a title that is not the item's (a
    // moved row); a number no item has; a changed header; no date.
    set(&mut rows, 12, status, "进行中");
    set(&mut rows, 11, actual, "约16所");
    set(&mut rows, 13, status, &t("zh", "status-completed"));
    rows[line[&15] - 1][1] = "加快义务教育优质均衡发展".into();
    rows[line[&16] - 1][0] = "99".into();
    rows[1][2] = "负责单位".into();
    rows[0][3] = String::new();
    let expected = [
        format!(
            "{sheet}{}: error: unknown status \"进行中\"; expected one of {}",
            cell(status, 12),
            labels()
        ),
        format!(
            "{sheet}{}: error: \"约16所\" is not a number",
            cell(actual, 11)
        ),
        format!(
            "{sheet}{}: error: item 13 has progress filled in but no {}",
            cell(zh, 13),
            zh_header
        ),
        format!(
            "{sheet}B{}: error: this cell says \"加快义务教育优质均衡发展\", but item 15's",
            line[&15]
        ),
        format!("{sheet}A{}: error: plan 2023 has no item 99", line[&16]),
        format!("{sheet}C2: error: the header is \"负责单位\""),
        format!("{sheet}D1: error: the sheet has no round date"),
    ];
    assert_refused(&site, "round-bad.xlsx", &rows, &expected);
}

// issue #19.2: the same checks read a CSV file, at the same cells.
#[test]
fn every_cell_error_of_a_gb18030_csv_is_reported_at_its_cell() {
    let site = TestSite::plan2023();
    let mut rows = read_csv(&make_sheet(&site, "round.csv", DATE));
    fill(&mut rows);
    let status = col(&rows, "progress-col-status", 0, "zh");
    let actual = col(&rows, "progress-col-actual", 2, "zh");
    set(&mut rows, 11, status, "进行中");
    set(&mut rows, 11, actual, "four thousand");
    let row = row_of(&rows, 11) + 1;
    let letter = |c: usize| char::from(b'A' + c as u8);
    assert_refused(
        &site,
        "round-bad.csv",
        &rows,
        &[
            format!(
                "round-bad.csv:{}{row}: error: unknown status \"进行中\"",
                letter(status)
            ),
            format!(
                "round-bad.csv:{}{row}: error: \"four thousand\" is not a number",
                letter(actual)
            ),
        ],
    );
}

// issue #19.2, #19.3: the round's date must be a date in the plan's period.
#[test]
fn a_round_date_that_is_not_a_date_or_outside_the_plan_is_refused_at_its_cell() {
    let site = TestSite::plan2023();
    let mut rows = read_xlsx(&make_sheet(&site, "round.xlsx", DATE));
    fill(&mut rows);
    let sheet = format!("round-bad.xlsx:{}!", sheet_name());
    rows[0][3] = "2023-13-01".into();
    assert_refused(
        &site,
        "round-bad.xlsx",
        &rows,
        &[format!("{sheet}D1: error: \"2023-13-01\" is not a date")],
    );
    rows[0][3] = "2024-03-31".into();
    assert_refused(
        &site,
        "round-bad.xlsx",
        &rows,
        &[format!(
            "{sheet}D1: error: the round's date 2024-03-31 is outside the plan's period, 2023-01-01 to 2023-12-31"
        )],
    );
    // `progress sheet` refuses such a date too.
    let run = site.run(&[
        "progress",
        "sheet",
        "--plan",
        "2023",
        "--date",
        "2024-03-31",
        "-o",
        "x.xlsx",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("--date: error: the round's date 2024-03-31 is outside the plan's period"),
        "{}",
        run.stderr
    );
}

// issue #19.2: an item withdrawn from the plan takes no round.
#[test]
fn a_withdrawn_item_is_left_out_of_the_sheet_and_refused_on_import() {
    let site = TestSite::plan2023();
    let path = "content/2023/2-moral-education/08-textbooks.md";
    let file = site.read(path);
    assert!(file.contains("number = 8\n"), "{file}");
    site.write(
        path,
        file.replacen(
            "number = 8\n",
            "number = 8\nwithdrawn = { date = 2023-07-01, reason = \"并入第6条\" }\n",
            1,
        ),
    );
    let sheet = make_sheet(&site, "round.xlsx", DATE);
    let mut rows = read_xlsx(&sheet);
    assert_eq!(rows.len(), 2 + 30, "30 items, item 8 left out");
    assert!(rows.iter().all(|r| r[0] != "8"));
    fill(&mut rows);
    // The row of item 8 put back in place of item 9's.
    let r = row_of(&rows, 9);
    rows[r][0] = "8".into();
    let sheet = format!("round-bad.xlsx:{}!", sheet_name());
    assert_refused(
        &site,
        "round-bad.xlsx",
        &rows,
        &[format!(
            "{sheet}A{}: error: item 8 is withdrawn",
            row_of(&rows, 8) + 1
        )],
    );
}

// issue #19.2: what the round would break at build time is found before
// it is written (here: item 11's own front matter has an update dated
// 2023-06-30), and the file is not left behind.
#[test]
fn a_round_the_site_would_not_build_with_is_not_written() {
    let site = TestSite::plan2023();
    let mut rows = read_xlsx(&make_sheet(&site, "round.xlsx", "2023-06-30"));
    fill(&mut rows);
    assert_refused(
        &site,
        "round-bad.xlsx",
        &rows,
        &[
            "content/2023/progress/2023-06-30.toml".into(),
            "item 11 has an update dated 2023-06-30 both in this round and in".into(),
            "the site does not build with this round".into(),
        ],
    );
    assert!(!site.path("content/2023/progress").exists());
}
