// Helpers for the browser tests: build the shipped site into a temporary
// folder, serve it on 127.0.0.1 under its base path, and launch Debian's
// headless Chromium through playwright-core.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const repo = path.join(__dirname, "..", "..", "..");

/** The path of site.toml's base_url, e.g. "/plan/" (of the shipped site, or of the site in `root`). */
function basePath(root = repo) {
  const toml = fs.readFileSync(path.join(root, "site.toml"), "utf8");
  const m = /^base_url\s*=\s*"([^"]+)"/m.exec(toml);
  const p = m ? new URL(m[1]).pathname : "/";
  return p.endsWith("/") ? p : p + "/";
}

/**
 * Builds the site into a temporary folder, removed when the test process
 * exits, with $PLANPUB_BIN (scripts/test sets it to the binary `cargo test
 * --release` built) or else `cargo run -- build`; or uses $PLANPUB_SITE_DIR
 * when set, a site built beforehand. Returns its path. With `root` (e.g. a
 * fixture under tests/fixtures/), builds that site instead, or uses the
 * folder named by the environment variable `envName`.
 * `extraArgs` go to `planpub build` (e.g. `--base-url`).
 */
function buildSite(root = repo, envName = "PLANPUB_SITE_DIR", extraArgs = []) {
  if (process.env[envName]) return process.env[envName];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "planpub-site-"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, "public");
  const args = ["build", "--root", root, "--output", out, ...extraArgs];
  const [program, all] = process.env.PLANPUB_BIN
    ? [process.env.PLANPUB_BIN, args]
    : ["cargo", ["run", "--quiet", "--", ...args]];
  const r = spawnSync(program, all, { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${program} ${all.join(" ")} failed (${r.status})`);
  return out;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml", ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2",
};

/**
 * Serves `root` under the URL path `prefix` on 127.0.0.1, random port.
 * Resolves to {origin, url(path), close(), requests} where requests lists
 * every path asked for.
 */
function serve(root, prefix) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    requests.push(url.pathname + url.search);
    let rel = decodeURIComponent(url.pathname);
    if (!rel.startsWith(prefix)) { res.writeHead(404).end("not found"); return; }
    rel = rel.slice(prefix.length);
    let file = path.normalize(path.join(root, rel));
    if (!file.startsWith(path.normalize(root))) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      const notFound = path.join(root, "404.html");
      res.writeHead(404, { "content-type": TYPES[".html"] });
      res.end(fs.existsSync(notFound) ? fs.readFileSync(notFound) : "not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream", "cache-control": "no-cache" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        requests,
        url: (p) => origin + prefix + p.replace(/^\//, ""),
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
      });
    });
  });
}

/** Launches headless Chromium (Debian's package, /usr/bin/chromium). */
async function launchChromium() {
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

module.exports = { repo, basePath, buildSite, serve, launchChromium };
