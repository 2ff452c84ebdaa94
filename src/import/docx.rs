//! Word documents (`.docx`, Word 2007 and later): the text of the
//! paragraphs of `word/document.xml`, one a line, formatting ignored.
//!
//! A `.docx` is a zip archive (read with the `zip` crate) holding XML
//! (read with `quick-xml`). Only the main document part is read: headers,
//! footers, footnotes and comments are not part of a plan's text. Inside
//! it, every `w:p` is a paragraph and its text is that of its `w:t`
//! elements; a tab is kept as a tab and a line break (`w:br`, `w:cr`)
//! starts a new line, because documents typed in Word often separate what
//! are really paragraphs with Shift+Enter. Deleted text of tracked changes
//! (`w:delText`), field codes (`w:instrText`) and the fallback copy of text
//! boxes (`mc:Fallback`) are not text of the document.
//!
//! Word's automatic list numbering is not in the text (it is computed when
//! the document is shown): paragraphs that carry it (`w:numPr`) are
//! reported so that the import can warn that their numbers are missing.

use std::io::Read;

/// The paragraphs of a Word document, one a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocxText {
    /// Every paragraph (and line of a paragraph) followed by `\n`.
    pub text: String,
    /// The 1-based lines of `text` whose paragraph uses Word's automatic
    /// numbering (its number is not in the text).
    pub auto_numbered_lines: Vec<usize>,
}

/// Why a file could not be read as a Word document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocxError {
    pub message: String,
    pub hint: String,
}

/// The two namespaces of WordprocessingML: transitional (what Word
/// writes) and strict.
const WORD_NAMESPACES: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const MARKUP_COMPATIBILITY: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
/// No plan's text comes near this; a larger main part is refused rather
/// than inflated into memory (a zip bomb).
const MAX_DOCUMENT_XML: u64 = 256 * 1024 * 1024;

/// Reads the paragraphs of a `.docx` file's bytes.
pub fn read_docx(bytes: &[u8]) -> Result<DocxText, DocxError> {
    if bytes.starts_with(super::decode::OLE_MAGIC) {
        return Err(DocxError {
            message: "this is an encrypted (password-protected) Word document, or an old Word 97-2003 .doc saved under a .docx name; planpub reads only unprotected .docx files".into(),
            hint: "open it in Word, remove the password (File › Info › Protect Document › Encrypt with Password, empty) and save it as a Word Document (.docx)".into(),
        });
    }
    if bytes.is_empty() {
        return Err(DocxError {
            message: "the file is empty".into(),
            hint: "export the plan from Word again (File › Save As › Word Document)".into(),
        });
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| DocxError {
        message: format!(
            "not a Word document: the file is not a zip archive, as every .docx is ({e})"
        ),
        hint: "save it from Word as a Word Document (.docx), or as plain text and import the .txt"
            .into(),
    })?;
    let mut part = match archive.by_name("word/document.xml") {
        Ok(part) => part,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(DocxError {
                message: "not a Word document: the zip archive has no word/document.xml".into(),
                hint: "save it from Word as a Word Document (.docx)".into(),
            });
        }
        Err(e) => {
            return Err(DocxError {
                message: format!("cannot read word/document.xml in the archive: {e}"),
                hint: "save it from Word again as a Word Document (.docx), without a password"
                    .into(),
            });
        }
    };
    if part.encrypted() {
        return Err(DocxError {
            message: "word/document.xml is encrypted".into(),
            hint: "save it from Word again as a Word Document (.docx), without a password".into(),
        });
    }
    let mut xml = Vec::new();
    part.by_ref()
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| DocxError {
            message: format!("cannot read word/document.xml in the archive: {e}"),
            hint: "the file may be damaged; save it from Word again".into(),
        })?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(DocxError {
            message: "word/document.xml is larger than 256 MiB; no plan is that long".into(),
            hint: "check that this is the plan document".into(),
        });
    }
    paragraphs_of_document_xml(&xml)
}

