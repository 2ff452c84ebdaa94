//! Search index stage: turns one language's work items into a small, sharded
//! static index that the theme's search script
//! (`themes/default/static/search/`) queries in the browser, fetching only
//! the files a query needs.
//!
//! The text is analyzed by elasticlunr-rs through its extension points:
//! [`PlanLanguage`] is an elasticlunr [`Language`] whose tokenizer and
//! pipeline are [`tokenize`](tokenize::tokenize) and
//! [`pipeline`](tokenize::pipeline), the very algorithm the browser runs on
//! a query. Every field of every document goes through that language's
//! `tokenize` and the two filters of the `Pipeline` it makes, as in
//! elasticlunr's `Index::add_doc` (one token at a time, so that the light
//! form of each word can be noted beside its term: see [`variants`]).
//!
//! **The postings are not accumulated in elasticlunr's `Index`**, but in
//! this module's own structure (`chunk::ChunkBuilder`): per chunk of documents
//! (in parallel), a term table and, per term, its counts in each field
//! and first title and body positions, merged by term and document at the
//! end; the `chars` field (every Han character, for one-character
//! queries) is counted in the same pass from the text rather than run
//! through a tokenizer. elasticlunr-rs 3.1's `Index` keeps its inverted
//! index private (it can only be read back by serializing it to JSON), and
//! its `add_doc` alone was over the time budget of issue 8. Measured on
//! the 10,000-item bilingual benchmark corpus (`benches/gen_corpus.py`),
//! on the 2-core benchmark machine, both languages:
//!
//! | | wall time |
//! | --- | --- |
//! | elasticlunr `Index` + JSON round trip (before) | 48.6 s |
//! | elasticlunr `Index::add_doc` alone, without `chars`, 2 threads over document chunks | 3.3 s zh + 0.9 s en |
//! | this module (after; index stage of `PLANPUB_TIMINGS=1 planpub build`, writing its 13,500 files included; the same stage was 60.0 s before) | 5.3 s |
//!
//! The output is byte for byte what elasticlunr's `Index` gives (the test
//! `postings_equal_elasticlunrs_index` compares the two, with the former
//! code kept in `reference.rs`), and the same whatever the number of
//! threads.
//!
//! Files written under the language's search folder (`search/` or
//! `en/search/`), all under `index/`:
//!
//! | file | fetched | content |
//! | --- | --- | --- |
//! | `manifest.json` | on the first search | doc count, shard count, bucket size, content hash, status keys and labels, vocabulary letters, how the text was analyzed (`analyzer`) and how to rank ([`SCORING`]) |
//! | `t2s/<i>.json` | for each Han character of a query, the bucket `code point % 64` | the traditional → simplified pairs of that bucket |
//! | `shards/<i>.json` | for each query term | `{term: postings}` for the terms whose FNV-1a hash modulo the shard count is `i`, and `{"=term": variants}` for a stemmed term ([`variants`]) |
//! | `docs/<i>.json` | for shown results | number, URL, title, status, section and text of documents `i*bucket ..` ([`docs`]) |
//! | `vocab/<letter>.json` | when a Latin query term is not in the index | the Latin terms starting with that letter, for prefix and one-typo matches |
//! | `status.json` | when the status filter is used | one character per document |
//! | `sections.json` | when the section filter is used | runs of documents of one section |
//!
//! Every term posting carries a precomputed BM25 weight (summed over the
//! fields with their boosts) and the term's first position in the title
//! and the body (for phrase boosts); frequent terms get a compact list
//! without positions; see [`shards`].

mod chunk;
pub mod docs;
mod files;
mod fxhash;
mod porter;
mod postings;
#[cfg(test)]
mod reference;
pub mod shards;
mod text;
pub mod tokenize;
pub mod variants;

use std::collections::BTreeMap;

use elasticlunr::{Language, Pipeline};
use rayon::prelude::*;

use chunk::index_in_chunks;
pub(crate) use fxhash::BuildFxHasher;
use postings::collect_postings;

/// One work item in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    /// The item's number in the plan.
    pub number: u32,
    /// Site-relative URL of the item page, e.g. `2023/16/` or `en/2023/16/`.
    pub url: String,
    pub title: String,
    /// Plain text (Markdown already stripped).
    pub body: String,
    /// Tag names in this language.
    pub tags: Vec<String>,
    pub target_labels: Vec<String>,
    pub section_number: u32,
    pub section_title: String,
    /// Status key (not-started | in-progress | completed | delayed |
    /// ongoing); `None` = no update yet.
    pub status: Option<String>,
    /// The language of the title and body when they are not in the
    /// index's language (an untranslated item shown in the default
    /// language), so that the results mark them with `lang`.
    pub lang: Option<String>,
}

/// Words the browser shows that come from the engine's localization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchUiLabels {
    /// Status key (and `"none"`) → word, e.g. `"in-progress"` → `"推进中"`.
    pub statuses: BTreeMap<String, String>,
}

