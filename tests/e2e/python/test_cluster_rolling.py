"""Cluster mode's replication under the operations an operator runs and the failures a cluster
meets: a rolling restart of all three nodes under a producer writing through every node loses
nothing acknowledged and pauses writes for less than a session TTL; after a `kill -9` of a leader
the records its followers hold are exactly the acknowledged ones, at the same sequence numbers; a
`kill -9` of every node at once keeps every acknowledged record."""

from __future__ import annotations

import collections

import sluice_e2e as e2e
from cluster_e2e import (SETTLE_S, TTL_S, Producer, assert_every_node_reads_everything_acknowledged, fully_in_sync,
                         shard_states, start_nodes, stream_in_sync)
from test_cluster_data import leaders, read_through
from test_cluster_membership import nodes_by_id

SHARDS = 3


def loaded_cluster(etcd, spawn, prefix: str) -> tuple:
    """Three nodes, a stream of SHARDS shards in sync on all three, and a producer writing to it
    through every node."""
    servers = start_nodes(etcd, spawn)
    clients = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name, starts = stream_in_sync(etcd, clients, prefix, SHARDS)
    return servers, clients, name, Producer(clients, name, starts).start()


def test_a_rolling_restart_of_every_node_under_load_loses_nothing_acknowledged(etcd, spawn):
    servers, clients, name, producer = loaded_cluster(etcd, spawn, "rolling")
    try:
        for node in ("n1", "n2", "n3"):
            producer.wait_for_more(15, f"records acknowledged on every shard before restarting {node}")
            producer.paused.add(node)
            servers[node].stop()  # SIGTERM: a clean exit within the deadline
            e2e.wait_until(lambda: not nodes_by_id(etcd)[node]["alive"], SETTLE_S, f"{node} seen down")
            # So that its return to every in-sync set below is its catching up, not a set never changed.
            e2e.wait_until(lambda: all(node not in s["isr"] for s in shard_states(etcd, name)), SETTLE_S,
                           f"{node} out of every in-sync set")
            producer.wait_for_more(5, f"records acknowledged on every shard while {node} is down")
            servers[node].restart()
            clients[node] = e2e.client(servers[node].endpoint)
            producer.clients = clients
            producer.paused.discard(node)
            e2e.wait_until(lambda: fully_in_sync(etcd, name, SHARDS), SETTLE_S, f"{node} back in every in-sync set")
        producer.wait_for_more(15, "records acknowledged on every shard after the last restart")
    finally:
        producer.stop()
    assert_every_node_reads_everything_acknowledged(producer, clients, name)
    assert sum(len(v) for v in producer.acked.values()) > 3 * 15 * SHARDS
    # A clean stop ends the node's session at once: its shards get new leaders without waiting out
    # the session's TTL as a crash does.
    pauses = {s: round(max(b - a for a, b in zip(t, t[1:])), 2) for s, t in producer.acked_at.items()}
    print(f"longest pause between acknowledgements per shard: {pauses}")
    assert max(pauses.values()) < TTL_S, f"writes paused {pauses} s, as long as a crash's failover"


def test_after_kill9_of_a_leader_its_followers_hold_exactly_the_acknowledged_records(etcd, spawn):
    servers, clients, name, producer = loaded_cluster(etcd, spawn, "followers")
    try:
        producer.wait_for_more(30, "records acknowledged on every shard")
    finally:
        producer.stop()
    acked = {shard: sorted(records, key=lambda r: int(r[0])) for shard, records in producer.acked.items()}

    victim = collections.Counter(leaders(etcd, name).values()).most_common(1)[0][0]
    servers[victim].kill9()
    survivors = [n for n in ("n1", "n2", "n3") if n != victim]
    e2e.wait_until(lambda: len(leaders(etcd, name)) == SHARDS and victim not in leaders(etcd, name).values(),
                   SETTLE_S, f"a surviving leader for every shard {victim} led")
    for node in survivors:
        for shard, expected in acked.items():
            # A new leader shows its followers' records once they have fetched them in its epoch.
            e2e.wait_until(lambda: len(read_through(clients[node], clients[node], name, shard)) >= len(expected),
                           SETTLE_S, f"{shard} read through {node} to hold every acknowledged record")
            got = read_through(clients[node], clients[node], name, shard)
            assert got == expected, f"{shard} through {node}: the records and sequence numbers acknowledged"


def test_kill9_of_every_node_at_once_keeps_every_acknowledged_record_and_puts_resume(etcd, spawn):
    servers, clients, name, producer = loaded_cluster(etcd, spawn, "allkilled")
    try:
        producer.wait_for_more(20, "records acknowledged on every shard")
        producer.paused.update(clients)
        for server in servers.values():
            server.kill9()
        e2e.wait_until(lambda: not any(n["alive"] for n in nodes_by_id(etcd).values()), SETTLE_S, "every node down")
        for node, server in servers.items():
            server.restart()
            clients[node] = e2e.client(server.endpoint)
        producer.clients = clients
        producer.paused.clear()
        e2e.wait_until(lambda: fully_in_sync(etcd, name, SHARDS), SETTLE_S, "every node back in every in-sync set")
        producer.wait_for_more(20, "records acknowledged on every shard after the restart")
    finally:
        producer.stop()
    assert_every_node_reads_everything_acknowledged(producer, clients, name)
