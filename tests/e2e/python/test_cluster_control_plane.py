"""Cluster mode's control plane through every node, on a three-member etcd: every kind of
stream change made through one node is seen through the others, resharding's lineage and
ChildShards included; the loss of the etcd member every node names first (killed, or hung)
costs clients nothing beyond retries. An outage of all of etcd stops changes with the retryable
ServiceUnavailable within the etcd deadline, not the data plane; a node killed with -9 and
restarted at its address joins at once, not after its old session's TTL."""

from __future__ import annotations

import signal
import subprocess
import time

from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError

import sluice_e2e as e2e
from test_cluster_data import leaders, read_through, stream_with_leaders
from test_cluster_membership import node_args, nodes_by_id

SEEN_S = 10.0  # a change through one node reaches the others through etcd's watch well within this
ETCD_CALL_S = 5.0  # the etcd client's deadline for one call, all endpoints together


def three_nodes(etcd, spawn) -> list:
    return [spawn(*node_args(etcd, f"n{i}")) for i in (1, 2, 3)]


def until_ok(call, what: str, timeout: float = SEEN_S, also: tuple = ()):
    """call(), retried while it fails as a client retries: a 5xx or a lost connection (or an
    error code in `also`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except ClientError as exc:
            retried = exc.response["ResponseMetadata"]["HTTPStatusCode"] >= 500 or exc.response["Error"][
                "Code"] in also
            if not retried or time.monotonic() > deadline:
                raise AssertionError(f"{what}: {exc}") from exc
        except BotoConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def summary(kinesis, name: str) -> dict:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def tags(kinesis, name: str) -> dict:
    return {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}


def active_everywhere(clients, name: str):
    for k in clients:
        e2e.wait_until(lambda k=k: summary(k, name)["StreamStatus"] == "ACTIVE", SEEN_S, f"{name} ACTIVE")


def put_and_read_through_each(clients, name: str, starts: dict, tag: str):
    """A record into every shard through every node, each read back through the next node."""
    for i, k in enumerate(clients):
        for shard_id, start in starts.items():
            data = f"{tag}-{i}-{shard_id}".encode()
            put = until_ok(lambda: k.put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=start, Data=data),
                           f"put through node {i + 1}")
            assert put["ShardId"] == shard_id
            reader = clients[(i + 1) % len(clients)]
            records = until_ok(lambda: read_through(k, reader, name, shard_id), f"read through node {i + 1}")
            assert (put["SequenceNumber"], data) in records


def test_every_control_plane_call_works_through_every_node_and_after_the_first_etcd_member_dies(etcd3, spawn):
    servers = three_nodes(etcd3, spawn)
    k = [e2e.client(s.endpoint) for s in servers]
    name = e2e.unique_name("cp")
    k[0].create_stream(StreamName=name, ShardCount=2)
    active_everywhere(k, name)
    for client in k:
        assert summary(client, name)["OpenShardCount"] == 2
        assert name in client.list_streams()["StreamNames"]
        assert len(e2e.list_shards(client, name)) == 2

    k[1].add_tags_to_stream(StreamName=name, Tags={"team": "payments"})
    k[2].increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    e2e.wait_until(lambda: summary(k[0], name)["StreamStatus"] == "ACTIVE", SEEN_S, "retention applied")
    k[0].start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    active_everywhere(k, name)
    for client in k:
        e2e.wait_until(lambda c=client: tags(c, name) == {"team": "payments"}, SEEN_S, "the tag everywhere")
        e2e.wait_until(lambda c=client: summary(c, name)["RetentionPeriodHours"] == 48, SEEN_S, "retention")
        e2e.wait_until(lambda c=client: summary(c, name).get("EncryptionType") == "KMS", SEEN_S, "encryption")

    arn = summary(k[0], name)["StreamARN"]
    consumer_arn = e2e.register_consumer(k[0], arn, "reader")
    for client in k[1:]:
        e2e.wait_until(lambda c=client: c.describe_stream_consumer(ConsumerARN=consumer_arn)[
            "ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", SEEN_S, "the consumer through another node")
        assert [c["ConsumerName"] for c in client.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["reader"]

    # Resharding through one node, its lineage and ChildShards through another.
    shards = e2e.list_shards(k[0], name)
    first = shards[0]
    k[2].put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=first["HashKeyRange"]["StartingHashKey"],
                    Data=b"before the split")
    low, high = (int(first["HashKeyRange"][end]) for end in ("StartingHashKey", "EndingHashKey"))
    k[1].split_shard(StreamName=name, ShardToSplit=first["ShardId"], NewStartingHashKey=str((low + high) // 2 + 1))
    active_everywhere(k, name)
    e2e.wait_until(lambda: len(e2e.list_shards(k[2], name)) == 4, SEEN_S, "the split through node 3")
    children = [s for s in e2e.list_shards(k[2], name) if s.get("ParentShardId") == first["ShardId"]]
    assert len(children) == 2, e2e.list_shards(k[2], name)
    k[1].merge_shards(StreamName=name, ShardToMerge=children[0]["ShardId"],
                      AdjacentShardToMerge=children[1]["ShardId"])
    active_everywhere(k, name)
    e2e.wait_until(lambda: len(e2e.list_shards(k[0], name)) == 5, SEEN_S, "the merge through node 1")
    merged = [s for s in e2e.list_shards(k[0], name) if s.get("AdjacentParentShardId")]
    assert len(merged) == 1 and {merged[0]["ParentShardId"], merged[0]["AdjacentParentShardId"]} == {
        c["ShardId"] for c in children}
    order, records = e2e.read_generations(k[0], name)  # checks each closed shard's ChildShards
    assert order.index(first["ShardId"]) < order.index(merged[0]["ShardId"])
    assert [r["Data"] for r in records[first["ShardId"]]] == [b"before the split"]
    k[2].update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    active_everywhere(k, name)
    for client in k:
        e2e.wait_until(lambda c=client: len([s for s in e2e.list_shards(c, name) if e2e.is_open(s)]) == 4, SEEN_S,
                       "UpdateShardCount's four open shards through every node")
        e2e.assert_open_coverage(e2e.list_shards(client, name))

    # The member every node asks first dies: every call through every node still succeeds.
    etcd3.members[0].kill9()
    for i, client in enumerate(k):
        until_ok(lambda: client.add_tags_to_stream(StreamName=name, Tags={f"after-{i}": "yes"}),
                 f"a tag through node {i + 1}")
        for c in k:  # seen everywhere before the next node changes the stream (else: ResourceInUse)
            e2e.wait_until(lambda c=c: len(tags(c, name)) == 2 + i, SEEN_S, f"tag {i + 1} through every node")
    other, starts = stream_with_leaders(etcd3, k, 3)
    put_and_read_through_each(k, other, starts, "after")
    assert all(n["alive"] for n in nodes_by_id(etcd3).values())


def failure_of(call) -> tuple:
    """(error code, HTTP status, message, seconds taken) of a call that must fail."""
    started = time.monotonic()
    try:
        call()
    except ClientError as exc:
        meta = exc.response
        return (meta["Error"]["Code"], meta["ResponseMetadata"]["HTTPStatusCode"], meta["Error"]["Message"],
                time.monotonic() - started)
    raise AssertionError("the call succeeded during the etcd outage")


def test_an_etcd_outage_fails_changes_with_a_retryable_error_in_time_and_spares_the_data_plane(etcd, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd, spawn)]
    name, starts = stream_with_leaders(etcd, k, 3)

    etcd.proc.send_signal(signal.SIGSTOP)  # every call to it hangs: the deadlines must end them
    try:
        put_and_read_through_each(k, name, starts, "outage")
        for client in k:
            assert summary(client, name)["StreamStatus"] == "ACTIVE"
        refused = e2e.unique_name("cp-out")
        for i, change in enumerate([lambda: k[0].create_stream(StreamName=refused, ShardCount=1),
                                    lambda: k[1].add_tags_to_stream(StreamName=name, Tags={"during": "outage"})]):
            code, status, message, took = failure_of(change)
            assert (code, status) == ("ServiceUnavailable", 503), (code, status, message)
            assert "metadata store" in message and "try again" in message, message
            assert took < ETCD_CALL_S + 3, f"change {i} took {took:.1f} s"
    finally:
        etcd.proc.send_signal(signal.SIGCONT)

    created = e2e.unique_name("cp-back")
    until_ok(lambda: k[2].create_stream(StreamName=created, ShardCount=1), "CreateStream once etcd is back")
    # The tag refused during the outage may reach node 2's watch only now: until it has, node 2
    # refuses a change of that stream with ResourceInUse "… at the same time; try again."
    until_ok(lambda: k[1].add_tags_to_stream(StreamName=name, Tags={"after": "outage"}), "a tag once etcd is back",
             also=("ResourceInUseException",))
    active_everywhere(k, created)
    # A change refused during the outage may still have been written: etcd, stopped, had the
    # request in its socket (an answer lost, as the error says). Either way every node agrees.
    for client in k:
        e2e.wait_until(lambda c=client: tags(c, name).get("after") == "outage", SEEN_S, "the tag through every node")
    e2e.wait_until(lambda: len({tuple(sorted(tags(c, name).items())) for c in k}) == 1, SEEN_S, "the same tags")
    e2e.wait_until(lambda: len({refused in c.list_streams()["StreamNames"] for c in k}) == 1, SEEN_S,
                   "every node to agree on the refused create")
    put_and_read_through_each(k, name, starts, "back")


def test_a_node_restarted_after_kill9_at_its_address_joins_at_once_and_another_address_is_refused(etcd, spawn,
                                                                                                   tmp_path):
    ttl_s = 30  # far longer than the restart may take
    port = e2e.free_port()  # the same port at the restart: configured by variables, which pin it
    server = spawn(env={"SLUICE_CLUSTER": etcd.cluster_url, "SLUICE_NODE_ID": "n1", "SLUICE_PORT": str(port),
                        "SLUICE_CLUSTER_SESSION_TTL": str(ttl_s), "SLUICE_DURABILITY": "os"})
    other = spawn(*node_args(etcd, "n2", ttl_s=ttl_s))
    k = [e2e.client(server.endpoint), e2e.client(other.endpoint)]
    name, starts = stream_with_leaders(etcd, k, 2)
    assert nodes_by_id(etcd)["n1"]["advertise"] == f"127.0.0.1:{port}"

    server.kill9()
    killed = time.monotonic()
    server.restart()  # refused (exit 1) while the old registration stood, before
    assert server.port == port
    e2e.wait_until(lambda: nodes_by_id(etcd)["n1"]["alive"], 5, "n1 registered again")
    assert time.monotonic() - killed < ttl_s / 3, "joined in well under the old session's TTL"
    assert "took over its earlier registration" in server.log

    # Its id at another address is still refused while n1 lives.
    res = subprocess.run([e2e.SLUICE_BIN, "serve", "--port", "0", "--data-dir", str(tmp_path / "impostor"),
                          *node_args(etcd, "n1", ttl_s=ttl_s)], capture_output=True, timeout=30,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 1
    assert "node id 'n1' is already registered" in res.stdout.decode() + res.stderr.decode()

    e2e.wait_until(lambda: len(leaders(etcd, name)) == 2, SEEN_S, "every shard led again")
    put_and_read_through_each(k, name, starts, "restarted")


def test_a_hung_first_etcd_member_costs_changes_and_the_data_plane_nothing_beyond_retries(etcd3, spawn):
    k = [e2e.client(s.endpoint) for s in three_nodes(etcd3, spawn)]
    name, starts = stream_with_leaders(etcd3, k, 3)
    hung = etcd3.members[0]
    hung.proc.send_signal(signal.SIGSTOP)  # connections to it stay open and silent
    try:
        for i, client in enumerate(k):
            until_ok(lambda: client.add_tags_to_stream(StreamName=name, Tags={f"hung-{i}": "yes"}),
                     f"a tag through node {i + 1}")
            for c in k:  # each node's watch has left the hung member to see it
                e2e.wait_until(lambda c=c: len(tags(c, name)) == 1 + i, SEEN_S, f"tag {i + 1} through every node")
        put_and_read_through_each(k, name, starts, "hung")
    finally:
        hung.proc.send_signal(signal.SIGCONT)
