//! Issue #17: a webmaster on Windows. Git for Windows checks text files out
//! with CRLF line endings (core.autocrlf), and editors there save CRLF:
//! such content must build the very site LF content builds, and report
//! its problems at the same lines and columns. (That the Windows binary
//! itself writes the same bytes as the Linux one is checked under wine by
//! scripts/windows-check.)

use crate::common::*;
use std::path::Path;

/// Rewrites every source file of the site (Markdown, TOML, templates, strings;
/// not assets, which are copied as they are)
/// with CRLF line endings.
fn convert_to_crlf(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        let path = entry.path();
        let text_file = path
            .extension()
            .is_some_and(|e| ["md", "toml", "html"].contains(&e.to_str().unwrap()));
        if entry.file_type().is_file() && text_file {
            let bytes = std::fs::read(path).unwrap();
            let mut crlf = Vec::with_capacity(bytes.len() + bytes.len() / 20);
            for &b in &bytes {
                if b == b'\n' {
                    crlf.push(b'\r');
                }
                crlf.push(b);
            }
            std::fs::write(path, crlf).unwrap();
        }
    }
}

#[test]
fn crlf_content_builds_the_same_site_as_lf() {
    let site = TestSite::plan2023();
    convert_to_crlf(&site.path("content"));
    convert_to_crlf(&site.path("site.toml"));
    let crlf = site.build_ok();
    let lf = plan2023();
    let mut f = Failures::new();
    f.check(crlf.output.files.len() == lf.output.files.len(), || {
        format!(
            "{} files from CRLF content, {} from LF",
            crlf.output.files.len(),
            lf.output.files.len()
        )
    });
    for (path, bytes) in &lf.output.files {
        f.check(crlf.output.files.get(path) == Some(bytes), || {
            format!("{path} differs when the content has CRLF line endings")
        });
    }
    f.check(crlf.diags.render() == lf.diags.render(), || {
        format!(
            "warnings differ:\nCRLF:\n{}\nLF:\n{}",
            crlf.diags.render(),
            lf.diags.render()
        )
    });
    f.assert_none("CRLF build");
}

#[test]
fn crlf_content_reports_errors_at_the_same_lines_and_columns() {
    let mut f = Failures::new();
    let mut cases: Vec<_> = std::fs::read_dir(fixture("errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    cases.sort();
    for case in cases {
        let build = |crlf: bool| {
            let site = TestSite::fixture("basic");
            site.overlay(&format!("errors/{case}"), &["expected.txt"]);
            if crlf {
                convert_to_crlf(site.root());
            }
            match site.build() {
                Ok(built) => built.diags.render(),
                Err(diags) => diags.render(),
            }
        };
        let (lf, crlf) = (build(false), build(true));
        f.check(lf == crlf, || {
            format!("[{case}] CRLF reports differ:\nLF:\n{lf}\nCRLF:\n{crlf}")
        });
    }
    f.assert_none("CRLF diagnostics");
}
