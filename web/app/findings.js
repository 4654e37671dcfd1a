// The findings list: severity, rule, layers, message, advice, the suggested edits and the evidence;
// clicking a finding selects (and reveals) its first layer.
import { el } from './dom.js';
import { formatEvidence } from './format.js';

// ctx: {S, bus, idOf, select}. Follows 'select' (marks the findings of the selected layer).
export function createFindingsList(ctx) {
  const { S, bus, idOf } = ctx;
  const element = el('div', { class: 'cs-list', id: idOf('cs-findings') });

  function render() {
    const fs = S.summary.findings;
    element.replaceChildren();
    if (!fs.length) { element.append(el('div', { class: 'cs-empty', text: 'No findings: nothing in this run looks inefficient.' })); return; }
    fs.forEach((f, i) => {
      const ev = el('details', {}, el('summary', { text: 'evidence' }), ...f.evidence.map((e) => el('div', { text: e.name + ': ' + (e.text || formatEvidence(e)) })));
      const item = el('div', { class: 'cs-finding ' + f.severity, 'data-index': String(i), 'data-rule': f.rule, 'data-layers': f.layers.join('\n') },
        el('div', {}, el('span', { class: 'sev', text: f.severity }), el('span', { class: 'rule', text: f.rule + ' · ' + f.layers.join(', ') })),
        el('div', { class: 'msg', text: f.message }),
        el('div', { class: 'advice', text: f.advice }),
        ...f.edits.map((e) => el('code', { text: JSON.stringify(e) })),
        ev);
      item.addEventListener('click', (e) => { if (e.target.closest('details')) return; if (f.layers.length) ctx.select(f.layers[0], true); });
      element.append(item);
    });
  }
  bus.on('select', ({ id }) => {
    for (const f of element.children) f.classList.toggle('active', (f.dataset.layers || '').split('\n').includes(id));
  });
  return { element, render, count: () => S.summary.findings.length };
}
