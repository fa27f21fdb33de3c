// The CBOR 1.1 codec (`Content-Type: application/x-amz-cbor-1.1`) driven by a client built on an
// independent CBOR library (the npm package `cbor`), its requests shaped as the AWS SDK for
// Java v2 sends them: POST /, `X-Amz-Target: Kinesis_20131202.<Operation>`, a SigV4 signature
// (the server runs with `--auth`, so it is checked), and a body that is an indefinite-length map
// (Jackson's CBOR generator writes objects and arrays without a length), blobs as byte strings,
// timestamps as tag 1 around integer epoch MILLISECONDS. Answers are decoded with the same
// library: blobs must be byte strings, timestamps tag 1 around integer milliseconds.
// Over HTTP/1.1 (node:http, one keep-alive connection) and, for a few operations, HTTP/2 (node:http2).
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SignatureV4 } from '@smithy/signature-v4';
import cbor from 'cbor';

import { REFERENCE, startServer, uniqueName, waitUntil } from './helpers.mjs';

const CBOR_TYPE = 'application/x-amz-cbor-1.1';
const TEST_TIMEOUT = 120000;
const ACCOUNT = '123456789012';
const KEY_ID = 'AKIDCBORTEST';
const SECRET = 'cbor-test-secret';
const REGION = 'us-east-1';

// --- Encoding as the Java SDK v2 does -----------------------------------------------------------

/** One item as CBOR. The library's encoder is a stream: once its buffer passes the high-water
 * mark, pushes report backpressure and an indefinite-length container stops without its "break"
 * byte, so the mark is set far above any body these tests send. */
const encode = (value) => cbor.encodeOne(value, { highWaterMark: 64 * 1024 * 1024 });

/** Tag 1 around integer epoch milliseconds: `writeTag(1); writeNumber(epochMillis)`. */
const javaTimestamp = (millis) => new cbor.Tagged(1, millis);

/** `value` with every plain object and array marked for indefinite-length encoding, as Jackson
 * writes them (0xbf ... 0xff, 0x9f ... 0xff). Buffers stay definite byte strings, strings stay
 * definite text strings, numbers take the shortest integer width. */
function javaShape(value) {
  if (Array.isArray(value)) {
    const out = value.map(javaShape);
    Object.defineProperty(out, 'encodeCBOR', { value: cbor.Encoder.encodeIndefinite });
    return out;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = javaShape(v);
    Object.defineProperty(out, 'encodeCBOR', { value: cbor.Encoder.encodeIndefinite });
    return out;
  }
  return value;
}

const encodeJava = (input) => encode(javaShape(input));

/** A string or Buffer written as an indefinite-length string of `chunk`-sized chunks. */
function chunked(value, chunk) {
  return { encodeCBOR: (gen) => cbor.Encoder.encodeIndefinite(gen, value, { chunkSize: chunk }) };
}

/** An indefinite-length map of [key, bytes of the value] pairs, the values written by hand. */
function rawMap(pairs) {
  return Buffer.concat([Buffer.from([0xbf]), ...pairs.flatMap(([k, v]) => [encode(k), v]),
    Buffer.from([0xff])]);
}

/** Tag 1 as decoded from an answer: the number it wraps. */
class Tag1 {
  constructor(value) { this.value = value; }
}

function decode(body) {
  return cbor.decodeFirstSync(body, { tags: { 1: (v) => new Tag1(v) } });
}

/** Asserts a decoded timestamp is tag 1 around integer milliseconds within a minute of now. */
function assertRecentMillis(ts, what) {
  assert.ok(ts instanceof Tag1, `${what} is not tag 1: ${JSON.stringify(ts)}`);
  assert.ok(Number.isInteger(ts.value), `${what} is not integer milliseconds: ${ts.value}`);
  assert.ok(Math.abs(ts.value - Date.now()) < 60000, `${what} ${ts.value} is not close to now (${Date.now()})`);
  return ts.value;
}

// --- Signing and sending ------------------------------------------------------------------------

class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data); }
  async digest() { return new Uint8Array(this.hash.digest()); }
}

const signer = (secret) => new SignatureV4({
  credentials: { accessKeyId: KEY_ID, secretAccessKey: secret },
  region: REGION,
  service: 'kinesis',
  sha256: Sha256,
  applyChecksum: false,
});

/** The headers of a Java-SDK-shaped request, signed. */
async function signedHeaders(endpoint, operation, body, secret = SECRET, contentType = CBOR_TYPE) {
  const url = new URL(endpoint);
  const signed = await signer(secret).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': contentType,
      'content-length': String(body.length),
      'x-amz-target': `Kinesis_20131202.${operation}`,
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-request': 'attempt=1; max=1',
    },
    body,
  });
  return signed.headers;
}

