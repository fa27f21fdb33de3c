// TLS (`--tls`) with @aws-sdk/client-kinesis (v3): HTTPS over HTTP/1.1 (NodeHttpHandler) and over
// HTTP/2 chosen by ALPN (NodeHttp2Handler), including a SubscribeToShard event stream. Node reads
// extra CA certificates only at start-up (NODE_EXTRA_CA_CERTS), so the client runs in a child
// process that trusts the certificate the server made.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from './helpers.mjs';

const SKIP = process.env.SLUICE_E2E_ENDPOINT ? 'not run: needs a server of its own (SLUICE_BIN)' : false;
const here = dirname(fileURLToPath(import.meta.url));

const CLIENT = `
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, PutRecordCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand,
  SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler, NodeHttp2Handler } from '@smithy/node-http-handler';

const endpoint = process.argv[1];
const base = { endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
const h1 = new KinesisClient({ ...base, requestHandler: new NodeHttpHandler({ requestTimeout: 20000 }) });
const h2 = new KinesisClient({ ...base, requestHandler: new NodeHttp2Handler({ requestTimeout: 20000 }) });
const wait = async (f) => { for (let i = 0; i < 500; i++) { const v = await f(); if (v) return v; await new Promise((r) => setTimeout(r, 20)); } throw new Error('timeout'); };

await h1.send(new CreateStreamCommand({ StreamName: 'tls', ShardCount: 1 }));
const summary = await wait(async () => { const s = (await h1.send(new DescribeStreamSummaryCommand({ StreamName: 'tls' }))).StreamDescriptionSummary; return s.StreamStatus === 'ACTIVE' && s; });
await h1.send(new PutRecordCommand({ StreamName: 'tls', PartitionKey: 'k', Data: new TextEncoder().encode('over-h1') }));
const it = (await h2.send(new GetShardIteratorCommand({ StreamName: 'tls', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
const got = (await h2.send(new GetRecordsCommand({ ShardIterator: it }))).Records.map((r) => new TextDecoder().decode(r.Data));

const consumer = (await h2.send(new RegisterStreamConsumerCommand({ StreamARN: summary.StreamARN, ConsumerName: 'c' }))).Consumer;
await wait(async () => (await h2.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }))).ConsumerDescription.ConsumerStatus === 'ACTIVE');
const ac = new AbortController();
const watchdog = setTimeout(() => ac.abort(), 20000);
const sub = await h2.send(new SubscribeToShardCommand({ ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000',
  StartingPosition: { Type: 'TRIM_HORIZON' } }), { abortSignal: ac.signal });
const streamed = [];
for await (const event of sub.EventStream) {
  for (const r of event.SubscribeToShardEvent.Records) streamed.push(new TextDecoder().decode(r.Data));
  if (streamed.length > 0) break;
}
clearTimeout(watchdog);
ac.abort();
h1.destroy();
h2.destroy();
console.log(JSON.stringify({ got, streamed }));
process.exit(0);
`;

function runClient(endpoint, caFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, endpoint], {
      cwd: here, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 50000);
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`client exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

describe('TLS (--tls, self-signed certificate)', { skip: SKIP }, () => {
  let server;
  before(async () => { server = await startServer(['--tls']); });
  after(async () => { await server?.stop(); });

  test('HTTPS over HTTP/1.1 and HTTP/2 (ALPN), SubscribeToShard included', { timeout: 60000 }, async () => {
    const m = /TLS certificate (\S+) \(/.exec(server.log());
    assert.ok(m, `no TLS certificate line in the log:\n${server.log()}`);
    const port = new URL(server.endpoint).port;
    const result = await runClient(`https://localhost:${port}`, m[1]);
    assert.deepEqual(result, { got: ['over-h1'], streamed: ['over-h1'] });
  });
});
