"""SubscribeToShard (enhanced fan-out push delivery) through boto3 over HTTP/1.1: records pushed as
they are appended, every starting position, the subscription's lifetime and resuming after it,
heartbeats, the service's errors and the takeover rule, the end of a shard that is split while
subscribed, a slow reader (the server must not buffer the backlog), and a client that goes away.

Every event stream is read on a background thread into a queue; the test takes events with
deadlines, and a watchdog shuts the connection down if a subscription outlives its budget, so a
misbehaving server fails a test instead of hanging it."""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import queue
import threading
import time

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE, Subscription, requires_sluice

pytestmark = requires_sluice("SubscribeToShard")

MID = HASH_SPACE // 2
TAKEOVER_S = 5.0


def sid(i: int) -> str:
    return f"shardId-{i:012d}"


def stream_arn(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def register(kinesis, name: str, consumer: str = "reader") -> str:
    """Registers a consumer on the stream and waits until it is ACTIVE; returns its ARN."""
    return e2e.register_consumer(kinesis, stream_arn(kinesis, name), consumer)


def poll(attempt, timeout: float, what: str, interval: float = 0.1):
    """Calls attempt() until it returns something other than None; its exceptions propagate."""
    deadline = time.monotonic() + timeout
    while True:
        value = attempt()
        if value is not None:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(interval)


def error_of(exc) -> tuple:
    err = exc.response["Error"]
    return err.get("Code"), err.get("Message")


def expect_error(code: str, call, *args, **kw) -> str:
    """The call fails with `code`; returns the message."""
    with pytest.raises(ClientError) as ei:
        call(*args, **kw)
    got, message = error_of(ei.value)
    assert got == code, ei.value.response["Error"]
    return message


def collect(sub: Subscription, want: int, timeout: float = 20.0) -> tuple:
    """Reads events until `want` records arrived. Every event is a SubscribeToShardEvent with a
    ContinuationSequenceNumber. Returns (records, events)."""
    deadline = time.monotonic() + timeout
    records, events = [], []
    while len(records) < want:
        left = deadline - time.monotonic()
        assert left > 0, f"only {len(records)} of {want} records within {timeout}s"
        ev = sub.next_event(left)
        events.append(ev)
        assert ev.get("ContinuationSequenceNumber"), f"event without ContinuationSequenceNumber: {ev}"
        assert not ev.get("ChildShards"), f"ChildShards on an open shard: {ev}"
        assert isinstance(ev["MillisBehindLatest"], int) and ev["MillisBehindLatest"] >= 0
        records += ev["Records"]
    assert len(records) == want, f"{len(records)} records, expected {want}"
    return records, events


def assert_same_records(got: list, sent: list):
    """`got` is exactly `sent` (dicts with SequenceNumber, PartitionKey, Data), in order."""
    assert [r["SequenceNumber"] for r in got] == [r["SequenceNumber"] for r in sent], "records differ or out of order"
    for g, s in zip(got, sent):
        assert g["PartitionKey"] == s["PartitionKey"], (g, s)
        assert g["Data"] == s["Data"], f"data of {g['SequenceNumber']} differs"
        assert isinstance(g["ApproximateArrivalTimestamp"], _dt.datetime)


def assert_continuation_resumes(events: list, records: list):
    """The ContinuationSequenceNumber of an event with records is at least its last record's."""
    for ev in events:
        if ev["Records"]:
            assert int(ev["ContinuationSequenceNumber"]) >= int(ev["Records"][-1]["SequenceNumber"])


def put(kinesis, name: str, key: str, data: bytes) -> dict:
    r = kinesis.put_record(StreamName=name, PartitionKey=key, Data=data)
    return {"ShardId": r["ShardId"], "SequenceNumber": r["SequenceNumber"], "PartitionKey": key, "Data": data}


def put_many(kinesis, name: str, entries: list) -> list:
    """PutRecords of [(key, data)]; returns the sent records (all must succeed)."""
    r = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": k, "Data": d} for k, d in entries])
    assert r.get("FailedRecordCount", 0) == 0, r
    return [{"ShardId": x["ShardId"], "SequenceNumber": x["SequenceNumber"], "PartitionKey": k, "Data": d}
            for x, (k, d) in zip(r["Records"], entries)]


class Producer:
    """Puts records from a thread (its own client) until stopped or `count` were put."""

    def __init__(self, endpoint: str, name: str, count: int = 0, keys: int = 5, pause: float = 0.0):
        self.kinesis = e2e.client(endpoint)
        self.name, self.count, self.keys, self.pause = name, count, keys, pause
        self.sent: list = []
        self.error = None
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Producer":
        self.thread.start()
        return self

    def _run(self):
        try:
            i = 0
            while not self.stop_flag.is_set() and (not self.count or i < self.count):
                if i % 2 == 0 or (self.count and i + 5 > self.count):
                    self.sent.append(put(self.kinesis, self.name, f"key-{i % self.keys}", f"record {i}".encode()))
                    i += 1
                else:
                    entries = [(f"key-{(i + j) % self.keys}", f"record {i + j}".encode()) for j in range(5)]
                    self.sent += put_many(self.kinesis, self.name, entries)
                    i += 5
                if self.pause:
                    time.sleep(self.pause)  # pacing the producer, not synchronisation
        except Exception as exc:  # noqa: BLE001 - reported by join()
            self.error = exc

    def join(self, timeout: float = 30.0) -> list:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "producer did not finish"
        assert self.error is None, f"producer failed: {self.error!r}"
        return self.sent

    def stop(self) -> list:
        self.stop_flag.set()
        return self.join()


def by_shard(records: list) -> dict:
    out: dict = {}
    for r in records:
        out.setdefault(r["ShardId"], []).append(r)
    for recs in out.values():
        recs.sort(key=lambda r: int(r["SequenceNumber"]))
    return out


# ---------------------------------------------------------------------------------------------
# a. records put after subscribing from LATEST


def test_subscribe_from_latest_delivers_every_record_once_in_order(endpoint, kinesis, new_stream):
    name = new_stream(2, prefix="sub-latest")
    consumer = register(kinesis, name)
    subs = {s: Subscription(kinesis, consumer, s, {"Type": "LATEST"}) for s in (sid(0), sid(1))}
    try:
        for s in subs.values():
            first = s.next_event(10)  # the first event comes at once, before any record
            assert first["Records"] == []
            assert first["ContinuationSequenceNumber"]
        sent = Producer(endpoint.url, name, count=200, keys=7).start().join()
        assert len(sent) == 200
        expected = by_shard(sent)
        assert set(expected) == {sid(0), sid(1)}, "the partition keys should reach both shards"
        for shard_id, sub in subs.items():
            got, events = collect(sub, len(expected[shard_id]))
            assert_same_records(got, expected[shard_id])
            assert_continuation_resumes(events, got)
            assert len({r["SequenceNumber"] for r in got}) == len(got), "a record was delivered twice"
        e2e.assert_alive(endpoint.url)
    finally:
        for s in subs.values():
            s.__exit__()


# ---------------------------------------------------------------------------------------------
# b. starting positions


def test_starting_positions(kinesis, new_stream):
    name = new_stream(1, prefix="sub-pos")
    first = [put(kinesis, name, f"k{i % 3}", f"early {i}".encode()) for i in range(6)]
    stored = e2e.read_shard(kinesis, name, sid(0))
    last = max(r["ApproximateArrivalTimestamp"] for r in stored)
    # boto3 sends timestamps in whole seconds: the next batch goes in after the next whole second,
    # which then separates the two batches.
    split_ts = last.replace(microsecond=0) + _dt.timedelta(seconds=1)
    e2e.wait_until(lambda: e2e.now_utc() >= split_ts + _dt.timedelta(milliseconds=2), 5.0, "the next second")
    second = [put(kinesis, name, f"k{i % 3}", f"late {i}".encode()) for i in range(4)]
    everything = first + second
    stored = e2e.read_shard(kinesis, name, sid(0))
    assert [r["SequenceNumber"] for r in stored] == [r["SequenceNumber"] for r in everything]
    assert stored[len(first) - 1]["ApproximateArrivalTimestamp"] < split_ts <= \
        stored[len(first)]["ApproximateArrivalTimestamp"]

    # (consumer, position, index of the first record expected; None: nothing before new puts)
    n = len(everything)
    cases = [
        ("trim", {"Type": "TRIM_HORIZON"}, 0),
        ("at-seq", {"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": everything[3]["SequenceNumber"]}, 3),
        ("after-seq", {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": everything[3]["SequenceNumber"]}, 4),
        ("after-last", {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": everything[n - 1]["SequenceNumber"]}, n),
        ("at-ts", {"Type": "AT_TIMESTAMP", "Timestamp": split_ts}, len(first)),
        ("latest", {"Type": "LATEST"}, None),
    ]
    for consumer_name, position, start in cases:
        # Every case appends one record, which the later cases starting before it also get.
        expected = [] if start is None else list(everything[start:])
        consumer = register(kinesis, name, consumer_name)
        with Subscription(kinesis, consumer, sid(0), position) as sub:
            got, events = collect(sub, len(expected))
            if not expected:
                events.append(sub.next_event(10))  # the first event comes even when there is nothing
                assert events[0]["Records"] == []
            assert_same_records(got, expected)
            assert_continuation_resumes(events, got)
            assert events[-1]["MillisBehindLatest"] == 0, f"{consumer_name}: caught up but {events[-1]}"
            # A record put now follows at once, and nothing before it is repeated.
            late = put(kinesis, name, "k0", f"after {consumer_name}".encode())
            everything.append(late)
            more, _ = collect(sub, 1, timeout=10)
            assert_same_records(more, [late])


# ---------------------------------------------------------------------------------------------
# c. lifetime and resuming from the continuation


@requires_sluice("--subscription-lifetime-ms")
def test_lifetime_ends_the_stream_and_resuming_loses_nothing(spawn):
    server = spawn("--subscription-lifetime-ms", "1500", "--subscription-heartbeat-ms", "200")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "life", 1)
    consumer = register(kinesis, "life")
    producer = Producer(server.endpoint, "life", keys=4, pause=0.005).start()
    received, position, sent = [], {"Type": "TRIM_HORIZON"}, None
    for session in range(3):
        if session == 2:
            sent = producer.stop()  # the last session must deliver everything acknowledged
        try:
            sub = Subscription(kinesis, consumer, sid(0), position, watchdog_s=15)
        except ClientError as exc:
            raise AssertionError(f"resubscribing right after the previous subscription ended was refused: "
                                 f"{exc.response['Error']}") from None
        with sub:
            events, kind, value = sub.read_to_end(10)
            for ev in events:
                assert ev.get("ContinuationSequenceNumber"), f"session {session}: event without continuation {ev}"
                received += ev["Records"]
            lasted = time.monotonic() - sub.started
            assert kind == "end", f"session {session}: the stream ended with {kind}: {value!r}"
            assert not sub.closed_by_us.is_set(), "the watchdog had to close the stream"
            assert 1.2 <= lasted <= 6.0, f"session {session} lasted {lasted:.2f}s, lifetime is 1.5s"
            assert len(events) >= 3, f"session {session}: {len(events)} events in 1.5 s with 200 ms heartbeats"
            assert_continuation_resumes(events, received)
            position = {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": events[-1]["ContinuationSequenceNumber"]}
    assert len(sent) > 50, f"the producer put only {len(sent)} records"
    seqs = [r["SequenceNumber"] for r in received]
    assert len(set(seqs)) == len(seqs), "a record was delivered twice across the sessions"
    assert_same_records(received, sent)
    server.stop()


# ---------------------------------------------------------------------------------------------
# d. heartbeats


@requires_sluice("--subscription-heartbeat-ms")
def test_heartbeats_while_idle(spawn):
    server = spawn("--subscription-heartbeat-ms", "200")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "idle", 1)
    consumer = register(kinesis, "idle")
    before = put(kinesis, "idle", "k", b"only")
    with Subscription(kinesis, consumer, sid(0), {"Type": "TRIM_HORIZON"}) as sub:
        got, _ = collect(sub, 1)
        assert_same_records(got, [before])
        start = time.monotonic()
        beats = []
        while time.monotonic() - start < 2.0:
            ev = sub.next_event(2.0)
            beats.append((time.monotonic() - start, ev))
        within_2s = [ev for t, ev in beats if t <= 2.0]
        assert len(within_2s) >= 2, f"{len(within_2s)} heartbeats in 2 s at 200 ms"
        assert len(within_2s) <= 14, f"{len(within_2s)} heartbeats in 2 s at 200 ms: too many"
        for _, ev in beats:
            assert ev["Records"] == []
            assert ev["ContinuationSequenceNumber"], f"heartbeat without ContinuationSequenceNumber: {ev}"
            assert int(ev["ContinuationSequenceNumber"]) >= int(before["SequenceNumber"])
            assert ev["MillisBehindLatest"] == 0
        # The continuation of a heartbeat resumes after the last record: nothing is repeated.
        consumer2 = register(kinesis, "idle", "second")
        after = {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": beats[-1][1]["ContinuationSequenceNumber"]}
        with Subscription(kinesis, consumer2, sid(0), after) as sub2:
            assert sub2.next_event(5)["Records"] == []
            late = put(kinesis, "idle", "k", b"late")
            got2, _ = collect(sub2, 1, timeout=5)
            assert_same_records(got2, [late])
    server.stop()


@requires_sluice("--subscription-heartbeat-ms")
def test_no_heartbeats_when_turned_off_and_records_are_pushed_at_once(spawn):
    server = spawn("--subscription-heartbeat-ms", "0")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "quiet", 1)
    consumer = register(kinesis, "quiet")
    with Subscription(kinesis, consumer, sid(0), {"Type": "LATEST"}) as sub:
        first = sub.next_event(5)
        assert first["Records"] == [] and first["ContinuationSequenceNumber"]
        # Idle and heartbeats off: nothing at all for a while.
        with pytest.raises(queue.Empty):
            extra = sub.queue.get(timeout=1.0)
            raise AssertionError(f"unexpected event while idle with heartbeats off: {extra}")
        for i in range(3):
            t0 = time.monotonic()
            rec = put(kinesis, "quiet", "k", f"pushed {i}".encode())
            got, _ = collect(sub, 1, timeout=5)
            latency = time.monotonic() - t0
            assert_same_records(got, [rec])
            assert latency < 1.0, f"record {i} took {latency:.3f}s to be pushed"
    server.stop()


# ---------------------------------------------------------------------------------------------
# e. errors and the takeover rule


def test_errors_before_streaming(kinesis, new_stream):
    name = new_stream(1, prefix="sub-err")
    consumer = register(kinesis, name)
    arn = stream_arn(kinesis, name)
    trim = {"Type": "TRIM_HORIZON"}

    unknown = f"{arn}/consumer/nobody:{int(time.time())}"
    expect_error("ResourceNotFoundException", kinesis.subscribe_to_shard,
                 ConsumerARN=unknown, ShardId=sid(0), StartingPosition=trim)
    message = expect_error("ResourceNotFoundException", kinesis.subscribe_to_shard,
                           ConsumerARN=consumer, ShardId=sid(7), StartingPosition=trim)
    assert sid(7) in message, message
    message = expect_error("InvalidArgumentException", kinesis.subscribe_to_shard,
                           ConsumerARN=consumer, ShardId=sid(0), StartingPosition={"Type": "AT_SEQUENCE_NUMBER"})
    assert "SequenceNumber" in message, message
    expect_error("InvalidArgumentException", kinesis.subscribe_to_shard, ConsumerARN=consumer, ShardId=sid(0),
                 StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER"})
    expect_error("InvalidArgumentException", kinesis.subscribe_to_shard, ConsumerARN=consumer, ShardId=sid(0),
                 StartingPosition={"Type": "TRIM_HORIZON", "SequenceNumber": "1" * 56})
    expect_error("InvalidArgumentException", kinesis.subscribe_to_shard, ConsumerARN=consumer, ShardId=sid(0),
                 StartingPosition={"Type": "AT_TIMESTAMP"})
    expect_error("ValidationException", kinesis.subscribe_to_shard, ConsumerARN="not-an-arn", ShardId=sid(0),
                 StartingPosition=trim)
    expect_error("ValidationException", kinesis.subscribe_to_shard, ConsumerARN=consumer, ShardId=sid(0),
                 StartingPosition={"Type": "SOMEWHERE"})
    # None of these took the consumer's slot on the shard: a real subscription starts now.
    with Subscription(kinesis, consumer, sid(0), trim) as sub:
        assert sub.next_event(5)["Records"] == []


@requires_sluice("--register-consumer-ms")
def test_consumer_still_creating(spawn):
    server = spawn("--register-consumer-ms", "3000")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "young", 1)
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn(kinesis, "young"),
                                           ConsumerName="slow")["Consumer"]["ConsumerARN"]
    assert kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "CREATING"
    expect_error("ResourceInUseException", kinesis.subscribe_to_shard, ConsumerARN=arn, ShardId=sid(0),
                 StartingPosition={"Type": "TRIM_HORIZON"})
    rec = put(kinesis, "young", "k", b"waiting")
    e2e.wait_until(lambda: kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
                   ["ConsumerStatus"] == "ACTIVE", 10.0, "consumer ACTIVE")
    with Subscription(kinesis, arn, sid(0), {"Type": "TRIM_HORIZON"}) as sub:
        got, _ = collect(sub, 1)
        assert_same_records(got, [rec])
    server.stop()


def test_second_subscription_refused_then_takes_over(kinesis, new_stream):
    name = new_stream(2, prefix="sub-takeover")
    consumer = register(kinesis, name)
    trim = {"Type": "TRIM_HORIZON"}
    with Subscription(kinesis, consumer, sid(0), trim) as old:
        assert old.next_event(5)["Records"] == []
        message = expect_error("ResourceInUseException", kinesis.subscribe_to_shard,
                               ConsumerARN=consumer, ShardId=sid(0), StartingPosition=trim)
        assert message == f"Another active subscription exists for this consumer: {consumer}"
        # The rule is per shard: the same consumer may read another shard at the same time.
        with Subscription(kinesis, consumer, sid(1), trim) as other:
            assert other.next_event(5)["Records"] == []

        attempts = []

        def take_over():
            try:
                return Subscription(kinesis, consumer, sid(0), trim)
            except ClientError as exc:
                attempts.append(time.monotonic() - old.started)
                assert error_of(exc) == ("ResourceInUseException",
                                         f"Another active subscription exists for this consumer: {consumer}")
                return None

        new = poll(take_over, 10.0, "a later subscription taking over")
        with new:
            took = time.monotonic() - old.started
            assert took >= TAKEOVER_S - 0.5, f"a second subscription was accepted after only {took:.2f}s"
            assert attempts, "no refused attempt"
            # The old subscription gets a ResourceInUseException event and ends.
            _, kind, value = old.read_to_end(10)
            assert kind == "error", f"the replaced subscription ended with {kind}: {value!r}"
            assert getattr(value, "response", None), f"not an event-stream error: {value!r}"
            assert error_of(value)[0] == "ResourceInUseException", value.response
            assert not old.closed_by_us.is_set()
            assert old.next(5) == ("end", b""), "the body did not end right after the exception event"
            # The new one delivers.
            assert new.next_event(5)["Records"] == []
            rec = put(kinesis, name, "k", b"for the new one")
            shard = rec["ShardId"]
            if shard == sid(0):
                got, _ = collect(new, 1, timeout=5)
                assert_same_records(got, [rec])


# ---------------------------------------------------------------------------------------------
# f. across a split


@requires_sluice("ChildShards")
def test_subscription_across_a_split(kinesis, new_stream):
    name = new_stream(1, prefix="sub-split")
    consumer = register(kinesis, name)
    keys = [f"key-{i}" for i in range(16)]
    with Subscription(kinesis, consumer, sid(0), {"Type": "LATEST"}) as sub:
        assert sub.next_event(5)["Records"] == []
        before = put_many(kinesis, name, [(keys[i % 16], f"parent {i}".encode()) for i in range(30)])
        kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(MID))
        e2e.wait_active(kinesis, name)
        after = put_many(kinesis, name, [(keys[i % 16], f"child {i}".encode()) for i in range(30)])
        assert {r["ShardId"] for r in after} == {sid(1), sid(2)}

        events, kind, value = sub.read_to_end(15)
        got = [r for ev in events for r in ev["Records"]]
        assert kind == "end", f"the subscription to the split parent ended with {kind}: {value!r}"
        assert not sub.closed_by_us.is_set()
        assert_same_records(got, before)
        last = events[-1]
        assert "ContinuationSequenceNumber" not in last, f"the last event of a closed shard: {last}"
        for ev in events[:-1]:
            assert ev.get("ContinuationSequenceNumber"), ev
            assert not ev.get("ChildShards"), ev
        listing = {s["ShardId"]: s for s in e2e.list_shards(kinesis, name)}
        children = sorted(last.get("ChildShards") or [], key=lambda c: c["ShardId"])
        assert [c["ShardId"] for c in children] == [sid(1), sid(2)], last
        for c in children:
            assert c["ParentShards"] == [sid(0)], c
            assert c["HashKeyRange"] == listing[c["ShardId"]]["HashKeyRange"], c
        assert int(children[0]["HashKeyRange"]["EndingHashKey"]) == MID - 1
        assert int(children[1]["HashKeyRange"]["StartingHashKey"]) == MID

    expected = by_shard(after)
    for child in (sid(1), sid(2)):
        with Subscription(kinesis, consumer, child, {"Type": "TRIM_HORIZON"}) as csub:
            got_child, _ = collect(csub, len(expected[child]))
            assert_same_records(got_child, expected[child])
    # A closed shard: a new subscription from TRIM_HORIZON reads it to its end again.
    consumer2 = register(kinesis, name, "late")
    with Subscription(kinesis, consumer2, sid(0), {"Type": "TRIM_HORIZON"}) as again:
        events, kind, value = again.read_to_end(10)
        assert kind == "end", f"{kind}: {value!r}"
        assert_same_records([r for ev in events for r in ev["Records"]], before)
        final = events[-1] if events else None
        assert final and "ContinuationSequenceNumber" not in final and len(final["ChildShards"]) == 2


# ---------------------------------------------------------------------------------------------
# g. a slow reader


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@requires_sluice("process memory of a spawned server")
def test_slow_reader_gets_everything_without_the_server_buffering_it(spawn):
    server = spawn("--durability", "os")
    pid = server.proc.pid
    kinesis = e2e.client(server.endpoint, read_timeout=60)
    e2e.create_stream(kinesis, "big", 1)
    consumer = register(kinesis, "big")
    size, count = 100 * 1024, 300
    sent = []
    for b in range(0, count, 25):
        sent += put_many(kinesis, "big", [(f"k{i}", os.urandom(size)) for i in range(b, b + 25)])
    total_mib = size * count / 2**20
    base = rss_kib(pid)

    slow_events = 5

    def pace(n):
        # A slow client, stalled for a while after its first event, then slow, then fast: the
        # server must wait for it, not buffer the backlog for it.
        if n == 1:
            time.sleep(1.5)
        elif n <= slow_events:
            time.sleep(0.2)

    peak = base
    with Subscription(kinesis, consumer, sid(0), {"Type": "TRIM_HORIZON"}, watchdog_s=60, pace=pace) as sub:
        got, events = [], []
        deadline = time.monotonic() + 60
        while len(got) < count:
            assert time.monotonic() < deadline, f"only {len(got)} of {count} records within 60s"
            peak = max(peak, rss_kib(pid))
            try:
                kind, value = sub.queue.get(timeout=0.02)
            except queue.Empty:
                continue
            assert kind == "event", f"{kind}: {value!r}"
            ev = value["SubscribeToShardEvent"]
            assert ev.get("ContinuationSequenceNumber")
            events.append(ev)
            got += ev["Records"]
        peak = max(peak, rss_kib(pid))
        assert len(events) >= slow_events, "too few events to have read slowly"
        assert events[0]["MillisBehindLatest"] >= 0
        assert [r["SequenceNumber"] for r in got] == [r["SequenceNumber"] for r in sent]
        for g, s in zip(got, sent):
            assert hashlib.sha256(g["Data"]).digest() == hashlib.sha256(s["Data"]).digest(), g["SequenceNumber"]
        assert events[-1]["MillisBehindLatest"] == 0
    # Buffering the backlog would take more than the data itself (base64 in JSON events).
    growth_mib = (peak - base) / 1024
    assert peak / 1024 < 200, f"server RSS peaked at {peak / 1024:.0f} MiB"
    assert growth_mib < total_mib, \
        f"server RSS grew by {growth_mib:.1f} MiB while a slow reader read {total_mib:.0f} MiB"
    e2e.assert_alive(server.endpoint)
    server.stop()


# ---------------------------------------------------------------------------------------------
# h. the client goes away mid-stream


def test_client_disconnect_mid_stream(endpoint, kinesis, new_stream):
    name = new_stream(1, prefix="sub-gone")
    consumer = register(kinesis, name)
    big = os.urandom(200 * 1024)
    sent = []
    for b in range(4):
        sent += put_many(kinesis, name, [(f"k{i}", big) for i in range(10)])
    sub = Subscription(kinesis, consumer, sid(0), {"Type": "TRIM_HORIZON"})
    ev = sub.next_event(10)
    assert ev["Records"], "the first event should carry records"
    seen = ev["Records"]
    sub.__exit__()  # closes the connection with most of the backlog unsent
    endpoint.check_alive()

    def resubscribe():
        try:
            return Subscription(kinesis, consumer, sid(0), {"Type": "AFTER_SEQUENCE_NUMBER",
                                                            "SequenceNumber": ev["ContinuationSequenceNumber"]})
        except ClientError as exc:
            assert error_of(exc)[0] == "ResourceInUseException", exc.response
            return None

    with poll(resubscribe, TAKEOVER_S + 5, "a new subscription after the client left") as again:
        rest, _ = collect(again, len(sent) - len(seen))
        assert_same_records(seen + rest, sent)
    endpoint.check_alive()
