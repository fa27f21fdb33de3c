// The console's Groups page: per stream its consumer groups; per group its members and their
// assignment, and per shard its owner, checkpoint and lag. Polled once a second from
// /console/api/groups; uses esc() from charts.js and getJson() from console.js.
'use strict';

function renderGroupsPage(view) {
  view.innerHTML = `
    <h1>Consumer groups</h1>
    <p class="muted">Groups are joined with JoinGroup (Sluice_20261207) or <code>sluice tail --group</code>.</p>
    <div id="gr-list"></div>`;
}

function groupTable(g) {
  const members = g.members.map((m) => `<tr>
    <td>${esc(m.member_id)}${m.pushed ? ' <span class="muted">(pushed)</span>' : ''}</td>
    <td>${m.assignment.map(esc).join(' ') || '<span class="muted">none</span>'}</td>
    <td class="num">${m.session_timeout_ms}</td></tr>`).join('') ||
    '<tr><td colspan="3" class="muted">No members.</td></tr>';
  const shards = g.shards.map((s) => `<tr>
    <td>${esc(s.shard_id)}</td><td>${s.owner === null ? '<span class="muted">none</span>' : esc(s.owner)}</td>
    <td>${s.shard_end ? 'SHARD_END' : (s.sequence_number === null ? '' : esc(s.sequence_number))}</td>
    <td class="num">${s.records_behind}</td><td class="num">${s.millis_behind_latest}</td></tr>`).join('');
  return `<h3>${esc(g.name)} <span class="muted">generation ${g.generation}, ${esc(g.state)},
      from ${esc(g.initial_position)}</span></h3>
    <table><thead><tr><th>Member</th><th>Shards</th><th class="num">Session (ms)</th></tr></thead>
      <tbody>${members}</tbody></table>
    <table><thead><tr><th>Shard</th><th>Owner</th><th>Checkpoint</th><th class="num">Records behind</th>
      <th class="num">Behind latest (ms)</th></tr></thead><tbody>${shards}</tbody></table>`;
}

async function refreshGroups(view) {
  const data = await getJson('/console/api/groups');
  const list = view.querySelector('#gr-list');
  if (!list) return;
  list.innerHTML = data.streams.map((s) => `<h2>${esc(s.name)}
      <span class="muted">${esc(s.account)} / ${esc(s.region)}</span></h2>
    ${s.groups.map(groupTable).join('')}
    ${s.more_groups ? '<p class="muted">More groups: list them with ListGroups.</p>' : ''}`).join('') ||
    '<p class="muted">No stream has a consumer group.</p>';
}
