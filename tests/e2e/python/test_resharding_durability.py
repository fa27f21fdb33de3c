"""Resharding across crashes and restarts: kill -9 while UPDATING and right after a split,
and retention (with the server's clock moved forward) trimming records and closed shards.

These tests own their server processes."""

from __future__ import annotations

import random
import time

import pytest

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE

MID = HASH_SPACE // 2
HOUR_MS = 3600 * 1000


def sid(i: int) -> str:
    return f"shardId-{i:012d}"


def put_some(kinesis, name: str, tag: str, count: int, acked: dict):
    """One PutRecords call of `count` records over a few keys; acked[seq] = (shard, key, data)."""
    entries = [{"PartitionKey": f"pk-{i % 7}", "Data": f"{tag}-{i}".encode()} for i in range(count)]
    res = kinesis.put_records(StreamName=name, Records=entries)
    assert res["FailedRecordCount"] == 0
    for e, r in zip(entries, res["Records"]):
        acked[r["SequenceNumber"]] = (r["ShardId"], e["PartitionKey"], e["Data"])


def check_acked_served(kinesis, name: str, acked: dict) -> dict:
    """Reads every generation (parents before children); every acknowledged record is served
    exactly once, on the shard its put reported, with its data."""
    _, records = e2e.read_generations(kinesis, name)
    served = {}
    for shard_id, recs in records.items():
        for r in recs:
            assert r["SequenceNumber"] not in served, f"{r['SequenceNumber']} served twice"
            served[r["SequenceNumber"]] = (shard_id, r["PartitionKey"], r["Data"])
    missing = [s for s in acked if s not in served]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged records lost, e.g. {missing[:3]}"
    wrong = [s for s, v in acked.items() if served[s] != v]
    assert not wrong, f"{len(wrong)} records came back different, e.g. {[(s, served[s], acked[s]) for s in wrong[:3]]}"
    return served


def assert_split_state(shards: list, key: int):
    """The stream is fully split (parent 0 closed, children 1 and 2) or not split at all."""
    ids = [s["ShardId"] for s in shards]
    e2e.assert_open_coverage(shards)
    e2e.assert_lineage(shards, {sid(0)})
    if ids == [sid(0)]:
        assert e2e.is_open(shards[0]), "one shard, closed, and no children"
        return False
    assert ids == [sid(0), sid(1), sid(2)], f"half-made split: {shards}"
    p, a, b = shards
    assert not e2e.is_open(p) and e2e.is_open(a) and e2e.is_open(b), shards
    assert e2e.hash_range(a) == (0, key - 1) and e2e.hash_range(b) == (key, HASH_SPACE - 1)
    assert a["ParentShardId"] == sid(0) and b["ParentShardId"] == sid(0)
    return True


@pytest.mark.parametrize("update_ms,kill_window,rounds",
                         [(3000, None, 1), (300, (0.15, 0.5), 3)],
                         ids=["while-updating", "around-the-end-of-updating"])
def test_kill9_during_a_split_leaves_one_consistent_lineage(spawn, update_ms, kill_window, rounds):
    rng = random.Random(update_ms)
    outcomes = []
    for round_ in range(rounds):
        server = spawn("--update-stream-ms", str(update_ms))
        kinesis = e2e.client(server.endpoint)
        name = "split-crash"
        e2e.create_stream(kinesis, name, 1)
        acked = {}
        put_some(kinesis, name, "before", 40, acked)
        key = MID + rng.randrange(-(2**100), 2**100)

        t0 = time.monotonic()
        kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(key))
        put_some(kinesis, name, "updating", 10, acked)
        if kill_window is None:
            assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] \
                == "UPDATING"
            # Acknowledged while UPDATING: still on the parent.
            assert {v[0] for v in acked.values()} == {sid(0)}
        else:
            kill_at = t0 + rng.uniform(*kill_window)
            e2e.wait_until(lambda: time.monotonic() >= kill_at, 5, "the kill moment", interval=0.002)
        server.kill9()

        server = spawn(data_dir=server.data_dir)  # default --update-stream-ms 0
        kinesis = e2e.client(server.endpoint)
        e2e.wait_active(kinesis, name, timeout=30)
        shards = e2e.list_shards(kinesis, name)
        assert e2e.all_shards(kinesis, name) == shards
        split = assert_split_state(shards, key)
        outcomes.append(split)
        check_acked_served(kinesis, name, acked)

        if not split:
            kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(key))
            e2e.wait_active(kinesis, name)
            assert assert_split_state(e2e.list_shards(kinesis, name), key)
        # Writes after the restart land on the children, numbered after the parent's records.
        r = kinesis.put_record(StreamName=name, PartitionKey="after", Data=b"after", ExplicitHashKey=str(key))
        assert r["ShardId"] == sid(2)
        assert all(int(r["SequenceNumber"]) > int(s) for s in acked)
        acked[r["SequenceNumber"]] = (sid(2), "after", b"after")
        check_acked_served(kinesis, name, acked)
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        assert summary["OpenShardCount"] == 2
        server.stop()
    print(f"split survived the crash in {sum(outcomes)} of {len(outcomes)} rounds")


