"""Resharding through boto3: SplitShard, MergeShards, UpdateShardCount, lineage and ChildShards,
reading every generation back, the service's errors, UPDATING, stream modes, the maximum record
size and the account's shard limits."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE, requires_sluice

# kinesalite lacks UpdateShardCount, ChildShards, closed-shard checks, stream modes and limits.
pytestmark = requires_sluice("resharding as the service does it now")

MID = HASH_SPACE // 2


def sid(i: int) -> str:
    return f"shardId-{i:012d}"


def error_code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def expect_error(code: str, call, *args, **kw) -> ClientError:
    with pytest.raises(ClientError) as ei:
        call(*args, **kw)
    assert error_code(ei.value) == code, ei.value.response["Error"]
    return ei.value


def summary(kinesis, name: str) -> dict:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def arn_of(kinesis, name: str) -> str:
    return summary(kinesis, name)["StreamARN"]


def by_id(shards: list) -> dict:
    return {s["ShardId"]: s for s in shards}


def check_listing(kinesis, name: str, initial: set) -> list:
    """ListShards and DescribeStream agree; open shards tile the key space; lineage is valid;
    DescribeStreamSummary counts the open shards. Returns the listing."""
    shards = e2e.list_shards(kinesis, name)
    assert [s["ShardId"] for s in shards] == sorted(s["ShardId"] for s in shards), "ListShards not in id order"
    assert e2e.all_shards(kinesis, name) == shards, "DescribeStream and ListShards disagree"
    e2e.assert_open_coverage(shards)
    e2e.assert_lineage(shards, initial)
    s = summary(kinesis, name)
    assert s["StreamStatus"] == "ACTIVE"
    assert s["OpenShardCount"] == sum(1 for x in shards if e2e.is_open(x))
    return shards


def owner(shards: list, partition_key: str) -> str:
    """The open shard whose hash range holds the partition key's MD5."""
    h = e2e.partition_hash(partition_key)
    found = [s["ShardId"] for s in shards if e2e.is_open(s) and e2e.hash_range(s)[0] <= h <= e2e.hash_range(s)[1]]
    assert len(found) == 1, (partition_key, found)
    return found[0]


# ---------------------------------------------------------------------------------------------
# a. Every generation read back


KEYS = [f"user-{i}" for i in range(16)]


def put_generation(kinesis, name: str, tag: str, acked: list):
    """Two records per key (one PutRecord, one through PutRecords); each must land on the open
    shard that owns the key's hash. Appends (seq, key, data, shard) to acked."""
    shards = e2e.list_shards(kinesis, name)
    for k in KEYS:
        data = f"{tag}:{k}:single".encode()
        r = kinesis.put_record(StreamName=name, PartitionKey=k, Data=data)
        assert r["ShardId"] == owner(shards, k), f"{k} routed to {r['ShardId']}"
        acked.append((r["SequenceNumber"], k, data, r["ShardId"]))
    entries = [{"PartitionKey": k, "Data": f"{tag}:{k}:batch".encode()} for k in KEYS]
    res = kinesis.put_records(StreamName=name, Records=entries)
    assert res["FailedRecordCount"] == 0
    for e, r in zip(entries, res["Records"]):
        assert r["ShardId"] == owner(shards, e["PartitionKey"])
        acked.append((r["SequenceNumber"], e["PartitionKey"], e["Data"], r["ShardId"]))


