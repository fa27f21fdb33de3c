// A member of a Sluice consumer group, on Node's fetch and @smithy/signature-v4.
//
// It joins GROUP on STREAM, heartbeats at the interval the server gives, reads the shards the
// server assigns it with GetShardIterator/GetRecords, prints each record as a JSON line,
// checkpoints after printing, and leaves the group on Ctrl-C (SIGINT) or SIGTERM. The API:
// docs/consumer-groups.md.
//
//   node member.mjs STREAM GROUP [--member-id ID]
//
// Endpoint from SLUICE_ENDPOINT (default http://127.0.0.1:4567), region from AWS_REGION
// (default us-east-1), keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any will do for a
// server without --auth).
import { createHash, createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';

const ENDPOINT = new URL(process.env.SLUICE_ENDPOINT ?? 'http://127.0.0.1:4567');

class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data); }
  async digest() { return new Uint8Array(this.hash.digest()); }
}

const signer = new SignatureV4({
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'AKIDEXAMPLE',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  },
  region: process.env.AWS_REGION ?? 'us-east-1',
  service: 'kinesis',
  sha256: Sha256,
});

class ServiceError extends Error {
  constructor(type, message) {
    super(`${type}: ${message}`);
    this.type = type;
  }
}

/** POSTs one signed JSON call; resolves the answer or rejects with a ServiceError. */
async function call(target, operation, body) {
  const data = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: ENDPOINT.protocol,
    hostname: ENDPOINT.hostname,
    port: Number(ENDPOINT.port) || undefined,
    path: '/',
    headers: {
      host: ENDPOINT.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${target}.${operation}`,
    },
    body: data,
  });
  const { host, ...headers } = signed.headers; // fetch sets Host itself
  const answer = await fetch(new URL('/', ENDPOINT), { method: 'POST', headers, body: data });
  const text = await answer.text();
  const json = text ? JSON.parse(text) : {};
  if (!answer.ok) throw new ServiceError((json.__type ?? `HTTP ${answer.status}`).split('#').pop(), json.message ?? '');
  return json;
}

const groups = (operation, body) => call('Sluice_20261207', operation, body);
const kinesis = (operation, body) => call('Kinesis_20131202', operation, body);

class Member {
  constructor(stream, group, memberId) {
    Object.assign(this, { stream, group, memberId, generation: 0, interval: 1000, nextHeartbeat: 0 });
    this.shards = new Map(); // shard id -> { start, iterator, last }
  }

  async join() {
    const body = { StreamName: this.stream, GroupName: this.group };
    if (this.memberId) body.MemberId = this.memberId;
    const answer = await groups('JoinGroup', body);
    this.memberId = answer.MemberId;
    this.shards.clear();
    this.follow(answer);
    console.error(`joined ${this.group} as ${this.memberId}`);
  }

  /** Takes a JoinGroup or Heartbeat answer: stops the shards no longer listed, starts the new ones. */
  follow(answer) {
    this.generation = answer.Generation;
    this.interval = answer.HeartbeatIntervalMillis ?? 1000;
    this.nextHeartbeat = Date.now() + this.interval;
    const assigned = new Map(answer.Assignment.map((a) => [a.ShardId, a.StartingPosition]));
    for (const id of this.shards.keys()) if (!assigned.has(id)) this.shards.delete(id);
    for (const [id, start] of assigned) {
      if (!this.shards.has(id)) this.shards.set(id, { start, iterator: null, last: start.SequenceNumber ?? null });
    }
    console.error(`generation ${this.generation}: reading [${[...this.shards.keys()].sort().join(', ')}]`);
  }

  async heartbeat() {
    try {
      this.follow(await groups('Heartbeat', { StreamName: this.stream, GroupName: this.group, MemberId: this.memberId }));
    } catch (e) {
      if (e.type !== 'UnknownMemberException') throw e;
      await this.join(); // the session ended: join again
    }
  }

  /** Checkpoints a shard; false when it is no longer this member's. */
  async checkpoint(shardId, sequenceNumber, shardEnd = false) {
    const body = {
      StreamName: this.stream, GroupName: this.group, MemberId: this.memberId,
      Generation: this.generation, ShardId: shardId,
    };
    if (sequenceNumber) body.SequenceNumber = sequenceNumber;
    if (shardEnd) body.ShardEnd = true;
    try {
      await groups('CheckpointGroup', body);
      return true;
    } catch (e) {
      if (e.type === 'FencedMemberException') { // the shard is another member's now
        this.shards.delete(shardId);
        return false;
      }
      if (e.type === 'UnknownMemberException') {
        await this.join();
        return false;
      }
      throw e;
    }
  }

  /** One GetRecords of a shard; resolves true when it returned records. */
  async read(shardId, shard) {
    if (!shard.iterator) {
      const request = { StreamName: this.stream, ShardId: shardId };
      if (shard.last) Object.assign(request, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: shard.last });
      else request.ShardIteratorType = shard.start.Type;
      shard.iterator = (await kinesis('GetShardIterator', request)).ShardIterator;
    }
    const answer = await kinesis('GetRecords', { ShardIterator: shard.iterator });
    const records = answer.Records ?? [];
    for (const r of records) {
      const data = Buffer.from(r.Data, 'base64').toString('utf8');
      console.log(JSON.stringify({ ShardId: shardId, SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: data }));
    }
    if (records.length > 0) {
      shard.last = records.at(-1).SequenceNumber;
      if (!(await this.checkpoint(shardId, shard.last))) return true;
    }
    shard.iterator = answer.NextShardIterator ?? null;
    if (!shard.iterator) { // a closed shard read to its end: its children come next
      if (await this.checkpoint(shardId, shard.last, true)) this.shards.delete(shardId);
      this.nextHeartbeat = 0;
    }
    return records.length > 0;
  }

  async leave() {
    try {
      await groups('LeaveGroup', { StreamName: this.stream, GroupName: this.group, MemberId: this.memberId });
      console.error(`left ${this.group}`);
    } catch (e) {
      console.error(`leaving: ${e.message}`);
    }
  }
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'member-id': { type: 'string' } } });
if (positionals.length !== 2) {
  console.error('usage: node member.mjs STREAM GROUP [--member-id ID]');
  process.exit(2);
}
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopping = true; });
const member = new Member(positionals[0], positionals[1], values['member-id']);
await member.join();
try {
  while (!stopping) {
    if (Date.now() >= member.nextHeartbeat) await member.heartbeat();
    let busy = false;
    for (const [id, shard] of [...member.shards]) {
      if (stopping || !member.shards.has(id)) break;
      busy = (await member.read(id, shard)) || busy;
    }
    if (!busy && !stopping) await sleep(Math.max(0, Math.min(500, member.nextHeartbeat - Date.now())));
  }
} finally {
  await member.leave();
}