def test_kill9_right_after_a_split_keeps_it(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    name = "split-kept"
    e2e.create_stream(kinesis, name, 1)
    acked = {}
    put_some(kinesis, name, "parent", 30, acked)
    kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(MID))
    server.kill9()

    server = spawn(data_dir=server.data_dir)
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, name)
    assert assert_split_state(e2e.list_shards(kinesis, name), MID), "the acknowledged split was lost"
    put_some(kinesis, name, "children", 30, acked)
    assert {v[0] for s, v in acked.items() if v[2].startswith(b"children")} <= {sid(1), sid(2)}
    server.kill9()

    # Again after a crash: the children's records and the next free shard ids are kept.
    server = spawn(data_dir=server.data_dir)
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, name)
    check_acked_served(kinesis, name, acked)
    kinesis.split_shard(StreamName=name, ShardToSplit=sid(1), NewStartingHashKey=str(MID // 2))
    shards = e2e.list_shards(kinesis, name)
    assert [s["ShardId"] for s in shards] == [sid(i) for i in range(5)]
    assert shards[3]["ParentShardId"] == sid(1) and shards[4]["ParentShardId"] == sid(1)
    e2e.assert_open_coverage(shards)
    e2e.assert_lineage(shards, {sid(0)})
    server.stop()


def read_all(kinesis, name: str, shard_id: str = sid(0)) -> list:
    return [(r["SequenceNumber"], r["Data"]) for r in e2e.read_shard(kinesis, name, shard_id, timeout=20)]


def test_retention_decrease_trims_records_older_than_the_new_period(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    name = "retention"
    e2e.create_stream(kinesis, name, 1)
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    seqs = [kinesis.put_record(StreamName=name, PartitionKey="k", Data=f"old-{i}".encode())["SequenceNumber"]
            for i in range(10)]
    expected = [(s, f"old-{i}".encode()) for i, s in enumerate(seqs)]
    assert read_all(kinesis, name) == expected
    server.stop()

    # 25 hours later: within 48 h, the records are all there.
    server = spawn("--clock-offset-ms", str(25 * HOUR_MS), data_dir=server.data_dir)
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 48
    assert read_all(kinesis, name) == expected

    # Down to 24 h: they are now past retention.
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    e2e.wait_until(lambda: read_all(kinesis, name) == [], 20, "records past the new retention to be trimmed")
    new = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"new")
    assert int(new["SequenceNumber"]) > int(seqs[-1])
    assert read_all(kinesis, name) == [(new["SequenceNumber"], b"new")]
    server.stop()


def test_closed_parent_leaves_the_listing_after_retention(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    name = "lineage-retention"
    e2e.create_stream(kinesis, name, 1)
    acked = {}
    put_some(kinesis, name, "parent", 10, acked)
    kinesis.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(MID))
    put_some(kinesis, name, "children", 10, acked)
    assert [s["ShardId"] for s in e2e.list_shards(kinesis, name)] == [sid(0), sid(1), sid(2)]
    check_acked_served(kinesis, name, acked)
    server.stop()

    server = spawn("--clock-offset-ms", str(25 * HOUR_MS), data_dir=server.data_dir)
    kinesis = e2e.client(server.endpoint)
    e2e.wait_active(kinesis, name)

    def listings():
        return {
            "ListShards": [s["ShardId"] for s in e2e.list_shards(kinesis, name)],
            "AT_TRIM_HORIZON": [s["ShardId"] for s in e2e.list_shards(
                kinesis, name, ShardFilter={"Type": "AT_TRIM_HORIZON"})],
            "FROM_TRIM_HORIZON": [s["ShardId"] for s in e2e.list_shards(
                kinesis, name, ShardFilter={"Type": "FROM_TRIM_HORIZON"})],
            "DescribeStream": [s["ShardId"] for s in e2e.all_shards(kinesis, name)],
        }

    want = {k: [sid(1), sid(2)] for k in ("ListShards", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "DescribeStream")}
    e2e.wait_until(lambda: listings() == want, 20, f"the closed parent to leave the listings ({listings()})")
    shards = e2e.list_shards(kinesis, name)
    e2e.assert_open_coverage(shards)
    e2e.assert_lineage(shards, set(), parents_may_be_gone=True)
    assert all(s["ParentShardId"] == sid(0) for s in shards)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2
    # The children's records are past retention too; the children take new writes.
    assert read_all(kinesis, name, sid(1)) == [] and read_all(kinesis, name, sid(2)) == []
    r = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"later", ExplicitHashKey=str(MID))
    assert r["ShardId"] == sid(2)
    order, records = e2e.read_generations(kinesis, name)
    assert sorted(order) == [sid(1), sid(2)]
    assert [x["Data"] for x in records[sid(2)]] == [b"later"] and records[sid(1)] == []
    server.stop()
