"""Durability: kill -9 while writing, damaged segment files, clean restarts.

These tests own their server processes (fresh data dir each)."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

import sluice_e2e as e2e


class Producer(threading.Thread):
    """Writes PutRecords batches until an error (the server being killed) or until stopped,
    recording every acknowledged (sequence number -> shard, partition key, data)."""

    def __init__(self, endpoint: str, stream: str, seed: int):
        super().__init__(daemon=True)
        self.client = e2e.client(endpoint, read_timeout=10)
        self.stream = stream
        self.rng = random.Random(seed)
        self.acked = {}
        self.batches = 0
        self.error = None
        self.stop_event = threading.Event()

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            entries = []
            for _ in range(self.rng.randint(1, 40)):
                size = self.rng.choice((0, 1, 17, 300, 4096, 40000))
                data = f"{n}:".encode() + self.rng.randbytes(size)
                entries.append({"PartitionKey": f"pk-{self.rng.randint(0, 50)}", "Data": data})
                n += 1
            try:
                res = self.client.put_records(StreamName=self.stream, Records=entries)
            except Exception as exc:  # noqa: BLE001 - the server was killed
                self.error = exc
                return
            for e, r in zip(entries, res["Records"]):
                if "SequenceNumber" in r:
                    self.acked[r["SequenceNumber"]] = (r["ShardId"], e["PartitionKey"], e["Data"])
            self.batches += 1


def check_all_acknowledged_present(kinesis, stream: str, acked: dict):
    got = e2e.read_stream(kinesis, stream, timeout=120)
    served = {}
    for shard, recs in got.items():
        seqs = [int(r["SequenceNumber"]) for r in recs]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"{shard} not strictly increasing"
        for r in recs:
            served[r["SequenceNumber"]] = (shard, r["PartitionKey"], r["Data"])
    missing = [s for s in acked if s not in served]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged records lost, e.g. {missing[:3]}"
    wrong = [s for s, v in acked.items() if served[s] != v]
    assert not wrong, f"{len(wrong)} acknowledged records came back different, e.g. {wrong[:3]}"
    return served


@pytest.mark.parametrize("round_,durability", [(i, "fsync") for i in range(5)] + [(5, "os")],
                         ids=[f"fsync-{i}" for i in range(5)] + ["os"])
def test_kill9_loses_no_acknowledged_record(spawn, round_, durability):
    rng = random.Random(1000 + round_)
    server = spawn("--durability", durability)
    kinesis = e2e.client(server.endpoint)
    stream = "crash"
    e2e.create_stream(kinesis, stream, 3)

    producers = [Producer(server.endpoint, stream, seed=round_ * 10 + i) for i in range(2)]
    for p in producers:
        p.start()
    # Let some batches through, then kill at a random moment.
    e2e.wait_until(lambda: sum(p.batches for p in producers) >= 5, 30,
                   f"first acknowledged batches; log:\n{server.log}")
    kill_at = time.monotonic() + rng.uniform(0.0, 1.0)
    e2e.wait_until(lambda: time.monotonic() >= kill_at or any(p.error for p in producers), 5,
                   "the random kill moment", interval=0.005)
    assert not any(p.error for p in producers), [p.error for p in producers]
    server.kill9()
    for p in producers:
        p.join(30)
        assert not p.is_alive(), "producer did not notice the dead server"
    acked = {}
    for p in producers:
        acked.update(p.acked)
    assert len(acked) >= 5
    print(f"{durability}: killed after {sum(p.batches for p in producers)} batches, {len(acked)} records")

    server.restart()
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, stream)
    served = check_all_acknowledged_present(kinesis, stream, acked)

    # The restarted server accepts writes, numbered after everything it served.
    r = kinesis.put_record(StreamName=stream, PartitionKey="after", Data=b"after-crash")
    same_shard = [int(s) for s, v in served.items() if v[0] == r["ShardId"]]
    assert all(int(r["SequenceNumber"]) > s for s in same_shard)
    recs = e2e.read_shard(kinesis, stream, r["ShardId"])
    assert recs[-1]["Data"] == b"after-crash"
    server.stop()


def put_batches(kinesis, stream: str, count: int) -> list:
    """One PutRecord per call, so each is its own batch; returns [(seq, data)]."""
    out = []
    for i in range(count):
        data = f"record-{i}-".encode() + bytes([i % 256]) * 200 + b"-end"
        r = kinesis.put_record(StreamName=stream, PartitionKey="k", Data=data)
        out.append((r["SequenceNumber"], data))
    return out


def last_segment(server) -> str:
    files = server.segment_files()
    assert files, f"no segment files (*.log) under the data dir; log:\n{server.log}"
    # One stream, one shard: the last segment is the one with the highest base offset.
    return max(files, key=lambda f: (os.path.dirname(f), os.path.basename(f)))


def check_prefix_then_writable(server, written: list, expect_kept: int):
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, "damaged")
    recs = e2e.read_shard(kinesis, "damaged", "shardId-000000000000")
    got = [(r["SequenceNumber"], r["Data"]) for r in recs]
    assert got == written[:len(got)], "served records differ from what was written (garbage served)"
    assert len(got) == expect_kept, f"expected the {expect_kept} undamaged records, got {len(got)}"
    r = kinesis.put_record(StreamName="damaged", PartitionKey="k", Data=b"new-after-repair")
    assert not got or int(r["SequenceNumber"]) > int(got[-1][0])
    recs = e2e.read_shard(kinesis, "damaged", "shardId-000000000000")
    assert [x["Data"] for x in recs] == [d for _, d in written[:expect_kept]] + [b"new-after-repair"]


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_last_batch_is_dropped_and_rest_served(spawn, damage):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "damaged", 1)
    written = put_batches(kinesis, "damaged", 10)
    server.stop()

    seg = last_segment(server)
    with open(seg, "rb") as f:
        content = f.read()
    last_data = written[-1][1]
    pos = content.rfind(last_data)
    assert pos >= 0, f"last record's data not found in the last segment {seg}"
    data_end = pos + len(last_data)
    if damage == "truncate":
        # A torn write: the file ends a few bytes into the last record's data (and so also before
        # anything that may follow it, such as padding).
        with open(seg, "r+b") as f:
            f.truncate(min(len(content), data_end) - 3)
    else:
        # One flipped bit pattern inside the last record's data.
        with open(seg, "r+b") as f:
            f.seek(pos + 30)
            f.write(bytes([content[pos + 30] ^ 0x5A]))
    server.restart()
    check_prefix_then_writable(server, written, 9)
    server.stop()


def test_clean_restart_keeps_metadata_and_iterators(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "keep-a", 3)
    e2e.create_stream(kinesis, "keep-b", 1)
    res = kinesis.put_records(StreamName="keep-a", Records=[
        {"PartitionKey": "k", "Data": f"a{i}".encode(), "ExplicitHashKey": "0"} for i in range(4)])
    assert res["FailedRecordCount"] == 0
    kinesis.put_record(StreamName="keep-b", PartitionKey="k", Data=b"b0")

    desc_a = kinesis.describe_stream(StreamName="keep-a")["StreamDescription"]
    desc_b = kinesis.describe_stream(StreamName="keep-b")["StreamDescription"]
    sum_a = kinesis.describe_stream_summary(StreamName="keep-a")["StreamDescriptionSummary"]
    shards_a = kinesis.list_shards(StreamName="keep-a")["Shards"]
    names = kinesis.list_streams()["StreamNames"]
    trim = kinesis.get_shard_iterator(StreamName="keep-a", ShardId="shardId-000000000000",
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=trim, Limit=2)
    assert [r["Data"] for r in page["Records"]] == [b"a0", b"a1"]
    mid = page["NextShardIterator"]

    server.stop()
    server.restart()
    kinesis = e2e.client(server.endpoint)

    assert kinesis.describe_stream(StreamName="keep-a")["StreamDescription"] == desc_a
    assert kinesis.describe_stream(StreamName="keep-b")["StreamDescription"] == desc_b
    assert kinesis.describe_stream_summary(StreamName="keep-a")["StreamDescriptionSummary"] == sum_a
    assert kinesis.list_shards(StreamName="keep-a")["Shards"] == shards_a
    assert kinesis.list_streams()["StreamNames"] == names

    recs, _ = e2e.drain(kinesis, trim)
    assert [r["Data"] for r in recs] == [b"a0", b"a1", b"a2", b"a3"]
    recs, it = e2e.drain(kinesis, mid)
    assert [r["Data"] for r in recs] == [b"a2", b"a3"]
    # New writes continue the sequence and reach the old iterator's successor.
    r = kinesis.put_record(StreamName="keep-a", PartitionKey="k", Data=b"a4", ExplicitHashKey="0")
    assert int(r["SequenceNumber"]) > int(res["Records"][-1]["SequenceNumber"])
    recs, _ = e2e.drain(kinesis, it)
    assert [x["Data"] for x in recs] == [b"a4"]
    server.stop()


def test_clean_restart_keeps_tags(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    tags = {"team": "data", "env": "test", "cost-center": "42"}
    e2e.create_stream(kinesis, "tagged", 2, Tags=tags)
    before = kinesis.list_tags_for_stream(StreamName="tagged")
    assert {t["Key"]: t["Value"] for t in before["Tags"]} == tags
    server.stop()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    after = kinesis.list_tags_for_stream(StreamName="tagged")
    assert after["Tags"] == before["Tags"]
    assert after["HasMoreTags"] is False
    server.stop()


def test_deleted_stream_stays_deleted_after_restart(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "gone", 1)
    e2e.create_stream(kinesis, "kept", 1)
    kinesis.put_record(StreamName="gone", PartitionKey="k", Data=b"x")
    kinesis.delete_stream(StreamName="gone")
    e2e.wait_gone(kinesis, "gone")
    server.stop()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    assert kinesis.list_streams()["StreamNames"] == ["kept"]
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.describe_stream_summary(StreamName="gone")
    server.stop()


def test_sigterm_finishes_in_flight_requests(spawn):
    """SIGTERM while a producer is writing: every acknowledged record is there after restart,
    and the process exits 0."""
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "term", 2)
    p = Producer(server.endpoint, "term", seed=99)
    p.start()
    e2e.wait_until(lambda: p.batches >= 3, 30, "acknowledged batches")
    server.stop()
    p.join(30)
    assert not p.is_alive()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    check_all_acknowledged_present(kinesis, "term", p.acked)
    server.stop()
