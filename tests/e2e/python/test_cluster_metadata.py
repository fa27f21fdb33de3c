"""Cluster mode's stream metadata in etcd: a stream created, changed or deleted through any node is
seen through every node; two nodes creating one name leave one stream; the controller declares a
leadership record for every shard; a restarted node loads every stream from etcd."""

from __future__ import annotations

import threading

from botocore.exceptions import ClientError

import sluice_e2e as e2e
from test_cluster_membership import TTL_S, node_args, nodes_by_id

SEEN_S = 10.0  # a change through one node reaches the others through etcd's watch well within this


def three_nodes(etcd, spawn) -> list:
    return [spawn(*node_args(etcd, f"n{i}")) for i in (1, 2, 3)]


def status_of(kinesis, name: str) -> str:
    return kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"]


def gone(kinesis, name: str) -> bool:
    try:
        kinesis.describe_stream(StreamName=name)
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "ResourceNotFoundException"
    return False


def stream_shards(etcd, name: str) -> list:
    return [s for s in e2e.cluster_status(etcd.cluster_url)["shards"] if s["stream"] == name]


def test_a_stream_created_changed_and_deleted_through_any_node_is_seen_through_every_node(etcd, spawn):
    clients = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name = e2e.unique_name("meta")
    clients[0].create_stream(StreamName=name, ShardCount=2)
    for k in clients[1:]:
        e2e.wait_until(lambda k=k: status_of(k, name) == "ACTIVE", SEEN_S, f"{name} through another node")
        assert name in k.list_streams()["StreamNames"]
        assert len(k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]) == 2

    clients[1].add_tags_to_stream(StreamName=name, Tags={"team": "payments"})
    e2e.wait_until(lambda: clients[2].list_tags_for_stream(StreamName=name)["Tags"] == [
        {"Key": "team", "Value": "payments"}], SEEN_S, "the tag through node 3")

    clients[2].delete_stream(StreamName=name)
    for k in clients:
        e2e.wait_until(lambda k=k: gone(k, name), SEEN_S, f"{name} gone through every node")
        assert name not in k.list_streams()["StreamNames"]


def test_one_name_created_through_two_nodes_at_once_leaves_one_stream_and_one_resource_in_use(etcd, spawn):
    servers = three_nodes(etcd, spawn)
    clients = [e2e.client(s.endpoint) for s in servers[:2]]
    name = e2e.unique_name("race")
    start = threading.Barrier(2)
    outcomes: list = [None, None]

    def create(i: int, shards: int):
        start.wait()
        try:
            clients[i].create_stream(StreamName=name, ShardCount=shards)
            outcomes[i] = shards
        except ClientError as exc:
            outcomes[i] = exc.response["Error"]["Code"]

    threads = [threading.Thread(target=create, args=(0, 1)), threading.Thread(target=create, args=(1, 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=lambda o: isinstance(o, int)) in (["ResourceInUseException", 1],
                                                                  ["ResourceInUseException", 3]), outcomes
    shards = next(o for o in outcomes if isinstance(o, int))
    for k in [e2e.client(s.endpoint) for s in servers]:
        e2e.wait_until(lambda k=k: len(k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]) == shards,
                       SEEN_S, f"the winner's {shards} shards on every node")


def test_cluster_status_lists_the_streams_shards_with_leaders_and_drops_them_with_the_stream(etcd, spawn):
    servers = three_nodes(etcd, spawn)
    kinesis = e2e.client(servers[0].endpoint)
    name = e2e.unique_name("led")
    kinesis.create_stream(StreamName=name, ShardCount=3)

    def assigned():
        shards = stream_shards(etcd, name)
        # Three replicas each (the default replication factor), led by the first, all in sync.
        return len(shards) == 3 and all(s["leader"] and s["leader_epoch"] >= 1 and len(s["replicas"]) == 3
                                        and s["replicas"][0] == s["leader"]
                                        and sorted(s["isr"]) == sorted(s["replicas"]) for s in shards) and shards
    shards = e2e.wait_until(assigned, SEEN_S, "the controller to assign every shard")
    assert sorted(s["shard"] for s in shards) == [f"shardId-00000000000{i}" for i in range(3)]
    assert {s["leader"] for s in shards} == {"n1", "n2", "n3"}, shards  # one each: fewest leaderships first
    assert all(s["state"] == "in-sync" for s in shards), shards

    kinesis.delete_stream(StreamName=name)
    e2e.wait_until(lambda: stream_shards(etcd, name) == [], SEEN_S, "the records to go with the stream")


def test_a_node_killed_and_restarted_sees_every_stream_from_etcd(etcd, spawn):
    servers = three_nodes(etcd, spawn)
    first, third = e2e.client(servers[0].endpoint), servers[2]
    before = e2e.unique_name("before")
    first.create_stream(StreamName=before, ShardCount=1)
    e2e.wait_until(lambda: status_of(e2e.client(third.endpoint), before) == "ACTIVE", SEEN_S, "n3 to see it")

    third.kill9()
    while_down = e2e.unique_name("while-down")
    first.create_stream(StreamName=while_down, ShardCount=2)
    first.delete_stream(StreamName=before)
    e2e.wait_until(lambda: not nodes_by_id(etcd)["n3"]["alive"], TTL_S + 5, "n3's registration to expire")
    third.restart()

    k = e2e.client(third.endpoint)
    names = k.list_streams()["StreamNames"]
    assert while_down in names and before not in names, names
    assert len(k.describe_stream(StreamName=while_down)["StreamDescription"]["Shards"]) == 2
    # It takes part again: a change through it reaches the others.
    k.add_tags_to_stream(StreamName=while_down, Tags={"via": "n3"})
    e2e.wait_until(lambda: first.list_tags_for_stream(StreamName=while_down)["Tags"] == [
        {"Key": "via", "Value": "n3"}], SEEN_S, "n3's tag on n1")
