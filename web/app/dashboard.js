// One dashboard: mount(root, config) fills `root` with the panels (header, graph, findings and layers,
// chunk grid, timeline, memory), gives them one state and one event bus of their own, and loads the
// trace — inlined (config.mode 'inline': from <script type="application/octet-stream"> elements in
// config.scope, default the document) or from `chunkscope serve` (mode 'served', `live` for
// `run --serve`). A page may mount any number of dashboards; they share only the WebAssembly module
// and the Graphviz worker (assets.js).
//
// Bus events: 'select' {id, index, reveal} (a layer was selected), 'view' (colour-by or search
// changed), 'timeline-drawn', 'graph-drawn', 'resize'.
import { el } from './dom.js';
import { createBus } from './bus.js';
import { ancestors, createState, layerIndex } from './state.js';
import { getBytes, getText, loadModule } from './assets.js';
import { createTooltip } from './tooltip.js';
import { createHeader } from './header.js';
import { createGraphPanel } from './graph.js';
import { createFindingsList } from './findings.js';
import { createLayerList } from './layers.js';
import { createChunkGridPanel } from './chunk_grid.js';
import { createTimelinePanel } from './timeline.js';
import { createMemoryPanel } from './memory.js';

// root: the element to fill; config: {mode: 'inline'|'served', live, scope (element holding the
// inline trace and findings; default document), standalone (ids for tests, page-wide classes)}.
// Returns the dashboard's handle (also root.chunkscope): {state, bus, select, setRange, drawTimeline}.
export function mount(root, config) {
  config = config || { mode: 'inline' };
  const standalone = config.standalone !== false && root.id === 'cs-root';
  const scope = config.scope || document;
  const S = createState();
  const bus = createBus();
  const tip = createTooltip(S);
  const ctx = { S, bus, tip, idOf: (name) => (standalone ? name : undefined), select, setStatus: (t, err) => header.setStatus(t, err) };
  root.classList.add('cs-app');
  if (standalone) root.classList.add('cs-fill');  // a page of its own: the dashboard fills the window

  const header = createHeader(ctx);
  const graph = createGraphPanel(ctx);
  const findings = createFindingsList(ctx);
  const layers = createLayerList(ctx);
  const grid = createChunkGridPanel(ctx);
  const timeline = createTimelinePanel(ctx);
  const memory = createMemoryPanel(ctx);
  const side = sidePanel(findings, layers);
  const layout = el('div', { class: 'cs-grid' }, graph.section, side.section, grid.section, timeline.section, memory.section);
  // About: the version (from the WebAssembly module, once loaded) and the licences of what the page embeds.
  const aboutVersion = el('span', { class: 'cs-about-version', text: 'chunkscope' });
  const about = el('footer', { class: 'cs-about', id: ctx.idOf('cs-about') }, aboutVersion,
    ' · BSD-3-Clause · graph layout by Graphviz-WASM (Graphviz, EPL-1.0; Viz.js, MIT) · third-party notices: THIRD_PARTY_NOTICES, installed with chunkscope');
  root.append(header.element, layout, about, tip.element);

  bus.on('graph-drawn', () => {
    root.dataset.ready = '1';
    (scope === document ? document.body : scope).classList.add('cs-ready');
  });
  window.addEventListener('resize', () => bus.emit('resize'));

  // Selects a layer (by id): every panel shows it; with reveal, its groups open and the graph centres it.
  function select(id, reveal) {
    const index = layerIndex(S, id);
    if (index < 0) return;
    S.view.selected = id;
    if (reveal) for (const g of ancestors(S.summary.layers[index].group)) if (!S.view.expanded_groups.includes(g)) S.view.expanded_groups.push(g);
    bus.emit('select', { id, index, reveal: !!reveal });
  }

  // findings: findings_to_json text computed natively (skips the analysis in the page), or ''.
  async function loadTrace(bytes, name, findingsJson) {
    const ptr = S.mod._malloc(bytes.length);
    S.mod.HEAPU8.set(bytes, ptr);
    const t = performance.now();
    try { S.summary = JSON.parse(S.session.loadWithFindings(ptr, bytes.length, name, findingsJson || '')); } finally { S.mod._free(ptr); }
    S.timings.load_ms = Math.round(performance.now() - t);
    header.showMeta(S.summary.meta, name);
    timeline.reset();
    S.vb = null;
    // Before any selection the chunk grid shows the first finding's layer, else the busiest layer.
    const ranIndex = (id) => S.summary.layers.findIndex((l) => l.id === id && l.busy_ns > 0 && l.chunks > 0);
    const f0 = S.summary.findings.map((f) => (f.layers.length ? ranIndex(f.layers[0]) : -1)).find((i) => i >= 0);
    let busiest = -1;
    S.summary.layers.forEach((l, i) => { if (l.chunks > 0 && (busiest < 0 || l.busy_ns > S.summary.layers[busiest].busy_ns)) busiest = i; });
    S.gridLayer = f0 !== undefined ? f0 : busiest;
    findings.render();
    layers.render();
    side.count();
    grid.draw();
    timeline.draw();
    await graph.redraw();
  }

  async function main() {
    try {
      header.setStatus('starting…');
      const mark = (k) => { S.timings[k] = Math.round(performance.now()); };
      mark('start');
      const served = config.mode === 'served';
      // Served: the trace list, the first trace and its findings download while the module compiles.
      const fetchTrace = (i) => Promise.all([getBytes(null, 'api/trace/' + i), getText(null, 'api/findings/' + i)]);
      const listP = served ? fetch('api/traces', { cache: 'no-store' }).then((r) => r.json()) : null;
      const firstP = served && !config.live ? listP.then((list) => (list.length ? fetchTrace(0) : null)) : null;
      if (firstP) firstP.catch(() => {});  // awaited below; no unhandled rejection meanwhile
      S.mod = await loadModule();
      if (S.mod.version) aboutVersion.textContent = 'chunkscope ' + S.mod.version();
      S.session = new S.mod.Session();
      mark('wasm');
      if (served) {
        const list = await listP;
        const open = async (i, prefetched) => {
          const [bytes, findingsJson] = prefetched || (await fetchTrace(i));
          mark('fetched');
          await loadTrace(bytes, list[i].name, findingsJson);
          mark('drawn');
        };
        header.setTraceList(list, open);
        if (config.live) return liveLoop();
        if (!list.length) return header.setStatus('no trace to show', true);
        await open(0, await firstP);
      } else {
        const inner = scope === document ? null : scope;
        const node = scope.querySelector('[data-cs="cs-trace"]') || document.getElementById('cs-trace');
        const hasFindings = scope.querySelector('[data-cs="cs-findings-data"]') || document.getElementById('cs-findings-data');
        const findingsJson = hasFindings ? await getText('cs-findings-data', '', inner) : '';
        await loadTrace(await getBytes('cs-trace', '', inner), node ? node.dataset.name : 'trace', findingsJson);
      }
    } catch (err) {
      header.setStatus(String(err && err.message || err), true);
      (scope === document ? document.body : scope).classList.remove('cs-ready');
      root.dataset.error = String(err && err.message || err);
    }
  }

  // `chunkscope run --serve`: poll the run's progress; reload the growing trace every second.
  async function liveLoop() {
    let version = -1;
    for (;;) {
      let st;
      try { st = await (await fetch('api/live', { cache: 'no-store' })).json(); } catch (err) { header.setStatus('the run has ended or the server stopped', true); return; }
      if (st.version !== version && st.version >= 0) {
        version = st.version;
        const keep = S.view;
        await loadTrace(await getBytes(null, 'api/trace/live?v=' + version), st.name || 'live');
        S.view = keep;
      }
      header.setStatus(st.state === 'starting' ? 'waiting for the run to start…' : st.state === 'running' ? 'running: ' + st.done + ' / ' + st.total + ' tasks' : 'run ' + st.state + ': ' + st.done + ' / ' + st.total + ' tasks', st.state === 'failed');
      root.dataset.live = st.state;
      if (st.state !== 'running' && st.state !== 'starting') return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  // For bench/dashboard and the tests: this dashboard's state (read-only use), its bus and a few
  // actions, on its own element — never page-wide, so dashboards on one page stay apart.
  const handle = { state: S, bus, select, setRange: timeline.setRange, drawTimeline: timeline.draw };
  root.chunkscope = handle;
  main();
  return handle;
}

// The side panel: the findings and the layer list as two tabs.
function sidePanel(findings, layers) {
  const tabFindings = el('button', { type: 'button', class: 'cs-tab active', text: 'Findings', 'data-tab': 'findings' });
  const tabLayers = el('button', { type: 'button', class: 'cs-tab', text: 'Layers', 'data-tab': 'layers', title: 'one row per layer in graph order: shape, dtype, chunks, tasks, time, memory at peak, its chunk grid to scale' });
  function show(name) {
    tabFindings.classList.toggle('active', name === 'findings'); tabLayers.classList.toggle('active', name === 'layers');
    findings.element.hidden = name !== 'findings'; layers.element.hidden = name !== 'layers';
  }
  tabFindings.addEventListener('click', () => show('findings'));
  tabLayers.addEventListener('click', () => show('layers'));
  const section = el('section', { class: 'cs-panel cs-findings' },
    el('h2', {}, tabFindings, tabLayers, el('span', { class: 'cs-hint', text: 'click to show the layer' })), findings.element, layers.element);
  // After a trace is drawn: the counts on the tabs.
  function count() {
    tabLayers.textContent = 'Layers (' + layers.count() + ')';
    tabFindings.textContent = 'Findings (' + findings.count() + ')';
  }
  return { section, count };
}
