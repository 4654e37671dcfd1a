// Opens an nbconvert HTML export in headless Chromium (playwright-core, no browser download) and checks
// that every chunkscope display drew its graph offline: each dashboard root gets data-ready="1".
// Usage: node open_notebook.mjs PAGE.html EXPECTED_DISPLAYS [SCREENSHOT.png]; env NODE_MODULES, CHROMIUM.
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const [page_path, expected, shot] = process.argv.slice(2);
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/cs-nb-chromium-'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1000 },
});
const problems = [];
let code = 0;
try {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('request', (r) => { if (/^https?:/.test(r.url())) problems.push('network: ' + r.url()); });
  await page.goto('file://' + resolve(page_path));
  const want = Number(expected);
  await page.waitForFunction((n) => document.querySelectorAll('[data-ready="1"]').length >= n, want, { timeout: 30000 });
  const svgs = await page.evaluate(() => Array.from(document.querySelectorAll('[data-ready="1"]')).map((r) => r.querySelectorAll('svg g, svg path, svg rect').length));
  if (shot) await page.screenshot({ path: shot, fullPage: false });
  console.log(JSON.stringify({ ready: svgs.length, shapes: svgs, problems }));
  if (problems.length) code = 1;
} catch (e) {
  console.log(JSON.stringify({ error: String(e), problems }));
  code = 1;
} finally {
  await ctx.close();
}
process.exit(code);
