//! Indexing one run of documents: every field of every document through
//! the elasticlunr language's tokenizer and pipeline, counted into a term
//! table with each term's occurrences packed as bytes (see the parent
//! module's documentation for why this is not elasticlunr's `Index`).

use std::collections::HashMap;

use elasticlunr::{Language, Pipeline};
use rayon::prelude::*;

use super::{
    BODY, BuildFxHasher, CHARS, Cancelled, FIELD_COUNT, NO_POS, NUMBER, PlanLanguage,
    SearchDocument, TAGS, TARGETS, TITLE, tokenize,
};

/// The range of [`ChunkBuilder::char_ids`].
const CHAR_TABLE_FIRST: usize = 0x3400;
const CHAR_TABLE_LEN: usize = 0xA000 - 0x3400;

/// Indexes the documents in parallel chunks (see [`ChunkIndex`]); `None`
/// if `cancelled` said so on the way.
pub(super) fn index_in_chunks(
    language: &str,
    documents: &[SearchDocument],
    size: usize,
    cancelled: Cancelled<'_>,
) -> Option<Vec<ChunkIndex>> {
    documents
        .par_chunks(size)
        .enumerate()
        .map(|(c, chunk)| {
            let mut builder = ChunkBuilder::new(language);
            for (i, doc) in chunk.iter().enumerate() {
                if i % 64 == 0 && cancelled() {
                    return None;
                }
                builder.add_doc((c * size + i) as u32, doc);
            }
            Some(builder.finish())
        })
        .collect()
}

/// One term in one document while indexing: its count in each field and
/// its first positions in the title and the body ([`NO_POS`] = none).
#[derive(Clone, Copy)]
pub(super) struct Occurrence {
    pub(super) doc: u32,
    pub(super) tf: [u32; FIELD_COUNT],
    pub(super) title_pos: u32,
    pub(super) body_pos: u32,
}

impl Occurrence {
    fn new(doc: u32) -> Self {
        Occurrence {
            doc,
            tf: [0; FIELD_COUNT],
            title_pos: NO_POS,
            body_pos: NO_POS,
        }
    }
}

/// A term's occurrences in a run of documents, in document order, as
/// bytes (a third of the memory of [`Occurrence`]s). Per document:
/// `varint(doc − previous doc)` (the first: the doc itself), a byte with
/// bit `f` set when the term is in field `f`, `varint(count − 1)` for each
/// such field in field order, then the first position in the title and in
/// the body when the term is in those fields. Varints are LEB128.
#[derive(Default)]
pub(super) struct Occurrences {
    bytes: Vec<u8>,
    last_doc: u32,
}

fn push_leb128(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn read_leb128(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u64;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 || shift >= 28 {
            break;
        }
        shift += 7;
    }
    value as u32
}

impl Occurrences {
    fn push(&mut self, o: &Occurrence) {
        let out = &mut self.bytes;
        push_leb128(out, o.doc - self.last_doc);
        self.last_doc = o.doc;
        let mut fields = 0u8;
        for (f, &tf) in o.tf.iter().enumerate() {
            fields |= u8::from(tf > 0) << f;
        }
        out.push(fields);
        for &tf in o.tf.iter().filter(|&&tf| tf > 0) {
            push_leb128(out, tf - 1);
        }
        if o.tf[TITLE] > 0 {
            push_leb128(out, o.title_pos);
        }
        if o.tf[BODY] > 0 {
            push_leb128(out, o.body_pos);
        }
    }

    /// Calls `f` with each occurrence, in document order.
    pub(super) fn for_each(&self, mut f: impl FnMut(&Occurrence)) {
        let bytes = &self.bytes;
        let mut at = 0;
        let mut doc = 0;
        while at < bytes.len() {
            doc += read_leb128(bytes, &mut at);
            let mut o = Occurrence::new(doc);
            let fields = bytes.get(at).copied().unwrap_or(0);
            at += 1;
            for (i, tf) in o.tf.iter_mut().enumerate() {
                if fields & (1 << i) != 0 {
                    *tf = read_leb128(bytes, &mut at) + 1;
                }
            }
            if o.tf[TITLE] > 0 {
                o.title_pos = read_leb128(bytes, &mut at);
            }
            if o.tf[BODY] > 0 {
                o.body_pos = read_leb128(bytes, &mut at);
            }
            f(&o);
        }
    }
}

/// The postings of a run of consecutive documents: terms by local id,
/// each term's occurrences, and each document's field lengths (in terms,
/// after the pipeline).
pub(super) struct ChunkIndex {
    pub(super) terms: Vec<String>,
    pub(super) occurrences: Vec<Occurrences>,
    pub(super) lengths: Vec<[u32; FIELD_COUNT]>,
    /// The plural-folded forms ([`tokenize::light`]) of the Latin words
    /// behind each term, as (term id, document, index in `lights`),
    /// sorted, once each.
    pub(super) variants: Vec<(u32, u32, u32)>,
    pub(super) lights: Vec<String>,
}