def test_split_merge_update_shard_count_every_record_read_back_in_lineage_order(kinesis, new_stream):
    name = new_stream(1)
    initial = {sid(0)}
    acked = []
    check_listing(kinesis, name, initial)
    put_generation(kinesis, name, "g0", acked)

    # Split at the midpoint: the parent closes, two children take the next ids.
    out = kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(MID))
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    shards = by_id(check_listing(kinesis, name, initial))
    assert set(shards) == {sid(0), sid(1), sid(2)}
    assert not e2e.is_open(shards[sid(0)])
    assert e2e.hash_range(shards[sid(1)]) == (0, MID - 1)
    assert e2e.hash_range(shards[sid(2)]) == (MID, HASH_SPACE - 1)
    for c in (sid(1), sid(2)):
        assert shards[c]["ParentShardId"] == sid(0) and "AdjacentParentShardId" not in shards[c]
        assert e2e.is_open(shards[c])
    put_generation(kinesis, name, "g1", acked)

    # Merge the two children back: one child with the union, both parents named.
    kinesis.merge_shards(StreamName=name, ShardToMerge=sid(1), AdjacentShardToMerge=sid(2))
    shards = by_id(check_listing(kinesis, name, initial))
    assert set(shards) == {sid(i) for i in range(4)}
    assert [k for k, s in shards.items() if e2e.is_open(s)] == [sid(3)]
    assert e2e.hash_range(shards[sid(3)]) == (0, HASH_SPACE - 1)
    assert shards[sid(3)]["ParentShardId"] == sid(1)
    assert shards[sid(3)]["AdjacentParentShardId"] == sid(2)
    put_generation(kinesis, name, "g2", acked)

    # UpdateShardCount: 1 -> 3 is more than double, then 1 -> 2 -> 3 -> 2.
    expect_error("LimitExceededException", kinesis.update_shard_count,
                 StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert summary(kinesis, name)["OpenShardCount"] == 1
    current = 1
    for gen, target in enumerate((2, 3, 2), start=3):
        out = kinesis.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        assert out["StreamName"] == name
        assert out["StreamARN"] == arn_of(kinesis, name)
        assert out["CurrentShardCount"] == current
        assert out["TargetShardCount"] == target
        listing = check_listing(kinesis, name, initial)
        assert e2e.assert_open_coverage(listing) == e2e.uniform_ranges(target), f"after UpdateShardCount {target}"
        current = target
        put_generation(kinesis, name, f"g{gen}", acked)

    order, records = e2e.read_generations(kinesis, name)
    listing = by_id(e2e.list_shards(kinesis, name))

    # Every acknowledged record exactly once, on the shard the put reported.
    served = {}
    for shard_id, recs in records.items():
        for r in recs:
            assert r["SequenceNumber"] not in served, f"{r['SequenceNumber']} served twice"
            served[r["SequenceNumber"]] = (r["PartitionKey"], r["Data"], shard_id)
    expected = {seq: (k, data, shard) for seq, k, data, shard in acked}
    assert len(expected) == len(acked) == 6 * 2 * len(KEYS)
    assert served == expected

    # Per key, reading parents before children gives the order of the puts.
    for k in KEYS:
        read = [r["Data"] for s in order for r in records[s] if r["PartitionKey"] == k]
        assert read == [data for _, kk, data, _ in acked if kk == k], f"order of {k}"

    # Records lie inside their shard's sequence range; children's after their parents'.
    for shard_id, recs in records.items():
        rng = listing[shard_id]["SequenceNumberRange"]
        for r in recs:
            assert int(r["SequenceNumber"]) >= int(rng["StartingSequenceNumber"])
            if "EndingSequenceNumber" in rng:
                assert int(r["SequenceNumber"]) <= int(rng["EndingSequenceNumber"])
        s = listing[shard_id]
        for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")):
            if p and records[p] and recs:
                assert int(recs[0]["SequenceNumber"]) > int(records[p][-1]["SequenceNumber"]), \
                    f"{shard_id} has sequence numbers below its parent {p}'s"
    assert order.index(sid(0)) < order.index(sid(1)) < order.index(sid(3))
    assert order.index(sid(2)) < order.index(sid(3))


# ---------------------------------------------------------------------------------------------
# b. Errors


def test_split_errors(kinesis, new_stream, account):
    name = new_stream(2)
    lo0, hi0 = 0, MID - 1  # shard 0 of a 2-shard stream
    # At the parent's first key (child A would be empty), or outside its range.
    for key in (lo0, hi0 + 1, HASH_SPACE - 1):
        expect_error("InvalidArgumentException", kinesis.split_shard,
                     StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(key))
    # Unknown shard, unknown stream.
    expect_error("ResourceNotFoundException", kinesis.split_shard,
                 StreamName=name, ShardToSplit=sid(99), NewStartingHashKey="12345")
    expect_error("ResourceNotFoundException", kinesis.split_shard,
                 StreamName=e2e.unique_name("missing"), ShardToSplit=sid(0), NewStartingHashKey="12345")
    # Nothing changed.
    assert [s["ShardId"] for s in check_listing(kinesis, name, {sid(0), sid(1)})] == [sid(0), sid(1)]

    kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(hi0 // 2))
    err = expect_error("InvalidArgumentException", kinesis.split_shard,
                       StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(hi0 // 4))
    assert err.response["Error"]["Message"] == (
        f"Shard {sid(0)} in stream {name} under account {account} has already been merged or split, "
        "and thus is not eligible for merging or splitting.")
    shards = by_id(check_listing(kinesis, name, {sid(0), sid(1)}))
    assert set(shards) == {sid(i) for i in range(4)}
    assert e2e.hash_range(shards[sid(2)]) == (0, hi0 // 2 - 1)
    assert e2e.hash_range(shards[sid(3)]) == (hi0 // 2, hi0)


def test_merge_errors(kinesis, new_stream):
    name = new_stream(3)
    initial = {sid(0), sid(1), sid(2)}
    # Not adjacent.
    expect_error("InvalidArgumentException", kinesis.merge_shards,
                 StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(2))
    # Unknown shard.
    expect_error("ResourceNotFoundException", kinesis.merge_shards,
                 StreamName=name, ShardToMerge=sid(2), AdjacentShardToMerge=sid(77))
    assert summary(kinesis, name)["OpenShardCount"] == 3

    kinesis.merge_shards(StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
    shards = by_id(check_listing(kinesis, name, initial))
    assert e2e.hash_range(shards[sid(3)]) == (0, e2e.hash_range(shards[sid(1)])[1])
    # A closed shard, even next to an open one whose range it touched.
    expect_error("InvalidArgumentException", kinesis.merge_shards,
                 StreamName=name, ShardToMerge=sid(1), AdjacentShardToMerge=sid(2))
    expect_error("InvalidArgumentException", kinesis.merge_shards,
                 StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
    # The new child and the remaining original are adjacent and open: this works.
    kinesis.merge_shards(StreamName=name, ShardToMerge=sid(3), AdjacentShardToMerge=sid(2))
    shards = by_id(check_listing(kinesis, name, initial))
    assert [k for k, s in shards.items() if e2e.is_open(s)] == [sid(4)]
    assert shards[sid(4)]["ParentShardId"] == sid(3) and shards[sid(4)]["AdjacentParentShardId"] == sid(2)


def test_update_shard_count_limits(kinesis, new_stream):
    name = new_stream(4)
    for target in (9, 20, 1):  # above double, far above, below half
        expect_error("LimitExceededException", kinesis.update_shard_count,
                     StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    assert [s["ShardId"] for s in check_listing(kinesis, name, {sid(i) for i in range(4)})] == \
        [sid(i) for i in range(4)]
    # The edges are allowed: double, then half of that.
    kinesis.update_shard_count(StreamName=name, TargetShardCount=8, ScalingType="UNIFORM_SCALING")
    listing = check_listing(kinesis, name, {sid(i) for i in range(4)})
    assert e2e.assert_open_coverage(listing) == e2e.uniform_ranges(8)
    out = kinesis.update_shard_count(StreamARN=arn_of(kinesis, name), TargetShardCount=4,
                                     ScalingType="UNIFORM_SCALING")
    assert (out["StreamName"], out["CurrentShardCount"], out["TargetShardCount"]) == (name, 8, 4)
    listing = check_listing(kinesis, name, {sid(i) for i in range(4)})
    assert e2e.assert_open_coverage(listing) == e2e.uniform_ranges(4)
    # The 4 originals and the 8 (half as wide as any open shard now) are all closed.
    assert sum(1 for s in listing if not e2e.is_open(s)) >= 4 + 8


def test_updating_refuses_other_resharding_and_keeps_writes_on_old_shards(spawn):
    server = spawn("--update-stream-ms", "2000")
    kinesis = e2e.client(server.endpoint)
    name = "updating"
    e2e.create_stream(kinesis, name, 2)
    lo0, hi0 = e2e.hash_range(e2e.list_shards(kinesis, name)[0])
    key = (lo0 + hi0 + 1) // 2

    t0 = time.monotonic()
    kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(key))
    assert summary(kinesis, name)["StreamStatus"] == "UPDATING"
    expect_error("ResourceInUseException", kinesis.split_shard,
                 StreamName=name, ShardToSplit=sid(1), NewStartingHashKey=str(MID + 1000))
    expect_error("ResourceInUseException", kinesis.merge_shards,
                 StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
    expect_error("ResourceInUseException", kinesis.update_shard_count,
                 StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    # Writes go on, to the shards as they were.
    during = kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"during", ExplicitHashKey="0")
    assert during["ShardId"] == sid(0)
    shards = e2e.list_shards(kinesis, name)
    assert [s["ShardId"] for s in shards] == [sid(0), sid(1)] and all(e2e.is_open(s) for s in shards)
    assert summary(kinesis, name)["StreamStatus"] == "UPDATING", "the checks above took longer than the update"

    e2e.wait_active(kinesis, name, timeout=30)
    assert time.monotonic() - t0 >= 1.9, "UPDATING ended before --update-stream-ms"
    shards = by_id(check_listing(kinesis, name, {sid(0), sid(1)}))
    assert set(shards) == {sid(i) for i in range(4)}
    assert e2e.hash_range(shards[sid(2)]) == (lo0, key - 1)
    assert e2e.hash_range(shards[sid(3)]) == (key, hi0)
    after = kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"after", ExplicitHashKey="0")
    assert after["ShardId"] == sid(2)
    assert int(after["SequenceNumber"]) > int(during["SequenceNumber"])
    order, records = e2e.read_generations(kinesis, name)
    assert [r["Data"] for r in records[sid(0)]] == [b"during"]
    assert [r["Data"] for r in records[sid(2)]] == [b"after"]

    # UpdateShardCount also waits out UPDATING before the new shards appear.
    t0 = time.monotonic()
    out = kinesis.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (3, 4)
    assert summary(kinesis, name)["StreamStatus"] == "UPDATING"
    assert sorted(s["ShardId"] for s in e2e.list_shards(kinesis, name, ShardFilter={"Type": "AT_LATEST"})) == \
        [sid(1), sid(2), sid(3)]
    e2e.wait_active(kinesis, name, timeout=30)
    assert time.monotonic() - t0 >= 1.9
    listing = check_listing(kinesis, name, {sid(0), sid(1)})
    assert e2e.assert_open_coverage(listing) == e2e.uniform_ranges(4)
    server.stop()


def create_on_demand(kinesis, name: str):
    kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    e2e.wait_active(kinesis, name)


def test_on_demand_stream_refuses_resharding(kinesis):
    name = e2e.unique_name("ondemand")
    create_on_demand(kinesis, name)
    try:
        s = summary(kinesis, name)
        assert s["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
        shards = e2e.list_shards(kinesis, name)
        e2e.assert_open_coverage(shards)
        ordered = sorted(shards, key=lambda x: e2e.hash_range(x)[0])
        lo, hi = e2e.hash_range(ordered[0])
        expect_error("ValidationException", kinesis.split_shard, StreamName=name,
                     ShardToSplit=ordered[0]["ShardId"], NewStartingHashKey=str((lo + hi + 1) // 2))
        if len(ordered) > 1:
            expect_error("ValidationException", kinesis.merge_shards, StreamName=name,
                         ShardToMerge=ordered[0]["ShardId"], AdjacentShardToMerge=ordered[1]["ShardId"])
        expect_error("ValidationException", kinesis.update_shard_count, StreamName=name,
                     TargetShardCount=len(ordered) + 1, ScalingType="UNIFORM_SCALING")
        assert e2e.list_shards(kinesis, name) == shards
        # Records still flow.
        r = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"on-demand")
        assert e2e.read_shard(kinesis, name, r["ShardId"])[-1]["Data"] == b"on-demand"
    finally:
        kinesis.delete_stream(StreamName=name)


def test_update_stream_mode_round_trip(kinesis, new_stream):
    name = new_stream(2)
    arn = arn_of(kinesis, name)
    assert summary(kinesis, name)["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}

    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    s = e2e.wait_active(kinesis, name)
    assert s["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    expect_error("ValidationException", kinesis.update_shard_count, StreamName=name,
                 TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    expect_error("ValidationException", kinesis.split_shard, StreamARN=arn,
                 ShardToSplit=sid(0), NewStartingHashKey=str(MID // 2))

    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    s = e2e.wait_active(kinesis, name)
    assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    open_before = [x for x in e2e.list_shards(kinesis, name) if e2e.is_open(x)]
    first = min(open_before, key=lambda x: e2e.hash_range(x)[0])
    lo, hi = e2e.hash_range(first)
    kinesis.split_shard(StreamARN=arn, ShardToSplit=first["ShardId"], NewStartingHashKey=str((lo + hi + 1) // 2))
    after = e2e.list_shards(kinesis, name)
    e2e.assert_open_coverage(after)
    assert sum(1 for x in after if e2e.is_open(x)) == len(open_before) + 1
    assert summary(kinesis, name)["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_update_max_record_size_round_trip(kinesis, new_stream, endpoint):
    name = new_stream(1)
    arn = arn_of(kinesis, name)
    assert summary(kinesis, name)["MaxRecordSizeInKiB"] == 1024
    mib = 1024 * 1024

    # Data plus partition key count against the limit.
    ok = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"a" * (mib - 1))
    with pytest.raises(ClientError) as ei:
        kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"b" * mib)
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_code(ei.value) in ("InvalidArgumentException", "ValidationException")

    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=3072)
    assert e2e.wait_active(kinesis, name)["MaxRecordSizeInKiB"] == 3072
    big = bytes(range(256)) * (2 * mib // 256)
    put = kinesis.put_record(StreamName=name, PartitionKey="big", Data=big)
    assert int(put["SequenceNumber"]) > int(ok["SequenceNumber"])
    with pytest.raises(ClientError) as ei:
        kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"c" * (3 * mib))
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    recs = e2e.read_shard(kinesis, name, sid(0))
    assert [r["SequenceNumber"] for r in recs] == [ok["SequenceNumber"], put["SequenceNumber"]]
    assert recs[1]["Data"] == big and recs[1]["PartitionKey"] == "big"

    # Outside 1024..10240 KiB (sent raw: botocore would refuse the low one itself).
    for size in (1023, 10241, 0):
        r = e2e.raw_call(endpoint.url, "UpdateMaxRecordSize", {"StreamARN": arn, "MaxRecordSizeInKiB": size})
        assert (r.status, r.error_type) == (400, "ValidationException"), (size, r.status, r.body[:300])
    assert summary(kinesis, name)["MaxRecordSizeInKiB"] == 3072
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=1024)
    assert e2e.wait_active(kinesis, name)["MaxRecordSizeInKiB"] == 1024
    with pytest.raises(ClientError) as ei:
        kinesis.put_record(StreamName=name, PartitionKey="big", Data=big)
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_account_shard_limits(spawn):
    server = spawn("--shard-limit", "5")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "a", 3)
    expect_error("LimitExceededException", kinesis.create_stream, StreamName="b", ShardCount=3)
    e2e.create_stream(kinesis, "b", 2)  # 5 open shards: at the limit
    expect_error("LimitExceededException", kinesis.split_shard,
                 StreamName="a", ShardToSplit=sid(0), NewStartingHashKey="1000")
    expect_error("LimitExceededException", kinesis.update_shard_count,
                 StreamName="b", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert summary(kinesis, "a")["OpenShardCount"] == 3 and summary(kinesis, "b")["OpenShardCount"] == 2
    # Only open shards count: a merge frees one for a split.
    kinesis.merge_shards(StreamName="a", ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
    kinesis.split_shard(StreamName="b", ShardToSplit=sid(0), NewStartingHashKey="1000")
    check_listing(kinesis, "a", {sid(0), sid(1), sid(2)})
    check_listing(kinesis, "b", {sid(0), sid(1)})
    expect_error("LimitExceededException", kinesis.split_shard,
                 StreamName="a", ShardToSplit=sid(3), NewStartingHashKey="1000")
    server.stop()

    server = spawn(env={"SLUICE_SHARD_LIMIT": "2", "SLUICE_ON_DEMAND_STREAM_LIMIT": "1"})
    kinesis = e2e.client(server.endpoint)
    expect_error("LimitExceededException", kinesis.create_stream, StreamName="three", ShardCount=3)
    server.stop()

    server = spawn("--on-demand-stream-limit", "1")
    kinesis = e2e.client(server.endpoint)
    create_on_demand(kinesis, "od1")
    expect_error("LimitExceededException", kinesis.create_stream, StreamName="od2",
                 StreamModeDetails={"StreamMode": "ON_DEMAND"})
    e2e.create_stream(kinesis, "prov", 1)  # provisioned streams are not capped by it
    arn = arn_of(kinesis, "prov")
    expect_error("LimitExceededException", kinesis.update_stream_mode, StreamARN=arn,
                 StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert summary(kinesis, "prov")["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    kinesis.delete_stream(StreamName="od1")
    e2e.wait_gone(kinesis, "od1")
    create_on_demand(kinesis, "od2")
    server.stop()


# ---------------------------------------------------------------------------------------------
# c. Two resharding calls at once


def test_concurrent_splits_exactly_one_wins(spawn):
    server = spawn("--update-stream-ms", "500")
    name = "race"
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, name, 4)
    initial = {sid(i) for i in range(4)}
    clients = [e2e.client(server.endpoint) for _ in range(2)]
    for round_ in range(3):
        open_shards = sorted((s for s in e2e.list_shards(kinesis, name) if e2e.is_open(s)),
                             key=lambda s: e2e.hash_range(s)[0])
        targets = [open_shards[0], open_shards[-1]]
        barrier = threading.Barrier(2)
        results = [None, None]

        def split(i):
            lo, hi = e2e.hash_range(targets[i])
            barrier.wait(10)
            try:
                clients[i].split_shard(StreamName=name, ShardToSplit=targets[i]["ShardId"],
                                       NewStartingHashKey=str((lo + hi + 1) // 2))
                results[i] = "ok"
            except ClientError as exc:
                results[i] = error_code(exc)

        threads = [threading.Thread(target=split, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
            assert not t.is_alive()
        assert sorted(results) == ["ResourceInUseException", "ok"], f"round {round_}: {results}"
        e2e.wait_active(kinesis, name, timeout=30)
        listing = by_id(check_listing(kinesis, name, initial))
        winner, loser = (targets[0], targets[1]) if results[0] == "ok" else (targets[1], targets[0])
        assert not e2e.is_open(listing[winner["ShardId"]])
        assert e2e.is_open(listing[loser["ShardId"]])
        assert len(listing) == 4 + 2 * (round_ + 1)
        assert sum(1 for s in listing.values() if e2e.is_open(s)) == 4 + round_ + 1
    server.stop()


# ---------------------------------------------------------------------------------------------
# d. The end of a closed shard


def test_get_records_at_the_end_of_a_closed_shard(kinesis, new_stream):
    name = new_stream(1)
    seqs = [kinesis.put_record(StreamName=name, PartitionKey=f"k{i}", Data=f"r{i}".encode())["SequenceNumber"]
            for i in range(4)]
    kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(MID))
    child = kinesis.put_record(StreamName=name, PartitionKey="k0", Data=b"child")
    assert child["ShardId"] in (sid(1), sid(2))
    assert int(child["SequenceNumber"]) > int(seqs[-1])
    expected_children = sorted([
        {"ShardId": sid(1), "ParentShards": [sid(0)],
         "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(MID - 1)}},
        {"ShardId": sid(2), "ParentShards": [sid(0)],
         "HashKeyRange": {"StartingHashKey": str(MID), "EndingHashKey": str(HASH_SPACE - 1)}},
    ], key=lambda c: c["ShardId"])

    it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid(0), ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kinesis.get_records(ShardIterator=it, Limit=1)
    assert [x["SequenceNumber"] for x in r["Records"]] == seqs[:1]
    assert r.get("NextShardIterator"), "mid-shard response without NextShardIterator"
    e2e.assert_no_child_shards(r)
    got = list(r["Records"])
    for _ in range(20):
        if not r.get("NextShardIterator"):
            break
        r = kinesis.get_records(ShardIterator=r["NextShardIterator"], Limit=1)
        got += r["Records"]
        if r.get("NextShardIterator"):
            e2e.assert_no_child_shards(r)
    assert not r.get("NextShardIterator"), "closed shard never reached its end"
    assert [x["SequenceNumber"] for x in got] == seqs
    assert sorted(r["ChildShards"], key=lambda c: c["ShardId"]) == expected_children

    # From just after the last record: straight to the end.
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid(0), ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                    StartingSequenceNumber=seqs[-1])["ShardIterator"]
    r = kinesis.get_records(ShardIterator=it)
    assert r["Records"] == [] and not r.get("NextShardIterator")
    assert sorted(r["ChildShards"], key=lambda c: c["ShardId"]) == expected_children

    # The open child: NextShardIterator, no ChildShards.
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=child["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kinesis.get_records(ShardIterator=it)
    assert [x["Data"] for x in r["Records"]] == [b"child"]
    assert r.get("NextShardIterator")
    e2e.assert_no_child_shards(r)


def test_list_shards_filters_and_describe_stream_after_resharding(kinesis, new_stream):
    name = new_stream(2)
    arn = arn_of(kinesis, name)
    kinesis.split_shard(StreamARN=arn, ShardToSplit=sid(0), NewStartingHashKey=str(MID // 2))
    kinesis.merge_shards(StreamARN=arn, ShardToMerge=sid(3), AdjacentShardToMerge=sid(1))
    every = [sid(i) for i in range(5)]

    def ids(**flt):
        return [s["ShardId"] for s in e2e.list_shards(kinesis, name, ShardFilter=flt)]

    assert [s["ShardId"] for s in e2e.list_shards(kinesis, name)] == every
    assert ids(Type="AT_LATEST") == [sid(2), sid(4)]
    # AT_TRIM_HORIZON: the shards open at the trim horizon (before any resharding here);
    # FROM_TRIM_HORIZON: every shard within retention.
    assert ids(Type="AT_TRIM_HORIZON") == [sid(0), sid(1)]
    assert ids(Type="FROM_TRIM_HORIZON") == every
    assert ids(Type="AFTER_SHARD_ID", ShardId=sid(2)) == every[3:]
    latest = kinesis.list_shards(StreamARN=arn, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert all(e2e.is_open(s) for s in latest)
    e2e.assert_open_coverage(latest)

    d = kinesis.describe_stream(StreamARN=arn)["StreamDescription"]
    shards = by_id(d["Shards"])
    assert list(shards) == every
    assert shards[sid(2)]["ParentShardId"] == sid(0) and shards[sid(3)]["ParentShardId"] == sid(0)
    assert shards[sid(4)]["ParentShardId"] == sid(3) and shards[sid(4)]["AdjacentParentShardId"] == sid(1)
    assert e2e.hash_range(shards[sid(4)]) == (MID // 2, HASH_SPACE - 1)
    assert d["Shards"] == e2e.list_shards(kinesis, name)
    e2e.assert_lineage(d["Shards"], {sid(0), sid(1)})
    assert summary(kinesis, name)["OpenShardCount"] == 2
