// The compare view (issue 20): two runs of a pipeline, before and after a change, on one page —
// both timelines on one time axis (compare_timeline.js), the graph of the second run annotated with
// the changes per layer (compare_graph.js), and the table of `chunkscope diff`. The comparison is
// core's (compare_traces, inlined as JSON by the page writer, web/src/compare_export.cpp); this
// file never recomputes it. Mounted by the compare page (`chunkscope diff A B --html`) and by
// Comparison._repr_html_ in a notebook: ChunkscopeDashboard.mountCompare(root, {scope}).
import { el } from './dom.js';
import { fmtNs, fmtBytes } from './format.js';
import { getBytes, layoutDot, loadModule } from './assets.js';
import { createTooltip } from './tooltip.js';
import { renderLegend } from './legend.js';
import { compareTimelines } from './compare_timeline.js';
import { drawCompareGraph, compareLegend, WORSE, BETTER } from './compare_graph.js';

const CSS = `
.cs-cmp { display: flex; flex-direction: column; gap: 6px; }
.cs-cmp.cs-fill { min-height: 100vh; }
.cs-cmp .cs-bar { flex-wrap: wrap; row-gap: 2px; }
.cs-cmp .cs-bar .cs-cmp-chip { color: #c9d1d9; }
.cs-cmp .cs-bar .cs-cmp-chip b { color: #fff; font-weight: 600; }
.cs-cmp .cs-bar .cs-cmp-chip .cs-worse { color: #ff9a93; } .cs-cmp .cs-bar .cs-cmp-chip .cs-better { color: #7ee2a0; }
.cs-cmp-body { display: grid; grid-template-columns: minmax(0, 0.82fr) minmax(0, 1.18fr); grid-template-rows: auto minmax(260px, 1fr); gap: 6px; padding: 0 6px 6px; flex: 1; min-height: 0; }
.cs-cmp-body > .cs-cmp-time { grid-column: 1 / span 2; }
.cs-cmp-timelines { padding: 2px 0 0; }
.cs-cmp-run-head { display: flex; gap: 8px; align-items: baseline; padding: 2px 10px 0; font-size: 12px; white-space: nowrap; overflow: hidden; }
.cs-cmp-run-head > b { text-transform: uppercase; font-size: 11px; letter-spacing: .04em; min-width: 44px; }
.cs-cmp-src { color: var(--cs-muted); overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.cs-cmp-wall { font-weight: 600; }
.cs-cmp-facts { color: var(--cs-muted); }
.cs-cmp-graph-box { flex: 1; min-height: 0; position: relative; }
.cs-cmp-graph-svg { width: 100%; height: 100%; display: block; }
.cs-cmp-graph-svg .node text { font: 11px system-ui, sans-serif; }
.cs-cmp-graph-svg .node text.t0 { font-weight: 600; font-size: 12px; }
.cs-cmp-graph-svg .node text.cs-cmp-note { font-weight: 600; }
.cs-cmp-graph-svg .cluster rect { fill: #f6f8fa; stroke: #aab; stroke-dasharray: 4 3; }
.cs-cmp-graph-svg .cluster text { font: 11px system-ui, sans-serif; fill: #556; }
.cs-cmp-graph-svg .edge path { fill: none; }
.cs-cmp-graph-svg .edge text { font: 10px system-ui, sans-serif; fill: #444; }
.cs-cmp-legend { padding: 3px 10px 5px; border-top: 1px solid var(--cs-line); }
.cs-cmp-colors { padding: 0 10px 4px; }
.cs-cmp-table-box { overflow: auto; flex: 1; min-height: 0; }
.cs-cmp-table { border-collapse: collapse; width: 100%; font-size: 12px; }
.cs-cmp-table th, .cs-cmp-table td { padding: 2px 5px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; font-variant-numeric: tabular-nums; }
.cs-cmp-table th { position: sticky; top: 0; background: #f6f8fa; font-weight: 600; color: var(--cs-muted); }
.cs-cmp-table td.num { text-align: right; }
.cs-cmp-table td { vertical-align: top; }
.cs-cmp-table .cs-cmp-op { color: var(--cs-muted); font-size: 11px; }
.cs-cmp-count { padding: 4px 6px; font-size: 11px; color: var(--cs-muted); }
.cs-cmp-table .cs-worse, .cs-compare-static .cs-worse { color: ${WORSE}; font-weight: 600; }
.cs-cmp-table .cs-better, .cs-compare-static .cs-better { color: ${BETTER}; font-weight: 600; }
.cs-cmp-table tr.cs-cmp-run td { background: #fbfbfc; }
.cs-cmp-table tr.cs-cmp-sep td { border-bottom: 2px solid var(--cs-line); }
.cs-cmp-table tr.cs-cmp-row-worse td:first-child { box-shadow: inset 3px 0 ${WORSE}; }
.cs-cmp-table tr.cs-cmp-row-better td:first-child { box-shadow: inset 3px 0 ${BETTER}; }
.cs-cmp-table tr:hover td { background: #eef2ff; }
.cs-cmp-graph-svg .node.cs-cmp-hl rect.box { filter: drop-shadow(0 0 5px #ffd400); }
.cs-nb-compare .cs-cmp-body { grid-template-rows: auto 380px; }
.cs-ready > .cs-compare-static { display: none; }
@container (max-width: 1000px) {
  .cs-cmp-body { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto 460px auto; }
  .cs-cmp-body > .cs-cmp-time { grid-column: 1; }
  .cs-nb-compare .cs-cmp-body { grid-template-rows: auto 460px auto; }
  .cs-cmp-table-box { max-height: 320px; }
}
`;

