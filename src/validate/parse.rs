//! Parsing one file: its `+++` front matter read field by field (by the
//! tables in `fields.rs`) into a [`ParsedDocument`], and its body kept as
//! text. Per file and pure: `serve` caches the result by the file's text.

use super::fields::{
    ItemFields, ItemTranslationFields, PlanFields, PlanTranslationFields, SectionFields,
    SectionTranslationFields,
};
use crate::diagnostics::{Code, Diagnostics, LineIndex, Location};
use crate::load::{DocumentKind, SourceDocument};
use crate::toml_fields::{FieldReader, parse_toml};
use std::path::Path;

/// Front matter split off a document: the TOML text, the body, and the
/// file line each starts on.
pub struct SplitDocument<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
}

/// Splits `+++` front matter from the body, reporting a missing opening or
/// closing fence.
pub fn split_front_matter<'a>(
    path: &Path,
    text: &'a str,
    diags: &mut Diagnostics,
) -> Option<SplitDocument<'a>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        diags.error(
            Code::NoFrontMatter,
            Location::file(path),
            "the file does not start with `+++` front matter",
            Some(
                "begin the file with a line `+++`, the TOML fields, then another `+++` line".into(),
            ),
        );
        return None;
    }
    let fm_start = (first_end + 1).min(text.len());
    let mut pos = fm_start;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == "+++" {
            let body_start = (end + 1).min(text.len());
            return Some(SplitDocument {
                front_matter: &text[fm_start..pos],
                body: &text[body_start..],
            });
        }
        pos = end + 1;
    }
    diags.error(
        Code::NoFrontMatter,
        Location::file(path),
        "the front matter opened by `+++` on line 1 is never closed",
        Some("add a line `+++` after the last front matter field, before the body".into()),
    );
    None
}

/// A file's fields and its body.
#[derive(Clone, Debug)]
pub struct Parsed<F> {
    pub fields: F,
    /// The Markdown after the front matter.
    pub body: String,
    /// The file line the body starts on (1-based).
    pub body_line: usize,
}

impl<F> Parsed<F> {
    fn new(fields: F, body: &str, body_line: usize) -> Box<Self> {
        Box::new(Parsed {
            fields,
            body: body.to_string(),
            body_line,
        })
    }
}

/// What one file says, typed, before files are put together. `serve`
/// caches it per file between rebuilds.
#[derive(Clone, Debug)]
pub enum ParsedDocument {
    Plan(Box<Parsed<PlanFields>>),
    PlanTranslation(Box<Parsed<PlanTranslationFields>>),
    Section(Box<Parsed<SectionFields>>),
    SectionTranslation(Box<Parsed<SectionTranslationFields>>),
    Item(Box<Parsed<ItemFields>>),
    ItemTranslation(Box<Parsed<ItemTranslationFields>>),
}

impl ParsedDocument {
    /// The file line its body starts on.
    pub fn body_line(&self) -> usize {
        match self {
            ParsedDocument::Plan(p) => p.body_line,
            ParsedDocument::PlanTranslation(p) => p.body_line,
            ParsedDocument::Section(p) => p.body_line,
            ParsedDocument::SectionTranslation(p) => p.body_line,
            ParsedDocument::Item(p) => p.body_line,
            ParsedDocument::ItemTranslation(p) => p.body_line,
        }
    }
}

/// One file's parse result: the typed document (if it parsed) and the
/// problems found in it.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub parsed: Option<ParsedDocument>,
    pub diagnostics: Diagnostics,
}

/// Parses one document's front matter into typed data (pure; cacheable by
/// the document's text).
pub fn parse_file(doc: &SourceDocument, default_language: &str) -> ParsedFile {
    let mut diagnostics = Diagnostics::new();
    let parsed = parse_document(doc, default_language, &mut diagnostics);
    ParsedFile {
        parsed,
        diagnostics,
    }
}

/// The document's fields by its kind and language; `None` when the file
/// has an error.
fn parse_document(
    doc: &SourceDocument,
    default_language: &str,
    diags: &mut Diagnostics,
) -> Option<ParsedDocument> {
    let split = split_front_matter(&doc.path, &doc.text, diags)?;
    let lines = LineIndex::new(&doc.path, split.front_matter, 2);
    let parsed = parse_toml(lines, split.front_matter, diags)?;
    let table = parsed.table.get_ref();
    let mut r = FieldReader::new(table, parsed.table.span(), &parsed.lines);
    let before = diags.error_count();
    check_body_nesting(doc, split.body, diags);
    // `body` is a slice of the file's text.
    let body_start = split.body.as_ptr() as usize - doc.text.as_ptr() as usize;
    let body_line = doc.text[..body_start].matches('\n').count() + 1;
    let result = match (doc.kind, doc.language == default_language) {
        (DocumentKind::Plan, true) => {
            let fields = PlanFields::read(&mut r, diags);
            fields
                .title
                .is_some()
                .then(|| ParsedDocument::Plan(Parsed::new(fields, split.body, body_line)))
        }
        (DocumentKind::Plan, false) => Some(ParsedDocument::PlanTranslation(Parsed::new(
            PlanTranslationFields::read(&mut r, diags),
            split.body,
            body_line,
        ))),
        (DocumentKind::Section, true) => {
            let fields = SectionFields::read(&mut r, diags);
            fields
                .title
                .is_some()
                .then(|| ParsedDocument::Section(Parsed::new(fields, split.body, body_line)))
        }
        (DocumentKind::Section, false) => Some(ParsedDocument::SectionTranslation(Parsed::new(
            SectionTranslationFields::read(&mut r, diags),
            split.body,
            body_line,
        ))),
        (DocumentKind::Item, true) => {
            let fields = ItemFields::read(&mut r, diags);
            fields
                .title
                .is_some()
                .then(|| ParsedDocument::Item(Parsed::new(fields, split.body, body_line)))
        }
        (DocumentKind::Item, false) => Some(ParsedDocument::ItemTranslation(Parsed::new(
            ItemTranslationFields::read_translation(&mut r, diags),
            split.body,
            body_line,
        ))),
    };
    if diags.error_count() > before {
        None
    } else {
        result
    }
}

/// Reports a body that nests elements too deep to render (and sanitize)
/// in reasonable time (see [`MAX_NESTING`]), where it goes too deep.
///
/// [`MAX_NESTING`]: crate::dialect::MAX_NESTING
fn check_body_nesting(doc: &SourceDocument, body: &str, diags: &mut Diagnostics) {
    use crate::dialect::{MAX_NESTING, too_deep_nesting};
    let Some(offset) = too_deep_nesting(body) else {
        return;
    };
    // `body` is a slice of the file's text.
    let body_start = body.as_ptr() as usize - doc.text.as_ptr() as usize;
    diags.error(
        Code::NestedTooDeep,
        LineIndex::new(&doc.path, &doc.text, 1).location(body_start + offset),
        format!("elements are nested more than {MAX_NESTING} deep here"),
        Some(
            "close the HTML elements you open (`</div>`), or nest lists and quotes less deeply"
                .into(),
        ),
    );
}
