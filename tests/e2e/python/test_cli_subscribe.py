"""Stream consumers set up with the AWS CLI and read through SubscribeToShard.

The AWS CLI has no `subscribe-to-shard` command (v1 leaves out the event-stream operation, and so
does v2), so the subscription itself is made with boto3; everything around it is the CLI: the
stream, the consumer registration and lookup, and the records (`put-record`, `put-records`, which
base64-encode `--data` / `Data` themselves in v1). The server's subscription lifetime is 1 s, so the
subscription ends by itself, having delivered exactly what the CLI put."""

from __future__ import annotations

import json
import time

import sluice_e2e as e2e
from sluice_e2e import requires_sluice


def cli(url: str, *args: str):
    return e2e.aws_cli(url, *args, timeout=60)[0]


@requires_sluice("SubscribeToShard, --subscription-lifetime-ms")
def test_cli_registered_consumer_receives_cli_records_until_the_lifetime_ends(spawn):
    server = spawn("--subscription-lifetime-ms", "1000", "--subscription-heartbeat-ms", "200")
    url = server.endpoint
    cli(url, "create-stream", "--stream-name", "cli-sub", "--shard-count", "1")
    summary = cli(url, "describe-stream-summary", "--stream-name", "cli-sub")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE"  # the server is started with --create-stream-ms 0
    stream_arn = summary["StreamARN"]

    registered = cli(url, "register-stream-consumer", "--stream-arn", stream_arn, "--consumer-name", "cli-reader")
    consumer = registered["Consumer"]
    assert consumer["ConsumerName"] == "cli-reader"
    arn = consumer["ConsumerARN"]
    assert arn.startswith(f"{stream_arn}/consumer/cli-reader:"), arn
    described = cli(url, "describe-stream-consumer", "--consumer-arn", arn)["ConsumerDescription"]
    assert described["ConsumerStatus"] == "ACTIVE" and described["StreamARN"] == stream_arn

    # Records put with the CLI before subscribing (v1 base64-encodes --data itself).
    out = cli(url, "put-record", "--stream-name", "cli-sub", "--partition-key", "pk", "--data", "cli record")
    sent = [(out["SequenceNumber"], "pk", b"cli record")]
    entries = [{"PartitionKey": f"batch-{i}", "Data": f"batch record {i}"} for i in range(4)]
    out = cli(url, "put-records", "--stream-name", "cli-sub", "--records", json.dumps(entries))
    assert out["FailedRecordCount"] == 0
    sent += [(r["SequenceNumber"], e["PartitionKey"], e["Data"].encode())
             for r, e in zip(out["Records"], entries)]

    kinesis = e2e.client(url)
    with e2e.Subscription(kinesis, arn, "shardId-000000000000", {"Type": "TRIM_HORIZON"}, watchdog_s=20) as sub:
        events, kind, value = sub.read_to_end(10)
        assert kind == "end", f"the subscription ended with {kind}: {value!r}"
        assert not sub.closed_by_us.is_set(), "the watchdog had to end the subscription"
        lasted = time.monotonic() - sub.started
        assert 0.8 <= lasted <= 5.0, f"the subscription lasted {lasted:.2f}s; its lifetime is 1 s"
    got = [(r["SequenceNumber"], r["PartitionKey"], r["Data"]) for ev in events for r in ev["Records"]]
    assert got == sent
    assert all(ev.get("ContinuationSequenceNumber") for ev in events)

    # Deregistering the consumer with the CLI makes it unusable.
    cli(url, "deregister-stream-consumer", "--consumer-arn", arn)
    _, res = e2e.aws_cli(url, "describe-stream-consumer", "--consumer-arn", arn, check=False)
    assert res.returncode != 0 and b"ResourceNotFoundException" in res.stderr, res.stderr
    try:
        kinesis.subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "TRIM_HORIZON"})
        raise AssertionError("SubscribeToShard through a deregistered consumer succeeded")
    except kinesis.exceptions.ResourceNotFoundException:
        pass
    server.stop()
