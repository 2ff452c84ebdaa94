//! The search tokenizer, shared bit for bit with `themes/default/static/search.js`.
//!
//! A text becomes search terms in two steps, exactly as elasticlunr runs them:
//!
//! 1. [`tokenize`] (the [`Language`](elasticlunr::Language) tokenizer):
//!    each character is folded (full-width ASCII → ASCII, ideographic space →
//!    space), lowercased and mapped from traditional to simplified Chinese
//!    (table `t2s.txt`); then
//!    - a run of Han characters gives its overlapping bigrams (寄宿制 → 寄宿,
//!      宿制), or the character itself when the run is one character long;
//!    - a run of ASCII digits is a number: `4,500` → `4500` (a comma followed
//!      by exactly three digits is a thousands separator), `3.5` stays `3.5`,
//!      `95%` → `95`;
//!    - any other run of letters (Unicode alphabetic or numeric, not Han, not
//!      an ASCII digit) is a word; a possessive `'s` is dropped;
//!    - everything else separates tokens; a token is cut to
//!      [`MAX_TOKEN_CHARS`] characters.
//! 2. [`pipeline`] (the elasticlunr [`Pipeline`]): English stop words are
//!    dropped ([`STOP_WORDS`]) and words made of `a`–`z` are stemmed with the
//!    Porter algorithm ([`stem`]).
//!
//! The shared table `tests/data/tokenizer_cases.json` is checked against this
//! module (`tests/search_tokenizer.rs`) and against the JavaScript
//! (`tests/js/tokenizer.test.js`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use elasticlunr::Pipeline;
use elasticlunr::pipeline::FnWrapper;

pub use super::porter::stem;

/// Tokens longer than this many characters are cut to it.
pub const MAX_TOKEN_CHARS: usize = 32;

/// The only stop words: frequent English function words. Chinese needs none
/// (bigrams of function characters carry little weight through idf).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
];

/// The traditional → simplified table, the one source for both sides.
pub const T2S_TABLE: &str = include_str!("t2s.txt");

/// The pairs of [`T2S_TABLE`] as one string, traditional then simplified
/// character (the format of the index's `t2s/<i>.json` buckets).
pub fn t2s_pairs() -> String {
    let mut out = String::new();
    for (t, s) in parse_t2s(T2S_TABLE) {
        out.push(t);
        out.push(s);
    }
    out
}

/// Parses the table format of `t2s.txt`: pairs of two characters separated
/// by white space, `#` comment lines. Malformed entries are skipped; the
/// first mapping of a character wins.
pub fn parse_t2s(text: &str) -> Vec<(char, char)> {
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for entry in line.split_whitespace() {
            let mut chars = entry.chars();
            if let (Some(t), Some(s), None) = (chars.next(), chars.next(), chars.next())
                && t != s
                && !seen.contains_key(&t)
            {
                seen.insert(t, s);
                out.push((t, s));
            }
        }
    }
    out
}

/// The table as a dense array over the range of its traditional characters
/// (all in the BMP's CJK block), for a lookup per character.
struct T2sTable {
    first: u32,
    simplified: Vec<char>,
}

fn t2s_table() -> &'static T2sTable {
    static TABLE: OnceLock<T2sTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let pairs = parse_t2s(T2S_TABLE);
        let first = pairs.iter().map(|&(t, _)| t as u32).min().unwrap_or(0);
        let last = pairs.iter().map(|&(t, _)| t as u32).max().unwrap_or(0);
        let mut simplified = vec!['\0'; (last + 1 - first) as usize];
        if !pairs.is_empty() {
            for (t, s) in pairs {
                simplified[(t as u32 - first) as usize] = s;
            }
        } else {
            simplified.clear();
        }
        T2sTable { first, simplified }
    })
}

/// The simplified form of `c` (itself when the table has none).
#[inline]
fn simplify(c: char) -> char {
    let table = t2s_table();
    match table
        .simplified
        .get((c as u32).wrapping_sub(table.first) as usize)
    {
        Some(&s) if s != '\0' => s,
        _ => c,
    }
}

