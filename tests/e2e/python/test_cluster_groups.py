"""Consumer groups in cluster mode (docs/cluster.md, "Consumer groups"): each group answered by one
coordinating node, every other node forwarding its calls there; its records and checkpoints in
etcd. Members joining through different nodes share the shards, a checkpoint written through one
node is read through every other, and a kill -9 of the coordinator loses no acknowledged
checkpoint: the members rejoin through the survivors and read on from where they were."""

from __future__ import annotations

import json
import time
import urllib.request

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, start_nodes, stream_in_sync
from test_cluster_data import put_until_accepted
from test_consumer_groups import GroupError, call

GROUP = "billing"


def call_retrying(endpoint: str, operation: str, **body) -> dict:
    """A group call retried, as an SDK would, while the answer is a 5xx (the coordinator moving,
    or not answering) or the node refuses the connection; other errors are raised."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        try:
            return call(endpoint, operation, **body)
        except GroupError as e:
            if e.status < 500 or time.monotonic() > deadline:
                raise
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def coordinator_of(etcd, stream: str, group: str) -> str:
    """The node that last took the group, from its coordinator key in etcd."""
    keys = etcd.get_prefix("/sluice/v1/groups/")
    found = [json.loads(v)["node"] for k, v in keys.items() if k.endswith(f"/{stream}/{group}/coordinator")]
    assert len(found) == 1, keys
    return found[0]


def settle(endpoints: dict, stream: str, members: dict) -> dict:
    """Heartbeats each member through its node until the group, described through every node, is
    STABLE with all of them; returns each member's last Heartbeat answer."""
    answers = {}

    def stable():
        for m, node in members.items():
            answers[m] = call_retrying(endpoints[node], "Heartbeat", StreamName=stream, GroupName=GROUP, MemberId=m)
        for ep in {endpoints[n] for n in members.values()}:
            d = call_retrying(ep, "DescribeGroup", StreamName=stream, GroupName=GROUP)["Group"]
            if d["State"] != "STABLE" or sorted(x["MemberId"] for x in d["Members"]) != sorted(members):
                return False
        return True
    e2e.wait_until(stable, SETTLE_S, "the group to settle")
    for m, node in members.items():
        answers[m] = call_retrying(endpoints[node], "Heartbeat", StreamName=stream, GroupName=GROUP, MemberId=m)
    return answers


def join_all(endpoints: dict, stream: str, members: dict) -> dict:
    for m, node in members.items():
        call_retrying(endpoints[node], "JoinGroup", StreamName=stream, GroupName=GROUP, MemberId=m)
    answers = settle(endpoints, stream, members)
    owned = sorted(a["ShardId"] for answer in answers.values() for a in answer["Assignment"])
    return answers, owned


def read_from(kinesis, stream: str, shard: str, position: dict) -> list:
    """Every record of a shard from a member's StartingPosition to the shard's end, read through
    `kinesis`: [(sequence number, data)]."""
    kwargs = {"ShardIteratorType": position["Type"]}
    if "SequenceNumber" in position:
        kwargs["StartingSequenceNumber"] = position["SequenceNumber"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, **kwargs)["ShardIterator"]
    out = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=100)
        out += [(r["SequenceNumber"], r["Data"]) for r in page["Records"]]
        if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
            break
        iterator = page.get("NextShardIterator")
    return out


def put_each(clients: list, stream: str, starts: dict, count: int, tag: str) -> dict:
    """`count` records on every shard, through the nodes in turn: {shard: [(sequence, data)]}."""
    written = {shard: [] for shard in starts}
    for i in range(count):
        for shard, start in starts.items():
            data = f"{shard}/{tag}/{i}".encode()
            acked = put_until_accepted(clients[i % len(clients)], stream, start, data)
            written[shard].append((acked["SequenceNumber"], data))
    return written


def three_nodes_and_a_group(etcd, spawn, prefix: str) -> tuple:
    """Three nodes, a stream of four in-sync shards, and members m1, m2, m3 joined through n1, n2
    and n3, the group settled with each shard assigned once."""
    servers = start_nodes(etcd, spawn)
    endpoints = {n: s.endpoint for n, s in servers.items()}
    clients = {n: e2e.client(ep) for n, ep in endpoints.items()}
    stream, starts = stream_in_sync(etcd, clients, prefix, 4)
    members = {"m1": "n1", "m2": "n2", "m3": "n3"}
    answers, owned = join_all(endpoints, stream, members)
    assert owned == sorted(starts), "each shard assigned once"
    return servers, endpoints, clients, stream, starts, members, answers


