//! Search index stage: turns one language's work items into a small, sharded
//! static index that `themes/default/static/search.js` queries in the
//! browser, fetching only the files a query needs.
//!
//! The text is analyzed by elasticlunr-rs through its extension points:
//! [`PlanLanguage`] is an elasticlunr [`Language`] whose tokenizer and
//! pipeline are [`tokenize`](tokenize::tokenize) and
//! [`pipeline`](tokenize::pipeline), the very algorithm the browser runs on
//! a query. Every field of every document goes through that language's
//! `tokenize` and the `Pipeline` it makes, as in elasticlunr's
//! `Index::add_doc`.
//!
//! **The postings are not accumulated in elasticlunr's `Index`**, but in
//! this module's own structure ([`ChunkBuilder`]): per chunk of documents
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
//! | `manifest.json` | on the first search | doc count, shard count, bucket size, content hash, section runs, status labels, vocabulary letters |
//! | `t2s/<i>.json` | for each Han character of a query, the bucket `code point % 16` | the traditional → simplified pairs of that bucket |
//! | `shards/<i>.json` | for each query term | `{term: postings}` for the terms whose FNV-1a hash modulo the shard count is `i` |
//! | `docs/<i>.json` | for shown results | number, URL, title, status, section and the beginning of the body ([`EXCERPT_WIDTH`]) of documents `i*bucket ..` |
//! | `vocab/<letter>.json` | when a Latin query term is not in the index | the Latin terms starting with that letter, for prefix and one-typo matches |
//! | `status.json` | when the status filter is used | one character per document |
//!
//! Every term posting carries a precomputed BM25 weight (summed over the
//! fields with their boosts) and the term's first position in the title
//! and the body (for phrase boosts); frequent terms get a compact list
//! without positions; see [`shards`].

#[cfg(test)]
mod reference;
pub mod shards;
pub mod tokenize;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use elasticlunr::{Language, Pipeline};
use rayon::prelude::*;
use serde_json::{Value, json};

use shards::Posting;

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
pub const FORMAT_VERSION: u32 = 1;
/// Documents per `docs/<i>.json` bucket.
pub const DOCS_PER_BUCKET: usize = 2;
/// Buckets of the traditional → simplified table (`t2s/<code point % n>.json`).
pub const T2S_BUCKETS: u32 = 16;
/// Width of the body excerpt kept for the result snippet, counting a wide
/// (CJK) character as 2: 160 Chinese characters or about 320 Latin ones.
pub const EXCERPT_WIDTH: usize = 320;
/// Target size of a postings shard, in bytes; the shard count follows.
pub const TARGET_SHARD_BYTES: usize = 6 * 1024;
/// Most shards per language.
pub const MAX_SHARDS: usize = 8192;
/// Latin terms shorter than this are left out of the vocabulary files.
pub const MIN_VOCAB_LEN: usize = 3;

const BM25_K1: f64 = 1.2;
const BM25_B: f64 = 0.75;

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
const TITLE: usize = 0;
const BODY: usize = 1;
const TAGS: usize = 2;
const TARGETS: usize = 3;
const CHARS: usize = 4;
const NUMBER: usize = 5;
const FIELD_COUNT: usize = 6;
const _: () = assert!(FIELDS.len() == FIELD_COUNT);

/// No position (the term is not in that field).
const NO_POS: u32 = u32::MAX;

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
    let (postings, docs) = rayon::join(
        || {
            let chunks =
                index_in_chunks(language, documents, chunk_size(documents.len()), cancelled)?;
            (!cancelled()).then(|| postings_files(&collect_postings(&chunks, documents.len())))
        },
        || (!cancelled()).then(|| document_files(documents)),
    );
    let (postings, docs) = (postings?, docs?);
    (!cancelled()).then(|| write_files(language, documents, labels, postings, docs))
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

/// The range of [`ChunkBuilder::char_ids`].
const CHAR_TABLE_FIRST: usize = 0x3400;
const CHAR_TABLE_LEN: usize = 0xA000 - 0x3400;

/// Indexes the documents in parallel chunks (see [`ChunkIndex`]); `None`
/// if `cancelled` said so on the way.
fn index_in_chunks(
    language: &str,
    documents: &[SearchDocument],
    size: usize,
    cancelled: Cancelled<'_>,
) -> Option<Vec<ChunkIndex>> {
    documents
        .par_chunks(size)
        .enumerate()
        .map(|(c, chunk)| {
            let mut builder = ChunkBuilder::new(language);
            for (i, doc) in chunk.iter().enumerate() {
                if i % 64 == 0 && cancelled() {
                    return None;
                }
                builder.add_doc((c * size + i) as u32, doc);
            }
            Some(builder.finish())
        })
        .collect()
}

