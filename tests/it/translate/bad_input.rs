//! `planpub translate import` of documents that are not what export
//! wrote: an error per cell or unit, and nothing written (issue #18.3).

use super::*;

/// Imports `file` and checks that it fails with each of `messages` in its
/// output and that no file of the site changed.
fn assert_refused(site: &TestSite, file: &Path, messages: &[&str]) -> String {
    let before = site_files(site);
    let run = import(site, file);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for m in messages {
        assert!(run.stderr.contains(m), "missing {m:?} in:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(
        site_files(site),
        before,
        "a refused import changed the site"
    );
    run.stderr
}

/// An exported workbook of the shipped site, its rows, and the row number
/// (1-based, as in cell references) of unit `id`.
fn exported_rows(site: &TestSite, file: &Path) -> Vec<Vec<String>> {
    export(site, file);
    read_sheet(file, "Sheet1")
}

fn row_number(rows: &[Vec<String>], id: &str) -> usize {
    rows.iter().position(|r| r[0] == id).unwrap() + 1
}

#[test]
fn a_spreadsheet_with_an_extra_column_is_refused_cell_by_cell() {
    let site = TestSite::plan2023();
    let file = site.path("back.xlsx");
    let mut rows = exported_rows(&site, &file);
    let r = row_number(&rows, "2023/16/title");
    rows[r - 1][2] = "A changed title".into();
    rows[r - 1].push("note: please check".into());
    rows[0].push("comments".into());
    write_sheet(&file, &rows);
    let f = file.display();
    assert_refused(
        &site,
        &file,
        &[
            &format!("{f}:Sheet1!E{r}: error: extra column"),
            &format!("{f}:Sheet1!E1: error: extra column"),
            "write translations in column C only",
        ],
    );
}

#[test]
fn a_spreadsheet_with_moved_rows_is_refused() {
    let site = TestSite::plan2023();
    let file = site.path("back.xlsx");
    let mut rows = exported_rows(&site, &file);
    let a = row_number(&rows, "2023/16/title");
    rows.swap(a - 1, a); // 2023/16/body now comes first
    write_sheet(&file, &rows);
    let f = file.display();
    assert_refused(
        &site,
        &file,
        &[&format!(
            "{f}:Sheet1!A{}: error: rows were moved or sorted: unit `2023/16/title` comes before `2023/16/body` (at {f}:Sheet1!A{a})",
            a + 1
        )],
    );
}

#[test]
fn a_spreadsheet_with_a_changed_source_column_is_refused_per_cell() {
    let site = TestSite::plan2023();
    let file = site.path("back.xlsx");
    let mut rows = exported_rows(&site, &file);
    let a = row_number(&rows, "2023/16/title");
    let b = row_number(&rows, "2023/11/title");
    rows[a - 1][1].push_str("（修改）");
    rows[b - 1][1] = "推进学前教育".into();
    // A translation sorted alone would also shift the source against ids.
    write_sheet(&file, &rows);
    let f = file.display();
    assert_refused(
        &site,
        &file,
        &[
            &format!(
                "{f}:Sheet1!B{a}: error: the source text of `2023/16/title` is not the current one"
            ),
            &format!(
                "{f}:Sheet1!B{b}: error: the source text of `2023/11/title` is not the current one"
            ),
        ],
    );
}

#[test]
fn a_spreadsheet_naming_a_unit_that_no_longer_exists_is_refused() {
    let site = TestSite::plan2023();
    let file = site.path("back.xlsx");
    let mut rows = exported_rows(&site, &file);
    // After the export, the webmaster removes the update of 2023-06-30
    // from item 16 (and its translation).
    for (path, start, end) in [
        (
            "content/2023/3-quality-system/16-school-projects.md",
            "[[updates]]\ndate = 2023-06-30",
            "\n\n[[updates]]",
        ),
        (
            "content/2023/3-quality-system/16-school-projects.en.md",
            "[updates.2023-06-30]",
            "\n\n[updates.",
        ),
    ] {
        let text = site.read(path);
        let from = text.find(start).unwrap();
        let to = from + text[from..].find(end).unwrap() + 2;
        site.write(path, format!("{}{}", &text[..from], &text[to..]));
    }
    let gone = row_number(&rows, "2023/16/update/2023-06-30/text");
    rows[gone - 1][2] = "Work has started on 15 schools.".into();
    let bad_state = row_number(&rows, "2023/16/title");
    rows[bad_state - 1][3] = "finished".into();
    let empty_done = row_number(&rows, "2023/16/body");
    rows[empty_done - 1][2] = String::new();
    write_sheet(&file, &rows);
    let f = file.display();
    assert_refused(
        &site,
        &file,
        &[
            &format!(
                "{f}:Sheet1!A{gone}: error: unit `2023/16/update/2023-06-30/text` no longer exists"
            ),
            &format!("{f}:Sheet1!D{bad_state}: error: unknown state \"finished\""),
        ],
    );
    // The unknown state is reported at once with the rest; a row marked
    // done with its translation emptied is refused too.
    rows[bad_state - 1][3] = "done".into();
    write_sheet(&file, &rows);
    assert_refused(
        &site,
        &file,
        &[
            &format!(
                "{f}:Sheet1!A{gone}: error: unit `2023/16/update/2023-06-30/text` no longer exists"
            ),
            &format!(
                "{f}:Sheet1!C{empty_done}: error: `2023/16/body` is marked done but has no translation"
            ),
        ],
    );
}

#[test]
fn files_that_are_not_what_export_wrote_are_refused() {
    let site = TestSite::plan2023();
    let f = site.path("not-a-workbook.xlsx");
    std::fs::write(&f, b"id,source\n").unwrap();
    assert_refused(&site, &f, &["not a spreadsheet planpub can read"]);
    let x = site.path("old.xlf");
    std::fs::write(&x, "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file/></xliff>\n").unwrap();
    assert_refused(
        &site,
        &x,
        &[&format!(
            "{}:2:1: error: not an XLIFF 2 document",
            x.display()
        )],
    );
    let broken = site.path("broken.xlf");
    std::fs::write(&broken, "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"zh\" trgLang=\"en\">\n<file id=\"f\"><unit id=\"a\"></file>\n").unwrap();
    assert_refused(&site, &broken, &["not well-formed XML"]);
}

#[test]
fn an_xliff_with_unknown_units_and_changed_sources_is_refused_per_unit() {
    let site = TestSite::plan2023();
    let file = site.path("back.xlf");
    export(&site, &file);
    let xml = std::fs::read_to_string(&file)
        .unwrap()
        .replace(
            "<unit id=\"2023:16:title\" name=\"2023/16/title\"",
            "<unit id=\"2023:99:title\" name=\"2023/99/title\"",
        )
        .replace(
            "<source>推进学前教育普及普惠优质安全发展</source>",
            "<source>推进学前教育</source>",
        )
        .replace("trgLang=\"en\"", "trgLang=\"fr\"");
    std::fs::write(&file, &xml).unwrap();
    let line_of = |needle: &str| xml[..xml.find(needle).unwrap()].matches('\n').count() + 1;
    let f = file.display();
    assert_refused(
        &site,
        &file,
        &[&format!(
            "{f}:2:1: error: `fr` is not a language of the site"
        )],
    );
    std::fs::write(&file, xml.replace("trgLang=\"fr\"", "trgLang=\"en\"")).unwrap();
    let unit11 = line_of("<unit id=\"2023:11:title\"");
    let unit99 = line_of("<unit id=\"2023:99:title\"");
    assert_refused(
        &site,
        &file,
        &[
            &format!("{f}:{unit99}:5: error: unit `2023:99:title` no longer exists"),
            &format!(
                "{f}:{unit11}:5: error: the source text of `2023:11:title` is not the current one"
            ),
        ],
    );
}
