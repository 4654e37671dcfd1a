// The memory panel: live chunk bytes over time, a chart for the host and one per GPU series
// (viz::memory_view's "devices"), on the timeline's time axis and lane-name column. Each chart is
// scaled to its own curve; its limit is drawn when it is on that scale (viz::limit_on_scale), else
// written at the top; the peak is marked, and on the host chart what holds the memory at the peak
// (each layer's bytes at that instant) as a stacked bar. Hover: the bytes of a pixel column.
import { el, hint } from './dom.js';
import { fmtBytes, fmtNs, pct } from './format.js';
import { backedText, fitCanvas } from './canvas.js';
import { legendKey } from './legend.js';

const MEM_COLORS = ['#6a3d9a', '#2e8b57', '#d95f02', '#1f78b4', '#b8860b'];  // host, then one per device
const memColor = (i) => MEM_COLORS[i % MEM_COLORS.length];

// ctx: {S, bus, idOf, tip}. Draws after the timeline ('timeline-drawn').
export function createMemoryPanel(ctx) {
  const { S, bus, idOf, tip } = ctx;
  const hostCanvas = el('canvas', { class: 'cs-canvas cs-canvas-memory', id: idOf('cs-memory') });
  const stack = el('div', { class: 'cs-memory-stack' }, hostCanvas);  // the host chart, then one per GPU
  const legend = el('span', { class: 'cs-legend' });
  const section = el('section', { class: 'cs-panel cs-memory' },
    el('h2', {}, 'Memory', legend, hint('live chunk bytes, a chart per device · hover for the bytes at a time')), stack);
  let deviceCanvases = [];
  let chartsKey = null;
  let peakX = null;

  // One canvas per device and the legend, rebuilt when the trace's device names change.
  function syncCharts(names, limits) {
    const key = names.join('\n') + (limits ? '\nlimit' : '');
    if (chartsKey === key) return;
    chartsKey = key;
    for (const c of deviceCanvases) c.remove();
    deviceCanvases = names.slice(1).map((name, i) => {
      const c = el('canvas', { class: 'cs-canvas cs-canvas-memory cs-canvas-device', id: idOf('cs-memory-' + (i + 1)), 'data-device': name });
      c.addEventListener('mousemove', (e) => memoryTip(e, c, i + 1));
      c.addEventListener('mouseleave', tip.hide);
      stack.append(c);
      return c;
    });
    const keys = names.map((n, i) => legendKey(memColor(i), n));
    if (limits) keys.push(legendKey(null, 'limit', 'cs-swatch-limit'));
    legend.replaceChildren(...keys, legendKey(null, 'peak', 'cs-swatch-peak'));
  }

  function draw() {
    if (!S.summary) return;
    const plotW = Math.max(10, hostCanvas.clientWidth - S.laneX - 8);
    const m = JSON.parse(S.session.memory(S.t0, S.t1, Math.round(plotW)));
    const curves = [Object.assign({ device: 'host' }, m), ...(m.devices || [])];
    syncCharts(curves.map((c) => c.device), curves.some((c) => c.limit > 0));
    S.memory = curves;
    drawChart(hostCanvas, curves[0], 0, plotW);
    curves.slice(1).forEach((c, i) => drawChart(deviceCanvases[i], c, i + 1, plotW));
  }

  function drawChart(canvas, m, index, plotW) {
    const c = fitCanvas(canvas);
    const W = canvas.clientWidth, H = canvas.clientHeight;
    c.clearRect(0, 0, W, H);
    const color = memColor(index);
    // The scale (viz::limit_on_scale through the bridge): its top, whether the limit is drawn.
    const top = Math.max(1, m.scale.top), limitOn = m.scale.drawn;
    const laneX = S.laneX;
    const yOf = (b) => H - 16 - (b / top) * (H - 28);
    const xOf = (t) => laneX + (t - S.t0) / Math.max(1, S.t1 - S.t0) * plotW;
    c.font = '600 11px system-ui, sans-serif';
    c.fillStyle = color;
    c.fillText(m.device, 4, 14);
    c.font = '11px system-ui, sans-serif';
    c.fillStyle = '#444';
    c.fillText(fmtBytes(top), 4, 28);
    c.fillText('0', 4, H - 16);
    c.strokeStyle = '#e4e4e4'; c.lineWidth = 1;
    c.beginPath(); c.moveTo(laneX, Math.round(yOf(0)) + 0.5); c.lineTo(laneX + plotW, Math.round(yOf(0)) + 0.5); c.stroke();
    c.beginPath();
    c.moveTo(xOf(m.t_ns[0] || S.t0), yOf(0));
    for (let i = 0; i < m.t_ns.length; i++) c.lineTo(xOf(m.t_ns[i]), yOf(m.bytes[i]));
    c.lineTo(xOf(m.t_ns[m.t_ns.length - 1] || S.t1), yOf(0));
    c.closePath();
    c.fillStyle = color + '55'; c.fill();
    c.strokeStyle = color; c.stroke();
    if (limitOn) {
      const y = Math.round(yOf(m.limit)) + 0.5;  // on a pixel row: a crisp dash
      c.setLineDash([6, 4]); c.strokeStyle = '#d62728'; c.beginPath(); c.moveTo(laneX, y); c.lineTo(W - 8, y); c.stroke(); c.setLineDash([]);
      const label = 'limit ' + fmtBytes(m.limit);
      backedText(c, label, W - 8 - c.measureText(label).width, y < 24 ? y + 13 : y - 4, '#d62728');  // under the line at the top
    } else if (m.limit > 0) {  // far above the curve: said, not drawn
      const label = '\u2191 ' + m.scale.note;
      backedText(c, label, W - 8 - c.measureText(label).width, 11, '#d62728');
    }
    if (m.peak > 0 && m.peak_t >= S.t0 && m.peak_t <= S.t1) {
      const x = xOf(m.peak_t), y = yOf(m.peak);
      if (index === 0) drawPeakComposition(c, x, yOf(0), y);
      c.fillStyle = '#111';
      c.beginPath(); c.arc(x, y, 3, 0, 7); c.fill();
      const label = 'peak ' + fmtBytes(m.peak) + (m.peak_layer ? ' during "' + m.peak_layer + '"' : '');
      const w = c.measureText(label).width;
      backedText(c, label, x + 6 + w <= W - 8 ? x + 6 : Math.max(laneX, x - 6 - w), Math.max(12, y + 4), '#111');  // right of the dot, else left
    }
  }

  // What holds the memory at the host peak: each layer's bytes live at that instant (LayerStats::
  // peak_held_bytes, docs/viz.md "What peak means"), largest first.
  function peakComposition() {
    const ls = S.summary.layers.map((l, i) => ({ i, id: l.id, bytes: l.peak_held_bytes, color: l.color })).filter((l) => l.bytes > 0);
    return ls.sort((a, b) => b.bytes - a.bytes);
  }
  // Drawn at the peak as a stacked bar from 0 to the peak, a segment per layer in its timeline colour;
  // the selected layer's segment outlined.
  function drawPeakComposition(c, x, y0, yPeak) {
    const parts = peakComposition();
    const total = parts.reduce((a, p) => a + p.bytes, 0);
    if (!total) return;
    const sel = S.view.selected;
    let y = y0;
    for (const p of parts) {
      const h = (y0 - yPeak) * p.bytes / total;
      c.fillStyle = p.color || '#888';
      c.fillRect(x - 4, y - h, 8, h);
      if (p.id === sel) { c.strokeStyle = '#111'; c.lineWidth = 1.5; c.strokeRect(x - 4.5, y - h, 9, h); }
      y -= h;
    }
    peakX = x;
  }
  function compositionText() {
    const parts = peakComposition(), total = parts.reduce((a, p) => a + p.bytes, 0);
    return '\nat the peak, held by:' + parts.slice(0, 8).map((p) => '\n  ' + p.id + '  ' + fmtBytes(p.bytes) + ' (' + pct(p.bytes / total) + ')').join('') +
      (parts.length > 8 ? '\n  … ' + (parts.length - 8) + ' more layers' : '');
  }
  // Tooltip of a memory chart: the device, the time under the pointer, the live bytes of that pixel
  // column (lowest..highest when it changes inside it), the limit and how much of it is used, the peak.
  function memoryTip(e, canvas, index) {
    const c = S.memory && S.memory[index];
    if (!c || !c.t_ns.length) return tip.hide();
    const r = canvas.getBoundingClientRect();
    const col = Math.floor(e.clientX - r.left - S.laneX);
    if (col < 0 || 2 * col + 1 >= c.bytes.length) return tip.hide();
    const lo = c.bytes[2 * col], hi = c.bytes[2 * col + 1];
    const t = S.t0 + (col + 0.5) / (c.bytes.length / 2) * (S.t1 - S.t0);
    tip.show(e, c.device + ' at ' + fmtNs(t) + '\n' +
      (lo === hi ? fmtBytes(hi) + ' live' : fmtBytes(lo) + ' to ' + fmtBytes(hi) + ' live in this pixel (zoom in for the steps)') + '\n' +
      (c.limit > 0 ? 'limit ' + fmtBytes(c.limit) + ', ' + pct(hi / c.limit) + ' used' : 'no limit') +
      (c.peak > 0 ? '\npeak ' + fmtBytes(c.peak) + ' at ' + fmtNs(c.peak_t) + (c.peak_layer ? ' during "' + c.peak_layer + '"' : '') : '') +
      (index === 0 && peakX != null && Math.abs(e.clientX - r.left - peakX) <= 5 ? compositionText() : ''));
  }
  hostCanvas.addEventListener('mousemove', (e) => memoryTip(e, hostCanvas, 0));
  hostCanvas.addEventListener('mouseleave', tip.hide);
  bus.on('timeline-drawn', draw);

  return { section, draw };
}
