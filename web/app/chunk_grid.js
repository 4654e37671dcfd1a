// The chunk grid panel: the selected layer's chunks to scale (irregular chunks as uneven cells), coloured
// by duration, bytes, worker or start (viz's chunk-grid model through chunkGridPixels), a slider per
// hidden axis, the colour ramp's legend; hover shows the chunk's task.
import { el } from './dom.js';
import { shapeText } from './format.js';
import { fitCanvas } from './canvas.js';
import { renderLegend } from './legend.js';

// A layer's chunk grid as a canvas of one pixel per chunk (bridge: chunkGridPixels returns a JSON
// header line, then `rrggbb` per chunk, '-' where no task made it). Also used for the graph's heat maps.
export function gridCanvasOf(session, layer, color, fixed) {
  const text = session.chunkGridPixels(layer, color, JSON.stringify(fixed));
  const nl = text.indexOf('\n');
  const grid = JSON.parse(text.slice(0, nl));
  const c = document.createElement('canvas');
  c.width = Math.max(1, grid.cols); c.height = Math.max(1, grid.rows);
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(c.width, c.height);
  const px = img.data;
  for (let i = 0, p = nl + 1; i < grid.rows * grid.cols; i++, p += 6) {
    if (text.charCodeAt(p) === 45) { px[4 * i] = 238; px[4 * i + 1] = 238; px[4 * i + 2] = 238; px[4 * i + 3] = 255; continue; }  // '-': no task
    const v = parseInt(text.substr(p, 6), 16);
    px[4 * i] = v >> 16; px[4 * i + 1] = (v >> 8) & 255; px[4 * i + 2] = v & 255; px[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return { grid, canvas: c };
}

// ctx: {S, bus, idOf, tip}. Follows 'select' (shows the selected layer's grid).
export function createChunkGridPanel(ctx) {
  const { S, bus, idOf, tip } = ctx;
  const gridCanvas = el('canvas', { class: 'cs-canvas cs-canvas-grid', id: idOf('cs-chunk-grid') });
  const gridColor = el('select', { id: idOf('cs-grid-color') });
  for (const v of ['duration', 'bytes', 'worker', 'start']) gridColor.append(el('option', { value: v, text: v }));
  const gridSliders = el('span', { class: 'cs-sliders' });
  const gridTitle = el('span', { text: 'chunk grid' });
  const gridLegend = el('div', { class: 'cs-legend-box cs-grid-legend', id: idOf('cs-grid-legend') });
  const section = el('section', { class: 'cs-panel cs-chunks' }, el('h2', {}, gridTitle),
    el('div', { class: 'cs-controls' }, el('label', { text: 'colour ' }, gridColor), gridSliders), gridCanvas, gridLegend);
  let grid = null, geom = null;

  function draw() {
    const c = fitCanvas(gridCanvas);
    const W = gridCanvas.clientWidth, H = gridCanvas.clientHeight;
    c.clearRect(0, 0, W, H);
    if (!S.summary || S.gridLayer < 0) {
      renderLegend(gridLegend, null);
      gridTitle.textContent = 'chunk grid';
      c.fillStyle = '#666'; c.fillText('Select a layer to see its chunks.', 10, 20);
      return;
    }
    const L = S.summary.layers[S.gridLayer];
    const { grid: g, canvas: cells } = gridCanvasOf(S.session, S.gridLayer, gridColor.value, S.gridFixed);
    grid = g;
    S.grid = g;
    gridTitle.textContent = 'chunk grid · ' + L.id + ' · ' + shapeText(g.grid) + ' chunks of ' + (L.chunk_shape_text || shapeText(L.chunk_shape));
    // sliders for the axes not shown
    gridSliders.replaceChildren();
    g.grid.forEach((n, axis) => {
      if (axis === g.row_axis || axis === g.col_axis || n <= 1) return;
      const s = el('input', { type: 'range', min: '0', max: String(n - 1), value: String(g.fixed[axis] || 0), 'data-axis': String(axis), title: 'axis ' + axis });
      s.addEventListener('input', () => { S.gridFixed = g.fixed.slice(); S.gridFixed[axis] = Number(s.value); draw(); });
      gridSliders.append(el('label', { text: 'axis ' + axis + ' ' }, s));
    });
    // To scale: each column and row as wide as its chunks (irregular chunks show as uneven cells).
    const sizesOf = (axis, n) => { const v = axis >= 0 && L.chunk_sizes ? L.chunk_sizes[axis] : null; return Array.isArray(v) && v.length === n ? v : null; };
    const cs = sizesOf(g.col_axis, g.cols) || new Array(g.cols).fill(1), rs = sizesOf(g.row_axis, g.rows) || new Array(g.rows).fill(1);
    const totC = cs.reduce((a, b) => a + b, 0) || 1, totR = rs.reduce((a, b) => a + b, 0) || 1;
    const ox = g.row_axis >= 0 ? 24 : 10, oy = 6;
    const k = Math.max(1e-9, Math.min((W - ox - 10) / totC, (H - oy - 22) / totR));
    const xs = [ox], ys = [oy];
    for (const v of cs) xs.push(xs[xs.length - 1] + v * k);
    for (const v of rs) ys.push(ys[ys.length - 1] + v * k);
    c.imageSmoothingEnabled = false;
    const gw = xs[xs.length - 1] - ox, gh = ys[ys.length - 1] - oy;
    if (g.cols + g.rows > 4000) c.drawImage(cells, ox, oy, gw, gh);
    else {  // columns stretched into a strip, then its rows: rows + cols draws
      const mid = document.createElement('canvas');
      mid.width = Math.max(1, Math.ceil(gw)); mid.height = g.rows;
      const m = mid.getContext('2d');
      m.imageSmoothingEnabled = false;
      for (let col = 0; col < g.cols; col++) m.drawImage(cells, col, 0, 1, g.rows, xs[col] - ox, 0, Math.max(0.5, xs[col + 1] - xs[col]), g.rows);
      for (let r = 0; r < g.rows; r++) c.drawImage(mid, 0, r, mid.width, 1, ox, ys[r], mid.width, Math.max(0.5, ys[r + 1] - ys[r]));
    }
    if (gw / g.cols > 6 && gh / g.rows > 6) {  // gaps between big cells
      c.strokeStyle = '#fff';
      c.beginPath();
      for (const y of ys) { c.moveTo(ox, y); c.lineTo(ox + gw, y); }
      for (const x of xs) { c.moveTo(x, oy); c.lineTo(x, oy + gh); }
      c.stroke();
    }
    // Axes: which array axis runs along each side, how many chunks and their sizes.
    const sizeText = (v, n) => { if (!v) return n + ' chunks'; const u = [...new Set(v)]; return u.length === 1 ? n + ' × ' + u[0] : n + ' chunks: ' + (v.length <= 6 ? v.join(', ') : v.slice(0, 3).join(', ') + ', … ' + v[v.length - 1]); };
    c.fillStyle = '#555';
    c.font = '11px system-ui, sans-serif';
    if (g.col_axis >= 0) c.fillText('axis ' + g.col_axis + ' → ' + sizeText(sizesOf(g.col_axis, g.cols), g.cols), ox, oy + gh + 14);
    if (g.row_axis >= 0) {
      c.save(); c.translate(ox - 8, oy); c.rotate(Math.PI / 2);
      c.fillText('axis ' + g.row_axis + ' → ' + sizeText(sizesOf(g.row_axis, g.rows), g.rows), 0, 0);
      c.restore();
    }
    renderLegend(gridLegend, g.scale && g.scale.legend);
    geom = { xs, ys };
    S.gridGeom = geom;
  }

  gridColor.addEventListener('change', draw);
  gridCanvas.addEventListener('mousemove', (e) => {
    if (!grid || !geom) return;
    const r = gridCanvas.getBoundingClientRect();
    const at = (edges, v) => { if (v < edges[0] || v >= edges[edges.length - 1]) return -1; let i = 0; while (i + 1 < edges.length && edges[i + 1] <= v) i++; return i; };
    const col = at(geom.xs, e.clientX - r.left), row = at(geom.ys, e.clientY - r.top);
    if (col < 0 || row < 0 || col >= grid.cols || row >= grid.rows) return tip.hide();
    const t = S.session.gridTask(S.gridLayer, gridColor.value, JSON.stringify(S.gridFixed), row, col);
    if (t >= 0) tip.showTask(e, t); else tip.hide();
  });
  gridCanvas.addEventListener('mouseleave', tip.hide);
  bus.on('select', ({ index }) => { S.gridLayer = index; S.gridFixed = []; draw(); });
  bus.on('resize', draw);

  return { section, draw };
}
