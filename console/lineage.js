// Sluice web console: a stream's shard lineage drawn as a tree (SVG). One column per generation
// (a shard is one column right of its newest parent), each shard a box spanning its share of the
// hash key space top to bottom, and a curve from each parent to its child: a split forks, a merge
// joins two parents. Open shards are drawn solid, closed ones grey.
'use strict';

const LINEAGE_COLUMN = 190;      // px per generation
const LINEAGE_BOX = 150;         // box width
const LINEAGE_MIN_HEIGHT = 220;  // px for the whole hash key space
const LINEAGE_MAX_HEIGHT = 640;

// The fraction of the hash key space [0, 2^128) below `key` (a decimal string).
function hashFraction(key) {
  return Number(BigInt(key) >> 96n) / 2 ** 32;
}

// "shardId-000000000012" → "12": a short name for a drawing or a table cell.
function shardNumber(id) {
  const m = /^shardId-0*(\d+)$/.exec(id);
  return m ? m[1] : id;
}

function lineageSvg(shards) {
  const byId = new Map(shards.map((s) => [s.ShardId, s]));
  const depth = new Map();
  const depthOf = (s) => {
    if (depth.has(s.ShardId)) return depth.get(s.ShardId);
    depth.set(s.ShardId, 0);  // guards against a cycle in bad data
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p) => p && byId.has(p));
    const d = parents.length ? 1 + Math.max(...parents.map((p) => depthOf(byId.get(p)))) : 0;
    depth.set(s.ShardId, d);
    return d;
  };
  shards.forEach(depthOf);
  const columns = Math.max(1, ...[...depth.values()].map((d) => d + 1));
  const widest = Math.max(1, ...Array.from({ length: columns }, (_, c) => [...depth.values()].filter((d) => d === c).length));
  const H = Math.min(LINEAGE_MAX_HEIGHT, Math.max(LINEAGE_MIN_HEIGHT, widest * 26));
  const top = 22, W = columns * LINEAGE_COLUMN + 20;
  const box = new Map();
  for (const s of shards) {
    const y0 = top + hashFraction(s.HashKeyRange.StartingHashKey) * H;
    const y1 = top + (hashFraction(s.HashKeyRange.EndingHashKey) + 2 ** -32) * H;
    box.set(s.ShardId, { x: 10 + depth.get(s.ShardId) * LINEAGE_COLUMN, y: y0, h: Math.max(1, y1 - y0 - 2) });
  }
  const parts = [];
  for (let c = 0; c < columns; c++) {
    parts.push(`<text class="tick generation" x="${10 + c * LINEAGE_COLUMN}" y="12">${c ? `generation ${c}` : 'first shards'}</text>`);
  }
  for (const s of shards) {
    const b = box.get(s.ShardId);
    for (const p of [s.ParentShardId, s.AdjacentParentShardId]) {
      const a = p && box.get(p);
      if (!a) continue;
      const x0 = a.x + LINEAGE_BOX, y0 = a.y + a.h / 2, x1 = b.x, y1 = b.y + b.h / 2, mid = (x0 + x1) / 2;
      parts.push(`<path class="edge" d="M${x0},${y0.toFixed(1)}C${mid},${y0.toFixed(1)} ${mid},${y1.toFixed(1)} ${x1},${y1.toFixed(1)}"/>`);
    }
  }
  for (const s of shards) {
    const b = box.get(s.ShardId);
    const open = !(s.SequenceNumberRange && s.SequenceNumberRange.EndingSequenceNumber);
    const share = (hashFraction(s.HashKeyRange.EndingHashKey) - hashFraction(s.HashKeyRange.StartingHashKey) + 2 ** -32) * 100;
    const label = b.h >= 16 ? `<text x="${b.x + 8}" y="${(b.y + Math.min(b.h / 2, 18) + 4).toFixed(1)}">${esc(s.ShardId)}</text>` : '';
    const detail = b.h >= 36 ? `<text class="tick" x="${b.x + 8}" y="${(b.y + Math.min(b.h / 2, 18) + 18).toFixed(1)}">${open ? 'open' : 'closed'} · ${share.toFixed(share < 1 ? 2 : 0)}% of keys</text>` : '';
    parts.push(`<g class="node ${open ? 'open' : 'closed'}" data-shard="${esc(s.ShardId)}"><title>${esc(s.ShardId)} (${open ? 'open' : 'closed'})</title>` +
      `<rect x="${b.x}" y="${b.y.toFixed(1)}" width="${LINEAGE_BOX}" height="${b.h.toFixed(1)}" rx="3"/>${label}${detail}</g>`);
  }
  return `<svg class="lineage" width="${W}" height="${H + top + 4}" viewBox="0 0 ${W} ${H + top + 4}">${parts.join('')}</svg>`;
}