/// Is `c` a Han (CJK ideograph) character?
#[inline]
pub fn is_han(c: char) -> bool {
    let c = c as u32;
    // Most characters are below the first block or in the main two.
    if c < 0x3400 {
        return false;
    }
    if c <= 0x9FFF {
        return c <= 0x4DBF || c >= 0x4E00;
    }
    matches!(c, 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3134F)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Folds, lowercases and simplifies one character, pushing the result(s).
#[inline]
fn normalize_char(c: char, out: &mut Vec<char>) {
    // Fast paths with the same result: ASCII only lowercases, and a Han
    // character has no case.
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_han(c) {
        out.push(simplify(c));
        return;
    }
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    for lc in c.to_lowercase() {
        out.push(simplify(lc));
    }
}

/// The normalized characters of `text` (see the module documentation).
pub fn normalize(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        normalize_char(c, &mut out);
    }
    out.into_iter().collect()
}

/// The Han characters of `normalize(text)`, in order, without building it:
/// only a Han character normalizes to a Han character (the table maps Han
/// to Han), and it normalizes to one character.
pub fn han_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|&c| is_han(c)).map(simplify)
}

/// Buffers kept from one call to the next on a thread: the normalized
/// characters, and token strings and lists given back by [`recycle`], so
/// that tokenizing a text allocates nothing once warm.
#[derive(Default)]
struct Spare {
    chars: Vec<char>,
    strings: Vec<String>,
    lists: Vec<Vec<String>>,
}

/// Most strings kept by [`recycle`], per thread.
const MAX_SPARE_STRINGS: usize = 1 << 15;
/// Largest character buffer kept, in characters.
const MAX_SPARE_CHARS: usize = 1 << 16;

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// Gives back a list of tokens (or terms) that the caller is done with:
/// the next [`tokenize`] calls on this thread reuse its strings.
pub fn recycle(mut list: Vec<String>) {
    let _ = SPARE.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        let room = MAX_SPARE_STRINGS.saturating_sub(spare.strings.len());
        spare.strings.extend(list.drain(..).take(room));
        if spare.lists.len() < 4 {
            spare.lists.push(list);
        }
    });
}

/// Step 1: text → raw tokens (before stop words and stemming).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut spare = SPARE.try_with(|s| s.take()).unwrap_or_default();
    let mut cs = std::mem::take(&mut spare.chars);
    cs.clear();
    for c in text.chars() {
        normalize_char(c, &mut cs);
    }
    let mut tokens = spare.lists.pop().unwrap_or_default();
    tokens.clear();
    tokenize_normalized(&cs, &mut tokens, &mut spare.strings);
    if cs.capacity() <= MAX_SPARE_CHARS {
        spare.chars = cs;
    }
    let _ = SPARE.try_with(|s| s.replace(spare));
    tokens
}

/// Pushes `chars` (at most [`MAX_TOKEN_CHARS`] of them) as a token, in a
/// spare string when there is one.
fn push_token(tokens: &mut Vec<String>, spare: &mut Vec<String>, chars: &[char]) {
    let chars = &chars[..chars.len().min(MAX_TOKEN_CHARS)];
    let mut token = spare.pop().unwrap_or_default();
    token.clear();
    for &c in chars {
        token.push(c);
    }
    tokens.push(token);
}

