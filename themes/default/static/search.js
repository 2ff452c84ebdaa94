/* planpub search: client-side search over the sharded static index that
 * src/index/ writes (search/index/ and en/search/index/). No dependencies.
 *
 * The tokenizer below mirrors src/index/tokenize.rs exactly (the shared
 * cases in tests/data/tokenizer_cases.json are checked against both).
 * Nothing is fetched until a search runs; the script acts only on a page
 * with #search-results (the search page). All text is inserted with
 * textContent / createElement, never as HTML.
 */
(function (root) {
  "use strict";

  /* ------------------------------------------------------------------ */
  /* Tokenizer                                                           */
  /* ------------------------------------------------------------------ */

  var MAX_TOKEN_CHARS = 32;
  var STOP_WORDS = new Set([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with"
  ]);
  var WORD_CHAR = /^[\p{Alphabetic}\p{N}]$/u;
  var t2s = new Map();

  /** Installs the traditional -> simplified pairs ("雙双學学…"). */
  function setT2s(pairs) {
    t2s = new Map();
    addT2s(pairs);
  }

  /** Adds pairs to the table (one bucket of the index's t2s/ files). */
  function addT2s(pairs) {
    var cps = Array.from(pairs || "");
    for (var i = 0; i + 1 < cps.length; i += 2) {
      if (cps[i] !== cps[i + 1] && !t2s.has(cps[i])) { t2s.set(cps[i], cps[i + 1]); }
    }
  }

  /** Parses the src/index/t2s.txt format into a pairs string (as Rust's parse_t2s). */
  function t2sPairsFromTable(text) {
    var seen = new Set();
    var out = "";
    text.split(/\r?\n/).forEach(function (line) {
      if (/^\s*#/.test(line)) { return; }
      line.split(/\s+/).forEach(function (entry) {
        var cps = Array.from(entry);
        if (cps.length === 2 && cps[0] !== cps[1] && !seen.has(cps[0])) {
          seen.add(cps[0]);
          out += cps[0] + cps[1];
        }
      });
    });
    return out;
  }

  function isHan(ch) {
    var c = ch.codePointAt(0);
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F) ||
      (c >= 0x30000 && c <= 0x3134F);
  }
  function isDigit(ch) { return ch !== undefined && ch.length === 1 && ch >= "0" && ch <= "9"; }
  function isWordChar(ch) { return WORD_CHAR.test(ch); }

  /** Normalized characters of text, each with the index of the source code point. */
  function normalizeChars(text) {
    var chars = [];
    var src = [];
    var idx = 0;
    for (var ch of String(text)) {
      var c = ch.codePointAt(0);
      if (c >= 0xFF01 && c <= 0xFF5E) { ch = String.fromCodePoint(c - 0xFEE0); }
      else if (c === 0x3000) { ch = " "; }
      for (var lc of ch.toLowerCase()) {
        chars.push(t2s.get(lc) || lc);
        src.push(idx);
      }
      idx++;
    }
    return { chars: chars, src: src };
  }

  function normalize(text) { return normalizeChars(text).chars.join(""); }

  /** Step 1: raw tokens with source spans {t, s, e} (code point indices). */
  function tokenizeDetailed(text) {
    var nc = normalizeChars(text);
    var cs = nc.chars;
    var src = nc.src;
    var n = cs.length;
    var out = [];
    function push(chars, i, j) {
      out.push({ t: chars.slice(0, MAX_TOKEN_CHARS).join(""), s: src[i], e: src[j - 1] + 1 });
    }
    var i = 0;
    while (i < n) {
      var c = cs[i];
      var j;
      if (isHan(c)) {
        j = i;
        while (j < n && isHan(cs[j])) { j++; }
        if (j - i === 1) { push([c], i, i + 1); }
        else { for (var k = i; k < j - 1; k++) { push([cs[k], cs[k + 1]], k, k + 2); } }
        i = j;
      } else if (isDigit(c)) {
        var num = [];
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
        while (j < n && isWordChar(cs[j]) && !isHan(cs[j]) && !isDigit(cs[j])) { j++; }
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

  function tokenize(text) { return tokenizeDetailed(text).map(function (t) { return t.t; }); }

  /** Step 2 (the pipeline): stop words, then Porter stemming. Returns null to drop. */
  function pipelineToken(token) {
    if (STOP_WORDS.has(token)) { return null; }
    return /^[a-z]+$/.test(token) ? stem(token) : token;
  }

  /** Search terms with spans: {t (term), r (raw token), s, e}. */
  function analyzeDetailed(text) {
    var out = [];
    tokenizeDetailed(text).forEach(function (tok) {
      var t = pipelineToken(tok.t);
      if (t !== null) { out.push({ t: t, r: tok.t, s: tok.s, e: tok.e }); }
    });
    return out;
  }

  function analyze(text) { return analyzeDetailed(text).map(function (t) { return t.t; }); }

  /** Porter (1980) stemmer, as Martin Porter's ANSI C reference (and tokenize.rs). */
  function stem(word) {
    if (!/^[a-z]+$/.test(word) || word.length <= 2) { return word; }
    var b = word.split("");
    var k = b.length - 1;
    var j = 0;
    function cons(i) {
      var ch = b[i];
      if (ch === "a" || ch === "e" || ch === "i" || ch === "o" || ch === "u") { return false; }
      if (ch === "y") { return i === 0 ? true : !cons(i - 1); }
      return true;
    }
    function m() {
      var n = 0;
      var i = 0;
      for (;;) { if (i > j) { return n; } if (!cons(i)) { break; } i++; }
      i++;
      for (;;) {
        for (;;) { if (i > j) { return n; } if (cons(i)) { break; } i++; }
        i++;
        n++;
        for (;;) { if (i > j) { return n; } if (!cons(i)) { break; } i++; }
        i++;
      }
    }
    function vowelInStem() { for (var i = 0; i <= j; i++) { if (!cons(i)) { return true; } } return false; }
    function doublec(x) { return x >= 1 && b[x] === b[x - 1] && cons(x); }
    function cvc(i) {
      if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) { return false; }
      var ch = b[i];
      return !(ch === "w" || ch === "x" || ch === "y");
    }
    function ends(s) {
      var len = s.length;
      if (len > k + 1) { return false; }
      if (b.slice(k - len + 1, k + 1).join("") !== s) { return false; }
      j = k - len;
      return true;
    }
    function setto(s) {
      for (var i = 0; i < s.length; i++) { b[j + 1 + i] = s[i]; }
      k = j + s.length;
    }
    function r(s) { if (m() > 0) { setto(s); } }
    function replaceFirst(rules) {
      for (var i = 0; i < rules.length; i += 2) {
        if (ends(rules[i])) { r(rules[i + 1]); return; }
      }
    }
    // step 1ab
    if (b[k] === "s") {
      if (ends("sses")) { k -= 2; }
      else if (ends("ies")) { setto("i"); }
      else if (b[k - 1] !== "s") { k--; }
    }
    if (ends("eed")) {
      if (m() > 0) { k--; }
    } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
      k = j;
      if (ends("at")) { setto("ate"); }
      else if (ends("bl")) { setto("ble"); }
      else if (ends("iz")) { setto("ize"); }
      else if (doublec(k)) {
        k--;
        var ch = b[k];
        if (ch === "l" || ch === "s" || ch === "z") { k++; }
      } else if (m() === 1 && cvc(k)) { setto("e"); }
    }
    if (k > 0) {
      // step 1c
      if (ends("y") && vowelInStem()) { b[k] = "i"; }
      // step 2
      replaceFirst(["ational", "ate", "tional", "tion", "enci", "ence", "anci", "ance", "izer", "ize",
        "bli", "ble", "alli", "al", "entli", "ent", "eli", "e", "ousli", "ous", "ization", "ize",
        "ation", "ate", "ator", "ate", "alism", "al", "iveness", "ive", "fulness", "ful",
        "ousness", "ous", "aliti", "al", "iviti", "ive", "biliti", "ble", "logi", "log"]);
      // step 3
      replaceFirst(["icate", "ic", "ative", "", "alize", "al", "iciti", "ic", "ical", "ic", "ful", "", "ness", ""]);
      // step 4
      var suffixes = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
        "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"];
      var found = false;
      for (var si = 0; si < suffixes.length; si++) {
        if (ends(suffixes[si])) {
          if (suffixes[si] === "ion" && !(j >= 0 && (b[j] === "s" || b[j] === "t"))) { continue; }
          found = true;
          break;
        }
      }
      if (found && m() > 1) { k = j; }
      // step 5
      j = k;
      if (b[k] === "e") {
        var a = m();
        if (a > 1 || (a === 1 && !cvc(k - 1))) { k--; }
      }
      if (b[k] === "l" && doublec(k) && m() > 1) { k--; }
    }
    return b.slice(0, k + 1).join("");
  }

  /** FNV-1a (32 bit) over the UTF-8 bytes of s. */
  function fnv1a(s) {
    var h = 0x811c9dc5;
    var bytes = utf8(s);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function utf8(s) {
    if (typeof TextEncoder !== "undefined") { return new TextEncoder().encode(s); }
    return Array.from(unescape(encodeURIComponent(s)), function (c) { return c.charCodeAt(0); });
  }

  /* ------------------------------------------------------------------ */
  /* Index files                                                         */
  /* ------------------------------------------------------------------ */

  var ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var DIGIT = {};
  for (var ai = 0; ai < ALPHABET.length; ai++) { DIGIT[ALPHABET[ai]] = ai; }

  /**
   * Decodes a posting list (see src/index/shards.rs) into [{doc, w, tp, bp}]:
   * weight x10, first title / body position (-1 = absent, -2 = unknown: the
   * compact list of a frequent term).
   */
  function decodePostings(str) {
    var v = [];
    var value = 0;
    var mul = 1;
    var compact = str.charAt(0) === "~";
    for (var i = compact ? 1 : 0; i < str.length; i++) {
      var d = DIGIT[str[i]];
      if (d === undefined) { continue; }
      if (d >= 32) { value += (d - 32) * mul; mul *= 32; }
      else { v.push(value + d * mul); value = 0; mul = 1; }
    }
    var out = [];
    var doc = 0;
    if (compact) {
      for (var c = 0; c < v.length; c++) {
        doc = c === 0 ? Math.floor(v[c] / 8) : doc + Math.floor(v[c] / 8);
        out.push({ doc: doc, w: (v[c] % 8) * 5, tp: -2, bp: -2 });
      }
      return out;
    }
    var p = 0;
    while (p + 1 < v.length) {
      doc = out.length === 0 ? v[p] : doc + v[p];
      var code = v[p + 1];
      p += 2;
      var tp = -1;
      var bp = -1;
      if (code & 2) { tp = v[p++]; }
      if (code & 1) { bp = v[p++]; }
      out.push({ doc: doc, w: Math.floor(code / 4), tp: tp, bp: bp });
    }
    return out;
  }

  /** Item-number queries: 16, #16, 第16条, 第十六条, 16条, item 16, no. 16. */
  function parseNumberQuery(query) {
    var q = normalizeChars(query).chars.join("").trim();
    var m = /^#?\s*(\d{1,6})$/.exec(q) ||
      /^(?:items?|no\.?|nr\.?|number|num\.?)\s*#?\s*(\d{1,6})$/.exec(q) ||
      /^第?\s*(\d{1,6})\s*[条條项項]$/.exec(q) ||
      /^第\s*(\d{1,6})$/.exec(q);
    if (m) { return parseInt(m[1], 10); }
    m = /^第?([零〇一二两兩三四五六七八九十百千]+)[条條项項]$/.exec(q) || /^第([零〇一二两兩三四五六七八九十百千]+)$/.exec(q);
    if (m) { return chineseNumber(m[1]); }
    return null;
  }

  function chineseNumber(s) {
    var digits = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
    var units = { "十": 10, "百": 100, "千": 1000 };
    var total = 0;
    var num = 0;
    for (var ch of s) {
      if (ch in digits) { num = digits[ch]; }
      else { total += (num || 1) * units[ch]; num = 0; }
    }
    total += num;
    return total > 0 ? total : null;
  }

  function editDistanceAtMostOne(a, b) {
    if (a === b) { return true; }
    var la = a.length;
    var lb = b.length;
    if (Math.abs(la - lb) > 1) { return false; }
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) { i++; }
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) { return true; }
      // one transposition counts as one typo too
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /** The words one edit (deletion, transposition, substitution, insertion) from w. */
  function edits1(w) {
    var letters = "abcdefghijklmnopqrstuvwxyz";
    var out = [];
    for (var i = 0; i <= w.length; i++) {
      var a = w.slice(0, i);
      var b = w.slice(i);
      if (b) { out.push(a + b.slice(1)); }
      if (b.length > 1) { out.push(a + b[1] + b[0] + b.slice(2)); }
      for (var c = 0; c < 26; c++) {
        if (b) { out.push(a + letters[c] + b.slice(1)); }
        out.push(a + letters[c] + b);
      }
    }
    return out;
  }

  /* ------------------------------------------------------------------ */
  /* Engine                                                              */
  /* ------------------------------------------------------------------ */

  var MAX_EXPANSIONS = 6;

  /**
   * A search over one language's index folder.
   * options.fetchText(url) -> Promise<string> (defaults to window.fetch).
   */
  function Engine(indexUrl, options) {
    this.base = indexUrl.replace(/\/?$/, "/");
    this.fetchText = (options && options.fetchText) || function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status + " for " + url); }
        return r.text();
      });
    };
    this.cache = new Map();
    this.bytes = 0;
    this.requests = [];
    this.t2sBuckets = new Set();
  }

  Engine.prototype.get = function (name, versioned) {
    var self = this;
    var url = this.base + name;
    if (versioned && this.hash) { url += "?v=" + this.hash; }
    if (this.cache.has(url)) { return this.cache.get(url); }
    var p = Promise.resolve().then(function () { return self.fetchText(url); }).then(function (text) {
      self.bytes += utf8(text).length;
      self.requests.push(name);
      return JSON.parse(text);
    });
    this.cache.set(url, p);
    p.catch(function () { self.cache.delete(url); });
    return p;
  };

  Engine.prototype.manifest = function () {
    var self = this;
    if (!this.manifestPromise) {
      this.manifestPromise = this.get("manifest.json", false).then(function (m) {
        if (!m || m.format !== "planpub-search" || m.version !== 1) { throw new Error("unsupported search index"); }
        self.hash = m.hash;
        self.m = m;
        return m;
      });
      this.manifestPromise.catch(function () { self.manifestPromise = null; });
    }
    return this.manifestPromise;
  };

  /** Postings of one term as a Map doc -> posting (empty when absent). */
  Engine.prototype.postings = function (term) {
    var m = this.m;
    var shard = fnv1a(term) % Math.max(1, m.shards);
    return this.get("shards/" + shard + ".json", true).then(function (s) {
      var map = new Map();
      if (Object.prototype.hasOwnProperty.call(s, term)) {
        decodePostings(s[term]).forEach(function (p) { map.set(p.doc, p); });
      }
      return map;
    });
  };

  /** Vocabulary terms near a Latin word that is not in the index. */
  Engine.prototype.expand = function (term, raw) {
    var m = this.m;
    var first = term[0];
    if (!/^[a-z]{3,}$/.test(term) || !m.vocab || m.vocab.indexOf(first) < 0) { return Promise.resolve([]); }
    return this.get("vocab/" + first + ".json", true).then(function (vocab) {
      var typo = [];
      var prefix = [];
      var inVocab = new Set(vocab);
      // The stems of the raw word's one-typo variants (vocatinal -> vocational -> vocat).
      var stemmedEdits = new Set();
      if (/^[a-z]{4,}$/.test(raw)) {
        edits1(raw).forEach(function (e) {
          var s = stem(e);
          if (s !== term && inVocab.has(s)) { stemmedEdits.add(s); }
        });
      }
      vocab.forEach(function (v) {
        if (v === term) { return; }
        if ((term.length >= 4 && editDistanceAtMostOne(v, term)) || (raw.length >= 4 && editDistanceAtMostOne(v, raw)) ||
            stemmedEdits.has(v)) {
          typo.push(v);
        } else if (v.indexOf(term) === 0 || v.indexOf(raw) === 0 ||
            (v.length >= 4 && raw.indexOf(v) === 0 && raw.length - v.length <= 2)) {
          prefix.push(v);
        }
      });
      var byCloseness = function (a, b) {
        return Math.abs(a.length - term.length) - Math.abs(b.length - term.length) || (a < b ? -1 : a > b ? 1 : 0);
      };
      typo.sort(byCloseness);
      prefix.sort(byCloseness);
      return typo.concat(prefix).slice(0, MAX_EXPANSIONS);
    });
  };

  /** Document ids allowed by the filters, as a predicate (null = all). */
  Engine.prototype.filter = function (filters) {
    var m = this.m;
    var section = filters && filters.section ? String(filters.section) : "";
    var status = filters && filters.status ? String(filters.status) : "";
    if (!section && !status) { return Promise.resolve(null); }
    var ranges = null;
    if (section) {
      ranges = (m.sections || []).filter(function (r) { return String(r[2]) === section; });
    }
    var statusPromise = status ? this.get("status.json", true) : Promise.resolve(null);
    return statusPromise.then(function (st) {
      var code = null;
      if (st) {
        var idx = (m.statusKeys || []).indexOf(status);
        code = status === "none" ? "-" : idx >= 0 ? idx.toString(36) : "?";
      }
      return function (doc) {
        if (ranges) {
          var ok = false;
          for (var i = 0; i < ranges.length; i++) {
            if (doc >= ranges[i][0] && doc < ranges[i][0] + ranges[i][1]) { ok = true; break; }
          }
          if (!ok) { return false; }
        }
        if (code !== null && st.s.charAt(doc) !== code) { return false; }
        return true;
      };
    });
  };

  /**
   * Runs a query. Resolves to null for an empty query without filters,
   * else {mode: "all"|"any"|"list"|"none", hits: [doc ids], total,
   * highlight: Set of terms, expanded: {term: [terms]}, numberHits}.
   */
  Engine.prototype.search = function (query, filters) {
    var self = this;
    query = String(query || "");
    var hasFilter = filters && (filters.section || filters.status);
    if (!query.trim() && !hasFilter) { return Promise.resolve(null); }
    return this.manifest().then(function (m) {
      return self.loadT2s(query)
        .then(function () { return self.filter(filters); })
        .then(function (allowed) { return self.rank(m, query, allowed); });
    });
  };

  /** Fetches the conversion-table buckets of the query's Han characters. */
  Engine.prototype.loadT2s = function (text) {
    var self = this;
    var n = this.m.t2s || 0;
    var needed = [];
    Array.from(text).forEach(function (ch) {
      if (!n || !isHan(ch)) { return; }
      var b = ch.codePointAt(0) % n;
      if (!self.t2sBuckets.has(b) && needed.indexOf(b) < 0) { needed.push(b); }
    });
    return Promise.all(needed.map(function (b) {
      return self.get("t2s/" + b + ".json", true).then(function (pairs) {
        addT2s(pairs);
        self.t2sBuckets.add(b);
      });
    }));
  };

  Engine.prototype.rank = function (m, query, allowed) {
    var self = this;
    var number = parseNumberQuery(query);
    var toks = analyzeDetailed(number !== null ? String(number) : query);
    var terms = [];
    var raws = [];
    toks.forEach(function (t) { if (terms.indexOf(t.t) < 0) { terms.push(t.t); raws.push(t.r); } });
    var highlight = new Set(terms);
    var expanded = {};
    if (!terms.length && number === null) {
      if (!query.trim()) { return Promise.resolve(self.listAll(m, allowed)); }
      return Promise.resolve({ mode: "none", hits: [], total: 0, highlight: highlight, expanded: expanded, numberHits: 0, noTerms: true });
    }
    var lists = terms.map(function (t) { return self.postings(t); });
    var numberList = number !== null ? self.postings("#" + number) : Promise.resolve(new Map());
    return Promise.all([Promise.all(lists), numberList]).then(function (res) {
      var postings = res[0];
      var numberPostings = res[1];
      // Latin terms not in the index: prefix and one-typo neighbours.
      var misses = [];
      terms.forEach(function (t, i) { if (postings[i].size === 0 && /^[a-z]{3,}$/.test(t)) { misses.push(i); } });
      return Promise.all(misses.map(function (i) {
        return self.expand(terms[i], raws[i]).then(function (cands) {
          return Promise.all(cands.map(function (c) { return self.postings(c); })).then(function (maps) {
            var merged = new Map();
            maps.forEach(function (map, ci) {
              if (map.size) { (expanded[terms[i]] = expanded[terms[i]] || []).push(cands[ci]); highlight.add(cands[ci]); }
              map.forEach(function (p, doc) {
                var q = { doc: doc, w: p.w * 0.8, tp: p.tp, bp: p.bp };
                var old = merged.get(doc);
                if (!old || old.w < q.w) { merged.set(doc, q); }
              });
            });
            postings[i] = merged;
          });
        });
      })).then(function () {
        return self.score(m, toks, terms, postings, numberPostings, allowed, highlight, expanded);
      });
    });
  };

  Engine.prototype.score = function (m, toks, terms, postings, numberPostings, allowed, highlight, expanded) {
    var n = Math.max(1, m.docs);
    var acc = new Map();
    postings.forEach(function (list, ti) {
      var df = list.size;
      if (!df) { return; }
      var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      list.forEach(function (p, doc) {
        if (allowed && !allowed(doc)) { return; }
        var a = acc.get(doc);
        if (!a) {
          a = { doc: doc, score: 0, matched: 0, inTitle: 0, tp: new Array(terms.length), bp: new Array(terms.length) };
          acc.set(doc, a);
        }
        a.score += idf * p.w / 10;
        a.matched++;
        if (p.tp >= 0 || p.tp === -2) { a.inTitle++; }
        a.tp[ti] = p.tp;
        a.bp[ti] = p.bp;
      });
    });
    // Phrase: consecutive query terms at consecutive first positions.
    var seq = toks.map(function (t) { return terms.indexOf(t.t); });
    var uniqueSeq = new Set(seq).size === seq.length && seq.length > 1;
    // Unknown positions (-2, frequent terms) neither make nor break a phrase.
    function phrase(pos) {
      var known = 0;
      for (var i = 0; i + 1 < seq.length; i++) {
        var a = pos[seq[i]];
        var b = pos[seq[i + 1]];
        if (a === -2 || b === -2) { continue; }
        if (a === undefined || b === undefined || a < 0 || b !== a + 1) { return false; }
        known++;
      }
      return known > 0;
    }
    var all = [];
    var any = [];
    acc.forEach(function (a) {
      if (a.matched === terms.length) {
        if (a.inTitle === terms.length) { a.score *= 1.3; }
        if (uniqueSeq && phrase(a.tp)) { a.score *= 2; }
        else if (uniqueSeq && phrase(a.bp)) { a.score *= 1.5; }
        all.push(a);
      } else {
        any.push(a);
      }
    });
    var mode = all.length ? "all" : any.length ? "any" : "none";
    var pool = all.length ? all : any;
    pool.sort(function (x, y) {
      return (y.matched - x.matched) || (y.score - x.score) || (x.doc - y.doc);
    });
    var hits = pool.map(function (a) { return a.doc; });
    // Item-number matches first (newest plan first).
    var numberDocs = [];
    numberPostings.forEach(function (p, doc) { if (!allowed || allowed(doc)) { numberDocs.push(doc); } });
    numberDocs.sort(function (a, b) { return b - a; });
    if (numberDocs.length) {
      hits = numberDocs.concat(hits.filter(function (d) { return numberDocs.indexOf(d) < 0; }));
      if (mode === "none") { mode = "all"; }
    }
    return { mode: mode, hits: hits, total: hits.length, highlight: highlight, expanded: expanded, numberHits: numberDocs.length };
  };

  Engine.prototype.listAll = function (m, allowed) {
    var hits = [];
    for (var d = 0; d < m.docs; d++) { if (!allowed || allowed(d)) { hits.push(d); } }
    return { mode: "list", hits: hits, total: hits.length, highlight: new Set(), expanded: {}, numberHits: 0 };
  };

  /** Metadata of documents: [{doc, number, url, title, status, section, excerpt, lang}]
   *  (`lang`: the language of title and excerpt when the item is not translated). */
  Engine.prototype.docs = function (ids) {
    var self = this;
    return this.manifest().then(function (m) {
      var bucket = Math.max(1, m.bucket);
      return Promise.all(ids.map(function (id) {
        return self.get("docs/" + Math.floor(id / bucket) + ".json", true).then(function (rows) {
          var r = rows[id % bucket] || [];
          return { doc: id, number: r[0], url: r[1] || "", title: r[2] || "", status: r[3] || "", section: r[4], excerpt: r[5] || "", lang: r[6] || "" };
        });
      }));
    });
  };

  /** Code point spans [start, end) of text matching the highlight terms. */
  function highlightSpans(text, terms) {
    var spans = [];
    if (!terms || !terms.size) { return spans; }
    analyzeDetailed(text).forEach(function (t) { if (terms.has(t.t)) { spans.push([t.s, t.e]); } });
    var singles = new Set();
    terms.forEach(function (t) { if (Array.from(t).length === 1 && isHan(t)) { singles.add(t); } });
    if (singles.size) {
      var nc = normalizeChars(text);
      nc.chars.forEach(function (c, i) { if (singles.has(c)) { spans.push([nc.src[i], nc.src[i] + 1]); } });
    }
    spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) { last[1] = Math.max(last[1], s[1]); }
      else { merged.push([s[0], s[1]]); }
    });
    return merged;
  }

  /* ------------------------------------------------------------------ */
  /* Search page                                                         */
  /* ------------------------------------------------------------------ */

  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;
  var DEFAULT_MESSAGES = {
    zh: {
      none: "没有找到与“{q}”相关的事项。", count: "找到 {n} 项结果", "count-one": "", loading: "正在搜索…",
      error: "搜索索引加载失败，请稍后重试。", empty: "请输入要搜索的词语。", "see-all": "查看全部事项",
      fallback: "没有同时包含所有词语的事项，以下是包含部分词语的结果。", more: "显示更多结果",
      number: "{n}."
    },
    en: {
      none: "No items found for “{q}”.", count: "{n} results", "count-one": "1 result", loading: "Searching…",
      error: "The search index could not be loaded. Please try again later.", empty: "Type a word to search for.",
      "see-all": "See all items", fallback: "No item contains all the words; these contain some of them.",
      more: "Show more results", number: "{n}."
    }
  };

  function initSearchPage(doc, win) {
    var box = doc.getElementById("search-results");
    if (!box || box.getAttribute("data-search-ready")) { return null; }
    var indexAttr = box.getAttribute("data-index");
    if (!indexAttr) { return null; }
    box.setAttribute("data-search-ready", "1");
    var lang = box.getAttribute("data-lang") || doc.documentElement.lang || "en";
    var defaults = DEFAULT_MESSAGES[lang.slice(0, 2)] || DEFAULT_MESSAGES.en;
    function msg(name, vars) {
      var s = box.getAttribute("data-msg-" + name);
      if (s === null || s === "") { s = defaults[name] || ""; }
      Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
      return s;
    }
    var indexUrl = new URL(indexAttr, doc.baseURI).href;
    var engine = new Engine(indexUrl, win.__planpubSearchFetch ? { fetchText: win.__planpubSearchFetch } : null);
    var input = doc.getElementById("search-page-q") || doc.getElementById("search-q");
    var headerInput = doc.getElementById("search-q");
    var sectionSel = doc.getElementById("search-section");
    var statusSel = doc.getElementById("search-status");
    var original = null;
    var seq = 0;
    var timer = null;
    var current = null;

    Array.prototype.forEach.call(box.querySelectorAll(".search-nojs"), function (el) { el.hidden = true; });

    // Result URLs in the index are relative to the site's base (`2023/16/`,
    // `en/2023/16/`), not to the language's home: resolve them against
    // data-base (issue #20: English results went to /en/en/…).
    function rootUrl() {
      var r = box.getAttribute("data-base");
      if (r) { return new URL(r, doc.baseURI).href; }
      return new URL((engine.m && engine.m.root) || "../../", indexUrl).href;
    }

    function setSelect(sel, value) {
      if (!sel) { return; }
      for (var i = 0; i < sel.options.length; i++) {
        if (sel.options[i].value === value) { sel.value = value; return; }
      }
    }

    function state() {
      return {
        q: input ? input.value : "",
        section: sectionSel ? sectionSel.value : "",
        status: statusSel ? statusSel.value : ""
      };
    }

    function syncUrl(st) {
      if (!win.history || !win.history.replaceState) { return; }
      var u = new URL(win.location.href);
      ["q", "section", "status"].forEach(function (k) {
        if (st[k] && (k !== "q" || st[k].trim())) { u.searchParams.set(k, st[k]); } else { u.searchParams.delete(k); }
      });
      var target = u.pathname + u.search + u.hash;
      if (target !== win.location.pathname + win.location.search + win.location.hash) {
        win.history.replaceState(win.history.state, "", target);
      }
    }

    function clearBox() {
      if (!original) {
        original = doc.createDocumentFragment();
        while (box.firstChild) { original.appendChild(box.firstChild); }
      } else {
        while (box.firstChild) { box.removeChild(box.firstChild); }
      }
    }

    function restore() {
      current = null;
      if (!original) { return; }
      while (box.firstChild) { box.removeChild(box.firstChild); }
      box.appendChild(original);
      original = null;
    }

    function el(tag, cls, text) {
      var e = doc.createElement(tag);
      if (cls) { e.className = cls; }
      if (text !== undefined && text !== null) { e.textContent = text; }
      return e;
    }

    function appendMarked(parent, text, terms) {
      var cps = Array.from(text);
      var pos = 0;
      highlightSpans(text, terms).forEach(function (s) {
        if (s[0] > pos) { parent.appendChild(doc.createTextNode(cps.slice(pos, s[0]).join(""))); }
        parent.appendChild(el("mark", null, cps.slice(s[0], s[1]).join("")));
        pos = s[1];
      });
      if (pos < cps.length) { parent.appendChild(doc.createTextNode(cps.slice(pos).join(""))); }
    }

    function resultItem(meta, res) {
      var li = el("li", "search-result");
      var a = el("a", "search-result-link");
      a.href = new URL(meta.url, rootUrl()).href;
      a.appendChild(el("span", "search-result-number", msg("number", { n: meta.number })));
      a.appendChild(doc.createTextNode(" "));
      var title = el("span", "search-result-title");
      if (meta.lang) { title.lang = meta.lang; }
      appendMarked(title, meta.title, res.highlight);
      a.appendChild(title);
      li.appendChild(a);
      var statuses = (engine.m && engine.m.labels && engine.m.labels.statuses) || {};
      var key = meta.status || "none";
      var word = statuses[key] || (meta.status ? meta.status : "");
      if (word) {
        li.appendChild(doc.createTextNode(" "));
        li.appendChild(el("span", "badge badge-" + key.replace(/[^a-z0-9-]/g, ""), word));
      }
      if (meta.excerpt) {
        var p = el("p", "search-snippet");
        if (meta.lang) { p.lang = meta.lang; }
        appendMarked(p, meta.excerpt, res.highlight);
        li.appendChild(p);
      }
      return li;
    }

    function render(res, metas, st) {
      clearBox();
      current = { res: res, shown: metas.length, st: st };
      if (!res.total) {
        box.appendChild(el("p", "search-none", res.noTerms ? msg("empty") : msg("none", { q: st.q.trim() })));
        var all = box.getAttribute("data-all-items");
        if (all) {
          var p = el("p", "search-see-all");
          var link = el("a", null, msg("see-all"));
          link.href = new URL(all, doc.baseURI).href;
          p.appendChild(link);
          box.appendChild(p);
        }
        return;
      }
      var countMsg = res.total === 1 && msg("count-one") ? msg("count-one") : msg("count", { n: res.total });
      box.appendChild(el("p", "search-summary", countMsg));
      if (res.mode === "any") { box.appendChild(el("p", "search-fallback", msg("fallback"))); }
      var list = el("ol", "search-list");
      metas.forEach(function (meta) { list.appendChild(resultItem(meta, res)); });
      box.appendChild(list);
      addMoreButton();
    }

    function addMoreButton() {
      if (!current || current.shown >= current.res.total) { return; }
      var button = el("button", "search-more", msg("more"));
      button.type = "button";
      button.addEventListener("click", function () {
        var mine = seq;
        var res = current.res;
        var ids = res.hits.slice(current.shown, current.shown + PAGE_SIZE);
        button.disabled = true;
        engine.docs(ids).then(function (metas) {
          if (mine !== seq) { return; }
          var list = box.querySelector("ol.search-list");
          var first = null;
          metas.forEach(function (meta) {
            var li = resultItem(meta, res);
            if (!first) { first = li.querySelector("a"); }
            list.appendChild(li);
          });
          current.shown += metas.length;
          button.parentNode.removeChild(button);
          addMoreButton();
          if (first) { first.focus(); }
        }, function () { button.disabled = false; });
      });
      box.appendChild(button);
    }

    function renderMessage(cls, text) {
      clearBox();
      box.appendChild(el("p", cls, text));
    }

    function run() {
      if (timer) { win.clearTimeout(timer); timer = null; }
      var st = state();
      syncUrl(st);
      if (headerInput && headerInput !== input) { headerInput.value = st.q; }
      var mine = ++seq;
      if (!st.q.trim() && !st.section && !st.status) {
        box.removeAttribute("aria-busy");
        restore();
        return Promise.resolve();
      }
      box.setAttribute("aria-busy", "true");
      var slow = win.setTimeout(function () { if (mine === seq) { renderMessage("search-loading", msg("loading")); } }, 400);
      return engine.search(st.q, { section: st.section, status: st.status }).then(function (res) {
        if (mine !== seq) { return null; }
        if (!res) { restore(); return null; }
        return engine.docs(res.hits.slice(0, PAGE_SIZE)).then(function (metas) {
          if (mine !== seq) { return; }
          render(res, metas, st);
        });
      }).catch(function (err) {
        if (mine === seq) { renderMessage("search-error", msg("error")); }
        if (win.console && win.console.error) { win.console.error(err); }
      }).then(function () {
        win.clearTimeout(slow);
        if (mine === seq) { box.removeAttribute("aria-busy"); }
      });
    }

    function schedule() {
      if (timer) { win.clearTimeout(timer); }
      timer = win.setTimeout(run, DEBOUNCE_MS);
    }

    function resultLinks() { return Array.prototype.slice.call(box.querySelectorAll("a.search-result-link")); }

    if (input) {
      input.addEventListener("input", schedule);
      input.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") {
          var links = resultLinks();
          if (links.length) { e.preventDefault(); links[0].focus(); }
        } else if (e.key === "Escape" && input.value) {
          e.preventDefault();
          input.value = "";
          run();
        }
      });
    }
    box.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Escape") { return; }
      var links = resultLinks();
      var i = links.indexOf(doc.activeElement);
      if (i < 0) { return; }
      e.preventDefault();
      if (e.key === "Escape") { if (input) { input.focus(); } return; }
      var next = e.key === "ArrowDown" ? i + 1 : i - 1;
      if (next < 0) { if (input) { input.focus(); } }
      else if (next < links.length) { links[next].focus(); }
      else {
        var more = box.querySelector("button.search-more");
        if (more) { more.focus(); }
      }
    });
    var forms = [];
    [input, sectionSel, statusSel].forEach(function (c) {
      if (c && c.form && forms.indexOf(c.form) < 0) { forms.push(c.form); }
    });
    forms.forEach(function (f) {
      f.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    });
    [sectionSel, statusSel].forEach(function (s) { if (s) { s.addEventListener("change", run); } });

    var params = new URLSearchParams(win.location.search);
    var q = params.get("q") || "";
    if (input) { input.value = q; }
    if (headerInput && headerInput !== input) { headerInput.value = q; }
    setSelect(sectionSel, params.get("section") || "");
    setSelect(statusSel, params.get("status") || "");
    var st0 = state();
    var ready = (st0.q.trim() || st0.section || st0.status) ? run() : Promise.resolve();
    return { engine: engine, run: run, ready: ready };
  }

  var api = {
    MAX_TOKEN_CHARS: MAX_TOKEN_CHARS,
    STOP_WORDS: STOP_WORDS,
    setT2s: setT2s,
    addT2s: addT2s,
    t2sPairsFromTable: t2sPairsFromTable,
    normalize: normalize,
    tokenize: tokenize,
    tokenizeDetailed: tokenizeDetailed,
    analyze: analyze,
    analyzeDetailed: analyzeDetailed,
    stem: stem,
    fnv1a: fnv1a,
    decodePostings: decodePostings,
    parseNumberQuery: parseNumberQuery,
    editDistanceAtMostOne: editDistanceAtMostOne,
    edits1: edits1,
    highlightSpans: highlightSpans,
    Engine: Engine,
    initSearchPage: initSearchPage
  };

  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else if (typeof document !== "undefined") {
    root.planpubSearch = api;
    var start = function () { api.page = initSearchPage(document, window); };
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
    else { start(); }
  }
})(this);
