// UpdateStreamRecordDistributionStrategyCommand of @aws-sdk/client-kinesis (default handler,
// HTTP/2): an on-demand stream switched to AUTO reports it and spreads one key over its shards.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  UpdateStreamRecordDistributionStrategyCommand,
} from '@aws-sdk/client-kinesis';

import {
  REFERENCE, kinesisClient, startServer, uniqueName, waitUntil,
} from './helpers.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

async function activeSummary(client, name) {
  return waitUntil(async () => {
    const s = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary;
    return s.StreamStatus === 'ACTIVE' ? s : null;
  }, 30000, `stream ${name} ACTIVE`);
}

test('AUTO is set, reported and spreads one partition key over every shard',
  { timeout: 60000, skip: REFERENCE ? `${REFERENCE} lacks the operation` : false }, async () => {
    const client = kinesisClient(server.endpoint);
    const name = uniqueName('js-auto');
    await client.send(new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const before = await activeSummary(client, name);
    assert.equal(before.RecordDistributionStrategy, 'USER_PARTITION_KEY');

    const out = await client.send(new UpdateStreamRecordDistributionStrategyCommand({
      StreamARN: before.StreamARN, RecordDistributionStrategy: 'AUTO',
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const after = await activeSummary(client, name);
    assert.equal(after.RecordDistributionStrategy, 'AUTO');

    const shards = new Set();
    for (let i = 0; i < 8; i++) {
      const r = await client.send(new PutRecordCommand({
        StreamName: name, PartitionKey: 'same', Data: new TextEncoder().encode(`r${i}`),
      }));
      shards.add(r.ShardId);
    }
    assert.equal(shards.size, after.OpenShardCount);
    await client.send(new DeleteStreamCommand({ StreamName: name }));
  });
