// node --test: what a new user checks first on the dashboard (issue 16), at a laptop size (1280×720)
// and a larger one (1400×900), on every sample page and on a captured Dask run of 135 layers
// (tests/web/dask_overlap.cstrace, map_overlap + reductions): the graph's labels are readable at the
// default view, all four panels are on screen without scrolling, every colour has a legend, the
// panels are linked (task -> layer, layer -> its tasks, a brushed window's summary equals the trace's
// numbers). Env as e2e.test.mjs (TRACES, SHOTS, NODE_MODULES, CHROMIUM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const traces = process.env.TRACES;
const shots = process.env.SHOTS;
const SIZES = [[1280, 720], [1400, 900]];
let ctx;

before(async () => {
  ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/cs-chromium-'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
  });
});
after(async () => { await ctx.close(); });

async function open(file, [w, h]) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  await page.setViewportSize({ width: w, height: h });
  await page.goto('file://' + join(traces, file));
  await page.waitForSelector('#cs-root[data-ready="1"]', { timeout: 30000 });
  return { page, problems };
}

// The rendered heights of the graph's labels inside the graph panel (what a user can read).
function labelHeights(page) {
  return page.evaluate(() => {
    const v = document.querySelector('#cs-graph').getBoundingClientRect();
    const hs = [];
    for (const t of document.querySelectorAll('#cs-graph-svg text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.bottom < v.top || r.top > v.bottom || r.right < v.left || r.left > v.right) continue;
      hs.push(r.height);
    }
    return hs.sort((a, b) => a - b);
  });
}
const median = (a) => a[a.length >> 1];
const viewBox = (page) => page.evaluate(() => document.querySelector('#cs-graph-svg').getAttribute('viewBox'));

const pages = () => readdirSync(traces).filter((f) => f.endsWith('.html') && f !== 'xss.html' && f !== 'notebook_like.html');

test('every page at 1280×720 and 1400×900: readable graph labels, the four panels on screen, a one-line top bar', async () => {
  const list = pages();
  assert.ok(list.includes('dask_overlap.html') && list.length >= 7);
  for (const size of SIZES) {
    for (const f of list) {
      const { page, problems } = await open(f, size);
      const hs = await labelHeights(page);
      assert.ok(hs.length >= 3, f + ' ' + size + ': labels on screen');
      assert.ok(median(hs) >= 9, f + ' ' + size + ': median label height ' + median(hs) + ' px');
      for (const sel of ['.cs-graph', '.cs-findings', '.cs-timeline', '.cs-memory']) {
        const b = await page.locator(sel).boundingBox();
        assert.ok(b && b.y >= 0 && b.y + b.height <= size[1] + 0.5, f + ' ' + size + ': ' + sel + ' on screen (' + JSON.stringify(b) + ')');
      }
      assert.equal(await page.evaluate(() => window.scrollY), 0);
      const bar = await page.locator('.cs-bar').boundingBox();
      assert.ok(bar.height <= 40, f + ': the top bar is one line (' + bar.height + ' px)');
      if (f === 'dask_overlap.html' || f === 'cells.html') await page.screenshot({ path: join(shots, 'readable-' + f.replace('.html', '') + '-' + size[0] + '.png') });
      assert.deepEqual(problems, []);
      await page.close();
    }
  }
});

test('dask_overlap: the default view shows part of the graph readable with a minimap; fit shows it all, reset returns', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  assert.ok(await page.isVisible('#cs-minimap'), 'the graph does not fit readable: the minimap is shown');
  const def = await viewBox(page);
  await page.click('.cs-graph-tools button:text("fit")');
  const full = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state, [x, y, w, h] = document.querySelector('#cs-graph-svg').getAttribute('viewBox').split(' ').map(Number); return { x, y, w, h, f: S.vbFull }; });
  assert.ok(full.x <= full.f.x + 1 && full.y <= full.f.y + 1 && full.x + full.w >= full.f.x + full.f.w - 1 && full.y + full.h >= full.f.y + full.f.h - 1, 'fit: the whole graph');
  assert.ok(await page.isHidden('#cs-minimap'));
  assert.equal(await page.locator('#cs-graph-svg.cs-tiny').count(), 1, 'fitted, the labels are too small: not drawn');
  await page.click('.cs-graph-tools button:text("reset")');
  assert.equal(await viewBox(page), def);
  // Panning with the minimap moves the view.
  const mb = await page.locator('#cs-minimap').boundingBox();
  await page.mouse.click(mb.x + mb.width / 2, mb.y + mb.height - 3);
  assert.notEqual(await viewBox(page), def);
  assert.deepEqual(problems, []);
  await page.close();
});