function injectStyle() {
  if (document.getElementById('cs-compare-style')) return;
  const s = document.createElement('style');
  s.id = 'cs-compare-style';
  s.textContent = CSS;
  document.head.append(s);
}

const cls = (v) => (v && v.regression ? 'cs-worse' : v && v.improvement ? 'cs-better' : '');

// The diff table: the run rows, then one row per layer (core's numbers and change texts). A cell
// holds a number before → after over its change, so the table fits half a laptop screen.
function compareTable(diff, onLayer) {
  const head = el('tr', {}, ...['', 'chunks before → after', 'tasks', 'time (busy)', 'peak memory'].map((t) => el('th', { text: t })));
  const body = el('tbody');
  const pair = (d, a, b) => (d.layer_before < 0 ? '→ ' + b : d.layer_after < 0 ? a + ' →' : a === b ? a : a + ' → ' + b);
  // A number before → after and, under it, core's change text (red: regression, green: improvement).
  const cell = (text, v) => el('td', { class: 'num' }, el('div', { text }),
    v && v.change_text != null ? el('div', { class: 'cs-cmp-change ' + cls(v), text: v.change_text + (v.regression ? ' !' : '') }) : null);
  const both = (a, b, fmt) => fmt(a) + ' → ' + fmt(b);
  const count = (x) => Number(x).toLocaleString();
  const run = diff.run;
  body.append(
    el('tr', { class: 'cs-cmp-run' }, el('td', {}, el('div', { text: 'whole run' }), el('div', { class: 'cs-cmp-op', text: 'wall time' })), el('td'),
      cell(both(run.tasks.before, run.tasks.after, count), run.tasks), cell(both(run.wall_ns.before, run.wall_ns.after, fmtNs), run.wall_ns),
      cell(both(run.peak_bytes.before, run.peak_bytes.after, fmtBytes), run.peak_bytes)),
    el('tr', { class: 'cs-cmp-run cs-cmp-sep' }, el('td', {}, el('div', { text: 'busy time' }), el('div', { class: 'cs-cmp-op', text: 'critical path' })), el('td'), el('td'),
      cell(both(run.busy_ns.before, run.busy_ns.after, fmtNs), run.busy_ns), cell(both(run.critical_ns.before, run.critical_ns.after, fmtNs), run.critical_ns)));
  for (const d of diff.layers) {
    const matched = d.layer_before >= 0 && d.layer_after >= 0;
    const name = d.layer_before < 0 ? d.id_after + ' (only after)' : d.layer_after < 0 ? d.id_before + ' (only before)' : d.id_before === d.id_after ? d.id_after : d.id_before + ' → ' + d.id_after;
    const better = !d.regression && (d.busy_ns.improvement || d.peak_live_bytes.improvement);
    const tr = el('tr', { class: d.regression ? 'cs-cmp-row-worse' : better ? 'cs-cmp-row-better' : '', 'data-layer': d.id_after || '' },
      el('td', {}, el('div', { text: name }), el('div', { class: 'cs-cmp-op', text: d.op })),
      el('td', { text: pair(d, d.chunk_shape_before, d.chunk_shape_after) }),
      cell(pair(d, count(d.tasks.before), count(d.tasks.after)), matched ? d.tasks : null),
      cell(pair(d, fmtNs(d.busy_ns.before), fmtNs(d.busy_ns.after)), matched ? d.busy_ns : null),
      cell(pair(d, fmtBytes(d.peak_live_bytes.before), fmtBytes(d.peak_live_bytes.after)), matched ? d.peak_live_bytes : null));
    if (d.id_after) {
      tr.addEventListener('mouseenter', () => onLayer(d.id_after, true));
      tr.addEventListener('mouseleave', () => onLayer(d.id_after, false));
    }
    body.append(tr);
  }
  const n = diff.regressions;
  return el('div', { class: 'cs-cmp-table-box' },
    el('table', { class: 'cs-cmp-table' }, el('thead', {}, head), body),
    el('div', { class: 'cs-hint cs-cmp-count', text: (n ? n + (n === 1 ? ' regression' : ' regressions') + ' (marked !)' : 'no regressions') + ' · the thresholds of chunkscope diff (docs/dashboard.md)' }));
}

