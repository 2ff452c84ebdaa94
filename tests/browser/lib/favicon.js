// The PNG favicons are pictures of themes/default/static/favicon.svg drawn
// by Chromium: favicon.png (32×32, transparent corners) for browsers that
// show no SVG icon, apple-touch-icon.png (180×180, opaque, for a phone's
// home screen, which rounds the corners itself). They are committed; after
// changing the SVG, run `node tests/browser/lib/favicon.js` to redraw them
// (tests/browser/theme.test.js checks that they still show the SVG).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { repo, launchChromium } = require("./site.js");

const STATIC = path.join(repo, "themes", "default", "static");
const ICONS = [
  { file: "favicon.png", size: 32, background: "transparent" },
  { file: "apple-touch-icon.png", size: 180, background: "#0550ae" },
];

/** Draws favicon.svg at `size` px on `background` with Chromium; resolves to PNG bytes. */
async function drawIcon(browser, size, background) {
  const svg = fs.readFileSync(path.join(STATIC, "favicon.svg"));
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><style>html,body{margin:0;background:${background}}img{display:block}</style>`
    + `<img width="${size}" height="${size}" alt="" src="data:image/svg+xml;base64,${svg.toString("base64")}">`);
  await page.waitForFunction(() => document.images[0].complete);
  const png = await page.screenshot({ omitBackground: background === "transparent", clip: { x: 0, y: 0, width: size, height: size } });
  await page.close();
  return png;
}

module.exports = { ICONS, drawIcon };

if (require.main === module) {
  (async () => {
    const browser = await launchChromium();
    for (const { file, size, background } of ICONS) {
      fs.writeFileSync(path.join(STATIC, file), await drawIcon(browser, size, background));
      console.log(`wrote themes/default/static/${file}`);
    }
    await browser.close();
  })();
}
