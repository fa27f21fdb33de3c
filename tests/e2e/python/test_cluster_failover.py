"""Cluster mode's replication: every shard's records on three nodes, acknowledged once durable on
every in-sync replica. A `kill -9` of the node leading the most shards moves its shards to in-sync
followers within about one session TTL; every acknowledged record is read back, in order and once,
through another node; the killed node comes back, catches up and rejoins every in-sync set."""

from __future__ import annotations

import collections
import threading
import time

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

import sluice_e2e as e2e
from test_cluster_data import leaders, read_through
from test_cluster_membership import node_args, nodes_by_id

TTL_S = 2  # the sessions' TTL: a killed node's key goes this long after the kill
SETTLE_S = 20.0
RETRYABLE = {"InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "ProvisionedThroughputExceededException"}


def start_nodes(etcd, spawn) -> dict:
    return {f"n{i}": spawn(*node_args(etcd, f"n{i}", ttl_s=TTL_S)) for i in (1, 2, 3)}


def shard_states(etcd, name: str) -> list:
    return [s for s in e2e.cluster_status(etcd.cluster_url)["shards"] if s["stream"] == name]


def fully_in_sync(etcd, name: str, shards: int):
    states = shard_states(etcd, name)
    return (len(states) == shards and all(s["leader"] and len(s["isr"]) == 3 for s in states)) and states


class Producer:
    """Writes through every node, one thread per node, each record to a shard in turn; keeps what
    was acknowledged, and when, and retries what was refused as a client would."""

    def __init__(self, clients: dict, name: str, starts: dict):
        self.clients, self.name, self.starts = clients, name, starts
        self.acked = collections.defaultdict(list)  # shard -> [(sequence number, data)]
        self.acked_at = collections.defaultdict(list)  # shard -> [monotonic time]
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.paused = set()  # node ids not written through (killed)
        self.threads = [threading.Thread(target=self._run, args=(node,), daemon=True) for node in clients]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)

    def _run(self, node: str):
        shards = sorted(self.starts)
        n = 0
        while not self.stopping.is_set():
            if node in self.paused:
                time.sleep(0.01)
                continue
            shard = shards[n % len(shards)]
            data = f"{node}/{n}".encode()
            try:
                out = self.clients[node].put_record(StreamName=self.name, PartitionKey="k",
                                                    ExplicitHashKey=self.starts[shard], Data=data)
            except ClientError as exc:
                assert exc.response["Error"]["Code"] in RETRYABLE, exc.response
                time.sleep(0.01)
                continue
            except (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError):
                time.sleep(0.01)  # the node it was talking to was killed
                continue
            assert out["ShardId"] == shard
            with self.lock:
                self.acked[shard].append((out["SequenceNumber"], data))
                self.acked_at[shard].append(time.monotonic())
            n += 1

    def count(self, shard: str) -> int:
        with self.lock:
            return len(self.acked[shard])


def assert_everything_acknowledged_is_there(producer: Producer, reader, other, name: str):
    for shard, acked in producer.acked.items():
        got = read_through(reader, other, name, shard)
        numbers = [s for s, _ in got]
        assert len(set(numbers)) == len(numbers), f"{shard}: no sequence number twice"
        assert numbers == sorted(numbers, key=int), f"{shard}: in sequence number order"
        present = set(got)
        lost = [a for a in acked if a not in present]
        assert not lost, f"{shard}: {len(lost)} of {len(acked)} acknowledged records lost, first {lost[:3]}"


def test_kill9_of_the_busiest_leader_fails_over_within_seconds_and_loses_nothing_twice_over(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    clients = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name = e2e.unique_name("failover")
    clients["n1"].create_stream(StreamName=name, ShardCount=4)
    for k in clients.values():
        e2e.wait_active(k, name, timeout=SETTLE_S)
    e2e.wait_until(lambda: fully_in_sync(etcd, name, 4), SETTLE_S, "three in-sync replicas for every shard")
    starts = {s["ShardId"]: s["HashKeyRange"]["StartingHashKey"] for s in e2e.list_shards(clients["n1"], name)}
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
