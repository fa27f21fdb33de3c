"""Cluster mode: a follower whose log ends below its leader's start. A follower is killed, records
it never got are written, and the other two nodes' clocks are moved 25 hours on, so that the
leader's retention (24 h) trims every record the follower has and more. Restarted, the follower
is refused its fetch (OffsetOutOfRange), starts its log over at the leader's start, catches up and
rejoins the in-sync set; so does a node whose data directory was wiped. Once each of them leads
the shard, every record still in retention reads back through it, and nothing older."""

from __future__ import annotations

import pathlib
import shutil

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, fully_in_sync, shard_states, start_nodes, stream_in_sync
from test_cluster_data import leaders, put_until_accepted, read_through
from test_cluster_membership import nodes_by_id

HOUR_MS = 3_600_000
LATER = ["--clock-offset-ms", str(25 * HOUR_MS)]
RESET_LINE = "starting it over there"


def segment_bases(server) -> list:
    """Base offsets of the segments of the node's shard logs (the test's stream has one shard)."""
    return sorted(int(p.stem) for p in pathlib.Path(server.data_dir, "streams").rglob("*.log"))


def put_some(kinesis, name: str, hash_key: str, tag: str, n: int) -> list:
    return [(put_until_accepted(kinesis, name, hash_key, f"{tag}-{i}".encode())["SequenceNumber"],
             f"{tag}-{i}".encode()) for i in range(n)]


def restart_later(etcd, server, node: str, name: str, wipe: bool = False):
    """Stops `node`, moves its clock 25 h on (wiping its data first if asked), restarts it and
    waits until it is back in the shard's in-sync set."""
    server.stop()
    e2e.wait_until(lambda: not nodes_by_id(etcd)[node]["alive"], SETTLE_S, f"{node} seen down")
    if wipe:
        shutil.rmtree(server.data_dir)
    if LATER[0] not in server.extra_args:
        server.extra_args += LATER
    server.restart()
    e2e.wait_until(lambda: node in shard_states(etcd, name)[0]["isr"], SETTLE_S, f"{node} back in the in-sync set")


def test_a_follower_below_the_leaders_start_starts_over_there_rejoins_and_serves_as_leader(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    clients = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name, starts = stream_in_sync(etcd, clients, "outofrange", 1)
    (shard, hash_key), = starts.items()
    leader = leaders(etcd, name)[shard]
    follower, third = sorted(n for n in servers if n != leader)

    early = put_some(clients[leader], name, hash_key, "early", 5)
    e2e.wait_until(lambda: fully_in_sync(etcd, name, 1), SETTLE_S, "the early records on every node")
    servers[follower].kill9()
    e2e.wait_until(lambda: not nodes_by_id(etcd)[follower]["alive"], SETTLE_S, f"{follower} seen down")
    missed = put_some(clients[leader], name, hash_key, "missed", 5)

    # 25 hours later on the two nodes up: the records above are past retention.
    for node in (third, leader):
        restart_later(etcd, servers[node], node, name)
        clients[node] = e2e.client(servers[node].endpoint)
    late = put_some(clients[third], name, hash_key, "late", 5)
    e2e.wait_until(lambda: read_through(clients[third], clients[leader], name, shard) == late, SETTLE_S,
                   "the early and missed records past retention")
    current = leaders(etcd, name)[shard]
    e2e.wait_until(lambda: segment_bases(servers[current]) == [10], SETTLE_S,
                   f"retention to remove the segment of the first 10 records on {current}, the leader")
    assert all(int(s) < int(late[0][0]) for s, _ in early + missed)

    # The follower's log (5 records) ends below the leader's start (10): it starts over there.
    servers[follower].extra_args += LATER
    servers[follower].restart()
    clients[follower] = e2e.client(servers[follower].endpoint)
    e2e.wait_until(lambda: RESET_LINE in servers[follower].log, SETTLE_S, f"{follower} to start its log over")
    e2e.wait_until(lambda: fully_in_sync(etcd, name, 1), SETTLE_S, f"{follower} back in the in-sync set")
    assert segment_bases(servers[follower]) == [10]
    more = put_some(clients[follower], name, hash_key, "more", 3)

    # A node whose data directory is wiped starts over the same way.
    restart_later(etcd, servers[third], third, name, wipe=True)
    clients[third] = e2e.client(servers[third].endpoint)
    assert RESET_LINE in servers[third].log, servers[third].log
    assert fully_in_sync(etcd, name, 1)
    assert segment_bases(servers[third]) == [10]

    # Each of the two leads in turn (the others killed): every record in retention, nothing older.
    remaining = dict(servers)
    for _ in range(2):
        current = leaders(etcd, name)[shard]
        if current not in (follower, third):
            remaining.pop(current).kill9()
            e2e.wait_until(lambda: leaders(etcd, name).get(shard) in remaining, SETTLE_S, "a new leader")
            current = leaders(etcd, name)[shard]
        reader = clients[current]
        e2e.wait_until(lambda: read_through(reader, reader, name, shard) == late + more, SETTLE_S,
                       f"every record in retention read through {current}, the leader")
        if len(remaining) > 1:
            remaining.pop(current).kill9()
            e2e.wait_until(lambda: leaders(etcd, name).get(shard) in remaining, SETTLE_S, "a new leader")