test('dask_overlap: layers Dask fused into others read "fused into <layer>" in the layer list, not "not run" (issue 16 item 8)', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  const rows = new Map(await page.$$eval('.cs-layer-row', (rs) => rs.map((r) => [r.dataset.layer, r.querySelector('.cs-layer-num').textContent])));
  const fused = [...rows].filter(([, t]) => t.startsWith('fused into '));
  assert.ok(fused.length >= 10, 'fused layers: ' + fused.length);
  assert.match(rows.get('block-info-_trim'), /^fused into _trim/);
  for (const [id, t] of fused) assert.ok(rows.has(t.slice('fused into '.length).split(' (')[0]), id + ': names a layer of the trace: ' + t);
  assert.equal([...rows.values()].filter((t) => t === 'not run').length, 0, 'nothing reads "not run" in a run that finished');
  assert.deepEqual(problems, []);
  await page.close();
});

test('dask_overlap: every colour-by mode has a legend with values; zoom and pan survive the change', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  await page.mouse.move(300, 250);
  await page.mouse.wheel(0, -200);  // zoom in somewhere
  const vb = await viewBox(page);
  const modes = await page.$$eval('#cs-color option', (os) => os.map((o) => o.value));
  assert.equal(modes.length, 7);
  for (const mode of modes) {
    await page.selectOption('#cs-color', mode);
    await page.waitForFunction((m) => document.getElementById('cs-root').chunkscope.state.graphLegend && document.querySelector('#cs-color').value === m && document.querySelector('#cs-graph-legend .cs-lg-title'), mode);
    await page.waitForFunction(() => !/laying out/.test(document.querySelector('.cs-status').textContent));
    const lg = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.graphLegend);
    assert.ok(await page.isVisible('#cs-graph-legend'), mode + ': legend shown');
    assert.equal(await page.textContent('#cs-graph-legend .cs-lg-title'), lg.title);
    if (lg.ramp) {
      assert.equal(await page.textContent('#cs-graph-legend .cs-lg-lo'), lg.entries[0].label);
      assert.equal(await page.textContent('#cs-graph-legend .cs-lg-hi'), lg.entries[lg.entries.length - 1].label);
      assert.notEqual(lg.entries[0].label, lg.entries[lg.entries.length - 1].label, mode + ': a ramp with values');
    } else {
      assert.ok(lg.entries.length >= 1);
      assert.equal(await page.locator('#cs-graph-legend .cs-key').count(), lg.entries.length, mode + ': a swatch per entry');
    }
    assert.equal(await viewBox(page), vb, mode + ': the view box is kept');
  }
  // The timeline: 135 layers, 12 hues: the legend says how they are coloured.
  const tl = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.summary.layer_colors);
  assert.notEqual(tl.by, 'layer');
  assert.match(await page.textContent('#cs-timeline-legend .cs-lg-note'), /layers, 12 hues: /);
  assert.equal(await page.locator('#cs-timeline-legend .cs-key').count(), tl.entries.length);
  // The chunk grid: the ramp's ends and the true range.
  await page.click('.cs-finding >> nth=0');
  await page.waitForSelector('#cs-grid-legend .cs-lg-title');
  assert.match(await page.textContent('#cs-grid-legend'), /chunk colour: task duration/);
  assert.match(await page.textContent('#cs-grid-legend .cs-lg-note'), /range|no task/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('dask_overlap: a finding centres its layer readable; double-click shows its tasks fitted', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  // The first finding whose layer has tasks of its own (some of Dask's layers have none: nothing to fit).
  const nth = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return S.summary.findings.findIndex((f) => { const l = S.summary.layers.find((x) => x.id === f.layers[0]); return l && l.tasks > 0 && l.tasks <= 200; }); });
  assert.ok(nth >= 0);
  await page.click('.cs-finding >> nth=' + nth);
  const id = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.view.selected);
  assert.ok(id);
  await page.waitForSelector('#cs-graph-svg .node.selected');
  const v = await page.locator('#cs-graph').boundingBox(), n = await page.locator('#cs-graph-svg .node.selected').boundingBox();
  const cx = n.x + n.width / 2, cy = n.y + n.height / 2;
  assert.ok(cx > v.x && cx < v.x + v.width && cy > v.y && cy < v.y + v.height, 'the selected layer is in the view');
  assert.ok(median(await labelHeights(page)) >= 9, 'at a readable scale');
  await page.locator('#cs-graph-svg .node.selected').dblclick();
  const key = 'cluster_l:' + id;
  await page.waitForFunction((k) => [...document.querySelectorAll('#cs-graph-svg .cluster')].some((c) => c.dataset.key === k), key);
  const c = await page.evaluate((k) => { const r = [...document.querySelectorAll('#cs-graph-svg .cluster')].find((x) => x.dataset.key === k).getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; }, key);
  assert.ok(c.x >= v.x - 1 && c.x + c.w <= v.x + v.width + 1, 'the tasks fit the view across');
  assert.ok(c.y < v.y + v.height && c.y + c.h > v.y, 'the tasks are on screen');
  assert.deepEqual(problems, []);
  await page.close();
});

