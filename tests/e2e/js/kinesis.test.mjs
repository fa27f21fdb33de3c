// @aws-sdk/client-kinesis (v3) against the server: with its default request handler, which speaks
// HTTP/2 (cleartext, prior knowledge) to http:// endpoints, and with the HTTP/1.1 handler.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';

import {
  REFERENCE, createActiveStream, kinesisClient, startServer, uniqueName, waitUntil,
} from './helpers.mjs';

const TEST_TIMEOUT = 90000;
let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

async function readShard(client, name, shardId) {
  let it = (await client.send(new GetShardIteratorCommand({
    StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON',
  }))).ShardIterator;
  const records = [];
  for (let i = 0; i < 1000; i++) {
    const r = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    records.push(...r.Records);
    assert.ok(r.NextShardIterator, 'open shard without NextShardIterator');
    it = r.NextShardIterator;
    if (r.Records.length === 0 && r.MillisBehindLatest === 0) return records;
  }
  throw new Error('shard not drained');
}

const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);

const variants = [
  { label: 'default handler (HTTP/2)', handler: 'default', sluiceOnly: true },
  { label: 'NodeHttp2Handler', handler: () => new NodeHttp2Handler({ requestTimeout: 20000 }), sluiceOnly: true },
  { label: 'NodeHttpHandler (HTTP/1.1)', handler: () => new NodeHttpHandler({ requestTimeout: 20000, connectionTimeout: 5000 }), sluiceOnly: false },
];

test('the default request handler of the client is NodeHttp2Handler', () => {
  const client = new KinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
  try {
    assert.ok(client.config.requestHandler instanceof NodeHttp2Handler,
      `default handler is ${client.config.requestHandler?.constructor?.name}`);
  } finally {
    client.destroy();
  }
});

for (const v of variants) {
  const skip = v.sluiceOnly && REFERENCE ? `not run against ${REFERENCE}: HTTP/2 cleartext` : false;

  describe(v.label, () => {
    let client;
    let account;
    before(async () => {
      if (skip) return;
      client = kinesisClient(server.endpoint, v.handler === 'default' ? undefined : v.handler());
      const probe = uniqueName('js-probe');
      const s = await createActiveStream(client, probe, 1);
      account = /^arn:aws:kinesis:us-east-1:(\d{12}):stream\//.exec(s.StreamARN)?.[1];
      assert.ok(account, s.StreamARN);
      await client.send(new DeleteStreamCommand({ StreamName: probe }));
    });
    after(() => client?.destroy());

    test('create, put, get iterator, get records, list, delete', { timeout: TEST_TIMEOUT, skip }, async () => {
      const name = uniqueName('js-rt');
      const summary = await createActiveStream(client, name, 2);
      assert.equal(summary.OpenShardCount, 2);
      assert.equal(summary.StreamARN, `arn:aws:kinesis:us-east-1:${account}:stream/${name}`);

      const sent = new Map(); // sequence number -> [shard, key, data]
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      const one = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'bin', Data: binary }));
      assert.match(one.SequenceNumber, /^\d{56}$/);
      sent.set(one.SequenceNumber, [one.ShardId, 'bin', binary]);
      const entries = Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `key-${i}`, Data: bytes(`record ${i}`) }));
      const many = await client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
      assert.equal(many.FailedRecordCount, 0);
      assert.equal(many.Records.length, 20);
      many.Records.forEach((r, i) => sent.set(r.SequenceNumber, [r.ShardId, entries[i].PartitionKey, entries[i].Data]));

      const shards = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards;
      assert.deepEqual(shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001']);
      const got = new Map();
      for (const s of shards) {
        const recs = await readShard(client, name, s.ShardId);
        const seqs = recs.map((r) => BigInt(r.SequenceNumber));
        for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], 'sequence numbers not increasing');
        for (const r of recs) {
          assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
          assert.ok(Math.abs(r.ApproximateArrivalTimestamp.getTime() - Date.now()) < 60000);
          got.set(r.SequenceNumber, [s.ShardId, r.PartitionKey, r.Data]);
        }
      }
      assert.equal(got.size, sent.size);
      for (const [seq, [shard, key, data]] of sent) {
        assert.ok(got.has(seq), `record ${seq} missing`);
        const [gShard, gKey, gData] = got.get(seq);
        assert.equal(gShard, shard);
        assert.equal(gKey, key);
        assert.deepEqual(Buffer.from(gData), Buffer.from(data));
      }

      // ListStreams, paging by name until our stream shows up.
      let found = false;
      let start;
      for (let i = 0; i < 1000 && !found; i++) {
        const page = await client.send(new ListStreamsCommand({ Limit: 10, ExclusiveStartStreamName: start }));
        found = page.StreamNames.includes(name);
        if (!page.HasMoreStreams) break;
        start = page.StreamNames[page.StreamNames.length - 1];
      }
      assert.ok(found, 'stream not listed');

      await client.send(new DeleteStreamCommand({ StreamName: name }));
      await waitUntil(async () => {
        try {
          await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
          return false;
        } catch (err) {
          return err.name === 'ResourceNotFoundException';
        }
      }, 30000, 'stream deleted');
    });

    test('ResourceNotFoundException has the service name and message', { timeout: TEST_TIMEOUT, skip }, async () => {
      const name = uniqueName('js-missing');
      await assert.rejects(client.send(new DescribeStreamCommand({ StreamName: name })), (err) => {
        assert.ok(err instanceof ResourceNotFoundException, `got ${err.name}: ${err.message}`);
        assert.equal(err.name, 'ResourceNotFoundException');
        assert.equal(err.message, `Stream ${name} under account ${account} not found.`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.ok(err.$metadata.requestId, 'no request id');
        return true;
      });
      await assert.rejects(client.send(new GetRecordsCommand({ ShardIterator: 'x'.repeat(200) })), (err) => {
        assert.equal(err.name, 'InvalidArgumentException');
        assert.equal(err.message, 'Invalid ShardIterator.');
        return true;
      });
    });

    test('many sequential calls on one client', { timeout: TEST_TIMEOUT, skip }, async () => {
      const name = uniqueName('js-seq');
      await createActiveStream(client, name, 1);
      const seqs = [];
      for (let i = 0; i < 150; i++) {
        const r = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes(`n${i}`) }));
        seqs.push(BigInt(r.SequenceNumber));
        const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        assert.equal(d.StreamDescriptionSummary.StreamName, name);
      }
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
      const recs = await readShard(client, name, 'shardId-000000000000');
      assert.deepEqual(recs.map((r) => text(r.Data)), Array.from({ length: 150 }, (_, i) => `n${i}`));
      await client.send(new DeleteStreamCommand({ StreamName: name }));
    });
  });
}