impl ChunkIndex {
    /// The (document, light form) pairs of term `id`, in document order.
    pub(super) fn variants_of(&self, id: u32) -> impl Iterator<Item = (u32, &str)> {
        let start = self.variants.partition_point(|v| v.0 < id);
        self.variants[start..]
            .iter()
            .take_while(move |v| v.0 == id)
            .map(|&(_, doc, light)| (doc, self.lights[light as usize].as_str()))
    }
}

/// Accumulates a [`ChunkIndex`], one document at a time.
struct ChunkBuilder {
    language: PlanLanguage,
    pipeline: Pipeline,
    /// Term ids: terms of up to 8 bytes by their bytes as a number (see
    /// [`short_key`]), longer ones by their text.
    short_ids: HashMap<u64, u32, BuildFxHasher>,
    long_ids: HashMap<String, u32, BuildFxHasher>,
    /// One-character terms from U+3400 to U+9FFF: 1 + id, 0 = none yet.
    char_ids: Vec<u32>,
    terms: Vec<String>,
    occurrences: Vec<Occurrences>,
    /// By term id: 1 + the term's index in `current`, 0 = not in the
    /// current document.
    slot: Vec<u32>,
    current: Vec<(u32, Occurrence)>,
    lengths: Vec<[u32; FIELD_COUNT]>,
    /// The current document's (term id, light id) pairs.
    current_variants: Vec<(u32, u32)>,
    variants: Vec<(u32, u32, u32)>,
    light_ids: HashMap<String, u32, BuildFxHasher>,
    lights: Vec<String>,
    /// Latin word → (term id, light id).
    latin_ids: HashMap<String, (u32, u32), BuildFxHasher>,
}

impl ChunkBuilder {
    fn new(language: &str) -> Self {
        let language = PlanLanguage::new(language);
        let pipeline = language.make_pipeline();
        ChunkBuilder {
            language,
            pipeline,
            short_ids: HashMap::default(),
            long_ids: HashMap::default(),
            char_ids: Vec::new(),
            terms: Vec::new(),
            occurrences: Vec::new(),
            slot: Vec::new(),
            current: Vec::new(),
            lengths: Vec::new(),
            current_variants: Vec::new(),
            variants: Vec::new(),
            light_ids: HashMap::default(),
            lights: Vec::new(),
            latin_ids: HashMap::default(),
        }
    }

    /// The term id and light form id of a Latin word (stemmed once per
    /// word and chunk: the same words come back again and again).
    fn latin_ids(&mut self, word: &str) -> (u32, u32) {
        if let Some(&ids) = self.latin_ids.get(word) {
            return ids;
        }
        let light = self.light_id(&tokenize::light(word));
        let mut term = word.to_string();
        tokenize::stem_in_place(&mut term);
        let id = self.id_of(&term);
        self.latin_ids.insert(word.to_string(), (id, light));
        (id, light)
    }

    fn light_id(&mut self, light: &str) -> u32 {
        if let Some(&id) = self.light_ids.get(light) {
            return id;
        }
        let id = self.lights.len() as u32;
        self.lights.push(light.to_string());
        self.light_ids.insert(light.to_string(), id);
        id
    }

    fn new_term(&mut self, term: String) -> u32 {
        let id = self.terms.len() as u32;
        self.terms.push(term);
        self.occurrences.push(Occurrences::default());
        self.slot.push(0);
        id
    }

    fn id_of(&mut self, term: &str) -> u32 {
        if let Some(key) = short_key(term) {
            if let Some(&id) = self.short_ids.get(&key) {
                return id;
            }
            let id = self.new_term(term.to_string());
            self.short_ids.insert(key, id);
            id
        } else {
            if let Some(&id) = self.long_ids.get(term) {
                return id;
            }
            let id = self.new_term(term.to_string());
            self.long_ids.insert(term.to_string(), id);
            id
        }
    }

