// The search tokenizer: the same terms as src/index/tokenize.rs and
// src/index/porter.rs, checked against the shared cases in
// tests/data/tokenizer_cases.json on both sides. How a language's text was
// analyzed (stop words, stemmer, traditional → simplified table) is read
// from the index manifest's `analyzer`, never assumed from a language code.

export const MAX_TOKEN_CHARS = 32;

const WORD_CHAR = /^[\p{Alphabetic}\p{N}]$/u;
const LATIN_WORD = /^[a-z]+$/;

/** Is ch (one code point) a Han character? */
export function isHan(ch) {
  const c = ch.codePointAt(0);
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F) ||
    (c >= 0x30000 && c <= 0x3134F);
}

function isDigit(ch) { return ch !== undefined && ch.length === 1 && ch >= "0" && ch <= "9"; }
function isWordChar(ch) { return WORD_CHAR.test(ch); }

/** Is token a word of a–z only (what the stemmer and light() change)? */
export function isLatinWord(token) { return LATIN_WORD.test(token); }

/** Parses the src/index/t2s.txt format into a pairs string, as Rust's parse_t2s. */
export function t2sPairsFromTable(text) {
  const seen = new Set();
  let out = "";
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    for (const entry of line.split(/\s+/)) {
      const cps = Array.from(entry);
      if (cps.length === 2 && cps[0] !== cps[1] && !seen.has(cps[0])) {
        seen.add(cps[0]);
        out += cps[0] + cps[1];
      }
    }
  }
  return out;
}

/**
 * The plural-folded ("light") form of a word of a–z, as tokenize.rs's
 * light(): what tells an exact word match (schools for school) from a match
 * through the stem alone (board for boarding).
 */
export function light(word) {
  const n = word.length;
  if (n <= 3 || !isLatinWord(word)) return word;
  if (n > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (["sses", "ches", "shes", "xes"].some((e) => word.endsWith(e))) return word.slice(0, -2);
  if (word.endsWith("s") && !["ss", "us", "is"].some((e) => word.endsWith(e))) return word.slice(0, -1);
  return word;
}

/** FNV-1a (32 bit) over the UTF-8 bytes of s: picks a term's shard. */
export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Porter (1980) stemmer, as Martin Porter's ANSI C reference (and porter.rs). */
export function stem(word) {
  if (!isLatinWord(word) || word.length <= 2) return word;
  const b = word.split("");
  let k = b.length - 1;
  let j = 0;
  const cons = (i) => {
    const ch = b[i];
    if (ch === "a" || ch === "e" || ch === "i" || ch === "o" || ch === "u") return false;
    if (ch === "y") return i === 0 ? true : !cons(i - 1);
    return true;
  };
  const m = () => {
    let n = 0;
    let i = 0;
    for (;;) { if (i > j) return n; if (!cons(i)) break; i++; }
    i++;
    for (;;) {
      for (;;) { if (i > j) return n; if (cons(i)) break; i++; }
      i++;
      n++;
      for (;;) { if (i > j) return n; if (!cons(i)) break; i++; }
      i++;
    }
  };
  const vowelInStem = () => { for (let i = 0; i <= j; i++) { if (!cons(i)) return true; } return false; };
  const doublec = (x) => x >= 1 && b[x] === b[x - 1] && cons(x);
  const cvc = (i) => {
    if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
    const ch = b[i];
    return !(ch === "w" || ch === "x" || ch === "y");
  };
  const ends = (s) => {
    const len = s.length;
    if (len > k + 1) return false;
    if (b.slice(k - len + 1, k + 1).join("") !== s) return false;
    j = k - len;
    return true;
  };
  const setto = (s) => {
    for (let i = 0; i < s.length; i++) b[j + 1 + i] = s[i];
    k = j + s.length;
  };
  const r = (s) => { if (m() > 0) setto(s); };
  const replaceFirst = (rules) => {
    for (let i = 0; i < rules.length; i += 2) {
      if (ends(rules[i])) { r(rules[i + 1]); return; }
    }
  };
  // step 1ab
  if (b[k] === "s") {
    if (ends("sses")) k -= 2;
    else if (ends("ies")) setto("i");
    else if (b[k - 1] !== "s") k--;
  }
  if (ends("eed")) {
    if (m() > 0) k--;
  } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
    k = j;
    if (ends("at")) setto("ate");
    else if (ends("bl")) setto("ble");
    else if (ends("iz")) setto("ize");
    else if (doublec(k)) {
      k--;
      const ch = b[k];
      if (ch === "l" || ch === "s" || ch === "z") k++;
    } else if (m() === 1 && cvc(k)) setto("e");
  }
  if (k > 0) {
    // step 1c
    if (ends("y") && vowelInStem()) b[k] = "i";
    // step 2
    replaceFirst(["ational", "ate", "tional", "tion", "enci", "ence", "anci", "ance", "izer", "ize",
      "bli", "ble", "alli", "al", "entli", "ent", "eli", "e", "ousli", "ous", "ization", "ize",
      "ation", "ate", "ator", "ate", "alism", "al", "iveness", "ive", "fulness", "ful",
      "ousness", "ous", "aliti", "al", "iviti", "ive", "biliti", "ble", "logi", "log"]);
    // step 3
    replaceFirst(["icate", "ic", "ative", "", "alize", "al", "iciti", "ic", "ical", "ic", "ful", "", "ness", ""]);
    // step 4
    const suffixes = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
      "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"];
    let found = false;
    for (const suffix of suffixes) {
      if (ends(suffix)) {
        if (suffix === "ion" && !(j >= 0 && (b[j] === "s" || b[j] === "t"))) continue;
        found = true;
        break;
      }
    }
    if (found && m() > 1) k = j;
    // step 5
    j = k;
    if (b[k] === "e") {
      const a = m();
      if (a > 1 || (a === 1 && !cvc(k - 1))) k--;
    }
    if (b[k] === "l" && doublec(k) && m() > 1) k--;
  }
  return b.slice(0, k + 1).join("");
}

