//! Search index stage: turns one language's work items into a small, sharded
//! static index that `themes/default/static/search.js` queries in the
//! browser, fetching only the files a query needs.
//!
//! The documents are indexed with elasticlunr-rs through its extension
//! points: [`PlanLanguage`] is an elasticlunr [`Language`] whose tokenizer
//! and pipeline are [`tokenize`](tokenize::tokenize) and
//! [`pipeline`](tokenize::pipeline), the very algorithm the browser runs on
//! a query. The inverted index elasticlunr builds is then split into shards.
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

pub mod shards;
pub mod tokenize;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use elasticlunr::{Index, IndexBuilder, Language, Pipeline};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
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

/// Every Han character of a text, normalized (the `chars` field).
fn han_chars(text: &str) -> Vec<String> {
    tokenize::normalize(text)
        .chars()
        .filter(|&c| tokenize::is_han(c))
        .map(|c| c.to_string())
        .collect()
}

/// Builds one language's index. Returns (path relative to the language's
/// search folder, bytes), sorted by path, e.g. `index/manifest.json`.
/// Deterministic and panic-free.
pub fn build_search_index(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
) -> Vec<(String, Vec<u8>)> {
    let language_box: Box<dyn Language> = Box::new(PlanLanguage::new(language));
    let mut builder = IndexBuilder::with_language(language_box).save_docs(false);
    for (name, _) in FIELDS {
        builder = match *name {
            "chars" => builder.add_field_with_tokenizer(name, Box::new(han_chars)),
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
    let postings = collect_postings(&index, documents);
    write_files(language, documents, labels, &postings)
}

/// What we read back from elasticlunr's serialized index.
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

/// A term's weight in one document, before quantizing, and its first
/// positions in the title and the body.
#[derive(Default, Clone, Copy)]
struct DocWeight {
    weight: f64,
    title_pos: Option<u32>,
    body_pos: Option<u32>,
}

/// Term → document → weight.
type TermPostings = BTreeMap<String, BTreeMap<u32, DocWeight>>;

/// Term → document → posting, combining the fields.
fn collect_postings(index: &Index, documents: &[SearchDocument]) -> TermPostings {
    let json = serde_json::to_string(index).unwrap_or_default();
    let dump: IndexDump = serde_json::from_str(&json).unwrap_or_default();
    drop(json);

    let n = documents.len().max(1) as f64;
    let mut combined: TermPostings = BTreeMap::new();
    for (field, boost) in FIELDS {
        let Some(trie) = dump.index.get(*field) else {
            continue;
        };
        // Field lengths by document id.
        let lengths: Vec<f64> = (0..documents.len())
            .map(|d| {
                dump.document_store
                    .doc_info
                    .get(&d.to_string())
                    .and_then(|info| info.get(*field))
                    .copied()
                    .unwrap_or(0) as f64
            })
            .collect();
        let field_len = |doc: u32| lengths.get(doc as usize).copied().unwrap_or(0.0);
        let avg = lengths.iter().sum::<f64>() / n;
        let mut terms = Vec::new();
        walk_trie(&trie.root, &mut String::new(), &mut terms);
        for (term, docs) in terms {
            let entry = combined.entry(term).or_default();
            for (doc, sqrt_tf) in docs {
                // elasticlunr stores sqrt(term count).
                let tf = (sqrt_tf * sqrt_tf).round().max(1.0);
                let len = field_len(doc);
                let norm = if avg > 0.0 {
                    1.0 - BM25_B + BM25_B * len / avg
                } else {
                    1.0
                };
                let w = tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm);
                entry.entry(doc).or_default().weight += boost * w;
            }
        }
    }
    // First positions in the title and the body, by the same analysis.
    let lang = PlanLanguage::new("");
    let pipeline = lang.make_pipeline();
    for (i, doc) in documents.iter().enumerate() {
        let i = i as u32;
        for (field, text) in [(0, &doc.title), (1, &doc.body)] {
            let terms = pipeline.run(lang.tokenize(text));
            let mut seen = BTreeSet::new();
            for (pos, term) in terms.into_iter().enumerate() {
                if !seen.insert(term.clone()) {
                    continue;
                }
                if let Some(p) = combined.get_mut(&term).and_then(|docs| docs.get_mut(&i)) {
                    if field == 0 {
                        p.title_pos = Some(pos as u32);
                    } else {
                        p.body_pos = Some(pos as u32);
                    }
                }
            }
        }
    }
    combined
}

fn to_json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn excerpt(body: &str) -> String {
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

fn write_files(
    language: &str,
    documents: &[SearchDocument],
    labels: &SearchUiLabels,
    postings: &TermPostings,
) -> Vec<(String, Vec<u8>)> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    // Postings, encoded, then sharded by term hash.
    let mut encoded: Vec<(&str, String)> = Vec::with_capacity(postings.len());
    let mut total = 0usize;
    for (term, docs) in postings {
        let list: Vec<Posting> = docs
            .iter()
            .map(
                |(
                    &doc,
                    &DocWeight {
                        weight: w,
                        title_pos,
                        body_pos,
                    },
                )| Posting {
                    doc,
                    weight: ((w * 10.0).round() as u32).max(1),
                    title_pos,
                    body_pos,
                },
            )
            .collect();
        let e = if shards::is_frequent(list.len(), documents.len()) {
            shards::encode_compact(&list)
        } else {
            shards::encode_postings(&list)
        };
        total += term.len() + e.len() + 6;
        encoded.push((term.as_str(), e));
    }
    let shard_count = total.div_ceil(TARGET_SHARD_BYTES).clamp(1, MAX_SHARDS) as u32;
    let mut by_shard: Vec<serde_json::Map<String, Value>> =
        (0..shard_count).map(|_| serde_json::Map::new()).collect();
    for (term, e) in encoded {
        let s = shards::shard_of(term, shard_count) as usize;
        by_shard[s].insert(term.to_string(), Value::String(e));
    }
    for (i, map) in by_shard.into_iter().enumerate() {
        files.insert(
            format!("index/shards/{i}.json"),
            to_json_bytes(&Value::Object(map)),
        );
    }

    // Document metadata, in buckets.
    for (b, chunk) in documents.chunks(DOCS_PER_BUCKET).enumerate() {
        let rows: Vec<Value> = chunk
            .iter()
            .map(|d| {
                json!([
                    d.number,
                    d.url,
                    d.title,
                    d.status.clone().unwrap_or_default(),
                    d.section_number,
                    excerpt(&d.body)
                ])
            })
            .collect();
        files.insert(
            format!("index/docs/{b}.json"),
            to_json_bytes(&Value::Array(rows)),
        );
    }

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

    // Vocabulary of Latin terms, by first letter.
    let mut vocab: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    for term in postings.keys().filter(|t| is_vocab_term(t)) {
        if let Some(first) = term.chars().next() {
            vocab.entry(first).or_default().push(term);
        }
    }
    for (letter, terms) in &vocab {
        files.insert(
            format!("index/vocab/{letter}.json"),
            to_json_bytes(&json!(terms)),
        );
    }

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

    let mut hash = shards::FNV64_OFFSET;
    for (name, bytes) in &files {
        shards::fnv1a64(&mut hash, name.as_bytes());
        shards::fnv1a64(&mut hash, &[0]);
        shards::fnv1a64(&mut hash, bytes);
    }
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
        "vocab": vocab.keys().collect::<String>(),
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
