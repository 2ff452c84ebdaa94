// Searches the shipped site in headless Chromium: builds it (cargo run --
// build), serves it on 127.0.0.1 under its base path, and checks that each
// query below puts the expected items in its top results, in both
// languages; then the search page's behaviour (URL sync, typing, keyboard,
// filters, no results, safety, and that nothing is fetched before a search).
//
// Run: npm install && node --test tests/browser/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { basePath, buildSite, serve, launchChromium } = require("./lib/site.js");

// [language, query, expected item numbers, within the top N results, kind]
const QUERIES = [
  ["zh", "寄宿", [16, 24], 3, "whole word"],
  ["zh", "寄宿制", [16, 24], 3, "whole word"],
  ["zh", "双减", [23], 1, "whole word"],
  ["zh", "雙減", [23], 1, "traditional"],
  ["zh", "幼儿园", [11], 1, "whole word"],
  ["zh", "幼兒園", [11], 1, "traditional"],
  ["zh", "普惠性民办园", [11], 1, "phrase"],
  ["zh", "学前教育", [11], 1, "whole word"],
  ["zh", "义务教育优质均衡", [12], 1, "phrase"],
  ["zh", "特殊教育", [14], 1, "whole word"],
  ["zh", "職業教育", [15], 1, "traditional"],
  ["zh", "中职", [15], 1, "partial word"],
  ["zh", "民办教育", [20], 1, "whole word"],
  ["zh", "信息化", [21], 1, "whole word"],
  ["zh", "督學", [22], 1, "traditional"],
  ["zh", "乡村振兴", [24], 1, "whole word"],
  ["zh", "鄉村振興", [24], 1, "traditional"],
  ["zh", "师德师风", [25], 1, "whole word"],
  ["zh", "教育科研", [27], 1, "whole word"],
  ["zh", "教育經費", [29], 1, "traditional"],
  ["zh", "法治", [30], 1, "whole word"],
  ["zh", "疫情防控", [4], 1, "whole word"],
  ["zh", "心理健康", [7], 1, "whole word"],
  ["zh", "普通话", [9], 1, "whole word"],
  ["zh", "随班就读", [14], 1, "phrase"],
  ["zh", "县管校聘", [28], 1, "phrase"],
  ["zh", "课后服务", [23], 1, "phrase"],
  ["zh", "园", [11], 3, "one character"],
  ["zh", "4,500", [11], 1, "number"],
  ["zh", "4500", [11], 1, "number"],
  ["zh", "16", [16], 1, "item number"],
  ["zh", "第16条", [16], 1, "item number"],
  ["zh", "第二十三条", [23], 1, "item number"],
  ["zh", "学前", [11], 2, "partial word"],
  ["en", "kindergarten", [11], 1, "whole word"],
  ["en", "Kindergartens", [11], 1, "whole word"],
  ["en", "KINDERGARTEN", [11], 1, "whole word"],
  ["en", "kindergarden", [11], 1, "typo"],
  ["en", "vocatinal", [15], 1, "typo"],
  ["en", "kinderg", [11], 1, "partial word"],
  ["en", "boarding schools", [16, 24], 3, "phrase"],
  ["en", "double reduction", [23], 1, "phrase"],
  ["en", "\"double reduction\"", [23], 1, "phrase"],
  ["en", "preschool", [11], 1, "whole word"],
  ["en", "vocational", [15], 1, "whole word"],
  ["en", "rural revitalization", [24], 1, "phrase"],
  ["en", "professional ethics", [25], 1, "phrase"],
  ["en", "rule of law", [30], 1, "phrase"],
  ["en", "Putonghua", [9], 1, "whole word"],
  ["en", "mental health", [7], 1, "phrase"],
  ["en", "epidemic", [4], 1, "whole word"],
  ["en", "learning society", [17], 1, "phrase"],
  ["en", "private education", [20], 1, "phrase"],
  ["en", "digitalization", [21], 1, "whole word"],
  ["en", "digital", [21], 1, "partial word"],
  ["en", "after-school services", [23], 1, "phrase"],
  ["en", "inclusive", [14], 1, "whole word"],
  ["en", "textbooks", [8], 1, "whole word"],
  ["en", "item 16", [16], 1, "item number"],
  ["en", "#23", [23], 1, "item number"],
  ["en", "4,500", [11], 1, "number"],
];

let site;
let server;
let browser;
const prefix = basePath();

