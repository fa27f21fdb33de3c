"""First steps with the AWS CLI, exactly as a new user would type them."""

from __future__ import annotations

import base64
import re

import sluice_e2e as e2e


def test_first_steps_with_the_aws_cli(endpoint, tmp_path):
    url = endpoint.url
    name = e2e.unique_name("cli")

    out, _ = e2e.aws_cli(url, "create-stream", "--stream-name", name, "--shard-count", "1")
    assert out is None  # CreateStream has no output
    e2e.aws_cli(url, "wait", "stream-exists", "--stream-name", name)

    out, _ = e2e.aws_cli(url, "describe-stream-summary", "--stream-name", name)
    assert out["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"
    assert out["StreamDescriptionSummary"]["OpenShardCount"] == 1

    out, _ = e2e.aws_cli(url, "list-streams")
    assert name in out["StreamNames"] or out.get("HasMoreStreams")

    # CLI v1 sends the argument's bytes as the blob; fileb:// sends a file's raw bytes.
    out, _ = e2e.aws_cli(url, "put-record", "--stream-name", name, "--partition-key", "user-1",
                         "--data", "hello from the cli")
    assert out["ShardId"] == "shardId-000000000000"
    assert re.fullmatch(r"\d{56}", out["SequenceNumber"])
    first_seq = out["SequenceNumber"]
    blob = bytes(range(256))
    (tmp_path / "blob.bin").write_bytes(blob)
    out, _ = e2e.aws_cli(url, "put-record", "--stream-name", name, "--partition-key", "user-2",
                         "--data", f"fileb://{tmp_path / 'blob.bin'}")
    assert int(out["SequenceNumber"]) > int(first_seq)

    out, _ = e2e.aws_cli(url, "get-shard-iterator", "--stream-name", name, "--shard-id",
                         "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")
    iterator = out["ShardIterator"]
    assert iterator

    out, _ = e2e.aws_cli(url, "get-records", "--shard-iterator", iterator)
    records = out["Records"]
    assert [r["PartitionKey"] for r in records] == ["user-1", "user-2"]
    assert base64.b64decode(records[0]["Data"]) == b"hello from the cli"
    assert base64.b64decode(records[1]["Data"]) == blob
    assert records[0]["SequenceNumber"] == first_seq
    assert out["NextShardIterator"]
    assert out["MillisBehindLatest"] == 0

    out, _ = e2e.aws_cli(url, "list-shards", "--stream-name", name)
    assert [s["ShardId"] for s in out["Shards"]] == ["shardId-000000000000"]

    out, _ = e2e.aws_cli(url, "delete-stream", "--stream-name", name)
    e2e.aws_cli(url, "wait", "stream-not-exists", "--stream-name", name)

    _, res = e2e.aws_cli(url, "describe-stream", "--stream-name", name, check=False)
    assert res.returncode != 0
    assert b"ResourceNotFoundException" in res.stderr
    assert f"Stream {name} under account".encode() in res.stderr


def test_cli_error_exit_status_and_message(endpoint):
    _, res = e2e.aws_cli(endpoint.url, "get-records", "--shard-iterator", "not-an-iterator", check=False)
    assert res.returncode != 0
    assert b"InvalidArgumentException" in res.stderr
    assert b"Invalid ShardIterator." in res.stderr
