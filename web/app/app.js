// chunkscope dashboard: draws what the WebAssembly view model (core + viz, web/src/bridge.cpp)
// computes. Panels: graph (SVG, laid out by Graphviz-WASM in a Web Worker), findings, chunk grid,
// timeline and memory (canvas). Works inlined into one HTML file (window.CHUNKSCOPE_CONFIG.mode
// "inline": assets and trace in <script type="application/octet-stream"> elements, gzip+base64)
// and served by `chunkscope serve` (mode "served": assets and traces fetched from the server).
// Every string from a trace goes through textContent or setAttribute, never innerHTML.
(function () {
  'use strict';
  if (window.ChunkscopeDashboard) return;  // one copy per page (notebooks display many dashboards)
  const SVG = 'http://www.w3.org/2000/svg';
  const COLOR_MODES = [['time', 'time share'], ['memory', 'peak memory'], ['tasks', 'tasks'], ['chunk-bytes', 'bytes per chunk'],
    ['worker', 'worker'], ['critical', 'critical path'], ['findings', 'findings']];
  const SEV = ['info', 'warning', 'critical'];
  const SEV_COLOR = { '-1': '#8c959f', 0: '#2f6fdf', 1: '#e08a00', 2: '#d62728' };

  // ---- small helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }
  function sv(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }
  function fmtNs(ns) {
    ns = Number(ns);
    if (!isFinite(ns)) return '-';
    if (ns < 1e3) return ns.toFixed(0) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function fmtBytes(b) {
    b = Number(b);
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i ? b.toFixed(1) : b.toFixed(0)) + ' ' + u[i];
  }
  // A round step (1, 2 or 5 × 10^k ns) near `approx`, and a tick's label in the step's unit.
  function niceStep(approx) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, approx))));
    const f = approx / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  function fmtTick(ns, step) {
    const [div, unit] = step >= 1e9 ? [1e9, ' s'] : step >= 1e6 ? [1e6, ' ms'] : step >= 1e3 ? [1e3, ' µs'] : [1, ' ns'];
    const digits = Math.max(0, Math.ceil(-Math.log10(step / div) - 1e-9));
    return (ns / div).toFixed(Math.min(3, digits)) + unit;
  }
  function shapeText(s) { return s && s.length ? s.join('×') : '()'; }
  async function gunzip(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  function b64bytes(text) {
    const bin = atob(text.trim());
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  // An inlined blob (by element id) or a served file: bytes.
  async function getBytes(id, url, scope) {
    const node = (scope && scope.querySelector('[data-cs="' + id + '"]')) || (id && document.getElementById(id));
    if (node) {
      const raw = b64bytes(node.textContent);
      return (node.dataset.encoding || '').startsWith('gzip') ? gunzip(raw) : raw;
    }
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + (await r.text()).slice(0, 200));
    return new Uint8Array(await r.arrayBuffer());
  }
  async function getText(id, url, scope) { return new TextDecoder().decode(await getBytes(id, url, scope)); }
  // Runs a UMD bundle with AMD and CommonJS hidden (notebook pages load require.js); resolves to
  // its export. From a blob: URL script, so the page needs no 'unsafe-eval' (the served page's CSP
  // has none); where blob: scripts are blocked (a host page's CSP), through new Function.
  let bundleSeq = 0;
  function runBundle(code, exportName) {
    const evalBundle = () => new Function('define', 'module', 'exports', 'require', code + '\n;return typeof ' + exportName + ' !== "undefined" ? ' + exportName + ' : undefined;')();
    const key = '__chunkscopeBundle' + (++bundleSeq);
    const wrapped = '(function (define, module, exports, require) {\n' + code + '\n;window[' + JSON.stringify(key) + '] = typeof ' + exportName +
      ' !== "undefined" ? ' + exportName + ' : undefined;\n})();\n';
    return new Promise((resolve, reject) => {
      let url;
      try { url = URL.createObjectURL(new Blob([wrapped], { type: 'text/javascript' })); } catch (err) { resolve(evalBundle()); return; }
      const s = document.createElement('script');
      const done = (ran) => {
        URL.revokeObjectURL(url);
        s.remove();
        const value = window[key];
        delete window[key];
        try { resolve(ran ? value : evalBundle()); } catch (err) { reject(err); }
      };
      s.onload = () => done(key in window);
      s.onerror = () => done(false);
      s.src = url;
      document.head.append(s);
    });
  }

  // ---- shared by every dashboard of the page: one WebAssembly module, one Graphviz worker -----------
  const shared = { ready: null, mod: null, vizCode: null, worker: null, vizSync: null, layoutSeq: 0 };
  function sharedInit(served) {
    if (!shared.ready) {
      shared.ready = (async () => {
        const [wasmCode, vizCode] = await Promise.all([getText('cs-wasm', 'assets/chunkscope_web.js'), getText('cs-graphviz', 'assets/viz-global.js')]);
        const factory = await runBundle(wasmCode, 'createChunkscope');
        shared.mod = await factory({});
        startLayoutWorker(vizCode);
      })();
    }
    return shared.ready;
  }

  // ---- Graphviz in a worker (falls back to the page's own thread) ---------------------------------
  function startLayoutWorker(vizCode) {
    const workerCode = vizCode + '\n;const vizP = Viz.instance();\nself.onmessage = async (e) => {\n' +
      '  try { const viz = await vizP; const out = viz.renderString(e.data.dot, { format: "json" }); self.postMessage({ id: e.data.id, json: out }); }\n' +
      '  catch (err) { self.postMessage({ id: e.data.id, error: String(err && err.message || err) }); }\n};';
    try {
      const url = URL.createObjectURL(new Blob([workerCode], { type: 'text/javascript' }));
      const w = new Worker(url);
      const pending = new Map();
      w.onmessage = (e) => { const p = pending.get(e.data.id); if (p) { pending.delete(e.data.id); e.data.error ? p.reject(new Error(e.data.error)) : p.resolve(e.data.json); } };
      w.onerror = (e) => { for (const p of pending.values()) p.reject(new Error('layout worker: ' + (e.message || 'failed'))); pending.clear(); shared.worker = null; };
      shared.worker = { layout(dot) { const id = ++shared.layoutSeq; return new Promise((resolve, reject) => { pending.set(id, { resolve, reject }); w.postMessage({ id, dot }); }); } };
    } catch (err) {
      shared.worker = null;
    }
    shared.vizCode = vizCode;
  }
  async function layoutDot(dot) {
    if (shared.worker) {
      try { return await shared.worker.layout(dot); } catch (err) { if (!/layout worker/.test(err.message)) throw err; }
    }
    if (!shared.vizSync) {  // no worker (blocked): lay out here
      const Viz = (await runBundle(shared.vizCode, 'Viz')) || window.Viz;
      shared.vizSync = await Viz.instance();
    }
    return shared.vizSync.renderString(dot, { format: 'json' });
  }

  // ---- one dashboard ------------------------------------------------------------------------------
  // root: the element to fill; config: {mode: 'inline'|'served', live, scope (element holding the
  // inline trace and findings; default document), standalone (ids for tests, page-wide classes)}.
  function mount(root, config) {
  config = config || { mode: 'inline' };
  const standalone = config.standalone !== false && root.id === 'cs-root';
  const scope = config.scope || document;
  const idOf = (name) => (standalone ? name : undefined);
  root.classList.add('cs-app');
  if (standalone) root.classList.add('cs-fill');  // a page of its own: the dashboard fills the window
  const status = el('span', { class: 'cs-status', text: 'loading…' });
  const title = el('h1', { text: 'chunkscope' });
  const summary = el('span', { class: 'cs-sum' });
  const failure = el('span', { class: 'cs-failure', id: idOf('cs-failure'), hidden: '' });
  const colorSel = el('select', { id: idOf('cs-color'), title: 'what the node colour shows' });
  for (const [v, t] of COLOR_MODES) colorSel.append(el('option', { value: v, text: t }));
  const search = el('input', { id: idOf('cs-search'), type: 'search', placeholder: 'find a layer…', title: 'highlights layers whose id, name or op contains this; Enter selects the first' });
  const traceSel = el('select', { id: idOf('cs-trace-select'), hidden: '' });
  const bar = el('div', { class: 'cs-bar' }, title, failure, summary, traceSel, el('label', { text: 'colour by ' }, colorSel), search, status);
  const graphView = el('div', { class: 'cs-graph-view', id: idOf('cs-graph') });
  const findingsList = el('div', { class: 'cs-list', id: idOf('cs-findings') });
  const layerList = el('div', { class: 'cs-list cs-layer-list', id: idOf('cs-layers'), hidden: '' });
  const tabFindings = el('button', { type: 'button', class: 'cs-tab active', text: 'Findings', 'data-tab': 'findings' });
  const tabLayers = el('button', { type: 'button', class: 'cs-tab', text: 'Layers', 'data-tab': 'layers', title: 'one row per layer in graph order: shape, dtype, chunks, tasks, time, memory at peak, its chunk grid to scale' });
  function showTab(name) {
    tabFindings.classList.toggle('active', name === 'findings'); tabLayers.classList.toggle('active', name === 'layers');
    findingsList.hidden = name !== 'findings'; layerList.hidden = name !== 'layers';
  }
  tabFindings.addEventListener('click', () => showTab('findings'));
  tabLayers.addEventListener('click', () => showTab('layers'));
  const gridCanvas = el('canvas', { class: 'cs-canvas cs-canvas-grid', id: idOf('cs-chunk-grid') });
  const gridColor = el('select', { id: idOf('cs-grid-color') });
  for (const v of ['duration', 'bytes', 'worker', 'start']) gridColor.append(el('option', { value: v, text: v }));
  const gridSliders = el('span', { class: 'cs-sliders' });
  const gridTitle = el('span', { text: 'chunk grid' });
  const gridLegend = el('div', { class: 'cs-legend-box cs-grid-legend', id: idOf('cs-grid-legend') });
  const rangeBox = el('div', { class: 'cs-range', id: idOf('cs-range'), hidden: '' });
  const timelineLegend = el('div', { class: 'cs-legend-box cs-timeline-legend', id: idOf('cs-timeline-legend') });
  const timelineCanvas = el('canvas', { class: 'cs-canvas cs-canvas-timeline', id: idOf('cs-timeline') });
  const memoryCanvas = el('canvas', { class: 'cs-canvas cs-canvas-memory', id: idOf('cs-memory') });
  const memoryStack = el('div', { class: 'cs-memory-stack' }, memoryCanvas);  // the host chart, then one per GPU
  const memoryLegend = el('span', { class: 'cs-legend' });
  const tip = el('div', { class: 'cs-tip' });
  const hint = (t) => el('span', { class: 'cs-hint', text: t });
  const layout = el('div', { class: 'cs-grid' },
    el('section', { class: 'cs-panel cs-graph' }, el('h2', {}, 'Graph', hint('click a group to open or close it · click a layer to select · double-click a layer for its tasks · drag to pan · wheel to zoom')), graphView),
    el('section', { class: 'cs-panel cs-findings' }, el('h2', {}, tabFindings, tabLayers, hint('click to show the layer')), findingsList, layerList),
    el('section', { class: 'cs-panel cs-chunks' }, el('h2', {}, gridTitle), el('div', { class: 'cs-controls' }, el('label', { text: 'colour ' }, gridColor), gridSliders), gridCanvas, gridLegend),
    el('section', { class: 'cs-panel cs-timeline' }, el('h2', { title: 'a lane per worker · wheel to zoom · drag to pan · double-click to reset' }, 'Timeline', timelineLegend), timelineCanvas, rangeBox),
    el('section', { class: 'cs-panel cs-memory' }, el('h2', {}, 'Memory', memoryLegend, hint('live chunk bytes, a chart per device · hover for the bytes at a time')), memoryStack));
  // About: the version (from the WebAssembly module, once loaded) and the licences of what the page embeds.
  const aboutVersion = el('span', { class: 'cs-about-version', text: 'chunkscope' });
  const about = el('footer', { class: 'cs-about', id: idOf('cs-about') }, aboutVersion,
    ' · BSD-3-Clause · graph layout by Graphviz-WASM (Graphviz, EPL-1.0; Viz.js, MIT) · third-party notices: THIRD_PARTY_NOTICES, installed with chunkscope');
  root.append(bar, layout, about, tip);

  function setStatus(text, err) { status.textContent = text; status.classList.toggle('err', !!err); }

  // ---- state ------------------------------------------------------------------------------------
  const S = {
    mod: null, session: null, summary: null,
    view: { expanded_groups: [], expanded_layers: [], color_by: 'time', selected: '', search: '' },
    scene: null, vb: null, t0: 0, t1: 1, tEnd: 1, gridLayer: -1, gridFixed: [], timeline: null, timings: {},
  };

  // ---- legends (viz/legend.hpp through the bridge: {title, ramp, note, entries: [{color, label}]}) --
  // A ramp: a gradient bar, its values under the ends and the middle; categories: one swatch each.
  function renderLegend(box, lg) {
    if (!lg) { box.replaceChildren(); box.hidden = true; return; }
    box.hidden = false;
    const kids = [el('span', { class: 'cs-lg-title', text: lg.title })];
    if (lg.ramp && lg.entries.length) {
      const bar = el('span', { class: 'cs-lg-ramp' });
      bar.style.background = 'linear-gradient(to right, ' + lg.entries.map((e) => e.color).join(', ') + ')';
      const n = lg.entries.length;
      kids.push(el('span', { class: 'cs-lg-lo', text: lg.entries[0].label }), bar, el('span', { class: 'cs-lg-hi', text: lg.entries[n - 1].label }));
    } else {
      for (const e of lg.entries) {
        const sw = el('i', { class: 'cs-swatch' });
        sw.style.background = e.color;
        kids.push(el('span', { class: 'cs-key' }, sw, e.label));
      }
    }
    if (lg.note) kids.push(el('span', { class: 'cs-lg-note', text: lg.note }));
    box.replaceChildren(...kids);
    box.title = lg.title + ': ' + lg.entries.map((e) => e.label).join(', ') + (lg.note ? '\n' + lg.note : '');
  }
  const graphLegend = el('div', { class: 'cs-legend-box cs-graph-legend', id: idOf('cs-graph-legend') });
  graphLegend.addEventListener('mousedown', (e) => e.stopPropagation());

  // ---- graph ------------------------------------------------------------------------------------
  // How a redraw places the view: undefined = the default view (fitView), {keep: true} = the same
  // view box (colour-by, search, a selection from the graph), {centre: key} = that node or cluster
  // at a readable scale with its neighbours, {fit: key} = that cluster fitted (a layer's tasks).
  let graphBusy = Promise.resolve();
  function redrawGraph(place) {
    graphBusy = graphBusy.then(() => drawGraph(place)).catch((err) => setStatus('graph: ' + err.message, true));
    return graphBusy;
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
  function nodeKeyFor(view) { return view.selected.startsWith('group:') ? 'g:' + view.selected.slice(6) : 'l:' + view.selected; }
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
      g.addEventListener('click', (e) => { e.stopPropagation(); if (c.key.startsWith('cluster_g:')) toggleGroup(c.key.slice(10)); else if (c.key.startsWith('cluster_l:')) toggleLayer(c.key.slice(10)); });
      gRoot.append(g);
    }
    for (const e of scene.edges) {
      const g = sv('g', { class: 'edge' + (e.rechunk ? ' rechunk' : '') });
      const p = e.points;
      if (p.length >= 2) {
        let d = 'M' + p[0][0] + ',' + p[0][1];
        for (let i = 1; i + 2 < p.length; i += 3) d += ' C' + p[i][0] + ',' + p[i][1] + ' ' + p[i + 1][0] + ',' + p[i + 1][1] + ' ' + p[i + 2][0] + ',' + p[i + 2][1];
        if (e.arrow) d += ' L' + e.arrow[0] + ',' + e.arrow[1];
        const path = sv('path', { d, stroke: e.color || '#556', 'stroke-width': e.width || 1.2, 'marker-end': 'url(#cs-arrow)' });
        if (e.rechunk) path.setAttribute('stroke-dasharray', '5 3');
        g.append(path);
      }
      if (e.label) {
        const t = sv('text', { x: e.label_pos[0], y: e.label_pos[1], 'text-anchor': 'middle' });
        t.textContent = e.label;
        g.append(t);
      }
      gRoot.append(g);
    }
    for (const n of scene.nodes) {
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
      // A plan document: nothing ran; layers and groups say "planned" instead of "0 ns · 0 B".
      const inPlan = S.summary.meta && S.summary.meta.status === 'plan';
      if (inPlan && (runState === 'planned' || n.kind === 'group') && lines.length >= 3) lines[lines.length - 1] = 'planned';
      if (runState === 'failed' && lines.length >= 4) lines[lines.length - 1] = 'FAILED · ' + lines[lines.length - 1];
      const light = isDark(n.fill);
      lines.forEach((line, i) => {
        const t = sv('text', { x: n.x, y: y + 15 + i * 14, 'text-anchor': 'middle', class: 't' + i, fill: light ? '#fff' : '#111' });
        t.textContent = line;
        t.dataset.fit = String(Math.max(10, n.w - 8));  // at most the box's width (fitLabels)
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
      g.addEventListener('dblclick', (e) => { e.stopPropagation(); if (n.kind === 'layer') toggleLayer(layerId(n.layer)); });
      if (n.kind === 'task') { g.addEventListener('mousemove', (e) => showTaskTip(e, n.task)); g.addEventListener('mouseleave', hideTip); }
      gRoot.append(g);
    }
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
    root.dataset.ready = '1';
    (scope === document ? document.body : scope).classList.add('cs-ready');
  }
  function isDark(hex) {
    if (!hex || hex[0] !== '#' || hex.length < 7) return false;
    const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    return 0.299 * r + 0.587 * g + 0.114 * b < 120;
  }
  // A chunk grid as a canvas of one pixel per chunk (bridge: chunkGridPixels).
  function gridCanvasOf(layer, color, fixed) {
    const text = S.session.chunkGridPixels(layer, color, JSON.stringify(fixed));
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
  function drawHeatmapInto(g, n, x, y) {
    try {
      const { canvas: c } = gridCanvasOf(n.layer, 'duration', []);
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
  // ---- graph view box: readable by default, an overview to pan ------------------------------------
  // Labels are 10-12 px at scale 1. The default view fits the graph when its labels stay readable
  // (scale >= MIN_SCALE); otherwise it shows the graph's top at a readable scale and the minimap.
  const MIN_SCALE = 0.9, MAX_FIT_SCALE = 2, TINY_SCALE = 0.55;  // below TINY_SCALE labels are not drawn
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
  const MINI_W = 180;
  function drawMinimap() {
    const f = S.vbFull, vb = S.vb;
    const fits = vb.x <= f.x + 1 && vb.y <= f.y + 1 && vb.x + vb.w >= f.x + f.w - 1 && vb.y + vb.h >= f.y + f.h - 1;
    minimap.hidden = fits;
    if (fits) return;
    const v = viewSize(), m = Math.min(Math.min(MINI_W, v.w * 0.22) / f.w, Math.max(60, Math.min(200, v.h * 0.45)) / f.h);
    minimap.style.width = Math.round(f.w * m) + 'px';
    minimap.style.height = Math.round(f.h * m) + 'px';
    const ctx = fitCanvas(minimap);
    const X = (x) => (x - f.x) * m, Y = (y) => (y - f.y) * m;
    ctx.clearRect(0, 0, f.w * m, f.h * m);
    ctx.fillStyle = 'rgba(255,255,255,0.92)'; ctx.fillRect(0, 0, f.w * m, f.h * m);
    ctx.strokeStyle = '#c8ccd4'; ctx.lineWidth = 1;
    for (const c of S.scene.clusters) ctx.strokeRect(X(c.x), Y(c.y), c.w * m, c.h * m);
    for (const n of S.scene.nodes) {
      ctx.fillStyle = n.selected ? '#6a3d9a' : n.severity >= 2 ? '#d62728' : n.severity === 1 ? '#e08a00' : (n.fill || '#9ca3af');
      ctx.fillRect(X(n.x - n.w / 2), Y(n.y - n.h / 2), Math.max(1.5, n.w * m), Math.max(1.5, n.h * m));
    }
    ctx.strokeStyle = '#6a3d9a'; ctx.lineWidth = 1.5;
    ctx.strokeRect(X(vb.x), Y(vb.y), vb.w * m, vb.h * m);
    S.minimapScale = m;
  }
  function minimapMove(e) {
    const r = minimap.getBoundingClientRect(), f = S.vbFull, m = S.minimapScale || 1;
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

  function layerId(i) { return S.summary.layers[i].id; }
  function toggleGroup(path) {
    const a = S.view.expanded_groups;
    const i = a.indexOf(path);
    if (i >= 0) a.splice(i, 1); else a.push(path);
    return redrawGraph(i >= 0 ? { centre: 'g:' + path } : { centre: 'cluster_g:' + path });
  }
  function toggleLayer(id) {
    const a = S.view.expanded_layers;
    const i = a.indexOf(id);
    if (i >= 0) a.splice(i, 1); else a.push(id);
    return redrawGraph(i >= 0 ? { centre: 'l:' + id } : { fit: 'cluster_l:' + id });
  }
  function onNodeClick(n) {
    if (n.kind === 'group') { const grp = S.summary.groups.find((g) => g.path && n.key === 'g:' + g.path); if (grp) toggleGroup(grp.path); return; }
    if (n.layer >= 0) selectLayer(layerId(n.layer), false);
  }
  function ancestors(path) {
    const out = [];
    const parts = (path || '').split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
    return out;
  }
  // Selects a layer: shows its chunk grid; with reveal, opens its groups and centres it.
  function selectLayer(id, reveal) {
    const li = S.summary.layers.findIndex((l) => l.id === id);
    if (li < 0) return Promise.resolve();
    S.view.selected = id;
    if (reveal) for (const g of ancestors(S.summary.layers[li].group)) if (!S.view.expanded_groups.includes(g)) S.view.expanded_groups.push(g);
    S.gridLayer = li; S.gridFixed = [];
    drawChunkGrid();
    requestDraw();  // the timeline shows the layer's tasks
    for (const f of findingsList.children) f.classList.toggle('active', (f.dataset.layers || '').split('\n').includes(id));
    for (const r of layerList.children) r.classList.toggle('active', r.dataset.layer === id);
    if (reveal) return redrawGraph({ centre: 'l:' + id });
    // Picked in the graph: marked where it is (no new layout, so a double-click lands on the same node).
    for (const g of graphView.querySelectorAll('svg .node')) g.classList.toggle('selected', g.dataset.key === 'l:' + id);
    if (S.scene && S.vb) { for (const n of S.scene.nodes) n.selected = n.key === 'l:' + id; drawMinimap(); }
    return Promise.resolve();
  }

  // ---- layer list: one row per layer in graph order (the trace's), like Dask's HighLevelGraph repr ---
  function renderLayerList() {
    const order = S.summary.graph_order || S.summary.layers.map((_, i) => i);
    const rows = order.map((i) => {
      const L = S.summary.layers[i];
      const pic = el('canvas', { class: 'cs-mini-grid', width: '44', height: '32' });
      drawMiniGrid(pic, L);
      const state = L.run_state;
      const numbers = state === 'not run' ? 'not run' : state === 'planned' ? Number(L.chunks).toLocaleString() + ' chunks · planned' : state === 'no tasks' ? 'no tasks of its own (' + Number(L.chunks).toLocaleString() + ' chunks)' : Number(L.chunks).toLocaleString() + ' chunks · ' + Number(L.tasks).toLocaleString() + ' tasks · ' + fmtNs(L.busy_ns) + ' · ' + fmtBytes(L.peak_held_bytes) + ' at peak';
      const row = el('div', { class: 'cs-layer-row' + (state === 'failed' ? ' failed' : state === 'not run' ? ' not-run' : ''), 'data-layer': L.id, 'data-index': String(i), title: L.id + (L.group ? '  (group ' + L.group + ')' : '') + (L.created_at ? '\ncreated at ' + L.created_at : '') },
        pic,
        el('div', { class: 'cs-layer-text' },
          el('div', {}, el('b', { text: L.id }), el('span', { class: 'cs-layer-op', text: ' ' + L.op + (state === 'failed' ? ' · FAILED' : '') })),
          el('div', { class: 'cs-layer-shape', text: (L.shape_text || shapeText(L.shape)) + ' ' + (L.dtype || '') + ' · chunks ' + (L.chunk_shape_text || shapeText(L.chunk_shape)) }),
          el('div', { class: 'cs-layer-num', text: numbers }),
          // Where the user's code made it (a Dask capture or plan: "created at analysis.py:12").
          L.created_at ? el('div', { class: 'cs-layer-num', text: 'created at ' + L.created_at }) : null));
      row.addEventListener('click', () => selectLayer(L.id, true));
      return row;
    });
    layerList.replaceChildren(...rows);
    tabLayers.textContent = 'Layers (' + rows.length + ')';
    tabFindings.textContent = 'Findings (' + S.summary.findings.length + ')';
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

  // ---- findings -----------------------------------------------------------------------------------
  function renderFindings() {
    const fs = S.summary.findings;
    findingsList.replaceChildren();
    if (!fs.length) { findingsList.append(el('div', { class: 'cs-empty', text: 'No findings: nothing in this run looks inefficient.' })); return; }
    fs.forEach((f, i) => {
      const ev = el('details', {}, el('summary', { text: 'evidence' }), ...f.evidence.map((e) => el('div', { text: e.name + ': ' + (e.text || formatEvidence(e)) })));
      const item = el('div', { class: 'cs-finding ' + f.severity, 'data-index': String(i), 'data-rule': f.rule, 'data-layers': f.layers.join('\n') },
        el('div', {}, el('span', { class: 'sev', text: f.severity }), el('span', { class: 'rule', text: f.rule + ' · ' + f.layers.join(', ') })),
        el('div', { class: 'msg', text: f.message }),
        el('div', { class: 'advice', text: f.advice }),
        ...f.edits.map((e) => el('code', { text: JSON.stringify(e) })),
        ev);
      item.addEventListener('click', (e) => { if (e.target.closest('details')) return; if (f.layers.length) selectLayer(f.layers[0], true); });
      findingsList.append(item);
    });
  }
  function formatEvidence(e) {
    if (e.unit === 'ns') return fmtNs(e.value);
    if (e.unit === 'B' || e.unit === 'bytes') return fmtBytes(e.value);
    if (e.unit === '%' || e.unit === 'share') return (e.unit === 'share' ? e.value * 100 : e.value).toFixed(1) + '%';
    return (Math.abs(e.value) >= 100 ? Math.round(e.value).toLocaleString() : Number(e.value).toPrecision(3)) + (e.unit ? ' ' + e.unit : '');
  }

  // ---- chunk grid ---------------------------------------------------------------------------------
  function drawChunkGrid() {
    const ctx = fitCanvas(gridCanvas);
    const W = gridCanvas.clientWidth, H = gridCanvas.clientHeight;
    ctx.clearRect(0, 0, W, H);
    if (S.gridLayer < 0) { renderLegend(gridLegend, null); gridTitle.textContent = 'chunk grid'; ctx.fillStyle = '#666'; ctx.fillText('Select a layer to see its chunks.', 10, 20); return; }
    const L = S.summary.layers[S.gridLayer];
    const { grid, canvas: cells } = gridCanvasOf(S.gridLayer, gridColor.value, S.gridFixed);
    S.grid = grid;
    gridTitle.textContent = 'chunk grid · ' + L.id + ' · ' + shapeText(grid.grid) + ' chunks of ' + (L.chunk_shape_text || shapeText(L.chunk_shape));
    // sliders for the axes not shown
    gridSliders.replaceChildren();
    grid.grid.forEach((n, axis) => {
      if (axis === grid.row_axis || axis === grid.col_axis || n <= 1) return;
      const s = el('input', { type: 'range', min: '0', max: String(n - 1), value: String(grid.fixed[axis] || 0), 'data-axis': String(axis), title: 'axis ' + axis });
      s.addEventListener('input', () => { S.gridFixed = grid.fixed.slice(); S.gridFixed[axis] = Number(s.value); drawChunkGrid(); });
      gridSliders.append(el('label', { text: 'axis ' + axis + ' ' }, s));
    });
    // To scale: each column and row as wide as its chunks (irregular chunks show as uneven cells).
    const sizesOf = (axis, n) => { const v = axis >= 0 && L.chunk_sizes ? L.chunk_sizes[axis] : null; return Array.isArray(v) && v.length === n ? v : null; };
    const cs = sizesOf(grid.col_axis, grid.cols) || new Array(grid.cols).fill(1), rs = sizesOf(grid.row_axis, grid.rows) || new Array(grid.rows).fill(1);
    const totC = cs.reduce((a, b) => a + b, 0) || 1, totR = rs.reduce((a, b) => a + b, 0) || 1;
    const ox = grid.row_axis >= 0 ? 24 : 10, oy = 6;
    const k = Math.max(1e-9, Math.min((W - ox - 10) / totC, (H - oy - 22) / totR));
    const xs = [ox], ys = [oy];
    for (const c of cs) xs.push(xs[xs.length - 1] + c * k);
    for (const r of rs) ys.push(ys[ys.length - 1] + r * k);
    ctx.imageSmoothingEnabled = false;
    const gw = xs[xs.length - 1] - ox, gh = ys[ys.length - 1] - oy;
    if (grid.cols + grid.rows > 4000) ctx.drawImage(cells, ox, oy, gw, gh);
    else {  // columns stretched into a strip, then its rows: rows + cols draws
      const mid = document.createElement('canvas');
      mid.width = Math.max(1, Math.ceil(gw)); mid.height = grid.rows;
      const m = mid.getContext('2d');
      m.imageSmoothingEnabled = false;
      for (let c = 0; c < grid.cols; c++) m.drawImage(cells, c, 0, 1, grid.rows, xs[c] - ox, 0, Math.max(0.5, xs[c + 1] - xs[c]), grid.rows);
      for (let r = 0; r < grid.rows; r++) ctx.drawImage(mid, 0, r, mid.width, 1, ox, ys[r], mid.width, Math.max(0.5, ys[r + 1] - ys[r]));
    }
    if (gw / grid.cols > 6 && gh / grid.rows > 6) {  // gaps between big cells
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      for (const y of ys) { ctx.moveTo(ox, y); ctx.lineTo(ox + gw, y); }
      for (const x of xs) { ctx.moveTo(x, oy); ctx.lineTo(x, oy + gh); }
      ctx.stroke();
    }
    // Axes: which array axis runs along each side, how many chunks and their sizes.
    const sizeText = (v, n) => { if (!v) return n + ' chunks'; const u = [...new Set(v)]; return u.length === 1 ? n + ' × ' + u[0] : n + ' chunks: ' + (v.length <= 6 ? v.join(', ') : v.slice(0, 3).join(', ') + ', … ' + v[v.length - 1]); };
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    if (grid.col_axis >= 0) ctx.fillText('axis ' + grid.col_axis + ' → ' + sizeText(sizesOf(grid.col_axis, grid.cols), grid.cols), ox, oy + gh + 14);
    if (grid.row_axis >= 0) {
      ctx.save(); ctx.translate(ox - 8, oy); ctx.rotate(Math.PI / 2);
      ctx.fillText('axis ' + grid.row_axis + ' → ' + sizeText(sizesOf(grid.row_axis, grid.rows), grid.rows), 0, 0);
      ctx.restore();
    }
    renderLegend(gridLegend, grid.scale && grid.scale.legend);
    S.gridGeom = { xs, ys };
  }
  gridColor.addEventListener('change', drawChunkGrid);
  gridCanvas.addEventListener('mousemove', (e) => {
    if (!S.grid || !S.gridGeom) return;
    const r = gridCanvas.getBoundingClientRect();
    const at = (edges, v) => { if (v < edges[0] || v >= edges[edges.length - 1]) return -1; let i = 0; while (i + 1 < edges.length && edges[i + 1] <= v) i++; return i; };
    const k = at(S.gridGeom.xs, e.clientX - r.left), row = at(S.gridGeom.ys, e.clientY - r.top);
    if (k < 0 || row < 0 || k >= S.grid.cols || row >= S.grid.rows) return hideTip();
    const t = S.session.gridTask(S.gridLayer, gridColor.value, JSON.stringify(S.gridFixed), row, k);
    if (t >= 0) showTaskTip(e, t); else hideTip();
  });
  gridCanvas.addEventListener('mouseleave', hideTip);

  // ---- tooltips ---------------------------------------------------------------------------------
  function showTaskTip(e, task) {
    const info = JSON.parse(S.session.taskInfo(task));
    tip.textContent = 'layer ' + info.layer + '\nchunk (' + info.chunk_index.join(', ') + ')  shape ' + shapeText(info.chunk_shape) +
      '\n' + fmtBytes(info.bytes) + ' · ' + fmtNs(info.duration_ns) + ' · worker ' + info.worker + (info.fused ? ' · fused' : '') + (info.stage ? ' · stage ' + info.stage : '') +
      (info.status !== 'done' ? '\nstatus ' + info.status : '');
    placeTip(e);
  }
  // A copy between host and device (a rect of a transfer lane): direction, bytes, duration, what it fed.
  function showTransferTip(e, r) {
    if (r.transfer >= 0) {
      const x = JSON.parse(S.session.transferInfo(r.transfer));
      const rate = x.duration_ns > 0 ? ' (' + fmtBytes(x.bytes / (x.duration_ns / 1e9)) + '/s)' : '';
      tip.textContent = x.direction + ' copy on ' + x.device + '\n' + fmtBytes(x.bytes) + ' in ' + fmtNs(x.duration_ns) + rate + ', starts at ' + fmtNs(x.start_ns) +
        (x.task >= 0 ? '\nfed layer ' + x.layer + ', chunk (' + x.chunk_index.join(', ') + '), task ' + x.task : '\nfed no recorded task');
    } else {
      tip.textContent = r.count + ' copies folded here (' + S.timeline.lanes[r.lane] + '): ' + fmtBytes(r.bytes) +
        (r.layer >= 0 ? ', mostly for "' + layerId(r.layer) + '"' : '') + '\nzoom in to see them';
    }
    placeTip(e);
  }
  function placeTip(e) {  // below right of the pointer; above it where the window ends
    tip.style.display = 'block';
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + 'px';
    tip.style.top = (e.clientY + 14 + tip.offsetHeight <= window.innerHeight ? e.clientY + 14 : Math.max(0, e.clientY - 8 - tip.offsetHeight)) + 'px';
  }
  function hideTip() { tip.style.display = 'none'; }

  // ---- timeline and memory --------------------------------------------------------------------------
  function fitCanvas(c) {
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;  // CSS sets the height (style.css)
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = '11px system-ui, sans-serif';
    return ctx;
  }
  const LANE_X = 70;  // the least room for lane names; wider names widen it (timeline and memory stay aligned)
  let laneX = LANE_X;
  const TRANSFER_GREY = '#8c959f';  // a copy that fed no known task
  const hatches = new Map();  // colour -> canvas pattern: stripes of the colour over a light tint of it
  function hatch(ctx, color) {
    let p = hatches.get(color);
    if (!p) {
      const c = document.createElement('canvas');
      c.width = c.height = 6;
      const g = c.getContext('2d');
      g.fillStyle = color; g.globalAlpha = 0.3; g.fillRect(0, 0, 6, 6);
      g.globalAlpha = 1; g.strokeStyle = color; g.lineWidth = 1.6;
      g.beginPath(); g.moveTo(-1, 7); g.lineTo(7, -1); g.moveTo(-1, 1); g.lineTo(1, -1); g.moveTo(5, 7); g.lineTo(7, 5); g.stroke();
      p = ctx.createPattern(c, 'repeat');
      hatches.set(color, p);
    }
    return p;
  }
  function drawTransferRect(ctx, color, x, y, w, h) {
    if (w < 3) { ctx.fillStyle = color; ctx.fillRect(x, y, w, h); return; }  // too narrow for stripes
    ctx.fillStyle = hatch(ctx, color);
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = color; ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }
  // The timeline's height follows its lanes: LANE_H each (smaller past 12 lanes), the ruler under them.
  const LANE_H = 18, RULER_H = 30;
  function timelineHeight(lanes) { return Math.round(Math.min(240, Math.max(70, lanes * (lanes > 12 ? 12 : LANE_H) + RULER_H + 6))); }
  function drawTimeline() {
    // Lane names are known before the window is (one call with width 0 gives lanes, no rects).
    if (!S.laneNames) S.laneNames = JSON.parse(S.session.timeline(0, 0, 0)).lanes;
    timelineCanvas.style.height = timelineHeight(S.laneNames.length) + 'px';
    const ctx = fitCanvas(timelineCanvas);
    const W = timelineCanvas.clientWidth, H = timelineCanvas.clientHeight;
    ctx.clearRect(0, 0, W, H);
    // Per-worker utilisation over the whole run (viz::range_summary), after each task lane's name.
    if (!S.utilisation) {
      const all = JSON.parse(S.session.rangeSummary(0, S.tEnd));
      S.utilisation = new Map(all.workers.map((w) => [w.worker, w.busy_ns / Math.max(1, all.t1 - all.t0)]));
    }
    const utilOf = (name) => { const m = /worker (\d+)/.exec(name); const u = m && S.utilisation.get(Number(m[1])); return u != null ? ' ' + pct(Math.min(u, 9.99)) : ''; };
    laneX = Math.min(200, Math.max(LANE_X, Math.ceil(Math.max(0, ...S.laneNames.map((n) => ctx.measureText(n + utilOf(n)).width))) + 10));
    S.laneX = laneX;
    const plotW = Math.max(10, W - laneX - 8);
    const tl = JSON.parse(S.session.timeline(S.t0, S.t1, plotW));
    S.timeline = tl;
    const taskLanes = tl.task_lanes ?? tl.lanes.length;
    const lanes = Math.max(1, tl.lanes.length);
    const laneH = Math.max(6, Math.min(28, (H - RULER_H - 6) / lanes));
    S.laneH = laneH;
    if (tl.lanes.length > taskLanes) {  // transfer lanes: a tinted band under a rule
      ctx.fillStyle = '#f3f0f7';
      ctx.fillRect(0, 4 + taskLanes * laneH, W, (tl.lanes.length - taskLanes) * laneH);
      ctx.strokeStyle = '#b9a9cf'; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(0, 4.5 + taskLanes * laneH); ctx.lineTo(W, 4.5 + taskLanes * laneH); ctx.stroke();
    }
    ctx.textBaseline = 'middle';  // names centred on their lane's rects
    tl.lanes.forEach((name, i) => {
      const y = 6 + i * laneH + (laneH - 3) / 2;
      ctx.fillStyle = i < taskLanes ? '#444' : '#5a3d84'; ctx.fillText(name, 4, y);
      const u = i < taskLanes ? utilOf(name) : '';
      if (u) { ctx.fillStyle = '#888'; ctx.fillText(u, 4 + ctx.measureText(name).width, y); }
    });
    ctx.textBaseline = 'alphabetic';
    const xOfT = (t) => laneX + (t - S.t0) / Math.max(1, S.t1 - S.t0) * plotW;
    // A leading gap before the first task (a Dask capture: building the graph) is not task time: said so.
    const first = S.summary.first_task_ns;
    if (first > 0 && first > 0.02 * S.tEnd && S.t0 < first) {
      const gx = xOfT(S.t0), gw = Math.min(xOfT(first), laneX + plotW) - gx;
      ctx.fillStyle = '#f1f1f1'; ctx.fillRect(gx, 4, gw, taskLanes * laneH);
      const label = 'no task ran yet: ' + fmtNs(first) + ' before the first task (start-up, e.g. building the graph)';
      const short = 'before the first task: ' + fmtNs(first);
      const tiny = 'start-up ' + fmtNs(first);
      const text = [label, short, tiny].find((t) => ctx.measureText(t).width + 8 <= gw) || '';
      if (text) { ctx.fillStyle = '#666'; ctx.textBaseline = 'middle'; ctx.fillText(text, gx + 4, 4 + taskLanes * laneH / 2); ctx.textBaseline = 'alphabetic'; }
      S.leadingGap = { x0: gx - laneX, x1: gx - laneX + gw, text: label };
    } else S.leadingGap = null;
    // The selected layer's tasks stand out: the others fade.
    const sel = S.view.selected ? S.summary.layers.findIndex((l) => l.id === S.view.selected) : -1;
    const selRects = [];
    for (const r of tl.rects) {
      const layer = S.summary.layers[r.layer];
      const x = laneX + r.x0, y = 6 + r.lane * laneH, w = Math.max(1, r.x1 - r.x0), h = laneH - 3;
      if (r.kind === 'transfer') {
        ctx.globalAlpha = r.count > 1 ? 0.6 : 1;
        drawTransferRect(ctx, (layer && layer.color) || TRANSFER_GREY, x, y, w, h);
        continue;
      }
      ctx.fillStyle = (layer && layer.color) || '#888';
      ctx.globalAlpha = (r.task < 0 ? 0.55 : 1) * (sel >= 0 && r.layer !== sel ? 0.2 : 1);
      ctx.fillRect(x, y, w, h);
      if (sel >= 0 && r.layer === sel) selRects.push([x, y, w, h]);  // outlined when wide enough to tell apart
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = '#111'; ctx.lineWidth = 1;
    for (const [x, y, w, h] of selRects) if (w >= 4) ctx.strokeRect(x - 0.5, y - 0.5, w + 1, h + 1);
    S.timelineSelected = selRects.length;
    // The ruler: ticks at a round step, labelled where they do not run into the window's ends.
    const rulerY = 6 + lanes * laneH;
    ctx.strokeStyle = '#bbb'; ctx.beginPath(); ctx.moveTo(laneX, rulerY + 0.5); ctx.lineTo(laneX + plotW, rulerY + 0.5); ctx.stroke();
    const step = niceStep((S.t1 - S.t0) / Math.max(1, plotW / 90));
    const ticks = [];
    for (let t = Math.ceil(S.t0 / step) * step; t <= S.t1; t += step) ticks.push(t);
    ctx.beginPath();
    for (const t of ticks) { const x = Math.round(xOfT(t)) + 0.5; ctx.moveTo(x, rulerY); ctx.lineTo(x, rulerY + 4); }
    ctx.stroke();
    S.ruler = { step, ticks };
    ctx.fillStyle = '#666';
    const y = Math.min(H - 4, 6 + lanes * laneH + 14);
    const startW = ctx.measureText(fmtNs(S.t0)).width;
    const endW0 = ctx.measureText(fmtNs(S.t1) + '  (' + fmtNs(S.t1 - S.t0) + ' shown)').width;
    const hasCopies = tl.lanes.length > taskLanes;
    for (const t of ticks) {
      const label = fmtTick(t, step), w = ctx.measureText(label).width, x = xOfT(t) - w / 2;
      if (hasCopies || x < laneX + startW + 8 || x + w > W - 8 - endW0 - 8) continue;
      ctx.fillText(label, x, y);
    }
    // A brushed window: shaded, its summary beside the panel.
    if (S.brush) {
      const bx0 = Math.max(laneX, xOfT(Math.min(S.brush.t0, S.brush.t1))), bx1 = Math.min(laneX + plotW, xOfT(Math.max(S.brush.t0, S.brush.t1)));
      if (bx1 > bx0) { ctx.fillStyle = 'rgba(106, 61, 154, 0.15)'; ctx.fillRect(bx0, 4, bx1 - bx0, lanes * laneH); ctx.strokeStyle = '#6a3d9a'; ctx.strokeRect(bx0 + 0.5, 4.5, bx1 - bx0 - 1, lanes * laneH - 1); }
    }
    ctx.fillStyle = '#666';
    ctx.fillText(fmtNs(S.t0), laneX, y);
    const endText = fmtNs(S.t1) + '  (' + fmtNs(S.t1 - S.t0) + ' shown)';
    const endX = W - 8 - ctx.measureText(endText).width;
    ctx.fillText(endText, endX, y);
    if (tl.lanes.length > taskLanes) {  // legend of the transfer lanes, between the two times
      const legend = 'host\u2194device copy (stripes in the colour of the layer it fed)';
      const lx = Math.max(laneX + ctx.measureText(fmtNs(S.t0)).width + 24, (laneX + endX - ctx.measureText(legend).width - 18) / 2);
      if (lx + 18 + ctx.measureText(legend).width < endX - 8) {
        drawTransferRect(ctx, TRANSFER_GREY, lx, y - 9, 14, 10);
        ctx.fillStyle = '#5a3d84';
        ctx.fillText(legend, lx + 18, y);
      }
    }
    drawMemory();
  }
  // Memory: a chart for the host and one per GPU series (viz::memory_view's "devices"), on the
  // timeline's time axis. Each is scaled to its own curve; its limit is drawn when it is on that
  // scale (viz::limit_on_scale: at most kLimitOnScale × the highest value shown), else written at the top (off scale).
  const MEM_COLORS = ['#6a3d9a', '#2e8b57', '#d95f02', '#1f78b4', '#b8860b'];  // host, then one per device
  const memColor = (i) => MEM_COLORS[i % MEM_COLORS.length];
  let deviceCanvases = [];
  function pct(x) { x *= 100; return (x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(1) : x.toPrecision(1)) + '%'; }
  // One canvas per device and the legend, rebuilt when the trace's device names change.
  function syncMemoryCharts(names, limits) {
    const key = names.join('\n') + (limits ? '\nlimit' : '');
    if (S.memKey === key) return;
    S.memKey = key;
    for (const c of deviceCanvases) c.remove();
    deviceCanvases = names.slice(1).map((name, i) => {
      const c = el('canvas', { class: 'cs-canvas cs-canvas-memory cs-canvas-device', id: idOf('cs-memory-' + (i + 1)), 'data-device': name });
      c.addEventListener('mousemove', (e) => memoryTip(e, c, i + 1));
      c.addEventListener('mouseleave', hideTip);
      memoryStack.append(c);
      return c;
    });
    const key_ = (swatch, text) => el('span', { class: 'cs-key' }, swatch, text);
    const swatch = (cls, color) => { const i = el('i', { class: 'cs-swatch ' + cls }); if (color) i.style.background = color; return i; };
    const keys = names.map((n, i) => key_(swatch('', memColor(i)), n));
    if (limits) keys.push(key_(swatch('cs-swatch-limit'), 'limit'));
    memoryLegend.replaceChildren(...keys, key_(swatch('cs-swatch-peak'), 'peak'));
  }
  function drawMemory() {
    const plotW = Math.max(10, memoryCanvas.clientWidth - laneX - 8);
    const m = JSON.parse(S.session.memory(S.t0, S.t1, Math.round(plotW)));
    const curves = [Object.assign({ device: 'host' }, m), ...(m.devices || [])];
    syncMemoryCharts(curves.map((c) => c.device), curves.some((c) => c.limit > 0));
    S.memory = curves;
    drawMemoryChart(memoryCanvas, curves[0], 0, plotW);
    curves.slice(1).forEach((c, i) => drawMemoryChart(deviceCanvases[i], c, i + 1, plotW));
  }
  // The scale of a chart (viz::limit_on_scale through the bridge): its top, whether the limit is drawn.
  function memoryScale(c) { return { top: Math.max(1, c.scale.top), limitOn: c.scale.drawn }; }
  function drawMemoryChart(canvas, m, index, plotW) {
    const ctx = fitCanvas(canvas);
    const W = canvas.clientWidth, H = canvas.clientHeight;
    ctx.clearRect(0, 0, W, H);
    const color = memColor(index);
    const { top, limitOn } = memoryScale(m);
    const yOf = (b) => H - 16 - (b / top) * (H - 28);
    const xOf = (t) => laneX + (t - S.t0) / Math.max(1, S.t1 - S.t0) * plotW;
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.fillStyle = color;
    ctx.fillText(m.device, 4, 14);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#444';
    ctx.fillText(fmtBytes(top), 4, 28);
    ctx.fillText('0', 4, H - 16);
    ctx.strokeStyle = '#e4e4e4'; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(laneX, Math.round(yOf(0)) + 0.5); ctx.lineTo(laneX + plotW, Math.round(yOf(0)) + 0.5); ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(xOf(m.t_ns[0] || S.t0), yOf(0));
    for (let i = 0; i < m.t_ns.length; i++) ctx.lineTo(xOf(m.t_ns[i]), yOf(m.bytes[i]));
    ctx.lineTo(xOf(m.t_ns[m.t_ns.length - 1] || S.t1), yOf(0));
    ctx.closePath();
    ctx.fillStyle = color + '55'; ctx.fill();
    ctx.strokeStyle = color; ctx.stroke();
    const text = (label, x, y, color) => {  // a label on a light backing, readable over the curve and lines
      const w = ctx.measureText(label).width;
      ctx.fillStyle = 'rgba(255, 255, 255, 0.8)'; ctx.fillRect(x - 2, y - 10, w + 4, 13);
      ctx.fillStyle = color; ctx.fillText(label, x, y);
    };
    if (limitOn) {
      const y = Math.round(yOf(m.limit)) + 0.5;  // on a pixel row: a crisp dash
      ctx.setLineDash([6, 4]); ctx.strokeStyle = '#d62728'; ctx.beginPath(); ctx.moveTo(laneX, y); ctx.lineTo(W - 8, y); ctx.stroke(); ctx.setLineDash([]);
      const label = 'limit ' + fmtBytes(m.limit);
      text(label, W - 8 - ctx.measureText(label).width, y < 24 ? y + 13 : y - 4, '#d62728');  // under the line at the top
    } else if (m.limit > 0) {  // far above the curve: said, not drawn
      const label = '\u2191 ' + m.scale.note;
      text(label, W - 8 - ctx.measureText(label).width, 11, '#d62728');
    }
    if (m.peak > 0 && m.peak_t >= S.t0 && m.peak_t <= S.t1) {
      const x = xOf(m.peak_t), y = yOf(m.peak);
      if (index === 0) drawPeakComposition(ctx, x, yOf(0), y);
      ctx.fillStyle = '#111';
      ctx.beginPath(); ctx.arc(x, y, 3, 0, 7); ctx.fill();
      const label = 'peak ' + fmtBytes(m.peak) + (m.peak_layer ? ' during "' + m.peak_layer + '"' : '');
      const w = ctx.measureText(label).width;
      text(label, x + 6 + w <= W - 8 ? x + 6 : Math.max(laneX, x - 6 - w), Math.max(12, y + 4), '#111');  // right of the dot, else left
    }
  }
  // What holds the memory at the host peak: each layer's bytes live at that instant (LayerStats::
  // peak_held_bytes, docs/viz.md "What peak means"), largest first.
  function peakComposition() {
    const ls = S.summary.layers.map((l, i) => ({ i, id: l.id, bytes: l.peak_held_bytes, color: l.color })).filter((l) => l.bytes > 0);
    return ls.sort((a, b) => b.bytes - a.bytes);
  }
  // Drawn at the peak as a stacked bar from 0 to the peak, a segment per layer in its timeline colour;
  // the selected layer's segment outlined.
  function drawPeakComposition(ctx, x, y0, yPeak) {
    const parts = peakComposition();
    const total = parts.reduce((a, p) => a + p.bytes, 0);
    if (!total) return;
    const sel = S.view.selected;
    let y = y0;
    for (const p of parts) {
      const h = (y0 - yPeak) * p.bytes / total;
      ctx.fillStyle = p.color || '#888';
      ctx.fillRect(x - 4, y - h, 8, h);
      if (p.id === sel) { ctx.strokeStyle = '#111'; ctx.lineWidth = 1.5; ctx.strokeRect(x - 4.5, y - h, 9, h); }
      y -= h;
    }
    S.peakX = x;
  }
  function compositionText() {
    const parts = peakComposition(), total = parts.reduce((a, p) => a + p.bytes, 0);
    return '\nat the peak, held by:' + parts.slice(0, 8).map((p) => '\n  ' + p.id + '  ' + fmtBytes(p.bytes) + ' (' + pct(p.bytes / total) + ')').join('') +
      (parts.length > 8 ? '\n  … ' + (parts.length - 8) + ' more layers' : '');
  }
  // Tooltip of a memory chart: the device, the time under the pointer, the live bytes of that pixel
  // column (lowest..highest when it changes inside it), the limit and how much of it is used, the peak.
  function memoryTip(e, canvas, index) {
    const c = S.memory && S.memory[index];
    if (!c || !c.t_ns.length) return hideTip();
    const r = canvas.getBoundingClientRect();
    const col = Math.floor(e.clientX - r.left - laneX);
    if (col < 0 || 2 * col + 1 >= c.bytes.length) return hideTip();
    const lo = c.bytes[2 * col], hi = c.bytes[2 * col + 1];
    const t = S.t0 + (col + 0.5) / (c.bytes.length / 2) * (S.t1 - S.t0);
    tip.textContent = c.device + ' at ' + fmtNs(t) + '\n' +
      (lo === hi ? fmtBytes(hi) + ' live' : fmtBytes(lo) + ' to ' + fmtBytes(hi) + ' live in this pixel (zoom in for the steps)') + '\n' +
      (c.limit > 0 ? 'limit ' + fmtBytes(c.limit) + ', ' + pct(hi / c.limit) + ' used' : 'no limit') +
      (c.peak > 0 ? '\npeak ' + fmtBytes(c.peak) + ' at ' + fmtNs(c.peak_t) + (c.peak_layer ? ' during "' + c.peak_layer + '"' : '') : '') +
      (index === 0 && S.peakX != null && Math.abs(e.clientX - r.left - S.peakX) <= 5 ? compositionText() : '');
    placeTip(e);
  }
  function setRange(t0, t1) {
    const span = Math.max(1000, t1 - t0);
    S.t0 = Math.max(0, t0); S.t1 = S.t0 + span;
    if (S.t1 > S.tEnd) { S.t1 = S.tEnd; S.t0 = Math.max(0, S.t1 - span); }
    requestDraw();
  }
  let drawPending = false;
  function requestDraw() { if (drawPending) return; drawPending = true; requestAnimationFrame(() => { drawPending = false; drawTimeline(); }); }
  timelineCanvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = timelineCanvas.getBoundingClientRect();
    const plotW = Math.max(10, r.width - laneX - 8);
    const fx = Math.min(1, Math.max(0, (e.clientX - r.left - laneX) / plotW));
    const f = Math.exp(e.deltaY * 0.002);
    const span = (S.t1 - S.t0) * f;
    const at = S.t0 + (S.t1 - S.t0) * fx;
    setRange(at - span * fx, at - span * fx + span);
  }, { passive: false });
  let tdrag = null;
  // Drag pans; shift-drag (or a drag along the ruler) brushes a window and shows its summary; a
  // click on a task selects its layer.
  const timeAtX = (clientX) => { const r = timelineCanvas.getBoundingClientRect(), plotW = Math.max(10, r.width - laneX - 8); return S.t0 + Math.min(1, Math.max(0, (clientX - r.left - laneX) / plotW)) * (S.t1 - S.t0); };
  function timelineHit(e) {
    if (!S.timeline) return null;
    const r = timelineCanvas.getBoundingClientRect();
    const x = e.clientX - r.left - laneX, lane = Math.floor((e.clientY - r.top - 6) / S.laneH);
    return S.timeline.rects.find((q) => q.lane === lane && x >= q.x0 - 0.5 && x <= Math.max(q.x1, q.x0 + 1) + 0.5) || null;
  }
  timelineCanvas.addEventListener('mousedown', (e) => {
    const r = timelineCanvas.getBoundingClientRect();
    const onRuler = e.clientY - r.top > 6 + Math.max(1, S.timeline ? S.timeline.lanes.length : 1) * S.laneH;
    if (e.shiftKey || onRuler) { const t = timeAtX(e.clientX); tdrag = { brush: true, x: e.clientX }; S.brush = { t0: t, t1: t }; requestDraw(); return; }
    tdrag = { x: e.clientX, t0: S.t0, t1: S.t1 };
  });
  window.addEventListener('mouseup', (e) => {
    const d = tdrag;
    tdrag = null;
    if (!d) return;
    if (d.brush) {
      if (Math.abs(e.clientX - d.x) < 3) { S.brush = null; showRangeSummary(null); requestDraw(); return; }
      showRangeSummary(S.brush);
      return;
    }
    if (Math.abs(e.clientX - d.x) < 3) {  // a click: the task's (or the fold's main) layer
      const hit = timelineHit(e);
      if (hit && hit.kind !== 'transfer' && hit.layer >= 0) selectLayer(layerId(hit.layer), true);
    }
  });
  window.addEventListener('mousemove', (e) => {
    if (!tdrag) return;
    if (tdrag.brush) { S.brush.t1 = timeAtX(e.clientX); requestDraw(); return; }
    const plotW = Math.max(10, timelineCanvas.clientWidth - laneX - 8);
    const dt = (e.clientX - tdrag.x) / plotW * (tdrag.t1 - tdrag.t0);
    setRange(tdrag.t0 - dt, tdrag.t1 - dt);
  });
  // The summary of a brushed window (viz::range_summary): per layer time and tasks, per worker busy
  // and idle, host memory lowest and highest.
  function showRangeSummary(b) {
    if (!b) { rangeBox.hidden = true; S.rangeSummary = null; return; }
    const sum = JSON.parse(S.session.rangeSummary(Math.min(b.t0, b.t1), Math.max(b.t0, b.t1)));
    S.rangeSummary = sum;
    const span = sum.t1 - sum.t0;
    const row = (cells, cls) => el('tr', { class: cls }, ...cells.map((c, i) => el(i ? 'td' : 'th', { text: c })));
    const layers = sum.layers.slice(0, 8).map((l) => {
      const tr = row([l.id, fmtNs(l.busy_ns), Number(l.tasks).toLocaleString() + ' tasks'], 'cs-range-layer');
      tr.dataset.layer = l.id;
      tr.addEventListener('click', () => selectLayer(l.id, true));
      return tr;
    });
    const more = sum.layers.length > 8 ? [el('tr', {}, el('td', { colspan: '3', text: '… and ' + (sum.layers.length - 8) + ' more layers' }))] : [];
    const workers = sum.workers.map((w) => row(['worker ' + w.worker, 'busy ' + fmtNs(w.busy_ns) + ' (' + pct(span > 0 ? w.busy_ns / span : 0) + ')', 'idle ' + fmtNs(w.idle_ns)], 'cs-range-worker'));
    rangeBox.replaceChildren(
      el('div', { class: 'cs-range-head' }, el('b', { text: fmtNs(span) + ' selected' }), ' ' + fmtNs(sum.t0) + ' – ' + fmtNs(sum.t1) + ' · ' + Number(sum.tasks).toLocaleString() + ' tasks · host memory ' + fmtBytes(sum.memory_min) + ' – ' + fmtBytes(sum.memory_max),
        el('button', { type: 'button', class: 'cs-range-close', text: '×', title: 'clear the selection', onclick: () => { S.brush = null; showRangeSummary(null); requestDraw(); } })),
      el('table', {}, ...layers, ...more, ...workers));
    rangeBox.hidden = false;
  }
  timelineCanvas.addEventListener('dblclick', () => setRange(0, S.tEnd));
  timelineCanvas.addEventListener('mousemove', (e) => {
    if (tdrag || !S.timeline) return;
    const hit = timelineHit(e);
    if (!hit) {
      const r = timelineCanvas.getBoundingClientRect(), x = e.clientX - r.left - laneX;
      if (S.leadingGap && x >= S.leadingGap.x0 && x <= S.leadingGap.x1) { tip.textContent = S.leadingGap.text; placeTip(e); return; }
      return hideTip();
    }
    if (hit.kind === 'transfer') return showTransferTip(e, hit);
    if (hit.task >= 0) return showTaskTip(e, hit.task);
    tip.textContent = hit.count + ' tasks folded here (mostly "' + layerId(hit.layer) + '"): zoom in to see them';
    placeTip(e);
  });
  timelineCanvas.addEventListener('mouseleave', hideTip);
  memoryCanvas.addEventListener('mousemove', (e) => memoryTip(e, memoryCanvas, 0));
  memoryCanvas.addEventListener('mouseleave', hideTip);
  window.addEventListener('resize', () => { requestDraw(); drawChunkGrid(); });

  // ---- controls -------------------------------------------------------------------------------------
  colorSel.addEventListener('change', () => { S.view.color_by = colorSel.value; redrawGraph({ keep: true }); });
  let searchTimer = 0;
  search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { S.view.search = search.value; redrawGraph({ keep: true }); }, 200); });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const q = search.value.toLowerCase();
    const hit = S.summary.layers.find((l) => (l.id + ' ' + l.name + ' ' + l.op).toLowerCase().includes(q));
    if (hit) selectLayer(hit.id, true); else setStatus('no layer matches "' + search.value + '"', true);
  });

  // ---- loading ------------------------------------------------------------------------------------
  // findings: findings_to_json text computed natively (skips the analysis in the page), or ''.
  async function loadTrace(bytes, name, findings) {
    const ptr = S.mod._malloc(bytes.length);
    S.mod.HEAPU8.set(bytes, ptr);
    const t = performance.now();
    try { S.summary = JSON.parse(S.session.loadWithFindings(ptr, bytes.length, name, findings || '')); } finally { S.mod._free(ptr); }
    S.timings.load_ms = Math.round(performance.now() - t);
    S.laneNames = null;  // drawTimeline asks for this trace's lanes
    S.utilisation = null;
    const m = S.summary.meta;
    title.textContent = m.pipeline || name;
    failure.textContent = m.error ? m.status + ': ' + m.error : '';
    failure.title = failure.textContent;
    failure.hidden = !m.error;
    if (m.status === 'plan') {  // a plan: nothing ran; the planner's totals, said to be estimates
      summary.textContent = 'plan (not computed) · ' + m.threads + ' threads assumed' + (m.plan_tasks != null ? ' · ' + Number(m.plan_tasks).toLocaleString() + ' tasks planned' : '') + (m.plan_peak_bytes != null ? ' · peak about ' + fmtBytes(m.plan_peak_bytes) + ' (estimate)' : '');
    } else {
      summary.textContent = m.executor + ' · ' + m.threads + ' workers · ' + m.status + ' · wall ' + fmtNs(m.wall_ns) + ' · ' + Number(m.tasks).toLocaleString() + ' tasks · peak ' + fmtBytes(m.peak_bytes) + (m.peak_layer ? ' during "' + m.peak_layer + '"' : '');
    }
    S.tEnd = Math.max(1000, m.wall_ns);
    S.t0 = 0; S.t1 = S.tEnd;
    S.vb = null;
    // Before any selection the chunk grid shows the first finding's layer, else the busiest layer.
    const ranIndex = (id) => S.summary.layers.findIndex((l) => l.id === id && l.busy_ns > 0 && l.chunks > 0);
    const f0 = S.summary.findings.map((f) => (f.layers.length ? ranIndex(f.layers[0]) : -1)).find((i) => i >= 0);
    let busiest = -1;
    S.summary.layers.forEach((l, i) => { if (l.chunks > 0 && (busiest < 0 || l.busy_ns > S.summary.layers[busiest].busy_ns)) busiest = i; });
    S.gridLayer = f0 !== undefined ? f0 : busiest;
    renderFindings();
    renderLayerList();
    renderLegend(timelineLegend, S.summary.layer_colors);
    drawChunkGrid();
    drawTimeline();
    await redrawGraph();
  }

  async function main() {
    try {
      setStatus('starting…');
      const mark = (k) => { S.timings[k] = Math.round(performance.now()); };
      mark('start');
      const served = config.mode === 'served';
      // Served: the trace list, the first trace and its findings download while the module compiles.
      const fetchTrace = (i) => Promise.all([getBytes(null, 'api/trace/' + i), getText(null, 'api/findings/' + i)]);
      const listP = served ? fetch('api/traces', { cache: 'no-store' }).then((r) => r.json()) : null;
      const firstP = served && !config.live ? listP.then((list) => (list.length ? fetchTrace(0) : null)) : null;
      if (firstP) firstP.catch(() => {});  // awaited below; no unhandled rejection meanwhile
      await sharedInit(served);
      S.mod = shared.mod;
      if (S.mod.version) aboutVersion.textContent = 'chunkscope ' + S.mod.version();
      S.session = new S.mod.Session();
      mark('wasm');
      if (served) {
        const list = await listP;
        traceSel.replaceChildren(...list.map((t, i) => el('option', { value: String(i), text: t.name })));
        if (list.length > 1) traceSel.removeAttribute('hidden');
        const open = async (i, prefetched) => {
          const [bytes, findings] = prefetched || (await fetchTrace(i));
          mark('fetched');
          await loadTrace(bytes, list[i].name, findings);
          mark('drawn');
        };
        traceSel.addEventListener('change', () => open(Number(traceSel.value)));
        if (config.live) return liveLoop();
        if (!list.length) return setStatus('no trace to show', true);
        await open(0, await firstP);
      } else {
        const node = scope.querySelector('[data-cs="cs-trace"]') || document.getElementById('cs-trace');
        const hasFindings = scope.querySelector('[data-cs="cs-findings-data"]') || document.getElementById('cs-findings-data');
        const findings = hasFindings ? await getText('cs-findings-data', '', scope === document ? null : scope) : '';
        await loadTrace(await getBytes('cs-trace', '', scope === document ? null : scope), node ? node.dataset.name : 'trace', findings);
      }
    } catch (err) {
      setStatus(String(err && err.message || err), true);
      (scope === document ? document.body : scope).classList.remove('cs-ready');
      root.dataset.error = String(err && err.message || err);
    }
  }

  // `chunkscope run --serve`: poll the run's progress; reload the growing trace every second.
  async function liveLoop() {
    let version = -1;
    for (;;) {
      let st;
      try { st = await (await fetch('api/live', { cache: 'no-store' })).json(); } catch (err) { setStatus('the run has ended or the server stopped', true); return; }
      if (st.version !== version && st.version >= 0) {
        version = st.version;
        const keep = { view: S.view, t0: S.t0, t1: S.t1 };
        await loadTrace(await getBytes(null, 'api/trace/live?v=' + version), st.name || 'live');
        S.view = keep.view;
      }
      setStatus(st.state === 'starting' ? 'waiting for the run to start…' : st.state === 'running' ? 'running: ' + st.done + ' / ' + st.total + ' tasks' : 'run ' + st.state + ': ' + st.done + ' / ' + st.total + ' tasks', st.state === 'failed');
      root.dataset.live = st.state;
      if (st.state !== 'running' && st.state !== 'starting') return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  // For bench/dashboard and tests: the state and the draw functions (read-only use), on the
  // dashboard's own element; the page-wide handle only for a page of its own (one dashboard).
  root.chunkscope = { state: S, drawTimeline, setRange };
  if (standalone) window.__chunkscope = root.chunkscope;
  main();
  }

  window.ChunkscopeDashboard = { mount };
  const page = document.getElementById('cs-root');
  if (page && window.CHUNKSCOPE_CONFIG) mount(page, window.CHUNKSCOPE_CONFIG);
})();