/// One term in one document while indexing: its count in each field and
/// its first positions in the title and the body ([`NO_POS`] = none).
#[derive(Clone, Copy)]
struct Occurrence {
    doc: u32,
    tf: [u32; FIELD_COUNT],
    title_pos: u32,
    body_pos: u32,
}

impl Occurrence {
    fn new(doc: u32) -> Self {
        Occurrence {
            doc,
            tf: [0; FIELD_COUNT],
            title_pos: NO_POS,
            body_pos: NO_POS,
        }
    }
}

/// A term's occurrences in a run of documents, in document order, as
/// bytes (a third of the memory of [`Occurrence`]s). Per document:
/// `varint(doc − previous doc)` (the first: the doc itself), a byte with
/// bit `f` set when the term is in field `f`, `varint(count − 1)` for each
/// such field in field order, then the first position in the title and in
/// the body when the term is in those fields. Varints are LEB128.
#[derive(Default)]
struct Occurrences {
    bytes: Vec<u8>,
    last_doc: u32,
}

fn push_leb128(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn read_leb128(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u64;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 || shift >= 28 {
            break;
        }
        shift += 7;
    }
    value as u32
}

impl Occurrences {
    fn push(&mut self, o: &Occurrence) {
        let out = &mut self.bytes;
        push_leb128(out, o.doc - self.last_doc);
        self.last_doc = o.doc;
        let mut fields = 0u8;
        for (f, &tf) in o.tf.iter().enumerate() {
            fields |= u8::from(tf > 0) << f;
        }
        out.push(fields);
        for &tf in o.tf.iter().filter(|&&tf| tf > 0) {
            push_leb128(out, tf - 1);
        }
        if o.tf[TITLE] > 0 {
            push_leb128(out, o.title_pos);
        }
        if o.tf[BODY] > 0 {
            push_leb128(out, o.body_pos);
        }
    }

    /// Calls `f` with each occurrence, in document order.
    fn for_each(&self, mut f: impl FnMut(&Occurrence)) {
        let bytes = &self.bytes;
        let mut at = 0;
        let mut doc = 0;
        while at < bytes.len() {
            doc += read_leb128(bytes, &mut at);
            let mut o = Occurrence::new(doc);
            let fields = bytes.get(at).copied().unwrap_or(0);
            at += 1;
            for (i, tf) in o.tf.iter_mut().enumerate() {
                if fields & (1 << i) != 0 {
                    *tf = read_leb128(bytes, &mut at) + 1;
                }
            }
            if o.tf[TITLE] > 0 {
                o.title_pos = read_leb128(bytes, &mut at);
            }
            if o.tf[BODY] > 0 {
                o.body_pos = read_leb128(bytes, &mut at);
            }
            f(&o);
        }
    }
}

/// The postings of a run of consecutive documents: terms by local id,
/// each term's occurrences, and each document's field lengths (in terms,
/// after the pipeline).
struct ChunkIndex {
    terms: Vec<String>,
    occurrences: Vec<Occurrences>,
    lengths: Vec<[u32; FIELD_COUNT]>,
}

/// Accumulates a [`ChunkIndex`], one document at a time.
struct ChunkBuilder {
    language: PlanLanguage,
    pipeline: Pipeline,
    /// Term ids: terms of up to 8 bytes by their bytes as a number (see
    /// [`short_key`]), longer ones by their text.
    short_ids: HashMap<u64, u32, BuildFxHasher>,
    long_ids: HashMap<String, u32, BuildFxHasher>,
    /// One-character terms from U+3400 to U+9FFF: 1 + id, 0 = none yet.
    char_ids: Vec<u32>,
    terms: Vec<String>,
    occurrences: Vec<Occurrences>,
    /// By term id: 1 + the term's index in `current`, 0 = not in the
    /// current document.
    slot: Vec<u32>,
    current: Vec<(u32, Occurrence)>,
    lengths: Vec<[u32; FIELD_COUNT]>,
}

impl ChunkBuilder {
    fn new(language: &str) -> Self {
        let language = PlanLanguage::new(language);
        let pipeline = language.make_pipeline();
        ChunkBuilder {
            language,
            pipeline,
            short_ids: HashMap::default(),
            long_ids: HashMap::default(),
            char_ids: Vec::new(),
            terms: Vec::new(),
            occurrences: Vec::new(),
            slot: Vec::new(),
            current: Vec::new(),
            lengths: Vec::new(),
        }
    }

    fn new_term(&mut self, term: String) -> u32 {
        let id = self.terms.len() as u32;
        self.terms.push(term);
        self.occurrences.push(Occurrences::default());
        self.slot.push(0);
        id
    }

    fn id_of(&mut self, term: &str) -> u32 {
        if let Some(key) = short_key(term) {
            if let Some(&id) = self.short_ids.get(&key) {
                return id;
            }
            let id = self.new_term(term.to_string());
            self.short_ids.insert(key, id);
            id
        } else {
            if let Some(&id) = self.long_ids.get(term) {
                return id;
            }
            let id = self.new_term(term.to_string());
            self.long_ids.insert(term.to_string(), id);
            id
        }
    }

