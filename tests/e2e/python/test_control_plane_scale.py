"""The control plane off the event loops: a CreateStream of many shards returns with the stream
CREATING and builds it in the background, while the health check and the data plane of other
streams keep answering."""
import time

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
