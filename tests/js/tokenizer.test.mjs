// The browser tokenizer (themes/default/static/search/tokenize.js) must give
// exactly the terms and light forms of the Rust one (src/index/tokenize.rs)
// for the shared cases in tests/data/tokenizer_cases.json, which
// tests/search_tokenizer.rs checks on the Rust side. The analyzer is set up
// from the fixture index's manifest, as the engine sets it up.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Analyzer, editDistanceAtMostOne, fnv1a, light, parseNumberQuery, stem } from "../../themes/default/static/search/tokenize.js";
import { fixture, fixtureAnalyzer, readJson, repo } from "./helpers.mjs";

const analyzer = fixtureAnalyzer();
const table = readJson(path.join(repo, "tests/data/tokenizer_cases.json"));

test("the shared table has enough cases", () => {
  assert.ok(table.cases.length >= 50, `${table.cases.length} cases`);
  assert.ok(table.light.length >= 20, `${table.light.length} light cases`);
});

for (const c of table.cases) {
  test(`analyze(${JSON.stringify(c.input)})`, () => {
    assert.deepEqual(analyzer.analyze(c.input), c.tokens);
  });
}

for (const c of table.light) {
  test(`light(${JSON.stringify(c.word)})`, () => {
    assert.equal(light(c.word), c.light);
  });
}

test("spans point at the source text", () => {
  const text = "新建幼儿园16所，Kindergartens！";
  const toks = analyzer.analyzeDetailed(text);
  const cps = Array.from(text);
  const show = toks.map((t) => [t.t, cps.slice(t.s, t.e).join(""), t.l]);
  assert.deepEqual(show, [
    ["新建", "新建", "新建"], ["建幼", "建幼", "建幼"], ["幼儿", "幼儿", "幼儿"], ["儿园", "儿园", "儿园"],
    ["16", "16", "16"], ["所", "所", "所"], ["kindergarten", "Kindergartens", "kindergarten"],
  ]);
});

test("the analysis follows the manifest, not a language", () => {
  // No stemmer and no stop words: the words stay as written.
  const plain = new Analyzer({ han: "bigrams", stemmer: "none", stopWords: [], light: "plurals", t2s: 0 });
  assert.deepEqual(plain.analyze("The Kindergartens"), ["the", "kindergartens"]);
  assert.deepEqual(plain.analyze("雙減"), ["雙減"], "no table fetched: traditional stays traditional");
  assert.throws(() => new Analyzer({ stemmer: "snowball-xx" }), /unsupported stemmer/);
  assert.throws(() => new Analyzer({ han: "dictionary" }), /unsupported/);
});

test("no language code is matched in the search modules", () => {
  // issue #16.5: language behaviour comes from the manifest and the page.
  const dir = path.join(repo, "themes/default/static/search");
  for (const f of [...fs.readdirSync(dir).map((f) => path.join(dir, f)), path.join(repo, "themes/default/static/search.js")]) {
    const text = fs.readFileSync(f, "utf8");
    assert.doesNotMatch(text, /["'`](zh|en|zh-CN|zh-Hans|en-US)["'`]/, f);
  }
});

test("FNV-1a matches the Rust values", () => {
  const hashes = readJson(path.join(fixture, "hashes.json"));
  assert.equal(fnv1a(""), 0x811c9dc5);
  assert.equal(fnv1a("a"), 0xe40c292c);
  for (const [term, h] of Object.entries(hashes)) assert.equal(fnv1a(term), h, term);
});

test("Porter stemmer reference words", () => {
  const words = {
    caresses: "caress", ponies: "poni", agreed: "agre", plastered: "plaster", motoring: "motor",
    hopping: "hop", filing: "file", happy: "happi", relational: "relat", triplicate: "triplic",
    adjustment: "adjust", adoption: "adopt", controll: "control", generalization: "gener",
    kindergartens: "kindergarten", boarding: "board",
  };
  for (const [w, s] of Object.entries(words)) assert.equal(stem(w), s, w);
});

test("item number queries", () => {
  const n = (q) => parseNumberQuery(analyzer, q);
  assert.equal(n("16"), 16);
  assert.equal(n(" #16 "), 16);
  assert.equal(n("第16条"), 16);
  assert.equal(n("第十六条"), 16);
  assert.equal(n("第二十条"), 20);
  assert.equal(n("16条"), 16);
  assert.equal(n("item 16"), 16);
  assert.equal(n("Item 16"), 16);
  assert.equal(n("No. 16"), 16);
  assert.equal(n("１６"), 16);
  assert.equal(n("16所"), null);
  assert.equal(n("寄宿"), null);
  assert.equal(n("4,500"), null);
});

test("edit distance one", () => {
  const d = editDistanceAtMostOne;
  assert.ok(d("kindergarden", "kindergarten"));
  assert.ok(d("scool", "school"));
  assert.ok(d("schoool", "school"));
  assert.ok(d("shcool", "school"));
  assert.ok(!d("skool", "school"));
});