test('dask_overlap: clicking a task selects its layer; the selected layer\'s tasks stand out in the timeline', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  const st = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return { rects: S.timeline.rects, laneX: S.laneX, laneH: S.laneH, layers: S.summary.layers.map((l) => l.id) }; });
  const hit = st.rects.filter((r) => r.kind !== 'transfer' && r.task >= 0).sort((a, b) => (b.x1 - b.x0) - (a.x1 - a.x0))[0];
  const box = await page.locator('#cs-timeline').boundingBox();
  await page.mouse.click(box.x + st.laneX + (hit.x0 + hit.x1) / 2, box.y + 6 + hit.lane * st.laneH + st.laneH / 2);
  await page.waitForFunction((id) => document.getElementById('cs-root').chunkscope.state.view.selected === id, st.layers[hit.layer]);
  assert.match(await page.textContent('.cs-chunks h2'), new RegExp(st.layers[hit.layer].replace(/[^\w]/g, '.')));
  await page.waitForFunction(() => document.getElementById('cs-root').chunkscope.state.timelineSelected > 0);
  const n = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state, li = S.summary.layers.findIndex((l) => l.id === S.view.selected); return { drawn: S.timelineSelected, expect: S.timeline.rects.filter((r) => r.kind !== 'transfer' && r.layer === li).length }; });
  assert.equal(n.drawn, n.expect, 'every rect of the layer outlined');
  await page.waitForSelector('#cs-graph-svg .node.selected');
  assert.deepEqual(problems, []);
  await page.close();
});

// The trace's own numbers for [t0, t1): per layer clipped task time and tasks, per worker the clipped
// task time summed (task) and the time covered by at least one task (busy: a Dask thread's recorded
// tasks can overlap, nested gets), host memory.
function expected(trace, t0, t1) {
  const c = trace.tasks, layers = new Map(), workers = new Map(), spans = new Map();
  let tasks = 0;
  for (let i = 0; i < c.layer.length; i++) {
    if (c.worker[i] < 0 || c.end_ns[i] <= t0 || c.start_ns[i] >= t1) continue;
    if (c.end_ns[i] === c.start_ns[i] && (c.start_ns[i] < t0 || c.start_ns[i] >= t1)) continue;
    const busy = Math.min(c.end_ns[i], t1) - Math.max(c.start_ns[i], t0);
    const id = trace.layers[c.layer[i]].id;
    const l = layers.get(id) || { busy: 0, tasks: 0 };
    l.busy += busy; l.tasks++; layers.set(id, l);
    workers.set(c.worker[i], (workers.get(c.worker[i]) || 0) + busy);
    if (!spans.has(c.worker[i])) spans.set(c.worker[i], []);
    spans.get(c.worker[i]).push([Math.max(c.start_ns[i], t0), Math.min(c.end_ns[i], t1)]);
    tasks++;
  }
  const union = new Map([...spans].map(([w, list]) => {
    list.sort((a, b) => a[0] - b[0]);
    let total = 0, end = -Infinity;
    for (const [a, b] of list) { if (b > end) { total += b - Math.max(a, end); end = b; } }
    return [w, total];
  }));
  const m = trace.memory;
  let at = 0, lo = null, hi = null;
  for (let i = 0; i < m.t_ns.length; i++) {
    if (m.t_ns[i] <= t0) { at = m.live_bytes[i]; continue; }
    if (m.t_ns[i] >= t1) break;
    if (lo === null) lo = hi = at;
    lo = Math.min(lo, m.live_bytes[i]); hi = Math.max(hi, m.live_bytes[i]);
  }
  if (lo === null) lo = hi = at;
  return { layers, workers, union, tasks, lo, hi };
}

