// The default theme as people meet it, in headless Chromium: builds the
// shipped site (cargo run -- build, or $PLANPUB_SITE_DIR), serves it on
// 127.0.0.1 under its base path, and checks every page type in both
// languages: axe-core (WCAG 2.0/2.1 A and AA) in the light and dark colour
// schemes, no horizontal scrolling on a phone, an item page without
// JavaScript, no request or reference to any other host, the weight of an
// item page's CSS and JS, the keyboard basics and the print layout.
//
// Run: npm ci && node --test tests/browser/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { repo, basePath, buildSite, serve, launchChromium } = require("./lib/site.js");
const { runAxe, formatViolations } = require("./lib/axe.js");

const LANGS = ["zh", "en"];
const QUERY = { zh: "寄宿", en: "boarding" };

/** Every page type of the site, as [name, site-relative path] for a language. */
function pageTypes(lang) {
  const pre = lang === "zh" ? "" : `${lang}/`;
  return [
    ["home", `${pre}`],
    ["plan", `${pre}2023/`],
    ["section", `${pre}2023/sections/3/`],
    ["tag index", `${pre}2023/tags/`],
    ["tag", `${pre}2023/tags/preschool/`],
    ["status", `${pre}2023/status/in-progress/`],
    ["status none", `${pre}2023/status/none/`],
    ["item", `${pre}2023/11/`],
    ["item without targets", `${pre}2023/14/`],
    ["search", `${pre}search/`],
    ["search with results", `${pre}search/?q=${encodeURIComponent(QUERY[lang])}`],
    ["404", `${pre}404.html`],
  ];
}

function siteHost() {
  const toml = fs.readFileSync(path.join(repo, "site.toml"), "utf8");
  return new URL(/^base_url\s*=\s*"([^"]+)"/m.exec(toml)[1]).host;
}

// The small fixture site has what the shipped content lacks: an item
// without an English translation (shown in Chinese with a notice) and an
// item with lead units.
const BASIC = path.join(repo, "tests", "fixtures", "basic");
const BASIC_PAGES = [
  ["untranslated item", "en/2023/2/"],
  ["item with lead units", "en/2023/1/"],
  ["item with lead units", "2023/1/"],
];

let site;
let server;
let basic;
let browser;
const prefix = basePath();

test.before(async () => {
  site = buildSite();
  server = await serve(site, prefix);
  basic = await serve(buildSite(BASIC, "PLANPUB_BASIC_SITE_DIR"), basePath(BASIC));
  browser = await launchChromium();
});

test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (basic) await basic.close();
});

/** Opens a page and waits until it is ready (search results rendered). */
async function open(page, p, on = server) {
  const response = await page.goto(on.url(p));
  if (/search\/\?q=/.test(p)) await page.waitForSelector("#search-results .search-list");
  return response;
}

for (const scheme of ["light", "dark"]) {
  test(`axe-core: no WCAG 2.1 A/AA violation on any page type, ${scheme} scheme`, async (t) => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    const failures = [];
    const review = new Map(); // rule -> [elements, pages]
    const pages = LANGS.flatMap((lang) => pageTypes(lang).map(([name, p]) => [`${lang} ${name}`, p, server]))
      .concat(BASIC_PAGES.map(([name, p]) => [`fixture ${name}`, p, basic]));
    for (const [name, p, on] of pages) {
      await open(page, p, on);
      await page.emulateMedia({ colorScheme: scheme });
      assert.equal(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches), scheme === "dark");
      const r = await runAxe(page);
      const label = `${name} (/${p}, ${scheme})`;
      if (r.violations.length) failures.push(formatViolations(label, r.violations));
      for (const v of r.incomplete) {
        const [n, pages] = review.get(v.id) || [0, 0];
        review.set(v.id, [n + v.nodes.length, pages + 1]);
      }
    }
    // "Needs review" is what axe cannot measure: the aria-hidden shapes in
    // badges and text over the SVG charts' coloured bars.
    for (const [id, [n, pages]] of review) t.diagnostic(`axe needs review (${scheme}): ${id} on ${n} elements of ${pages} pages`);
    await context.close();
    assert.equal(failures.length, 0, `axe-core violations:\n${failures.join("\n")}`);
  });
}

