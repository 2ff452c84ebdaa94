//! `serve`'s fast path for an item edit: the item put together again from
//! its own files alone, when nothing other items or lists rely on changed.

use super::assemble::*;
use super::parse::{ParsedDocument, ParsedFile};
use crate::diagnostics::Diagnostics;
use crate::load::SourceDocument;
use crate::model::Item;
use crate::source_text::item_source_hash;
use std::collections::BTreeSet;

/// `serve`'s fast path: an item rebuilt from its own files alone, for an
/// edit that leaves what other items and lists rely on as it was. `None`
/// (take the full path) when a file does not parse cleanly, or when the
/// item's number, file, tags, `related` or languages differ from `old`.
/// The section comes from `old`.
pub fn reassemble_item(
    old: &Item,
    default_doc: &SourceDocument,
    default_parsed: &ParsedFile,
    translations: &[(&SourceDocument, &ParsedFile)],
    default_language: &str,
) -> Option<Item> {
    if default_parsed.diagnostics.has_errors()
        || translations.iter().any(|(_, p)| p.diagnostics.has_errors())
    {
        return None;
    }
    let Some(ParsedDocument::Item(item)) = default_parsed.parsed.clone() else {
        return None;
    };
    let mut trans = Vec::with_capacity(translations.len());
    for (d, p) in translations {
        match p.parsed.clone() {
            Some(t @ ParsedDocument::ItemTranslation(_)) => trans.push((*d, t)),
            _ => return None,
        }
    }
    let mut languages: BTreeSet<String> = translations
        .iter()
        .map(|(d, _)| d.language.clone())
        .collect();
    languages.insert(default_language.to_string());
    let mut scratch = Diagnostics::new();
    let placed = merge_item(default_doc, *item, trans, languages, &mut scratch)?;
    if scratch.has_errors() {
        return None;
    }
    let mut item = placed.item;
    // An update the files do not hold came from a progress round: the
    // full path merges those.
    if !old
        .updates
        .iter()
        .all(|u| item.updates.iter().any(|n| n.date == u.date))
    {
        return None;
    }
    // issue #18.3: the full path that follows reports a stale translation.
    let stale = super::stale::stale_languages(
        placed.source_hashes,
        || item_source_hash(&item),
        &mut scratch,
    );
    item.stale_translations = stale;
    // `related` as the full path resolves it (old's were all valid).
    let mut resolved: Vec<u32> = Vec::new();
    for (n, _) in placed.related {
        if n == item.number {
            return None;
        }
        if !resolved.contains(&n) {
            resolved.push(n);
        }
    }
    item.related = resolved;
    item.continues = placed.continues.map(|(r, _)| r);
    item.section_number = old.section_number;
    (item.number == old.number
        && item.path == old.path
        && item.tags == old.tags
        && item.related == old.related
        && item.continues == old.continues
        && item.languages == old.languages
        && item.former_numbers == old.former_numbers
        && item.withdrawn.is_some() == old.withdrawn.is_some())
    .then_some(item)
}
