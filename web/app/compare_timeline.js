// The compare view's timelines: the two runs stacked ("before" above "after") on ONE time axis —
// the same window [t0, t1] and the same plot width, so a second is as wide in both — with each
// run's end (its wall time) marked and labelled, and one ruler under both. The lanes come folded
// from viz::timeline (Session.timeline) for each run; this file only draws them.
import { el } from './dom.js';
import { fitCanvas } from './canvas.js';
import { fmtNs, niceStep, fmtTick } from './format.js';

const LANE_H = 14;
const RULER_H = 22;

// runs: [{key: 'before'|'after', label, session, summary, colorOf(layerIndex) -> '#rrggbb'}].
// Returns {element, redraw()}; wheel zooms both runs, drag pans both, double-click shows all.
export function compareTimelines(runs, tip) {
  const tEnd = Math.max(1000, ...runs.map((r) => r.summary.meta.wall_ns));
  const view = { t0: 0, t1: tEnd };
  const rows = runs.map((r) => {
    const lanes = JSON.parse(r.session.timeline(0, 0, 0)).lanes;
    const head = el('div', { class: 'cs-cmp-run-head' },
      el('b', { text: r.key }), ' ', el('span', { class: 'cs-cmp-src', text: r.label }),
      el('span', { class: 'cs-cmp-wall', text: 'wall ' + fmtNs(r.summary.meta.wall_ns) }),
      el('span', { class: 'cs-cmp-facts', text: Number(r.summary.meta.tasks).toLocaleString() + ' tasks · ' + r.summary.meta.threads + ' workers' }));
    const canvas = el('canvas', { class: 'cs-canvas cs-cmp-timeline', 'data-run': r.key });
    return { run: r, lanes, head, canvas, timeline: null };
  });
  const ruler = el('canvas', { class: 'cs-canvas cs-cmp-ruler' });
  const element = el('div', { class: 'cs-cmp-timelines' });
  for (const row of rows) element.append(row.head, row.canvas);
  element.append(ruler);

  let laneX = 60, plotW = 100;
  function xOf(t) { return laneX + (t - view.t0) / Math.max(1, view.t1 - view.t0) * plotW; }
  function ticks() {
    const step = niceStep((view.t1 - view.t0) / Math.max(1, plotW / 90));
    const out = [];
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) out.push(t);
    return { step, ticks: out };
  }

  function drawRow(row, tk) {
    const lanes = Math.max(1, row.lanes.length);
    const H = Math.round(Math.min(150, Math.max(36, lanes * (lanes > 8 ? 9 : LANE_H) + 8)));
    row.canvas.style.height = H + 'px';
    const ctx = fitCanvas(row.canvas);
    const W = row.canvas.clientWidth;
    ctx.clearRect(0, 0, W, H);
    const laneH = (H - 8) / lanes;
    // The shared ruler's ticks as faint lines: the eye follows one time from run to run.
    ctx.strokeStyle = '#eceef1';
    ctx.beginPath();
    for (const t of tk.ticks) { const x = Math.round(xOf(t)) + 0.5; ctx.moveTo(x, 2); ctx.lineTo(x, H - 2); }
    ctx.stroke();
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#444';
    row.lanes.forEach((name, i) => { if (laneH >= 8) ctx.fillText(name, 4, 4 + i * laneH + laneH / 2); });
    const tl = JSON.parse(row.run.session.timeline(view.t0, view.t1, plotW));
    row.timeline = tl;
    for (const r of tl.rects) {
      ctx.fillStyle = row.run.colorOf(r.layer);
      ctx.globalAlpha = r.kind === 'transfer' ? 0.5 : r.task < 0 ? 0.6 : 1;
      ctx.fillRect(laneX + r.x0, 4 + r.lane * laneH, Math.max(1, r.x1 - r.x0), Math.max(2, laneH - 2));
    }
    ctx.globalAlpha = 1;
    // The run's end: a line at its wall time, labelled, or an arrow when it ends past the window.
    const wall = row.run.summary.meta.wall_ns;
    const endText = 'end ' + fmtNs(wall);
    if (wall <= view.t1 && wall >= view.t0) {
      const x = Math.round(xOf(wall)) + 0.5;
      ctx.strokeStyle = '#24292f'; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(x, 1); ctx.lineTo(x, H - 1); ctx.stroke();
      ctx.lineWidth = 1;
      const w = ctx.measureText(endText).width;
      const tx = x + 4 + w <= laneX + plotW ? x + 4 : x - 4 - w;
      ctx.fillStyle = 'rgba(255,255,255,.85)'; ctx.fillRect(tx - 2, H / 2 - 7, w + 4, 14);
      ctx.fillStyle = '#24292f'; ctx.fillText(endText, tx, H / 2);
    } else if (wall > view.t1) {
      ctx.fillStyle = '#24292f'; ctx.textAlign = 'right'; ctx.fillText(endText + ' →', laneX + plotW - 2, H / 2); ctx.textAlign = 'left';
    }
    ctx.textBaseline = 'alphabetic';
    // What a test (and a curious reader) can check: both rows share the window and the scale.
    Object.assign(row.canvas.dataset, {
      t0: String(view.t0), t1: String(view.t1), plotX: String(laneX), plotW: String(plotW),
      pxPerS: String(plotW / ((view.t1 - view.t0) / 1e9)), wallNs: String(wall), endX: String(xOf(wall)),
    });
  }

  function drawRuler(tk) {
    ruler.style.height = RULER_H + 'px';
    const ctx = fitCanvas(ruler);
    const W = ruler.clientWidth;
    ctx.clearRect(0, 0, W, RULER_H);
    ctx.strokeStyle = '#bbb';
    ctx.beginPath(); ctx.moveTo(laneX, 0.5); ctx.lineTo(laneX + plotW, 0.5);
    for (const t of tk.ticks) { const x = Math.round(xOf(t)) + 0.5; ctx.moveTo(x, 0); ctx.lineTo(x, 5); }
    ctx.stroke();
    ctx.fillStyle = '#666';
    for (const t of tk.ticks) {
      const label = fmtTick(t, tk.step), w = ctx.measureText(label).width, x = xOf(t) - w / 2;
      if (x < 2 || x + w > W - 2) continue;
      ctx.fillText(label, x, 16);
    }
    Object.assign(ruler.dataset, { t0: String(view.t0), t1: String(view.t1), plotW: String(plotW), step: String(tk.step) });
  }

  function redraw() {
    const probe = rows[0].canvas.getContext('2d');
    probe.font = '11px system-ui, sans-serif';
    const names = rows.flatMap((r) => r.lanes);
    laneX = Math.min(160, Math.max(40, Math.ceil(Math.max(0, ...names.map((n) => probe.measureText(n).width))) + 10));
    plotW = Math.max(10, element.clientWidth - laneX - 10);
    const tk = ticks();
    for (const row of rows) drawRow(row, tk);
    drawRuler(tk);
  }

  // Zoom and pan move one window: both runs follow.
  const tOfX = (x) => view.t0 + (x - laneX) / plotW * (view.t1 - view.t0);
  const clampView = () => {
    const span = Math.max(1000, Math.min(tEnd, view.t1 - view.t0));
    view.t0 = Math.max(0, Math.min(view.t0, tEnd - span));
    view.t1 = view.t0 + span;
  };
  let drag = null;
  for (const c of [...rows.map((r) => r.canvas), ruler]) {
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const x = e.offsetX, t = tOfX(x), k = Math.exp(e.deltaY * 0.002);
      view.t0 = t - (t - view.t0) * k; view.t1 = t + (view.t1 - t) * k;
      clampView(); redraw();
    }, { passive: false });
    c.addEventListener('mousedown', (e) => { drag = { x: e.clientX, t0: view.t0, t1: view.t1 }; });
    c.addEventListener('dblclick', () => { view.t0 = 0; view.t1 = tEnd; redraw(); });
  }
  window.addEventListener('mouseup', () => { drag = null; });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dt = (e.clientX - drag.x) / plotW * (drag.t1 - drag.t0);
    view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
    clampView(); redraw();
  });
  // Hover: which layer, chunk and how long (viz::task_info through the run's session).
  for (const row of rows) {
    row.canvas.addEventListener('mousemove', (e) => {
      if (drag || !row.timeline) return;
      const lanes = Math.max(1, row.lanes.length), laneH = (row.canvas.clientHeight - 8) / lanes;
      const lane = Math.floor((e.offsetY - 4) / laneH), px = e.offsetX - laneX;
      const hit = row.timeline.rects.find((r) => r.lane === lane && px >= r.x0 - 1 && px <= Math.max(r.x1, r.x0 + 1) + 1);
      if (!hit) { tip.hide(); return; }
      const layer = row.run.summary.layers[hit.layer];
      let text = row.run.key + ': ' + (layer ? layer.id : '?');
      if (hit.task >= 0 && hit.kind !== 'transfer') {
        const info = JSON.parse(row.run.session.taskInfo(hit.task));
        text += '\nchunk ' + JSON.stringify(info.chunk_index) + ' · ' + (info.chunk_shape || []).join('×') + '\n' + fmtNs(info.duration_ns) + ' from ' + fmtNs(info.start_ns);
      } else if (hit.count > 1) text += '\n' + hit.count + ' tasks folded into this pixel';
      tip.show(e, text);
    });
    row.canvas.addEventListener('mouseleave', () => tip.hide());
  }
  return { element, redraw, view };
}
