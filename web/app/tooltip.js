// The dashboard's tooltip: one element per dashboard, placed at the pointer. Task tooltips are shared
// by the graph (task nodes), the chunk grid and the timeline.
import { el } from './dom.js';
import { fmtBytes, fmtNs, shapeText } from './format.js';

export function createTooltip(S) {
  const tip = el('div', { class: 'cs-tip' });
  // Below right of the pointer; above it where the window ends.
  function place(e) {
    tip.style.display = 'block';
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + 'px';
    tip.style.top = (e.clientY + 14 + tip.offsetHeight <= window.innerHeight ? e.clientY + 14 : Math.max(0, e.clientY - 8 - tip.offsetHeight)) + 'px';
  }
  function show(e, text) { tip.textContent = text; place(e); }
  function hide() { tip.style.display = 'none'; }
  function showTask(e, task) {
    const info = JSON.parse(S.session.taskInfo(task));
    show(e, 'layer ' + info.layer + '\nchunk (' + info.chunk_index.join(', ') + ')  shape ' + shapeText(info.chunk_shape) +
      '\n' + fmtBytes(info.bytes) + ' · ' + fmtNs(info.duration_ns) + ' · worker ' + info.worker + (info.fused ? ' · fused' : '') + (info.stage ? ' · stage ' + info.stage : '') +
      (info.status !== 'done' ? '\nstatus ' + info.status : ''));
  }
  return { element: tip, show, hide, showTask };
}
