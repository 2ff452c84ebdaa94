// Valid HTML (issue #20.6): the Nu HTML Checker (W3C's validator, npm
// vnu-jar, run with Java) finds no error on any page or SVG badge of the
// shipped site and of the small fixture site, in both languages, nor in the
// pages as their scripts leave them (search results drawn by search.js, the
// copy buttons site.js shows).
//
// Run: npm ci && node --test tests/browser/validity.test.js
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { repo, basePath, buildSite, serve, launchChromium } = require("./lib/site.js");

const VNU_JAR = path.join(path.dirname(require.resolve("vnu-jar")), "build", "dist", "vnu.jar");
const BASIC = path.join(repo, "tests", "fixtures", "basic");

/** Every file under dir, recursively. */
function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(f));
    else out.push(f);
  }
  return out;
}

/**
 * Runs the Nu HTML Checker on `files` (HTML, and SVG with --also-check-svg)
 * in one Java process; returns its messages of type "error" (and any
 * non-document error, such as a file it could not read), each as
 * "file:line:column: message" followed by the offending extract.
 */
function vnuErrors(files, relativeTo) {
  const r = spawnSync("java", ["-jar", VNU_JAR, "--format", "json", "--stdout", "--also-check-svg", ...files], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`could not run java -jar vnu.jar (Java is needed: apt-get install default-jre-headless): ${r.error.message}`);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`vnu.jar printed no JSON report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return report.messages
    .filter((m) => m.type === "error" || m.type === "non-document-error")
    .map((m) => {
      const file = m.url ? path.relative(relativeTo, decodeURIComponent(new URL(m.url).pathname)) : "?";
      const where = m.lastLine ? `:${m.lastLine}:${m.firstColumn ?? m.lastColumn}` : "";
      return `${file}${where}: ${m.message}${m.extract ? `\n    ${m.extract.replace(/\s+/g, " ").trim()}` : ""}`;
    });
}

/** The HTML and SVG files of a built site, relative to it. */
function checkedFiles(site) {
  return walk(site).filter((f) => /\.(html|svg)$/.test(f)).map((f) => path.relative(site, f)).sort();
}

// One file per page type in each language must be among those checked, so
// that this test cannot pass by checking nothing.
const PAGE_TYPES = {
  home: "index.html",
  plan: "2023/index.html",
  item: "2023/16/index.html",
  section: "2023/sections/3/index.html",
  "tag index": "2023/tags/index.html",
  tag: "2023/tags/preschool/index.html",
  status: "2023/status/in-progress/index.html",
  "status none": "2023/status/none/index.html",
  search: "search/index.html",
  404: "404.html",
  method: "method/index.html",
  badge: "2023/16/badge.svg",
};

let site;
test.before(() => {
  site = buildSite();
});

test("the Nu HTML Checker finds no error on any page or badge of the shipped site, in both languages", () => {
  const files = checkedFiles(site);
  for (const lang of ["zh", "en"]) {
    for (const [name, f] of Object.entries(PAGE_TYPES)) {
      const rel = lang === "zh" ? f : path.join("en", f);
      assert.ok(files.includes(rel), `${lang} ${name}: ${rel} was built and is checked`);
    }
  }
  assert.ok(files.length > 150, `${files.length} files`);
  const errors = vnuErrors(files.map((f) => path.join(site, f)), site);
  assert.deepEqual(errors, [], `${errors.length} errors from the Nu HTML Checker:\n${errors.join("\n")}`);
});

test("the Nu HTML Checker finds no error on the fixture site (untranslated item, lead units)", () => {
  const site = buildSite(BASIC, "PLANPUB_BASIC_SITE_DIR");
  const files = checkedFiles(site);
  assert.ok(files.includes(path.join("en", "2023", "2", "index.html")), "the untranslated item's English page is checked");
  const errors = vnuErrors(files.map((f) => path.join(site, f)), site);
  assert.deepEqual(errors, [], `${errors.length} errors from the Nu HTML Checker:\n${errors.join("\n")}`);
});

test("the Nu HTML Checker finds no error in pages as their scripts leave them (search results, copy buttons)", async () => {
  const server = await serve(site, basePath());
  const browser = await launchChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "planpub-dom-"));
  try {
    const page = await browser.newPage();
    const files = [];
    const pages = [
      ["zh-search-results.html", `search/?q=${encodeURIComponent("寄宿")}`, "#search-results .search-list"],
      ["en-search-results.html", "en/search/?q=boarding", "#search-results .search-list"],
      ["zh-item.html", "2023/16/", "button.copy-button:not([hidden])"],
      ["en-item.html", "en/2023/16/", "button.copy-button:not([hidden])"],
    ];
    for (const [name, p, ready] of pages) {
      await page.goto(server.url(p));
      await page.waitForSelector(ready);
      const html = await page.evaluate(() => "<!DOCTYPE html>\n" + document.documentElement.outerHTML);
      const file = path.join(dir, name);
      fs.writeFileSync(file, html);
      files.push(file);
    }
    const errors = vnuErrors(files, dir);
    assert.deepEqual(errors, [], `${errors.length} errors from the Nu HTML Checker:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The tables reflow into one block per row on a phone (display: block and
// flex). They used to carry ARIA table roles on every row and cell so that
// browsers would not drop their table semantics, which HTML forbids (276
// errors). Chromium keeps a table a table whatever its display: checked
// here in its own accessibility tree, at the phone width where the tables
// are restyled.
test("on a phone the reflowed tables are still tables with headers and cells to a screen reader", async () => {
  const server = await serve(site, basePath());
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    for (const [p, tables] of [["2023/16/", ["targets-table"]], ["en/2023/16/", ["targets-table"]]]) {
      await page.goto(server.url(p));
      // The layout really is the phone one: the rows are flex boxes.
      for (const cls of tables) {
        const display = await page.$eval(`table.${cls} tbody tr`, (tr) => getComputedStyle(tr).display);
        if (cls !== "status-table") assert.equal(display, "flex", `/${p} ${cls}: reflowed`);
      }
      await cdp.send("Accessibility.enable");
      const { nodes } = await cdp.send("Accessibility.getFullAXTree");
      const count = (role) => nodes.filter((n) => n.role?.value === role && !n.ignored).length;
      assert.equal(count("table"), tables.length, `/${p}: tables exposed`);
      const rows = await page.$$eval(tables.map((c) => `table.${c} tbody tr`).join(", "), (trs) => trs.length);
      assert.equal(count("rowheader"), rows, `/${p}: a row header per row`);
      const cells = await page.$$eval(tables.map((c) => `table.${c} tbody td`).join(", "), (tds) => tds.length);
      assert.equal(count("cell"), cells, `/${p}: every cell is a cell`);
      assert.ok(count("columnheader") >= 2, `/${p}: column headers`);
    }
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
