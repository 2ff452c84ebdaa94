// The search engine: runs a query over one language's sharded index
// (src/index/), fetching only the files the query needs. How the text was
// analyzed and how to rank come from the index manifest (`analyzer`,
// `scoring`); this module has no language rule or weight of its own.

import { Analyzer, editDistanceAtMostOne, edits1, fnv1a, isLatinWord, parseNumberQuery } from "./tokenize.js";
import { decodePostings, decodeVariants, exactMatcher } from "./format.js";
import { synonymQueries } from "./synonyms.js";

/** The index format this engine reads (src/index/mod.rs FORMAT_VERSION). */
export const FORMAT_VERSION = 2;

async function fetchText(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`HTTP ${r.status} for ${url}`);
  return r.text();
}

/**
 * A search over one language's index folder. Options: fetchText(url) →
 * Promise<string> (default: fetch), synonyms: [{from, to: [...]}] (see
 * synonyms.js).
 */
export class Engine {
  constructor(indexUrl, options = {}) {
    this.base = indexUrl.replace(/\/?$/, "/");
    this.fetchText = options.fetchText || fetchText;
    this.synonyms = options.synonyms || [];
    this.cache = new Map();
    this.bytes = 0;
    this.requests = [];
    this.m = null;
    this.analyzer = null;
    this.manifestPromise = null;
    this.t2sLoaded = new Set();
  }

  /** Fetches and parses an index file once (versioned: with ?v=<hash>). */
  get(name, versioned) {
    let url = this.base + name;
    if (versioned && this.m) url += `?v=${this.m.hash}`;
    if (!this.cache.has(url)) {
      const p = (async () => {
        const text = await this.fetchText(url);
        this.bytes += new TextEncoder().encode(text).length;
        this.requests.push(name);
        return JSON.parse(text);
      })();
      this.cache.set(url, p);
      p.catch(() => this.cache.delete(url));
    }
    return this.cache.get(url);
  }

  /** The manifest (fetched on the first search). */
  manifest() {
    if (!this.manifestPromise) {
      this.manifestPromise = (async () => {
        const m = await this.get("manifest.json", false);
        if (!m || m.format !== "planpub-search" || m.version !== FORMAT_VERSION) throw new Error("unsupported search index");
        this.analyzer = new Analyzer(m.analyzer);
        this.m = m;
        return m;
      })();
      this.manifestPromise.catch(() => { this.manifestPromise = null; });
    }
    return this.manifestPromise;
  }

  /** A term's postings: {list (doc order), byDoc: Map doc → posting, variants}. */
  async postings(term) {
    const shard = fnv1a(term) % Math.max(1, this.m.shards);
    const s = await this.get(`shards/${shard}.json`, true);
    const own = (k) => Object.prototype.hasOwnProperty.call(s, k);
    const list = own(term) ? decodePostings(s[term]) : [];
    const variants = own(`=${term}`) ? decodeVariants(s[`=${term}`], list.length) : null;
    return { list, byDoc: new Map(list.map((p) => [p.doc, p])), variants };
  }

  /** Vocabulary terms near a Latin word that is not in the index (typos, prefixes). */
  async expand(term, raw) {
    const m = this.m;
    const first = term[0];
    if (!/^[a-z]{3,}$/.test(term) || !m.vocab || !m.vocab.includes(first)) return [];
    const vocab = await this.get(`vocab/${first}.json`, true);
    const inVocab = new Set(vocab);
    // The stems of the raw word's one-typo variants (vocatinal -> vocational -> vocat).
    const stemmedEdits = new Set();
    if (/^[a-z]{4,}$/.test(raw)) {
      for (const e of edits1(raw)) {
        const s = this.analyzer.stem(e);
        if (s !== term && inVocab.has(s)) stemmedEdits.add(s);
      }
    }
    const typo = [];
    const prefix = [];
    for (const v of vocab) {
      if (v === term) continue;
      if ((term.length >= 4 && editDistanceAtMostOne(v, term)) || (raw.length >= 4 && editDistanceAtMostOne(v, raw)) ||
          stemmedEdits.has(v)) {
        typo.push(v);
      } else if (v.startsWith(term) || v.startsWith(raw) ||
          (v.length >= 4 && raw.startsWith(v) && raw.length - v.length <= 2)) {
        prefix.push(v);
      }
    }
    const byCloseness = (a, b) =>
      Math.abs(a.length - term.length) - Math.abs(b.length - term.length) || (a < b ? -1 : a > b ? 1 : 0);
    typo.sort(byCloseness);
    prefix.sort(byCloseness);
    return typo.concat(prefix).slice(0, m.scoring.expansions);
  }

