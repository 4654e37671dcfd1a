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

// One edge of a laid-out scene (viz's Graphviz layout): its path through the spline's control points
// to the arrow, dashed for a rechunk, and its label ("512×512 → 64×8192"). The dashboard's graph and
// the compare view's graph draw their edges with it; markerId names the SVG arrow marker.
export function edgeElement(e, markerId) {
  const g = sv('g', { class: 'edge' + (e.rechunk ? ' rechunk' : '') });
  const p = e.points;
  if (p.length >= 2) {
    let d = 'M' + p[0][0] + ',' + p[0][1];
    for (let i = 1; i + 2 < p.length; i += 3) d += ' C' + p[i][0] + ',' + p[i][1] + ' ' + p[i + 1][0] + ',' + p[i + 1][1] + ' ' + p[i + 2][0] + ',' + p[i + 2][1];
    if (e.arrow) d += ' L' + e.arrow[0] + ',' + e.arrow[1];
    const path = sv('path', { d, stroke: e.color || '#556', 'stroke-width': e.width || 1.2, 'marker-end': 'url(#' + markerId + ')' });
    if (e.rechunk) path.setAttribute('stroke-dasharray', '5 3');
    g.append(path);
  }
  if (e.label) {
    const t = sv('text', { x: e.label_pos[0], y: e.label_pos[1], 'text-anchor': 'middle' });
    t.textContent = e.label;
    g.append(t);
  }
  return g;
}

// A panel's header hint (grey, right-aligned).
export function hint(text) { return el('span', { class: 'cs-hint', text }); }
