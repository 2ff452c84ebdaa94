//! Search: the Rust tokenizer against the shared cases (the JavaScript one
//! is checked against the same table by tests/js/tokenizer.test.js), the
//! contents of a built index, and the small fixture index that the node
//! tests in tests/js/ search (tests/js/fixture/, kept up to date here: run
//! with PLANPUB_BLESS=1 to rewrite it after a deliberate change).
#![allow(clippy::too_many_lines)] // TEMPORARY (issue #16): remove once the search branch is merged

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use planpub::index::shards::{decode_postings, shard_of};
use planpub::index::tokenize::{analyze, fnv1a, light, pipeline, stem, tokenize};
use planpub::index::{SearchDocument, SearchUiLabels, build_search_index};
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn shared_tokenizer_cases() {
    let text = std::fs::read_to_string(repo().join("tests/data/tokenizer_cases.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 50);
    let mut failures = Vec::new();
    for case in cases {
        let input = case["input"].as_str().unwrap();
        let expected: Vec<String> = serde_json::from_value(case["tokens"].clone()).unwrap();
        let got = analyze(input);
        if got != expected {
            failures.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
        }
        // analyze is tokenize followed by the elasticlunr pipeline.
        assert_eq!(pipeline().run(tokenize(input)), got, "{input:?}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The light (plural-folded) forms of the shared table, which the
/// browser compares with the forms stored beside stemmed terms (issue
/// #20: *boarding* must not find *board*).
#[test]
fn shared_light_form_cases() {
    let text = std::fs::read_to_string(repo().join("tests/data/tokenizer_cases.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    let cases = table["light"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let word = case["word"].as_str().unwrap();
        assert_eq!(
            light(word),
            case["light"].as_str().unwrap(),
            "light({word:?})"
        );
    }
    // What light forms are for: the same stem, told apart.
    assert_eq!(stem("boarding"), stem("board"));
    assert_ne!(light("boarding"), light("board"));
    assert_eq!(light("schools"), light("school"));
}

#[test]
fn tokenizer_properties() {
    assert_eq!(analyze("寄宿制"), ["寄宿", "宿制"]);
    assert_eq!(analyze("雙減"), analyze("双减"));
    assert_eq!(analyze("4,500"), analyze("4500"));
    assert_eq!(
        analyze("ＫＩＮＤＥＲＧＡＲＴＥＮ"),
        analyze("kindergartens")
    );
    assert_eq!(analyze("2023"), ["2023"], "all-digit tokens are kept");
    assert_eq!(stem("teachers"), stem("teacher"));
    assert_eq!(fnv1a(""), 0x811c_9dc5);
    assert_eq!(fnv1a("a"), 0xe40c_292c);
}

fn labels(lang: &str) -> SearchUiLabels {
    let words: &[(&str, &str, &str)] = &[
        ("not-started", "未启动", "Not started"),
        ("in-progress", "推进中", "In progress"),
        ("completed", "已完成", "Completed"),
        ("delayed", "滞后", "Delayed"),
        ("ongoing", "持续推进", "Ongoing"),
        ("none", "暂无进展", "No update yet"),
    ];
    SearchUiLabels {
        statuses: words
            .iter()
            .map(|(k, zh, en)| {
                (
                    k.to_string(),
                    if lang == "zh" { zh } else { en }.to_string(),
                )
            })
            .collect(),
    }
}

/// The fixture corpus: a few items modelled on the 2023 plan, in both
/// languages (the same numbers, sections and statuses).
/// number, section, status, zh title, zh body, en title, en body, tags, target labels
type FixtureItem = (
    u32,
    u32,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

pub fn fixture_documents(lang: &str) -> Vec<SearchDocument> {
    #[rustfmt::skip]
    let items: &[FixtureItem] = &[
        (1, 1, Some("completed"), "深入学习贯彻党的二十大精神", "将党的二十大精神融入中小学思政课程，组织青年师生广泛开展宣讲。",
         "Study and apply the guiding principles of the 20th Party Congress", "Integrate the principles into ideological and political courses in primary and secondary schools.", &["党建", "思政"], &[]),
        (2, 1, Some("ongoing"), "加强基层党组织建设", "深入落实“第一议题”制度，开展党组织书记抓基层党建述职评议考核。",
         "Strengthen primary-level Party organizations", "Implement the \"first item on the agenda\" system and assess Party secretaries.", &["党建"], &[]),
        (8, 2, Some("in-progress"), "推进学前教育普及普惠优质安全发展", "新建、改扩建公办幼儿园16所，新增学位4,500个，认定普惠性民办园。",
         "Make preschool education universal, affordable, high-quality and safe", "Build or expand 16 public kindergartens, add 4,500 places and accredit affordable private kindergartens.", &["学前教育"], &["新建、改扩建公办幼儿园"]),
        (9, 2, Some("delayed"), "推动义务教育优质均衡发展", "实施寄宿制学校建设工程，新建寄宿制小学12所，改善乡村温馨校园。",
         "Promote high-quality and balanced compulsory education", "Build 12 boarding primary schools and improve warm and welcoming rural campuses.", &["义务教育", "学校建设"], &["新建寄宿制小学"]),
        (10, 2, Some("in-progress"), "持续深化“双减”工作", "强化学校教育主阵地作用，课后服务全覆盖，规范校外培训机构。",
         "Continue to deepen the double reduction policy", "Make schools the main venue of education, provide after-school services everywhere and regulate off-campus tutoring.", &["双减"], &[]),
        (11, 2, None, "推动普通高中多样化有特色发展", "实施县域普通高中发展提升行动计划，推进选课走班。",
         "Develop diverse general high schools with their own strengths", "Carry out the action plan for county high schools and promote course selection and mobile classes.", &["普通高中"], &[]),
        (12, 3, Some("not-started"), "提升特殊教育办学水平", "推进融合教育，做好随班就读，建设资源教室30个。",
         "Improve special education", "Promote inclusive education in regular classes and set up 30 resource rooms.", &["特殊教育"], &["资源教室"]),
        (13, 3, Some("completed"), "加快职业教育改革发展", "推进中职学校达标建设，落实1+X证书制度，职普比大体相当。",
         "Accelerate the reform and development of vocational education", "Bring secondary vocational schools up to standard and implement the 1+X certificate system.", &["职业教育"], &[]),
        (16, 4, Some("in-progress"), "加强教师队伍建设", "深化县管校聘改革，实施国培计划，培训教师3.5万人次，师德师风建设。",
         "Build a strong body of teachers", "Deepen the county-managed, school-hired reform, run the National Teacher Training Program and train 35,000 teachers.", &["教师队伍"], &["培训教师"]),
        (17, 4, Some("ongoing"), "推进体育美育劳动教育", "开展阳光体育运动，学生体质健康达标率95%，加强艺术教育和劳动教育。",
         "Advance physical, aesthetic and labour education", "Hold sunshine sports activities; 95% of students meet the physical health standard.", &["体育美育劳动教育"], &[]),
        (28, 6, Some("delayed"), "强化教师队伍建设", "落实中小学教师补进长效机制，全面提升学校管理水平。",
         "Strengthen the teaching force", "Recruit teachers on time and raise the level of school management across the board.", &["教师队伍"], &[]),
        (29, 7, None, "加大教育经费投入", "确保一般公共预算教育支出逐年只增不减，管好用好教育经费。",
         "Increase investment in education", "Ensure that public spending on education only increases, and manage education funds well.", &["经费保障"], &[]),
    ];
    items
        .iter()
        .map(
            |&(number, section, status, zt, zb, et, eb, tags, targets)| {
                let zh = lang == "zh";
                SearchDocument {
                    number,
                    url: if zh {
                        format!("2023/{number}/")
                    } else {
                        format!("en/2023/{number}/")
                    },
                    title: if zh { zt } else { et }.to_string(),
                    body: if zh { zb } else { eb }.to_string(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    target_labels: targets.iter().map(|t| t.to_string()).collect(),
                    section_number: section,
                    section_title: format!("S{section}"),
                    status: status.map(String::from),
                    lang: None,
                }
            },
        )
        .collect()
}

fn read_json(files: &[(String, Vec<u8>)], name: &str) -> Value {
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"));
    serde_json::from_slice(bytes).unwrap()
}

fn postings_of(files: &[(String, Vec<u8>)], term: &str) -> Vec<u32> {
    let shards = read_json(files, "index/manifest.json")["shards"]
        .as_u64()
        .unwrap() as u32;
    let shard = read_json(
        files,
        &format!("index/shards/{}.json", shard_of(term, shards)),
    );
    shard
        .get(term)
        .and_then(Value::as_str)
        .map(decode_postings)
        .unwrap_or_default()
        .iter()
        .map(|p| p.doc)
        .collect()
}

/// The light forms stored for `term` (see planpub::index::variants), with
/// the indices of the postings that have each.
fn variants_of(files: &[(String, Vec<u8>)], term: &str) -> Vec<(String, Vec<u32>)> {
    let shards = read_json(files, "index/manifest.json")["shards"]
        .as_u64()
        .unwrap() as u32;
    let shard = read_json(
        files,
        &format!("index/shards/{}.json", shard_of(term, shards)),
    );
    let n = shard
        .get(term)
        .and_then(Value::as_str)
        .map(|p| decode_postings(p).len())
        .unwrap_or(0);
    shard
        .get(format!("={term}"))
        .and_then(Value::as_str)
        .map(|v| planpub::index::variants::decode(v, n))
        .unwrap_or_default()
}

#[test]
fn index_contents_of_the_fixture() {
    let zh = build_search_index("zh", &fixture_documents("zh"), &labels("zh"));
    let en = build_search_index("en", &fixture_documents("en"), &labels("en"));
    let m = read_json(&zh, "index/manifest.json");
    assert_eq!(m["docs"], 12);
    assert_eq!(m["lang"], "zh");
    assert_eq!(m["labels"]["statuses"]["in-progress"], "推进中");
    assert_eq!(read_json(&en, "index/manifest.json")["root"], "../../../");
    // Terms → documents (document ids are positions in the input).
    assert_eq!(postings_of(&zh, "寄宿"), [3]);
    assert_eq!(postings_of(&zh, "双减"), [4]);
    assert_eq!(postings_of(&zh, "4500"), [2]);
    assert_eq!(postings_of(&zh, "#16"), [8]);
    assert_eq!(postings_of(&zh, "园"), [2, 3], "幼儿园, 民办园 and 校园");
    assert_eq!(postings_of(&zh, "95"), [9]);
    assert_eq!(postings_of(&en, "kindergarten"), [2]);
    // Item 9 says "boarding", item 28 "across the board": one stem, two
    // words, told apart by the variants stored beside the term.
    assert_eq!(postings_of(&en, "board"), [3, 10]);
    assert_eq!(
        variants_of(&en, "board"),
        [("board".into(), vec![1]), ("boarding".into(), vec![0])]
    );
    assert!(
        variants_of(&en, "school").is_empty(),
        "schools and school are one word"
    );
    assert_eq!(postings_of(&en, "35000"), [8]);
    assert!(
        postings_of(&en, "the").is_empty(),
        "stop words are not indexed"
    );
    // Every file is valid JSON; the vocabulary holds the Latin terms.
    for (name, bytes) in zh.iter().chain(en.iter()) {
        serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let k = read_json(&en, "index/vocab/k.json");
    assert!(k.as_array().unwrap().iter().any(|t| t == "kindergarten"));
    // Deterministic, byte for byte.
    assert_eq!(
        zh,
        build_search_index("zh", &fixture_documents("zh"), &labels("zh"))
    );
}

/// Writes (or with PLANPUB_BLESS=1 rewrites) tests/js/fixture/, which the
/// node tests load; fails when it is out of date.
#[test]
fn node_fixture_is_up_to_date() {
    let dir = repo().join("tests/js/fixture");
    let mut expected: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for lang in ["zh", "en"] {
        let sub = if lang == "zh" { "search" } else { "en/search" };
        for (path, bytes) in build_search_index(lang, &fixture_documents(lang), &labels(lang)) {
            expected.insert(Path::new(sub).join(path), bytes);
        }
    }
    let hashes: BTreeMap<&str, u32> = ["寄宿", "双减", "kindergarten", "#16"]
        .iter()
        .map(|t| (*t, fnv1a(t)))
        .collect();
    expected.insert(
        "hashes.json".into(),
        serde_json::to_vec_pretty(&hashes).unwrap(),
    );

    let mut actual: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    if dir.exists() {
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&dir).unwrap().to_path_buf();
                actual.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    if actual == expected {
        return;
    }
    if std::env::var_os("PLANPUB_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, bytes) in &expected {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        return;
    }
    let changed: Vec<_> = expected
        .keys()
        .chain(actual.keys())
        .filter(|k| expected.get(*k) != actual.get(*k))
        .map(|k| k.display().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    panic!(
        "tests/js/fixture is out of date ({} files: {}…); rerun with PLANPUB_BLESS=1 cargo test --test search_tokenizer",
        changed.len(),
        changed[..changed.len().min(5)].join(", ")
    );
}

/// A 10,000-item bilingual corpus made by sampling the shipped plan's
/// sentences, to measure the index at scale. Writes it to
/// $PLANPUB_SEARCH_BENCH_DIR (search/ and en/search/) for
/// tests/js/bench.mjs. Ignored by default: `cargo test --release --test
/// search_tokenizer -- --ignored large_corpus`.
#[test]
#[ignore]
fn large_corpus() {
    let out = std::env::var("PLANPUB_SEARCH_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("planpub-search-bench"));
    let (zh, en) = large_corpus_documents();
    let _ = std::fs::remove_dir_all(&out);
    for (lang, docs, sub) in [("zh", &zh, "search"), ("en", &en, "en/search")] {
        write_index(lang, docs, &out.join(sub));
    }
}

/// The shipped plan's sentences (Chinese, English), at least 8 characters.
fn plan_sentences() -> (Vec<String>, Vec<String>) {
    let mut zh_sentences = Vec::new();
    let mut en_sentences = Vec::new();
    for entry in walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "md" || e == "txt") {
            let text = std::fs::read_to_string(p).unwrap();
            let body = text.rsplit("+++").next().unwrap_or("");
            let is_en = p.to_string_lossy().ends_with(".en.md");
            for s in body.split(['。', '；', '\n', '.', ';']) {
                let s = s.trim();
                if s.chars().count() >= 8 {
                    if is_en {
                        en_sentences.push(s.to_string())
                    } else {
                        zh_sentences.push(s.to_string())
                    }
                }
            }
        }
    }
    assert!(!zh_sentences.is_empty() && !en_sentences.is_empty());
    (zh_sentences, en_sentences)
}

/// 10,000 documents per language made of the plan's sentences.
fn large_corpus_documents() -> (Vec<SearchDocument>, Vec<SearchDocument>) {
    let (zh_sentences, en_sentences) = plan_sentences();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let statuses = [
        "not-started",
        "in-progress",
        "completed",
        "delayed",
        "ongoing",
    ];
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for i in 0..10_000u32 {
        let plan = 2014 + i / 1000;
        let number = i % 1000 + 1;
        let section = number / 50 + 1;
        let status = if i % 7 == 0 {
            None
        } else {
            Some(statuses[next(5)].to_string())
        };
        let zt: String = zh_sentences[next(zh_sentences.len())]
            .chars()
            .take(24)
            .collect();
        let et: String = en_sentences[next(en_sentences.len())]
            .chars()
            .take(90)
            .collect();
        let zb = (0..6)
            .map(|_| zh_sentences[next(zh_sentences.len())].as_str())
            .collect::<Vec<_>>()
            .join("。");
        let eb = (0..5)
            .map(|_| en_sentences[next(en_sentences.len())].as_str())
            .collect::<Vec<_>>()
            .join(". ");
        let tags = vec!["义务教育".to_string(), "双减".to_string()];
        zh.push(SearchDocument {
            number,
            url: format!("{plan}/{number}/"),
            title: zt,
            body: zb,
            tags: tags.clone(),
            target_labels: vec![],
            section_number: section,
            section_title: String::new(),
            status: status.clone(),
            lang: None,
        });
        en.push(SearchDocument {
            number,
            url: format!("en/{plan}/{number}/"),
            title: et,
            body: eb,
            tags: vec!["Compulsory education".into()],
            target_labels: vec![],
            section_number: section,
            section_title: String::new(),
            status,
            lang: None,
        });
    }
    (zh, en)
}

/// Builds one language's index and writes it under `dir`, printing its size.
fn write_index(lang: &str, docs: &[SearchDocument], dir: &Path) {
    let start = std::time::Instant::now();
    let files = build_search_index(lang, docs, &labels(lang));
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let shards = files
        .iter()
        .filter(|(n, _)| n.starts_with("index/shards/"))
        .count();
    let biggest = files
        .iter()
        .filter(|(n, _)| n.starts_with("index/shards/"))
        .map(|(_, b)| b.len())
        .max()
        .unwrap_or(0);
    println!(
        "{lang}: {} files, {total} bytes, {shards} shards (largest {biggest} bytes), built in {:?}",
        files.len(),
        start.elapsed()
    );
    for (path, bytes) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}