for (const width of [375, 320]) {
  test(`at ${width}px no page type scrolls sideways`, async () => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    const wide = [];
    const pages = LANGS.flatMap((lang) => pageTypes(lang).map(([name, p]) => [`${lang} ${name}`, p, server]))
      .concat(BASIC_PAGES.map(([name, p]) => [`fixture ${name}`, p, basic]));
    for (const [name, p, on] of pages) {
      await open(page, p, on);
      const m = await page.evaluate(() => {
        const vw = window.innerWidth;
        // Name the widest elements sticking out, to say what to fix.
        const out = [];
        for (const el of document.querySelectorAll("body *")) {
          const r = el.getBoundingClientRect();
          if (r.right > vw + 0.5 && !el.closest(".table-scroll")) out.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 60));
        }
        // Targets and dashboard tables reflow on a phone: they need no scrolling either.
        const tables = [...document.querySelectorAll(".table-scroll")].filter((d) => d.querySelector(".table-stack") && d.scrollWidth > d.clientWidth);
        return { sw: document.documentElement.scrollWidth, vw, out: out.slice(0, 5), tables: tables.map((d) => d.querySelector("table").className) };
      });
      if (m.sw > m.vw) wide.push(`${name} (/${p}): scrollWidth ${m.sw} > ${m.vw}: ${m.out.join(", ")}`);
      if (m.tables.length) wide.push(`${name} (/${p}): these tables scroll sideways: ${m.tables.join(", ")}`);
    }
    await context.close();
    assert.deepEqual(wide, []);
  });
}

test("without JavaScript an item page shows its badge, targets and related items", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  for (const lang of LANGS) {
    await open(page, `${lang === "zh" ? "" : "en/"}2023/11/`);
    const badge = page.locator(".item-status .badge");
    assert.ok(await badge.isVisible(), `${lang}: status badge`);
    assert.match(await badge.innerText(), lang === "zh" ? /推进中/ : /In progress/);
    assert.ok(await page.locator(".badge-embed img").isVisible(), `${lang}: badge image`);
    const rows = page.locator("table.targets-table tbody tr");
    assert.equal(await rows.count(), 2, `${lang}: two targets`);
    for (let i = 0; i < 2; i++) assert.ok(await rows.nth(i).isVisible(), `${lang}: target row ${i}`);
    assert.match(await rows.first().innerText(), /16/);
    const related = page.locator(".cross-links .item-list a");
    assert.ok((await related.count()) >= 1, `${lang}: related items`);
    assert.ok(await related.first().isVisible());
    assert.match(await related.first().getAttribute("href"), /\/2023\/22\/$/);
    // Nothing that needs a script is shown without one.
    assert.equal(await page.locator("button.copy-button:visible").count(), 0, `${lang}: copy buttons stay hidden`);
  }
  await context.close();
});