    /// The id of a one-character term.
    fn id_of_char(&mut self, c: char) -> u32 {
        // The common CJK blocks through a table in front of the hash.
        let i = (c as usize).wrapping_sub(CHAR_TABLE_FIRST);
        if i < CHAR_TABLE_LEN {
            if self.char_ids.is_empty() {
                self.char_ids = vec![0; CHAR_TABLE_LEN];
            }
            if self.char_ids[i] > 0 {
                return self.char_ids[i] - 1;
            }
        }
        let mut utf8 = [0u8; 8];
        c.encode_utf8(&mut utf8);
        let key = u64::from_le_bytes(utf8);
        let id = match self.short_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.new_term(c.to_string());
                self.short_ids.insert(key, id);
                id
            }
        };
        if i < CHAR_TABLE_LEN {
            self.char_ids[i] = id + 1;
        }
        id
    }

    /// The occurrence of term `id` in document `doc` (the current one).
    fn occurrence(&mut self, id: u32, doc: u32) -> &mut Occurrence {
        let slot = &mut self.slot[id as usize];
        if *slot == 0 {
            self.current.push((id, Occurrence::new(doc)));
            *slot = self.current.len() as u32;
        }
        let i = *slot as usize - 1;
        &mut self.current[i].1
    }

    /// Runs a field's text through the elasticlunr language's tokenizer
    /// and the two filters of its pipeline (stop words, then the stemmer:
    /// [`tokenize::analyze_token`]), as `Index::add_doc` would, and counts
    /// the terms; notes the light form of each Latin word. Returns the
    /// field length.
    fn add_field(&mut self, doc: u32, field: usize, text: &str) -> u32 {
        let tokens = self.language.tokenize(text);
        let mut len = 0u32;
        for token in &tokens {
            if tokenize::is_stop_word(token) {
                continue;
            }
            let id = if tokenize::is_latin_word(token) {
                let (id, light) = self.latin_ids(token);
                self.current_variants.push((id, light));
                id
            } else {
                self.id_of(token)
            };
            let pos = len;
            len += 1;
            let o = self.occurrence(id, doc);
            o.tf[field] += 1;
            let first = match field {
                TITLE => &mut o.title_pos,
                BODY => &mut o.body_pos,
                _ => continue,
            };
            if *first == NO_POS {
                *first = pos;
            }
        }
        tokenize::recycle(tokens);
        len
    }

    /// The `chars` field: every Han character of the title and the body,
    /// normalized as the tokenizer does (a one-character term each).
    fn add_chars(&mut self, doc: u32, texts: [&str; 2]) -> u32 {
        let mut len = 0;
        for text in texts {
            for c in tokenize::han_chars(text) {
                let id = self.id_of_char(c);
                self.occurrence(id, doc).tf[CHARS] += 1;
                len += 1;
            }
        }
        len
    }

    fn add_doc(&mut self, doc: u32, d: &SearchDocument) {
        let mut lengths = [0; FIELD_COUNT];
        lengths[TITLE] = self.add_field(doc, TITLE, &d.title);
        lengths[BODY] = self.add_field(doc, BODY, &d.body);
        lengths[TAGS] = self.add_field(doc, TAGS, &d.tags.join("\n"));
        lengths[TARGETS] = self.add_field(doc, TARGETS, &d.target_labels.join("\n"));
        lengths[CHARS] = self.add_chars(doc, [&d.title, &d.body]);
        // The number field's tokenizer gives the one term `#<number>`.
        let number = self.pipeline.run(vec![format!("#{}", d.number)]);
        lengths[NUMBER] = number.len() as u32;
        for term in &number {
            let id = self.id_of(term);
            self.occurrence(id, doc).tf[NUMBER] += 1;
        }
        for (id, o) in self.current.drain(..) {
            self.slot[id as usize] = 0;
            self.occurrences[id as usize].push(&o);
        }
        self.current_variants.sort_unstable();
        self.current_variants.dedup();
        self.variants.extend(
            self.current_variants
                .drain(..)
                .map(|(term, light)| (term, doc, light)),
        );
        self.lengths.push(lengths);
    }

    fn finish(mut self) -> ChunkIndex {
        // In term order (documents were added in order).
        self.variants.sort_unstable();
        ChunkIndex {
            terms: self.terms,
            occurrences: self.occurrences,
            lengths: self.lengths,
            variants: self.variants,
            lights: self.lights,
        }
    }
}

/// A term of up to 8 bytes with no NUL byte as a number: its bytes,
/// little-endian, zero-padded (tokens never hold a NUL byte, but then the
/// term takes the long way).
#[inline]
fn short_key(term: &str) -> Option<u64> {
    let bytes = term.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 {
            return None;
        }
        key |= u64::from(b) << (8 * i);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_round_trip() {
        let mut cases = vec![Occurrence::new(0), Occurrence::new(7)];
        let mut o = Occurrence::new(9);
        o.tf = [63, 1023, 15, 15, 1023, 3];
        o.title_pos = 254;
        o.body_pos = 65_534;
        cases.push(o);
        let mut o = Occurrence::new(10);
        o.tf = [1, u32::MAX, 0, 200, 0, 1];
        o.title_pos = 0;
        o.body_pos = u32::MAX - 1;
        cases.push(o);
        let mut o = Occurrence::new(u32::MAX);
        o.tf[CHARS] = 2;
        cases.push(o);
        let mut stream = Occurrences::default();
        for o in &cases {
            stream.push(o);
        }
        let mut back = Vec::new();
        stream.for_each(|o| back.push((o.doc, o.tf, o.title_pos, o.body_pos)));
        let expected: Vec<_> = cases
            .iter()
            .map(|o| (o.doc, o.tf, o.title_pos, o.body_pos))
            .collect();
        assert_eq!(back, expected);
    }
}