const STEMMERS = { porter: stem, none: (w) => w };

/**
 * A language's analysis, as the manifest's `analyzer` describes it:
 * `{han: "bigrams", t2s: <buckets>, stopWords: [...], stemmer: "porter",
 * light: "plurals"}`. Holds the traditional → simplified pairs fetched so
 * far (addT2s).
 */
export class Analyzer {
  constructor(settings) {
    const s = settings || {};
    if ((s.han || "bigrams") !== "bigrams") throw new Error(`unsupported Han segmentation ${s.han}`);
    const stemmer = STEMMERS[s.stemmer || "none"];
    if (!stemmer) throw new Error(`unsupported stemmer ${s.stemmer}`);
    if ((s.light || "plurals") !== "plurals") throw new Error(`unsupported light form ${s.light}`);
    this.stem = stemmer;
    this.stopWords = new Set(s.stopWords || []);
    this.t2sBuckets = Number(s.t2s) || 0;
    this.t2s = new Map();
  }

  /** Adds traditional → simplified pairs ("雙双學学…"). */
  addT2s(pairs) {
    const cps = Array.from(pairs || "");
    for (let i = 0; i + 1 < cps.length; i += 2) {
      if (cps[i] !== cps[i + 1] && !this.t2s.has(cps[i])) this.t2s.set(cps[i], cps[i + 1]);
    }
  }

  /** The t2s buckets (code point % count) of the Han characters of text. */
  t2sBucketsOf(text) {
    const out = new Set();
    if (!this.t2sBuckets) return out;
    for (const ch of String(text)) {
      if (isHan(ch)) out.add(ch.codePointAt(0) % this.t2sBuckets);
    }
    return out;
  }

  /** Normalized characters of text, each with the index of its source code point. */
  normalizeChars(text) {
    const chars = [];
    const src = [];
    let idx = 0;
    for (let ch of String(text)) {
      const c = ch.codePointAt(0);
      if (c >= 0xFF01 && c <= 0xFF5E) ch = String.fromCodePoint(c - 0xFEE0);
      else if (c === 0x3000) ch = " ";
      for (const lc of ch.toLowerCase()) {
        chars.push(this.t2s.get(lc) || lc);
        src.push(idx);
      }
      idx++;
    }
    return { chars, src };
  }

  normalize(text) { return this.normalizeChars(text).chars.join(""); }