def test_members_through_different_nodes_share_the_shards_and_checkpoints_are_read_through_any_node(etcd, spawn):
    servers, endpoints, clients, stream, starts, members, answers = three_nodes_and_a_group(etcd, spawn, "groups")
    assert all(answer["Assignment"] for answer in answers.values())
    coordinator = coordinator_of(etcd, stream, GROUP)
    assert coordinator in servers

    # Operators' views show the group where it is coordinated, and take it over nowhere else.
    for node, ep in endpoints.items():
        shown = f'sluice_group_members{{stream="{stream}",group="{GROUP}",' in e2e.metrics_text(ep)
        with urllib.request.urlopen(ep + "/console/api/groups", timeout=5) as answer:
            described = [g["name"] for s in json.load(answer)["streams"] if s["name"] == stream for g in s["groups"]]
        assert shown == (node == coordinator) and described == ([GROUP] if node == coordinator else []), node
    assert coordinator_of(etcd, stream, GROUP) == coordinator

    written = put_each(list(clients.values()), stream, starts, 2, "a")
    for m, node in members.items():
        for a in answers[m]["Assignment"]:
            call_retrying(endpoints[node], "CheckpointGroup", StreamName=stream, GroupName=GROUP, MemberId=m,
                          Generation=answers[m]["Generation"], ShardId=a["ShardId"],
                          SequenceNumber=written[a["ShardId"]][0][0])
    expected = {shard: records[0][0] for shard, records in written.items()}
    for node, ep in endpoints.items():
        got = call_retrying(ep, "GetGroupCheckpoints", StreamName=stream, GroupName=GROUP)["Checkpoints"]
        assert {c["ShardId"]: c["SequenceNumber"] for c in got} == expected, node
        listed = call_retrying(ep, "ListGroups", StreamName=stream)["Groups"]
        assert [g["GroupName"] for g in listed] == [GROUP], node

    # The coordinator checks ownership whichever node the checkpoint came through.
    other_node = next(n for n in endpoints if n != coordinator)
    foreign = next(a["ShardId"] for m, answer in answers.items() if m != "m1" for a in answer["Assignment"])
    try:
        call(endpoints[other_node], "CheckpointGroup", StreamName=stream, GroupName=GROUP, MemberId="m1",
             Generation=answers["m1"]["Generation"], ShardId=foreign, SequenceNumber=written[foreign][1][0])
        raise AssertionError("a checkpoint of another member's shard was accepted")
    except GroupError as e:
        assert e.type == "FencedMemberException", e
    assert {c["ShardId"]: c["SequenceNumber"] for c in call_retrying(
        endpoints[coordinator], "GetGroupCheckpoints", StreamName=stream, GroupName=GROUP)["Checkpoints"]} == expected

    # The push stream is served by the coordinator only, and says where it is.
    try:
        call(endpoints[other_node], "SubscribeToGroup", StreamName=stream, GroupName=GROUP, MemberId="m1")
        raise AssertionError("SubscribeToGroup through a node that does not coordinate the group was served")
    except GroupError as e:
        assert e.type == "InvalidArgumentException", e
        assert f"coordinated by node {coordinator} at " in e.message, e


def test_kill9_of_the_coordinator_members_rejoin_through_survivors_and_resume_from_their_checkpoints(etcd, spawn):
    servers, endpoints, clients, stream, starts, members, answers = three_nodes_and_a_group(etcd, spawn, "groupkill")
    written = put_each(list(clients.values()), stream, starts, 10, "before")

    # Each member reads its shards through its own node and checkpoints the fifth record.
    acknowledged = {}
    for m, node in members.items():
        for a in answers[m]["Assignment"]:
            shard = a["ShardId"]
            records = read_from(clients[node], stream, shard, a["StartingPosition"])
            assert records == written[shard]
            call_retrying(endpoints[node], "CheckpointGroup", StreamName=stream, GroupName=GROUP, MemberId=m,
                          Generation=answers[m]["Generation"], ShardId=shard, SequenceNumber=records[4][0])
            acknowledged[shard] = records[4][0]
    assert sorted(acknowledged) == sorted(starts)

    victim = coordinator_of(etcd, stream, GROUP)
    servers[victim].kill9()
    survivors = [n for n in servers if n != victim]
    members = {m: (node if node != victim else survivors[0]) for m, node in members.items()}
    more = put_each([clients[n] for n in survivors], stream, starts, 5, "after")

    # The new coordinator knows no member: each is told so, and joins again through its node.
    for m, node in members.items():
        def told_unknown():
            try:
                call_retrying(endpoints[node], "Heartbeat", StreamName=stream, GroupName=GROUP, MemberId=m)
                return False
            except GroupError as e:
                assert e.type == "UnknownMemberException", e
                return True
        e2e.wait_until(told_unknown, SETTLE_S, f"{m} told it is unknown")
    answers, owned = join_all(endpoints, stream, members)
    assert owned == sorted(starts)
    assert coordinator_of(etcd, stream, GROUP) in survivors

    # Every shard starts after its last acknowledged checkpoint, and the rest is delivered.
    for m, node in members.items():
        for a in answers[m]["Assignment"]:
            shard = a["ShardId"]
            assert a["StartingPosition"] == {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": acknowledged[shard]}
            records = read_from(clients[node], stream, shard, a["StartingPosition"])
            assert records == written[shard][5:] + more[shard], shard
    for node in survivors:
        got = call_retrying(endpoints[node], "GetGroupCheckpoints", StreamName=stream, GroupName=GROUP)["Checkpoints"]
        assert {c["ShardId"]: c["SequenceNumber"] for c in got} == acknowledged, node