test.before(async () => {
  site = buildSite();
  server = await serve(site, prefix);
  browser = await launchChromium();
});

test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (site && !process.env.PLANPUB_SITE_DIR) fs.rmSync(path.dirname(site), { recursive: true, force: true });
});

function searchUrl(lang, query, extra) {
  const params = new URLSearchParams({ q: query, ...(extra || {}) });
  return server.url(`${lang === "zh" ? "" : "en/"}search/?${params}`);
}

/** Opens a search page and waits until results (or a message) are shown. */
async function openSearch(page, lang, query, extra) {
  await page.goto(searchUrl(lang, query, extra));
  await page.waitForSelector("#search-results .search-list, #search-results .search-none, #search-results .search-error");
  return page;
}

/**
 * Item numbers of the shown results, in order. Every result link is
 * followed (issue #20: English results linked to /en/en/…, a 404, while
 * this only read the number out of the link): it must answer 200 with the
 * item's page in the page's language, whose canonical URL is the link.
 */
async function resultNumbers(page, base = prefix) {
  const hrefs = await page.$$eval("#search-results a.search-result-link", (as) => as.map((a) => a.href));
  const lang = await page.locator("#search-results").getAttribute("data-lang");
  const numbers = [];
  for (const href of hrefs) numbers.push(await followResultLink(page, href, lang, base));
  return numbers;
}

const followed = new Map();

/** Fetches a result link once per test run; returns the item number of the page it leads to. */
async function followResultLink(page, href, lang, base) {
  if (!followed.has(href)) {
    const res = await page.request.get(href);
    const html = await res.text();
    assert.equal(res.status(), 200, `result link ${href} answered ${res.status()}`);
    const htmlLang = /<html lang="([^"]+)"/.exec(html);
    assert.ok(htmlLang && htmlLang[1].split("-")[0] === lang, `result link ${href} leads to a page in another language (${htmlLang && htmlLang[1]})`);
    const canonical = /<link rel="canonical" href="([^"]+)"/.exec(html);
    assert.ok(canonical, `result link ${href}: no canonical link`);
    const path = new URL(canonical[1]).pathname;
    assert.equal(path, new URL(href).pathname, `result link ${href} is not the page's own URL (${path})`);
    const m = new RegExp(`^${base}${lang === "zh" ? "" : lang + "/"}(\\d{4})/(\\d+)/$`).exec(path);
    assert.ok(m, `result link ${href} is not an item page of language ${lang}`);
    followed.set(href, Number(m[2]));
  }
  return followed.get(href);
}

const recall = { found: 0, total: 0, misses: [] };

test("search queries find the expected items in both languages", async (t) => {
  assert.ok(QUERIES.length >= 30);
  const page = await browser.newPage();
  for (const [lang, query, expected, top, kind] of QUERIES) {
    await t.test(`${lang} ${kind}: ${query} -> ${expected.join(", ")} in top ${top}`, async () => {
      await openSearch(page, lang, query);
      const got = await resultNumbers(page);
      for (const n of expected) {
        recall.total++;
        if (got.slice(0, Math.max(top, expected.length)).includes(n)) recall.found++;
        else recall.misses.push(`${lang} ${query}: ${n} not in ${got.slice(0, 5)}`);
      }
      const head = got.slice(0, Math.max(top, expected.length));
      for (const n of expected) assert.ok(head.includes(n), `${query}: expected ${n} in ${JSON.stringify(got.slice(0, 8))}`);
    });
  }
  await page.close();
  t.diagnostic(`recall: ${recall.found}/${recall.total} expected items in the top results`);
});

test("the URL keeps the search; typing updates results and the URL", async () => {
  const page = await browser.newPage();
  await page.goto(server.url("search/"));
  const input = page.locator("#search-page-q");
  await input.click();
  await input.pressSequentially("双减", { delay: 30 });
  await page.waitForSelector("#search-results .search-list");
  assert.equal((await resultNumbers(page))[0], 23);
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "双减");
  // Type more: the results follow.
  await input.fill("寄宿");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "寄宿");
  await page.waitForFunction(() => [...document.querySelectorAll("#search-results a.search-result-link")].length === 2);
  assert.deepEqual((await resultNumbers(page)).sort((a, b) => a - b), [16, 24]);
  // A shared URL shows the same results.
  const shared = page.url();
  const other = await browser.newPage();
  await other.goto(shared);
  await other.waitForSelector("#search-results .search-list");
  assert.deepEqual((await resultNumbers(other)).sort((a, b) => a - b), [16, 24]);
  assert.equal(await other.inputValue("#search-page-q"), "寄宿");
  // Clearing the box brings back the full list.
  await input.fill("");
  await page.waitForSelector("#search-results ul.search-all");
  assert.equal(new URL(page.url()).searchParams.get("q"), null);
  await page.close();
  await other.close();
});

