// The timeline panel: a lane per worker (and per host<->device copy direction), tasks in their layer's
// colour folded to the pixel by viz::timeline, the selected layer's tasks outlined, a time ruler, the
// leading gap before the first task labelled, per-worker utilisation after each lane's name, the
// layer-colour legend. Wheel zooms, drag pans, shift-drag (or a drag on the ruler) brushes a window
// (its summary: range.js), a click on a task selects its layer, double-click resets.
import { el } from './dom.js';
import { fmtBytes, fmtNs, fmtTick, niceStep, pct } from './format.js';
import { drawTransferRect, fitCanvas } from './canvas.js';
import { renderLegend } from './legend.js';
import { createRangeSummary } from './range.js';
import { LANE_X, layerId } from './state.js';

const TRANSFER_GREY = '#8c959f';  // a copy that fed no known task
// The timeline's height follows its lanes: LANE_H each (smaller past 12 lanes), the ruler under them.
const LANE_H = 18, RULER_H = 30;
function timelineHeight(lanes) { return Math.round(Math.min(240, Math.max(70, lanes * (lanes > 12 ? 12 : LANE_H) + RULER_H + 6))); }

// ctx: {S, bus, idOf, tip, select}. Follows 'select' (outlines the layer's tasks); emits
// 'timeline-drawn' after each drawing (the memory charts follow its window and lane-name column).
export function createTimelinePanel(ctx) {
  const { S, bus, idOf, tip } = ctx;
  const legend = el('div', { class: 'cs-legend-box cs-timeline-legend', id: idOf('cs-timeline-legend') });
  const canvas = el('canvas', { class: 'cs-canvas cs-canvas-timeline', id: idOf('cs-timeline') });
  const range = createRangeSummary(ctx, () => { S.brush = null; range.show(null); requestDraw(); });
  const section = el('section', { class: 'cs-panel cs-timeline' },
    el('h2', { title: 'a lane per worker · wheel to zoom · drag to pan · double-click to reset' }, 'Timeline', legend), canvas, range.element);

  function draw() {
    if (!S.summary) return;
    // Lane names are known before the window is (one call with width 0 gives lanes, no rects).
    if (!S.laneNames) S.laneNames = JSON.parse(S.session.timeline(0, 0, 0)).lanes;
    canvas.style.height = timelineHeight(S.laneNames.length) + 'px';
    const c = fitCanvas(canvas);
    const W = canvas.clientWidth, H = canvas.clientHeight;
    c.clearRect(0, 0, W, H);
    // Per-worker utilisation over the whole run (viz::range_summary), after each task lane's name.
    if (!S.utilisation) {
      const all = JSON.parse(S.session.rangeSummary(0, S.tEnd));
      S.utilisation = new Map(all.workers.map((w) => [w.worker, w.busy_ns / Math.max(1, all.t1 - all.t0)]));
    }
    const utilOf = (name) => { const m = /worker (\d+)/.exec(name); const u = m && S.utilisation.get(Number(m[1])); return u != null ? ' ' + pct(Math.min(u, 9.99)) : ''; };
    const laneX = Math.min(200, Math.max(LANE_X, Math.ceil(Math.max(0, ...S.laneNames.map((n) => c.measureText(n + utilOf(n)).width))) + 10));
    S.laneX = laneX;
    const plotW = Math.max(10, W - laneX - 8);
    const tl = JSON.parse(S.session.timeline(S.t0, S.t1, plotW));
    S.timeline = tl;
    const taskLanes = tl.task_lanes ?? tl.lanes.length;
    const lanes = Math.max(1, tl.lanes.length);
    const laneH = Math.max(6, Math.min(28, (H - RULER_H - 6) / lanes));
    S.laneH = laneH;
    if (tl.lanes.length > taskLanes) {  // transfer lanes: a tinted band under a rule
      c.fillStyle = '#f3f0f7';
      c.fillRect(0, 4 + taskLanes * laneH, W, (tl.lanes.length - taskLanes) * laneH);
      c.strokeStyle = '#b9a9cf'; c.lineWidth = 1;
      c.beginPath(); c.moveTo(0, 4.5 + taskLanes * laneH); c.lineTo(W, 4.5 + taskLanes * laneH); c.stroke();
    }
    c.textBaseline = 'middle';  // names centred on their lane's rects
    tl.lanes.forEach((name, i) => {
      const y = 6 + i * laneH + (laneH - 3) / 2;
      c.fillStyle = i < taskLanes ? '#444' : '#5a3d84'; c.fillText(name, 4, y);
      const u = i < taskLanes ? utilOf(name) : '';
      if (u) { c.fillStyle = '#888'; c.fillText(u, 4 + c.measureText(name).width, y); }
    });
    c.textBaseline = 'alphabetic';
    const xOfT = (t) => laneX + (t - S.t0) / Math.max(1, S.t1 - S.t0) * plotW;
    // A leading gap before the first task (a Dask capture: building the graph) is not task time: said so.
    const first = S.summary.first_task_ns;
    if (first > 0 && first > 0.02 * S.tEnd && S.t0 < first) {
      const gx = xOfT(S.t0), gw = Math.min(xOfT(first), laneX + plotW) - gx;
      c.fillStyle = '#f1f1f1'; c.fillRect(gx, 4, gw, taskLanes * laneH);
      const label = 'no task ran yet: ' + fmtNs(first) + ' before the first task (start-up, e.g. building the graph)';
      const short = 'before the first task: ' + fmtNs(first);
      const tiny = 'start-up ' + fmtNs(first);
      const text = [label, short, tiny].find((t) => c.measureText(t).width + 8 <= gw) || '';
      if (text) { c.fillStyle = '#666'; c.textBaseline = 'middle'; c.fillText(text, gx + 4, 4 + taskLanes * laneH / 2); c.textBaseline = 'alphabetic'; }
      S.leadingGap = { x0: gx - laneX, x1: gx - laneX + gw, text: label };
    } else S.leadingGap = null;
    // The selected layer's tasks stand out: the others fade.
    const sel = S.view.selected ? S.summary.layers.findIndex((l) => l.id === S.view.selected) : -1;
    const selRects = [];
    for (const r of tl.rects) {
      const layer = S.summary.layers[r.layer];
      const x = laneX + r.x0, y = 6 + r.lane * laneH, w = Math.max(1, r.x1 - r.x0), h = laneH - 3;
      if (r.kind === 'transfer') {
        c.globalAlpha = r.count > 1 ? 0.6 : 1;
        drawTransferRect(c, (layer && layer.color) || TRANSFER_GREY, x, y, w, h);
        continue;
      }
      c.fillStyle = (layer && layer.color) || '#888';
      c.globalAlpha = (r.task < 0 ? 0.55 : 1) * (sel >= 0 && r.layer !== sel ? 0.2 : 1);
      c.fillRect(x, y, w, h);
      if (sel >= 0 && r.layer === sel) selRects.push([x, y, w, h]);  // outlined when wide enough to tell apart
    }
    c.globalAlpha = 1;
    c.strokeStyle = '#111'; c.lineWidth = 1;
    for (const [x, y, w, h] of selRects) if (w >= 4) c.strokeRect(x - 0.5, y - 0.5, w + 1, h + 1);
    S.timelineSelected = selRects.length;
    // The ruler: ticks at a round step, labelled where they do not run into the window's ends.
    const rulerY = 6 + lanes * laneH;
    c.strokeStyle = '#bbb'; c.beginPath(); c.moveTo(laneX, rulerY + 0.5); c.lineTo(laneX + plotW, rulerY + 0.5); c.stroke();
    const step = niceStep((S.t1 - S.t0) / Math.max(1, plotW / 90));
    const ticks = [];
    for (let t = Math.ceil(S.t0 / step) * step; t <= S.t1; t += step) ticks.push(t);
    c.beginPath();
    for (const t of ticks) { const x = Math.round(xOfT(t)) + 0.5; c.moveTo(x, rulerY); c.lineTo(x, rulerY + 4); }
    c.stroke();
    S.ruler = { step, ticks };
    c.fillStyle = '#666';
    const y = Math.min(H - 4, 6 + lanes * laneH + 14);
    const startW = c.measureText(fmtNs(S.t0)).width;
    const endW0 = c.measureText(fmtNs(S.t1) + '  (' + fmtNs(S.t1 - S.t0) + ' shown)').width;
    const hasCopies = tl.lanes.length > taskLanes;
    for (const t of ticks) {
      const label = fmtTick(t, step), w = c.measureText(label).width, x = xOfT(t) - w / 2;
      if (hasCopies || x < laneX + startW + 8 || x + w > W - 8 - endW0 - 8) continue;
      c.fillText(label, x, y);
    }
    // A brushed window: shaded, its summary beside the panel.
    if (S.brush) {
      const bx0 = Math.max(laneX, xOfT(Math.min(S.brush.t0, S.brush.t1))), bx1 = Math.min(laneX + plotW, xOfT(Math.max(S.brush.t0, S.brush.t1)));
      if (bx1 > bx0) { c.fillStyle = 'rgba(106, 61, 154, 0.15)'; c.fillRect(bx0, 4, bx1 - bx0, lanes * laneH); c.strokeStyle = '#6a3d9a'; c.strokeRect(bx0 + 0.5, 4.5, bx1 - bx0 - 1, lanes * laneH - 1); }
    }
    c.fillStyle = '#666';
    c.fillText(fmtNs(S.t0), laneX, y);
    const endText = fmtNs(S.t1) + '  (' + fmtNs(S.t1 - S.t0) + ' shown)';
    const endX = W - 8 - c.measureText(endText).width;
    c.fillText(endText, endX, y);
    if (tl.lanes.length > taskLanes) {  // legend of the transfer lanes, between the two times
      const text = 'host\u2194device copy (stripes in the colour of the layer it fed)';
      const lx = Math.max(laneX + c.measureText(fmtNs(S.t0)).width + 24, (laneX + endX - c.measureText(text).width - 18) / 2);
      if (lx + 18 + c.measureText(text).width < endX - 8) {
        drawTransferRect(c, TRANSFER_GREY, lx, y - 9, 14, 10);
        c.fillStyle = '#5a3d84';
        c.fillText(text, lx + 18, y);
      }
    }
    bus.emit('timeline-drawn');
  }

  // Shows [t0, t1) (at least 1 µs, inside the run).
  function setRange(t0, t1) {
    const span = Math.max(1000, t1 - t0);
    S.t0 = Math.max(0, t0); S.t1 = S.t0 + span;
    if (S.t1 > S.tEnd) { S.t1 = S.tEnd; S.t0 = Math.max(0, S.t1 - span); }
    requestDraw();
  }
  let drawPending = false;
  function requestDraw() { if (drawPending) return; drawPending = true; requestAnimationFrame(() => { drawPending = false; draw(); }); }

  // A new trace: the whole run, its lanes and colours.
  function reset() {
    S.laneNames = null;
    S.utilisation = null;
    S.tEnd = Math.max(1000, S.summary.meta.wall_ns);
    S.t0 = 0; S.t1 = S.tEnd;
    renderLegend(legend, S.summary.layer_colors);
  }

  // A copy between host and device (a rect of a transfer lane): direction, bytes, duration, what it fed.
  function showTransferTip(e, r) {
    if (r.transfer >= 0) {
      const x = JSON.parse(S.session.transferInfo(r.transfer));
      const rate = x.duration_ns > 0 ? ' (' + fmtBytes(x.bytes / (x.duration_ns / 1e9)) + '/s)' : '';
      tip.show(e, x.direction + ' copy on ' + x.device + '\n' + fmtBytes(x.bytes) + ' in ' + fmtNs(x.duration_ns) + rate + ', starts at ' + fmtNs(x.start_ns) +
        (x.task >= 0 ? '\nfed layer ' + x.layer + ', chunk (' + x.chunk_index.join(', ') + '), task ' + x.task : '\nfed no recorded task'));
    } else {
      tip.show(e, r.count + ' copies folded here (' + S.timeline.lanes[r.lane] + '): ' + fmtBytes(r.bytes) +
        (r.layer >= 0 ? ', mostly for "' + layerId(S, r.layer) + '"' : '') + '\nzoom in to see them');
    }
  }

  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    const plotW = Math.max(10, r.width - S.laneX - 8);
    const fx = Math.min(1, Math.max(0, (e.clientX - r.left - S.laneX) / plotW));
    const f = Math.exp(e.deltaY * 0.002);
    const span = (S.t1 - S.t0) * f;
    const at = S.t0 + (S.t1 - S.t0) * fx;
    setRange(at - span * fx, at - span * fx + span);
  }, { passive: false });
  let tdrag = null;
  // Drag pans; shift-drag (or a drag along the ruler) brushes a window and shows its summary; a
  // click on a task selects its layer.
  const timeAtX = (clientX) => { const r = canvas.getBoundingClientRect(), plotW = Math.max(10, r.width - S.laneX - 8); return S.t0 + Math.min(1, Math.max(0, (clientX - r.left - S.laneX) / plotW)) * (S.t1 - S.t0); };
  function hit(e) {
    if (!S.timeline) return null;
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left - S.laneX, lane = Math.floor((e.clientY - r.top - 6) / S.laneH);
    return S.timeline.rects.find((q) => q.lane === lane && x >= q.x0 - 0.5 && x <= Math.max(q.x1, q.x0 + 1) + 0.5) || null;
  }
  canvas.addEventListener('mousedown', (e) => {
    const r = canvas.getBoundingClientRect();
    const onRuler = e.clientY - r.top > 6 + Math.max(1, S.timeline ? S.timeline.lanes.length : 1) * S.laneH;
    if (e.shiftKey || onRuler) { const t = timeAtX(e.clientX); tdrag = { brush: true, x: e.clientX }; S.brush = { t0: t, t1: t }; requestDraw(); return; }
    tdrag = { x: e.clientX, t0: S.t0, t1: S.t1 };
  });
  window.addEventListener('mouseup', (e) => {
    const d = tdrag;
    tdrag = null;
    if (!d) return;
    if (d.brush) {
      if (Math.abs(e.clientX - d.x) < 3) { S.brush = null; range.show(null); requestDraw(); return; }
      range.show(S.brush);
      return;
    }
    if (Math.abs(e.clientX - d.x) < 3) {  // a click: the task's (or the fold's main) layer
      const h = hit(e);
      if (h && h.kind !== 'transfer' && h.layer >= 0) ctx.select(layerId(S, h.layer), true);
    }
  });
  window.addEventListener('mousemove', (e) => {
    if (!tdrag) return;
    if (tdrag.brush) { S.brush.t1 = timeAtX(e.clientX); requestDraw(); return; }
    const plotW = Math.max(10, canvas.clientWidth - S.laneX - 8);
    const dt = (e.clientX - tdrag.x) / plotW * (tdrag.t1 - tdrag.t0);
    setRange(tdrag.t0 - dt, tdrag.t1 - dt);
  });
  canvas.addEventListener('dblclick', () => setRange(0, S.tEnd));
  canvas.addEventListener('mousemove', (e) => {
    if (tdrag || !S.timeline) return;
    const h = hit(e);
    if (!h) {
      const r = canvas.getBoundingClientRect(), x = e.clientX - r.left - S.laneX;
      if (S.leadingGap && x >= S.leadingGap.x0 && x <= S.leadingGap.x1) { tip.show(e, S.leadingGap.text); return; }
      return tip.hide();
    }
    if (h.kind === 'transfer') return showTransferTip(e, h);
    if (h.task >= 0) return tip.showTask(e, h.task);
    tip.show(e, h.count + ' tasks folded here (mostly "' + layerId(S, h.layer) + '"): zoom in to see them');
  });
  canvas.addEventListener('mouseleave', tip.hide);
  bus.on('select', requestDraw);  // the layer's tasks stand out
  bus.on('resize', requestDraw);

  return { section, draw, requestDraw, setRange, reset };
}
