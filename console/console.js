// Sluice web console: plain JavaScript, no build step, no external resources.
// Reads /console/api/* once a second and turns cumulative counters into rates;
// every action goes through the Kinesis API (POST /) like any other client.
// Charts are drawn by charts.js, the shard lineage by lineage.js (loaded first).
'use strict';

const PAGE_SIZE = 50;        // shards per page on the stream page
const view = document.getElementById('view');
const statusLine = document.getElementById('status');

let defaults = { account: '000000000000', region: 'us-east-1' };
let timer = null;
let route = null;

// ---------------------------------------------------------------- helpers

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

const streamState = { ns: null, name: '', page: 0, shards: [], consumers: [], arn: '', metaAt: 0, counters: [], subscriptions: [] };

// A duration in milliseconds as a person reads it: "0 ms", "850 ms", "12.5 s", "3.2 min", "2.1 h".
function fmtAge(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3600000) return `${(ms / 60000).toFixed(1)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}

function renderStreamPage(account, region, name) {
  Object.assign(streamState, { ns: { account, region }, name, page: 0, shards: [], consumers: [], arn: '', metaAt: 0, counters: [], subscriptions: [] });
  view.innerHTML = `
    <h1>Stream <span id="stream-name">${esc(name)}</span> <span class="muted">${esc(account)} / ${esc(region)}</span></h1>
    <div class="panel stats" id="stream-stats"></div>
    <div class="charts"><div id="stream-chart"></div><div id="stream-bytes-chart"></div></div>
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
    <div class="scroll"><table id="shards"><thead><tr><th>Shard</th><th>State</th><th>Hash range</th><th>Parents</th>
      <th class="num">In rec/s</th><th class="num">In B/s</th><th class="num">Out rec/s</th>
      <th class="num" title="MillisBehindLatest of the shard's last GetRecords">Behind latest</th>
      <th>Last 60 s</th><th></th></tr></thead><tbody></tbody></table></div>
    <h2>Lineage</h2><div class="panel scroll" id="lineage"></div>
    <h2>Consumers and lag</h2><div id="consumers" class="muted">none</div>`;
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
  document.getElementById('lineage').innerHTML = lineageSvg(shards);
}

// Registered consumers with each one's subscriptions (its lag per shard: the MillisBehindLatest of
// the last event pushed), and the lag of GetRecords readers per shard, furthest behind first.
function renderConsumers() {
  const lagging = streamState.counters.filter((c) => c[1] || c[6] > 0).sort((a, b) => b[6] - a[6]).slice(0, 10);
  const worst = Math.max(1, ...lagging.map((c) => c[6]));
  const consumers = streamState.consumers.length
    ? '<table id="consumer-list"><tr><th>Enhanced fan-out consumer</th><th>Status</th><th>Registered</th></tr>' +
      streamState.consumers.map((x) => `<tr><td>${esc(x.ConsumerName)}</td><td>${esc(x.ConsumerStatus)}</td>` +
        `<td>${esc(new Date(x.ConsumerCreationTimestamp * 1000).toISOString().replace('T', ' ').slice(0, 19))} UTC</td></tr>`).join('') + '</table>'
    : '<p class="muted">No enhanced fan-out consumers are registered.</p>';
  const lag = lagging.length
    ? '<table id="lag"><tr><th>Shard</th><th class="num">Behind latest</th><th class="lag-col">GetRecords readers\' lag, furthest behind first</th></tr>' +
      lagging.map(([id, , , , , , age]) => `<tr data-shard="${esc(id)}"><td>${esc(id)}</td><td class="num">${fmtAge(age)}</td>` +
        `<td class="lag-col"><div class="bar${age >= 60000 ? ' late' : ''}" style="width:${((age / worst) * 100).toFixed(1)}%"></div></td></tr>`).join('') + '</table>'
    : '';
  const byName = new Map(streamState.consumers.map((x) => [x.ConsumerARN, x.ConsumerName]));
  const subs = streamState.subscriptions;
  const subscriptions = subs.length
    ? '<table id="subscription-lag"><tr><th>Consumer</th><th>Shard</th><th class="num">Behind latest</th><th class="num">Records pushed</th><th>Last event</th></tr>' +
      subs.map((x) => `<tr data-consumer="${esc(byName.get(x.consumer_arn) || x.consumer_arn)}" data-shard="${esc(x.shard_id)}">` +
        `<td>${esc(byName.get(x.consumer_arn) || x.consumer_arn)}</td><td>${esc(x.shard_id)}</td>` +
        `<td class="num${x.millis_behind_latest >= 60000 ? ' error' : ''}">${fmtAge(x.millis_behind_latest)}</td>` +
        `<td class="num">${x.records_sent}</td>` +
        `<td class="muted">${x.last_event_ms ? esc(new Date(x.last_event_ms).toISOString().slice(11, 19)) + ' UTC' : 'none yet'}</td></tr>`).join('') + '</table>'
    : (streamState.consumers.length ? '<p class="muted">No SubscribeToShard subscription is streaming now.</p>' : '');
  document.getElementById('consumers').innerHTML = consumers + subscriptions + lag +
    '<p class="muted">A subscription\'s lag is the <code>MillisBehindLatest</code> of the last event pushed to it; a shard\'s, that of its last GetRecords.</p>';
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
    const parents = m ? [m.ParentShardId, m.AdjacentParentShardId].filter(Boolean) : [];
    return `<tr data-shard="${esc(id)}"><td>${esc(id)}</td><td class="${open ? 'open' : 'muted'}">${open ? 'open' : 'closed'}</td>
      <td class="muted" title="${m ? esc(m.HashKeyRange.StartingHashKey + ' – ' + m.HashKeyRange.EndingHashKey) : ''}">${esc(range)}</td>
      <td class="muted parents" title="${esc(parents.join(', '))}">${parents.length ? (parents.length > 1 ? 'shards ' : 'shard ') + parents.map((p) => esc(shardNumber(p))).join(' + ') : ''}</td>
      <td class="num rate-in">${fmtRate(inRec)}</td><td class="num">${fmtBytes(inBytes)}/s</td>
      <td class="num rate-out">${fmtRate(outRec)}</td><td class="num${age >= 60000 ? ' error' : ''}">${fmtAge(age)}</td>
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
  const [inBytes, outBytes] = streamRates.update(key + '#bytes', [s.in_bytes, s.out_bytes], s.now_ms);
  for (const [id, , inRec, inB, outRec, outB] of s.shard_counters) {
    shardRates.update(key + '#' + id, [inRec, inB, outRec, outB], s.now_ms);
  }
  streamState.counters = s.shard_counters;
  streamState.subscriptions = s.subscriptions || [];
  document.getElementById('stream-stats').innerHTML =
    `<span>Status <strong id="stream-status">${esc(s.status)}</strong></span><span>Mode ${esc(s.mode)}</span>` +
    `<span>Open shards ${s.open_shards} of ${s.shards}</span><span>Retention ${s.retention_hours} h</span>` +
    `<span>On disk ${fmtBytes(s.bytes_on_disk)}</span>` +
    `<span>In <strong id="stream-rate-in">${fmtRate(inRate)}</strong> rec/s (${fmtBytes(inBytes)}/s)</span>` +
    `<span>Out <strong id="stream-rate-out">${fmtRate(outRate)}</strong> rec/s (${fmtBytes(outBytes)}/s)</span>`;
  document.getElementById('stream-chart').innerHTML = chart('records-chart', 'Records per second',
    streamRates.series(key, 0), streamRates.series(key, 1), RATE_AXIS);
  document.getElementById('stream-bytes-chart').innerHTML = chart('bytes-chart', 'Data bytes per second',
    streamRates.series(key + '#bytes', 0), streamRates.series(key + '#bytes', 1), BYTES_AXIS);
  const scaleTo = document.getElementById('scale-to');
  if (!scaleTo.value) scaleTo.value = s.open_shards;
  if (Date.now() - streamState.metaAt > 5000 || streamState.shards.length === 0) await refreshStreamMeta();
  renderShardRows();
  renderConsumers();
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

