"""Helpers of the cluster's replication tests: three nodes, the shards' in-sync sets, a producer
writing through every node, and the check that every acknowledged record is there."""

from __future__ import annotations

import collections
import threading
import time

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

import sluice_e2e as e2e
from test_cluster_data import read_through
from test_cluster_membership import node_args

TTL_S = 2  # the sessions' TTL: a killed node's key goes this long after the kill
SETTLE_S = 20.0
RETRYABLE = {"InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "ProvisionedThroughputExceededException"}


def start_nodes(etcd, spawn, *extra: str) -> dict:
    """Three nodes n1, n2, n3 with the sessions' TTL_S and `extra` flags."""
    return {f"n{i}": spawn(*node_args(etcd, f"n{i}", ttl_s=TTL_S), *extra) for i in (1, 2, 3)}


def stream_in_sync(etcd, clients: dict, prefix: str, shards: int) -> tuple:
    """A new stream of `shards` shards, active on every node, each shard with three in-sync
    replicas: its name and each shard's starting hash key."""
    name = e2e.unique_name(prefix)
    first = next(iter(clients.values()))
    first.create_stream(StreamName=name, ShardCount=shards)
    for k in clients.values():
        e2e.wait_active(k, name, timeout=SETTLE_S)
    e2e.wait_until(lambda: fully_in_sync(etcd, name, shards), SETTLE_S, "three in-sync replicas for every shard")
    starts = {s["ShardId"]: s["HashKeyRange"]["StartingHashKey"] for s in e2e.list_shards(first, name)}
    return name, starts


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

    def wait_for_more(self, more: int, what: str):
        """Until every shard has `more` records acknowledged beyond what it has now."""
        before = {s: self.count(s) for s in self.starts}
        e2e.wait_until(lambda: all(self.count(s) >= before[s] + more for s in self.starts), SETTLE_S, what)


def assert_everything_acknowledged_is_there(producer: Producer, reader, other, name: str):
    for shard, acked in producer.acked.items():
        got = read_through(reader, other, name, shard)
        numbers = [s for s, _ in got]
        assert len(set(numbers)) == len(numbers), f"{shard}: no sequence number twice"
        assert numbers == sorted(numbers, key=int), f"{shard}: in sequence number order"
        present = set(got)
        lost = [a for a in acked if a not in present]
        assert not lost, f"{shard}: {len(lost)} of {len(acked)} acknowledged records lost, first {lost[:3]}"


def assert_every_node_reads_everything_acknowledged(producer: Producer, clients: dict, name: str):
    """The check above with the iterator taken through each node and read through the next."""
    nodes = sorted(clients)
    for i, node in enumerate(nodes):
        assert_everything_acknowledged_is_there(producer, clients[node], clients[nodes[(i + 1) % len(nodes)]], name)