test("without JavaScript every page type is complete and all its links work", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const links = new Map(); // url -> the page it was found on
  for (const lang of LANGS) {
    for (const [name, p] of pageTypes(lang)) {
      const response = await open(page, p.replace(/\?.*/, ""));
      if (name !== "404") assert.equal(response.status(), 200, `/${p}`);
      assert.equal(await page.locator("h1").count(), 1, `${lang} ${name}: one h1`);
      assert.ok((await page.locator("main").innerText()).trim().length > 20, `${lang} ${name}: main has content`);
      for (const href of await page.$$eval("a[href]", (as) => as.map((a) => a.href))) {
        if (href.startsWith(server.origin) && !links.has(href)) links.set(href, p);
      }
    }
    // The search form works without a script: it reaches the search page,
    // which lists every item.
    await page.goto(server.url(lang === "zh" ? "" : "en/"));
    await page.fill("#search-q", QUERY[lang]);
    await Promise.all([page.waitForURL(/search\/\?q=/), page.press("#search-q", "Enter")]);
    assert.ok((await page.locator("#search-results .search-all a").count()) >= 31, `${lang}: the search page lists all items`);
  }
  await context.close();
  const broken = [];
  const bodies = new Map();
  for (const [href, from] of links) {
    const u = new URL(href);
    u.hash = "";
    if (!bodies.has(u.href)) {
      const r = await fetch(u.href);
      bodies.set(u.href, { status: r.status, text: await r.text() });
    }
    const b = bodies.get(u.href);
    if (b.status !== 200) broken.push(`${href} (on /${from}): HTTP ${b.status}`);
    const frag = decodeURIComponent(new URL(href).hash.slice(1));
    if (frag && !b.text.includes(`id="${frag}"`)) broken.push(`${href} (on /${from}): no #${frag}`);
  }
  assert.ok(links.size > 100, `${links.size} links checked`);
  assert.deepEqual(broken, []);
});

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

