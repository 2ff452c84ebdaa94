// The browser tokenizer (themes/default/static/search.js) must give exactly
// the terms of the Rust one (src/index/tokenize.rs) for the shared cases in
// tests/data/tokenizer_cases.json, which tests/search_tokenizer.rs checks on
// the Rust side.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const repo = path.join(__dirname, "..", "..");
const search = require(path.join(repo, "themes/default/static/search.js"));
search.setT2s(search.t2sPairsFromTable(fs.readFileSync(path.join(repo, "src/index/t2s.txt"), "utf8")));
const { cases } = JSON.parse(fs.readFileSync(path.join(repo, "tests/data/tokenizer_cases.json"), "utf8"));

test("the shared table has enough cases", () => {
  assert.ok(cases.length >= 50, `${cases.length} cases`);
});

for (const c of cases) {
  test(`analyze(${JSON.stringify(c.input)})`, () => {
    assert.deepEqual(search.analyze(c.input), c.tokens);
  });
}

test("spans point at the source text", () => {
  const text = "新建幼儿园16所，Kindergartens！";
  const toks = search.analyzeDetailed(text);
  const cps = Array.from(text);
  const show = toks.map((t) => [t.t, cps.slice(t.s, t.e).join("")]);
  assert.deepEqual(show, [
    ["新建", "新建"], ["建幼", "建幼"], ["幼儿", "幼儿"], ["儿园", "儿园"],
    ["16", "16"], ["所", "所"], ["kindergarten", "Kindergartens"],
  ]);
});

test("FNV-1a matches the Rust values", () => {
  // fnv1a("") = offset basis; "a" and a Han bigram, as computed by src/index/tokenize.rs.
  assert.equal(search.fnv1a(""), 0x811c9dc5);
  assert.equal(search.fnv1a("a"), 0xe40c292c);
  assert.equal(search.fnv1a("寄宿"), Number(JSON.parse(fs.readFileSync(path.join(__dirname, "fixture", "hashes.json"), "utf8"))["寄宿"]));
});

test("Porter stemmer reference words", () => {
  const words = {
    caresses: "caress", ponies: "poni", agreed: "agre", plastered: "plaster", motoring: "motor",
    hopping: "hop", filing: "file", happy: "happi", relational: "relat", triplicate: "triplic",
    adjustment: "adjust", adoption: "adopt", controll: "control", generalization: "gener",
    kindergartens: "kindergarten", boarding: "board",
  };
  for (const [w, s] of Object.entries(words)) assert.equal(search.stem(w), s, w);
});

test("item number queries", () => {
  const n = search.parseNumberQuery;
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
  const d = search.editDistanceAtMostOne;
  assert.ok(d("kindergarden", "kindergarten"));
  assert.ok(d("scool", "school"));
  assert.ok(d("schoool", "school"));
  assert.ok(d("shcool", "school"));
  assert.ok(!d("skool", "school"));
});
