"""SubscribeToShard in cluster mode: a subscription held through a node that does not lead the
shard is relayed from the leader, sees every record put through every node in order, once each,
and goes on without gap or duplicate when the leader goes away and comes back (each shard has one
replica until records are replicated, so its leader's return is what brings the shard back)."""

from __future__ import annotations

import time

import sluice_e2e as e2e
from test_cluster_data import SETTLE_S, leaders, put_until_accepted, stream_with_leaders, three_nodes
from test_cluster_membership import nodes_by_id


def subscribed_through_a_follower(etcd, spawn):
    """Three nodes, a stream of three shards, a consumer; shard, its leader's index, and the
    index of a node that does not lead it."""
    servers = three_nodes(etcd, spawn)
    clients = [e2e.client(s.endpoint) for s in servers]
    name, starts = stream_with_leaders(etcd, clients, shards=3)
    shard, leader = sorted(leaders(etcd, name).items())[0]
    lead = int(leader[1:]) - 1
    other = (lead + 1) % 3
    arn = clients[0].describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = e2e.register_consumer(clients[0], arn, e2e.unique_name("relay"))
    return servers, clients, name, starts[shard], shard, lead, other, consumer


def events_until(sub: e2e.Subscription, wanted: int, timeout: float) -> list:
    """Events until they carry `wanted` records in all (or the stream ends: the test fails)."""
    deadline = time.monotonic() + timeout
    events, got = [], 0
    while got < wanted:
        left = deadline - time.monotonic()
        assert left > 0, f"{got} of {wanted} records within {timeout}s"
        event = sub.next_event(left)
        events.append(event)
        got += len(event["Records"])
    return events


def records_of(events: list) -> list:
    return [(r["SequenceNumber"], r["Data"]) for e in events for r in e["Records"]]


def test_a_subscription_through_a_node_that_does_not_lead_the_shard_sees_every_record_once_in_order(
        etcd, spawn):
    _, clients, name, hash_key, shard, lead, other, consumer = subscribed_through_a_follower(etcd, spawn)
    sub = e2e.Subscription(clients[other], consumer, shard, {"Type": "TRIM_HORIZON"})
    acked = []
    for round_ in range(3):
        for i, k in enumerate(clients):
            data = f"{round_}/{i}".encode()
            acked.append((put_until_accepted(k, name, hash_key, data)["SequenceNumber"], data))
    events = events_until(sub, len(acked), timeout=20)
    assert records_of(events) == acked, "every record put through every node, in order, once each"
    last = events[-1]
    assert last["ContinuationSequenceNumber"] == acked[-1][0], "the continuation is the last record's"
    assert last["MillisBehindLatest"] == 0
    sub.close()


def test_a_relayed_subscription_goes_on_without_gap_or_duplicate_across_its_leaders_restart(etcd, spawn):
    servers, clients, name, hash_key, shard, lead, other, consumer = subscribed_through_a_follower(etcd, spawn)
    sub = e2e.Subscription(clients[other], consumer, shard, {"Type": "LATEST"}, watchdog_s=60)
    survivor = clients[other]
    acked = [(put_until_accepted(survivor, name, hash_key, f"before-{i}".encode())["SequenceNumber"],
              f"before-{i}".encode()) for i in range(5)]
    events = events_until(sub, len(acked), timeout=20)

    # The leader stopped cleanly (its registration goes at once), then killed after its restart.
    servers[lead].stop()
    servers[lead].restart()
    acked.append((put_until_accepted(survivor, name, hash_key, b"after-restart")["SequenceNumber"],
                  b"after-restart"))
    servers[lead].kill9()
    e2e.wait_until(lambda: not nodes_by_id(etcd)[f"n{lead + 1}"]["alive"], SETTLE_S, "the leader seen down")
    servers[lead].restart()
    acked += [(put_until_accepted(survivor, name, hash_key, f"after-kill-{i}".encode())["SequenceNumber"],
               f"after-kill-{i}".encode()) for i in range(5)]

    events += events_until(sub, len(acked) - len(records_of(events)), timeout=40)
    seen = records_of(events)
    # A put answered with the retryable InternalFailure may still have been written (as with
    # Kinesis, a retry can leave two copies): those are the only extra records allowed.
    acked_set = set(acked)
    assert [r for r in seen if r in acked_set] == acked, \
        "every acknowledged record, in order, across two leader changes"
    extras = [r for r in seen if r not in acked_set]
    assert all(data in {d for _, d in acked} for _, data in extras), f"only earlier attempts of retried puts: {extras}"
    numbers = [int(s) for s, _ in seen]
    assert numbers == sorted(set(numbers))
    sub.close()
