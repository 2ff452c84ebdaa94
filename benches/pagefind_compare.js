#!/usr/bin/env node
// Compare the bytes a browser downloads for a first search query with
// planpub's own search versus Pagefind, on the same built site.
//
// Usage:
//   node benches/pagefind_compare.js --site <built-site-dir> --port <port> [--label name]
//                                    [--zh 寄宿,双减,雙減,幼儿园] [--en kindergarten,boarding]
//                                    [--json out.json] [--target-bytes 30000] [--no-pagefind] [--strict]
//
// Target (issue 21.5): planpub's first query fetches at most --target-bytes
// (default 30,000) bytes of index files (under /search/index/, raw, before any
// compression), on the 10,000-item site; each query gets ok/MISSED (--strict:
// exit status 1 if one is missed). The search script is not counted (it is
// reported apart; the deploy configs compress it).
//
// Prerequisites:
//   * the site was built with --base-url http://127.0.0.1:<port>/ (same port!);
//   * Pagefind was run on it (`npx pagefind --site <dir>`, npm package pagefind),
//     so <dir>/pagefind/ exists (or pass --no-pagefind for planpub alone);
//   * playwright-core (in this repo's node_modules) and /usr/bin/chromium.
//
// The script serves <dir> itself (plain static server, no compression, no
// caching headers) and counts the bytes of every response body it sends, so
// requests made from workers are counted too. Each query runs in a fresh
// browser context (empty cache).
//
//   planpub: open /search/?q=<q> (or /en/search/?q=<q>), wait for
//            li.search-result or .search-none; count files under /search/index/.
//            (the search script, /static/search.js and the modules it
//            imports from /static/search/, is part of the page and reported
//            separately.)
//   Pagefind: open /search/ (or /en/search/) without q, so planpub fetches
//            nothing; then in the page: import('/pagefind/pagefind.js'),
//            options({}), search(q), data() of the first 10 results
//            (planpub's first page is also 10 results); count files under /pagefind/.
//            Pagefind picks its index language from <html lang> of that page.
//
// "gz" columns: the sum over the fetched files of min(raw, gzip -6 of the
// file), i.e. roughly what a server compressing on the fly would send.
// (Pagefind's index/fragment/wasm files are already gzipped.)
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require('playwright-core');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const siteDir = path.resolve(arg('site', ''));
const port = Number(arg('port', '18601'));
const label = arg('label', path.basename(siteDir));
const zhQueries = arg('zh', '寄宿,双减,雙減,幼儿园').split(',').filter(Boolean);
const enQueries = arg('en', 'kindergarten,boarding').split(',').filter(Boolean);
const jsonOut = arg('json', '');
const targetBytes = Number(arg('target-bytes', '30000'));
const withPagefind = !process.argv.includes('--no-pagefind');
if (!siteDir || !fs.existsSync(siteDir)) { console.error('--site <dir> required'); process.exit(2); }

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.xml': 'application/xml' };
let log = [];
const gzCache = new Map();
function gzSize(file, buf) {
  if (!gzCache.has(file)) { gzCache.set(file, Math.min(buf.length, zlib.gzipSync(buf, { level: 6 }).length)); }
  return gzCache.get(file);
}
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = path.join(siteDir, p);
  if (!file.startsWith(siteDir)) { res.writeHead(403); res.end(); return; }
  try { if (fs.statSync(file).isDirectory()) { file = path.join(file, 'index.html'); } } catch (e) { /* 404 below */ }
  fs.readFile(file, (err, buf) => {
    if (err) { log.push({ path: p, status: 404, bytes: 0, gz: 0 }); res.writeHead(404); res.end(); return; }
    log.push({ path: p, status: 200, bytes: buf.length, gz: gzSize(file, buf) });
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': buf.length, 'Cache-Control': 'no-store' });
    res.end(buf);
  });
});

function sum(entries) {
  return { files: entries.length, bytes: entries.reduce((a, e) => a + e.bytes, 0),
    gz: entries.reduce((a, e) => a + e.gz, 0) };
}

