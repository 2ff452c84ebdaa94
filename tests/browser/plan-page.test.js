// The plan page puts its list first (issue #20.3), in headless Chromium:
// at 375×812 the first item row starts within the first 1.5 screens in
// both languages; each section shows a stacked status bar with "completed
// k/n" in text of at least 12 px; the bars take the status badges'
// colours in the light and the dark scheme, and their text stays readable.
//
// Run: npm ci && node --test tests/browser/plan-page.test.js
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { basePath, buildSite, serve, launchChromium } = require("./lib/site.js");

const PLAN = { zh: "2023/", en: "en/2023/" };
const PHONE = { width: 375, height: 812 };

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

/** "rgb(r, g, b)" → [r, g, b]. */
function rgb(css) {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  assert.ok(m, `a colour: ${css}`);
  return m.slice(1, 4).map(Number);
}

/** WCAG 2 contrast ratio of two CSS colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("at 375×812 the plan page's first item row starts within 1.5 screens, in both languages", async (t) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const problems = [];
  for (const [lang, p] of Object.entries(PLAN)) {
    await page.goto(server.url(p));
    const top = await page.$eval(".plan-section .item-row", (e) => e.getBoundingClientRect().top + window.scrollY);
    const screens = top / PHONE.height;
    t.diagnostic(`${lang}: first item row at ${Math.round(top)} px (${screens.toFixed(2)} screens)`);
    if (top > 1.5 * PHONE.height) problems.push(`${lang}: the first item row is at ${Math.round(top)} px, ${screens.toFixed(2)} screens down`);
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test("each section shows a stacked status bar and 'completed k/n' in readable text, in the badges' colours, light and dark", async () => {
  const problems = [];
  for (const colorScheme of ["light", "dark"]) {
    for (const width of [375, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 812 }, colorScheme });
      const page = await context.newPage();
      for (const [lang, p] of Object.entries(PLAN)) {
        await page.goto(server.url(p));
        const where = `${colorScheme} ${width}px ${lang}`;
        const found = await page.evaluate(() => {
          const bg = getComputedStyle(document.body).backgroundColor;
          const badge = {};
          for (const b of document.querySelectorAll(".badge")) {
            const key = [...b.classList].find((c) => c.startsWith("badge-") && c !== "badge-icon");
            if (key) badge[key.slice(6)] = getComputedStyle(b).backgroundColor;
          }
          return {
            bg,
            badge,
            sections: [...document.querySelectorAll(".plan-section")].map((s) => {
              const label = s.querySelector(".section-completed");
              const bar = s.querySelector(".stack");
              return {
                id: s.id,
                label: label ? label.textContent : null,
                px: label ? parseFloat(getComputedStyle(label).fontSize) : 0,
                colour: label ? getComputedStyle(label).color : null,
                barWidth: bar ? bar.getBoundingClientRect().width : 0,
                segs: bar ? [...bar.children].map((g) => ({
                  key: [...g.classList].find((c) => c.startsWith("chart-seg-")).slice(10),
                  colour: getComputedStyle(g).backgroundColor,
                  width: g.getBoundingClientRect().width,
                })) : [],
                rows: s.querySelectorAll(".item-row").length,
              };
            }),
          };
        });
        if (found.sections.length !== 7) problems.push(`${where}: ${found.sections.length} sections`);
        for (const s of found.sections) {
          const want = lang === "zh" ? /^已完成 \d+\/\d+$/ : /^\d+ of \d+ completed$/;
          if (!want.test(s.label || "")) problems.push(`${where} ${s.id}: label ${JSON.stringify(s.label)}`);
          const n = Number((s.label || "").match(/\d+/g)?.[1] ?? -1);
          if (n !== s.rows) problems.push(`${where} ${s.id}: says ${n} items, lists ${s.rows}`);
          if (s.px < 12) problems.push(`${where} ${s.id}: label text ${s.px} px`);
          if (s.colour && contrast(s.colour, found.bg) < 4.5) problems.push(`${where} ${s.id}: label contrast ${contrast(s.colour, found.bg).toFixed(2)}`);
          if (s.barWidth < 40) problems.push(`${where} ${s.id}: bar ${s.barWidth} px wide`);
          const total = s.segs.reduce((a, g) => a + g.width, 0);
          if (Math.abs(total - (s.barWidth - 2)) > 2) problems.push(`${where} ${s.id}: segments fill ${total} of ${s.barWidth} px`);
          for (const g of s.segs) {
            if (g.key !== "none" && found.badge[g.key] && g.colour !== found.badge[g.key]) problems.push(`${where} ${s.id}: ${g.key} segment ${g.colour}, badge ${found.badge[g.key]}`);
          }
        }
      }
      await context.close();
    }
  }
  assert.deepEqual(problems, []);
});

// issue #20.5: by the title, a copy-link (a plain link without script) and a
// link to the citation; in the targets table a readable link that copies
// and still goes to its row.
test("an item page has a copy-link and a citation link by its title, and target links that navigate, in both languages", async () => {
  const context = await browser.newContext({ viewport: PHONE, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  const problems = [];
  for (const [lang, pre] of [["zh", ""], ["en", "en/"]]) {
    await page.goto(server.url(`${pre}2023/16/`));
    const tools = await page.$$eval(".item-tools a", (as) => as.map((a) => ({ href: a.getAttribute("href"), text: a.textContent, top: a.getBoundingClientRect().top, h: a.getBoundingClientRect().height })));
    if (tools.length !== 2) { problems.push(`${lang}: ${tools.length} links by the title`); continue; }
    if (!tools[0].href.endsWith(`/${pre}2023/16/`)) problems.push(`${lang}: copy-link goes to ${tools[0].href}`);
    if (tools[1].href !== "#cite-heading") problems.push(`${lang}: citation link ${tools[1].href}`);
    if (tools.some((t) => t.top > PHONE.height || t.h < 44)) problems.push(`${lang}: the links are not in the first screen as 44 px targets: ${JSON.stringify(tools)}`);
    await page.click(".item-tools a.copy-link");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    if (!copied.endsWith(`/${pre}2023/16/`) || !copied.startsWith("http")) problems.push(`${lang}: copied ${copied}`);
    await page.click(".item-tools a[href='#cite-heading']");
    const citeTop = await page.$eval("#cite-heading", (h) => h.getBoundingClientRect().top);
    if (citeTop < -2 || citeTop > PHONE.height) problems.push(`${lang}: the citation is at ${citeTop} after the tap`);
    const target = page.locator("a.target-link").first();
    const text = (await target.textContent()).trim();
    if (text.startsWith("#") || text.length === 0) problems.push(`${lang}: target link reads ${text}`);
    await target.click();
    const hash = await page.evaluate(() => location.hash);
    if (hash !== "#target-boarding-schools") problems.push(`${lang}: the target link left the hash ${hash}`);
  }
  await context.close();
  assert.deepEqual(problems, []);
});
