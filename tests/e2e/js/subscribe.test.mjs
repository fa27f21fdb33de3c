// SubscribeToShard with @aws-sdk/client-kinesis (v3) over HTTP/2 cleartext: with the client's
// default request handler and with an explicit NodeHttp2Handler. Every record put after
// subscribing arrives in order, a split ends the parent's subscription with ChildShards, and a
// subscription's lifetime ends it cleanly so that resuming from the continuation loses nothing.
//
// Every subscription runs under an AbortController with a watchdog, and every wait for an event
// has its own deadline: a misbehaving server fails a test, it never hangs it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  DeleteStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler } from '@smithy/node-http-handler';

import {
  REFERENCE, createActiveStream, kinesisClient, startServer, uniqueName, waitUntil,
} from './helpers.mjs';

const TEST_TIMEOUT = 60000;
const SKIP = REFERENCE ? `not run against ${REFERENCE}: SubscribeToShard over HTTP/2 cleartext` : false;
// The lifetime case configures its own server (through the SLUICE_* environment).
const SKIP_OWN_SERVER = SKIP || (process.env.SLUICE_E2E_ENDPOINT
  ? 'not run: needs a server of its own (SLUICE_BIN)' : false);

const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);
const sid = (i) => `shardId-${String(i).padStart(12, '0')}`;
const MID = (1n << 127n).toString(); // half of the 128-bit hash key space

const variants = [
  { label: 'default handler (HTTP/2)', handler: 'default' },
  { label: 'NodeHttp2Handler', handler: () => new NodeHttp2Handler({ requestTimeout: 20000 }) },
];

async function register(client, streamARN, name = 'reader') {
  const c = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: name })))
    .Consumer;
  await waitUntil(async () => (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: c.ConsumerARN })))
    .ConsumerDescription.ConsumerStatus === 'ACTIVE', 30000, `consumer ${name} ACTIVE`);
  return c.ConsumerARN;
}

async function putMany(client, name, entries) {
  const r = await client.send(new PutRecordsCommand({
    StreamName: name,
    Records: entries.map(([key, data]) => ({ PartitionKey: key, Data: bytes(data) })),
  }));
  assert.equal(r.FailedRecordCount ?? 0, 0);
  return r.Records.map((x, i) => ({ shard: x.ShardId, seq: x.SequenceNumber, key: entries[i][0], data: entries[i][1] }));
}

function byShard(sent) {
  const out = new Map();
  for (const r of sent) {
    if (!out.has(r.shard)) out.set(r.shard, []);
    out.get(r.shard).push(r);
  }
  for (const list of out.values()) list.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  return out;
}

function assertSameRecords(got, sent, what) {
  assert.deepEqual(got.map((r) => r.SequenceNumber), sent.map((r) => r.seq), `${what}: records differ or out of order`);
  got.forEach((r, i) => {
    assert.equal(r.PartitionKey, sent[i].key);
    assert.equal(text(r.Data), sent[i].data);
    assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
  });
}

