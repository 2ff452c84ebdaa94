// The search engine of search.js over the fixture index that
// tests/search_tokenizer.rs builds with the Rust indexer (tests/js/fixture/).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const repo = path.join(__dirname, "..", "..");
const search = require(path.join(repo, "themes/default/static/search.js"));
const fixture = path.join(__dirname, "fixture");

function engine(lang) {
  const base = "https://example.test/plan/" + (lang === "zh" ? "" : "en/") + "search/index/";
  const root = path.join(fixture, lang === "zh" ? "" : "en", "search", "index");
  return new search.Engine(base, {
    fetchText: async (url) => {
      const rel = url.slice(base.length).split("?")[0];
      return fs.readFileSync(path.join(root, rel), "utf8");
    },
  });
}

async function numbers(e, q, filters) {
  const res = await e.search(q, filters);
  if (!res) return null;
  const metas = await e.docs(res.hits);
  return metas.map((m) => m.number);
}

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
});

test("highlight spans cover the matched words", () => {
  const spans = search.highlightSpans("新建寄宿制小学12所", new Set(["寄宿", "宿制"]));
  assert.deepEqual(spans, [[2, 5]]);
  const en = search.highlightSpans("Build 16 public kindergartens.", new Set(["kindergarten"]));
  assert.deepEqual(en, [[16, 29]]);
});

test("a first query fetches only a few small files", async () => {
  const e = engine("zh");
  const res = await e.search("寄宿制学校");
  await e.docs(res.hits.slice(0, 20));
  assert.ok(e.requests.includes("manifest.json"));
  assert.ok(!e.requests.some((r) => r.startsWith("vocab/") || r === "status.json"));
  const en = engine("en");
  await en.search("boarding");
  assert.ok(!en.requests.some((r) => r.startsWith("t2s/")), "no conversion table for a query without Han characters");
});
