"""--min-insync-replicas is honoured: with it at 3 on three nodes, a shard that has lost a follower
refuses puts with the retryable InternalFailure (per record in PutRecords, the call's error in
PutRecord) rather than acknowledging them on two copies, until the follower returns and rejoins the
in-sync set; the refused records are never written."""

from __future__ import annotations

from botocore.exceptions import ClientError

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, fully_in_sync, shard_states, start_nodes, stream_in_sync
from test_cluster_data import read_through


def put_record(kinesis, name: str, data: bytes):
    """The PutRecord's answer, or the error code it failed with."""
    try:
        return kinesis.put_record(StreamName=name, PartitionKey="k", Data=data)
    except ClientError as exc:
        return exc.response["Error"]["Code"]


def put_records(kinesis, name: str, data: bytes) -> dict:
    return kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": data}])


def test_with_min_insync_3_a_shard_missing_a_follower_refuses_puts_until_it_rejoins(etcd, spawn):
    servers = start_nodes(etcd, spawn, "--min-insync-replicas", "3")
    clients = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name, _ = stream_in_sync(etcd, clients, "mininsync", 1)
    first = put_record(clients["n1"], name, b"before")
    assert isinstance(first, dict), first
    accepted = [b"before"]

    shard = shard_states(etcd, name)[0]
    leader = shard["leader"]
    follower = next(n for n in shard["replicas"] if n != leader)
    survivors = [n for n in ("n1", "n2", "n3") if n != follower]
    servers[follower].kill9()
    e2e.wait_until(lambda: follower not in shard_states(etcd, name)[0]["isr"], SETTLE_S,
                   f"{follower} out of the in-sync set")
    assert len(shard_states(etcd, name)[0]["isr"]) == 2
    # The leader learns the smaller set through etcd's watch. A put it appended before that fails
    # too (its wait for the lost follower ends with the set's change) but stays in its log, and is
    # committed once the set is whole again, as Kafka's NotEnoughReplicasAfterAppend: a failed put
    # is not acknowledged, and may still be there. Once a put has failed, the leader knows, and
    # refuses every put before it writes anything.
    probes = iter(range(1000))
    e2e.wait_until(lambda: put_record(clients[leader], name, f"probe-{next(probes)}".encode()) == "InternalFailure",
                   SETTLE_S, "a put refused by the leader")

    refused = []
    for n in survivors:  # through the leader and through the other node
        data = f"refused-put-record-{n}".encode()
        assert put_record(clients[n], name, data) == "InternalFailure"
        refused.append(data)
        data = f"refused-put-records-{n}".encode()
        out = put_records(clients[n], name, data)
        assert out["FailedRecordCount"] == 1, out
        assert out["Records"][0]["ErrorCode"] == "InternalFailure", out
        assert "SequenceNumber" not in out["Records"][0], out
        refused.append(data)

    servers[follower].restart()
    e2e.wait_until(lambda: fully_in_sync(etcd, name, 1), SETTLE_S, f"{follower} back in the in-sync set")
    # The leader learns the in-sync set from etcd's watch, a moment after the status shows it.
    attempts = []

    def accepted_once_whole():
        attempts.append(f"after-attempt-{len(attempts)}".encode())
        return isinstance(put_record(clients[leader], name, attempts[-1]), dict)

    e2e.wait_until(accepted_once_whole, SETTLE_S, "a put accepted once the in-sync set is whole")
    accepted.append(attempts[-1])
    for n in survivors:
        out = put_record(clients[n], name, f"after-{n}".encode())
        assert isinstance(out, dict), out
        batch = put_records(clients[n], name, f"after-batch-{n}".encode())
        assert batch["FailedRecordCount"] == 0, batch
        accepted += [f"after-{n}".encode(), f"after-batch-{n}".encode()]

    shard_id = e2e.list_shards(clients[leader], name)[0]["ShardId"]
    held = [data for _, data in read_through(clients[leader], clients[leader], name, shard_id)]
    assert not [d for d in refused if d in held], "a refused record was written"
    assert [d for d in held if d in accepted] == accepted, "every accepted record, once, in order"