/** POST over HTTP/1.1 through the keep-alive `pool`. Resolves {status, type, body} (body a Buffer). */
function postHttp1(endpoint, pool, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${endpoint}/`, { method: 'POST', headers, agent: pool, timeout: 20000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** POST on an HTTP/2 connection. `host` becomes `:authority`. */
function postHttp2(connection, headers, body) {
  return new Promise((resolve, reject) => {
    const { host, ...rest } = headers;
    const stream = connection.request({ ':method': 'POST', ':path': '/', ':authority': host, ...rest });
    stream.setTimeout(20000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    let type;
    const chunks = [];
    stream.on('response', (h) => { status = h[':status']; type = h['content-type']; });
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve({ status, type, body: Buffer.concat(chunks) }));
    stream.on('close', () => { if (!status) reject(new Error('HTTP/2 stream closed without an answer')); });
    stream.on('error', reject);
    stream.end(body);
  });
}

/** A client for one server: `send` takes a ready CBOR body, `call` encodes `input` Java-style. */
function makeClient(endpoint) {
  const pool = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let h2;
  const transports = {
    http1: (headers, body) => postHttp1(endpoint, pool, headers, body),
    http2: (headers, body) => {
      if (!h2 || h2.closed || h2.destroyed) {
        h2 = http2.connect(endpoint);
        h2.on('error', () => {});
      }
      return postHttp2(h2, headers, body);
    },
  };
  const client = {
    async send(operation, body, { transport = 'http1', secret, contentType } = {}) {
      const headers = await signedHeaders(endpoint, operation, body, secret, contentType);
      return transports[transport](headers, body);
    },
    /** The decoded answer of a call that must succeed. */
    async call(operation, input, opts = {}) {
      return client.ok(await client.send(operation, opts.encode ? opts.encode(input) : encodeJava(input), opts), operation);
    },
    ok(res, operation) {
      assert.equal(res.status, 200, `${operation}: HTTP ${res.status}: ${describeBody(res.body)}`);
      assert.equal(res.type, CBOR_TYPE, `${operation}: content type`);
      return res.body.length ? decode(res.body) : null;
    },
    /** {status, type, message} of a call that must fail; the error body must be CBOR. */
    async fail(operation, input, opts = {}) {
      const body = Buffer.isBuffer(input) ? input : (opts.encode ? opts.encode(input) : encodeJava(input));
      return client.error(await client.send(operation, body, opts), operation);
    },
    error(res, operation) {
      assert.notEqual(res.status, 200, `${operation} succeeded: ${describeBody(res.body)}`);
      assert.equal(res.type, CBOR_TYPE, `${operation}: error content type`);
      const err = decode(res.body);
      assert.ok(err instanceof Map || typeof err === 'object', `${operation}: error body ${res.body.toString('hex')}`);
      return { status: res.status, type: err.__type, message: err.message ?? err.Message, body: err };
    },
    close() {
      pool.destroy();
      h2?.close();
    },
  };
  return client;
}

function describeBody(body) {
  try {
    return JSON.stringify(decode(body));
  } catch {
    return body.toString('hex').slice(0, 200);
  }
}

// --- The tests ----------------------------------------------------------------------------------

// The server runs with `--auth` and a credentials file naming the account: not against another endpoint.
const skip = process.env.SLUICE_E2E_ENDPOINT || REFERENCE ? 'not run against another endpoint: needs its own server with --auth' : false;

let server;
let client;
let credentialsDir;

before(async () => {
  if (skip) return;
  credentialsDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-cbor-'));
  const credentials = join(credentialsDir, 'credentials');
  writeFileSync(credentials, `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n` +
    `aws_account_id = ${ACCOUNT}\n`);
  server = await startServer(['--auth', credentials]);
  client = makeClient(server.endpoint);
});

after(async () => {
  client?.close();
  await server?.stop();
  if (credentialsDir) rmSync(credentialsDir, { recursive: true, force: true });
});

async function createActive(name, shards, transport = 'http1') {
  const created = await client.call('CreateStream', { StreamName: name, ShardCount: shards }, { transport });
  assert.equal(created, null, 'CreateStream answers with an empty body');
  return waitUntil(async () => {
    const s = (await client.call('DescribeStreamSummary', { StreamName: name }, { transport })).StreamDescriptionSummary;
    return s.StreamStatus === 'ACTIVE' ? s : null;
  }, 30000, `stream ${name} ACTIVE`);
}

async function iterator(input, transport = 'http1') {
  const out = await client.call('GetShardIterator', input, { transport });
  assert.equal(typeof out.ShardIterator, 'string');
  return out.ShardIterator;
}

/** Every record from `it` until the shard is caught up. */
async function drain(it, transport = 'http1') {
  const records = [];
  for (let i = 0; i < 100; i++) {
    const r = await client.call('GetRecords', { ShardIterator: it, Limit: 10000 }, { transport });
    records.push(...r.Records);
    assert.equal(typeof r.NextShardIterator, 'string');
    it = r.NextShardIterator;
    if (r.Records.length === 0 && r.MillisBehindLatest === 0) return records;
  }
  throw new Error('shard not drained');
}

const notFound = (name) => `Stream ${name} under account ${ACCOUNT} not found.`;

describe('CBOR 1.1 requests shaped like the AWS SDK for Java v2', { skip }, () => {
  test('the request body really is what Jackson writes', () => {
    // An indefinite map, text keys, a definite byte string, tag 1 around 64-bit milliseconds.
    const body = encodeJava({ StreamName: 's', Data: Buffer.from([0xff]), Timestamp: javaTimestamp(1700000000123) });
    assert.equal(body.toString('hex'),
      'bf' + '6a53747265616d4e616d65' + '6173' + '6444617461' + '41ff' +
      '6954696d657374616d70' + 'c11b0000018bcfe5687b' + 'ff');
    assert.equal(encodeJava({ Records: [{ A: 1 }] }).toString('hex'), 'bf' + '675265636f726473' + '9fbf' + '614101' + 'ffff' + 'ff');
    // A big body keeps its closing "break".
    const big = encodeJava({ Records: [{ Data: Buffer.alloc(1024 * 1024, 0xab) }] });
    assert.equal(big.subarray(-3).toString('hex'), 'ffffff');
    assert.equal(decode(big).Records[0].Data.length, 1024 * 1024);
  });

  test('streams: create, describe, list, list shards by creation timestamp, tags, retention, delete',
    { timeout: TEST_TIMEOUT }, async () => {
      const name = uniqueName('cbor-streams');
      const summary = await createActive(name, 2);
      assert.equal(summary.StreamName, name);
      assert.equal(summary.StreamARN, `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`);
      assert.equal(summary.OpenShardCount, 2);
      assert.equal(summary.RetentionPeriodHours, 24);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: 'PROVISIONED' });
      const created = assertRecentMillis(summary.StreamCreationTimestamp, 'StreamCreationTimestamp');

      const described = (await client.call('DescribeStream', { StreamName: name })).StreamDescription;
      assert.equal(described.StreamStatus, 'ACTIVE');
      assert.equal(described.HasMoreShards, false);
      assert.ok(described.StreamCreationTimestamp instanceof Tag1);
      assert.equal(described.StreamCreationTimestamp.value, created);
      assert.deepEqual(described.Shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001']);
      assert.equal(described.Shards[0].HashKeyRange.StartingHashKey, '0');
      assert.equal(described.Shards[1].HashKeyRange.EndingHashKey, '340282366920938463463374607431768211455');
      assert.match(described.Shards[0].SequenceNumberRange.StartingSequenceNumber, /^\d{56}$/);

      // ListStreams: the name and, in the summaries, the same tag-1 creation time.
      const listed = await client.call('ListStreams', { Limit: 10000 });
      assert.ok(listed.StreamNames.includes(name), JSON.stringify(listed.StreamNames));
      const mine = listed.StreamSummaries.find((s) => s.StreamName === name);
      assert.ok(mine, 'no StreamSummaries entry');
      assert.ok(mine.StreamCreationTimestamp instanceof Tag1);
      assert.equal(mine.StreamCreationTimestamp.value, created);

      // ListShards names the stream by its creation time (tag 1, milliseconds): a day later is
      // another stream, so not found. Read as seconds, the right time would not match either.
      const shards = await client.call('ListShards', { StreamName: name, StreamCreationTimestamp: javaTimestamp(created) });
      assert.deepEqual(shards.Shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001']);
      const other = await client.fail('ListShards', { StreamName: name, StreamCreationTimestamp: javaTimestamp(created + 86400000) });
      assert.deepEqual([other.status, other.type, other.message], [400, 'ResourceNotFoundException', notFound(name)]);
      const paged = await client.call('ListShards', { StreamName: name, MaxResults: 1 });
      assert.equal(paged.Shards.length, 1);
      assert.equal(typeof paged.NextToken, 'string');
      const rest = await client.call('ListShards', { NextToken: paged.NextToken });
      assert.deepEqual(rest.Shards.map((s) => s.ShardId), ['shardId-000000000001']);

      assert.equal(await client.call('AddTagsToStream', { StreamName: name, Tags: { team: 'data', env: 'test' } }), null);
      const tags = await client.call('ListTagsForStream', { StreamName: name });
      assert.deepEqual(tags, { Tags: [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'data' }], HasMoreTags: false });

      assert.equal(await client.call('IncreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 48 }), null);
      const longer = (await client.call('DescribeStreamSummary', { StreamName: name })).StreamDescriptionSummary;
      assert.equal(longer.RetentionPeriodHours, 48);

      assert.equal(await client.call('DeleteStream', { StreamName: name }), null);
      const gone = await waitUntil(async () => {
        const res = await client.send('DescribeStreamSummary', encodeJava({ StreamName: name }));
        return res.status === 400 ? client.error(res, 'DescribeStreamSummary') : null;
      }, 30000, `stream ${name} deleted`);
      assert.deepEqual([gone.type, gone.message], ['ResourceNotFoundException', notFound(name)]);
    });

  test('records: binary data round trips exactly through PutRecord, PutRecords and GetRecords',
    { timeout: TEST_TIMEOUT }, async () => {
      const name = uniqueName('cbor-records');
      await createActive(name, 1);
      const shard = 'shardId-000000000000';
      const payloads = [
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)), // every byte value
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x00, 0xf8, 0x88, 0x80, 0x80, 0x80]), // not UTF-8
        Buffer.from('plain text, é ü 日本', 'utf8'),
        randomBytes(300 * 1024),
        Buffer.from([0x00]),
      ];
      const one = await client.call('PutRecord', { StreamName: name, PartitionKey: 'p0', Data: payloads[0] });
      assert.match(one.SequenceNumber, /^\d{56}$/);
      assert.equal(one.ShardId, shard);
      const many = await client.call('PutRecords', {
        StreamName: name,
        Records: payloads.slice(1).map((Data, i) => ({ PartitionKey: `p${i + 1}`, Data })),
      });
      assert.equal(many.FailedRecordCount, 0);
      assert.equal(many.Records.length, payloads.length - 1);
      for (const r of many.Records) assert.equal(r.ShardId, shard);
      const seqs = [one.SequenceNumber, ...many.Records.map((r) => r.SequenceNumber)];
      for (let i = 1; i < seqs.length; i++) assert.ok(BigInt(seqs[i]) > BigInt(seqs[i - 1]), 'sequence numbers not increasing');

      const records = await drain(await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }));
      assert.deepEqual(records.map((r) => r.SequenceNumber), seqs);
      records.forEach((r, i) => {
        assert.ok(Buffer.isBuffer(r.Data), `Data of record ${i} is not a byte string`);
        assert.ok(r.Data.equals(payloads[i]), `Data of record ${i} differs`);
        assert.equal(r.PartitionKey, `p${i}`);
        assertRecentMillis(r.ApproximateArrivalTimestamp, 'ApproximateArrivalTimestamp');
      });

      // AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER of the third record.
      const at = await drain(await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[2] }));
      assert.deepEqual(at.map((r) => r.SequenceNumber), seqs.slice(2));
      const afterIt = await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[2] });
      assert.deepEqual((await drain(afterIt)).map((r) => r.SequenceNumber), seqs.slice(3));

      // Limit caps a page; the next iterator continues.
      const page = await client.call('GetRecords', { ShardIterator: await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }), Limit: 2 });
      assert.deepEqual(page.Records.map((r) => r.SequenceNumber), seqs.slice(0, 2));
      assert.ok(page.MillisBehindLatest >= 0);
    });

  test('AT_TIMESTAMP with tag-1 milliseconds (and the seconds forms other writers use)',
    { timeout: TEST_TIMEOUT }, async () => {
      const name = uniqueName('cbor-ts');
      await createActive(name, 1);
      const shard = 'shardId-000000000000';
      const put = async (data) => client.call('PutRecord', { StreamName: name, PartitionKey: 'k', Data: Buffer.from(data) });
      const first = await put('first');
      const t1 = assertRecentMillis((await drain(await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' })))[0].ApproximateArrivalTimestamp, 't1');
      // The clock must move on so the second record arrives in a later millisecond.
      await waitUntil(() => Date.now() > t1 + 5, 5000, 'the clock to pass the first arrival');
      const second = await put('second');
      const all = await drain(await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }));
      assert.deepEqual(all.map((r) => r.SequenceNumber), [first.SequenceNumber, second.SequenceNumber]);
      const t2 = all[1].ApproximateArrivalTimestamp.value;
      assert.ok(t2 > t1, `arrivals ${t1} and ${t2}`);

      const fromTimestamp = async (timestampBytes) => {
        const body = rawMap([
          ['StreamName', encode(name)], ['ShardId', encode(shard)],
          ['ShardIteratorType', encode('AT_TIMESTAMP')], ['Timestamp', timestampBytes],
        ]);
        const it = client.ok(await client.send('GetShardIterator', body), 'GetShardIterator').ShardIterator;
        return (await drain(it)).map((r) => r.Data.toString());
      };
      const double = (v) => { const b = Buffer.alloc(9); b[0] = 0xfb; b.writeDoubleBE(v, 1); return b; };
      // The Java SDK v2: tag 1 around an integer of epoch milliseconds.
      assert.deepEqual(await fromTimestamp(encode(javaTimestamp(t1))), ['first', 'second']);
      assert.deepEqual(await fromTimestamp(encode(javaTimestamp(t2))), ['second']);
      // An hour ahead is refused, the milliseconds echoed exactly as sent.
      const ahead = client.error(await client.send('GetShardIterator', rawMap([
        ['StreamName', encode(name)], ['ShardId', encode(shard)],
        ['ShardIteratorType', encode('AT_TIMESTAMP')], ['Timestamp', encode(javaTimestamp(t2 + 3600000))],
      ])), 'GetShardIterator');
      assert.deepEqual([ahead.status, ahead.type], [400, 'InvalidArgumentException']);
      assert.ok(ahead.message.startsWith('The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. ' +
        `timestampInMillis: ${t2 + 3600000}, `), ahead.message);
      // Tag 1 around a double of milliseconds.
      assert.deepEqual(await fromTimestamp(Buffer.concat([Buffer.from([0xc1]), double(t2)])), ['second']);
      // Tag 1 around a double of seconds (RFC 8949's epoch time) and an untagged double of seconds.
      assert.deepEqual(await fromTimestamp(Buffer.concat([Buffer.from([0xc1]), double(t2 / 1000)])), ['second']);
      assert.deepEqual(await fromTimestamp(double(t1 / 1000)), ['first', 'second']);
      // The library's own Date encoding (tag 1, seconds).
      assert.deepEqual(await fromTimestamp(encode(new Date(t2))), ['second']);
    });

  test('resharding: UpdateShardCount and SplitShard', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('cbor-reshard');
    await createActive(name, 1);
    const updated = await client.call('UpdateShardCount', { StreamName: name, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' });
    assert.deepEqual(updated, { StreamName: name, CurrentShardCount: 1, TargetShardCount: 2, StreamARN: updated.StreamARN });
    assert.equal(updated.StreamARN, `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`);
    await waitUntil(async () => {
      const s = (await client.call('DescribeStreamSummary', { StreamName: name })).StreamDescriptionSummary;
      return s.StreamStatus === 'ACTIVE' && s.OpenShardCount === 2;
    }, 30000, 'two open shards');
    const open = (await client.call('ListShards', { StreamName: name, ShardFilter: { Type: 'AT_LATEST' } })).Shards;
    assert.equal(open.length, 2);
    const child = open[0];
    const start = BigInt(child.HashKeyRange.StartingHashKey);
    const end = BigInt(child.HashKeyRange.EndingHashKey);
    const middle = ((start + end + 1n) / 2n).toString();
    assert.equal(await client.call('SplitShard', { StreamName: name, ShardToSplit: child.ShardId, NewStartingHashKey: middle }), null);
    await waitUntil(async () => {
      const s = (await client.call('DescribeStreamSummary', { StreamName: name })).StreamDescriptionSummary;
      return s.StreamStatus === 'ACTIVE' && s.OpenShardCount === 3;
    }, 30000, 'three open shards');
    const all = (await client.call('ListShards', { StreamName: name })).Shards;
    const split = all.filter((s) => s.ParentShardId === child.ShardId);
    assert.deepEqual(split.map((s) => s.HashKeyRange.StartingHashKey), [start.toString(), middle]);
    assert.ok(all.find((s) => s.ShardId === child.ShardId).SequenceNumberRange.EndingSequenceNumber, 'parent not closed');
  });

  test('consumers: RegisterStreamConsumer and DescribeStreamConsumer', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('cbor-consumers');
    const { StreamARN: arn, StreamCreationTimestamp: created } = await createActive(name, 1);
    const registered = (await client.call('RegisterStreamConsumer', { StreamARN: arn, ConsumerName: 'app' })).Consumer;
    assert.equal(registered.ConsumerName, 'app');
    assert.ok(registered.ConsumerARN.startsWith(`${arn}/consumer/app:`), registered.ConsumerARN);
    const at = assertRecentMillis(registered.ConsumerCreationTimestamp, 'ConsumerCreationTimestamp');
    const active = await waitUntil(async () => {
      const d = (await client.call('DescribeStreamConsumer', { ConsumerARN: registered.ConsumerARN })).ConsumerDescription;
      return d.ConsumerStatus === 'ACTIVE' ? d : null;
    }, 30000, 'consumer ACTIVE');
    assert.equal(active.StreamARN, arn);
    assert.equal(active.ConsumerCreationTimestamp.value, at);
    const byName = (await client.call('DescribeStreamConsumer', { StreamARN: arn, ConsumerName: 'app' })).ConsumerDescription;
    assert.equal(byName.ConsumerARN, registered.ConsumerARN);
    const listed = await client.call('ListStreamConsumers', { StreamARN: arn, StreamCreationTimestamp: javaTimestamp(created.value) });
    assert.deepEqual(listed.Consumers.map((c) => c.ConsumerName), ['app']);
    assert.equal(listed.Consumers[0].ConsumerCreationTimestamp.value, at);
  });

  test('errors come back as CBOR: not found, validation, in use, bad signature', { timeout: TEST_TIMEOUT }, async () => {
    const missing = uniqueName('cbor-missing');
    for (const [op, extra] of [['DescribeStream', {}], ['DescribeStreamSummary', {}], ['DeleteStream', {}],
      ['PutRecord', { PartitionKey: 'a', Data: Buffer.from('x') }]]) {
      const e = await client.fail(op, { StreamName: missing, ...extra });
      assert.deepEqual([e.status, e.type, e.message], [400, 'ResourceNotFoundException', notFound(missing)], op);
      assert.deepEqual(Object.keys(e.body).sort(), ['__type', 'message']);
    }
    const noShard = await client.fail('GetShardIterator', { StreamName: missing, ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' });
    assert.deepEqual([noShard.status, noShard.type, noShard.message], [400, 'ResourceNotFoundException',
      `Shard shardId-000000000000 in stream ${missing} under account ${ACCOUNT} does not exist`]);

    const badName = await client.fail('CreateStream', { StreamName: 'a b', ShardCount: 1 });
    assert.deepEqual([badName.status, badName.type, badName.message], [400, 'ValidationException',
      "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+']);
    const badLimit = await client.fail('GetRecords', { ShardIterator: 'x', Limit: 10001 });
    assert.deepEqual([badLimit.status, badLimit.type, badLimit.message], [400, 'ValidationException',
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: " +
      'Member must have value less than or equal to 10000']);

    const name = uniqueName('cbor-dup');
    await createActive(name, 1);
    const dup = await client.fail('CreateStream', { StreamName: name, ShardCount: 1 });
    assert.deepEqual([dup.status, dup.type], [400, 'ResourceInUseException']);
    assert.match(dup.message, new RegExp(name));

    // A byte string where a string belongs is read as its base64 text (as every blob is), which
    // is no valid stream name.
    const wrongType = await client.fail('DescribeStream', { StreamName: Buffer.from('x') });
    assert.deepEqual([wrongType.status, wrongType.type, wrongType.message], [400, 'ValidationException',
      "1 validation error detected: Value 'eA==' at 'streamName' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+']);

    // Signed with the wrong secret: the authentication error is CBOR too.
    const body = encodeJava({ Limit: 1 });
    const unsigned = client.error(await client.send('ListStreams', body, { secret: 'wrong' }), 'ListStreams');
    assert.deepEqual([unsigned.status, unsigned.type], [400, 'InvalidSignatureException']);
    assert.ok(unsigned.message.startsWith('The request signature we calculated does not match'), unsigned.message);
  });

  test('malformed CBOR is a SerializationException and the server carries on', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('cbor-malformed');
    await createActive(name, 1);
    const good = encodeJava({ StreamName: name, PartitionKey: 'k', Data: Buffer.from('after') });
    const bad = {
      truncated: good.subarray(0, good.length - 4),
      'trailing bytes': Buffer.concat([good, Buffer.from([0x00])]),
      'a stray break': Buffer.from([0xff]),
      'an array at the top': encode([1, 2, 3]),
      'a number at the top': encode(7),
      'an integer key': Buffer.from('bf0101ff', 'hex'),
      'text that is not UTF-8': Buffer.concat([Buffer.from([0xbf]), encode('StreamName'), Buffer.from([0x62, 0xc3, 0x28, 0xff])]),
      'a 4 GiB string claimed': Buffer.concat([Buffer.from([0xbf]), encode('Data'), Buffer.from('5b0000000100000000', 'hex'), Buffer.from([0xff])]),
      'reserved additional information': Buffer.from('bf61611cff', 'hex'),
      'deep nesting': Buffer.concat([Buffer.from([0xbf]), encode('a'), Buffer.alloc(1000, 0x81), Buffer.from([0x00, 0xff])]),
      'an indefinite text with a byte chunk': Buffer.from('bf6161' + '7f' + '4161' + 'ff' + 'ff', 'hex'),
    };
    for (const [what, body] of Object.entries(bad)) {
      const e = await client.fail('PutRecord', body);
      assert.deepEqual([e.status, e.type], [400, 'SerializationException'], what);
    }
    // Still serving, both codecs.
    const put = client.ok(await client.send('PutRecord', good), 'PutRecord');
    const records = await drain(await iterator({ StreamName: name, ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    assert.deepEqual(records.map((r) => r.Data.toString()), ['after']);
  });

  test('input variants: definite and indefinite lengths, chunked strings, integer and float widths',
    { timeout: TEST_TIMEOUT }, async () => {
      const name = uniqueName('cbor-variants');
      // CreateStream with the library's plain (definite-length) encoding and the name as an
      // indefinite text string of 3-byte chunks.
      assert.equal(client.ok(await client.send('CreateStream', encode({ StreamName: chunked(name, 3), ShardCount: 1 })), 'CreateStream'), null);
      await waitUntil(async () => {
        const s = (await client.call('DescribeStreamSummary', { StreamName: name }, { encode })).StreamDescriptionSummary;
        return s.StreamStatus === 'ACTIVE';
      }, 30000, `stream ${name} ACTIVE`);
      const shard = 'shardId-000000000000';

      // Data as an indefinite byte string of chunks, in a definite map, inside a definite array.
      const big = randomBytes(10000);
      const many = client.ok(await client.send('PutRecords', encode({
        StreamName: name, Records: [{ PartitionKey: 'chunked', Data: chunked(big, 1000) }],
      })), 'PutRecords');
      assert.equal(many.FailedRecordCount, 0);
      for (let i = 0; i < 4; i++) {
        await client.call('PutRecord', { StreamName: name, PartitionKey: `k${i}`, Data: Buffer.from(`r${i}`) });
      }
      // Empty maps: ListStreams with no input, definite and indefinite.
      for (const empty of [Buffer.from([0xa0]), Buffer.from([0xbf, 0xff])]) {
        assert.ok(client.ok(await client.send('ListStreams', empty), 'ListStreams').StreamNames.includes(name));
      }

      const start = await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' });
      const all = (await drain(start));
      assert.equal(all.length, 5);
      assert.ok(all[0].Data.equals(big), 'chunked Data did not round trip');

      // GetRecords Limit 2 in every integer width and as half, single and double floats.
      const widths = {
        'uint inline': '02',
        uint8: '1802',
        uint16: '190002',
        uint32: '1a00000002',
        uint64: '1b0000000000000002',
        half: 'f94000',
        single: 'fa40000000',
        double: 'fb4000000000000000',
      };
      for (const [what, hex] of Object.entries(widths)) {
        const body = rawMap([['ShardIterator', encode(start)], ['Limit', Buffer.from(hex, 'hex')]]);
        const page = client.ok(await client.send('GetRecords', body), `GetRecords (${what})`);
        assert.deepEqual(page.Records.map((r) => r.PartitionKey), ['chunked', 'k0'], what);
      }
      // Wide encodings of out-of-range values are still range-checked.
      for (const [what, hex, shown] of [['uint16', '192711', '10001'], ['uint64', '1b0000000000002711', '10001'], ['negative', '20', '-1']]) {
        const body = rawMap([['ShardIterator', encode(start)], ['Limit', Buffer.from(hex, 'hex')]]);
        const e = client.error(await client.send('GetRecords', body), 'GetRecords');
        assert.deepEqual([e.status, e.type], [400, 'ValidationException'], what);
        assert.ok(e.message.includes(`Value '${shown}' at 'limit'`), `${what}: ${e.message}`);
      }
      // ShardCount as uint32 in a Java-shaped CreateStream; tags as a nested indefinite map of
      // chunked strings.
      const wide = uniqueName('cbor-wide');
      const createWide = rawMap([['StreamName', encode(wide)], ['ShardCount', Buffer.from('1a00000003', 'hex')]]);
      assert.equal(client.ok(await client.send('CreateStream', createWide), 'CreateStream'), null);
      await waitUntil(async () => (await client.call('DescribeStreamSummary', { StreamName: wide })).StreamDescriptionSummary.StreamStatus === 'ACTIVE', 30000, 'wide ACTIVE');
      assert.equal((await client.call('DescribeStreamSummary', { StreamName: wide })).StreamDescriptionSummary.OpenShardCount, 3);
      const tagBody = Buffer.concat([Buffer.from([0xbf]), encode('StreamName'), encode(wide), encode('Tags'),
        Buffer.from([0xbf]), encode(chunked('colour', 2)), encode(chunked('blue', 1)), Buffer.from([0xff, 0xff])]);
      assert.equal(client.ok(await client.send('AddTagsToStream', tagBody), 'AddTagsToStream'), null);
      assert.deepEqual((await client.call('ListTagsForStream', { StreamName: wide })).Tags, [{ Key: 'colour', Value: 'blue' }]);
    });

  test('edge values get the answer the JSON codec gives for the same request', { timeout: TEST_TIMEOUT }, async () => {
    const name = uniqueName('cbor-json');
    await createActive(name, 1);
    const shard = 'shardId-000000000000';
    for (const d of ['a', 'b', 'c']) await client.call('PutRecord', { StreamName: name, PartitionKey: 'k', Data: Buffer.from(d) });
    const it = await iterator({ StreamName: name, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' });
    const JSON_TYPE = 'application/x-amz-json-1.1';
    // What an answer says, the same way for both codecs: the error, or what `success` makes of it.
    const outcome = async (res, json, success) => {
      const body = res.body.length ? (json ? JSON.parse(res.body.toString()) : decode(res.body)) : {};
      if (res.status !== 200) return { status: res.status, type: body.__type, message: body.message ?? body.Message };
      return { status: 200, result: await success(body, json) };
    };
    // `member` set to each case's value, written as CBOR and as JSON, next to `fields`.
    const compare = async (operation, fields, member, cases, success) => {
      const answers = new Set();
      for (const [what, cborHex, jsonText] of cases) {
        const cborBody = rawMap([...fields.map(([k, v]) => [k, encode(v)]), [member, Buffer.from(cborHex, 'hex')]]);
        const jsonBody = Buffer.from(`{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')},` +
          `${JSON.stringify(member)}:${jsonText}}`);
        const viaCbor = await client.send(operation, cborBody);
        assert.equal(viaCbor.type, CBOR_TYPE, what);
        const viaJson = await client.send(operation, jsonBody, { contentType: JSON_TYPE });
        assert.equal(viaJson.type, JSON_TYPE, what);
        const c = await outcome(viaCbor, false, success);
        const j = await outcome(viaJson, true, success);
        assert.deepEqual(c, j, `${what}: CBOR ${JSON.stringify(c)} vs JSON ${JSON.stringify(j)}`);
        answers.add(JSON.stringify(c));
      }
      return answers;
    };

    const records = (body, json) => body.Records.map((r) => (json ? Buffer.from(r.Data, 'base64') : r.Data).toString());
    const limits = await compare('GetRecords', [['ShardIterator', it]], 'Limit', [
      ['2^64-1', '1bffffffffffffffff', '18446744073709551615'],
      ['-2^64', '3bffffffffffffffff', '-18446744073709551616'],
      ['-2^63', '3b7fffffffffffffff', '-9223372036854775808'],
      ['1e300 (double)', 'fb7e37e43c8800759c', '1e300'],
      ['2.5 (half)', 'f94100', '2.5'],
      ['+Infinity (single)', 'fa7f800000', '1e999'],
      ['NaN (half)', 'f97e00', 'null'],
      ['undefined', 'f7', 'null'],
      ['true', 'f5', 'true'],
      ['text', '6132', '"2"'],
      ['array', '80', '[]'],
      ['map', 'a0', '{}'],
    ], records);
    // The cases do not all end alike: too big, too small, two records, all three, three type errors.
    assert.ok(limits.size >= 7, [...limits].join('\n'));

    const fromIterator = async (body) => (await drain(body.ShardIterator)).map((r) => r.Data.toString());
    const timestamps = await compare('GetShardIterator',
      [['StreamName', name], ['ShardId', shard], ['ShardIteratorType', 'AT_TIMESTAMP']], 'Timestamp', [
        ['text', encode('2026-01-01T00:00:00Z').toString('hex'), '"2026-01-01T00:00:00Z"'],
        ['boolean', 'f4', 'false'],
        ['tag 1 around 0 (seconds)', 'c100', '0'],
        ['tag 1 around -2^64', 'c13bffffffffffffffff', '-18446744073709551616'],
        ['map', 'a0', '{}'],
      ], fromIterator);
    assert.ok(timestamps.size >= 3, [...timestamps].join('\n'));
  });

  test('over HTTP/2: create, put, get, describe, and an error', { timeout: TEST_TIMEOUT }, async () => {
    const transport = 'http2';
    const name = uniqueName('cbor-h2');
    const summary = await createActive(name, 1, transport);
    assertRecentMillis(summary.StreamCreationTimestamp, 'StreamCreationTimestamp');
    const data = Buffer.from([0x80, 0x81, 0xfe, 0xff, 0x00, 0x41]);
    const put = await client.call('PutRecord', { StreamName: name, PartitionKey: 'h2', Data: data }, { transport });
    const batch = await client.call('PutRecords', { StreamName: name, Records: [{ PartitionKey: 'h2', Data: Buffer.from('two') }] }, { transport });
    assert.equal(batch.FailedRecordCount, 0);
    const it = await iterator({ StreamName: name, ShardId: put.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }, transport);
    const records = await drain(it, transport);
    assert.equal(records.length, 2);
    assert.ok(Buffer.isBuffer(records[0].Data) && records[0].Data.equals(data));
    assert.equal(records[1].Data.toString(), 'two');
    assertRecentMillis(records[0].ApproximateArrivalTimestamp, 'ApproximateArrivalTimestamp');
    const shards = await client.call('ListShards', { StreamName: name, StreamCreationTimestamp: javaTimestamp(summary.StreamCreationTimestamp.value) }, { transport });
    assert.deepEqual(shards.Shards.map((s) => s.ShardId), ['shardId-000000000000']);

    const e = await client.fail('DescribeStreamSummary', { StreamName: `${name}-missing` }, { transport });
    assert.deepEqual([e.status, e.type, e.message], [400, 'ResourceNotFoundException', notFound(`${name}-missing`)]);
    const malformed = await client.fail('ListStreams', Buffer.from([0xbf, 0x61]), { transport });
    assert.deepEqual([malformed.status, malformed.type], [400, 'SerializationException']);
    assert.equal(await client.call('DeleteStream', { StreamName: name }, { transport }), null);
  });
});
