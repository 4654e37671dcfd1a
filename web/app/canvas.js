// Canvas helpers shared by the timeline, memory, chunk grid and minimap.

// Sizes a canvas's backing store to its CSS box × devicePixelRatio; returns its context in CSS pixels.
export function fitCanvas(c) {
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;  // CSS sets the height (style.css)
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = '11px system-ui, sans-serif';
  return ctx;
}

const hatches = new Map();  // colour -> canvas pattern: stripes of the colour over a light tint of it
function hatch(ctx, color) {
  let p = hatches.get(color);
  if (!p) {
    const c = document.createElement('canvas');
    c.width = c.height = 6;
    const g = c.getContext('2d');
    g.fillStyle = color; g.globalAlpha = 0.3; g.fillRect(0, 0, 6, 6);
    g.globalAlpha = 1; g.strokeStyle = color; g.lineWidth = 1.6;
    g.beginPath(); g.moveTo(-1, 7); g.lineTo(7, -1); g.moveTo(-1, 1); g.lineTo(1, -1); g.moveTo(5, 7); g.lineTo(7, 5); g.stroke();
    p = ctx.createPattern(c, 'repeat');
    hatches.set(color, p);
  }
  return p;
}

// A host<->device copy: stripes of its colour, outlined (a plain fill when too narrow for stripes).
export function drawTransferRect(ctx, color, x, y, w, h) {
  if (w < 3) { ctx.fillStyle = color; ctx.fillRect(x, y, w, h); return; }
  ctx.fillStyle = hatch(ctx, color);
  ctx.fillRect(x, y, w, h);
  ctx.strokeStyle = color; ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
}

// A label on a light backing, readable over curves and lines.
export function backedText(ctx, label, x, y, color) {
  const w = ctx.measureText(label).width;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.8)'; ctx.fillRect(x - 2, y - 10, w + 4, 13);
  ctx.fillStyle = color; ctx.fillText(label, x, y);
}