  /** Document ids allowed by the filters, as a predicate (null = all). */
  async filter(filters) {
    const m = this.m;
    const section = filters && filters.section ? String(filters.section) : "";
    const status = filters && filters.status ? String(filters.status) : "";
    if (!section && !status) return null;
    const [sections, statuses] = await Promise.all([
      section ? this.get("sections.json", true) : null,
      status ? this.get("status.json", true) : null,
    ]);
    const runs = sections ? sections.r.filter((r) => String(r[2]) === section) : null;
    let code = null;
    if (statuses) {
      const idx = (m.statusKeys || []).indexOf(status);
      code = status === "none" ? "-" : idx >= 0 ? idx.toString(36) : "?";
    }
    return (doc) => {
      if (runs && !runs.some((r) => doc >= r[0] && doc < r[0] + r[1])) return false;
      return code === null || statuses.s.charAt(doc) === code;
    };
  }

  /** Fetches the conversion-table buckets of the Han characters of text. */
  async loadT2s(text) {
    const needed = [...this.analyzer.t2sBucketsOf(text)].filter((b) => !this.t2sLoaded.has(b));
    await Promise.all(needed.map(async (b) => {
      this.analyzer.addT2s(await this.get(`t2s/${b}.json`, true));
      this.t2sLoaded.add(b);
    }));
  }

  /**
   * Runs a query. Resolves to null for an empty query without filters,
   * else {mode: "all"|"any"|"list"|"none", hits: [doc ids], total,
   * highlight: Set of terms, expanded: {term: [terms]}, numberHits,
   * synonyms: [{from, to}] that found something, noTerms}.
   */
  async search(query, filters) {
    query = String(query || "");
    const hasFilter = !!(filters && (filters.section || filters.status));
    if (!query.trim() && !hasFilter) return null;
    const m = await this.manifest();
    await this.loadT2s(query);
    const allowed = await this.filter(filters);
    const number = parseNumberQuery(this.analyzer, query);
    const text = number !== null ? String(number) : query;
    if (!this.analyzer.analyze(text).length) {
      if (!query.trim()) return this.listAll(m, allowed);
      return { mode: "none", hits: [], total: 0, highlight: new Set(), expanded: {}, numberHits: 0, synonyms: [], noTerms: true };
    }
    const alternatives = [{ text, weight: 1, synonym: null }];
    if (number === null) {
      for (const a of synonymQueries(this.analyzer, query, this.synonyms)) {
        alternatives.push({ text: a.text, weight: m.scoring.synonym, synonym: { from: a.from, to: a.to } });
      }
    }
    const ranked = await Promise.all(alternatives.map((a) => this.rank(a.text, allowed, a.weight)));
    const result = mergeAlternatives(ranked, alternatives);
    if (number !== null) await this.numberFirst(result, number, allowed);
    return result;
  }

  /** Puts the items numbered `number` first (newest plan first). */
  async numberFirst(result, number, allowed) {
    const { list } = await this.postings(`#${number}`);
    const numberDocs = list.map((p) => p.doc).filter((d) => !allowed || allowed(d)).sort((a, b) => b - a);
    if (!numberDocs.length) return;
    const first = new Set(numberDocs);
    result.hits = numberDocs.concat(result.hits.filter((d) => !first.has(d)));
    result.total = result.hits.length;
    result.numberHits = numberDocs.length;
    if (result.mode === "none") result.mode = "all";
  }

  listAll(m, allowed) {
    const hits = [];
    for (let d = 0; d < m.docs; d++) if (!allowed || allowed(d)) hits.push(d);
    return { mode: "list", hits, total: hits.length, highlight: new Set(), expanded: {}, numberHits: 0, synonyms: [] };
  }

  /**
   * Scores one query text: {entries: Map doc → {doc, full, matched, terms,
   * score}, highlight, expanded}.
   */
  async rank(text, allowed, weight) {
    const toks = this.analyzer.analyzeDetailed(text);
    const terms = [];
    const words = [];
    for (const t of toks) {
      if (!terms.includes(t.t)) { terms.push(t.t); words.push(t); }
    }
    const lists = await Promise.all(terms.map((t) => this.postings(t)));
    const highlight = new Set(terms);
    const expanded = {};
    // Per term: postings with whether each matches the query word exactly.
    const matches = lists.map((l, i) => {
      const exact = exactMatcher(terms[i], isLatinWord(words[i].r) ? words[i].l : terms[i], l.variants);
      return new Map(l.list.map((p) => [p.doc, { ...p, exact: exact(p) }]));
    });
    // Latin terms not in the index: prefix and one-typo neighbours.
    await Promise.all(terms.map(async (t, i) => {
      if (matches[i].size || !/^[a-z]{3,}$/.test(t)) return;
      const cands = await this.expand(t, words[i].r);
      const found = await Promise.all(cands.map((c) => this.postings(c)));
      const merged = new Map();
      found.forEach((l, ci) => {
        if (l.list.length) { (expanded[t] = expanded[t] || []).push(cands[ci]); highlight.add(cands[ci]); }
        for (const p of l.list) {
          const q = { ...p, w: p.w * this.m.scoring.typo, exact: true };
          const old = merged.get(p.doc);
          if (!old || old.w < q.w) merged.set(p.doc, q);
        }
      });
      matches[i] = merged;
    }));
    const entries = this.score(toks, terms, matches, allowed, weight);
    return { entries, highlight, expanded, terms: terms.length };
  }

