// Shared by the node tests of the search modules: the repository, the
// fixture index that tests/search_tokenizer.rs writes with the Rust
// indexer (tests/js/fixture/), and engines over it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "../../themes/default/static/search/engine.js";
import { Analyzer, t2sPairsFromTable } from "../../themes/default/static/search/tokenize.js";

export const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixture = path.join(repo, "tests", "js", "fixture");

/** The fixture index folder of a language (zh at the root, en under en/). */
export function indexDir(lang) {
  return path.join(fixture, lang === "zh" ? "" : lang, "search", "index");
}

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/**
 * An engine over the fixture index of `lang`; `edit(name, json)` may
 * change a file as served (e.g. the manifest).
 */
export function engine(lang, options = {}) {
  const base = `https://example.test/plan/${lang === "zh" ? "" : `${lang}/`}search/index/`;
  const root = indexDir(lang);
  return new Engine(base, {
    ...options,
    fetchText: async (url) => {
      const rel = url.slice(base.length).split("?")[0];
      const text = fs.readFileSync(path.join(root, rel), "utf8");
      return options.edit ? JSON.stringify(options.edit(rel, JSON.parse(text))) : text;
    },
  });
}

/** An analyzer as the zh fixture's manifest describes it, with the whole t2s table. */
export function fixtureAnalyzer() {
  const a = new Analyzer(readJson(path.join(indexDir("zh"), "manifest.json")).analyzer);
  a.addT2s(t2sPairsFromTable(fs.readFileSync(path.join(repo, "src/index/t2s.txt"), "utf8")));
  return a;
}

/** Item numbers of a search's hits, in order (null for no search). */
export async function numbers(e, q, filters) {
  const res = await e.search(q, filters);
  if (!res) return null;
  const metas = await e.docs(res.hits);
  return metas.map((m) => m.number);
}
