// bench/dashboard.mjs — scale of the browser dashboard (issue 5 targets), run by bench/dashboard.
// Env: CHUNKSCOPE (CLI), TRACE (a big .cstrace.cbor), NODE_MODULES, OUT (results JSON).
// Measures, in headless Chromium through `chunkscope serve`: time from navigation to the collapsed
// graph drawn; expanding a group and a layer (heat map); timeline redraws at several zooms.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const res = {};
const t0 = Date.now();
const srv = spawn(process.env.CHUNKSCOPE, ['serve', '--port', '0', process.env.TRACE]);
let out = '';
const url = await new Promise((resolve, reject) => {
  srv.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(m[0]); });
  srv.stderr.on('data', (d) => { out += d; });
  srv.on('exit', (c) => reject(new Error('serve exited ' + c + ': ' + out)));
});
res.serve_ready_s = (Date.now() - t0) / 1000;
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/cs-bench-'), {
  executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], viewport: { width: 1400, height: 1000 } });
try {
  const page = await ctx.newPage();
  const t1 = Date.now();
  await page.goto(url);
  await page.waitForSelector('#cs-root[data-ready="1"]', { timeout: 120000 });
  res.open_to_graph_s = (Date.now() - t1) / 1000;
  res.tasks = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.summary.meta.tasks);
  res.page_timings_ms = await page.evaluate(() => document.getElementById('cs-root').chunkscope.state.timings);
  res.groups_drawn = await page.locator('svg .node.group').count();
  // expand the first group, then double-click its first layer (a heat map: too many tasks for nodes)
  const g = page.locator('svg .node.group').first();
  const key = await g.getAttribute('data-key');
  let t = Date.now();
  await g.click();
  await page.waitForSelector('svg .cluster');
  res.expand_group_s = (Date.now() - t) / 1000;
  const layer = page.locator('svg .node.layer').first();
  const lkey = await layer.getAttribute('data-key');
  t = Date.now();
  await layer.dblclick();
  await page.waitForSelector('svg .node.heatmap, svg .node.task');
  res.expand_layer_s = (Date.now() - t) / 1000;
  res.expanded = { group: key, layer: lkey };
  // timeline: redraw at full range and at 1/10, 1/1000 of it (each redraw = view model + canvas)
  res.timeline_ms = await page.evaluate(() => {
    const cs = document.getElementById('cs-root').chunkscope, S = cs.state, end = S.tEnd, out = {};
    for (const [name, span] of [['full', end], ['tenth', end / 10], ['thousandth', end / 1000]]) {
      const ts = [];
      for (let i = 0; i < 10; i++) {
        const a = (end - span) * (i / 10);
        S.t0 = a; S.t1 = a + span;
        const t = performance.now();
        cs.drawTimeline();
        ts.push(performance.now() - t);
      }
      ts.sort((x, y) => x - y);
      out[name] = { median: ts[5], max: ts[9], rects: S.timeline.rects.length };
    }
    return out;
  });
  await page.screenshot({ path: join(process.env.OUT, 'dashboard-1m.png') });
} finally {
  await ctx.close();
  srv.kill('SIGINT');
}
writeFileSync(join(process.env.OUT, 'dashboard.json'), JSON.stringify(res, null, 1));
console.log(JSON.stringify(res, null, 1));
