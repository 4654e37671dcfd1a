// node --test: the HTML pages and the served dashboard in Debian's Chromium, driven by playwright-core
// (no browser download). Env: TRACES (pages and traces from make_traces.sh), CHUNKSCOPE (the CLI),
// SHOTS (where screenshots go), NODE_MODULES (web/node_modules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const traces = process.env.TRACES;
const shots = process.env.SHOTS;
let ctx;

before(async () => {
  ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/cs-chromium-'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
});
after(async () => { await ctx.close(); });

async function open(url) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  // A script, eval or worker the page's CSP refused (the served page has no 'unsafe-eval').
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push('csp: ' + m.text()); });
  page.on('dialog', async (d) => { problems.push('dialog: ' + d.message()); await d.dismiss(); });
  // Offline: any request that leaves the page (http, https) is a failure of "self-contained".
  page.on('request', (r) => { if (/^https?:/.test(r.url()) && !r.url().startsWith('http://127.0.0.1')) problems.push('network: ' + r.url()); });
  await page.goto(url);
  await page.waitForSelector('#cs-root[data-ready="1"]', { timeout: 30000 });
  return { page, problems };
}

test('every sample page opens offline and shows the collapsed graph', async () => {
  const pages = readdirSync(traces).filter((f) => f.endsWith('.html') && f !== 'xss.html' && f !== 'notebook_like.html');
  assert.ok(pages.length >= 6);
  for (const f of pages) {
    assert.ok(statSync(join(traces, f)).size < 3 * 1024 * 1024, f + ' is under 3 MB');
    const { page, problems } = await open('file://' + join(traces, f));
    const groups = await page.locator('svg .node.group').count();
    assert.ok(groups >= 2, f + ': group nodes');
    assert.ok(await page.locator('.cs-finding').count() >= 1 || (await page.textContent('#cs-findings')).includes('No findings'));
    // The about line: the module's version and the licences of what the page embeds (issue 18).
    assert.match(await page.textContent('#cs-about'), /^chunkscope \d+\.\d+\.\d+ · BSD-3-Clause · .*Graphviz, EPL-1\.0.*THIRD_PARTY_NOTICES/);
    await page.screenshot({ path: join(shots, f.replace('.html', '.png')) });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('two dashboards on one notebook-like page share one bundle, with an AMD loader present', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  await page.goto('file://' + join(traces, 'notebook_like.html'));
  await page.waitForFunction(() => document.querySelectorAll('.cs-nb [data-cs-root][data-ready="1"]').length === 2, null, { timeout: 30000 });
  assert.equal(await page.locator('script[data-cs="cs-wasm"]').count(), 1, 'the module is on the page once');
  assert.ok(await page.locator('.cs-nb >> nth=0 >> svg .node.group').count() >= 2);
  assert.ok(await page.locator('.cs-nb >> nth=1 >> svg .node.group').count() >= 2);
  // the second dashboard expands independently of the first
  await page.locator('.cs-nb >> nth=1 >> svg .node[data-key="g:load"]').click();
  await page.locator('.cs-nb >> nth=1 >> svg .node[data-key="l:x"]').waitFor();
  assert.equal(await page.locator('.cs-nb >> nth=0 >> svg .node.layer').count(), 0);
  await page.screenshot({ path: join(shots, 'notebook_like.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('two dashboards of different traces on one page keep their own state: selecting a layer in one leaves the other unchanged', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  await page.goto('file://' + join(traces, 'notebook_like.html'));
  await page.waitForFunction(() => document.querySelectorAll('.cs-nb [data-cs-root][data-ready="1"]').length === 2, null, { timeout: 30000 });
  // Each dashboard's handle is on its own element; nothing page-wide.
  const handles = await page.evaluate(() => {
    const [a, b] = [...document.querySelectorAll('.cs-nb [data-cs-root]')].map((r) => r.chunkscope);
    return { distinct: a.state !== b.state && a.bus !== b.bus, names: [a.state.summary.meta.pipeline, b.state.summary.meta.pipeline], global: typeof window.__chunkscope };
  });
  assert.deepEqual(handles, { distinct: true, names: ['cells', 'tiny_chunks'], global: 'undefined' });
  const snapshot = (i) => page.evaluate((i) => {
    const r = document.querySelectorAll('.cs-nb [data-cs-root]')[i], S = r.chunkscope.state;
    return { selected: S.view.selected, groups: S.view.expanded_groups.slice(), grid: r.querySelector('.cs-chunks h2').textContent, active: r.querySelectorAll('.cs-finding.active, .cs-layer-row.active').length, outlined: S.timelineSelected || 0 };
  }, i);
  const before = await snapshot(0);
  // Select layer x in the second dashboard (its tiny-chunks finding): it is selected and revealed there.
  await page.locator('.cs-nb >> nth=1 >> .cs-finding[data-rule="tiny-chunks"]').click();
  await page.locator('.cs-nb >> nth=1 >> svg .node.selected[data-key="l:x"]').waitFor();
  const second = await snapshot(1);
  assert.equal(second.selected, 'x');
  assert.match(second.grid, /chunk grid · x /);
  assert.ok(second.active >= 1);
  // The first dashboard: the same selection, groups, chunk grid and timeline as before.
  assert.deepEqual(await snapshot(0), before);
  assert.equal(await page.locator('.cs-nb >> nth=0 >> svg .node.selected').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('cells: clicking a group expands it into its layers; clicking it again collapses it', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cells.html'));
  assert.equal(await page.locator('svg .node.layer').count(), 0);
  await page.click('svg .node[data-key="g:measure"]');
  await page.waitForSelector('svg .node[data-key="l:area"]');
  assert.equal(await page.locator('svg .node.layer').count(), 4);
  await page.screenshot({ path: join(shots, 'cells-expanded.png') });
  await page.click('svg .cluster >> text=measure');
  await page.waitForSelector('svg .node[data-key="g:measure"]');
  assert.equal(await page.locator('svg .node.layer').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('tiny_chunks: the problem is highlighted; clicking its finding reveals and selects layer x', async () => {
  const { page, problems } = await open('file://' + join(traces, 'tiny_chunks.html'));
  const load = page.locator('svg .node[data-key="g:load"]');
  assert.ok(await load.locator('.badge').count() === 1, 'the group holding x carries a finding badge');
  await page.click('.cs-finding[data-rule="tiny-chunks"]');
  await page.waitForSelector('svg .node.selected[data-key="l:x"]');
  assert.match(await page.textContent('.cs-chunks h2'), /x/);
  // hovering the timeline shows a task or a fold
  const box = await page.locator('#cs-timeline').boundingBox();
  let tipText = '';
  for (let x = 100; x < box.width - 20 && !tipText; x += 23) {  // idle gaps show no tip: try along the lane
    await page.mouse.move(box.x + x, box.y + 20);
    if (await page.isVisible('.cs-tip')) tipText = await page.textContent('.cs-tip');
  }
  assert.match(tipText, /layer|folded/);
  await page.screenshot({ path: join(shots, 'tiny_chunks-finding.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('cuda_transfers: transfer lanes under the worker lanes, a tooltip per copy and per fold, task tooltips unchanged', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cuda_transfers.html'));
  const state = () => page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return { tl: S.timeline, laneH: S.laneH, laneX: S.laneX }; });
  let { tl, laneH, laneX } = await state();
  assert.deepEqual(tl.lanes, ['cuda:0 (worker 0)', 'host (worker 1)', 'cuda:0 host→device', 'cuda:0 device→host']);
  const box = await page.locator('#cs-timeline').boundingBox();
  const hover = async (r) => {
    await page.mouse.move(box.x + laneX + (r.x0 + Math.max(r.x1, r.x0 + 1)) / 2, box.y + 6 + r.lane * laneH + laneH / 2);
    return (await page.isVisible('.cs-tip')) ? page.textContent('.cs-tip') : '';
  };
  const redraw = async (t0, t1) => {
    await page.evaluate(([a, b]) => { document.getElementById('cs-root').chunkscope.setRange(a, b); }, [t0, t1]);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    ({ tl, laneH, laneX } = await state());
  };
  const single = (lane) => tl.rects.filter((r) => r.lane === lane && r.transfer >= 0).reduce((a, b) => (!a || b.x1 - b.x0 > a.x1 - a.x0 ? b : a), null);
  assert.match(await hover(single(3)), /^device→host copy on cuda:0\n128\.0 KiB in [\d.]+ µs \([\d.]+ GiB\/s\), starts at [\d.]+ ms\nfed layer s, chunk \(\d+\), task \d+$/);
  await page.screenshot({ path: join(shots, 'cuda_transfers-d2h-tip.png') });
  assert.match(await hover(tl.rects.find((r) => r.kind === 'task' && r.lane === 1 && r.x1 - r.x0 > 3)), /^layer s\n/);
  // Zoomed into the end of the run, the eight uploads of the sums are one rect each.
  const wall = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.tEnd);
  await redraw(wall * 0.975, wall);
  assert.equal(tl.rects.filter((r) => r.lane === 2 && r.transfer >= 0).length, 8);
  assert.match(await hover(single(2)), /^host→device copy on cuda:0\n1\.0 KiB in [\d.]+ µs .*\nfed layer r, chunk \(0\), task \d+$/);
  await page.screenshot({ path: join(shots, 'cuda_transfers-h2d-tip.png') });
  // A narrow timeline of the whole run folds them: the fold's tooltip counts the copies and their bytes.
  await page.addStyleTag({ content: '.cs-canvas-timeline { width: 400px !important; }' });
  await redraw(0, wall);
  const fold = tl.rects.find((r) => r.lane === 2 && r.count > 1);
  assert.ok(fold, 'a fold of copies');
  assert.match(await hover(fold), new RegExp('^' + fold.count + ' copies folded here \\(cuda:0 host→device\\): [\\d.]+ KiB, mostly for "r"'));
  assert.deepEqual(problems, []);
  await page.close();
});

// Height of the highest pixel of a memory chart's curve (the cuda:0 green, #2e8b57) right of the
// lane-name column, as a fraction of the plot's height (1 = the top of the scale), or -1.
function curveTop(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id), S = document.getElementById('cs-root').chunkscope.state, k = window.devicePixelRatio || 1;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let y = 0; y < c.height; y++)
      for (let x = Math.ceil((S.laneX + 8) * k); x < c.width; x++) {
        const i = 4 * (y * c.width + x);
        if (Math.abs(d[i] - 46) + Math.abs(d[i + 1] - 139) + Math.abs(d[i + 2] - 87) < 60) return (c.height - 16 * k - y) / (c.height - 28 * k);
      }
    return -1;
  }, id);
}

test('cuda_transfers: a cuda:0 memory chart under the host one, on the timeline\'s time axis, with limit, peak, legend and tooltips', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cuda_transfers.html'));
  await page.locator('.cs-memory').scrollIntoViewIfNeeded();
  const dev = page.locator('#cs-memory-1');
  assert.equal(await dev.getAttribute('data-device'), 'cuda:0');
  assert.equal(await page.locator('.cs-canvas-device').count(), 1);
  assert.deepEqual(await page.locator('.cs-memory .cs-legend .cs-key').allTextContents(), ['host', 'cuda:0', 'limit', 'peak']);
  // The charts share the timeline's plot area: same left edge (lane-name column) and width.
  const st = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return { laneX: S.laneX, memory: S.memory, tEnd: S.tEnd }; });
  assert.deepEqual(st.memory.map((c) => c.device), ['host', 'cuda:0']);
  assert.deepEqual(st.memory[1].t_ns, st.memory[0].t_ns);
  const tlBox = await page.locator('#cs-timeline').boundingBox(), box = await dev.boundingBox();
  assert.equal(box.x, tlBox.x);
  assert.equal(box.width, tlBox.width);
  // The curve is scaled to its limit (384 KiB, on scale): the highest green pixel is the 256 KiB peak, about 2/3 up.
  const peakAt = await curveTop(page, 'cs-memory-1');
  assert.ok(peakAt > 0.6 && peakAt < 0.72, 'peak drawn at 256/384 of the height, got ' + peakAt);
  // Tooltip: the device, the time, the bytes of the pixel column, the limit used, the peak.
  const hover = async (fx) => {
    await page.mouse.move(box.x + st.laneX + fx * (box.width - st.laneX - 8), box.y + box.height / 2);
    return (await page.isVisible('.cs-tip')) ? page.textContent('.cs-tip') : '';
  };
  const tipRe = /^cuda:0 at [\d.]+ (ns|µs|ms)\n[\d.]+ (B|KiB)( to [\d.]+ (B|KiB))? live.*\nlimit 384\.0 KiB, \d+% used\npeak 256\.0 KiB at 18\.0 µs during "y"$/;
  assert.match(await hover(0.4), tipRe);
  await page.screenshot({ path: join(shots, 'cuda_transfers-memory-tip.png'), clip: { x: tlBox.x, y: tlBox.y, width: tlBox.width, height: box.y + box.height - tlBox.y } });
  assert.match(await hover(0.99), /^cuda:0 at /);
  // The host chart has a tooltip too (no limit on the host in this run).
  const hostBox = await page.locator('#cs-memory').boundingBox();
  await page.mouse.move(hostBox.x + st.laneX + 200, hostBox.y + hostBox.height / 2);
  assert.match(await page.textContent('.cs-tip'), /^host at [\d.]+ (µs|ms)\n.* live.*\nno limit\npeak 161\.0 KiB at [\d.]+ ms during "s"$/);
  // Zoomed, the device chart follows the timeline's window.
  await page.evaluate(([a, b]) => document.getElementById('cs-root').chunkscope.setRange(a, b), [st.tEnd * 0.5, st.tEnd * 0.6]);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const z = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.memory);
  assert.ok(Math.abs(z[1].t_ns[0] - st.tEnd * 0.5) < 1);
  assert.deepEqual(z[1].t_ns, z[0].t_ns);
  assert.deepEqual(problems, []);
  await page.close();
});

