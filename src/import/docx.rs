//! Word documents (`.docx`, Word 2007 and later): the text of the
//! paragraphs of `word/document.xml`, one a line, formatting ignored.
//!
//! A `.docx` is a zip archive (read with the `zip` crate) holding XML
//! (read with `quick-xml`). The text is the main document part's: headers,
//! footers, footnotes and comments are not part of a plan's text. Inside
//! it, every `w:p` is a paragraph and its text is that of its `w:t`
//! elements; a tab is kept as a tab and a line break (`w:br`, `w:cr`)
//! starts a new line, because documents typed in Word often separate what
//! are really paragraphs with Shift+Enter. Deleted text of tracked changes
//! (`w:delText`), field codes (`w:instrText`) and the fallback copy of text
//! boxes (`mc:Fallback`) are not text of the document, and a `w:tab` in a
//! paragraph's properties is a tab stop, not a tab; the properties a
//! tracked change replaced (`w:pPrChange`) are not the paragraph's.
//!
//! Word's automatic list numbering is not in the text (it is computed when
//! the document is shown): [`super::numbering`] computes it from
//! `word/numbering.xml` and `word/styles.xml`, and the number a paragraph
//! shows in Word (`一、`, `1.` and the tab after it) is written in front of
//! its text, so that numbered headings and items are recognised as if
//! typed. Each paragraph stays one line.

use super::numbering::{ListLabel, ListNumbering, ParagraphNumbering};
use super::wordml::{MARKUP_COMPATIBILITY, WORD_NAMESPACES};
use std::io::Read;

/// The paragraphs of a Word document, one a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocxText {
    /// Every paragraph (and line of a paragraph) followed by `\n`, with
    /// the number Word's automatic numbering shows in front of it.
    pub text: String,
    /// How many paragraphs had their automatic number written out.
    pub numbers_written: usize,
    /// The paragraphs in a list whose number could not be written out.
    pub numbering_warnings: Vec<NumberingWarning>,
}

/// A paragraph in an automatic list that was read without its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberingWarning {
    /// Its (first) line in the text.
    pub line: usize,
    pub message: String,
    pub hint: String,
}

/// Why a file could not be read as a Word document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocxError {
    pub message: String,
    pub hint: String,
}

/// No plan's text comes near this; a larger part is refused rather than
/// inflated into memory (a zip bomb).
const MAX_PART_XML: u64 = 256 * 1024 * 1024;

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
    let Some(document) = read_part(&mut archive, "word/document.xml")? else {
        return Err(DocxError {
            message: "not a Word document: the zip archive has no word/document.xml".into(),
            hint: "save it from Word as a Word Document (.docx)".into(),
        });
    };
    let numbering = read_part(&mut archive, "word/numbering.xml")?;
    let styles = read_part(&mut archive, "word/styles.xml")?;
    let mut numbering = ListNumbering::from_parts(numbering.as_deref(), styles.as_deref())
        .map_err(|message| DocxError {
            message,
            hint: "the file may be damaged; save it from Word again".into(),
        })?;
    paragraphs_of_document_xml(&document, &mut numbering)
}

/// The text of a part of the archive, or `None` if it has no such part.
fn read_part<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<String>, DocxError> {
    let mut part = match archive.by_name(name) {
        Ok(part) => part,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(DocxError {
                message: format!("cannot read {name} in the archive: {e}"),
                hint: "save it from Word again as a Word Document (.docx), without a password"
                    .into(),
            });
        }
    };
    if part.encrypted() {
        return Err(DocxError {
            message: format!("{name} is encrypted"),
            hint: "save it from Word again as a Word Document (.docx), without a password".into(),
        });
    }
    let mut xml = Vec::new();
    part.by_ref()
        .take(MAX_PART_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| DocxError {
            message: format!("cannot read {name} in the archive: {e}"),
            hint: "the file may be damaged; save it from Word again".into(),
        })?;
    if xml.len() as u64 > MAX_PART_XML {
        return Err(DocxError {
            message: format!("{name} is larger than 256 MiB; no plan is that long"),
            hint: "check that this is the plan document".into(),
        });
    }
    xml_text(&xml, name).map(Some)
}