  /** Step 1: raw tokens with source spans {t, s, e} (code point indices). */
  tokenizeDetailed(text) {
    const { chars: cs, src } = this.normalizeChars(text);
    const n = cs.length;
    const out = [];
    const push = (chars, i, j) => {
      out.push({ t: chars.slice(0, MAX_TOKEN_CHARS).join(""), s: src[i], e: src[j - 1] + 1 });
    };
    let i = 0;
    while (i < n) {
      const c = cs[i];
      let j;
      if (isHan(c)) {
        j = i;
        while (j < n && isHan(cs[j])) j++;
        if (j - i === 1) push([c], i, i + 1);
        else for (let k = i; k < j - 1; k++) push([cs[k], cs[k + 1]], k, k + 2);
        i = j;
      } else if (isDigit(c)) {
        const num = [];
        j = i;
        while (isDigit(cs[j])) { num.push(cs[j]); j++; }
        while (j < n && cs[j] === "," && isDigit(cs[j + 1]) && isDigit(cs[j + 2]) && isDigit(cs[j + 3]) && !isDigit(cs[j + 4])) {
          num.push(cs[j + 1], cs[j + 2], cs[j + 3]);
          j += 4;
        }
        if (j < n && cs[j] === "." && isDigit(cs[j + 1])) {
          num.push(".");
          j++;
          while (isDigit(cs[j])) { num.push(cs[j]); j++; }
        }
        push(num, i, j);
        i = j;
      } else if (isWordChar(c)) {
        j = i;
        while (j < n && isWordChar(cs[j]) && !isHan(cs[j]) && !isDigit(cs[j])) j++;
        push(cs.slice(i, j), i, j);
        if (j + 1 < n && (cs[j] === "'" || cs[j] === "\u2019") && cs[j + 1] === "s" &&
            (j + 2 === n || !isWordChar(cs[j + 2]))) {
          j += 2;
        }
        i = j;
      } else {
        i++;
      }
    }
    return out;
  }

  tokenize(text) { return this.tokenizeDetailed(text).map((t) => t.t); }

  /** Step 2 (the pipeline) for one token: its term, or null for a stop word. */
  term(token) {
    if (this.stopWords.has(token)) return null;
    return isLatinWord(token) ? this.stem(token) : token;
  }

  /** Search terms with spans: {t (term), r (raw token), l (light form), s, e}. */
  analyzeDetailed(text) {
    const out = [];
    for (const tok of this.tokenizeDetailed(text)) {
      const t = this.term(tok.t);
      if (t !== null) out.push({ t, r: tok.t, l: light(tok.t), s: tok.s, e: tok.e });
    }
    return out;
  }

  analyze(text) { return this.analyzeDetailed(text).map((t) => t.t); }
}

/** Item-number queries: 16, #16, 第16条, 第十六条, 16条, item 16, no. 16. */
export function parseNumberQuery(analyzer, query) {
  const q = analyzer.normalize(query).trim();
  let m = /^#?\s*(\d{1,6})$/.exec(q) ||
    /^(?:items?|no\.?|nr\.?|number|num\.?)\s*#?\s*(\d{1,6})$/.exec(q) ||
    /^第?\s*(\d{1,6})\s*[条條项項]$/.exec(q) ||
    /^第\s*(\d{1,6})$/.exec(q);
  if (m) return parseInt(m[1], 10);
  m = /^第?([零〇一二两兩三四五六七八九十百千]+)[条條项項]$/.exec(q) || /^第([零〇一二两兩三四五六七八九十百千]+)$/.exec(q);
  if (m) return chineseNumber(m[1]);
  return null;
}

function chineseNumber(s) {
  const digits = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  const units = { "十": 10, "百": 100, "千": 1000 };
  let total = 0;
  let num = 0;
  for (const ch of s) {
    if (ch in digits) num = digits[ch];
    else { total += (num || 1) * units[ch]; num = 0; }
  }
  total += num;
  return total > 0 ? total : null;
}

/** Are a and b at most one edit (or one transposition) apart? */
export function editDistanceAtMostOne(a, b) {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The words one edit (deletion, transposition, substitution, insertion) from w. */
export function edits1(w) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const out = [];
  for (let i = 0; i <= w.length; i++) {
    const a = w.slice(0, i);
    const b = w.slice(i);
    if (b) out.push(a + b.slice(1));
    if (b.length > 1) out.push(a + b[1] + b[0] + b.slice(2));
    for (const c of letters) {
      if (b) out.push(a + c + b.slice(1));
      out.push(a + c + b);
    }
  }
  return out;
}
