// The search engine (themes/default/static/search/engine.js) over the
// fixture index that tests/search_tokenizer.rs builds with the Rust
// indexer (tests/js/fixture/).
import test from "node:test";
import assert from "node:assert/strict";
import { engine, numbers } from "./helpers.mjs";

test("nothing is fetched before a search", async () => {
  const e = engine("zh");
  assert.equal(e.bytes, 0);
  assert.equal(await e.search("", {}), null);
  assert.equal(e.requests.length, 0);
});

test("Chinese words, partial words and phrases", async () => {
  const e = engine("zh");
  assert.deepEqual(await numbers(e, "寄宿"), [9]);
  assert.deepEqual(await numbers(e, "寄宿制学校"), [9]);
  assert.deepEqual(await numbers(e, "双减"), [10]);
  assert.deepEqual((await numbers(e, "幼儿园")).slice(0, 1), [8]);
  assert.deepEqual((await numbers(e, "学前教育")).slice(0, 1), [8]);
  assert.deepEqual((await numbers(e, "教师队伍")).slice(0, 1), [16]);
  assert.deepEqual(await numbers(e, "课后服务"), [10]);
});

test("traditional characters find simplified text", async () => {
  const e = engine("zh");
  assert.deepEqual(await numbers(e, "雙減"), [10]);
  assert.deepEqual((await numbers(e, "學前教育"))[0], 8);
  assert.deepEqual((await numbers(e, "職業教育"))[0], 13);
});

test("numbers: 4,500 = 4500, and item numbers first", async () => {
  const e = engine("zh");
  assert.deepEqual(await numbers(e, "4500"), [8]);
  assert.deepEqual(await numbers(e, "4,500"), [8]);
  assert.deepEqual((await numbers(e, "16"))[0], 16);
  assert.ok((await numbers(e, "16")).includes(8), "16 also finds the body mention (16所)");
  assert.deepEqual((await numbers(e, "第16条"))[0], 16);
  assert.deepEqual((await numbers(e, "第十六条"))[0], 16);
  const en = engine("en");
  assert.deepEqual((await numbers(en, "item 16"))[0], 16);
  assert.deepEqual((await numbers(en, "#12"))[0], 12);
  assert.deepEqual(await numbers(en, "35,000"), [16]);
});

test("a single Han character", async () => {
  const e = engine("zh");
  assert.deepEqual(await numbers(e, "园"), [8, 9]);
});

test("English: stemming, typos and prefixes", async () => {
  const e = engine("en");
  assert.deepEqual(await numbers(e, "kindergarten"), [8]);
  assert.deepEqual(await numbers(e, "Kindergartens"), [8]);
  assert.deepEqual(await numbers(e, "kindergarden"), [8]);
  const res = await e.search("kindergarden");
  assert.deepEqual(res.expanded, { kindergarden: ["kindergarten"] });
  assert.deepEqual(await numbers(e, "kinderg"), [8]);
  assert.deepEqual(await numbers(e, "boarding schools"), [9]);
  assert.deepEqual((await numbers(e, "vocational"))[0], 13);
  assert.deepEqual((await numbers(e, "double reduction"))[0], 10);
});

test("a word's stem alone never brings a result in (issue #20: boarding and 'across the board')", async () => {
  const e = engine("en");
  // Item 9 says "boarding", item 28 "across the board": both stem to board.
  assert.deepEqual(await numbers(e, "boarding"), [9]);
  // "board" is the beginning of "boarding": both are found.
  assert.deepEqual(new Set(await numbers(e, "board")), new Set([28, 9]));
  // Item 28 has "school" too, but only item 9 has both words of
  // "boarding schools"; with no item holding both words of "teachers
  // boarding", 28 is found for "teachers", as 16 is.
  assert.deepEqual(await numbers(e, "boarding schools"), [9]);
  const res = await e.search("teachers boarding");
  assert.equal(res.mode, "any");
  assert.deepEqual(new Set(await numbers(e, "teachers boarding")), new Set([9, 16, 28]));
  // Plurals are the same word.
  assert.deepEqual(await numbers(e, "schools"), await numbers(e, "school"));
});

test("a synonym finds what its replacement finds, ranked a little lower", async () => {
  const synonyms = [{ from: "老师", to: ["教师"] }, { from: "学前", to: ["幼儿园"] }];
  const plain = engine("zh");
  assert.deepEqual(await numbers(plain, "老师"), [], "no item says 老师");
  const e = engine("zh", { synonyms });
  const teachers = await numbers(e, "老师");
  assert.deepEqual(new Set(teachers), new Set(await numbers(plain, "教师")));
  const res = await e.search("老师");
  assert.deepEqual(res.synonyms, [{ from: "老师", to: "教师" }]);
  assert.ok(res.highlight.has("教师"), "the replacement is marked in the results");
  // The query's own matches stay first.
  assert.equal((await numbers(e, "学前"))[0], 8);
});

test("all terms required, falling back to any term", async () => {
  const e = engine("en");
  const all = await e.search("boarding kindergartens");
  assert.equal(all.mode, "any");
  assert.deepEqual(new Set(await numbers(e, "boarding kindergartens")), new Set([8, 9]));
  const stop = await e.search("the of and");
  assert.equal(stop.total, 0);
  assert.ok(stop.noTerms, "a query of stop words only has nothing to search for");
  const none = await e.search("zzzzqqq");
  assert.equal(none.mode, "none");
  assert.equal(none.total, 0);
});

test("title matches and exact phrases rank first", async () => {
  const e = engine("en");
  const r = await numbers(e, "education");
  // Items whose title has "education" come before body-only mentions.
  const titled = [8, 9, 12, 13, 17, 29];
  assert.ok(titled.includes(r[0]), `first: ${r[0]}`);
  const zh = engine("zh");
  assert.equal((await numbers(zh, "教育经费"))[0], 29);
});

test("filters by section and status", async () => {
  const e = engine("zh");
  assert.deepEqual(await numbers(e, "", { section: "2" }), [8, 9, 10, 11]);
  assert.deepEqual(await numbers(e, "", { status: "in-progress" }), [8, 10, 16]);
  assert.deepEqual(await numbers(e, "", { status: "none" }), [11, 29]);
  assert.deepEqual(await numbers(e, "建设", { section: "4" }), [16]);
  assert.deepEqual(await numbers(e, "教育", { section: "2", status: "delayed" }), [9]);
  assert.deepEqual(await numbers(e, "寄宿", { status: "completed" }), []);
});

test("weights come from the manifest", async () => {
  // The same query, with the stem-only factor raised above an exact
  // match's, and a manifest of another format version refused.
  const e = engine("en", { edit: (name, json) => (name === "manifest.json" ? { ...json, version: 1 } : json) });
  await assert.rejects(e.search("boarding"), /unsupported search index/);
  const typoFree = engine("en", {
    edit: (name, json) => (name === "manifest.json" ? { ...json, scoring: { ...json.scoring, expansions: 0 } } : json),
  });
  assert.deepEqual(await numbers(typoFree, "kindergarden"), [], "no expansion allowed");
});

test("a first query fetches only a few small files", async () => {
  const e = engine("zh");
  const res = await e.search("寄宿制学校");
  await e.docs(res.hits.slice(0, 20));
  assert.ok(e.requests.includes("manifest.json"));
  assert.ok(!e.requests.some((r) => r.startsWith("vocab/") || r === "status.json" || r === "sections.json"));
  const en = engine("en");
  await en.search("boarding");
  assert.ok(!en.requests.some((r) => r.startsWith("t2s/")), "no conversion table for a query without Han characters");
});
