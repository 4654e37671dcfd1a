// The graph panel: the view's layers, groups and tasks as SVG (DOT from viz, laid out by Graphviz-WASM,
// parsed back by viz into a Scene), with its colour legend, fit/reset/zoom buttons, a minimap, pan and
// zoom. Click a group to open or close it, a layer to select it; double-click a layer for its tasks.
import { edgeElement, el, hint, sv } from './dom.js';
import { fitCanvas } from './canvas.js';
import { renderLegend } from './legend.js';
import { layoutDot } from './assets.js';
import { gridCanvasOf } from './chunk_grid.js';
import { layerId } from './state.js';

const SEV_COLOR = { '-1': '#8c959f', 0: '#2f6fdf', 1: '#e08a00', 2: '#d62728' };
// Labels are 10-12 px at scale 1. The default view fits the graph when its labels stay readable
// (scale >= MIN_SCALE); otherwise it shows the graph's top at a readable scale and the minimap.
const MIN_SCALE = 0.9, MAX_FIT_SCALE = 2, TINY_SCALE = 0.55;  // below TINY_SCALE labels are not drawn
const MINI_W = 180;

function isDark(hex) {
  if (!hex || hex[0] !== '#' || hex.length < 7) return false;
  const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
  return 0.299 * r + 0.587 * g + 0.114 * b < 120;
}

