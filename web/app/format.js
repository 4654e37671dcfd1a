// Number and text formats of the dashboard: durations, bytes, time-ruler ticks, shapes, shares,
// finding evidence. Pure functions (no DOM).

export function fmtNs(ns) {
  ns = Number(ns);
  if (!isFinite(ns)) return '-';
  if (ns < 1e3) return ns.toFixed(0) + ' ns';
  if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' µs';
  if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';
  return (ns / 1e9).toFixed(2) + ' s';
}

export function fmtBytes(b) {
  b = Number(b);
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(1) : b.toFixed(0)) + ' ' + u[i];
}

// A round step (1, 2 or 5 × 10^k ns) near `approx`, and a tick's label in the step's unit.
export function niceStep(approx) {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, approx))));
  const f = approx / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

export function fmtTick(ns, step) {
  const [div, unit] = step >= 1e9 ? [1e9, ' s'] : step >= 1e6 ? [1e6, ' ms'] : step >= 1e3 ? [1e3, ' µs'] : [1, ' ns'];
  const digits = Math.max(0, Math.ceil(-Math.log10(step / div) - 1e-9));
  return (ns / div).toFixed(Math.min(3, digits)) + unit;
}

export function shapeText(s) { return s && s.length ? s.join('×') : '()'; }

// A share (0..1) as a percentage with as many digits as it needs.
export function pct(x) {
  x *= 100;
  return (x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(1) : x.toPrecision(1)) + '%';
}

// A finding's evidence value in its unit.
export function formatEvidence(e) {
  if (e.unit === 'ns') return fmtNs(e.value);
  if (e.unit === 'B' || e.unit === 'bytes') return fmtBytes(e.value);
  if (e.unit === '%' || e.unit === 'share') return (e.unit === 'share' ? e.value * 100 : e.value).toFixed(1) + '%';
  return (Math.abs(e.value) >= 100 ? Math.round(e.value).toLocaleString() : Number(e.value).toPrecision(3)) + (e.unit ? ' ' + e.unit : '');
}
