// Sluice web console: plain JavaScript, no build step, no external resources.
// Reads /console/api/* once a second and turns cumulative counters into rates;
// every action goes through the Kinesis API (POST /) like any other client.
'use strict';

const HISTORY = 60;          // seconds of rates kept for sparklines and charts
const PAGE_SIZE = 50;        // shards per page on the stream page
const view = document.getElementById('view');
const statusLine = document.getElementById('status');

let defaults = { account: '000000000000', region: 'us-east-1' };
let timer = null;
let route = null;

// ---------------------------------------------------------------- helpers

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
  return (i ? v.toFixed(1) : v) + ' ' + units[i];
}

// The credential scope picks the namespace of an unsigned request: the region, and the
// account when the access key is 12 digits (the server accepts any credentials).
function authFor(ns) {
  return `AWS4-HMAC-SHA256 Credential=${ns.account}/20200101/${ns.region}/kinesis/aws4_request, ` +
    'SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000';
}

async function kinesis(op, body, ns = defaults) {
  const headers = {
    'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'Kinesis_20131202.' + op,
  };
  if (ns && ns.account && ns.region) {
    headers['X-Amz-Date'] = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    headers.Authorization = authFor(ns);
  }
  const res = await fetch('/', { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${(json.__type || res.status).toString().split('#').pop()}: ${json.message || json.Message || ''}`);
  return json;
}

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

function say(msg, error = false) {
  statusLine.textContent = msg;
  statusLine.className = error ? 'error' : 'muted';
}

async function act(what, fn) {
  try {
    say(what + '…');
    await fn();
    say(what + ': done');
  } catch (err) {
    say(what + ': ' + err.message, true);
  }
}

// Rates from cumulative counters: rate(key, value, now) remembers the last value.
class RateTracker {
  constructor() { this.last = new Map(); this.history = new Map(); }
  update(key, values, nowMs) {
    const prev = this.last.get(key);
    this.last.set(key, { values, nowMs });
    let rates = values.map(() => 0);
    if (prev && nowMs > prev.nowMs) {
      const dt = (nowMs - prev.nowMs) / 1000;
      rates = values.map((v, i) => Math.max(0, (v - prev.values[i]) / dt));
    } else if (prev) {
      return this.current(key);
    }
    let h = this.history.get(key);
    if (!h) { h = values.map(() => []); this.history.set(key, h); }
    rates.forEach((r, i) => { h[i].push(r); if (h[i].length > HISTORY) h[i].shift(); });
    return rates;
  }
  current(key) {
    const h = this.history.get(key);
    return h ? h.map((s) => (s.length ? s[s.length - 1] : 0)) : [0, 0];
  }
  series(key, i) {
    const h = this.history.get(key);
    return h ? h[i] : [];
  }
}

function path(series, w, h, max) {
  if (!series.length) return '';
  const step = w / (HISTORY - 1);
  const x0 = w - (series.length - 1) * step;
  return series.map((v, i) => `${i ? 'L' : 'M'}${(x0 + i * step).toFixed(1)},${(h - 1 - (v / max) * (h - 2)).toFixed(1)}`).join('');
}

function sparkline(a, b) {
  const max = Math.max(1, ...a, ...(b || []));
  return `<svg class="spark" viewBox="0 0 120 24" preserveAspectRatio="none"><path class="in" d="${path(a, 120, 24, max)}"/>` +
    (b ? `<path class="out" d="${path(b, 120, 24, max)}"/>` : '') + '</svg>';
}

function chart(a, b, label) {
  const w = 600, h = 160;
  const max = Math.max(1, ...a, ...b);
  return `<div class="muted">top of the scale: ${esc(fmtRate(max))} ${esc(label)}</div>` +
    `<svg class="chart" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none">` +
    `<line class="axis" x1="0" y1="${h - 1}" x2="${w}" y2="${h - 1}"/>` +
    `<path class="in" d="${path(a, w, h, max)}"/><path class="out" d="${path(b, w, h, max)}"/></svg>`;
}

const streamRates = new RateTracker();
const shardRates = new RateTracker();
const nsKey = (s) => `${s.account}/${s.region}/${s.name}`;
const streamHash = (s) => `#/stream/${encodeURIComponent(s.account)}/${encodeURIComponent(s.region)}/${encodeURIComponent(s.name)}`;

// ---------------------------------------------------------------- streams list

function renderStreamsPage() {
  view.innerHTML = `
    <h1>Streams</h1>
    <div class="panel row">
      <strong>Create</strong>
      <input id="new-name" placeholder="stream name" size="24">
      <select id="new-mode"><option>PROVISIONED</option><option>ON_DEMAND</option></select>
      <label>shards <input id="new-shards" type="number" min="1" value="1" style="width:6em"></label>
      <button id="create">Create stream</button>
    </div>
    <table id="streams"><thead><tr>
      <th>Stream</th><th>Account / region</th><th>Status</th><th>Mode</th><th class="num">Open shards</th>
      <th class="num">Retention</th><th class="num">On disk</th><th class="num">In rec/s</th><th class="num">Out rec/s</th>
      <th>Last 60 s</th><th></th></tr></thead><tbody></tbody></table>
    <p class="muted"><span class="legend-in">■ in</span> <span class="legend-out">■ out</span> (records/s)</p>`;
  document.getElementById('create').onclick = () => act('CreateStream', async () => {
    const name = document.getElementById('new-name').value.trim();
    const mode = document.getElementById('new-mode').value;
    const body = { StreamName: name, StreamModeDetails: { StreamMode: mode } };
    if (mode === 'PROVISIONED') body.ShardCount = Number(document.getElementById('new-shards').value);
    await kinesis('CreateStream', body);
    await refreshStreams();
  });
  view.querySelector('#streams tbody').onclick = (e) => {
    const btn = e.target.closest('button[data-delete]');
    if (!btn) return;
    const [account, region, name] = JSON.parse(btn.dataset.delete);
    if (!confirm(`Delete stream ${name}?`)) return;
    act('DeleteStream', async () => {
      await kinesis('DeleteStream', { StreamName: name, EnforceConsumerDeletion: true }, { account, region });
      await refreshStreams();
    });
  };
}

async function refreshStreams() {
  const data = await getJson('/console/api/streams');
  defaults = { account: data.default_account, region: data.default_region };
  const rows = data.streams.map((s) => {
    const key = nsKey(s);
    const [inRate, outRate] = streamRates.update(key, [s.in_records, s.out_records], data.now_ms);
    return `<tr data-stream="${esc(s.name)}">
      <td><a href="${streamHash(s)}">${esc(s.name)}</a></td>
      <td class="muted">${esc(s.account)} / ${esc(s.region)}</td>
      <td class="status">${esc(s.status)}</td><td>${esc(s.mode)}</td>
      <td class="num">${s.open_shards}</td><td class="num">${s.retention_hours} h</td>
      <td class="num">${fmtBytes(s.bytes_on_disk)}</td>
      <td class="num rate-in">${fmtRate(inRate)}</td><td class="num rate-out">${fmtRate(outRate)}</td>
      <td>${sparkline(streamRates.series(key, 0), streamRates.series(key, 1))}</td>
      <td><button data-delete="${esc(JSON.stringify([s.account, s.region, s.name]))}">Delete</button></td></tr>`;
  });
  const tbody = view.querySelector('#streams tbody');
  if (tbody) tbody.innerHTML = rows.join('') || '<tr><td colspan="11" class="muted">No streams yet.</td></tr>';
}

// ---------------------------------------------------------------- one stream

const streamState = { ns: null, name: '', page: 0, shards: [], consumers: [], arn: '', metaAt: 0, counters: [] };

function renderStreamPage(account, region, name) {
  Object.assign(streamState, { ns: { account, region }, name, page: 0, shards: [], consumers: [], arn: '', metaAt: 0, counters: [] });
  view.innerHTML = `
    <h1>Stream <span id="stream-name">${esc(name)}</span> <span class="muted">${esc(account)} / ${esc(region)}</span></h1>
    <div class="panel stats" id="stream-stats"></div>
    <div id="stream-chart"></div>
    <p class="muted"><span class="legend-in">■ in</span> <span class="legend-out">■ out</span> records/s, last 60 s</p>
    <div class="panel">
      <div class="row"><strong>Put a test record</strong>
        <input id="put-key" placeholder="partition key" value="console">
        <input id="put-data" placeholder="data" size="40" value='{"hello":"sluice"}'>
        <button id="put">Put record</button></div>
      <div class="row" style="margin-top:.5em"><strong>Reshard</strong>
        <label>target open shards <input id="scale-to" type="number" min="1" style="width:6em"></label>
        <button id="scale">Update shard count</button>
        <input id="split-shard" placeholder="shard to split" size="22"><button id="split">Split at midpoint</button>
        <input id="merge-a" placeholder="shard" size="22"><input id="merge-b" placeholder="adjacent shard" size="22">
        <button id="merge">Merge</button></div>
    </div>
    <h2>Shards</h2>
    <div class="pager" id="pager"></div>
    <table id="shards"><thead><tr><th>Shard</th><th>State</th><th>Hash range</th><th>Parents</th>
      <th class="num">In rec/s</th><th class="num">In B/s</th><th class="num">Out rec/s</th><th class="num">Iterator age</th>
      <th>Last 60 s</th><th></th></tr></thead><tbody></tbody></table>
    <h2>Lineage</h2><pre id="lineage"></pre>
    <h2>Consumers</h2><div id="consumers" class="muted">none</div>`;
  const ns = streamState.ns;
  document.getElementById('put').onclick = () => act('PutRecord', async () => {
    const r = await kinesis('PutRecord', {
      StreamName: name, PartitionKey: document.getElementById('put-key').value || 'console',
      Data: btoa(unescape(encodeURIComponent(document.getElementById('put-data').value))),
    }, ns);
    say(`PutRecord: ${r.ShardId} ${r.SequenceNumber}`);
  });
  document.getElementById('scale').onclick = () => act('UpdateShardCount', async () => {
    await kinesis('UpdateShardCount', { StreamName: name, ScalingType: 'UNIFORM_SCALING',
      TargetShardCount: Number(document.getElementById('scale-to').value) }, ns);
    streamState.metaAt = 0;
  });
  document.getElementById('split').onclick = () => act('SplitShard', async () => {
    const id = document.getElementById('split-shard').value.trim();
    const shard = streamState.shards.find((s) => s.ShardId === id);
    if (!shard) throw new Error(`no shard ${id}`);
    const lo = BigInt(shard.HashKeyRange.StartingHashKey), hi = BigInt(shard.HashKeyRange.EndingHashKey);
    await kinesis('SplitShard', { StreamName: name, ShardToSplit: id, NewStartingHashKey: ((lo + hi + 1n) / 2n).toString() }, ns);
    streamState.metaAt = 0;
  });
  document.getElementById('merge').onclick = () => act('MergeShards', async () => {
    await kinesis('MergeShards', { StreamName: name, ShardToMerge: document.getElementById('merge-a').value.trim(),
      AdjacentShardToMerge: document.getElementById('merge-b').value.trim() }, ns);
    streamState.metaAt = 0;
  });
  document.getElementById('pager').onclick = (e) => {
    const b = e.target.closest('button[data-page]');
    if (!b) return;
    streamState.page = Number(b.dataset.page);
    renderShardRows();
  };
}

async function refreshStreamMeta() {
  const { ns, name } = streamState;
  const shards = [];
  let token;
  do {
    const r = await kinesis('ListShards', token ? { NextToken: token, MaxResults: 1000 } : { StreamName: name, MaxResults: 1000 }, ns);
    shards.push(...r.Shards);
    token = r.NextToken;
  } while (token);
  streamState.shards = shards;
  const summary = (await kinesis('DescribeStreamSummary', { StreamName: name }, ns)).StreamDescriptionSummary;
  streamState.arn = summary.StreamARN;
  try {
    streamState.consumers = (await kinesis('ListStreamConsumers', { StreamARN: summary.StreamARN }, ns)).Consumers || [];
  } catch (err) {
    streamState.consumers = [];
  }
  streamState.metaAt = Date.now();
  renderLineage();
  const c = document.getElementById('consumers');
  c.innerHTML = streamState.consumers.length
    ? '<table><tr><th>Consumer</th><th>Status</th><th>Created</th></tr>' + streamState.consumers.map((x) =>
      `<tr><td>${esc(x.ConsumerName)}</td><td>${esc(x.ConsumerStatus)}</td><td>${esc(new Date(x.ConsumerCreationTimestamp * 1000).toISOString())}</td></tr>`).join('') + '</table>'
    : 'none';
}

function renderLineage() {
  const byParent = new Map();
  const roots = [];
  for (const s of streamState.shards) {
    if (s.ParentShardId && streamState.shards.some((p) => p.ShardId === s.ParentShardId)) {
      if (!byParent.has(s.ParentShardId)) byParent.set(s.ParentShardId, []);
      byParent.get(s.ParentShardId).push(s);
    } else {
      roots.push(s);
    }
  }
  const lines = [];
  const walk = (s, depth) => {
    if (lines.length > 2000) return;
    const closed = s.SequenceNumberRange && s.SequenceNumberRange.EndingSequenceNumber ? ' (closed)' : '';
    const adj = s.AdjacentParentShardId ? `  + ${s.AdjacentParentShardId}` : '';
    lines.push(`${'  '.repeat(depth)}${depth ? '└ ' : ''}${s.ShardId}${closed}${adj}`);
    for (const c of byParent.get(s.ShardId) || []) walk(c, depth + 1);
  };
  roots.forEach((r) => walk(r, 0));
  if (lines.length > 2000) lines.push('…');
  document.getElementById('lineage').textContent = lines.join('\n');
}

function shortKey(k) {
  return k.length > 12 ? k.slice(0, 6) + '…' + k.slice(-4) : k;
}

function renderShardRows() {
  const counters = streamState.counters;
  const pages = Math.max(1, Math.ceil(counters.length / PAGE_SIZE));
  streamState.page = Math.min(streamState.page, pages - 1);
  const first = streamState.page * PAGE_SIZE;
  const meta = new Map(streamState.shards.map((s) => [s.ShardId, s]));
  const key = nsKey({ ...streamState.ns, name: streamState.name });
  const rows = counters.slice(first, first + PAGE_SIZE).map(([id, open, , , , , age]) => {
    const m = meta.get(id);
    const k = key + '#' + id;
    const [inRec, inBytes, outRec] = shardRates.current(k);
    const range = m ? `${shortKey(m.HashKeyRange.StartingHashKey)} – ${shortKey(m.HashKeyRange.EndingHashKey)}` : '';
    const parents = m ? [m.ParentShardId, m.AdjacentParentShardId].filter(Boolean).join(', ') : '';
    return `<tr data-shard="${esc(id)}"><td>${esc(id)}</td><td>${open ? 'open' : 'closed'}</td>
      <td class="muted" title="${m ? esc(m.HashKeyRange.StartingHashKey + ' – ' + m.HashKeyRange.EndingHashKey) : ''}">${esc(range)}</td>
      <td class="muted">${esc(parents)}</td>
      <td class="num rate-in">${fmtRate(inRec)}</td><td class="num">${fmtBytes(inBytes)}/s</td>
      <td class="num rate-out">${fmtRate(outRec)}</td><td class="num">${age} ms</td>
      <td>${sparkline(shardRates.series(k, 0), shardRates.series(k, 2))}</td>
      <td><a href="#/records/${encodeURIComponent(streamState.ns.account)}/${encodeURIComponent(streamState.ns.region)}/${encodeURIComponent(streamState.name)}/${encodeURIComponent(id)}">records</a></td></tr>`;
  });
  view.querySelector('#shards tbody').innerHTML = rows.join('');
  const pager = document.getElementById('pager');
  if (pages <= 1) {
    pager.innerHTML = '';
  } else {
    const buttons = [];
    for (let p = 0; p < pages; p++) {
      if (p === 0 || p === pages - 1 || Math.abs(p - streamState.page) <= 3) {
        buttons.push(`<button data-page="${p}" ${p === streamState.page ? 'disabled' : ''}>${p + 1}</button>`);
      } else if (buttons[buttons.length - 1] !== '…') {
        buttons.push('…');
      }
    }
    pager.innerHTML = `${counters.length} shards, page ${streamState.page + 1} of ${pages}: ${buttons.join(' ')}`;
  }
}

async function refreshStream() {
  const { ns, name } = streamState;
  const q = `name=${encodeURIComponent(name)}&account=${encodeURIComponent(ns.account)}&region=${encodeURIComponent(ns.region)}`;
  const s = await getJson('/console/api/stream?' + q);
  const key = nsKey(s);
  const [inRate, outRate] = streamRates.update(key, [s.in_records, s.out_records], s.now_ms);
  const [inBytes] = streamRates.update(key + '#bytes', [s.in_bytes], s.now_ms);
  for (const [id, , inRec, inB, outRec, outB] of s.shard_counters) {
    shardRates.update(key + '#' + id, [inRec, inB, outRec, outB], s.now_ms);
  }
  streamState.counters = s.shard_counters;
  document.getElementById('stream-stats').innerHTML =
    `<span>Status <strong id="stream-status">${esc(s.status)}</strong></span><span>Mode ${esc(s.mode)}</span>` +
    `<span>Open shards ${s.open_shards} of ${s.shards}</span><span>Retention ${s.retention_hours} h</span>` +
    `<span>On disk ${fmtBytes(s.bytes_on_disk)}</span>` +
    `<span>In <strong id="stream-rate-in">${fmtRate(inRate)}</strong> rec/s (${fmtBytes(inBytes)}/s)</span>` +
    `<span>Out <strong id="stream-rate-out">${fmtRate(outRate)}</strong> rec/s</span>`;
  document.getElementById('stream-chart').innerHTML = chart(streamRates.series(key, 0), streamRates.series(key, 1), 'records/s');
  const scaleTo = document.getElementById('scale-to');
  if (!scaleTo.value) scaleTo.value = s.open_shards;
  if (Date.now() - streamState.metaAt > 5000 || streamState.shards.length === 0) await refreshStreamMeta();
  renderShardRows();
}

// ---------------------------------------------------------------- records

function decodeBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function showData(bytes, format) {
  if (format === 'hex') {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (format === 'json') {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (err) { return text + '\n(not JSON)'; }
  }
  return text;
}

const recordState = { ns: null, stream: '', shard: '' };

function renderRecordsPage(account, region, stream, shard) {
  Object.assign(recordState, { ns: { account: account || '', region: region || '' }, stream: stream || '', shard: shard || 'shardId-000000000000' });
  view.innerHTML = `
    <h1>Records</h1>
    <div class="panel row">
      <input id="rec-stream" placeholder="stream" value="${esc(recordState.stream)}">
      <input id="rec-shard" placeholder="shard" size="22" value="${esc(recordState.shard)}">
      <select id="rec-from"><option value="latest">latest N</option><option value="time">from a time</option></select>
      <input id="rec-time" type="datetime-local" step="1">
      <label>N <input id="rec-n" type="number" min="1" max="1000" value="20" style="width:5em"></label>
      <select id="rec-format"><option value="text">text</option><option value="json">JSON</option><option value="hex">hex</option></select>
      <button id="rec-load">Load</button>
      <label><input id="rec-follow" type="checkbox"> refresh every second</label>
    </div>
    <table id="records"><thead><tr><th>Sequence number</th><th>Arrived</th><th>Partition key</th><th>Data</th></tr></thead><tbody></tbody></table>`;
  document.getElementById('rec-load').onclick = () => act('Load records', loadRecords);
  document.getElementById('rec-format').onchange = () => act('Load records', loadRecords);
  if (recordState.stream) act('Load records', loadRecords);
}

async function loadRecords() {
  const stream = document.getElementById('rec-stream').value.trim();
  const shard = document.getElementById('rec-shard').value.trim();
  const n = Number(document.getElementById('rec-n').value) || 20;
  const format = document.getElementById('rec-format').value;
  const ns = recordState.ns;
  let records;
  if (document.getElementById('rec-from').value === 'time') {
    const t = document.getElementById('rec-time').value;
    const it = await kinesis('GetShardIterator', { StreamName: stream, ShardId: shard, ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: (t ? new Date(t).getTime() : Date.now() - 3600 * 1000) / 1000 }, ns);
    const r = await kinesis('GetRecords', { ShardIterator: it.ShardIterator, Limit: n }, ns);
    records = r.Records.map((x) => ({ seq: x.SequenceNumber, arrival_ms: x.ApproximateArrivalTimestamp * 1000, key: x.PartitionKey, data: x.Data }));
  } else {
    const q = `stream=${encodeURIComponent(stream)}&shard=${encodeURIComponent(shard)}&n=${n}` +
      `&account=${encodeURIComponent(ns.account)}&region=${encodeURIComponent(ns.region)}`;
    records = (await getJson('/console/api/records?' + q)).records;
  }
  view.querySelector('#records tbody').innerHTML = records.map((r) => `<tr>
    <td class="muted">${esc(r.seq)}</td><td>${esc(new Date(r.arrival_ms).toISOString())}</td><td>${esc(r.key)}</td>
    <td class="data">${esc(showData(decodeBase64(r.data), format))}</td></tr>`).join('') ||
    '<tr><td colspan="4" class="muted">No records.</td></tr>';
}

// ---------------------------------------------------------------- routing

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'stream' && parts.length >= 4) return { page: 'stream', args: parts.slice(1, 4) };
  if (parts[0] === 'records') return { page: 'records', args: parts.slice(1, 5) };
  return { page: 'streams', args: [] };
}

let busy = false;

async function tick() {
  if (busy) return;  // a slow answer: skip a beat rather than pile up requests
  busy = true;
  try {
    if (route.page === 'streams') await refreshStreams();
    else if (route.page === 'stream') await refreshStream();
    else if (route.page === 'records' && document.getElementById('rec-follow').checked) await loadRecords();
  } catch (err) {
    say(err.message, true);
  } finally {
    busy = false;
  }
}

function navigate() {
  route = parseRoute();
  if (timer) clearInterval(timer);
  if (route.page === 'stream') renderStreamPage(...route.args);
  else if (route.page === 'records') renderRecordsPage(...route.args);
  else renderStreamsPage();
  tick();
  timer = setInterval(tick, 1000);
}

window.addEventListener('hashchange', navigate);
navigate();
