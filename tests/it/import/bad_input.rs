//! Bad input: a clear error, nothing written.

use super::*;

// ---------------------------------------------------------------------------
// Bad input: a clear error, nothing written
// ---------------------------------------------------------------------------

/// Imports `bytes` as `name` and expects exit `code`, every `expected`
/// piece in what is printed, and the site exactly as it was.
fn assert_refused(name: &str, bytes: &[u8], plan: &str, code: i32, expected: &[&str]) {
    let site = FreshSite::new();
    let document = site.document(name, bytes);
    let before = site.listing();
    let run = site.import(&document, plan);
    assert_eq!(run.code, code, "exit code; stderr:\n{}", run.stderr);
    for piece in expected {
        assert!(
            run.stderr.contains(piece),
            "expected\n  {piece}\nin\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert_eq!(site.listing(), before, "a refused import changed the site");
}

#[test]
fn document_without_plan_structure_is_refused() {
    assert_refused(
        "notes.txt",
        "会议纪要\n今天开会讨论了很多事情。\n大家都发了言。\n".as_bytes(),
        "2024",
        1,
        &[
            "notes.txt:1:1: error: no section headings found: the document has no recognisable plan structure",
            "= help: a plan's sections start with a Chinese numeral and 、",
        ],
    );
}

#[test]
fn sections_without_any_numbered_item_are_refused() {
    assert_refused(
        "headings.txt",
        "工作要点\n一、甲\n正文。\n二、乙\n正文。\n".as_bytes(),
        "2024",
        1,
        &["headings.txt:2:1: error: no numbered items found under the section headings"],
    );
}

#[test]
fn empty_document_is_refused() {
    assert_refused(
        "empty.txt",
        b"",
        "2024",
        1,
        &["empty.txt:1:1: error: the document is empty"],
    );
    assert_refused(
        "blank.txt",
        "\r\n  \u{3000}\r\n".as_bytes(),
        "2024",
        1,
        &["blank.txt:1:1: error: the document is empty"],
    );
}

#[test]
fn binary_file_renamed_txt_is_refused_naming_the_offset() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend([0u8; 64]);
    assert_refused(
        "scan.txt",
        &png,
        "2024",
        1,
        &["scan.txt:2:1: error: not a text file: byte 0x1a at offset 6 is a control character"],
    );
}

#[test]
fn text_in_no_accepted_encoding_is_refused_naming_the_first_bad_byte() {
    let mut bytes = "标题\n一、甲\n".as_bytes().to_vec();
    bytes.extend([0xFF, 0xFE, 0xFD]);
    assert_refused(
        "latin.txt",
        &bytes,
        "2024",
        1,
        &[
            "latin.txt:3:1: error: not a text file in UTF-8, UTF-16 or GB18030: byte 0xff at offset 17 is invalid in each of them",
        ],
    );
}

#[test]
fn docx_that_is_not_a_zip_is_refused() {
    assert_refused(
        "plan.docx",
        "南阳市教育局2024年工作要点\n一、甲\n1.乙。\n".as_bytes(),
        "2024",
        1,
        &["plan.docx:1:1: error: not a Word document: the file is not a zip archive"],
    );
}

#[test]
fn password_protected_docx_is_refused() {
    // Word saves a password-protected .docx as an OLE compound file
    // (EncryptionInfo + EncryptedPackage streams): magic D0 CF 11 E0 A1 B1 1A E1.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0x00; 16]);
    ole.extend([0x3E, 0x00, 0x03, 0x00, 0xFE, 0xFF, 0x09, 0x00]);
    ole.resize(4096, 0);
    assert_refused(
        "protected.docx",
        &ole,
        "2024",
        1,
        &[
            "protected.docx:1:1: error: this is an encrypted (password-protected) Word document",
            "= help: open it in Word, remove the password",
        ],
    );
}

#[test]
fn zip_without_word_document_is_refused() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_refused(
        "archive.docx",
        &bytes,
        "2024",
        1,
        &["archive.docx:1:1: error: not a Word document: the zip archive has no word/document.xml"],
    );
}

