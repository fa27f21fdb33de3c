"""SubscribeToGroup (docs/consumer-groups.md): a group member's shards pushed over one event-stream
response, against real server processes. Requests are signed as test_consumer_groups.py signs them;
the events are decoded with botocore's event-stream decoder, the one boto3's SubscribeToShard uses."""

import base64
import http.client
import os
import json
import queue
import subprocess
import threading
import time
from urllib.parse import urlparse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.eventstream

import sluice_e2e as e2e
from test_consumer_groups import TARGET, call, expect_error, shard_ids

TARGET_HEADER = "X-Amz-Target: " + TARGET


class GroupSubscription:
    """One SubscribeToGroup response read on a thread of its own: events(type, payload) in order."""

    def __init__(self, endpoint: str, read: bool = True, **body):
        data = json.dumps(body).encode()
        req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=data, headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + "SubscribeToGroup"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKIDEXAMPLE", "secret"), "kinesis",
                                e2e.REGION).add_auth(req)
        u = urlparse(endpoint)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.conn.request("POST", "/", body=data, headers=dict(req.headers.items()))
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.events = queue.Queue()
        self.ended = threading.Event()
        if self.status != 200:
            self.error = json.loads(self.response.read())
            return
        assert self.response.getheader("content-type") == "application/vnd.amazon.eventstream"
        self.thread = threading.Thread(target=self._read, daemon=True)
        if read:
            self.thread.start()

    def start_reading(self):
        self.thread.start()

    def _read(self):
        decoder = botocore.eventstream.EventStreamBuffer()
        try:
            while True:
                chunk = self.response.read1(65536)
                if not chunk:
                    break
                decoder.add_data(chunk)
                for message in decoder:
                    h = message.headers
                    kind = h.get(":event-type") or h.get(":exception-type")
                    self.events.put((kind, json.loads(message.payload)))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by close(), or by the server
        finally:
            self.ended.set()
            self.events.put(None)

    def next(self, timeout: float = 10.0):
        """The next event; None once the stream ended."""
        return self.events.get(timeout=timeout)

    def next_of(self, kind: str, timeout: float = 10.0) -> dict:
        """Skips to the next event named `kind` (idle RecordsEvents and the others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            assert event is not None, f"the stream ended before a {kind}"
            if event[0] == kind:
                return event[1]

    def records_until(self, predicate, timeout: float = 10.0, seen=None) -> list:
        """Collects (ShardId, record) of RecordsEvents until predicate(collected) holds; every other
        event goes to `seen` when given."""
        out = []
        deadline = time.monotonic() + timeout
        while not predicate(out):
            assert time.monotonic() < deadline, f"records not pushed within {timeout}s: {len(out)} so far"
            event = self.next(max(0.01, deadline - time.monotonic()))
            assert event is not None, "the stream ended"
            if event[0] == "RecordsEvent":
                out.extend((event[1]["ShardId"], r) for r in event[1]["Records"])
            elif seen is not None:
                seen.append(event)
        return out

    def close(self):
        self.conn.close()
        if self.response.fp is not None:
            self.response.close()


def subscribe(ep: str, stream: str, group: str, member: str, read: bool = True) -> GroupSubscription:
    s = GroupSubscription(ep, read, StreamName=stream, GroupName=group, MemberId=member)
    assert s.status == 200, s.error
    return s


def data_of(record: dict) -> bytes:
    return base64.b64decode(record["Data"])


def test_a_member_is_pushed_records_put_after_it_subscribed(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m", InitialPosition="LATEST")
    s = subscribe(ep, stream, "g", "m")
    try:
        first = s.next()
        assert first[0] == "AssignmentEvent"
        assert shard_ids(first[1]) == ["shardId-000000000000"]
        started = time.monotonic()
        kinesis.put_record(StreamName=stream, Data=b"pushed", PartitionKey="k")
        got = s.records_until(lambda out: len(out) >= 1, timeout=5)
        assert [data_of(r) for _, r in got] == [b"pushed"]
        assert time.monotonic() - started < 2.0
    finally:
        s.close()


def test_records_of_four_shards_arrive_once_and_in_order_per_shard(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(4)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    before = {}
    for i in range(40):
        r = kinesis.put_record(StreamName=stream, Data=f"before-{i}".encode(), PartitionKey=f"k{i}")
        before.setdefault(r["ShardId"], []).append(r["SequenceNumber"])
    s = subscribe(ep, stream, "g", "m")
    try:
        assert len(shard_ids(s.next_of("AssignmentEvent"))) == 4
        put = dict(before)
        for i in range(160):
            r = kinesis.put_record(StreamName=stream, Data=f"after-{i}".encode(), PartitionKey=f"k{i}")
            put.setdefault(r["ShardId"], []).append(r["SequenceNumber"])
        got = s.records_until(lambda out: len(out) >= 200, timeout=10)
        assert len(put) == 4
        pushed = {}
        for shard, r in got:
            pushed.setdefault(shard, []).append(r["SequenceNumber"])
        assert pushed == put, "every record once, in order per shard"
    finally:
        s.close()


def test_a_second_member_takes_shards_from_a_pushed_member_at_once(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(4)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="a", InitialPosition="LATEST")
    s = subscribe(ep, stream, "g", "a")
    try:
        assert len(shard_ids(s.next_of("AssignmentEvent"))) == 4
        call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="b")
        kept = shard_ids(s.next_of("AssignmentEvent"))
        assert len(kept) == 2
        # A pushed member hands over at once: b's next answer lists the moved shards.
        moved = shard_ids(call(ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="b"))
        assert len(moved) == 2 and not set(moved) & set(kept)
        put = {}
        for i in range(80):
            r = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey=f"k{i}")
            put.setdefault(r["ShardId"], []).append(r["SequenceNumber"])
        want = sum(len(put.get(k, [])) for k in kept)
        got = s.records_until(lambda out: sum(1 for shard, _ in out if shard in kept) >= want, timeout=10)
        assert {shard for shard, _ in got} <= set(kept), "no record of a moved shard after the hand-over"
        # And nothing of them later.
        described = call(ep, "DescribeGroup", StreamName=stream, GroupName="g")["Group"]
        assert {m["MemberId"]: m["Pushed"] for m in described["Members"]} == {"a": True, "b": False}
        while True:
            try:
                event = s.next(timeout=0.3)
            except queue.Empty:
                break
            assert event is not None and (event[0] != "RecordsEvent" or event[1]["ShardId"] in kept), event
    finally:
        s.close()


def test_a_subscription_holds_the_session_and_closing_it_lets_the_member_expire(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(2)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m", SessionTimeoutMillis=1000)
    s = subscribe(ep, stream, "g", "m")
    s.next_of("AssignmentEvent")
    # Three session timeouts without a heartbeat: the open subscription keeps the member.
    held_until = time.monotonic() + 3.0
    while time.monotonic() < held_until:
        members = call(ep, "DescribeGroup", StreamName=stream, GroupName="g")["Group"]["Members"]
        assert [(m["MemberId"], m["Pushed"]) for m in members] == [("m", True)]
        time.sleep(0.2)
    s.close()
    closed = time.monotonic()

    def gone():
        return not call(ep, "DescribeGroup", StreamName=stream, GroupName="g")["Group"]["Members"]
    e2e.wait_until(gone, 5, "the member to expire once its subscription closed")
    assert time.monotonic() - closed >= 0.9, "the session runs from the end of the subscription"
    expect_error("UnknownMemberException", ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="m")


def test_leaving_the_group_ends_the_subscription_with_an_exception_event(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    s = subscribe(ep, stream, "g", "m")
    try:
        s.next_of("AssignmentEvent")
        call(ep, "LeaveGroup", StreamName=stream, GroupName="g", MemberId="m")
        event = s.next()
        while event is not None and event[0] == "RecordsEvent":
            event = s.next()
        assert event is not None and event[0] == "UnknownMemberException", event
        assert "m" in event[1]["message"]
        assert s.next() is None
    finally:
        s.close()


def test_a_second_subscription_of_the_member_replaces_the_first(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    first = subscribe(ep, stream, "g", "m")
    second = None
    try:
        first.next_of("AssignmentEvent")
        second = subscribe(ep, stream, "g", "m")
        assert shard_ids(second.next_of("AssignmentEvent")) == ["shardId-000000000000"]
        assert first.next_of("ResourceInUseException")["message"]
    finally:
        first.close()
        if second:
            second.close()


def test_a_resharded_stream_pushes_shard_end_then_the_children(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(2)
    put = {}
    for i in range(20):
        r = kinesis.put_record(StreamName=stream, Data=b"old", PartitionKey=f"k{i}")
        put.setdefault(r["ShardId"], []).append(r["SequenceNumber"])
    kinesis.update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    e2e.wait_active(kinesis, stream)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    s = subscribe(ep, stream, "g", "m")
    try:
        assignment = s.next_of("AssignmentEvent")
        parents = shard_ids(assignment)
        assert parents == sorted(put)
        pushed, ends = {}, {}
        deadline = time.monotonic() + 10
        while len(ends) < 2:
            kind, payload = s.next(max(0.01, deadline - time.monotonic()))
            if kind == "RecordsEvent":
                assert payload["ShardId"] not in ends, "no record of a shard after its ShardEndEvent"
                pushed.setdefault(payload["ShardId"], []).extend(r["SequenceNumber"] for r in payload["Records"])
            else:
                assert kind == "ShardEndEvent", (kind, payload)
                assert pushed.get(payload["ShardId"]) == put[payload["ShardId"]], "every record before the end"
                ends[payload["ShardId"]] = payload["ChildShardIds"]
        children = sorted(c for ids in ends.values() for c in ids)
        assert len(children) == 4 and not set(children) & set(parents)
        for shard in parents:
            call(ep, "CheckpointGroup", StreamName=stream, GroupName="g", MemberId="m",
                 Generation=assignment["Generation"], ShardId=shard, SequenceNumber=put[shard][-1], ShardEnd=True)
        # Each parent's ShardEnd checkpoint hands out its own children.
        after = s.next_of("AssignmentEvent")
        while shard_ids(after) != children:
            assert set(shard_ids(after)) <= set(children) | set(parents), after
            after = s.next_of("AssignmentEvent")
        assert after["Generation"] > assignment["Generation"]
        kinesis.put_record(StreamName=stream, Data=b"new", PartitionKey="k0")
        got = s.records_until(lambda out: len(out) >= 1, timeout=5)
        assert got[0][0] in children and data_of(got[0][1]) == b"new"
    finally:
        s.close()


def test_subscribe_errors_name_the_member_group_and_stream(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    cases = [
        (dict(StreamName=stream, GroupName="g", MemberId="nobody"), "UnknownMemberException", "nobody"),
        (dict(StreamName=stream, GroupName="missing", MemberId="m"), "ResourceNotFoundException", "missing"),
        (dict(StreamName="no-such-stream", GroupName="g", MemberId="m"), "ResourceNotFoundException",
         "no-such-stream"),
        (dict(StreamName=stream, GroupName="g"), "ValidationException", "memberId"),
    ]
    for body, error_type, named in cases:
        s = GroupSubscription(ep, **body)
        assert s.status == 400, (body, s.status)
        assert s.error["__type"] == error_type and named in s.error["message"], s.error


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_member_that_does_not_read_is_not_buffered_for(spawn):
    server = spawn("--durability", "os")
    ep = server.endpoint
    kinesis = e2e.client(ep, read_timeout=60)
    e2e.create_stream(kinesis, "big", 2)
    size, count = 100 * 1024, 300
    put = {}
    for b in range(0, count, 25):
        out = kinesis.put_records(StreamName="big", Records=[
            {"PartitionKey": f"k{i}", "Data": os.urandom(size)} for i in range(b, b + 25)])
        assert out["FailedRecordCount"] == 0
        for r in out["Records"]:
            put.setdefault(r["ShardId"], []).append(r["SequenceNumber"])
    total_mib = size * count / 2**20
    call(ep, "JoinGroup", StreamName="big", GroupName="g", MemberId="m")
    base = rss_kib(server.proc.pid)
    s = subscribe(ep, "big", "g", "m", read=False)
    try:
        # Unread for a while: the server must wait for the member, not encode the backlog for it.
        peak, stalled_until = base, time.monotonic() + 1.5
        while time.monotonic() < stalled_until:
            peak = max(peak, rss_kib(server.proc.pid))
            time.sleep(0.05)
        s.start_reading()
        got = s.records_until(lambda out: len(out) >= count, timeout=60)
        peak = max(peak, rss_kib(server.proc.pid))
        pushed = {}
        for shard, r in got:
            pushed.setdefault(shard, []).append(r["SequenceNumber"])
        assert pushed == put, "every record once, in order per shard"
    finally:
        s.close()
    growth_mib = (peak - base) / 1024
    assert growth_mib < total_mib / 2, \
        f"server RSS grew by {growth_mib:.1f} MiB while a member read {total_mib:.0f} MiB late"


def test_a_member_is_pushed_over_http2(endpoint, kinesis, new_stream, tmp_path):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    kinesis.put_record(StreamName=stream, Data=b"over h2", PartitionKey="k")
    out = tmp_path / "events"
    # curl (nghttp2) with prior knowledge: HTTP/2 over plain TCP, for 2 s.
    run = subprocess.run(
        ["curl", "-s", "-o", str(out), "-w", "%{http_version} %{http_code}", "--http2-prior-knowledge",
         "--max-time", "2", "-H", "Content-Type: application/x-amz-json-1.1",
         "-H", TARGET_HEADER + "SubscribeToGroup", "-H", "Authorization: " + e2e.DUMMY_AUTH,
         "-d", json.dumps({"StreamName": stream, "GroupName": "g", "MemberId": "m"}), ep + "/"],
        capture_output=True, text=True, timeout=30)
    assert run.stdout == "2 200", (run.stdout, run.stderr)
    decoder = botocore.eventstream.EventStreamBuffer()
    decoder.add_data(out.read_bytes())
    events = [(m.headers[":event-type"], json.loads(m.payload)) for m in decoder]
    assert events[0][0] == "AssignmentEvent"
    records = [r for kind, p in events if kind == "RecordsEvent" for r in p["Records"]]
    assert [data_of(r) for r in records] == [b"over h2"]
