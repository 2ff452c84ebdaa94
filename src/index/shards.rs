//! Encoding of the sharded index files: compact posting lists, the shard a
//! term lives in, and the content hash.
//!
//! A posting list is a string of base-64 varints (alphabet [`ALPHABET`];
//! a digit below 32 ends a number, a digit of 32 or more carries 5 more bits,
//! least significant group first). For each document containing the term,
//! in increasing document order:
//!
//! ```text
//! varint(doc - previous doc)           (the first one is the doc itself)
//! varint(weight * 4 + in_title * 2 + in_body)
//! varint(first position in the title)  only when in_title
//! varint(first position in the body)   only when in_body
//! ```
//!
//! `weight` is the term's BM25 weight in that document summed over the
//! fields with their boosts, times 10, rounded (at least 1); the browser
//! multiplies it by the term's idf, computed from the list's length.
//!
//! A frequent term (see [`is_frequent`]) has a low idf and a long list, so
//! its list is stored compactly instead: `~` then, per document,
//! `varint((doc - previous doc) * 8 + level)` where `level` (1–7) is the
//! weight in steps of 5 (half a BM25 unit); no positions. Most such
//! postings take one character.

/// The 64 digits of the posting varints; all are JSON- and URL-safe.
pub const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Appends `value` as a varint.
pub fn push_varint(out: &mut String, mut value: u64) {
    while value >= 32 {
        out.push(ALPHABET[32 + (value & 31) as usize] as char);
        value >>= 5;
    }
    out.push(ALPHABET[value as usize] as char);
}

/// Decodes a string of varints (used by tests; the browser has its own).
pub fn decode_varints(s: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut value = 0u64;
    let mut shift = 0;
    for b in s.bytes() {
        let Some(d) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        let d = d as u64;
        if d >= 32 {
            value |= (d - 32) << shift;
            shift += 5;
        } else {
            out.push(value | (d << shift));
            value = 0;
            shift = 0;
        }
    }
    out
}

/// One document's entry in a term's posting list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    pub doc: u32,
    /// Quantized weight (≥ 1).
    pub weight: u32,
    /// First position of the term among the title's terms.
    pub title_pos: Option<u32>,
    /// First position of the term among the body's terms.
    pub body_pos: Option<u32>,
}

/// Encodes postings sorted by document.
pub fn encode_postings(postings: &[Posting]) -> String {
    let mut out = String::new();
    let mut previous = 0u32;
    for (i, p) in postings.iter().enumerate() {
        let delta = if i == 0 {
            p.doc
        } else {
            p.doc.saturating_sub(previous)
        };
        previous = p.doc;
        push_varint(&mut out, u64::from(delta));
        let flags = u64::from(p.title_pos.is_some()) * 2 + u64::from(p.body_pos.is_some());
        push_varint(&mut out, u64::from(p.weight) * 4 + flags);
        if let Some(t) = p.title_pos {
            push_varint(&mut out, u64::from(t));
        }
        if let Some(b) = p.body_pos {
            push_varint(&mut out, u64::from(b));
        }
    }
    out
}

/// Does a term found in `df` of `docs` documents get the compact list?
pub fn is_frequent(df: usize, docs: usize) -> bool {
    df >= 64 && df * 16 >= docs
}

/// The compact level (1–7) of a weight.
pub fn compact_level(weight: u32) -> u32 {
    ((weight + 2) / 5).clamp(1, 7)
}

/// Encodes the compact list of a frequent term (postings sorted by doc).
pub fn encode_compact(postings: &[Posting]) -> String {
    let mut out = String::from("~");
    let mut previous = 0u32;
    for (i, p) in postings.iter().enumerate() {
        let delta = if i == 0 {
            p.doc
        } else {
            p.doc.saturating_sub(previous)
        };
        previous = p.doc;
        push_varint(
            &mut out,
            u64::from(delta) * 8 + u64::from(compact_level(p.weight)),
        );
    }
    out
}

/// Decodes [`encode_postings`] or [`encode_compact`] output. Compact lists
/// give weights in multiples of 5 and no positions.
pub fn decode_postings(s: &str) -> Vec<Posting> {
    if let Some(rest) = s.strip_prefix('~') {
        let mut doc = 0u64;
        return decode_varints(rest)
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                doc = if i == 0 { v / 8 } else { doc + v / 8 };
                Posting {
                    doc: doc as u32,
                    weight: (v % 8) as u32 * 5,
                    title_pos: None,
                    body_pos: None,
                }
            })
            .collect();
    }
    let v = decode_varints(s);
    let mut out = Vec::new();
    let mut i = 0;
    let mut doc = 0u64;
    while i + 1 < v.len() {
        doc = if out.is_empty() { v[i] } else { doc + v[i] };
        let code = v[i + 1];
        i += 2;
        let mut title_pos = None;
        let mut body_pos = None;
        if code & 2 != 0 && i < v.len() {
            title_pos = Some(v[i] as u32);
            i += 1;
        }
        if code & 1 != 0 && i < v.len() {
            body_pos = Some(v[i] as u32);
            i += 1;
        }
        out.push(Posting {
            doc: doc as u32,
            weight: (code / 4) as u32,
            title_pos,
            body_pos,
        });
    }
    out
}

/// The shard holding `term` when there are `shards` shards.
pub fn shard_of(term: &str, shards: u32) -> u32 {
    super::tokenize::fnv1a(term) % shards.max(1)
}

/// FNV-1a (64 bit), for the content hash of the whole index.
pub fn fnv1a64(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

pub const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let values = [
            0u64,
            1,
            31,
            32,
            33,
            1023,
            1024,
            65_535,
            1 << 31,
            u64::from(u32::MAX),
        ];
        let mut s = String::new();
        for v in values {
            push_varint(&mut s, v);
        }
        assert_eq!(decode_varints(&s), values);
        let mut one = String::new();
        push_varint(&mut one, 31);
        assert_eq!(one, "v");
    }

    #[test]
    fn postings_round_trip() {
        let postings = vec![
            Posting {
                doc: 3,
                weight: 12,
                title_pos: Some(0),
                body_pos: Some(40),
            },
            Posting {
                doc: 4,
                weight: 1,
                title_pos: None,
                body_pos: Some(2),
            },
            Posting {
                doc: 900,
                weight: 170,
                title_pos: Some(5),
                body_pos: None,
            },
            Posting {
                doc: 901,
                weight: 7,
                title_pos: None,
                body_pos: None,
            },
        ];
        assert_eq!(decode_postings(&encode_postings(&postings)), postings);
        let compact: Vec<Posting> = decode_postings(&encode_compact(&postings));
        assert_eq!(
            compact
                .iter()
                .map(|p| (p.doc, p.weight))
                .collect::<Vec<_>>(),
            [(3, 10), (4, 5), (900, 35), (901, 5)]
        );
        assert!(
            compact
                .iter()
                .all(|p| p.title_pos.is_none() && p.body_pos.is_none())
        );
        assert!(is_frequent(64, 1000) && !is_frequent(63, 1000) && !is_frequent(100, 10_000));
    }
}
