"""kill -9 cycles against one data dir: PutRecord and PutRecords callers, one resharding action and
a SubscribeToShard subscriber run together until the server is killed at a random moment; after
every restart all that was acknowledged in this and every earlier cycle is read back.

Environment (the defaults are what `make test` runs; `make soak` runs 120 cycles):
  SLUICE_CRASH_CYCLES    cycles (default 20)
  SLUICE_CRASH_OS_EVERY  every n-th cycle runs with `--durability os`, the others with `fsync`
                         (default 5; 0: never, 1: every cycle)
  SLUICE_CRASH_SEED      the seed of every random choice (default: drawn and printed); set it to
                         the printed value to replay a failing run's choices and kill moments
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE, Subscription

CYCLES = int(os.environ.get("SLUICE_CRASH_CYCLES", "20"))
OS_EVERY = int(os.environ.get("SLUICE_CRASH_OS_EVERY", "5"))
SEED = int(os.environ.get("SLUICE_CRASH_SEED", str(random.randrange(1 << 32))))

STREAM = "crash-cycles"
INITIAL_SHARDS = 2
MIN_OPEN, MAX_OPEN = 1, 4
KEYS_PER_CALLER = 6  # a key belongs to one caller, so its acknowledgement order is defined
SIZES = (0, 1, 16, 100, 700, 3000)
KILL_AFTER_S = (0.1, 1.0)    # the kill moment, after the callers start
RESHARD_AFTER_S = (0.0, 0.8)  # the resharding call, after the callers start


def sid(i: int) -> str:
    return f"shardId-{i:012d}"


Record = tuple  # (shard id, partition key, data)


# ---------------------------------------------------------------------------------------------
# What the test knows: the ledger of records that must be served, and one cycle's callers


@dataclass
class Ledger:
    """Every record that must be served after every later restart: those acknowledged, and those
    whose answer was lost but that a restarted server served (a served record stays)."""

    records: dict = field(default_factory=dict)  # sequence number -> Record
    by_key: dict = field(default_factory=dict)   # partition key -> [sequence numbers], in order

    def add(self, seq: str, record: Record):
        assert seq not in self.records, f"sequence number {seq} given twice: {self.records[seq]}, {record}"
        self.records[seq] = record
        self.by_key.setdefault(record[1], []).append(seq)


class Caller(threading.Thread):
    """Puts records until the server is gone or `stop` is set. Every call runs after the previous
    one was answered, so the records of one of its keys are acknowledged in the order sent."""

    def __init__(self, kinesis, name: str, cycle: int, seed: int, stop: threading.Event):
        super().__init__(daemon=True, name=name)
        self.kinesis = kinesis
        self.rng = random.Random(seed)
        self.cycle = cycle
        self.stop = stop
        self.acked: list = []       # (sequence number, Record), in acknowledgement order
        self.in_doubt: list = []    # (partition key, data) not acknowledged: written or not
        self.refused: list = []     # errors the server answered (none expected)
        self.n = 0

    def entry(self) -> tuple:
        key = f"{self.name}-{self.rng.randrange(KEYS_PER_CALLER)}"
        data = f"{self.cycle}/{self.name}/{self.n}/".encode() + self.rng.randbytes(self.rng.choice(SIZES))
        self.n += 1
        return key, data

    def run(self):
        while not self.stop.is_set():
            entries = self.entries()
            try:
                answered = self.put(entries)
            except ClientError as exc:
                self.refused.append(exc.response.get("Error"))
                self.in_doubt += entries
                continue
            except Exception:  # noqa: BLE001 - the server was killed: this answer is lost
                self.in_doubt += entries
                return
            if len(answered) != len(entries):
                self.refused.append(f"{len(answered)} results for {len(entries)} entries")
            for (key, data), r in zip(entries, answered):
                if "SequenceNumber" in r:
                    self.acked.append((r["SequenceNumber"], (r["ShardId"], key, data)))
                else:
                    self.refused.append(r)
                    self.in_doubt.append((key, data))


class PutRecordCaller(Caller):
    def entries(self) -> list:
        return [self.entry()]

    def put(self, entries: list) -> list:
        (key, data), = entries
        return [self.kinesis.put_record(StreamName=STREAM, PartitionKey=key, Data=data)]


class PutRecordsCaller(Caller):
    def entries(self) -> list:
        return [self.entry() for _ in range(self.rng.randint(1, 12))]

    def put(self, entries: list) -> list:
        return self.kinesis.put_records(StreamName=STREAM, Records=[
            {"PartitionKey": k, "Data": d} for k, d in entries])["Records"]


class Subscriber(threading.Thread):
    """SubscribeToShard through a registered consumer from LATEST on one open shard; at the end of
    a closed shard it follows its first child (from TRIM_HORIZON). Records every record pushed."""

    def __init__(self, kinesis, consumer: str, shard: str, stop: threading.Event):
        super().__init__(daemon=True, name="subscriber")
        self.kinesis = kinesis
        self.consumer = consumer
        self.shard = shard
        self.stop = stop
        self.received: list = []   # (sequence number, Record), in order pushed
        self.refused: list = []
        self.subscriptions = 0

    def run(self):
        shard, position = self.shard, {"Type": "LATEST"}
        while shard and not self.stop.is_set():
            try:
                sub = Subscription(self.kinesis, self.consumer, shard, position, watchdog_s=120)
            except ClientError as exc:
                self.refused.append(exc.response.get("Error"))
                return
            except Exception:  # noqa: BLE001 - the server was killed
                return
            self.subscriptions += 1
            shard, position = self.read(sub, shard), {"Type": "TRIM_HORIZON"}

    def read(self, sub: Subscription, shard: str) -> Optional[str]:
        """Reads one subscription to its end; returns the child to follow, if any."""
        with sub:
            while True:
                try:
                    kind, value = sub.next(0.2)
                except AssertionError:  # nothing within 0.2 s
                    if self.stop.is_set():
                        return None
                    continue
                if kind != "event":
                    return None
                ev = value["SubscribeToShardEvent"]
                for r in ev["Records"]:
                    self.received.append((r["SequenceNumber"], (shard, r["PartitionKey"], r["Data"])))
                if ev.get("ChildShards") and "ContinuationSequenceNumber" not in ev:
                    return sorted(c["ShardId"] for c in ev["ChildShards"])[0]


# ---------------------------------------------------------------------------------------------
# Resharding: one action per cycle, keeping the open shard count within MIN_OPEN..MAX_OPEN


@dataclass
class Reshard:
    kind: str            # "split", "merge" or "scale"
    args: dict
    acked: bool = False
    error: Optional[str] = None    # why not: the server was gone, or refused (then `refused`)
    refused: Optional[dict] = None

    def __str__(self):
        shown = {k: v for k, v in self.args.items() if k != "NewStartingHashKey"}
        outcome = "acknowledged" if self.acked else f"not acknowledged ({self.error})"
        return f"{self.kind} {shown} {outcome}"

    def run(self, kinesis):
        call = {"split": kinesis.split_shard, "merge": kinesis.merge_shards,
                "scale": kinesis.update_shard_count}[self.kind]
        try:
            call(StreamName=STREAM, **self.args)
            self.acked = True
        except ClientError as exc:
            self.refused = exc.response.get("Error")
            self.error = "refused"
        except Exception as exc:  # noqa: BLE001 - the server was killed first
            self.error = type(exc).__name__

    def check_kept(self, shards: list):
        """After a restart: the acknowledged change is there."""
        by_id = {s["ShardId"]: s for s in shards}
        if self.kind == "split":
            assert not e2e.is_open(by_id[self.args["ShardToSplit"]]), f"acknowledged {self} lost"
        elif self.kind == "merge":
            for p in (self.args["ShardToMerge"], self.args["AdjacentShardToMerge"]):
                assert not e2e.is_open(by_id[p]), f"acknowledged {self} lost"
        else:
            assert sum(e2e.is_open(s) for s in shards) == self.args["TargetShardCount"], \
                f"acknowledged {self} lost"


def choose_reshard(rng: random.Random, shards: list) -> Reshard:
    opened = sorted((s for s in shards if e2e.is_open(s)), key=e2e.hash_range)
    count = len(opened)
    kinds = ["scale"] + (["split"] if count < MAX_OPEN else []) + (["merge"] if count > MIN_OPEN else [])
    kind = rng.choice(kinds)
    if kind == "split":
        shard = rng.choice([s for s in opened if e2e.hash_range(s)[1] > e2e.hash_range(s)[0]])
        lo, hi = e2e.hash_range(shard)
        return Reshard("split", {"ShardToSplit": shard["ShardId"],
                                 "NewStartingHashKey": str(rng.randrange(lo + 1, hi + 1))})
    if kind == "merge":
        i = rng.randrange(count - 1)
        return Reshard("merge", {"ShardToMerge": opened[i]["ShardId"],
                                 "AdjacentShardToMerge": opened[i + 1]["ShardId"]})
    targets = [t for t in range(max(MIN_OPEN, (count + 1) // 2), min(MAX_OPEN, 2 * count) + 1) if t != count]
    return Reshard("scale", {"TargetShardCount": rng.choice(targets), "ScalingType": "UNIFORM_SCALING"})


# ---------------------------------------------------------------------------------------------
# Checks after a restart


def check_restarted(kinesis, ledger: Ledger, in_doubt: dict, received: list, reshard: Optional[Reshard]) -> int:
    """Everything in the ledger is served exactly as acknowledged, each key in acknowledgement
    order across parents and children; everything else served was in doubt (its answer lost) and
    joins the ledger; every pushed record is served; the lineage tiles the hash space.
    Returns how many records in doubt were served."""
    shards = e2e.list_shards(kinesis, STREAM)
    e2e.assert_open_coverage(shards)
    e2e.assert_lineage(shards, {sid(i) for i in range(INITIAL_SHARDS)})
    if reshard and reshard.acked:
        reshard.check_kept(shards)

    order, records = e2e.read_generations(kinesis, STREAM, timeout=120)
    served, served_order = {}, []
    for shard_id in order:  # parents before children: a key's records in the order it was written
        for r in records[shard_id]:
            seq = r["SequenceNumber"]
            assert seq not in served, f"{seq} served on {served[seq][0]} and {shard_id}"
            served[seq] = (shard_id, r["PartitionKey"], r["Data"])
            served_order.append(seq)

    missing = [s for s in ledger.records if s not in served]
    assert not missing, f"{len(missing)} of {len(ledger.records)} acknowledged records lost, " \
                        f"e.g. {[(s, ledger.records[s][:2]) for s in missing[:3]]}"
    wrong = [s for s, v in ledger.records.items() if served[s] != v]
    assert not wrong, f"{len(wrong)} records served different from their acknowledgement, " \
                      f"e.g. {[(s, served[s][:2], ledger.records[s][:2]) for s in wrong[:3]]}"

    came_back = 0
    for seq in served_order:
        if seq in ledger.records:
            continue
        shard_id, key, data = served[seq]
        assert in_doubt.get(data) == key, \
            f"{seq} on {shard_id} ({key!r}, {data[:24]!r}) was never put, or not in the last cycle"
        ledger.add(seq, served[seq])
        came_back += 1

    served_by_key = {}
    for seq in served_order:
        served_by_key.setdefault(served[seq][1], []).append(seq)
    for key, seqs in ledger.by_key.items():
        assert served_by_key.get(key) == seqs, f"records of key {key!r} served out of order"

    for seq, record in received:
        assert served.get(seq) == record, f"pushed record {seq} {record[:2]} not served as pushed"
    return came_back


# ---------------------------------------------------------------------------------------------
# The test


def test_kill9_cycles_lose_no_acknowledged_or_pushed_record(spawn, tmp_path):
    print(f"crash cycles: SLUICE_CRASH_SEED={SEED} SLUICE_CRASH_CYCLES={CYCLES} SLUICE_CRASH_OS_EVERY={OS_EVERY}")
    rng = random.Random(SEED)
    data_dir = str(tmp_path / "cycles")
    ledger = Ledger()
    in_doubt, received, reshard = {}, [], None
    totals = {"acked": 0, "in_doubt": 0, "came_back": 0, "pushed": 0, "reshards_acked": 0}
    started = time.monotonic()

    for cycle in range(CYCLES + 1):  # the last start only checks
        mode = "os" if OS_EVERY and cycle % OS_EVERY == OS_EVERY - 1 else "fsync"
        server = spawn("--durability", mode, data_dir=data_dir)
        kinesis = e2e.client(server.endpoint)
        if cycle == 0:
            e2e.create_stream(kinesis, STREAM, INITIAL_SHARDS)
            arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
            consumer = e2e.register_consumer(kinesis, arn, "crash-reader")
        else:
            e2e.wait_active(kinesis, STREAM)
            t0 = time.monotonic()
            came_back = check_restarted(kinesis, ledger, in_doubt, received, reshard)
            totals["came_back"] += came_back
            print(f"  checked {len(ledger.records)} records in {time.monotonic() - t0:.2f}s; "
                  f"{came_back} of {len(in_doubt)} in doubt were served")
            desc = kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]
            assert desc["ConsumerStatus"] == "ACTIVE", desc
        if cycle == CYCLES:
            break

        shards = e2e.list_shards(kinesis, STREAM)
        reshard = choose_reshard(rng, shards)
        subscribed = rng.choice([s["ShardId"] for s in shards if e2e.is_open(s)])
        kill_after = rng.uniform(*KILL_AFTER_S)
        reshard_after = rng.uniform(*RESHARD_AFTER_S)
        stop = threading.Event()
        # One client for every thread (boto3 clients are thread-safe; each call takes its own
        # pooled connection), short timeouts: a caller notices the kill at once.
        shared = e2e.client(server.endpoint, read_timeout=10)
        callers = [PutRecordCaller(shared, f"r{i}", cycle, rng.randrange(1 << 32), stop) for i in range(2)]
        callers += [PutRecordsCaller(shared, f"b{i}", cycle, rng.randrange(1 << 32), stop) for i in range(2)]
        subscriber = Subscriber(shared, consumer, subscribed, stop)
        subscriber.start()
        resharder = threading.Timer(reshard_after, reshard.run, args=(shared,))
        go = time.monotonic()
        for c in callers:
            c.start()
        resharder.start()
        e2e.wait_until(lambda: time.monotonic() - go >= kill_after, 5, "the kill moment", interval=0.005)
        server.kill9()
        stop.set()
        for t in [*callers, subscriber, resharder]:
            t.join(30)
            assert not t.is_alive(), f"{t.name} did not notice the killed server"

        refused = [e for c in [*callers, subscriber] for e in c.refused]
        assert not refused, f"cycle {cycle}: the server refused calls: {refused[:3]}"
        assert reshard.refused is None, f"cycle {cycle}: {reshard} refused: {reshard.refused}"
        acked = [a for c in callers for a in c.acked]
        for c in callers:  # one key, one caller: the caller's order is the key's order
            for seq, record in c.acked:
                ledger.add(seq, record)
        in_doubt = {data: key for c in callers for key, data in c.in_doubt}
        received = subscriber.received
        pushed_seqs = [s for s, _ in received]
        assert len(set(pushed_seqs)) == len(pushed_seqs), f"cycle {cycle}: a record pushed twice"
        totals["acked"] += len(acked)
        totals["in_doubt"] += len(in_doubt)
        totals["pushed"] += len(received)
        totals["reshards_acked"] += reshard.acked
        print(f"cycle {cycle:3d} {mode:5s} kill after {kill_after:.3f}s: {len(acked)} acknowledged, "
              f"{len(in_doubt)} in doubt, {len(received)} pushed on {subscribed} "
              f"({subscriber.subscriptions} subscriptions); reshard after {reshard_after:.3f}s: {reshard}")

    server.stop()
    print(f"crash cycles: {CYCLES} cycles in {time.monotonic() - started:.1f}s, "
          f"{totals['acked']} records acknowledged, {totals['in_doubt']} in doubt of which "
          f"{totals['came_back']} served, {totals['pushed']} pushed, "
          f"{totals['reshards_acked']} reshards acknowledged; SLUICE_CRASH_SEED={SEED}")
    assert totals["acked"] >= CYCLES, "hardly any record acknowledged: the kills came too early"
    assert totals["pushed"] > 0, "the subscriber never received a record: nothing was checked"
