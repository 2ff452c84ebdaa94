//! Fidelity of the shipped 2023 plan to its seed document.
//!
//! `content/2023/source.zh.txt` is the published text of the Nanyang
//! Municipal Education Bureau's 2023 work plan. The Chinese content files must
//! carry that text character for character (whitespace aside), split into the
//! plan's preamble, its seven sections and its numbered items; every page must
//! have a complete English translation that carries only words.
//!
//! This test reads the files itself (front matter with the `toml` crate, split
//! on the `+++` lines) and does not use the planpub library, so that a bug in
//! the loader cannot hide a bug in the content. Each test collects every
//! problem, reports them all with the file and a short diff context, and only
//! then fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

/// The plan whose content is checked against the seed.
const PLAN_DIR: &str = "content/2023";
/// The seed document, inside the plan folder.
const SEED_FILE: &str = "content/2023/source.zh.txt";
/// Section headings in the seed start with one of these numerals and `、`.
const SECTION_NUMERALS: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
/// The statuses a work item or an update may carry (docs/content-format.md).
const STATUSES: [&str; 5] = [
    "not-started",
    "in-progress",
    "completed",
    "delayed",
    "ongoing",
];
/// English bodies may quote a Chinese name now and then, but no more than this.
const MAX_HAN_SHARE_IN_ENGLISH: f64 = 0.05;

// ---------------------------------------------------------------------------
// The seed
// ---------------------------------------------------------------------------

/// The seed document, cut into the parts the content files must reproduce.
struct Seed {
    title: String,
    preamble: String,
    /// Section number → heading without its `一、` prefix.
    sections: BTreeMap<i64, String>,
    /// Item number → (section number, full text without the number prefix).
    items: BTreeMap<i64, (i64, String)>,
}

/// Parses the seed generically: the first non-empty line is the title; lines
/// before the first section heading are the preamble; `一、`…`十、` start a
/// section; a line starting with a number followed by `.`, `、` or `. ` (and
/// not by another digit, as in `12.4`) starts an item; any other non-empty
/// line continues the current item as a new paragraph.
fn parse_seed(text: &str) -> Seed {
    let mut title = None;
    let mut preamble = Vec::new();
    let mut sections = BTreeMap::new();
    let mut items: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    let mut section = None;
    let mut item = None;
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if title.is_none() {
            title = Some(line.to_string());
        } else if let Some((number, heading)) = section_heading(line) {
            section = Some(number);
            item = None;
            sections.insert(number, heading.to_string());
        } else if let (Some(current_section), Some((number, rest))) = (section, item_start(line)) {
            item = Some(number);
            let previous = items.insert(number, (current_section, rest.to_string()));
            assert!(previous.is_none(), "the seed numbers item {number} twice");
        } else if let Some(number) = item {
            let text = &mut items.get_mut(&number).expect("current item").1;
            text.push_str("\n\n");
            text.push_str(line);
        } else {
            assert!(section.is_none(), "seed line outside any item: {line}");
            preamble.push(line);
        }
    }
    Seed {
        title: title.expect("the seed is empty"),
        preamble: preamble.join("\n\n"),
        sections,
        items,
    }
}

/// `一、加强…` → (1, "加强…").
fn section_heading(line: &str) -> Option<(i64, &str)> {
    let mut chars = line.chars();
    let numeral = chars.next()?;
    let position = SECTION_NUMERALS.iter().position(|&c| c == numeral)?;
    let rest = chars.as_str().strip_prefix('、')?;
    Some((position as i64 + 1, rest))
}

/// `11. 推进…`, `12、加快…`, `1.深入…` → (number, text after the prefix).
fn item_start(line: &str) -> Option<(i64, &str)> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let rest = line[digits..]
        .strip_prefix('.')
        .or_else(|| line[digits..].strip_prefix('、'))?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((line[..digits].parse().ok()?, rest.trim_start()))
}

// ---------------------------------------------------------------------------
// The content files
// ---------------------------------------------------------------------------

/// One content file: its path relative to the repository, front matter, body.
struct Page {
    path: String,
    front: toml::Table,
    body: String,
}