    /// The id of a one-character term.
    fn id_of_char(&mut self, c: char) -> u32 {
        // The common CJK blocks through a table in front of the hash.
        let i = (c as usize).wrapping_sub(CHAR_TABLE_FIRST);
        if i < CHAR_TABLE_LEN {
            if self.char_ids.is_empty() {
                self.char_ids = vec![0; CHAR_TABLE_LEN];
            }
            if self.char_ids[i] > 0 {
                return self.char_ids[i] - 1;
            }
        }
        let mut utf8 = [0u8; 8];
        c.encode_utf8(&mut utf8);
        let key = u64::from_le_bytes(utf8);
        let id = match self.short_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.new_term(c.to_string());
                self.short_ids.insert(key, id);
                id
            }
        };
        if i < CHAR_TABLE_LEN {
            self.char_ids[i] = id + 1;
        }
        id
    }

    /// The occurrence of term `id` in document `doc` (the current one).
    fn occurrence(&mut self, id: u32, doc: u32) -> &mut Occurrence {
        let slot = &mut self.slot[id as usize];
        if *slot == 0 {
            self.current.push((id, Occurrence::new(doc)));
            *slot = self.current.len() as u32;
        }
        let i = *slot as usize - 1;
        &mut self.current[i].1
    }

    /// Runs a field's text through the elasticlunr language (our
    /// tokenizer) and pipeline, as `Index::add_doc` would, and counts the
    /// terms. Returns the field length.
    fn add_field(&mut self, doc: u32, field: usize, text: &str) -> u32 {
        let terms = self.pipeline.run(self.language.tokenize(text));
        let len = terms.len() as u32;
        for (pos, term) in terms.iter().enumerate() {
            let id = self.id_of(term);
            let o = self.occurrence(id, doc);
            o.tf[field] += 1;
            let first = match field {
                TITLE => &mut o.title_pos,
                BODY => &mut o.body_pos,
                _ => continue,
            };
            if *first == NO_POS {
                *first = pos as u32;
            }
        }
        tokenize::recycle(terms);
        len
    }

    /// The `chars` field: every Han character of the title and the body,
    /// normalized as the tokenizer does (a one-character term each).
    fn add_chars(&mut self, doc: u32, texts: [&str; 2]) -> u32 {
        let mut len = 0;
        for text in texts {
            for c in tokenize::han_chars(text) {
                let id = self.id_of_char(c);
                self.occurrence(id, doc).tf[CHARS] += 1;
                len += 1;
            }
        }
        len
    }

    fn add_doc(&mut self, doc: u32, d: &SearchDocument) {
        let mut lengths = [0; FIELD_COUNT];
        lengths[TITLE] = self.add_field(doc, TITLE, &d.title);
        lengths[BODY] = self.add_field(doc, BODY, &d.body);
        lengths[TAGS] = self.add_field(doc, TAGS, &d.tags.join("\n"));
        lengths[TARGETS] = self.add_field(doc, TARGETS, &d.target_labels.join("\n"));
        lengths[CHARS] = self.add_chars(doc, [&d.title, &d.body]);
        // The number field's tokenizer gives the one term `#<number>`.
        let number = self.pipeline.run(vec![format!("#{}", d.number)]);
        lengths[NUMBER] = number.len() as u32;
        for term in &number {
            let id = self.id_of(term);
            self.occurrence(id, doc).tf[NUMBER] += 1;
        }
        for (id, o) in self.current.drain(..) {
            self.slot[id as usize] = 0;
            self.occurrences[id as usize].push(&o);
        }
        self.lengths.push(lengths);
    }

    fn finish(self) -> ChunkIndex {
        ChunkIndex {
            terms: self.terms,
            occurrences: self.occurrences,
            lengths: self.lengths,
        }
    }
}

/// A term of up to 8 bytes with no NUL byte as a number: its bytes,
/// little-endian, zero-padded (tokens never hold a NUL byte, but then the
/// term takes the long way).
#[inline]
fn short_key(term: &str) -> Option<u64> {
    let bytes = term.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 {
            return None;
        }
        key |= u64::from(b) << (8 * i);
    }
    Some(key)
}

/// A fast hash for the term tables (FxHash's step, with a folded
/// multiply to finish so that the low bits are mixed too). Their order is
/// never observed.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const FX_K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ rest.len() as u64);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let p = u128::from(self.0) * u128::from(FX_K);
        (p as u64) ^ ((p >> 64) as u64)
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_K);
    }
}

pub(crate) type BuildFxHasher = BuildHasherDefault<FxHasher>;

