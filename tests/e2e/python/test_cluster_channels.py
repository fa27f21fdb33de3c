"""Channels in cluster mode: one registry for the whole cluster, kept in etcd, and each shard's
records delivered by the node that leads the shard, from a checkpoint in etcd. A channel created
through one node is described through every other; records put through every node all reach the
bucket, each once; a leader killed with -9 mid-delivery leaves no record out. With a local
directory destination each node writes its objects under its own <data-dir>/s3/<bucket>/: the
bucket is the union of the three."""

from __future__ import annotations

import collections
import json

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, fully_in_sync, start_nodes
from test_channel_delivery import ACCOUNT, BUCKET, delivered_lines
from test_cluster_data import leaders


def on_demand_in_sync(etcd, clients: dict, prefix: str) -> str:
    """A new ON_DEMAND stream (channels read only those), active on every node, each shard with
    three in-sync replicas: its name."""
    name = e2e.unique_name(prefix)
    e2e.on_demand_stream(clients["n1"], name)
    for k in clients.values():
        e2e.wait_active(k, name, timeout=SETTLE_S)
    shards = len(e2e.list_shards(clients["n1"], name))
    e2e.wait_until(lambda: fully_in_sync(etcd, name, shards), SETTLE_S, "three in-sync replicas for every shard")
    return name


def delivered_ids(servers: dict) -> list:
    """The ids of every record in the bucket, as the three nodes' directories hold them."""
    return [json.loads(line)["id"] for s in servers.values() for line in delivered_lines(s)]


def wait_all_delivered(servers: dict, expected: int):
    e2e.wait_until(lambda: set(delivered_ids(servers)) == set(range(expected)), 60,
                   f"{expected} records in the bucket", interval=0.2)


def put_through_every_node(clients: dict, name: str, first: int, each: int) -> int:
    for i, client in enumerate(clients.values()):
        e2e.put_json_ids(client, name, list(range(first + i * each, first + (i + 1) * each)))
    return first + len(clients) * each


def channel_through(clients: dict, node: str, name: str) -> str:
    stream_arn = clients[node].describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return e2e.create_channel(clients[node], name, stream_arn, BUCKET, ACCOUNT)


def test_a_channel_is_one_for_the_cluster_and_each_shard_is_delivered_once_by_its_leader(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    k = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name = on_demand_in_sync(etcd, k, "chan")
    assert len(set(leaders(etcd, name).values())) > 1  # the shards are led by more than one node

    arn = channel_through(k, "n1", name)
    for node in ("n2", "n3"):
        described = k[node].describe_channel(ChannelARN=arn)["ChannelDescription"]
        assert (described["ChannelName"], described["ChannelStatus"]) == (name, "ACTIVE")
        assert [c["ChannelName"] for c in k[node].list_channels()["ChannelSummaries"]] == [name]
    k["n2"].tag_resource(ResourceARN=arn, Tags={"team": "b"})
    assert k["n3"].list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "b"}]
    with pytest.raises(ClientError) as err:
        channel_through(k, "n3", name)  # the name is taken in the cluster's registry
    assert err.value.response["Error"]["Code"] == "ResourceInUseException"

    sent = put_through_every_node(k, name, 0, 100)
    wait_all_delivered(servers, sent)
    ids = delivered_ids(servers)
    assert len(ids) == sent  # each shard delivered by one node: no record twice
    # Each node wrote the shards it leads: more than one node's directory holds objects.
    assert sum(1 for s in servers.values() if delivered_lines(s)) > 1

    k["n1"].delete_channel(ChannelARN=arn)
    e2e.wait_until(lambda: k["n3"].list_channels()["ChannelSummaries"] == [], 10, "the channel gone through n3")


def test_a_leader_killed_mid_delivery_leaves_no_record_out_of_the_bucket(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    k = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    name = on_demand_in_sync(etcd, k, "chankill")
    channel_through(k, "n1", name)
    sent = put_through_every_node(k, name, 0, 200)
    e2e.wait_until(lambda: len(delivered_ids(servers)) > 0, 30, "a first object", interval=0.05)

    victim = collections.Counter(leaders(etcd, name).values()).most_common(1)[0][0]
    servers[victim].kill9()
    survivors = {node: client for node, client in k.items() if node != victim}
    # Puts go on through the others (retried while the victim's shards fail over).
    e2e.wait_until(lambda: victim not in leaders(etcd, name).values(), SETTLE_S, "the victim's shards failed over")
    sent = put_through_every_node(survivors, name, sent, 200)
    wait_all_delivered(servers, sent)
