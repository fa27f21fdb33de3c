"""Writing and reading records through boto3: PutRecord/PutRecords, iterators, GetRecords."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE

SEQ_RE = re.compile(r"\d{56}")


def hash_of(key: str) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def shard_for(shards: list, h: int) -> str:
    for s in shards:
        if int(s["HashKeyRange"]["StartingHashKey"]) <= h <= int(s["HashKeyRange"]["EndingHashKey"]):
            return s["ShardId"]
    raise AssertionError(f"no shard covers {h}")


def test_all_byte_values_round_trip(kinesis, new_stream):
    name = new_stream(1)
    every = bytes(range(256))
    singles = [bytes([i]) for i in range(256)]
    r = kinesis.put_record(StreamName=name, PartitionKey="bytes", Data=every)
    assert r["ShardId"] == "shardId-000000000000"
    sent = [every]
    for chunk in (singles[:200], singles[200:]):
        res = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "b", "Data": d} for d in chunk])
        assert res["FailedRecordCount"] == 0
        assert len(res["Records"]) == len(chunk)
        sent += chunk
    sent.append(every[::-1])
    kinesis.put_record(StreamName=name, PartitionKey="bytes", Data=every[::-1])
    got = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert [g["Data"] for g in got] == sent
    assert [g["PartitionKey"] for g in got] == ["bytes"] + ["b"] * 256 + ["bytes"]


def test_one_mib_records(kinesis, new_stream):
    name = new_stream(1)
    key = "k"
    size = 1024 * 1024 - len(key)  # data + partition key = exactly 1 MiB
    a, b, c = os.urandom(size), os.urandom(size), os.urandom(size)
    kinesis.put_record(StreamName=name, PartitionKey=key, Data=a)
    res = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": key, "Data": b},
                                                        {"PartitionKey": key, "Data": c}])
    assert res["FailedRecordCount"] == 0
    got = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert len(got) == 3
    assert got[0]["Data"] == a and got[1]["Data"] == b and got[2]["Data"] == c


def test_unicode_partition_keys(kinesis, new_stream):
    name = new_stream(2)
    shards = e2e.all_shards(kinesis, name)
    keys = ["ключ", "鍵", "🔑-emoji", "plain", "x" * 256]
    for k in keys:
        r = kinesis.put_record(StreamName=name, PartitionKey=k, Data=k.encode())
        assert r["ShardId"] == shard_for(shards, hash_of(k)), k
    got = [rec for recs in e2e.read_stream(kinesis, name).values() for rec in recs]
    assert sorted((g["PartitionKey"], g["Data"]) for g in got) == sorted((k, k.encode()) for k in keys)


def test_partition_key_routing_is_md5(kinesis, new_stream):
    name = new_stream(4)
    shards = e2e.all_shards(kinesis, name)
    # MD5("a") read big-endian is the documented example.
    assert hash_of("a") == 16955237001963240173058271559858726497
    seen = set()
    for i in range(40):
        k = f"key-{i}"
        r = kinesis.put_record(StreamName=name, PartitionKey=k, Data=b"x")
        assert r["ShardId"] == shard_for(shards, hash_of(k)), k
        seen.add(r["ShardId"])
    assert len(seen) == 4, "40 keys should land on every one of 4 shards"
    res = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": f"key-{i}", "Data": b"y"}
                                                        for i in range(40)])
    assert [x["ShardId"] for x in res["Records"]] == [shard_for(shards, hash_of(f"key-{i}")) for i in range(40)]


def test_explicit_hash_key_routing(kinesis, new_stream):
    name = new_stream(4)
    shards = e2e.all_shards(kinesis, name)
    for s in shards:
        lo, hi = int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])
        for h in (lo, (lo + hi) // 2, hi):
            # The partition key's own hash would route elsewhere for most of these.
            r = kinesis.put_record(StreamName=name, PartitionKey="same", Data=b"e", ExplicitHashKey=str(h))
            assert r["ShardId"] == s["ShardId"], h
    res = kinesis.put_records(StreamName=name, Records=[
        {"PartitionKey": "same", "Data": b"e", "ExplicitHashKey": str(int(s["HashKeyRange"]["EndingHashKey"]))}
        for s in shards])
    assert [x["ShardId"] for x in res["Records"]] == [s["ShardId"] for s in shards]
    edge = kinesis.put_record(StreamName=name, PartitionKey="z", Data=b"e", ExplicitHashKey=str(HASH_SPACE - 1))
    assert edge["ShardId"] == shards[-1]["ShardId"]


def test_sequence_numbers_and_per_key_order(kinesis, new_stream):
    name = new_stream(3)
    keys = [f"order-{i}" for i in range(6)]
    written = []  # (shard, seq, key, data) in acknowledgement order
    n = 0
    for round_ in range(8):
        if round_ % 2 == 0:
            for k in keys:
                data = f"{k}:{n}".encode()
                r = kinesis.put_record(StreamName=name, PartitionKey=k, Data=data)
                written.append((r["ShardId"], r["SequenceNumber"], k, data))
                n += 1
        else:
            entries = []
            for k in keys:
                for _ in range(2):
                    entries.append({"PartitionKey": k, "Data": f"{k}:{n}".encode()})
                    n += 1
            res = kinesis.put_records(StreamName=name, Records=entries)
            assert res["FailedRecordCount"] == 0
            for e, x in zip(entries, res["Records"]):
                written.append((x["ShardId"], x["SequenceNumber"], e["PartitionKey"], e["Data"]))

    seqs = [w[1] for w in written]
    assert all(SEQ_RE.fullmatch(s) for s in seqs), seqs[:3]
    assert len(set(seqs)) == len(seqs), "sequence numbers are not unique in the stream"
    by_shard = {}
    for shard, seq, k, data in written:
        by_shard.setdefault(shard, []).append((int(seq), k, data))
    for shard, items in by_shard.items():
        ints = [i[0] for i in items]
        assert ints == sorted(ints) and len(set(ints)) == len(ints), f"{shard}: not strictly increasing"

    got = e2e.read_stream(kinesis, name)
    for shard, items in by_shard.items():
        recs = got[shard]
        assert [(int(r["SequenceNumber"]), r["PartitionKey"], r["Data"]) for r in recs] == items
        start = int(next(s for s in e2e.all_shards(kinesis, name) if s["ShardId"] == shard)
                    ["SequenceNumberRange"]["StartingSequenceNumber"])
        assert all(int(r["SequenceNumber"]) >= start for r in recs)
    # Per key, data comes back in write order.
    for k in keys:
        ours = [d for _, _, kk, d in written if kk == k]
        back = [r["Data"] for recs in got.values() for r in recs if r["PartitionKey"] == k]
        assert back == ours


def test_sequence_number_for_ordering(kinesis, new_stream):
    name = new_stream(1)
    prev = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"1")["SequenceNumber"]
    for i in range(2, 6):
        cur = kinesis.put_record(StreamName=name, PartitionKey="k", Data=str(i).encode(),
                                 SequenceNumberForOrdering=prev)["SequenceNumber"]
        assert int(cur) > int(prev)
        prev = cur


def wait_for_clock_past(t: float):
    e2e.wait_until(lambda: time.time() > t, 5, "the clock to advance", interval=0.005)


def test_iterator_types(kinesis, new_stream):
    name = new_stream(1)
    shard = "shardId-000000000000"
    first = [kinesis.put_record(StreamName=name, PartitionKey="k", Data=f"a{i}".encode())["SequenceNumber"]
             for i in range(3)]
    # boto3 sends whole epoch seconds: put the second group after the next second boundary.
    boundary = int(time.time()) + 1
    wait_for_clock_past(boundary + 0.05)
    second = [kinesis.put_record(StreamName=name, PartitionKey="k", Data=f"b{i}".encode())["SequenceNumber"]
              for i in range(3)]
    all_recs = e2e.read_shard(kinesis, name, shard)
    assert [r["SequenceNumber"] for r in all_recs] == first + second
    assert [r["Data"] for r in all_recs] == [b"a0", b"a1", b"a2", b"b0", b"b1", b"b2"]

    def first_data(itype, **kw):
        recs = e2e.read_shard(kinesis, name, shard, itype, **kw)
        return [r["Data"] for r in recs]

    assert first_data("AT_SEQUENCE_NUMBER", StartingSequenceNumber=first[1]) == [b"a1", b"a2", b"b0", b"b1", b"b2"]
    assert first_data("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first[1]) == [b"a2", b"b0", b"b1", b"b2"]
    assert first_data("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=second[2]) == []

    # AT_TIMESTAMP between the two groups (arrival times come from the server).
    t_a = all_recs[2]["ApproximateArrivalTimestamp"]
    t_b = all_recs[3]["ApproximateArrivalTimestamp"]
    assert t_a.timestamp() < boundary < t_b.timestamp(), (t_a, boundary, t_b)
    at = dt.datetime.fromtimestamp(boundary, dt.timezone.utc)
    assert first_data("AT_TIMESTAMP", Timestamp=at) == [b"b0", b"b1", b"b2"]
    assert first_data("AT_TIMESTAMP", Timestamp=t_a - dt.timedelta(days=1)) == [r["Data"] for r in all_recs]
    # Fractional seconds on the wire: the first record at or after the arrival of b0.
    for ts, expect in ((t_b.timestamp(), [b"b0", b"b1", b"b2"]),
                       ((t_a.timestamp() + t_b.timestamp()) / 2, [b"b0", b"b1", b"b2"]),
                       # records of the same millisecond as a2 (a1 may share it) come too
                       (t_a.timestamp(), [r["Data"] for r in all_recs
                                          if r["ApproximateArrivalTimestamp"] >= t_a])):
        resp = e2e.raw_call(kinesis.meta.endpoint_url, "GetShardIterator", {
            "StreamName": name, "ShardId": shard, "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": round(ts, 3)})
        assert resp.status == 200, resp.body
        recs, _ = e2e.drain(kinesis, resp.json["ShardIterator"])
        assert [r["Data"] for r in recs] == expect, ts

    # LATEST: nothing already written, only what comes after.
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    r = kinesis.get_records(ShardIterator=latest)
    assert r["Records"] == []
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"after-latest")
    recs, _ = e2e.drain(kinesis, r["NextShardIterator"])
    assert [x["Data"] for x in recs] == [b"after-latest"]
    # The LATEST iterator taken before the put also sees it (it is a position, not a snapshot).
    recs, _ = e2e.drain(kinesis, latest)
    assert [x["Data"] for x in recs] == [b"after-latest"]
    # TRIM_HORIZON sees everything.
    assert first_data("TRIM_HORIZON")[0] == b"a0"


def test_next_iterator_never_regresses(kinesis, new_stream):
    name = new_stream(1)
    shard = "shardId-000000000000"
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kinesis.get_records(ShardIterator=it)
    assert r["Records"] == [] and r["NextShardIterator"] and r["MillisBehindLatest"] == 0
    it = r["NextShardIterator"]
    for i in range(7):
        kinesis.put_record(StreamName=name, PartitionKey="k", Data=f"r{i}".encode())
    seen = []
    for _ in range(20):
        r = kinesis.get_records(ShardIterator=it, Limit=2)
        assert len(r["Records"]) <= 2
        assert r.get("NextShardIterator"), "an open shard must always return NextShardIterator"
        seen += [x["Data"] for x in r["Records"]]
        it = r["NextShardIterator"]
        if len(seen) == 7:
            break
    assert seen == [f"r{i}".encode() for i in range(7)]
    # Caught up: empty pages, a fresh iterator each time, MillisBehindLatest 0, no repeats.
    for _ in range(3):
        r = kinesis.get_records(ShardIterator=it)
        assert r["Records"] == []
        assert r["MillisBehindLatest"] == 0
        assert r.get("NextShardIterator")
        it = r["NextShardIterator"]
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"r7")
    recs, it = e2e.drain(kinesis, it)
    assert [x["Data"] for x in recs] == [b"r7"]
    # An old iterator can be reused: it still points at its own position.
    recs, _ = e2e.drain(kinesis, kinesis.get_shard_iterator(
        StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"], limit=3)
    assert [x["Data"] for x in recs] == [f"r{i}".encode() for i in range(8)]


def test_get_records_limit_and_millis_behind(kinesis, new_stream):
    name = new_stream(1)
    res = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": str(i).encode()}
                                                        for i in range(50)])
    assert res["FailedRecordCount"] == 0
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kinesis.get_records(ShardIterator=it, Limit=10)
    assert [x["Data"] for x in r["Records"]] == [str(i).encode() for i in range(10)]
    assert r["MillisBehindLatest"] >= 0
    recs, _ = e2e.drain(kinesis, r["NextShardIterator"])
    assert [x["Data"] for x in recs] == [str(i).encode() for i in range(10, 50)]


def test_approximate_arrival_timestamp(kinesis, new_stream):
    name = new_stream(1)
    before = e2e.now_utc()
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"t")
    kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"u"}])
    after = e2e.now_utc()
    recs = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert len(recs) == 2
    for r in recs:
        ts = r["ApproximateArrivalTimestamp"]
        assert before - dt.timedelta(seconds=2) <= ts <= after + dt.timedelta(seconds=2), (before, ts, after)


def test_put_records_response_shape(kinesis, new_stream):
    name = new_stream(2)
    entries = [{"PartitionKey": f"p{i}", "Data": os.urandom(i)} for i in range(1, 101)]
    res = kinesis.put_records(StreamName=name, Records=entries)
    assert res["FailedRecordCount"] == 0
    assert len(res["Records"]) == 100
    for x in res["Records"]:
        assert SEQ_RE.fullmatch(x["SequenceNumber"])
        assert x["ShardId"] in ("shardId-000000000000", "shardId-000000000001")
        assert "ErrorCode" not in x
    got = {r["SequenceNumber"]: r["Data"] for recs in e2e.read_stream(kinesis, name).values() for r in recs}
    assert got == {x["SequenceNumber"]: e["Data"] for x, e in zip(res["Records"], entries)}


def test_empty_data_record(kinesis, new_stream):
    name = new_stream(1)
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"")
    recs = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert [r["Data"] for r in recs] == [b""]
