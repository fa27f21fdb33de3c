"""Back-to-back control-plane changes through different nodes of three: a client that waits for
one node's answer and then calls another gets the answer one node would give, never "changed
through another node at the same time; try again." (the node evaluates the call again against
the stream's current record in etcd). Concurrent changes through several nodes all land."""

from __future__ import annotations

import threading

from botocore.exceptions import ClientError

import sluice_e2e as e2e
from test_cluster_control_plane import SEEN_S, active_everywhere, summary, tags, three_nodes


def new_stream(k: list, prefix: str) -> str:
    name = e2e.unique_name(prefix)
    k[0].create_stream(StreamName=name, ShardCount=1)
    active_everywhere(k, name)
    return name


def tags_everywhere(k: list, name: str, expected: dict):
    for client in k:
        e2e.wait_until(lambda c=client: tags(c, name) == expected, SEEN_S, f"the tags {expected} everywhere")


def test_fifty_tag_changes_alternating_across_three_nodes_each_succeed_at_once(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = new_stream(k, "seqtags")
    expected: dict = {}
    for i in range(50):
        node = k[i % 3]
        if i % 2 == 0:
            node.add_tags_to_stream(StreamName=name, Tags={f"k{i}": f"v{i}"})
            expected[f"k{i}"] = f"v{i}"
        elif i % 4 == 1:
            node.remove_tags_from_stream(StreamName=name, TagKeys=[f"k{i - 1}"])
            del expected[f"k{i - 1}"]
        else:
            node.add_tags_to_stream(StreamName=name, Tags={f"k{i - 1}": "changed"})
            expected[f"k{i - 1}"] = "changed"
    assert tags(k[49 % 3], name) == expected
    tags_everywhere(k, name, expected)


def test_tags_added_through_three_nodes_at_the_same_time_all_land(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = new_stream(k, "conctags")
    failures: list = []
    start = threading.Barrier(3)

    def add(n: int):
        client = e2e.client(k[n].meta.endpoint_url)  # one client per thread
        start.wait()
        for j in range(8):
            try:
                client.add_tags_to_stream(StreamName=name, Tags={f"n{n}-{j}": str(j)})
            except ClientError as exc:
                failures.append((n, j, exc.response["Error"]))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    tags_everywhere(k, name, {f"n{n}-{j}": str(j) for n in range(3) for j in range(8)})


def test_retention_increased_through_one_node_is_decreased_through_another_at_once(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = new_stream(k, "seqret")
    for i in range(10):
        k[i % 3].increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        # The next node, still at 24 hours, would refuse a decrease to 48 as an increase.
        k[(i + 1) % 3].decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        assert summary(k[(i + 1) % 3], name)["RetentionPeriodHours"] == 48
    for client in k:
        e2e.wait_until(lambda c=client: summary(c, name)["RetentionPeriodHours"] == 48, SEEN_S, "48 hours")


def test_a_consumer_registered_through_one_node_is_described_and_deregistered_through_another(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = new_stream(k, "seqcons")
    arn = summary(k[0], name)["StreamARN"]
    for i in range(10):
        consumer = k[i % 3].register_stream_consumer(StreamARN=arn, ConsumerName=f"reader{i}")["Consumer"]
        other = k[(i + 1) % 3]
        described = other.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        assert described["ConsumerName"] == f"reader{i}" and described["ConsumerARN"] == consumer["ConsumerARN"]
        other.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    for client in k:
        e2e.wait_until(lambda c=client: c.list_stream_consumers(StreamARN=arn)["Consumers"] == [], SEEN_S,
                       "no consumer left")


def test_a_stream_deleted_through_one_node_is_created_again_through_another_at_once(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = new_stream(k, "seqdel")
    for i in range(12):
        deleting, creating = k[i % 3], k[(i + 1) % 3]
        e2e.wait_until(lambda: summary(deleting, name)["StreamStatus"] == "ACTIVE", SEEN_S, "ACTIVE")
        deleting.add_tags_to_stream(StreamName=name, Tags={"incarnation": str(i)})
        deleting.delete_stream(StreamName=name)
        creating.create_stream(StreamName=name, ShardCount=1 + i % 2)
        assert summary(k[(i + 2) % 3], name)["StreamStatus"] in ("CREATING", "ACTIVE")  # the third node
    active_everywhere(k, name)
    for client in k:
        e2e.wait_until(lambda c=client: summary(c, name)["OpenShardCount"] == 2 and tags(c, name) == {}, SEEN_S,
                       "the last incarnation everywhere")
