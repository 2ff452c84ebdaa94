// Search and touch targets on a phone (issue #20.4), in headless Chromium
// at 375×812: a search field is visible in the first screen of the home,
// plan and search pages (and every other page type), at every width; the
// header's links, the search field and its button are targets of at least
// 44×44 px, in both languages.
//
// Run: npm ci && node --test tests/browser/phone.test.js
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { basePath, buildSite, serve, launchChromium } = require("./lib/site.js");

const LANGS = ["zh", "en"];
const PHONE = { width: 375, height: 812 };

/** Page types as [name, site-relative path] for a language. */
function pageTypes(lang) {
  const pre = lang === "zh" ? "" : `${lang}/`;
  return [
    ["home", pre],
    ["plan", `${pre}2023/`],
    ["search", `${pre}search/`],
    ["item", `${pre}2023/16/`],
    ["section", `${pre}2023/sections/3/`],
    ["tag index", `${pre}2023/tags/`],
    ["status", `${pre}2023/status/in-progress/`],
    ["404", `${pre}404.html`],
  ];
}

let server;
let browser;

test.before(async () => {
  server = await serve(buildSite(), basePath());
  browser = await launchChromium();
});

test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

/**
 * The search field a person sees on the page (the search page's own form,
 * else the header's), with its box, whether it is shown and not covered,
 * and the box of its submit button.
 */
function searchField(page) {
  return page.evaluate(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    const fields = [...document.querySelectorAll("input[type=search]")].filter((e) => e.checkVisibility({ visibilityProperty: true, opacityProperty: true }));
    if (fields.length === 0) return null;
    const f = fields[0];
    const b = box(f);
    const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    const button = f.form.querySelector("button[type=submit]");
    return { id: f.id, box: b, onTop: hit === f, button: box(button), label: f.labels.length > 0 || f.hasAttribute("aria-label") };
  });
}

test("at 375×812 a search field is visible in the first screen of every page type, in both languages", async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const problems = [];
  for (const lang of LANGS) {
    for (const [name, p] of pageTypes(lang)) {
      await page.goto(server.url(p));
      const f = await searchField(page);
      const where = `${lang} ${name} (/${p})`;
      if (!f) { problems.push(`${where}: no visible search field`); continue; }
      const b = f.box;
      if (!(b.top >= 0 && b.bottom <= PHONE.height && b.left >= 0 && b.right <= PHONE.width)) problems.push(`${where}: #${f.id} at ${JSON.stringify(b)} is not within the first screen`);
      if (!f.onTop) problems.push(`${where}: #${f.id} is covered`);
      if (!f.label) problems.push(`${where}: #${f.id} has no label`);
      if (b.height < 44 || b.width < 160) problems.push(`${where}: #${f.id} is ${b.width}×${b.height} px (want ≥ 160×44)`);
      if (f.button.height < 44 || f.button.width < 44) problems.push(`${where}: its button is ${f.button.width}×${f.button.height} px`);
    }
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test("home, plan and search pages show a search field at every width from 320 to 1440 px", async () => {
  const problems = [];
  for (const width of [320, 480, 640, 641, 800, 1024, 1440]) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const lang of LANGS) {
      for (const [name, p] of pageTypes(lang).slice(0, 3)) {
        await page.goto(server.url(p));
        const f = await searchField(page);
        if (!f || !f.onTop || f.box.bottom > 800 || f.box.width < 120) problems.push(`${width}px ${lang} ${name}: ${JSON.stringify(f)}`);
      }
    }
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test("at 375×812 every link and control in the header is a target of at least 44×44 px, in both languages", async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const small = [];
  let searchLinks = 0;
  for (const lang of LANGS) {
    for (const [name, p] of pageTypes(lang)) {
      await page.goto(server.url(p));
      const targets = await page.$$eval(".site-header a[href], .site-header button, .site-header input, .site-header select", (els) => els
        .filter((e) => e.checkVisibility())
        .map((e) => {
          const r = e.getBoundingClientRect();
          return { what: `${e.tagName.toLowerCase()} "${(e.textContent || e.placeholder || "").trim().slice(0, 24)}"`, menu: !!e.closest(".main-nav"), href: e.getAttribute("href") || "", w: r.width, h: r.height };
        }));
      // The title, the other language, the plan, Search; the field and its button.
      assert.ok(targets.length >= 4, `${lang} ${name}: ${targets.length} header targets`);
      for (const t of targets) {
        if (t.w < 44 || t.h < 44) small.push(`${lang} ${name} (/${p}): ${t.what} is ${t.w.toFixed(1)}×${t.h.toFixed(1)} px`);
        if (t.menu && /\/search\/$/.test(t.href)) searchLinks++;
      }
    }
  }
  await context.close();
  assert.equal(searchLinks, 2 * pageTypes("zh").length, "the Search link is in the header of every page");
  assert.deepEqual(small, []);
});
