// mhart/kinesis (npm `kinesis`), the Node.js streams library the project's seed wrapper was built
// on, unchanged against a `--tls` server: its raw `request` API creates and describes a 2-shard
// stream, its writable stream puts records (PutRecord with SequenceNumberForOrdering per key) and
// its readable stream reads them back (DescribeStream, GetShardIterator TRIM_HORIZON, GetRecords
// on every shard). The library always speaks HTTPS and turns certificate checks off for
// `localhost`; the agent given here turns them back on (an agent's options win over a request's)
// and trusts only the certificate the server made.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';

import kinesis from 'kinesis';

import { startServer, uniqueName, waitUntil } from './helpers.mjs';

const SKIP = process.env.SLUICE_E2E_ENDPOINT ? 'not run: needs a server of its own (SLUICE_BIN)' : false;

const N = 200;
const KEYS = Array.from({ length: 8 }, (_, i) => `user-${i}`);

function call(action, data, options) {
  return new Promise((resolve, reject) => {
    kinesis.request(action, data, options, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

// Waits for `pred()` while the readable stream delivers, failing on its first error.
async function until(errors, pred, ms, what) {
  await waitUntil(() => {
    if (errors.length) throw errors[0];
    return pred();
  }, ms, what);
  if (errors.length) throw errors[0];
}

describe('mhart/kinesis over HTTPS (--tls)', { skip: SKIP }, () => {
  let server;
  let agent;
  let options;
  before(async () => {
    server = await startServer(['--tls']);
    const m = /TLS certificate (\S+) \(/.exec(server.log());
    assert.ok(m, `no TLS certificate line in the log:\n${server.log()}`);
    agent = new https.Agent({ keepAlive: true, ca: readFileSync(m[1]), rejectUnauthorized: true });
    options = {
      host: 'localhost', port: Number(new URL(server.endpoint).port), region: 'us-east-1', agent,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, timeout: 20000, maxRetries: 3,
    };
  });
  after(async () => {
    agent?.destroy();
    await server?.stop();
  });

  test('the certificate is checked: refused without the server\'s certificate, accepted with it', async () => {
    const untrusting = new https.Agent({ rejectUnauthorized: true });
    try {
      await assert.rejects(call('ListStreams', {}, { ...options, agent: untrusting }),
        (err) => /SELF_SIGNED|self[- ]signed/i.test(`${err.code} ${err.message}`));
    } finally {
      untrusting.destroy();
    }
    const res = await call('ListStreams', {}, options);
    assert.ok(Array.isArray(res.StreamNames));
  });

  test('records written through its writable stream are read back once each through its readable stream',
    { timeout: 120000 }, async () => {
      const name = uniqueName('mhart');
      await call('CreateStream', { StreamName: name, ShardCount: 2 }, options);
      const desc = await waitUntil(async () => {
        const d = (await call('DescribeStream', { StreamName: name }, options)).StreamDescription;
        return d.StreamStatus === 'ACTIVE' && d;
      }, 30000, 'the stream to be ACTIVE');
      const shardIds = desc.Shards.map((s) => s.ShardId);
      assert.equal(shardIds.length, 2);
      const listed = await new Promise((resolve, reject) => {
        kinesis.listStreams(options, (err, names) => (err ? reject(err) : resolve(names)));
      });
      assert.ok(listed.includes(name), `${name} not in ${listed}`);

      // The reader starts first, from the oldest record, and keeps polling while records are put.
      // The readable stream polls for ever (it ends only when every shard is closed); its requests
      // go through this retry policy (one attempt each), which parks them once the test is done.
      let stopped = false;
      const retryPolicy = (makeRequest, _opts, cb) => { if (!stopped) makeRequest(cb); };
      const reader = kinesis.stream({ ...options, name, oldest: true, retryPolicy });
      const got = [];
      const readErrors = [];
      reader.on('data', (record) => got.push(record));
      reader.on('error', (err) => readErrors.push(err));

      // Binary payloads: an index prefix and random bytes (every byte value possible).
      const sent = [];
      for (let i = 0; i < N; i++) {
        const key = KEYS[i % KEYS.length];
        sent.push({ key, data: Buffer.concat([Buffer.from(`${i}:`), randomBytes(1 + (i * 37) % 300)]) });
      }
      const writer = kinesis.stream({ ...options, name });
      const finished = new Promise((resolve, reject) => {
        writer.on('finish', resolve);
        writer.on('error', reject);
      });
      for (const { key, data } of sent) {
        if (!writer.write({ PartitionKey: key, Data: data })) {
          await new Promise((resolve) => writer.once('drain', resolve));
        }
      }
      writer.end();
      await finished;

      await until(readErrors, () => got.length >= N, 60000, `${N} records from the readable stream`);

      // A barrier: one more record on each shard. Each shard is read in order, so once both have
      // arrived, any duplicate of an earlier record would have arrived too.
      const byShard = new Map(shardIds.map((id) => [id, null]));
      for (const r of got) if (byShard.get(r.ShardId) === null) byShard.set(r.ShardId, r.PartitionKey);
      assert.ok([...byShard.values()].every((k) => k !== null), `records on every shard: ${[...byShard]}`);
      for (const [shardId, key] of byShard) {
        const res = await call('PutRecord', { StreamName: name, PartitionKey: key,
          Data: Buffer.from(`end:${shardId}`).toString('base64') }, options);
        assert.equal(res.ShardId, shardId);
      }
      await until(readErrors, () => got.filter((r) => r.Data.toString().startsWith('end:')).length === 2,
        60000, 'the barrier records');
      stopped = true;

      const records = got.filter((r) => !r.Data.toString().startsWith('end:'));
      assert.equal(got.length, N + 2, 'every record exactly once');
      assert.equal(records.length, N);
      const seen = new Set();
      for (const r of records) {
        assert.ok(Buffer.isBuffer(r.Data));
        const i = Number(r.Data.toString('latin1').split(':', 1)[0]);
        assert.ok(Number.isInteger(i) && i >= 0 && i < N, `unexpected record ${r.Data.toString('hex')}`);
        assert.ok(!seen.has(i), `record ${i} twice`);
        seen.add(i);
        assert.equal(r.PartitionKey, sent[i].key);
        assert.ok(r.Data.equals(sent[i].data), `record ${i}: bytes differ`);
        assert.ok(shardIds.includes(r.ShardId));
      }
      assert.equal(seen.size, N);
      // Each key stays on one shard, in the order it was written, with rising sequence numbers.
      for (const key of KEYS) {
        const mine = records.filter((r) => r.PartitionKey === key);
        assert.equal(new Set(mine.map((r) => r.ShardId)).size, 1, key);
        const order = mine.map((r) => Number(r.Data.toString('latin1').split(':', 1)[0]));
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `order of ${key}`);
        const seqs = mine.map((r) => BigInt(r.SequenceNumber));
        for (let j = 1; j < seqs.length; j++) assert.ok(seqs[j] > seqs[j - 1], `sequence numbers of ${key}`);
      }
      assert.equal(new Set(records.map((r) => r.ShardId)).size, 2, 'records on both shards');

      await call('DeleteStream', { StreamName: name }, options);
    });
});