fn tokenize_normalized(cs: &[char], tokens: &mut Vec<String>, spare: &mut Vec<String>) {
    let n = cs.len();
    let digit = |i: usize| i < n && cs[i].is_ascii_digit();
    // Enough for words, half enough for Han bigrams (one per character).
    tokens.reserve(n / 2 + 1);
    let mut number: Vec<char> = Vec::new();
    let mut i = 0;
    while i < n {
        let c = cs[i];
        if is_han(c) {
            let mut j = i + 1;
            while j < n && is_han(cs[j]) {
                j += 1;
            }
            if j - i == 1 {
                push_token(tokens, spare, &cs[i..j]);
            } else {
                for k in i..j - 1 {
                    push_token(tokens, spare, &cs[k..k + 2]);
                }
            }
            i = j;
        } else if c.is_ascii_digit() {
            number.clear();
            let mut j = i;
            while digit(j) {
                number.push(cs[j]);
                j += 1;
            }
            // Thousands separators: ",ddd" not followed by another digit.
            while j < n
                && cs[j] == ','
                && digit(j + 1)
                && digit(j + 2)
                && digit(j + 3)
                && !digit(j + 4)
            {
                number.extend_from_slice(&cs[j + 1..j + 4]);
                j += 4;
            }
            // One decimal part.
            if j < n && cs[j] == '.' && digit(j + 1) {
                number.push('.');
                j += 1;
                while digit(j) {
                    number.push(cs[j]);
                    j += 1;
                }
            }
            push_token(tokens, spare, &number);
            i = j;
        } else if is_word_char(c) {
            let mut j = i;
            loop {
                // ASCII letters first (the same test, quicker).
                while j < n && cs[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if j < n && !cs[j].is_ascii() && is_word_char(cs[j]) && !is_han(cs[j]) {
                    j += 1;
                } else {
                    break;
                }
            }
            push_token(tokens, spare, &cs[i..j]);
            // A possessive 's (children's → children).
            if j + 1 < n
                && (cs[j] == '\'' || cs[j] == '\u{2019}')
                && cs[j + 1] == 's'
                && (j + 2 == n || !is_word_char(cs[j + 2]))
            {
                j += 2;
            }
            i = j;
        } else {
            i += 1;
        }
    }
}

/// Is `token` one of [`STOP_WORDS`]?
#[inline]
pub fn is_stop_word(token: &str) -> bool {
    // The same list as a match, which compiles to a few comparisons.
    matches!(
        token,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "for"
            | "from"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "that"
            | "the"
            | "this"
            | "to"
            | "was"
            | "were"
            | "will"
            | "with"
    )
}

fn stop_word_filter(token: String) -> Option<String> {
    if is_stop_word(&token) {
        None
    } else {
        Some(token)
    }
}

/// Slots of the stem cache of [`stem_in_place`], per thread.
const STEM_CACHE_SLOTS: usize = 1 << 13;

/// Is `token` a word of `a`–`z` only (what the stemmer and [`light`]
/// change)?
#[inline]
pub fn is_latin_word(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_lowercase())
}

/// Replaces a token by its search term: a word of three or more letters
/// `a`–`z` by its Porter stem, anything else unchanged.
pub fn stem_in_place(token: &mut String) {
    if token.len() <= 2 || !is_latin_word(token) {
        return;
    }
    // The same words come back again and again: a direct-mapped cache of
    // (word, stem) by the word's hash.
    thread_local! {
        static STEMS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    }
    let slot = BuildHasher::hash_one(&super::BuildFxHasher::default(), token.as_str()) as usize
        % STEM_CACHE_SLOTS;
    let cached = STEMS.try_with(|stems| {
        let mut stems = stems.borrow_mut();
        if stems.is_empty() {
            stems.resize(STEM_CACHE_SLOTS, (String::new(), String::new()));
        }
        let (word, stemmed) = &mut stems[slot];
        if *word != *token {
            word.clear();
            word.push_str(token);
            *stemmed = stem(token);
        }
        // A stem is never longer than its word: no allocation.
        token.clear();
        token.push_str(stemmed);
    });
    if cached.is_err() {
        *token = stem(token);
    }
}

fn stemmer_filter(mut token: String) -> Option<String> {
    stem_in_place(&mut token);
    Some(token)
}

