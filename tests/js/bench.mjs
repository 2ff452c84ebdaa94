// Bytes fetched by typical first queries (a fresh engine each) on a built
// site or index folders written to disk, e.g. the 10,000-item corpus of
// benches/gen_corpus.py built with planpub:
//   node tests/js/bench.mjs <site-or-bench-dir>
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Engine } from "../../themes/default/static/search/engine.js";

const dir = process.argv[2] || path.join(os.tmpdir(), "planpub-search-bench");
const queries = {
  zh: ["寄宿", "双减", "雙減", "幼儿园", "寄宿制学校", "學前教育", "教师队伍建设", "16", "第16条", "4,500", "教育", "园", "课后服务 全覆盖"],
  en: ["kindergarten", "boarding", "boarding schools", "double reduction", "kindergarden", "teachers", "item 16", "vocational education", "rural", "education"],
};

async function measure(lang, q) {
  const root = path.join(dir, lang === "zh" ? "" : lang, "search", "index");
  const base = `https://example.test/${lang === "zh" ? "" : `${lang}/`}search/index/`;
  const e = new Engine(base, {
    fetchText: async (url) => fs.readFileSync(path.join(root, url.slice(base.length).split("?")[0]), "utf8"),
  });
  const t0 = process.hrtime.bigint();
  const res = await e.search(q, {});
  await e.docs(res.hits.slice(0, e.m.page));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { q, total: res.total, kb: (e.bytes / 1024).toFixed(1), files: e.requests.length, ms: ms.toFixed(0) };
}

for (const lang of ["zh", "en"]) {
  if (!fs.existsSync(path.join(dir, lang === "zh" ? "" : lang, "search", "index", "manifest.json"))) continue;
  for (const q of queries[lang]) {
    const r = await measure(lang, q);
    console.log(`${lang}\t${r.q}\t${r.total} hits\t${r.kb} KB\t${r.files} files\t${r.ms} ms`);
  }
}