/// The text of `word/document.xml`, one paragraph a line.
pub fn paragraphs_of_document_xml(xml: &[u8]) -> Result<DocxText, DocxError> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let xml = xml_text(xml)?;
    let mut reader = quick_xml::reader::NsReader::from_str(&xml);
    let mut out = DocxText {
        text: String::new(),
        auto_numbered_lines: Vec::new(),
    };
    let mut paragraph = String::new();
    let mut paragraph_numbered = false;
    // A paragraph may hold another (in a text box): the outer ones, until
    // the inner one ends.
    let mut outer: Vec<(String, bool)> = Vec::new();
    // Depth inside elements whose content is not text of the document.
    let mut skipped = 0usize;
    let mut in_text = false;
    let malformed = |e: &dyn std::fmt::Display| DocxError {
        message: format!("word/document.xml is not well-formed XML: {e}"),
        hint: "the file may be damaged; save it from Word again".into(),
    };
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(|e| malformed(&e))?;
        let word = matches!(namespace, ResolveResult::Bound(ns) if WORD_NAMESPACES.contains(&ns.0));
        let compatibility =
            matches!(namespace, ResolveResult::Bound(ns) if ns.0 == MARKUP_COMPATIBILITY);
        match event {
            Event::Start(e) => {
                let name = e.local_name();
                if skipped > 0
                    || (compatibility && name.as_ref() == "Fallback")
                    || (word && matches!(name.as_ref(), "delText" | "instrText"))
                {
                    skipped += 1;
                } else if word && name.as_ref() == "p" {
                    outer.push((std::mem::take(&mut paragraph), paragraph_numbered));
                    paragraph_numbered = false;
                } else if word && name.as_ref() == "t" {
                    in_text = true;
                } else if word && name.as_ref() == "numPr" {
                    paragraph_numbered = true;
                }
            }
            Event::Empty(e) if skipped == 0 && word => match e.local_name().as_ref() {
                "tab" => paragraph.push('\t'),
                "br" | "cr" => paragraph.push('\n'),
                "numPr" => paragraph_numbered = true,
                "p" => end_paragraph(&mut out, "", false),
                _ => {}
            },
            Event::End(e) => {
                if skipped > 0 {
                    skipped -= 1;
                } else if word && e.local_name().as_ref() == "p" {
                    end_paragraph(&mut out, &paragraph, paragraph_numbered);
                    (paragraph, paragraph_numbered) = outer.pop().unwrap_or_default();
                } else if word && e.local_name().as_ref() == "t" {
                    in_text = false;
                }
            }
            Event::Text(t) if in_text && skipped == 0 => paragraph.push_str(&t.xml10_content()),
            Event::CData(t) if in_text && skipped == 0 => paragraph.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_text && skipped == 0 => {
                let c = match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                    Some(c) => c,
                    None => match r.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(malformed(&format!("unknown entity &{other};")));
                        }
                    },
                };
                paragraph.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Appends a finished paragraph (its lines) to the text.
fn end_paragraph(out: &mut DocxText, paragraph: &str, numbered: bool) {
    for (i, line) in paragraph.split('\n').enumerate() {
        if numbered && i == 0 && !line.trim().is_empty() {
            out.auto_numbered_lines
                .push(out.text.matches('\n').count() + 1);
        }
        out.text.push_str(line);
        out.text.push('\n');
    }
}

/// The XML part as text: UTF-8 (BOM or not) or UTF-16 with a BOM, as the
/// XML specification allows.
fn xml_text(xml: &[u8]) -> Result<String, DocxError> {
    let (text, _, had_errors) = match encoding_rs::Encoding::for_bom(xml) {
        Some((encoding, _)) => encoding.decode(xml),
        None => encoding_rs::UTF_8.decode(xml),
    };
    if had_errors {
        return Err(DocxError {
            message: "word/document.xml is not valid UTF-8 or UTF-16".into(),
            hint: "the file may be damaged; save it from Word again".into(),
        });
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        )
    }

    #[test]
    fn paragraphs_become_lines_and_formatting_is_ignored() {
        let xml = document(
            r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>南阳市</w:t></w:r><w:r><w:t xml:space="preserve">教育局 &amp; </w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>一、</w:t></w:r><w:r><w:delText>删去</w:delText><w:t>加强</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"#,
        );
        let text = paragraphs_of_document_xml(xml.as_bytes()).unwrap();
        assert_eq!(text.text, "南阳市教育局 & \n\n一、加强\n第二行\n");
        assert!(text.auto_numbered_lines.is_empty());
    }

    #[test]
    fn automatic_numbering_is_reported_by_line() {
        let xml = document(
            r#"<w:p><w:r><w:t>标题</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>加强党建。</w:t></w:r></w:p>"#,
        );
        let text = paragraphs_of_document_xml(xml.as_bytes()).unwrap();
        assert_eq!(text.auto_numbered_lines, vec![2]);
    }

    #[test]
    fn text_box_fallbacks_are_read_once() {
        let xml = document(
            r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>框</w:t></mc:Choice><mc:Fallback><w:t>框</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        );
        assert_eq!(
            paragraphs_of_document_xml(xml.as_bytes()).unwrap().text,
            "框\n"
        );
    }

    #[test]
    fn not_a_zip_and_encrypted_are_refused() {
        let error = read_docx(b"just some text").unwrap_err();
        assert!(
            error.message.contains("not a zip archive"),
            "{}",
            error.message
        );
        let mut ole = super::super::decode::OLE_MAGIC.to_vec();
        ole.extend([0u8; 512]);
        let error = read_docx(&ole).unwrap_err();
        assert!(
            error.message.contains("password-protected"),
            "{}",
            error.message
        );
    }
}
