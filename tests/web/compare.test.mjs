// node --test: the compare view (issue 20 item 1) on the tiny-chunks sample before and after its
// advice — `chunkscope run`, `apply-advice`, `run` again, `diff --html` — opened offline in headless
// Chromium at 1280×720 and 1400×900: both runs' timelines share the time axis (the same window and
// the same pixels per second, each run's end where its wall time falls), the graph's annotated layer
// shows "→" with its new chunk shape, a legend says what the colours mean, the table has the
// layer's shapes; zooming one timeline zooms both. Env: CHUNKSCOPE (the CLI), SAMPLES (the sample
// pipelines), SHOTS (screenshots), NODE_MODULES, CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const cs = process.env.CHUNKSCOPE;
const shots = process.env.SHOTS;
let ctx, dir, diff;

before(async () => {
  dir = mkdtempSync('/tmp/cs-compare-');
  copyFileSync(join(process.env.SAMPLES, 'tiny_chunks.json'), join(dir, 'tiny_chunks.json'));
  const run = (...args) => execFileSync(cs, args, { cwd: dir, encoding: 'utf8' });
  run('run', 'tiny_chunks.json', '--threads', '2', '-q', '--trace', 'before.cstrace.json');
  const advice = run('apply-advice', 'tiny_chunks.json', 'before.cstrace.json', '-o', 'fixed.json');
  assert.match(advice, /chunkscope diff before\.cstrace\.json NEW_TRACE --html/);  // what to run after
  run('run', 'fixed.json', '--threads', '2', '-q', '--trace', 'after.cstrace.json');
  const d = spawnSync(cs, ['diff', 'before.cstrace.json', 'after.cstrace.json', '--json', '--html', 'compare.html'], { cwd: dir, encoding: 'utf8' });
  assert.ok(d.status === 0 || d.status === 3, d.stderr);
  diff = JSON.parse(d.stdout);
  ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/cs-chromium-'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
  });
});
after(async () => { if (ctx) await ctx.close(); });

async function open([w, h]) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) problems.push('network: ' + r.url()); });
  await page.setViewportSize({ width: w, height: h });
  await page.goto('file://' + join(dir, 'compare.html'));
  await page.waitForSelector('#cs-compare-root[data-ready="1"], #cs-compare-root[data-error]', { timeout: 30000 });
  const error = await page.evaluate(() => document.querySelector('#cs-compare-root').dataset.error);
  assert.equal(error, undefined, 'the compare view failed: ' + error);
  return { page, problems };
}

const axes = (page) => page.evaluate(() => [...document.querySelectorAll('canvas.cs-cmp-timeline')].map((c) => ({
  run: c.dataset.run, t0: +c.dataset.t0, t1: +c.dataset.t1, x: +c.dataset.plotX, w: +c.dataset.plotW,
  pxPerS: +c.dataset.pxPerS, wall: +c.dataset.wallNs, endX: +c.dataset.endX, left: c.getBoundingClientRect().left,
})));

test('the tiny-chunks advice before/after: one time axis, the annotated graph, a legend, the table', async () => {
  const x = diff.layers.find((l) => l.id_after === 'x');
  assert.ok(x && x.chunk_shape_before === '32×32' && x.chunk_shape_after !== '32×32', JSON.stringify(x));
  for (const size of [[1280, 720], [1400, 900]]) {
    const { page, problems } = await open(size);
    // (a) Two timelines, "before" above "after", on one axis: the same window, plot and scale.
    const [a, b] = await axes(page);
    assert.deepEqual([a.run, b.run], ['before', 'after']);
    assert.equal(a.t0, 0);
    assert.equal(a.t1, Math.max(diff.run.wall_ns.before, diff.run.wall_ns.after, 1000));
    assert.deepEqual([b.t0, b.t1, b.x, b.w, b.left], [a.t0, a.t1, a.x, a.w, a.left]);
    assert.equal(a.pxPerS, b.pxPerS);
    for (const r of [a, b]) assert.ok(Math.abs(r.endX - (r.x + r.wall / r.t1 * r.w)) < 0.5, 'the end of ' + r.run + ' is at its wall time');
    const heads = await page.$$eval('.cs-cmp-run-head', (hs) => hs.map((h) => h.textContent));
    assert.match(heads[0], /before.*wall \d/);
    assert.match(heads[1], /after.*wall \d/);
    // (b) The graph of the second run: layer x annotated with its shape before → after, in the DOT's box.
    const note = await page.$eval('.cs-cmp-graph-svg g.node[data-layer="x"]', (g) => [...g.querySelectorAll('text')].map((t) => t.textContent));
    assert.ok(note.includes(x.chunk_shape_before + ' → ' + x.chunk_shape_after), note.join(' | '));
    assert.ok(note.some((t) => /^time .* · mem /.test(t)), note.join(' | '));
    const legend = await page.$eval('[data-cs-legend="compare"]', (l) => ({ text: l.textContent, h: l.getBoundingClientRect().height }));
    assert.match(legend.text, /regression/);
    assert.match(legend.text, /improvement/);
    assert.ok(legend.h > 0, 'the legend is shown');
    // Regressions red and improvements green, as core flagged them (never recomputed in the page).
    const flagged = await page.$$eval('.cs-cmp-graph-svg g.node.cs-cmp-worse', (gs) => gs.map((g) => g.dataset.layer));
    assert.deepEqual(flagged.sort(), diff.layers.filter((l) => l.regression && l.id_after).map((l) => l.id_after).sort());
    // (c) The table: layer x with its shapes and core's change texts.
    const row = await page.$eval('.cs-cmp-table tr[data-layer="x"]', (r) => r.textContent);
    assert.ok(row.includes(x.chunk_shape_before + ' → ' + x.chunk_shape_after), row);
    assert.ok(row.includes(x.busy_ns.change_text), row);
    // Zooming one timeline zooms both.
    const box = await page.$eval('canvas.cs-cmp-timeline[data-run="before"]', (c) => { const r = c.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; });
    await page.mouse.move(box.x, box.y);
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(100);
    const [za, zb] = await axes(page);
    assert.ok(za.t1 - za.t0 < a.t1 - a.t0, 'the wheel zoomed in');
    assert.deepEqual([zb.t0, zb.t1, zb.pxPerS], [za.t0, za.t1, za.pxPerS]);
    await page.mouse.dblclick(box.x, box.y);
    await page.mouse.move(0, 0);
    if (shots) await page.screenshot({ path: join(shots, `compare-tiny_chunks-${size[0]}x${size[1]}.png`) });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('the page reads offline and keeps the static table for readers without scripts', () => {
  const html = readFileSync(join(dir, 'compare.html'), 'utf8');
  assert.ok(!/\b(src|href)="https?:/.test(html), 'nothing is fetched from the network');
  assert.match(html, /class="cs-static cs-compare-static"/);
  assert.ok(html.includes('32×32 → '), 'the static table has the shapes');
});