/// `k1` times BM25's length normalization, for a field of `len` terms
/// whose average length is `avg`.
fn bm25_k1_norm(len: u32, avg: f64) -> f64 {
    let norm = if avg > 0.0 {
        1.0 - BM25_B + BM25_B * f64::from(len) / avg
    } else {
        1.0
    };
    BM25_K1 * norm
}

/// The BM25 weight of `tf` occurrences in a field (see [`bm25_k1_norm`]).
fn bm25(tf: u32, k1_norm: f64) -> f64 {
    let tf = f64::from(tf);
    tf * (BM25_K1 + 1.0) / (tf + k1_norm)
}

/// Every term (sorted) with its encoded posting list (see [`shards`]).
fn collect_postings(chunks: &[ChunkIndex], doc_count: usize) -> Vec<(&str, String)> {
    let lengths = || chunks.iter().flat_map(|c| c.lengths.iter());
    let n = doc_count.max(1) as f64;
    let mut avg = [0.0; FIELD_COUNT];
    for (f, a) in avg.iter_mut().enumerate() {
        *a = lengths().map(|l| u64::from(l[f])).sum::<u64>() as f64 / n;
    }
    // By document: k1 times the length normalization of each field.
    let k1_norms: Vec<[f64; FIELD_COUNT]> = lengths()
        .map(|l| std::array::from_fn(|f| bm25_k1_norm(l[f], avg[f])))
        .collect();

    // Each term with its ids in the chunks that have it, in chunk order
    // (hence document order); terms sorted.
    let mut by_term: HashMap<&str, Vec<(u32, u32)>, BuildFxHasher> = HashMap::default();
    for (c, chunk) in chunks.iter().enumerate() {
        for (id, term) in chunk.terms.iter().enumerate() {
            by_term
                .entry(term.as_str())
                .or_default()
                .push((c as u32, id as u32));
        }
    }
    let mut groups: Vec<(&str, Vec<(u32, u32)>)> = by_term.into_iter().collect();
    groups.par_sort_unstable_by(|a, b| a.0.cmp(b.0));

    groups
        .par_iter()
        .map_with(Vec::new(), |list: &mut Vec<Posting>, (term, ids)| {
            list.clear();
            for &(c, id) in ids {
                chunks[c as usize].occurrences[id as usize].for_each(|o| {
                    let k1_norm = &k1_norms[o.doc as usize];
                    // Summed in field order, as elasticlunr's fields are.
                    let mut weight = 0.0;
                    for (f, (_, boost)) in FIELDS.iter().enumerate() {
                        if o.tf[f] > 0 {
                            weight += boost * bm25(o.tf[f], k1_norm[f]);
                        }
                    }
                    let pos = |p: u32| (p != NO_POS).then_some(p);
                    list.push(Posting {
                        doc: o.doc,
                        weight: ((weight * 10.0).round() as u32).max(1),
                        title_pos: pos(o.title_pos),
                        body_pos: pos(o.body_pos),
                    });
                });
            }
            let encoded = if shards::is_frequent(list.len(), doc_count) {
                shards::encode_compact(list)
            } else {
                shards::encode_postings(list)
            };
            (*term, encoded)
        })
        .collect()
}

fn to_json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The beginning of a body with its white space collapsed, at most
/// [`EXCERPT_WIDTH`] wide.
fn excerpt(body: &str) -> String {
    // The collapsed text (`split_whitespace` words joined by single
    // spaces), as far as the first character past the width, `end`.
    let mut chars: Vec<char> = Vec::with_capacity(EXCERPT_WIDTH + 1);
    let mut width = 0;
    let mut end = None;
    let mut space = false;
    for c in body.chars() {
        if c.is_whitespace() {
            space = !chars.is_empty();
            continue;
        }
        for c in space.then_some(' ').into_iter().chain([c]) {
            chars.push(c);
            width += if (c as u32) >= 0x2E80 { 2 } else { 1 };
            if width > EXCERPT_WIDTH {
                end = Some(chars.len() - 1);
                break;
            }
        }
        space = false;
        if end.is_some() {
            break;
        }
    }
    let Some(mut end) = end else {
        return chars.into_iter().collect();
    };
    // Do not cut a word in two: back up to a space when one is near.
    if chars[end].is_alphanumeric()
        && !tokenize::is_han(chars[end])
        && let Some(space) = (end.saturating_sub(30)..end)
            .rev()
            .find(|&i| chars[i] == ' ')
    {
        end = space;
    }
    let mut out: String = chars[..end].iter().collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

fn is_vocab_term(term: &str) -> bool {
    term.len() >= MIN_VOCAB_LEN && term.bytes().all(|b| b.is_ascii_lowercase())
}

/// Appends `s` as a JSON string, escaped as serde_json does.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b != 0x7f)
    {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(&to_json_bytes(&Value::String(s.to_string())));
    }
}

