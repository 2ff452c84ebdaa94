// The synonym table of the search page (the theme's i18n key
// `search-synonyms`, which a site may extend in its own i18n/<lang>.toml):
// a query containing a word of the table is also searched with that word
// replaced (老师 → 教师), its results ranked a little lower.

const WORD = /[\p{L}\p{N}]/u;

/**
 * Parses the table: entries separated by `;`, `；` or new lines, each
 * `word = replacement, replacement` (`,`, `，` or `、` between
 * replacements). Malformed entries are skipped.
 */
export function parseSynonyms(text) {
  const out = [];
  for (const entry of String(text || "").split(/[;；\n]/)) {
    const eq = entry.indexOf("=");
    if (eq < 0) continue;
    const from = entry.slice(0, eq).trim();
    const to = entry.slice(eq + 1).split(/[,，、]/).map((t) => t.trim()).filter((t) => t && t !== from);
    if (from && to.length) out.push({ from, to });
  }
  return out;
}

/** Where `key` occurs in `text` as a whole word (a key of letters) or anywhere (Han). */
function occurs(text, key) {
  const chars = Array.from(text);
  const k = Array.from(key);
  const wordEdge = (ch) => ch === undefined || !WORD.test(ch);
  for (let i = 0; i + k.length <= chars.length; i++) {
    if (chars.slice(i, i + k.length).join("") !== key) continue;
    const before = WORD.test(k[0]) && !/\p{Script=Han}/u.test(k[0]) ? wordEdge(chars[i - 1]) : true;
    const last = k[k.length - 1];
    const after = WORD.test(last) && !/\p{Script=Han}/u.test(last) ? wordEdge(chars[i + k.length]) : true;
    if (before && after) return true;
  }
  return false;
}

/** Most alternative queries made from one query. */
const MAX_ALTERNATIVES = 8;

/**
 * The alternatives of a query: for each table word in it (both normalized
 * by `analyzer`), the query with that word replaced by each of its
 * replacements: [{text, from, to}].
 */
export function synonymQueries(analyzer, query, table) {
  const q = analyzer.normalize(query);
  const out = [];
  for (const { from, to } of table || []) {
    const key = analyzer.normalize(from);
    if (!key.trim() || !occurs(q, key)) continue;
    for (const t of to) {
      const text = q.split(key).join(analyzer.normalize(t));
      if (text !== q && !out.some((a) => a.text === text)) out.push({ text, from, to: t });
    }
  }
  return out.slice(0, MAX_ALTERNATIVES);
}
