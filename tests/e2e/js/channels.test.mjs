// The channel operations (CreateChannelCommand, DescribeChannelCommand, ListChannelsCommand,
// UpdateChannelCommand, DeleteChannelCommand) and UpdateStreamRecordDistributionStrategyCommand of
// @aws-sdk/client-kinesis (default handler, HTTP/2), with their validation and the service's errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CreateChannelCommand,
  CreateStreamCommand,
  DeleteChannelCommand,
  DescribeChannelCommand,
  DescribeStreamSummaryCommand,
  ListChannelsCommand,
  PutRecordCommand,
  UpdateChannelCommand,
  UpdateStreamRecordDistributionStrategyCommand,
} from '@aws-sdk/client-kinesis';

import {
  REFERENCE, createActiveStream, kinesisClient, startServer, uniqueName, waitUntil,
} from './helpers.mjs';

const ACCOUNT = '000000000000';
const BUCKET = 'arn:aws:s3:::sluice-js-bucket';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/channel-role`;
const SKIP = REFERENCE ? `${REFERENCE} lacks the operations` : false;

let server;
let client;

before(async () => {
  server = await startServer();
  client = kinesisClient(server.endpoint);
});

after(async () => {
  await server?.stop();
});

async function onDemandStream(name) {
  await client.send(new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
  return waitUntil(async () => {
    const s = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary;
    return s.StreamStatus === 'ACTIVE' ? s : null;
  }, 30000, `stream ${name} ACTIVE`);
}

function channelInput(name, streamArn) {
  return {
    ChannelName: name,
    ServiceExecutionRoleARN: ROLE,
    StreamConfigurationList: [{ StreamARN: streamArn, RecordConfiguration: { RecordFormatType: 'JSON' } }],
    S3DestinationConfiguration: {
      DataFreshnessInSeconds: 60,
      StorageConfiguration: { BucketARN: BUCKET, ExpectedBucketOwner: ACCOUNT, CompressionType: 'ZSTD' },
    },
  };
}

async function channelStatus(arn) {
  return (await client.send(new DescribeChannelCommand({ ChannelARN: arn }))).ChannelDescription.ChannelStatus;
}

function serviceError(name, message) {
  return (err) => {
    assert.equal(err.name, name, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  };
}

test('a channel is created, described, listed, updated and deleted', { timeout: 60000, skip: SKIP }, async () => {
  const stream = await onDemandStream(uniqueName('js-ch-src'));
  const name = uniqueName('js-ch');
  const created = (await client.send(new CreateChannelCommand({ ...channelInput(name, stream.StreamARN),
    Tags: { team: 'js' } }))).ChannelDescription;
  assert.equal(created.ChannelARN, `arn:aws:kinesis:us-east-1:${ACCOUNT}:channel/${name}`);
  assert.equal(created.ChannelStatus, 'CREATING');
  assert.match(created.ChannelId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await waitUntil(async () => (await channelStatus(created.ChannelARN)) === 'ACTIVE', 10000, 'channel ACTIVE');

  const described = (await client.send(new DescribeChannelCommand({ ChannelARN: created.ChannelARN })))
    .ChannelDescription;
  assert.equal(described.ChannelId, created.ChannelId);
  assert.equal(described.S3DestinationConfiguration.DataFreshnessInSeconds, 60);
  assert.equal(described.S3DestinationConfiguration.StorageConfiguration.CompressionType, 'ZSTD');
  assert.ok(described.ChannelCreationTimestamp instanceof Date);
  assert.ok(described.StreamConfigurationList[0].StreamCreationTimestamp instanceof Date);

  const listed = (await client.send(new ListChannelsCommand({ StreamFilter: [{ StreamARN: stream.StreamARN }] })))
    .ChannelSummaries;
  assert.deepEqual(listed.map((c) => c.ChannelName), [name]);
  assert.equal(listed[0].ChannelDestinationType, 'S3');

  const updated = (await client.send(new UpdateChannelCommand({
    ChannelARN: created.ChannelARN, S3DestinationConfiguration: { DataFreshnessInSeconds: 120 },
  }))).ChannelDescription;
  assert.equal(updated.ChannelStatus, 'UPDATING');
  await waitUntil(async () => (await channelStatus(created.ChannelARN)) === 'ACTIVE', 10000, 'ACTIVE after update');
  assert.equal((await client.send(new DescribeChannelCommand({ ChannelARN: created.ChannelARN })))
    .ChannelDescription.S3DestinationConfiguration.DataFreshnessInSeconds, 120);

  await client.send(new DeleteChannelCommand({ ChannelARN: created.ChannelARN }));
  await waitUntil(async () => {
    try {
      await channelStatus(created.ChannelARN);
      return false;
    } catch (err) {
      return err.name === 'ResourceNotFoundException';
    }
  }, 10000, 'channel gone');
});

test('channel operations give the service\'s validation and errors', { timeout: 60000, skip: SKIP }, async () => {
  const stream = await onDemandStream(uniqueName('js-ch-err'));
  await assert.rejects(client.send(new CreateChannelCommand(channelInput('bad name!', stream.StreamARN))),
    serviceError('ValidationException', '1 validation error detected: Value \'bad name!\' at \'channelName\' '
      + 'failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+'));
  const name = uniqueName('js-dup');
  await client.send(new CreateChannelCommand(channelInput(name, stream.StreamARN)));
  await assert.rejects(client.send(new CreateChannelCommand(channelInput(name, stream.StreamARN))),
    serviceError('ResourceInUseException', `Channel ${name} under account ${ACCOUNT} already exists.`));

  const provisioned = await createActiveStream(client, uniqueName('js-prov'), 1);
  await assert.rejects(client.send(new CreateChannelCommand(channelInput(uniqueName('js-p'), provisioned.StreamARN))),
    serviceError('InvalidArgumentException'));

  const missing = `arn:aws:kinesis:us-east-1:${ACCOUNT}:channel/missing`;
  for (const command of [new DescribeChannelCommand({ ChannelARN: missing }),
    new DeleteChannelCommand({ ChannelARN: missing }),
    new UpdateChannelCommand({ ChannelARN: missing, S3DestinationConfiguration: { DataFreshnessInSeconds: 60 } })]) {
    await assert.rejects(client.send(command),
      serviceError('ResourceNotFoundException', `Channel missing under account ${ACCOUNT} not found.`));
  }
  await assert.rejects(client.send(new DescribeChannelCommand({ ChannelARN: 'arn:aws:sqs:us-east-1:1:q' })),
    serviceError('ValidationException'));
  await assert.rejects(client.send(new ListChannelsCommand({ MaxResults: 0 })), serviceError('ValidationException'));
});

test('UpdateStreamRecordDistributionStrategy validates, refuses provisioned streams, and AUTO takes records '
  + 'without a partition key', { timeout: 60000, skip: SKIP }, async () => {
  const stream = await onDemandStream(uniqueName('js-auto'));
  await assert.rejects(client.send(new UpdateStreamRecordDistributionStrategyCommand({
    StreamARN: stream.StreamARN, RecordDistributionStrategy: 'RANDOM',
  })), serviceError('ValidationException', '1 validation error detected: Value \'RANDOM\' at '
    + '\'recordDistributionStrategy\' failed to satisfy constraint: Member must satisfy enum value set: '
    + '[AUTO, USER_PARTITION_KEY]'));
  const provisionedName = uniqueName('js-auto-prov');
  const provisioned = await createActiveStream(client, provisionedName, 1);
  await assert.rejects(client.send(new UpdateStreamRecordDistributionStrategyCommand({
    StreamARN: provisioned.StreamARN, RecordDistributionStrategy: 'AUTO',
  })), serviceError('InvalidArgumentException', 'Record distribution strategy can only be updated for streams in '
    + `ON_DEMAND capacity mode. Stream ${provisionedName} under account ${ACCOUNT} is in PROVISIONED mode.`));

  const data = new TextEncoder().encode('no key');
  await assert.rejects(client.send(new PutRecordCommand({ StreamARN: stream.StreamARN, Data: data })),
    serviceError('ValidationException', '1 validation error detected: Value null at \'partitionKey\' failed to '
      + 'satisfy constraint: Member must not be null'));
  await client.send(new UpdateStreamRecordDistributionStrategyCommand({
    StreamARN: stream.StreamARN, RecordDistributionStrategy: 'AUTO',
  }));
  const put = await client.send(new PutRecordCommand({ StreamARN: stream.StreamARN, Data: data }));
  assert.match(put.ShardId, /^shardId-\d{12}$/);
});