/// The files made from the postings: the shards and the vocabulary.
struct PostingsFiles {
    files: Vec<(String, Vec<u8>)>,
    shard_count: u32,
    /// The first letters of the vocabulary files.
    vocab: String,
}

fn postings_files(postings: &[(&str, String)]) -> PostingsFiles {
    // Postings, sharded by term hash: `{term: list}` objects, terms sorted.
    let total: usize = postings.iter().map(|(t, e)| t.len() + e.len() + 6).sum();
    let shard_count = total.div_ceil(TARGET_SHARD_BYTES).clamp(1, MAX_SHARDS) as u32;
    let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); shard_count as usize];
    for (i, (term, _)) in postings.iter().enumerate() {
        by_shard[shards::shard_of(term, shard_count) as usize].push(i);
    }
    let mut files: Vec<(String, Vec<u8>)> = by_shard
        .par_iter()
        .enumerate()
        .map(|(s, terms)| {
            let size: usize = terms
                .iter()
                .map(|&i| postings[i].0.len() + postings[i].1.len() + 6)
                .sum();
            let mut out = Vec::with_capacity(size + 2);
            out.push(b'{');
            for (k, &i) in terms.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                push_json_string(&mut out, postings[i].0);
                out.push(b':');
                push_json_string(&mut out, &postings[i].1);
            }
            out.push(b'}');
            (format!("index/shards/{s}.json"), out)
        })
        .collect();

    // Vocabulary of Latin terms, by first letter.
    let mut vocab: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    for term in postings
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| is_vocab_term(t))
    {
        if let Some(first) = term.chars().next() {
            vocab.entry(first).or_default().push(term);
        }
    }
    for (letter, terms) in &vocab {
        files.push((
            format!("index/vocab/{letter}.json"),
            to_json_bytes(&json!(terms)),
        ));
    }
    PostingsFiles {
        files,
        shard_count,
        vocab: vocab.keys().collect(),
    }
}

