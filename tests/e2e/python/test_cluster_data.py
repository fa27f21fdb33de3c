"""Cluster mode's data plane: every node answers every call. A put through any node lands on the
shard's leader, a read through any node comes from it, and an iterator one node issued works on
every node. With one replica per shard (--replication-factor 1) a killed node's shards are
unavailable (the retryable InternalFailure), never lost, and come back with it."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

import sluice_e2e as e2e
from test_cluster_membership import node_args, nodes_by_id

SETTLE_S = 15.0  # leaders assigned, a killed node seen down, a restarted one leading again


def three_nodes(etcd, spawn) -> list:
    return [spawn(*node_args(etcd, f"n{i}")) for i in (1, 2, 3)]


def leaders(etcd, name: str) -> dict:
    """shard id -> leading node id, for the shards that have a leader."""
    return {s["shard"]: s["leader"] for s in e2e.cluster_status(etcd.cluster_url)["shards"]
            if s["stream"] == name and s.get("leader")}


def stream_with_leaders(etcd, clients, shards: int) -> tuple:
    name = e2e.unique_name("data")
    clients[0].create_stream(StreamName=name, ShardCount=shards)
    for k in clients:
        e2e.wait_active(k, name, timeout=SETTLE_S)
    e2e.wait_until(lambda: len(leaders(etcd, name)) == shards, SETTLE_S, f"a leader for each shard of {name}")
    starts = {s["ShardId"]: s["HashKeyRange"]["StartingHashKey"] for s in e2e.list_shards(clients[0], name)}
    return name, starts


def put_until_accepted(kinesis, name: str, hash_key: str, data: bytes, timeout: float = SETTLE_S) -> dict:
    """PutRecord, retried while the cluster answers the retryable InternalFailure (a leader moving)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return kinesis.put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=hash_key, Data=data)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "InternalFailure" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def read_through(first, then, name: str, shard_id: str) -> list:
    """Records of a shard, the iterator taken through `first` and read through `then`."""
    iterator = first.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    while iterator:
        page = then.get_records(ShardIterator=iterator, Limit=100)
        out += [(r["SequenceNumber"], r["Data"]) for r in page["Records"]]
        if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
            break
        iterator = page.get("NextShardIterator")
    return out


def test_every_node_takes_puts_and_reads_for_every_shard_and_iterators_work_on_any_node(etcd, spawn):
    clients = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name, starts = stream_with_leaders(etcd, clients, shards=6)
    assert set(leaders(etcd, name).values()) == {"n1", "n2", "n3"}, "the controller spreads leaders over the nodes"

    written = {shard: [] for shard in starts}
    for round_ in range(2):
        for i, k in enumerate(clients):
            for shard, start in starts.items():
                data = f"{shard}/{round_}/{i}".encode()
                acked = put_until_accepted(k, name, start, data)
                assert acked["ShardId"] == shard
                written[shard].append((acked["SequenceNumber"], data))

    for shard, records in written.items():
        # Acknowledged in order, numbered in order: a shard's leader numbers its records.
        numbers = [s for s, _ in records]
        assert numbers == sorted(numbers, key=int) and len(set(numbers)) == len(numbers)
        for first, then in ((clients[0], clients[1]), (clients[1], clients[2]), (clients[2], clients[0])):
            assert read_through(first, then, name, shard) == records, f"{shard} read through two nodes"


def test_a_put_records_across_every_leader_through_any_node_answers_each_record_in_order(etcd, spawn):
    clients = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name, starts = stream_with_leaders(etcd, clients, shards=6)
    shards = sorted(starts)
    written = {shard: [] for shard in shards}
    for i, k in enumerate(clients):
        # Every shard twice, interleaved, so each leader's records are split around the others'.
        entries = [(shard, f"{i}/{n}/{shard}".encode()) for n in range(2) for shard in shards]
        deadline = time.monotonic() + SETTLE_S
        while True:
            out = k.put_records(StreamName=name, Records=[
                {"PartitionKey": "k", "ExplicitHashKey": starts[shard], "Data": data} for shard, data in entries])
            if out["FailedRecordCount"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # a leader still settling: the whole batch again, as a producer would retry
        assert out["FailedRecordCount"] == 0, out["Records"]
        for (shard, data), result in zip(entries, out["Records"]):
            assert result["ShardId"] == shard
            written[shard].append((result["SequenceNumber"], data))
    for shard in shards:
        got = read_through(clients[2], clients[0], name, shard)
        for acked in written[shard]:
            assert acked in got, f"{shard}: an acknowledged record is read back with its sequence number"
        places = [got.index(acked) for acked in written[shard]]
        assert places == sorted(places), f"{shard}: in the order they were acknowledged"


def test_a_killed_nodes_shards_are_unavailable_not_lost_and_come_back_with_it(etcd, spawn):
    servers = [spawn(*node_args(etcd, f"n{i}"), "--replication-factor", "1", "--min-insync-replicas", "1")
               for i in (1, 2, 3)]
    clients = [e2e.client(s.endpoint) for s in servers]
    name, starts = stream_with_leaders(etcd, clients, shards=3)
    led = leaders(etcd, name)
    shard, victim = next(iter(sorted(led.items())))
    survivor = next(k for k, node in zip(clients, ("n1", "n2", "n3")) if node != victim)
    before = [put_until_accepted(survivor, name, starts[shard], f"before-{i}".encode())["SequenceNumber"]
              for i in range(5)]

    servers[int(victim[1:]) - 1].kill9()

    def refused() -> bool:
        try:
            survivor.put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=starts[shard], Data=b"x")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "InternalFailure", exc.response
            return True
        return False

    e2e.wait_until(refused, SETTLE_S, f"puts to {shard} refused while its only replica is down")
    others = [s for s in starts if s != shard]
    for other in others:
        assert put_until_accepted(survivor, name, starts[other], b"meanwhile")["ShardId"] == other

    # Its registration must have expired before it can register again.
    e2e.wait_until(lambda: not nodes_by_id(etcd)[victim]["alive"], SETTLE_S, f"{victim} seen down")
    servers[int(victim[1:]) - 1].restart()
    after = put_until_accepted(survivor, name, starts[shard], b"after")["SequenceNumber"]
    records = read_through(survivor, survivor, name, shard)
    sequence_numbers = [s for s, _ in records]
    for acked in before + [after]:
        assert acked in sequence_numbers, "an acknowledged record is read back after its node's return"
    assert sequence_numbers == sorted(sequence_numbers, key=int)
    assert len(set(sequence_numbers)) == len(sequence_numbers)