test("results show number, title, status badge and a snippet with marks", async () => {
  const page = await openSearch(await browser.newPage(), "zh", "幼儿园");
  const first = page.locator("#search-results li.search-result").first();
  assert.match(await first.locator("a").innerText(), /^11\.\s+推进学前教育/);
  assert.equal(await first.locator("a").count(), 1, "one link per result");
  const badge = first.locator("span.badge");
  assert.match(await badge.getAttribute("class"), /^badge badge-[a-z-]+$/);
  assert.ok((await badge.innerText()).length > 0);
  const marks = await page.$$eval("#search-results mark", (ms) => ms.map((m) => m.textContent));
  assert.ok(marks.includes("幼儿园"), JSON.stringify(marks));
  assert.match(await page.locator("#search-results .search-summary").innerText(), /\d/);
  // The result links to the item page, under the base path.
  const href = await first.locator("a").getAttribute("href");
  assert.equal(new URL(href).pathname, `${prefix}2023/11/`);
  await page.close();
});

test("keyboard: arrow keys move through results, Enter opens one", async () => {
  const page = await browser.newPage();
  await page.goto(searchUrl("en", "education"));
  await page.waitForSelector("#search-results .search-list");
  await page.focus("#search-page-q");
  await page.keyboard.press("ArrowDown");
  const links = await resultNumbers(page);
  assert.equal(await page.evaluate(() => document.activeElement.className), "search-result-link");
  await page.keyboard.press("ArrowDown");
  const second = await page.evaluate(() => document.activeElement.getAttribute("href"));
  assert.equal(new URL(second).pathname, `${prefix}en/2023/${links[1]}/`);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-page-q");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL((u) => u.pathname === `${prefix}en/2023/${links[0]}/`), page.keyboard.press("Enter")]);
  await page.close();
});

