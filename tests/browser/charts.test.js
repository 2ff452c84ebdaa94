// The plan page's charts as people see them (issue #20.3), in headless
// Chromium: their text is at least 12 px and stays inside its chart without
// overlapping at phone and desktop widths, and in the light and dark schemes
// they take the scheme's colours: status segments the colours of the status
// badges, text and bars readable on what is behind them.
//
// Run: npm ci && node --test tests/browser/charts.test.js
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { basePath, buildSite, serve, launchChromium } = require("./lib/site.js");

const PLAN = { zh: "2023/", en: "en/2023/" };

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

test("chart text is at least 12 px and stays inside its chart without overlapping, from 320 to 1280 px, in both languages", async (t) => {
  const problems = [];
  for (const width of [320, 375, 768, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 812 } });
    const page = await context.newPage();
    for (const [lang, p] of Object.entries(PLAN)) {
      await page.goto(server.url(p));
      const texts = await page.$$eval("svg.chart text", (ts) => ts
        .filter((e) => e.getClientRects().length > 0 && e.checkVisibility())
        .map((e) => {
          const r = e.getBoundingClientRect();
          const svg = e.ownerSVGElement.getBoundingClientRect();
          return {
            text: e.textContent,
            chart: e.ownerSVGElement.getAttribute("class"),
            px: parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a,
            box: [r.left, r.top, r.right, r.bottom],
            svg: [svg.left, svg.top, svg.right, svg.bottom],
          };
        }));
      const where = `${width}px ${lang}`;
      // The status bar's counts at least (the sections' progress is now a
      // stacked bar by each section's list: tests/browser/plan-page.test.js).
      if (texts.length < 3) problems.push(`${where}: only ${texts.length} chart texts shown`);
      const smallest = Math.min(...texts.map((x) => x.px));
      t.diagnostic(`${where}: ${texts.length} chart texts, smallest ${smallest.toFixed(1)} px`);
      for (const x of texts) {
        if (x.px < 12) problems.push(`${where}: "${x.text}" in ${x.chart} is ${x.px.toFixed(1)} px`);
        const [l, tp, r, b] = x.box;
        const [sl, st, sr, sb] = x.svg;
        if (l < sl - 1 || r > sr + 1 || tp < st - 1 || b > sb + 1) problems.push(`${where}: "${x.text}" in ${x.chart} sticks out of its chart`);
      }
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const [a, b] = [texts[i].box, texts[j].box];
          const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
          const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
          if (w > 1 && h > 1) problems.push(`${where}: "${texts[i].text}" and "${texts[j].text}" overlap`);
        }
      }
    }
    await context.close();
  }
  assert.deepEqual(problems, []);
});

for (const scheme of ["light", "dark"]) {
  test(`in the ${scheme} scheme the charts take its colours: segments as the badges, readable text and bars`, async () => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    const problems = [];
    for (const [lang, p] of Object.entries(PLAN)) {
      await page.goto(server.url(p));
      const c = await page.evaluate(() => {
        const fill = (e) => getComputedStyle(e).fill;
        const segments = [...document.querySelectorAll("svg.chart-status rect.chart-seg")].map((r) => {
          const key = [...r.classList].find((k) => k.startsWith("chart-seg-")).slice("chart-seg-".length);
          const badge = document.querySelector(`.status-counts .badge-${key}`);
          return { key, fill: fill(r), badge: badge && getComputedStyle(badge).backgroundColor };
        });
        // Each count sits on the segment drawn just before it.
        const counts = [...document.querySelectorAll("svg.chart-status text.chart-count")].map((t) => ({ text: t.textContent, fill: fill(t), on: fill(t.previousElementSibling) }));
        return {
          bg: getComputedStyle(document.body).backgroundColor === "rgba(0, 0, 0, 0)" ? getComputedStyle(document.documentElement).backgroundColor : getComputedStyle(document.body).backgroundColor,
          segments,
          counts,
          labels: [...document.querySelectorAll("svg.chart text.chart-label")].map((t) => ({ text: t.textContent, fill: fill(t) })),
          bars: [...document.querySelectorAll("svg.chart rect.chart-bar")].map(fill),
          tracks: [...document.querySelectorAll("svg.chart rect.chart-track")].map(fill),
        };
      });
      const where = `${lang} ${scheme}`;
      assert.ok(c.segments.length >= 5 && c.counts.length >= 5, `${where}: ${JSON.stringify(c).slice(0, 300)}`);
      for (const s of c.segments) {
        if (s.key !== "none" && s.fill !== s.badge) problems.push(`${where}: the ${s.key} segment is ${s.fill}, its badge ${s.badge}`);
      }
      for (const n of c.counts) {
        const r = contrast(n.fill, n.on);
        if (r < 4.5) problems.push(`${where}: count "${n.text}" ${n.fill} on ${n.on}: ${r.toFixed(2)}:1`);
      }
      for (const l of c.labels) {
        const r = contrast(l.fill, c.bg);
        if (r < 4.5) problems.push(`${where}: label "${l.text}" ${l.fill} on ${c.bg}: ${r.toFixed(2)}:1`);
      }
      for (const [i, b] of c.bars.entries()) {
        const r = Math.min(contrast(b, c.bg), contrast(b, c.tracks[0]));
        if (r < 3) problems.push(`${where}: bar ${i} ${b} on ${c.bg} / track ${c.tracks[0]}: ${r.toFixed(2)}:1`);
      }
    }
    await context.close();
    assert.deepEqual(problems, []);
  });
}