test("no generated page references another host", () => {
  const host = siteHost();
  // The official text a plan names in its front matter (`source`) is a link
  // readers follow, never loaded (issue #20.5): allowed as an href only.
  const declared = new Set();
  for (const d of fs.readdirSync(path.join(repo, "content"))) {
    const index = path.join(repo, "content", d, "_index.md");
    if (!fs.existsSync(index)) continue;
    const m = /^source\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(index, "utf8"));
    if (m) declared.add(m[1]);
  }
  const bad = [];
  let scanned = 0;
  const check = (file, where, url, allowed) => {
    const u = url.trim().replace(/&amp;/g, "&");
    if (!/^([a-z][a-z0-9+.-]*:)?\/\//i.test(u)) {
      // Relative, or a scheme without a host: only data: images in CSS would
      // be harmless, and we have none; javascript: would be a bug anyway.
      if (/^(javascript|vbscript|data):/i.test(u)) bad.push(`${file}: ${where} ${u}`);
      return;
    }
    let parsed;
    try { parsed = new URL(u.startsWith("//") ? `https:${u}` : u); } catch { bad.push(`${file}: ${where} unparsable ${u}`); return; }
    if (parsed.host === host) return;
    if (allowed && allowed(u)) return;
    bad.push(`${file}: ${where} ${u}`);
  };
  // Any string naming a host, and what fetch/XHR/import/EventSource load.
  const scanScript = (rel, text) => {
    for (const m of text.matchAll(/(["'`])((?:[a-z][a-z0-9+.-]*:)?\/\/[^"'`\s]*)\1/gi)) check(rel, "string", m[2]);
    for (const m of text.matchAll(/\b(fetch|open|import|EventSource|WebSocket|sendBeacon|importScripts)\s*\(\s*(["'`])([^"'`]*)\2/g)) check(rel, m[1], m[3]);
  };
  for (const f of walk(site)) {
    const ext = path.extname(f);
    if (![".html", ".css", ".js", ".svg"].includes(ext)) continue;
    scanned++;
    const rel = path.relative(site, f);
    const text = fs.readFileSync(f, "utf8");
    if (ext === ".html" || ext === ".svg") {
      // Attributes that make a request or name a place.
      for (const m of text.matchAll(/\s(src|href|action|formaction|poster|data|xlink:href|background|cite|content|xmlns(?::[a-z]+)?)\s*=\s*("([^"]*)"|'([^']*)')/gi)) {
        const attr = m[1].toLowerCase();
        const value = m[3] ?? m[4];
        if (attr === "content" && !/^([a-z]+:)?\/\//i.test(value)) continue; // meta text
        const ns = attr.startsWith("xmlns") ? (u) => /^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink|1999\/xhtml)$/.test(u) : null;
        check(rel, attr, value, ns ?? (attr === "href" ? (u) => declared.has(u) : null));
      }
      for (const m of text.matchAll(/\ssrcset\s*=\s*"([^"]*)"/gi)) {
        for (const part of m[1].split(",")) check(rel, "srcset", part.trim().split(/\s+/)[0]);
      }
      // JSON-LD: schema.org may be the @context; every URL in it is ours.
      for (const m of text.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)) {
        const walkJson = (v, key) => {
          if (typeof v === "string") {
            if (/^[a-z]+:\/\//i.test(v)) check(rel, `JSON-LD ${key}`, v, key === "@context" ? (u) => u === "https://schema.org" : null);
          } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walkJson(x, k);
        };
        walkJson(JSON.parse(m[1]), "");
      }
      // Other scripts must be external (site.js, search.js), never inline code.
      for (const m of text.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>([\s\S]*?)<\/script>/g)) {
        bad.push(`${rel}: inline script ${m[0].slice(0, 80)}`);
        scanScript(rel, m[1]);
      }
    }
    if (ext === ".css" || ext === ".html" || ext === ".svg") {
      for (const m of text.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) check(rel, "url()", m[2]);
      for (const m of text.matchAll(/@import\s+(?:url\()?\s*['"]?([^'");\s]+)/gi)) check(rel, "@import", m[1]);
    }
    if (ext === ".js") scanScript(rel, text);
  }
  assert.ok(scanned > 100, `${scanned} files scanned`);
  assert.deepEqual(bad, []);
});

test("in the browser every request of every page type goes to 127.0.0.1", async () => {
  const context = await browser.newContext();
  const elsewhere = [];
  let count = 0;
  context.on("request", (r) => {
    count++;
    const u = r.url();
    if (!u.startsWith(`${server.origin}/`)) elsewhere.push(u);
  });
  const page = await context.newPage();
  for (const lang of LANGS) {
    for (const [, p] of pageTypes(lang)) {
      await open(page, p);
      await page.waitForLoadState("networkidle");
    }
  }
  // Dark scheme and print load nothing else either.
  await page.emulateMedia({ colorScheme: "dark", media: "print" });
  await open(page, "2023/11/");
  await page.waitForLoadState("networkidle");
  await context.close();
  assert.ok(count > 24, `${count} requests`);
  assert.deepEqual(elsewhere, []);
});

test("an item page's CSS and JavaScript weigh under 30 KB, scripts deferred", async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const lang of LANGS) {
    const sizes = [];
    const pending = [];
    const onResponse = (r) => {
      const type = r.request().resourceType();
      if (type === "stylesheet" || type === "script") {
        pending.push(r.body().then((b) => sizes.push([new URL(r.url()).pathname, b.length])));
      }
    };
    page.on("response", onResponse);
    await open(page, `${lang === "zh" ? "" : "en/"}2023/11/`);
    await page.waitForLoadState("networkidle");
    await Promise.all(pending);
    page.off("response", onResponse);
    const inline = await page.evaluate(() => {
      let n = 0;
      for (const s of document.querySelectorAll("style")) n += new TextEncoder().encode(s.textContent).length;
      for (const s of document.querySelectorAll("script:not([src]):not([type='application/ld+json'])")) n += new TextEncoder().encode(s.textContent).length;
      for (const e of document.querySelectorAll("[style]")) n += new TextEncoder().encode(e.getAttribute("style")).length;
      return n;
    });
    const total = sizes.reduce((s, [, n]) => s + n, 0) + inline;
    t.diagnostic(`${lang} item page: ${sizes.map(([p, n]) => `${p} ${n} B`).join(", ")}, inline ${inline} B; total ${total} B`);
    assert.ok(sizes.some(([p]) => p.endsWith(".css")) && sizes.some(([p]) => p.endsWith(".js")), JSON.stringify(sizes));
    assert.ok(total < 30 * 1000, `${total} bytes of CSS and JS`);
    const blocking = await page.$$eval("script[src]", (ss) => ss.filter((s) => !s.defer && !s.async && s.type !== "module").map((s) => s.src));
    assert.deepEqual(blocking, [], "every script is deferred");
  }
  await context.close();
});

test("keyboard: the skip link comes first, shows when focused and moves to the content", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  for (const lang of LANGS) {
    for (const p of [`${lang === "zh" ? "" : "en/"}2023/11/`, `${lang === "zh" ? "" : "en/"}2023/`]) {
      await open(page, p);
      await page.keyboard.press("Tab");
      const skip = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a.getBoundingClientRect();
        const cs = getComputedStyle(a);
        return { cls: a.className, href: a.getAttribute("href"), inView: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.width > 0, outline: cs.outlineStyle };
      });
      assert.equal(skip.cls, "skip-link", `/${p}: first Tab`);
      assert.equal(skip.href, "#main");
      assert.ok(skip.inView, `/${p}: the focused skip link is on screen`);
      assert.notEqual(skip.outline, "none", `/${p}: focus is visible`);
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement.id), "main", `/${p}: Enter moves focus to main`);
      // The next Tab reaches the first link of the content, with a visible focus ring.
      await page.keyboard.press("Tab");
      const next = await page.evaluate(() => ({ inMain: !!document.activeElement.closest("main"), outline: getComputedStyle(document.activeElement).outlineStyle }));
      assert.ok(next.inMain, `/${p}: Tab after the skip link stays in main`);
      assert.notEqual(next.outline, "none");
    }
  }
  await context.close();
});

test("every page has its lang, landmarks and exactly one h1", async () => {
  const page = await browser.newPage();
  for (const lang of LANGS) {
    for (const [name, p] of pageTypes(lang)) {
      await open(page, p);
      const s = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelectorAll("h1").length,
        main: document.querySelectorAll("main").length,
        banner: document.querySelectorAll("body > header").length,
        footer: document.querySelectorAll("body > footer").length,
        nav: document.querySelectorAll("nav[aria-label], nav[aria-labelledby]").length === document.querySelectorAll("nav").length,
      }));
      assert.equal(s.lang, lang === "zh" ? "zh-Hans" : "en", `${lang} ${name}`);
      assert.deepEqual([s.h1, s.main, s.banner, s.footer, s.nav], [1, 1, 1, 1, true], `${lang} ${name}: ${JSON.stringify(s)}`);
    }
  }
  await page.close();
});