test("filters by section and status", async () => {
  const page = await openSearch(await browser.newPage(), "zh", "教育", { section: "3" });
  const inSection = await resultNumbers(page);
  assert.ok(inSection.length > 0);
  assert.ok(inSection.every((n) => n >= 11 && n <= 17), JSON.stringify(inSection));
  assert.equal(await page.inputValue("#search-section"), "3");
  // Changing the status select re-runs the search and keeps it in the URL.
  const statuses = await page.$$eval("#search-status option", (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(statuses.length > 0);
  await page.selectOption("#search-status", statuses[0]);
  await page.waitForFunction((s) => new URL(location.href).searchParams.get("status") === s, statuses[0]);
  await page.waitForSelector("#search-results .search-list, #search-results .search-none");
  const badges = await page.$$eval("#search-results li.search-result span.badge", (bs) => bs.map((b) => b.className));
  assert.ok(badges.every((c) => c === `badge badge-${statuses[0]}`), JSON.stringify(badges));
  await page.close();
});

test("no results: a clear message and a link to all items", async () => {
  const page = await openSearch(await browser.newPage(), "en", "xylophonequartz");
  const msg = await page.locator("#search-results .search-none").innerText();
  assert.match(msg, /xylophonequartz/);
  const href = await page.locator("#search-results .search-see-all a").getAttribute("href");
  assert.equal(new URL(href).pathname, `${prefix}en/2023/`);
  await page.close();
});

test("the query is shown as text, never as HTML", async () => {
  const page = await browser.newPage();
  let dialog = false;
  page.on("dialog", async (d) => { dialog = true; await d.dismiss(); });
  const evil = "<img src=x onerror=alert(1)>";
  await openSearch(page, "en", evil);
  assert.equal(await page.locator("#search-results img").count(), 0);
  assert.equal(await page.locator("img[src=x]").count(), 0);
  assert.ok(!dialog);
  assert.equal(await page.inputValue("#search-page-q"), evil);
  const text = await page.locator("#search-results").innerText();
  assert.ok(text.includes(evil) || /\d/.test(text), text);
  await page.close();
});

test("nothing is fetched before a search; a first query fetches little", async (t) => {
  const page = await browser.newPage();
  const fetched = [];
  page.on("response", async (r) => {
    if (r.url().includes("/search/index/")) {
      const body = await r.body().catch(() => Buffer.alloc(0));
      fetched.push({ url: r.url(), bytes: body.length });
    }
  });
  await page.goto(server.url("2023/11/"));
  await page.goto(server.url("search/"));
  await page.waitForTimeout(300);
  assert.deepEqual(fetched, [], "no index file before a search");
  await page.fill("#search-page-q", "寄宿");
  await page.press("#search-page-q", "Enter");
  await page.waitForSelector("#search-results .search-list");
  await page.waitForTimeout(200);
  const total = fetched.reduce((s, f) => s + f.bytes, 0);
  t.diagnostic(`first query fetched ${fetched.length} files, ${total} bytes`);
  assert.ok(total < 100 * 1024, `${total} bytes`);
  assert.ok(fetched.some((f) => f.url.includes("manifest.json")));
  await page.close();
});

test("without data-base, item links resolve from the index folder", async () => {
  for (const lang of ["zh", "en"]) {
    const page = await browser.newPage();
    await page.route("**/search/?*", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(/\sdata-base="[^"]*"/, "");
      await route.fulfill({ response, body: html });
    });
    await openSearch(page, lang, lang === "zh" ? "双减" : "double reduction");
    assert.equal(await page.locator("#search-results").getAttribute("data-base"), null);
    const href = await page.locator("#search-results a.search-result-link").first().getAttribute("href");
    assert.equal(new URL(href).pathname, `${prefix}${lang === "zh" ? "" : "en/"}2023/23/`);
    await page.close();
  }
});

test("result links lead to the item page with base_url at the site root, in both languages", async () => {
  // issue #20: the same search on a site built for the root of its host.
  const rootSite = buildSite(undefined, "PLANPUB_ROOT_SITE_DIR", ["--base-url", "http://127.0.0.1/"]);
  const rootServer = await serve(rootSite, "/");
  try {
    const page = await browser.newPage();
    for (const [lang, query, expected] of [["zh", "寄宿", [16, 24]], ["zh", "双减", [23]], ["en", "boarding schools", [16, 24]], ["en", "double reduction", [23]]]) {
      const params = new URLSearchParams({ q: query });
      await page.goto(`${rootServer.origin}/${lang === "zh" ? "" : "en/"}search/?${params}`);
      await page.waitForSelector("#search-results .search-list");
      const got = await resultNumbers(page, "/");
      for (const n of expected) assert.ok(got.includes(n), `${lang} ${query}: ${n} not in ${JSON.stringify(got)}`);
    }
    await page.close();
  } finally {
    await rootServer.close();
    if (!process.env.PLANPUB_ROOT_SITE_DIR) fs.rmSync(path.dirname(rootSite), { recursive: true, force: true });
  }
});

/** The text of the first result's snippet, with its marks as [..]. */
async function firstSnippet(page) {
  return page.$eval("#search-results li.search-result p.search-snippet", (p) =>
    Array.from(p.childNodes).map((n) => (n.nodeName === "MARK" ? `[${n.textContent}]` : n.textContent)).join(""));
}

test("snippets show the passage around the match, with <mark> (issue #20)", async () => {
  const page = await browser.newPage();
  // 张仲景 is near the end of item 16's body: the snippet is cut around it.
  for (const [lang, query, mark, start] of [["zh", "张仲景", "张仲景", "推进2023年"], ["en", "Zhongjing", "Zhongjing", "We will advance"]]) {
    await openSearch(page, lang, query);
    assert.deepEqual(await resultNumbers(page), [16], `${lang} ${query}`);
    const s = await firstSnippet(page);
    assert.ok(s.includes(`[${mark}]`), `${lang}: ${s}`);
    assert.ok(s.startsWith("…") && !s.includes(start), `${lang}: the snippet is the start of the text: ${s}`);
    // Titles are marked too.
    await openSearch(page, lang, lang === "zh" ? "寄宿" : "boarding");
    const marks = await page.$$eval("#search-results .search-snippet mark", (ms) => ms.map((m) => m.textContent.toLowerCase()));
    assert.ok(marks.length >= 2 && marks.every((m) => m.startsWith(lang === "zh" ? "寄宿" : "boarding")), JSON.stringify(marks));
  }
  await page.close();
});

test("a word's stem alone brings no result: boarding does not find item 28 through 'across the board' (issue #20)", async () => {
  const page = await browser.newPage();
  await openSearch(page, "en", "boarding");
  assert.deepEqual((await resultNumbers(page)).sort((a, b) => a - b), [16, 24]);
  // Item 28 is found for the word it has.
  await openSearch(page, "en", "board");
  assert.ok((await resultNumbers(page)).includes(28));
  await page.close();
});

test("a synonym of i18n finds the items of its replacement: 老师 finds the 教师 items (issue #20)", async () => {
  const page = await browser.newPage();
  await openSearch(page, "zh", "教师");
  const teachers = await resultNumbers(page);
  assert.ok(teachers.length >= 5, JSON.stringify(teachers));
  await openSearch(page, "zh", "老师");
  assert.deepEqual(new Set(await resultNumbers(page)), new Set(teachers));
  assert.match(await page.locator("#search-results .search-synonyms").innerText(), /教师/);
  const marks = await page.$$eval("#search-results mark", (ms) => ms.map((m) => m.textContent));
  assert.ok(marks.includes("教师"), JSON.stringify(marks.slice(0, 5)));
  await page.close();
});

test("a filter that leaves no result says so, names the filter and offers to clear it (issue #20)", async () => {
  const page = await browser.newPage();
  for (const [lang, query, status, expected] of [["zh", "寄宿", "已完成", [16, 24]], ["en", "boarding", "Completed", [16, 24]]]) {
    await openSearch(page, lang, query, { status: "completed" });
    const text = await page.locator("#search-results .search-none").innerText();
    const label = lang === "zh" ? "状态" : "Status";
    assert.ok(text.includes(label) && text.includes(status) && text.includes(query) && text.includes("2"), text);
    const none = await page.locator("#search-results").getAttribute("data-msg-none");
    assert.notEqual(text, none.replace("{q}", query), "not 'nothing found' for a word that is found");
    await page.click("#search-results button.search-clear-filters");
    await page.waitForSelector("#search-results .search-list");
    assert.deepEqual((await resultNumbers(page)).sort((a, b) => a - b), expected);
    assert.equal(await page.inputValue("#search-status"), "");
    assert.equal(new URL(page.url()).searchParams.get("status"), null);
  }
  // A filter alone with nothing in it.
  await openSearch(page, "zh", "", { section: "1", status: "delayed" });
  const some = await page.locator("#search-results .search-list, #search-results .search-none").first().innerText();
  assert.ok(some.length > 0);
  await page.close();
});

test("the language switch keeps the search; without JavaScript it links the page as is (issue #20)", async () => {
  const page = await browser.newPage();
  await openSearch(page, "zh", "寄宿", { status: "in-progress" });
  const switchHref = () => page.locator('.lang-switch a[hreflang="en"]').getAttribute("href");
  let u = new URL(await switchHref(), page.url());
  assert.equal(u.pathname, `${prefix}en/search/`);
  assert.equal(u.searchParams.get("q"), "寄宿");
  assert.equal(u.searchParams.get("status"), "in-progress");
  // It follows what is typed.
  await page.fill("#search-page-q", "16");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "16");
  u = new URL(await switchHref(), page.url());
  assert.equal(u.searchParams.get("q"), "16");
  await Promise.all([page.waitForURL((url) => url.pathname === `${prefix}en/search/`), page.click('.lang-switch a[hreflang="en"]')]);
  await page.waitForSelector("#search-results .search-list");
  assert.equal(await page.inputValue("#search-page-q"), "16");
  assert.equal(await page.inputValue("#search-status"), "in-progress");
  assert.equal((await resultNumbers(page))[0], 16);
  // The page as served: the plain link.
  const html = await (await page.request.get(searchUrl("zh", "寄宿"))).text();
  assert.match(html, new RegExp(`<a href="${prefix}en/search/" hreflang="en"`));
  await page.close();
});