  /** BM25 over the postings, with the manifest's boosts (see src/index/mod.rs SCORING). */
  score(toks, terms, matches, allowed, weight) {
    const s = this.m.scoring;
    const n = Math.max(1, this.m.docs);
    const acc = new Map();
    matches.forEach((list, ti) => {
      const df = list.size;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const [doc, p] of list) {
        if (allowed && !allowed(doc)) continue;
        let a = acc.get(doc);
        if (!a) {
          a = { doc, score: 0, matched: 0, inTitle: 0, tp: new Array(terms.length), bp: new Array(terms.length) };
          acc.set(doc, a);
        }
        // A match through another word's stem (board for boarding) adds a
        // little to the score, but does not count as finding the word.
        if (!p.exact) { a.score += (idf * p.w / 10) * s.stemOnly; continue; }
        a.score += idf * p.w / 10;
        a.matched++;
        if (p.tp >= 0 || p.tp === -2) a.inTitle++;
        a.tp[ti] = p.tp;
        a.bp[ti] = p.bp;
      }
    });
    // Phrase: consecutive query terms at consecutive first positions.
    const seq = toks.map((t) => terms.indexOf(t.t));
    const uniqueSeq = new Set(seq).size === seq.length && seq.length > 1;
    // Unknown positions (-2, frequent terms) neither make nor break a phrase.
    const phrase = (pos) => {
      let known = 0;
      for (let i = 0; i + 1 < seq.length; i++) {
        const a = pos[seq[i]];
        const b = pos[seq[i + 1]];
        if (a === -2 || b === -2) continue;
        if (a === undefined || b === undefined || a < 0 || b !== a + 1) return false;
        known++;
      }
      return known > 0;
    };
    const entries = new Map();
    for (const a of acc.values()) {
      // A match through another word's stem never brings a document in alone.
      if (!a.matched) continue;
      a.full = a.matched === terms.length;
      if (a.full) {
        if (a.inTitle === terms.length) a.score *= s.titleAll;
        if (uniqueSeq && phrase(a.tp)) a.score *= s.titlePhrase;
        else if (uniqueSeq && phrase(a.bp)) a.score *= s.bodyPhrase;
      }
      a.terms = terms.length;
      a.score *= weight;
      entries.set(a.doc, a);
    }
    return entries;
  }

  /** Metadata of documents: [{doc, number, url, title, status, section, text, lang}]
   *  (`lang`: the language of title and text when the item is not translated). */
  async docs(ids) {
    const m = await this.manifest();
    const bucket = Math.max(1, m.bucket);
    return Promise.all(ids.map(async (id) => {
      const rows = await this.get(`docs/${Math.floor(id / bucket)}.json`, true);
      const r = rows[id % bucket] || [];
      const status = (m.statusKeys || [])[r[3]] || "";
      return { doc: id, number: r[0], url: r[1] || "", title: r[2] || "", status, section: r[4], text: r[5] || "", lang: r[6] || "" };
    }));
  }
}

/** Is entry a better than b (for the same document, from two alternatives)? */
function better(a, b) {
  return (a.full - b.full) || (a.matched / a.terms - b.matched / b.terms) || (a.score - b.score);
}

/** The results of a query and its synonym alternatives, each document at its best. */
function mergeAlternatives(ranked, alternatives) {
  const best = new Map();
  const highlight = new Set();
  const expanded = {};
  const synonyms = [];
  ranked.forEach((r, ai) => {
    if (r.entries.size) {
      r.highlight.forEach((t) => highlight.add(t));
      Object.assign(expanded, r.expanded);
      if (alternatives[ai].synonym) synonyms.push(alternatives[ai].synonym);
    } else if (ai === 0) {
      r.highlight.forEach((t) => highlight.add(t));
    }
    for (const [doc, e] of r.entries) {
      const old = best.get(doc);
      if (!old || better(e, old) > 0) best.set(doc, e);
    }
  });
  const all = [...best.values()];
  const full = all.filter((a) => a.full);
  const mode = full.length ? "all" : all.length ? "any" : "none";
  const pool = full.length ? full : all;
  pool.sort((x, y) => -better(x, y) || (x.doc - y.doc));
  const hits = pool.map((a) => a.doc);
  return { mode, hits, total: hits.length, highlight, expanded, numberHits: 0, synonyms };
}