test("text in the other language is marked with its lang", async () => {
  // On English pages every Chinese character must sit inside a zh element
  // (titles shown untranslated, the language switch, lead units…).
  const page = await browser.newPage();
  const unmarked = [];
  const pages = pageTypes("en").map(([name, p]) => [name, p, server]).concat(BASIC_PAGES.filter(([, p]) => p.startsWith("en/")).map(([n, p]) => [n, p, basic]));
  for (const [name, p, on] of pages) {
    await open(page, p, on);
    const bad = await page.evaluate(() => {
      const han = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
      const out = [];
      const zh = (el) => (el.closest("[lang]")?.getAttribute("lang") || "").startsWith("zh");
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (han.test(n.data) && !el.closest("script, style") && !zh(el)) out.push(el.outerHTML.slice(0, 160));
      }
      for (const el of document.querySelectorAll("[aria-label], [alt], [title], [placeholder]")) {
        for (const a of ["aria-label", "alt", "title", "placeholder"]) {
          if (han.test(el.getAttribute(a) || "") && !zh(el)) out.push(`${a} of ${el.outerHTML.slice(0, 120)}`);
        }
      }
      return out;
    });
    for (const b of bad) unmarked.push(`${name} (/${p}): ${b}`);
  }
  await page.close();
  assert.deepEqual(unmarked, []);
});

