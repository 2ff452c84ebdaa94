//! The document files (`docs/<i>.json`): what the browser shows of a
//! result, fetched only for the results shown.
//!
//! Each file holds a bucket of consecutive documents, one row each:
//! `[number, url, title, status, section, text]`, plus the language of
//! title and text when they are not in the index's language
//! ([`SearchDocument::lang`]); `status` is the index of the status key in
//! the manifest's `statusKeys` (-1 for none); `text` is the body with its
//! white space collapsed, cut at a width ([`text_width`]), from which the
//! browser cuts the snippet around the best match.
//!
//! A first query fetches the file of each result on its first page
//! ([`RESULTS_PAGE`](super::RESULTS_PAGE)), so the files are bounded in
//! bytes ([`DOCS_FILE_TARGET`]): with the shards a query needs, a first
//! query stays within 30 KB of index (issue #21.5). The more text a
//! document keeps, the fewer documents share a file: a small index keeps
//! whole bodies (up to [`TEXT_WIDTH_MAX`]), so that the snippet can show
//! any match; from 1,000 documents on, each keeps [`TEXT_WIDTH_MIN`].
//!
//! Measured on the 10,000-item benchmark corpus (`benches/gen_corpus.py`):
//! 5,000 Chinese and 3,334 English files (two and three documents each;
//! 5,000 each before), and a first query of one or two words fetches
//! 19–27 KB (the six queries of `benches/pagefind_compare.js`). Packing
//! twice as many documents per file (`DOCS_FILE_TARGET` 2600) gives 2,500
//! and 1,667 files, but 29–38 KB per first query (11–23 KB gzipped).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::files::hash_file;
use super::text::excerpt;
use super::{SearchDocument, shards};

/// Text kept per language, in display width (a CJK character counts 2):
/// each document keeps up to this divided by the number of documents,
/// within [`TEXT_WIDTH_MIN`] and [`TEXT_WIDTH_MAX`].
pub const TEXT_BUDGET: usize = 320_000;
/// The least text kept per document: 160 Chinese characters, or about
/// 320 Latin ones.
pub const TEXT_WIDTH_MIN: usize = 320;
/// The most text kept per document.
pub const TEXT_WIDTH_MAX: usize = 4000;
/// Target size of a document file, in bytes: a first page of results
/// fetches at most one file per result, ten files of 1.3 KB at most.
pub const DOCS_FILE_TARGET: usize = 1300;
/// Most documents per file.
pub const MAX_DOCS_PER_BUCKET: usize = 32;

/// The width of text kept per document for `docs` documents.
pub fn text_width(docs: usize) -> usize {
    (TEXT_BUDGET / docs.max(1)).clamp(TEXT_WIDTH_MIN, TEXT_WIDTH_MAX)
}

/// Documents per file for rows of `average` bytes.
pub fn bucket_size(average: usize) -> usize {
    (DOCS_FILE_TARGET / average.max(1)).clamp(1, MAX_DOCS_PER_BUCKET)
}

/// The document files of one language.
pub(super) struct DocumentFiles {
    /// `index/docs/<i>.json` → bytes.
    pub(super) files: BTreeMap<String, Vec<u8>>,
    /// Documents per file.
    pub(super) bucket: usize,
    /// The content hash state after these files (see
    /// [`hash_file`](super::files::hash_file)): their names sort before
    /// all the other files'.
    pub(super) hash: u64,
}

/// One document's row (see the module documentation), as JSON.
fn row(d: &SearchDocument, status_keys: &[String], width: usize) -> Vec<u8> {
    let status = d
        .status
        .as_ref()
        .and_then(|s| status_keys.iter().position(|k| k == s))
        .map_or(-1, |i| i as i64);
    let mut row = json!([
        d.number,
        d.url,
        d.title,
        status,
        d.section_number,
        excerpt(&d.body, width),
    ]);
    if let (Some(lang), Value::Array(a)) = (&d.lang, &mut row) {
        a.push(Value::String(lang.clone()));
    }
    serde_json::to_vec(&row).unwrap_or_default()
}

/// The document files of `documents`, whose statuses are among
/// `status_keys`.
pub(super) fn document_files(
    documents: &[SearchDocument],
    status_keys: &[String],
) -> DocumentFiles {
    let width = text_width(documents.len());
    let rows: Vec<Vec<u8>> = documents
        .par_iter()
        .map(|d| row(d, status_keys, width))
        .collect();
    let total: usize = rows.iter().map(|r| r.len() + 1).sum();
    let bucket = bucket_size(total / rows.len().max(1));
    let files = rows
        .par_chunks(bucket)
        .enumerate()
        .map(|(b, chunk)| {
            let mut out = Vec::with_capacity(chunk.iter().map(|r| r.len() + 1).sum::<usize>() + 1);
            out.push(b'[');
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(r);
            }
            out.push(b']');
            (format!("index/docs/{b}.json"), out)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<BTreeMap<_, _>>();
    let mut hash = shards::FNV64_OFFSET;
    for (name, bytes) in &files {
        hash_file(&mut hash, name, bytes);
    }
    DocumentFiles {
        files,
        bucket,
        hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_indexes_keep_whole_bodies_and_large_ones_pack_more_per_file() {
        assert_eq!(text_width(31), TEXT_WIDTH_MAX);
        assert_eq!(text_width(1000), TEXT_WIDTH_MIN);
        assert_eq!(text_width(100), 3200);
        assert_eq!(text_width(10_000), TEXT_WIDTH_MIN);
        assert_eq!(bucket_size(1500), 1);
        assert_eq!(bucket_size(560), 2);
        assert_eq!(bucket_size(420), 3);
        assert_eq!(bucket_size(10), MAX_DOCS_PER_BUCKET);
    }
}
