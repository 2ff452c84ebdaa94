//! The files of one language's index: the shards and the vocabulary made
//! from the postings, the statuses and sections for the filters, the
//! conversion table, and the manifest that describes them all.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::{Value, json};

use super::docs::DocumentFiles;
use super::postings::TermPostings;
use super::{
    FORMAT_VERSION, MAX_SHARDS, MIN_VOCAB_LEN, RESULTS_PAGE, SCORING, SNIPPET_WIDTH,
    SearchDocument, SearchUiLabels, T2S_BUCKETS, TARGET_SHARD_BYTES, shards, tokenize,
};

pub(super) fn to_json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
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
pub(super) struct PostingsFiles {
    files: Vec<(String, Vec<u8>)>,
    shard_count: u32,
    /// The first letters of the vocabulary files.
    vocab: String,
}

/// The bytes of a term's entries in its shard.
fn entry_size(p: &TermPostings<'_>) -> usize {
    let variants = p
        .variants
        .as_ref()
        .map_or(0, |v| p.term.len() + v.len() + 8);
    p.term.len() + p.postings.len() + 6 + variants
}

/// Appends a term's entries to its shard: `"term":"postings"`, then
/// `"=term":"variants"` when it has some (see [`super::variants`]).
fn push_entries(out: &mut Vec<u8>, p: &TermPostings<'_>) {
    push_json_string(out, p.term);
    out.push(b':');
    push_json_string(out, &p.postings);
    if let Some(variants) = &p.variants {
        out.push(b',');
        push_json_string(out, &format!("={}", p.term));
        out.push(b':');
        push_json_string(out, variants);
    }
}

pub(super) fn postings_files(postings: &[TermPostings<'_>]) -> PostingsFiles {
    // Postings, sharded by term hash: `{term: list}` objects, terms sorted.
    let total: usize = postings.iter().map(entry_size).sum();
    let shard_count = total.div_ceil(TARGET_SHARD_BYTES).clamp(1, MAX_SHARDS) as u32;
    let mut by_shard: Vec<Vec<usize>> = vec![Vec::new(); shard_count as usize];
    for (i, p) in postings.iter().enumerate() {
        by_shard[shards::shard_of(p.term, shard_count) as usize].push(i);
    }
    let mut files: Vec<(String, Vec<u8>)> = by_shard
        .par_iter()
        .enumerate()
        .map(|(s, terms)| {
            let size: usize = terms.iter().map(|&i| entry_size(&postings[i])).sum();
            let mut out = Vec::with_capacity(size + 2);
            out.push(b'{');
            for (k, &i) in terms.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                push_entries(&mut out, &postings[i]);
            }
            out.push(b'}');
            (format!("index/shards/{s}.json"), out)
        })
        .collect();

    // Vocabulary of Latin terms, by first letter.
    let mut vocab: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    for term in postings.iter().map(|p| p.term).filter(|t| is_vocab_term(t)) {
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

/// The status keys of the documents, sorted: what a document's status
/// number refers to.
pub(super) fn status_keys(documents: &[SearchDocument]) -> Vec<String> {
    documents
        .iter()
        .filter_map(|d| d.status.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// `status.json`: one character per document, `-` for none, else the
/// index of its key in `status_keys` (base 36).
fn status_file(documents: &[SearchDocument], status_keys: &[String]) -> Vec<u8> {
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
    to_json_bytes(&json!({ "s": status_string }))
}

/// `sections.json`: runs of documents of one section, `[first document,
/// count, section number]`.
fn sections_file(documents: &[SearchDocument]) -> Vec<u8> {
    let mut sections: Vec<[u32; 3]> = Vec::new();
    for (i, d) in documents.iter().enumerate() {
        match sections.last_mut() {
            Some(run) if run[2] == d.section_number && run[0] + run[1] == i as u32 => run[1] += 1,
            _ => sections.push([i as u32, 1, d.section_number]),
        }
    }
    to_json_bytes(&json!({ "r": sections }))
}

/// The conversion table, in buckets by the traditional character's code
/// point, so that a query fetches only the buckets of its characters.
fn t2s_files() -> Vec<(String, Vec<u8>)> {
    let mut buckets: Vec<String> = vec![String::new(); T2S_BUCKETS as usize];
    for (t, s) in tokenize::parse_t2s(tokenize::T2S_TABLE) {
        let bucket = &mut buckets[(t as u32 % T2S_BUCKETS) as usize];
        bucket.push(t);
        bucket.push(s);
    }
    buckets
        .iter()
        .enumerate()
        .map(|(i, pairs)| (format!("index/t2s/{i}.json"), to_json_bytes(&json!(pairs))))
        .collect()
}

/// Relative path from the index folder to the site root: `index/` is in
/// `search/`, itself in the language folder (`en/`) unless the URLs have
/// no language prefix.
fn relative_root(language: &str, documents: &[SearchDocument]) -> &'static str {
    let prefix = format!("{language}/");
    let in_language_folder =
        !documents.is_empty() && documents.iter().all(|d| d.url.starts_with(&prefix));
    if in_language_folder {
        "../../../"
    } else {
        "../../"
    }
}

/// How the text was analyzed, for the browser to analyze a query the same
/// way (see [`tokenize`]).
fn analyzer() -> Value {
    json!({
        "han": "bigrams",
        "t2s": T2S_BUCKETS,
        "stopWords": tokenize::STOP_WORDS,
        "stemmer": "porter",
        "light": "plurals",
    })
}

/// Adds a file to the content hash (FNV-1a over name, 0, bytes, for the
/// files in name order).
pub(super) fn hash_file(hash: &mut u64, name: &str, bytes: &[u8]) {
    shards::fnv1a64(hash, name.as_bytes());
    shards::fnv1a64(hash, &[0]);
    shards::fnv1a64(hash, bytes);
}

/// Every file of one language's index, sorted by path, the manifest last
/// made (it names the hash of all the others).
pub(super) fn write_files(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
    postings: PostingsFiles,
    docs: DocumentFiles,
) -> Vec<(String, Vec<u8>)> {
    let status_keys = status_keys(documents);
    let mut files: BTreeMap<String, Vec<u8>> = postings.files.into_iter().collect();
    files.insert(
        "index/status.json".into(),
        status_file(documents, &status_keys),
    );
    files.insert("index/sections.json".into(), sections_file(documents));
    files.extend(t2s_files());

    // The document files come first in name order: the hash goes on from
    // theirs (computed alongside the postings).
    debug_assert!(
        files
            .keys()
            .next()
            .is_none_or(|first| docs.files.keys().all(|d| d < first))
    );
    let mut hash = docs.hash;
    for (name, bytes) in &files {
        hash_file(&mut hash, name, bytes);
    }
    files.extend(docs.files);
    let manifest = json!({
        "format": "planpub-search",
        "version": FORMAT_VERSION,
        "lang": language,
        "docs": documents.len(),
        "shards": postings.shard_count,
        "bucket": docs.bucket,
        "page": RESULTS_PAGE,
        "snippet": SNIPPET_WIDTH,
        "hash": format!("{hash:016x}"),
        "root": relative_root(language, documents),
        "statusKeys": status_keys,
        "labels": { "statuses": labels.statuses },
        "vocab": postings.vocab,
        "analyzer": analyzer(),
        "scoring": SCORING.iter().map(|&(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    files.insert("index/manifest.json".into(), to_json_bytes(&manifest));

    files.into_iter().collect()
}
