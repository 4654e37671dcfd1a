// The layer list: one row per layer in graph order (the trace's), like Dask's HighLevelGraph repr —
// a to-scale picture of its chunk grid, id and op, shape, dtype and chunk shape, chunks, tasks, time,
// memory at the peak, where the user's code made it. Clicking a row selects (and reveals) the layer.
import { el } from './dom.js';
import { fmtBytes, fmtNs, shapeText } from './format.js';

// ctx: {S, bus, idOf, select}. Follows 'select' (marks the selected layer's row).
export function createLayerList(ctx) {
  const { S, bus, idOf } = ctx;
  const element = el('div', { class: 'cs-list cs-layer-list', id: idOf('cs-layers'), hidden: '' });

  function render() {
    const order = S.summary.graph_order || S.summary.layers.map((_, i) => i);
    const rows = order.map((i) => {
      const L = S.summary.layers[i];
      const pic = el('canvas', { class: 'cs-mini-grid', width: '44', height: '32' });
      drawMiniGrid(pic, L);
      const state = L.run_state;
      const numbers = state === 'not run' ? 'not run'
        : state === 'planned' ? Number(L.chunks).toLocaleString() + ' chunks · planned'
        : state === 'fused' ? 'fused into ' + L.fused_into + ' (' + Number(L.chunks).toLocaleString() + ' chunks)'
        : state === 'no tasks' ? 'no tasks of its own (' + Number(L.chunks).toLocaleString() + ' chunks)'
        : Number(L.chunks).toLocaleString() + ' chunks · ' + Number(L.tasks).toLocaleString() + ' tasks · ' + fmtNs(L.busy_ns) + ' · ' + fmtBytes(L.peak_held_bytes) + ' at peak';
      const row = el('div', { class: 'cs-layer-row' + (state === 'failed' ? ' failed' : state === 'not run' ? ' not-run' : ''), 'data-layer': L.id, 'data-index': String(i), title: L.id + (L.group ? '  (group ' + L.group + ')' : '') + (L.created_at ? '\ncreated at ' + L.created_at : '') },
        pic,
        el('div', { class: 'cs-layer-text' },
          el('div', {}, el('b', { text: L.id }), el('span', { class: 'cs-layer-op', text: ' ' + L.op + (state === 'failed' ? ' · FAILED' : '') })),
          el('div', { class: 'cs-layer-shape', text: (L.shape_text || shapeText(L.shape)) + ' ' + (L.dtype || '') + ' · chunks ' + (L.chunk_shape_text || shapeText(L.chunk_shape)) }),
          el('div', { class: 'cs-layer-num', text: numbers }),
          // Where the user's code made it (a Dask capture or plan: "created at analysis.py:12").
          L.created_at ? el('div', { class: 'cs-layer-num', text: 'created at ' + L.created_at }) : null));
      row.addEventListener('click', () => ctx.select(L.id, true));
      return row;
    });
    element.replaceChildren(...rows);
  }
  bus.on('select', ({ id }) => { for (const r of element.children) r.classList.toggle('active', r.dataset.layer === id); });
  return { element, render, count: () => element.children.length };
}

// A small picture of a layer's chunk grid to scale: the array's last two axes as a box, a line at
// every chunk boundary (irregular chunks show as uneven cells); too many lines: shaded.
function drawMiniGrid(c, L) {
  const ctx = c.getContext('2d');
  const W = c.width, H = c.height, shape = L.shape || [], sizes = L.chunk_sizes || [];
  ctx.clearRect(0, 0, W, H);
  if (!shape.length) { ctx.fillStyle = '#9ca3af'; ctx.beginPath(); ctx.arc(W / 2, H / 2, 3, 0, 7); ctx.fill(); return; }
  const ax = shape.length >= 2 ? [shape.length - 2, shape.length - 1] : [-1, 0];
  const rowsN = ax[0] >= 0 ? shape[ax[0]] : 1, colsN = shape[ax[1]];
  if (!(rowsN > 0 && colsN > 0)) return;
  const k = Math.min((W - 2) / colsN, (H - 2) / rowsN * (ax[0] >= 0 ? 1 : 0) || (W - 2) / colsN);
  const w = Math.max(2, colsN * k), h = ax[0] >= 0 ? Math.max(2, rowsN * k) : 6;
  const ox = (W - w) / 2, oy = (H - h) / 2;
  ctx.fillStyle = '#e8eef8'; ctx.fillRect(ox, oy, w, h);
  ctx.strokeStyle = '#4e79a7'; ctx.lineWidth = 1;
  const bounds = (axis, n, len) => {  // chunk boundaries along an axis, as fractions
    const s = sizes[axis];
    const out = [];
    if (Array.isArray(s)) { let acc = 0; for (const v of s.slice(0, -1)) { acc += v; out.push(acc / n); } }
    else { const cs = (L.chunk_shape || [])[axis] || n; for (let a = cs; a < n; a += cs) out.push(a / n); }
    return out.length * 2 > len ? null : out;  // more lines than half the pixels: shaded instead
  };
  const cb = bounds(ax[1], colsN, w), rb = ax[0] >= 0 ? bounds(ax[0], rowsN, h) : [];
  if (!cb || !rb) { ctx.fillStyle = '#9db3d6'; ctx.fillRect(ox, oy, w, h); }
  else {
    ctx.beginPath();
    for (const f of cb) { const x = Math.round(ox + f * w) + 0.5; ctx.moveTo(x, oy); ctx.lineTo(x, oy + h); }
    for (const f of rb) { const y = Math.round(oy + f * h) + 0.5; ctx.moveTo(ox, y); ctx.lineTo(ox + w, y); }
    ctx.stroke();
  }
  ctx.strokeRect(ox + 0.5, oy + 0.5, w - 1, h - 1);
}
