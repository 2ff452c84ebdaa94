//! The files of one language's index: shards, vocabulary, documents,
//! statuses, the conversion table and the manifest.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::{Value, json};

use super::{
    DOCS_PER_BUCKET, EXCERPT_WIDTH, FORMAT_VERSION, MAX_SHARDS, MIN_VOCAB_LEN, SearchDocument,
    SearchUiLabels, T2S_BUCKETS, TARGET_SHARD_BYTES, shards, tokenize,
};

fn to_json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The beginning of a body with its white space collapsed, at most
/// [`EXCERPT_WIDTH`] wide.
pub(super) fn excerpt(body: &str) -> String {
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
pub(super) struct PostingsFiles {
    files: Vec<(String, Vec<u8>)>,
    shard_count: u32,
    /// The first letters of the vocabulary files.
    vocab: String,
}

pub(super) fn postings_files(postings: &[(&str, String)]) -> PostingsFiles {
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
pub(super) fn document_files(documents: &[SearchDocument]) -> (BTreeMap<String, Vec<u8>>, u64) {
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

pub(super) fn write_files(
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
    use crate::index::tests::varied_documents;

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
}
