// Decoding the index files that src/index/ writes: posting lists
// (src/index/shards.rs) and the variants of stemmed terms
// (src/index/variants.rs).

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
const DIGIT = new Map(Array.from(ALPHABET, (c, i) => [c, i]));

/** The numbers of a string of base-64 varints. */
export function decodeVarints(str) {
  const out = [];
  let value = 0;
  let mul = 1;
  for (const ch of str) {
    const d = DIGIT.get(ch);
    if (d === undefined) continue;
    if (d >= 32) { value += (d - 32) * mul; mul *= 32; }
    else { out.push(value + d * mul); value = 0; mul = 1; }
  }
  return out;
}

/**
 * Decodes a posting list into [{doc, i, w, tp, bp}]: the posting's index
 * in the list, its weight x10, first title / body position (-1 = absent,
 * -2 = unknown: the compact list of a frequent term).
 */
export function decodePostings(str) {
  const compact = str.charAt(0) === "~";
  const v = decodeVarints(compact ? str.slice(1) : str);
  const out = [];
  let doc = 0;
  if (compact) {
    v.forEach((x, c) => {
      doc = c === 0 ? Math.floor(x / 8) : doc + Math.floor(x / 8);
      out.push({ doc, i: c, w: (x % 8) * 5, tp: -2, bp: -2 });
    });
    return out;
  }
  let p = 0;
  while (p + 1 < v.length) {
    doc = out.length === 0 ? v[p] : doc + v[p];
    const code = v[p + 1];
    p += 2;
    let tp = -1;
    let bp = -1;
    if (code & 2) tp = v[p++];
    if (code & 1) bp = v[p++];
    out.push({ doc, i: out.length, w: Math.floor(code / 4), tp, bp });
  }
  return out;
}

/**
 * Decodes a variants entry ("boarding:* board:!2") for a list of n
 * postings: [{form, has(postingIndex)}].
 */
export function decodeVariants(entry, n) {
  return String(entry).split(" ").filter(Boolean).map((part) => {
    const colon = part.lastIndexOf(":");
    const form = part.slice(0, colon);
    const set = part.slice(colon + 1);
    if (set === "*") return { form, has: () => true };
    const complement = set.startsWith("!");
    const listed = new Set();
    let previous = null;
    for (const d of decodeVarints(complement ? set.slice(1) : set)) {
      const i = previous === null ? d : previous + d;
      listed.add(i);
      previous = i;
    }
    return { form, has: (i) => i >= 0 && i < n && listed.has(i) !== complement };
  });
}

/**
 * Whether a posting of term `term` matches the query word whose light form
 * is `wanted` exactly (the document has that word, or a word it begins)
 * rather than through the stem alone. `variants`: decodeVariants output,
 * or null when every word behind the term is the term itself.
 */
export function exactMatcher(term, wanted, variants) {
  if (!variants) {
    const exact = term.startsWith(wanted);
    return () => exact;
  }
  const forms = variants.filter((v) => v.form.startsWith(wanted));
  return (posting) => forms.some((v) => v.has(posting.i));
}
