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

// The smallest of 1, 2, 5 × 10^k at or above v: a round step between an axis' ticks.
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

// A tick's number: no float noise (0.30000000000000004), k and M for the large.
function fmtTick(v) {
  if (v >= 1e6) return +(v / 1e6).toPrecision(4) + 'M';
  if (v >= 1e4) return +(v / 1e3).toPrecision(4) + 'k';
  return String(+v.toPrecision(4));
}

// Axes: the unit written above the y axis, the step between its four ticks for a given largest
// value, a tick's label, and how the legend writes a series' latest value.
const RATE_AXIS = {
  unit: 'rec/s',
  step: (max) => niceCeil(max / 4),
  tick: (v) => fmtTick(v),
  value: (v) => fmtRate(v),
};
const BYTES_AXIS = {
  unit: 'bytes/s',
  // Steps in the binary unit of the largest value: 0, 512, 1 KiB, 1.5 KiB, 2 KiB.
  step: (max) => {
    let base = Math.pow(1024, Math.max(0, Math.floor(Math.log(Math.max(max, 1)) / Math.log(1024))));
    if (4 * niceCeil(max / 4 / base) >= 1024) base *= 1024;  // 2000 B is better said 2 KiB
    return Math.max(1, niceCeil(max / 4 / base) * base);
  },
  tick: (v, top) => {
    const k = Math.max(0, Math.min(4, Math.floor(Math.log(Math.max(top, 1)) / Math.log(1024))));
    return v ? `${fmtTick(v / Math.pow(1024, k))} ${['B', 'KiB', 'MiB', 'GiB', 'TiB'][k]}` : '0';
  },
  value: (v) => fmtBytes(v) + '/s',
};

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

// A chart of two series over the last minute: a title, a y axis in the axis' unit with round
// ticks and grid lines, an x axis in seconds ago, and a legend with each series' latest value.
// The "out" line is dashed and drawn over "in", so both stay visible when they are equal.
function chart(id, title, a, b, axis) {
  const W = 560, H = 200, left = 64, right = 22, top = 34, bottom = 26;
  const w = W - left - right, h = H - top - bottom;
  const step = axis.step(Math.max(...a, ...b, 0));
  const max = 4 * step;
  const parts = [`<text class="title" x="${left}" y="14">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const y = top + h - (i / 4) * h;
    parts.push(`<line class="${i ? 'grid' : 'axis'}" x1="${left}" y1="${y}" x2="${left + w}" y2="${y}"/>`,
      `<text class="tick" x="${left - 6}" y="${y + 3.5}" text-anchor="end">${esc(axis.tick(i * step, max))}</text>`);
  }
  parts.push(`<text class="unit" x="${left - 6}" y="${top - 12}" text-anchor="end">${esc(axis.unit)}</text>`);
  for (const ago of [60, 45, 30, 15, 0]) {
    const x = left + w - (ago / (HISTORY - 1)) * w;
    parts.push(`<line class="axis" x1="${x.toFixed(1)}" y1="${top + h}" x2="${x.toFixed(1)}" y2="${top + h + 4}"/>`,
      `<text class="tick" x="${x.toFixed(1)}" y="${top + h + 16}" text-anchor="middle">${ago ? `−${ago} s` : 'now'}</text>`);
  }
  const last = (s) => (s.length ? s[s.length - 1] : 0);
  [['in', last(a)], ['out', last(b)]].forEach(([cls, v], i) => {
    const x = left + w - 230 + i * 120;
    parts.push(`<line class="${cls}" x1="${x}" y1="10" x2="${x + 18}" y2="10"/>`,
      `<text class="legend" x="${x + 23}" y="14">${cls} <tspan class="legend-value" data-series="${cls}">${esc(axis.value(v))}</tspan></text>`);
  });
  parts.push(`<path class="in" d="${seriesPath(a, left, top, w, h, max)}"/>`,
    `<path class="out" d="${seriesPath(b, left, top, w, h, max)}"/>`);
  return `<svg class="chart" id="${esc(id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}
