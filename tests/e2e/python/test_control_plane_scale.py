"""The control plane off the event loops: a CreateStream of many shards returns with the stream
CREATING and builds it in the background, and an UpdateShardCount to many shards returns with it
UPDATING, while the health check and the data plane keep answering."""
import time

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e

SHARDS = 3000  # enough that building them takes a while; --shard-limit allows it
ANSWER_S = 2.0  # each health check and PutRecord meanwhile must answer within this


def test_create_of_many_shards_returns_creating_while_health_and_other_streams_answer(spawn):
    server = spawn("--shard-limit", str(SHARDS + 10), "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "other", shards=1)
    quick = e2e.client(server.endpoint, read_timeout=ANSWER_S)  # a call that waits longer fails

    kinesis.create_stream(StreamName="big", ShardCount=SHARDS)
    summary = kinesis.describe_stream_summary(StreamName="big")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] in ("CREATING", "ACTIVE")

    polls_while_creating = 0
    deadline = time.monotonic() + 120
    while True:
        status = kinesis.describe_stream_summary(StreamName="big")["StreamDescriptionSummary"]["StreamStatus"]
        if status == "ACTIVE":
            break
        assert status == "CREATING", status
        assert time.monotonic() < deadline, f"big still CREATING after 120 s\nlog:\n{server.log}"
        assert e2e.health_status(server.endpoint, timeout=ANSWER_S) == 200
        quick.put_record(StreamName="other", PartitionKey="k", Data=b"meanwhile")
        polls_while_creating += 1
    assert polls_while_creating > 0, "the create finished before anything was asked meanwhile"
    assert len(e2e.all_shards(kinesis, "big")) == SHARDS
    kinesis.put_record(StreamName="big", PartitionKey="k", Data=b"now")
    assert "engine: built the 3000 shards of stream big" in server.log


def test_update_shard_count_of_64_shards_to_128_is_updating_then_active_with_every_record_in_lineage_order(spawn):
    # UPDATING for at least 3 s (the build itself takes milliseconds), so the calls made while it is
    # are made while it is.
    server = spawn("--update-stream-ms", "3000")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "other", shards=1)
    kinesis.create_stream(StreamName="wide", ShardCount=64)
    e2e.wait_active(kinesis, "wide", timeout=60)
    quick = e2e.client(server.endpoint, read_timeout=ANSWER_S)
    keys = [f"key-{i}" for i in range(16)]
    sent = {k: [] for k in keys}

    def put(tag: str):
        for k in keys:
            data = f"{tag}-{len(sent[k])}".encode()
            kinesis.put_record(StreamName="wide", PartitionKey=k, Data=data)
            sent[k].append(data)

    put("before")
    out = kinesis.update_shard_count(StreamName="wide", TargetShardCount=128, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (64, 128)
    seen = []
    deadline = time.monotonic() + 60
    while True:
        status = kinesis.describe_stream_summary(StreamName="wide")["StreamDescriptionSummary"]["StreamStatus"]
        seen.append(status)
        if status == "ACTIVE":
            break
        assert status == "UPDATING", status
        assert time.monotonic() < deadline, f"wide still UPDATING after 60 s\nlog:\n{server.log}"
        # The old shards until the switch, and everything else answers meanwhile.
        assert len(e2e.list_shards(kinesis, "wide")) == 64
        assert e2e.health_status(server.endpoint, timeout=ANSWER_S) == 200
        quick.put_record(StreamName="other", PartitionKey="k", Data=b"meanwhile")
        if len(seen) == 1:  # right after the call, well within the 3 s
            with pytest.raises(ClientError) as again:
                kinesis.update_shard_count(StreamName="wide", TargetShardCount=64, ScalingType="UNIFORM_SCALING")
            assert again.value.response["Error"]["Code"] == "ResourceInUseException"
        put("during")
    assert seen[0] == "UPDATING", seen
    put("after")

    shards = e2e.list_shards(kinesis, "wide")
    assert len(shards) == 64 + 128
    assert e2e.assert_open_coverage(shards) == e2e.uniform_ranges(128)
    e2e.assert_lineage(shards, {f"shardId-{i:012d}" for i in range(64)})
    order, records = e2e.read_generations(kinesis, "wide")
    for k in keys:  # parents are read before their children, so per key this is the order written
        got = [r["Data"] for sid in order for r in records[sid] if r["PartitionKey"] == k]
        assert got == sent[k], k
    assert "resharded stream wide (account" in server.log and "to 128 open shards on the worker" in server.log
