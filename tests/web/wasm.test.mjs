// node --test: the dashboard's WebAssembly module (core + viz) in node — load each sample trace,
// check the view model a user sees first (collapsed groups, findings, timeline, memory, chunk grid),
// and that Graphviz-WASM's layout of the module's DOT parses into a Scene.
// Env: CHUNKSCOPE_WEB_DIR (chunkscope_web.js, viz-global.js), TRACES (dir of *.cstrace.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const webDir = process.env.CHUNKSCOPE_WEB_DIR;
const traces = process.env.TRACES;
const createChunkscope = require(join(webDir, 'chunkscope_web.js'));
const vizModule = require(join(webDir, 'viz-global.js'));
const Viz = vizModule.instance ? vizModule : globalThis.Viz;

async function session(file) {
  const mod = await createChunkscope({});
  const s = new mod.Session();
  const bytes = readFileSync(join(traces, file));
  const ptr = mod._malloc(bytes.length);
  mod.HEAPU8.set(bytes, ptr);
  try { return { mod, s, summary: JSON.parse(s.load(ptr, bytes.length, file)) }; } finally { mod._free(ptr); }
}

test('every sample loads: layers, groups and findings', async () => {
  const files = readdirSync(traces).filter((f) => f.endsWith('.cstrace.json') && !f.startsWith('xss'));
  assert.ok(files.length >= 6, 'the six samples');
  for (const f of files) {
    const { summary } = await session(f);
    assert.ok(summary.layers.length > 0, f);
    assert.ok(summary.groups.length > 1, f + ' has groups');
    assert.equal(summary.meta.status, 'ok');
    for (const l of summary.layers) assert.match(l.color, /^#[0-9a-f]{6}$/);
  }
});

test('the collapsed graph of cells is one node per top-level group, laid out by Graphviz-WASM', async () => {
  const { s, summary } = await session('cells.cstrace.json');
  const top = summary.groups[0].groups.length;
  const g = JSON.parse(s.graph(JSON.stringify({})));
  assert.equal(g.graph.nodes.length, top);
  assert.ok(g.graph.nodes.every((n) => n.kind === 'group'));
  const viz = await Viz.instance();
  const scene = JSON.parse(s.scene(viz.renderString(g.dot, { format: 'json' })));
  assert.equal(scene.nodes.length, top);
  for (const n of scene.nodes) assert.ok(n.x >= 0 && n.y >= 0 && n.x <= scene.width && n.y <= scene.height);
  assert.ok(scene.edges.length >= 1 && scene.edges.every((e) => e.points.length >= 4));
  // expanding "measure" shows its four layers inside a cluster
  const g2 = JSON.parse(s.graph(JSON.stringify({ expanded_groups: ['measure'] })));
  assert.equal(g2.graph.nodes.filter((n) => n.kind === 'layer').length, 4);
  assert.ok(g2.graph.clusters.some((c) => c.label.includes('measure')));
});

test('the inefficient sample: tiny-chunks is flagged on x and x is outlined as a warning', async () => {
  const { s, summary } = await session('tiny_chunks.cstrace.json');
  const f = summary.findings.find((x) => x.rule === 'tiny-chunks');
  assert.ok(f, 'tiny-chunks finding');
  assert.equal(f.layers[0], 'x');
  assert.equal(f.severity, 'warning');
  assert.deepEqual(f.edits[0].layer, 'x');
  const g = JSON.parse(s.graph(JSON.stringify({ expanded_groups: ['load'] })));
  const x = g.graph.nodes.find((n) => n.key === 'l:x');
  assert.ok(x && x.severity >= 1 && x.badge >= 1);
  // x has 16384 tasks: expanded, it is a heat map, never 16384 nodes
  const g3 = JSON.parse(s.graph(JSON.stringify({ expanded_groups: ['load'], expanded_layers: ['x'] })));
  assert.ok(g3.graph.nodes.length < 300);
  assert.ok(g3.graph.nodes.some((n) => n.kind === 'heatmap'));
  const grid = JSON.parse(s.chunkGrid(x.layer, 'duration', '[]'));
  assert.equal(grid.rows * grid.cols, 16384);
});

test('timeline folds tasks too small to see; memory peak names its layer; task info for hover', async () => {
  const { s, summary } = await session('tiny_chunks.cstrace.json');
  const tl = JSON.parse(s.timeline(0, summary.meta.wall_ns, 800));
  assert.equal(tl.lanes.length, 2);
  assert.ok(tl.rects.length <= 2 * 800 * 2, 'bounded by lanes x pixels');
  const folded = tl.rects.filter((r) => r.task < 0).reduce((a, r) => a + r.count, 0);
  assert.ok(folded > 1000, 'most of the 93013 tasks are folded at full zoom');
  const m = JSON.parse(s.memory(0, summary.meta.wall_ns, 800));
  assert.equal(m.peak, summary.meta.peak_bytes);
  assert.ok(m.peak_layer.length > 0);
  const info = JSON.parse(s.taskInfo(0));
  assert.equal(typeof info.layer, 'string');
  assert.ok(Array.isArray(info.chunk_shape));
});

test('a corrupt trace is refused with a message naming the file, and the session stays usable', async () => {
  const mod = await createChunkscope({});
  const s = new mod.Session();
  const good = readFileSync(join(traces, 'cells.cstrace.json'));
  const bad = good.subarray(0, good.length >> 1);
  const ptr = mod._malloc(bad.length);
  mod.HEAPU8.set(bad, ptr);
  assert.throws(() => s.load(ptr, bad.length, 'half.cstrace.json'), /half\.cstrace\.json/);
  mod._free(ptr);
  assert.throws(() => s.graph('{}'), /no trace is loaded/);
});

test('a CUDA trace: transfer lanes after the worker lanes; their counts and bytes add up; transfer info', async () => {
  const { s, summary } = await session('cuda_transfers.cstrace.json');
  const doc = JSON.parse(readFileSync(join(traces, 'cuda_transfers.cstrace.json'), 'utf8'));
  const x = doc.transfers;
  const tl = JSON.parse(s.timeline(0, summary.meta.wall_ns, 800));
  assert.deepEqual(tl.lanes, ['cuda:0 (worker 0)', 'host (worker 1)', 'cuda:0 host→device', 'cuda:0 device→host']);
  assert.equal(tl.task_lanes, 2);
  for (const r of tl.rects) {
    assert.equal(r.kind, r.lane < 2 ? 'task' : 'transfer');
    if (r.kind === 'task') assert.ok(r.transfer === -1 && r.bytes === 0);
  }
  for (const [lane, dir] of [[2, 1], [3, 0]]) {
    const rects = tl.rects.filter((r) => r.lane === lane);
    const want = x.to_device.map((d, i) => (d === dir ? x.bytes[i] : null)).filter((b) => b !== null);
    assert.equal(rects.reduce((a, r) => a + r.count, 0), want.length, 'every transfer in one rect');
    assert.equal(rects.reduce((a, r) => a + r.bytes, 0), want.reduce((a, b) => a + b, 0), 'bytes add up');
  }
  // the eight small uploads at the end fold at full zoom; zoomed in, each is its own rect
  assert.ok(tl.rects.some((r) => r.lane === 2 && r.count > 1 && r.transfer === -1 && r.task === -1));
  const end = JSON.parse(s.timeline(summary.meta.wall_ns * 0.975, summary.meta.wall_ns, 800));
  const up = end.rects.find((r) => r.lane === 2 && r.transfer >= 0);
  const info = JSON.parse(s.transferInfo(up.transfer));
  assert.equal(info.direction, 'host→device');
  assert.equal(info.device, 'cuda:0');
  assert.equal(info.task, up.task);
  assert.equal(info.layer, 'r');
  assert.equal(info.bytes, x.bytes[up.transfer]);
  assert.equal(info.duration_ns, x.end_ns[up.transfer] - x.start_ns[up.transfer]);
  assert.throws(() => s.transferInfo(x.task.length), /no transfer/);
  // a CPU trace has no transfer lanes
  const cpu = await session('cells.cstrace.json');
  const ct = JSON.parse(cpu.s.timeline(0, cpu.summary.meta.wall_ns, 400));
  assert.equal(ct.task_lanes, ct.lanes.length);
  assert.ok(ct.rects.every((r) => r.kind === 'task'));
});

test('a CUDA trace: a device memory curve next to the host one (bounded, peak kept, limit); a CPU trace has none', async () => {
  const { s, summary } = await session('cuda_transfers.cstrace.json');
  const doc = JSON.parse(readFileSync(join(traces, 'cuda_transfers.cstrace.json'), 'utf8'));
  const want = doc.device_memory[0];
  for (const width of [37, 800]) {
    const m = JSON.parse(s.memory(0, summary.meta.wall_ns, width));
    assert.equal(m.peak, summary.meta.peak_bytes);
    assert.equal(m.devices.length, 1);
    const d = m.devices[0];
    assert.equal(d.device, 'cuda:0');
    assert.equal(d.limit, want.limit_bytes);
    assert.equal(d.peak, want.peak_bytes);
    assert.equal(d.peak_t, want.peak_t_ns);
    assert.equal(d.peak_layer, want.peak_layer);
    assert.equal(d.bytes.length, 2 * width, 'two points per pixel column');
    assert.deepEqual(d.t_ns, m.t_ns, 'on the host curve\'s columns');
    assert.equal(Math.max(...d.bytes), want.peak_bytes, 'the peak survives the folding');
  }
  const cpu = await session('cells.cstrace.json');
  const cm = JSON.parse(cpu.s.memory(0, cpu.summary.meta.wall_ns, 400));
  assert.deepEqual(Object.keys(cm).sort(), ['bytes', 'limit', 'peak', 'peak_layer', 'peak_t', 'scale', 't_ns'], 'a CPU trace: the fields it always had (and its scale, viz::limit_on_scale)');
  assert.deepEqual(cm.scale, { drawn: false, top: Math.max(...cm.bytes, cm.peak, 1), note: '' });
});