/** Bytes of the index files a first query fetches, in a fresh browser context. */
async function firstQueryBytes(origin, pathPrefix, lang, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  page.on("response", async (r) => {
    if (r.url().includes("/search/index/")) fetched.push((await r.body().catch(() => Buffer.alloc(0))).length);
  });
  await page.goto(`${origin}${pathPrefix}${lang === "zh" ? "" : `${lang}/`}search/?${new URLSearchParams({ q: query })}`);
  await page.waitForSelector("#search-results .search-list, #search-results .search-none");
  await page.waitForLoadState("networkidle");
  await context.close();
  return fetched.reduce((a, b) => a + b, 0);
}

test("a first query fetches at most 30 KB of index on a generated 1,000-item site (issue #21.5)", async (t) => {
  // The corpus of the benchmarks (benches/gen_corpus.py), its queries.
  const os = require("node:os");
  const { spawnSync } = require("node:child_process");
  const { repo } = require("./lib/site.js");
  // $PLANPUB_1K_SITE_DIR: that corpus built beforehand with --base-url http://127.0.0.1/.
  let built = process.env.PLANPUB_1K_SITE_DIR;
  let tmp = null;
  if (!built) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "planpub-1k-"));
    const gen = spawnSync("python3", [path.join(repo, "benches/gen_corpus.py"), "--items", "1000", "--out", path.join(tmp, "plan")], { stdio: ["ignore", "ignore", "inherit"] });
    assert.equal(gen.status, 0, "gen_corpus.py failed");
    built = buildSite(path.join(tmp, "plan"), "PLANPUB_1K_SITE_DIR", ["--base-url", "http://127.0.0.1/"]);
  }
  const server1k = await serve(built, "/");
  try {
    for (const [lang, query] of [["zh", "寄宿"], ["zh", "双减"], ["zh", "雙減"], ["zh", "幼儿园"], ["en", "kindergarten"], ["en", "boarding"]]) {
      const bytes = await firstQueryBytes(server1k.origin, "/", lang, query);
      t.diagnostic(`${lang} ${query}: ${bytes} bytes`);
      assert.ok(bytes > 1000, `${query}: ${bytes} bytes: nothing fetched?`);
      assert.ok(bytes <= 30 * 1024, `${lang} ${query}: the first query fetched ${bytes} bytes`);
    }
  } finally {
    await server1k.close();
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(path.dirname(built), { recursive: true, force: true });
    }
  }
});