// ctx: {S, bus, idOf, tip, setStatus, select}. Follows 'select' and 'view' (colour-by, search);
// emits 'graph-drawn' after each drawing.
export function createGraphPanel(ctx) {
  const { S, bus, idOf, tip, setStatus } = ctx;
  const graphView = el('div', { class: 'cs-graph-view', id: idOf('cs-graph') });
  const graphLegend = el('div', { class: 'cs-legend-box cs-graph-legend', id: idOf('cs-graph-legend') });
  graphLegend.addEventListener('mousedown', (e) => e.stopPropagation());
  const section = el('section', { class: 'cs-panel cs-graph' },
    el('h2', {}, 'Graph', hint('click a group to open or close it · click a layer to select · double-click a layer for its tasks · drag to pan · wheel to zoom')), graphView);

  // How a redraw places the view: undefined = the default view (fitView), {keep: true} = the same
  // view box (colour-by, search, a selection from the graph), {centre: key} = that node or cluster
  // at a readable scale with its neighbours, {fit: key} = that cluster fitted (a layer's tasks).
  let busy = Promise.resolve();
  function redraw(place) {
    busy = busy.then(() => drawGraph(place)).catch((err) => setStatus('graph: ' + err.message, true));
    return busy;
  }
  async function drawGraph(place) {
    const g = JSON.parse(S.session.graph(JSON.stringify(S.view)));
    S.graphLegend = g.legend || null;
    setStatus('laying out ' + g.graph.nodes.length + ' nodes…');
    const t = performance.now();
    const json = await layoutDot(g.dot);
    const scene = JSON.parse(S.session.scene(json));
    S.scene = scene;
    renderScene(scene, place);
    renderLegend(graphLegend, S.graphLegend);
    setStatus(g.graph.nodes.length + ' nodes, ' + g.graph.edges.length + ' edges (layout ' + (performance.now() - t).toFixed(0) + ' ms)');
  }

  function renderScene(scene, place) {
    const svg = sv('svg', { class: 'cs-graph-svg', id: idOf('cs-graph-svg') });
    const defs = sv('defs');
    const marker = sv('marker', { id: 'cs-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.append(sv('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#556' }));
    defs.append(marker);
    svg.append(defs);
    const gRoot = sv('g');
    svg.append(gRoot);
    for (const c of scene.clusters) {
      const g = sv('g', { class: 'cluster', 'data-key': c.key });
      g.append(sv('rect', { x: c.x, y: c.y, width: c.w, height: c.h, rx: 6 }));
      const t = sv('text', { x: c.x + 6, y: c.y + 13 });
      t.textContent = '▾ ' + c.label;
      g.append(t);
      g.addEventListener('click', (e) => {
        e.stopPropagation();
        if (c.key.startsWith('cluster_g:')) toggleGroup(c.key.slice(10)); else if (c.key.startsWith('cluster_l:')) toggleLayer(c.key.slice(10));
      });
      gRoot.append(g);
    }
    for (const e of scene.edges) gRoot.append(edgeElement(e, 'cs-arrow'));
    for (const n of scene.nodes) gRoot.append(renderNode(n));
    graphView.replaceChildren(svg, graphTools, minimap, graphLegend);
    // Graphviz sized the boxes for its own font; a line the page's font draws wider is narrowed to fit.
    for (const t of svg.querySelectorAll('text[data-fit]')) {
      const room = Number(t.dataset.fit);
      if (t.getComputedTextLength() > room) { t.setAttribute('textLength', room); t.setAttribute('lengthAdjust', 'spacingAndGlyphs'); }
    }
    const pad = 20;
    S.vbFull = { x: -pad, y: -pad, w: scene.width + 2 * pad, h: scene.height + 2 * pad };
    if (place && place.keep && S.vb) { /* the same view */ } else if (place && place.centre) S.vb = centreView(place.centre) || defaultView();
    else if (place && place.fit) S.vb = fitBox(place.fit) || defaultView();
    else S.vb = defaultView();
    applyViewBox();
    bus.emit('graph-drawn');
  }

  function renderNode(n) {
    const runState = n.kind === 'layer' && n.layer >= 0 ? S.summary.layers[n.layer].run_state : '';
    const g = sv('g', { class: 'node ' + n.kind + (n.selected ? ' selected' : '') + (n.matched ? ' matched' : '') + (runState === 'failed' ? ' failed' : runState === 'not run' || runState === 'planned' ? ' not-run' : ''), 'data-key': n.key, 'data-kind': n.kind });
    const x = n.x - n.w / 2, y = n.y - n.h / 2;
    const rect = sv('rect', { class: 'box', x, y, width: n.w, height: n.h, rx: n.kind === 'group' ? 10 : 4, fill: n.fill || '#fff', stroke: runState === 'failed' ? '#d62728' : n.stroke || SEV_COLOR[n.severity], 'stroke-width': runState === 'failed' ? 3 : n.stroke_width || 1 });
    g.append(rect);
    if (n.kind === 'group') g.append(sv('rect', { x: x + 3, y: y + 3, width: n.w - 6, height: n.h - 6, rx: 8, fill: 'none', stroke: '#0003' }));
    if (n.kind === 'heatmap' && n.layer >= 0) drawHeatmapInto(g, n, x, y);
    const lines = (n.label || []).slice();
    // A layer that never ran reads "not run", not "0 ns (0%) · 0 B"; a failed one says so.
    if (runState === 'not run' && lines.length >= 4) lines[lines.length - 1] = 'not run';
    // A layer whose work ran inside another's tasks (Dask fusion, a source read by its consumer).
    if (runState === 'fused' && lines.length >= 4) lines[lines.length - 1] = 'fused into ' + S.summary.layers[n.layer].fused_into;
    // A plan document: nothing ran; layers and groups say "planned" instead of "0 ns · 0 B".
    const inPlan = S.summary.meta && S.summary.meta.status === 'plan';
    if (inPlan && (runState === 'planned' || n.kind === 'group') && lines.length >= 3) lines[lines.length - 1] = 'planned';
    if (runState === 'failed' && lines.length >= 4) lines[lines.length - 1] = 'FAILED · ' + lines[lines.length - 1];
    const light = isDark(n.fill);
    lines.forEach((line, i) => {
      const t = sv('text', { x: n.x, y: y + 15 + i * 14, 'text-anchor': 'middle', class: 't' + i, fill: light ? '#fff' : '#111' });
      t.textContent = line;
      t.dataset.fit = String(Math.max(10, n.w - 8));  // at most the box's width (renderScene)
      if (n.kind !== 'heatmap' || i === 0) g.append(t);
    });
    if (n.badge > 0) {
      const bx = x + n.w - 2, by = y + 2;
      g.append(sv('circle', { cx: bx, cy: by, r: 9, fill: SEV_COLOR[n.severity], class: 'badge' }));
      const bt = sv('text', { x: bx, y: by + 4, 'text-anchor': 'middle', fill: '#fff', 'font-weight': '700' });
      bt.textContent = String(n.badge);
      g.append(bt);
    }
    const title = sv('title');
    title.textContent = lines.join('\n') + (n.kind === 'group' ? '\n(click to open)' : n.kind === 'layer' ? '\n(double-click to show its tasks)' : '');
    g.append(title);
    g.addEventListener('click', (e) => { e.stopPropagation(); onNodeClick(n); });
    g.addEventListener('dblclick', (e) => { e.stopPropagation(); if (n.kind === 'layer') toggleLayer(layerId(S, n.layer)); });
    if (n.kind === 'task') { g.addEventListener('mousemove', (e) => tip.showTask(e, n.task)); g.addEventListener('mouseleave', tip.hide); }
    return g;
  }

  function drawHeatmapInto(g, n, x, y) {
    try {
      const { canvas: c } = gridCanvasOf(S.session, n.layer, 'duration', []);
      const top = 20, h = n.h - top - 4, w = n.w - 8;
      // The canvas itself inside the SVG (no PNG encoding: a 500,000-chunk grid took ~0.3 s to encode).
      const fo = sv('foreignObject', { x: x + 4, y: y + top, width: w, height: h, class: 'cs-heatmap' });
      c.style.width = '100%';
      c.style.height = '100%';
      c.style.imageRendering = 'pixelated';
      c.style.display = 'block';
      fo.append(c);
      g.append(fo);
    } catch (err) { /* the heat map is a picture; the node still shows its label */ }
  }

  // ---- view box: readable by default, an overview to pan ------------------------------------------
  function viewSize() { return { w: Math.max(1, graphView.clientWidth), h: Math.max(1, graphView.clientHeight) }; }
  function scaleOf(vb) { const v = viewSize(); return Math.min(v.w / vb.w, v.h / vb.h); }
  function fitScale(b) { const v = viewSize(); return Math.min(v.w / b.w, v.h / b.h); }
  function boxAt(cx, cy, k) { const v = viewSize(); return { x: cx - v.w / k / 2, y: cy - v.h / k / 2, w: v.w / k, h: v.h / k }; }
  // Keeps a view box over the graph: where the graph is larger than the view, no empty margin beyond its edges.
  function clampBox(b) {
    const f = S.vbFull;
    const cx = b.w >= f.w ? f.x + f.w / 2 : Math.min(Math.max(b.x + b.w / 2, f.x + b.w / 2), f.x + f.w - b.w / 2);
    const cy = b.h >= f.h ? f.y + f.h / 2 : Math.min(Math.max(b.y + b.h / 2, f.y + b.h / 2), f.y + f.h - b.h / 2);
    return { x: cx - b.w / 2, y: cy - b.h / 2, w: b.w, h: b.h };
  }
  function fitAll() { const f = S.vbFull; return boxAt(f.x + f.w / 2, f.y + f.h / 2, Math.min(fitScale(f), MAX_FIT_SCALE)); }
  function defaultView() {
    const f = S.vbFull;
    if (fitScale(f) >= MIN_SCALE) return fitAll();
    // Too big to read whole: the sources (top rank) at a readable scale, centred on them.
    const ns = S.scene.nodes;
    const top = ns.length ? Math.min(...ns.map((n) => n.y - n.h / 2)) : 0;
    const first = ns.filter((n) => n.y - n.h / 2 <= top + 1);
    const cx = first.length ? first.reduce((a, n) => a + n.x, 0) / first.length : f.x + f.w / 2;
    const b = boxAt(cx, 0, MIN_SCALE);
    return clampBox({ ...b, y: f.y });
  }
  function boxOfKey(key) {
    const n = S.scene && S.scene.nodes.find((m) => m.key === key);
    if (n) return { x: n.x - n.w / 2, y: n.y - n.h / 2, w: n.w, h: n.h };
    const c = S.scene && S.scene.clusters.find((m) => m.key === key);
    return c ? { x: c.x, y: c.y, w: c.w, h: c.h } : null;
  }
  // A node or cluster at a readable scale (the current one when readable), its neighbours around it.
  function centreView(key) {
    const b = boxOfKey(key);
    if (!b) return null;
    if (fitScale(S.vbFull) >= MIN_SCALE) return fitAll();
    const k = Math.min(Math.max(S.vb ? scaleOf(S.vb) : MIN_SCALE, MIN_SCALE), 1.5);
    const v = boxAt(b.x + b.w / 2, b.y + b.h / 2, k);
    if (b.h > v.h) v.y = b.y - 20;  // a tall cluster: its top
    return clampBox(v);
  }
  // A cluster (or node) fitted in the view (a layer's tasks: all of them, even when that makes their
  // labels small; zoom in to read them).
  function fitBox(key) {
    const b = boxOfKey(key);
    if (!b) return null;
    const padded = { x: b.x - 20, y: b.y - 20, w: b.w + 40, h: b.h + 40 };
    return boxAt(padded.x + padded.w / 2, padded.y + padded.h / 2, Math.min(fitScale(padded), MAX_FIT_SCALE));
  }
  function applyViewBox() {
    const svg = graphView.querySelector('svg');
    if (!svg || !S.vb) return;
    svg.setAttribute('viewBox', S.vb.x + ' ' + S.vb.y + ' ' + S.vb.w + ' ' + S.vb.h);
    svg.classList.toggle('cs-tiny', scaleOf(S.vb) < TINY_SCALE);
    drawMinimap();
  }
  // Fit / reset / zoom buttons over the graph.
  const toolButton = (text, title, fn) => el('button', { type: 'button', text, title, onclick: (e) => { e.stopPropagation(); if (S.scene) { fn(); applyViewBox(); } } });
  const zoomBy = (f) => { const c = { x: S.vb.x + S.vb.w / 2, y: S.vb.y + S.vb.h / 2 }; S.vb = boxAt(c.x, c.y, scaleOf(S.vb) * f); };
  const graphTools = el('div', { class: 'cs-graph-tools' },
    toolButton('fit', 'the whole graph (labels too small to read are not drawn)', () => { S.vb = fitAll(); }),
    toolButton('reset', 'the default view: readable labels, the minimap to pan', () => { S.vb = defaultView(); }),
    toolButton('+', 'zoom in', () => zoomBy(1.25)), toolButton('−', 'zoom out', () => zoomBy(0.8)));
  graphTools.addEventListener('mousedown', (e) => e.stopPropagation());
  graphTools.addEventListener('dblclick', (e) => e.stopPropagation());

  // The minimap: the whole graph small, the part on screen outlined; click or drag to move there.
  const minimap = el('canvas', { class: 'cs-minimap', id: idOf('cs-minimap'), title: 'the whole graph: click or drag to move the view' });
  let minimapScale = 1;
  function drawMinimap() {
    const f = S.vbFull, vb = S.vb;
    const fits = vb.x <= f.x + 1 && vb.y <= f.y + 1 && vb.x + vb.w >= f.x + f.w - 1 && vb.y + vb.h >= f.y + f.h - 1;
    minimap.hidden = fits;
    if (fits) return;
    const v = viewSize(), m = Math.min(Math.min(MINI_W, v.w * 0.22) / f.w, Math.max(60, Math.min(200, v.h * 0.45)) / f.h);
    minimap.style.width = Math.round(f.w * m) + 'px';
    minimap.style.height = Math.round(f.h * m) + 'px';
    const c = fitCanvas(minimap);
    const X = (x) => (x - f.x) * m, Y = (y) => (y - f.y) * m;
    c.clearRect(0, 0, f.w * m, f.h * m);
    c.fillStyle = 'rgba(255,255,255,0.92)'; c.fillRect(0, 0, f.w * m, f.h * m);
    c.strokeStyle = '#c8ccd4'; c.lineWidth = 1;
    for (const cl of S.scene.clusters) c.strokeRect(X(cl.x), Y(cl.y), cl.w * m, cl.h * m);
    for (const n of S.scene.nodes) {
      c.fillStyle = n.selected ? '#6a3d9a' : n.severity >= 2 ? '#d62728' : n.severity === 1 ? '#e08a00' : (n.fill || '#9ca3af');
      c.fillRect(X(n.x - n.w / 2), Y(n.y - n.h / 2), Math.max(1.5, n.w * m), Math.max(1.5, n.h * m));
    }
    c.strokeStyle = '#6a3d9a'; c.lineWidth = 1.5;
    c.strokeRect(X(vb.x), Y(vb.y), vb.w * m, vb.h * m);
    minimapScale = m;
  }
  function minimapMove(e) {
    const r = minimap.getBoundingClientRect(), f = S.vbFull, m = minimapScale || 1;
    const cx = f.x + (e.clientX - r.left) / m, cy = f.y + (e.clientY - r.top) / m;
    S.vb = clampBox({ x: cx - S.vb.w / 2, y: cy - S.vb.h / 2, w: S.vb.w, h: S.vb.h });
    applyViewBox();
  }
  let miniDrag = false;
  minimap.addEventListener('mousedown', (e) => { e.stopPropagation(); e.preventDefault(); miniDrag = true; minimapMove(e); });
  window.addEventListener('mousemove', (e) => { if (miniDrag) minimapMove(e); });
  window.addEventListener('mouseup', () => { miniDrag = false; });
  // pan and zoom
  let drag = null;
  graphView.addEventListener('mousedown', (e) => { drag = { x: e.clientX, y: e.clientY, vb: { ...S.vb } }; graphView.style.cursor = 'grabbing'; });
  window.addEventListener('mouseup', () => { drag = null; graphView.style.cursor = ''; });
  window.addEventListener('mousemove', (e) => {
    if (!drag || !S.vb) return;
    const k = S.vb.w / Math.max(1, graphView.clientWidth);
    S.vb.x = drag.vb.x - (e.clientX - drag.x) * k;
    S.vb.y = drag.vb.y - (e.clientY - drag.y) * k;
    applyViewBox();
  });
  graphView.addEventListener('wheel', (e) => {
    if (!S.vb) return;
    e.preventDefault();
    const r = graphView.getBoundingClientRect();
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    const f = Math.exp(e.deltaY * 0.0015);
    const w = S.vb.w * f, h = S.vb.h * f;
    S.vb = { x: S.vb.x + (S.vb.w - w) * fx, y: S.vb.y + (S.vb.h - h) * fy, w, h };
    applyViewBox();
  }, { passive: false });

  // ---- opening and closing ------------------------------------------------------------------------
  function toggleGroup(path) {
    const a = S.view.expanded_groups;
    const i = a.indexOf(path);
    if (i >= 0) a.splice(i, 1); else a.push(path);
    return redraw(i >= 0 ? { centre: 'g:' + path } : { centre: 'cluster_g:' + path });
  }
  function toggleLayer(id) {
    const a = S.view.expanded_layers;
    const i = a.indexOf(id);
    if (i >= 0) a.splice(i, 1); else a.push(id);
    return redraw(i >= 0 ? { centre: 'l:' + id } : { fit: 'cluster_l:' + id });
  }
  function onNodeClick(n) {
    if (n.kind === 'group') { const grp = S.summary.groups.find((g) => g.path && n.key === 'g:' + g.path); if (grp) toggleGroup(grp.path); return; }
    if (n.layer >= 0) ctx.select(layerId(S, n.layer), false);
  }

  // A selection: revealed (groups opened, centred: a new layout), or, picked in the graph, marked
  // where it is (no new layout, so a double-click lands on the same node).
  bus.on('select', ({ id, reveal }) => {
    if (reveal) { redraw({ centre: 'l:' + id }); return; }
    for (const g of graphView.querySelectorAll('svg .node')) g.classList.toggle('selected', g.dataset.key === 'l:' + id);
    if (S.scene && S.vb) { for (const n of S.scene.nodes) n.selected = n.key === 'l:' + id; drawMinimap(); }
  });
  bus.on('view', () => redraw({ keep: true }));

  return { section, redraw };
}
