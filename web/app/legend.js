// Legends (viz/legend.hpp through the bridge: {title, ramp, note, entries: [{color, label}]}).
// A ramp: a gradient bar, its values under the ends; categories: one swatch each.
import { el } from './dom.js';

// Fills `box` with the legend `lg`; hides it when there is none.
export function renderLegend(box, lg) {
  if (!lg) { box.replaceChildren(); box.hidden = true; return; }
  box.hidden = false;
  const kids = [el('span', { class: 'cs-lg-title', text: lg.title })];
  if (lg.ramp && lg.entries.length) {
    const bar = el('span', { class: 'cs-lg-ramp' });
    bar.style.background = 'linear-gradient(to right, ' + lg.entries.map((e) => e.color).join(', ') + ')';
    const n = lg.entries.length;
    kids.push(el('span', { class: 'cs-lg-lo', text: lg.entries[0].label }), bar, el('span', { class: 'cs-lg-hi', text: lg.entries[n - 1].label }));
  } else {
    for (const e of lg.entries) kids.push(legendKey(e.color, e.label));
  }
  if (lg.note) kids.push(el('span', { class: 'cs-lg-note', text: lg.note }));
  box.replaceChildren(...kids);
  box.title = lg.title + ': ' + lg.entries.map((e) => e.label).join(', ') + (lg.note ? '\n' + lg.note : '');
}

// One key of a legend: a swatch (its colour, or a class such as cs-swatch-limit) and its label.
export function legendKey(color, label, swatchClass) {
  const sw = el('i', { class: 'cs-swatch' + (swatchClass ? ' ' + swatchClass : '') });
  if (color) sw.style.background = color;
  return el('span', { class: 'cs-key' }, sw, label);
}
