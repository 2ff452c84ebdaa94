//! Which words stand behind a stemmed term, so that the browser can tell
//! an exact word match from a match through the stem alone (issue #20:
//! *boarding* found item 28 through "across the board", both stemmed to
//! *board*).
//!
//! A Latin word's *light* form ([`tokenize::light`]) folds only regular
//! plurals: `schools` and `school` are one word, `boarding` and `board`
//! two. For a term whose words all have the term itself as light form
//! (most terms: `school` from "school" and "schools"), nothing is stored,
//! and the browser takes a match as exact when the query word's light
//! form is the term. For any other term, its shard holds, under the key
//! `=<term>`, the light forms and the postings that have each:
//!
//! ```text
//! "=board": "boarding:* board:!2"
//! ```
//!
//! Forms are separated by a space, most frequent first, each followed by
//! `:` and the set of posting indices (positions in the term's posting
//! list, in document order) whose document has that form: `*` for all,
//! varints ([`shards::push_varint`]) of the ascending indices as deltas
//! (the first one the index itself), or `!` and the same for the indices
//! that do not have it, whichever is shorter.
//!
//! [`tokenize::light`]: super::tokenize::light

use std::collections::BTreeMap;

use super::shards;

/// The variant entry of `term`: `docs` are the documents of its postings
/// in order, `forms` each (document, light form) pair of its Latin words,
/// in document order. `None` when the term needs none (no Latin word
/// behind it, or only words whose light form is the term).
pub(super) fn encode<'a>(
    term: &str,
    docs: impl Iterator<Item = u32>,
    forms: impl Iterator<Item = (u32, &'a str)>,
) -> Option<String> {
    let docs: Vec<u32> = docs.collect();
    let mut by_form: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut at = 0usize;
    for (doc, form) in forms {
        while at < docs.len() && docs[at] < doc {
            at += 1;
        }
        if at == docs.len() || docs[at] != doc {
            // Cannot happen (every word adds to its term's postings).
            continue;
        }
        let indices = by_form.entry(form).or_default();
        if indices.last() != Some(&(at as u32)) {
            indices.push(at as u32);
        }
    }
    if by_form.keys().all(|&form| form == term) {
        return None;
    }
    let mut forms: Vec<(&str, Vec<u32>)> = by_form.into_iter().collect();
    forms.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (i, (form, indices)) in forms.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(form);
        out.push(':');
        out.push_str(&encode_set(indices, docs.len()));
    }
    Some(out)
}

/// A set of posting indices (ascending) out of `n` (see the module
/// documentation).
fn encode_set(indices: &[u32], n: usize) -> String {
    if indices.len() == n {
        return "*".into();
    }
    let deltas = |set: &mut dyn Iterator<Item = u32>| {
        let mut out = String::new();
        let mut previous = None;
        for i in set {
            shards::push_varint(&mut out, u64::from(previous.map_or(i, |p| i - p)));
            previous = Some(i);
        }
        out
    };
    let present = deltas(&mut indices.iter().copied());
    let mut has = indices.iter().copied().peekable();
    let mut absent = (0..n as u32).filter(|&i| {
        if has.peek() == Some(&i) {
            has.next();
            false
        } else {
            true
        }
    });
    let absent = format!("!{}", deltas(&mut absent));
    if absent.len() < present.len() {
        absent
    } else {
        present
    }
}

/// Decodes an entry: each light form with the sorted posting indices that
/// have it, for `n` postings (used by tests; the browser has its own).
pub fn decode(entry: &str, n: usize) -> Vec<(String, Vec<u32>)> {
    entry
        .split(' ')
        .filter_map(|part| {
            let (form, set) = part.split_once(':')?;
            let indices: Vec<u32> = if set == "*" {
                (0..n as u32).collect()
            } else {
                let (complement, digits) = match set.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, set),
                };
                let mut listed = Vec::new();
                let mut previous: Option<u32> = None;
                for d in shards::decode_varints(digits) {
                    let i = previous.map_or(d as u32, |p| p + d as u32);
                    listed.push(i);
                    previous = Some(i);
                }
                if complement {
                    (0..n as u32).filter(|i| !listed.contains(i)).collect()
                } else {
                    listed
                }
            };
            Some((form.to_string(), indices))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(
        term: &str,
        docs: &[u32],
        forms: &[(u32, &str)],
    ) -> Option<Vec<(String, Vec<u32>)>> {
        let entry = encode(term, docs.iter().copied(), forms.iter().copied())?;
        Some(decode(&entry, docs.len()))
    }

    #[test]
    fn a_term_whose_words_are_the_term_needs_no_entry() {
        assert_eq!(
            round_trip("school", &[1, 4], &[(1, "school"), (4, "school")]),
            None
        );
        assert_eq!(round_trip("16", &[1, 4], &[]), None);
    }

    #[test]
    fn forms_list_their_postings_most_frequent_first() {
        let docs = [2, 5, 9, 12, 30];
        let forms = [
            (2, "boarding"),
            (5, "board"),
            (5, "boarding"),
            (9, "boarding"),
            (12, "boarding"),
            (30, "boarding"),
        ];
        let entry = encode("board", docs.iter().copied(), forms.iter().copied()).unwrap();
        assert_eq!(entry, "boarding:* board:1");
        assert_eq!(
            decode(&entry, 5),
            [
                ("boarding".to_string(), vec![0, 1, 2, 3, 4]),
                ("board".to_string(), vec![1])
            ]
        );
        // A form in most postings is written as the ones without it.
        let forms = [
            (2, "educ"),
            (5, "education"),
            (9, "education"),
            (12, "education"),
            (30, "education"),
        ];
        let entry = encode("educ", docs.iter().copied(), forms.iter().copied()).unwrap();
        assert_eq!(entry, "education:!0 educ:0");
        assert_eq!(decode(&entry, 5)[0].1, [1, 2, 3, 4]);
    }

    #[test]
    fn sets_round_trip() {
        let n = 200usize;
        for step in [1u32, 2, 3, 7, 50, 199] {
            let indices: Vec<u32> = (0..n as u32).step_by(step as usize).collect();
            let docs: Vec<u32> = (0..n as u32).map(|d| d * 3).collect();
            let forms: Vec<(u32, &str)> = indices
                .iter()
                .map(|&i| (i * 3, "x"))
                .chain([(3, "y")])
                .collect();
            let mut forms = forms;
            forms.sort();
            let decoded = round_trip("z", &docs, &forms).unwrap();
            let x = decoded.iter().find(|(f, _)| f == "x").unwrap();
            assert_eq!(x.1, indices, "step {step}");
        }
    }
}
