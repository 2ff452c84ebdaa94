//! The texts of a default-language file as translation sees them (its
//! text units: title, body, target labels and units, update texts), and
//! the source hash a translation records of them (`source_hash`). Pure:
//! from the model alone, so that validate can tell a stale translation
//! and `planpub translate` (src/translate/units.rs) can name the units.

use crate::model::{Item, Localized, Plan, Section};
use sha2::{Digest, Sha256};

/// Where a unit's text lives in a file (and in its translation).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// `title` of a plan, section or item.
    Title,
    /// `issuer` of a plan.
    Issuer,
    /// The body of a plan `_index.md`: the preamble.
    Preamble,
    /// The body of a section or item.
    Body,
    /// `label` of the target with this key.
    TargetLabel(String),
    /// `unit` of the target with this key.
    TargetUnit(String),
    /// `text` of the update of this date (`2023-06-30`).
    UpdateText(String),
    /// The name of this tag (named in the default language) in site.toml.
    TagName(String),
}

impl Field {
    /// The unit's name within its file: the last part of its id, and what
    /// the source hash is computed over (`title`, `target/<key>/label`).
    pub fn local_name(&self) -> String {
        match self {
            Field::Title => "title".into(),
            Field::Issuer => "issuer".into(),
            Field::Preamble => "preamble".into(),
            Field::Body => "body".into(),
            Field::TargetLabel(key) => format!("target/{key}/label"),
            Field::TargetUnit(key) => format!("target/{key}/unit"),
            Field::UpdateText(date) => format!("update/{date}/text"),
            Field::TagName(_) => "name".into(),
        }
    }

    /// Whether an empty text is a translation (a target's unit often has
    /// no word in English: 32 所 are "32"), rather than no translation.
    pub fn may_be_empty(&self) -> bool {
        matches!(self, Field::TargetUnit(_))
    }
}

/// One text of a default-language file, with its translations.
#[derive(Clone, Debug)]
pub struct FileText<'a> {
    pub field: Field,
    pub text: &'a Localized,
}

/// Text as it is compared and hashed: line endings as `\n`, without the
/// blank space around it (a body's blank first line, a trailing newline).
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

fn push<'a>(out: &mut Vec<FileText<'a>>, field: Field, text: &'a Localized) {
    if !text.default.trim().is_empty() {
        out.push(FileText { field, text });
    }
}

/// A plan's units: title, issuer, preamble (each only if it has text).
pub fn plan_texts(plan: &Plan) -> Vec<FileText<'_>> {
    let mut out = Vec::new();
    push(&mut out, Field::Title, &plan.title);
    if let Some(issuer) = &plan.issuer {
        push(&mut out, Field::Issuer, issuer);
    }
    push(&mut out, Field::Preamble, &plan.body);
    out
}

/// A section's units: title, body.
pub fn section_texts(section: &Section) -> Vec<FileText<'_>> {
    let mut out = Vec::new();
    push(&mut out, Field::Title, &section.title);
    push(&mut out, Field::Body, &section.body);
    out
}

/// An item's units: title, body, each target's label and unit (in the
/// file's order), each update's text (oldest first).
pub fn item_texts(item: &Item) -> Vec<FileText<'_>> {
    let mut out = Vec::new();
    push(&mut out, Field::Title, &item.title);
    push(&mut out, Field::Body, &item.body);
    for t in &item.targets {
        push(&mut out, Field::TargetLabel(t.key.clone()), &t.label);
        push(&mut out, Field::TargetUnit(t.key.clone()), &t.unit);
    }
    for u in &item.updates {
        push(&mut out, Field::UpdateText(u.date.iso()), &u.text);
    }
    out
}

/// The source hash of a file's units, as `source_hash` records it: the
/// SHA-256 of every unit, in the order above, written as its local name
/// (`title`, `target/boarding-schools/label`), a NUL byte, its text
/// ([`normalize`]d: `\n` line endings, blank space around it removed) and
/// a NUL byte, in UTF-8; the first 16 hexadecimal digits, lowercase. Units
/// without text are left out. Only words count: a new status, goal,
/// actual figure or date does not change it.
pub fn source_hash(texts: &[FileText<'_>]) -> String {
    let mut hasher = Sha256::new();
    for t in texts {
        hasher.update(t.field.local_name().as_bytes());
        hasher.update([0]);
        hasher.update(normalize(&t.text.default).as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

pub fn plan_source_hash(plan: &Plan) -> String {
    source_hash(&plan_texts(plan))
}

pub fn section_source_hash(section: &Section) -> String {
    source_hash(&section_texts(section))
}

pub fn item_source_hash(item: &Item) -> String {
    source_hash(&item_texts(item))
}