test("a site in a third language searches in it and speaks it (issue #16.5)", async () => {
  const { repo } = require("./lib/site.js");
  const root = path.join(repo, "tests/fixtures/third-language-search");
  const koSite = buildSite(root, "PLANPUB_KO_SITE_DIR");
  const koServer = await serve(koSite, basePath(root));
  const base = basePath(root);
  try {
    const page = await browser.newPage();
    const open = async (params) => {
      await page.goto(koServer.url(`ko/search/?${new URLSearchParams(params)}`));
      await page.waitForSelector("#search-results .search-list, #search-results .search-none");
    };
    await open({ q: "기숙학교" });
    assert.equal(await page.evaluate(() => document.documentElement.lang), "ko");
    assert.deepEqual(await resultNumbers(page, base), [1]);
    assert.equal(await page.locator("#search-results .search-summary").innerText(), "검색 결과 1건");
    assert.equal(await page.locator("#search-results li.search-result .badge").innerText(), "추진 중");
    assert.ok((await firstSnippet(page)).includes("[기숙학교]"));
    // The words of the other languages are searched too (an untranslated
    // item is indexed in Chinese), and nothing found is said in Korean.
    await open({ q: "없는낱말" });
    assert.equal(await page.locator("#search-results .search-none").innerText(), "“없는낱말”에 대한 항목을 찾지 못했습니다.");
    await open({ q: "기숙학교", status: "completed" });
    const none = await page.locator("#search-results .search-none").innerText();
    assert.ok(none.includes("상태: 완료") && none.includes("1건"), none);
    assert.equal(await page.locator("#search-results button.search-clear-filters").innerText(), "조건 지우기");
    // Without JavaScript: the Korean note and every item.
    const html = await (await page.request.get(koServer.url("ko/search/"))).text();
    assert.ok(html.includes("검색에는 JavaScript가 필요합니다"), "the no-JS note is in Korean");
    // The other languages' search pages still work on that site.
    await page.goto(koServer.url(`en/search/?q=boarding`));
    await page.waitForSelector("#search-results .search-list");
    assert.deepEqual(await resultNumbers(page, base), [1]);
    await page.close();
  } finally {
    await koServer.close();
    if (!process.env.PLANPUB_KO_SITE_DIR) fs.rmSync(path.dirname(koSite), { recursive: true, force: true });
  }
});
