// The console's CloudWatch page: the metrics applications (the KCL, the KPL) put to Sluice's
// CloudWatch endpoint, each with its latest value, grouped by namespace. Polled once a second
// from /console/api/cloudwatch; uses esc() from charts.js and getJson() from console.js.
'use strict';

function renderCloudWatchPage(view) {
  view.innerHTML = `
    <h1>CloudWatch metrics</h1>
    <p class="muted" id="cw-summary"></p>
    <table id="cw-metrics"><thead><tr>
      <th>Namespace</th><th>Metric</th><th>Dimensions</th><th class="num">Latest</th><th>Unit</th>
      <th>At</th><th>Account / region</th></tr></thead><tbody></tbody></table>`;
}

async function refreshCloudWatch(view) {
  const data = await getJson('/console/api/cloudwatch');
  const body = view.querySelector('#cw-metrics tbody');
  if (!body) return;
  const metrics = data.metrics.slice().sort((a, b) =>
    a.namespace.localeCompare(b.namespace) || a.metric.localeCompare(b.metric));
  document.getElementById('cw-summary').textContent =
    `${data.count} metrics kept in memory (not across restarts)` +
    (data.dropped ? `; ${data.dropped} datapoints of new metrics dropped, the store is full` : '');
  body.innerHTML = metrics.map((m) => `<tr>
    <td>${esc(m.namespace)}</td><td>${esc(m.metric)}</td>
    <td class="muted">${m.dimensions.map((d) => `${esc(d.name)}=${esc(d.value)}`).join(', ')}</td>
    <td class="num">${esc(String(m.value))}</td><td class="muted">${esc(m.unit)}</td>
    <td class="muted">${esc(new Date(m.timestamp_ms).toISOString().replace('T', ' ').replace('Z', ''))}</td>
    <td class="muted">${esc(m.account)} / ${esc(m.region)}</td></tr>`).join('') ||
    '<tr><td colspan="7" class="muted">No metrics yet: point a CloudWatch client (the KCL\'s) at this endpoint.</td></tr>';
}