/** Starts a subscription; its events are taken with `next(ms)`, each with a deadline. */
async function subscribe(client, consumerARN, shardId, position, budgetMs = 30000) {
  const ac = new AbortController();
  const watchdog = setTimeout(() => ac.abort(), budgetMs);
  const started = Date.now();
  let response;
  try {
    response = await client.send(new SubscribeToShardCommand({
      ConsumerARN: consumerARN, ShardId: shardId, StartingPosition: position,
    }), { abortSignal: ac.signal });
  } catch (err) {
    clearTimeout(watchdog);
    throw err;
  }
  assert.equal(response.$metadata.httpStatusCode, 200);
  const it = response.EventStream[Symbol.asyncIterator]();
  let closed = false;
  return {
    started,
    watchdogFired: () => ac.signal.aborted && !closed,
    /** {kind: 'event', event} | {kind: 'end'} | {kind: 'error', err}; throws after `ms`. */
    async next(ms) {
      const pending = it.next().then((v) => ({ v }), (err) => ({ err }));
      let timer;
      const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); });
      try {
        const r = await Promise.race([pending, timeout]);
        if (r === null) throw new Error(`no event, error or end within ${ms} ms`);
        if (r.err) return { kind: 'error', err: r.err };
        if (r.v.done) return { kind: 'end' };
        return { kind: 'event', event: r.v.value };
      } finally {
        clearTimeout(timer);
      }
    },
    async nextEvent(ms) {
      const r = await this.next(ms);
      assert.equal(r.kind, 'event', `expected an event, got ${r.kind}: ${r.err}`);
      assert.deepEqual(Object.keys(r.event), ['SubscribeToShardEvent'], JSON.stringify(r.event));
      return r.event.SubscribeToShardEvent;
    },
    /** Events until `want` records arrived; every one has a ContinuationSequenceNumber. */
    async collect(want, ms = 20000) {
      const deadline = Date.now() + ms;
      const records = [];
      const events = [];
      while (records.length < want) {
        const left = deadline - Date.now();
        assert.ok(left > 0, `only ${records.length} of ${want} records within ${ms} ms`);
        const ev = await this.nextEvent(left);
        assert.ok(ev.ContinuationSequenceNumber, `event without ContinuationSequenceNumber: ${JSON.stringify(ev)}`);
        assert.ok(!ev.ChildShards?.length, 'ChildShards on an open shard');
        events.push(ev);
        records.push(...ev.Records);
      }
      assert.equal(records.length, want);
      return { records, events };
    },
    close() {
      closed = true;
      clearTimeout(watchdog);
      ac.abort();
    },
  };
}

let server;

before(async () => {
  if (!SKIP) server = await startServer();
});

after(async () => {
  await server?.stop();
});

