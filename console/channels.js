// The console's Channels page: what each delivering channel has written to its bucket, how far
// it is behind, and its last error. Polled once a second from /console/api/channels; uses esc()
// from charts.js and getJson() from console.js.
'use strict';

function renderChannelsPage(view) {
  view.innerHTML = `
    <h1>Channels</h1>
    <p class="muted" id="ch-summary"></p>
    <table id="ch-table"><thead><tr>
      <th>Channel</th><th class="num">Records</th><th class="num">Bytes</th><th class="num">Objects</th>
      <th class="num">Dead letters</th><th class="num">Errors</th><th class="num">Lag (ms)</th>
      <th>Last error</th><th>Account / region</th></tr></thead><tbody></tbody></table>`;
}

async function refreshChannels(view) {
  const data = await getJson('/console/api/channels');
  const body = view.querySelector('#ch-table tbody');
  if (!body) return;
  document.getElementById('ch-summary').textContent = `Objects go to ${data.destination}.`;
  body.innerHTML = data.channels.map((c) => `<tr>
    <td>${esc(c.name)}</td><td class="num">${c.records}</td><td class="num">${c.bytes}</td>
    <td class="num">${c.objects}</td><td class="num">${c.dead_letters}</td><td class="num">${c.errors}</td>
    <td class="num">${c.lag_ms}</td><td class="muted">${esc(c.last_error)}</td>
    <td class="muted">${esc(c.account)} / ${esc(c.region)}</td></tr>`).join('') ||
    '<tr><td colspan="9" class="muted">No channel is delivering: create one with CreateChannel.</td></tr>';
}
