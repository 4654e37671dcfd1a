// The summary of a brushed time window (viz::range_summary): per layer time and tasks, per worker
// busy and idle, host memory lowest and highest. Clicking a layer's row selects it.
import { el } from './dom.js';
import { fmtBytes, fmtNs, pct } from './format.js';

// ctx: {S, idOf, select}; onClear: called when the user closes the summary.
export function createRangeSummary(ctx, onClear) {
  const { S, idOf } = ctx;
  const element = el('div', { class: 'cs-range', id: idOf('cs-range'), hidden: '' });

  // Shows the summary of the window b ({t0, t1}, either order), or hides it (null).
  function show(b) {
    if (!b) { element.hidden = true; S.rangeSummary = null; return; }
    const sum = JSON.parse(S.session.rangeSummary(Math.min(b.t0, b.t1), Math.max(b.t0, b.t1)));
    S.rangeSummary = sum;
    const span = sum.t1 - sum.t0;
    const row = (cells, cls) => el('tr', { class: cls }, ...cells.map((c, i) => el(i ? 'td' : 'th', { text: c })));
    const layers = sum.layers.slice(0, 8).map((l) => {
      const tr = row([l.id, fmtNs(l.busy_ns), Number(l.tasks).toLocaleString() + ' tasks'], 'cs-range-layer');
      tr.dataset.layer = l.id;
      tr.addEventListener('click', () => ctx.select(l.id, true));
      return tr;
    });
    const more = sum.layers.length > 8 ? [el('tr', {}, el('td', { colspan: '3', text: '… and ' + (sum.layers.length - 8) + ' more layers' }))] : [];
    const workers = sum.workers.map((w) => row(['worker ' + w.worker, 'busy ' + fmtNs(w.busy_ns) + ' (' + pct(span > 0 ? w.busy_ns / span : 0) + ')', 'idle ' + fmtNs(w.idle_ns)], 'cs-range-worker'));
    element.replaceChildren(
      el('div', { class: 'cs-range-head' }, el('b', { text: fmtNs(span) + ' selected' }), ' ' + fmtNs(sum.t0) + ' – ' + fmtNs(sum.t1) + ' · ' + Number(sum.tasks).toLocaleString() + ' tasks · host memory ' + fmtBytes(sum.memory_min) + ' – ' + fmtBytes(sum.memory_max),
        el('button', { type: 'button', class: 'cs-range-close', text: '×', title: 'clear the selection', onclick: onClear })),
      el('table', {}, ...layers, ...more, ...workers));
    element.hidden = false;
  }
  return { element, show };
}
