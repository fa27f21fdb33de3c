"""`sluice cluster decommission NODE`: the node is marked in etcd, the controller moves its replicas to
other nodes (a replacement first, the node's replica dropped once the replacement is in sync), and the
command waits until no shard names the node. A decommissioned node gets no new replicas; with nowhere
to move a replica the command times out saying why; an id that never registered is refused."""

from __future__ import annotations

import json
import subprocess

import pytest

import sluice_e2e as e2e
from test_cluster_data import leaders, put_until_accepted, read_through, stream_with_leaders
from test_cluster_membership import node_args, nodes_by_id

SETTLE_S = 15.0


def decommission(etcd_url: str, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    return subprocess.run([e2e.SLUICE_BIN, "cluster", "decommission", "--cluster", etcd_url, *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def replicas_on(etcd, node: str, name: str | None = None) -> list:
    """The shards (of `name`, or every stream) naming `node` in their replicas or ISR."""
    return [s for s in e2e.cluster_status(etcd.cluster_url)["shards"]
            if (name is None or s["stream"] == name) and (node in s["replicas"] or node in s["isr"])]


def test_a_decommissioned_nodes_replicas_move_to_another_node_and_every_record_stays_readable(etcd, spawn):
    servers = [spawn(*node_args(etcd, f"n{i}")) for i in (1, 2, 3)]
    clients = [e2e.client(s.endpoint) for s in servers]
    name, starts = stream_with_leaders(etcd, clients, shards=3)
    e2e.wait_until(lambda: len([s for s in e2e.cluster_status(etcd.cluster_url)["shards"]
                                if s["stream"] == name and len(s["isr"]) == 3]) == 3,
                   SETTLE_S, "three in-sync replicas for each shard")
    written = {shard: [] for shard in starts}
    for i, k in enumerate(clients):
        for shard, start in starts.items():
            acked = put_until_accepted(k, name, start, f"{shard}/{i}".encode())
            written[shard].append((acked["SequenceNumber"], f"{shard}/{i}".encode()))
    # A fourth node to move to: with three, every node already holds every shard.
    servers.append(spawn(*node_args(etcd, "n4")))
    clients.append(e2e.client(servers[3].endpoint))
    assert replicas_on(etcd, "n3", name), "n3 holds replicas"

    res = decommission(etcd.cluster_url, "n3", "--timeout", "60")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "holds no replicas" in res.stdout, res.stdout
    assert replicas_on(etcd, "n3") == []
    assert nodes_by_id(etcd)["n3"]["decommissioned"]
    assert all(len(s["isr"]) == 3 for s in e2e.cluster_status(etcd.cluster_url)["shards"] if s["stream"] == name)
    assert "n3" not in leaders(etcd, name).values()

    servers[2].stop()  # it can leave now: nothing is lost with it
    for shard, records in written.items():
        for first, then in ((clients[0], clients[1]), (clients[3], clients[0])):
            assert read_through(first, then, name, shard) == records, f"{shard} after n3 left"


def test_a_decommissioned_node_gets_no_replicas_until_the_mark_is_cancelled(etcd, spawn):
    for i in (1, 2, 3):
        spawn(*node_args(etcd, f"n{i}"))
    res = decommission(etcd.cluster_url, "n3", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == {"node": "n3", "decommissioned": True, "done": True, "remaining": []}
    assert nodes_by_id(etcd)["n3"]["decommissioned"]

    kinesis = e2e.client(f"http://{nodes_by_id(etcd)['n1']['advertise']}")
    name = e2e.unique_name("decom")
    kinesis.create_stream(StreamName=name, ShardCount=4)
    e2e.wait_until(lambda: len(leaders(etcd, name)) == 4, SETTLE_S, f"a leader for each shard of {name}")
    assert replicas_on(etcd, "n3", name) == []
    assert set(leaders(etcd, name).values()) == {"n1", "n2"}

    res = decommission(etcd.cluster_url, "--cancel", "n3")
    assert res.returncode == 0, res.stderr
    assert not nodes_by_id(etcd)["n3"]["decommissioned"]
    again = e2e.unique_name("back")
    kinesis.create_stream(StreamName=again, ShardCount=3)
    e2e.wait_until(lambda: len(leaders(etcd, again)) == 3, SETTLE_S, f"a leader for each shard of {again}")
    assert replicas_on(etcd, "n3", again), "n3 takes replicas again"


def test_with_nowhere_to_move_a_replica_the_command_times_out_saying_why(etcd, spawn):
    server = spawn(*node_args(etcd, "n1"))
    kinesis = e2e.client(server.endpoint)
    name = e2e.unique_name("alone")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    e2e.wait_until(lambda: len(leaders(etcd, name)) == 1, SETTLE_S, "the shard's leader")

    res = decommission(etcd.cluster_url, "n1", "--timeout", "2")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "timed out after 2 s" in res.stderr, res.stderr
    assert "no live node that is not decommissioned and not already a replica" in res.stderr, res.stderr
    assert leaders(etcd, name) == {"shardId-000000000000": "n1"}, "nothing moved, nothing is lost"


def test_an_unknown_node_is_refused_and_an_unanswering_etcd_exits_3(etcd, spawn):
    spawn(*node_args(etcd, "n1"))
    res = decommission(etcd.cluster_url, "n9")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no node with id 'n9' ever registered" in res.stderr, res.stderr
    assert "n9" not in nodes_by_id(etcd)

    res = decommission(f"etcd://127.0.0.1:{e2e.free_port()}", "n1")
    assert res.returncode == 3, res.stdout + res.stderr
