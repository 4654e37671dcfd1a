// The compare view's graph: the graph of the second run ("after"), each layer annotated with what
// changed — its chunk shape before → after and the change of its time and peak memory — in red
// where core flagged a regression, green where it flagged an improvement. The change texts come
// from core's comparison (change_text / relative_text); the annotation lines go into the DOT
// (Session.annotatedGraph), so Graphviz sizes the boxes for them.
import { edgeElement, el, sv } from './dom.js';
import { legendKey } from './legend.js';

export const WORSE = '#c62828';
export const BETTER = '#1b7f3b';
export const SAME = '#57606a';

const tone = (v) => (v && v.regression ? WORSE : v && v.improvement ? BETTER : SAME);
const word = (v) => (v && v.regression ? 'worse' : v && v.improvement ? 'better' : 'same');

// The annotation of one compared layer: [{text, color}] lines, the shape line first.
export function layerNotes(d) {
  if (d.layer_before < 0) return [{ text: 'new in this run', color: SAME, kind: 'shape' }];
  const shape = d.chunk_shape_before === d.chunk_shape_after ? 'chunks ' + (d.chunk_shape_after || '()') + ' (same)'
    : (d.chunk_shape_before || '()') + ' → ' + (d.chunk_shape_after || '()');
  const rel = (v) => v.relative_text || '0';
  return [
    { text: shape, color: d.chunk_shape_before === d.chunk_shape_after ? SAME : '#6a3d9a', kind: 'shape' },
    { text: 'time ' + rel(d.busy_ns) + ' · mem ' + rel(d.peak_live_bytes), kind: 'change',
      parts: [{ text: 'time ' + rel(d.busy_ns), color: tone(d.busy_ns) }, { text: ' · ', color: SAME }, { text: 'mem ' + rel(d.peak_live_bytes), color: tone(d.peak_live_bytes) }] },
  ];
}

// The legend under the graph: what the colours and the arrow mean.
export function compareLegend() {
  return el('div', { class: 'cs-legend-box cs-cmp-legend', 'data-cs-legend': 'compare' },
    el('span', { class: 'cs-lg-title', text: 'change from before to after (border, tint, text):' }),
    legendKey(WORSE, 'regression (worse beyond the thresholds of diff)'),
    legendKey(BETTER, 'improvement'),
    legendKey(SAME, 'within the thresholds'),
    el('span', { class: 'cs-key', text: 'A → B: chunks before → after' }));
}