test("status is never told by colour alone", async () => {
  const page = await browser.newPage();
  for (const lang of LANGS) {
    for (const p of ["2023/", "2023/3/", "2023/status/none/"]) {
      await open(page, `${lang === "zh" ? "" : "en/"}${p}`);
      const bare = await page.$$eval(".badge", (bs) => bs.filter((b) => !b.querySelector(".badge-icon") || b.innerText.trim().length < 2).map((b) => b.outerHTML));
      assert.deepEqual(bare, [], `/${p}: every badge has a shape and a word`);
    }
    // Search results (drawn by search.js) get their shape from the stylesheet.
    await open(page, `${lang === "zh" ? "" : "en/"}search/?q=${encodeURIComponent(QUERY[lang])}`);
    const shapes = await page.$$eval("#search-results .badge", (bs) => bs.map((b) => (b.querySelector(".badge-icon") ? "icon" : getComputedStyle(b, "::before").content)));
    assert.ok(shapes.length > 0);
    assert.ok(shapes.every((c) => c === "icon" || /^"[○◐●▲↻–]"/.test(c)), JSON.stringify(shapes));
  }
  await page.close();
});

test("with JavaScript the copy buttons appear, copy and say so", async () => {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await open(page, "en/2023/11/");
  const button = page.locator("button[data-copy-target=citation-text]");
  assert.ok(await button.isVisible());
  await button.click();
  await page.waitForFunction(() => document.querySelector("[role=status]")?.textContent === "Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.locator("#citation-text").innerText());
  assert.match(copied, /https:\/\/jyj\.example\.gov\.cn\/plan\/en\/2023\/11\//);
  await context.close();
});

test("print: an item prints without navigation, with its permalink and data date", async () => {
  const page = await browser.newPage();
  for (const lang of LANGS) {
    await open(page, `${lang === "zh" ? "" : "en/"}2023/11/`);
    await page.emulateMedia({ media: "print" });
    const s = await page.evaluate(() => {
      const shown = (sel) => [...document.querySelectorAll(sel)].some((e) => e.getClientRects().length > 0);
      return {
        header: shown(".site-header"), footer: shown(".site-footer"), siblings: shown(".siblings"), nav: shown(".item-nav"),
        permalink: shown(".print-permalink") || shown(".permalink"),
        date: shown(".item-status time"),
        text: document.body.innerText,
      };
    });
    assert.deepEqual([s.header, s.footer, s.siblings, s.nav], [false, false, false, false], `${lang}: navigation is not printed`);
    assert.ok(s.permalink && s.text.includes("https://jyj.example.gov.cn/plan/" + (lang === "zh" ? "" : "en/") + "2023/11/"), `${lang}: permalink printed`);
    assert.ok(s.date && s.text.includes("2023-06-30"), `${lang}: data date printed`);
    const pdf = await page.pdf({ format: "A4" });
    assert.ok(pdf.length > 1000);
    await page.emulateMedia({ media: "screen" });
  }
  await page.close();
});

// issue #20.6: a favicon, so that no visit logs a 404 (Chromium asks for
// /favicon.ico, outside the site, when a page names no icon).
test("every page type names the SVG and PNG favicons and theme colours; no request fails and nothing is logged as an error", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  let current = "";
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // The 404 page is a 404 by design; its own document is not a problem.
    if (current.endsWith("404.html") && m.location().url === page.url()) return;
    problems.push(`${current}: console error: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${current}: uncaught ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`${current}: request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !(current.endsWith("404.html") && r.url() === page.url())) problems.push(`${current}: HTTP ${r.status()} ${r.url()}`);
  });
  const icons = new Set();
  const pages = LANGS.flatMap((lang) => pageTypes(lang).map(([name, p]) => [`${lang} ${name}`, p, server]))
    .concat(BASIC_PAGES.map(([name, p]) => [`fixture ${name}`, p, basic]));
  for (const [name, p, on] of pages) {
    current = `${name} (/${p})`;
    await open(page, p, on);
    await page.waitForLoadState("networkidle");
    const head = await page.evaluate(() => ({
      icons: [...document.querySelectorAll("link[rel~=icon], link[rel=apple-touch-icon]")].map((l) => ({ rel: l.rel, type: l.type, sizes: l.getAttribute("sizes"), href: l.href })),
      themeColors: [...document.querySelectorAll("meta[name=theme-color]")].map((m) => [m.media, m.content]),
    }));
    const rels = head.icons.map((i) => `${i.rel} ${i.type}`.trim()).sort();
    assert.deepEqual(rels, ["apple-touch-icon", "icon image/png", "icon image/svg+xml"], `${current}: favicons`);
    assert.deepEqual(head.themeColors.map(([m]) => m).sort(), ["(prefers-color-scheme: dark)", "(prefers-color-scheme: light)"], `${current}: theme-color per scheme`);
    for (const [, c] of head.themeColors) assert.match(c, /^#[0-9a-f]{6}$/i);
    for (const i of head.icons) icons.add(JSON.stringify(i));
  }
  // Each icon answers 200 with its type and is the size it says.
  const expected = { "favicon.svg": 32, "favicon.png": 32, "apple-touch-icon.png": 180 };
  for (const i of [...icons].map((s) => JSON.parse(s))) {
    const r = await fetch(i.href);
    assert.equal(r.status, 200, i.href);
    assert.match(r.headers.get("content-type"), /^image\/(png|svg\+xml)/, i.href);
    const size = await page.evaluate((href) => new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
      img.onerror = () => resolve([0, 0]);
      img.src = href;
    }), i.href);
    const n = expected[i.href.replace(/.*\//, "")];
    assert.deepEqual(size, [n, n], `${i.href} is ${n}×${n}`);
    if (i.sizes) assert.equal(i.sizes, `${n}x${n}`, `sizes of ${i.href}`);
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test("the PNG favicons show the SVG favicon (redraw them with tests/browser/lib/favicon.js)", async (t) => {
  const page = await browser.newPage();
  await page.goto(server.url(""));
  // Draw the served SVG and each served PNG at the PNG's size and compare pixels.
  for (const [png, background] of [["favicon.png", null], ["apple-touch-icon.png", "#0550ae"]]) {
    const diff = await page.evaluate(async ([svgUrl, pngUrl, bg]) => {
      const load = (src) => new Promise((resolve, reject) => { const i = new Image(); i.onload = () => resolve(i); i.onerror = reject; i.src = src; });
      const [svg, png] = await Promise.all([load(svgUrl), load(pngUrl)]);
      const n = png.naturalWidth;
      const pixels = (img) => {
        const c = document.createElement("canvas");
        c.width = c.height = n;
        const g = c.getContext("2d");
        if (bg) { g.fillStyle = bg; g.fillRect(0, 0, n, n); }
        g.drawImage(img, 0, 0, n, n);
        return g.getImageData(0, 0, n, n).data;
      };
      const a = pixels(svg);
      const b = pixels(png);
      let sum = 0;
      let max = 0;
      for (let k = 0; k < a.length; k++) { const d = Math.abs(a[k] - b[k]); sum += d; max = Math.max(max, d); }
      return { mean: sum / a.length, max, n };
    }, [server.url("static/favicon.svg"), server.url(`static/${png}`), background]);
    t.diagnostic(`${png}: mean difference ${diff.mean.toFixed(3)}, max ${diff.max} per channel`);
    assert.ok(diff.mean < 2 && diff.max < 96, `${png} (${diff.n} px) differs from favicon.svg: mean ${diff.mean.toFixed(2)}, max ${diff.max} per channel`);
  }
  await page.close();
});