#[test]
fn word_document_renamed_txt_is_refused() {
    assert_refused(
        "plan.txt",
        &docx_of("工作要点\n一、甲\n1.乙。\n"),
        "2024",
        1,
        &["plan.txt:1:1: error: this is a Word document or an archive, not a text file"],
    );
}

#[test]
fn plan_ids_that_are_not_safe_url_segments_are_usage_errors() {
    let seed = seed_text();
    for (id, message) in [
        (
            "..",
            "--plan:1:1: error: the plan id \"..\" may only hold lowercase letters",
        ),
        (
            "en",
            "--plan:1:1: error: the plan id \"en\" is a language of the site",
        ),
        (
            "search",
            "--plan:1:1: error: the plan id \"search\" is taken by the site itself",
        ),
        (
            "static",
            "--plan:1:1: error: the plan id \"static\" is taken by the site itself",
        ),
        ("2024/x", "may only hold lowercase letters"),
        ("Plan", "may only hold lowercase letters"),
    ] {
        assert_refused("plan.txt", seed.as_bytes(), id, 2, &[message]);
    }
}

#[test]
fn existing_plan_folder_is_never_overwritten() {
    let site = FreshSite::new();
    let document = site.document("plan.txt", seed_text());
    site.import_ok(&document, "2023");
    let item = site.root().join("content/2023/1-section/01-item.md");
    std::fs::write(&item, "+++\nnumber = 1\ntitle = \"edited\"\n+++\n").unwrap();
    let run = site.import(&document, "2023");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: content/2023/ already exists; planpub import never overwrites a plan"
        ),
        "{}",
        run.stderr
    );
    assert!(std::fs::read_to_string(&item).unwrap().contains("edited"));
    // An empty folder counts as existing too.
    std::fs::create_dir_all(site.root().join("content/2024")).unwrap();
    assert_eq!(site.import(&document, "2024").code, 2);
    assert_eq!(
        std::fs::read_dir(site.root().join("content/2024"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn unknown_format_missing_file_and_missing_site_are_usage_errors() {
    assert_refused(
        "plan.pdf",
        b"%PDF-1.7",
        "2024",
        2,
        &["plan.pdf:1:1: error: unknown document format: expected a .docx, .txt or .md file"],
    );
    assert_refused(
        "plan.doc",
        b"x",
        "2024",
        2,
        &["error: Word 97-2003 (.doc) and WPS (.wps) documents are not read"],
    );
    let site = FreshSite::new();
    let run = site.import(&site.root().join("nowhere.txt"), "2024");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nowhere.txt:1:1: error: no such file"),
        "{}",
        run.stderr
    );
    let empty = tempfile::tempdir().unwrap();
    let document = site.document("plan.txt", seed_text());
    let run = planpub(&[
        "--root",
        empty.path().to_str().unwrap(),
        "import",
        document.to_str().unwrap(),
        "--plan",
        "2024",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is not a planpub site: it has no site.toml"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// The themes are not needed to import, but the imported site must build
/// with the repository's own theme too (the fresh sites above use the
/// embedded one).
#[test]
fn imported_plan_builds_beside_the_shipped_2023_plan() {
    let site = FreshSite::new();
    copy_tree(
        &fixture("plan2023").join("content"),
        &site.root().join("content"),
    );
    copy_tree(&repo().join("themes"), &site.root().join("themes"));
    let document = site.document(
        "plan.docx",
        docx_of(&seed_text().replace("2023年", "2024年")),
    );
    let run = site.import_ok(&document, "2024");
    assert!(
        run.stdout.contains("7 sections, 31 items"),
        "{}",
        run.stdout
    );
    let check = planpub(&["--root", site.root().to_str().unwrap(), "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}