/// Format version in the manifest; the browser refuses other versions.
pub const FORMAT_VERSION: u32 = 2;
/// Buckets of the traditional → simplified table (`t2s/<code point % n>.json`).
pub const T2S_BUCKETS: u32 = 64;
/// Results on a page: the first query fetches the document files of this
/// many (see [`docs`]).
pub const RESULTS_PAGE: usize = 10;
/// Width of a result's snippet, cut from the document's text around its
/// best match (a CJK character counts 2): 100 Chinese characters or about
/// 200 Latin ones.
pub const SNIPPET_WIDTH: usize = 200;
/// How the browser ranks results, sent in the manifest (read by
/// `themes/default/static/search/engine.js`, which has no constant of its
/// own). Factors of a document's score:
///
/// - `titleAll`: every query word is in the title;
/// - `titlePhrase`, `bodyPhrase`: the query words follow each other in
///   the title, in the body;
/// - `typo`: a word's weight when found through a typo or prefix
///   expansion of a query word that is not in the index;
/// - `stemOnly`: a word's weight when the document has only another word
///   of the same stem (*board* for *boarding*, see [`variants`]); such a
///   match never brings in a document alone;
/// - `synonym`: a document found through a synonym of the query (the
///   search page's synonym table);
///
/// and `expansions`, the most words a query word not in the index is
/// expanded to.
pub const SCORING: &[(&str, f64)] = &[
    ("titleAll", 1.3),
    ("titlePhrase", 2.0),
    ("bodyPhrase", 1.5),
    ("typo", 0.8),
    ("stemOnly", 0.3),
    ("synonym", 0.9),
    ("expansions", 6.0),
];
/// Target size of a postings shard, in bytes; the shard count follows.
pub const TARGET_SHARD_BYTES: usize = 6 * 1024;
/// Most shards per language.
pub const MAX_SHARDS: usize = 8192;
/// Latin terms shorter than this are left out of the vocabulary files.
pub const MIN_VOCAB_LEN: usize = 3;

pub(crate) const BM25_K1: f64 = 1.2;
pub(crate) const BM25_B: f64 = 0.75;

/// The indexed fields and their boosts. `chars` holds every Han character
/// of the title and body, so that a one-character query finds them;
/// `number` holds the pseudo-term `#<number>` for item-number queries.
pub const FIELDS: &[(&str, f64)] = &[
    ("title", 3.0),
    ("body", 1.0),
    ("tags", 2.0),
    ("targets", 1.5),
    ("chars", 0.5),
    ("number", 1.0),
];

/// The elasticlunr [`Language`] of planpub's search: the same tokenizer and
/// pipeline for every language of the site, so the browser needs only one.
pub struct PlanLanguage {
    code: String,
}

impl PlanLanguage {
    pub fn new(code: &str) -> Self {
        PlanLanguage {
            code: code.to_string(),
        }
    }
}

impl Language for PlanLanguage {
    fn name(&self) -> String {
        "Planpub".into()
    }

    fn code(&self) -> String {
        self.code.clone()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        tokenize::tokenize(text)
    }

    fn make_pipeline(&self) -> Pipeline {
        tokenize::pipeline()
    }
}

/// Field numbers, positions in [`FIELDS`].
pub(crate) const TITLE: usize = 0;
pub(crate) const BODY: usize = 1;
pub(crate) const TAGS: usize = 2;
pub(crate) const TARGETS: usize = 3;
pub(crate) const CHARS: usize = 4;
pub(crate) const NUMBER: usize = 5;
pub(crate) const FIELD_COUNT: usize = 6;
const _: () = assert!(FIELDS.len() == FIELD_COUNT);

/// No position (the term is not in that field).
pub(crate) const NO_POS: u32 = u32::MAX;

/// Builds one language's index. Returns (path relative to the language's
/// search folder, bytes), sorted by path, e.g. `index/manifest.json`.
/// Deterministic (the same bytes whatever the number of threads) and
/// panic-free.
pub fn build_search_index(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
) -> Vec<(String, Vec<u8>)> {
    build_unless(language, documents, labels, &|| false).unwrap_or_default()
}

/// One language's index files: (path, bytes), sorted by path.
pub type IndexFiles = Vec<(String, Vec<u8>)>;

/// Asked now and then while an index is built: `true` means the result is
/// no longer wanted (the build failed, a newer edit came), and the work
/// stops early.
pub type Cancelled<'a> = &'a (dyn Fn() -> bool + Sync);

/// [`build_search_index`], or `None` as soon as `cancelled` says so.
fn build_unless(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
    cancelled: Cancelled<'_>,
) -> Option<IndexFiles> {
    // The document files do not depend on the postings: they are made
    // (and hashed) alongside.
    let status_keys = files::status_keys(documents);
    let (postings, docs) = rayon::join(
        || {
            let chunks =
                index_in_chunks(language, documents, chunk_size(documents.len()), cancelled)?;
            (!cancelled())
                .then(|| files::postings_files(&collect_postings(&chunks, documents.len())))
        },
        || (!cancelled()).then(|| docs::document_files(documents, &status_keys)),
    );
    let (postings, docs) = (postings?, docs?);
    (!cancelled()).then(|| files::write_files(language, documents, labels, postings, docs))
}

/// Builds the indexes of several languages, in parallel: the same bytes
/// as one [`build_search_index`] call each, in the same order; `None` if
/// `cancelled` said so before the end.
pub fn build_search_indexes(
    inputs: &[(&str, &[SearchDocument], &SearchUiLabels)],
    cancelled: Cancelled<'_>,
) -> Option<Vec<IndexFiles>> {
    inputs
        .par_iter()
        .map(|(language, documents, labels)| build_unless(language, documents, labels, cancelled))
        .collect()
}

/// Documents per parallel chunk: a few chunks per thread, at least
/// [`MIN_CHUNK_DOCS`] documents each. The output does not depend on it.
fn chunk_size(docs: usize) -> usize {
    let chunks = rayon::current_num_threads().max(1) * 4;
    docs.div_ceil(chunks).max(MIN_CHUNK_DOCS)
}

const MIN_CHUNK_DOCS: usize = 64;

#[cfg(test)]
mod tests;