/// The text of `word/document.xml`, one paragraph a line, each with the
/// number its list gives it in `numbering`.
pub fn paragraphs_of_document_xml(
    xml: &str,
    numbering: &mut ListNumbering,
) -> Result<DocxText, DocxError> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let mut reader = quick_xml::reader::NsReader::from_str(xml);
    let mut walk = DocumentWalk::default();
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(|e| malformed(&e))?;
        let word = matches!(namespace, ResolveResult::Bound(ns) if WORD_NAMESPACES.contains(&ns.0));
        let compatibility =
            matches!(namespace, ResolveResult::Bound(ns) if ns.0 == MARKUP_COMPATIBILITY);
        let reading_text = walk.in_text && walk.skipped == 0;
        match event {
            Event::Start(e) => walk.start(&e, word, compatibility, numbering),
            Event::Empty(e) if walk.skipped == 0 && word => walk.empty(&e, numbering),
            Event::End(e) => walk.end(e.local_name().as_ref(), word, numbering),
            Event::Text(t) if reading_text => {
                walk.out.push_str(&mut walk.open, &t.xml10_content());
            }
            Event::CData(t) if reading_text => {
                walk.out.push_str(&mut walk.open, &t.into_inner());
            }
            Event::GeneralRef(r) if reading_text => {
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
                walk.out
                    .push_str(&mut walk.open, c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            Event::Empty(_)
            | Event::Text(_)
            | Event::CData(_)
            | Event::GeneralRef(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
    Ok(walk.out.text)
}

/// The error for XML that does not parse.
fn malformed(e: &dyn std::fmt::Display) -> DocxError {
    DocxError {
        message: format!("word/document.xml is not well-formed XML: {e}"),
        hint: "the file may be damaged; save it from Word again".into(),
    }
}

/// Where the walk through `word/document.xml` is.
#[derive(Default)]
struct DocumentWalk {
    out: DocumentText,
    /// A paragraph may hold another (in a text box): the open ones,
    /// innermost last.
    open: Vec<OpenParagraph>,
    /// The depth of the current element.
    depth: usize,
    /// How deep inside elements whose content is not the document's text.
    skipped: usize,
    /// Inside a `w:t`.
    in_text: bool,
}

impl DocumentWalk {
    /// An element opens.
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        word: bool,
        compatibility: bool,
        numbering: &mut ListNumbering,
    ) {
        self.depth += 1;
        let name = e.local_name();
        if self.skipped > 0
            || (compatibility && name.as_ref() == "Fallback")
            || (word && matches!(name.as_ref(), "delText" | "instrText" | "pPrChange"))
        {
            self.skipped += 1;
        } else if word && name.as_ref() == "p" {
            if let Some(outer) = self.open.last_mut() {
                outer.decide_label(numbering);
            }
            self.open.push(OpenParagraph::at(self.depth));
        } else if word && name.as_ref() == "t" {
            self.in_text = true;
        } else if let Some(paragraph) = self.open.last_mut().filter(|_| word) {
            if name.as_ref() == "pPr" && self.depth == paragraph.depth + 1 {
                paragraph.in_properties = true;
            } else if name.as_ref() == "numPr" && paragraph.in_properties {
                paragraph.in_list_properties = true;
            } else {
                self.property(e);
            }
        }
    }

    /// An empty Word element (`<w:tab/>`, `<w:p/>`, a property).
    fn empty(&mut self, e: &quick_xml::events::BytesStart<'_>, numbering: &mut ListNumbering) {
        let in_properties = self.open.last().is_some_and(|p| p.in_properties);
        match e.local_name().as_ref() {
            // (A `w:tab` in the properties is a tab stop, not a tab.)
            "tab" if !in_properties => self.out.push_str(&mut self.open, "\t"),
            "br" | "cr" if !in_properties => self.out.push_str(&mut self.open, "\n"),
            "p" => {
                if let Some(outer) = self.open.last_mut() {
                    outer.decide_label(numbering);
                }
                let mut paragraph = OpenParagraph::at(self.depth + 1);
                paragraph.decide_label(numbering);
                self.out.end_paragraph(paragraph);
            }
            _ => self.property(e),
        }
    }

    /// An element closes.
    fn end(&mut self, name: &str, word: bool, numbering: &mut ListNumbering) {
        if self.skipped > 0 {
            self.skipped -= 1;
        } else if word && name == "p" {
            if let Some(mut paragraph) = self.open.pop() {
                paragraph.decide_label(numbering);
                self.out.end_paragraph(paragraph);
            }
        } else if word && name == "t" {
            self.in_text = false;
        } else if let Some(paragraph) = self.open.last_mut().filter(|_| word) {
            if name == "pPr" && self.depth == paragraph.depth + 1 {
                paragraph.in_properties = false;
                paragraph.decide_label(numbering);
            } else if name == "numPr" {
                paragraph.in_list_properties = false;
            }
        }
        self.depth = self.depth.saturating_sub(1);
    }

    /// `w:pStyle`, `w:numId` and `w:ilvl` in the innermost paragraph's
    /// own properties.
    fn property(&mut self, e: &quick_xml::events::BytesStart<'_>) {
        let Some(paragraph) = self.open.last_mut().filter(|p| p.in_properties) else {
            return;
        };
        let value = e
            .attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == "val")
            .map(|a| a.value.trim().to_string());
        let numbering = &mut paragraph.numbering;
        match e.local_name().as_ref() {
            "pStyle" => numbering.style = value,
            "numId" if paragraph.in_list_properties => {
                numbering.num_id = value.and_then(|v| v.parse().ok());
            }
            "ilvl" if paragraph.in_list_properties => {
                numbering.level = value.and_then(|v| v.parse().ok());
            }
            _ => {}
        }
    }
}

/// A paragraph whose end has not been read yet.
struct OpenParagraph {
    text: String,
    /// The depth of its `w:p` element.
    depth: usize,
    /// Reading its own `w:pPr`, and the `w:numPr` in it.
    in_properties: bool,
    in_list_properties: bool,
    numbering: ParagraphNumbering,
    /// What Word shows before its text, decided (and counted) once its
    /// properties are read, before any paragraph inside it is.
    label: Option<ListLabel>,
}

impl OpenParagraph {
    fn at(depth: usize) -> Self {
        OpenParagraph {
            text: String::new(),
            depth,
            in_properties: false,
            in_list_properties: false,
            numbering: ParagraphNumbering::default(),
            label: None,
        }
    }

    fn decide_label(&mut self, numbering: &mut ListNumbering) {
        if self.label.is_none() {
            self.label = Some(numbering.label(&self.numbering));
        }
    }
}

/// The text read so far and the number of lines in it.
#[derive(Default)]
struct DocumentText {
    text: DocxText,
    lines: usize,
}

impl DocumentText {
    /// Text of the innermost open paragraph (text outside any is not part
    /// of the document).
    fn push_str(&mut self, open: &mut [OpenParagraph], text: &str) {
        if let Some(paragraph) = open.last_mut() {
            paragraph.text.push_str(text);
        }
    }

    /// Appends a finished paragraph (its lines), its number in front.
    fn end_paragraph(&mut self, paragraph: OpenParagraph) {
        let line = self.lines + 1;
        let has_text = !paragraph.text.trim().is_empty();
        match paragraph.label {
            Some(ListLabel::Text(label)) if has_text => {
                self.text.text.push_str(&label);
                self.text.numbers_written += 1;
            }
            // Word shows the number on an empty line too, but a number
            // with no text is no heading or item: a stray empty line of
            // the list, left out (it was counted, as Word counts it).
            Some(ListLabel::Text(label)) => {
                self.text.numbering_warnings.push(NumberingWarning {
                    line,
                    message: format!(
                        "this empty paragraph is in a list, and Word shows the number «{}» on it; it was left out, so the list's numbers go on after a gap",
                        label.trim_end()
                    ),
                    hint: "in Word, delete the empty numbered paragraph (or take it out of the list), then import again".into(),
                });
            }
            Some(ListLabel::Unwritable { message, hint }) if has_text => {
                self.text.numbering_warnings.push(NumberingWarning {
                    line,
                    message,
                    hint,
                });
            }
            _ => {}
        }
        for line in paragraph.text.split('\n') {
            self.text.text.push_str(line);
            self.text.text.push('\n');
            self.lines += 1;
        }
    }
}

/// The XML part as text: UTF-8 (BOM or not) or UTF-16 with a BOM, as the
/// XML specification allows.
fn xml_text(xml: &[u8], part: &str) -> Result<String, DocxError> {
    let (text, _, had_errors) = match encoding_rs::Encoding::for_bom(xml) {
        Some((encoding, _)) => encoding.decode(xml),
        None => encoding_rs::UTF_8.decode(xml),
    };
    if had_errors {
        return Err(DocxError {
            message: format!("{part} is not valid UTF-8 or UTF-16"),
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

    fn read(xml: &str) -> DocxText {
        paragraphs_of_document_xml(xml, &mut ListNumbering::default()).unwrap()
    }

    #[test]
    fn paragraphs_become_lines_and_formatting_is_ignored() {
        let xml = document(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>南阳市</w:t></w:r><w:r><w:t xml:space="preserve">教育局 &amp; </w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>一、</w:t></w:r><w:r><w:delText>删去</w:delText><w:t>加强</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>末</w:t></w:r></w:p>"#,
        );
        let text = read(&xml);
        assert_eq!(text.text, "南阳市教育局 & \n\n一、加强\n第二行\t末\n");
        assert_eq!(text.numbers_written, 0);
        assert!(text.numbering_warnings.is_empty());
    }

    #[test]
    fn automatic_numbers_are_written_in_front_of_their_paragraphs() {
        let numbering = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#;
        let mut list_numbering = ListNumbering::from_parts(Some(numbering), None).unwrap();
        let p = |num_id: u32, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr><w:pPrChange><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let xml = document(&format!(
            "<w:p><w:r><w:t>标题</w:t></w:r></w:p>{}{}<w:p><w:r><w:t>续</w:t></w:r></w:p>{}{}{}",
            p(1, "加强党建"),
            p(2, "深入学习。"),
            p(2, " "),
            p(2, "加强组织。"),
            p(9, "无定义的列表"),
        ));
        let text = paragraphs_of_document_xml(&xml, &mut list_numbering).unwrap();
        assert_eq!(
            text.text,
            "标题\n一、加强党建\n1.\t深入学习。\n续\n \n3.\t加强组织。\n无定义的列表\n"
        );
        assert_eq!(text.numbers_written, 3);
        let warnings: Vec<(usize, &str)> = text
            .numbering_warnings
            .iter()
            .map(|w| (w.line, w.message.as_str()))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(warnings[0].0, 5);
        assert!(warnings[0].1.contains("empty paragraph") && warnings[0].1.contains("«2.»"));
        assert_eq!(warnings[1].0, 7);
        assert!(warnings[1].1.contains("list 9"), "{warnings:?}");
    }

    #[test]
    fn text_box_fallbacks_are_read_once() {
        let xml = document(
            r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>框</w:t></mc:Choice><mc:Fallback><w:t>框</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        );
        assert_eq!(read(&xml).text, "框\n");
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
