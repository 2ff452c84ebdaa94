// The search page loads the search script's modules: every module under
// static/search/ is preloaded by the template (one round trip, not one per
// level of imports) and reached from the entry module.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repo } from "./helpers.mjs";

const theme = path.join(repo, "themes/default");

test("every search module is preloaded and imported", () => {
  const dir = path.join(theme, "static/search");
  const modules = fs.readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.replace(/\.js$/, "")).sort();
  const template = fs.readFileSync(path.join(theme, "templates/search.html"), "utf8");
  const preloaded = JSON.parse(/for m in (\[[^\]]*\])/.exec(template)[1]).sort();
  assert.deepEqual(preloaded, modules);
  // The import graph from the entry module reaches every module.
  const seen = new Set();
  const visit = (file) => {
    for (const m of fs.readFileSync(file, "utf8").matchAll(/^import .* from "\.\/(?:search\/)?([a-z]+)\.js";$/gm)) {
      if (!seen.has(m[1])) { seen.add(m[1]); visit(path.join(dir, `${m[1]}.js`)); }
    }
  };
  visit(path.join(theme, "static/search.js"));
  assert.deepEqual([...seen].sort(), modules);
});