const recordsHash = (account, region, stream, shard) =>
  '#/records/' + [account, region, stream, shard].map((x) => encodeURIComponent(x)).join('/');

function renderRecordsPage(account, region, stream, shard) {
  Object.assign(recordState, { ns: { account: account || defaults.account, region: region || defaults.region }, stream: stream || '', shard: shard || '' });
  view.innerHTML = `
    <h1>Records</h1>
    <div class="panel row">
      <label>Stream <select id="rec-stream"><option value="">loading…</option></select></label>
      <label>Shard <select id="rec-shard"></select></label>
      <select id="rec-from"><option value="latest">latest N</option><option value="time">from a time</option></select>
      <input id="rec-time" type="datetime-local" step="1">
      <label>N <input id="rec-n" type="number" min="1" max="1000" value="20" style="width:5em"></label>
      <select id="rec-format"><option value="text">text</option><option value="json">JSON</option><option value="hex">hex</option></select>
      <button id="rec-load">Load</button>
      <label><input id="rec-follow" type="checkbox"> refresh every second</label>
    </div>
    <table id="records"><thead><tr><th>Sequence number</th><th>Arrived (UTC)</th><th>Partition key</th><th>Data</th></tr></thead><tbody></tbody></table>`;
  // Choosing a stream or a shard is a navigation, so the address names what is shown.
  document.getElementById('rec-stream').onchange = (e) => {
    if (!e.target.value) return;
    const [a, r, name] = JSON.parse(e.target.value);
    location.hash = recordsHash(a, r, name, '');
  };
  document.getElementById('rec-shard').onchange = (e) => {
    location.hash = recordsHash(recordState.ns.account, recordState.ns.region, recordState.stream, e.target.value);
  };
  document.getElementById('rec-load').onclick = () => act('Load records', loadRecords);
  document.getElementById('rec-format').onchange = () => act('Load records', loadRecords);
  fillRecordChoices().catch((err) => say(err.message, true));
}