test('cuda_default_limit: a device limit far above the curve is written, not drawn, and the curve keeps its scale', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cuda_default_limit.html'));
  const st = await page.evaluate(() => { const S = document.getElementById('cs-root').chunkscope.state; return { laneX: S.laneX, memory: S.memory }; });
  assert.equal(st.memory[1].limit, 76101451776);
  await page.locator('.cs-memory').scrollIntoViewIfNeeded();
  const topAt = await curveTop(page, 'cs-memory-1');
  assert.ok(topAt > 0.95, 'the peak reaches the top of the chart, got ' + topAt);
  const box = await page.locator('#cs-memory-1').boundingBox();
  await page.mouse.move(box.x + st.laneX + 300, box.y + box.height / 2);
  assert.match(await page.textContent('.cs-tip'), /\nlimit 70\.9 GiB, 0\.000\d% used\n/);
  await page.locator('.cs-memory').screenshot({ path: join(shots, 'cuda_default_limit-memory.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a CPU trace has one memory chart (host) and no device legend', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cells.html'));
  assert.equal(await page.locator('.cs-canvas-device').count(), 0);
  // `chunkscope run` samples the process: its RSS and CPU keys join the host's chunk bytes.
  assert.deepEqual(await page.locator('.cs-memory .cs-legend .cs-key').allTextContents(), ['chunk bytes', 'process RSS', 'CPU %', 'peak']);
  assert.deepEqual(await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.memory.map((c) => c.device)), ['host']);
  assert.deepEqual(problems, []);
  await page.close();
});

// The dashboard's handle of a page of its own.
const handle = "document.getElementById('cs-root').chunkscope";

test('cells: the memory panel\'s "total / by layer" toggle stacks the host bytes by layer, a key per band naming its layer, the peak kept', async () => {
  const { page, problems } = await open('file://' + join(traces, 'cells.html'));
  await page.locator('.cs-memory').scrollIntoViewIfNeeded();
  assert.deepEqual(await page.locator('#cs-memory-mode button').allTextContents(), ['total', 'by layer']);
  assert.equal(await page.getAttribute('#cs-memory-mode .cs-seg.active', 'data-mode'), 'total');
  assert.ok(await page.isHidden('#cs-memory-bands'));
  const totalKeys = await page.locator('.cs-memory .cs-legend .cs-key').allTextContents();
  await page.click('#cs-memory-mode button[data-mode="by-layer"]');
  await page.waitForFunction((h) => eval(h).state.memoryStack, handle);
  const st = await page.evaluate((h) => { const S = eval(h).state; return { stack: S.memoryStack, layers: S.summary.layers.map((l) => l.id), laneX: S.laneX, peakT: S.memory[0].peak_t, t1: S.t1 }; }, handle);
  // cells ran 6 layers: a band per layer that held bytes, named by its id, largest at the peak first.
  assert.equal(st.stack.by, 'layer');
  assert.ok(st.stack.bands.length >= 2);
  for (const b of st.stack.bands) assert.ok(st.layers.includes(b.label), b.label + ' is a layer');
  assert.deepEqual(await page.locator('#cs-memory-bands .cs-key').allTextContents(), st.stack.bands.map((b) => b.label));
  assert.match(await page.textContent('#cs-memory-bands .cs-lg-title'), /host memory by layer/);
  // The peak and the other keys stay; the host swatch gives way to the bands.
  assert.deepEqual(await page.locator('.cs-memory .cs-legend .cs-key').allTextContents(), totalKeys.filter((k) => k !== 'host' && k !== 'chunk bytes'));
  // At the peak's column, just above the axis: the band holding the most there, marked in the tooltip.
  const box = await page.locator('#cs-memory').boundingBox();
  const col = Math.floor((st.peakT / st.t1) * st.stack.total.length);
  await page.mouse.move(box.x + st.laneX + col + 0.5, box.y + box.height - 18);
  const tip = await page.textContent('.cs-tip');
  assert.match(tip, /\nat [\d.]+ (µs|ms), by layer:\n/);
  const bottom = st.stack.bands.filter((b) => b.bytes[col] > 0)[0].label;
  assert.ok(tip.includes('\n> ' + bottom + '  '), 'the band under the pointer is marked: ' + tip);
  await page.locator('.cs-memory').screenshot({ path: join(shots, 'cells-memory-by-layer.png') });
  // A click on it selects its layer.
  await page.mouse.click(box.x + st.laneX + col + 0.5, box.y + box.height - 18);
  await page.waitForFunction(([h, id]) => eval(h).state.view.selected === id, [handle, bottom]);
  await page.click('#cs-memory-mode button[data-mode="total"]');
  assert.ok(await page.isHidden('#cs-memory-bands'));
  assert.deepEqual(await page.locator('.cs-memory .cs-legend .cs-key').allTextContents(), totalKeys);
  assert.deepEqual(problems, []);
  await page.close();
});

test('resources: the processes\' RSS as a line over the chunk bytes and a CPU strip on the timeline\'s axis; hidden for a trace without them', async () => {
  const { page, problems } = await open('file://' + join(traces, 'resources.html'));
  await page.locator('.cs-memory').scrollIntoViewIfNeeded();
  assert.ok(await page.isVisible('#cs-cpu'));
  const keys = await page.locator('.cs-memory .cs-legend .cs-key').allTextContents();
  assert.deepEqual(keys, ['chunk bytes', 'process RSS', 'CPU %', 'peak']);
  const st = await page.evaluate((h) => { const S = eval(h).state; return { laneX: S.laneX, res: S.resources, memory: S.memory[0] }; }, handle);
  assert.equal(st.res.processes.length, 1);
  assert.equal(st.res.cores, 2);
  assert.equal(st.res.rss.length * 2, st.memory.bytes.length, 'RSS on the memory chart\'s columns');
  // The strip and the chart share the timeline's plot area.
  const tl = await page.locator('#cs-timeline').boundingBox(), cpu = await page.locator('#cs-cpu').boundingBox(), host = await page.locator('#cs-memory').boundingBox();
  assert.deepEqual([cpu.x, cpu.width], [tl.x, tl.width]);
  assert.ok(cpu.y >= host.y + host.height - 1, 'the CPU strip under the host chart');
  // RSS (90 MiB and more) is far above the chunk bytes (21 MiB at most): the line runs near the top.
  const dark = await page.evaluate(() => {
    const c = document.getElementById('cs-memory'), k = window.devicePixelRatio || 1, S = document.getElementById('cs-root').chunkscope.state;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, x = Math.round((S.laneX + 200) * k);
    for (let y = 0; y < c.height; y++) { const i = 4 * (y * c.width + x); if (d[i] < 70 && d[i + 1] < 70 && d[i + 2] < 70 && d[i + 3] > 120) return (c.height - 16 * k - y) / (c.height - 28 * k); }
    return -1;
  });
  assert.ok(dark > 0.7, 'the RSS line in the upper part of the chart, got ' + dark);
  await page.mouse.move(host.x + st.laneX + 200, host.y + host.height / 2);
  assert.match(await page.textContent('.cs-tip'), /\nprocess RSS [\d.]+ MiB\nunmanaged [\d.]+ MiB \(.*local.*\)\n/);
  await page.mouse.move(cpu.x + st.laneX + 200, cpu.y + cpu.height / 2);
  assert.match(await page.textContent('.cs-tip'), /^CPU at [\d.]+ ms: \d+% \([\d.]+% of 2 cores; 100% = one core busy\)\n  local: \d+%, RSS [\d.]+ MiB$/);
  await page.locator('.cs-memory').screenshot({ path: join(shots, 'resources-memory.png') });
  assert.deepEqual(problems, []);
  await page.close();
  // A trace without resources: no strip, no RSS key.
  const other = await open('file://' + join(traces, 'cuda_transfers.html'));
  assert.ok(await other.page.isHidden('#cs-cpu'));
  assert.ok(!(await other.page.locator('.cs-memory .cs-legend .cs-key').allTextContents()).includes('process RSS'));
  await other.page.close();
});

test('hostile names are shown as text: no script, no dialog, no injected element', async () => {
  const html = readFileSync(join(traces, 'xss.html'), 'utf8');
  assert.ok(!html.includes('<img src=x'), 'raw payload absent from the static part');
  const { page, problems } = await open('file://' + join(traces, 'xss.html'));
  await page.click('svg .node.group >> nth=0');
  await page.waitForTimeout(500);
  await page.fill('#cs-search', 'img');
  await page.press('#cs-search', 'Enter');
  await page.waitForTimeout(500);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([type]), script[type="text/javascript"]').length), 2);
  await page.screenshot({ path: join(shots, 'xss.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('chunkscope serve: 127.0.0.1 only, the same dashboard, nothing outside the served set', async () => {
  const srv = spawn(process.env.CHUNKSCOPE, ['serve', '--port', '0', join(traces, 'cells.cstrace.json'), join(traces, 'tiny_chunks.cstrace.json')]);
  const url = await new Promise((resolve, reject) => {
    let out = '';
    srv.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(m[0]); });
    srv.on('exit', (c) => reject(new Error('serve exited ' + c)));
    setTimeout(() => reject(new Error('serve did not start: ' + out)), 10000);
  });
  try {
    for (const p of ['assets/../../etc/passwd', 'assets/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', 'api/trace/7', 'assets/nope.js']) {
      const r = await fetch(url + p);
      assert.equal(r.status, 404, p);
    }
    const r = await fetch(url);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    const { page, problems } = await open(url);
    assert.ok(await page.locator('svg .node.group').count() >= 2);
    await page.selectOption('#cs-trace-select', '1');
    await page.waitForFunction(() => document.querySelector('.cs-bar h1').textContent === 'tiny_chunks');
    await page.screenshot({ path: join(shots, 'serve.png') });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    srv.kill('SIGINT');
  }
});

test('chunkscope run --serve: the page follows the run live, then shows the finished trace', async () => {
  const pipeline = join(process.env.TESTS_WEB_DIR, 'slow_blur.json');
  const proc = spawn(process.env.CHUNKSCOPE, ['run', pipeline, '--threads', '1', '--serve', '--port', '0', '--trace', join(traces, 'slow_blur.cstrace.json')]);
  let out = '';
  const url = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(m[0]); });
    proc.on('exit', (c) => reject(new Error('run --serve exited ' + c + ': ' + out)));
    setTimeout(() => reject(new Error('no live dashboard: ' + out)), 15000);
  });
  try {
    const page = await ctx.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push('csp: ' + m.text()); });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('cs-root').dataset.live === 'running', null, { timeout: 20000 });
    assert.match(await page.textContent('.cs-status'), /running: \d+ \/ \d+ tasks|waiting for the run/);
    // the first snapshot of the growing trace drawn while the run goes on (a picture for the docs)
    await page.waitForFunction(() => { const r = document.getElementById('cs-root').dataset; return r.ready === '1' || r.live !== 'running'; }, null, { timeout: 20000 });
    await page.screenshot({ path: join(shots, 'live-running.png') });
    await page.waitForFunction(() => document.getElementById('cs-root').dataset.live === 'ok', null, { timeout: 60000 });
    await page.waitForSelector('#cs-root[data-ready="1"]');
    assert.ok(await page.locator('svg .node.group').count() >= 3);
    await page.screenshot({ path: join(shots, 'live-done.png') });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    proc.kill('SIGINT');
  }
  const code = await new Promise((r) => proc.on('exit', r));
  assert.equal(code, 0);
});
