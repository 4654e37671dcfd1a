// The memory panel: live chunk bytes over time, a chart for the host and one per GPU series
// (viz::memory_view's "devices"), on the timeline's time axis and lane-name column. Each chart is
// scaled to its own curve; its limit is drawn when it is on that scale (viz::limit_on_scale), else
// written at the top; the peak is marked, and on the host chart what holds the memory at the peak
// (each layer's bytes at that instant) as a stacked bar. Hover: the bytes of a pixel column.
//
// "total / by layer": by layer, the host chart stacks the live bytes by layer (or group / op, as the
// timeline colours them) over time — viz::memory_stack through Session.memoryStack; the bands' keys
// are listed under the title. When the trace has process resources (Session.resources), the host
// chart also draws the processes' RSS as a line over the chunk bytes, and a CPU% strip follows it.
// Nothing here recomputes the view model: it draws the columns the bridge returns.
import { el, hint } from './dom.js';
import { fmtBytes, fmtNs, pct } from './format.js';
import { backedText, fitCanvas } from './canvas.js';
import { legendKey } from './legend.js';
import { layerId } from './state.js';

const MEM_COLORS = ['#6a3d9a', '#2e8b57', '#d95f02', '#1f78b4', '#b8860b'];  // host, then one per device
const memColor = (i) => MEM_COLORS[i % MEM_COLORS.length];
const RSS_COLOR = '#222', CPU_COLOR = '#2a9d8f';

