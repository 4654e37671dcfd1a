// Building DOM and SVG elements. Every string from a trace goes through textContent or
// setAttribute, never innerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

// el('div', {class, text, onclick, …attributes}, ...children): an HTML element.
export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

// sv('rect', {x, y, …}): an SVG element.
export function sv(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

// A panel's header hint (grey, right-aligned).
export function hint(text) { return el('span', { class: 'cs-hint', text }); }