async function planpubQuery(browser, base, lang, q) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  log = [];
  const t0 = Date.now();
  await page.goto(`${base}${lang === 'en' ? '/en' : ''}/search/?q=${encodeURIComponent(q)}`, { waitUntil: 'load' });
  await page.waitForSelector('#search-results li.search-result, #search-results .search-none', { timeout: 60000 });
  const ms = Date.now() - t0;
  await page.waitForTimeout(300); // let any trailing fetches finish
  const info = await page.evaluate(() => {
    const s = document.querySelector('#search-results .search-summary');
    const none = document.querySelector('#search-results .search-none');
    const m = s && s.textContent.match(/\d[\d,]*/);
    return { total: none ? 0 : (m ? Number(m[0].replace(/,/g, '')) : null), shown: document.querySelectorAll('#search-results li.search-result').length };
  });
  await ctx.close();
  const idx = log.filter(e => e.path.includes('/search/index/'));
  return { ...sum(idx), total: info.total, shown: info.shown, ms,
    searchJs: sum(log.filter(e => /\/static\/search(\.js|\/[^/]+\.js)$/.test(e.path))),
    pageHtml: sum(log.filter(e => e.path.endsWith('/search/') || e.path.endsWith('/search/index.html'))),
    list: idx.map(e => `${e.path} ${e.bytes}`) };
}

async function pagefindQuery(browser, base, lang, q) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}${lang === 'en' ? '/en' : ''}/search/`, { waitUntil: 'load' });
  await page.waitForTimeout(200);
  log = [];
  const t0 = Date.now();
  const r = await page.evaluate(async (q) => {
    const pf = await import('/pagefind/pagefind.js');
    await pf.options({});
    const r = await pf.search(q);
    const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
    return { total: r.results.length, urls: data.map(d => d.url) };
  }, q);
  const ms = Date.now() - t0;
  await page.waitForTimeout(300);
  await ctx.close();
  const other = log.filter(e => !e.path.startsWith('/pagefind/'));
  const pf = log.filter(e => e.path.startsWith('/pagefind/'));
  return { ...sum(pf), total: r.total, shown: r.urls.length, urls: r.urls, ms,
    other: other.map(e => e.path), list: pf.map(e => `${e.path} ${e.bytes}`) };
}

const fmt = n => n.toLocaleString('en-US');

(async () => {
  await new Promise(ok => server.listen(port, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  const rows = [];
  const queries = zhQueries.map(q => ['zh', q]).concat(enQueries.map(q => ['en', q]));
  for (const [lang, q] of queries) {
    const pp = await planpubQuery(browser, base, lang, q);
    let pf;
    if (!withPagefind) { pf = { error: 'not run (--no-pagefind)' }; } else {
      try { pf = await pagefindQuery(browser, base, lang, q); } catch (e) { pf = { error: String(e) }; }
    }
    const target = { bytes: targetBytes, ok: pp.bytes <= targetBytes };
    rows.push({ site: label, lang, q, planpub: pp, target, pagefind: pf });
    console.error(`[${label}] ${q}: planpub ${pp.files} files ${fmt(pp.bytes)} B (${pp.total} hits) ` +
      `${target.ok ? 'ok' : 'MISSED'}; ` +
      (pf.error ? `pagefind ERROR ${pf.error}` : `pagefind ${pf.files} files ${fmt(pf.bytes)} B (${pf.total} hits)`));
  }
  await browser.close();
  server.close();
  console.log(`| site | query | planpub bytes (files) | <= ${fmt(targetBytes)} B | planpub gz | planpub hits | Pagefind bytes (files) | Pagefind gz | Pagefind hits | planpub/Pagefind bytes |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    const pp = r.planpub, pf = r.pagefind;
    console.log(`| ${r.site} | ${r.q} | ${fmt(pp.bytes)} (${pp.files}) | ${r.target.ok ? 'ok' : 'MISSED'} | ${fmt(pp.gz)} | ${pp.total} | ` +
      (pf.error ? `${pf.error.startsWith('not run') ? 'not run' : 'error'} | | | |`
        : `${fmt(pf.bytes)} (${pf.files}) | ${fmt(pf.gz)} | ${pf.total} | ${(pp.bytes / pf.bytes).toFixed(2)} |`));
  }
  const missed = rows.filter(r => !r.target.ok).map(r => `${r.lang}:${r.q}`);
  console.log(`\ntarget (issue 21.5): first query <= ${fmt(targetBytes)} B of index files, raw: ` +
    (missed.length ? `missed: ${missed.join(', ')}` : 'all met'));
  if (missed.length && process.argv.includes('--strict')) { process.exitCode = 1; }
  const r0 = rows[0];
  if (r0) {
    console.log(`\nNot counted above: planpub's search script (${r0.planpub.searchJs.files} modules) ${fmt(r0.planpub.searchJs.bytes)} B ` +
      `(gz ${fmt(r0.planpub.searchJs.gz)}), loaded by the search page itself; search page HTML ${fmt(r0.planpub.pageHtml.bytes)} B.`);
  }
  if (jsonOut) { fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 2)); }
})().catch(e => { console.error(e); process.exit(1); });