/// A section folder with its default-language `_index.md` and its items.
struct Section {
    folder: String,
    index: Page,
    items: Vec<Page>,
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_seed() -> Seed {
    let text = fs::read_to_string(repository().join(SEED_FILE))
        .unwrap_or_else(|error| panic!("{SEED_FILE}: {error}"));
    parse_seed(&text)
}

/// Reads `relative` and splits it into front matter and body; a file that
/// cannot be read or parsed is a problem, reported with its name.
fn read_page(relative: &str, problems: &mut Vec<String>) -> Option<Page> {
    let text = match fs::read_to_string(repository().join(relative)) {
        Ok(text) => text,
        Err(error) => {
            problems.push(format!("{relative}: cannot read: {error}"));
            return None;
        }
    };
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("+++") {
        problems.push(format!("{relative}: does not start with a `+++` line"));
        return None;
    }
    let mut front = String::new();
    let mut closed = false;
    for line in lines.by_ref() {
        if line.trim_end() == "+++" {
            closed = true;
            break;
        }
        front.push_str(line);
    }
    if !closed {
        problems.push(format!(
            "{relative}: front matter has no closing `+++` line"
        ));
        return None;
    }
    let body: String = lines.collect();
    match toml::from_str::<toml::Table>(&front) {
        Ok(front) => Some(Page {
            path: relative.to_string(),
            front,
            body,
        }),
        Err(error) => {
            problems.push(format!(
                "{relative}: front matter is not valid TOML: {error}"
            ));
            None
        }
    }
}

/// The names in `relative` (a folder), sorted, split into folders and files.
fn list_folder(relative: &str) -> (Vec<String>, Vec<String>) {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    let entries = fs::read_dir(repository().join(relative))
        .unwrap_or_else(|error| panic!("{relative}: {error}"));
    for entry in entries {
        let entry = entry.expect("directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().expect("file type").is_dir() {
            folders.push(name);
        } else {
            files.push(name);
        }
    }
    folders.sort();
    files.sort();
    (folders, files)
}

/// `X.md` is in the default language; `X.<lang>.md` is a translation.
fn is_default_language_markdown(name: &str) -> bool {
    name.strip_suffix(".md")
        .is_some_and(|stem| !stem.contains('.'))
}

/// The English translation of the default-language file `relative`.
fn english_path(relative: &str) -> String {
    format!(
        "{}.en.md",
        relative.strip_suffix(".md").expect("a .md path")
    )
}

/// The sections of the plan in folder order, each with its default-language
/// item files.
fn read_sections(problems: &mut Vec<String>) -> Vec<Section> {
    let (folders, _) = list_folder(PLAN_DIR);
    let mut sections = Vec::new();
    for folder in folders {
        let relative = format!("{PLAN_DIR}/{folder}");
        let Some(index) = read_page(&format!("{relative}/_index.md"), problems) else {
            continue;
        };
        let (_, files) = list_folder(&relative);
        let items = files
            .iter()
            .filter(|name| is_default_language_markdown(name) && *name != "_index.md")
            .filter_map(|name| read_page(&format!("{relative}/{name}"), problems))
            .collect();
        sections.push(Section {
            folder,
            index,
            items,
        });
    }
    sections
}

/// Every default-language `.md` file under `content/`, relative paths, sorted.
fn default_language_files() -> Vec<String> {
    fn walk(relative: &str, found: &mut Vec<String>) {
        let (folders, files) = list_folder(relative);
        for name in files
            .iter()
            .filter(|name| is_default_language_markdown(name))
        {
            found.push(format!("{relative}/{name}"));
        }
        for folder in folders {
            walk(&format!("{relative}/{folder}"), found);
        }
    }
    let mut found = Vec::new();
    walk("content", &mut found);
    found
}

// ---------------------------------------------------------------------------
// Comparing and reporting
// ---------------------------------------------------------------------------

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Compares `actual` with `expected` with whitespace removed on both sides;
/// on a mismatch, records where they part with a little context.
fn compare_text(path: &str, what: &str, actual: &str, expected: &str, problems: &mut Vec<String>) {
    let actual: Vec<char> = without_whitespace(actual).chars().collect();
    let expected: Vec<char> = without_whitespace(expected).chars().collect();
    if actual == expected {
        return;
    }
    let first_difference = actual
        .iter()
        .zip(&expected)
        .take_while(|(a, e)| a == e)
        .count();
    let context = |text: &[char]| -> String {
        let start = first_difference.saturating_sub(12);
        let end = (first_difference + 18).min(text.len());
        let mut shown: String = text[start..end].iter().collect();
        if start > 0 {
            shown.insert(0, '…');
        }
        if end < text.len() {
            shown.push('…');
        }
        format!("«{shown}»")
    };
    problems.push(format!(
        "{path}: {what} differs from the seed at character {first_difference} \
         (whitespace removed; {} vs {} characters)\n    seed:    {}\n    content: {}",
        expected.len(),
        actual.len(),
        context(&expected),
        context(&actual),
    ));
}

fn string_field<'a>(page: &'a Page, key: &str) -> Option<&'a str> {
    page.front.get(key).and_then(toml::Value::as_str)
}

