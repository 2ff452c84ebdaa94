//! Tests of the index as a whole.

use super::chunk::*;
use super::shards::Posting;
use super::*;
use serde_json::{Value, json};

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
    assert_eq!(
        file(&files, "index/sections.json")["r"],
        json!([[0, 2, 1], [2, 1, 6]])
    );

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
    // Three small documents keep their whole text and share a file;
    // statuses are numbers into statusKeys.
    assert!(manifest["bucket"].as_u64().unwrap() >= 3);
    let bucket = file(&files, "index/docs/0.json");
    assert_eq!(bucket[0][1], "2023/1/");
    assert_eq!(bucket[0][3], 1);
    assert_eq!(bucket[1][3], -1);
    assert_eq!(bucket[2][5], "Build 16 public kindergartens.");
    // How the text was analyzed, and how to rank.
    assert_eq!(manifest["analyzer"]["stemmer"], "porter");
    assert_eq!(manifest["analyzer"]["t2s"], T2S_BUCKETS);
    assert_eq!(manifest["scoring"]["stemOnly"], 0.3);

    // Deterministic.
    assert_eq!(files, build_search_index("zh", &docs, &labels));
}

/// Documents that exercise every path of the postings: repeated
/// terms, one-character Han runs (terms of both the text fields and
/// `chars`), traditional characters, tags and targets, numbers,
/// English words and stop words, counts and positions too large for a
/// packed occurrence, long terms, an empty document.
pub(super) fn varied_documents() -> Vec<SearchDocument> {
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
                .map(|p| (p.term.to_string(), p.postings))
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
            .map(|p| (p.term.to_string(), p.postings))
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
fn english_root_and_empty_input() {
    let mut d = doc(1, "Boarding schools", "Rural boarding schools.", None);
    d.url = "en/2023/1/".into();
    let files = build_search_index("en", &[d], &SearchUiLabels::default());
    assert_eq!(file(&files, "index/manifest.json")["root"], "../../../");
    let empty = build_search_index("en", &[], &SearchUiLabels::default());
    assert_eq!(file(&empty, "index/manifest.json")["docs"], 0);
    assert!(empty.iter().any(|(n, _)| n == "index/shards/0.json"));
}
