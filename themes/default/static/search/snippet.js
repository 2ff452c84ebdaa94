// Result snippets: the passage of a document's text around its best match,
// with the matched words marked.

import { isHan } from "./tokenize.js";

const LATIN_WORD_CHAR = /[\p{L}\p{N}]/u;

/** Display width of a code point: 2 for a wide (CJK) one, else 1 (as src/index/text.rs). */
function charWidth(ch) { return ch.codePointAt(0) >= 0x2E80 ? 2 : 1; }

/** A letter or digit of a word written with spaces (not Han). */
function wordChar(ch) { return ch !== undefined && LATIN_WORD_CHAR.test(ch) && !isHan(ch); }

/**
 * The matches of `terms` (a Set of search terms) in text: [{s, e, t}] in
 * code points, sorted; a one-character Han term matches that character
 * anywhere.
 */
function matches(analyzer, text, terms) {
  const out = [];
  if (!terms || !terms.size) return out;
  for (const t of analyzer.analyzeDetailed(text)) {
    if (terms.has(t.t)) out.push({ s: t.s, e: t.e, t: t.t });
  }
  const singles = new Set([...terms].filter((t) => Array.from(t).length === 1 && isHan(t)));
  if (singles.size) {
    const nc = analyzer.normalizeChars(text);
    nc.chars.forEach((c, i) => { if (singles.has(c)) out.push({ s: nc.src[i], e: nc.src[i] + 1, t: c }); });
  }
  return out.sort((a, b) => a.s - b.s || a.e - b.e);
}

/** Merges overlapping spans. */
function merge(spans) {
  const merged = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** Code point spans [start, end) of text matching the terms, merged. */
export function highlightSpans(analyzer, text, terms) {
  return merge(matches(analyzer, text, terms).map((m) => [m.s, m.e]));
}

/**
 * The run of matches [i, j] that fits in `width` and holds the most
 * distinct terms (the earliest such): where the snippet is centred.
 */
function bestRun(found, offset, width) {
  let best = null;
  for (let i = 0; i < found.length; i++) {
    const distinct = new Set();
    let j = i;
    while (j < found.length && offset[found[j].e] - offset[found[i].s] <= width) {
      distinct.add(found[j].t);
      j++;
    }
    if (!best || distinct.size > best.count) best = { i, j: Math.max(i, j - 1), count: distinct.size };
  }
  return best;
}

/**
 * The part of text to show, about `width` wide (a CJK character counts 2),
 * centred on the best match: {text, spans (marks within it), cutStart,
 * cutEnd}. Words written with spaces are not cut in two.
 */
export function snippet(analyzer, text, terms, width) {
  const cps = Array.from(text);
  const offset = [0];
  for (const ch of cps) offset.push(offset[offset.length - 1] + charWidth(ch));
  const total = offset[cps.length];
  const found = matches(analyzer, text, terms);
  let start = 0;
  let end = cps.length;
  if (total > width) {
    const run = found.length ? bestRun(found, offset, width) : null;
    let from = 0;
    if (run) {
      const mid = (offset[found[run.i].s] + offset[found[run.j].e]) / 2;
      from = Math.max(0, Math.min(total - width, mid - width / 2));
    }
    start = offset.findIndex((o) => o >= from);
    end = start;
    while (end < cps.length && offset[end + 1] - offset[start] <= width) end++;
    const firstMatch = run ? found[run.i].s : cps.length;
    const lastMatch = run ? found[run.j].e : 0;
    // Not in the middle of a word: forward to the next space, back to the previous one.
    if (start > 0 && wordChar(cps[start - 1]) && wordChar(cps[start])) {
      let k = start;
      while (k < firstMatch && cps[k] !== " ") k++;
      if (k < firstMatch) start = k + 1;
    }
    if (end < cps.length && wordChar(cps[end - 1]) && wordChar(cps[end])) {
      let k = end;
      while (k > lastMatch && cps[k - 1] !== " ") k--;
      if (k > lastMatch) end = k - 1;
    }
  }
  while (start < end && /\s/.test(cps[start])) start++;
  while (end > start && /\s/.test(cps[end - 1])) end--;
  const spans = merge(found.filter((m) => m.s >= start && m.e <= end).map((m) => [m.s - start, m.e - start]));
  return { text: cps.slice(start, end).join(""), spans, cutStart: start > 0, cutEnd: end < cps.length };
}