// A chip of the top bar: "wall 123.5 ms → 96.5 ms -27.0 ms (-22%)".
function chip(name, v, fmt) {
  return el('span', { class: 'cs-cmp-chip' }, name + ' ', el('b', { text: fmt(v.before) + ' → ' + fmt(v.after) }), ' ',
    el('span', { class: cls(v), text: v.change_text || '' }));
}

// root: the element to fill; config: {scope (the element holding the inlined data; default
// document), standalone (a page of its own: the view fills the window)}.
export function mountCompare(root, config) {
  config = config || {};
  injectStyle();
  const scope = config.scope || null;
  const uid = 'cs-cmp-' + Math.random().toString(36).slice(2);
  root.classList.add('cs-app', 'cs-cmp');
  if (config.standalone) root.classList.add('cs-fill');
  const status = el('span', { class: 'cs-status', text: 'loading…' });
  const bar = el('div', { class: 'cs-bar' }, el('h1', { text: 'compare' }), status);
  const timePanel = el('section', { class: 'cs-panel cs-cmp-time' }, el('h2', {}, 'Timelines', el('span', { class: 'cs-hint', text: 'one time axis: a second is as wide in both runs · wheel to zoom both · drag to pan · double-click to reset' })));
  const graphBox = el('div', { class: 'cs-cmp-graph-box' });
  const graphPanel = el('section', { class: 'cs-panel cs-cmp-graph' }, el('h2', {}, 'Graph after, annotated', el('span', { class: 'cs-hint', text: 'hover a layer for its changes' })), graphBox, compareLegend());
  const tablePanel = el('section', { class: 'cs-panel cs-cmp-diff' }, el('h2', {}, 'Per layer (chunkscope diff)'));
  const tip = createTooltip(null);
  root.append(bar, el('div', { class: 'cs-cmp-body' }, timePanel, graphPanel, tablePanel), tip.element);
  const setStatus = (text, err) => { status.textContent = text; status.classList.toggle('err', !!err); };

  async function main() {
    const mod = await loadModule();
    const diff = JSON.parse(new TextDecoder().decode(await getBytes('cs-compare-data', '', scope)));
    const load = async (key, which) => {
      const node = (scope || document).querySelector('[data-cs="' + key + '"]');
      const bytes = await getBytes(key, '', scope);
      const session = new mod.Session();
      const ptr = mod._malloc(bytes.length);
      mod.HEAPU8.set(bytes, ptr);
      let summary;
      try { summary = JSON.parse(session.loadWithFindings(ptr, bytes.length, node ? node.dataset.name : key, '[]')); } finally { mod._free(ptr); }
      return { key: which, label: node ? node.dataset.name : key, session, summary };
    };
    const before = await load('cs-trace-before', 'before');
    const after = await load('cs-trace-after', 'after');
    // One colour per layer in both runs: a matched layer takes the colour it has after.
    const colorOfBefore = new Map();
    for (const d of diff.layers) if (d.layer_before >= 0 && d.layer_after >= 0) colorOfBefore.set(d.layer_before, after.summary.layers[d.layer_after].color);
    before.colorOf = (i) => colorOfBefore.get(i) || (before.summary.layers[i] || {}).color || '#888';
    after.colorOf = (i) => (after.summary.layers[i] || {}).color || '#888';
    const m = after.summary.meta;
    bar.querySelector('h1').textContent = 'compare · ' + (m.pipeline || after.label);
    bar.insertBefore(el('span', { class: 'cs-cmp-chips' }, chip('wall', diff.run.wall_ns, fmtNs), ' · ', chip('peak', diff.run.peak_bytes, fmtBytes), ' · ',
      chip('tasks', diff.run.tasks, (x) => Number(x).toLocaleString())), status);
    const tl = compareTimelines([before, after], tip);
    // The layer colours' key (viz::timeline_colors of "after"; a matched layer has its colour in both).
    const colors = el('div', { class: 'cs-legend-box cs-cmp-colors' });
    renderLegend(colors, after.summary.layer_colors);
    timePanel.append(tl.element, colors);
    tl.redraw();
    const hl = (id, on) => {
      for (const g of graphBox.querySelectorAll('g.node[data-layer="' + CSS.escape(id) + '"]')) g.classList.toggle('cs-cmp-hl', on);
    };
    tablePanel.append(compareTable(diff, hl));
    window.addEventListener('resize', () => tl.redraw());
    setStatus('laying out the graph…');
    await drawCompareGraph(graphBox, after, diff, layoutDot, uid);
    setStatus(diff.regressions ? diff.regressions + ' regression' + (diff.regressions === 1 ? '' : 's') : 'no regressions', diff.regressions > 0);
    root.dataset.ready = '1';
    (scope || document.body).classList.add('cs-ready');
    root.chunkscopeCompare = { diff, before, after, timelines: tl };
  }
  main().catch((err) => {
    setStatus(String((err && err.message) || err), true);
    root.dataset.error = String((err && err.message) || err);
  });
}