// ctx: {S, bus, idOf, tip, select}. Draws after the timeline ('timeline-drawn'); follows 'select'
// through it (the selected layer's band stands out).
export function createMemoryPanel(ctx) {
  const { S, bus, idOf, tip } = ctx;
  const hostCanvas = el('canvas', { class: 'cs-canvas cs-canvas-memory', id: idOf('cs-memory') });
  const cpuCanvas = el('canvas', { class: 'cs-canvas cs-canvas-cpu', id: idOf('cs-cpu'), hidden: '' });
  const stack = el('div', { class: 'cs-memory-stack' }, hostCanvas, cpuCanvas);  // the host chart, CPU, then one per GPU
  const legend = el('span', { class: 'cs-legend' });
  const bandLegend = el('div', { class: 'cs-legend-box cs-memory-bands', id: idOf('cs-memory-bands'), hidden: '' });
  const modeButton = (mode, text, title) => el('button', { type: 'button', class: 'cs-seg' + (mode === 'total' ? ' active' : ''), 'data-mode': mode, text, title });
  const modeTotal = modeButton('total', 'total', 'the live chunk bytes of each device');
  const modeLayers = modeButton('by-layer', 'by layer', 'the host\'s live bytes stacked by layer (or group, as the timeline colours them): what holds the memory when it peaks');
  const toggle = el('span', { class: 'cs-segmented', id: idOf('cs-memory-mode'), role: 'group', title: 'what the host chart shows' }, modeTotal, modeLayers);
  const section = el('section', { class: 'cs-panel cs-memory' },
    el('h2', {}, 'Memory', toggle, legend, hint('live chunk bytes, a chart per device · hover for the bytes at a time')), bandLegend, stack);
  const rssNote = el('span', { class: 'cs-lg-note cs-rss-note' });  // by layer: RSS above the chunks' scale
  let deviceCanvases = [];
  let chartsKey = null;
  let peakX = null;
  S.memoryMode = 'total';

  function setMode(mode) {
    S.memoryMode = mode;
    modeTotal.classList.toggle('active', mode === 'total');
    modeLayers.classList.toggle('active', mode === 'by-layer');
    chartsKey = null;  // the legend changes
    draw();
  }
  modeTotal.addEventListener('click', () => setMode('total'));
  modeLayers.addEventListener('click', () => setMode('by-layer'));

  // One canvas per device and the legend, rebuilt when the devices, the mode or the resources change.
  function syncCharts(names, limits, st, resources) {
    const bands = st ? st.bands : null;
    const key = [names.join('\n'), limits, S.memoryMode, st ? bands.map((b) => b.label + b.color).join('\n') + st.by + st.note : '', !!resources].join('\n|');
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
    // By layer the bands key the host chart (under the title); else its swatch, "chunk bytes" when RSS is drawn with it.
    const keys = names.map((n, i) => (i === 0 && bands ? null : legendKey(memColor(i), i === 0 && resources ? 'chunk bytes' : n)));
    if (resources) keys.push(legendKey(null, 'process RSS', 'cs-swatch-rss'), legendKey(CPU_COLOR, 'CPU %'));
    if (limits) keys.push(legendKey(null, 'limit', 'cs-swatch-limit'));
    legend.replaceChildren(...keys.filter(Boolean), legendKey(null, 'peak', 'cs-swatch-peak'));
    bandLegend.hidden = !bands;
    if (bands) {
      const title = el('span', { class: 'cs-lg-title', text: 'host memory by ' + (st.by === 'busiest' ? 'layer' : st.by) + ':' });
      bandLegend.replaceChildren(title, ...bands.map((b) => {
        const k = legendKey(b.color, b.label);
        k.dataset.layers = b.layers.join(',');
        return k;
      }), st.note ? el('span', { class: 'cs-lg-note', text: st.note }) : '', rssNote);
      bandLegend.title = 'bottom to top: ' + bands.map((b) => b.label).join(', ');
    }
  }

  function draw() {
    if (!S.summary) return;
    const plotW = Math.max(10, hostCanvas.clientWidth - S.laneX - 8);
    const cols = Math.round(plotW);
    const m = JSON.parse(S.session.memory(S.t0, S.t1, cols));
    const curves = [Object.assign({ device: 'host' }, m), ...(m.devices || [])];
    // By layer (the bridge has memoryStack): the host stack; resources when the trace has them.
    modeLayers.disabled = typeof S.session.memoryStack !== 'function';
    toggle.hidden = modeLayers.disabled;
    const st = S.memoryMode === 'by-layer' && !modeLayers.disabled ? JSON.parse(S.session.memoryStack(S.t0, S.t1, cols)) : null;
    const rj = typeof S.session.resources === 'function' ? JSON.parse(S.session.resources(S.t0, S.t1, cols)) : {};
    const res = rj.processes && rj.processes.length ? rj : null;
    syncCharts(curves.map((c) => c.device), curves.some((c) => c.limit > 0), st, res);
    S.memory = curves;
    S.memoryStack = st;
    S.resources = res;
    drawChart(hostCanvas, curves[0], 0, plotW, st, res);
    const rssAbove = st && res && res.rss_peak > chartTop(curves[0], st, res);
    rssNote.textContent = rssAbove ? 'process RSS (up to ' + fmtBytes(res.rss_peak) + ') is above this scale: "total" shows it' : '';
    cpuCanvas.hidden = !res;
    if (res) drawCpu(res, plotW);
    curves.slice(1).forEach((c, i) => drawChart(deviceCanvases[i], c, i + 1, plotW, null, null));
  }

  function drawChart(canvas, m, index, plotW, st, res) {
    const c = fitCanvas(canvas);
    const W = canvas.clientWidth, H = canvas.clientHeight;
    c.clearRect(0, 0, W, H);
    const color = memColor(index);
    const top = chartTop(m, st, res);
    const limitOn = m.scale.drawn;
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
    if (st && st.total.length) drawStack(c, st, xOf, yOf);
    else {
      c.beginPath();
      c.moveTo(xOf(m.t_ns[0] || S.t0), yOf(0));
      for (let i = 0; i < m.t_ns.length; i++) c.lineTo(xOf(m.t_ns[i]), yOf(m.bytes[i]));
      c.lineTo(xOf(m.t_ns[m.t_ns.length - 1] || S.t1), yOf(0));
      c.closePath();
      c.fillStyle = color + '55'; c.fill();
      c.strokeStyle = color; c.stroke();
    }
    if (res) {
      c.save();
      c.beginPath(); c.rect(laneX, 0, plotW, H); c.clip();  // by layer, RSS above the chunks' scale is cut
      drawRss(c, res, xOf, yOf);
      c.restore();
    }
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
      if (index === 0) {
        if (!st) drawPeakComposition(c, x, yOf(0), y);  // by layer, the stack's column at the peak is the composition
        peakX = x;
      }
      c.fillStyle = '#111';
      c.beginPath(); c.arc(x, y, 3, 0, 7); c.fill();
      const label = 'peak ' + fmtBytes(m.peak) + (m.peak_layer ? ' during "' + m.peak_layer + '"' : '');
      const w = c.measureText(label).width;
      backedText(c, label, x + 6 + w <= W - 8 ? x + 6 : Math.max(laneX, x - 6 - w), Math.max(12, y + 4), '#111');  // right of the dot, else left
    }
  }

  // The host chart's top: the scale of viz::limit_on_scale through the bridge (its top, whether the
  // limit is drawn). In "total" the processes' RSS is on the same axis and raises the top when it is
  // higher (the gap to the chunk bytes is memory held outside them); "by layer" keeps the chunks'
  // scale, so the bands stay readable, and says when RSS is above it.
  function chartTop(m, st, res) {
    let top = Math.max(1, m.scale.top);
    if (res && !st) for (const v of res.rss) if (v != null && v > top) top = v;
    return top;
  }

  // By layer: per column the bands stacked from the bottom (largest at the peak first); with a layer
  // selected, its band in full colour and the others faded; the total's outline on top.
  function drawStack(c, st, xOf, yOf) {
    const sel = S.view.selected ? S.summary.layers.findIndex((l) => l.id === S.view.selected) : -1;
    const n = st.total.length;
    const xs = st.t_ns.map(xOf);
    xs.push(xOf(S.t1));
    for (let col = 0; col < n; col++) {
      let cum = 0;
      const x = xs[col], w = Math.max(1, xs[col + 1] - x);
      for (const b of st.bands) {
        const v = b.bytes[col];
        if (!(v > 0)) continue;
        const y1 = yOf(cum + v), y0 = yOf(cum);
        c.fillStyle = b.color || '#9ca3af';
        c.globalAlpha = sel < 0 || b.layers.includes(sel) ? 0.9 : 0.3;
        c.fillRect(x, y1, w, y0 - y1);
        cum += v;
      }
    }
    c.globalAlpha = 1;
    c.strokeStyle = '#333'; c.lineWidth = 1;
    c.beginPath();
    for (let col = 0; col < n; col++) { const y = yOf(st.total[col]); if (col) c.lineTo(xs[col], y); else c.moveTo(xs[col], y); c.lineTo(xs[col + 1], y); }
    c.stroke();
  }

  // The processes' summed RSS as a line over the chunk bytes (gaps where not sampled).
  function drawRss(c, res, xOf, yOf) {
    const xs = res.t_ns.map(xOf);
    c.strokeStyle = RSS_COLOR; c.lineWidth = 1.5;
    c.beginPath();
    let open = false;
    for (let col = 0; col < res.rss.length; col++) {
      const v = res.rss[col];
      if (v == null) { open = false; continue; }
      if (open) c.lineTo(xs[col], yOf(v)); else c.moveTo(xs[col], yOf(v));
      open = true;
    }
    c.stroke();
    c.lineWidth = 1;
  }

  // The CPU strip under the host chart: per column the processes' summed CPU%, full height = every core busy.
  function drawCpu(res, plotW) {
    const c = fitCanvas(cpuCanvas);
    const W = cpuCanvas.clientWidth, H = cpuCanvas.clientHeight;
    c.clearRect(0, 0, W, H);
    const laneX = S.laneX, full = 100 * Math.max(1, res.cores), n = res.cpu_percent.length;
    c.strokeStyle = '#e4e4e4';
    c.strokeRect(laneX + 0.5, 2.5, plotW - 1, H - 5);
    c.font = '600 11px system-ui, sans-serif';
    c.fillStyle = CPU_COLOR;
    c.fillText('CPU', 4, 13);
    c.font = '11px system-ui, sans-serif';
    c.fillStyle = '#444';
    c.fillText('of ' + res.cores + (res.cores === 1 ? ' core' : ' cores'), 4, 26);
    let most = 0;
    c.fillStyle = CPU_COLOR;
    for (let col = 0; col < n; col++) {
      const v = res.cpu_percent[col];
      if (v == null) continue;
      most = Math.max(most, v);
      const h = Math.min(v / full, 1) * (H - 6);
      c.fillRect(laneX + col / n * plotW, H - 3 - h, Math.max(1, plotW / n), h);
    }
    const label = 'highest ' + pct(most / full) + ' of the cores';
    backedText(c, label, W - 8 - c.measureText(label).width, 13, '#444');
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
  }
  function compositionText() {
    const parts = peakComposition(), total = parts.reduce((a, p) => a + p.bytes, 0);
    return '\nat the peak, held by:' + parts.slice(0, 8).map((p) => '\n  ' + p.id + '  ' + fmtBytes(p.bytes) + ' (' + pct(p.bytes / total) + ')').join('') +
      (parts.length > 8 ? '\n  … ' + (parts.length - 8) + ' more layers' : '');
  }
  // The pixel column under the pointer, or -1.
  function columnAt(e, canvas, n) {
    const r = canvas.getBoundingClientRect();
    const col = Math.floor(e.clientX - r.left - S.laneX);
    return col >= 0 && col < n ? col : -1;
  }
  // By layer: the band under the pointer in column `col` of the host chart, or null.
  function bandAt(e, col) {
    const st = S.memoryStack;
    if (!st || col < 0 || col >= st.total.length) return null;
    const r = hostCanvas.getBoundingClientRect(), H = hostCanvas.clientHeight;
    const top = chartTop(S.memory[0], st, S.resources);
    const bytesAt = (H - 16 - (e.clientY - r.top)) / (H - 28) * top;
    let cum = 0;
    for (const b of st.bands) {
      const v = b.bytes[col] > 0 ? b.bytes[col] : 0;
      if (v > 0 && bytesAt >= cum && bytesAt <= cum + v) return b;
      cum += v;
    }
    return null;
  }
  // Tooltip of a memory chart: the device, the time under the pointer, the live bytes of that pixel
  // column (lowest..highest when it changes inside it), by layer the bands there, the RSS and the
  // unmanaged bytes, the limit and how much of it is used, the peak.
  function memoryTip(e, canvas, index) {
    const c = S.memory && S.memory[index];
    if (!c || !c.t_ns.length) return tip.hide();
    const col = columnAt(e, canvas, c.bytes.length / 2);
    if (col < 0) return tip.hide();
    const r = canvas.getBoundingClientRect();
    const lo = c.bytes[2 * col], hi = c.bytes[2 * col + 1];
    const t = S.t0 + (col + 0.5) / (c.bytes.length / 2) * (S.t1 - S.t0);
    let text = c.device + ' at ' + fmtNs(t) + '\n' +
      (lo === hi ? fmtBytes(hi) + ' live' : fmtBytes(lo) + ' to ' + fmtBytes(hi) + ' live in this pixel (zoom in for the steps)');
    const st = index === 0 ? S.memoryStack : null;
    if (st && col < st.total.length) {
      const under = bandAt(e, col);
      const rows = st.bands.filter((b) => b.bytes[col] > 0).reverse();  // top of the stack first
      text += '\nat ' + fmtNs(st.at_ns[col]) + ', by ' + (st.by === 'busiest' ? 'layer' : st.by) + ':' +
        rows.slice(0, 8).map((b) => '\n' + (b === under ? '> ' : '  ') + b.label + '  ' + fmtBytes(b.bytes[col]) + ' (' + pct(st.total[col] > 0 ? b.bytes[col] / st.total[col] : 0) + ')').join('') +
        (rows.length > 8 ? '\n  … ' + (rows.length - 8) + ' more' : '') + (under && under.layers.length === 1 ? '\n(click to select "' + under.label + '")' : '');
    }
    const res = index === 0 ? S.resources : null;
    if (res && col < res.rss.length && res.rss[col] != null) {
      text += '\nprocess RSS ' + fmtBytes(res.rss[col]);
      if (res.unmanaged && res.unmanaged[col] != null) text += '\nunmanaged ' + fmtBytes(res.unmanaged[col]) + ' (' + res.unmanaged_note + ')';
    }
    text += '\n' + (c.limit > 0 ? 'limit ' + fmtBytes(c.limit) + ', ' + pct(hi / c.limit) + ' used' : 'no limit') +
      (c.peak > 0 ? '\npeak ' + fmtBytes(c.peak) + ' at ' + fmtNs(c.peak_t) + (c.peak_layer ? ' during "' + c.peak_layer + '"' : '') : '') +
      (index === 0 && !st && peakX != null && Math.abs(e.clientX - r.left - peakX) <= 5 ? compositionText() : '');
    tip.show(e, text);
  }
  function cpuTip(e) {
    const res = S.resources;
    if (!res) return tip.hide();
    const r = cpuCanvas.getBoundingClientRect(), plotW = Math.max(10, cpuCanvas.clientWidth - S.laneX - 8);
    const col = Math.floor((e.clientX - r.left - S.laneX) / plotW * res.cpu_percent.length);
    if (col < 0 || col >= res.cpu_percent.length || res.cpu_percent[col] == null) return tip.hide();
    const full = 100 * Math.max(1, res.cores);
    tip.show(e, 'CPU at ' + fmtNs(res.t_ns[col]) + ': ' + Math.round(res.cpu_percent[col]) + '% (' + pct(res.cpu_percent[col] / full) + ' of ' + res.cores + ' cores; 100% = one core busy)' +
      res.processes.filter((p) => p.cpu_percent[col] != null).map((p) => '\n  ' + p.process + ': ' + Math.round(p.cpu_percent[col]) + '%, RSS ' + (p.rss[col] == null ? '-' : fmtBytes(p.rss[col]))).join(''));
  }
  hostCanvas.addEventListener('mousemove', (e) => memoryTip(e, hostCanvas, 0));
  hostCanvas.addEventListener('mouseleave', tip.hide);
  hostCanvas.addEventListener('click', (e) => {  // by layer: a click on a band of one layer selects it
    const b = bandAt(e, columnAt(e, hostCanvas, S.memoryStack ? S.memoryStack.total.length : 0));
    if (b && b.layers.length === 1) ctx.select(layerId(S, b.layers[0]), true);
  });
  cpuCanvas.addEventListener('mousemove', cpuTip);
  cpuCanvas.addEventListener('mouseleave', tip.hide);
  bus.on('timeline-drawn', draw);

  return { section, draw, setMode };
}
