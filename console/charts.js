// Sluice web console: SVG charts of the last minute's rates (sparklines in tables, and charts
// with axes, units and a legend on a stream's page). Plain functions returning SVG text.
'use strict';

const HISTORY = 60;  // seconds of rates kept for sparklines and charts

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function fmtRate(v) {
  if (!isFinite(v) || v <= 0) return '0';
  if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (v >= 1e4) return (v / 1e3).toFixed(0) + 'k';
  if (v >= 100) return v.toFixed(0);
  return v.toFixed(1);
}

function fmtBytes(v) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : Math.round(v)) + ' ' + units[i];
}

// The smallest of 1, 2, 2.5, 5 × 10^k at or above v: a round top for an axis.
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// The path of one series, newest point at the right edge of [x0, x0 + w].
function seriesPath(series, x0, y0, w, h, max) {
  if (!series.length) return '';
  const step = w / (HISTORY - 1);
  const first = x0 + w - (series.length - 1) * step;
  return series.map((v, i) => `${i ? 'L' : 'M'}${(first + i * step).toFixed(1)},${(y0 + h - (Math.min(v, max) / max) * h).toFixed(1)}`).join('');
}

function sparkline(a, b) {
  const max = Math.max(1, ...a, ...(b || []));
  return `<svg class="spark" viewBox="0 0 120 24" preserveAspectRatio="none"><path class="in" d="${seriesPath(a, 0, 1, 120, 22, max)}"/>` +
    (b ? `<path class="out" d="${seriesPath(b, 0, 1, 120, 22, max)}"/>` : '') + '</svg>';
}

// A chart of two series over the last minute: a title, a y axis in `unit` (formatted by `fmt`)
// with round ticks and grid lines, an x axis in seconds ago, and a legend with each series'
// latest value. The "out" line is dashed and drawn over "in", so both stay visible when equal.
function chart(id, title, a, b, fmt, unit) {
  const W = 560, H = 200, left = 64, right = 12, top = 34, bottom = 26;
  const w = W - left - right, h = H - top - bottom;
  const max = niceCeil(Math.max(...a, ...b, 0));
  const parts = [`<text class="title" x="${left}" y="14">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const y = top + h - (i / 4) * h;
    parts.push(`<line class="${i ? 'grid' : 'axis'}" x1="${left}" y1="${y}" x2="${left + w}" y2="${y}"/>`,
      `<text class="tick" x="${left - 6}" y="${y + 3.5}" text-anchor="end">${esc(fmt(max * i / 4))}</text>`);
  }
  parts.push(`<text class="unit" x="${left - 6}" y="${top - 8}" text-anchor="end">${esc(unit)}</text>`);
  for (const ago of [60, 45, 30, 15, 0]) {
    const x = left + w - (ago / (HISTORY - 1)) * w;
    parts.push(`<line class="axis" x1="${x.toFixed(1)}" y1="${top + h}" x2="${x.toFixed(1)}" y2="${top + h + 4}"/>`,
      `<text class="tick" x="${x.toFixed(1)}" y="${top + h + 16}" text-anchor="middle">${ago ? `−${ago} s` : 'now'}</text>`);
  }
  const last = (s) => (s.length ? s[s.length - 1] : 0);
  const legend = [['in', 'in', last(a)], ['out', 'out', last(b)]];
  legend.forEach(([cls, label, v], i) => {
    const x = left + w - 220 + i * 110;
    parts.push(`<line class="${cls}" x1="${x}" y1="10" x2="${x + 18}" y2="10"/>`,
      `<text class="legend" x="${x + 23}" y="14">${label} <tspan class="legend-value" data-series="${cls}">${esc(fmt(v))}</tspan></text>`);
  });
  parts.push(`<path class="in" d="${seriesPath(a, left, top, w, h, max)}"/>`,
    `<path class="out" d="${seriesPath(b, left, top, w, h, max)}"/>`);
  return `<svg class="chart" id="${esc(id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}