for (const v of variants) {
  describe(`SubscribeToShard, ${v.label}`, () => {
    let client;
    before(() => {
      if (SKIP) return;
      client = kinesisClient(server.endpoint, v.handler === 'default' ? undefined : v.handler());
      if (v.handler === 'default') {
        assert.ok(client.config.requestHandler instanceof NodeHttp2Handler,
          `default handler is ${client.config.requestHandler?.constructor?.name}`);
      }
    });
    after(() => client?.destroy());

    test('every record put after subscribing arrives once, in order', { timeout: TEST_TIMEOUT, skip: SKIP }, async () => {
      const name = uniqueName('js-sub');
      const summary = await createActiveStream(client, name, 2);
      const consumer = await register(client, summary.StreamARN);
      const subs = new Map();
      try {
        for (const shard of [sid(0), sid(1)]) {
          const s = await subscribe(client, consumer, shard, { Type: 'LATEST' });
          subs.set(shard, s);
          const first = await s.nextEvent(10000); // comes at once, before any record
          assert.deepEqual(first.Records, []);
          assert.ok(first.ContinuationSequenceNumber);
        }
        const sent = [];
        for (let b = 0; b < 10; b++) {
          sent.push(...await putMany(client, name,
            Array.from({ length: 10 }, (_, i) => [`key-${(b * 10 + i) % 7}`, `record ${b * 10 + i}`])));
        }
        const one = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'single', Data: bytes('single') }));
        sent.push({ shard: one.ShardId, seq: one.SequenceNumber, key: 'single', data: 'single' });
        const expected = byShard(sent);
        assert.deepEqual([...expected.keys()].sort(), [sid(0), sid(1)], 'the keys should reach both shards');
        for (const [shard, s] of subs) {
          const { records, events } = await s.collect(expected.get(shard).length);
          assertSameRecords(records, expected.get(shard), shard);
          for (const ev of events) {
            if (ev.Records.length) {
              assert.ok(BigInt(ev.ContinuationSequenceNumber) >= BigInt(ev.Records.at(-1).SequenceNumber));
            }
          }
          assert.equal(events.at(-1).MillisBehindLatest, 0);
        }
        // Pushed, not polled: a record put now arrives promptly.
        const t0 = Date.now();
        const late = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'late', Data: bytes('late') }));
        const { records } = await subs.get(late.ShardId).collect(1, 5000);
        assert.equal(records[0].SequenceNumber, late.SequenceNumber);
        assert.ok(Date.now() - t0 < 2000, `pushed after ${Date.now() - t0} ms`);
      } finally {
        for (const s of subs.values()) s.close();
      }
      // Errors before streaming are ordinary exceptions.
      await assert.rejects(client.send(new SubscribeToShardCommand({
        ConsumerARN: `${summary.StreamARN}/consumer/nobody:1`, ShardId: sid(0), StartingPosition: { Type: 'LATEST' },
      })), (err) => err.name === 'ResourceNotFoundException' || assert.fail(`${err.name}: ${err.message}`));
      await assert.rejects(client.send(new SubscribeToShardCommand({
        ConsumerARN: consumer, ShardId: sid(9), StartingPosition: { Type: 'LATEST' },
      })), (err) => err.name === 'ResourceNotFoundException' || assert.fail(`${err.name}: ${err.message}`));
      await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    });

    test('a split ends the subscription with ChildShards; the children follow', { timeout: TEST_TIMEOUT, skip: SKIP }, async () => {
      const name = uniqueName('js-split');
      const summary = await createActiveStream(client, name, 1);
      const consumer = await register(client, summary.StreamARN);
      const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
      const s = await subscribe(client, consumer, sid(0), { Type: 'LATEST' });
      let before;
      let afterSplit;
      try {
        assert.deepEqual((await s.nextEvent(10000)).Records, []);
        before = await putMany(client, name, Array.from({ length: 20 }, (_, i) => [keys[i % 16], `parent ${i}`]));
        await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: sid(0), NewStartingHashKey: MID }));
        await waitUntil(async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
          .StreamDescriptionSummary.StreamStatus === 'ACTIVE', 30000, 'stream ACTIVE after the split');
        afterSplit = await putMany(client, name, Array.from({ length: 20 }, (_, i) => [keys[i % 16], `child ${i}`]));
        assert.deepEqual([...new Set(afterSplit.map((r) => r.shard))].sort(), [sid(1), sid(2)]);

        const got = [];
        const events = [];
        const deadline = Date.now() + 15000;
        let r;
        for (;;) {
          r = await s.next(Math.max(100, deadline - Date.now()));
          if (r.kind !== 'event') break;
          events.push(r.event.SubscribeToShardEvent);
          got.push(...r.event.SubscribeToShardEvent.Records);
        }
        assert.equal(r.kind, 'end', `the parent's subscription ended with ${r.kind}: ${r.err}`);
        assert.ok(!s.watchdogFired(), 'the watchdog had to end the subscription');
        assertSameRecords(got, before, sid(0));
        const last = events.at(-1);
        assert.equal(last.ContinuationSequenceNumber, undefined, `last event: ${JSON.stringify(last)}`);
        for (const ev of events.slice(0, -1)) {
          assert.ok(ev.ContinuationSequenceNumber);
          assert.ok(!ev.ChildShards?.length);
        }
        const children = [...(last.ChildShards ?? [])].sort((a, b) => a.ShardId.localeCompare(b.ShardId));
        assert.deepEqual(children.map((c) => c.ShardId), [sid(1), sid(2)]);
        const listed = new Map((await client.send(new ListShardsCommand({ StreamName: name }))).Shards
          .map((x) => [x.ShardId, x]));
        for (const c of children) {
          assert.deepEqual(c.ParentShards, [sid(0)]);
          assert.deepEqual(c.HashKeyRange, listed.get(c.ShardId).HashKeyRange);
        }
      } finally {
        s.close();
      }
      const expected = byShard(afterSplit);
      for (const child of [sid(1), sid(2)]) {
        const cs = await subscribe(client, consumer, child, { Type: 'TRIM_HORIZON' });
        try {
          const { records } = await cs.collect(expected.get(child).length);
          assertSameRecords(records, expected.get(child), child);
        } finally {
          cs.close();
        }
      }
      await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    });
  });
}

