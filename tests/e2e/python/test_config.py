"""Server configuration as a user sets it: environment variables, durability modes, body cap."""

from __future__ import annotations

import http.client
import os

import sluice_e2e as e2e


def test_configured_by_environment_variables(spawn):
    server = spawn(env={"SLUICE_DURABILITY": "fsync", "SLUICE_REGION": "eu-west-1",
                        "SLUICE_ACCOUNT": "123456789012"})
    assert f"listening on 127.0.0.1:{server.port}" in server.log
    # The client signs for the same region the server is configured with (a server may take the
    # region from the signature's scope); the access key is not an account id, so the configured
    # account applies.
    kinesis = e2e.client(server.endpoint, region="eu-west-1")
    e2e.create_stream(kinesis, "env", 1)
    arn = kinesis.describe_stream_summary(StreamName="env")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == "arn:aws:kinesis:eu-west-1:123456789012:stream/env"
    kinesis.put_record(StreamName="env", PartitionKey="k", Data=b"x")
    assert server.segment_files(), "no segment files in SLUICE_DATA_DIR"
    server.stop()


def test_memory_durability_writes_no_segments(spawn):
    server = spawn("--durability", "memory")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "mem", 1)
    kinesis.put_records(StreamName="mem", Records=[{"PartitionKey": "k", "Data": b"m%d" % i} for i in range(50)])
    recs = e2e.read_shard(kinesis, "mem", "shardId-000000000000")
    assert [r["Data"] for r in recs] == [b"m%d" % i for i in range(50)]
    assert server.segment_files() == []
    server.stop()


def test_max_body_bytes(spawn):
    """Raised from the 16 MiB default to 20 MiB: a 17 MiB body is parsed (and rejected by
    validation: Data is over the model's 10 MiB), a 21 MiB body is refused with 413."""
    server = spawn("--max-body-bytes", str(20 << 20))
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "cap", 1)

    def body_of(total: int) -> bytes:
        head = b'{"StreamName":"cap","PartitionKey":"k","Data":"'
        n = (total - len(head) - 2) // 4 * 4
        return head + b"QUFB" * (n // 4) + b'"}'

    mid = e2e.raw_call(server.endpoint, "PutRecord", body_of(17 << 20), timeout=60)
    assert mid.status == 400 and mid.error_type == "ValidationException", (mid.status, mid.body[:200])
    try:
        big = e2e.raw_call(server.endpoint, "PutRecord", body_of(21 << 20), timeout=60)
        assert big.status == 413, (big.status, big.body[:200])
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        pass  # the server may close after answering 413 while the body is still being sent
    small = e2e.raw_call(server.endpoint, "PutRecord", {"StreamName": "cap", "PartitionKey": "k",
                                                        "Data": e2e.b64(b"s" * 1000)})
    assert small.status == 200, small.body
    recs = e2e.read_shard(kinesis, "cap", "shardId-000000000000")
    assert [r["Data"] for r in recs] == [b"s" * 1000]
    server.stop()


def test_sigterm_exits_zero_when_idle(spawn):
    server = spawn()
    assert server.stop() == 0
    assert os.path.isdir(server.data_dir)