// The stream list (every namespace) and the chosen stream's shards; then loads its records.
async function fillRecordChoices() {
  const { ns, stream } = recordState;
  const data = await getJson('/console/api/streams');
  defaults = { account: data.default_account, region: data.default_region };
  const chosen = JSON.stringify([ns.account, ns.region, stream]);
  const streamSelect = document.getElementById('rec-stream');
  if (!streamSelect) return;
  streamSelect.innerHTML = `<option value="">${data.streams.length ? 'choose a stream' : 'no streams yet'}</option>` +
    data.streams.map((s) => {
      const value = JSON.stringify([s.account, s.region, s.name]);
      const where = s.account === data.default_account && s.region === data.default_region ? '' : ` (${s.account} / ${s.region})`;
      return `<option value="${esc(value)}"${value === chosen ? ' selected' : ''}>${esc(s.name + where)}</option>`;
    }).join('');
  if (!stream) return;
  const q = `name=${encodeURIComponent(stream)}&account=${encodeURIComponent(ns.account)}&region=${encodeURIComponent(ns.region)}`;
  const shards = (await getJson('/console/api/stream?' + q)).shard_counters;
  if (!recordState.shard && shards.length) recordState.shard = (shards.find((c) => c[1]) || shards[0])[0];
  document.getElementById('rec-shard').innerHTML = shards.map(([id, open]) =>
    `<option value="${esc(id)}"${id === recordState.shard ? ' selected' : ''}>${esc(id)}${open ? '' : ' (closed)'}</option>`).join('');
  await loadRecords();
}

async function loadRecords() {
  const { ns, stream, shard } = recordState;
  if (!stream || !shard) return;
  const n = Number(document.getElementById('rec-n').value) || 20;
  const format = document.getElementById('rec-format').value;
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
  const body = view.querySelector('#records tbody');
  if (!body) return;
  body.innerHTML = records.map((r) => `<tr>
    <td class="muted seq">${esc(r.seq)}</td><td>${esc(new Date(r.arrival_ms).toISOString().replace('T', ' ').replace('Z', ''))}</td><td>${esc(r.key)}</td>
    <td class="data">${esc(showData(decodeBase64(r.data), format))}</td></tr>`).join('') ||
    '<tr><td colspan="4" class="muted">No records.</td></tr>';
}

// ---------------------------------------------------------------- routing

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'stream' && parts.length >= 4) return { page: 'stream', args: parts.slice(1, 4) };
  if (parts[0] === 'records') return { page: 'records', args: parts.slice(1, 5) };
  if (parts[0] === 'cloudwatch') return { page: 'cloudwatch', args: [] };
  if (parts[0] === 'channels') return { page: 'channels', args: [] };
  if (parts[0] === 'groups') return { page: 'groups', args: [] };
  if (parts[0] === 'cluster') return { page: 'cluster', args: [] };
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
    else if (route.page === 'cloudwatch') await refreshCloudWatch(view);
    else if (route.page === 'channels') await refreshChannels(view);
    else if (route.page === 'groups') await refreshGroups(view);
    else if (route.page === 'cluster') await refreshCluster(view);
  } catch (err) {
    say(err.message, true);
  } finally {
    busy = false;
  }
}

function navigate() {
  route = parseRoute();
  if (timer) clearInterval(timer);
  say('');  // a message belongs to the page it was said on
  document.getElementById('nav-streams').classList.toggle('current', route.page === 'streams');
  document.getElementById('nav-records').classList.toggle('current', route.page === 'records');
  document.getElementById('nav-cloudwatch').classList.toggle('current', route.page === 'cloudwatch');
  document.getElementById('nav-channels').classList.toggle('current', route.page === 'channels');
  document.getElementById('nav-groups').classList.toggle('current', route.page === 'groups');
  document.getElementById('nav-cluster').classList.toggle('current', route.page === 'cluster');
  if (route.page === 'stream') renderStreamPage(...route.args);
  else if (route.page === 'records') renderRecordsPage(...route.args);
  else if (route.page === 'cloudwatch') renderCloudWatchPage(view);
  else if (route.page === 'channels') renderChannelsPage(view);
  else if (route.page === 'groups') renderGroupsPage(view);
  else if (route.page === 'cluster') renderClusterPage(view);
  else renderStreamsPage();
  tick();
  timer = setInterval(tick, 1000);
}

window.addEventListener('hashchange', navigate);
navigate();
showClusterTab().catch(() => {});