describe('SubscribeToShard lifetime (own server: 1.5 s lifetime, 200 ms heartbeats)', () => {
  let own;
  before(async () => {
    if (SKIP_OWN_SERVER) return;
    const saved = [process.env.SLUICE_SUBSCRIPTION_LIFETIME_MS, process.env.SLUICE_SUBSCRIPTION_HEARTBEAT_MS];
    process.env.SLUICE_SUBSCRIPTION_LIFETIME_MS = '1500';
    process.env.SLUICE_SUBSCRIPTION_HEARTBEAT_MS = '200';
    try {
      own = await startServer();
    } finally {
      if (saved[0] === undefined) delete process.env.SLUICE_SUBSCRIPTION_LIFETIME_MS;
      else process.env.SLUICE_SUBSCRIPTION_LIFETIME_MS = saved[0];
      if (saved[1] === undefined) delete process.env.SLUICE_SUBSCRIPTION_HEARTBEAT_MS;
      else process.env.SLUICE_SUBSCRIPTION_HEARTBEAT_MS = saved[1];
    }
  });
  after(async () => {
    await own?.stop();
  });

  for (const v of variants) {
    test(`${v.label}: the stream ends by itself; resuming from the continuation loses nothing`,
      { timeout: TEST_TIMEOUT, skip: SKIP_OWN_SERVER }, async () => {
        const client = kinesisClient(own.endpoint, v.handler === 'default' ? undefined : v.handler());
        const producer = kinesisClient(own.endpoint, v.handler === 'default' ? undefined : v.handler());
        try {
          const name = uniqueName('js-life');
          const summary = await createActiveStream(client, name, 1);
          const consumer = await register(client, summary.StreamARN);
          // A producer puts records until told to stop.
          const sent = [];
          let stop = false;
          const producing = (async () => {
            for (let i = 0; !stop; i++) {
              const r = await producer.send(new PutRecordCommand({ StreamName: name, PartitionKey: `k${i % 4}`, Data: bytes(`n${i}`) }));
              sent.push({ shard: r.ShardId, seq: r.SequenceNumber, key: `k${i % 4}`, data: `n${i}` });
              await new Promise((resolve) => { setTimeout(resolve, 5); }); // pacing, not synchronisation
            }
          })();
          const received = [];
          let position = { Type: 'TRIM_HORIZON' };
          try {
            for (let session = 0; session < 3; session++) {
              if (session === 2) {
                stop = true;
                await producing; // the last session must deliver everything acknowledged
              }
              let s;
              try {
                s = await subscribe(client, consumer, sid(0), position, 15000);
              } catch (err) {
                assert.fail(`resubscribing right after the previous subscription ended was refused: ${err.name}: ${err.message}`);
              }
              try {
                const events = [];
                let r;
                for (;;) {
                  r = await s.next(10000);
                  if (r.kind !== 'event') break;
                  const ev = r.event.SubscribeToShardEvent;
                  assert.ok(ev.ContinuationSequenceNumber, `session ${session}: event without continuation`);
                  events.push(ev);
                  received.push(...ev.Records);
                }
                const lasted = Date.now() - s.started;
                assert.equal(r.kind, 'end', `session ${session} ended with ${r.kind}: ${r.err}`);
                assert.ok(!s.watchdogFired(), 'the watchdog had to end the subscription');
                assert.ok(lasted >= 1200 && lasted <= 6000, `session ${session} lasted ${lasted} ms; lifetime is 1500 ms`);
                assert.ok(events.length >= 3, `session ${session}: only ${events.length} events`);
                position = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: events.at(-1).ContinuationSequenceNumber };
              } finally {
                s.close();
              }
            }
          } finally {
            stop = true;
            await producing;
          }
          assert.ok(sent.length > 50, `the producer put only ${sent.length} records`);
          assert.equal(new Set(received.map((r) => r.SequenceNumber)).size, received.length, 'a record arrived twice');
          assertSameRecords(received, sent, 'all sessions');
        } finally {
          client.destroy();
          producer.destroy();
        }
      });
  }
});