// Draws the annotated graph of `run` (the "after" run) into `box`; `diff` is core's comparison.
// layoutDot(dot) -> Graphviz JSON. Resolves to the SVG element.
export async function drawCompareGraph(box, run, diff, layoutDot, uid) {
  const byAfter = new Map();
  for (const d of diff.layers) if (d.layer_after >= 0) byAfter.set(d.layer_after, d);
  const notes = {};
  for (const [j, d] of byAfter) notes[j] = layerNotes(d).map((n) => n.text);
  // Every group open (a compare is read layer by layer); a big graph keeps the viz default view.
  const groups = run.summary.layers.length <= 60 ? run.summary.groups.map((g) => g.path) : [];
  const state = { expanded_groups: groups, expanded_layers: [], color_by: 'time', selected: '', search: '' };
  const g = JSON.parse(run.session.annotatedGraph(JSON.stringify(state), JSON.stringify(notes)));
  const scene = JSON.parse(run.session.scene(await layoutDot(g.dot)));
  const pad = 12;
  const svg = sv('svg', { class: 'cs-cmp-graph-svg', viewBox: [-pad, -pad, scene.width + 2 * pad, scene.height + 2 * pad].join(' '), preserveAspectRatio: 'xMidYMid meet' });
  const marker = sv('marker', { id: uid + '-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
  marker.append(sv('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#556' }));
  const defs = sv('defs');
  defs.append(marker);
  svg.append(defs);
  for (const c of scene.clusters) {
    const gc = sv('g', { class: 'cluster' });
    gc.append(sv('rect', { x: c.x, y: c.y, width: c.w, height: c.h, rx: 6 }));
    const t = sv('text', { x: c.x + 6, y: c.y + 13 });
    t.textContent = c.label;
    gc.append(t);
    svg.append(gc);
  }
  for (const e of scene.edges) svg.append(edgeElement(e, uid + '-arrow'));
  for (const n of scene.nodes) {
    const d = n.kind === 'layer' ? byAfter.get(n.layer) : null;
    const worse = d && d.regression, better = d && !worse && (d.busy_ns.improvement || d.peak_live_bytes.improvement);
    const gn = sv('g', { class: 'node ' + n.kind + (d ? ' cs-cmp-' + (worse ? 'worse' : better ? 'better' : 'same') : ''), 'data-layer': n.layer >= 0 && run.summary.layers[n.layer] ? run.summary.layers[n.layer].id : '' });
    const x = n.x - n.w / 2, y = n.y - n.h / 2;
    // A light tint of the change (not the view model's colour-by fill): the coloured lines stay readable.
    const fill = worse ? '#fdeeee' : better ? '#eaf6ee' : '#f6f8fa';
    gn.append(sv('rect', { class: 'box', x, y, width: n.w, height: n.h, rx: n.kind === 'group' ? 10 : 4, fill, stroke: worse ? WORSE : better ? BETTER : '#8c959f', 'stroke-width': d ? 2.5 : 1 }));
    const lines = n.label || [];
    const extra = d ? layerNotes(d) : [];
    const own = lines.length - extra.length;
    lines.forEach((line, i) => {
      const note = i >= own ? extra[i - own] : null;
      const t = sv('text', { x: n.x, y: y + 15 + i * 14, 'text-anchor': 'middle', fill: '#111', class: 't' + i + (note ? ' cs-cmp-note cs-cmp-' + note.kind : '') });
      if (note && note.parts) {
        for (const p of note.parts) { const s = sv('tspan', { fill: p.color }); s.textContent = p.text; t.append(s); }
      } else {
        t.textContent = line;
        if (note) t.setAttribute('fill', note.color);
      }
      gn.append(t);
    });
    if (worse) {  // a badge that does not depend on colour alone
      const bx = x + n.w - 2, by = y + 2;
      gn.append(sv('circle', { cx: bx, cy: by, r: 8, fill: WORSE, class: 'badge' }));
      const bt = sv('text', { x: bx, y: by + 4, 'text-anchor': 'middle', fill: '#fff', 'font-weight': '700', class: 'cs-badge-text' });
      bt.textContent = '!';
      gn.append(bt);
    }
    if (d) {
      const title = sv('title');
      title.textContent = (d.id_after || '') + (d.id_before && d.id_before !== d.id_after ? ' (before: ' + d.id_before + ')' : '') +
        '\nchunks ' + (d.chunk_shape_before ?? '-') + ' → ' + (d.chunk_shape_after ?? '-') +
        '\ntasks ' + (d.tasks.change_text || '') + '\ntime ' + (d.busy_ns.change_text || '') + ' (' + word(d.busy_ns) + ')' +
        '\npeak memory ' + (d.peak_live_bytes.change_text || '') + ' (' + word(d.peak_live_bytes) + ')';
      gn.append(title);
    }
    svg.append(gn);
  }
  box.replaceChildren(svg);
  // Graphviz sized the boxes for its own font; a line the page's font draws wider is narrowed to fit.
  for (const gn of svg.querySelectorAll('g.node')) {
    const room = Math.max(10, Number(gn.querySelector('rect.box').getAttribute('width')) - 8);
    for (const t of gn.querySelectorAll('text:not(.cs-badge-text)')) {
      if (t.getComputedTextLength() > room) { t.setAttribute('textLength', room); t.setAttribute('lengthAdjust', 'spacingAndGlyphs'); }
    }
  }
  return svg;
}
