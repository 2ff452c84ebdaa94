// Bytes fetched by typical first queries (fresh engine each) on an index
// folder written to disk, e.g. the 10,000-item corpus of
// `cargo test --release --test search_tokenizer -- --ignored large_corpus`
// or a built site:  node tests/js/bench.js <site-or-bench-dir>
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const search = require(path.join(__dirname, "..", "..", "themes/default/static/search.js"));

const dir = process.argv[2] || path.join(require("node:os").tmpdir(), "planpub-search-bench");
const queries = {
  zh: ["寄宿", "双减", "幼儿园", "寄宿制学校", "學前教育", "教师队伍建设", "16", "第16条", "4,500", "教育", "园", "课后服务 全覆盖"],
  en: ["kindergarten", "boarding schools", "double reduction", "kindergarden", "teachers", "item 16", "vocational education", "rural", "education"],
};

async function measure(lang, q) {
  const root = path.join(dir, lang === "zh" ? "" : "en", "search", "index");
  const base = "https://example.test/" + (lang === "zh" ? "" : "en/") + "search/index/";
  const e = new search.Engine(base, {
    fetchText: async (url) => fs.readFileSync(path.join(root, url.slice(base.length).split("?")[0]), "utf8"),
  });
  const t0 = process.hrtime.bigint();
  const res = await e.search(q, {});
  await e.docs(res.hits.slice(0, 10));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { q, total: res.total, kb: (e.bytes / 1024).toFixed(1), files: e.requests.length, ms: ms.toFixed(0) };
}

(async () => {
  for (const lang of ["zh", "en"]) {
    if (!fs.existsSync(path.join(dir, lang === "zh" ? "" : "en", "search", "index", "manifest.json"))) continue;
    for (const q of queries[lang]) {
      const r = await measure(lang, q);
      console.log(`${lang}\t${r.q}\t${r.total} hits\t${r.kb} KB\t${r.files} files\t${r.ms} ms`);
    }
  }
})();
