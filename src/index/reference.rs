//! The reference for the postings (tests only): the documents indexed by
//! elasticlunr-rs's own [`Index`], as this module did before building its
//! own postings (see the parent module's documentation). The index is read
//! back through its JSON serialization, the only way its inverted index
//! can be read from outside the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use elasticlunr::{IndexBuilder, Language};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::shards::{self, Posting};
use super::{BM25_B, BM25_K1, FIELDS, PlanLanguage, SearchDocument, tokenize};

/// Every term (sorted) with its encoded posting list, computed by
/// elasticlunr's `Index` with one field per entry of [`FIELDS`] (`chars`
/// with a tokenizer giving every Han character, `number` one giving
/// `#<number>`).
pub fn encoded_postings(language: &str, documents: &[SearchDocument]) -> Vec<(String, String)> {
    let dump = elasticlunr_dump(language, documents);
    let mut combined = weights(&dump, documents.len());
    add_first_positions(&mut combined, language, documents);
    combined
        .into_iter()
        .map(|(term, docs)| {
            let list: Vec<Posting> = docs
                .into_iter()
                .map(|(doc, (w, title_pos, body_pos))| Posting {
                    doc,
                    weight: ((w * 10.0).round() as u32).max(1),
                    title_pos,
                    body_pos,
                })
                .collect();
            let e = if shards::is_frequent(list.len(), documents.len()) {
                shards::encode_compact(&list)
            } else {
                shards::encode_postings(&list)
            };
            (term, e)
        })
        .collect()
}

/// The documents indexed by elasticlunr's `Index`, read back from JSON.
fn elasticlunr_dump(language: &str, documents: &[SearchDocument]) -> IndexDump {
    let language_box: Box<dyn Language> = Box::new(PlanLanguage::new(language));
    let mut builder = IndexBuilder::with_language(language_box).save_docs(false);
    for (name, _) in FIELDS {
        builder = match *name {
            "chars" => builder.add_field_with_tokenizer(
                name,
                Box::new(|s: &str| {
                    tokenize::normalize(s)
                        .chars()
                        .filter(|&c| tokenize::is_han(c))
                        .map(|c| c.to_string())
                        .collect()
                }),
            ),
            "number" => builder
                .add_field_with_tokenizer(name, Box::new(|s: &str| vec![format!("#{}", s.trim())])),
            _ => builder.add_field(name),
        };
    }
    let mut index = builder.build();
    for (i, doc) in documents.iter().enumerate() {
        let chars_text = format!("{}\n{}", doc.title, doc.body);
        index.add_doc(
            &i.to_string(),
            [
                doc.title.as_str(),
                doc.body.as_str(),
                &doc.tags.join("\n"),
                &doc.target_labels.join("\n"),
                &chars_text,
                &doc.number.to_string(),
            ],
        );
    }
    serde_json::from_str(&index.to_json()).expect("elasticlunr JSON")
}

/// Term → document → BM25 weight summed over the fields with their
/// boosts, from elasticlunr's term counts and field lengths.
fn weights(dump: &IndexDump, doc_count: usize) -> BTreeMap<String, BTreeMap<u32, DocWeight>> {
    let n = doc_count.max(1) as f64;
    let mut combined: BTreeMap<String, BTreeMap<u32, DocWeight>> = BTreeMap::new();
    for (field, boost) in FIELDS {
        let Some(trie) = dump.index.get(*field) else {
            continue;
        };
        let lengths: Vec<f64> = (0..doc_count)
            .map(|d| {
                dump.document_store
                    .doc_info
                    .get(&d.to_string())
                    .and_then(|info| info.get(*field))
                    .copied()
                    .unwrap_or(0) as f64
            })
            .collect();
        let avg = lengths.iter().sum::<f64>() / n;
        let mut terms = Vec::new();
        walk_trie(&trie.root, &mut String::new(), &mut terms);
        for (term, docs) in terms {
            let entry = combined.entry(term).or_default();
            for (doc, sqrt_tf) in docs {
                // elasticlunr stores sqrt(term count).
                let tf = (sqrt_tf * sqrt_tf).round().max(1.0);
                let len = lengths[doc as usize];
                let norm = if avg > 0.0 {
                    1.0 - BM25_B + BM25_B * len / avg
                } else {
                    1.0
                };
                let w = tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm);
                entry.entry(doc).or_default().0 += boost * w;
            }
        }
    }
    combined
}

/// First positions in the title and the body, by the same analysis.
fn add_first_positions(
    combined: &mut BTreeMap<String, BTreeMap<u32, DocWeight>>,
    language: &str,
    documents: &[SearchDocument],
) {
    let lang = PlanLanguage::new(language);
    let pipeline = lang.make_pipeline();
    for (i, doc) in documents.iter().enumerate() {
        let i = i as u32;
        for (field, text) in [(0, &doc.title), (1, &doc.body)] {
            let mut seen = BTreeSet::new();
            for (pos, term) in pipeline.run(lang.tokenize(text)).into_iter().enumerate() {
                if !seen.insert(term.clone()) {
                    continue;
                }
                if let Some(p) = combined.get_mut(&term).and_then(|docs| docs.get_mut(&i)) {
                    if field == 0 {
                        p.1 = Some(pos as u32);
                    } else {
                        p.2 = Some(pos as u32);
                    }
                }
            }
        }
    }
}

/// A term's weight in one document, and its first title and body
/// positions.
type DocWeight = (f64, Option<u32>, Option<u32>);

#[derive(Deserialize, Default)]
struct IndexDump {
    #[serde(default)]
    index: BTreeMap<String, FieldDump>,
    #[serde(rename = "documentStore", default)]
    document_store: DocumentStoreDump,
}

#[derive(Deserialize)]
struct FieldDump {
    root: TrieNode,
}

#[derive(Deserialize, Default)]
struct DocumentStoreDump {
    #[serde(rename = "docInfo", default)]
    doc_info: BTreeMap<String, BTreeMap<String, usize>>,
}

/// A node of elasticlunr's inverted-index trie: `docs`, `df` and one key
/// per child character.
#[derive(Default)]
struct TrieNode {
    docs: Vec<(String, f64)>,
    children: Vec<(String, TrieNode)>,
}

#[derive(Deserialize)]
struct TermFrequency {
    tf: f64,
}

impl<'de> Deserialize<'de> for TrieNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = TrieNode;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an elasticlunr index node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TrieNode, A::Error> {
                let mut node = TrieNode::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "docs" => {
                            let docs: BTreeMap<String, TermFrequency> = map.next_value()?;
                            node.docs = docs.into_iter().map(|(k, v)| (k, v.tf)).collect();
                        }
                        "df" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => node.children.push((key, map.next_value()?)),
                    }
                }
                Ok(node)
            }
        }
        deserializer.deserialize_map(NodeVisitor)
    }
}

fn walk_trie(node: &TrieNode, prefix: &mut String, out: &mut Vec<(String, Vec<(u32, f64)>)>) {
    if !node.docs.is_empty() {
        let docs = node
            .docs
            .iter()
            .filter_map(|(d, tf)| d.parse::<u32>().ok().map(|d| (d, *tf)))
            .collect();
        out.push((prefix.clone(), docs));
    }
    for (key, child) in &node.children {
        let len = prefix.len();
        prefix.push_str(key);
        walk_trie(child, prefix, out);
        prefix.truncate(len);
    }
}
