// axe-core in a Playwright page: inject the library (inline, so the page
// makes no extra request), run the WCAG 2.0/2.1 A and AA rules, and format
// violations so a failing test says what is wrong and where.
"use strict";
const fs = require("node:fs");

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Runs axe on the page; resolves to {violations, incomplete}. */
async function runAxe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations", "incomplete"],
    });
    const slim = (list) => list.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html, summary: n.failureSummary || "" })),
    }));
    return { violations: slim(r.violations), incomplete: slim(r.incomplete) };
  }, WCAG_TAGS);
}

/** A readable report of axe results: one block per rule, a line per node. */
function formatViolations(label, violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`${label}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"})`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`    at ${n.target}`);
      lines.push(`       ${n.html.replace(/\s+/g, " ").slice(0, 200)}`);
      for (const s of n.summary.split("\n").filter(Boolean).slice(0, 4)) lines.push(`       ${s.trim()}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join("\n");
}

module.exports = { runAxe, formatViolations, WCAG_TAGS };
