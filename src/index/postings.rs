//! The postings: each term's list of documents with its BM25 weight
//! (summed over the fields with their boosts) and first positions, merged
//! from the chunks and encoded (see [`shards`]).

use std::collections::HashMap;

use rayon::prelude::*;

use super::chunk::ChunkIndex;
use super::shards::{self, Posting};
use super::variants;
use super::{BM25_B, BM25_K1, BuildFxHasher, FIELD_COUNT, FIELDS, NO_POS};

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

/// One term's entry in the index.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TermPostings<'a> {
    pub(super) term: &'a str,
    /// The encoded posting list (see [`shards`]).
    pub(super) postings: String,
    /// The light forms of the words behind the term and the postings of
    /// each, when they are not just the term itself (see [`variants`]).
    pub(super) variants: Option<String>,
}

/// Every term (sorted) with its encoded posting list and variants.
pub(super) fn collect_postings(chunks: &[ChunkIndex], doc_count: usize) -> Vec<TermPostings<'_>> {
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
            let postings = if shards::is_frequent(list.len(), doc_count) {
                shards::encode_compact(list)
            } else {
                shards::encode_postings(list)
            };
            let docs = list.iter().map(|p| p.doc);
            let forms = ids
                .iter()
                .flat_map(|&(c, id)| chunks[c as usize].variants_of(id));
            TermPostings {
                term,
                postings,
                variants: variants::encode(term, docs, forms),
            }
        })
        .collect()
}