/// The plural-folded ("light") form of a word of `a`–`z`: what tells an
/// exact word match (`schools` for `school`) from a match through the stem
/// alone (`board` for `boarding`, both stemmed to *board*). Regular
/// plurals only: `-ies` → `-y`, `-sses`, `-ches`, `-shes`, `-xes` → less
/// `-es`, and a final `-s` unless the word ends in `-ss`, `-us` or `-is`;
/// words of three letters or fewer, and other tokens, unchanged.
pub fn light(word: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let n = word.len();
    if n <= 3 || !is_latin_word(word) {
        return Cow::Borrowed(word);
    }
    if n > 4 && word.ends_with("ies") {
        return Cow::Owned(format!("{}y", &word[..n - 3]));
    }
    if ["sses", "ches", "shes", "xes"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        return Cow::Borrowed(&word[..n - 2]);
    }
    if word.ends_with('s') && !["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
        return Cow::Borrowed(&word[..n - 1]);
    }
    Cow::Borrowed(word)
}

/// Step 2, the elasticlunr pipeline: `planpub-stop-word-filter`, then
/// `planpub-stemmer`.
pub fn pipeline() -> Pipeline {
    Pipeline {
        queue: vec![
            Box::new(FnWrapper(
                "planpub-stop-word-filter".into(),
                stop_word_filter,
            )),
            Box::new(FnWrapper("planpub-stemmer".into(), stemmer_filter)),
        ],
    }
}

/// Step 2 for one token: its search term, or `None` for a stop word (the
/// two filters of [`pipeline`], in its order).
pub fn analyze_token(token: String) -> Option<String> {
    stop_word_filter(token).and_then(stemmer_filter)
}

/// Both steps: the search terms of a text, in order.
pub fn analyze(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in tokenize(text) {
        if let Some(t) = stop_word_filter(token).and_then(stemmer_filter) {
            out.push(t);
        }
    }
    out
}

/// FNV-1a (32 bit) of the UTF-8 bytes of `s`: picks a term's shard.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycled_strings_do_not_leak_into_tokens() {
        let text = "寄宿制学校 Kindergartens 4,500 children's 雙減 园";
        let first = tokenize(text);
        recycle((0..100).map(|i| "x".repeat(i)).collect());
        recycle(first.clone());
        assert_eq!(tokenize(text), first);
        assert_eq!(tokenize(""), Vec::<String>::new());
        assert_eq!(tokenize(text), first);
    }

    #[test]
    fn stop_word_match_is_the_list() {
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        let mut n = 0;
        for a in b'a'..=b'z' {
            for len in 1..=4 {
                for b in [b'a', b'e', b'h', b'n', b'o', b'r', b's', b't'] {
                    let w: String = std::iter::once(a as char)
                        .chain(std::iter::repeat_n(b as char, len - 1))
                        .collect();
                    n += 1;
                    assert_eq!(is_stop_word(&w), STOP_WORDS.contains(&w.as_str()), "{w}");
                }
            }
        }
        assert!(n > 0);
        assert!(!is_stop_word("The") && !is_stop_word("") && !is_stop_word("tho"));
    }

    #[test]
    fn t2s_table_is_well_formed() {
        let pairs = parse_t2s(T2S_TABLE);
        assert!(pairs.len() > 1000);
        let keys: BTreeMap<char, char> = pairs.iter().copied().collect();
        assert_eq!(
            keys.len(),
            pairs.len(),
            "a traditional character is listed twice"
        );
        for (t, s) in &pairs {
            assert!(is_han(*t) && is_han(*s), "{t}{s}");
            assert!(!keys.contains_key(s), "chain {t} -> {s} -> {}", keys[s]);
        }
        for needed in "雙減學園幼兒國語師資體育藝術勞動職業義務優質均衡寄宿縣鄉村區財經費".chars()
        {
            let n = normalize(&needed.to_string());
            assert!(!n.chars().any(|c| keys.contains_key(&c)), "{needed}");
        }
        assert_eq!(normalize("雙減"), "双减");
    }
}
