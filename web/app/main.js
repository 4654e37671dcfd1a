// chunkscope dashboard — the entry module. Draws what the WebAssembly view model (core + viz,
// web/src/bridge.cpp) computes; built into one classic script (<build>/share/chunkscope/web/app.js)
// by web/build_app.mjs, which joins these ES modules in dependency order, so a page stays one
// self-contained file that works offline (file://, notebooks).
//
// Defines window.ChunkscopeDashboard.mount(root, config) and .mountCompare(root, config) (the compare
// view of two runs, compare.js) once per page (notebooks display many dashboards; a second copy of the
// script does nothing) and mounts the page's own dashboard (#cs-root) when the page set
// window.CHUNKSCOPE_CONFIG.
import { mount } from './dashboard.js';
import { mountCompare } from './compare.js';

if (!window.ChunkscopeDashboard) {
  window.ChunkscopeDashboard = { mount, mountCompare };
  const page = document.getElementById('cs-root');
  if (page && window.CHUNKSCOPE_CONFIG) mount(page, window.CHUNKSCOPE_CONFIG);
}