fn integer_field(page: &Page, key: &str) -> Option<i64> {
    page.front.get(key).and_then(toml::Value::as_integer)
}

fn array_of_tables<'a>(page: &'a Page, key: &str) -> Vec<&'a toml::Table> {
    page.front
        .get(key)
        .and_then(toml::Value::as_array)
        .map(|values| values.iter().filter_map(toml::Value::as_table).collect())
        .unwrap_or_default()
}

/// An update's date as the key of its `[updates.<date>]` translation table.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "another crate's enum: the rest is not what this test reads"
)]
fn date_key(date: &toml::Value) -> String {
    match date {
        toml::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Checks that the translation's `[<table>.<key>]` tables give a non-empty
/// `field` for exactly the `expected` keys of the default-language file.
fn check_translated_tables(
    english: &Page,
    table: &str,
    field: &str,
    expected: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let path = &english.path;
    let translated = english.front.get(table).and_then(toml::Value::as_table);
    for key in expected {
        let text = translated
            .and_then(|tables| tables.get(key))
            .and_then(|entry| entry.get(field))
            .and_then(toml::Value::as_str);
        if text.is_none_or(|text| text.trim().is_empty()) {
            problems.push(format!("{path}: no English [{table}.{key}] {field}"));
        }
    }
    for key in translated.into_iter().flat_map(|tables| tables.keys()) {
        if !expected.contains(key) {
            problems.push(format!(
                "{path}: [{table}.{key}] translates nothing: the default-language file has no such entry"
            ));
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Fails once with every problem found, one per line.
fn report(claim: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{claim}: {} problem(s)\n\n{}\n",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The claims
// ---------------------------------------------------------------------------

#[test]
fn plan_index_carries_the_seed_title_and_preamble() {
    let seed = read_seed();
    let mut problems = Vec::new();
    let path = format!("{PLAN_DIR}/_index.md");
    if let Some(plan) = read_page(&path, &mut problems) {
        match string_field(&plan, "title") {
            Some(title) => compare_text(&path, "title", title, &seed.title, &mut problems),
            None => problems.push(format!("{path}: no `title` string")),
        }
        compare_text(
            &path,
            "preamble (body)",
            &plan.body,
            &seed.preamble,
            &mut problems,
        );
    }
    report("the plan index does not match the seed", problems);
}

#[test]
fn sections_are_the_seven_seed_headings_in_order() {
    let seed = read_seed();
    let mut problems = Vec::new();
    let sections = read_sections(&mut problems);
    let mut numbers = BTreeSet::new();
    for section in &sections {
        let path = &section.index.path;
        let Some(number) = integer_field(&section.index, "number") else {
            problems.push(format!("{path}: no integer `number`"));
            continue;
        };
        if !numbers.insert(number) {
            problems.push(format!("{path}: section number {number} is used twice"));
        }
        if !section.folder.starts_with(&format!("{number}-")) {
            problems.push(format!(
                "{path}: folder `{}` should be named `{number}-<slug>`",
                section.folder
            ));
        }
        match (
            seed.sections.get(&number),
            string_field(&section.index, "title"),
        ) {
            (None, _) => problems.push(format!("{path}: the seed has no section {number}")),
            (_, None) => problems.push(format!("{path}: no `title` string")),
            (Some(heading), Some(title)) => {
                compare_text(path, "title", title, heading, &mut problems)
            }
        }
    }
    let expected: BTreeSet<i64> = seed.sections.keys().copied().collect();
    if numbers != expected || sections.len() != seed.sections.len() {
        problems.push(format!(
            "{PLAN_DIR}: expected {} section folders numbered {expected:?}, found {} numbered {numbers:?}",
            seed.sections.len(),
            sections.len(),
        ));
    }
    report("the sections do not match the seed", problems);
}

#[test]
fn every_item_matches_the_seed_word_for_word() {
    let seed = read_seed();
    let mut problems = Vec::new();
    let mut found = BTreeMap::new();
    for section in read_sections(&mut problems) {
        let section_number = integer_field(&section.index, "number");
        for item in &section.items {
            let path = &item.path;
            let Some(number) = integer_field(item, "number") else {
                problems.push(format!("{path}: no integer `number`"));
                continue;
            };
            if let Some(other) = found.insert(number, path.clone()) {
                problems.push(format!(
                    "{path}: item number {number} is also used by {other}"
                ));
            }
            let file_name = path.rsplit('/').next().expect("file name");
            if !file_name.starts_with(&format!("{number:02}-")) {
                problems.push(format!(
                    "{path}: file should be named `{number:02}-<slug>.md`"
                ));
            }
            let Some((seed_section, seed_text)) = seed.items.get(&number) else {
                problems.push(format!("{path}: the seed has no item {number}"));
                continue;
            };
            if section_number != Some(*seed_section) {
                problems.push(format!(
                    "{path}: item {number} belongs in section {seed_section}, not in `{}`",
                    section.folder
                ));
            }
            let Some(title) = string_field(item, "title") else {
                problems.push(format!("{path}: no `title` string"));
                continue;
            };
            let content_text = format!("{title}。{}", item.body);
            compare_text(
                path,
                "title + 。 + body",
                &content_text,
                seed_text,
                &mut problems,
            );
        }
    }
    let expected: BTreeSet<i64> = seed.items.keys().copied().collect();
    let numbers: BTreeSet<i64> = found.keys().copied().collect();
    for missing in expected.difference(&numbers) {
        problems.push(format!("{PLAN_DIR}: no file for seed item {missing}"));
    }
    for extra in numbers.difference(&expected) {
        problems.push(format!("{}: item {extra} is not in the seed", found[extra]));
    }
    report("the items do not match the seed", problems);
}

#[test]
fn every_page_has_a_complete_english_translation() {
    let mut problems = Vec::new();
    for path in default_language_files() {
        let english = english_path(&path);
        if !repository().join(&english).is_file() {
            problems.push(format!("{path}: no English translation {english}"));
            continue;
        }
        let (Some(chinese), Some(english)) = (
            read_page(&path, &mut problems),
            read_page(&english, &mut problems),
        ) else {
            continue;
        };
        let english_path = &english.path;

        // Translations carry only words (docs/content-format.md).
        for key in english.front.keys() {
            if !matches!(key.as_str(), "title" | "issuer" | "targets" | "updates") {
                problems.push(format!(
                    "{english_path}: `{key}` belongs in the default-language file only"
                ));
            }
        }

        match string_field(&english, "title") {
            Some(title) if !title.trim().is_empty() && !title.chars().any(is_han) => {}
            Some(title) if !title.trim().is_empty() => {
                problems.push(format!("{english_path}: title has Han characters: {title}"))
            }
            _ => problems.push(format!("{english_path}: no English `title`")),
        }

        // The plan and the items have a body; sections need none.
        let is_section_index = path.ends_with("/_index.md") && path.matches('/').count() > 2;
        if !is_section_index {
            let letters: Vec<char> = english
                .body
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let han = letters.iter().filter(|&&c| is_han(c)).count();
            if letters.is_empty() {
                problems.push(format!("{english_path}: the English body is empty"));
            } else if han as f64 / letters.len() as f64 >= MAX_HAN_SHARE_IN_ENGLISH {
                problems.push(format!(
                    "{english_path}: {han} of {} characters in the body are Han (limit {}%)",
                    letters.len(),
                    MAX_HAN_SHARE_IN_ENGLISH * 100.0
                ));
            }
        }

        let keys: BTreeSet<String> = array_of_tables(&chinese, "targets")
            .iter()
            .filter_map(|target| target.get("key").and_then(toml::Value::as_str))
            .map(str::to_string)
            .collect();
        let dates: BTreeSet<String> = array_of_tables(&chinese, "updates")
            .iter()
            .filter_map(|update| update.get("date").map(date_key))
            .collect();
        check_translated_tables(&english, "targets", "label", &keys, &mut problems);
        check_translated_tables(&english, "updates", "text", &dates, &mut problems);
    }
    report("translations are missing or incomplete", problems);
}

/// The progress shipped with the 2023 plan is made up (site.toml says
/// `illustrative = true`); each update says so in its text, and the numbers
/// hang together.
#[test]
fn illustrative_progress_is_marked_and_consistent() {
    let mut problems = Vec::new();
    let site: toml::Table =
        toml::from_str(&fs::read_to_string(repository().join("site.toml")).expect("site.toml"))
            .expect("site.toml is valid TOML");
    let vocabulary: BTreeSet<&str> = site
        .get("tags")
        .and_then(toml::Value::as_table)
        .map(|tags| tags.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut related_pairs = BTreeMap::new();
    for section in read_sections(&mut problems) {
        for item in &section.items {
            check_illustrative_item(item, &vocabulary, &mut related_pairs, &mut problems);
        }
    }
    report("the illustrative progress data is inconsistent", problems);
}

/// One item's illustrative progress: known status and tags, `related`
/// declared once per pair, actuals within goals, updates marked as
/// samples (in both languages) and agreeing with the item's status.
fn check_illustrative_item(
    item: &Page,
    vocabulary: &BTreeSet<&str>,
    related_pairs: &mut BTreeMap<(i64, i64), String>,
    problems: &mut Vec<String>,
) {
    let path = &item.path;
    let status = string_field(item, "status");
    if let Some(status) = status.filter(|status| !STATUSES.contains(status)) {
        problems.push(format!("{path}: unknown status {status:?}"));
    }
    for tag in item
        .front
        .get("tags")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let tag = tag.as_str().unwrap_or_default();
        if !vocabulary.contains(tag) {
            problems.push(format!("{path}: tag {tag:?} is not defined in site.toml"));
        }
    }
    let number = integer_field(item, "number").unwrap_or_default();
    for other in item
        .front
        .get("related")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let other = other.as_integer().unwrap_or_default();
        let pair = (number.min(other), number.max(other));
        if let Some(first) = related_pairs.insert(pair, path.clone()) {
            problems.push(format!(
                "{path}: the link {} ↔ {} is already declared in {first}; declare it once",
                pair.0, pair.1
            ));
        }
    }
    for target in array_of_tables(item, "targets") {
        let number = |key: &str| {
            target.get(key).and_then(|value| {
                value
                    .as_float()
                    .or_else(|| value.as_integer().map(|n| n as f64))
            })
        };
        if let (Some(goal), Some(actual)) = (number("goal"), number("actual"))
            && actual > goal
        {
            problems.push(format!(
                "{path}: target actual {actual} exceeds goal {goal}"
            ));
        }
    }
    check_sample_updates(item, status, problems);
}

/// An item's updates: each date once, each text marked as a sample in
/// both languages, the latest status the item's.
fn check_sample_updates(item: &Page, status: Option<&str>, problems: &mut Vec<String>) {
    let path = &item.path;
    let updates = array_of_tables(item, "updates");
    let mut dates = BTreeSet::new();
    let mut latest = None;
    for update in &updates {
        let date = update.get("date").map(date_key).unwrap_or_default();
        if !dates.insert(date.clone()) {
            problems.push(format!("{path}: two updates dated {date}"));
        }
        let text = update
            .get("text")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        if !text.starts_with("【示例】") {
            problems.push(format!(
                "{path}: update {date} does not start with 【示例】"
            ));
        }
        let update_status = update.get("status").and_then(toml::Value::as_str);
        if latest
            .as_ref()
            .is_none_or(|(latest_date, _)| &date > latest_date)
        {
            latest = Some((date, update_status));
        }
    }
    if let Some((date, update_status)) = latest
        && update_status.is_some()
        && update_status != status
    {
        problems.push(format!(
            "{path}: the latest update ({date}) says {update_status:?} but the item says {status:?}"
        ));
    }
    let english = english_path(path);
    if let Some(english) = repository()
        .join(&english)
        .is_file()
        .then(|| read_page(&english, problems))
        .flatten()
    {
        let texts = english.front.get("updates").and_then(toml::Value::as_table);
        for (date, update) in texts.into_iter().flatten() {
            let text = update
                .get("text")
                .and_then(toml::Value::as_str)
                .unwrap_or_default();
            if !text.starts_with("[Sample] ") {
                problems.push(format!(
                    "{}: update {date} does not start with \"[Sample] \"",
                    english.path
                ));
            }
        }
    }
}

/// Guards the seed parser itself, since every other claim rests on it.
#[test]
fn seed_parser_reads_the_plan_structure() {
    let seed = parse_seed(
        "标题\n\n\n总体要求。\n\n一、甲\n\n1.第一项。正文,一。\n\n2、第二项。正文。\n\n\
         二、乙\n\n3. 第三项。正文。\n\n第二段,含“12.4”。\n",
    );
    assert_eq!(seed.title, "标题");
    assert_eq!(seed.preamble, "总体要求。");
    assert_eq!(seed.sections.values().collect::<Vec<_>>(), ["甲", "乙"]);
    assert_eq!(seed.items[&1], (1, "第一项。正文,一。".to_string()));
    assert_eq!(seed.items[&2], (1, "第二项。正文。".to_string()));
    assert_eq!(
        seed.items[&3],
        (2, "第三项。正文。\n\n第二段,含“12.4”。".to_string())
    );
    assert_eq!(item_start("12.4日"), None);
    assert_eq!(item_start("2023年全市"), None);
}
