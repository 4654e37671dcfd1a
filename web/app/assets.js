// What every dashboard of a page shares: the WebAssembly module (core + viz) and one Graphviz layout
// worker, loaded once. Inlined pages carry them as gzip+base64 in non-executed
// <script type="application/octet-stream"> elements; `chunkscope serve` serves them as files.
// Nothing here holds a dashboard's state.

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

// An inlined blob (by data-cs key inside `scope`, else by element id) or a served file: its bytes.
export async function getBytes(id, url, scope) {
  const node = (scope && scope.querySelector('[data-cs="' + id + '"]')) || (id && document.getElementById(id));
  if (node) {
    const raw = b64bytes(node.textContent);
    return (node.dataset.encoding || '').startsWith('gzip') ? gunzip(raw) : raw;
  }
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + (await r.text()).slice(0, 200));
  return new Uint8Array(await r.arrayBuffer());
}

export async function getText(id, url, scope) { return new TextDecoder().decode(await getBytes(id, url, scope)); }

// Runs a UMD bundle with AMD and CommonJS hidden (notebook pages load require.js); resolves to its
// export. From a blob: URL script, so the page needs no 'unsafe-eval' (the served page's CSP has
// none); where blob: scripts are blocked (a host page's CSP), through new Function.
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

// Resolves to the WebAssembly module (loaded once per page).
export function loadModule() {
  if (!shared.ready) {
    shared.ready = (async () => {
      const [wasmCode, vizCode] = await Promise.all([getText('cs-wasm', 'assets/chunkscope_web.js'), getText('cs-graphviz', 'assets/viz-global.js')]);
      const factory = await runBundle(wasmCode, 'createChunkscope');
      shared.mod = await factory({});
      startLayoutWorker(vizCode);
    })();
  }
  return shared.ready.then(() => shared.mod);
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
    w.onmessage = (e) => {
      const p = pending.get(e.data.id);
      if (p) { pending.delete(e.data.id); e.data.error ? p.reject(new Error(e.data.error)) : p.resolve(e.data.json); }
    };
    w.onerror = (e) => {
      for (const p of pending.values()) p.reject(new Error('layout worker: ' + (e.message || 'failed')));
      pending.clear();
      shared.worker = null;
    };
    shared.worker = {
      layout(dot) {
        const id = ++shared.layoutSeq;
        return new Promise((resolve, reject) => { pending.set(id, { resolve, reject }); w.postMessage({ id, dot }); });
      },
    };
  } catch (err) {
    shared.worker = null;
  }
  shared.vizCode = vizCode;
}

// Graphviz's JSON layout of a DOT text (in the worker when there is one).
export async function layoutDot(dot) {
  if (shared.worker) {
    try { return await shared.worker.layout(dot); } catch (err) { if (!/layout worker/.test(err.message)) throw err; }
  }
  if (!shared.vizSync) {  // no worker (blocked): lay out here
    const Viz = (await runBundle(shared.vizCode, 'Viz')) || window.Viz;
    shared.vizSync = await Viz.instance();
  }
  return shared.vizSync.renderString(dot, { format: 'json' });
}
