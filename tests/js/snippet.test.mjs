// Result snippets (themes/default/static/search/snippet.js) and the synonym
// table (synonyms.js).
import test from "node:test";
import assert from "node:assert/strict";
import { highlightSpans, snippet } from "../../themes/default/static/search/snippet.js";
import { parseSynonyms, synonymQueries } from "../../themes/default/static/search/synonyms.js";
import { fixtureAnalyzer } from "./helpers.mjs";

const analyzer = fixtureAnalyzer();
const marked = (s) => {
  const cps = Array.from(s.text);
  let out = "";
  let pos = 0;
  for (const [a, b] of s.spans) { out += `${cps.slice(pos, a).join("")}[${cps.slice(a, b).join("")}]`; pos = b; }
  return (s.cutStart ? "…" : "") + out + cps.slice(pos).join("") + (s.cutEnd ? "…" : "");
};

test("highlight spans cover the matched words", () => {
  assert.deepEqual(highlightSpans(analyzer, "新建寄宿制小学12所", new Set(["寄宿", "宿制"])), [[2, 5]]);
  assert.deepEqual(highlightSpans(analyzer, "Build 16 public kindergartens.", new Set(["kindergarten"])), [[16, 29]]);
});

test("a short text is shown whole, with its matches marked", () => {
  const s = snippet(analyzer, "课后服务全覆盖。", new Set(["课后", "后服", "服务"]), 200);
  assert.equal(marked(s), "[课后服务]全覆盖。");
});

test("a long text is cut around the best match, not at its start (issue #20)", () => {
  const text = "一二三四五六七八九十".repeat(20) + "新开工32所乡镇寄宿制小学" + "甲乙丙丁戊己庚辛壬癸".repeat(20);
  const s = snippet(analyzer, text, new Set(["寄宿"]), 40);
  assert.ok(s.cutStart && s.cutEnd);
  assert.match(marked(s), /^…[^[]*\[寄宿\][^[]*…$/);
  // Centred: about as much text before the match as after it.
  const [at] = s.spans[0];
  const after = Array.from(s.text).length - s.spans[0][1];
  assert.ok(Math.abs(at - after) <= 2, `${at} before, ${after} after`);
  // The window is the width asked for (a Chinese character counts 2).
  const width = Array.from(s.text).reduce((w, ch) => w + (ch.codePointAt(0) >= 0x2E80 ? 2 : 1), 0);
  assert.ok(width <= 40 && width >= 36, `${width}: ${s.text}`);
});

test("the window goes where most of the query's words are", () => {
  const text = "boarding is mentioned here first. " + "Filler words go on and on. ".repeat(10) +
    "Rural boarding schools are built this year. " + "More filler text follows. ".repeat(10);
  const s = snippet(analyzer, text, new Set(["board", "school"]), 80);
  assert.match(marked(s), /\[boarding\] \[schools\]/);
});

test("words written with spaces are not cut in two", () => {
  const text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon";
  const s = snippet(analyzer, text, new Set(["iota"]), 30);
  const words = new Set(text.split(" "));
  for (const w of s.text.split(" ")) assert.ok(words.has(w), `${w} in ${s.text}`);
  assert.ok(s.text.includes("iota"));
});

test("without a match the snippet is the beginning", () => {
  const s = snippet(analyzer, "开头的文字".repeat(30), new Set(["寄宿"]), 20);
  assert.ok(!s.cutStart && s.cutEnd);
  assert.ok(s.text.startsWith("开头的文字"));
});

test("the synonym table of i18n is parsed leniently", () => {
  assert.deepEqual(parseSynonyms("老师 = 教师; 学前 = 幼儿园, 学前教育\n职教=职业教育；bad entry; = x; y ="), [
    { from: "老师", to: ["教师"] },
    { from: "学前", to: ["幼儿园", "学前教育"] },
    { from: "职教", to: ["职业教育"] },
  ]);
  assert.deepEqual(parseSynonyms(""), []);
  assert.deepEqual(parseSynonyms(null), []);
});

test("a synonym replaces its word in the query, and a Latin word only as a whole word", () => {
  const table = parseSynonyms("老师 = 教师; pupil = student; 學前 = 幼儿园");
  assert.deepEqual(synonymQueries(analyzer, "优秀老师", table).map((a) => a.text), ["优秀教师"]);
  assert.deepEqual(synonymQueries(analyzer, "Pupil numbers", table).map((a) => a.text), ["student numbers"]);
  assert.deepEqual(synonymQueries(analyzer, "pupils", table), [], "pupils is another word");
  // Both sides are normalized (traditional characters, case, width).
  assert.deepEqual(synonymQueries(analyzer, "学前", table).map((a) => a.text), ["幼儿园"]);
});