test('dask_overlap: a brushed window\'s summary equals the numbers computed from the trace', async () => {
  const trace = JSON.parse(readFileSync(join(traces, 'dask_overlap.cstrace.json'), 'utf8'));
  const { page, problems } = await open('dask_overlap.html', SIZES[1]);
  const st = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return { laneX: S.laneX, tEnd: S.tEnd }; });
  const box = await page.locator('#cs-timeline').boundingBox();
  const plotW = box.width - st.laneX - 8;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + st.laneX + plotW * 0.3, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + st.laneX + plotW * 0.5, box.y + 20, { steps: 4 });
  await page.mouse.move(box.x + st.laneX + plotW * 0.7, box.y + 20, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.waitForSelector('#cs-range:not([hidden])');
  const sum = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.rangeSummary);
  assert.ok(sum.t1 - sum.t0 > 0.3 * st.tEnd && sum.t1 - sum.t0 < 0.5 * st.tEnd, 'about 40% of the run brushed');
  const want = expected(trace, sum.t0, sum.t1);
  assert.equal(sum.tasks, want.tasks);
  assert.ok(sum.layers.length >= 5);
  assert.equal(sum.layers.length, want.layers.size);
  for (const l of sum.layers) assert.deepEqual([l.busy_ns, l.tasks], [want.layers.get(l.id).busy, want.layers.get(l.id).tasks], l.id);
  for (const w of sum.workers) {
    assert.equal(w.task_ns, want.workers.get(w.worker) || 0, 'worker ' + w.worker + ' task time');
    assert.equal(w.busy_ns, want.union.get(w.worker) || 0, 'worker ' + w.worker + ' busy');
    assert.equal(w.idle_ns, sum.t1 - sum.t0 - w.busy_ns);
  }
  assert.deepEqual([sum.memory_min, sum.memory_max], [want.lo, want.hi]);
  // What the panel shows: the busiest layer's row, a row per worker.
  assert.equal(await page.textContent('#cs-range tr.cs-range-layer >> nth=0 >> th'), sum.layers[0].id);
  assert.equal(await page.locator('#cs-range tr.cs-range-worker').count(), trace.meta.threads);
  await page.locator('.cs-timeline').screenshot({ path: join(shots, 'readable-brush.png') });
  await page.click('#cs-range tr.cs-range-layer >> nth=0');
  await page.waitForFunction((id) => document.getElementById('cs-root').chunkscope.state.view.selected === id, sum.layers[0].id);
  assert.deepEqual(problems, []);
  await page.close();
});

test('dask_overlap: the timeline has a ruler with round ticks and says what the leading gap is', async () => {
  const { page, problems } = await open('dask_overlap.html', SIZES[0]);
  const r = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.ruler);
  assert.ok(r.ticks.length >= 3);
  assert.match(String(r.step), /^[125]0*$/);
  const gap = await page.evaluate(() => ({ first: document.getElementById('cs-root').chunkscope.state.summary.first_task_ns, gap: document.getElementById('cs-root').chunkscope.state.leadingGap }));
  if (gap.first > 0) assert.ok(gap.gap === null || /before the first task/.test(gap.gap.text));
  assert.deepEqual(problems, []);
  await page.close();
});

test('notebook-like page at a 900 px column: both dashboards fit it without a horizontal scroll bar', async () => {
  const { page, problems } = await (async () => {
    const page = await ctx.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
    await page.setViewportSize({ width: 920, height: 900 });
    await page.goto('file://' + join(traces, 'notebook_like.html'));
    await page.addStyleTag({ content: 'body { width: 900px; margin: 0; }' });
    await page.waitForFunction(() => document.querySelectorAll('.cs-nb [data-cs-root][data-ready="1"]').length === 2, null, { timeout: 30000 });
    return { page, problems };
  })();
  const w = await page.evaluate(() => [...document.querySelectorAll('.cs-nb')].map((n) => [n.scrollWidth, n.clientWidth]));
  for (const [sw, cw] of w) assert.ok(sw <= cw + 1, 'no horizontal overflow: ' + sw + ' > ' + cw);
  const bars = await page.$$eval('.cs-nb .cs-bar', (bs) => bs.map((b) => b.getBoundingClientRect().height));
  for (const h of bars) assert.ok(h <= 40, 'one-line bar');
  await page.locator('.cs-nb >> nth=0').screenshot({ path: join(shots, 'readable-notebook-900.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
