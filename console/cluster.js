// The console's Cluster page: the nodes with their health and address, and every shard's leader,
// epoch, replicas, in-sync replicas and state, leaderless and under-replicated shards first, as
// `sluice cluster status` shows them. Polled once a second from /console/api/cluster, which only
// a server in cluster mode answers; the Cluster tab is shown only there. Uses esc() from
// charts.js and getJson() from console.js.
'use strict';

// Shows the Cluster tab when the server is in a cluster (its /console/api/cluster answers).
async function showClusterTab() {
  const res = await fetch('/console/api/cluster', { cache: 'no-store' });
  document.getElementById('nav-cluster').hidden = !res.ok;
}

function renderClusterPage(view) {
  view.innerHTML = `
    <h1>Cluster</h1>
    <p class="muted" id="cl-summary"></p>
    <h2>Nodes</h2>
    <table id="cl-nodes"><thead><tr><th>Node</th><th>Address</th><th>Health</th><th>Started</th>
      <th>Version</th></tr></thead><tbody></tbody></table>
    <h2>Shards</h2>
    <div class="scroll"><table id="cl-shards"><thead><tr><th>Stream</th><th>Shard</th><th>State</th>
      <th>Leader</th><th class="num">Epoch</th><th>Replicas</th><th>In sync</th><th>Account / region</th>
      </tr></thead><tbody></tbody></table></div>`;
}

function clusterNames(names) {
  return names.map(esc).join(', ') || '<span class="muted">none</span>';
}

async function refreshCluster(view) {
  let data;
  try {
    data = await getJson('/console/api/cluster');
  } catch (err) {
    const summary = view.querySelector('#cl-summary');
    if (summary) summary.textContent = err.message;  // "this server is not in a cluster ..."
    return;
  }
  const nodes = view.querySelector('#cl-nodes tbody');
  if (!nodes) return;
  const s = data.summary;
  document.getElementById('cl-summary').textContent = `${s.nodes_alive} of ${s.nodes_total} nodes alive; ` +
    `${s.shards} shards: ${s['in-sync']} in sync, ${s['under-replicated']} under-replicated, ` +
    `${s.leaderless} leaderless, ${s.unassigned} unassigned.`;
  nodes.innerHTML = data.nodes.map((n) => `<tr>
    <td>${esc(n.id)}</td><td>${esc(n.advertise)}</td>
    <td class="${n.alive ? 'open' : 'error'}">${n.alive ? 'alive' : 'down'}</td>
    <td>${esc(new Date(n.started_ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''))}</td>
    <td class="muted">${esc(n.version)}</td></tr>`).join('') ||
    '<tr><td colspan="5" class="muted">This node has not joined the cluster yet.</td></tr>';
  view.querySelector('#cl-shards tbody').innerHTML = data.shards.map((r) => `<tr>
    <td>${esc(r.stream)}</td><td>${esc(r.shard)}</td>
    <td class="${r.state === 'in-sync' ? 'open' : (r.state === 'unassigned' ? 'muted' : 'error')}">${esc(r.state)}</td>
    <td>${r.leader ? esc(r.leader) : '<span class="muted">none</span>'}</td><td class="num">${r.leader_epoch}</td>
    <td>${clusterNames(r.replicas)}</td><td>${clusterNames(r.isr)}</td>
    <td class="muted">${esc(r.account)} / ${esc(r.region)}</td></tr>`).join('') ||
    '<tr><td colspan="8" class="muted">No shards: create a stream.</td></tr>';
}
