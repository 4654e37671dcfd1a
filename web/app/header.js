// The top bar: the trace's title, its failure (if any), the run summary, the trace picker (served,
// several traces), "colour by", the layer search and the status. One line at any width (style.css).
import { el } from './dom.js';
import { fmtBytes, fmtNs } from './format.js';

const COLOR_MODES = [['time', 'time share'], ['memory', 'peak memory'], ['tasks', 'tasks'], ['chunk-bytes', 'bytes per chunk'],
  ['worker', 'worker'], ['critical', 'critical path'], ['findings', 'findings']];

// ctx: {S, bus, idOf, select}. Emits 'view' when colour-by or the search text changes.
export function createHeader(ctx) {
  const { S, bus, idOf } = ctx;
  const status = el('span', { class: 'cs-status', text: 'loading…' });
  const title = el('h1', { text: 'chunkscope' });
  const summary = el('span', { class: 'cs-sum' });
  const failure = el('span', { class: 'cs-failure', id: idOf('cs-failure'), hidden: '' });
  const colorSel = el('select', { id: idOf('cs-color'), title: 'what the node colour shows' });
  for (const [v, t] of COLOR_MODES) colorSel.append(el('option', { value: v, text: t }));
  const search = el('input', { id: idOf('cs-search'), type: 'search', placeholder: 'find a layer…', title: 'highlights layers whose id, name or op contains this; Enter selects the first' });
  const traceSel = el('select', { id: idOf('cs-trace-select'), hidden: '' });
  const element = el('div', { class: 'cs-bar' }, title, failure, summary, traceSel, el('label', { text: 'colour by ' }, colorSel), search, status);

  function setStatus(text, err) { status.textContent = text; status.classList.toggle('err', !!err); }

  // The loaded trace's header: its name, failure and totals (a plan: the planner's estimates).
  function showMeta(m, name) {
    title.textContent = m.pipeline || name;
    failure.textContent = m.error ? m.status + ': ' + m.error : '';
    failure.title = failure.textContent;
    failure.hidden = !m.error;
    if (m.status === 'plan') {  // a plan: nothing ran; the planner's totals, said to be estimates
      summary.textContent = 'plan (not computed) · ' + m.threads + ' threads assumed' + (m.plan_tasks != null ? ' · ' + Number(m.plan_tasks).toLocaleString() + ' tasks planned' : '') + (m.plan_peak_bytes != null ? ' · peak about ' + fmtBytes(m.plan_peak_bytes) + ' (estimate)' : '');
    } else {
      summary.textContent = m.executor + ' · ' + m.threads + ' workers · ' + m.status + ' · wall ' + fmtNs(m.wall_ns) + ' · ' + Number(m.tasks).toLocaleString() + ' tasks · peak ' + fmtBytes(m.peak_bytes) + (m.peak_layer ? ' during "' + m.peak_layer + '"' : '');
    }
  }

  // The served trace list: a picker when there are several; `open(i)` loads one.
  function setTraceList(list, open) {
    traceSel.replaceChildren(...list.map((t, i) => el('option', { value: String(i), text: t.name })));
    if (list.length > 1) traceSel.removeAttribute('hidden');
    traceSel.addEventListener('change', () => open(Number(traceSel.value)));
  }

  colorSel.addEventListener('change', () => { S.view.color_by = colorSel.value; bus.emit('view'); });
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { S.view.search = search.value; bus.emit('view'); }, 200);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !S.summary) return;
    const q = search.value.toLowerCase();
    const hit = S.summary.layers.find((l) => (l.id + ' ' + l.name + ' ' + l.op).toLowerCase().includes(q));
    if (hit) ctx.select(hit.id, true); else setStatus('no layer matches "' + search.value + '"', true);
  });

  return { element, setStatus, showMeta, setTraceList };
}
