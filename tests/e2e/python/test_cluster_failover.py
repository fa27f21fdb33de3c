"""Cluster mode's replication: every shard's records on three nodes, acknowledged once durable on
every in-sync replica. A `kill -9` of the node leading the most shards moves its shards to in-sync
followers within about one session TTL; every acknowledged record is read back, in order and once,
through another node; the killed node comes back, catches up and rejoins every in-sync set."""

from __future__ import annotations

import collections
import time

import sluice_e2e as e2e
from cluster_e2e import (SETTLE_S, TTL_S, Producer, assert_everything_acknowledged_is_there, fully_in_sync, start_nodes,
                         stream_in_sync)
from test_cluster_data import leaders
from test_cluster_membership import nodes_by_id


def test_kill9_of_the_busiest_leader_fails_over_within_seconds_and_loses_nothing_twice_over(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    clients = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name, starts = stream_in_sync(etcd, clients, "failover", 4)
    producer = Producer(clients, name, starts).start()
    killed = []
    try:
        for victim_round in range(2):
            e2e.wait_until(lambda: all(producer.count(s) >= 20 * (victim_round + 1) for s in starts), SETTLE_S,
                           "records acknowledged on every shard")
            # The node leading the most shards, another one each round.
            led = collections.Counter(n for n in leaders(etcd, name).values() if n not in killed)
            victim = led.most_common(1)[0][0]
            killed.append(victim)
            victim_shards = [s for s, node in leaders(etcd, name).items() if node == victim]
            producer.paused.add(victim)
            before = {s: producer.count(s) for s in victim_shards}
            killed_at = time.monotonic()
            servers[victim].kill9()

            # Writes to its shards resume through the survivors once a follower leads.
            e2e.wait_until(lambda: all(producer.count(s) > before[s] + 5 for s in victim_shards), SETTLE_S,
                           f"writes to {victim}'s shards {victim_shards} to resume")
            resumed = max(next(t for i, t in enumerate(producer.acked_at[s]) if i >= before[s])
                          for s in victim_shards)
            gap = resumed - killed_at
            print(f"round {victim_round}: {victim} led {victim_shards}; writes resumed after {gap:.2f} s")
            assert gap < TTL_S + 3, f"writes resumed {gap:.2f} s after the kill"
            assert all(leaders(etcd, name).get(s) not in (None, victim) for s in victim_shards)

            # The killed node comes back, catches up, and every in-sync set is whole again.
            e2e.wait_until(lambda: not nodes_by_id(etcd)[victim]["alive"], SETTLE_S, f"{victim} seen down")
            servers[victim].restart()
            clients[victim] = e2e.client(servers[victim].endpoint)
            producer.clients = clients
            producer.paused.discard(victim)
            e2e.wait_until(lambda: fully_in_sync(etcd, name, 4), SETTLE_S, f"{victim} back in every in-sync set")
    finally:
        producer.stop()
    survivors = [clients[n] for n in ("n1", "n2", "n3")]
    assert_everything_acknowledged_is_there(producer, survivors[0], survivors[1], name)
    assert sum(len(v) for v in producer.acked.values()) > 200