/// The document metadata files (`docs/<i>.json`), by name, and the content
/// hash state after them: their names sort before all the other files'.
fn document_files(documents: &[SearchDocument]) -> (BTreeMap<String, Vec<u8>>, u64) {
    let files: BTreeMap<String, Vec<u8>> = documents
        .par_chunks(DOCS_PER_BUCKET)
        .enumerate()
        .map(|(b, chunk)| {
            // [number, url, title, status, section, excerpt] per document,
            // and the language of title and excerpt when it is not the
            // index's (see `SearchDocument::lang`).
            let rows: Vec<Value> = chunk
                .iter()
                .map(|d| {
                    let mut row = json!([
                        d.number,
                        d.url,
                        d.title,
                        d.status.as_deref().unwrap_or_default(),
                        d.section_number,
                        excerpt(&d.body),
                    ]);
                    if let (Some(lang), Value::Array(a)) = (&d.lang, &mut row) {
                        a.push(Value::String(lang.clone()));
                    }
                    row
                })
                .collect();
            (
                format!("index/docs/{b}.json"),
                serde_json::to_vec(&rows).unwrap_or_default(),
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let mut hash = shards::FNV64_OFFSET;
    for (name, bytes) in &files {
        hash_file(&mut hash, name, bytes);
    }
    (files, hash)
}

/// Adds a file to the content hash (FNV-1a over name, 0, bytes, for the
/// files in name order).
fn hash_file(hash: &mut u64, name: &str, bytes: &[u8]) {
    shards::fnv1a64(hash, name.as_bytes());
    shards::fnv1a64(hash, &[0]);
    shards::fnv1a64(hash, bytes);
}

fn write_files(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
    postings: PostingsFiles,
    (doc_files, docs_hash): (BTreeMap<String, Vec<u8>>, u64),
) -> Vec<(String, Vec<u8>)> {
    let shard_count = postings.shard_count;
    let mut files: BTreeMap<String, Vec<u8>> = postings.files.into_iter().collect();

    // Statuses, one character per document: '-' = none, else the index of
    // the key in `statusKeys` (base 36).
    let status_keys: Vec<String> = documents
        .iter()
        .filter_map(|d| d.status.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let status_string: String = documents
        .iter()
        .map(|d| match &d.status {
            Some(s) => {
                let i = status_keys.iter().position(|k| k == s).unwrap_or(0);
                char::from_digit((i % 36) as u32, 36).unwrap_or('0')
            }
            None => '-',
        })
        .collect();
    files.insert(
        "index/status.json".into(),
        to_json_bytes(&json!({ "s": status_string })),
    );

    // The conversion table, in buckets by the traditional character's code
    // point, so that a query fetches only the buckets of its characters.
    let mut t2s_buckets: Vec<String> = vec![String::new(); T2S_BUCKETS as usize];
    for (t, s) in tokenize::parse_t2s(tokenize::T2S_TABLE) {
        let bucket = &mut t2s_buckets[(t as u32 % T2S_BUCKETS) as usize];
        bucket.push(t);
        bucket.push(s);
    }
    for (i, pairs) in t2s_buckets.iter().enumerate() {
        files.insert(format!("index/t2s/{i}.json"), to_json_bytes(&json!(pairs)));
    }

    // Section runs: [first document, count, section number].
    let mut sections: Vec<[u32; 3]> = Vec::new();
    for (i, d) in documents.iter().enumerate() {
        match sections.last_mut() {
            Some(run) if run[2] == d.section_number && run[0] + run[1] == i as u32 => run[1] += 1,
            _ => sections.push([i as u32, 1, d.section_number]),
        }
    }

    // Relative path from the index folder to the site root: `index/` is in
    // `search/`, itself in the language folder (`en/`) unless the URLs have
    // no language prefix.
    let prefix = format!("{language}/");
    let in_language_folder =
        !documents.is_empty() && documents.iter().all(|d| d.url.starts_with(&prefix));
    let root = if in_language_folder {
        "../../../"
    } else {
        "../../"
    };

    // The document files come first in name order: the hash goes on
    // from theirs.
    debug_assert!(
        files
            .keys()
            .next()
            .is_none_or(|first| doc_files.keys().all(|d| d < first))
    );
    let mut hash = docs_hash;
    for (name, bytes) in &files {
        hash_file(&mut hash, name, bytes);
    }
    files.extend(doc_files);
    let manifest = json!({
        "format": "planpub-search",
        "version": FORMAT_VERSION,
        "lang": language,
        "docs": documents.len(),
        "shards": shard_count,
        "bucket": DOCS_PER_BUCKET,
        "hash": format!("{hash:016x}"),
        "root": root,
        "sections": sections,
        "statusKeys": status_keys,
        "labels": { "statuses": labels.statuses },
        "vocab": postings.vocab,
        "t2s": T2S_BUCKETS,
    });
    files.insert("index/manifest.json".into(), to_json_bytes(&manifest));

    files.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(number: u32, title: &str, body: &str, status: Option<&str>) -> SearchDocument {
        SearchDocument {
            number,
            url: format!("2023/{number}/"),
            title: title.into(),
            body: body.into(),
            tags: vec!["双减".into()],
            target_labels: vec!["新建幼儿园".into()],
            section_number: 1 + number / 3,
            section_title: "一".into(),
            status: status.map(String::from),
            lang: None,
        }
    }

    fn file(files: &[(String, Vec<u8>)], name: &str) -> Value {
        let bytes = &files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name}"))
            .1;
        serde_json::from_slice(bytes).unwrap()
    }

    fn postings(files: &[(String, Vec<u8>)], term: &str) -> Vec<Posting> {
        let manifest = file(files, "index/manifest.json");
        let shards = manifest["shards"].as_u64().unwrap() as u32;
        let shard = file(
            files,
            &format!("index/shards/{}.json", shards::shard_of(term, shards)),
        );
        shard
            .get(term)
            .and_then(Value::as_str)
            .map(shards::decode_postings)
            .unwrap_or_default()
    }

    #[test]
    fn index_contents() {
        let docs = vec![
            doc(
                1,
                "推进学前教育普及普惠",
                "新建幼儿园16所,寄宿制学校4,500人。",
                Some("in-progress"),
            ),
            doc(2, "落实双减政策", "课后服务全覆盖。", None),
            doc(
                16,
                "Kindergartens for all",
                "Build 16 public kindergartens.",
                Some("completed"),
            ),
        ];
        let mut labels = SearchUiLabels::default();
        labels.statuses.insert("none".into(), "暂无".into());
        let files = build_search_index("zh", &docs, &labels);
        let manifest = file(&files, "index/manifest.json");
        assert_eq!(manifest["docs"], 3);
        assert_eq!(manifest["version"], FORMAT_VERSION);
        assert_eq!(manifest["root"], "../../");
        assert_eq!(manifest["labels"]["statuses"]["none"], "暂无");
        assert_eq!(manifest["sections"], json!([[0, 2, 1], [2, 1, 6]]));

        let p = postings(&files, "寄宿");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].doc, 0);
        assert_eq!(p[0].title_pos, None);
        assert!(p[0].body_pos.is_some());
        assert_eq!(postings(&files, "4500")[0].doc, 0);
        let num: Vec<u32> = postings(&files, "16").iter().map(|p| p.doc).collect();
        assert_eq!(num, vec![0, 2]);
        assert_eq!(
            postings(&files, "#16")
                .iter()
                .map(|p| p.doc)
                .collect::<Vec<_>>(),
            vec![2]
        );
        let kg = postings(&files, "kindergarten");
        assert_eq!(kg.len(), 1);
        assert_eq!(kg[0].title_pos, Some(0));
        // Title matches weigh more than body matches.
        let school = postings(&files, "学前");
        assert_eq!(school[0].title_pos, Some(2));
        // One-character terms come from the chars field.
        assert!(postings(&files, "园").iter().any(|p| p.doc == 0));
        // Tags are indexed.
        assert_eq!(postings(&files, "双减").len(), 3);
        assert!(postings(&files, "寄宿制").is_empty());

        let vocab = file(&files, "index/vocab/k.json");
        assert_eq!(vocab, json!(["kindergarten"]));
        let status = file(&files, "index/status.json");
        assert_eq!(manifest["statusKeys"], json!(["completed", "in-progress"]));
        assert_eq!(status["s"], "1-0");
        let bucket = file(&files, "index/docs/0.json");
        assert_eq!(bucket[0][1], "2023/1/");
        assert_eq!(bucket[1][3], "");

        // Deterministic.
        assert_eq!(files, build_search_index("zh", &docs, &labels));
    }

    /// Documents that exercise every path of the postings: repeated
    /// terms, one-character Han runs (terms of both the text fields and
    /// `chars`), traditional characters, tags and targets, numbers,
    /// English words and stop words, counts and positions too large for a
    /// packed occurrence, long terms, an empty document.
    fn varied_documents() -> Vec<SearchDocument> {
        let mut docs = Vec::new();
        let zh = [
            "推进学前教育普及普惠",
            "新建幼儿园16所,寄宿制学校4,500人。园、校、所",
            "落实雙減政策，课后服务全覆盖。",
            "The rule of law: Kindergartens, kindergarten's boarding schools",
            "教育教育教育，园园园",
            "",
        ];
        for i in 0..150u32 {
            let title = zh[(i as usize * 7) % zh.len()].to_string();
            let mut body = String::new();
            for k in 0..(i % 9) {
                body.push_str(zh[((i + k) as usize * 5) % zh.len()]);
                body.push(if k % 2 == 0 { '\n' } else { ' ' });
            }
            let mut d = doc(i + 1, &title, &body, None);
            d.tags = (0..i % 3)
                .map(|t| ["双减", "学前教育", "Rural schools"][t as usize].to_string())
                .collect();
            d.target_labels = if i % 4 == 0 {
                vec!["新建幼儿园".into(), "4,500 places".into()]
            } else {
                vec![]
            };
            docs.push(d);
        }
        // Past the bit fields of a packed occurrence.
        docs[3].body = "教育 ".repeat(1100) + &"园。".repeat(1100);
        docs[4].title = "school ".repeat(300) + "kindergarten";
        docs[5].body = "lorem ".repeat(70_000) + "ipsum";
        docs[6].title = "superlongwordthatkeepsgoingandgoingbeyondthelimit 园".into();
        docs[7].tags = vec!["双减".into(); 20];
        docs
    }

    #[test]
    fn postings_equal_elasticlunrs_index() {
        for language in ["zh", "en"] {
            for docs in [varied_documents(), vec![], varied_documents()[..3].to_vec()] {
                let chunks =
                    index_in_chunks(language, &docs, chunk_size(docs.len()), &|| false).unwrap();
                let ours: Vec<(String, String)> = collect_postings(&chunks, docs.len())
                    .into_iter()
                    .map(|(t, e)| (t.to_string(), e))
                    .collect();
                let theirs = reference::encoded_postings(language, &docs);
                assert_eq!(ours.len(), theirs.len());
                for (a, b) in ours.iter().zip(&theirs) {
                    assert_eq!(a, b);
                }
            }
        }
    }

    #[test]
    fn same_postings_whatever_the_chunks() {
        let docs = varied_documents();
        let postings = |size: usize| {
            let chunks = index_in_chunks("zh", &docs, size, &|| false).unwrap();
            assert_eq!(chunks.len(), docs.len().div_ceil(size));
            collect_postings(&chunks, docs.len())
                .into_iter()
                .map(|(t, e)| (t.to_string(), e))
                .collect::<Vec<_>>()
        };
        let whole = postings(docs.len());
        for size in [1, 2, 7, 64, 149] {
            assert_eq!(postings(size), whole, "chunks of {size}");
        }
    }

    #[test]
    fn same_bytes_whatever_the_threads() {
        let docs = varied_documents();
        let labels = SearchUiLabels::default();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| build_search_index("zh", &docs, &labels))
        };
        let one = run(1);
        assert_eq!(one, run(3));
        assert_eq!(one, run(8));
        assert_eq!(one, build_search_index("zh", &docs, &labels));
        let en: Vec<SearchDocument> = docs.iter().rev().cloned().collect();
        let both = build_search_indexes(&[("zh", &docs, &labels), ("en", &en, &labels)], &|| false);
        assert_eq!(
            both,
            Some(vec![one, build_search_index("en", &en, &labels)])
        );
    }

    #[test]
    fn a_cancelled_build_stops_early_and_gives_nothing() {
        let docs: Vec<SearchDocument> = (0..20).flat_map(|_| varied_documents()).collect();
        let labels = SearchUiLabels::default();
        let asked = std::sync::atomic::AtomicUsize::new(0);
        // Cancelled at the third question: indexing the chunks stops.
        let third = || asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2;
        assert_eq!(
            build_search_indexes(&[("zh", &docs, &labels)], &third),
            None
        );
        let asked_then = asked.load(std::sync::atomic::Ordering::SeqCst);
        assert!(asked_then < docs.len() / 64 + 4, "asked {asked_then} times");
        assert_eq!(
            build_search_indexes(&[("zh", &docs, &labels)], &|| true),
            None
        );
    }

    #[test]
    fn occurrences_round_trip() {
        let mut cases = vec![Occurrence::new(0), Occurrence::new(7)];
        let mut o = Occurrence::new(9);
        o.tf = [63, 1023, 15, 15, 1023, 3];
        o.title_pos = 254;
        o.body_pos = 65_534;
        cases.push(o);
        let mut o = Occurrence::new(10);
        o.tf = [1, u32::MAX, 0, 200, 0, 1];
        o.title_pos = 0;
        o.body_pos = u32::MAX - 1;
        cases.push(o);
        let mut o = Occurrence::new(u32::MAX);
        o.tf[CHARS] = 2;
        cases.push(o);
        let mut stream = Occurrences::default();
        for o in &cases {
            stream.push(o);
        }
        let mut back = Vec::new();
        stream.for_each(|o| back.push((o.doc, o.tf, o.title_pos, o.body_pos)));
        let expected: Vec<_> = cases
            .iter()
            .map(|o| (o.doc, o.tf, o.title_pos, o.body_pos))
            .collect();
        assert_eq!(back, expected);
    }

    /// The excerpt as first written: collapse all white space, then cut.
    fn excerpt_reference(body: &str) -> String {
        let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars: Vec<char> = collapsed.chars().collect();
        let mut width = 0;
        let mut end = chars.len();
        for (i, &c) in chars.iter().enumerate() {
            width += if (c as u32) >= 0x2E80 { 2 } else { 1 };
            if width > EXCERPT_WIDTH {
                end = i;
                break;
            }
        }
        if end == chars.len() {
            return collapsed;
        }
        if chars[end].is_alphanumeric()
            && !tokenize::is_han(chars[end])
            && let Some(space) = (end.saturating_sub(30)..end)
                .rev()
                .find(|&i| chars[i] == ' ')
        {
            end = space;
        }
        let mut out: String = chars[..end].iter().collect();
        out.truncate(out.trim_end().len());
        out.push('…');
        out
    }

    #[test]
    fn excerpts_equal_the_reference() {
        let mut bodies: Vec<String> = varied_documents().into_iter().map(|d| d.body).collect();
        for n in [0, 1, 159, 160, 161, 318, 319, 320, 321, 322] {
            bodies.push("a".repeat(n));
            bodies.push("教".repeat(n / 2) + &" x".repeat(n % 7));
            bodies.push(format!("  \t{} \u{3000}\n word", "ab ".repeat(n / 3)));
            bodies.push("word ".repeat(n / 5) + "\u{2003}" + &"长".repeat(n % 11) + "   ");
        }
        for body in &bodies {
            assert_eq!(excerpt(body), excerpt_reference(body), "{body:?}");
        }
    }

    #[test]
    fn excerpts_are_bounded_and_keep_words_whole() {
        let zh = "教".repeat(400);
        assert_eq!(excerpt(&zh).chars().count(), EXCERPT_WIDTH / 2 + 1);
        let en = "kindergartens and schools ".repeat(40);
        let e = excerpt(&en);
        assert!(
            e.len() <= EXCERPT_WIDTH + 3 && e.len() > EXCERPT_WIDTH - 30,
            "{e}"
        );
        assert!(
            e.ends_with("kindergartens…") || e.ends_with("and…") || e.ends_with("schools…"),
            "{e}"
        );
        assert_eq!(excerpt("short\n text"), "short text");
    }

    #[test]
    fn english_root_and_empty_input() {
        let mut d = doc(1, "Boarding schools", "Rural boarding schools.", None);
        d.url = "en/2023/1/".into();
        let files = build_search_index("en", &[d], &SearchUiLabels::default());
        assert_eq!(file(&files, "index/manifest.json")["root"], "../../../");
        let empty = build_search_index("en", &[], &SearchUiLabels::default());
        assert_eq!(file(&empty, "index/manifest.json")["docs"], 0);
        assert!(empty.iter().any(|(n, _)| n == "index/shards/0.json"));
    }
}
